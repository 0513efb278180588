/* spell.c: locale spelling and the capitals of names, from the language
 * pack's spelling table (a sorted text file made by scripts/spelling.sh).
 * The table is memory-mapped and searched as look(1) does, by halving byte
 * ranges: nothing is parsed or copied at start-up, and a transcript's
 * lookups touch a few pages of it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spell.h"

#define SPELL_MAGIC "#sm-spelling 1\n"

/* The locales and the table tag of their spellings. */
static const struct {
	const char *name, *tag;
} locales[] = {
	{"en-US", "us"},
	{"en-GB", "gb"},
	{"en-AU", "gb"},	/* Debian packages no Australian word list */
	{NULL, NULL}
};

/* The mapped table: lines TAG TAB KEY TAB WORD, sorted bytewise. */
struct table {
	const char *path;
	const char *s;
	size_t len;
};

int
spell_locale_known(const char *locale)
{
	for (int i = 0; locales[i].name; i++)
		if (strcmp(locales[i].name, locale) == 0)
			return 1;
	return 0;
}

static void
bad_table(const struct table *tb, size_t off)
{
	sm_die(SM_EX_CONFIG, "%s: byte %zu: expected TAG TAB KEY TAB WORD lines", tb->path, off);
}

/* Compare the line at off with "TAG\tKEY\t" (which sorts as the lines do:
 * a tab is below every character of a word); set *word to the line's
 * WORD when they are equal. */
static int
line_cmp(const struct table *tb, size_t off, const char *k, size_t klen,
	 const char **word, size_t *wlen)
{
	const char *l = tb->s + off, *end = tb->s + tb->len;
	const char *nl = memchr(l, '\n', (size_t)(end - l));
	const char *t1 = nl ? memchr(l, '\t', (size_t)(nl - l)) : NULL;
	const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(nl - t1 - 1)) : NULL;

	/* Every line compared is checked: three fields, none empty. */
	if (t2 == NULL || t1 == l || t2 == t1 + 1 || t2 + 1 == nl ||
	    memchr(t2 + 1, '\t', (size_t)(nl - t2 - 1)))
		bad_table(tb, off);
	for (size_t i = 0; i < klen; i++) {
		if (l + i == nl)
			return -1;
		if (l[i] != k[i])
			return (unsigned char)l[i] < (unsigned char)k[i] ? -1 : 1;
	}
	*word = l + klen;
	*wlen = (size_t)(nl - *word);
	return 0;
}

/* The WORD of the line for tag and key, or NULL. */
static const char *
lookup(const struct table *tb, const char *tag, const char *key, size_t *wlen)
{
	char k[256];
	int klen = snprintf(k, sizeof k, "%s\t%s\t", tag, key);
	size_t lo = strlen(SPELL_MAGIC), hi = tb->len;
	const char *word;

	if (klen < 0 || (size_t)klen >= sizeof k)
		return NULL;
	/* lo and hi are line starts; the line holding mid is compared. */
	while (lo < hi) {
		size_t p = lo + (hi - lo) / 2;
		int c;

		while (p > lo && tb->s[p - 1] != '\n')
			p--;
		c = line_cmp(tb, p, k, (size_t)klen, &word, wlen);
		if (c == 0)
			return word;
		if (c > 0) {
			hi = p;
		} else {
			const char *nl = memchr(tb->s + p, '\n', tb->len - p);

			lo = (size_t)(nl - tb->s) + 1;
		}
	}
	return NULL;
}

/* Map the pack's table; 0 when the pack has none and locale is en-US.
 * Not populated: a transcript looks up a few lines of it. */
static int
table_open(struct table *tb, const char *path, const char *locale)
{
	const unsigned char *m;
	char err[4200];
	size_t len;

	if (sm_map_file(path, 0, &m, &len, err, sizeof err) != 0) {
		if (errno == ENOENT && strcmp(locale, "en-US") == 0)
			return 0;
		if (errno != EINVAL)
			sm_die(SM_EX_CONFIG, "--locale %s: %s", locale, err);
	}
	if (m == NULL || len < strlen(SPELL_MAGIC) ||
	    memcmp(m, SPELL_MAGIC, strlen(SPELL_MAGIC)) != 0)
		sm_die(SM_EX_CONFIG, "%s: expected a #sm-spelling 1 table", path);
	tb->path = path;
	tb->s = (const char *)m;
	tb->len = len;
	if (tb->s[tb->len - 1] != '\n')
		bad_table(tb, tb->len);
	return 1;
}

void
spell_apply(struct transcript *t, const struct sm_pack *pack,
	    const char *locale)
{
	char path[sizeof pack->dir + sizeof SPELL_FILE + 1];
	struct table tb;
	const char *tag = NULL;

	for (int i = 0; locales[i].name; i++)
		if (strcmp(locales[i].name, locale) == 0)
			tag = locales[i].tag;
	snprintf(path, sizeof path, "%s/%s", pack->dir, SPELL_FILE);
	if (tag == NULL || !table_open(&tb, path, locale))
		return;
	for (size_t i = 0; i < t->n; i++) {
		const char *w;
		size_t n;

		if (t->v[i].replaced || t->v[i].entity)
			continue;	/* -R's words, and entities' written forms */
		if ((w = lookup(&tb, tag, t->v[i].content, &n)) == NULL &&
		    (w = lookup(&tb, "cap", t->v[i].content, &n)) == NULL)
			continue;
		free(t->v[i].content);
		if ((t->v[i].content = strndup(w, n)) == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
	}
	sm_unmap_file((const unsigned char *)tb.s, tb.len);
}

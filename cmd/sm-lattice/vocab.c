/* vocab.c: the custom vocabulary laid over the search (vocab.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "lm.h"
#include "lts.h"
#include "search.h"
#include "sm.h"
#include "vocab.h"

#define MAX_PH 120		/* phones of one pronunciation */
#define KEY_MAX 64		/* bytes of a key */

/* A key (a lower-case word) the list uses, and what is known of it. */
struct key {
	char *s;
	int lmid;		/* its LM id when the search has it, else -1 */
	int n_ph;		/* phones of its first pronunciation, 0 none yet */
	int16_t ph[MAX_PH];
	int n_alt;		/* pronunciations in alt (dictionary words) */
	int16_t *alt;		/* [n_alt][MAX_PH + 1]: count, then phones */
};

struct table {
	struct key *k;
	int n, cap;
	int32_t *slot;		/* open addressing: key index + 1, 0 empty */
	uint32_t mask;
	uint8_t first2[65536 / 8];	/* the keys' first two bytes (prefix2) */
};

/* The first two bytes of a word of n bytes at s as a number, the second
 * 0 for a word of one: what a scan of many words tests first. */
static unsigned
prefix2(const char *s, size_t n)
{
	return (unsigned char)s[0] << 8 | (n > 1 ? (unsigned char)s[1] : 0);
}

/* Whether a key may be the n bytes at s (no: it is not). */
static int
maybe(const struct table *t, const char *s, size_t n)
{
	unsigned p = prefix2(s, n);

	return n > 0 && (t->first2[p >> 3] >> (p & 7) & 1);
}

/* The index of the key of n bytes at s, -1 if absent (add: added). */
static int
lookup(struct table *t, const char *s, size_t n, int add)
{
	uint32_t i = sm_hash_bytes(s, n) & t->mask;

	for (; t->slot[i] != 0; i = (i + 1) & t->mask) {
		const struct key *k = &t->k[t->slot[i] - 1];

		if (strncmp(k->s, s, n) == 0 && k->s[n] == 0)
			return t->slot[i] - 1;
	}
	if (!add)
		return -1;
	if ((uint32_t)t->n + 1 > t->mask / 2)	/* sized by read_list: never */
		sm_die(SM_EX_SOFTWARE, "%u keys: the table is full", t->mask / 2);
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		t->k = realloc(t->k, sizeof *t->k * t->cap);
		if (t->k == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
	}
	memset(&t->k[t->n], 0, sizeof t->k[t->n]);
	t->k[t->n].s = malloc(n + 1);
	if (t->k[t->n].s == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	memcpy(t->k[t->n].s, s, n);
	t->k[t->n].s[n] = 0;
	t->k[t->n].lmid = -1;
	t->slot[i] = ++t->n;
	t->first2[prefix2(s, n) >> 3] |= (uint8_t)(1u << (prefix2(s, n) & 7));
	return t->n - 1;
}

/* An entry of the list. */
struct entry {
	int line;
	char *content;		/* as written */
	int n_word;
	int key[VOCAB_MAX_WORDS];	/* its words' keys */
	int n_sl;
	char **sl;		/* sounds-like spellings */
	int *sl_key;		/* their words' keys, -1 between spellings */
	int n_sl_key;
};

/* Whether the n bytes at w are letters each followed by a full stop
 * ("C.E.O."): in a sounds-like spelling, the names of the letters. */
static int
spelled_out(const char *w, size_t n)
{
	size_t i;

	if (n < 2 || n % 2)
		return 0;
	for (i = 0; i < n; i += 2)
		if (!isalpha((unsigned char)w[i]) || w[i + 1] != '.')
			return 0;
	return 1;
}

/* The words of s (blank-separated): their keys added to t, at most max of
 * them in out; the count, -1 when more than max, -2 when one has nothing
 * left as a key.  letters: a word spelled out ("C.E.O.") is its letters'
 * names, the dictionary's "c." "e." "o.". */
static int
split_keys(struct table *t, const char *s, int *out, int max, int letters)
{
	int n = 0;

	for (;;) {
		const char *e;
		char key[KEY_MAX];
		size_t kl;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == 0)
			return n;
		for (e = s; *e && *e != ' ' && *e != '\t'; e++)
			;
		if (letters && spelled_out(s, (size_t)(e - s))) {
			for (; s < e; s += 2) {
				if (n == max)
					return -1;
				key[0] = (char)tolower((unsigned char)*s);
				key[1] = '.';
				out[n++] = lookup(t, key, 2, 1);
			}
			continue;
		}
		if (n == max)
			return -1;
		kl = sm_vocab_key(s, (size_t)(e - s), key, sizeof key);
		if (kl == 0)
			return -2;
		out[n++] = lookup(t, key, kl, 1);
		s = e;
	}
}

/* The list at path: entries in *out, keys in t. */
static int
read_list(const char *path, struct table *t, struct entry **out)
{
	unsigned char *buf;
	char *line, *next;
	size_t len;
	int n = 0, cap = 0, lineno = 0, i, k;
	struct entry *e = NULL;

	buf = (unsigned char *)sm_read_all(path, SM_VOCAB_MAX_BYTES, "custom vocabulary", &len);
	if (memchr(buf, 0, len) != NULL)
		sm_die(SM_EX_DATAERR, "%s: not a text file (a NUL byte)", sm_name(path));
	/* the key table at most half full: a key per word (a word per blank,
	 * tab or newline, and one) and per spelled-out letter (two bytes) */
	for (i = 0, k = 1; (size_t)i < len; i++)
		k += buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n';
	for (t->mask = 255; t->mask / 2 < k + len / 2; t->mask = 2 * t->mask + 1)
		;
	t->slot = sm_xcalloc((size_t)t->mask + 1, sizeof *t->slot);
	for (line = (char *)buf; line < (char *)buf + len; line = next) {
		struct entry *x;
		char *f, *tab;

		next = strchr(line, '\n');
		next = next ? next + 1 : (char *)buf + len;
		if (next > line && next[-1] == '\n')
			next[-1] = 0;
		lineno++;
		if (next == (char *)buf + len && *line == 0)
			break;		/* the end of the last line */
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			if ((e = realloc(e, sizeof *e * cap)) == NULL)
				sm_die(SM_EX_SOFTWARE, "out of memory");
		}
		x = &e[n++];
		memset(x, 0, sizeof *x);
		x->line = lineno;
		tab = strchr(line, '\t');
		if (tab)
			*tab = 0;
		x->content = sm_xstrdup(line);
		/* the sounds-like spellings */
		for (f = tab ? tab + 1 : NULL; f != NULL; f = tab ? tab + 1 : NULL) {
			if ((tab = strchr(f, '\t')) != NULL)
				*tab = 0;
			if ((x->sl = realloc(x->sl, sizeof *x->sl * (x->n_sl + 1))) == NULL)
				sm_die(SM_EX_SOFTWARE, "out of memory");
			x->sl[x->n_sl++] = sm_xstrdup(f);
		}
		x->n_word = split_keys(t, x->content, x->key, VOCAB_MAX_WORDS, 0);
		for (i = 0; i < x->n_sl && x->n_word > 0; i++) {
			int ks[32];

			k = split_keys(t, x->sl[i], ks, 32, 1);
			if (k <= 0) {
				x->n_word = k == 0 ? -3 : k == -1 ? -4 : k;
				break;
			}
			x->sl_key = realloc(x->sl_key, sizeof *x->sl_key * (x->n_sl_key + k + 1));
			if (x->sl_key == NULL)
				sm_die(SM_EX_SOFTWARE, "out of memory");
			memcpy(x->sl_key + x->n_sl_key, ks, sizeof *ks * k);
			x->n_sl_key += k;
			x->sl_key[x->n_sl_key++] = -1;
		}
	}
	free(buf);
	*out = e;
	return n;
}

/* The search's words among the keys: their LM ids. */
static void
find_search_words(struct table *t, const struct sm_search *s)
{
	int i, n = sm_search_n_words(s);

	for (i = 0; i < n; i++) {
		int len, kind, k;
		const char *w = sm_search_word(s, i, &len, &kind);

		if (kind != 0 || !maybe(t, w, (size_t)len) || sm_search_lmid(s, i) < 0)
			continue;
		if ((k = lookup(t, w, (size_t)len, 0)) >= 0)
			t->k[k].lmid = sm_search_lmid(s, i);
	}
}

/* The dictionary's pronunciations of the keys (every one, in the file's
 * order: the first is the word's main one). */
static void
find_dict_words(struct table *t, const char *path, const struct sm_search *srch)
{
	const unsigned char *map;
	const char *buf, *line, *next;
	char err[4200];
	size_t len;

	/* mapped, not read: only the lines of the listed words are parsed */
	if (sm_map_file(path, SM_MAP_POPULATE, &map, &len, err, sizeof err) != 0) {
		if (errno != EINVAL)
			sm_die(SM_EX_CONFIG, "%s", err);
		sm_die(SM_EX_CONFIG, "%s: not a dictionary (not a regular file)", path);
	}
	if (len == 0)
		sm_die(SM_EX_CONFIG, "%s: not a dictionary (empty)", path);
	buf = (const char *)map;
	for (line = buf; line < buf + len; line = next) {
		const char *e, *nl;
		struct sm_dict_line dl;
		int k, np, i;
		int16_t ph[MAX_PH];
		struct key *key;

		nl = memchr(line, '\n', (size_t)(buf + len - line));
		next = nl ? nl + 1 : buf + len;
		for (e = line; e < next && *e != ' ' && *e != '\t' && *e != '\n' && *e != '('; e++)
			;
		if (!maybe(t, line, (size_t)(e - line)))
			continue;
		sm_dict_line(line, nl ? nl : buf + len, &dl);
		if (dl.len == 0 || (k = lookup(t, dl.word, dl.base_len, 0)) < 0)
			continue;
		for (i = np = 0; i < dl.n_phone && np < MAX_PH; i++) {
			char name[256], word[256];
			int id;

			if ((id = sm_dict_phone(&dl, i, name, sizeof name) ?
				  sm_search_ciphone(srch, name) : -1) < 0) {
				snprintf(word, sizeof word, "%.*s",
					 (int)(dl.len < sizeof word ? dl.len : sizeof word - 1), dl.word);
				sm_die(SM_EX_CONFIG, "%s: %s: unknown phone '%s'", path,
				       sm_clip(word), sm_clip(name));
			}
			ph[np++] = (int16_t)id;
		}
		if (np == 0)
			continue;
		key = &t->k[k];
		if (key->n_ph == 0) {
			key->n_ph = np;
			memcpy(key->ph, ph, sizeof *ph * np);
		}
		key->alt = realloc(key->alt, sizeof *key->alt * (MAX_PH + 1) * (key->n_alt + 1));
		if (key->alt == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
		key->alt[key->n_alt * (MAX_PH + 1)] = (int16_t)np;
		memcpy(key->alt + key->n_alt * (MAX_PH + 1) + 1, ph, sizeof *ph * np);
		key->n_alt++;
	}
	sm_unmap_file(map, len);
}

/* The words laid over the search: a small dictionary being built. */
struct newwords {
	struct sm_dict d;
	size_t wcap, pcap, tcap, tlen;
	int32_t *lmid;
};

/* Add word text (len bytes) with phones ph[n] and LM id lmid, unless the
 * same spelling and phones are there already. */
static void
add_word(struct newwords *nw, const char *text, size_t len, const int16_t *ph, int n,
	 int lmid)
{
	struct sm_dict *d = &nw->d;
	int i;

	for (i = 0; i < d->n_words; i++)
		if (d->w[i].base_len == len && memcmp(nw->d.text + (uintptr_t)d->w[i].word,
						      text, len) == 0 &&
		    d->w[i].n_phone == n &&
		    memcmp(d->phones + d->w[i].phone_off, ph, sizeof *ph * n) == 0)
			return;
	if ((size_t)d->n_words + 1 > nw->wcap) {
		nw->wcap = nw->wcap ? 2 * nw->wcap : 64;
		d->w = realloc(d->w, sizeof *d->w * nw->wcap);
		nw->lmid = realloc(nw->lmid, sizeof *nw->lmid * nw->wcap);
	}
	while (d->n_phones + n > nw->pcap) {
		nw->pcap = nw->pcap ? 2 * nw->pcap : 1024;
		d->phones = realloc(d->phones, sizeof *d->phones * nw->pcap);
	}
	while (nw->tlen + len + 1 > nw->tcap) {
		nw->tcap = nw->tcap ? 2 * nw->tcap : 4096;
		d->text = realloc(d->text, nw->tcap);
	}
	if (!d->w || !nw->lmid || !d->phones || !d->text)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	memcpy(d->text + nw->tlen, text, len);
	d->text[nw->tlen + len] = 0;
	/* an offset until the text stops moving (vocab_load fixes it) */
	d->w[d->n_words].word = (const char *)(uintptr_t)nw->tlen;
	d->w[d->n_words].base_len = (uint16_t)len;
	d->w[d->n_words].filler = 0;
	d->w[d->n_words].n_phone = (uint8_t)n;
	d->w[d->n_words].phone_off = (uint32_t)d->n_phones;
	memcpy(d->phones + d->n_phones, ph, sizeof *ph * n);
	d->n_phones += n;
	nw->lmid[d->n_words++] = lmid;
	nw->tlen += len + 1;
}

/* A key's first pronunciation, from the letter-to-sound model when the
 * dictionary has none: 0 when neither gives one. */
static int
key_phones(struct key *k, const struct sm_lts *lts, const struct sm_search *srch)
{
	const char *ph[MAX_PH];
	int n, i;

	if (k->n_ph > 0)
		return k->n_ph;
	if (lts == NULL || (n = sm_lts_word(lts, k->s, ph, MAX_PH)) <= 0)
		return 0;
	for (i = 0; i < n; i++) {
		int id = sm_search_ciphone(srch, ph[i]);

		if (id < 0)
			return 0;
		k->ph[i] = (int16_t)id;
	}
	return k->n_ph = n;
}

/* Why an entry's key has no pronunciation. */
static const char *
why_none(const struct key *k, const struct sm_lts *lts)
{
	const char *c;

	if (lts == NULL)
		return "not in the dictionary, and the pack has no letter-to-sound model";
	for (c = k->s; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			return "no pronunciation from its letters (give sounds_like)";
	return "no letters to pronounce (give sounds_like)";
}

/* What the entries are turned into. */
struct ctx {
	struct table *t;
	struct newwords nw;
	const struct sm_lts *lts;
	const struct sm_search *s;
	struct sm_lm *lm;
	float ln_boost;
	uint8_t *boosted;	/* [LM word] boosted already */
	int *cls;		/* [key] 1 + its class (new word), 0 */
	int n_class;
};

static void
boost(struct ctx *c, int lmid)
{
	if (!c->boosted[lmid] && sm_lm_boost(c->lm, lmid, c->ln_boost) != 0)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	c->boosted[lmid] = 1;
}

/* The class of a new word of key k, given out at its first use (an id
 * of -2 - class until the first class id is known). */
static int
key_class(struct ctx *c, int k)
{
	if (c->cls[k] == 0)
		c->cls[k] = ++c->n_class;
	return -1 - c->cls[k];
}

/* Why the content's words cannot be searched as they are spelled (into
 * buf), or NULL: every one known, or given a pronunciation. */
static const char *
content_why(struct ctx *c, const struct entry *x, char *buf, size_t len)
{
	int j;

	for (j = 0; j < x->n_word; j++) {
		struct key *k = &c->t->k[x->key[j]];

		if (k->lmid < 0 && key_phones(k, c->lts, c->s) == 0) {
			snprintf(buf, len, "\"%s\": %s", k->s, why_none(k, c->lts));
			return buf;
		}
	}
	return NULL;
}

/* The content's words: known ones boosted, new ones added with the
 * dictionary's pronunciations, else their letters'. */
static void
add_content(struct ctx *c, const struct entry *x)
{
	int j, a;

	for (j = 0; j < x->n_word; j++) {
		struct key *k = &c->t->k[x->key[j]];
		int lmid;

		if (k->lmid >= 0) {
			boost(c, k->lmid);
			continue;
		}
		lmid = key_class(c, x->key[j]);
		if (k->n_alt == 0)
			add_word(&c->nw, k->s, strlen(k->s), k->ph, k->n_ph, lmid);
		for (a = 0; a < k->n_alt; a++)
			add_word(&c->nw, k->s, strlen(k->s), k->alt + a * (MAX_PH + 1) + 1,
				 k->alt[a * (MAX_PH + 1)], lmid);
	}
}

/* Why a sounds-like spelling cannot be pronounced (into buf), or NULL. */
static const char *
sounds_why(struct ctx *c, const struct entry *x, char *buf, size_t len)
{
	int s, np = 0;

	for (s = 0; s < x->n_sl_key; s++) {
		struct key *k;

		if (x->sl_key[s] < 0) {
			np = 0;
			continue;
		}
		k = &c->t->k[x->sl_key[s]];
		if (key_phones(k, c->lts, c->s) == 0 || np + k->n_ph > MAX_PH) {
			snprintf(buf, len, "sounds_like \"%s\": %s", k->s,
				 k->n_ph > 0 ? "too long" : why_none(k, c->lts));
			return buf;
		}
		np += k->n_ph;
	}
	return NULL;
}

/* One word of the search per sounds-like spelling, spelled as the
 * content's keys joined by '_': a one-word content keeps its LM id (known,
 * boosted) or its class (new); a phrase is a new word of its own. */
static void
add_sounds(struct ctx *c, const struct entry *x)
{
	char text[VOCAB_MAX_WORDS * KEY_MAX];
	int16_t ph[MAX_PH];
	size_t tl = 0;
	int j, s, np = 0, lmid;

	for (j = 0; j < x->n_word; j++) {
		size_t l = strlen(c->t->k[x->key[j]].s);

		if (j)
			text[tl++] = '_';
		memcpy(text + tl, c->t->k[x->key[j]].s, l);
		tl += l;
	}
	text[tl] = 0;
	if (x->n_word == 1 && c->t->k[x->key[0]].lmid >= 0)
		boost(c, lmid = c->t->k[x->key[0]].lmid);
	else if (x->n_word == 1)
		lmid = key_class(c, x->key[0]);
	else
		lmid = -1 - ++c->n_class;
	for (s = 0; s < x->n_sl_key; s++) {
		const struct key *k;

		if (x->sl_key[s] < 0) {
			add_word(&c->nw, text, tl, ph, np, lmid);
			np = 0;
			continue;
		}
		k = &c->t->k[x->sl_key[s]];
		memcpy(ph + np, k->ph, sizeof *ph * k->n_ph);
		np += k->n_ph;
	}
}

static const char *const shape_why[] = {
	NULL, "more than 6 words", "a word without letters or digits",
	"an empty sounds_like spelling", "a sounds_like spelling of more than 32 words"
};

int
vocab_load(const char *path, const struct sm_pack *pack, struct sm_search *srch,
	   struct sm_lm *lm, double prob, double boost_f, int quiet)
{
	struct table t;
	struct entry *e;
	struct sm_lts *lts = NULL;
	struct ctx c;
	char err[8400];
	int n_e, i, j, used = 0, class0;
	double t0 = sm_now(), t1, t2, t3, t4, t5;

	memset(&t, 0, sizeof t);
	n_e = read_list(path, &t, &e);
	if (n_e > 1000)
		sm_die(SM_EX_DATAERR, "%s: %d entries, at most 1000", sm_name(path), n_e);
	t1 = sm_now();
	find_search_words(&t, srch);
	t2 = sm_now();
	find_dict_words(&t, pack->dict, srch);
	t3 = sm_now();
	if (pack->lts[0] && (lts = sm_lts_open(pack->lts, err, sizeof err)) == NULL)
		sm_die(SM_EX_CONFIG, "%s", err);
	memset(&c, 0, sizeof c);
	c.t = &t;
	c.lts = lts;
	c.s = srch;
	c.lm = lm;
	c.ln_boost = (float)log(boost_f);
	c.boosted = sm_xcalloc(lm->n_words + 1, 1);
	c.cls = sm_xcalloc((size_t)t.n + 1, sizeof *c.cls);
	for (i = 0; i < n_e; i++) {
		struct entry *x = &e[i];
		const char *why = x->n_word == 0 ? "no words" :
				  x->n_word < 0 ? shape_why[-x->n_word] : NULL;

		if (why == NULL && x->n_sl == 0)
			why = content_why(&c, x, err, sizeof err);
		else if (why == NULL)
			why = sounds_why(&c, x, err, sizeof err);
		if (why != NULL) {
			if (!quiet)
				sm_warn("%s:%d: \"%s\" not used: %s", sm_name(path),
					x->line, sm_clip(x->content), why);
			continue;
		}
		/* sounds-like spellings are alternatives to the words' own
		 * pronunciations, which are added too where there are some */
		if (x->n_sl > 0)
			add_sounds(&c, x);
		if (x->n_sl == 0 || content_why(&c, x, err, sizeof err) == NULL)
			add_content(&c, x);
		used++;
	}
	t4 = sm_now();
	class0 = sm_lm_add_class(lm, (uint32_t)c.n_class, (float)log(prob));
	if (c.n_class > 0 && class0 < 0)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	for (i = 0; i < c.nw.d.n_words; i++) {
		c.nw.d.w[i].word = c.nw.d.text + (uintptr_t)c.nw.d.w[i].word;
		if (c.nw.lmid[i] < 0)
			c.nw.lmid[i] = class0 + (-c.nw.lmid[i] - 2);
	}
	if (c.nw.d.n_words > 0 &&
	    sm_search_add_words(srch, &c.nw.d, c.nw.lmid, err, sizeof err) != 0)
		sm_die(SM_EX_SOFTWARE, "%s: %s", sm_name(path), err);
	t5 = sm_now();
	sm_info("%s: %d of %d entries used: %d words added, %d new to the LM; list %.1f ms, "
		"search's words %.1f ms, dictionary %.1f ms, letter-to-sound %.1f ms, tree %.1f ms",
		sm_name(path), used, n_e, c.nw.d.n_words, c.n_class, 1e3 * (t1 - t0),
		1e3 * (t2 - t1), 1e3 * (t3 - t2), 1e3 * (t4 - t3), 1e3 * (t5 - t4));
	sm_dict_free(&c.nw.d);
	free(c.nw.lmid);
	for (i = 0; i < n_e; i++) {
		for (j = 0; j < e[i].n_sl; j++)
			free(e[i].sl[j]);
		free(e[i].sl);
		free(e[i].sl_key);
		free(e[i].content);
	}
	free(e);
	for (i = 0; i < t.n; i++) {
		free(t.k[i].s);
		free(t.k[i].alt);
	}
	free(t.k);
	free(t.slot);
	free(c.cls);
	free(c.boosted);
	sm_lts_free(lts);
	return used;
}

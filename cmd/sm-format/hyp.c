/* hyp.c: read sm-lattice's best path and replace words in it. */
#include <errno.h>
#include <stdint.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format.h"

/* Hesitations that transcript_filtering_config.remove_disfluencies drops. */
static const char *const disfluencies[] = {
	"ah", "eh", "er", "erm", "hm", "hmm", "mm", "uh", "um", "umm", NULL
};

static int
is_disfluency(const char *w)
{
	for (int i = 0; disfluencies[i]; i++)
		if (strcmp(w, disfluencies[i]) == 0)
			return 1;
	return 0;
}

void
hyp_push(struct transcript *t, const struct item *it)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		struct item *v = realloc(t->v, cap * sizeof *v);

		if (v == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = *it;
}

/* Seconds with up to three decimals to milliseconds; -1 if malformed. */
static long
parse_ms(const char *s)
{
	double d = sm_hyp_time(s, '\0');

	return d < 0 ? -1 : (long)(d * 1000.0 + 0.5);
}

static void
bad(const char *name, long line, const char *what)
{
	sm_die(SM_EX_DATAERR, "%s: line %ld: %s", sm_name(name), line, what);
}

/* The labels of the last hyp_read, one string per turn, kept until the
 * next hyp_read: a label equal to the previous word's is that string. */
static char **labels;
static size_t nlabels, labels_cap;

static const char *
label(const char *s, const char *prev)
{
	if (prev && strcmp(prev, s) == 0)
		return prev;
	if (nlabels == labels_cap) {
		size_t cap = labels_cap ? 2 * labels_cap : 16;
		char **v = realloc(labels, cap * sizeof *v);

		if (v == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
		labels = v;
		labels_cap = cap;
	}
	if ((labels[nlabels] = strdup(s)) == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	return labels[nlabels++];
}

/* volume=V: a number from 0 to 100. */
static void
read_volume(const char *s, struct item *it, const char *name, long line)
{
	char *end;

	errno = 0;
	it->volume = strtod(s, &end);
	if (end == s || *end || errno || !(it->volume >= 0) || it->volume > 100)
		bad(name, line, "volume must be a number from 0 to 100");
	it->has_volume = 1;
}

/*
 * The KEY=VALUE fields after WORD, tab-separated in s: speaker, channel and
 * volume go to it (prev is the word before it, or NULL), other keys are skipped, a
 * field that is not KEY=VALUE or a key given twice is bad input.
 */
static void
read_attrs(char *s, struct item *it, const struct item *prev, const char *name,
	   long line)
{
	char msg[320];	/* room for a clipped field */
	char *p = s;

	while (p) {
		char *field = p, *eq, *q;

		if ((p = strchr(p, '\t')) != NULL)
			*p++ = '\0';
		if ((eq = strchr(field, '=')) == NULL || eq == field) {
			snprintf(msg, sizeof msg, "expected KEY=VALUE after WORD, got \"%s\"",
				 sm_clip(field));
			bad(name, line, msg);
		}
		*eq = '\0';
		/* An earlier field of this line with the same key? */
		for (q = s; q != field; q += strlen(q) + 1) {
			if (strcmp(q, field) == 0) {
				snprintf(msg, sizeof msg, "key \"%s\" given twice", sm_clip(field));
				bad(name, line, msg);
			}
			q += strlen(q) + 1;	/* its value */
		}
		if (strcmp(field, "speaker") == 0)
			it->speaker = label(eq + 1, prev ? prev->speaker : NULL);
		else if (strcmp(field, "channel") == 0)
			it->channel = label(eq + 1, prev ? prev->channel : NULL);
		else if (strcmp(field, "volume") == 0)
			read_volume(eq + 1, it, name, line);
	}
}

static int
same_label(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

int
hyp_same_turn(const struct item *a, const struct item *b)
{
	return same_label(a->speaker, b->speaker) && same_label(a->channel, b->channel);
}

void
hyp_read(FILE *in, const char *name, struct transcript *t, int drop_disfluencies)
{
	char *line = NULL, *f[5], *p;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	int ended = 0;
	/* The last word of each channel waits for its gap, to the next word of
	 * the same channel: channel diarization interleaves the channels in
	 * time order.  SIZE_MAX: none waits. */
	struct pending {
		const char *channel;
		size_t i;
	} *pend = NULL;
	size_t npend = 0, k;

	while (nlabels > 0)
		free(labels[--nlabels]);

	while ((len = getline(&line, &cap, in)) != -1) {
		struct item it = {0};
		int nf = 0;
		char *endp;

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (lineno == 1) {
			if (strcmp(line, "#sm-hyp 1") != 0)
				sm_die(SM_EX_DATAERR, "%s: expected a #sm-hyp 1 hypothesis "
				       "(sm-stream(5)), got \"%.40s\" (run sm-lattice first)",
				       sm_name(name), line);
			continue;
		}
		if (ended)
			bad(name, lineno, "text after #end");
		if (strcmp(line, "#end") == 0) {
			ended = 1;
			continue;
		}
		if (line[0] == '#')
			continue;
		for (p = line; nf < 5 && p; nf++) {
			f[nf] = p;
			if ((p = strchr(p, '\t')) != NULL)
				*p++ = '\0';
		}
		if (nf != 5)
			bad(name, lineno, "expected START END CONFIDENCE KIND WORD "
			    "separated by tabs");
		if (p)
			read_attrs(p, &it, t->n ? &t->v[t->n - 1] : NULL, name, lineno);
		it.start_ms = parse_ms(f[0]);
		it.end_ms = parse_ms(f[1]);
		if (it.start_ms < 0 || it.end_ms < it.start_ms)
			bad(name, lineno, "bad START or END time");
		if (t->n > 0 && it.start_ms < t->v[t->n - 1].start_ms)
			bad(name, lineno, "items out of time order");
		if (it.end_ms > t->audio_ms)
			t->audio_ms = it.end_ms;
		errno = 0;
		it.confidence = strtod(f[2], &endp);
		if (endp == f[2] || *endp || errno || !(it.confidence >= 0) ||
		    it.confidence > 1)
			bad(name, lineno, "CONFIDENCE must be a number from 0 to 1");
		if (f[4][0] == '\0')
			bad(name, lineno, "empty WORD");
		if (strcmp(f[3], "sil") == 0 || strcmp(f[3], "filler") == 0)
			continue;
		if (strcmp(f[3], "word") != 0)
			bad(name, lineno, "KIND must be word, sil or filler");
		/* A dropped hesitation still counts as speech, not as a pause. */
		for (k = 0; k < npend && !same_label(pend[k].channel, it.channel); k++)
			;
		if (k == npend) {
			if ((pend = realloc(pend, sizeof *pend * (npend + 1))) == NULL)
				sm_die(SM_EX_SOFTWARE, "out of memory");
			pend[npend].channel = it.channel;
			pend[npend++].i = SIZE_MAX;
		}
		if (pend[k].i != SIZE_MAX)
			t->v[pend[k].i].gap_ms = it.start_ms - t->v[pend[k].i].end_ms;
		pend[k].i = SIZE_MAX;
		if (drop_disfluencies && is_disfluency(f[4]))
			continue;
		it.type = ITEM_WORD;
		it.gap_ms = -1;
		if ((it.content = strdup(f[4])) == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
		hyp_push(t, &it);
		pend[k].i = t->n - 1;
	}
	free(pend);
	if (ferror(in))
		sm_die_errno(SM_EX_IOERR, "%s", sm_name(name));
	free(line);
	if (lineno == 0)
		sm_die(SM_EX_DATAERR, "%s: empty input, expected a #sm-hyp 1 "
		       "hypothesis (run sm-lattice first)", sm_name(name));
	if (!ended)
		sm_die(SM_EX_DATAERR, "%s: hypothesis cut short (no #end line)",
		       sm_name(name));
}

/* The words of a phrase, split at blanks; returns the count. */
static size_t
split_words(char *s, char **w, size_t max)
{
	size_t n = 0;

	for (char *tok = strtok(s, " \t"); tok && n < max; tok = strtok(NULL, " \t"))
		w[n++] = tok;
	return n;
}

static void
replace_run(struct transcript *t, size_t i, size_t len, const char *to)
{
	struct item *it = &t->v[i];

	for (size_t k = 1; k < len; k++) {
		if (t->v[i + k].confidence < it->confidence)
			it->confidence = t->v[i + k].confidence;
		free(t->v[i + k].content);
	}
	it->end_ms = t->v[i + len - 1].end_ms;
	it->gap_ms = t->v[i + len - 1].gap_ms;
	memmove(t->v + i + 1, t->v + i + len, (t->n - i - len) * sizeof *t->v);
	t->n -= len - 1;
	free(it->content);
	if (*to == '\0') {	/* replaced by nothing: the words go */
		memmove(t->v + i, t->v + i + 1, (t->n - i - 1) * sizeof *t->v);
		t->n--;
		return;
	}
	if ((it->content = strdup(to)) == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	it->replaced = 1;
}

/* FROM's /RE/ compiled to match whole words, or die 78 naming it. */
static void
compile_from(regex_t *re, const char *from)
{
	size_t flen = strlen(from);
	char *pat = malloc(flen + 3);
	int err;

	if (pat == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	snprintf(pat, flen + 3, "^(%.*s)$", (int)(flen - 2), from + 1);
	if ((err = regcomp(re, pat, REG_EXTENDED | REG_ICASE | REG_NOSUB)) != 0) {
		char msg[128];

		regerror(err, re, msg, sizeof msg);
		sm_die(SM_EX_CONFIG, "--replace: %s: %s", sm_clip(from), msg);
	}
	free(pat);
}

static int
is_regex(const char *from)
{
	size_t flen = strlen(from);

	return flen >= 2 && from[0] == '/' && from[flen - 1] == '/';
}

void
hyp_replace_check(const char *from)
{
	regex_t re;

	if (is_regex(from)) {
		compile_from(&re, from);
		regfree(&re);
	}
}

void
hyp_replace(struct transcript *t, const char *from, const char *to)
{
	if (is_regex(from)) {
		regex_t re;

		compile_from(&re, from);
		for (size_t i = 0; i < t->n; i++) {
			if (regexec(&re, t->v[i].content, 0, NULL, 0) != 0)
				continue;
			replace_run(t, i, 1, to);
			if (*to == '\0')
				i--;
		}
		regfree(&re);
		return;
	}
	char *copy = strdup(from), *w[64];
	size_t n;

	if (copy == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	n = split_words(copy, w, 64);
	if (n == 0)
		sm_die(SM_EX_CONFIG, "--replace: empty FROM");
	for (size_t i = 0; i + n <= t->n; i++) {
		size_t k = 0;

		while (k < n && strcasecmp(t->v[i + k].content, w[k]) == 0)
			k++;
		if (k < n)
			continue;
		replace_run(t, i, n, to);
		if (*to == '\0')
			i--;
	}
	free(copy);
}

/* An entry of a custom vocabulary: its content's words and their keys. */
struct ventry {
	char *w[6], *key[6];
	size_t n;
};

static int
cmp_ventry(const void *a, const void *b)
{
	return strcmp(((const struct ventry *)a)->key[0], ((const struct ventry *)b)->key[0]);
}

/* The entry's content: the line up to its first tab, at most 6 words
 * (sm-lattice names and skips a longer one).  0 when there is none. */
static int
ventry_parse(struct ventry *v, const char *line, size_t l)
{
	const char *p = line, *end = line + l;

	v->n = 0;
	for (;;) {
		const char *e;
		char key[64];

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		for (e = p; e < end && *e != ' ' && *e != '\t'; e++)
			;
		if (v->n == 6 || sm_vocab_key(p, (size_t)(e - p), key, sizeof key) == 0)
			return 0;
		if ((v->w[v->n] = strndup(p, (size_t)(e - p))) == NULL ||
		    (v->key[v->n] = strdup(key)) == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
		v->n++;
		p = e;
	}
	return v->n > 0;
}

char *
hyp_vocab_read(const char *path, size_t *len)
{
	return sm_read_all(path, SM_VOCAB_MAX_BYTES, "custom vocabulary", len);
}

void
hyp_vocab(struct transcript *t, const char *text, size_t len)
{
	char *buf, **key;
	size_t n_e = 0, i, j;
	struct ventry *e = NULL;

	/* parsed in a copy: the entries point into it, and the text is read
	 * once for every channel */
	if ((buf = malloc(len + 1)) == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	memcpy(buf, text, len);
	buf[len] = '\0';
	for (char *line = buf, *next; line < buf + len; line = next) {
		size_t l;

		next = memchr(line, '\n', (size_t)(buf + len - line));
		next = next ? next + 1 : buf + len;
		for (l = 0; line + l < next && line[l] != '\t' && line[l] != '\n' &&
		     line[l] != '\r'; l++)
			;
		if ((e = realloc(e, sizeof *e * (n_e + 1))) == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
		n_e += ventry_parse(&e[n_e], line, l);
	}
	free(buf);
	if (n_e > 0)
		qsort(e, n_e, sizeof *e, cmp_ventry);
	/* the words' keys (NULL for punctuation) */
	if ((key = calloc(t->n + 1, sizeof *key)) == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	for (i = 0; i < t->n; i++) {
		char k[64];

		if (t->v[i].type != ITEM_WORD)
			continue;
		sm_vocab_key(t->v[i].content, strlen(t->v[i].content), k, sizeof k);
		if ((key[i] = strdup(k)) == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
	}
	/* at each word, the longest entry that matches from it, left to right */
	for (i = 0; i < t->n; i++) {
		struct ventry probe, *lo;
		size_t a = 0, b = n_e, best = 0, bk = 0;

		if (key[i] == NULL || key[i][0] == 0)
			continue;
		probe.key[0] = key[i];
		while (a < b) {		/* the first entry whose first key is key[i] */
			size_t m = (a + b) / 2;

			if (cmp_ventry(&e[m], &probe) < 0)
				a = m + 1;
			else
				b = m;
		}
		for (lo = e + a; lo < e + n_e && strcmp(lo->key[0], key[i]) == 0; lo++) {
			for (j = 1; j < lo->n && i + j < t->n && key[i + j] &&
			     strcmp(key[i + j], lo->key[j]) == 0; j++)
				;
			if (j == lo->n && j > bk) {
				bk = j;
				best = (size_t)(lo - e);
			}
		}
		for (j = 0; j < bk; j++) {
			struct item *it = &t->v[i + j];

			free(it->content);
			if ((it->content = strdup(e[best].w[j])) == NULL)
				sm_die(SM_EX_SOFTWARE, "out of memory");
			it->replaced = it->listed = 1;
		}
		if (bk > 0)
			i += bk - 1;
	}
	for (i = 0; i < t->n; i++)
		free(key[i]);
	free(key);
	for (i = 0; i < n_e; i++)
		for (j = 0; j < e[i].n; j++) {
			free(e[i].w[j]);
			free(e[i].key[j]);
		}
	free(e);
}

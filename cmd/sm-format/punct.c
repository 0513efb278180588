/*
 * punct.c: punctuation marks . , ? from the pauses of the best path, the
 * language model's view of sentence ends and a few word forms.
 *
 * At each word boundary two logistic scores decide: whether a sentence
 * ends there, then, if not, whether a comma goes there.  The first weighs
 * the pause after the word, whether there is any pause at all, the
 * language model's odds of a sentence end there,
 *	ln P(</s> | w2 w1)  and  ln P(next | <s>) - ln P(next | w2 w1),
 * whether the next word is a conjunction and whether it is a number (an
 * item of a list: "press one, two or three"); the second only the pause
 * and ln P(</s> | w2 w1).  The weights were fitted on half of the
 * asterisk prompts (sm-format(1), scripts/punct-score.py).  Sensitivity
 * moves both thresholds.  A sentence end at a short pause after an opening
 * phrase ("if this is correct", "otherwise") is a comma.  A sentence
 * that starts with a wh-word or with an auxiliary verb before a pronoun
 * ("is it", "can you") ends with a question mark.  Nothing here gives an
 * exclamation mark: neither pauses nor words tell one apart.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format.h"
#include "lm.h"

/* The features of a boundary: the pause after the word in seconds (at
 * most PAUSE_CAP), the LM's two terms (lm_terms), next word a conjunction,
 * next word a number, and 1 if there is any pause at all: most sentence
 * ends have one, however short, and most boundaries inside a sentence none. */
#define NFEAT 6
/* The fitted weights (scripts/punct-score.py --fit), bias first, then one
 * per feature.  Whether a boundary ends a sentence: */
static const double eos_w[NFEAT + 1] = {-3.629, 5.522, 0.439, 0.064, -4.730, -2.901, 5.142};
/* and, where it does not, whether it takes a comma (the training half has
 * 28 commas: only the pause and the LM's end term are weighed): */
static const double comma_w[NFEAT + 1] = {0.556, 16.291, 1.235, 0, 0, 0, 0};
/* A pause this long (seconds) always ends a sentence: the prompts the
 * weights come from have few pauses over half a second to learn from. */
#define PAUSE_CAP 1.0
/* The LM ratio is clipped to +-LLR_CAP: an unseen word says little. */
#define LLR_CAP 10.0
/* Sensitivity s adds SENS_SPAN * (s - 0.5) to both scores. */
#define SENS_SPAN 4.0
/* A sentence end the scores find after an opening phrase (is_opening),
 * at a pause shorter than this (ms), is a comma instead: a longer pause
 * there more often ends a sentence that only looks like an opening. */
#define OPENING_PAUSE_MS 200

static const char *const numbers[] = {
	"zero", "oh", "one", "two", "three", "four", "five", "six", "seven",
	"eight", "nine", "ten", "eleven", "twelve", NULL
};
static const char *const conjunctions[] = {
	"and", "but", "or", "so", "because", "while", "although", "though",
	"unless", "whereas", NULL
};
/* "when" and "where" start clauses as often as questions: they need an
 * auxiliary after them ("where is"). */
static const char *const wh_words[] = {
	"what", "which", "who", "whom", "whose", "why", "how", NULL
};
static const char *const wh_clause[] = { "when", "where", NULL };
/* A sentence that opens with one of these is an opening phrase until its
 * first comma ("if this is correct, press one"; "at the tone, please say
 * your name"): it wants a main clause after it.  Not "to": a sentence
 * that seems to open with it is as often the tail of the one before, cut
 * off at a pause ("press one [pause] to mute yourself"). */
static const char *const subordinators[] = {
	"if", "when", "after", "before", "at", "for", "once", "while",
	"unless", "although", "though", "since", NULL
};
/* A word that alone opens a sentence and is followed by a comma:
 * "otherwise, please hold". */
static const char *const discourse[] = {
	"otherwise", "however", "finally", "currently", "also",
	"unfortunately", "meanwhile", "instead", "yes", "no", "okay", "ok",
	"well", "hello", "hi", "sorry", "thanks", NULL
};
static const char *const auxiliaries[] = {
	"am", "is", "are", "was", "were", "do", "does", "did", "have", "has",
	"had", "can", "could", "will", "would", "shall", "should", "may",
	"might", "must", "won't", "can't", "don't", "doesn't", "didn't",
	"isn't", "aren't", "wasn't", "weren't", "haven't", "hasn't",
	"wouldn't", "couldn't", "shouldn't", NULL
};
static const char *const pronouns[] = {
	"i", "you", "he", "she", "it", "we", "they", "there", NULL
};

static int
in_list(const char *const *list, const char *w)
{
	for (int i = 0; list[i]; i++)
		if (strcasecmp(w, list[i]) == 0)
			return 1;
	return 0;
}

static unsigned
hash_word(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* A key of a word's first two bytes and length, for a sieve of bits. */
#define SIEVE_BITS 65536u
static unsigned
sieve_key(const char *w, size_t len)
{
	unsigned c0 = (unsigned char)w[0], c1 = c0 ? (unsigned char)w[1] : 0;

	return ((c0 * 131u + c1) * 64u + (unsigned)(len < 63 ? len : 63)) % SIEVE_BITS;
}

/*
 * The LM ids of the transcript's words (lower-cased), -1 for a word the LM
 * does not have.  One pass over the LM's word list with a small table of
 * the words wanted: indexing all the LM's words would cost ten times more
 * at each start than the file takes to format.
 */
static int *
word_ids(const struct sm_lm *lm, const struct transcript *t)
{
	size_t mask = 1, n = t->n;
	size_t *tab;	/* index + 1 of the first item with that word */
	int *id = malloc((n ? n : 1) * sizeof *id);
	char **low = calloc(n ? n : 1, sizeof *low);
	const char *w = lm->wtext, *e = lm->wtext + lm->wtext_len;
	static uint64_t sieve[SIEVE_BITS / 64];

	while (mask < 2 * n + 2)
		mask <<= 1;
	tab = calloc(mask, sizeof *tab);
	if (id == NULL || low == NULL || tab == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	mask--;
	for (size_t i = 0; i < n; i++) {
		size_t h;

		id[i] = -1;
		if ((low[i] = strdup(t->v[i].content)) == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
		for (char *p = low[i]; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		for (h = hash_word(low[i]) & mask; tab[h]; h = (h + 1) & mask)
			if (strcmp(low[tab[h] - 1], low[i]) == 0)
				break;
		if (tab[h] == 0)
			tab[h] = i + 1;
	}
	/* Most of the LM's words differ from all of ours in their first two
	 * letters or their length: only the others are hashed. */
	memset(sieve, 0, sizeof sieve);
	for (size_t i = 0; i < n; i++) {
		unsigned k = sieve_key(low[i], strlen(low[i]));

		sieve[k / 64] |= 1ull << (k % 64);
	}
	for (uint32_t k = 0; n && k < lm->n_words && w < e; k++) {
		const char *z = memchr(w, 0, (size_t)(e - w));
		size_t h, len;

		if (z == NULL)
			break;
		len = (size_t)(z - w);
		h = sieve_key(w, len);
		if (!(sieve[h / 64] & (1ull << (h % 64)))) {
			w = z + 1;
			continue;
		}
		for (h = hash_word(w) & mask; tab[h]; h = (h + 1) & mask)
			if (strcmp(low[tab[h] - 1], w) == 0) {
				id[tab[h] - 1] = (int)k;
				break;
			}
		w = z + 1;
	}
	/* Every item takes the id found for its word's first item. */
	for (size_t i = 0; i < n; i++) {
		size_t h;

		for (h = hash_word(low[i]) & mask; tab[h]; h = (h + 1) & mask)
			if (strcmp(low[tab[h] - 1], low[i]) == 0)
				break;
		id[i] = id[tab[h] - 1];
	}
	for (size_t i = 0; i < n; i++)
		free(low[i]);
	free(low);
	free(tab);
	return id;
}

/*
 * The LM's view of a sentence end after word i: end = ln P(</s> | w2 w1)
 * and start = ln P(next | <s>) - ln P(next | w2 w1), with w1 = id[i], w2
 * the word before it in the turn (or -1), next = id[i+1].  An unknown w1
 * leaves the unigram ln P(</s>) and ln P(next | <s>) - ln P(next); an
 * unknown next gives start 0; an LM without <s> and </s> gives both 0.
 * Each is clipped to +-LLR_CAP.
 */
static void
lm_terms(const struct sm_lm *lm, const int *id, size_t i, int w2,
	 double *end, double *start)
{
	int w1 = id[i], next = id[i + 1];

	*end = *start = 0;
	if (lm->eos < 0 || lm->bos < 0)
		return;
	if (w1 < 0)
		w2 = -1;
	*end = sm_lm_score(lm, lm->eos, w1, w2, NULL);
	if (next >= 0)
		*start = sm_lm_score(lm, next, lm->bos, -1, NULL) -
			 sm_lm_score(lm, next, w1, w2, NULL);
	*end = *end < -LLR_CAP ? -LLR_CAP : *end;
	*start = *start > LLR_CAP ? LLR_CAP : *start < -LLR_CAP ? -LLR_CAP : *start;
}

static double
pause_s(const struct item *w)
{
	double s = w->gap_ms < 0 ? PAUSE_CAP : w->gap_ms / 1000.0;

	return s > PAUSE_CAP ? PAUSE_CAP : s;
}

/*
 * A question: a wh-word alone, or first with an auxiliary among the next
 * three words ("which folder should I"; "who most recently joined" is more
 * often a clause cut off by a pause), "when" or "where" right before one;
 * or an auxiliary before a pronoun ("can you", "is there").
 */
static int
is_question(const struct transcript *t, size_t first, size_t last)
{
	const char *a = t->v[first].content, *b;

	if (first == last)
		return in_list(wh_words, a) || in_list(wh_clause, a);
	b = t->v[first + 1].content;
	if (in_list(wh_words, a)) {
		for (size_t k = first + 1; k <= last && k <= first + 3; k++)
			if (in_list(auxiliaries, t->v[k].content))
				return 1;
		return 0;
	}
	return (in_list(wh_clause, a) && in_list(auxiliaries, b)) ||
	       (in_list(auxiliaries, a) && in_list(pronouns, b));
}

/*
 * Whether the words first..i are an opening phrase that a pause ends with
 * a comma rather than a full stop: a subordinator and at least one more
 * word, or a discourse word alone.
 */
static int
is_opening(const struct transcript *t, size_t first, size_t i)
{
	const char *a = t->v[first].content;

	return (i > first && in_list(subordinators, a)) ||
	       (i == first && in_list(discourse, a));
}

static void
capitalise(char *w)
{
	w[0] = (char)toupper((unsigned char)w[0]);
}

/* "i", "i'm", "i'll", "i'd", "i've" */
static int
is_pronoun_i(const char *w)
{
	return w[0] == 'i' && (w[1] == '\0' || w[1] == '\'');
}

/* The mark after each word: '.', ',' or 0 ('.' for every sentence end). */
static void
decide(const struct transcript *t, const struct punct_opts *p, char *mark)
{
	struct sm_lm lm;
	char err[512];
	int *id = NULL, have_lm = 0;
	double shift = SENS_SPAN * (p->sensitivity - 0.5);
	size_t first = 0;	/* the first word of the current sentence */
	int comma = 0;		/* a comma since then */

	if (p->pause_ms < 0 && t->n > 1) {
		if (sm_lm_open(&lm, p->lm, 0, err, sizeof err) != 0)
			sm_die(SM_EX_CONFIG, "%s", err);
		id = word_ids(&lm, t);
		have_lm = 1;
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct item *w = &t->v[i];
		double gap = pause_s(w), x[NFEAT], se, sc;
		int turn;

		mark[i] = 0;
		if (i + 1 == t->n) {
			mark[i] = '.';
			break;
		}
		turn = hyp_same_turn(w, &t->v[i + 1]);
		if (p->pause_ms >= 0) {	/* the plain pause rule */
			if (!turn || (w->gap_ms >= 0 && w->gap_ms >= p->pause_ms))
				mark[i] = '.';
			continue;
		}
		x[0] = gap;
		lm_terms(&lm, id, i, i > 0 && hyp_same_turn(&t->v[i - 1], w) ?
			 id[i - 1] : -1, &x[1], &x[2]);
		x[3] = in_list(conjunctions, t->v[i + 1].content);
		x[4] = in_list(numbers, t->v[i + 1].content);
		x[5] = w->gap_ms != 0;
		se = eos_w[0] + shift;
		sc = comma_w[0] + shift;
		for (int k = 0; k < NFEAT; k++) {
			se += eos_w[k + 1] * x[k];
			sc += comma_w[k + 1] * x[k];
		}
		if (!turn || gap >= PAUSE_CAP || se > 0)
			mark[i] = '.';
		else if (sc > 0)
			mark[i] = ',';
		if (mark[i] == '.' && turn && w->gap_ms >= 0 &&
		    w->gap_ms < OPENING_PAUSE_MS && !comma && is_opening(t, first, i))
			mark[i] = ',';
		if (mark[i] == '.') {
			first = i + 1;
			comma = 0;
		} else if (mark[i] == ',') {
			comma = 1;
		}
		if (p->trace) {
			fprintf(stderr, "%s: boundary\t%zu\t%s\t%s", sm_progname(),
				i, w->content, t->v[i + 1].content);
			for (int k = 0; k < NFEAT; k++)
				fprintf(stderr, "\t%.3f", x[k]);
			fprintf(stderr, "\t%.3f\t%.3f\t%c\n", se, sc,
				mark[i] ? mark[i] : '-');
		}
	}
	if (have_lm) {
		free(id);
		sm_lm_free(&lm);
	}
}

static void
push_mark(struct transcript *out, const struct item *w, char c)
{
	struct item p = {0};
	char s[2] = {c, '\0'};

	p.type = ITEM_PUNCT;
	p.start_ms = p.end_ms = w->end_ms;
	p.confidence = 1.0;
	p.is_eos = c != ',';
	p.gap_ms = w->gap_ms;
	p.speaker = w->speaker;
	p.channel = w->channel;
	p.content = sm_xstrdup(s);
	hyp_push(out, &p);
}

void
hyp_punctuate(struct transcript *t, const struct punct_opts *p)
{
	struct transcript out = {0};
	char *mark = malloc(t->n + 1);
	int any = p->marks[0] != '\0', start = 1;
	size_t first = 0;

	if (mark == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	if (any)
		decide(t, p, mark);
	out.cap = 2 * t->n + 1;
	if ((out.v = malloc(out.cap * sizeof *out.v)) == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	for (size_t i = 0; i < t->n; i++) {
		struct item w = t->v[i];
		char c = any ? mark[i] : 0;

		if (c == '.' && is_question(t, first, i))
			c = '?';
		if (c != 0 && c != ',')
			first = i + 1;
		if (!w.listed && (is_pronoun_i(w.content) || (any && start)))
			capitalise(w.content);
		out.v[out.n++] = w;
		/* A sentence end whose mark is not permitted still ends the
		 * sentence, but the next one starts without a capital. */
		start = 0;
		if (c == '?' && !strchr(p->marks, '?'))
			c = '.';
		if (c && strchr(p->marks, c)) {
			/* no second full stop after an entity's "a.m." */
			if (!(c == '.' && w.entity && w.content[strlen(w.content) - 1] == '.'))
				push_mark(&out, &w, c);
			start = c != ',';
		}
	}
	free(mark);
	free(t->v);
	out.audio_ms = t->audio_ms;
	*t = out;
}

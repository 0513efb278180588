/*
 * cache.h: a unigram cache of the words already recognised, interpolated
 * with the trigram (Kuhn and De Mori's cache language model).
 *
 * A long recording repeats its own words and names.  The cache holds the
 * content words of the segments already decided, each counted with its
 * confidence and the older ones decaying, and a content word's trigram
 * probability becomes
 *
 *     P(w | h) = (1 - lambda) P_trigram(w | h) + lambda P_cache(w).
 *
 * Content words are those whose unigram probability is at most max_uni;
 * the frequent words (the, of, and) keep their trigram probability and
 * never enter the cache.  Memory is one float per LM word, whatever the
 * length of the input.  All scores are natural-log.
 */
#ifndef SM_CACHE_H
#define SM_CACHE_H

#include <stdint.h>

struct sm_lm;

struct sm_cache {
	const struct sm_lm *lm;
	uint32_t n;		/* LM words and custom vocabulary words */
	float *c;		/* counts, each times 1 / g */
	double g;		/* scale of c[]: a word's count is c[w] * g */
	double total;		/* sum of the counts */
	float lambda;		/* weight of the cache, 0 <= lambda < 1 */
	float decay;		/* every count times decay at each word added */
	float max_lp;		/* ln max_uni: content words at most this */
	float ln_keep;		/* ln(1 - lambda) */
};

/* A cache for the words of lm (with its custom vocabulary, if any):
 * 0, or -1 out of memory.  lambda 0 makes sm_cache_score the trigram. */
int sm_cache_init(struct sm_cache *c, const struct sm_lm *lm, float lambda,
		  float decay, float max_uni);
void sm_cache_free(struct sm_cache *c);

/* Whether LM word w is a content word (one the cache may hold). */
int sm_cache_content(const struct sm_cache *c, int w);

/* Count word w with weight x (its confidence): every older count decays
 * first.  Words that are not content words are ignored. */
void sm_cache_add(struct sm_cache *c, int w, float x);

/* ln P(w | h) for content word w, from lp = ln P_trigram(w | h); lp
 * unchanged for other words or an empty cache. */
float sm_cache_score(const struct sm_cache *c, int w, float lp);

#endif

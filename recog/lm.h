/*
 * lm.h: the sphinxbase "Trie Language Model" binary (en-us.lm.bin), read
 * in place from a memory map.
 *
 * Every offset and range is checked at load time against the file size,
 * and every child range again at lookup, so a truncated or corrupt file is
 * an error or an empty range, never a read outside the map.
 */
#ifndef SM_LM_H
#define SM_LM_H

#include <stddef.h>
#include <stdint.h>

struct sm_lm {
	const unsigned char *map;
	size_t size;
	int order;			/* 1..3 */
	uint32_t counts[3];		/* header counts */
	uint32_t n_words;		/* unigrams */
	uint32_t n_real[3];		/* reachable entries per order */
	const unsigned char *q2prob, *q2bo, *q3prob;	/* centre tables */
	const unsigned char *uni;	/* (n_words+1) x 12 bytes */
	const unsigned char *mid, *lng;	/* bit-packed arrays */
	int word_bits, next_bits, mid_bits, lng_bits;
	const char *wtext;		/* the word strings, NUL-terminated */
	uint32_t wtext_len;
	const char **words;		/* [n_words], NULL until indexed */
	uint32_t *hash;			/* open addressing, word id + 1 */
	uint32_t hash_mask;
	int bos, eos;			/* ids of <s>, </s> or -1 */
	/* unigram weight (sm_lm_set_uw): ln uw, ln((1 - uw) / (n_words - 1)) */
	float uw, ln_uw, ln_uni;
	/* A custom vocabulary (sm_lm_add_class, sm_lm_boost): n_class words
	 * outside the LM with ids n_words .. n_words + n_class - 1, and ln
	 * bonuses of LM words ([n_words], NULL for none). */
	uint32_t n_class;
	float class_lp;
	float *boost;
};

/* Load and check.  0, or -1 with "PATH: problem" in err.  sm_lm_load
 * also indexes the words by spelling (sm_lm_word, words[]); sm_lm_open
 * does so only with SM_LM_INDEX in flags (else it finds just <s> and </s>,
 * and sm_lm_index builds the index when it is needed). */
#define SM_LM_INDEX 1
int sm_lm_load(struct sm_lm *lm, const char *path, char *err, size_t errlen);
int sm_lm_open(struct sm_lm *lm, const char *path, int flags, char *err, size_t errlen);
/* Index the words: 0, or -1 (a word list without its NULs, out of memory). */
int sm_lm_index(struct sm_lm *lm);
void sm_lm_free(struct sm_lm *lm);

/* Word id of a (lower-case) word, or -1 (always before sm_lm_index). */
int sm_lm_word(const struct sm_lm *lm, const char *w);

/* ln P(w | h1 h2), h1 the previous word, h2 the one before; -1 for an
 * absent history word.  Natural log.  *n_used, if non-NULL, gets the
 * order of the n-gram found (1..3). */
float sm_lm_score(const struct sm_lm *lm, int w, int h1, int h2, int *n_used);

/* ln of the unigram probability of w, as stored (without the unigram
 * weight: sm_lm_uw maps it). */
float sm_lm_unigram(const struct sm_lm *lm, int w);

/* The unigram weight uw in (0, 1]: every unigram probability but <s>'s
 * is interpolated with the uniform distribution over the other words,
 * P'(w) = uw P(w) + (1 - uw) / (n_words - 1), in sm_lm_score's unigram
 * and backed-off scores alike (the backoff weights stay as they are), as
 * sphinxbase's -uw does.  1 (the default after loading) changes nothing. */
void sm_lm_set_uw(struct sm_lm *lm, float uw);

/* A custom vocabulary.  sm_lm_add_class makes room for n words the LM
 * does not have, each scored as a unigram of ln probability lp after the
 * backoff weights of its history (as if the LM held it as a unigram and
 * in no longer n-gram), and as history of the next word like a word
 * outside the LM (the next word's unigram).  Their ids follow the LM's:
 * the first is returned (-1 if out of memory); called once.  sm_lm_boost
 * adds ln_bonus to every score of LM word w (0, or -1 out of memory).
 * sm_lm_score and sm_lm_unigram answer for both. */
int sm_lm_add_class(struct sm_lm *lm, uint32_t n, float lp);
int sm_lm_boost(struct sm_lm *lm, int w, float ln_bonus);

/* ln P'(w) from ln P(w) for a word other than <s>. */
float sm_lm_uw(const struct sm_lm *lm, float lp);

/* Natural log of one log_{1.0001} unit. */
#define SM_LM_LN_UNIT 9.99950003e-05f

#endif

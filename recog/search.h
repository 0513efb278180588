/*
 * search.h: Viterbi beam search over a lexicon prefix tree of triphone
 * HMMs with unigram LM look-ahead, the trigram LM at word ends, fillers
 * transparent to the LM history and cross-word triphone contexts.  Word
 * ends are kept (the backpointer table) for lattice building.
 *
 * All scores are natural-log floats.
 */
#ifndef SM_SEARCH_H
#define SM_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "image.h"

struct sm_mdef;
struct sm_tmat;
struct sm_dict;
struct sm_lm;

struct sm_search_cfg {
	float beam;		/* HMM state beam, nats (> 0) */
	float wbeam;		/* word-end beam, nats */
	float lw;		/* language weight */
	float wip;		/* ln word insertion penalty */
	float silpen;		/* ln <sil> entry penalty */
	float fillpen;		/* ln penalty of other fillers */
	float pip;		/* ln phone insertion penalty */
	int maxhmm;		/* cap on active HMMs per frame */
	int flat;		/* second pass over a flat lexicon (0 off) */
	float flw;		/* language weight of the second pass */
	float fbeam;		/* HMM state beam of the second pass, nats */
};

void sm_search_cfg_default(struct sm_search_cfg *c);

/* A word end: word `word` spanning frames [sf, ef], reached from bp
 * entry `prev`.  score is the path score at ef including the word's LM
 * score (lm) or filler penalty. */
struct sm_bp {
	int32_t word;		/* dict id */
	int32_t prev;		/* bp index, -1 for the start */
	int32_t sf, ef;
	float score;
	float lm;		/* weighted LM score (or penalty) added at the end */
	int32_t h1, h2;		/* LM history after this word */
	int16_t last_ci;	/* left context for a successor */
};

struct sm_search;

/* Build the tree.  The model objects must outlive the search.  NULL with
 * a message in err on failure. */
struct sm_search *sm_search_new(const struct sm_mdef *m, const struct sm_tmat *t,
				const struct sm_dict *d, const struct sm_lm *lm,
				const struct sm_search_cfg *cfg, char *err,
				size_t errlen);
void sm_search_free(struct sm_search *s);
/* Free the memory of the search itself (active HMMs, word ends), keeping
 * the words (sm_search_word, sm_search_lmid): for a program that has
 * searched its last utterance and still has its lattices to rescore.  No
 * search after it (sm_search_start reports out of memory). */
void sm_search_release(struct sm_search *s);

void sm_search_start(struct sm_search *s);
/* One frame of n_sen senone log-likelihoods.  0, or -1 out of memory. */
int sm_search_frame(struct sm_search *s, const float *sen);
/* Finish: the index of the best final bp entry (</s> applied), or -1. */
int sm_search_finish(struct sm_search *s, float *final_score);

/* The backpointer table of the utterance. */
const struct sm_bp *sm_search_bps(const struct sm_search *s, int *n);
int sm_search_frames(const struct sm_search *s);

struct sm_search_stats {
	long nodes, roots;
	double hmm_per_frame, bp;
};
void sm_search_stats(const struct sm_search *s, struct sm_search_stats *st);

/* The pack's search image (image.h): the tree and word tables, written
 * once by sm_search_save and memory-mapped by sm_search_open.
 * sm_search_open refuses, with "PATH: problem" in err, what sm_image_open
 * refuses (unreadable, too short, another kind or version, a damaged
 * header, stale against fp, not the size its header announces), an image
 * of another build's nodes, and one whose counts, sections, small tables,
 * roots or fillers fail the start-up checks ("corrupt search image"). */
int sm_search_save(const struct sm_search *s, const char *path,
		   const uint64_t fp[SM_IMAGE_FP], char *err, size_t errlen);
struct sm_search *sm_search_open(const char *path, const struct sm_lm *lm,
				 const struct sm_search_cfg *cfg,
				 const uint64_t fp[SM_IMAGE_FP], char *err,
				 size_t errlen);

/* A custom vocabulary over a search built or mapped from an image: the
 * words of d (phones the search's CI ids, sm_search_ciphone; no fillers),
 * with LM ids lmid[] (ids of the search's LM, sm_lm_add_class's
 * included), become the search's words n_words .. n_words + d->n_words
 * - 1, in a lexicon tree of their own whose roots are entered beside the
 * main tree's, built with the image's triphone table (no model file is
 * read).  The image stays read-only: the tables that grow are copied
 * first.  Once, before the first utterance; d need not outlive the call.
 * 0, or -1 with the problem in err. */
int sm_search_add_words(struct sm_search *s, const struct sm_dict *d,
			const int32_t *lmid, char *err, size_t errlen);

/* The CI id of a phone name ("AA", "SIL"), -1 if the model has none. */
int sm_search_ciphone(const struct sm_search *s, const char *name);

/* The full check of an image opened from path: the checksum of its body,
 * every index in every node and the triphone table (sm_search_open checks
 * only the header, the small tables and the roots, and each other node
 * when the search first reaches it; sm_search_add_words the table).  0 if sound (always for a tree built in memory), -1
 * with "PATH: problem" in err if not. */
int sm_search_check(const struct sm_search *s, const char *path, char *err,
		    size_t errlen);

/* Whether the search stopped (sm_search_frame returned -1) because it
 * reached a damaged node of its image. */
int sm_search_corrupt(const struct sm_search *s);

/* Senones per frame the search expects. */
int sm_search_n_senones(const struct sm_search *s);

/* The spelling of a word without its (N) mark, its length, and its kind:
 * 0 a word, 1 the pause <sil>, 2 another filler. */
const char *sm_search_word(const struct sm_search *s, int word, int *len,
			   int *kind);

/* Interpolate every word's LM score with cache c (cache.h) from the next
 * word end on, in both passes; NULL for the trigram alone.  The cache may
 * change between segments; it must outlive the search's use of it. */
struct sm_cache;
void sm_search_set_cache(struct sm_search *s, const struct sm_cache *c);

/* LM id of a dict word (-1 for fillers and words outside the LM). */
int sm_search_lmid(const struct sm_search *s, int word);

/* Words of the search (dict ids 0 .. n - 1, a custom vocabulary's last). */
int sm_search_n_words(const struct sm_search *s);

/* For cutting long input at pauses: the kind (as sm_search_word) of the
 * word whose HMM holds the best state score of the last frame searched,
 * -1 if none; and the senones of the pause <sil>'s three states (0, or -1
 * when the pack has no <sil>). */
int sm_search_best_kind(const struct sm_search *s);
int sm_search_sil_senones(const struct sm_search *s, int sen[3]);

#endif

/*
 * search_int.h: what the files of the search share and nobody else sees:
 * the tree's nodes, the HMMs, the search's state, and the functions one
 * file of the search calls in another.
 *
 * search.c	the public API, the backpointer tables (struct bptab) and
 *		pass 1, the beam search over the tree
 * tree.c	building the lexicon tree from the dictionary (sm_search_new)
 * flat.c	pass 2, the flat lexicon over the words pass 1 found
 * search_image.c	the pack's search image and the checks of its nodes
 */
#ifndef SM_SEARCH_INT_H
#define SM_SEARCH_INT_H

#include <stdint.h>

#include "cache.h"
#include "image.h"
#include "lm.h"
#include "search.h"

#define NEG (-1e30f)
#define MAXCI 64

/* A tree node is one phone HMM.  Roots (depth 0) take their left context
 * from the predecessor word ("multiplexed" first states); leaves end one
 * word and are fanned out over right contexts: a leaf below the roots
 * stands for ncls HMMs, one per right-context class ctx .. ctx + ncls - 1
 * (copy cl has the senone sequence cls_ssid[ctx + cl]), made when the
 * search enters them rather than stored. */
struct node {
	int32_t child;		/* first child, children are contiguous */
	int32_t word;		/* leaf: dict word; else -1 */
	float u;		/* LM look-ahead: max ln unigram P below */
	uint16_t n_child;
	uint16_t ssid;		/* fixed senone sequence (not roots), else NONE16 */
	uint16_t ctx;		/* root: row of lc_ssid; leaf: its right-context
				 * class; else NONE16 */
	int8_t ci;
	int8_t depth;
	uint8_t ncls;		/* HMMs of the node: the classes of a leaf, else 1 */
};

#define NONE16 0xffff
#define SM_CINAME 8		/* bytes of a CI phone's name, its NUL included */		/* also the bound on senone sequences and classes */

struct hmm {
	float s[3];
	int32_t bp[3];
	float in, best;
	int32_t inbp;
	int32_t node;
	int32_t stamp;		/* last frame it was queued for, -1 when unused */
	uint16_t ss[3];
	uint16_t inss;
	int8_t ci;		/* the node's phone (its transition matrix) */
	uint8_t cl;		/* which of the node's ncls HMMs */
	uint8_t nb, live;	/* first of a block: HMMs in it, how many in use */
	uint8_t pad[8];		/* 64 bytes: in the pool (64-byte aligned), each
				 * HMM on one cache line */
};

/* A word of the flat pass: one HMM per phone, the last phone fanned out
 * over its right-context classes. */
struct fword {
	int32_t word, n_phone, n_hmm, leaf0, lo, hi, live;
	int32_t *pathp;		/* the tree node of each non-final phone */
	struct hmm *h;
};

#define FLAT_LAG 160		/* frames pass 2 runs behind pass 1 */
#define FLAT_WIN 25		/* start-frame window around pass 1's starts */

/* A direct-mapped cache of LM scores for the flat pass's word entries. */
#define LMC_SIZE (1 << 16)
struct lmc {
	int32_t w, h1, h2;
	float p;
};

/* The HMMs' nodes: a hash table, open addressing with linear probing,
 * node + 1 as key (0 is empty), the value the first of the node's block
 * of ncls HMMs in the pool (the right-context copies of a leaf lie
 * together).  It is a few hundred kB where an array over the nodes was
 * megabytes of scattered pages. */
struct slot {
	int32_t key, val;
};

/* The look-ahead table (look): ln P over [LA_MIN, 0], LA_STEPS a nat. */
#define LA_MIN (-64.0f)
#define LA_STEPS 64
#define LA_N (64 * LA_STEPS)

/* A pass's backpointer table: its word ends, each one's score for every
 * right context, and where each word's entry of a frame is. */
struct bptab {
	struct sm_bp *bp;
	float *rcs;		/* [n][n_ci] word-end score per right context */
	int32_t *wbp;		/* [word] its entry at the frame it last ended */
	int n, cap;
};

struct sm_search {
	const struct sm_mdef *m;
	const struct sm_tmat *tm;
	const struct sm_dict *d;
	const struct sm_lm *lm;
	struct sm_search_cfg cfg;
	int n_ci;
	int32_t *lmid;		/* [n_words] */
	int n_words, n_sen, n_sseq;
	int8_t *wlast;		/* [n_words] last phone, left context of a successor */
	uint8_t *wkind;		/* [n_words] 0 word, 1 <sil>, 2 other filler */
	uint16_t *wlen;		/* [n_words] length without (N) */
	uint32_t *woff;		/* [n_words] into text */
	char *text;
	const uint16_t *sseq;	/* [n_sseq * 3] senone ids */
	const void *map;	/* the image, when loaded from one (= img.map) */
	struct sm_image img;
	size_t text_len;	/* bytes of text */
	int corrupt;		/* the image failed a check where it was used */
	struct node *nodes;
	int n_nodes, n_roots;	/* roots are nodes [0, n_roots) */
	int filler0, n_filler_nodes;	/* filler nodes after the tree */
	/* a custom vocabulary's tree (sm_search_add_words), after the
	 * fillers: its roots are nodes [ov0, ov0 + n_ov_roots); own: the
	 * image's tables were copied to grow them */
	int ov0, n_ov_roots, own;
	int32_t *lc_ssid;	/* root rows: [row][lc] */
	int n_lc_rows;
	int32_t *rc_ssid;	/* leaf rows: [row][rc] */
	int n_rc_rows;
	int32_t *row_cls, *row_ncls;	/* leaf row -> its right-context classes */
	uint64_t *cls_mask;		/* class -> set of right-context CI phones */
	int32_t *cls_ssid;
	int n_cls;
	/* an image's tables for a custom vocabulary's tree, the model
	 * definition not being read then (NULL in a search built in memory,
	 * which has m): the senone sequence of every triphone in every word
	 * position, [SM_N_WPOS][n_ci][n_ci][n_ci] as tri_ssid gives it (base,
	 * left, right), and the CI phones' names, [n_ci][SM_CINAME] */
	const uint16_t *tri;
	const char *ciname;
	float tp[MAXCI][6];	/* t00 t01 t11 t12 t22 t23 */
	int sil_ci, bos_word, eos_word, sil_word;
	/* per utterance */
	struct hmm *pool;
	struct slot *slot;	/* node -> pool index of its HMM (slot_get) */
	uint32_t slot_mask;	/* slot has slot_mask + 1 entries */
	int slot_n;		/* entries in use */
	int32_t *act, *nact;
	int n_act, n_act_next, pool_cap, pool_used, oom;
	int released;		/* sm_search_release: no more searching */
	int32_t fhead[256];	/* free blocks of each size, linked by inbp */
	struct bptab p1;
	int frame;
	float best;
	long hmm_total;
	float *hist;
	/* pass 2: flat lexicon over the words pass 1 found (see flat_frame) */
	float *ring;			/* [FLAT_LAG][n_sen] recent frames */
	struct fword *fw;		/* candidate words */
	int n_fw, fw_cap;
	int32_t *fwi;			/* [n_words] 1 + index into fw, 0 */
	int t2;				/* next frame of pass 2 */
	struct bptab p2;
	int use2;			/* the result is pass 2's */
	struct lmc *lmc;		/* [LMC_SIZE] trigram scores seen */
	const struct sm_cache *cache;	/* recognised words (cache.h), or NULL */
	float *la;			/* [LA_N + 1] look's table, or NULL */
	long hmm2_total;
	/* per frame word-end summary */
	int32_t best_lc_bp[MAXCI][MAXCI];	/* [left ctx][first phone] */
	float best_lc[MAXCI][MAXCI];
};

/* tree.c */
int tree_tables(const struct sm_search *s, uint16_t **tri, char **names);

/* search_image.c */
int search_tri_ok(const struct sm_search *s);

/* search.c */
int search_slot_init(struct sm_search *s);
int bptab_init(struct bptab *t, int n_words);
void bptab_free(struct bptab *t);
struct sm_bp *bptab_first(struct bptab *t, int n_ci);
int bptab_new(struct bptab *t, int w, int n_ci);
void bptab_raise(const struct sm_search *s, struct bptab *t, int k,
		 const struct node *nd, int cl, int lmid, float sc);
void bptab_set(const struct sm_search *s, struct sm_bp *b, const struct sm_bp *p,
	       int prev, int w, int lmid, int ef, float sc);
int bptab_best_rc(const struct bptab *t, int a, int e, int n_ci, int ci, int skip,
		  float *best);
int bptab_final(const struct sm_search *s, const struct bptab *t, float lw, int skip,
		int *ef, float *best);

/* flat.c */
int flat_init(struct sm_search *s);
void flat_start(struct sm_search *s);
void flat_note(struct sm_search *s, int w, int leaf, int sf);
void flat_frame(struct sm_search *s, int t);
void flat_reset(struct sm_search *s);
int flat_finish(struct sm_search *s, float *best);

/* search_image.c */
int search_node_ok(const struct sm_search *s, int i);

/* The penalty of entering filler w. */
static inline float
fill_pen(const struct sm_search *s, int w)
{
	return w == s->sil_word ? s->cfg.silpen : s->cfg.fillpen;
}

/* The LM score of w after h1 h2 (not weighted), the trigram's from the
 * table of scores seen, then interpolated with the words already
 * recognised (sm_search_set_cache), which change between segments. */
static inline float
lm_cached(struct sm_search *s, int w, int h1, int h2)
{
	uint32_t k = ((uint32_t)w * 2654435761u ^ (uint32_t)h1 * 40503u ^
		      (uint32_t)h2 * 2246822519u) & (LMC_SIZE - 1);
	struct lmc *c = &s->lmc[k];

	if (c->w != w + 1 || c->h1 != h1 || c->h2 != h2) {	/* w + 1: 0 is empty */
		c->w = w + 1;
		c->h1 = h1;
		c->h2 = h2;
		c->p = sm_lm_score(s->lm, w, h1, h2, NULL);
	}
	return s->cache != NULL ? sm_cache_score(s->cache, w, c->p) : c->p;
}

/* lm_cached without the table of scores seen. */
static inline float
lm_uncached(const struct sm_search *s, int w, int h1, int h2)
{
	float lp = sm_lm_score(s->lm, w, h1, h2, NULL);

	return s->cache != NULL ? sm_cache_score(s->cache, w, lp) : lp;
}

/* An HMM with no scores. */
static inline void
hmm_clear(struct hmm *h)
{
	h->s[0] = h->s[1] = h->s[2] = NEG;
	h->bp[0] = h->bp[1] = h->bp[2] = -1;
	h->ss[0] = h->ss[1] = h->ss[2] = 0;
	h->in = h->best = NEG;
	h->inbp = -1;
	h->inss = 0;
}

/* One frame of Viterbi inside a 3-state left-to-right HMM.  The choices
 * are selects, not branches (they are hard to predict). */
static inline __attribute__((always_inline)) void
hmm_step(struct hmm *h, const float *tp, const uint16_t *sseq, const float *sen)
{
	float a, b, n0, n1, n2, m;
	int c;

	a = h->s[2] + tp[4];
	b = h->s[1] + tp[3];
	c = b > a;
	a = c ? b : a;
	h->bp[2] = c ? h->bp[1] : h->bp[2];
	h->ss[2] = c ? h->ss[1] : h->ss[2];
	n2 = a + sen[sseq[h->ss[2] * 3 + 2]];
	a = h->s[1] + tp[2];
	b = h->s[0] + tp[1];
	c = b > a;
	a = c ? b : a;
	h->bp[1] = c ? h->bp[0] : h->bp[1];
	h->ss[1] = c ? h->ss[0] : h->ss[1];
	n1 = a + sen[sseq[h->ss[1] * 3 + 1]];
	a = h->s[0] + tp[0];
	c = h->in > a;
	a = c ? h->in : a;
	h->bp[0] = c ? h->inbp : h->bp[0];
	h->ss[0] = c ? h->inss : h->ss[0];
	n0 = a + sen[sseq[h->ss[0] * 3]];
	h->in = NEG;
	h->s[0] = n0;
	h->s[1] = n1;
	h->s[2] = n2;
	m = n0 > n1 ? n0 : n1;
	h->best = m > n2 ? m : n2;
}

#endif

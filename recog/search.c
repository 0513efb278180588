/* search.c: lexicon-tree Viterbi beam search (see search.h). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dict.h"
#include "image.h"
#include "lm.h"
#include "mdef.h"
#include "s3.h"
#include "search.h"
#include "sm.h"

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

#define NONE16 0xffff		/* also the bound on senone sequences and classes */

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

struct sm_search;
static void flat_note(struct sm_search *s, int w, int leaf, int sf);
static void flat_reset(struct sm_search *s);
static int flat_init(struct sm_search *s);
static void flat_start(struct sm_search *s);
static void flat_frame(struct sm_search *s, int t);
static float lm_cached(struct sm_search *s, int w, int h1, int h2);
static int slot_init(struct sm_search *s);

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
	int32_t *lc_ssid;	/* root rows: [row][lc] */
	int n_lc_rows;
	int32_t *rc_ssid;	/* leaf rows: [row][rc] */
	int n_rc_rows;
	int32_t *row_cls, *row_ncls;	/* leaf row -> its right-context classes */
	uint64_t *cls_mask;		/* class -> set of right-context CI phones */
	int32_t *cls_ssid;
	int n_cls;
	float *rcs;			/* [bp][n_ci] word-end score per right context */
	int32_t *wbp;			/* [word] bp of the word at this frame */
	float tp[MAXCI][6];	/* t00 t01 t11 t12 t22 t23 */
	int sil_ci, bos_word, eos_word, sil_word;
	/* per utterance */
	struct hmm *pool;
	struct slot *slot;	/* node -> pool index of its HMM (slot_get) */
	uint32_t slot_mask;	/* slot has slot_mask + 1 entries */
	int slot_n;		/* entries in use */
	int32_t *act, *nact;
	int n_act, n_act_next, pool_cap, pool_used, oom;
	int32_t fhead[256];	/* free blocks of each size, linked by inbp */
	struct sm_bp *bp;
	int n_bp, bp_cap;
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
	struct sm_bp *bp2;
	float *rcs2;
	int32_t *wbp2;
	int n_bp2, bp2_cap;
	int use2;			/* the result is pass 2's */
	struct lmc *lmc;		/* [LMC_SIZE] trigram scores seen */
	float *la;			/* [LA_N + 1] look's table, or NULL */
	long hmm2_total;
	/* per frame word-end summary */
	int32_t best_lc_bp[MAXCI][MAXCI];	/* [left ctx][first phone] */
	float best_lc[MAXCI][MAXCI];
};

void
sm_search_cfg_default(struct sm_search_cfg *c)
{
	c->beam = 100.0f;
	c->wbeam = 40.0f;
	c->lw = 6.5f;
	c->wip = logf(0.65f);
	c->silpen = logf(0.005f);
	c->fillpen = logf(1e-8f);
	c->pip = 0.0f;
	c->maxhmm = 30000;
	c->flat = 1;
	c->flw = 8.5f;
	c->fbeam = 150.0f;
}

/* Triphone with the backoff of MODEL-EN-US §4. */
static int
tri_ssid(const struct sm_mdef *m, int b, int l, int r, int pos)
{
	int p, k, l2, r2;

	if (m->ci_filler[b] || l < 0 || r < 0)
		return m->phone_ssid[b];
	p = sm_mdef_triphone(m, b, l, r, pos);
	for (k = 0; p < 0 && k < SM_N_WPOS; k++)
		if (k != pos)
			p = sm_mdef_triphone(m, b, l, r, k);
	if (p < 0) {
		l2 = (m->ci_filler[l] || pos == SM_WPOS_BEGIN || pos == SM_WPOS_SINGLE) ?
			m->sil : l;
		r2 = (m->ci_filler[r] || pos == SM_WPOS_END || pos == SM_WPOS_SINGLE) ?
			m->sil : r;
		p = sm_mdef_triphone(m, b, l2, r2, pos);
		for (k = 0; p < 0 && k < SM_N_WPOS; k++)
			if (k != pos)
				p = sm_mdef_triphone(m, b, l2, r2, k);
	}
	if (p < 0)
		p = b;
	return m->phone_ssid[p];
}

/* ---- tree building ----------------------------------------------------- */

struct build {
	struct sm_search *s;
	int32_t *order;		/* words sorted by phones */
	int cap;
	/* row caches */
	int32_t *lc_key, *rc_key;	/* (b, r) -> row / (b, l) -> row */
};

static const struct sm_dict *sort_dict;

static int
cmp_words(const void *a, const void *b)
{
	int x = *(const int32_t *)a, y = *(const int32_t *)b;
	const int16_t *px = sm_dict_phones(sort_dict, x), *py = sm_dict_phones(sort_dict, y);
	int nx = sort_dict->w[x].n_phone, ny = sort_dict->w[y].n_phone, i;

	for (i = 0; i < nx && i < ny; i++)
		if (px[i] != py[i])
			return px[i] - py[i];
	if (nx != ny)
		return nx - ny;
	return x - y;
}

static int
new_nodes(struct build *b, int n)
{
	struct sm_search *s = b->s;
	int first = s->n_nodes;

	if (s->n_nodes + n > b->cap) {
		int c = b->cap ? b->cap : 4096;
		struct node *q;

		while (c < s->n_nodes + n)
			c *= 2;
		q = realloc(s->nodes, sizeof *q * c);
		if (q == NULL)
			return -1;
		s->nodes = q;
		b->cap = c;
	}
	s->n_nodes += n;
	return first;
}

static int
lc_row(struct build *b, int base, int right, int single)
{
	struct sm_search *s = b->s;
	int key = (base * MAXCI + right) * 2 + single, row, l;
	int32_t *q;

	if (b->lc_key[key] >= 0)
		return b->lc_key[key];
	row = s->n_lc_rows++;
	q = realloc(s->lc_ssid, sizeof *q * s->n_lc_rows * s->n_ci);
	if (q == NULL)
		return -1;
	s->lc_ssid = q;
	for (l = 0; l < s->n_ci; l++)
		q[row * s->n_ci + l] = tri_ssid(s->m, base, l, right,
						single ? SM_WPOS_SINGLE : SM_WPOS_BEGIN);
	b->lc_key[key] = row;
	return row;
}

static int
rc_row(struct build *b, int base, int left)
{
	struct sm_search *s = b->s;
	int key = base * MAXCI + left, row, r;
	int32_t *q;

	if (b->rc_key[key] >= 0)
		return b->rc_key[key];
	row = s->n_rc_rows++;
	q = realloc(s->rc_ssid, sizeof *q * s->n_rc_rows * s->n_ci);
	if (q == NULL)
		return -1;
	s->rc_ssid = q;
	for (r = 0; r < s->n_ci; r++)
		q[row * s->n_ci + r] = tri_ssid(s->m, base, left, r, SM_WPOS_END);
	b->rc_key[key] = row;
	{
		int32_t *a1 = realloc(s->row_cls, sizeof *a1 * s->n_rc_rows);
		int32_t *a2 = realloc(s->row_ncls, sizeof *a2 * s->n_rc_rows);
		uint64_t *cm;
		int32_t *cs;
		int k;

		if (a1)
			s->row_cls = a1;
		if (a2)
			s->row_ncls = a2;
		cm = realloc(s->cls_mask, sizeof *cm * (s->n_cls + s->n_ci));
		if (cm)
			s->cls_mask = cm;
		cs = realloc(s->cls_ssid, sizeof *cs * (s->n_cls + s->n_ci));
		if (cs)
			s->cls_ssid = cs;
		if (!a1 || !a2 || !cm || !cs)
			return -1;
		s->row_cls[row] = s->n_cls;
		s->row_ncls[row] = 0;
		for (r = 0; r < s->n_ci; r++) {
			int32_t ss = q[row * s->n_ci + r];

			for (k = s->row_cls[row]; k < s->n_cls; k++)
				if (s->cls_ssid[k] == ss)
					break;
			if (k == s->n_cls) {
				s->cls_ssid[k] = ss;
				s->cls_mask[k] = 0;
				s->n_cls++;
				s->row_ncls[row]++;
			}
			s->cls_mask[k] |= (uint64_t)1 << r;
		}
	}
	return row;
}

/* Children at depth d of the words order[a..e), all sharing phones < d. */
static int
build_level(struct build *b, int a, int e, int d, int *count)
{
	struct sm_search *s = b->s;
	const struct sm_dict *dict = s->d;
	int i, j, k, first;
	int n = 0;

	if (d >= 127)	/* depth is 8 bits */
		return -1;
	/* count groups: a leaf per word ending at d, a node per (p[d], p[d+1]) */
	for (i = a; i < e; i = j) {
		const int16_t *pi = sm_dict_phones(dict, b->order[i]);
		int ni = dict->w[b->order[i]].n_phone;

		j = i + 1;
		if (ni > d + 1)
			while (j < e) {
				const int16_t *pj = sm_dict_phones(dict, b->order[j]);

				if (dict->w[b->order[j]].n_phone <= d + 1 || pj[d] != pi[d] ||
				    pj[d + 1] != pi[d + 1])
					break;
				j++;
			}
		if (ni == d + 1 && d > 0 && rc_row(b, pi[d], pi[d - 1]) < 0)
			return -1;
		n++;
	}
	if ((first = new_nodes(b, n)) < 0)
		return -1;
	*count = n;
	k = first;
	for (i = a; i < e; i = j, k++) {
		int w = b->order[i];
		const int16_t *pi = sm_dict_phones(dict, w);
		int ni = dict->w[w].n_phone;
		struct node *nd;

		j = i + 1;
		if (ni > d + 1)
			while (j < e) {
				const int16_t *pj = sm_dict_phones(dict, b->order[j]);

				if (dict->w[b->order[j]].n_phone <= d + 1 || pj[d] != pi[d] ||
				    pj[d + 1] != pi[d + 1])
					break;
				j++;
			}
		nd = &s->nodes[k];
		nd->ci = (int8_t)pi[d];
		nd->depth = (int8_t)d;
		nd->child = -1;
		nd->n_child = 0;
		nd->word = -1;
		nd->ssid = NONE16;
		nd->ctx = NONE16;
		nd->u = NEG;
		nd->ncls = 1;
		if (ni == d + 1) {	/* leaf */
			nd->word = w;
			if (d == 0) {
				int row = lc_row(b, pi[0], s->sil_ci, 1);

				if (row < 0 || row >= NONE16)
					return -1;
				nd->ctx = (uint16_t)row;
			} else {
				int row = rc_row(b, pi[d], pi[d - 1]), cl;

				for (cl = 0; cl < s->row_ncls[row]; cl++)
					if (s->row_cls[row] + cl >= NONE16 ||
					    s->cls_ssid[s->row_cls[row] + cl] >= NONE16)
						return -1;
				if (s->row_ncls[row] > MAXCI)
					return -1;
				nd->ctx = (uint16_t)s->row_cls[row];
				nd->ncls = (uint8_t)s->row_ncls[row];
				nd->ssid = (uint16_t)s->cls_ssid[nd->ctx];
			}
		} else {
			int v = d == 0 ? lc_row(b, pi[0], pi[1], 0) :
				tri_ssid(s->m, pi[d], pi[d - 1], pi[d + 1], SM_WPOS_INTERNAL);

			if (v < 0 || v >= NONE16)
				return -1;
			if (d == 0)
				nd->ctx = (uint16_t)v;
			else
				nd->ssid = (uint16_t)v;
		}
	}
	/* recurse (node array may move: index, not pointers) */
	k = first;
	for (i = a; i < e; i = j, k++) {
		int w = b->order[i];
		const int16_t *pi = sm_dict_phones(dict, w);
		int ni = dict->w[w].n_phone, c, cnt = 0;

		j = i + 1;
		if (ni > d + 1) {
			while (j < e) {
				const int16_t *pj = sm_dict_phones(dict, b->order[j]);

				if (dict->w[b->order[j]].n_phone <= d + 1 || pj[d] != pi[d] ||
				    pj[d + 1] != pi[d + 1])
					break;
				j++;
			}
			c = build_level(b, i, j, d + 1, &cnt);
			if (c < 0)
				return -1;
			s->nodes[k].child = c;
			if (cnt >= NONE16)
				return -1;
			s->nodes[k].n_child = (uint16_t)cnt;
		}
	}
	return first;
}

struct sm_search *
sm_search_new(const struct sm_mdef *m, const struct sm_tmat *t,
	      const struct sm_dict *d, const struct sm_lm *lm,
	      const struct sm_search_cfg *cfg, char *err, size_t errlen)
{
	struct sm_search *s = calloc(1, sizeof *s);
	struct build b;
	char buf[1024];
	int i, n_tree_words = 0, c;

	memset(&b, 0, sizeof b);
	if (s == NULL)
		goto oom;
	s->m = m;
	s->tm = t;
	s->d = d;
	s->lm = lm;
	s->cfg = *cfg;
	s->n_ci = m->n_ciphone;
	if (s->n_ci > MAXCI || t->n_src != 3 || t->n_dst != 4 || m->n_emit_state != 3 ||
	    m->n_sseq >= NONE16) {
		snprintf(err, errlen, "unsupported model topology");
		sm_search_free(s);
		return NULL;
	}
	s->sil_ci = m->sil;
	for (i = 0; i < s->n_ci; i++) {
		int tm = m->phone_tmat[i];

		if (tm < 0 || tm >= t->n_tmat)
			tm = 0;
		s->tp[i][0] = sm_tmat_logp(t, tm, 0, 0);
		s->tp[i][1] = sm_tmat_logp(t, tm, 0, 1) + cfg->pip * 0;
		s->tp[i][2] = sm_tmat_logp(t, tm, 1, 1);
		s->tp[i][3] = sm_tmat_logp(t, tm, 1, 2);
		s->tp[i][4] = sm_tmat_logp(t, tm, 2, 2);
		s->tp[i][5] = sm_tmat_logp(t, tm, 2, 3);
	}
	s->n_words = d->n_words;
	s->n_sen = m->n_sen;
	s->n_sseq = m->n_sseq;
	s->sseq = m->sseq;
	s->lmid = malloc(sizeof *s->lmid * (d->n_words + 1));
	s->wlast = malloc(d->n_words + 1);
	s->wkind = malloc(d->n_words + 1);
	s->wlen = malloc(sizeof *s->wlen * (d->n_words + 1));
	s->woff = malloc(sizeof *s->woff * (d->n_words + 1));
	{
		size_t tl = 0;

		for (i = 0; i < d->n_words; i++)
			tl += d->w[i].base_len + 1;
		s->text = malloc(tl + 1);
		if (!s->wlast || !s->wkind || !s->wlen || !s->woff || !s->text)
			goto oom;
		tl = 0;
		for (i = 0; i < d->n_words; i++) {
			const struct sm_dword *w = &d->w[i];

			s->woff[i] = (uint32_t)tl;
			s->wlen[i] = w->base_len;
			memcpy(s->text + tl, w->word, w->base_len);
			s->text[tl + w->base_len] = 0;
			tl += w->base_len + 1;
			s->wlast[i] = (int8_t)sm_dict_phones(d, i)[w->n_phone - 1];
			s->wkind[i] = !w->filler ? 0 : strcmp(w->word, "<sil>") == 0 ? 1 : 2;
		}
		s->text_len = tl;
	}
	b.order = malloc(sizeof *b.order * (d->n_words + 1));
	b.lc_key = malloc(sizeof *b.lc_key * MAXCI * MAXCI * 2);
	b.rc_key = malloc(sizeof *b.rc_key * MAXCI * MAXCI);
	if (!s->lmid || !b.order || !b.lc_key || !b.rc_key)
		goto oom;
	for (i = 0; i < MAXCI * MAXCI; i++)
		b.rc_key[i] = -1;
	for (i = 0; i < MAXCI * MAXCI * 2; i++)
		b.lc_key[i] = -1;
	s->bos_word = s->eos_word = s->sil_word = -1;
	for (i = 0; i < d->n_words; i++) {
		const struct sm_dword *w = &d->w[i];

		s->lmid[i] = -1;
		if (w->filler) {
			if (strcmp(w->word, "<s>") == 0)
				s->bos_word = i;
			else if (strcmp(w->word, "</s>") == 0)
				s->eos_word = i;
			else if (strcmp(w->word, "<sil>") == 0)
				s->sil_word = i;
			continue;
		}
		if (w->base_len >= sizeof buf)
			continue;
		memcpy(buf, w->word, w->base_len);
		buf[w->base_len] = 0;
		s->lmid[i] = sm_lm_word(lm, buf);
		if (s->lmid[i] >= 0 && s->lmid[i] != lm->bos && s->lmid[i] != lm->eos)
			b.order[n_tree_words++] = i;
		else
			s->lmid[i] = -1;
	}
	if (n_tree_words == 0 || lm->eos < 0 || lm->bos < 0) {
		snprintf(err, errlen, "no dictionary word is in the language model");
		sm_search_free(s);
		free(b.order);
		free(b.lc_key);
		free(b.rc_key);
		return NULL;
	}
	sort_dict = d;
	qsort(b.order, n_tree_words, sizeof *b.order, cmp_words);
	b.s = s;
	/* roots first, contiguous */
	if (build_level(&b, 0, n_tree_words, 0, &s->n_roots) != 0)
		goto oom;
	/* filler nodes */
	s->filler0 = s->n_nodes;
	for (i = 0; i < d->n_words; i++) {
		struct node *nd;

		if (!d->w[i].filler || i == s->bos_word || i == s->eos_word)
			continue;
		if ((c = new_nodes(&b, 1)) < 0)
			goto oom;
		nd = &s->nodes[c];
		memset(nd, 0, sizeof *nd);
		nd->ci = sm_dict_phones(d, i)[0];
		nd->word = i;
		nd->child = -1;
		nd->ssid = (uint16_t)m->phone_ssid[nd->ci];
		nd->ctx = NONE16;
		nd->ncls = 1;
		nd->u = 0;
		s->n_filler_nodes++;
	}
	/* look-ahead, bottom-up: children always follow their parent */
	for (i = s->filler0 - 1; i >= 0; i--) {
		struct node *nd = &s->nodes[i];

		if (nd->word >= 0) {
			nd->u = sm_lm_unigram(lm, s->lmid[nd->word]);
		} else {
			float mx = NEG;

			for (c = 0; c < nd->n_child; c++)
				if (s->nodes[nd->child + c].u > mx)
					mx = s->nodes[nd->child + c].u;
			nd->u = mx;
		}
	}
	s->wbp = sm_big_alloc(sizeof *s->wbp * (d->n_words ? d->n_words : 1));
	if (slot_init(s) != 0 || s->wbp == NULL)
		goto oom;
	free(b.order);
	free(b.lc_key);
	free(b.rc_key);
	return s;
oom:
	snprintf(err, errlen, "out of memory");
	free(b.order);
	free(b.lc_key);
	free(b.rc_key);
	sm_search_free(s);
	return NULL;
}

void
sm_search_free(struct sm_search *s)
{
	if (s == NULL)
		return;
	if (s->map) {
		sm_image_close(&s->img);
	} else {
		free(s->lmid);
		free(s->wlast);
		free(s->wkind);
		free(s->wlen);
		free(s->woff);
		free(s->text);
		free(s->nodes);
		free(s->lc_ssid);
		free(s->cls_mask);
		free(s->cls_ssid);
	}
	free(s->rc_ssid);
	sm_big_free(s->pool);
	sm_big_free(s->slot);
	sm_big_free(s->act);
	sm_big_free(s->nact);
	sm_big_free(s->bp);
	free(s->hist);
	free(s->row_cls);
	free(s->row_ncls);
	sm_big_free(s->rcs);
	sm_big_free(s->wbp);
	flat_reset(s);
	free(s->fw);
	sm_big_free(s->fwi);
	sm_big_free(s->ring);
	sm_big_free(s->lmc);
	sm_big_free(s->bp2);
	sm_big_free(s->rcs2);
	sm_big_free(s->wbp2);
	free(s->la);
	free(s);
}

int
sm_search_lmid(const struct sm_search *s, int word)
{
	return word >= 0 && word < s->n_words ? s->lmid[word] : -1;
}

/* ---- the search -------------------------------------------------------- */

static int
grow_bp(struct sm_search *s)
{
	if (s->n_bp == s->bp_cap) {
		int c = s->bp_cap ? 2 * s->bp_cap : 4096;
		struct sm_bp *q = sm_big_realloc(s->bp, sizeof *q * c);
		float *r;

		if (q == NULL)
			return -1;
		s->bp = q;
		r = sm_big_realloc(s->rcs, sizeof *r * c * s->n_ci);
		if (r == NULL)
			return -1;
		s->rcs = r;
		s->bp_cap = c;
	}
	return 0;
}

static int
slot_init(struct sm_search *s)
{
	s->slot_mask = (1u << 15) - 1;
	s->slot_n = 0;
	s->slot = sm_big_alloc(sizeof *s->slot * (s->slot_mask + 1));
	return s->slot == NULL ? -1 : 0;
}

/* Where key node's probe starts: consecutive keys (siblings, active
 * together) spread out rather than forming long runs. */
static inline uint32_t
slot_home(int32_t node, uint32_t mask)
{
	return (uint32_t)node * 0x9e3779b1u & mask;
}

/* The pool index of node's HMM, or -1. */
static inline int
slot_get(const struct sm_search *s, int node)
{
	uint32_t i = slot_home(node, s->slot_mask);

	for (; s->slot[i].key != 0; i = (i + 1) & s->slot_mask)
		if (s->slot[i].key == node + 1)
			return s->slot[i].val;
	return -1;
}

static void
slot_insert(struct slot *t, uint32_t mask, int32_t key, int32_t val)
{
	uint32_t i = slot_home(key - 1, mask);

	while (t[i].key != 0)
		i = (i + 1) & mask;
	t[i].key = key;
	t[i].val = val;
}

/* Add node (not in the table) with pool index k; the table stays at most
 * half full. */
static int
slot_put(struct sm_search *s, int node, int k)
{
	if (2 * (uint32_t)(s->slot_n + 1) > s->slot_mask + 1) {
		uint32_t m = 2 * s->slot_mask + 1, i;
		struct slot *t = sm_big_alloc(sizeof *t * ((size_t)m + 1));

		if (t == NULL)
			return -1;
		for (i = 0; i <= s->slot_mask; i++)
			if (s->slot[i].key != 0)
				slot_insert(t, m, s->slot[i].key, s->slot[i].val);
		sm_big_free(s->slot);
		s->slot = t;
		s->slot_mask = m;
	}
	slot_insert(s->slot, s->slot_mask, node + 1, k);
	s->slot_n++;
	return 0;
}

/* Remove node, shifting back the entries after it that may move up. */
static void
slot_del(struct sm_search *s, int node)
{
	uint32_t m = s->slot_mask, i = slot_home(node, m), j, home;

	while (s->slot[i].key != node + 1) {
		if (s->slot[i].key == 0)
			return;
		i = (i + 1) & m;
	}
	for (j = (i + 1) & m; s->slot[j].key != 0; j = (j + 1) & m) {
		home = slot_home(s->slot[j].key - 1, m);
		/* j's entry may fill the hole at i if its home is not in (i, j] */
		if (((j - home) & m) >= ((j - i) & m)) {
			s->slot[i] = s->slot[j];
			i = j;
		}
	}
	s->slot[i].key = 0;
	s->slot_n--;
}

/* Whether node i of an image holds only indices in range (the start-up
 * checks cover the small tables, the roots and the fillers; every other
 * node is checked here when the search first reaches it, or all of them
 * by sm_search_check). */
static int
node_ok(const struct sm_search *s, int i)
{
	const struct node *nd = &s->nodes[i];

	if (nd->ci < 0 || nd->ci >= s->n_ci || nd->word < -1 || nd->word >= s->n_words ||
	    nd->depth < 0)
		return 0;
	if (nd->n_child > 0 && (nd->child <= i || nd->child > s->filler0 - nd->n_child))
		return 0;
	if (nd->word >= 0 && nd->n_child > 0)
		return 0;
	if (nd->ncls != 1 && (nd->word < 0 || nd->ncls == 0 || i < s->n_roots || i >= s->filler0))
		return 0;
	if (i < s->n_roots)
		return nd->ctx < s->n_lc_rows && nd->depth == 0;
	if (i < s->filler0 && nd->depth == 0)
		return 0;
	if (i < s->filler0 && nd->word >= 0 && nd->ctx + nd->ncls > s->n_cls)
		return 0;
	if (nd->ssid >= s->n_sseq)
		return 0;
	if (i >= s->filler0 && (nd->word < 0 || s->lmid[nd->word] >= 0))
		return 0;
	return 1;
}

/* An unused HMM: no scores, not queued. */
static inline void
hmm_fresh(struct hmm *h)
{
	h->s[0] = h->s[1] = h->s[2] = NEG;
	h->bp[0] = h->bp[1] = h->bp[2] = -1;
	h->ss[0] = h->ss[1] = h->ss[2] = 0;
	h->in = NEG;
	h->best = NEG;
	h->inbp = -1;
	h->inss = 0;
	h->stamp = -1;
}

/* The pool index of the node's HMMs, made if needed (-1 if out of memory
 * or the node is damaged).  A node's ncls HMMs are made together, as one
 * block of the pool, and the block is released when none of them is in
 * use. */
static int
activate(struct sm_search *s, int node)
{
	struct hmm *h;
	int k = slot_get(s, node);

	if (k < 0) {
		int n, c;

		if (s->map && !node_ok(s, node)) {
			s->corrupt = 1;
			return -1;
		}
		n = s->nodes[node].ncls;
		if (s->fhead[n] >= 0) {
			k = s->fhead[n];
			s->fhead[n] = s->pool[k].inbp;
		} else {
			if (s->pool_used + n > s->pool_cap) {
				int cap = s->pool_cap ? 2 * s->pool_cap : 8192;
				struct hmm *q = sm_big_realloc(s->pool, sizeof *q * cap);
				int32_t *a = sm_big_realloc(s->act, sizeof *a * cap);
				int32_t *na;

				if (a)
					s->act = a;
				na = sm_big_realloc(s->nact, sizeof *na * cap);
				if (na)
					s->nact = na;
				if (q == NULL || a == NULL || na == NULL) {
					if (q)
						s->pool = q;
					return -1;
				}
				s->pool = q;
				s->pool_cap = cap;
			}
			k = s->pool_used;
			s->pool_used += n;
		}
		if (slot_put(s, node, k) != 0)
			return -1;
		for (c = 0; c < n; c++) {
			h = &s->pool[k + c];
			hmm_fresh(h);
			h->node = node;
			h->cl = (uint8_t)c;
			h->ci = s->nodes[node].ci;
		}
		s->pool[k].nb = (uint8_t)n;
		s->pool[k].live = 0;
	}
	return k;
}

/* Enter every HMM of a node (queued for frame t+1): copy cl > 0 of a leaf
 * has its own senone sequence (read once the node is known sound). */
static void
enter(struct sm_search *s, int node, float score, int bp, int ssid)
{
	int k = activate(s, node), cl, n;

	if (k < 0) {
		s->oom = 1;
		return;
	}
	/* the search's fields in locals: the stores through h may alias them */
	{
		struct hmm *h0 = &s->pool[k];
		int32_t *nact = s->nact, next = s->frame + 1;
		int nn = s->n_act_next, live = h0->live;
		const int32_t *cs;

		n = h0->nb;
		cs = n > 1 ? s->cls_ssid + s->nodes[node].ctx : NULL;
		for (cl = 0; cl < n; cl++) {
			struct hmm *h = h0 + cl;

			if (h->stamp != next) {
				if (h->stamp < 0)
					live++;
				h->stamp = next;
				nact[nn++] = k + cl;
			}
			if (score > h->in) {
				h->in = score;
				h->inbp = bp;
				h->inss = cl ? cs[cl] : ssid;
			}
		}
		h0->live = (uint8_t)live;
		s->n_act_next = nn;
	}
}

/* A node's look-ahead with the LM's unigram weight: sm_lm_uw from a
 * table, linear between its points (exact enough for pruning; a word's
 * own LM score replaces it at the word's end). */
static inline float
look(const struct sm_search *s, const struct node *nd)
{
	float x;
	int i;

	if (s->la == NULL)
		return nd->u;
	x = (nd->u - LA_MIN) * LA_STEPS;
	if (!(x > 0))	/* NaN too (a damaged image): no index from it */
		return s->la[0];
	if (x >= LA_N)
		return s->la[LA_N];
	i = (int)x;
	return s->la[i] + (x - i) * (s->la[i + 1] - s->la[i]);
}

/* The table of look, when the LM has a unigram weight. */
static int
look_init(struct sm_search *s)
{
	int i;

	if (s->lm->uw >= 1 || s->la != NULL)
		return 0;
	s->la = malloc(sizeof *s->la * (LA_N + 1));
	if (s->la == NULL)
		return -1;
	for (i = 0; i <= LA_N; i++)
		s->la[i] = sm_lm_uw(s->lm, LA_MIN + (float)i / LA_STEPS);
	return 0;
}

/* Start words from the word ends bp[a..e) (all at one frame). */
static void
enter_words(struct sm_search *s, int a, int e, float thr)
{
	int n_ci = s->n_ci, i, r, lc, p;
	int lcs[MAXCI], n_lcs = 0, best_i = -1;
	float best = NEG;

	for (i = a; i < e; i++) {
		const float *rc = s->rcs + (size_t)i * n_ci;

		lc = s->bp[i].last_ci;
		for (p = 0; p < n_lcs && lcs[p] != lc; p++)
			;
		if (p == n_lcs) {
			lcs[n_lcs++] = lc;
			for (p = 0; p < n_ci; p++) {
				s->best_lc[lc][p] = NEG;
				s->best_lc_bp[lc][p] = -1;
			}
		}
		for (p = 0; p < n_ci; p++)
			if (rc[p] > s->best_lc[lc][p]) {
				s->best_lc[lc][p] = rc[p];
				s->best_lc_bp[lc][p] = i;
			}
		if (rc[s->sil_ci] > best) {
			best = rc[s->sil_ci];
			best_i = i;
		}
	}
	if (n_lcs == 0)
		return;
	for (r = 0; r < s->n_roots; r++) {
		const struct node *nd = &s->nodes[r];
		float bs = NEG;
		int bl = -1, k;

		for (k = 0; k < n_lcs; k++) {
			float c = s->best_lc[lcs[k]][nd->ci];

			if (c > bs) {
				bs = c;
				bl = lcs[k];
			}
		}
		bs += s->cfg.lw * look(s, nd) + s->cfg.wip;
		if (bl < 0 || bs < thr)
			continue;
		enter(s, r, bs, s->best_lc_bp[bl][nd->ci],
		      s->lc_ssid[nd->ctx * n_ci + bl]);
	}
	if (best_i < 0)
		return;
	for (r = s->filler0; r < s->filler0 + s->n_filler_nodes; r++) {
		const struct node *nd = &s->nodes[r];
		float pen = nd->word == s->sil_word ? s->cfg.silpen : s->cfg.fillpen;

		if (best + pen >= thr)
			enter(s, r, best + pen, best_i, nd->ssid);
	}
}

void
sm_search_start(struct sm_search *s)
{
	struct sm_bp *b;
	int i;

	memset(s->slot, 0, sizeof *s->slot * (s->slot_mask + 1));
	s->slot_n = 0;
	s->pool_used = 0;
	for (i = 0; i < 256; i++)
		s->fhead[i] = -1;
	s->n_act = 0;
	s->n_act_next = 0;
	s->n_bp = 0;
	s->frame = -1;
	s->hmm_total = 0;
	s->oom = 0;
	if (look_init(s) != 0 || grow_bp(s) != 0) {
		s->oom = 1;
		return;
	}
	b = &s->bp[s->n_bp++];
	b->word = s->bos_word;
	b->prev = -1;
	b->sf = 0;
	b->ef = -1;
	b->score = 0;
	b->lm = 0;
	b->h1 = s->lm->bos;
	b->h2 = -1;
	b->last_ci = (int16_t)s->sil_ci;
	for (i = 0; i < s->n_ci; i++)
		s->rcs[i] = 0;
	if (s->cfg.flat) {
		if (flat_init(s) != 0) {
			s->oom = 1;
			return;
		}
		flat_start(s);
	}
	enter_words(s, 0, 1, NEG);
	s->frame = 0;
	{
		int32_t *t = s->act;

		s->act = s->nact;
		s->nact = t;
		s->n_act = s->n_act_next;
		s->n_act_next = 0;
	}
}

static void
word_end(struct sm_search *s, const struct hmm *h, const struct node *nd, float out)
{
	const struct sm_bp *p;
	struct sm_bp *b;
	int prev = h->bp[2], lmid, k = s->wbp[nd->word], r, fresh = 0;
	uint64_t mask;
	float lm, sc;
	float *rc;

	if (prev < 0)
		return;
	p = &s->bp[prev];
	lmid = s->lmid[nd->word];
	if (lmid >= 0)
		lm = s->cfg.lw * (s->lmc ? lm_cached(s, lmid, p->h1, p->h2) :
				  sm_lm_score(s->lm, lmid, p->h1, p->h2, NULL)) + s->cfg.wip;
	else
		lm = nd->word == s->sil_word ? s->cfg.silpen : s->cfg.fillpen;
	sc = lmid >= 0 ? out - (s->cfg.lw * look(s, nd) + s->cfg.wip) + lm : out;
	/* wbp is not cleared between utterances: an entry of this frame is
	 * one of this utterance's with this word */
	if (k >= s->n_bp || s->bp[k].ef != s->frame || s->bp[k].word != nd->word) {
		if (grow_bp(s) != 0) {
			s->oom = 1;
			return;
		}
		k = s->n_bp++;
		s->wbp[nd->word] = k;
		rc = s->rcs + (size_t)k * s->n_ci;
		for (r = 0; r < s->n_ci; r++)
			rc[r] = NEG;
		fresh = 1;
		if (s->cfg.flat && lmid >= 0)
			flat_note(s, nd->word, (int)(nd - s->nodes), s->bp[prev].ef + 1);
	}
	p = &s->bp[prev];
	b = &s->bp[k];
	rc = s->rcs + (size_t)k * s->n_ci;
	mask = (nd->depth > 0 && lmid >= 0) ? s->cls_mask[nd->ctx + h->cl] : ~(uint64_t)0;
	for (r = 0; r < s->n_ci; r++)
		if ((mask >> r & 1) && sc > rc[r])
			rc[r] = sc;
	if (fresh || sc > b->score) {
		b->word = nd->word;
		b->prev = prev;
		b->sf = p->ef + 1;
		b->ef = s->frame;
		b->lm = lm;
		b->score = sc;
		if (lmid >= 0) {
			b->h1 = lmid;
			b->h2 = p->h1;
			b->last_ci = s->wlast[nd->word];
		} else {
			b->h1 = p->h1;
			b->h2 = p->h2;
			b->last_ci = (int16_t)s->sil_ci;
		}
	}
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

int
sm_search_frame(struct sm_search *s, const float *sen)
{
	const uint16_t *sseq = s->sseq;
	const struct node *nodes = s->nodes;
	struct hmm *pool = s->pool;
	int32_t *act = s->act;
	float best = NEG, thr, wthr;
	int i, c, bp0, n_drop, n_act = s->n_act, next = s->frame + 1;

	if (s->oom)
		return -1;
	if (s->cfg.flat)
		memcpy(s->ring + (size_t)(s->frame % FLAT_LAG) * s->n_sen, sen,
		       sizeof *sen * s->n_sen);
	/* 1. Viterbi inside every active HMM (scattered in the pool: fetch
	 * ahead); the loops keep the search's fields in locals, reloaded
	 * where enter may have moved the pool and the lists */
	for (i = 0; i < n_act; i++) {
		struct hmm *h = &pool[act[i]];

		if (i + 8 < n_act) {
			const char *a = (const char *)&pool[act[i + 8]];

			__builtin_prefetch(a);
			__builtin_prefetch(a + sizeof *h - 1);
		}
		hmm_step(h, s->tp[h->ci], sseq, sen);
		if (h->best > best)
			best = h->best;
	}
	s->hmm_total += s->n_act;
	s->best = best;
	thr = best - s->cfg.beam;
	wthr = best - s->cfg.wbeam;
	/* 2. histogram pruning to the cap */
	if (s->cfg.maxhmm > 0 && s->n_act > s->cfg.maxhmm) {
		enum { NB = 256 };
		int cnt[NB] = { 0 }, k, sum = 0;
		float w = s->cfg.beam / NB;

		for (i = 0; i < s->n_act; i++) {
			float d = best - s->pool[s->act[i]].best;

			if (d < s->cfg.beam)
				cnt[(int)(d / w)]++;
		}
		for (k = 0; k < NB; k++) {
			sum += cnt[k];
			if (sum > s->cfg.maxhmm)
				break;
		}
		if (k < NB)
			thr = best - k * w;
	}
	/* 3. transitions and word ends; the HMMs pruned and not (yet) queued
	 * are listed in act[0, n_drop) */
	s->n_act_next = 0;
	bp0 = s->n_bp;
	n_drop = 0;
	for (i = 0; i < n_act; i++) {
		int32_t hk = act[i];
		struct hmm *h = &pool[hk];
		const struct node *nd;
		float out;

		/* an HMM further ahead, the node of one a few ahead, then its
		 * children and their slots: the tree is too big for the caches */
		if (i + 16 < n_act) {
			const char *a = (const char *)&pool[act[i + 16]];

			__builtin_prefetch(a);
			__builtin_prefetch(a + sizeof *h - 1);
		}
		if (i + 8 < n_act)
			__builtin_prefetch(&nodes[pool[act[i + 8]].node]);
		if (i + 4 < n_act) {
			const struct node *na = &nodes[pool[act[i + 4]].node];

			if (na->n_child > 0) {
				__builtin_prefetch(&nodes[na->child]);
				__builtin_prefetch(&s->slot[slot_home(na->child, s->slot_mask)]);
			}
		}
		if (h->best < thr) {
			if (h->stamp != next)
				act[n_drop++] = hk;	/* i >= n_drop: read already */
			continue;
		}
		if (h->stamp != next) {	/* keep it (activate, known slot) */
			h->stamp = next;
			s->nact[s->n_act_next++] = hk;
		}
		nd = &nodes[h->node];
		out = h->s[2] + s->tp[h->ci][5];
		if (out < thr)
			continue;
		if (nd->word >= 0) {
			if (out >= wthr)
				word_end(s, h, nd, out);
			continue;
		}
		for (c = 0; c < nd->n_child; c++) {
			int ch = nd->child + c;
			const struct node *cn = &nodes[ch];
			float sc = out + s->cfg.lw * (look(s, cn) - look(s, nd)) + s->cfg.pip;
			if (sc < thr)
				continue;
			enter(s, ch, sc, h->bp[2], cn->ssid);
			pool = s->pool;	/* the pool and the lists may have moved */
			act = s->act;
			h = &pool[hk];
		}
	}
	/* 4. new words from this frame's word ends */
	enter_words(s, bp0, s->n_bp, thr);
	/* 5. release what was pruned and not queued since, and the blocks
	 * left with no HMM in use */
	for (i = 0; i < n_drop; i++) {
		struct hmm *h = &s->pool[s->act[i]];

		if (h->stamp != s->frame + 1) {
			int b = s->act[i] - h->cl;
			struct hmm *f = &s->pool[b];

			hmm_fresh(h);
			if (--f->live == 0) {
				slot_del(s, f->node);
				f->inbp = s->fhead[f->nb];
				s->fhead[f->nb] = b;
			}
		}
	}
	{
		int32_t *t = s->act;

		s->act = s->nact;
		s->nact = t;
		s->n_act = s->n_act_next;
		s->n_act_next = 0;
	}
	if (s->cfg.flat && s->frame - (FLAT_LAG - 1) >= 0)
		flat_frame(s, s->frame - (FLAT_LAG - 1));
	s->frame++;
	return s->oom ? -1 : 0;
}

/* ---- pass 2: the flat lexicon ------------------------------------------ */
/*
 * The tree shares one HMM per node among all the words below it, so a word
 * is entered only from the predecessor that was best before its own LM
 * score was known ("thank" loses "you" to a better-scoring "banged" with a
 * far worse P(you | banged)).  Pass 2 runs FLAT_LAG frames behind pass 1
 * over separate HMM chains for the words pass 1 saw starting within
 * FLAT_WIN frames, and enters each word from the predecessor that is best
 * with the word's own trigram score, as pocketsphinx's fwdflat pass does.
 * It writes its own backpointer table, which then replaces pass 1's.
 */

static int
flat_init(struct sm_search *s)
{
	if (s->ring)
		return 0;
	/* zeroed: 0 is "none" */
	s->fwi = sm_big_alloc(sizeof *s->fwi * (s->n_words ? s->n_words : 1));
	s->wbp2 = sm_big_alloc(sizeof *s->wbp2 * s->n_words);
	s->ring = sm_big_alloc(sizeof *s->ring * (size_t)FLAT_LAG * s->n_sen);
	s->lmc = sm_big_alloc(sizeof *s->lmc * LMC_SIZE);
	if (!s->fwi || !s->wbp2 || !s->ring || !s->lmc)
		return -1;
	return 0;
}

static float
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
	return c->p;
}

/* The tree nodes from the root down to leaf (depth d): path[0..d-1].
 * A node's subtree lies between its child block and the next sibling's.
 * -1 if a node of an image on the way fails node_ok. */
static int
tree_path(const struct sm_search *s, int leaf, int d, int32_t *path)
{
	int a = 0, n = s->n_roots, k, i;

	for (k = 0; k < d; k++) {
		if (n <= 0 || a < 0 || a + n > s->n_nodes)	/* a damaged image */
			return -1;
		for (i = a + n - 1; i >= a; i--)
			if (s->nodes[i].n_child > 0 && s->nodes[i].child <= leaf)
				break;
		if (i < a)	/* not reached with a consistent tree */
			i = a;
		if (s->map && i >= s->n_roots && !node_ok(s, i))
			return -1;
		path[k] = i;
		a = s->nodes[i].child;
		n = s->nodes[i].n_child;
	}
	return 0;
}

static void
flat_reset(struct sm_search *s)
{
	int i;

	for (i = 0; i < s->n_fw; i++) {
		free(s->fw[i].pathp);
		free(s->fw[i].h);
		if (s->fwi)
			s->fwi[s->fw[i].word] = 0;
	}
	s->n_fw = 0;
}

static void
hmm_clear(struct hmm *h)
{
	h->s[0] = h->s[1] = h->s[2] = NEG;
	h->bp[0] = h->bp[1] = h->bp[2] = -1;
	h->ss[0] = h->ss[1] = h->ss[2] = 0;
	h->in = h->best = NEG;
	h->inbp = -1;
	h->inss = 0;
}

/* Word w may start in pass 2 within FLAT_WIN frames of sf. */
static void
flat_note(struct sm_search *s, int w, int leaf, int sf)
{
	struct fword *f;
	int i, n;

	if (s->fwi[w] > 0) {
		f = &s->fw[s->fwi[w] - 1];
		if (sf - FLAT_WIN < f->lo)
			f->lo = sf - FLAT_WIN;
		if (sf + FLAT_WIN > f->hi)
			f->hi = sf + FLAT_WIN;
		return;
	}
	if (s->n_fw == s->fw_cap) {
		int c = s->fw_cap ? 2 * s->fw_cap : 256;
		struct fword *q = realloc(s->fw, sizeof *q * c);

		if (q == NULL) {
			s->oom = 1;
			return;
		}
		s->fw = q;
		s->fw_cap = c;
	}
	f = &s->fw[s->n_fw];
	memset(f, 0, sizeof *f);
	f->word = w;
	f->leaf0 = leaf;
	f->n_phone = s->nodes[leaf].depth + 1;
	f->lo = sf - FLAT_WIN;
	f->hi = s->lmid[w] < 0 ? 0x7fffffff : sf + FLAT_WIN;
	/* the leaf's right-context copies */
	n = s->nodes[leaf].ncls;
	f->n_hmm = f->n_phone - 1 + n;
	f->pathp = malloc(sizeof *f->pathp * f->n_phone);
	f->h = malloc(sizeof *f->h * f->n_hmm);
	if (f->pathp == NULL || f->h == NULL) {
		free(f->pathp);
		free(f->h);
		s->oom = 1;
		return;
	}
	if (tree_path(s, leaf, f->n_phone - 1, f->pathp) != 0)
		s->corrupt = 1;
	if (s->map && !s->corrupt && !node_ok(s, leaf))
		s->corrupt = 1;
	if (s->corrupt) {
		free(f->pathp);
		free(f->h);
		s->oom = 1;
		return;
	}
	for (i = 0; i < f->n_hmm; i++)
		hmm_clear(&f->h[i]);
	s->fwi[w] = ++s->n_fw;
}

static int
grow_bp2(struct sm_search *s)
{
	if (s->n_bp2 == s->bp2_cap) {
		int c = s->bp2_cap ? 2 * s->bp2_cap : 4096;
		struct sm_bp *q = sm_big_realloc(s->bp2, sizeof *q * c);
		float *r;

		if (q == NULL)
			return -1;
		s->bp2 = q;
		r = sm_big_realloc(s->rcs2, sizeof *r * c * s->n_ci);
		if (r == NULL)
			return -1;
		s->rcs2 = r;
		s->bp2_cap = c;
	}
	return 0;
}

/* Word end in pass 2: the LM score was added when the word was entered. */
static void
flat_word_end(struct sm_search *s, int w, int node, int cl, int prev, float out, int t)
{
	const struct sm_bp *p;
	struct sm_bp *b;
	int lmid = s->lmid[w], k = s->wbp2[w], r, fresh = 0;
	const struct node *nd = &s->nodes[node];
	uint64_t mask;
	float *rc;

	if (prev < 0)
		return;
	if (k < 0 || s->bp2[k].ef != t) {
		if (grow_bp2(s) != 0) {
			s->oom = 1;
			return;
		}
		k = s->n_bp2++;
		s->wbp2[w] = k;
		rc = s->rcs2 + (size_t)k * s->n_ci;
		for (r = 0; r < s->n_ci; r++)
			rc[r] = NEG;
		fresh = 1;
	}
	p = &s->bp2[prev];
	b = &s->bp2[k];
	rc = s->rcs2 + (size_t)k * s->n_ci;
	mask = (nd->depth > 0 && lmid >= 0) ? s->cls_mask[nd->ctx + cl] : ~(uint64_t)0;
	for (r = 0; r < s->n_ci; r++)
		if ((mask >> r & 1) && out > rc[r])
			rc[r] = out;
	if (fresh || out > b->score) {
		b->word = w;
		b->prev = prev;
		b->sf = p->ef + 1;
		b->ef = t;
		b->score = out;
		if (w == s->eos_word) {
			b->word = s->sil_word;
			b->lm = s->cfg.flw * sm_lm_score(s->lm, s->lm->eos, p->h1, p->h2, NULL) +
				s->cfg.wip;
			b->h1 = p->h1;
			b->h2 = p->h2;
			b->last_ci = (int16_t)s->sil_ci;
		} else if (lmid >= 0) {
			b->lm = s->cfg.flw * lm_cached(s, lmid, p->h1, p->h2) + s->cfg.wip;
			b->h1 = lmid;
			b->h2 = p->h1;
			b->last_ci = s->wlast[w];
		} else {
			b->lm = w == s->sil_word ? s->cfg.silpen : s->cfg.fillpen;
			b->h1 = p->h1;
			b->h2 = p->h2;
			b->last_ci = (int16_t)s->sil_ci;
		}
	}
}

static void
flat_enter(struct hmm *h, float sc, int bp, int ss)
{
	if (sc > h->in) {
		h->in = sc;
		h->inbp = bp;
		h->inss = ss;
	}
}

/* The node of HMM i of word f, and which of the node's HMMs it is. */
static int
fnode(const struct fword *f, int i)
{
	return i < f->n_phone - 1 ? f->pathp[i] : f->leaf0;
}

static int
fcl(const struct fword *f, int i)
{
	return i < f->n_phone - 1 ? 0 : i - (f->n_phone - 1);
}

/* The senone sequence of HMM i of word f (not a root's). */
static int
fssid(const struct sm_search *s, const struct fword *f, int i)
{
	const struct node *nd = &s->nodes[fnode(f, i)];

	return fcl(f, i) ? s->cls_ssid[nd->ctx + fcl(f, i)] : nd->ssid;
}

/* Enter words at frame t + 1 from the pass-2 word ends bp2[a..e) at t. */
static void
flat_enter_words(struct sm_search *s, int a, int e, int t, float thr)
{
	int n_ci = s->n_ci, i, j, k, best_i = -1;
	int eosk = s->eos_word >= 0 ? s->wbp2[s->eos_word] : -1;	/* ends nothing */
	float best = NEG, bestrc[MAXCI];

	if (a == e)
		return;
	for (j = 0; j < n_ci; j++)
		bestrc[j] = NEG;
	for (k = a; k < e; k++) {
		const float *rc = s->rcs2 + (size_t)k * n_ci;

		for (j = 0; j < n_ci; j++)
			if (rc[j] > bestrc[j])
				bestrc[j] = rc[j];
		if (rc[s->sil_ci] > best && k != eosk) {
			best = rc[s->sil_ci];
			best_i = k;
		}
	}
	for (i = 0; i < s->n_fw; i++) {
		struct fword *f = &s->fw[i];
		int w = f->word, lmid = w == s->eos_word ? s->lm->eos : s->lmid[w];
		int root = fnode(f, 0), p0;
		const struct node *rn = &s->nodes[root];
		float bs = NEG, sc;
		int bk = -1;

		if (t + 1 < f->lo || t + 1 > f->hi)
			continue;
		if (lmid < 0) {	/* a filler: from the best word end */
			float pen = w == s->sil_word ? s->cfg.silpen : s->cfg.fillpen;

			if (best_i >= 0 && best + pen >= thr) {
				flat_enter(&f->h[0], best + pen, best_i, rn->ssid);
				f->live = 1;
			}
			continue;
		}
		p0 = rn->ci;
		if (bestrc[p0] + s->cfg.wip < thr)
			continue;
		for (k = a; k < e; k++) {
			const struct sm_bp *b = &s->bp2[k];
			float r = s->rcs2[(size_t)k * n_ci + p0];

			if (r + s->cfg.wip < thr || r <= bs || k == eosk)
				continue;
			sc = r + s->cfg.flw * lm_cached(s, lmid, b->h1, b->h2);
			if (sc > bs) {
				bs = sc;
				bk = k;
			}
		}
		if (bk < 0)
			continue;
		bs += s->cfg.wip;
		if (bs < thr)
			continue;
		flat_enter(&f->h[0], bs, bk, w == s->eos_word ? rn->ssid :
			   s->lc_ssid[rn->ctx * n_ci + s->bp2[bk].last_ci]);
		f->live = 1;
	}
}

static void
flat_start(struct sm_search *s)
{
	struct sm_bp *b;
	int i;

	flat_reset(s);
	s->t2 = 0;
	s->n_bp2 = 0;
	s->hmm2_total = 0;
	for (i = 0; i < s->n_words; i++)
		s->wbp2[i] = -1;
	for (i = s->filler0; i < s->filler0 + s->n_filler_nodes; i++) {
		flat_note(s, s->nodes[i].word, i, 0);
		if (s->nodes[i].word == s->sil_word && s->eos_word >= 0)
			flat_note(s, s->eos_word, i, 0);
	}
	if (grow_bp2(s) != 0) {
		s->oom = 1;
		return;
	}
	b = &s->bp2[s->n_bp2++];
	*b = s->bp[0];
	for (i = 0; i < s->n_ci; i++)
		s->rcs2[i] = 0;
}

/* One frame of pass 2. */
static void
flat_frame(struct sm_search *s, int t)
{
	const float *sen = s->ring + (size_t)(t % FLAT_LAG) * s->n_sen;
	float best = NEG, thr, wthr;
	int i, j, bp0;

	if (t == 0)
		flat_enter_words(s, 0, 1, -1, NEG);
	for (i = 0; i < s->n_fw; i++) {
		struct fword *f = &s->fw[i];

		if (!f->live)
			continue;
		for (j = 0; j < f->n_hmm; j++) {
			struct hmm *h = &f->h[j];

			if (h->in <= NEG && h->best <= NEG)
				continue;
			hmm_step(h, s->tp[s->nodes[fnode(f, j)].ci], s->sseq, sen);
			s->hmm2_total++;
			if (h->best > best)
				best = h->best;
		}
	}
	thr = best - s->cfg.fbeam;
	wthr = best - s->cfg.wbeam;
	bp0 = s->n_bp2;
	for (i = 0; i < s->n_fw; i++) {
		struct fword *f = &s->fw[i];
		int last = f->n_phone - 1, live = 0;

		if (!f->live)
			continue;
		for (j = 0; j < f->n_hmm; j++) {
			struct hmm *h = &f->h[j];
			int node = fnode(f, j), c;
			float out;

			if (h->best <= NEG && h->in <= NEG)
				continue;
			if (h->best < thr) {
				if (h->in <= NEG)
					hmm_clear(h);
				else
					live = 1;
				continue;
			}
			live = 1;
			out = h->s[2] + s->tp[s->nodes[node].ci][5];
			if (out < thr)
				continue;
			if (j >= last) {
				if (out >= wthr)
					flat_word_end(s, f->word, node, fcl(f, j), h->bp[2], out, t);
			} else if (j + 1 < last) {
				flat_enter(&f->h[j + 1], out + s->cfg.pip, h->bp[2],
					   fssid(s, f, j + 1));
			} else {
				for (c = last; c < f->n_hmm; c++)
					flat_enter(&f->h[c], out + s->cfg.pip, h->bp[2],
						   fssid(s, f, c));
			}
		}
		f->live = live;
	}
	flat_enter_words(s, bp0, s->n_bp2, t, thr);
	/* drop words that can no longer start and have nothing alive */
	for (i = 0; i < s->n_fw; i++) {
		struct fword *f = &s->fw[i];

		if (f->hi < t + 2 && !f->live) {
			free(f->pathp);
			free(f->h);
			s->fwi[f->word] = 0;
			*f = s->fw[--s->n_fw];
			if (i < s->n_fw)
				s->fwi[f->word] = i + 1;
			i--;
		}
	}
	s->t2 = t + 1;
}

int
sm_search_finish(struct sm_search *s, float *final_score)
{
	int i, best_i = -1, ef = -2;
	float best = NEG;

	s->use2 = 0;
	if (s->cfg.flat && !s->oom) {
		for (i = s->t2; i < s->frame; i++)
			flat_frame(s, i);
		for (i = s->n_bp2 - 1; i > 0; i--)
			if (s->bp2[i].ef > ef)
				ef = s->bp2[i].ef;
		for (i = 1; i < s->n_bp2; i++) {
			const struct sm_bp *b = &s->bp2[i];
			float sc;

			if (b->ef != ef || (s->eos_word >= 0 && i == s->wbp2[s->eos_word]))
				continue;
			sc = b->score + s->cfg.flw * sm_lm_score(s->lm, s->lm->eos, b->h1, b->h2,
								  NULL);
			if (sc > best) {
				best = sc;
				best_i = i;
			}
		}
		/* a final pause entered as </s> */
		if (s->eos_word >= 0 && (i = s->wbp2[s->eos_word]) > 0 && s->bp2[i].ef == ef &&
		    s->bp2[i].score > best) {
			best = s->bp2[i].score;
			best_i = i;
		}
		if (best_i > 0 && !s->oom) {
			s->use2 = 1;
			if (final_score)
				*final_score = best;
			return best_i;
		}
		best_i = -1;
		best = NEG;
		ef = -2;
	}
	/* the latest frame with word ends */
	for (i = s->n_bp - 1; i > 0; i--)
		if (s->bp[i].ef > ef)
			ef = s->bp[i].ef;
	for (i = 1; i < s->n_bp; i++) {
		const struct sm_bp *b = &s->bp[i];
		float sc;

		if (b->ef != ef)
			continue;
		sc = b->score + s->cfg.lw * sm_lm_score(s->lm, s->lm->eos, b->h1, b->h2, NULL);
		if (sc > best) {
			best = sc;
			best_i = i;
		}
	}
	if (final_score)
		*final_score = best;
	return best_i;
}

const struct sm_bp *
sm_search_bps(const struct sm_search *s, int *n)
{
	if (s->use2) {
		*n = s->n_bp2;
		return s->bp2;
	}
	*n = s->n_bp;
	return s->bp;
}

int
sm_search_frames(const struct sm_search *s)
{
	return s->frame < 0 ? 0 : s->frame;
}

void
sm_search_stats(const struct sm_search *s, struct sm_search_stats *st)
{
	st->nodes = s->n_nodes;
	st->roots = s->n_roots;
	st->hmm_per_frame = s->frame > 0 ? (double)s->hmm_total / s->frame : 0;
	st->bp = s->use2 ? s->n_bp2 : s->n_bp;
}

const char *
sm_search_word(const struct sm_search *s, int word, int *len, int *kind)
{
	if (word < 0 || word >= s->n_words) {
		*len = 0;
		*kind = 2;
		return "";
	}
	*kind = s->wkind[word];
	if ((uint64_t)s->woff[word] + s->wlen[word] >= s->text_len) {	/* a damaged image */
		*len = 0;
		return "";
	}
	*len = s->wlen[word];
	return s->text + s->woff[word];
}

/* ---- the pack image ----------------------------------------------------
 * The shared prefix (image.h), the counts and transition probabilities,
 * then the sections, each at an 8-byte boundary of the body. */

enum { S_NODES, S_LC, S_CLS, S_LMID, S_WLAST, S_WKIND, S_WLEN, S_WOFF, S_TEXT, S_SSEQ,
       S_CLSSID, S_N };

struct img_hdr {
	struct sm_image_hdr im;
	uint32_t node_size, pad;
	int32_t n_ci, sil_ci, bos_word, eos_word, sil_word, n_roots, filler0,
		n_filler_nodes, n_nodes, n_words, n_lc_rows, n_cls, n_sseq, n_sen;
	float tp[MAXCI][6];
	uint64_t off[S_N], len[S_N];	/* sections, from the start of the file */
};

/* Where tests/search_image.py finds them. */
_Static_assert(offsetof(struct img_hdr, node_size) == 128 &&
	       offsetof(struct img_hdr, n_roots) == 156 &&
	       offsetof(struct img_hdr, tp) == 192 &&
	       offsetof(struct img_hdr, off) == 1728, "search image header moved");

static const struct sm_image_kind_desc img_kind = {
	SM_IMAGE_SEARCH, 5, sizeof(struct img_hdr)
};

static size_t
text_len(const struct sm_search *s)
{
	size_t n = 0;
	int i;

	for (i = 0; i < s->n_words; i++)
		if (s->woff[i] + (size_t)s->wlen[i] + 1 > n)
			n = s->woff[i] + (size_t)s->wlen[i] + 1;
	return n;
}

int
sm_search_save(const struct sm_search *s, const char *path,
	       const uint64_t fp[SM_IMAGE_FP], char *err, size_t errlen)
{
	struct img_hdr h;
	const void *ptr[S_N];
	uint64_t off, first = sm_image_body_off(sizeof h);
	unsigned char *body;
	int i, rc;

	memset(&h, 0, sizeof h);
	h.im.kind = img_kind.kind;
	h.im.version = img_kind.version;
	memcpy(h.im.fp, fp, sizeof h.im.fp);
	h.node_size = sizeof(struct node);
	h.n_ci = s->n_ci;
	h.sil_ci = s->sil_ci;
	h.bos_word = s->bos_word;
	h.eos_word = s->eos_word;
	h.sil_word = s->sil_word;
	h.n_roots = s->n_roots;
	h.filler0 = s->filler0;
	h.n_filler_nodes = s->n_filler_nodes;
	h.n_nodes = s->n_nodes;
	h.n_words = s->n_words;
	h.n_lc_rows = s->n_lc_rows;
	h.n_cls = s->n_cls;
	h.n_sseq = s->n_sseq;
	h.n_sen = s->n_sen;
	memcpy(h.tp, s->tp, sizeof h.tp);
	ptr[S_NODES] = s->nodes;	h.len[S_NODES] = sizeof(struct node) * (uint64_t)s->n_nodes;
	ptr[S_LC] = s->lc_ssid;		h.len[S_LC] = 4ull * s->n_lc_rows * s->n_ci;
	ptr[S_CLS] = s->cls_mask;	h.len[S_CLS] = 8ull * s->n_cls;
	ptr[S_LMID] = s->lmid;		h.len[S_LMID] = 4ull * s->n_words;
	ptr[S_WLAST] = s->wlast;	h.len[S_WLAST] = s->n_words;
	ptr[S_WKIND] = s->wkind;	h.len[S_WKIND] = s->n_words;
	ptr[S_WLEN] = s->wlen;		h.len[S_WLEN] = 2ull * s->n_words;
	ptr[S_WOFF] = s->woff;		h.len[S_WOFF] = 4ull * s->n_words;
	ptr[S_TEXT] = s->text;		h.len[S_TEXT] = text_len(s);
	ptr[S_SSEQ] = s->sseq;		h.len[S_SSEQ] = 2ull * s->n_sseq * 3;
	ptr[S_CLSSID] = s->cls_ssid;	h.len[S_CLSSID] = 4ull * s->n_cls;
	off = first;
	for (i = 0; i < S_N; i++) {
		h.off[i] = off;
		off = (off + h.len[i] + 7) & ~7ull;
	}
	/* the sections with their padding, in one block */
	body = calloc(1, off - first);
	if (body == NULL)
		return snprintf(err, errlen, "%s: out of memory", path), -1;
	for (i = 0; i < S_N; i++)
		if (h.len[i] > 0)
			memcpy(body + (h.off[i] - first), ptr[i], h.len[i]);
	rc = sm_image_write(path, &h.im, sizeof h, body, off - first, err, errlen);
	free(body);
	return rc;
}

/* The start-up check: the header's counts and the small tables the
 * search indexes, the roots and the fillers.  Other nodes are checked by
 * node_ok where the search first reaches them. */
static int
img_check(const struct sm_search *s, const struct sm_lm *lm)
{
	int i;

	if (s->n_ci <= 0 || s->n_ci > MAXCI || s->sil_ci < 0 || s->sil_ci >= s->n_ci ||
	    s->n_roots < 0 || s->n_roots > s->filler0 || s->filler0 < 0 ||
	    s->n_filler_nodes < 0 || s->filler0 + s->n_filler_nodes != s->n_nodes ||
	    s->bos_word < 0 || s->bos_word >= s->n_words ||
	    s->sil_word < -1 || s->sil_word >= s->n_words ||
	    s->eos_word < -1 || s->eos_word >= s->n_words || s->n_sen <= 0 ||
	    s->text_len == 0 || s->text[s->text_len - 1] != 0)
		return -1;
	for (i = 0; i < s->n_sseq * 3; i++)
		if (s->sseq[i] >= s->n_sen)
			return -1;
	for (i = 0; i < s->n_lc_rows * s->n_ci; i++)
		if (s->lc_ssid[i] < 0 || s->lc_ssid[i] >= s->n_sseq)
			return -1;
	for (i = 0; i < s->n_cls; i++)
		if (s->cls_ssid[i] < 0 || s->cls_ssid[i] >= s->n_sseq)
			return -1;
	for (i = 0; i < s->n_words; i++)
		if (s->wlast[i] < 0 || s->wlast[i] >= s->n_ci || s->wkind[i] > 2 ||
		    s->lmid[i] < -1 || (s->lmid[i] >= 0 && (uint32_t)s->lmid[i] >= lm->n_words))
			return -1;
	for (i = 0; i < s->n_roots; i++)
		if (!node_ok(s, i))
			return -1;
	for (i = s->filler0; i < s->n_nodes; i++)
		if (!node_ok(s, i))
			return -1;
	return 0;
}

int
sm_search_check(const struct sm_search *s, const char *path, char *err, size_t errlen)
{
	int i;

	if (s->map == NULL)
		return 0;
	if (sm_image_check_sum(&s->img, path, err, errlen) != 0)
		return -1;
	for (i = 0; i < s->n_nodes; i++)
		if (!node_ok(s, i)) {
			snprintf(err, errlen, "%s: corrupt search image: node %d has an "
				 "index out of range", path, i);
			return -1;
		}
	for (i = 0; i < s->n_words; i++)
		if ((uint64_t)s->woff[i] + s->wlen[i] + 1 > s->text_len ||
		    s->text[s->woff[i] + s->wlen[i]] != 0) {
			snprintf(err, errlen, "%s: corrupt search image: the spelling of "
				 "word %d is out of its table", path, i);
			return -1;
		}
	return 0;
}

struct sm_search *
sm_search_open(const char *path, const struct sm_lm *lm, const struct sm_search_cfg *cfg,
	       const uint64_t fp[SM_IMAGE_FP], char *err, size_t errlen)
{
	struct sm_search *s;
	struct sm_image img;
	struct img_hdr h;
	const unsigned char *map;
	uint64_t total;
	int i;

	if (sm_image_open(&img, path, &img_kind, fp, 0, err, errlen) != 0)
		return NULL;
	map = img.map;
	total = img.size;
	memcpy(&h, map, sizeof h);
	if (h.node_size != sizeof(struct node)) {
		snprintf(err, errlen, "%s: search image of another build (nodes of %u "
			 "bytes, this program's are %zu)", path, h.node_size,
			 sizeof(struct node));
		sm_image_close(&img);
		return NULL;
	}
	if (h.n_nodes < 0 || h.n_words < 0 ||
	    h.n_lc_rows < 0 || h.n_cls < 0 || h.n_sseq < 0 ||
	    h.len[S_NODES] != sizeof(struct node) * (uint64_t)h.n_nodes ||
	    h.len[S_LC] != 4ull * h.n_lc_rows * (uint64_t)(h.n_ci > 0 ? h.n_ci : 0) ||
	    h.len[S_CLS] != 8ull * h.n_cls || h.len[S_LMID] != 4ull * h.n_words ||
	    h.len[S_WLAST] != (uint64_t)h.n_words || h.len[S_WKIND] != (uint64_t)h.n_words ||
	    h.len[S_WLEN] != 2ull * h.n_words || h.len[S_WOFF] != 4ull * h.n_words ||
	    h.len[S_SSEQ] != 6ull * h.n_sseq || h.len[S_CLSSID] != 4ull * h.n_cls)
		goto corrupt;
	for (i = 0; i < S_N; i++)
		if (h.off[i] % 8 || h.off[i] < sizeof h || h.off[i] > total ||
		    h.len[i] > total - h.off[i])
			goto corrupt;
	s = calloc(1, sizeof *s);
	if (s == NULL) {
		sm_image_close(&img);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	s->img = img;
	s->map = map;
	s->lm = lm;
	s->cfg = *cfg;
	s->n_ci = h.n_ci;
	s->sil_ci = h.sil_ci;
	s->bos_word = h.bos_word;
	s->eos_word = h.eos_word;
	s->sil_word = h.sil_word;
	s->n_roots = h.n_roots;
	s->filler0 = h.filler0;
	s->n_filler_nodes = h.n_filler_nodes;
	s->n_nodes = h.n_nodes;
	s->n_words = h.n_words;
	s->n_lc_rows = h.n_lc_rows;
	s->n_cls = h.n_cls;
	s->n_sseq = h.n_sseq;
	s->n_sen = h.n_sen;
	memcpy(s->tp, h.tp, sizeof s->tp);
	/* The image is read-only: the search never writes through these. */
	s->nodes = (struct node *)(map + h.off[S_NODES]);
	s->lc_ssid = (int32_t *)(map + h.off[S_LC]);
	s->cls_mask = (uint64_t *)(map + h.off[S_CLS]);
	s->lmid = (int32_t *)(map + h.off[S_LMID]);
	s->wlast = (int8_t *)(map + h.off[S_WLAST]);
	s->wkind = (uint8_t *)(map + h.off[S_WKIND]);
	s->wlen = (uint16_t *)(map + h.off[S_WLEN]);
	s->woff = (uint32_t *)(map + h.off[S_WOFF]);
	s->text = (char *)(map + h.off[S_TEXT]);
	s->sseq = (const uint16_t *)(map + h.off[S_SSEQ]);
	s->cls_ssid = (int32_t *)(map + h.off[S_CLSSID]);
	s->text_len = h.len[S_TEXT];
	if (img_check(s, lm) != 0) {
		sm_search_free(s);
		snprintf(err, errlen, "%s: corrupt search image", path);
		return NULL;
	}
	s->wbp = sm_big_alloc(sizeof *s->wbp * (s->n_words ? s->n_words : 1));
	if (slot_init(s) != 0 || s->wbp == NULL) {
		sm_search_free(s);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
#ifdef MADV_POPULATE_READ
	/* Map the sections the search reads in one call rather than a page
	 * fault at a time (the spellings are read only for the output). */
	(void)madvise((void *)map, h.off[S_WKIND], MADV_POPULATE_READ);
	{
		uint64_t at = h.off[S_SSEQ] & ~(uint64_t)4095;	/* page-aligned */

		(void)madvise((void *)(map + at), total - at, MADV_POPULATE_READ);
	}
#endif
	return s;
corrupt:
	sm_image_close(&img);
	snprintf(err, errlen, "%s: corrupt search image", path);
	return NULL;
}

int
sm_search_n_senones(const struct sm_search *s)
{
	return s->n_sen;
}

/* ---- queries for segmenting long input --------------------------------- */

int
sm_search_best_kind(const struct sm_search *s)
{
	const struct hmm *b = NULL;
	int i;

	/* the best HMM of the last frame survived pruning, so it is queued */
	for (i = 0; i < s->n_act; i++) {
		const struct hmm *h = &s->pool[s->act[i]];

		if (b == NULL || h->best > b->best)
			b = h;
	}
	if (b == NULL || b->best <= NEG)
		return -1;
	if (b->node < s->filler0 || b->node >= s->filler0 + s->n_filler_nodes)
		return 0;
	return s->wkind[s->nodes[b->node].word];
}

int
sm_search_sil_senones(const struct sm_search *s, int sen[3])
{
	int r, k;

	for (r = s->filler0; r < s->filler0 + s->n_filler_nodes; r++)
		if (s->nodes[r].word == s->sil_word) {
			for (k = 0; k < 3; k++)
				sen[k] = s->sseq[s->nodes[r].ssid * 3 + k];
			return 0;
		}
	return -1;
}

int
sm_search_corrupt(const struct sm_search *s)
{
	return s->corrupt;
}

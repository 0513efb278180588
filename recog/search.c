/* search.c: the search's public functions, the backpointer table both
 * passes write, and pass 1, the Viterbi beam search over the lexicon tree
 * (see search.h, search_int.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mdef.h"
#include "search_int.h"
#include "sm.h"

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
void
sm_search_free(struct sm_search *s)
{
	if (s == NULL)
		return;
	if (s->map)
		sm_image_close(&s->img);
	if (s->own) {		/* an image's, copied for a custom vocabulary */
		sm_big_free(s->lmid);
		sm_big_free(s->wlast);
		sm_big_free(s->wkind);
		sm_big_free(s->wlen);
		sm_big_free(s->woff);
		sm_big_free(s->text);
		sm_big_free(s->nodes);
	} else if (!s->map) {
		free(s->lmid);
		free(s->wlast);
		free(s->wkind);
		free(s->wlen);
		free(s->woff);
		free(s->text);
		free(s->nodes);
	}
	if (!s->map || s->own) {
		free(s->lc_ssid);
		free(s->cls_mask);
		free(s->cls_ssid);
	}
	free(s->rc_ssid);
	sm_search_release(s);	/* before fw and fwi, which flat_reset reads */
	free(s->hist);
	free(s->row_cls);
	free(s->row_ncls);
	free(s->fw);
	sm_big_free(s->fwi);
	free(s->la);
	free(s);
}

void
sm_search_release(struct sm_search *s)
{
	sm_big_free(s->pool);
	sm_big_free(s->slot);
	sm_big_free(s->act);
	sm_big_free(s->nact);
	bptab_free(&s->p1);
	flat_reset(s);
	sm_big_free(s->ring);
	sm_big_free(s->lmc);
	bptab_free(&s->p2);
	s->pool = NULL;
	s->slot = NULL;
	s->act = NULL;
	s->nact = NULL;
	s->ring = NULL;
	s->lmc = NULL;
	memset(&s->p1, 0, sizeof s->p1);
	memset(&s->p2, 0, sizeof s->p2);
	s->released = 1;
}

void
sm_search_set_cache(struct sm_search *s, const struct sm_cache *c)
{
	s->cache = c;
}

int
sm_search_lmid(const struct sm_search *s, int word)
{
	return word >= 0 && word < s->n_words ? s->lmid[word] : -1;
}

int
sm_search_n_words(const struct sm_search *s)
{
	return s->n_words;
}

int
sm_search_ciphone(const struct sm_search *s, const char *name)
{
	int i;

	if (s->ciname == NULL)		/* built in memory */
		return sm_mdef_ciphone(s->m, name);
	for (i = 0; i < s->n_ci; i++)
		if (strncmp(s->ciname + (size_t)i * SM_CINAME, name, SM_CINAME) == 0)
			return i;
	return -1;
}

/* ---- pass 1: the tree ------------------------------------------------- */

/* ---- the backpointer table of either pass ------------------------------ */

int
bptab_init(struct bptab *t, int n_words)
{
	t->wbp = sm_big_alloc(sizeof *t->wbp * (n_words ? n_words : 1));
	return t->wbp == NULL ? -1 : 0;
}

void
bptab_free(struct bptab *t)
{
	sm_big_free(t->bp);
	sm_big_free(t->rcs);
	sm_big_free(t->wbp);
}

/* Room for one more entry. */
static int
bptab_grow(struct bptab *t, int n_ci)
{
	if (t->n == t->cap) {
		int c = t->cap ? 2 * t->cap : 4096;
		struct sm_bp *q = sm_big_realloc(t->bp, sizeof *q * c);
		float *r;

		if (q == NULL)
			return -1;
		t->bp = q;
		r = sm_big_realloc(t->rcs, sizeof *r * c * n_ci);
		if (r == NULL)
			return -1;
		t->rcs = r;
		t->cap = c;
	}
	return 0;
}

/* The start entry of an empty table, 0 for every right context (NULL if
 * out of memory); the caller fills it in. */
struct sm_bp *
bptab_first(struct bptab *t, int n_ci)
{
	int i;

	if (bptab_grow(t, n_ci) != 0)
		return NULL;
	for (i = 0; i < n_ci; i++)
		t->rcs[i] = 0;
	return &t->bp[t->n++];
}

/* A new entry for word w, the word's entry of this frame, with no right
 * context reached yet: its index, or -1 if out of memory. */
int
bptab_new(struct bptab *t, int w, int n_ci)
{
	float *rc;
	int k, r;

	if (bptab_grow(t, n_ci) != 0)
		return -1;
	k = t->n++;
	t->wbp[w] = k;
	rc = t->rcs + (size_t)k * n_ci;
	for (r = 0; r < n_ci; r++)
		rc[r] = NEG;
	return k;
}

/* Entry k reached with score sc from copy cl of node nd: raise its scores
 * of the right contexts that copy stands for (all for a word of one phone
 * and for a filler). */
void
bptab_raise(const struct sm_search *s, struct bptab *t, int k, const struct node *nd,
	    int cl, int lmid, float sc)
{
	float *rc = t->rcs + (size_t)k * s->n_ci;
	uint64_t mask;
	int r;

	mask = (nd->depth > 0 && lmid >= 0) ? s->cls_mask[nd->ctx + cl] : ~(uint64_t)0;
	for (r = 0; r < s->n_ci; r++)
		if ((mask >> r & 1) && sc > rc[r])
			rc[r] = sc;
}

/* Entry b: word w ending at frame ef with score sc, reached from entry
 * prev (p).  A word of the LM (lmid >= 0) moves the LM history on, a
 * filler leaves it and is followed as a pause.  The caller sets b->lm. */
void
bptab_set(const struct sm_search *s, struct sm_bp *b, const struct sm_bp *p, int prev,
	  int w, int lmid, int ef, float sc)
{
	b->word = w;
	b->prev = prev;
	b->sf = p->ef + 1;
	b->ef = ef;
	b->score = sc;
	if (lmid >= 0) {
		b->h1 = lmid;
		b->h2 = p->h1;
		b->last_ci = s->wlast[w];
	} else {
		b->h1 = p->h1;
		b->h2 = p->h2;
		b->last_ci = (int16_t)s->sil_ci;
	}
}

/* Of the entries [a, e) but skip, the one best followed by phone ci (best
 * its score), or -1 if none. */
int
bptab_best_rc(const struct bptab *t, int a, int e, int n_ci, int ci, int skip, float *best)
{
	int k, bk = -1;
	float b = NEG;

	for (k = a; k < e; k++)
		if (t->rcs[(size_t)k * n_ci + ci] > b && k != skip) {
			b = t->rcs[(size_t)k * n_ci + ci];
			bk = k;
		}
	*best = b;
	return bk;
}

/* Of the entries but skip that end at the latest frame (ef), the best
 * with </s> after it at language weight lw (best its score), or -1. */
int
bptab_final(const struct sm_search *s, const struct bptab *t, float lw, int skip, int *ef,
	    float *best)
{
	int i, k = -1, last = -2;
	float bs = NEG;

	for (i = t->n - 1; i > 0; i--)
		if (t->bp[i].ef > last)
			last = t->bp[i].ef;
	for (i = 1; i < t->n; i++) {
		const struct sm_bp *b = &t->bp[i];
		float sc;

		if (b->ef != last || i == skip)
			continue;
		sc = b->score + lw * sm_lm_score(s->lm, s->lm->eos, b->h1, b->h2, NULL);
		if (sc > bs) {
			bs = sc;
			k = i;
		}
	}
	*ef = last;
	*best = bs;
	return k;
}

int
search_slot_init(struct sm_search *s)
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

_Static_assert(sizeof(struct hmm) == 64, "an HMM of the pool fills one cache line");

/* An unused HMM of the pool: no scores, not queued. */
static inline void
hmm_fresh(struct hmm *h)
{
	hmm_clear(h);
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

		if (s->map && !search_node_ok(s, node)) {
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
				h->inss = (uint16_t)ssid;
			}
			/* copies 1.. of a leaf: their own sequences */
			ssid = cl + 1 < n ? cs[cl + 1] : ssid;
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

/* Start words from the word ends p1.bp[a..e) (all at one frame). */
static void
enter_words(struct sm_search *s, int a, int e, float thr)
{
	int n_ci = s->n_ci, i, r, lc, p;
	int lcs[MAXCI], n_lcs = 0, best_i, best_ci_lc[MAXCI];
	float best, best_ci[MAXCI];

	for (i = a; i < e; i++) {
		const float *rc = s->p1.rcs + (size_t)i * n_ci;

		lc = s->p1.bp[i].last_ci;
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
	}
	if (n_lcs == 0)
		return;
	/* for each first phone, the best left context (first of the best in
	 * lcs order) and its score: the same for all the roots of a phone */
	for (p = 0; p < n_ci; p++) {
		float bs = NEG;
		int bl = -1, k;

		for (k = 0; k < n_lcs; k++) {
			float c = s->best_lc[lcs[k]][p];

			if (c > bs) {
				bs = c;
				bl = lcs[k];
			}
		}
		best_ci[p] = bs;
		best_ci_lc[p] = bl;
	}
	/* the roots of the tree, then those of a custom vocabulary's */
	for (r = 0; r < s->n_roots + s->n_ov_roots; r++) {
		int rn = r < s->n_roots ? r : s->ov0 + r - s->n_roots;
		const struct node *nd = &s->nodes[rn];
		float bs = best_ci[nd->ci];
		int bl = best_ci_lc[nd->ci];

		if (bl < 0)
			continue;
		bs += s->cfg.lw * look(s, nd) + s->cfg.wip;
		if (bl < 0 || bs < thr)
			continue;
		enter(s, rn, bs, s->best_lc_bp[bl][nd->ci],
		      s->lc_ssid[nd->ctx * n_ci + bl]);
	}
	/* fillers from the word end best followed by a pause */
	if ((best_i = bptab_best_rc(&s->p1, a, e, n_ci, s->sil_ci, -1, &best)) < 0)
		return;
	for (r = s->filler0; r < s->filler0 + s->n_filler_nodes; r++) {
		const struct node *nd = &s->nodes[r];
		float pen = fill_pen(s, nd->word);

		if (best + pen >= thr)
			enter(s, r, best + pen, best_i, nd->ssid);
	}
}

void
sm_search_start(struct sm_search *s)
{
	struct sm_bp *b;
	int i;

	if (s->released) {
		s->oom = 1;
		return;
	}
	memset(s->slot, 0, sizeof *s->slot * (s->slot_mask + 1));
	s->slot_n = 0;
	s->pool_used = 0;
	for (i = 0; i < 256; i++)
		s->fhead[i] = -1;
	s->n_act = 0;
	s->n_act_next = 0;
	s->p1.n = 0;
	s->frame = -1;
	s->hmm_total = 0;
	s->oom = 0;
	if (look_init(s) != 0 || (b = bptab_first(&s->p1, s->n_ci)) == NULL) {
		s->oom = 1;
		return;
	}
	b->word = s->bos_word;
	b->prev = -1;
	b->sf = 0;
	b->ef = -1;
	b->score = 0;
	b->lm = 0;
	b->h1 = s->lm->bos;
	b->h2 = -1;
	b->last_ci = (int16_t)s->sil_ci;
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
	int prev = h->bp[2], lmid, k = s->p1.wbp[nd->word], fresh = 0;
	float lm, sc;

	if (prev < 0)
		return;
	p = &s->p1.bp[prev];
	lmid = s->lmid[nd->word];
	if (lmid >= 0)
		lm = s->cfg.lw * (s->lmc ? lm_cached(s, lmid, p->h1, p->h2) :
				  lm_uncached(s, lmid, p->h1, p->h2)) + s->cfg.wip;
	else
		lm = fill_pen(s, nd->word);
	sc = lmid >= 0 ? out - (s->cfg.lw * look(s, nd) + s->cfg.wip) + lm : out;
	/* wbp is not cleared between utterances: an entry of this frame is
	 * one of this utterance's with this word */
	if (k >= s->p1.n || s->p1.bp[k].ef != s->frame || s->p1.bp[k].word != nd->word) {
		if ((k = bptab_new(&s->p1, nd->word, s->n_ci)) < 0) {
			s->oom = 1;
			return;
		}
		fresh = 1;
		if (s->cfg.flat && lmid >= 0)
			flat_note(s, nd->word, (int)(nd - s->nodes), s->p1.bp[prev].ef + 1);
	}
	p = &s->p1.bp[prev];
	b = &s->p1.bp[k];
	bptab_raise(s, &s->p1, k, nd, h->cl, lmid, sc);
	if (fresh || sc > b->score) {
		bptab_set(s, b, p, prev, nd->word, lmid, s->frame, sc);
		b->lm = lm;
	}
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

		if (i + 8 < n_act)
			__builtin_prefetch(&pool[act[i + 8]]);
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
	bp0 = s->p1.n;
	n_drop = 0;
	for (i = 0; i < n_act; i++) {
		int32_t hk = act[i];
		struct hmm *h = &pool[hk];
		const struct node *nd;
		float out;

		/* an HMM further ahead, the node of one a few ahead, then its
		 * children and their slots: the tree is too big for the caches */
		if (i + 16 < n_act)
			__builtin_prefetch(&pool[act[i + 16]]);
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
		if (nd->n_child > 0) {
			/* the parent's look-ahead, the weights and the token's
			 * backpointer in locals: enter's stores may alias them */
			int n_child = nd->n_child, bp = h->bp[2];
			const struct node *cn = &nodes[nd->child];
			float lnd = look(s, nd), lw = s->cfg.lw, pip = s->cfg.pip;

			for (c = 0; c < n_child; c++, cn++) {
				float sc = out + lw * (look(s, cn) - lnd) + pip;

				if (sc < thr)
					continue;
				enter(s, (int)(cn - nodes), sc, bp, cn->ssid);
			}
			pool = s->pool;	/* the pool and the lists may have moved */
			act = s->act;
		}
	}
	/* 4. new words from this frame's word ends */
	enter_words(s, bp0, s->p1.n, thr);
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

int
sm_search_finish(struct sm_search *s, float *final_score)
{
	int best_i, ef;
	float best;

	s->use2 = 0;
	if (s->cfg.flat && !s->oom) {
		best_i = flat_finish(s, &best);
		if (best_i > 0 && !s->oom) {
			s->use2 = 1;
			if (final_score)
				*final_score = best;
			return best_i;
		}
	}
	best_i = bptab_final(s, &s->p1, s->cfg.lw, -1, &ef, &best);
	if (final_score)
		*final_score = best;
	return best_i;
}

const struct sm_bp *
sm_search_bps(const struct sm_search *s, int *n)
{
	const struct bptab *t = s->use2 ? &s->p2 : &s->p1;

	*n = t->n;
	return t->bp;
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
	st->bp = s->use2 ? s->p2.n : s->p1.n;
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

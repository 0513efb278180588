/*
 * vtln.c: the choice of a frequency warp by maximum likelihood (vtln.h).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fe.h"
#include "vtln.h"

/* Frames scored at once. */
#define BLOCK 128
/* Senones of each codebook scored: its first three, in a Sphinx model
 * (context-independent senones numbered first) the three states of the
 * codebook's own phone.  The warp is chosen by how well the speaker's
 * phones fit, for which these suffice at a fraction of the cost of every
 * senone (docs/BENCHMARKS.md compares the two). */
#define VIEW_SENONES 3
/* Codebooks scored per frame after the first set: those whose best
 * senone scored highest on that frame in the first set scored (the climb's
 * start).  A warp moves a frame's spectrum a little, not from one phone's
 * codebook to another's far down the list, so the best senone of the
 * other sets is nearly always among these (docs/BENCHMARKS.md, where each
 * choice is compared with that of every codebook scored). */
#define SELECT_CB 8

struct sm_vtln {
	const struct sm_am *am;	/* the model scored: the caller's, or view */
	struct sm_am view;	/* its context-independent senones only */
	float *view_mixw;
	int32_t *view_idx;
	unsigned ncep, n_prior, max_frames;
	float prior[SM_FE_MAX_CEP];
	double tau;
	struct sm_am_scorer *sc;
	float *out;		/* BLOCK x n_sen */
	int n_select;		/* codebooks per frame after the first set, 0 all */
};

/* The codebooks each frame is scored on after the first set: codebook c's
 * frames (indices into the frames scored) are frame[start[c]] up to
 * frame[start[c + 1]]. */
struct select {
	int on;			/* made (by the first set scored) */
	size_t *start;		/* n_cb + 1 */
	size_t *frame;		/* S x n_select */
	float *best;		/* S: each frame's best so far */
	float *gather;		/* BLOCK x dim: the frames of one codebook */
};

/* A view of am with the first m senones of each codebook: in a Sphinx
 * model, whose senones are numbered context-independent ones first, the
 * states of the codebook's own context-independent phone. */
static int
make_view(struct sm_vtln *v, const struct sm_am *am, int m)
{
	struct sm_am *w = &v->view;
	int n_cb = am->n_cb, n = 0, c, f, k, j;
	int32_t *cb_start, *cb_sen, *pos;
	float *mw;

	*w = *am;
	w->blob = NULL;
	w->blob_size = 0;
	w->mapped = 0;
	w->mixw_q = NULL;
	for (c = 0; c < n_cb; c++) {
		int n_c = am->cb_start[c + 1] - am->cb_start[c];

		n += n_c < m ? n_c : m;
	}
	v->view_idx = malloc((size_t)(n_cb + 1 + 2 * n) * sizeof(int32_t));
	v->view_mixw = malloc((size_t)am->n_feat * am->n_dens * n * sizeof(float));
	if (v->view_idx == NULL || v->view_mixw == NULL)
		return -1;
	cb_start = v->view_idx;
	cb_sen = cb_start + n_cb + 1;
	pos = cb_sen + n;
	cb_start[0] = 0;
	for (c = 0; c < n_cb; c++) {
		int n_c = am->cb_start[c + 1] - am->cb_start[c];

		cb_start[c + 1] = cb_start[c] + (n_c < m ? n_c : m);
		for (j = cb_start[c]; j < cb_start[c + 1]; j++)
			cb_sen[j] = pos[j] = j;
	}
	for (f = 0; f < am->n_feat; f++) {
		mw = v->view_mixw + (size_t)f * am->n_dens * n;
		for (c = 0; c < n_cb; c++) {
			int n_c = am->cb_start[c + 1] - am->cb_start[c];
			int n_v = cb_start[c + 1] - cb_start[c];
			const float *src = am->mixw[f] + (size_t)am->n_dens * am->cb_start[c];
			float *dst = mw + (size_t)am->n_dens * cb_start[c];

			for (k = 0; k < am->n_dens; k++)
				memcpy(dst + (size_t)k * n_v, src + (size_t)k * n_c,
				       (size_t)n_v * sizeof(float));
		}
		w->mixw[f] = mw;
	}
	w->n_sen = n;
	w->cb_start = cb_start;
	w->cb_sen = cb_sen;
	w->pos = pos;
	v->am = w;
	return 0;
}

struct sm_vtln *
sm_vtln_new(const struct sm_am *am, unsigned ncep, const float *prior,
	    unsigned n_prior, double tau, unsigned max_frames)
{
	struct sm_vtln *v;

	if (ncep == 0 || ncep > SM_FE_MAX_CEP || am->dim != 3 * (int)ncep ||
	    max_frames == 0)
		return NULL;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	v->am = am;
	v->ncep = ncep;
	v->n_prior = n_prior < ncep ? n_prior : ncep;
	memcpy(v->prior, prior, v->n_prior * sizeof(float));
	v->tau = tau;
	v->max_frames = max_frames;
	v->n_select = SELECT_CB < am->n_cb ? SELECT_CB : 0;
	if (make_view(v, am, VIEW_SENONES) != 0)
		goto fail;
	v->sc = sm_am_scorer_new(v->am, BLOCK, 0);
	v->out = malloc((size_t)BLOCK * v->am->n_sen * sizeof(float));
	if (v->sc == NULL || v->out == NULL)
		goto fail;
	return v;
fail:
	sm_vtln_free(v);
	return NULL;
}

void
sm_vtln_free(struct sm_vtln *v)
{
	if (v == NULL)
		return;
	sm_am_scorer_free(v->sc);
	free(v->out);
	free(v->view_mixw);
	free(v->view_idx);
	free(v);
}

static int
cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

/* The deltas' output, kept for the chosen frames only. */
struct pick {
	const size_t *idx;	/* ascending frame numbers */
	size_t n_idx, next, t;
	float *dst;		/* n_idx x dim */
	unsigned dim;
};

static void
on_feat(void *ctx, const float *feat)
{
	struct pick *p = ctx;

	if (p->next < p->n_idx && p->idx[p->next] == p->t) {
		memcpy(p->dst + p->next * p->dim, feat, p->dim * sizeof(float));
		p->next++;
	}
	p->t++;
}

/* The frames to score: the louder half of set ref's (speech, whose
 * spectrum the warp moves, rather than the pauses), evenly thinned to
 * max_frames.  Their number, 0 when fewer than min_frames. */
static size_t
pick_frames(struct sm_vtln *v, const float *cep, size_t n, unsigned min_frames,
	    size_t *idx, float *c0)
{
	size_t n_cand = 0, S, j, t;
	float median;

	for (t = 0; t < n; t++)
		c0[t] = cep[t * v->ncep];
	qsort(c0, n, sizeof(float), cmp_float);
	median = c0[n / 2];
	for (t = 0; t < n; t++)
		if (cep[t * v->ncep] > median)
			idx[n_cand++] = t;
	if (n_cand < min_frames || n_cand == 0)
		return 0;
	S = n_cand < v->max_frames ? n_cand : v->max_frames;
	for (j = 0; j < S; j++)
		idx[j] = idx[(2 * j + 1) * n_cand / (2 * S)];
	return S;
}

/* Of n_sen senone scores o, the best of codebook c's (in the view). */
static float
cb_best(const struct sm_am *am, const float *o, int c)
{
	float m = -INFINITY;

	for (int j = am->cb_start[c]; j < am->cb_start[c + 1]; j++)
		m = o[j] > m ? o[j] : m;
	return m;
}

/* Frame b's codebooks by the first set: the v->n_select whose best senone
 * scored highest on it (o: its n_sen scores), ties to the lower number. */
static void
select_frame(struct sm_vtln *v, const float *o, size_t b, size_t *pick)
{
	const struct sm_am *am = v->am;
	int K = v->n_select, have = 0;
	float val[SELECT_CB];
	int idx[SELECT_CB];

	for (int c = 0; c < am->n_cb; c++) {
		float x = cb_best(am, o, c);
		int i;

		if (have == K && !(x > val[K - 1]))
			continue;
		i = have < K ? have++ : K - 1;
		while (i > 0 && val[i - 1] < x) {
			val[i] = val[i - 1];
			idx[i] = idx[i - 1];
			i--;
		}
		val[i] = x;
		idx[i] = c;
	}
	for (int i = 0; i < have; i++)
		pick[b * (size_t)K + (size_t)i] = (size_t)idx[i];
}

/* The lists of frames per codebook from pick (S x n_select codebooks). */
static void
index_selection(struct sm_vtln *v, struct select *sel, const size_t *pick, size_t S)
{
	int n_cb = v->am->n_cb, K = v->n_select;
	size_t *at = sel->start;

	memset(at, 0, (size_t)(n_cb + 1) * sizeof(size_t));
	for (size_t i = 0; i < S * (size_t)K; i++)
		at[pick[i] + 1]++;
	for (int c = 0; c < n_cb; c++)
		at[c + 1] += at[c];
	/* filled in frame order within each codebook */
	for (size_t t = 0; t < S; t++)
		for (int i = 0; i < K; i++)
			sel->frame[at[pick[t * K + i]]++] = t;
	for (int c = n_cb; c > 0; c--)
		at[c] = at[c - 1];
	at[0] = 0;
	sel->on = 1;
}

/* The mean over the S frames idx of one set's best senone log-likelihood;
 * tmp: n x ncep, feat: S x dim of working space.  Without sel->on, every
 * codebook is scored, and with a selection to make (sel->start not NULL)
 * it is made; with it, each frame's codebooks only.  NAN if a feature is
 * not finite. */
static double
score_set(struct sm_vtln *v, const float *cep, size_t n, const size_t *idx,
	  size_t S, float *tmp, float *feat, struct select *sel, size_t *pick)
{
	const struct sm_am *am = v->am;
	unsigned ncep = v->ncep, dim = 3 * ncep;
	struct pick p = {idx, S, 0, 0, feat, dim};
	struct sm_deltas d;
	double sum = 0;
	size_t t;

	memcpy(tmp, cep, n * ncep * sizeof(float));
	sm_cmn_batch(tmp, n, ncep, v->prior, v->n_prior, v->tau);
	sm_deltas_init(&d, ncep);
	for (t = 0; t < n; t++)
		sm_deltas_push(&d, tmp + t * ncep, on_feat, &p);
	sm_deltas_end(&d, on_feat, &p);
	if (sel->on) {
		for (t = 0; t < S; t++)
			sel->best[t] = -INFINITY;
		for (int c = 0; c < am->n_cb; c++) {
			const size_t *fr = sel->frame + sel->start[c];
			size_t m = sel->start[c + 1] - sel->start[c];

			for (size_t done = 0; done < m; done += BLOCK) {
				int nb = m - done < BLOCK ? (int)(m - done) : BLOCK;

				for (int b = 0; b < nb; b++)
					memcpy(sel->gather + (size_t)b * dim,
					       feat + fr[done + b] * dim, dim * sizeof(float));
				if (sm_am_score_codebook(v->sc, c, sel->gather, nb, v->out) != 0)
					return NAN;
				for (int b = 0; b < nb; b++) {
					float x = cb_best(am, v->out + (size_t)b * am->n_sen, c);
					float *best = &sel->best[fr[done + b]];

					*best = x > *best ? x : *best;
				}
			}
		}
		for (t = 0; t < S; t++)
			sum += sel->best[t];
		return sum / (double)S;
	}
	for (size_t done = 0; done < S; done += BLOCK) {
		int nb = S - done < BLOCK ? (int)(S - done) : BLOCK;

		if (sm_am_score(v->sc, feat + done * dim, nb, v->out, 0) != 0)
			return NAN;
		for (int b = 0; b < nb; b++) {
			const float *o = v->out + (size_t)b * am->n_sen;
			float m = o[0];

			for (int i = 1; i < am->n_sen; i++)
				m = o[i] > m ? o[i] : m;
			sum += m;
			if (sel->start != NULL)
				select_frame(v, o, done + (size_t)b, pick);
		}
	}
	if (sel->start != NULL)
		index_selection(v, sel, pick, S);
	return sum / (double)S;
}

int
sm_vtln_choose(struct sm_vtln *v, const float *const *cep, unsigned n_set,
	       size_t n, unsigned ref, unsigned min_frames, double *score)
{
	size_t S, *idx = NULL, *pick = NULL;
	float *c0 = NULL, *tmp = NULL, *feat = NULL;
	struct select sel = {0};
	int rc = -1, cur = (int)ref, step;

	for (unsigned k = 0; k < n_set; k++)
		score[k] = NAN;
	if (ref >= n_set)
		return -1;
	if (n < 2)
		return (int)ref;
	if ((c0 = malloc(n * sizeof(float))) == NULL ||
	    (idx = malloc(n * sizeof(size_t))) == NULL)
		goto out;
	if ((S = pick_frames(v, cep[ref], n, min_frames, idx, c0)) == 0) {
		rc = (int)ref;
		goto out;
	}
	if ((tmp = malloc(n * v->ncep * sizeof(float))) == NULL ||
	    (feat = malloc(S * 3 * v->ncep * sizeof(float))) == NULL)
		goto out;
	if (v->n_select > 0 &&
	    ((pick = malloc(S * (size_t)v->n_select * sizeof(size_t))) == NULL ||
	     (sel.start = malloc((size_t)(v->am->n_cb + 1) * sizeof(size_t))) == NULL ||
	     (sel.frame = malloc(S * (size_t)v->n_select * sizeof(size_t))) == NULL ||
	     (sel.best = malloc(S * sizeof(float))) == NULL ||
	     (sel.gather = malloc((size_t)BLOCK * 3 * v->ncep * sizeof(float))) == NULL))
		goto out;
#define SCORE(k) (isnan(score[k]) ? \
	(score[k] = score_set(v, cep[k], n, idx, S, tmp, feat, &sel, pick)) : score[k])
	/* A climb on the likelihood, which is smooth in the warp: steps of
	 * two sets while they gain, then one. */
	if (isnan(SCORE(cur)))
		goto out;
	for (step = 2; step >= 1; step--)
		for (;;) {
			int best = cur;

			for (int dir = -1; dir <= 1; dir += 2) {
				int k = cur + dir * step;

				if (k < 0 || k >= (int)n_set)
					continue;
				if (isnan(SCORE(k)))
					goto out;
				if (score[k] > score[best])
					best = k;
			}
			if (best == cur)
				break;
			cur = best;
		}
#undef SCORE
	rc = cur;
out:
	free(pick);
	free(sel.start);
	free(sel.frame);
	free(sel.best);
	free(sel.gather);
	free(c0);
	free(idx);
	free(tmp);
	free(feat);
	return rc;
}

/*
 * flat.c: pass 2 of the search, over a flat lexicon.
 *
 * The tree shares one HMM per node among all the words below it, so a word
 * is entered only from the predecessor that was best before its own LM
 * score was known ("thank" loses "you" to a better-scoring "banged" with a
 * far worse P(you | banged)).  Pass 2 runs FLAT_LAG frames behind pass 1
 * over separate HMM chains for the words pass 1 saw starting within
 * FLAT_WIN frames, and enters each word from the predecessor that is best
 * with the word's own trigram score, as pocketsphinx's fwdflat pass does.
 * It writes its own backpointer table, which then replaces pass 1's.
 */
#include <stdlib.h>
#include <string.h>

#include "search_int.h"
#include "sm.h"

int
flat_init(struct sm_search *s)
{
	if (s->ring)
		return 0;
	/* zeroed: 0 is "none" */
	s->fwi = sm_big_alloc(sizeof *s->fwi * (s->n_words ? s->n_words : 1));
	s->ring = sm_big_alloc(sizeof *s->ring * (size_t)FLAT_LAG * s->n_sen);
	s->lmc = sm_big_alloc(sizeof *s->lmc * LMC_SIZE);
	if (!s->fwi || bptab_init(&s->p2, s->n_words) != 0 || !s->ring || !s->lmc)
		return -1;
	return 0;
}

/* The tree nodes from the root down to leaf (depth d): path[0..d-1].
 * A node's subtree lies between its child block and the next sibling's.
 * -1 if a node of an image on the way fails node_ok. */
static int
tree_path(const struct sm_search *s, int leaf, int d, int32_t *path)
{
	int a = 0, n = s->n_roots, k, i;

	if (s->n_ov_roots > 0 && leaf >= s->ov0) {	/* the custom vocabulary's */
		a = s->ov0;
		n = s->n_ov_roots;
	}

	for (k = 0; k < d; k++) {
		if (n <= 0 || a < 0 || a + n > s->n_nodes)	/* a damaged image */
			return -1;
		for (i = a + n - 1; i >= a; i--)
			if (s->nodes[i].n_child > 0 && s->nodes[i].child <= leaf)
				break;
		if (i < a)	/* not reached with a consistent tree */
			i = a;
		if (s->map && i >= s->n_roots && !search_node_ok(s, i))
			return -1;
		path[k] = i;
		a = s->nodes[i].child;
		n = s->nodes[i].n_child;
	}
	return 0;
}

void
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

/* Word w may start in pass 2 within FLAT_WIN frames of sf. */
void
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
	if (s->map && !s->corrupt && !search_node_ok(s, leaf))
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

/* Word end in pass 2: the LM score was added when the word was entered. */
static void
flat_word_end(struct sm_search *s, int w, int node, int cl, int prev, float out, int t)
{
	const struct sm_bp *p;
	struct sm_bp *b;
	int lmid = s->lmid[w], k = s->p2.wbp[w], fresh = 0;

	if (prev < 0)
		return;
	if (k < 0 || s->p2.bp[k].ef != t) {
		if ((k = bptab_new(&s->p2, w, s->n_ci)) < 0) {
			s->oom = 1;
			return;
		}
		fresh = 1;
	}
	p = &s->p2.bp[prev];
	b = &s->p2.bp[k];
	bptab_raise(s, &s->p2, k, &s->nodes[node], cl, lmid, out);
	if (fresh || out > b->score) {
		if (w == s->eos_word) {	/* a final pause: </s>'s score, <sil>'s word */
			bptab_set(s, b, p, prev, s->sil_word, -1, t, out);
			b->lm = s->cfg.flw * sm_lm_score(s->lm, s->lm->eos, p->h1, p->h2, NULL) +
				s->cfg.wip;
		} else {
			bptab_set(s, b, p, prev, w, lmid, t, out);
			b->lm = lmid >= 0 ? s->cfg.flw * lm_cached(s, lmid, p->h1, p->h2) +
				s->cfg.wip : fill_pen(s, w);
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

/* Enter words at frame t + 1 from the pass-2 word ends p2.bp[a..e) at t. */
static void
flat_enter_words(struct sm_search *s, int a, int e, int t, float thr)
{
	int n_ci = s->n_ci, i, j, k, best_i;
	int eosk = s->eos_word >= 0 ? s->p2.wbp[s->eos_word] : -1;	/* ends nothing */
	float best, bestrc[MAXCI];

	if (a == e)
		return;
	for (j = 0; j < n_ci; j++)
		bestrc[j] = NEG;
	for (k = a; k < e; k++) {
		const float *rc = s->p2.rcs + (size_t)k * n_ci;

		for (j = 0; j < n_ci; j++)
			if (rc[j] > bestrc[j])
				bestrc[j] = rc[j];
	}
	/* fillers from the word end best followed by a pause */
	best_i = bptab_best_rc(&s->p2, a, e, n_ci, s->sil_ci, eosk, &best);
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
			float pen = fill_pen(s, w);

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
			const struct sm_bp *b = &s->p2.bp[k];
			float r = s->p2.rcs[(size_t)k * n_ci + p0];

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
			   s->lc_ssid[rn->ctx * n_ci + s->p2.bp[bk].last_ci]);
		f->live = 1;
	}
}

void
flat_start(struct sm_search *s)
{
	struct sm_bp *b;
	int i;

	flat_reset(s);
	s->t2 = 0;
	s->p2.n = 0;
	s->hmm2_total = 0;
	for (i = 0; i < s->n_words; i++)
		s->p2.wbp[i] = -1;
	for (i = s->filler0; i < s->filler0 + s->n_filler_nodes; i++) {
		flat_note(s, s->nodes[i].word, i, 0);
		if (s->nodes[i].word == s->sil_word && s->eos_word >= 0)
			flat_note(s, s->eos_word, i, 0);
	}
	if ((b = bptab_first(&s->p2, s->n_ci)) == NULL) {
		s->oom = 1;
		return;
	}
	*b = s->p1.bp[0];
}

/* One frame of pass 2. */
void
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
	bp0 = s->p2.n;
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
	flat_enter_words(s, bp0, s->p2.n, t, thr);
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

/* Pass 2 over the frames it is behind, and its best final entry (best
 * its score), or -1: a word before </s>, or a final pause entered as
 * </s>. */
int
flat_finish(struct sm_search *s, float *best)
{
	int i, k, ef, eosk;

	for (i = s->t2; i < s->frame; i++)
		flat_frame(s, i);
	eosk = s->eos_word >= 0 ? s->p2.wbp[s->eos_word] : -1;
	k = bptab_final(s, &s->p2, s->cfg.flw, eosk, &ef, best);
	if (eosk > 0 && s->p2.bp[eosk].ef == ef && s->p2.bp[eosk].score > *best) {
		*best = s->p2.bp[eosk].score;
		k = eosk;
	}
	return k;
}

/*
 * diar.c: speaker diarization of the recognised words.
 *
 * The classic recipe for a recording without a speaker model to lean on:
 *   1. the words' frames are cut into short segments, at pauses and at most
 *      SEG_MAX frames long, so that a change of voice without a pause falls
 *      near a segment boundary;
 *   2. each segment is one full-covariance Gaussian of the cepstra; a
 *      segment joins the cluster before it while the Bayesian information
 *      criterion (BIC) finds it one voice with that cluster's last WIN
 *      frames (linear clustering), then any two clusters are joined, best
 *      pair first, until no pair gains (agglomerative clustering);
 *   3. a diagonal Gaussian mixture per cluster is trained on its frames and a
 *      Viterbi pass over all speech frames, with a penalty for each change
 *      of speaker, moves the boundaries to where the voices change; twice,
 *      dropping clusters with under MIN_SHARE of the speech;
 *   4. while the closest two speakers' cross likelihood ratio (each one's
 *      frames under both models, models and test frames from alternate
 *      seconds) is under CLR_MAX, they are merged and step 3 repeated.
 * The stopping rules (BIC weight, ratio, share) are what the sensitivity
 * scales: higher, more speakers.  The constants were tuned on the "dev" set
 * of scripts/diar-corpus.sh (docs/BENCHMARKS.md), never on "held".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diar.h"
#include "sm.h"

#define D DIAR_DIM
#define NTRI (D * (D + 1) / 2)
#define SEG_MAX 150		/* frames: 1.5 s of speech */
#define SEG_MIN_CLUSTER 20	/* frames a segment needs to be clustered */
#define WIN 300		/* frames of a cluster a new segment is compared with */
#define GMM_MAX 8		/* Gaussians per speaker */
#define GMM_FRAMES 60		/* frames per Gaussian at least */
#define MIN_SHARE 0.1		/* a speaker with less of the speech is dropped */
#define LAMBDA 2.0		/* BIC penalty weight */
#define CLR_MAX 3.0		/* nats per frame: a cross likelihood ratio that merges */
#define SWITCH 80.0		/* nats per change of speaker in the Viterbi pass */
#define RUN_MIN 50		/* frames: a shorter turn between two turns of
				 * one speaker is that speaker's */
#define RESEG_PASSES 2

struct stats {
	double n, s[D], ss[NTRI];	/* count, sum, upper triangle of sum x x' */
};


struct gmm {
	int g;
	double w[GMM_MAX], mu[GMM_MAX][D], ivar[GMM_MAX][D], k[GMM_MAX];
};

static void
stats_add_frame(struct stats *a, const float *x)
{
	int i, j, k = 0;

	a->n += 1;
	for (i = 0; i < D; i++) {
		a->s[i] += x[i];
		for (j = i; j < D; j++)
			a->ss[k++] += (double)x[i] * x[j];
	}
}

static void
stats_add(struct stats *a, const struct stats *b)
{
	a->n += b->n;
	for (int i = 0; i < D; i++)
		a->s[i] += b->s[i];
	for (int k = 0; k < NTRI; k++)
		a->ss[k] += b->ss[k];
}

/* log det of the covariance of a (plus the ridge on its diagonal, which
 * keeps short segments' estimates regular). */
static double
stats_logdet(const struct stats *a, const double *ridge)
{
	double c[D][D], m[D], ld = 0;
	int i, j, k = 0;

	for (i = 0; i < D; i++)
		m[i] = a->s[i] / a->n;
	for (i = 0; i < D; i++)
		for (j = i; j < D; j++, k++)
			c[i][j] = c[j][i] = a->ss[k] / a->n - m[i] * m[j];
	for (i = 0; i < D; i++)
		c[i][i] += ridge[i];
	/* Cholesky in place: log det = 2 sum log L_ii. */
	for (j = 0; j < D; j++) {
		double s = c[j][j];

		for (k = 0; k < j; k++)
			s -= c[j][k] * c[j][k];
		if (s <= 1e-300)
			s = 1e-300;
		c[j][j] = sqrt(s);
		ld += log(c[j][j]);
		for (i = j + 1; i < D; i++) {
			double t = c[i][j];

			for (k = 0; k < j; k++)
				t -= c[i][k] * c[j][k];
			c[i][j] = t / c[j][j];
		}
	}
	return 2 * ld;
}

/* The BIC gain of keeping a and b apart: negative when one Gaussian serves
 * both better than two, after the penalty for the extra parameters. */
static double
delta_bic(const struct stats *a, double lda, const struct stats *b, double ldb,
	  const double *ridge, double lambda)
{
	struct stats m = *a;
	double n;

	stats_add(&m, b);
	n = m.n;
	return 0.5 * (n * stats_logdet(&m, ridge) - a->n * lda - b->n * ldb) -
	       lambda * 0.5 * (D + NTRI) * log(n);
}

/* ---- clustering --------------------------------------------------------- */

struct cluster {
	struct stats st;
	double ld;
	int alive, best;
	double bscore;
};

/* s is the gain of keeping i and j apart: each takes the other as its best
 * partner if none is better. */
static void
offer(struct cluster *c, int i, int j, double s)
{
	if (s < c[i].bscore) {
		c[i].bscore = s;
		c[i].best = j;
	}
	if (s < c[j].bscore) {
		c[j].bscore = s;
		c[j].best = i;
	}
}

static void
best_partner(struct cluster *c, int n, int i, const double *ridge, double lambda)
{
	c[i].best = -1;
	c[i].bscore = INFINITY;
	for (int j = 0; j < n; j++)
		if (j != i && c[j].alive)
			offer(c, i, j, delta_bic(&c[i].st, c[i].ld, &c[j].st, c[j].ld,
						 ridge, lambda));
}

/* Join clusters best pair first while a pair gains, or while there are
 * more than max; cl[] maps each to its final cluster. */
static void
agglomerate(struct cluster *c, int n, const double *ridge, double lambda,
	    int max, int *cl)
{
	int alive = n;

	for (int i = 0; i < n; i++) {
		c[i].best = -1;
		c[i].bscore = INFINITY;
	}
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			offer(c, i, j, delta_bic(&c[i].st, c[i].ld, &c[j].st, c[j].ld,
						 ridge, lambda));
	for (int i = 0; i < n; i++)
		cl[i] = i;
	while (alive > 1) {
		int a = -1, b;

		for (int i = 0; i < n; i++)
			if (c[i].alive && c[i].best >= 0 &&
			    (a < 0 || c[i].bscore < c[a].bscore))
				a = i;
		if (a < 0 || (c[a].bscore > 0 && alive <= max))
			break;
		b = c[a].best;
		stats_add(&c[a].st, &c[b].st);
		c[a].ld = stats_logdet(&c[a].st, ridge);
		c[b].alive = 0;
		alive--;
		for (int i = 0; i < n; i++)
			if (cl[i] == b)
				cl[i] = a;
		best_partner(c, n, a, ridge, lambda);
		for (int i = 0; i < n; i++)
			if (c[i].alive && i != a && (c[i].best == a || c[i].best == b))
				best_partner(c, n, i, ridge, lambda);
	}
}

/* ---- Gaussian mixtures -------------------------------------------------- */

static double
gmm_ll(const struct gmm *m, const float *x)
{
	double best = -INFINITY, l[GMM_MAX], s = 0;

	for (int g = 0; g < m->g; g++) {
		double e = 0;

		for (int i = 0; i < D; i++) {
			double d = x[i] - m->mu[g][i];

			e += d * d * m->ivar[g][i];
		}
		l[g] = m->k[g] - 0.5 * e;
		if (l[g] > best)
			best = l[g];
	}
	for (int g = 0; g < m->g; g++)
		s += exp(l[g] - best);
	return best + log(s);
}

static void
gmm_consts(struct gmm *m)
{
	for (int g = 0; g < m->g; g++) {
		double ld = 0;

		for (int i = 0; i < D; i++)
			ld += log(m->ivar[g][i]);
		m->k[g] = log(m->w[g]) + 0.5 * ld - 0.5 * D * log(2 * M_PI);
	}
}

/* Train m on the frames idx[0..n) of x: means from frames spread over the
 * speaker's speech, then a few EM iterations. */
static void
gmm_train(struct gmm *m, const float *x, const long *idx, long n,
	  const double *floor, int gmax)
{
	double acc_n[GMM_MAX], acc_s[GMM_MAX][D], acc_q[GMM_MAX][D], mean[D] = {0},
	    var[D] = {0};
	int g, i, it;

	m->g = (int)(n / GMM_FRAMES);
	if (m->g > gmax)
		m->g = gmax;
	if (m->g < 1)
		m->g = 1;
	for (long t = 0; t < n; t++)
		for (i = 0; i < D; i++) {
			double v = x[idx[t] * D + i];

			mean[i] += v;
			var[i] += v * v;
		}
	for (i = 0; i < D; i++) {
		mean[i] /= n;
		var[i] = var[i] / n - mean[i] * mean[i];
		if (var[i] < floor[i])
			var[i] = floor[i];
	}
	for (g = 0; g < m->g; g++) {
		const float *f = x + idx[(long)((g + 0.5) * n / m->g)] * D;

		m->w[g] = 1.0 / m->g;
		for (i = 0; i < D; i++) {
			m->mu[g][i] = m->g == 1 ? mean[i] : f[i];
			m->ivar[g][i] = 1 / var[i];
		}
	}
	gmm_consts(m);
	for (it = 0; it < 4 && m->g > 1; it++) {
		memset(acc_n, 0, sizeof acc_n);
		memset(acc_s, 0, sizeof acc_s);
		memset(acc_q, 0, sizeof acc_q);
		for (long t = 0; t < n; t++) {
			const float *f = x + idx[t] * D;
			double l[GMM_MAX], best = -INFINITY, s = 0;

			for (g = 0; g < m->g; g++) {
				double e = 0;

				for (i = 0; i < D; i++) {
					double d = f[i] - m->mu[g][i];

					e += d * d * m->ivar[g][i];
				}
				l[g] = m->k[g] - 0.5 * e;
				if (l[g] > best)
					best = l[g];
			}
			for (g = 0; g < m->g; g++)
				s += (l[g] = exp(l[g] - best));
			for (g = 0; g < m->g; g++) {
				double p = l[g] / s;

				acc_n[g] += p;
				for (i = 0; i < D; i++) {
					acc_s[g][i] += p * f[i];
					acc_q[g][i] += p * f[i] * f[i];
				}
			}
		}
		for (g = 0; g < m->g; g++) {
			if (acc_n[g] < 1)
				continue;	/* an empty Gaussian keeps its place */
			m->w[g] = acc_n[g] / n;
			for (i = 0; i < D; i++) {
				double mu = acc_s[g][i] / acc_n[g],
				    v = acc_q[g][i] / acc_n[g] - mu * mu;

				m->mu[g][i] = mu;
				m->ivar[g][i] = 1 / (v > floor[i] ? v : floor[i]);
			}
		}
		gmm_consts(m);
	}
}


/* ---- resegmentation ----------------------------------------------------- */

/* Viterbi over the T speech frames seq[] with one state per speaker: lab[t]
 * becomes the best speaker of each frame.  A change costs pen, half of it
 * where a pause lies between two frames (brk[t]: frame t follows one). */
static void
viterbi(const float *x, const long *seq, const char *brk, long T,
	const struct gmm *m, int k, double pen, int *lab)
{
	unsigned char *bp = sm_xcalloc((size_t)T * k, 1);
	double *d = sm_xcalloc(k, sizeof *d), *nd = sm_xcalloc(k, sizeof *nd);
	long t;
	int s, best;

	for (t = 0; t < T; t++) {
		const float *f = x + seq[t] * D;
		double p = brk[t] ? pen / 2 : pen, top = -INFINITY;
		int arg = 0;

		for (s = 0; s < k; s++)
			if (d[s] > top) {
				top = d[s];
				arg = s;
			}
		for (s = 0; s < k; s++) {
			double stay = d[s], move = top - p;

			if (t == 0 || stay >= move) {
				nd[s] = stay;
				bp[t * k + s] = (unsigned char)s;
			} else {
				nd[s] = move;
				bp[t * k + s] = (unsigned char)arg;
			}
			nd[s] += gmm_ll(&m[s], f);
		}
		memcpy(d, nd, k * sizeof *d);
	}
	best = 0;
	for (s = 1; s < k; s++)
		if (d[s] > d[best])
			best = s;
	for (t = T - 1; t >= 0; t--) {
		lab[t] = best;
		best = bp[t * k + best];
	}
	free(bp);
	free(d);
	free(nd);
}


#define CLR_FRAMES 3000		/* frames per speaker for the cross likelihoods */

/* Train one mixture per label of lab[] (values 0..k-1) that has at least
 * minf frames (and 50), then, with two or more, a Viterbi pass relabels
 * every frame; labels come back numbered 0..k'-1 and k' is returned.  The
 * models trained are copied to out when it is not NULL. */
static int
reseg(const float *x, const long *seq, const char *brk, long T, int *lab,
      int k, long minf, double pen, const double *floor, struct gmm *out)
{
	long *cnt = sm_xcalloc(k, sizeof *cnt), *fr, *off, *at, t;
	int *map = sm_xcalloc(k, sizeof *map), nk = 0, s;
	struct gmm *m;

	for (t = 0; t < T; t++)
		cnt[lab[t]]++;
	for (s = 0; s < k; s++)
		map[s] = cnt[s] >= 50 && cnt[s] >= minf ? nk++ : -1;
	if (nk == 0) {	/* too little speech to tell: one speaker */
		for (s = 0; s < k; s++)
			map[s] = 0;
		nk = 1;
	}
	/* The frames of each speaker, one after the other in fr. */
	fr = sm_xcalloc(T, sizeof *fr);
	off = sm_xcalloc(nk + 1, sizeof *off);
	at = sm_xcalloc(nk, sizeof *at);
	m = sm_xcalloc(nk, sizeof *m);
	for (t = 0; t < T; t++)
		if (map[lab[t]] >= 0)
			off[map[lab[t]] + 1]++;
	for (s = 0; s < nk; s++)
		off[s + 1] += off[s];
	for (t = 0; t < T; t++)
		if (map[lab[t]] >= 0) {
			s = map[lab[t]];
			fr[off[s] + at[s]++] = seq[t];
		}
	for (s = 0; s < nk; s++)
		gmm_train(&m[s], x, fr + off[s], off[s + 1] - off[s], floor, GMM_MAX);
	if (nk > 1)
		viterbi(x, seq, brk, T, m, nk, pen, lab);
	else
		for (t = 0; t < T; t++)
			lab[t] = 0;
	if (out)
		memcpy(out, m, nk * sizeof *m);
	free(cnt);
	free(map);
	free(fr);
	free(off);
	free(at);
	free(m);
	return nk;
}

/* Speaker i's frames alternate in blocks of CLR_BLOCK between a training
 * half (even blocks) and a test half (odd blocks), so that a model is never
 * scored on the frames it was trained on: a model's own frames would favour
 * it the more, the fewer they are. */
#define CLR_BLOCK 100
static int
clr_half(long pos)
{
	return (int)(pos / CLR_BLOCK % 2);
}

/* m[i]: speaker i's model trained on its training half. */
static void
clr_models(const float *x, const long *seq, long T, const int *lab, int k,
	   const double *floor, struct gmm *m)
{
	long *seen = sm_xcalloc(k, sizeof *seen), *nf = sm_xcalloc(k, sizeof *nf),
	    *fr = sm_xcalloc(T, sizeof *fr), *off = sm_xcalloc(k + 1, sizeof *off), t;

	for (t = 0; t < T; t++)
		if (clr_half(seen[lab[t]]++) == 0)
			off[lab[t] + 1]++;
	for (int i = 0; i < k; i++)
		off[i + 1] += off[i];
	memset(seen, 0, k * sizeof *seen);
	for (t = 0; t < T; t++)
		if (clr_half(seen[lab[t]]++) == 0)
			fr[off[lab[t]] + nf[lab[t]]++] = seq[t];
	for (int i = 0; i < k; i++)
		gmm_train(&m[i], x, fr + off[i], nf[i], floor, GMM_MAX);
	free(seen);
	free(nf);
	free(fr);
	free(off);
}

/* A[i * k + j]: the mean log-likelihood of speaker i's test half (at most
 * CLR_FRAMES frames of it, spread over its speech) under model j. */
static void
clr_table(const float *x, const long *seq, long T, const int *lab, int k,
	  const struct gmm *m, double *A)
{
	long *cnt = sm_xcalloc(k, sizeof *cnt), *seen = sm_xcalloc(k, sizeof *seen),
	    *used = sm_xcalloc(k, sizeof *used), t;

	for (t = 0; t < T; t++)
		cnt[lab[t]]++;
	for (t = 0; t < T; t++) {
		int i = lab[t];
		long pos = seen[i]++;

		/* Every step-th test frame, step = cnt / (2 CLR_FRAMES). */
		if (clr_half(pos) == 0 || pos % (cnt[i] / (2 * CLR_FRAMES) + 1) != 0)
			continue;
		used[i]++;
		for (int j = 0; j < k; j++)
			A[i * k + j] += gmm_ll(&m[j], x + seq[t] * D);
	}
	for (int i = 0; i < k; i++)
		for (int j = 0; j < k; j++)
			A[i * k + j] /= used[i] ? used[i] : 1;
	free(cnt);
	free(seen);
	free(used);
}

int
diar_run(const float *x, long nframes, const struct diar_word *w, long n,
	 const struct diar_opts *o, int *label)
{
	double ridge[D], floor[D], lambda, pen;
	struct stats all = {0};
	struct cluster *c;
	long T = 0, t, i, nseg = 0, *seq, *segof;
	char *brk;
	int *cl, *lab, k = 0, s;
	double sens = o->sensitivity - 0.5, tau, share;

	/* Sensitivity 0.5 is the tuned point; towards 1 each of the three
	 * stopping rules lets more speakers through, towards 0 fewer. */
	lambda = LAMBDA * pow(1.25, -2 * sens);
	tau = CLR_MAX + 2 * sens;
	share = MIN_SHARE * pow(1.5, -2 * sens);
	pen = SWITCH * (o->prefer_current ? 2 : 1);
	for (i = 0; i < n; i++)
		T += w[i].f1 - w[i].f0;
	if (n == 0 || T == 0) {
		for (i = 0; i < n; i++)
			label[i] = -1;
		return 0;
	}
	/* The speech frames in order, where pauses lie, and the segments. */
	seq = sm_xcalloc(T, sizeof *seq);
	brk = sm_xcalloc(T, 1);
	segof = sm_xcalloc(T, sizeof *segof);
	c = sm_xcalloc(n + 1, sizeof *c);	/* segments end at word boundaries */
	t = 0;
	for (i = 0; i < n; i++) {
		long len = c[nseg].st.n;

		if (w[i].f1 > w[i].f0 && len > 0 &&
		    ((w[i].pause_before && len >= SEG_MIN_CLUSTER) || len >= SEG_MAX))
			nseg++;
		for (long f = w[i].f0; f < w[i].f1; f++, t++) {
			seq[t] = f;
			brk[t] = f == w[i].f0 && w[i].pause_before;
			segof[t] = nseg;
			stats_add_frame(&c[nseg].st, x + f * D);
			stats_add_frame(&all, x + f * D);
		}
	}
	nseg++;
	for (int d = 0, kk = 0; d < D; kk += D - d, d++) {
		double m = all.s[d] / all.n, v = all.ss[kk] / all.n - m * m;

		/* kk: where row d of the upper triangle starts, its diagonal. */
		ridge[d] = floor[d] = 0.01 * (v > 1e-6 ? v : 1e-6);
	}
	/* Linear clustering: a segment joins the cluster of the one before
	 * when BIC finds the two segments one voice (the segment, not the
	 * growing cluster: against a large cluster any short segment would
	 * look like more of the same); too short a segment joins anyway (its
	 * statistics say nothing). */
	cl = sm_xcalloc(nseg, sizeof *cl);
	{
		int cur = 0;
		long first = 0;		/* the window: segments first..g-1 */
		struct stats win = c[0].st;

		cl[0] = 0;
		for (long g = 1; g < nseg; g++) {
			struct stats seg = c[g].st;
			int join;

			/* The window: the current cluster's last segments, at
			 * most WIN frames of them. */
			while (first < g - 1 && win.n - c[first].st.n >= WIN) {
				/* drop the oldest segment from the window */
				struct stats nw = {0};

				first++;
				for (long h = first; h < g; h++)
					stats_add(&nw, &c[h].st);
				win = nw;
			}
			join = seg.n < SEG_MIN_CLUSTER || win.n < SEG_MIN_CLUSTER ||
			    delta_bic(&win, stats_logdet(&win, ridge), &seg,
				      stats_logdet(&seg, ridge), ridge, lambda) < 0;
			if (join) {
				cl[g] = cur;
				stats_add(&win, &seg);
			} else {
				cur = (int)g;
				cl[g] = cur;
				first = g;
				win = seg;
			}
		}
		for (long g = 0; g < nseg; g++)
			if (cl[g] != g)
				stats_add(&c[cl[g]].st, &c[g].st);
		for (long g = 0; g < nseg; g++)
			if (cl[g] == g)
				c[g].ld = stats_logdet(&c[g].st, ridge);
	}
	/* Agglomerative clustering of what the linear pass left. */
	{
		int *idx = sm_xcalloc(nseg, sizeof *idx), *rev = sm_xcalloc(nseg, sizeof *rev),
		    *to = sm_xcalloc(nseg, sizeof *to), m = 0;
		struct cluster *cc;

		for (long g = 0; g < nseg; g++)
			if (cl[g] == g) {
				rev[g] = m;
				idx[m++] = (int)g;
			}
		cc = sm_xcalloc(m, sizeof *cc);
		for (int j = 0; j < m; j++) {
			cc[j].st = c[idx[j]].st;
			cc[j].ld = c[idx[j]].ld;
			cc[j].alive = 1;
		}
		agglomerate(cc, m, ridge, lambda, o->max_speakers, to);
		for (long g = 0; g < nseg; g++)
			cl[g] = idx[to[rev[cl[g]]]];
		free(cc);
		free(idx);
		free(rev);
		free(to);
	}
	/* Resegmentation with one mixture per speaker, then the closest pair
	 * of speakers merged while their cross likelihood says they are one. */
	lab = sm_xcalloc(T, sizeof *lab);
	for (t = 0; t < T; t++)
		lab[t] = cl[segof[t]];
	k = (int)nseg;
	for (int pass = 0; pass < RESEG_PASSES; pass++)
		k = reseg(x, seq, brk, T, lab, k, (long)(share * T), pen, floor, NULL);
	while (k > 1) {
		struct gmm *m = sm_xcalloc(k, sizeof *m);
		double *A = sm_xcalloc((size_t)k * k, sizeof *A), bestc = INFINITY;
		int bi = -1, bj = -1;

		clr_models(x, seq, T, lab, k, floor, m);
		clr_table(x, seq, T, lab, k, m, A);
		for (int a2 = 0; a2 < k; a2++)
			for (int b2 = a2 + 1; b2 < k; b2++) {
				double cv = A[a2 * k + a2] - A[a2 * k + b2] +
				    A[b2 * k + b2] - A[b2 * k + a2];

				if (cv < bestc) {
					bestc = cv;
					bi = a2;
					bj = b2;
				}
			}
		free(m);
		free(A);
		if (bestc > tau && k <= o->max_speakers)
			break;
		for (t = 0; t < T; t++)
			if (lab[t] == bj)
				lab[t] = bi;
			else if (lab[t] > bj)
				lab[t]--;
		k--;
		k = reseg(x, seq, brk, T, lab, k, 0, pen, floor, NULL);
	}
	/* Each word: the speaker of most of its frames. */
	{
		int *votes = sm_xcalloc(k, sizeof *votes);

		t = 0;
		for (i = 0; i < n; i++) {
			int b = -1;

			memset(votes, 0, k * sizeof *votes);
			for (long f = w[i].f0; f < w[i].f1; f++, t++)
				votes[lab[t]]++;
			for (s = 0; s < k; s++)
				if (b < 0 || votes[s] > votes[b])
					b = s;
			label[i] = w[i].f1 > w[i].f0 ? b : -1;
		}
		free(votes);
	}
	/* A short turn between two turns of one speaker is most likely a
	 * stretch the models could not tell apart: it goes to that speaker
	 * (three times as long a turn with prefer_current). */
	{
		long run = o->prefer_current ? 3 * RUN_MIN : RUN_MIN, a = 0;

		while (a < n) {
			long b = a, p, q;

			while (b + 1 < n && label[b + 1] == label[a])
				b++;
			for (p = a - 1; p >= 0 && label[p] < 0; p--)
				;
			for (q = b + 1; q < n && label[q] < 0; q++)
				;
			if (label[a] >= 0 && p >= 0 && q < n && label[p] == label[q] &&
			    w[b].f1 - w[a].f0 < run)
				for (long j = a; j <= b; j++)
					label[j] = label[p];
			a = b + 1;
		}
	}
	/* Words without frames take their neighbour's speaker; numbers in
	 * order of first appearance. */
	for (i = 1; i < n; i++)
		if (label[i] < 0)
			label[i] = label[i - 1];
	for (i = n - 2; i >= 0; i--)
		if (label[i] < 0)
			label[i] = label[i + 1];
	{
		int *order = sm_xcalloc(k, sizeof *order), next = 0;

		for (s = 0; s < k; s++)
			order[s] = -1;
		for (i = 0; i < n; i++) {
			if (order[label[i]] < 0)
				order[label[i]] = next++;
			label[i] = order[label[i]];
		}
		free(order);
		k = next;
	}
	free(seq);
	free(brk);
	free(segof);
	free(c);
	free(cl);
	free(lab);
	return k;
}

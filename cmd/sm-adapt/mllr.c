/* mllr.c: MLLR of the Gaussian means (C. J. Leggetter and P. C. Woodland,
 * "Maximum likelihood linear regression for speaker adaptation of
 * continuous density hidden Markov models", Computer Speech and Language
 * 9, 1995; diagonal covariances as in Gales 1998, section 4).
 *
 * The means of a regression class r and stream f become mu' = A mu + b,
 * W = (b, A).  With diagonal variances each row i has its own closed form:
 *     w_i = k_i G_i^-1,
 *     G_i = sum_m occ_m / var_mi  xi_m xi_m',   xi_m = (1, mu_m),
 *     k_i = sum_m (sum_t gamma_m(t) x_i(t)) / var_mi  xi_m'.
 * A prior of tau frames spread evenly over the class's Gaussians, whose
 * best transform is a given one (the identity for the whole input's
 * transform, that transform for a class's), is added to both: a class
 * with few frames keeps the transform of the whole input, an input with
 * few frames keeps the model.
 *
 * The model's streams are scored by separate Gaussians (one codebook per
 * stream), so a transform is block-diagonal by stream: no mean has
 * values of two streams. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "adapt.h"

#define N1 AD_N1

void
ad_mllr_classes(const struct ad_model *m, int n, int *class)
{
	int c;

	for (c = 0; c < m->n_cb; c++) {
		const char *name = m->mdef.ciname[c];

		if (n <= 1)
			class[c] = 0;
		else if (m->mdef.ci_filler[c] || c == m->mdef.sil)
			class[c] = 0;
		else if (n == 2 || strchr("AEIOU", name[0]) == NULL)
			class[c] = 1;
		else
			class[c] = 2;	/* the ARPAbet vowels: AA .. UW */
	}
}

void
ad_gacc_init(struct ad_gacc *ga, const struct ad_model *m)
{
	ga->occ = sm_xcalloc((size_t)m->n_cb * m->n_feat * m->n_dens, sizeof *ga->occ);
	ga->x = sm_xcalloc((size_t)m->n_cb * m->n_dens * m->dim, sizeof *ga->x);
}

/* Solve w G = k for the symmetric n x n G (Gauss-Jordan, partial
 * pivoting; G and k are overwritten).  -1 when singular. */
static int
solve(int n, double G[][N1], double *k, double *w)
{
	int i, j, r, p;

	for (i = 0; i < n; i++) {
		p = i;
		for (r = i + 1; r < n; r++)
			if (fabs(G[r][i]) > fabs(G[p][i]))
				p = r;
		if (!(fabs(G[p][i]) > 1e-12))
			return -1;
		if (p != i) {
			double t;

			for (j = 0; j < n; j++) {
				t = G[i][j];
				G[i][j] = G[p][j];
				G[p][j] = t;
			}
			t = k[i];
			k[i] = k[p];
			k[p] = t;
		}
		for (r = 0; r < n; r++)
			if (r != i && G[r][i] != 0) {
				double g = G[r][i] / G[i][i];

				for (j = i; j < n; j++)
					G[r][j] -= g * G[i][j];
				k[r] -= g * k[i];
			}
	}
	for (i = 0; i < n; i++)
		w[i] = k[i] / G[i][i];
	return 0;
}

/* The statistics of one stream and class: per row i, G, k and the
 * prior's P (the sum over the class's Gaussians of xi xi' / var_mi, one
 * frame each: tau / ng of it is added), G and P whole; the frames and
 * the Gaussians. */
struct cstats {
	double G[AD_MAX_D][N1][N1], P[AD_MAX_D][N1][N1], k[AD_MAX_D][N1];
	double occ;
	long ng;
};

/* C += Y' Y for Y the n rows of X (n x N1, D + 1 used) each scaled by
 * sqrt(w[j * ws]) (one BLAS call: C is symmetric). */
static void
add_syrk(double C[][N1], const double *X, const double *w, size_t ws, long n, int D,
	 double *Y)
{
	long j;
	int a;

	for (j = 0; j < n; j++) {
		double s = sqrt(w[j * ws]);

		for (a = 0; a <= D; a++)
			Y[j * N1 + a] = s * X[j * N1 + a];
	}
	cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, D + 1, (int)n, 1.0, Y, N1,
		    1.0, &C[0][0], N1);
}

long
ad_mllr_prior(const struct ad_model *m, const int *class, int r, int f,
	      double P[][N1][N1])
{
	int D = m->veclen[f], c, k, i;
	size_t G = (size_t)m->n_cb * m->n_dens;
	double *X = sm_xcalloc(G * N1, sizeof *X), *Y = sm_xcalloc(G * N1, sizeof *Y);
	double *iv = sm_xcalloc(G * D, sizeof *iv);
	long n = 0;

	memset(P, 0, AD_PRIOR_SIZE * sizeof(double));
	for (c = 0; c < m->n_cb; c++) {
		if (class[c] != r)
			continue;
		for (k = 0; k < m->n_dens; k++) {
			size_t o = ((size_t)c * m->n_dens + k) * m->dim + m->off[f];
			double *xi = X + n * N1;

			xi[0] = 1;
			for (i = 0; i < D; i++) {
				xi[i + 1] = m->mean[o + i];
				iv[n * D + i] = m->ivar[o + i];
			}
			n++;
		}
	}
	for (i = 0; n > 0 && i < D; i++)
		add_syrk(P[i], X, iv + i, (size_t)D, n, D, Y);
	free(X);
	free(Y);
	free(iv);
	return n;
}

/* The statistics of stream f for each class r (st[r]) of n_class, the
 * Gaussians with frames gathered first: G is a sum of weighted outer
 * products; P is the image's, or computed (ad_mllr_prior). */
static void
accumulate(const struct ad_model *m, const struct ad_gacc *ga, const int *class,
	   int n_class, int f, struct cstats *st)
{
	int D = m->veclen[f], c, k, i, a, r;
	size_t G = (size_t)m->n_cb * m->n_dens;
	double *Y = sm_xcalloc(G * N1, sizeof *Y), *giv = sm_xcalloc(G * D, sizeof *giv);
	double *Xg = sm_xcalloc(G * N1, sizeof *Xg);

	for (r = 0; r < n_class; r++) {
		struct cstats *cs = &st[r];
		long n = 0, ng = 0;

		for (c = 0; c < m->n_cb; c++) {
			if (class[c] != r)
				continue;
			for (k = 0; k < m->n_dens; k++) {
				size_t o = ((size_t)c * m->n_dens + k) * m->dim + m->off[f];
				double g = ga->occ[((size_t)c * m->n_feat + f) * m->n_dens + k];
				double *xi = Xg + ng * N1;

				if (g > 0) {
					/* A Gaussian without frames adds nothing
					 * to G and k. */
					xi[0] = 1;
					for (i = 0; i < D; i++)
						xi[i + 1] = m->mean[o + i];
					for (i = 0; i < D; i++) {
						double w = m->ivar[o + i];

						giv[ng * D + i] = g * w;
						for (a = 0; a <= D; a++)
							cs->k[i][a] += w * ga->x[o + i] * xi[a];
					}
					ng++;
				}
				cs->occ += g;
				n++;
			}
		}
		cs->ng = n;
		if (m->prior != NULL)
			memcpy(cs->P, m->prior + ad_prior_set(m, n_class, r, f) * AD_PRIOR_SIZE,
			       sizeof cs->P);
		else
			ad_mllr_prior(m, class, r, f, cs->P);
		for (i = 0; ng > 0 && i < D; i++)
			add_syrk(cs->G[i], Xg, giv + i, (size_t)D, ng, D, Y);
	}
	free(Y);
	free(giv);
	free(Xg);
}

/* The transform W of the statistics st plus tau frames of the prior whose
 * best transform is W0.  -1 when singular. */
static int
estimate(const struct cstats *st, int D, double tau, double W0[][N1], double W[][N1])
{
	double n;
	int i, a, b;

	if (st->ng == 0)
		return -1;
	n = tau / st->ng;
	for (i = 0; i < D; i++) {
		double Gi[N1][N1], Pi[N1][N1], ki[N1];

		for (a = 0; a <= D; a++)
			for (b = 0; b <= a; b++) {
				Pi[a][b] = Pi[b][a] = st->P[i][a][b];
				Gi[a][b] = Gi[b][a] = st->G[i][a][b] + n * Pi[a][b];
			}
		for (a = 0; a <= D; a++) {
			ki[a] = st->k[i][a];
			for (b = 0; b <= D; b++)
				ki[a] += n * Pi[a][b] * W0[i][b];
		}
		if (solve(D + 1, Gi, ki, W[i]) != 0)
			return -1;
	}
	return 0;
}

/* s[i] = Wt[0][i] + sum over j of Wt[j + 1][i] mu[j], i < D: the rows
 * of a transform (Wt its transpose) applied to one mean, side by side,
 * each row's sum in the order of j as a loop over one row would take it
 * (the same bits). */
__attribute__((target_clones("avx2", "default"))) SM_VECTORIZE
static void
apply_rows(double Wt[][AD_MAX_D], int D, const float *mu, double *restrict s)
{
	int i, j;

	for (i = 0; i < D; i++)
		s[i] = Wt[0][i];
	for (j = 0; j < D; j++) {
		double u = mu[j];

		for (i = 0; i < D; i++)
			s[i] += Wt[j + 1][i] * u;
	}
}

void
ad_mllr_means(const struct ad_model *m, const struct ad_gacc *ga, int n_class,
	      const int *class, double tau, float *out, double *occ, double *gain)
{
	double Id[AD_MAX_D][N1], Wg[AD_MAX_D][N1], W[AD_MAX_D][N1], Wt[N1][AD_MAX_D];
	double s[AD_MAX_D];
	struct cstats *st = sm_xcalloc((size_t)n_class + 1, sizeof *st), *all = &st[n_class];
	int f, r, c, k, i, j;

	*gain = 0;
	for (f = 0; f < m->n_feat; f++) {
		int D = m->veclen[f];

		memset(st, 0, ((size_t)n_class + 1) * sizeof *st);
		accumulate(m, ga, class, n_class, f, st);
		for (r = 0; r < n_class; r++) {
			for (i = 0; i < D; i++)
				for (j = 0; j <= D; j++) {
					all->k[i][j] += st[r].k[i][j];
					for (k = 0; k <= j; k++) {
						all->G[i][j][k] += st[r].G[i][j][k];
						all->P[i][j][k] += st[r].P[i][j][k];
					}
				}
			all->occ += st[r].occ;
			all->ng += st[r].ng;
		}
		memset(Id, 0, sizeof Id);
		for (i = 0; i < D; i++)
			Id[i][i + 1] = 1;
		if (estimate(all, D, tau, Id, Wg) != 0)
			memcpy(Wg, Id, sizeof Wg);
		for (r = 0; r < n_class; r++) {
			if (n_class == 1)
				memcpy(W, Wg, sizeof W);
			else if (estimate(&st[r], D, tau, Wg, W) != 0)
				memcpy(W, Wg, sizeof W);
			if (f == 0)
				occ[r] = st[r].occ;
			for (i = 0; i < D; i++)
				for (j = 0; j <= D; j++)
					Wt[j][i] = W[i][j];
			for (c = 0; c < m->n_cb; c++) {
				size_t base = (size_t)c * m->n_dens * m->dim +
					      (size_t)m->n_dens * m->off[f];

				if (class[c] != r)
					continue;
				for (k = 0; k < m->n_dens; k++) {
					const float *mu = m->mean + ((size_t)c * m->n_dens + k) *
								    m->dim + m->off[f];
					float *dst = out + base + (size_t)k * D;
					size_t go = ((size_t)c * m->n_feat + f) * m->n_dens + k;
					size_t mo = ((size_t)c * m->n_dens + k) * m->dim + m->off[f];

					apply_rows(Wt, D, mu, s);
					for (i = 0; i < D; i++)
						dst[i] = (float)s[i];
					/* The log-likelihood's change, but for the term
					 * in x^2 (the same for both): nothing where the
					 * Gaussian had no frames. */
					if (ga->occ[go] == 0)
						continue;
					for (i = 0; i < D; i++)
						*gain += m->ivar[mo + i] * (ga->x[mo + i] * (s[i] - mu[i]) -
							0.5 * ga->occ[go] * (s[i] * s[i] -
									     (double)mu[i] * mu[i]));
				}
			}
		}
	}
	free(st);
}

/* cmllr.c: constrained MLLR (feature-space MLLR) of one block-diagonal
 * affine transform, one block per feature stream (M. J. F. Gales,
 * "Maximum likelihood linear transformations for HMM-based speech
 * recognition", Computer Speech and Language 12, 1998, section 5).
 *
 * With x' = A x + b and w_i = (b_i, A_i), the auxiliary function of one
 * stream is
 *     Q = beta log |det A| - 1/2 sum_i (w_i G_i w_i' - 2 w_i k_i'),
 *     G_i = sum_t sum_m gamma_m(t) / var_mi  xi(t) xi(t)',
 *     k_i = sum_t sum_m gamma_m(t) mu_mi / var_mi  xi(t)',   xi = (1, x).
 * Each row is updated in turn with the others fixed: w_i = (alpha p_i +
 * k_i) G_i^-1, where p_i = (0, cofactors of row i of A) and alpha is the
 * root of alpha^2 p G^-1 p' + alpha p G^-1 k' - beta = 0 that gives the
 * larger Q.  Q never decreases. */
#include <math.h>
#include <string.h>

#include "adapt.h"

void
ad_stats_init(struct ad_stats *st, const struct ad_model *m)
{
	memset(st, 0, sizeof *st);
	st->n_feat = m->n_feat;
	memcpy(st->veclen, m->veclen, sizeof st->veclen);
}

void
ad_stats_add(struct ad_stats *dst, const struct ad_stats *src, double scale)
{
	int f, i, a, b;

	for (f = 0; f < dst->n_feat; f++) {
		int D = dst->veclen[f];

		for (i = 0; i < D; i++)
			for (a = 0; a <= D; a++) {
				dst->k[f][i][a] += scale * src->k[f][i][a];
				for (b = 0; b <= a; b++)
					dst->G[f][i][a][b] += scale * src->G[f][i][a][b];
			}
		dst->beta[f] += scale * src->beta[f];
	}
}

/* tau frames of data drawn from a Gaussian of variance gvar around 0
 * (where CMN puts the features), scored by that same Gaussian: the
 * statistics whose best transform is the identity, at the scale of the
 * model's data. */
void
ad_stats_prior(struct ad_stats *st, const struct ad_model *m, double tau)
{
	int f, i, j;

	for (f = 0; f < st->n_feat; f++) {
		for (i = 0; i < st->veclen[f]; i++) {
			double s = tau / m->gvar[f][i];

			st->G[f][i][0][0] += s;
			for (j = 0; j < st->veclen[f]; j++)
				st->G[f][i][j + 1][j + 1] += s * m->gvar[f][j];
		}
		st->beta[f] += tau;
	}
}

void
ad_xform_identity(struct ad_xform *x, const struct ad_stats *st)
{
	int f, i;

	memset(x, 0, sizeof *x);
	x->n_feat = st->n_feat;
	memcpy(x->veclen, st->veclen, sizeof x->veclen);
	for (f = 0; f < x->n_feat; f++)
		for (i = 0; i < x->veclen[f]; i++)
			x->W[f][i][i + 1] = 1;
}

/* Gauss-Jordan elimination with partial pivoting of the n x n matrix a
 * (row stride AD_MAX_D + 1) beside columns c0 .. c0 + nc - 1 of the
 * identity: those columns of a's inverse in out[0..n-1][0..nc-1], its
 * determinant in *det.  Each column beside a goes through the same
 * operations whatever the others, so one column (nc 1), or none for the
 * determinant alone, is bit for bit what the whole inverse has there, at
 * a fraction of the work.  -1 when singular.  The avx2 clone does the
 * same operations on four elements at once (no fused multiply-add): the
 * same bits. */
__attribute__((target_clones("avx2", "default"))) SM_VECTORIZE
static int
gauss_jordan(int n, double a[][AD_MAX_D + 1], int c0, int nc, double out[][AD_MAX_D + 1],
	     double *det)
{
	double m[AD_MAX_D + 1][2 * (AD_MAX_D + 1)], piv;
	int i, j, r, p, w = n + nc;

	*det = 1;
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++)
			m[i][j] = a[i][j];
		for (j = 0; j < nc; j++)
			m[i][n + j] = i == c0 + j;
	}
	for (i = 0; i < n; i++) {
		p = i;
		for (r = i + 1; r < n; r++)
			if (fabs(m[r][i]) > fabs(m[p][i]))
				p = r;
		if (!(fabs(m[p][i]) > 1e-300))
			return -1;
		if (p != i) {
			for (j = 0; j < w; j++) {
				double t = m[i][j];

				m[i][j] = m[p][j];
				m[p][j] = t;
			}
			*det = -*det;
		}
		*det *= m[i][i];
		piv = m[i][i];
		for (j = i; j < w; j++)
			m[i][j] /= piv;
		for (r = 0; r < n; r++)
			if (r != i && m[r][i] != 0) {
				double g = m[r][i];

				for (j = i; j < w; j++)
					m[r][j] -= g * m[i][j];
			}
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < nc; j++)
			out[i][j] = m[i][n + j];
	return 0;
}

/* G_i of stream f, row i, whole (the statistics hold its lower
 * triangle). */
static void
full_G(const struct ad_stats *st, int f, int i, double G[][AD_MAX_D + 1])
{
	int n = st->veclen[f] + 1, a, b;

	for (a = 0; a < n; a++)
		for (b = 0; b <= a; b++)
			G[a][b] = G[b][a] = st->G[f][i][a][b];
}

int
ad_estimate(struct ad_xform *x, const struct ad_stats *st, int iters)
{
	static double Ginv[AD_MAX_STREAM][AD_MAX_D][AD_MAX_D + 1][AD_MAX_D + 1];
	struct ad_xform w = *x;
	double G[AD_MAX_D + 1][AD_MAX_D + 1], A[AD_MAX_D + 1][AD_MAX_D + 1];
	double Ai[AD_MAX_D + 1][AD_MAX_D + 1], det;
	int f, i, j, l, it, D;

	for (f = 0; f < st->n_feat; f++) {
		if (!(st->beta[f] > 0))
			return -1;
		for (i = 0; i < st->veclen[f]; i++) {
			full_G(st, f, i, G);
			if (gauss_jordan(st->veclen[f] + 1, G, 0, st->veclen[f] + 1, Ginv[f][i],
					 &det) != 0)
				return -1;
		}
	}
	for (f = 0; f < st->n_feat; f++) {
		D = st->veclen[f];
		for (it = 0; it < iters; it++)
			for (i = 0; i < D; i++) {
				double p[AD_MAX_D + 1], gp[AD_MAX_D + 1], a = 0, b = 0;
				double disc, al1, al2, q1, q2, al;
				const double (*Gi)[AD_MAX_D + 1] = Ginv[f][i];
				const double *k = st->k[f][i];

				for (j = 0; j < D; j++)
					for (l = 0; l < D; l++)
						A[j][l] = w.W[f][j][l + 1];
				/* The cofactors of row i up to the factor det,
				 * which alpha absorbs: column i of A's inverse. */
				if (gauss_jordan(D, A, i, 1, Ai, &det) != 0)
					return -1;
				p[0] = 0;
				for (j = 0; j < D; j++)
					p[j + 1] = Ai[j][0];
				for (j = 0; j <= D; j++) {
					gp[j] = 0;
					for (l = 0; l <= D; l++)
						gp[j] += Gi[j][l] * p[l];
				}
				for (j = 0; j <= D; j++) {
					a += p[j] * gp[j];
					b += k[j] * gp[j];
				}
				if (!(a > 0))
					return -1;
				disc = sqrt(b * b + 4 * a * st->beta[f]);
				al1 = (-b + disc) / (2 * a);
				al2 = (-b - disc) / (2 * a);
				q1 = st->beta[f] * log(fabs(al1 * a + b)) - 0.5 * al1 * al1 * a;
				q2 = st->beta[f] * log(fabs(al2 * a + b)) - 0.5 * al2 * al2 * a;
				al = q1 >= q2 ? al1 : al2;
				for (j = 0; j <= D; j++) {
					double s = 0;

					for (l = 0; l <= D; l++)
						s += (al * p[l] + k[l]) * Gi[l][j];
					w.W[f][i][j] = s;
				}
			}
	}
	*x = w;
	return 0;
}

double
ad_auxf(const struct ad_xform *x, const struct ad_stats *st)
{
	double A[AD_MAX_D + 1][AD_MAX_D + 1];
	double G[AD_MAX_D + 1][AD_MAX_D + 1], det, q = 0, n = 0;
	int f, i, j, l, D;

	for (f = 0; f < st->n_feat; f++) {
		D = st->veclen[f];
		for (j = 0; j < D; j++)
			for (l = 0; l < D; l++)
				A[j][l] = x->W[f][j][l + 1];
		if (gauss_jordan(D, A, 0, 0, NULL, &det) != 0)
			return -INFINITY;
		q += st->beta[f] * log(fabs(det));
		for (i = 0; i < D; i++) {
			const double *w = x->W[f][i];

			full_G(st, f, i, G);
			for (j = 0; j <= D; j++) {
				double s = 0;

				for (l = 0; l <= D; l++)
					s += G[j][l] * w[l];
				q -= 0.5 * w[j] * s - w[j] * st->k[f][i][j];
			}
		}
		n += st->beta[f];
	}
	return n > 0 ? q / n * st->n_feat : 0;
}

void
ad_apply(const struct ad_xform *x, const float *in, float *out)
{
	int f, i, j, off = 0;

	for (f = 0; f < x->n_feat; f++) {
		int D = x->veclen[f];

		for (i = 0; i < D; i++) {
			const double *w = x->W[f][i];
			double s = w[0];

			for (j = 0; j < D; j++)
				s += w[j + 1] * in[off + j];
			out[off + i] = (float)s;
		}
		off += D;
	}
}

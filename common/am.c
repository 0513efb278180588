/*
 * am.c: loading and scoring a phonetically-tied-mixture acoustic model.
 *
 * Scoring a block of T frames, for each stream f:
 *  1. Gaussian log densities of all n_cb x n_dens Gaussians with one SGEMM,
 *     [T x (2D+1)] x [(2D+1) x G], through the quadratic expansion
 *        log N(x) = a + sum_d (-p_d/2) y_d^2 + sum_d p_d (mu_d - c_d) y_d,
 *     y = x - c, p = 1/var, a = -1/2 sum_d (ln 2 pi var_d + p_d (mu_d - c_d)^2).
 *     The features are centred on a fixed per-stream mean c (the mean of the
 *     Gaussian means) so that the float32 terms stay small and do not cancel.
 *  2. Exact mixtures: each codebook's densities are exponentiated relative
 *     to their maximum, then a second SGEMM per codebook multiplies them by
 *     the senones' mixture weights ([T x n_dens] x [n_dens x n_sen_in_cb]);
 *     the score is max + log(sum).  Top-N: a log-sum-exp over the N best
 *     Gaussians of each codebook only.
 * Summed over streams.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "am.h"
#include "s3.h"

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- sendump ----------------------------------------------------------- */

/* 8-bit mixture weights: int32-length-prefixed header strings up to a zero
 * length, then (cluster_count 0) int32 n_dens, int32 n_sen and
 * uint8 [n_feat][n_dens][n_sen]. */
static int
load_sendump(struct sm_am *am, const char *path, char *err, size_t errlen)
{
	unsigned char *buf;
	size_t len, pos = 0, need;
	int swap = 0, clusters = -1, feats = -1;
	uint32_t v, rows, cols;

	if (sm_read_file(path, &buf, &len, err, errlen) != 0)
		return -1;
	for (;;) {
		if (len - pos < 4) {
			fail(err, errlen, "%s: truncated in the header", path);
			goto bad;
		}
		memcpy(&v, buf + pos, 4);
		if (pos == 0 && v > 999999) {
			swap = 1;
		}
		if (swap)
			v = __builtin_bswap32(v);
		pos += 4;
		if (v == 0)
			break;
		if (v > 999999 || len - pos < v) {
			fail(err, errlen, "%s: bad header string at offset %zu", path,
			     pos - 4);
			goto bad;
		}
		/* Strings are NUL-terminated, except the alignment filler. */
		{
			char s[64];
			size_t l = v < sizeof(s) - 1 ? v : sizeof(s) - 1;

			memcpy(s, buf + pos, l);
			s[l] = 0;
			sscanf(s, "cluster_count %d", &clusters);
			sscanf(s, "feature_count %d", &feats);
		}
		pos += v;
	}
	if (clusters != 0) {
		fail(err, errlen, "%s: unsupported mixture weights (cluster_count %d, "
		     "expected 0)", path, clusters);
		goto bad;
	}
	if (feats != am->n_feat) {
		fail(err, errlen, "%s: feature_count %d, but the Gaussians have %d "
		     "streams", path, feats, am->n_feat);
		goto bad;
	}
	if (len - pos < 8) {
		fail(err, errlen, "%s: truncated before the sizes", path);
		goto bad;
	}
	memcpy(&rows, buf + pos, 4);
	memcpy(&cols, buf + pos + 4, 4);
	if (swap) {
		rows = __builtin_bswap32(rows);
		cols = __builtin_bswap32(cols);
	}
	pos += 8;
	if (rows != (uint32_t)am->n_dens || cols != (uint32_t)am->n_sen) {
		fail(err, errlen, "%s: %u x %u weights, expected %d Gaussians x %d "
		     "senones", path, rows, cols, am->n_dens, am->n_sen);
		goto bad;
	}
	need = (size_t)am->n_feat * rows * cols;
	if (len - pos != need) {
		fail(err, errlen, "%s: %s: %zu bytes of weights, expected %zu", path,
		     len - pos < need ? "truncated" : "trailing data", len - pos, need);
		goto bad;
	}
	am->mixw_q = malloc(need);
	if (am->mixw_q == NULL) {
		fail(err, errlen, "%s: out of memory", path);
		goto bad;
	}
	memcpy(am->mixw_q, buf + pos, need);
	free(buf);
	return 0;
bad:
	free(buf);
	return -1;
}

/* ---- loading ------------------------------------------------------------ */

int
sm_am_load(struct sm_am *am, const char *dir, char *err, size_t errlen)
{
	char path[4200];
	struct sm_s3_gau mean, var;
	int f, c, k, d, n;

	memset(am, 0, sizeof(*am));
	memset(&mean, 0, sizeof(mean));
	memset(&var, 0, sizeof(var));
	snprintf(path, sizeof(path), "%s/mdef", dir);
	if (sm_mdef_load(&am->mdef, path, err, errlen) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/means", dir);
	if (sm_s3_gau_load(&mean, path, err, errlen) != 0)
		goto bad;
	snprintf(path, sizeof(path), "%s/variances", dir);
	if (sm_s3_gau_load(&var, path, err, errlen) != 0)
		goto bad;
	if (var.n_mgau != mean.n_mgau || var.n_feat != mean.n_feat ||
	    var.n_density != mean.n_density ||
	    memcmp(var.veclen, mean.veclen, sizeof(var.veclen)) != 0) {
		fail(err, errlen, "%s: shape %d x %d x %d differs from the means' "
		     "%d x %d x %d", path, var.n_mgau, var.n_feat, var.n_density,
		     mean.n_mgau, mean.n_feat, mean.n_density);
		goto bad;
	}
	if (mean.n_mgau != am->mdef.n_ciphone) {
		fail(err, errlen, "%s/means: %d codebooks, but the mdef has %d CI "
		     "phones (only PTM models are supported)", dir, mean.n_mgau,
		     am->mdef.n_ciphone);
		goto bad;
	}
	if (mean.n_feat > SM_AM_MAX_FEAT) {
		fail(err, errlen, "%s/means: %d streams, at most %d supported", dir,
		     mean.n_feat, SM_AM_MAX_FEAT);
		goto bad;
	}
	am->n_cb = mean.n_mgau;
	am->n_feat = mean.n_feat;
	am->n_dens = mean.n_density;
	am->dim = mean.dim;
	am->n_sen = am->mdef.n_sen;
	for (f = 0; f < am->n_feat; f++) {
		size_t sz = (size_t)am->n_cb * am->n_dens * mean.veclen[f];

		am->veclen[f] = mean.veclen[f];
		am->mean[f] = malloc(sz * sizeof(float));
		am->var[f] = malloc(sz * sizeof(float));
		if (am->mean[f] == NULL || am->var[f] == NULL) {
			fail(err, errlen, "%s: out of memory", dir);
			goto bad;
		}
		for (c = 0; c < am->n_cb; c++)
			for (k = 0; k < am->n_dens; k++) {
				const float *mv = sm_s3_gau_vec(&mean, c, f, k);
				const float *vv = sm_s3_gau_vec(&var, c, f, k);
				size_t o = ((size_t)c * am->n_dens + k) * am->veclen[f];

				for (d = 0; d < am->veclen[f]; d++) {
					if (vv[d] < 0) {
						fail(err, errlen, "%s/variances: negative variance",
						     dir);
						goto bad;
					}
					am->mean[f][o + d] = mv[d];
					am->var[f][o + d] = vv[d] < SM_AM_VARFLOOR
						? (float)SM_AM_VARFLOOR : vv[d];
				}
			}
	}
	sm_s3_gau_free(&mean);
	sm_s3_gau_free(&var);

	snprintf(path, sizeof(path), "%s/sendump", dir);
	if (load_sendump(am, path, err, errlen) != 0)
		goto bad;

	/* Senones grouped by codebook. */
	am->cb_start = calloc((size_t)am->n_cb + 1, sizeof(int));
	am->cb_sen = malloc((size_t)am->n_sen * sizeof(int));
	if (am->cb_start == NULL || am->cb_sen == NULL) {
		fail(err, errlen, "%s: out of memory", dir);
		goto bad;
	}
	for (k = 0; k < am->n_sen; k++)
		am->cb_start[am->mdef.sen2ci[k] + 1]++;
	for (c = 0; c < am->n_cb; c++)
		am->cb_start[c + 1] += am->cb_start[c];
	{
		int *fill = calloc((size_t)am->n_cb, sizeof(int));

		if (fill == NULL) {
			fail(err, errlen, "%s: out of memory", dir);
			goto bad;
		}
		for (k = 0; k < am->n_sen; k++) {
			c = am->mdef.sen2ci[k];
			n = am->cb_start[c] + fill[c]++;
			am->cb_sen[n] = k;
		}
		free(fill);
	}
	return 0;
bad:
	sm_s3_gau_free(&mean);
	sm_s3_gau_free(&var);
	sm_am_free(am);
	return -1;
}

void
sm_am_free(struct sm_am *am)
{
	int f;

	sm_mdef_free(&am->mdef);
	for (f = 0; f < SM_AM_MAX_FEAT; f++) {
		free(am->mean[f]);
		free(am->var[f]);
	}
	free(am->mixw_q);
	free(am->cb_start);
	free(am->cb_sen);
	memset(am, 0, sizeof(*am));
}

/* ---- fast exp and log ---------------------------------------------------
 * Plain arithmetic on bit patterns, so that the loops vectorise.  Relative
 * error about 2e-7 (exp) and absolute 1e-7 (log): far below the 0.01 nat
 * tolerance of the scores. */

static inline float
exp_fast(float x)
{
	float n, r, p;
	int32_t i;
	union { float f; int32_t i; } u;

	x = x < -87.0f ? -87.0f : x;
	/* Round to nearest by adding and subtracting 1.5 * 2^23. */
	n = (x * 1.44269504f + 12582912.0f) - 12582912.0f;
	r = x - n * 0.693145752f;	/* ln 2 in two parts */
	r = r - n * 1.42860677e-6f;
	p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666672f + r * (0.0416666418f +
	    r * (0.00833336f + r * 0.00138737f)))));
	i = (int32_t)n;
	u.i = (i + 127) << 23;
	return p * u.f;
}

static inline float
log_fast(float x)
{
	union { float f; int32_t i; } u = {x};
	float e, m, s, s2;

	/* x = 2^e * m with m in [sqrt(1/2), sqrt(2)). */
	int32_t ix = u.i - 0x3f3504f3;
	int32_t ei = ix >> 23;

	u.i = (ix & 0x007fffff) + 0x3f3504f3;
	m = u.f;
	e = (float)ei;
	s = (m - 1.0f) / (m + 1.0f);
	s2 = s * s;
	return e * 0.693147181f + 2.0f * s * (1.0f + s2 * (0.333333333f + s2 *
	       (0.2f + s2 * (0.142857143f + s2 * 0.111111111f))));
}

/* ---- scorer ------------------------------------------------------------- */

struct sm_am_scorer {
	const struct sm_am *am;
	int max_frames, topn, G;
	int K[SM_AM_MAX_FEAT];
	float *W[SM_AM_MAX_FEAT];	/* [K][G] expansion weights */
	float *centre[SM_AM_MAX_FEAT];	/* [veclen] */
	float *mixw[SM_AM_MAX_FEAT];	/* per codebook [n_dens][n_c], cb-major */
	size_t *mixw_off;		/* [f][cb] offset into mixw[f] */
	float *X, *L, *tmp, *acc, *prod, *out_cb;
	int *pos;			/* [n_sen] column of each senone in out_cb */
	int max_nc;
};

void
sm_am_scorer_free(struct sm_am_scorer *s)
{
	int f;

	if (s == NULL)
		return;
	for (f = 0; f < SM_AM_MAX_FEAT; f++) {
		free(s->W[f]);
		free(s->centre[f]);
		free(s->mixw[f]);
	}
	free(s->mixw_off);
	free(s->X);
	free(s->L);
	free(s->tmp);
	free(s->acc);
	free(s->prod);
	free(s->out_cb);
	free(s->pos);
	free(s);
}

struct sm_am_scorer *
sm_am_scorer_new(const struct sm_am *am, int max_frames, int topn)
{
	struct sm_am_scorer *s;
	int f, c, k, d, j, D, G, Kmax = 0;

	if (max_frames < 1 || topn < 0 || topn > am->n_dens || topn > SM_AM_MAX_TOPN)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->am = am;
	s->max_frames = max_frames;
	s->topn = topn;
	s->G = G = am->n_cb * am->n_dens;
	for (c = 0; c < am->n_cb; c++)
		if (am->cb_start[c + 1] - am->cb_start[c] > s->max_nc)
			s->max_nc = am->cb_start[c + 1] - am->cb_start[c];
	s->mixw_off = malloc((size_t)am->n_feat * am->n_cb * sizeof(size_t));
	if (s->mixw_off == NULL)
		goto bad;
	for (f = 0; f < am->n_feat; f++) {
		D = am->veclen[f];
		s->K[f] = 2 * D + 1;
		if (s->K[f] > Kmax)
			Kmax = s->K[f];
		s->W[f] = malloc((size_t)s->K[f] * G * sizeof(float));
		s->centre[f] = calloc((size_t)D, sizeof(float));
		s->mixw[f] = malloc((size_t)am->n_dens * am->n_sen * sizeof(float));
		if (!s->W[f] || !s->centre[f] || !s->mixw[f])
			goto bad;
		for (d = 0; d < D; d++) {
			double sum = 0;

			for (j = 0; j < G; j++)
				sum += am->mean[f][(size_t)j * D + d];
			s->centre[f][d] = (float)(sum / G);
		}
		for (j = 0; j < G; j++) {
			const float *mu = am->mean[f] + (size_t)j * D;
			const float *va = am->var[f] + (size_t)j * D;
			double a = 0;

			for (d = 0; d < D; d++) {
				double p = 1.0 / va[d], m = (double)mu[d] - s->centre[f][d];

				s->W[f][(size_t)d * G + j] = (float)(-0.5 * p);
				s->W[f][(size_t)(D + d) * G + j] = (float)(p * m);
				a += log(2 * M_PI * va[d]) + p * m * m;
			}
			s->W[f][(size_t)2 * D * G + j] = (float)(-0.5 * a);
		}
		/* Mixture weights as floats, one [n_dens x n_c] block per codebook. */
		{
			size_t off = 0;

			for (c = 0; c < am->n_cb; c++) {
				int n_c = am->cb_start[c + 1] - am->cb_start[c];

				s->mixw_off[f * am->n_cb + c] = off;
				for (k = 0; k < am->n_dens; k++)
					for (j = 0; j < n_c; j++) {
						int sen = am->cb_sen[am->cb_start[c] + j];
						uint8_t q = am->mixw_q[((size_t)f * am->n_dens + k) *
								       am->n_sen + sen];

						s->mixw[f][off + (size_t)k * n_c + j] =
							(float)exp(-SM_AM_MIXW_STEP * q);
					}
				off += (size_t)am->n_dens * n_c;
			}
		}
	}
	s->X = malloc((size_t)max_frames * Kmax * sizeof(float));
	s->L = malloc((size_t)max_frames * G * sizeof(float));
	s->tmp = malloc((size_t)max_frames * (s->max_nc > 0 ? s->max_nc : 1) *
			sizeof(float));
	s->acc = malloc((size_t)max_frames * am->n_cb * sizeof(float));
	s->prod = malloc((size_t)max_frames * am->n_sen * sizeof(float));
	s->out_cb = malloc((size_t)max_frames * am->n_sen * sizeof(float));
	s->pos = malloc((size_t)am->n_sen * sizeof(int));
	if (!s->X || !s->L || !s->tmp || !s->acc || !s->prod || !s->out_cb || !s->pos)
		goto bad;
	for (j = 0; j < am->n_sen; j++)
		s->pos[am->cb_sen[j]] = j;
	return s;
bad:
	sm_am_scorer_free(s);
	return NULL;
}

/* Gaussian log densities of stream f for n frames into s->L [n][G]. */
static void
densities(struct sm_am_scorer *s, int f, const float *feat, int n)
{
	const struct sm_am *am = s->am;
	int D = am->veclen[f], K = s->K[f], off = 0, t, d;

	for (d = 0; d < f; d++)
		off += am->veclen[d];
	for (t = 0; t < n; t++) {
		const float *x = feat + (size_t)t * am->dim + off;
		float *row = s->X + (size_t)t * K;

		for (d = 0; d < D; d++) {
			float y = x[d] - s->centre[f][d];

			row[d] = y * y;
			row[D + d] = y;
		}
		row[2 * D] = 1.0f;
	}
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, s->G, K, 1.0f,
		    s->X, K, s->W[f], s->G, 0.0f, s->L, s->G);
}

/* 8-lane vectors (GCC extensions): AVX2 in the avx2 clones, two SSE halves
 * otherwise.  The helpers are static and inlined, so the psabi note about
 * passing AVX vectors by value does not concern any real interface. */
#pragma GCC diagnostic ignored "-Wpsabi"
typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

static inline __attribute__((always_inline)) v8f
sel8(v8i mask, v8f a, v8f b)
{
	return (v8f)((mask & (v8i)a) | (~mask & (v8i)b));
}

/* exp_fast on 8 lanes (x <= 0). */
static inline __attribute__((always_inline)) v8f
exp8(v8f x)
{
	const v8f lo = {-87, -87, -87, -87, -87, -87, -87, -87};
	const v8f big = x * 0 + 12582912.0f;
	v8f n, r, p;
	v8i i;

	x = sel8(x < lo, lo, x);
	n = (x * 1.44269504f + big) - big;
	r = x - n * 0.693145752f;
	r = r - n * 1.42860677e-6f;
	p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666672f + r * (0.0416666418f +
	    r * (0.00833336f + r * 0.00138737f)))));
	i = __builtin_convertvector(n, v8i);
	i = (i + 127) << 23;
	return p * (v8f)i;
}

/* Exponentiate each codebook's densities relative to their maximum (kept
 * in mx[t][cb]). */
__attribute__((target_clones("avx2", "default")))
static void
exp_rel(float *L, float *mx, int n, int n_cb, int n_dens, int G)
{
	int t, c, k, k8 = n_dens & ~7;

	for (t = 0; t < n; t++)
		for (c = 0; c < n_cb; c++) {
			float *v = L + (size_t)t * G + (size_t)c * n_dens;
			float m = v[0];

			if (k8 > 0) {
				v8f vm, x;

				memcpy(&vm, v, sizeof(vm));
				for (k = 8; k < k8; k += 8) {
					memcpy(&x, v + k, sizeof(x));
					vm = sel8(x > vm, x, vm);
				}
				for (k = 0; k < 8; k++)
					m = vm[k] > m ? vm[k] : m;
			}
			for (k = k8; k < n_dens; k++)
				m = v[k] > m ? v[k] : m;
			for (k = 0; k < k8; k += 8) {
				v8f x;

				memcpy(&x, v + k, sizeof(x));
				x = exp8(x - m);
				memcpy(v + k, &x, sizeof(x));
			}
			for (k = k8; k < n_dens; k++)
				v[k] = exp_fast(v[k] - m);
			mx[t * n_cb + c] = m;
		}
}

__attribute__((target_clones("avx2", "default"), optimize("O3")))
static void
log_add(float *out, const float *prod, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] += log_fast(prod[i]);
}

__attribute__((target_clones("avx2", "default"), optimize("O3")))
static void
mul_add(float *restrict p, float *restrict o, const float *restrict v, float m,
	int n, int first_mul, int first_add)
{
	int j;

	if (first_mul)
		for (j = 0; j < n; j++)
			p[j] = v[j];
	else
		for (j = 0; j < n; j++)
			p[j] *= v[j];
	if (first_add)
		for (j = 0; j < n; j++)
			o[j] = m;
	else
		for (j = 0; j < n; j++)
			o[j] += m;
}

/* Scores are accumulated in codebook order (s->out_cb, s->prod: senone
 * cb_sen[i] at column i) and put back in senone order at the end.
 * Per stream and codebook: prod (first stream of a group of 3: =, else *=)
 * the mixture sums, out_cb (first stream: =, else +=) the codebook maximum.
 * Three streams' sums multiply without underflow: each is at least the
 * smallest mixture weight (>= 1.0001^(-1024 * 255)). */
static void
score_exact(struct sm_am_scorer *s, int f, int n)
{
	const struct sm_am *am = s->am;
	size_t nn = (size_t)n * am->n_sen;
	int c, n_c, t;

	exp_rel(s->L, s->acc, n, am->n_cb, am->n_dens, s->G);
	for (c = 0; c < am->n_cb; c++) {
		n_c = am->cb_start[c + 1] - am->cb_start[c];
		if (n_c == 0)
			continue;
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n_c,
			    am->n_dens, 1.0f, s->L + (size_t)c * am->n_dens, s->G,
			    s->mixw[f] + s->mixw_off[f * am->n_cb + c], n_c, 0.0f,
			    s->tmp, n_c);
		for (t = 0; t < n; t++) {
			size_t o = (size_t)t * am->n_sen + am->cb_start[c];

			mul_add(s->prod + o, s->out_cb + o, s->tmp + (size_t)t * n_c,
				s->acc[t * am->n_cb + c], n_c, f % 3 == 0, f == 0);
		}
	}
	if (f % 3 == 2 || f == am->n_feat - 1)
		log_add(s->out_cb, s->prod, nn);
}

static void
score_topn(struct sm_am_scorer *s, int f, int n, float *out)
{
	const struct sm_am *am = s->am;
	int N = s->topn, t, c, k, i, j;
	int idx[SM_AM_MAX_TOPN];
	float val[SM_AM_MAX_TOPN];

	for (t = 0; t < n; t++) {
		float *o = out + (size_t)t * am->n_sen;

		for (c = 0; c < am->n_cb; c++) {
			const float *v = s->L + (size_t)t * s->G + (size_t)c * am->n_dens;
			int have = 0;

			/* Insertion into a sorted list of the N best. */
			for (k = 0; k < am->n_dens; k++) {
				if (have == N && v[k] <= val[N - 1])
					continue;
				i = have < N ? have++ : N - 1;
				while (i > 0 && val[i - 1] < v[k]) {
					val[i] = val[i - 1];
					idx[i] = idx[i - 1];
					i--;
				}
				val[i] = v[k];
				idx[i] = k;
			}
			for (j = am->cb_start[c]; j < am->cb_start[c + 1]; j++) {
				int sen = am->cb_sen[j];
				float l[SM_AM_MAX_TOPN], m = -INFINITY, sum = 0;

				for (i = 0; i < N; i++) {
					uint8_t q = am->mixw_q[((size_t)f * am->n_dens + idx[i]) *
							       am->n_sen + sen];

					l[i] = val[i] - (float)SM_AM_MIXW_STEP * q;
					m = l[i] > m ? l[i] : m;
				}
				for (i = 0; i < N; i++)
					sum += exp_fast(l[i] - m);
				if (f == 0)
					o[sen] = m + log_fast(sum);
				else
					o[sen] += m + log_fast(sum);
			}
		}
	}
}

int
sm_am_score(struct sm_am_scorer *s, const float *feat, int n, float *out,
	    int sub_max)
{
	const struct sm_am *am = s->am;
	size_t i;
	int f, t, j;

	if (n < 0 || n > s->max_frames)
		return -1;
	for (i = 0; i < (size_t)n * am->dim; i++)
		if (!isfinite(feat[i]))
			return -1;
	for (f = 0; f < am->n_feat; f++) {
		densities(s, f, feat, n);
		if (s->topn == 0)
			score_exact(s, f, n);
		else
			score_topn(s, f, n, out);
	}
	if (s->topn == 0)
		for (t = 0; t < n; t++) {
			const float *src = s->out_cb + (size_t)t * am->n_sen;
			float *o = out + (size_t)t * am->n_sen;

			for (j = 0; j < am->n_sen; j++)
				o[j] = src[s->pos[j]];
		}
	if (sub_max)
		for (t = 0; t < n; t++) {
			float *o = out + (size_t)t * am->n_sen, m = o[0];

			for (j = 1; j < am->n_sen; j++)
				m = o[j] > m ? o[j] : m;
			for (j = 0; j < am->n_sen; j++)
				o[j] -= m;
		}
	return 0;
}

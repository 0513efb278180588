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
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "am.h"
#include "image.h"
#include "mdef.h"
#include "s3.h"
#include "sm.h"

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
load_sendump(const struct sm_am *am, const char *path, uint8_t **q, char *err,
	     size_t errlen)
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
	*q = malloc(need);
	if (*q == NULL) {
		fail(err, errlen, "%s: out of memory", path);
		goto bad;
	}
	memcpy(*q, buf + pos, need);
	free(buf);
	return 0;
bad:
	free(buf);
	return -1;
}

/* ---- the tables --------------------------------------------------------
 * All of them in one block, laid out as in the acoustic image: a header,
 * then each array at a 64-byte boundary.  sm_am_load computes the block;
 * sm_am_open maps it from the image; both end in bind(). */

/* The acoustic image (image.h): the shared prefix, then the sizes. */
struct img_hdr {
	struct sm_image_hdr im;
	int32_t n_cb, n_feat, n_dens, n_sen, veclen[SM_AM_MAX_FEAT];
};

static const struct sm_image_kind_desc img_kind = {
	SM_IMAGE_AM, 2, sizeof(struct img_hdr)
};

struct layout {
	size_t cb_start, cb_sen, pos, mixw_q, total;
	size_t centre[SM_AM_MAX_FEAT], W[SM_AM_MAX_FEAT], mixw[SM_AM_MAX_FEAT];
};

/* Offsets of the arrays; the sizes are bounded by the callers. */
static void
layout(const struct sm_am *am, struct layout *lo)
{
	size_t o = sm_image_body_off(sizeof(struct img_hdr)), G = (size_t)am->n_cb * am->n_dens;
	int f;

	lo->cb_start = o;
	o = sm_image_align(o + 4 * ((size_t)am->n_cb + 1));
	lo->cb_sen = o;
	o = sm_image_align(o + 4 * (size_t)am->n_sen);
	lo->pos = o;
	o = sm_image_align(o + 4 * (size_t)am->n_sen);
	for (f = 0; f < am->n_feat; f++) {
		size_t D = (size_t)am->veclen[f];

		lo->centre[f] = o;
		o = sm_image_align(o + 4 * D);
		lo->W[f] = o;
		o = sm_image_align(o + 4 * (2 * D + 1) * G);
		lo->mixw[f] = o;
		o = sm_image_align(o + 4 * (size_t)am->n_dens * am->n_sen);
	}
	lo->mixw_q = o;
	o = sm_image_align(o + (size_t)am->n_feat * am->n_dens * am->n_sen);
	lo->total = o;
}

static void
bind(struct sm_am *am, const struct layout *lo)
{
	const unsigned char *b = am->blob;
	int f;

	am->cb_start = (const int32_t *)(b + lo->cb_start);
	am->cb_sen = (const int32_t *)(b + lo->cb_sen);
	am->pos = (const int32_t *)(b + lo->pos);
	for (f = 0; f < am->n_feat; f++) {
		am->centre[f] = (const float *)(b + lo->centre[f]);
		am->W[f] = (const float *)(b + lo->W[f]);
		am->mixw[f] = (const float *)(b + lo->mixw[f]);
	}
	am->mixw_q = b + lo->mixw_q;
}

/* ---- loading from the model files --------------------------------------- */

int
sm_am_load(struct sm_am *am, const char *dir, char *err, size_t errlen)
{
	char path[4200];
	struct sm_mdef mdef;
	struct sm_s3_gau mean, var;
	struct layout lo;
	uint8_t *q = NULL;
	int32_t *cb_start, *cb_sen, *pos;
	float tab[256];
	int f, c, k, d, n, j;

	memset(am, 0, sizeof(*am));
	memset(&mdef, 0, sizeof(mdef));
	memset(&mean, 0, sizeof(mean));
	memset(&var, 0, sizeof(var));
	snprintf(path, sizeof(path), "%s/mdef", dir);
	if (sm_mdef_load(&mdef, path, err, errlen) != 0)
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
	if (mean.n_mgau != mdef.n_ciphone) {
		fail(err, errlen, "%s/means: %d codebooks, but the mdef has %d CI "
		     "phones (only PTM models are supported)", dir, mean.n_mgau,
		     mdef.n_ciphone);
		goto bad;
	}
	if (mean.n_feat > SM_AM_MAX_FEAT) {
		fail(err, errlen, "%s/means: %d streams, at most %d supported", dir,
		     mean.n_feat, SM_AM_MAX_FEAT);
		goto bad;
	}
	for (k = 0; k < mean.n_mgau * mean.n_density * mean.dim; k++)
		if (var.data[k] < 0) {
			fail(err, errlen, "%s/variances: negative variance", dir);
			goto bad;
		}
	am->n_cb = mean.n_mgau;
	am->n_feat = mean.n_feat;
	am->n_dens = mean.n_density;
	am->dim = mean.dim;
	am->n_sen = mdef.n_sen;
	for (f = 0; f < am->n_feat; f++)
		am->veclen[f] = mean.veclen[f];

	snprintf(path, sizeof(path), "%s/sendump", dir);
	if (load_sendump(am, path, &q, err, errlen) != 0)
		goto bad;

	layout(am, &lo);
	am->blob = aligned_alloc(64, lo.total);
	if (am->blob == NULL) {
		fail(err, errlen, "%s: out of memory", dir);
		goto bad;
	}
	am->blob_size = lo.total;
	memset(am->blob, 0, lo.total);
	cb_start = (int32_t *)(am->blob + lo.cb_start);
	cb_sen = (int32_t *)(am->blob + lo.cb_sen);
	pos = (int32_t *)(am->blob + lo.pos);

	/* Senones grouped by codebook. */
	for (k = 0; k < am->n_sen; k++)
		cb_start[mdef.sen2ci[k] + 1]++;
	for (c = 0; c < am->n_cb; c++)
		cb_start[c + 1] += cb_start[c];
	for (k = 0; k < am->n_sen; k++) {
		c = mdef.sen2ci[k];
		/* pos[] counts the senones placed so far in each codebook. */
		n = cb_start[c] + pos[c]++;
		cb_sen[n] = k;
	}
	for (j = 0; j < am->n_sen; j++)
		pos[cb_sen[j]] = j;

	/* The Gaussians' quadratic expansion, on features centred on the
	 * mean of the means (variances floored). */
	for (f = 0; f < am->n_feat; f++) {
		int D = am->veclen[f], G = am->n_cb * am->n_dens;
		float *centre = (float *)(am->blob + lo.centre[f]);
		float *W = (float *)(am->blob + lo.W[f]);

		for (d = 0; d < D; d++) {
			double sum = 0;

			for (c = 0; c < am->n_cb; c++)
				for (k = 0; k < am->n_dens; k++)
					sum += sm_s3_gau_vec(&mean, c, f, k)[d];
			centre[d] = (float)(sum / G);
		}
		for (c = 0; c < am->n_cb; c++)
			for (k = 0; k < am->n_dens; k++) {
				const float *mu = sm_s3_gau_vec(&mean, c, f, k);
				const float *vv = sm_s3_gau_vec(&var, c, f, k);
				double a = 0;

				j = c * am->n_dens + k;
				for (d = 0; d < D; d++) {
					float va = vv[d] < SM_AM_VARFLOOR
						? (float)SM_AM_VARFLOOR : vv[d];
					double p = 1.0 / va, m = (double)mu[d] - centre[d];

					W[(size_t)d * G + j] = (float)(-0.5 * p);
					W[(size_t)(D + d) * G + j] = (float)(p * m);
					a += log(2 * M_PI * va) + p * m * m;
				}
				W[(size_t)2 * D * G + j] = (float)(-0.5 * a);
			}
	}

	/* Mixture weights as floats, one [n_dens x n_c] block per codebook. */
	for (k = 0; k < 256; k++)
		tab[k] = (float)exp(-SM_AM_MIXW_STEP * k);
	for (f = 0; f < am->n_feat; f++) {
		float *mixw = (float *)(am->blob + lo.mixw[f]);

		for (c = 0; c < am->n_cb; c++) {
			int n_c = cb_start[c + 1] - cb_start[c];
			size_t off = (size_t)am->n_dens * cb_start[c];

			for (k = 0; k < am->n_dens; k++) {
				const uint8_t *qr = q + ((size_t)f * am->n_dens + k) * am->n_sen;

				for (j = 0; j < n_c; j++)
					mixw[off + (size_t)k * n_c + j] =
						tab[qr[cb_sen[cb_start[c] + j]]];
			}
		}
	}
	memcpy(am->blob + lo.mixw_q, q, (size_t)am->n_feat * am->n_dens * am->n_sen);
	bind(am, &lo);
	free(q);
	sm_s3_gau_free(&mean);
	sm_s3_gau_free(&var);
	sm_mdef_free(&mdef);
	return 0;
bad:
	free(q);
	sm_s3_gau_free(&mean);
	sm_s3_gau_free(&var);
	sm_mdef_free(&mdef);
	sm_am_free(am);
	return -1;
}

/* One dimension of n Gaussians with new means mu: the precisions' row wp
 * and the means' row wm of W (p = -2 wp, the old mean wm / p), the new
 * means' row into nm, each Gaussian's constant term added into acc.  In
 * double, element by element: the avx2 clone computes the same bits. */
__attribute__((target_clones("avx2", "default"))) SM_VECTORIZE
static void
means_row(const float *restrict wp, const float *restrict wm, const float *restrict mu,
	  double centre, float *restrict nm, double *restrict acc, int n)
{
	int k;

	for (k = 0; k < n; k++) {
		double p = -2.0 * wp[k];
		double m0 = wm[k] / p;
		double m1 = (double)mu[k] - centre;

		nm[k] = (float)(p * m1);
		acc[k] += p * (m1 * m1 - m0 * m0);
	}
}

int
sm_am_set_means(struct sm_am *am, const struct sm_s3_gau *mean, const char *path,
		char *err, size_t errlen)
{
	size_t total = 0, o;
	float *own, *mt = NULL;
	double *acc = NULL;
	int f, d, j, c, k, N = am->n_dens;

	if (mean->n_mgau != am->n_cb || mean->n_feat != am->n_feat ||
	    mean->n_density != am->n_dens)
		return fail(err, errlen, "%s: means of %d codebooks x %d streams x %d "
			    "Gaussians, the acoustic model has %d x %d x %d", path,
			    mean->n_mgau, mean->n_feat, mean->n_density, am->n_cb,
			    am->n_feat, am->n_dens);
	for (f = 0; f < am->n_feat; f++) {
		if (mean->veclen[f] != am->veclen[f])
			return fail(err, errlen, "%s: stream %d has %d values, the "
				    "acoustic model's %d", path, f, mean->veclen[f],
				    am->veclen[f]);
		total += (size_t)(2 * am->veclen[f] + 1) * am->n_cb * am->n_dens;
	}
	if ((own = malloc(total * sizeof(*own))) == NULL ||
	    (acc = malloc((size_t)am->n_cb * N * sizeof(*acc))) == NULL ||
	    (mt = malloc((size_t)N * mean->dim * sizeof(*mt))) == NULL) {
		free(own);
		free(acc);
		return fail(err, errlen, "%s: out of memory", path);
	}
	/* From the model's W: the precisions p = -2 W[d], the old means
	 * p m / p, and the constant without the old means' term.  W's rows
	 * are dimensions, its columns Gaussians; the means file has a
	 * Gaussian's dimensions together, so each codebook's means are
	 * turned into rows (mt) first.  Each Gaussian's constant acc[j] adds
	 * its terms in the order of d. */
	for (f = 0, o = 0; f < am->n_feat; f++) {
		int D = am->veclen[f], G = am->n_cb * N;
		const float *W = am->W[f], *centre = am->centre[f];
		float *nw = own + o;

		for (j = 0; j < G; j++)
			acc[j] = -2.0 * W[(size_t)2 * D * G + j];
		for (d = 0; d < D; d++)
			memcpy(nw + (size_t)d * G, W + (size_t)d * G, sizeof(*nw) * (size_t)G);
		for (c = 0; c < am->n_cb; c++) {
			const float *mu = sm_s3_gau_vec(mean, c, f, 0);

			for (k = 0; k < N; k++)
				for (d = 0; d < D; d++)
					mt[(size_t)d * N + k] = mu[(size_t)k * D + d];
			for (d = 0; d < D; d++) {
				size_t r = (size_t)d * G + (size_t)c * N;

				means_row(W + r, W + (size_t)D * G + r, mt + (size_t)d * N,
					  centre[d], nw + (size_t)D * G + r, acc + (size_t)c * N, N);
			}
		}
		for (j = 0; j < G; j++)
			nw[(size_t)2 * D * G + j] = (float)(-0.5 * acc[j]);
		/* a stream reads only its own W: the old one stays until below */
		am->W[f] = nw;
		o += (size_t)(2 * D + 1) * G;
	}
	free(acc);
	free(mt);
	free(am->own_W);
	am->own_W = own;
	return 0;
}

/* OpenBLAS's own: stops its thread pool (exported, not in cblas.h). */
int blas_thread_shutdown_(void);

void
sm_am_blas_one_thread(void)
{
	openblas_set_num_threads(1);
	blas_thread_shutdown_();
}

void
sm_am_free(struct sm_am *am)
{
	free(am->own_W);
	if (am->mapped)
		sm_image_close(&am->img);
	else
		free(am->blob);
	memset(am, 0, sizeof(*am));
}

/* ---- the acoustic image ------------------------------------------------- */

int
sm_am_save(const struct sm_am *am, const char *path, const uint64_t fp[SM_IMAGE_FP],
	   char *err, size_t errlen)
{
	struct img_hdr h;
	size_t first = sm_image_body_off(sizeof(h));
	int f;

	memset(&h, 0, sizeof(h));
	h.im.kind = img_kind.kind;
	h.im.version = img_kind.version;
	memcpy(h.im.fp, fp, sizeof(h.im.fp));
	h.n_cb = am->n_cb;
	h.n_feat = am->n_feat;
	h.n_dens = am->n_dens;
	h.n_sen = am->n_sen;
	for (f = 0; f < am->n_feat; f++)
		h.veclen[f] = am->veclen[f];
	return sm_image_write(path, &h.im, sizeof(h), am->blob + first,
			      am->blob_size - first, err, errlen);
}

/* The index arrays of a mapped image: a permutation grouped by codebook.
 * Checked at every open: they are the only values the scorer uses as
 * addresses, so an image that passes cannot make it read out of bounds,
 * whatever its floats hold. */
static int
check_index(const struct sm_am *am)
{
	int c, j;

	if (am->cb_start[0] != 0 || am->cb_start[am->n_cb] != am->n_sen)
		return -1;
	for (c = 0; c < am->n_cb; c++)
		if (am->cb_start[c + 1] < am->cb_start[c])
			return -1;
	for (j = 0; j < am->n_sen; j++)
		if (am->cb_sen[j] < 0 || am->cb_sen[j] >= am->n_sen ||
		    am->pos[am->cb_sen[j]] != j)
			return -1;
	return 0;
}

int
sm_am_open_pack(struct sm_am *am, const struct sm_pack *pack, int no_image,
		char *err, size_t errlen)
{
	uint64_t fp[SM_IMAGE_FP];

	if (no_image || pack->am_image[0] == '\0')
		return sm_am_load(am, pack->hmm, err, errlen) != 0 ? -1 : 0;
	if (sm_image_fingerprint(pack, SM_IMAGE_AM, fp, err, errlen) != 0)
		return -1;
	return sm_am_open(am, pack->am_image, fp, err, errlen) != 0 ? -2 : 0;
}

int
sm_am_open(struct sm_am *am, const char *path, const uint64_t fp[SM_IMAGE_FP],
	   char *err, size_t errlen)
{
	struct img_hdr h;
	struct layout lo;
	int f, dim = 0;

	memset(am, 0, sizeof(*am));
	if (sm_image_open(&am->img, path, &img_kind, fp, 1, err, errlen) != 0)
		return -1;
	am->blob = (unsigned char *)am->img.map;
	am->blob_size = am->img.size;
	am->mapped = 1;
	memcpy(&h, am->blob, sizeof(h));
	/* The sizes (the header's checksum matched: these are the writer's,
	 * bounded all the same so that the layout cannot overflow), the
	 * length they imply, then the indices. */
	if (h.n_cb < 1 || h.n_cb > 4096 || h.n_feat < 1 || h.n_feat > SM_AM_MAX_FEAT ||
	    h.n_dens < 1 || h.n_dens > 4096 || h.n_sen < 1 || h.n_sen > (1 << 22)) {
		fail(err, errlen, "%s: corrupt acoustic image: %d codebooks x %d streams "
		     "x %d Gaussians, %d senones", path, h.n_cb, h.n_feat, h.n_dens, h.n_sen);
		goto bad;
	}
	for (f = 0; f < h.n_feat; f++) {
		if (h.veclen[f] < 1 || h.veclen[f] > 256) {
			fail(err, errlen, "%s: corrupt acoustic image: stream %d of "
			     "dimension %d", path, f, h.veclen[f]);
			goto bad;
		}
		dim += h.veclen[f];
	}
	am->n_cb = h.n_cb;
	am->n_feat = h.n_feat;
	am->n_dens = h.n_dens;
	am->n_sen = h.n_sen;
	am->dim = dim;
	for (f = 0; f < h.n_feat; f++)
		am->veclen[f] = h.veclen[f];
	layout(am, &lo);
	if (lo.total != am->blob_size) {
		fail(err, errlen, "%s: corrupt acoustic image: %zu bytes, its sizes make "
		     "%zu", path, am->blob_size, lo.total);
		goto bad;
	}
	bind(am, &lo);
	if (check_index(am) != 0) {
		fail(err, errlen, "%s: corrupt acoustic image: its senone index is not "
		     "a permutation grouped by codebook", path);
		goto bad;
	}
	return 0;
bad:
	sm_am_free(am);
	return -1;
}

int
sm_am_check(const struct sm_am *am, const char *path, char *err, size_t errlen)
{
	/* sm_am_open has checked the header, the sizes and the index arrays. */
	if (!am->mapped)
		return 0;
	return sm_image_check_sum(&am->img, path, err, errlen);
}

/* ---- fast exp and log ---------------------------------------------------
 * Plain arithmetic on bit patterns, so that the loops vectorise.  Relative
 * error about 2e-7 (exp) and absolute 1e-7 (log): far below the 0.01 nat
 * tolerance of the scores
 * Any argument is safe (a damaged image may hold any float): exp clamps
 * to [-87, 88] and sends NaN to -87; log works on the unsigned bit pattern,
 * so a negative or NaN argument gives a meaningless value, never undefined
 * behaviour. */

static inline float
exp_fast(float x)
{
	float n, r, p;
	int32_t i;
	union { float f; int32_t i; } u;

	x = x >= -87.0f ? x : -87.0f;
	x = x <= 88.0f ? x : 88.0f;
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
	union { float f; uint32_t i; } u = {x};
	float e, m, s, s2;

	/* x = 2^e * m with m in [sqrt(1/2), sqrt(2)). */
	uint32_t ix = u.i - 0x3f3504f3u;
	int32_t ei = (int32_t)(ix >> 23) - (int32_t)((ix >> 31) << 9);

	u.i = (ix & 0x007fffffu) + 0x3f3504f3u;
	m = u.f;
	e = (float)ei;
	s = (m - 1.0f) / (m + 1.0f);
	s2 = s * s;
	return e * 0.693147181f + 2.0f * s * (1.0f + s2 * (0.333333333f + s2 *
	       (0.2f + s2 * (0.142857143f + s2 * 0.111111111f))));
}

/* ---- scorer -------------------------------------------------------------
 * Codebook by codebook: all the working space of one codebook (its
 * densities, [T x n_dens], and its senones' sums, [T x n_c]) stays in the
 * cache, and nothing of the size of a whole frame's scores is written but
 * the output itself. */

struct sm_am_scorer {
	const struct sm_am *am;
	int max_frames, topn, G, max_nc;
	int K[SM_AM_MAX_FEAT];
	/* X[f]: the features' expansion [T x K[f]]; L: one codebook's
	 * densities [T x n_dens]; mx: their maxima [T]; msum: the maxima
	 * summed over streams [T]; tmp, prod, sc: [T x max_nc]. */
	float *X[SM_AM_MAX_FEAT], *L, *mx, *msum, *tmp, *prod, *sc;
	float *block;		/* all of the above, one allocation */
};

void
sm_am_scorer_free(struct sm_am_scorer *s)
{
	if (s == NULL)
		return;
	free(s->block);
	free(s);
}

/* Only working space: the tables are the model's, shared by all scorers. */
struct sm_am_scorer *
sm_am_scorer_new(const struct sm_am *am, int max_frames, int topn)
{
	struct sm_am_scorer *s;
	size_t T = (size_t)max_frames, total = 0, at = 0, n_x[SM_AM_MAX_FEAT];
	int f, c;

	if (max_frames < 1 || topn < 0 || topn > am->n_dens || topn > SM_AM_MAX_TOPN)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->am = am;
	s->max_frames = max_frames;
	s->topn = topn;
	s->G = am->n_cb * am->n_dens;
	s->max_nc = 1;
	for (c = 0; c < am->n_cb; c++)
		if (am->cb_start[c + 1] - am->cb_start[c] > s->max_nc)
			s->max_nc = am->cb_start[c + 1] - am->cb_start[c];
	/* Each array at a 64-byte boundary (16 floats). */
#define SM_AM_UP16(n) (((n) + 15) & ~(size_t)15)
	for (f = 0; f < am->n_feat; f++) {
		s->K[f] = 2 * am->veclen[f] + 1;
		n_x[f] = SM_AM_UP16(T * s->K[f]);
		total += n_x[f];
	}
	total += SM_AM_UP16(T * am->n_dens) + 2 * SM_AM_UP16(T) +
		 3 * SM_AM_UP16(T * s->max_nc);
	s->block = aligned_alloc(64, total * sizeof(float));
	if (s->block == NULL) {
		free(s);
		return NULL;
	}
	for (f = 0; f < am->n_feat; f++) {
		s->X[f] = s->block + at;
		at += n_x[f];
	}
	s->L = s->block + at;
	at += SM_AM_UP16(T * am->n_dens);
	s->mx = s->block + at;
	at += SM_AM_UP16(T);
	s->msum = s->block + at;
	at += SM_AM_UP16(T);
	s->tmp = s->block + at;
	at += SM_AM_UP16(T * s->max_nc);
	s->prod = s->block + at;
	at += SM_AM_UP16(T * s->max_nc);
	s->sc = s->block + at;
#undef SM_AM_UP16
	return s;
}

/* The expansion [y^2, y, 1] of stream f's features, y = x - centre, for n
 * frames into s->X[f]. */
static void
expand(struct sm_am_scorer *s, int f, const float *feat, int n)
{
	const struct sm_am *am = s->am;
	int D = am->veclen[f], K = s->K[f], off = 0, t, d;

	for (d = 0; d < f; d++)
		off += am->veclen[d];
	for (t = 0; t < n; t++) {
		const float *x = feat + (size_t)t * am->dim + off;
		float *row = s->X[f] + (size_t)t * K;

		for (d = 0; d < D; d++) {
			float y = x[d] - am->centre[f][d];

			row[d] = y * y;
			row[D + d] = y;
		}
		row[2 * D] = 1.0f;
	}
}

/* Gaussian log densities of codebook c, stream f, for n frames into
 * s->L [n][n_dens]. */
static void
densities(struct sm_am_scorer *s, int f, int c, int n)
{
	const struct sm_am *am = s->am;

	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, am->n_dens, s->K[f],
		    1.0f, s->X[f], s->K[f], am->W[f] + (size_t)c * am->n_dens, s->G,
		    0.0f, s->L, am->n_dens);
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

/* exp_fast on 8 lanes. */
static inline __attribute__((always_inline)) v8f
exp8(v8f x)
{
	const v8f lo = {-87, -87, -87, -87, -87, -87, -87, -87};
	const v8f hi = {88, 88, 88, 88, 88, 88, 88, 88};
	const v8f big = lo * 0 + 12582912.0f;
	v8f n, r, p;
	v8i i;

	x = sel8(x >= lo, x, lo);
	x = sel8(x <= hi, x, hi);
	n = (x * 1.44269504f + big) - big;
	r = x - n * 0.693145752f;
	r = r - n * 1.42860677e-6f;
	p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666672f + r * (0.0416666418f +
	    r * (0.00833336f + r * 0.00138737f)))));
	i = __builtin_convertvector(n, v8i);
	i = (i + 127) << 23;
	return p * (v8f)i;
}

/* The maximum of n values, 8 lanes at a time (inlined into each clone of
 * its callers). */
static inline __attribute__((always_inline)) float
row_max(const float *v, int n)
{
	int k, n8 = n & ~7;
	float m = v[0];

	if (n8 > 0) {
		v8f vm, x;

		memcpy(&vm, v, sizeof(vm));
		for (k = 8; k < n8; k += 8) {
			memcpy(&x, v + k, sizeof(x));
			vm = sel8(x > vm, x, vm);
		}
		for (k = 0; k < 8; k++)
			m = vm[k] > m ? vm[k] : m;
	}
	for (k = n8; k < n; k++)
		m = v[k] > m ? v[k] : m;
	return m;
}

/* Exponentiate each row of n_dens densities relative to its maximum (kept
 * in mx[t]). */
__attribute__((target_clones("avx2", "default")))
static void
exp_rel(float *L, float *mx, int n, int n_dens)
{
	int t, k, k8 = n_dens & ~7;

	for (t = 0; t < n; t++) {
		float *v = L + (size_t)t * n_dens;
		float m = row_max(v, n_dens);
		for (k = 0; k < k8; k += 8) {
			v8f x;

			memcpy(&x, v + k, sizeof(x));
			x = exp8(x - m);
			memcpy(v + k, &x, sizeof(x));
		}
		for (k = k8; k < n_dens; k++)
			v[k] = exp_fast(v[k] - m);
		mx[t] = m;
	}
}

/* p *= v, n values. */
__attribute__((target_clones("avx2", "default"))) SM_VECTORIZE
static void
mul(float *restrict p, const float *restrict v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] *= v[i];
}

/* o -= the maximum of o, n values; the maximum as exp_rel finds it. */
__attribute__((target_clones("avx2", "default"))) SM_VECTORIZE
static void
sub_max_row(float *restrict o, int n)
{
	int j;
	float m = row_max(o, n);

	for (j = 0; j < n; j++)
		o[j] -= m;
}

/* sc = log(prod) (first) or sc += log(prod), n values. */
__attribute__((target_clones("avx2", "default"))) SM_VECTORIZE
static void
log_acc(float *restrict sc, const float *restrict prod, size_t n, int first)
{
	size_t i;

	if (first)
		for (i = 0; i < n; i++)
			sc[i] = log_fast(prod[i]);
	else
		for (i = 0; i < n; i++)
			sc[i] += log_fast(prod[i]);
}

/* Exact mixtures of codebook c's n_c senones for n frames, into out.
 * Per stream: the densities exponentiated relative to their maximum, times
 * the mixture weights (SGEMM); the sums of a group of three streams are
 * multiplied (prod) before one log, which cannot underflow: each is at
 * least the smallest mixture weight (>= 1.0001^(-1024 * 255)).  The score
 * is (sum of the maxima) + (sum over groups of log prod). */
static void
score_exact(struct sm_am_scorer *s, int c, int n, float *out)
{
	const struct sm_am *am = s->am;
	int n_c = am->cb_start[c + 1] - am->cb_start[c], f, t, j;
	const int32_t *sen = am->cb_sen + am->cb_start[c];
	size_t nn = (size_t)n * n_c;

	for (f = 0; f < am->n_feat; f++) {
		densities(s, f, c, n);
		exp_rel(s->L, s->mx, n, am->n_dens);
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n_c,
			    am->n_dens, 1.0f, s->L, am->n_dens,
			    am->mixw[f] + (size_t)am->n_dens * am->cb_start[c], n_c, 0.0f,
			    f % 3 == 0 ? s->prod : s->tmp, n_c);
		if (f % 3 != 0)
			mul(s->prod, s->tmp, nn);
		for (t = 0; t < n; t++)
			s->msum[t] = f == 0 ? s->mx[t] : s->msum[t] + s->mx[t];
		if (f % 3 == 2 || f == am->n_feat - 1)
			log_acc(s->sc, s->prod, nn, f < 3);
	}
	for (t = 0; t < n; t++) {
		const float *r = s->sc + (size_t)t * n_c;
		float *o = out + (size_t)t * am->n_sen, m = s->msum[t];

		for (j = 0; j < n_c; j++)
			o[sen[j]] = m + r[j];
	}
}

/* Top-N: for codebook c and each stream, a log-sum-exp over the N best
 * Gaussians of each frame, added into out. */
static void
score_topn(struct sm_am_scorer *s, int c, int n, float *out)
{
	const struct sm_am *am = s->am;
	int N = s->topn, f, t, k, i, j;
	int idx[SM_AM_MAX_TOPN];
	float val[SM_AM_MAX_TOPN];

	for (f = 0; f < am->n_feat; f++) {
		densities(s, f, c, n);
		for (t = 0; t < n; t++) {
			const float *v = s->L + (size_t)t * am->n_dens;
			float *o = out + (size_t)t * am->n_sen;
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

/* The n frames to score, checked (at most max_frames, finite) and expanded
 * into s->X; -1 if they fail. */
static int
take_frames(struct sm_am_scorer *s, const float *feat, int n)
{
	const struct sm_am *am = s->am;
	size_t i;
	int f;

	if (n < 0 || n > s->max_frames)
		return -1;
	for (i = 0; i < (size_t)n * am->dim; i++)
		if (!isfinite(feat[i]))
			return -1;
	for (f = 0; f < am->n_feat; f++)
		expand(s, f, feat, n);
	return 0;
}

int
sm_am_score(struct sm_am_scorer *s, const float *feat, int n, float *out,
	    int sub_max)
{
	const struct sm_am *am = s->am;
	int t, c;

	if (take_frames(s, feat, n) != 0)
		return -1;
	if (n == 0)
		return 0;
	for (c = 0; c < am->n_cb; c++) {
		if (am->cb_start[c + 1] == am->cb_start[c])
			continue;
		if (s->topn == 0)
			score_exact(s, c, n, out);
		else
			score_topn(s, c, n, out);
	}
	if (sub_max)
		for (t = 0; t < n; t++)
			sub_max_row(out + (size_t)t * am->n_sen, am->n_sen);
	return 0;
}

int
sm_am_score_codebook(struct sm_am_scorer *s, int c, const float *feat, int n,
		     float *out)
{
	const struct sm_am *am = s->am;

	if (c < 0 || c >= am->n_cb || take_frames(s, feat, n) != 0)
		return -1;
	if (n == 0 || am->cb_start[c + 1] == am->cb_start[c])
		return 0;
	if (s->topn == 0)
		score_exact(s, c, n, out);
	else
		score_topn(s, c, n, out);
	return 0;
}

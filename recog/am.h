/*
 * am.h: a phonetically-tied-mixture acoustic model (Sphinx "ptm": one
 * Gaussian codebook per CI phone and feature stream, 8-bit quantised
 * mixture weights per senone) and its frame scorer.
 *
 * sm_am_load reads mdef, means, variances (floored at 1e-4) and sendump
 * from a model directory, checks every size against the others and
 * computes the tables the scorer uses.  Those tables can be saved once as
 * an acoustic image (sm_am_save, image.h) and memory-mapped read-only at
 * start-up (sm_am_open): no model file is read or converted then, and
 * concurrent processes share the pages.  It scores exactly as the model
 * files do.
 *
 * A scorer computes, for a block of feature frames, the natural-log
 * likelihood of every senone:
 *     score(s, x) = sum over streams f of log sum_k w[f][s][k] N(x_f; mu, var)
 * exactly over all the codebook's Gaussians (topn = 0), or over the top-N
 * Gaussians of each codebook and stream (pocketsphinx's -topn selection).
 */
#ifndef SM_AM_H
#define SM_AM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "image.h"

struct sm_pack;

#define SM_AM_VARFLOOR 1e-4
/* One step of the 8-bit mixture weights: 1024 * ln(1.0001) nats. */
#define SM_AM_MIXW_STEP 0.10239488034129646
#define SM_AM_MAX_FEAT 4
#define SM_AM_MAX_TOPN 128

struct sm_am {
	int n_cb;		/* codebooks (= CI phones) */
	int n_feat;		/* streams */
	int n_dens;		/* Gaussians per codebook and stream */
	int veclen[SM_AM_MAX_FEAT];
	int dim;		/* feature dimension: sum of veclen */
	int n_sen;
	/* Senones grouped by codebook: cb_sen[cb_start[c] .. cb_start[c+1]);
	 * pos is the inverse permutation (pos[cb_sen[i]] = i). */
	const int32_t *cb_start, *cb_sen, *pos;
	/* Per stream f, with D = veclen[f] and G = n_cb * n_dens:
	 * centre[D], the mean of the Gaussian means, on which features are
	 * centred; W[(2D + 1) x G], the quadratic expansion of the Gaussian
	 * log densities (see am.c); mixw[n_dens x n_sen] the mixture weights
	 * as floats, one [n_dens x n_c] block per codebook c at offset
	 * n_dens * cb_start[c]. */
	const float *centre[SM_AM_MAX_FEAT], *W[SM_AM_MAX_FEAT];
	const float *mixw[SM_AM_MAX_FEAT];
	/* Quantised mixture weights [f][k][sen]: w = exp(-STEP * q). */
	const uint8_t *mixw_q;
	/* private: the tables in one block, malloc'd or mapped (img), laid
	 * out as the image, header space first */
	unsigned char *blob;
	size_t blob_size;
	int mapped;
	struct sm_image img;
	float *own_W;		/* W of every stream after sm_am_set_means */
};

/* Load from the model directory dir.  0, or -1 with "FILE: problem" in
 * err.  am is then empty and sm_am_free is harmless. */
int sm_am_load(struct sm_am *am, const char *dir, char *err, size_t errlen);

/* Write am as an acoustic image (sm_image_write) carrying the fingerprint
 * fp of its model files.  0, or -1 with "PATH: problem" in err. */
int sm_am_save(const struct sm_am *am, const char *path,
	       const uint64_t fp[SM_IMAGE_FP], char *err, size_t errlen);

/* Map the image at path, checked as at every start: sm_image_open (kind,
 * version, header checksum, fingerprint fp, size), then the sizes of the
 * model and the index arrays.  -1 with "PATH: problem" in err when it
 * fails ("corrupt acoustic image: ..." for the checks of this module); am
 * is then empty and sm_am_free is harmless. */
int sm_am_open(struct sm_am *am, const char *path, const uint64_t fp[SM_IMAGE_FP],
	       char *err, size_t errlen);

/* A language pack's model: from its acoustic image when it names one and
 * no_image is 0 (checked against the fingerprint of the model files),
 * else from the model files.  0; -1 if the model files fail (one missing
 * included), -2 if the image does (never a silent fallback to the slow
 * path: see sm_image_refuse); err says why. */
int sm_am_open_pack(struct sm_am *am, const struct sm_pack *pack, int no_image,
		    char *err, size_t errlen);

/* The full check of an image opened from path: the checksum of its body,
 * the tables of floats that sm_am_open does not read (no damage to them
 * can turn into an out-of-bounds access).  0 if sound (always for tables
 * loaded from the model files), -1 with "PATH: problem" in err if not. */
int sm_am_check(const struct sm_am *am, const char *path, char *err,
		size_t errlen);

/* Score with the Gaussian means of mean (the shape of the model's means
 * file: n_cb codebooks, n_feat streams, n_dens Gaussians, the model's
 * stream lengths) instead of the model's, the variances kept: the tables
 * that depend on the means are computed again in memory of am's own (the
 * image stays mapped and shared).  0, or -1 with "PATH: problem" in err
 * (path: where mean came from) when the shape differs. */
struct sm_s3_gau;
int sm_am_set_means(struct sm_am *am, const struct sm_s3_gau *mean,
		    const char *path, char *err, size_t errlen);

void sm_am_free(struct sm_am *am);

/* BLAS on the calling thread alone: OpenBLAS's thread pool, started
 * before main, is stopped, as its threads would only spin on the other
 * cores over products this small. */
void sm_am_blas_one_thread(void);

/* A scorer for blocks of up to max_frames frames (not thread-safe: one per
 * thread).  topn = 0: exact mixtures; topn > 0: top-N Gaussians per
 * codebook and stream (1 <= topn <= n_dens, SM_AM_MAX_TOPN).  NULL when
 * out of memory or an argument is out of range. */
struct sm_am_scorer;
struct sm_am_scorer *sm_am_scorer_new(const struct sm_am *am, int max_frames,
				      int topn);
void sm_am_scorer_free(struct sm_am_scorer *s);

/* Score n frames (n <= max_frames) of am->dim floats each.  out receives
 * n rows of am->n_sen natural-log likelihoods.  With sub_max, each row's
 * maximum is subtracted (the best senone scores 0).  Non-finite features
 * give a -1 return (nothing else fails). */
int sm_am_score(struct sm_am_scorer *s, const float *feat, int n, float *out,
		int sub_max);

/* As sm_am_score, for the senones of codebook c only (0 <= c < am->n_cb):
 * of each of out's n rows, only those senones' places are written, with
 * the values sm_am_score gives them.  A caller that needs only some
 * codebooks for each frame (vtln.c) scores each on its own frames. */
int sm_am_score_codebook(struct sm_am_scorer *s, int c, const float *feat,
			 int n, float *out);

#endif

/* adapt.h: what sm-adapt's files share: the model the words are aligned
 * with, the CMLLR statistics and the transform. */
#ifndef ADAPT_H
#define ADAPT_H

#include "am.h"
#include "mdef.h"
#include "s3.h"
#include "sm.h"

#define AD_MAX_STREAM SM_AM_MAX_FEAT
#define AD_MAX_D 16		/* dimensions of a stream */
#define AD_TOPN 8		/* Gaussians per codebook and stream kept */
#define AD_MAX_DENS 1024	/* Gaussians per codebook */
#define AD_MAX_PHONES 48	/* phones of a pronunciation */
#define AD_N1 (AD_MAX_D + 1)
/* The MLLR prior's sums of one class and stream (mllr.c): D matrices of
 * (D + 1) x (D + 1), in doubles, at their largest; and the class sets they
 * are kept for: the 1, 2 and 3 classes of --classes (ad_prior_set). */
#define AD_PRIOR_SIZE ((size_t)AD_MAX_D * AD_N1 * AD_N1)
#define AD_PRIOR_SETS 6

/* A pronunciation: CI phones; next: the word's next one, or -1. */
struct ad_pron {
	int16_t ph[AD_MAX_PHONES];
	int n, next;
};

/* A word of the hypothesis and its pronunciations. */
struct ad_hword {
	const char *s;
	size_t len;
	int32_t first, last;
};

/* The acoustic model as the alignment uses it: per codebook c, stream f and
 * Gaussian k, the mean, the inverse variance and the log normaliser;
 * computed from the model files, or mapped from the pack's adaptation
 * image (image.c) with the MLLR prior's sums. */
struct ad_model {
	struct sm_mdef mdef;
	struct sm_tmat tmat;
	struct sm_am am;	/* for its quantised mixture weights */
	int n_cb, n_feat, n_dens, dim;
	int veclen[AD_MAX_STREAM], off[AD_MAX_STREAM];
	const float *mean, *ivar;	/* [cb][f][k][d] at gau_off(c, f, k) */
	/* The same, dimension by dimension: [cb][dim][k], codebook c's
	 * dimension d (of all streams) at (c * dim + d) * n_dens, so that
	 * the alignment scores a frame's Gaussians side by side. */
	const float *mean_t, *ivar_t;
	const float *gconst;		/* [cb][f][k] */
	/* The MLLR prior's sums, AD_PRIOR_SIZE doubles for each class set,
	 * class and stream (at ad_prior_set(n, r, f)), from the image; NULL
	 * when read from the model files (mllr.c computes them then). */
	const double *prior;
	struct sm_image img;	/* the adaptation image, when mapped */
	/* The dictionary's pronunciations of the hypothesis's words, and those
	 * words by spelling (open addressing). */
	struct ad_pron *pron;
	long n_pron, pron_cap;
	struct ad_hword *words;
	long n_words;
	int32_t *wslot;
	uint32_t hmask;
	/* Per stream and dimension: the variance of the data the model
	 * describes (mean variance plus variance of the means), the scale of
	 * the prior. */
	double gvar[AD_MAX_STREAM][AD_MAX_D];
};

/* The model: from the pack's adaptation image when it names one and
 * no_image is 0, else from the model files.  Dies (exit 78) when either
 * fails, never falling back from the image to the files. */
void ad_model_load(struct ad_model *m, const struct sm_pack *pack, int no_image);
/* Its first part: the transition matrices and the acoustic model (the
 * pack's acoustic image), and the sizes. */
void ad_model_base(struct ad_model *m, const struct sm_pack *pack);
/* The Gaussian tables from the model files (align.c). */
void ad_model_gaussians(struct ad_model *m, const struct sm_pack *pack);

/* The adaptation image (image.c): m's Gaussian tables, the MLLR prior's
 * sums of every class set and the model definition, written to path (sm_image_write) with
 * the fingerprint fp, its size in *bytes; mapped from path into m (its
 * model definition too), whose acoustic model is loaded and whose sizes
 * the image must have.  0, or -1 with
 * "PATH: problem" in err. */
int ad_image_write(const struct ad_model *m, const char *path,
		   const uint64_t fp[SM_IMAGE_FP], size_t *bytes, char *err, size_t errlen);
int ad_image_open(struct ad_model *m, const char *path, const uint64_t fp[SM_IMAGE_FP],
		  char *err, size_t errlen);

/* Where class r's (of n classes, 1 <= n <= 3) prior sums of stream f are
 * in an image's table, in units of AD_PRIOR_SIZE doubles. */
static inline size_t
ad_prior_set(const struct ad_model *m, int n, int r, int f)
{
	return ((size_t)(n * (n - 1) / 2 + r) * m->n_feat + f);
}
/* Read the pack's dictionary, keeping the pronunciations of the n words
 * word[i] (wlen[i] bytes each, kept by reference): parsing only their
 * lines costs a fraction of loading the whole dictionary. */
void ad_dict_load(struct ad_model *m, const struct sm_pack *pack,
		  const char *const *word, const size_t *wlen, long n);

/* Sufficient statistics of one transform, per stream f and row i:
 * G[f][i] (D+1 x D+1), k[f][i] (D+1), beta[f] frames. */
struct ad_stats {
	int n_feat, veclen[AD_MAX_STREAM];
	double beta[AD_MAX_STREAM];
	double G[AD_MAX_STREAM][AD_MAX_D][AD_MAX_D + 1][AD_MAX_D + 1];
	double k[AD_MAX_STREAM][AD_MAX_D][AD_MAX_D + 1];
};

/* Block-diagonal affine transform: per stream, x' = A x + b, stored as
 * W[f][i] = (b_i, A_i1 .. A_iD). */
struct ad_xform {
	int n_feat, veclen[AD_MAX_STREAM];
	double W[AD_MAX_STREAM][AD_MAX_D][AD_MAX_D + 1];
};

/* One word of the first pass: its frames [f0, f1), its confidence and
 * dictionary spelling; the phones either side give the cross-word
 * contexts. */
struct ad_word {
	long f0, f1;
	double conf;
	int left, right;	/* CI phone of the neighbour, or SIL */
	int first;		/* first pronunciation, -1 when not in the dictionary */
};

/* Per Gaussian (codebook c, stream f, Gaussian k) of the model: its
 * occupancy occ at gau_occ(c, f, k) and the occupancy-weighted sum of the
 * frames x at the mean's offset: what MLLR of the means needs. */
struct ad_gacc {
	double *occ, *x;
};

/* Align word w by Viterbi over the states of each of its pronunciations,
 * scored on feat (the features as the current transform makes them), and
 * add the statistics of the frames of raw (the features the transform
 * applies to) to st (unless NULL), each frame weighted by wt; with
 * sen_out, the senone of each of its frames there (sen_out[frame]).
 * Returns the frames added (0 when the word could not be aligned). */
long ad_align_word(const struct ad_model *m, const float *feat, const float *raw,
		   const struct ad_word *w, double wt, struct ad_stats *st,
		   int32_t *sen_out);
/* Add the frames of feat whose senone sen[t] is not -1 to ga: each
 * frame's 8 best Gaussians of that senone's codebook, by their
 * posteriors. */
void ad_gacc_add(const struct ad_model *m, const float *feat, const int32_t *sen,
		 long nframes, struct ad_gacc *ga);

/* MLLR of the means (mllr.c).  The regression class of each codebook
 * (CI phone) for n classes: 1 all alike; 2 silence and noise, speech; 3
 * silence and noise, vowels, consonants.  class[n_cb]. */
void ad_mllr_classes(const struct ad_model *m, int n, int *class);
/* The prior's sums of class r, stream f from the model's Gaussians: per
 * row i, P[i] = sum over the class's Gaussians of xi xi' / var_i,
 * xi = (1, mean) (lower triangles); P zeroed first.  The number of the
 * class's Gaussians. */
long ad_mllr_prior(const struct ad_model *m, const int *class, int r, int f,
		   double P[][AD_N1][AD_N1]);
void ad_gacc_init(struct ad_gacc *ga, const struct ad_model *m);
/* The adapted means, data[c][f][k][d] as the model's means file
 * (struct sm_s3_gau's layout), from the statistics ga: one affine
 * transform per stream and class, estimated with tau frames of a prior
 * (the whole input's transform for a class, the identity for that) and
 * applied to the class's means.  The frames each class had in occ[], the
 * log-likelihood of the statistics gained (the prior's not counted) in
 * *gain. */
void ad_mllr_means(const struct ad_model *m, const struct ad_gacc *ga, int n_class,
		   const int *class, double tau, float *out, double *occ,
		   double *gain);

/* The first pronunciation of a word of the hypothesis, or -1. */
int ad_lookup(const struct ad_model *m, const char *word, size_t len);

void ad_stats_init(struct ad_stats *st, const struct ad_model *m);
/* dst += scale * src. */
void ad_stats_add(struct ad_stats *dst, const struct ad_stats *src, double scale);
/* Add tau frames of prior statistics whose best transform is the
 * identity. */
void ad_stats_prior(struct ad_stats *st, const struct ad_model *m, double tau);

void ad_xform_identity(struct ad_xform *x, const struct ad_stats *st);
/* Estimate the transform from st by Gales' row-by-row update, iters
 * passes from x (identity or an earlier estimate).  0, or -1 when the
 * statistics are singular (x is then left as it was). */
int ad_estimate(struct ad_xform *x, const struct ad_stats *st, int iters);
/* The auxiliary function of x on st, per frame. */
double ad_auxf(const struct ad_xform *x, const struct ad_stats *st);
void ad_apply(const struct ad_xform *x, const float *in, float *out);

#endif

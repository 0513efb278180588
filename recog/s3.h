/*
 * s3.h: Sphinx-3 binary parameter files (means, variances,
 * transition_matrices).
 *
 * An s3 file is a text header ("s3\n", "name value\n" lines, a line ending
 * in "endhdr\n"), a uint32 byte-order magic 0x11223344, then int32 sizes and
 * float32 data, then a uint32 checksum when the header says "chksum0 yes".
 * Every size is checked against the others and against the file length,
 * and the checksum is verified.  Errors are returned as "PATH: problem".
 */
#ifndef SM_S3_H
#define SM_S3_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sm.h"

#define SM_S3_MAX_FEAT 8

/* A Gaussian parameter file: data[n_mgau][n_feat][n_density][veclen[f]]. */
struct sm_s3_gau {
	int n_mgau, n_feat, n_density;
	int veclen[SM_S3_MAX_FEAT];
	int dim;		/* sum of veclen */
	float *data;		/* n_mgau * n_density * dim floats */
};

int sm_s3_gau_load(struct sm_s3_gau *g, const char *path, char *err,
		   size_t errlen);
/* The same from the whole file in buf[0..len) (with a NUL after it, as
 * sm_read_all leaves it), read from path by the caller: a FIFO works.
 * buf is freed in every case. */
int sm_s3_gau_parse(struct sm_s3_gau *g, const char *path, unsigned char *buf,
		    size_t len, char *err, size_t errlen);
/* The same from the stream in, read to the end of the file its sizes
 * give and not further (a FEAT stream may follow it on a pipe).  Cut
 * short: "PATH: truncated: ...". */
int sm_s3_gau_fread(struct sm_s3_gau *g, FILE *in, const char *path, char *err,
		    size_t errlen);
/* Write g as an s3 file in native byte order, with its checksum.  0, or
 * -1 when out has an error. */
int sm_s3_gau_write(const struct sm_s3_gau *g, FILE *out);
void sm_s3_gau_free(struct sm_s3_gau *g);

/* Pointer to the vector of codebook m, stream f, density k. */
static inline const float *
sm_s3_gau_vec(const struct sm_s3_gau *g, int m, int f, int k)
{
	size_t off = (size_t)m * g->n_density * g->dim;
	int i;

	for (i = 0; i < f; i++)
		off += (size_t)g->n_density * g->veclen[i];
	return g->data + off + (size_t)k * g->veclen[f];
}

/* Transition matrices as natural-log probabilities.  Each row of the raw
 * counts is normalised to sum 1, every non-zero entry below floor (1e-4)
 * is raised to floor, the row is renormalised, then logp = ln p (a zero
 * stays zero: logp = -INFINITY).  n_dst = n_src + 1 (the last column is
 * the exit to the non-emitting state). */
#define SM_TMAT_FLOOR 1e-4

struct sm_tmat {
	int n_tmat, n_src, n_dst;
	float *logp;		/* [n_tmat][n_src][n_dst] */
};

int sm_tmat_load(struct sm_tmat *t, const char *path, char *err,
		 size_t errlen);
void sm_tmat_free(struct sm_tmat *t);

static inline float
sm_tmat_logp(const struct sm_tmat *t, int tmat, int from, int to)
{
	return t->logp[((size_t)tmat * t->n_src + from) * t->n_dst + to];
}

#endif

/* image.c: sm-adapt's adaptation image (recog/image.h), the tables that
 * do not depend on the input, computed once from the model files by
 * --build-image and memory-mapped at start-up:
 *   - the Gaussians as the alignment scores them (align.c: means and
 *     inverse variances, each twice, and the log normalisers) and the
 *     prior's scale of CMLLR (gvar);
 *   - the MLLR prior's sums (mllr.c, ad_mllr_prior) of every class of
 *     the 1, 2 and 3 regression classes of --classes: a sum over all the
 *     model's Gaussians that costs more than the rest of a short input's
 *     adaptation;
 *   - the model definition's tables (recog/mdef.h, sm_mdef_blob_write),
 *     checked at each start for what is read as an address, not parsed
 *     and cross-checked whole as the 2.9 MB file is.
 * A run from the image writes the same bytes as one from the model files
 * (--no-image): the tables are those values, computed the same way. */
#include <stdlib.h>
#include <string.h>

#include "adapt.h"

struct img_hdr {
	struct sm_image_hdr im;
	int32_t n_cb, n_feat, n_dens, veclen[AD_MAX_STREAM];
	uint64_t mdef_bytes;	/* the model definition's block */
};

static const struct sm_image_kind_desc img_kind = {
	SM_IMAGE_ADAPT, 2, sizeof(struct img_hdr)
};

/* The body's tables, each at a 64-byte boundary, by their offsets from
 * the start of the file. */
struct layout {
	size_t mean, ivar, mean_t, ivar_t, gconst, gvar, prior, mdef, total;
};

static void
layout(const struct ad_model *m, size_t mdef_bytes, struct layout *lo)
{
	size_t g = (size_t)m->n_cb * m->n_dens * m->dim * sizeof(float);

	lo->mean = sm_image_body_off(sizeof(struct img_hdr));
	lo->ivar = lo->mean + sm_image_align(g);
	lo->mean_t = lo->ivar + sm_image_align(g);
	lo->ivar_t = lo->mean_t + sm_image_align(g);
	lo->gconst = lo->ivar_t + sm_image_align(g);
	lo->gvar = lo->gconst + sm_image_align((size_t)m->n_cb * m->n_feat * m->n_dens *
					       sizeof(float));
	lo->prior = lo->gvar + sm_image_align(sizeof m->gvar);
	lo->mdef = lo->prior + sm_image_align((size_t)AD_PRIOR_SETS * m->n_feat * AD_PRIOR_SIZE *
					      sizeof(double));
	lo->total = lo->mdef + sm_image_align(mdef_bytes);
}

int
ad_image_write(const struct ad_model *m, const char *path, const uint64_t fp[SM_IMAGE_FP],
	       size_t *bytes, char *err, size_t errlen)
{
	struct img_hdr h;
	struct layout lo;
	size_t g = (size_t)m->n_cb * m->n_dens * m->dim * sizeof(float), first;
	unsigned char *b;
	int *class = sm_xcalloc((size_t)m->n_cb, sizeof *class), n, r, f, rc;

	layout(m, sm_mdef_blob_size(&m->mdef), &lo);
	first = lo.mean;
	b = sm_xcalloc(lo.total, 1);
	memcpy(b + lo.mean, m->mean, g);
	memcpy(b + lo.ivar, m->ivar, g);
	memcpy(b + lo.mean_t, m->mean_t, g);
	memcpy(b + lo.ivar_t, m->ivar_t, g);
	memcpy(b + lo.gconst, m->gconst,
	       (size_t)m->n_cb * m->n_feat * m->n_dens * sizeof(float));
	memcpy(b + lo.gvar, m->gvar, sizeof m->gvar);
	sm_mdef_blob_write(&m->mdef, b + lo.mdef);
	for (n = 1; n <= 3; n++) {
		ad_mllr_classes(m, n, class);
		for (r = 0; r < n; r++)
			for (f = 0; f < m->n_feat; f++)
				ad_mllr_prior(m, class, r, f, (double (*)[AD_N1][AD_N1])(void *)
					      (b + lo.prior + ad_prior_set(m, n, r, f) *
					       AD_PRIOR_SIZE * sizeof(double)));
	}
	memset(&h, 0, sizeof h);
	h.im.kind = img_kind.kind;
	h.im.version = img_kind.version;
	memcpy(h.im.fp, fp, sizeof h.im.fp);
	h.n_cb = m->n_cb;
	h.n_feat = m->n_feat;
	h.n_dens = m->n_dens;
	h.mdef_bytes = sm_mdef_blob_size(&m->mdef);
	for (f = 0; f < m->n_feat; f++)
		h.veclen[f] = m->veclen[f];
	*bytes = lo.total;
	rc = sm_image_write(path, &h.im, sizeof h, b + first, lo.total - first, err, errlen);
	free(b);
	free(class);
	return rc;
}

int
ad_image_open(struct ad_model *m, const char *path, const uint64_t fp[SM_IMAGE_FP],
	      char *err, size_t errlen)
{
	struct img_hdr h;
	struct layout lo;
	const unsigned char *b;
	char msg[200];
	int f, same;

	if (sm_image_open(&m->img, path, &img_kind, fp, 1, err, errlen) != 0)
		return -1;
	b = m->img.map;
	memcpy(&h, b, sizeof h);
	/* The model the rest of the program loaded (the acoustic image's
	 * sizes), then the length those sizes make. */
	same = h.n_cb == m->n_cb && h.n_feat == m->n_feat && h.n_dens == m->n_dens;
	for (f = 0; same && f < m->n_feat; f++)
		same = h.veclen[f] == m->veclen[f];
	if (!same) {
		sm_path_err(err, errlen, path, "corrupt adaptation image: %d codebooks x %d "
			    "streams x %d Gaussians, not the acoustic model's %d x %d x %d",
			    h.n_cb, h.n_feat, h.n_dens, m->n_cb, m->n_feat, m->n_dens);
		goto bad;
	}
	if (h.mdef_bytes > m->img.size) {
		sm_path_err(err, errlen, path, "corrupt adaptation image: a model "
			    "definition of %llu bytes in %zu", (unsigned long long)h.mdef_bytes,
			    m->img.size);
		goto bad;
	}
	layout(m, (size_t)h.mdef_bytes, &lo);
	if (lo.total != m->img.size) {
		sm_path_err(err, errlen, path, "corrupt adaptation image: %zu bytes, its "
			    "sizes make %zu", m->img.size, lo.total);
		goto bad;
	}
	m->mean = (const float *)(const void *)(b + lo.mean);
	m->ivar = (const float *)(const void *)(b + lo.ivar);
	m->mean_t = (const float *)(const void *)(b + lo.mean_t);
	m->ivar_t = (const float *)(const void *)(b + lo.ivar_t);
	m->gconst = (const float *)(const void *)(b + lo.gconst);
	memcpy(m->gvar, b + lo.gvar, sizeof m->gvar);
	m->prior = (const double *)(const void *)(b + lo.prior);
	if (sm_mdef_blob_open(&m->mdef, b + lo.mdef, (size_t)h.mdef_bytes, msg,
			      sizeof msg) != 0) {
		sm_path_err(err, errlen, path, "corrupt adaptation image: %s", msg);
		goto bad;
	}
	if (m->mdef.n_ciphone != m->n_cb || m->mdef.n_sen != m->am.n_sen) {
		sm_path_err(err, errlen, path, "corrupt adaptation image: %d phones and "
			    "%d senones, not the acoustic model's %d and %d",
			    m->mdef.n_ciphone, m->mdef.n_sen, m->n_cb, m->am.n_sen);
		sm_mdef_free(&m->mdef);
		goto bad;
	}
	return 0;
bad:
	sm_image_close(&m->img);
	return -1;
}

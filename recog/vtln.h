/*
 * vtln.h: vocal tract length normalisation, the choice of the frequency
 * warp of the features (sm_fe_new_banks) by maximum likelihood under the
 * acoustic model.
 *
 * The candidates are the cepstra of the same frames through differently
 * warped filterbanks.  Each set goes through batch CMN and the deltas, and
 * a sample of its loudest frames is scored against the model's
 * context-independent senones: the score of a set is the mean over those
 * frames of the best senone's log-likelihood.  The first set scored (the
 * climb's start) is scored on every codebook; the others on each frame's
 * SELECT_CB (vtln.c) codebooks whose senones scored best on it there,
 * where the best senone nearly always is, at a fifth of the cost.
 * A speaker whose formants sit higher than the model's (a shorter vocal
 * tract) scores best with a warp above 1.
 */
#ifndef SM_VTLN_H
#define SM_VTLN_H

#include <stddef.h>

#include "am.h"

struct sm_vtln;

/* A scorer of candidate sets for the model am, which must outlive it.
 * ncep cepstra per frame (am->dim must be 3 * ncep); batch CMN with the
 * prior (n_prior values) counted as tau frames, as sm_cmn_batch.  At most
 * max_frames frames of each set are scored.  NULL when out of memory or
 * the dimensions do not fit. */
struct sm_vtln *sm_vtln_new(const struct sm_am *am, unsigned ncep,
			    const float *prior, unsigned n_prior, double tau,
			    unsigned max_frames);
void sm_vtln_free(struct sm_vtln *v);

/* Choose among n_set sets of the same n frames (cep[k]: n x ncep, left as
 * they are), in the order of their warps, the one the model likes best.
 * The frames scored are chosen by c0 in set ref (the unwarped one): the
 * louder half, evenly thinned to max_frames; with fewer than min_frames of
 * them, the choice is ref.  The search climbs from ref towards higher
 * scores, so not every set is scored: score[k] receives set k's mean
 * log-likelihood per frame, or NAN when it was not scored.  Returns the
 * set chosen, -1 when out of memory or a feature is not finite. */
int sm_vtln_choose(struct sm_vtln *v, const float *const *cep, unsigned n_set,
		   size_t n, unsigned ref, unsigned min_frames, double *score);

#endif

/* Unit tests of am.c's scoring of one codebook (sm_am_score_codebook), on
 * the English pack's acoustic model: each codebook's senones get exactly
 * the values sm_am_score gives them, whatever other frames are scored with
 * them, and no other senone's place is written; a codebook out of range
 * or a frame not finite is refused. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am.h"
#include "sm.h"

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)

#define T 40
#define UNTOUCHED 12345.0f

/* Frames of about the spread of normalised cepstra and their deltas. */
static void
make_frames(float *feat, int n, int dim, unsigned seed)
{
	for (int i = 0; i < n * dim; i++) {
		seed = seed * 1103515245u + 12345u;
		feat[i] = ((float)(seed >> 8) / (float)(1u << 24) - 0.5f) *
			  (i % dim == 0 ? 8.0f : 3.0f);
	}
}

static void
test_codebooks(struct sm_am *am)
{
	int dim = am->dim, S = am->n_sen;
	struct sm_am_scorer *s = sm_am_scorer_new(am, T, 0);
	float *feat = malloc((size_t)T * dim * sizeof(float));
	float *all = malloc((size_t)T * S * sizeof(float));
	float *one = malloc((size_t)T * S * sizeof(float));
	float *odd = malloc((size_t)T * dim * sizeof(float));
	int c, t, j, differ = 0, written = 0, wrong_place = 0;
	float worst = 0;

	CHECK(s != NULL && feat && all && one && odd);
	if (!s || !feat || !all || !one || !odd)
		return;
	make_frames(feat, T, dim, 7);
	CHECK(sm_am_score(s, feat, T, all, 0) == 0);
	for (c = 0; c < am->n_cb; c++) {
		for (size_t i = 0; i < (size_t)T * S; i++)
			one[i] = UNTOUCHED;
		CHECK(sm_am_score_codebook(s, c, feat, T, one) == 0);
		for (t = 0; t < T; t++)
			for (j = 0; j < S; j++) {
				float v = one[(size_t)t * S + j];
				int own = 0;

				for (int k = am->cb_start[c]; k < am->cb_start[c + 1]; k++)
					own |= am->cb_sen[k] == j;
				if (!own) {
					wrong_place += v != UNTOUCHED;
					continue;
				}
				written++;
				differ += memcmp(&v, &all[(size_t)t * S + j], sizeof(v)) != 0;
			}
	}
	CHECK(written == T * S);
	CHECK(differ == 0);
	CHECK(wrong_place == 0);

	/* The odd frames alone, as vtln.c scores a codebook's own frames:
	 * each frame's values are its own, not its neighbours', but for the
	 * rounding of OpenBLAS's kernels, which differs with a row's place in
	 * the block (a few units in the last place of a log-likelihood). */
	for (t = 0; t < T / 2; t++)
		memcpy(odd + (size_t)t * dim, feat + (size_t)(2 * t + 1) * dim,
		       (size_t)dim * sizeof(float));
	for (c = 0; c < am->n_cb; c++) {
		CHECK(sm_am_score_codebook(s, c, odd, T / 2, one) == 0);
		for (t = 0; t < T / 2; t++)
			for (int k = am->cb_start[c]; k < am->cb_start[c + 1]; k++) {
				j = am->cb_sen[k];
				float a = one[(size_t)t * S + j];
				float b = all[(size_t)(2 * t + 1) * S + j];

				worst = fmaxf(worst, fabsf(a - b) / fmaxf(1.0f, fabsf(b)));
			}
	}
	CHECK(worst < 1e-6f);

	/* refusals */
	CHECK(sm_am_score_codebook(s, -1, feat, T, one) == -1);
	CHECK(sm_am_score_codebook(s, am->n_cb, feat, T, one) == -1);
	CHECK(sm_am_score_codebook(s, 0, feat, T + 1, one) == -1);
	feat[5] = NAN;
	CHECK(sm_am_score_codebook(s, 0, feat, T, one) == -1);
	sm_am_scorer_free(s);
	free(feat);
	free(all);
	free(one);
	free(odd);
}

int
main(void)
{
	struct sm_pack pack;
	struct sm_am am;
	char err[1024];

	if (sm_pack_load(&pack, NULL, "en", err, sizeof(err)) != 0 ||
	    sm_am_open_pack(&am, &pack, 0, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	test_codebooks(&am);
	return failures != 0;
}

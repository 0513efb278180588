/* fuzz_s3.c: the Sphinx-3 parameter readers (recog/s3.c): the same bytes
 * as a Gaussian file and as a transition-matrix file; every value of a
 * loaded file is then read through the accessors. */
#include <stdlib.h>

#include "fuzz.h"
#include "s3.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(0, data, size);
	struct sm_s3_gau g;
	struct sm_tmat t;
	char err[512];
	volatile float sum = 0;

	if (sm_s3_gau_load(&g, path, err, sizeof err) == 0) {
		for (int m = 0; m < g.n_mgau; m++)
			for (int f = 0; f < g.n_feat; f++)
				for (int k = 0; k < g.n_density; k++) {
					const float *v = sm_s3_gau_vec(&g, m, f, k);

					for (int d = 0; d < g.veclen[f]; d++)
						sum += v[d];
				}
		sm_s3_gau_free(&g);
	}
	if (sm_tmat_load(&t, path, err, sizeof err) == 0) {
		for (int m = 0; m < t.n_tmat; m++)
			for (int i = 0; i < t.n_src; i++)
				for (int j = 0; j < t.n_dst; j++)
					sum += sm_tmat_logp(&t, m, i, j);
		sm_tmat_free(&t);
	}
	return 0;
}

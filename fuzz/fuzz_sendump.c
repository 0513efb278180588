/* fuzz_sendump.c: the 8-bit mixture-weight ("sendump") reader of the
 * acoustic model loader (recog/am.c, included for its static reader),
 * for a model of 3 streams, 4 Gaussians and 10 senones. */
#include "../recog/am.c"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sm_am am;
	char err[512];
	volatile unsigned sum = 0;
	uint8_t *q;

	memset(&am, 0, sizeof am);
	am.n_feat = 3;
	am.n_dens = 4;
	am.n_sen = 10;
	if (load_sendump(&am, fuzz_file(0, data, size), &q, err, sizeof err) != 0)
		return 0;
	for (int i = 0; i < am.n_feat * am.n_dens * am.n_sen; i++)
		sum += q[i];
	free(q);
	return 0;
}

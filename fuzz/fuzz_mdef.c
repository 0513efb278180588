/* fuzz_mdef.c: the binary mdef loader (recog/mdef.c).  A loaded mdef is
 * then walked as the search walks it: every phone's senones and every
 * triphone lookup over the CI phones. */
#include "fuzz.h"
#include "mdef.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(0, data, size);
	struct sm_mdef m;
	char err[512];
	volatile long sum = 0;

	if (sm_mdef_load(&m, path, err, sizeof err) != 0)
		return 0;
	for (int p = 0; p < m.n_phone; p++) {
		sum += m.phone_tmat[p] + m.phone_base[p] + m.phone_wpos[p];
		for (int s = 0; s < m.n_emit_state; s++) {
			int sen = sm_mdef_senone(&m, p, s);

			sum += m.sen2ci[sen];
		}
	}
	for (int c = 0; c < m.n_ciphone; c++) {
		sum += sm_mdef_ciphone(&m, m.ciname[c]) + m.ci_filler[c];
		sm_mdef_wpos_char(c % 6 - 1);
	}
	/* Lookups over a bounded sample of contexts, including bad ids. */
	for (int b = -1; b <= m.n_ciphone && b < 12; b++)
		for (int l = -1; l <= m.n_ciphone && l < 12; l++)
			for (int r = -1; r <= m.n_ciphone && r < 12; r++)
				for (int pos = -1; pos <= SM_N_WPOS; pos++)
					sum += sm_mdef_triphone(&m, b, l, r, pos);
	sm_mdef_free(&m);
	return 0;
}

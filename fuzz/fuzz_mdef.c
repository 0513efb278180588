/* fuzz_mdef.c: the binary mdef loader (recog/mdef.c).  A loaded mdef is
 * then walked as the search walks it (fuzz_mdef_walk). */
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
	sum += fuzz_mdef_walk(&m);
	sm_mdef_free(&m);
	return 0;
}

/* fuzz_lts.c: the letter-to-sound model reader (recog/lts.c).  A model
 * that opens then pronounces words of every kind it accepts: short and
 * long, apostrophes, each letter, and some it refuses. */
#include <string.h>

#include "fuzz.h"
#include "lts.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const words[] = {
		"a", "hello", "x", "'tis", "don't", "qwertyuiopasdfghjklzxcvbnm",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"", "'", "r2d2", "Hello",
	};
	const char *ph[256];
	volatile size_t sum = 0;
	struct sm_lts *t;
	char err[512];

	t = sm_lts_open(fuzz_file(0, data, size), err, sizeof err);
	if (t == NULL)
		return 0;
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		int n = sm_lts_word(t, words[i], ph, 256);

		for (int k = 0; k < n; k++)
			sum += strlen(ph[k]);
	}
	sm_lts_word(t, "hello", ph, 1);
	sm_lts_free(t);
	return 0;
}

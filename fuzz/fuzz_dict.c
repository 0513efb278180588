/* fuzz_dict.c: the pronunciation dictionary loader (recog/dict.c) with
 * the English model's phone set.  The input is a dictionary, optionally
 * followed by a line "--" and a filler dictionary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "fuzz.h"
#include "mdef.h"

#define MDEF "/usr/share/pocketsphinx/model/en-us/en-us/mdef"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sm_mdef m;
	static int loaded;
	const char *dict, *fdict = NULL;
	const uint8_t *sep = NULL;
	struct sm_dict d;
	char err[512];
	volatile long sum = 0;

	if (!loaded) {
		if (sm_mdef_load(&m, MDEF, err, sizeof err) != 0) {
			fprintf(stderr, "fuzz_dict: %s\n", err);
			abort();
		}
		loaded = 1;
	}
	for (size_t i = 0; i + 4 <= size; i++)
		if (memcmp(data + i, "\n--\n", 4) == 0) {
			sep = data + i;
			break;
		}
	if (sep != NULL) {
		dict = fuzz_file(0, data, (size_t)(sep - data) + 1);
		fdict = fuzz_file(1, sep + 4, size - (size_t)(sep - data) - 4);
	} else {
		dict = fuzz_file(0, data, size);
	}
	if (sm_dict_load(&d, dict, fdict, &m, err, sizeof err) != 0)
		return 0;
	for (int w = 0; w < d.n_words; w++) {	/* fillers included */
		const int16_t *ph = sm_dict_phones(&d, w);

		if (strlen(d.w[w].word) < d.w[w].base_len)
			abort();
		for (int k = 0; k < d.w[w].n_phone; k++) {
			if (ph[k] < 0 || ph[k] >= m.n_ciphone)
				abort();
			sum += ph[k];
		}
	}
	sm_dict_free(&d);
	return 0;
}

/* fuzz_lm.c: the memory-mapped trie LM loader (recog/lm.c).  A loaded
 * LM is then queried as the search queries it: every word looked up by
 * name, and trigram scores over a sample of histories. */
#include "fuzz.h"
#include "lm.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(0, data, size);
	struct sm_lm lm;
	char err[512];
	volatile float sum = 0;
	int n, used;

	if (sm_lm_load(&lm, path, err, sizeof err) != 0)
		return 0;
	n = (int)lm.n_words;
	for (int w = 0; w < n; w++) {
		sum += sm_lm_word(&lm, lm.words[w]);
		sum += sm_lm_unigram(&lm, w);
	}
	sum += sm_lm_word(&lm, "") + sm_lm_word(&lm, "no-such-word");
	for (int w = -1; w <= n && w < 40; w++)
		for (int h1 = -1; h1 <= n && h1 < 40; h1++)
			for (int h2 = -1; h2 <= n && h2 < 40; h2 += 3)
				sum += sm_lm_score(&lm, w, h1, h2, &used);
	if (n > 0)
		for (int w = n - 1; w >= 0 && w > n - 200; w--)
			sum += sm_lm_score(&lm, w, lm.bos, (w * 7) % n, NULL);
	sm_lm_free(&lm);
	return 0;
}

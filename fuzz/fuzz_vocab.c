/* fuzz_vocab.c: sm-lattice's custom vocabulary (cmd/sm-lattice/vocab.c):
 * the input is a --vocab list, read, its words looked up in the English
 * pack's search image (SM_MODELS), dictionary and letter-to-sound model,
 * laid over the search, which then runs a few frames through both trees. */
#include "../cmd/sm-lattice/vocab.c"

#include <fcntl.h>
#include <setjmp.h>
#include <unistd.h>

#include "fuzz.h"
#include "image.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sm_pack pack;
	static uint64_t fp[SM_IMAGE_FP];
	static int loaded;
	struct sm_search_cfg cfg;
	struct sm_search *volatile s;
	struct sm_lm lm;
	char err[8400];
	jmp_buf jb;
	volatile int saved = -1;
	int null;

	if (!loaded) {
		if (sm_pack_load(&pack, NULL, "en", err, sizeof err) != 0 ||
		    sm_image_fingerprint(&pack, SM_IMAGE_SEARCH, fp, err, sizeof err) != 0) {
			fprintf(stderr, "fuzz_vocab: %s\n", err);
			abort();
		}
		loaded = 1;
	}
	if (sm_lm_open(&lm, pack.lm, 0, err, sizeof err) != 0) {
		fprintf(stderr, "fuzz_vocab: %s\n", err);
		abort();
	}
	sm_lm_set_uw(&lm, 0.95f);
	sm_search_cfg_default(&cfg);
	if ((s = sm_search_open(pack.image, &lm, &cfg, fp, err, sizeof err)) == NULL) {
		fprintf(stderr, "fuzz_vocab: %s\n", err);
		abort();
	}
	/* the lines naming unusable entries, wanted only with FUZZ_VERBOSE */
	fflush(stderr);
	if (!getenv("FUZZ_VERBOSE") && (null = open("/dev/null", O_WRONLY)) >= 0) {
		saved = dup(2);
		dup2(null, 2);
		close(null);
	}
	fuzz_jmp = &jb;
	if (setjmp(jb) == 0) {
		int n_sen = sm_search_n_senones(s), i, k, len, kind;
		float *sen = malloc(sizeof *sen * n_sen), score;

		vocab_load(fuzz_file(0, data, size), &pack, s, &lm, 5e-5, 2, 0);
		for (i = 0; i < sm_search_n_words(s); i++)
			if (sm_search_word(s, i, &len, &kind) == NULL || len < 0 || kind < 0)
				abort();
		if (sen == NULL)
			abort();
		sm_search_start(s);
		for (k = 0; k < 30; k++) {
			for (i = 0; i < n_sen; i++)
				sen[i] = -(float)((i * 7 + k * 13 + (size ? data[(i + k) % size] : 0)) % 23);
			if (sm_search_frame(s, sen) != 0)
				abort();
		}
		(void)sm_search_finish(s, &score);
		free(sen);
	}
	fuzz_jmp = NULL;
	if (saved >= 0) {
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
	}
	sm_search_free(s);
	sm_lm_free(&lm);
	return 0;
}

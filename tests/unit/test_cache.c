/* Unit tests of the cache of recognised words (recog/cache.c) over the
 * real LM: the interpolation, the frequent words left alone, the decay,
 * and the counts staying a distribution through the rescaling. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cache.h"
#include "lm.h"

#define LM "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin"

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)

#define NEAR(a, b) (fabs((double)(a) - (double)(b)) < 1e-4)

int
main(void)
{
	struct sm_lm lm;
	struct sm_cache c;
	char err[512];
	int the, conf, audio, i;
	float lp;
	double sum;

	if (sm_lm_load(&lm, LM, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	the = sm_lm_word(&lm, "the");
	conf = sm_lm_word(&lm, "conference");
	audio = sm_lm_word(&lm, "audio");
	CHECK(the >= 0 && conf >= 0 && audio >= 0);

	/* weight 0: off, no memory, every score as given */
	CHECK(sm_cache_init(&c, &lm, 0, 0.995f, 0.01f) == 0);
	sm_cache_add(&c, conf, 1);
	CHECK(sm_cache_score(&c, conf, -9) == -9);
	sm_cache_free(&c);

	CHECK(sm_cache_init(&c, &lm, 0.1f, 1, 0.01f) == 0);
	/* "the" (unigram about 0.04) is no content word; the others are */
	CHECK(!sm_cache_content(&c, the));
	CHECK(sm_cache_content(&c, conf) && sm_cache_content(&c, audio));
	CHECK(!sm_cache_content(&c, lm.bos) && !sm_cache_content(&c, -1));
	/* an empty cache changes nothing */
	lp = sm_lm_score(&lm, conf, the, -1, NULL);
	CHECK(sm_cache_score(&c, conf, lp) == lp);
	/* one word in: (1 - l) P + l * 1 for it, (1 - l) P for the others */
	sm_cache_add(&c, conf, 0.8f);
	sm_cache_add(&c, the, 1);
	CHECK(NEAR(sm_cache_score(&c, conf, lp), log(0.9 * exp(lp) + 0.1)));
	CHECK(NEAR(sm_cache_score(&c, audio, -12), -12 + log(0.9)));
	CHECK(sm_cache_score(&c, the, -3) == -3);
	/* counts weighted: conference 0.8, audio 0.2 */
	sm_cache_add(&c, audio, 0.2f);
	CHECK(NEAR(sm_cache_score(&c, audio, -30), log(0.9 * exp(-30) + 0.1 * 0.2)));
	sm_cache_free(&c);

	/* decay 0.5: the older word counts half the newer */
	CHECK(sm_cache_init(&c, &lm, 0.5f, 0.5f, 0.01f) == 0);
	sm_cache_add(&c, conf, 1);
	sm_cache_add(&c, audio, 1);
	CHECK(NEAR(sm_cache_score(&c, conf, -40), log(0.5 * exp(-40) + 0.5 / 3)));
	CHECK(NEAR(sm_cache_score(&c, audio, -40), log(0.5 * exp(-40) + 0.5 * 2 / 3)));
	/* many words, the scale folded back many times: still a distribution */
	for (i = 0; i < 10000; i++)
		sm_cache_add(&c, i % 2 ? conf : audio, 1);
	sum = exp(sm_cache_score(&c, conf, -80)) + exp(sm_cache_score(&c, audio, -80));
	CHECK(NEAR(sum, 0.5));
	sm_cache_free(&c);
	sm_lm_free(&lm);
	if (failures == 0)
		printf("ok cache\n");
	return failures != 0;
}

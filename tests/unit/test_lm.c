/* Unit tests of the trie LM loader: sentence log-probabilities against
 * Debian's sphinx_lm_eval on the same file, word lookup, and truncated or
 * corrupt copies that must fail cleanly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lm.h"

#define LM "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin"

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)

/* sphinx_lm_eval's "lm score" (log_{1.0001} units) for a text. */
static double
oracle(const char *text)
{
	char cmd[1024], line[512];
	double v = NAN;
	FILE *f;

	snprintf(cmd, sizeof cmd, "sphinx_lm_eval -lm " LM " -text '%s' 2>/dev/null", text);
	f = popen(cmd, "r");
	if (f == NULL)
		return NAN;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "lm score:", 9) == 0)
			v = atof(line + 9);
	pclose(f);
	return v;
}

/* Our score of the same text in log_{1.0001} units: a leading <s> is only
 * context, as in sphinx_lm_eval. */
static double
ours(const struct sm_lm *lm, const char *text)
{
	char buf[512], *w, *save = NULL;
	int h1 = -1, h2 = -1, id;
	double tot = 0;

	snprintf(buf, sizeof buf, "%s", text);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		id = sm_lm_word(lm, w);
		if (id < 0)
			return NAN;
		if (id != lm->bos)
			tot += sm_lm_score(lm, id, h1, h2, NULL);
		h2 = h1;
		h1 = id;
	}
	return tot / SM_LM_LN_UNIT;
}

static void
test_sentences(const struct sm_lm *lm)
{
	static const char *const s[] = {
		"go forward ten meters",
		"<s> go forward ten meters </s>",
		"<s> the quick brown fox jumps over the lazy dog </s>",
		"please leave your message after the tone",
		"<s> your call cannot be completed as dialed </s>",
		"<s> zebra </s>",
		"<s> one two three four five six seven eight nine </s>",
		"of the of the and and",
		"<s> he was a man of great learning and kindness </s>",
	};
	for (size_t i = 0; i < sizeof s / sizeof *s; i++) {
		double a = oracle(s[i]), b = ours(lm, s[i]);

		if (!(fabs(a - b) <= 1e-3 * fabs(a) + 2)) {
			fprintf(stderr, "\"%s\": sphinx_lm_eval %.0f, ours %.1f\n", s[i], a, b);
			failures++;
		}
	}
}

static void
test_lookup(const struct sm_lm *lm)
{
	CHECK(lm->order == 3);
	CHECK(lm->n_words == 72547);
	CHECK(lm->n_real[1] == 2051541);	/* not the header's 2051547 */
	CHECK(lm->n_real[2] == 1669625);
	CHECK(lm->bos >= 0 && lm->eos >= 0);
	CHECK(sm_lm_word(lm, "forward") >= 0);
	CHECK(sm_lm_word(lm, "no-such-word-xyz") < 0);
	CHECK(sm_lm_score(lm, -1, -1, -1, NULL) < -1e29f);
	CHECK(sm_lm_score(lm, sm_lm_word(lm, "the"), 9999999, -7, NULL) > -20);
}

/* Opened without the word index: the same <s> and </s>, no lookup by
 * spelling until sm_lm_index, then the same ids as sm_lm_load's. */
static void
test_lazy(const struct sm_lm *ref)
{
	struct sm_lm lm;
	char err[512];

	CHECK(sm_lm_open(&lm, LM, 0, err, sizeof err) == 0);
	CHECK(lm.bos == ref->bos && lm.eos == ref->eos);
	CHECK(lm.words == NULL && sm_lm_word(&lm, "forward") == -1);
	CHECK(sm_lm_score(&lm, sm_lm_word(ref, "forward"), sm_lm_word(ref, "go"), ref->bos,
			  NULL) == sm_lm_score(ref, sm_lm_word(ref, "forward"),
					       sm_lm_word(ref, "go"), ref->bos, NULL));
	CHECK(sm_lm_index(&lm) == 0);
	CHECK(sm_lm_word(&lm, "forward") == sm_lm_word(ref, "forward"));
	CHECK(lm.bos == ref->bos && lm.eos == ref->eos);
	sm_lm_free(&lm);
}

/* The unigram weight: a unigram (and a backed-off score's unigram part)
 * is interpolated with the uniform distribution; other n-grams and <s>
 * keep their scores; 1 restores the stored model exactly. */
static void
test_uw(struct sm_lm *lm)
{
	int w = sm_lm_word(lm, "thirtieth"), h = sm_lm_word(lm, "xylophone");
	int go = sm_lm_word(lm, "go"), fw = sm_lm_word(lm, "forward"), n;
	float p1 = sm_lm_score(lm, w, -1, -1, NULL), pb = sm_lm_score(lm, w, h, -1, &n);
	float p2 = sm_lm_score(lm, fw, go, -1, NULL), ps = sm_lm_score(lm, lm->bos, -1, -1, NULL);
	double want = log(0.5 * exp(p1) + 0.5 / (lm->n_words - 1));

	CHECK(w >= 0 && h >= 0 && n == 1);
	sm_lm_set_uw(lm, 0.5f);
	CHECK(fabs(sm_lm_score(lm, w, -1, -1, NULL) - want) < 1e-4);
	CHECK(fabs(sm_lm_score(lm, w, h, -1, NULL) - (want + (pb - p1))) < 1e-3);
	CHECK(sm_lm_score(lm, fw, go, -1, NULL) == p2);
	CHECK(sm_lm_score(lm, lm->bos, -1, -1, NULL) == ps);
	CHECK(sm_lm_unigram(lm, w) == p1);
	sm_lm_set_uw(lm, 1);
	CHECK(sm_lm_score(lm, w, -1, -1, NULL) == p1 && sm_lm_score(lm, w, h, -1, NULL) == pb);
}

/* Copies of the first n bytes, and one with a broken magic, must fail. */
static void
test_truncated(void)
{
	static const long cut[] = { 0, 10, 20, 33, 500000, 786468, 1700000,
				    15000000, 27000000, 27114385 - 5 };
	char path[] = "/tmp/sm-test-lm.XXXXXX", err[512];
	struct sm_lm lm;
	FILE *in = fopen(LM, "rb"), *out;
	static char buf[1 << 16];
	int fd = mkstemp(path);
	long n, i;

	CHECK(in != NULL && fd >= 0);
	if (in == NULL || fd < 0)
		return;
	close(fd);
	for (i = 0; i < (long)(sizeof cut / sizeof *cut); i++) {
		long left = cut[i];

		rewind(in);
		out = fopen(path, "wb");
		while (left > 0 && (n = (long)fread(buf, 1, left < (long)sizeof buf ?
						     (size_t)left : sizeof buf, in)) > 0) {
			fwrite(buf, 1, (size_t)n, out);
			left -= n;
		}
		fclose(out);
		err[0] = 0;
		CHECK(sm_lm_load(&lm, path, err, sizeof err) == -1);
		CHECK(strncmp(err, path, strlen(path)) == 0);
		sm_lm_free(&lm);
	}
	out = fopen(path, "wb");
	fputs("Trie Language Mod3l\x03", out);
	fclose(out);
	CHECK(sm_lm_load(&lm, path, err, sizeof err) == -1);
	CHECK(strstr(err, "bad magic") != NULL);
	CHECK(sm_lm_load(&lm, "/nonexistent/lm.bin", err, sizeof err) == -1);
	fclose(in);
	unlink(path);
}

/* A custom vocabulary: new words scored as unigrams of the class's
 * probability after their history's backoff weights, the word after one
 * by its unigram; a boost multiplies a known word's every probability. */
static void
test_vocab(const struct sm_lm *ref)
{
	struct sm_lm lm;
	char err[512];
	int w = sm_lm_word(ref, "thirtieth"), h = sm_lm_word(ref, "xylophone");
	int go = sm_lm_word(ref, "go"), fw = sm_lm_word(ref, "forward"), c, n;
	float lp = logf(1e-4f);

	CHECK(sm_lm_open(&lm, LM, 0, err, sizeof err) == 0);
	float p1 = sm_lm_score(&lm, w, -1, -1, NULL), pb = sm_lm_score(&lm, w, h, -1, NULL);
	float p2 = sm_lm_score(&lm, fw, go, -1, NULL), pu = sm_lm_unigram(&lm, fw);

	c = sm_lm_add_class(&lm, 2, lp);
	CHECK(c == (int)lm.n_words);
	CHECK(sm_lm_add_class(&lm, 1, lp) == -1);	/* once */
	CHECK(sm_lm_score(&lm, c, -1, -1, &n) == lp && n == 1);
	CHECK(sm_lm_unigram(&lm, c + 1) == lp);
	CHECK(fabsf(sm_lm_score(&lm, c, h, -1, NULL) - (lp + (pb - p1))) < 1e-4f);
	CHECK(fabsf(sm_lm_score(&lm, c + 1, fw, go, NULL) -
		    (lp + sm_lm_score(&lm, w, fw, go, NULL) - sm_lm_score(&lm, w, -1, -1, NULL))) < 1e-3f);
	CHECK(sm_lm_score(&lm, c + 2, -1, -1, NULL) < -1e29f);
	CHECK(sm_lm_score(&lm, fw, c, -1, NULL) == sm_lm_score(&lm, fw, -1, -1, NULL));
	CHECK(sm_lm_score(&lm, fw, go, -1, NULL) == p2);
	CHECK(sm_lm_boost(&lm, fw, logf(8)) == 0);
	CHECK(fabsf(sm_lm_score(&lm, fw, go, -1, NULL) - (p2 + logf(8))) < 1e-5f);
	CHECK(fabsf(sm_lm_unigram(&lm, fw) - (pu + logf(8))) < 1e-5f);
	CHECK(sm_lm_score(&lm, go, -1, -1, NULL) == sm_lm_score(ref, go, -1, -1, NULL));
	sm_lm_free(&lm);
}

int
main(void)
{
	struct sm_lm lm;
	char err[512];

	if (sm_lm_load(&lm, LM, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	test_lookup(&lm);
	test_sentences(&lm);
	test_lazy(&lm);
	test_uw(&lm);
	test_vocab(&lm);
	sm_lm_free(&lm);
	test_truncated();
	if (failures)
		fprintf(stderr, "%d failures\n", failures);
	return failures != 0;
}

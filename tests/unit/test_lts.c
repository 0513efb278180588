/* Unit tests of letter-to-sound (recog/lts.c) with the English pack's
 * model (pack.conf's lts) and its trainer (build/lts-train): common
 * words pronounced as the dictionary has them, by the pack's model and
 * by one trained without them; words that must be refused; the trainer
 * deterministic; damaged model files refused with their message;
 * pack.conf's lts key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lts.h"
#include "sm.h"

#define DICT "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"
#define TRAINER "build/lts-train"

static int failures;
static char dir[256];

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)

/* Common words of the dictionary, none of them among its first 5000
 * lines (test_deterministic's). */
static const char *const common[] = {
	"about", "after", "again", "answer", "because", "before", "began",
	"better", "black", "bring", "brother", "called", "children", "city",
	"country", "daughter", "different", "doctor", "during", "early",
	"enough", "evening", "family", "father", "friend", "garden", "govern",
	"ground", "happen", "heavy", "house", "important", "large", "letter",
	"little", "market", "morning", "mother", "never", "number", "often",
	"paper", "people", "picture", "place", "question", "river", "school",
	"second", "sister", "small", "sound", "station", "story", "summer",
	"table", "thing", "through", "together", "under", "water", "window",
	"winter", "without", "woman", "yellow",
};
#define NCOMMON (sizeof(common) / sizeof(*common))

/* Whether word's phones (n of them) are one of the dictionary's
 * pronunciations of it ("word PH ON ES", "word(2) ..."). */
static int
in_dict(const char *word, const char **ph, int n)
{
	char line[1024], want[1024] = "";
	size_t len = strlen(word);
	int found = 0;
	FILE *f = fopen(DICT, "r");

	if (f == NULL)
		return perror(DICT), 0;
	for (int i = 0; i < n; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), " %s", ph[i]);
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = line + len;

		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, word, len) != 0)
			continue;
		if (*p == '(')
			p += strcspn(p, ")") + 1;
		found = strcmp(p, want) == 0;
	}
	fclose(f);
	return found;
}

/* How many of the common words the model says as the dictionary does. */
static int
right(const struct sm_lts *t)
{
	const char *ph[64];
	int ok = 0;

	for (size_t i = 0; i < NCOMMON; i++) {
		int n = sm_lts_word(t, common[i], ph, 64);

		if (n > 0 && in_dict(common[i], ph, n))
			ok++;
		else
			fprintf(stderr, "# %s: not as in the dictionary\n", common[i]);
	}
	return ok;
}

static int
run(const char *cmd)
{
	int st = system(cmd);

	if (st != 0)
		fprintf(stderr, "%s: exit status %d\n", cmd, st);
	return st;
}

static void
test_pack_model(const struct sm_lts *t)
{
	/* Trained on them: all but a few right. */
	CHECK(right(t) >= (int)NCOMMON * 95 / 100);
}

static void
test_held_out(void)
{
	char cmd[8192], path[600], err[512];
	struct sm_lts *t;
	FILE *f;

	/* The dictionary without the common words (grep -v -w of each). */
	snprintf(path, sizeof(path), "%s/words", dir);
	f = fopen(path, "w");
	if (f == NULL)
		return perror(path), (void)failures++;
	for (size_t i = 0; i < NCOMMON; i++)
		fprintf(f, "^%s[( \t]\n", common[i]);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "grep -v -f %s/words " DICT " > %s/held.dict && "
		 TRAINER " %s/held.dict %s/held.bin", dir, dir, dir, dir);
	CHECK(run(cmd) == 0);
	snprintf(path, sizeof(path), "%s/held.bin", dir);
	t = sm_lts_open(path, err, sizeof(err));
	CHECK(t != NULL);
	if (t == NULL)
		return;
	/* Never seen: most right still (of every 10th dictionary word held
	 * out, about 70% are; these common words are easier). */
	CHECK(right(t) >= (int)NCOMMON * 85 / 100);
	sm_lts_free(t);
	snprintf(cmd, sizeof(cmd), "rm -f %s/words %s/held.dict %s/held.bin", dir, dir, dir);
	run(cmd);
}

static void
test_refused(const struct sm_lts *t)
{
	const char *ph[64];

	CHECK(sm_lts_word(t, "", ph, 64) == 0);
	CHECK(sm_lts_word(t, "r2d2", ph, 64) == 0);
	CHECK(sm_lts_word(t, "Hello", ph, 64) == 0);
	CHECK(sm_lts_word(t, "new-york", ph, 64) == 0);
	CHECK(sm_lts_word(t, "''", ph, 64) == 0);
	CHECK(sm_lts_word(t, "don't", ph, 64) > 0);
	/* Out holds max phones at most. */
	CHECK(sm_lts_word(t, "hello", ph, 64) == 4);
	CHECK(sm_lts_word(t, "hello", ph, 2) == 2);
	CHECK(strcmp(ph[0], "HH") == 0);
}

static void
test_deterministic(void)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "head -n 5000 " DICT " > %s/d && " TRAINER
		 " %s/d %s/a && " TRAINER " %s/d %s/b && cmp -s %s/a %s/b",
		 dir, dir, dir, dir, dir, dir, dir);
	CHECK(run(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "rm -f %s/d %s/a %s/b", dir, dir, dir);
	run(cmd);
}

/* The message of opening a copy of model's first n bytes (all when n is
 * 0), the high byte of its last follower's token set when flip; ""
 * when it opens. */
static const char *
open_copy(const char *model, long n, int flip, char *err, size_t errlen)
{
	char cmd[8192], path[600];
	struct sm_lts *t;

	snprintf(path, sizeof(path), "%s/copy", dir);
	if (n > 0)
		snprintf(cmd, sizeof(cmd), "head -c %ld %s > %s", n, model, path);
	else
		snprintf(cmd, sizeof(cmd), "cp %s %s", model, path);
	run(cmd);
	if (flip) {
		FILE *f = fopen(path, "r+b");

		if (f != NULL) {
			fseek(f, -5, SEEK_END);
			fputc(0xff, f);
			fclose(f);
		}
	}
	*err = '\0';
	t = sm_lts_open(path, err, errlen);
	sm_lts_free(t);
	unlink(path);
	return err + (strncmp(err, path, strlen(path)) == 0 ? strlen(path) : 0);
}

static void
test_damaged(const char *model)
{
	char err[1024];

	CHECK(strcmp(open_copy(model, 0, 0, err, sizeof(err)), "") == 0);
	CHECK(strcmp(open_copy(model, 10, 0, err, sizeof(err)),
		     ": not a letter-to-sound model") == 0);
	CHECK(strncmp(open_copy(model, 100000, 0, err, sizeof(err)),
		      ": damaged: 100000 bytes, its header announces ", 46) == 0);
	/* The last follower's token out of range. */
	CHECK(strncmp(open_copy(model, 0, 1, err, sizeof(err)),
		      ": damaged follower ", 19) == 0);
	CHECK(strcmp(open_copy(DICT, 0, 0, err, sizeof(err)),
		     ": not a letter-to-sound model") == 0);
}

/* pack.conf's lts: a path relative to the pack's directory; none
 * without the key. */
static void
test_pack_key(void)
{
	char conf[600], want[600], err[1024];
	struct sm_pack p;
	FILE *f;

	snprintf(conf, sizeof(conf), "%s/pack.conf", dir);
	for (int with = 0; with < 2; with++) {
		f = fopen(conf, "w");
		if (f == NULL)
			return perror(conf), (void)failures++;
		fprintf(f, "language = xx\nhmm = /nonexistent\n%s", with ? "lts = m.bin\n" : "");
		fclose(f);
		CHECK(sm_pack_load(&p, dir, NULL, err, sizeof(err)) == 0);
		snprintf(want, sizeof(want), "%s/m.bin", dir);
		CHECK(strcmp(p.lts, with ? want : "") == 0);
	}
	unlink(conf);
}

int
main(void)
{
	struct sm_pack pack;
	struct sm_lts *t;
	char err[1024];

	if (sm_pack_load(&pack, NULL, "en", err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	t = sm_lts_open(pack.lts, err, sizeof(err));
	if (t == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/sm-lts-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return perror(dir), 1;
	test_pack_model(t);
	test_refused(t);
	sm_lts_free(t);
	test_held_out();
	test_deterministic();
	test_damaged(pack.lts);
	test_pack_key();
	rmdir(dir);
	if (failures)
		fprintf(stderr, "%d failures\n", failures);
	return failures != 0;
}

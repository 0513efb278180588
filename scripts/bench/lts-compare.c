/*
 * lts-compare: the pronunciations of words (one a line on stdin) by the
 * pack's letter-to-sound model (recog/lts.c) and by flite's CMU
 * letter-to-sound rules, as "word TAB ours TAB flite's", phones blank
 * separated; with -o, ours only; with -t, no words but the CPU
 * milliseconds of opening the model and of pronouncing the words, ours.
 * Built by scripts/bench/74-lts.sh only: with flite1-dev's headers and
 * libraries, or with -DNO_FLITE (flite's column then empty).
 * Usage: lts-compare [-o | -t] MODEL WORDS
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#ifndef NO_FLITE
#include <flite/flite.h>
#include <flite/cst_lts.h>
#endif

#include "lts.h"
#include "sm.h"

#ifndef NO_FLITE
extern cst_lts_rules cmu_lts_rules;	/* set up by cmu_lex_init */
cst_lexicon *cmu_lex_init(void);

/* flite's phone in the dictionary's set: no stress digit, upper case,
 * its schwa (ax) as AH. */
static void
put_flite(const char *ph, int first)
{
	char b[16];
	size_t i;

	if (strncmp(ph, "ax", 2) == 0 && (ph[2] == '\0' || (ph[2] >= '0' && ph[2] <= '9')))
		ph = "ah";
	for (i = 0; ph[i] && !(ph[i] >= '0' && ph[i] <= '9') && i < sizeof(b) - 1; i++)
		b[i] = (char)(ph[i] - 'a' + 'A');
	b[i] = '\0';
	if (sm_lts_phone_id(b) < 0)
		sm_die(SM_EX_SOFTWARE, "flite phone %s: no counterpart", ph);
	printf("%s%s", first ? "" : " ", b);
}

/* flite's phones of word, which its rules take as letters only. */
static void
flite_word(const char *word)
{
	char letters[256];
	const cst_val *p;
	cst_val *v;
	size_t i, j = 0;

	for (i = 0; word[i] && j < sizeof(letters) - 1; i++)
		if (word[i] != '\'')
			letters[j++] = word[i];
	letters[j] = '\0';
	v = lts_apply(letters, "", &cmu_lts_rules);
	for (p = v; p; p = val_cdr(p))
		put_flite(val_string(val_car(p)), p == v);
	delete_val(v);
}
#else
static void cmu_lex_init(void) { }
static void flite_word(const char *word) { (void)word; }
#endif

int
main(int argc, char **argv)
{
	char line[256], err[512];
	const char *ph[256];
	struct sm_lts *t;
	int timed = argc > 1 && strcmp(argv[1], "-t") == 0;
	int ours = timed || (argc > 1 && strcmp(argv[1], "-o") == 0);
	clock_t c0;
	double open_ms;
	FILE *f;

	sm_init("lts-compare");
	if (argc - ours != 3)
		sm_usage_exit("Usage: lts-compare [-o | -t] MODEL WORDS\n", 0);
	c0 = clock();
	t = sm_lts_open(argv[1 + ours], err, sizeof(err));
	open_ms = (double)(clock() - c0) * 1000 / CLOCKS_PER_SEC;
	if (t == NULL)
		sm_die(SM_EX_NOINPUT, "%s", err);
	f = fopen(argv[2 + ours], "r");
	if (f == NULL)
		sm_die_errno(SM_EX_NOINPUT, "%s", argv[2 + ours]);
	if (!ours)
		cmu_lex_init();
	if (timed) {
		static char words[100000][64];
		int nw = 0;

		while (nw < 100000 && fgets(words[nw], sizeof(words[nw]), f))
			words[nw][strcspn(words[nw], "\n")] = '\0', nw++;
		c0 = clock();
		for (int i = 0; i < nw; i++)
			sm_lts_word(t, words[i], ph, 256);
		printf("%.2f %.2f\n", open_ms, (double)(clock() - c0) * 1000 / CLOCKS_PER_SEC);
	}
	while (!timed && fgets(line, sizeof(line), f)) {
		int n;

		line[strcspn(line, "\n")] = '\0';
		n = sm_lts_word(t, line, ph, 256);
		printf("%s\t", line);
		for (int k = 0; k < n; k++)
			printf("%s%s", k ? " " : "", ph[k]);
		if (!ours) {
			putchar('\t');
			flite_word(line);
		}
		putchar('\n');
	}
	fclose(f);
	sm_lts_free(t);
	return 0;
}

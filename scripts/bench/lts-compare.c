/*
 * lts-compare: the pronunciations of words (one a line on stdin) by the
 * pack's letter-to-sound model (recog/lts.c) and by flite's CMU
 * letter-to-sound rules, as "word TAB ours TAB flite's", phones blank
 * separated; with -o, ours only (to time it).  Built by
 * scripts/bench/75-lts.sh only (flite1-dev).
 * Usage: lts-compare [-o] MODEL WORDS
 */
#include <stdio.h>
#include <string.h>

#include <flite/flite.h>
#include <flite/cst_lts.h>

#include "lts.h"
#include "sm.h"

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

int
main(int argc, char **argv)
{
	char line[256], err[512];
	const char *ph[256];
	struct sm_lts *t;
	int ours = argc > 1 && strcmp(argv[1], "-o") == 0;
	FILE *f;

	sm_init("lts-compare");
	if (argc - ours != 3)
		sm_usage_exit("Usage: lts-compare [-o] MODEL WORDS\n", 0);
	t = sm_lts_open(argv[1 + ours], err, sizeof(err));
	if (t == NULL)
		sm_die(SM_EX_NOINPUT, "%s", err);
	f = fopen(argv[2 + ours], "r");
	if (f == NULL)
		sm_die_errno(SM_EX_NOINPUT, "%s", argv[2 + ours]);
	if (!ours)
		cmu_lex_init();
	while (fgets(line, sizeof(line), f)) {
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

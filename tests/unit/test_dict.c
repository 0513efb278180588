/* Unit tests of the dictionary reader (recog/dict.c): sm_dict_line on
 * hand-made lines, and sm_dict_load on the pack's dictionary against a
 * count of its lines by awk, and on small files with errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dict.h"
#include "mdef.h"

#define MODEL "/usr/share/pocketsphinx/model/en-us"

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)

static void
line(const char *s, struct sm_dict_line *dl)
{
	sm_dict_line(s, s + strlen(s), dl);
}

static int
span_is(const char *p, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(p, want, n) == 0;
}

static void
test_line(void)
{
	struct sm_dict_line dl;
	char many[8 * 200 + 16];
	int i;

	line("read(2) R EH D", &dl);
	CHECK(span_is(dl.word, dl.len, "read(2)"));
	CHECK(dl.base_len == 4);
	CHECK(dl.n_phone == 3);
	CHECK(span_is(dl.phone[0], dl.phone_len[0], "R"));
	CHECK(span_is(dl.phone[2], dl.phone_len[2], "D"));
	/* blanks of every kind, before the word too, and a CR at the end */
	line(" \tadd\t AE  D\r", &dl);
	CHECK(span_is(dl.word, dl.len, "add"));
	CHECK(dl.base_len == 3);
	CHECK(dl.n_phone == 2);
	CHECK(span_is(dl.phone[1], dl.phone_len[1], "D"));
	/* the last "(" marks the alternate; "(N)" alone or "x(2" is a word */
	line("a(b)(3) AH", &dl);
	CHECK(dl.len == 7 && dl.base_len == 4);
	line("(2) T UW", &dl);
	CHECK(dl.len == 3 && dl.base_len == 3);
	line("x(2 EH K S", &dl);
	CHECK(dl.len == 3 && dl.base_len == 3);
	/* comments, blank lines, a word with no phones */
	line("", &dl);
	CHECK(dl.len == 0 && dl.n_phone == 0);
	line(" \t\r", &dl);
	CHECK(dl.len == 0);
	line("# a comment", &dl);
	CHECK(dl.len == 0);
	line(";; a comment", &dl);
	CHECK(dl.len == 0);
	line(";x S EH M IY", &dl);
	CHECK(dl.len == 2 && dl.n_phone == 4);
	line("word", &dl);
	CHECK(dl.len == 4 && dl.n_phone == 0);
	/* more phones than are kept: all counted */
	strcpy(many, "long");
	for (i = 0; i < 200; i++)
		strcat(many, " AH");
	line(many, &dl);
	CHECK(dl.n_phone == 200);
	CHECK(span_is(dl.phone[SM_DICT_LINE_PH - 1], dl.phone_len[SM_DICT_LINE_PH - 1], "AH"));
	/* a NUL byte ends the line, as it would end a C string */
	{
		static const char nul[] = "go G OW\0ZZ Z";

		sm_dict_line(nul, nul + sizeof nul - 1, &dl);
		CHECK(dl.len == 2 && dl.n_phone == 2);
	}
	/* a phone's name as a C string, whole or cut */
	{
		char name[4];

		line("x ABC ABCD", &dl);
		CHECK(sm_dict_phone(&dl, 0, name, sizeof name) == 1 && strcmp(name, "ABC") == 0);
		CHECK(sm_dict_phone(&dl, 1, name, sizeof name) == 0 && strcmp(name, "ABC") == 0);
	}
	/* the line ends where it is told to, not at its NUL */
	sm_dict_line("go G OW\nnext N EH K S T", strchr("go G OW\nnext N EH K S T", '\n'), &dl);
	CHECK(dl.n_phone == 2);
}

static void
test_pack(const struct sm_mdef *m)
{
	struct sm_dict d;
	char err[512];
	int lines = -1, i, read2 = 0;
	FILE *f = popen("awk 'NF >= 2 && $1 !~ /^(#|;;)/' " MODEL "/cmudict-en-us.dict | wc -l",
			"r");

	CHECK(f != NULL && fscanf(f, "%d", &lines) == 1);
	if (f)
		pclose(f);
	CHECK(sm_dict_load(&d, MODEL "/cmudict-en-us.dict", NULL, m, err, sizeof err) == 0);
	CHECK(d.n_words == lines);
	CHECK(d.n_fillers == 0);
	for (i = 0; i < d.n_words; i++)
		if (strcmp(d.w[i].word, "read(2)") == 0) {
			read2++;
			CHECK(d.w[i].base_len == 4);
			CHECK(d.w[i].n_phone == 3);
		}
	CHECK(read2 == 1);
	sm_dict_free(&d);
}

static void
test_errors(const struct sm_mdef *m)
{
	static const struct {
		const char *text, *want;
	} c[] = {
		{"a AH\nb B XX\n", ":2: unknown phone 'XX'"},
		{"# c\nlonely\n", ":2: word without phones"},
	};
	char path[] = "/tmp/test_dict.XXXXXX", err[512], want[600];
	struct sm_dict d;
	size_t i;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	for (i = 0; fd >= 0 && i < sizeof c / sizeof c[0]; i++) {
		CHECK(ftruncate(fd, 0) == 0 && pwrite(fd, c[i].text, strlen(c[i].text), 0) ==
		      (ssize_t)strlen(c[i].text));
		snprintf(want, sizeof want, "%s%s", path, c[i].want);
		CHECK(sm_dict_load(&d, path, NULL, m, err, sizeof err) == -1);
		CHECK(strcmp(err, want) == 0);
	}
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
}

int
main(void)
{
	struct sm_mdef m;
	char err[512];

	test_line();
	if (sm_mdef_load(&m, MODEL "/en-us/mdef", err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	test_pack(&m);
	test_errors(&m);
	sm_mdef_free(&m);
	if (failures)
		fprintf(stderr, "%d failures\n", failures);
	return failures != 0;
}

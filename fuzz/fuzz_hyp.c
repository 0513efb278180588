/* fuzz_hyp.c: sm-format's #sm-hyp 1 reader (cmd/sm-format/hyp.c), then
 * punctuation and every writer (json-v2, txt, srt) on what it read. */
#include "../cmd/sm-format/hyp.c"
#include "../cmd/sm-format/write.c"

#include "fuzz.h"

static void
free_transcript(struct transcript *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].content);
	free(t->v);
	memset(t, 0, sizeof *t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sm_pack pack = { .language = "en", .description = "English",
				       .word_delimiter = " " };
	struct fmt_opts o = { .pack = &pack, .data_name = "-", .pause_ms = 700,
			      .max_line_length = 37, .max_lines = 2 };
	struct transcript t = { NULL, 0, 0, 0 };
	FILE *volatile in, *out;
	jmp_buf jb;

	if (size == 0)
		return 0;
	in = fmemopen((void *)data, size, "r");
	out = fopen("/dev/null", "w");
	if (in == NULL || out == NULL)
		abort();
	fuzz_jmp = &jb;
	if (setjmp(jb) == 0) {
		hyp_read(in, "<stdin>", &t, size & 1);
		hyp_punctuate(&t, o.pause_ms, (size & 2) != 0);
		for (int i = 0; writers[i].name; i++)
			writers[i].write(out, &t, &o);
	}
	fuzz_jmp = NULL;
	free_transcript(&t);
	fclose(in);
	fclose(out);
	return 0;
}

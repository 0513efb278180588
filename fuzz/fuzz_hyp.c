/* fuzz_hyp.c: sm-format's #sm-hyp 1 reader (cmd/sm-format/hyp.c), then
 * entities (for some inputs), punctuation by the pause rule (the model needs a
 * language model) and every writer (json-v2, txt, srt) on what it read. */
#include "../cmd/sm-format/entity.c"
#include "../cmd/sm-format/hyp.c"
#include "../cmd/sm-format/punct.c"
#include "../cmd/sm-format/write.c"

#include "fuzz.h"

static void
free_transcript(struct transcript *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct entity *e = t->v[i].entity;

		free(t->v[i].content);
		if (e == NULL)
			continue;
		for (size_t k = 0; k < e->nspoken; k++)
			free(e->spoken[k].content);
		for (size_t k = 0; k < e->nwritten; k++)
			free(e->written[k]);
		free(e->spoken);
		free(e->written);
		free(e);
	}
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
		if (size & 4)
			entity_apply(&t, size & 8 ? "en-GB" : "en-US", o.pause_ms);
		struct punct_opts po = { .marks = size & 2 ? ".,?!" : "", .pause_ms = 700 };

		hyp_punctuate(&t, &po);
		for (int i = 0; writers[i].name; i++)
			writers[i].write(out, &t, &o);
	}
	fuzz_jmp = NULL;
	free_transcript(&t);
	fclose(in);
	fclose(out);
	return 0;
}

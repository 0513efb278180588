/* fuzz_diarize.c: sm-diarize's #sm-hyp 1 reader (common/hyp.c) and,
 * on what it accepts, the diarization itself (diar.c) over features made
 * from the same bytes: any best path against any frames. */
#include "../cmd/sm-diarize/diar.c"
#include "../cmd/sm-diarize/hyp.c"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sm_hyp h = {0};
	struct diar_opts o = {0.5, 0, 20};
	struct diar_word *volatile w = NULL;
	int *volatile label = NULL;
	float *x;
	char *buf;
	long nframes;
	jmp_buf jb;

	if (size < 2)
		return 0;
	/* The first byte chooses the options, the next the number of frames
	 * per byte of input; the frames cycle through the input's bytes. */
	o.sensitivity = (data[0] & 7) / 7.0;
	o.prefer_current = (data[0] >> 3) & 1;
	o.max_speakers = 1 + ((data[0] >> 4) & 7);
	nframes = (long)(size - 2) * (data[1] % 8);
	x = calloc((size_t)nframes * DIAR_DIM + 1, sizeof *x);
	buf = malloc(size - 1);
	if (x == NULL || buf == NULL)
		abort();
	for (long i = 0; i < nframes * DIAR_DIM; i++)
		x[i] = (float)((int8_t)data[2 + i % (size - 2)]) / 16.0f + (float)(i % 7);
	memcpy(buf, data + 2, size - 2);
	buf[size - 2] = '\0';
	fuzz_jmp = &jb;
	if (setjmp(jb) == 0) {
		sm_hyp_parse(&h, buf, "<stdin>", "speaker");
		w = calloc(h.words + 1, sizeof *w);
		label = calloc(h.words + 1, sizeof *label);
		if (w == NULL || label == NULL)
			abort();
		hyp_frames(&h, 100, 0, nframes, w);
		if (diar_run(x, nframes, w, h.words, &o, label) > o.max_speakers)
			abort();
		for (long i = 0; i < h.words; i++)
			if (label[i] < -1 || label[i] >= o.max_speakers)
				abort();
	}
	fuzz_jmp = NULL;
	free(h.v);
	free(w);
	free(label);
	free(x);
	free(buf);
	return 0;
}

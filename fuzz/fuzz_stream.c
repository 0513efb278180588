/* fuzz_stream.c: the binary stream reader (common/stream.c): a header
 * of any kind, then frames to the end, as every stage reads its input. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "sm.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sm_stream_hdr h;
	char err[256];
	FILE *f;
	jmp_buf jb;
	void *volatile frame = NULL;
	size_t fb;

	if (size == 0)
		return 0;
	f = fmemopen((void *)data, size, "rb");
	if (f == NULL)
		return 0;
	if (sm_hdr_read(f, &h, 0, err, sizeof err) != 0) {
		fclose(f);
		return 0;
	}
	fb = sm_frame_bytes(&h);
	if (fb == 0 || fb > ((size_t)1 << 26))
		abort();	/* the header reader bounds dim */
	frame = malloc(fb);
	fuzz_jmp = &jb;
	if (setjmp(jb) == 0) {
		while (sm_frame_read_or_die(f, "<stdin>", frame, fb) == 1)
			;
	}
	fuzz_jmp = NULL;
	free(frame);
	fclose(f);
	return 0;
}

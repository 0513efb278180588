/* fuzz_pipe.c: sm-decode's input path for a pipe as sm-decode runs it:
 * arbitrary bytes (up to what a pipe holds) written into a pipe, opened by
 * dec_open (the WAV stream parser, the FLAC window, libmpg123 for MP3, or
 * the whole input to libsndfile), every frame read, and the end checked and
 * drained. */
#include "../cmd/sm-decode/input.c"
#include "../cmd/sm-decode/mpeg.c"

#include "fuzz.h"

/* Static: it must survive the longjmp of a wrapped sm_die. */
static struct dec_in d;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int p[2];
	char path[32];
	jmp_buf jb;
	float buf[8192];

	/* The whole input fits in the pipe: no writer thread needed. */
	if (size == 0 || size > 65536)
		return 0;
	if (pipe(p) != 0 || write(p[1], data, size) != (ssize_t)size)
		abort();
	close(p[1]);
	snprintf(path, sizeof path, "/dev/fd/%d", p[0]);
	memset(&d, 0, sizeof d);
	d.fd = -1;
	fuzz_jmp = &jb;
	if (setjmp(jb) == 0) {
		dec_open(&d, path, "<stdin>", (uint64_t)1 << 20);
		if (d.info.channels >= 1 && d.info.channels <= 1024) {
			sf_count_t per = (sf_count_t)(sizeof buf / sizeof buf[0]) /
					 d.info.channels, total = 0, r;

			/* Bounded: a hostile header may announce 2^63 frames. */
			while (total < ((sf_count_t)1 << 22) &&
			       (r = dec_read(&d, buf, per)) > 0)
				total += r;
		}
		dec_end(&d);
		d.sf = NULL;
		d.fd = -1;
		d.pre = NULL;
		d.mem.buf = NULL;
	}
	fuzz_jmp = NULL;
	if (d.sf != NULL)
		sf_close(d.sf);
	free(d.pre);
	free(d.mem.buf);
	if (d.fd > STDERR_FILENO)
		close(d.fd);
	close(p[0]);
	return 0;
}

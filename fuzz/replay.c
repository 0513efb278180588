/* replay.c: run saved fuzz inputs through a harness without libFuzzer.
 * Usage: NAME-replay FILE...; exits 0 when every input ran to its end
 * (a crash aborts, as under the fuzzer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int
main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		unsigned char *buf = NULL;
		size_t len = 0, cap = 0, got;

		if (f == NULL) {
			perror(argv[i]);
			return 66;
		}
		do {
			if (len == cap) {
				cap = cap ? 2 * cap : 65536;
				buf = realloc(buf, cap);
				if (buf == NULL) {
					perror("realloc");
					return 70;
				}
			}
			got = fread(buf + len, 1, cap - len, f);
			len += got;
		} while (got > 0);
		fclose(f);
		/* An exact-size copy: under SANITIZE=1 a read past the end of
		 * the input is caught, as under the fuzzer. */
		unsigned char *in = malloc(len ? len : 1);

		if (in == NULL) {
			perror("malloc");
			return 70;
		}
		if (len)
			memcpy(in, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(in, len);
		free(in);
	}
	printf("%d inputs\n", argc - 1);
	return 0;
}

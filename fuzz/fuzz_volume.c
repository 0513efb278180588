/* fuzz_volume.c: sm-volume's PCM reader and word volumes (cmd/sm-volume/
 * vol.c) with the #sm-hyp 1 reader (common/hyp.c): any PCM stream against
 * any best path.  The first byte says where the PCM stream ends (as a
 * share of the rest); the hypothesis follows it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cmd/sm-volume/vol.c"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sm_hyp h = {0};
	struct vols c = {0};
	size_t npcm;
	char *buf;
	FILE *f;
	jmp_buf jb;

	if (size < 2)
		return 0;
	npcm = (size - 1) * data[0] / 255;
	if ((buf = malloc(size - npcm)) == NULL)
		abort();
	memcpy(buf, data + 1 + npcm, size - 1 - npcm);
	buf[size - 1 - npcm] = '\0';
	f = fmemopen((void *)(data + 1), npcm ? npcm : 1, "rb");
	if (f == NULL)
		abort();
	fuzz_jmp = &jb;
	if (setjmp(jb) == 0) {
		vol_read(f, "<pcm>", &c);
		sm_hyp_parse(&h, buf, "<stdin>", "volume");
		for (long i = 0; i < h.n; i++) {
			double v;

			if (h.v[i].word < 0)
				continue;
			v = vol_word(&c, h.v[i].start, h.v[i].end);
			if (!(v >= 0 && v <= 100))
				abort();
		}
	}
	fuzz_jmp = NULL;
	fclose(f);
	free(c.v);
	free(h.v);
	free(buf);
	return 0;
}

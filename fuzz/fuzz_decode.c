/* fuzz_decode.c: sm-decode's input path for a pipe: arbitrary bytes held
 * in memory and opened through libsndfile's virtual I/O, the truncated-WAV
 * check, then every frame read as sm-decode reads them. */
#include "../cmd/sm-decode/input.c"
#include "../cmd/sm-decode/mpeg.c"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dec_mem m;
	SF_INFO info;
	SNDFILE *volatile sf;
	jmp_buf jb;
	float buf[8192];

	if (size == 0)
		return 0;
	m.buf = (unsigned char *)data;
	m.len = (sf_count_t)size;
	m.pos = 0;
	memset(&info, 0, sizeof info);
	sf = sf_open_virtual(&mem_io, SFM_READ, &info, &m);
	fuzz_jmp = &jb;
	if (setjmp(jb) == 0) {
		if (sf == NULL)
			die_sf("<stdin>", sniff(data, size));
		if ((info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV ||
		    (info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAVEX)
			check_truncated_wav(sf, "<stdin>");
		/* sm-decode refuses more than 1024 channels before reading. */
		if (info.channels >= 1 && info.channels <= 1024) {
			sf_count_t per = (sf_count_t)(sizeof buf / sizeof buf[0]) /
					 info.channels, total = 0, r;

			/* Bounded: a hostile header may announce 2^63 frames. */
			while (total < ((sf_count_t)1 << 22) &&
			       (r = sf_readf_float(sf, buf, per)) > 0)
				total += r;
		}
	}
	fuzz_jmp = NULL;
	if (sf != NULL)
		sf_close(sf);
	return 0;
}

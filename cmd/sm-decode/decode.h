/* decode.h: sm-decode's input layer. */
#ifndef SM_DECODE_H
#define SM_DECODE_H

#include <sndfile.h>
#include <stdint.h>

/* Piped input held in memory for libsndfile's virtual I/O. */
struct dec_mem {
	unsigned char *buf;
	sf_count_t len, pos;
};

/* Open path ("-" or NULL = stdin) for decoding.  A seekable regular file is
 * opened directly; anything else is read whole into m (at most max_bytes).
 * Dies with one line on failure: 66 cannot open, 65 bad or empty data. */
SNDFILE *dec_open(const char *path, struct dec_mem *m, uint64_t max_bytes,
		  SF_INFO *info);

#endif

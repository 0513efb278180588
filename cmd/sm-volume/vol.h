/* vol.h: sm-volume's measure, the volume of 10 ms chunks and of words. */
#ifndef SM_VOL_H
#define SM_VOL_H

#include <stdio.h>

/* The volume of each 10 ms chunk of the audio: 100 x RMS / 32768, the
 * scale of sm-decode --volume-threshold.  Four bytes per chunk: 2.9 MB
 * for two hours. */
struct vols {
	float *v;
	long n, cap;
	double rate, off;	/* chunks per second; chunk of time 0 */
};

/* Read a PCM stream (sm-stream(5)): mono int16, any rate from 100 Hz; its
 * chunks' volumes into c.  Dies 65 on another stream or a cut sample, 74
 * on a read error, naming path. */
void vol_read(FILE *in, const char *path, struct vols *c);
/* The volume of a word from start to end seconds, 0 to 100. */
double vol_word(const struct vols *c, double start, double end);

#endif

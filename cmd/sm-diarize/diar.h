/* diar.h: who spoke when, from the cepstra of the words' frames. */
#ifndef SM_DIAR_H
#define SM_DIAR_H

#include "sm.h"

/* The cepstra the method uses: c1..c12 of each frame (c0, the loudness, is
 * left out: it follows the distance to the microphone, not the voice). */
#define DIAR_DIM 12

struct diar_word {
	long f0, f1;		/* frames [f0, f1) of the word */
	int pause_before;	/* a pause (>= 0.25 s) precedes the word */
};

struct diar_opts {
	double sensitivity;	/* 0..1: higher finds more speakers */
	int prefer_current;	/* fewer short switches */
	int max_speakers;	/* at most this many labels */
};

/* The words' frames [f0, f1) within nframes: time t is frame
 * t * fps - off. */
void hyp_frames(const struct sm_hyp *h, double fps, double off, long nframes,
		struct diar_word *w);

/* Give each of the n words a speaker number 0, 1, ... in order of first
 * appearance; x holds nframes frames of DIAR_DIM values.  Returns the
 * number of speakers (0 when there are no words). */
int diar_run(const float *x, long nframes, const struct diar_word *w,
	     long n, const struct diar_opts *o, int *label);

#endif

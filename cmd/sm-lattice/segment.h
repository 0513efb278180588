/*
 * segment.h: cutting a long input into segments, each searched as an
 * utterance of its own, so that memory stays bounded however long the
 * recording.
 *
 * A segment ends at a pause once it is min frames long.  A frame looks
 * like a pause when one of the <sil> senones scores within sil_margin of
 * the frame's best senone; inside words that seldom lasts 0.1 s, in a
 * pause it does.  The search runs pause/2 frames behind the input, so
 * when the last `pause` frames all look like a pause, the search has just
 * reached the middle of them: the segment ends there if the search's best
 * HMM is a pause (or noise) too.  If no pause comes, the last `window`
 * frames before max are held back from the search, and the segment is
 * cut after the one that, with its neighbours, looks most like a pause.
 */
#ifndef SM_LATTICE_SEGMENT_H
#define SM_LATTICE_SEGMENT_H

struct sm_search;

struct seg_cfg {
	long min, max;		/* frames; max 0: the input is one segment */
	int pause;		/* frames of pause that end a segment past min */
	int window;		/* frames searched for a forced cut */
	float sil_margin;	/* nats: a pause-like frame's <sil> to its best */
};

enum { SEG_PAUSE, SEG_FORCED, SEG_END };

/* Called with the search holding a whole segment, not yet finished: the
 * segment's first frame in the input, its frame count and why it ended
 * (SEG_*).  The segmenter then starts the search afresh. */
typedef void (*seg_done_fn)(void *arg, long first, long n, int why);

struct segmenter {
	struct sm_search *srch;
	struct seg_cfg c;
	long hold;		/* frames of a segment before holding back */
	int lag;		/* frames the search runs behind the input */
	int n_sen, have_sil, sil[3];
	seg_done_fn done;
	void *arg;
	long first;		/* the segment's first frame in the input */
	long n;			/* frames given to the search */
	int run;		/* newest frames in a row that look like a pause */
	int cap, head, n_pend;	/* ring of frames read, not yet searched */
	float *ring;		/* [cap][n_sen] */
	float *score;		/* [cap] how much each looks like a pause */
};

/* 0, or -1 out of memory.  Starts the search. */
int seg_init(struct segmenter *g, struct sm_search *s, int n_sen,
	     const struct seg_cfg *c, seg_done_fn done, void *arg);
/* One frame of senone scores.  0, or -1 out of memory. */
int seg_frame(struct segmenter *g, const float *sen);
/* The end of the input: the last segment (the only one for an input
 * shorter than min, even an empty one).  0, or -1 out of memory. */
int seg_finish(struct segmenter *g);
void seg_free(struct segmenter *g);

#endif

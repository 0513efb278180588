/* hyp.c: the frames of the words of the best path that sm-diarize labels. */
#include <math.h>

#include "diar.h"
#include "sm.h"

void
hyp_frames(const struct sm_hyp *h, double fps, double off, long nframes,
	   struct diar_word *w)
{
	double last_end = -1;

	for (long i = 0; i < h->n; i++) {
		const struct sm_hyp_line *l = &h->v[i];
		long f0, f1;

		if (l->word < 0)
			continue;
		f0 = lround(l->start * fps - off);
		f1 = lround(l->end * fps - off);
		if (f0 < 0)
			f0 = 0;
		if (f1 > nframes)
			f1 = nframes;
		if (f0 > f1)
			f0 = f1;
		w[l->word].f0 = f0;
		w[l->word].f1 = f1;
		w[l->word].pause_before = last_end < 0 || l->start - last_end >= 0.25;
		last_end = l->end;
	}
}

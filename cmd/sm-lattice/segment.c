/* segment.c: cutting a long input into segments at pauses (segment.h). */
#include <stdlib.h>
#include <string.h>

#include "search.h"
#include "segment.h"
#include "sm.h"

int
seg_init(struct segmenter *g, struct sm_search *s, int n_sen, const struct seg_cfg *c,
	 seg_done_fn done, void *arg)
{
	memset(g, 0, sizeof *g);
	g->srch = s;
	g->c = *c;
	g->n_sen = n_sen;
	g->done = done;
	g->arg = arg;
	if (g->c.pause < 1)
		g->c.pause = 1;
	if (g->c.min > g->c.max)
		g->c.min = g->c.max;
	g->lag = g->c.pause / 2;
	/* After a forced cut the frames held back start the next segment:
	 * they must fit before it holds back again. */
	if (g->c.window > (g->c.max - g->lag) / 2)
		g->c.window = g->c.max - g->lag > 0 ? (int)((g->c.max - g->lag) / 2) : 0;
	g->hold = g->c.max - g->c.window;
	g->have_sil = sm_search_sil_senones(s, g->sil) == 0;
	if (g->c.max > 0) {
		g->cap = g->c.window + g->lag + 1;
		g->ring = sm_big_alloc(sizeof *g->ring * g->cap * n_sen);
		g->score = malloc(sizeof *g->score * g->cap);
		if (g->ring == NULL || g->score == NULL)
			return -1;
	}
	sm_search_start(s);
	return 0;
}

void
seg_free(struct segmenter *g)
{
	sm_big_free(g->ring);
	free(g->score);
	g->ring = NULL;
	g->score = NULL;
}

static const float *
pending(const struct segmenter *g, int i)
{
	return g->ring + (size_t)((g->head + i) % g->cap) * g->n_sen;
}

/* The oldest frame held to the search. */
static int
feed_oldest(struct segmenter *g)
{
	if (sm_search_frame(g->srch, pending(g, 0)) != 0)
		return -1;
	g->head = (g->head + 1) % g->cap;
	g->n_pend--;
	g->n++;
	return 0;
}

static void
end_segment(struct segmenter *g, int why)
{
	g->done(g->arg, g->first, g->n, why);
	g->first += g->n;
	g->n = 0;
	g->run = 0;	/* one cut per pause */
	sm_search_start(g->srch);
}

/* How much a frame looks like a pause: its best <sil> senone against its
 * best senone (0 when <sil> is the best). */
static float
sil_like(const struct segmenter *g, const float *sen)
{
	float best = sen[0], sil;
	int i;

	if (!g->have_sil)
		return -1e30f;
	for (i = 1; i < g->n_sen; i++)
		if (sen[i] > best)
			best = sen[i];
	sil = sen[g->sil[0]];
	for (i = 1; i < 3; i++)
		if (sen[g->sil[i]] > sil)
			sil = sen[g->sil[i]];
	return sil - best;
}

/* No pause came: cut after the held frame that, with the two on either
 * side, looks most like a pause (the latest of equals).  The frames after
 * it start the next segment. */
static int
forced_cut(struct segmenter *g)
{
	int i, j, c = g->n_pend - 1;
	float best = 0;

	for (i = 0; i < g->n_pend; i++) {
		float sum = 0;
		int k = 0;

		for (j = i - 2; j <= i + 2; j++)
			if (j >= 0 && j < g->n_pend) {
				sum += g->score[(g->head + j) % g->cap];
				k++;
			}
		sum /= k;
		if (i == 0 || sum >= best) {
			best = sum;
			c = i;
		}
	}
	for (i = 0; i <= c; i++)
		if (feed_oldest(g) != 0)
			return -1;
	end_segment(g, SEG_FORCED);
	return 0;
}

int
seg_frame(struct segmenter *g, const float *sen)
{
	int t;
	float sc;

	if (g->c.max <= 0) {
		if (sm_search_frame(g->srch, sen) != 0)
			return -1;
		g->n++;
		return 0;
	}
	t = (g->head + g->n_pend++) % g->cap;
	memcpy(g->ring + (size_t)t * g->n_sen, sen, sizeof *sen * g->n_sen);
	sc = sil_like(g, sen);
	g->score[t] = sc;
	g->run = sc > -g->c.sil_margin ? g->run + 1 : 0;
	if (g->n + g->n_pend >= g->c.max)
		return forced_cut(g);
	if (g->run >= g->c.pause && g->n + g->n_pend - g->lag >= g->c.min) {
		/* the search to the middle of the last `pause` frames */
		while (g->n_pend > g->lag)
			if (feed_oldest(g) != 0)
				return -1;
		if (g->n > 0 && sm_search_best_kind(g->srch) >= 1) {
			end_segment(g, SEG_PAUSE);
			return 0;
		}
	}
	if (g->n + g->n_pend > g->hold)
		return 0;	/* held back for a forced cut */
	while (g->n_pend > g->lag)
		if (feed_oldest(g) != 0)
			return -1;
	return 0;
}

int
seg_finish(struct segmenter *g)
{
	while (g->n_pend > 0)
		if (feed_oldest(g) != 0)
			return -1;
	/* no empty segment after a cut at the very end */
	if (g->n > 0 || g->first == 0)
		g->done(g->arg, g->first, g->n, SEG_END);
	return 0;
}

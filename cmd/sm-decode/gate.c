/* gate.c: sm-decode's output, int16 samples; digital silence in it made
 * faint noise (sm-decode(1), --keep-zeros); and its volume gate: each
 * 10 ms chunk of a channel whose volume is below the threshold, and below
 * it in every chunk within the hold either side, becomes silence
 * (sm-decode(1), --volume-threshold, --volume-hold). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sm.h"
#include "decode.h"

void
gate_init(struct gate *g, double threshold, long hold_ms, int dim, long rate,
	  int keep_zeros)
{
	memset(g, 0, sizeof *g);
	g->threshold = threshold;
	g->dim = dim;
	g->chunk = rate / 100;
	g->hold = (size_t)(hold_ms + 9) / 10;
	g->rng = 1;
	if (!keep_zeros) {
		g->min_run = (size_t)rate / 100;
		g->run_lo = calloc((size_t)dim, sizeof *g->run_lo);
		g->run_hi = calloc((size_t)dim, sizeof *g->run_hi);
		g->run_len = calloc((size_t)dim, sizeof *g->run_len);
		if (g->run_lo == NULL || g->run_hi == NULL || g->run_len == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
	}
	if (threshold <= 0)
		return;
	g->ring = malloc(2 * g->chunk * (size_t)dim * (g->hold + 1));
	g->len = malloc(sizeof *g->len * (g->hold + 1));
	g->loud = malloc(sizeof *g->loud * (size_t)dim);
	if (g->ring == NULL || g->len == NULL || g->loud == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	/* No loud chunk yet: one too far back to keep chunk 0. */
	for (int c = 0; c < dim; c++)
		g->loud[c] = -1 - (int64_t)g->hold;
}

/* The volume of n frames of one channel: 100 x RMS / 32768. */
static double
chunk_volume(const unsigned char *b, size_t n, int dim, int c)
{
	double s = 0;

	for (size_t t = 0; t < n; t++) {
		double v = (int16_t)sm_get_le16(b + 2 * (t * dim + c));

		s += v * v;
	}
	return 100 * sqrt(s / n) / 32768;
}

/* "Silence": a white noise of -71 dBFS (uniform integers from -16 to 16,
 * RMS 9.5: volume 0.03), not digital zeros.  The acoustic model never
 * heard zeros (its training pauses always held some noise): stretches of
 * them between the words kept are decoded as inserted words and spoil the
 * words next to them, and this noise loses fewer of the words kept
 * (docs/BENCHMARKS.md).  A fixed generator: the same output at each run. */
static int
quiet_noise(uint64_t *r)
{
	*r = *r * 6364136223846793005u + 1442695040888963407u;
	return (int)((*r >> 33) % 33) - 16;
}

static unsigned char *
slot(const struct gate *g, uint64_t i)
{
	return g->ring + 2 * g->chunk * (size_t)g->dim * (size_t)(i % (g->hold + 1));
}

/* Write chunk j, silencing each channel with no chunk at or above the
 * threshold within the hold of it.  Every chunk after j up to j + hold
 * has been judged (or there is none), so loud[c], the last loud chunk
 * seen, is within the hold exactly when it is at or after j - hold. */
static void
gate_emit(struct gate *g, uint64_t j)
{
	unsigned char *b = slot(g, j);
	size_t n = g->len[j % (g->hold + 1)];

	for (int c = 0; c < g->dim; c++) {
		if (g->loud[c] >= (int64_t)j - (int64_t)g->hold)
			continue;
		for (size_t t = 0; t < n; t++)
			sm_put_le16(b + 2 * (t * g->dim + c),
				    (uint16_t)(int16_t)quiet_noise(&g->rng));
	}
	sm_write_stdout(b, 2 * n * (size_t)g->dim);
}

/* Digital silence: a run of more than min_run samples (10 ms), each within
 * SILENCE_MAX of zero and all within SILENCE_SPREAD of each other, goes on
 * after its first min_run as the faint noise above.  Zeros, a dithered
 * zero or a DC offset are what edited audio, a muted VoIP call or the
 * silent side of a stereo call hold between words; the model decodes them
 * as inserted words (docs/BENCHMARKS.md, 40-sets.sh: the zero-gap set).
 * The run's first 10 ms are kept, so no analysis window (25.6 ms) is all
 * silence, and recorded sound, whose noise floor moves by more than a few
 * steps within 10 ms, is untouched.  Runs carry over from one call to the
 * next. */
static void
fill_silence(struct gate *g, unsigned char *out, size_t n)
{
	for (int c = 0; c < g->dim; c++) {
		int lo = g->run_lo[c], hi = g->run_hi[c];
		uint64_t len = g->run_len[c];

		for (size_t t = 0; t < n; t++) {
			unsigned char *p = out + 2 * (t * (size_t)g->dim + (size_t)c);
			int s = (int16_t)sm_get_le16(p);

			if (abs(s) > SILENCE_MAX) {
				len = 0;
				continue;
			}
			if (len == 0 || (s > hi ? s : hi) - (s < lo ? s : lo) > SILENCE_SPREAD) {
				lo = hi = s;
				len = 0;
			}
			lo = s < lo ? s : lo;
			hi = s > hi ? s : hi;
			if (++len > g->min_run)
				sm_put_le16(p, (uint16_t)(int16_t)quiet_noise(&g->rng));
		}
		g->run_lo[c] = (int16_t)lo;
		g->run_hi[c] = (int16_t)hi;
		g->run_len[c] = len;
	}
}

/* The chunk being filled is complete: judge its channels, and write the
 * chunk hold chunks before it, whose hold is now all known. */
static void
gate_chunk(struct gate *g)
{
	uint64_t i = g->n++;

	g->len[i % (g->hold + 1)] = g->fill;
	for (int c = 0; c < g->dim; c++)
		if (chunk_volume(slot(g, i), g->fill, g->dim, c) >= g->threshold)
			g->loud[c] = (int64_t)i;
	if (i >= g->hold)
		gate_emit(g, i - g->hold);
	g->fill = 0;
}

/* Round, clip and write n frames of dim values as int16 little-endian
 * (out holds them); through the gate when there is a threshold. */
void
gate_write(struct gate *g, const float *x, size_t n, unsigned char *out)
{
	size_t nv = n * (size_t)g->dim;

	for (size_t i = 0; i < nv; i++) {
		float v = x[i] * 32768.0f;
		long s = lrintf(v);

		if (v != v)
			s = 0;
		else if (s > 32767)
			s = 32767;
		else if (s < -32768)
			s = -32768;
		sm_put_le16(out + 2 * i, (uint16_t)(int16_t)s);
	}
	if (g->min_run > 0)
		fill_silence(g, out, n);
	if (g->threshold <= 0) {
		sm_write_stdout(out, 2 * nv);
		return;
	}
	for (size_t t = 0; t < n;) {
		size_t k = g->chunk - g->fill;

		if (k > n - t)
			k = n - t;
		memcpy(slot(g, g->n) + 2 * g->fill * g->dim, out + 2 * t * g->dim,
		       2 * k * (size_t)g->dim);
		g->fill += k;
		t += k;
		if (g->fill == g->chunk)
			gate_chunk(g);
	}
}

/* The last chunk, shorter than 10 ms, is judged on its own frames; the
 * chunks still held have no more after them. */
void
gate_end(struct gate *g)
{
	if (g->threshold > 0) {
		if (g->fill > 0)
			gate_chunk(g);
		for (uint64_t j = g->n > g->hold ? g->n - g->hold : 0; j < g->n; j++)
			gate_emit(g, j);
	}
	free(g->ring);
	free(g->len);
	free(g->loud);
	free(g->run_lo);
	free(g->run_hi);
	free(g->run_len);
	g->ring = NULL;
	g->len = NULL;
	g->loud = NULL;
	g->run_lo = NULL;
	g->run_hi = NULL;
	g->run_len = NULL;
}

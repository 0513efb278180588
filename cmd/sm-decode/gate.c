/* gate.c: sm-decode's output, int16 samples, and its volume gate: each
 * 10 ms chunk of a channel whose volume is below the threshold becomes
 * silence (sm-decode(1), --volume-threshold). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sm.h"
#include "decode.h"

void
gate_init(struct gate *g, double threshold, int dim, long rate)
{
	memset(g, 0, sizeof *g);
	g->threshold = threshold;
	g->dim = dim;
	g->chunk = rate / 100;
	g->rng = 1;
	if (threshold > 0 &&
	    (g->buf = malloc(2 * (size_t)g->chunk * (size_t)dim)) == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
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

/* Silence the channels of the chunk held that are below the threshold, and
 * write it. */
static void
gate_chunk(struct gate *g)
{
	for (int c = 0; c < g->dim; c++) {
		if (chunk_volume(g->buf, g->fill, g->dim, c) >= g->threshold)
			continue;
		for (size_t t = 0; t < g->fill; t++)
			sm_put_le16(g->buf + 2 * (t * g->dim + c),
				    (uint16_t)(int16_t)quiet_noise(&g->rng));
	}
	sm_write_stdout(g->buf, 2 * g->fill * (size_t)g->dim);
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
	if (g->threshold <= 0) {
		sm_write_stdout(out, 2 * nv);
		return;
	}
	for (size_t t = 0; t < n;) {
		size_t k = g->chunk - g->fill;

		if (k > n - t)
			k = n - t;
		memcpy(g->buf + 2 * g->fill * g->dim, out + 2 * t * g->dim,
		       2 * k * (size_t)g->dim);
		g->fill += k;
		t += k;
		if (g->fill == g->chunk)
			gate_chunk(g);
	}
}

/* The last chunk, shorter than 10 ms, is judged on its own frames. */
void
gate_end(struct gate *g)
{
	if (g->fill > 0)
		gate_chunk(g);
	free(g->buf);
	g->buf = NULL;
}

/* vol.c: the volume of each 10 ms chunk of a PCM stream, and of a word. */
#include <math.h>
#include <stdlib.h>

#include "sm.h"
#include "vol.h"

static void
vols_push(struct vols *c, double v)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 1 << 12;
		if ((c->v = realloc(c->v, (size_t)c->cap * sizeof *c->v)) == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
	}
	c->v[c->n++] = (float)v;
}

void
vol_read(FILE *in, const char *path, struct vols *c)
{
	struct sm_stream_hdr h;
	unsigned char buf[8192];
	size_t chunk, got = 0;
	double sum = 0;
	long n;

	sm_hdr_read_or_die(in, path, &h, SM_KIND_PCM);
	if (h.sample_type != SM_S16 || h.dim != 1)
		sm_die(SM_EX_DATAERR, "%s: expected mono int16 PCM, got %u channel%s "
		       "(sm-decode without --all-channels)", sm_name(path), h.dim,
		       h.dim == 1 ? "" : "s");
	if (h.sample_rate < 100)
		sm_die(SM_EX_DATAERR, "%s: sample rate %u Hz is too low for 10 ms chunks",
		       sm_name(path), h.sample_rate);
	chunk = h.sample_rate / 100;
	c->rate = (double)h.sample_rate / chunk;
	c->off = (double)h.start_sample / chunk;
	while ((n = sm_read_full(in, buf, sizeof buf)) > 0) {
		if (n % 2)
			sm_die(SM_EX_DATAERR, "%s: truncated frame (1 of 2 bytes)",
			       sm_name(path));
		for (long i = 0; i < n; i += 2) {
			double s = (int16_t)sm_get_le16(buf + i);

			sum += s * s;
			if (++got == chunk) {
				vols_push(c, 100 * sqrt(sum / chunk) / 32768);
				sum = 0;
				got = 0;
			}
		}
	}
	if (n < 0)
		sm_die_errno(SM_EX_IOERR, "%s", sm_name(path));
	if (got > 0)
		vols_push(c, 100 * sqrt(sum / got) / 32768);
}

/* A word's volume: the mean of the volumes of its chunks, each weighted by
 * itself (sum v^2 / sum v).  Silence has weight 0, so a pause inside a
 * word, or the chunks sm-decode --volume-threshold silenced, do not pull
 * the volume down; among the chunks that sound, the loud ones count most,
 * as they do for a listener.  0 when every chunk is silent. */
double
vol_word(const struct vols *c, double start, double end)
{
	long a = (long)floor(start * c->rate - c->off + 1e-6);
	long b = (long)ceil(end * c->rate - c->off - 1e-6);
	double s1 = 0, s2 = 0;

	if (a < 0)
		a = 0;
	if (b <= a)
		b = a + 1;
	if (b > c->n)
		b = c->n;
	for (long i = a; i < b; i++) {
		s1 += c->v[i];
		s2 += (double)c->v[i] * c->v[i];
	}
	return s1 > 0 ? s2 / s1 : 0;
}

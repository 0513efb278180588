/*
 * nb-train: learn a language pack's narrowband map (recog/fe.h, struct
 * sm_fe_map) from parallel recordings: the same takes in wideband and
 * through a telephone channel at 8 kHz.  Run by scripts/nb-train.sh, not
 * installed.
 *
 * Usage: nb-train [-v] [-f FIRST] [-n N_IN] [-r RIDGE] [-w WARP] LIST OUT
 *   LIST    lines "WIDE NARROW": two log mel streams of one take
 *           (sm-features --log-mel --band wide --warp WARP, FEAT of nfilt)
 *   -f      the first filter mapped (default 19: those above 3.4 kHz)
 *   -n      the filters the map reads, 0 .. N_IN-1 (default 19: up to
 *           3.8 kHz, where an 8 kHz channel still passes some signal)
 *   -r      ridge: added to the diagonal of the normal equations, as a
 *           fraction of their mean diagonal (default 1e-4)
 *   -w      the warp of the streams' filters, written with the map, which
 *           sm-features uses for the filters of the nearest warp (default 1)
 *   -v      each pair's offset on stderr
 *
 * Each pair is aligned first: the offset (at most MAX_LAG frames either
 * way) at which the frames' energies in the filters both carry (2 .. N_IN-2)
 * correlate best.  Then every filter from FIRST up gets the least-squares
 * affine function of the narrowband frame's log energies 0 .. N_IN-1 that
 * best predicts the wideband frame's.  The output depends on the input
 * alone: the same streams give the same bytes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fe.h"
#include "sm.h"

#define MAX_LAG 20
#define NX (SM_FE_MAX_FILT + 1)

static const char usage[] =
	"nb-train: learn a narrowband map from parallel log mel streams\n"
	"Usage: nb-train [-v] [-f FIRST] [-n N_IN] [-r RIDGE] [-w WARP] LIST OUT\n";

struct lm {
	float *e;		/* n frames of nfilt */
	size_t n;
	unsigned nfilt;
};

static void
read_lm(const char *path, struct lm *m)
{
	FILE *f = fopen(path, "rb");
	struct sm_stream_hdr h;
	size_t cap = 0;
	float fr[SM_FE_MAX_FILT];

	if (f == NULL)
		sm_die_errno(SM_EX_NOINPUT, "%s", path);
	sm_hdr_read_or_die(f, path, &h, SM_KIND_FEAT);
	if (h.dim < 2 || h.dim > SM_FE_MAX_FILT || h.sample_type != SM_F32)
		sm_die(SM_EX_DATAERR, "%s: not a log mel stream", path);
	m->nfilt = h.dim;
	m->n = 0;
	m->e = NULL;
	for (;;) {
		unsigned char b[4 * SM_FE_MAX_FILT];

		if (fread(b, 4, h.dim, f) != h.dim)
			break;
		for (unsigned i = 0; i < h.dim; i++) {
			uint32_t u = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
				(uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;

			memcpy(&fr[i], &u, 4);
		}
		if (m->n == cap) {
			cap = cap ? 2 * cap : 1024;
			if ((m->e = realloc(m->e, cap * h.dim * sizeof(float))) == NULL)
				sm_die(SM_EX_SOFTWARE, "out of memory");
		}
		memcpy(m->e + m->n++ * h.dim, fr, h.dim * sizeof(float));
	}
	if (ferror(f))
		sm_die_errno(SM_EX_IOERR, "%s", path);
	fclose(f);
}

/* A frame's energy in filters lo .. hi-1 (a sum of log energies). */
static double
band(const struct lm *m, size_t t, unsigned lo, unsigned hi)
{
	double s = 0;

	for (unsigned i = lo; i < hi; i++)
		s += m->e[t * m->nfilt + i];
	return s;
}

/* The lag L (wide frame t + L is narrow frame t) whose energies correlate
 * best. */
static int
best_lag(const struct lm *w, const struct lm *nb, unsigned lo, unsigned hi)
{
	double best = -2;
	int lag = 0;

	for (int l = -MAX_LAG; l <= MAX_LAG; l++) {
		double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, c;
		size_t n = 0;

		for (size_t t = 0; t < nb->n; t++) {
			long u = (long)t + l;
			double x, y;

			if (u < 0 || (size_t)u >= w->n)
				continue;
			x = band(nb, t, lo, hi);
			y = band(w, (size_t)u, lo, hi);
			sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
			n++;
		}
		if (n < 10)
			continue;
		c = (sxy - sx * sy / n) /
			sqrt((sxx - sx * sx / n) * (syy - sy * sy / n) + 1e-12);
		if (c > best) {
			best = c;
			lag = l;
		}
	}
	return lag;
}

/* Solve a x = b for symmetric positive definite a (n x n, row stride NX)
 * by Cholesky, in place: b becomes x. */
static void
solve(double *a, double *b, unsigned n)
{
	for (unsigned j = 0; j < n; j++) {
		double d = a[j * NX + j];

		for (unsigned k = 0; k < j; k++)
			d -= a[j * NX + k] * a[j * NX + k];
		if (!(d > 0))
			sm_die(SM_EX_DATAERR, "the normal equations are singular "
			       "(too few frames, or a silent filter: raise -r)");
		a[j * NX + j] = sqrt(d);
		for (unsigned i = j + 1; i < n; i++) {
			double s = a[i * NX + j];

			for (unsigned k = 0; k < j; k++)
				s -= a[i * NX + k] * a[j * NX + k];
			a[i * NX + j] = s / a[j * NX + j];
		}
	}
	for (unsigned i = 0; i < n; i++) {
		for (unsigned k = 0; k < i; k++)
			b[i] -= a[i * NX + k] * b[k];
		b[i] /= a[i * NX + i];
	}
	for (unsigned i = n; i-- > 0;) {
		for (unsigned k = i + 1; k < n; k++)
			b[i] -= a[k * NX + i] * b[k];
		b[i] /= a[i * NX + i];
	}
}

int
main(int argc, char **argv)
{
	static double xx[NX * NX], xy[SM_FE_MAX_FILT][NX], yy[SM_FE_MAX_FILT];
	static double a[NX * NX], w[SM_FE_MAX_FILT][NX];
	unsigned first = 19, n_in = 19, nfilt = 0;
	double ridge = 1e-4, mean_diag = 0, warp = 1;
	int lags[2 * MAX_LAG + 1] = {0}, verbose = 0, c;
	size_t frames = 0, pairs = 0;
	char wide[4096], narrow[4096];
	FILE *list, *out;

	sm_init("nb-train");
	while ((c = getopt(argc, argv, "f:n:r:w:v")) != -1) {
		switch (c) {
		case 'f': first = (unsigned)sm_opt_long("-f", optarg, 0, SM_FE_MAX_FILT - 1); break;
		case 'n': n_in = (unsigned)sm_opt_long("-n", optarg, 4, SM_FE_MAX_FILT); break;
		case 'r': ridge = sm_opt_double("-r", optarg, 0, 1); break;
		case 'w': warp = sm_opt_double("-w", optarg, 0.5, 2); break;
		case 'v': verbose = 1; break;
		default: sm_usage_exit(usage, 0);
		}
	}
	if (argc - optind != 2)
		sm_usage_exit(usage, 0);
	if ((list = fopen(argv[optind], "r")) == NULL)
		sm_die_errno(SM_EX_NOINPUT, "%s", argv[optind]);
	while (fscanf(list, "%4095s %4095s", wide, narrow) == 2) {
		struct lm mw, mn;
		int lag;

		read_lm(wide, &mw);
		read_lm(narrow, &mn);
		if (mw.nfilt != mn.nfilt || (nfilt && mw.nfilt != nfilt))
			sm_die(SM_EX_DATAERR, "%s: %u filters, expected %u", narrow,
			       mn.nfilt, nfilt ? nfilt : mw.nfilt);
		nfilt = mw.nfilt;
		if (first >= nfilt || n_in > nfilt)
			sm_die(SM_EX_USAGE, "-f %u -n %u: the streams have %u filters",
			       first, n_in, nfilt);
		lag = best_lag(&mw, &mn, 2, n_in - 1);
		lags[lag + MAX_LAG]++;
		if (verbose)
			fprintf(stderr, "%s: offset %d frames\n", narrow, lag);
		for (size_t t = 0; t < mn.n; t++) {
			long u = (long)t + lag;
			double x[NX];

			if (u < 0 || (size_t)u >= mw.n)
				continue;
			for (unsigned j = 0; j < n_in; j++)
				x[j] = mn.e[t * nfilt + j];
			x[n_in] = 1;
			for (unsigned j = 0; j <= n_in; j++)
				for (unsigned k = 0; k <= n_in; k++)
					xx[j * NX + k] += x[j] * x[k];
			for (unsigned i = first; i < nfilt; i++) {
				double y = mw.e[(size_t)u * nfilt + i];

				for (unsigned j = 0; j <= n_in; j++)
					xy[i][j] += x[j] * y;
				yy[i] += y * y;
			}
			frames++;
		}
		pairs++;
		free(mw.e);
		free(mn.e);
	}
	fclose(list);
	if (frames < 10 * (n_in + 1))
		sm_die(SM_EX_DATAERR, "%s: %zu frames, too few to learn from",
		       argv[optind], frames);
	fprintf(stderr, "nb-train: %zu pairs, %zu frames; offsets:", pairs, frames);
	for (int l = 0; l <= 2 * MAX_LAG; l++)
		if (lags[l])
			fprintf(stderr, " %d (%d)", l - MAX_LAG, lags[l]);
	fprintf(stderr, "\n");
	for (unsigned j = 0; j < n_in; j++)
		mean_diag += xx[j * NX + j] / n_in;
	if ((out = fopen(argv[optind + 1], "w")) == NULL)
		sm_die_errno(SM_EX_IOERR, "%s", argv[optind + 1]);
	fprintf(out, "# The narrowband map of the log mel energies (recog/fe.h, struct\n"
		"# sm_fe_map): made by scripts/nb-train.sh (models/nb-train.c) from\n"
		"# %zu parallel takes, %zu frames, with the filters of warp %g.  Per\n"
		"# mapped filter: %u weights, then the constant.\n", pairs, frames,
		warp, n_in);
	fprintf(out, "sm-nb-map 1 %u %u %u %g\n", nfilt, first, n_in, warp);
	for (unsigned i = first; i < nfilt; i++) {
		double sse;

		memcpy(a, xx, sizeof(a));
		for (unsigned j = 0; j < n_in; j++)
			a[j * NX + j] += ridge * mean_diag;
		memcpy(w[i], xy[i], sizeof(w[i]));
		solve(a, w[i], n_in + 1);
		/* residual: y'y - 2 w'X'y + w'X'Xw */
		sse = yy[i];
		for (unsigned j = 0; j <= n_in; j++) {
			sse -= 2 * w[i][j] * xy[i][j];
			for (unsigned k = 0; k <= n_in; k++)
				sse += w[i][j] * xx[j * NX + k] * w[i][k];
		}
		fprintf(stderr, "nb-train: filter %u: rms error %.3f\n", i,
			sqrt(sse > 0 ? sse / frames : 0));
		for (unsigned j = 0; j <= n_in; j++)
			fprintf(out, "%s%.6g", j ? " " : "", w[i][j]);
		fprintf(out, "\n");
	}
	if (fclose(out))
		sm_die_errno(SM_EX_IOERR, "%s", argv[optind + 1]);
	return 0;
}

/*
 * fe.c: the Sphinx MFCC front end, CMN and deltas (see fe.h and
 * MODEL-EN-US.md section 2 for the exact definition we reproduce).
 *
 * Precision follows sphinxbase's floating-point build where it changes the
 * result: frame and power arrays in double, filter weights, cosines and
 * cepstra in float32, the filter edges computed in float32 so that they round
 * to the same FFT bins.
 *
 * The FFT is in double, as the reference's: a float FFT's rounding, in
 * quiet frames where the log of a small mel energy magnifies it, moves
 * cepstra by more than the 1e-3 the tests allow against sphinx_fe.  A
 * 512-point radix-2 FFT in double costs about 25k flops per frame, nothing
 * next to the acoustic model.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fe.h"
#include "sm.h"

/* ---- parameters ------------------------------------------------------- */

static int
perr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

static const float default_cmninit[] = {40, 3, -1};	/* sphinxbase default */

static void
params_default(struct sm_fe_params *p)
{
	memset(p, 0, sizeof(*p));
	p->samprate = 16000;
	p->frate = 100;
	p->wlen = 0.025625;
	p->nfft = 512;
	p->alpha = 0.97f;
	p->lowerf = 133.33334f;
	p->upperf = 6855.4976f;
	p->nfilt = 40;
	p->warp = 1;
	p->ncep = 13;
	p->lifter = 0;
	p->remove_noise = 1;
	p->cmn = SM_CMN_LIVE;	/* sphinxbase's default when -cmn is absent */
	memcpy(p->cmninit, default_cmninit, sizeof(default_cmninit));
	p->n_cmninit = 3;
}

static int
parse_num(const char *key, const char *v, double min, double max, double *out,
	  char *err, size_t len)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (end == v || *end || errno || !(d >= min && d <= max))
		return perr(err, len, "%s: bad value '%s'", key, sm_clip(v));
	*out = d;
	return 0;
}

static int
parse_bool(const char *key, const char *v, int *out, char *err, size_t len)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true"))
		*out = 1;
	else if (!strcmp(v, "no") || !strcmp(v, "false"))
		*out = 0;
	else
		return perr(err, len, "%s: expected yes or no, got '%s'", key, sm_clip(v));
	return 0;
}

/* Apply one "-key value" of feat.params. */
static int
params_set(struct sm_fe_params *p, const char *k, const char *v, char *err,
	   size_t len)
{
	double d;
	int b;

	if (!strcmp(k, "-samprate")) {
		if (parse_num(k, v, 1000, 192000, &d, err, len)) return -1;
		p->samprate = (unsigned)d;
	} else if (!strcmp(k, "-frate")) {
		if (parse_num(k, v, 1, 1000, &d, err, len)) return -1;
		p->frate = d;
	} else if (!strcmp(k, "-wlen")) {
		if (parse_num(k, v, 1e-4, 1, &d, err, len)) return -1;
		p->wlen = d;
	} else if (!strcmp(k, "-nfft")) {
		if (parse_num(k, v, 16, 65536, &d, err, len)) return -1;
		p->nfft = (unsigned)d;
		if (p->nfft & (p->nfft - 1))
			return perr(err, len, "-nfft: %s is not a power of 2", sm_clip(v));
	} else if (!strcmp(k, "-alpha")) {
		if (parse_num(k, v, 0, 1, &d, err, len)) return -1;
		p->alpha = (float)d;
	} else if (!strcmp(k, "-lowerf")) {
		if (parse_num(k, v, 0, 1e6, &d, err, len)) return -1;
		p->lowerf = (float)d;
	} else if (!strcmp(k, "-upperf")) {
		if (parse_num(k, v, 0, 1e6, &d, err, len)) return -1;
		p->upperf = (float)d;
	} else if (!strcmp(k, "-nfilt")) {
		if (parse_num(k, v, 1, SM_FE_MAX_FILT, &d, err, len)) return -1;
		p->nfilt = (unsigned)d;
	} else if (!strcmp(k, "-ncep")) {
		if (parse_num(k, v, 1, SM_FE_MAX_CEP, &d, err, len)) return -1;
		p->ncep = (unsigned)d;
	} else if (!strcmp(k, "-lifter")) {
		if (parse_num(k, v, 0, 1000, &d, err, len)) return -1;
		p->lifter = (unsigned)d;
	} else if (!strcmp(k, "-remove_noise")) {
		if (parse_bool(k, v, &p->remove_noise, err, len)) return -1;
	} else if (!strcmp(k, "-cmn")) {
		if (!strcmp(v, "batch") || !strcmp(v, "current"))
			p->cmn = SM_CMN_BATCH;
		else if (!strcmp(v, "live") || !strcmp(v, "prior"))
			p->cmn = SM_CMN_LIVE;
		else if (!strcmp(v, "none"))
			p->cmn = SM_CMN_NONE;
		else
			return perr(err, len, "-cmn: unknown mode '%s'", sm_clip(v));
	} else if (!strcmp(k, "-cmninit")) {
		char buf[512], *s, *tok, *save;

		snprintf(buf, sizeof(buf), "%s", v);
		p->n_cmninit = 0;
		for (s = buf; (tok = strtok_r(s, ",", &save)) != NULL; s = NULL) {
			if (p->n_cmninit == SM_FE_MAX_CEP)
				return perr(err, len, "-cmninit: too many values");
			if (parse_num(k, tok, -1e6, 1e6, &d, err, len)) return -1;
			p->cmninit[p->n_cmninit++] = (float)d;
		}
	} else if (!strcmp(k, "-transform")) {
		if (strcmp(v, "dct"))
			return perr(err, len, "-transform %s is not supported (only dct)", sm_clip(v));
	} else if (!strcmp(k, "-feat")) {
		if (strcmp(v, "1s_c_d_dd"))
			return perr(err, len, "-feat %s is not supported (only 1s_c_d_dd)", sm_clip(v));
	} else if (!strcmp(k, "-agc")) {
		if (strcmp(v, "none"))
			return perr(err, len, "-agc %s is not supported (only none)", sm_clip(v));
	} else if (!strcmp(k, "-varnorm") || !strcmp(k, "-dither") ||
		   !strcmp(k, "-remove_dc") || !strcmp(k, "-doublebw")) {
		if (parse_bool(k, v, &b, err, len)) return -1;
		if (b)
			return perr(err, len, "%s yes is not supported", sm_clip(k));
	} else if (!strcmp(k, "-unit_area") || !strcmp(k, "-round_filters")) {
		if (parse_bool(k, v, &b, err, len)) return -1;
		if (!b)
			return perr(err, len, "%s no is not supported", sm_clip(k));
	} else if (!strcmp(k, "-remove_silence") || !strcmp(k, "-svspec") ||
		   !strcmp(k, "-model") || !strcmp(k, "-input_endian") ||
		   !strcmp(k, "-vad_threshold")) {
		/* Not front-end arithmetic: the model layout, or the VAD frame
		 * dropping we deliberately leave out (all frames are decoded). */
	} else {
		return perr(err, len, "unknown parameter %s", sm_clip(k));
	}
	return 0;
}

int
sm_fe_params_read(struct sm_fe_params *p, const char *path, char *err,
		  size_t errlen)
{
	char line[1024], lerr[256];
	FILE *f;
	int ln = 0;

	params_default(p);
	if ((f = fopen(path, "r")) == NULL)
		return perr(err, errlen, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *k, *v, *save;

		ln++;
		k = strtok_r(line, " \t\r\n", &save);
		if (k == NULL || *k == '#')
			continue;
		v = strtok_r(NULL, " \t\r\n", &save);
		if (*k != '-' || v == NULL) {
			fclose(f);
			return perr(err, errlen, "%s:%d: expected '-key value'", path, ln);
		}
		if (params_set(p, k, v, lerr, sizeof(lerr))) {
			fclose(f);
			return perr(err, errlen, "%s:%d: %s", path, ln, lerr);
		}
	}
	if (ferror(f)) {
		fclose(f);
		return perr(err, errlen, "%s: read error", path);
	}
	fclose(f);
	/* As sphinxbase: (int)(x + 0.5). */
	p->frame_shift = (unsigned)(p->samprate / p->frate + 0.5);
	p->frame_size = (unsigned)(p->wlen * p->samprate + 0.5);
	if (p->frame_size > p->nfft)
		return perr(err, errlen, "%s: window of %u samples is longer than -nfft %u",
			    path, p->frame_size, p->nfft);
	if (p->frame_shift < 1 || p->frame_shift > p->frame_size)
		return perr(err, errlen, "%s: frame shift %u does not fit the window of %u",
			    path, p->frame_shift, p->frame_size);
	if (p->ncep > p->nfilt)
		return perr(err, errlen, "%s: -ncep %u exceeds -nfilt %u", path,
			    p->ncep, p->nfilt);
	if (!(p->lowerf < p->upperf && p->upperf <= p->samprate / 2.0))
		return perr(err, errlen, "%s: filterbank %g-%g Hz does not fit %u Hz audio",
			    path, p->lowerf, p->upperf, p->samprate);
	return 0;
}

/* ---- the narrowband map ---------------------------------------------- */

/* Text: '#' comment lines, then per map a line "sm-nb-map 1 NFILT FIRST
 * N_IN [WARP]" (WARP 1 when absent) followed by one line per mapped filter
 * FIRST .. NFILT-1: its N_IN weights, then the constant. */
int
sm_fe_map_read(struct sm_fe_map *maps, unsigned *n_map, const char *path,
	       unsigned nfilt, char *err, size_t errlen)
{
	char line[8192];
	unsigned row = 0, ver;
	int ln = 0;
	struct sm_fe_map *m = NULL;
	FILE *f;

	*n_map = 0;
	if ((f = fopen(path, "r")) == NULL)
		return perr(err, errlen, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *end;

		ln++;
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '#' || *s == '\0')
			continue;
		if (m == NULL || row == m->nfilt - m->first) {
			int k;

			if (*n_map == SM_FE_MAX_MAPS)
				goto bad_head;
			m = &maps[(*n_map)++];
			memset(m, 0, sizeof(*m));
			m->warp = 1;
			row = 0;
			k = sscanf(s, "sm-nb-map %u %u %u %u %lf", &ver, &m->nfilt,
				   &m->first, &m->n_in, &m->warp);
			if ((k != 4 && k != 5) || ver != 1 || !(m->warp >= 0.5 && m->warp <= 2))
				goto bad_head;
			if (m->nfilt != nfilt || m->first >= nfilt || m->n_in < 1 ||
			    m->n_in > nfilt) {
				fclose(f);
				return perr(err, errlen, "%s:%d: a map of %u filters, filter %u on, "
					    "from %u, where the front end has %u", path, ln,
					    m->nfilt, m->first, m->n_in, nfilt);
			}
			continue;
		}
		for (unsigned j = 0; j <= m->n_in; j++) {
			double d;

			errno = 0;
			d = strtod(s, &end);
			if (end == s || errno || !isfinite(d) || fabs(d) > 1e3)
				goto bad;
			m->w[row][j] = (float)d;
			s = end;
		}
		while (isspace((unsigned char)*s))
			s++;
		if (*s != '\0')
			goto bad;
		row++;
	}
	if (ferror(f)) {
		fclose(f);
		return perr(err, errlen, "%s: read error", path);
	}
	fclose(f);
	if (m == NULL || row != m->nfilt - m->first)
		return perr(err, errlen, "%s: not a narrowband map (expected a "
			    "'sm-nb-map 1' line and one line per mapped filter)", path);
	return 0;
bad_head:
	fclose(f);
	return perr(err, errlen, "%s:%d: expected 'sm-nb-map 1 NFILT FIRST N_IN "
		    "[WARP]' (at most %d maps)", path, ln, SM_FE_MAX_MAPS);
bad:
	fclose(f);
	return perr(err, errlen, "%s:%d: expected %u numbers", path, ln, m->n_in + 1);
}

/* ---- the frame pipeline ----------------------------------------------- */

/* Noise tracking constants of sphinxbase fe_noise.c. */
#define LAMBDA_POWER 0.7
#define LAMBDA_A 0.995
#define LAMBDA_B 0.5
#define LAMBDA_T 0.85
#define MU_T 0.2
#define MAX_GAIN 20.0
#define SLOW_PEAK_FORGET 0.9995
#define SLOW_PEAK_LEARN 0.9
#define SMOOTH_WINDOW 4

/* --band auto: a frame is narrowband when, over the frames within
 * BAND_HALF of it (0.5 s either side; the ring holds the last BAND_RING,
 * which covers those held for the noise floor), the power above 4.3 kHz is
 * less than NARROW_RATIO of that from 300 to 3400 Hz: the asterisk
 * prompts have 3% to 130% above in wideband, and 0.001% to 0.004% once
 * through 8 kHz and resampled.  A stretch with less than QUIET_POWER per
 * bin in the telephone band (digital silence, a pause) keeps the decision
 * before it. */
#define BAND_RING 200
#define BAND_HALF 50
#define NARROW_RATIO 1e-3
#define QUIET_POWER 1e5

/* One filterbank and everything after it that keeps state: the mel filters
 * of one warp, its noise floor and its noise removal. */
struct bank {
	double warp;
	const struct sm_fe_map *map;	/* of the nearest warp, or NULL */
	/* mel filters: filter i covers bins start[i] .. start[i]+width[i]-1 */
	unsigned fstart[SM_FE_MAX_FILT], fwidth[SM_FE_MAX_FILT];
	float *weights;		/* concatenated */
	size_t wofs[SM_FE_MAX_FILT];
	double *floor_mel;	/* the noise floor's shape per filter (sum 1), or NULL */
	double *held;		/* [FLOOR_AHEAD][nfilt] mel energies of held frames */
	unsigned held_first, n_held;
	double loudest;		/* the largest sum of a frame's mel energies */
	/* with floor_back: the frames that may still be the loudest of a
	 * frame to come, oldest first, their sums decreasing (a ring) */
	double *peak_sum;
	uint64_t *peak_at;
	size_t peak_first, n_peak, cap_peak;
	/* noise removal state */
	int noise_undefined;
	double power[SM_FE_MAX_FILT], noise[SM_FE_MAX_FILT];
	double floor[SM_FE_MAX_FILT], peak[SM_FE_MAX_FILT];
	double slow_peak_sum;
};

struct sm_fe {
	struct sm_fe_params p;
	double *twr, *twi;	/* FFT twiddles e^{-2 pi i k/nfft}, k < nfft/2 */
	unsigned *bitrev;	/* bit-reversal permutation */
	double *re, *im;	/* FFT work arrays, nfft */
	double *window;		/* Hamming, frame_size */
	int16_t *buf;		/* samples of the next frame */
	size_t nbuf;
	int16_t prior;		/* the sample before buf[0], 0 at start */
	double *spec;		/* power spectrum */
	float cosine[SM_FE_MAX_FILT][SM_FE_MAX_CEP];	/* [filter][cepstrum] */
	float sqrt_inv_n, sqrt_inv_2n;
	float lifter[SM_FE_MAX_CEP];
	struct bank *bank;
	unsigned n_bank;
	int only;		/* the one bank still computed, or -1: all */
	/* --band auto: each recent frame's power above 4 kHz and in the
	 * telephone band, and the decision they led to */
	unsigned hi_lo, hi_hi, lo_lo, lo_hi;	/* FFT bins of the two bands */
	double band_hi[BAND_RING], band_lo[BAND_RING];
	uint64_t n_frames, n_narrow, n_counted;
	int narrow, cur_narrow;
};

static float
mel(float f)
{
	return (float)(2595.0 * log10(1.0 + f / 700.0));
}

static float
melinv(float m)
{
	return (float)(700.0 * (pow(10.0, m / 2595.0) - 1.0));
}

/* The piecewise-linear frequency warp of vocal tract length normalisation:
 * the model's frequency f is read at a * f in the input, up to a cut-off
 * f0, and above it on the straight line from (f0, a * f0) to the Nyquist
 * frequency, which stays put.  f0 = upperf / max(a, 1): the filterbank's
 * range is scaled exactly when a <= 1, and its top still fits below the
 * Nyquist frequency when a > 1. */
static float
warp_freq(const struct sm_fe_params *p, double a, float f)
{
	double nyq = p->samprate / 2.0, f0 = p->upperf / (a > 1 ? a : 1);

	if (f <= f0)
		return (float)(a * f);
	return (float)(a * f0 + (f - f0) * (nyq - a * f0) / (nyq - f0));
}

/* The filter edges of filter i, in float32 and rounded to FFT bins, so that
 * the bins chosen match sphinxbase's exactly (a warp of 1 is none). */
static void
filter_edges(const struct sm_fe_params *p, double warp, unsigned i, float f[3])
{
	float melmin = mel(p->lowerf), melmax = mel(p->upperf);
	float melbw = (melmax - melmin) / (float)(p->nfilt + 1);
	float fftfreq = (float)p->samprate / (float)p->nfft;

	for (int j = 0; j < 3; j++) {
		f[j] = melinv((float)(i + j) * melbw + melmin);
		if (warp != 1)
			f[j] = warp_freq(p, warp, f[j]);
		f[j] = (float)((int)(f[j] / fftfreq + 0.5) * fftfreq);
	}
}

static int
build_filters(const struct sm_fe_params *p, struct bank *b)
{
	float fftfreq = (float)p->samprate / (float)p->nfft;
	size_t total = 0;

	for (unsigned i = 0; i < p->nfilt; i++) {
		float f[3];
		unsigned first = 0, n = 0;

		filter_edges(p, b->warp, i, f);
		/* Bins with left <= hz <= right; the Nyquist bin never. */
		for (unsigned j = 0; j < p->nfft / 2; j++) {
			float hz = (float)j * fftfreq;

			if (hz < f[0])
				continue;
			if (hz > f[2])
				break;
			if (n++ == 0)
				first = j;
		}
		b->fstart[i] = first;
		b->fwidth[i] = n;
		b->wofs[i] = total;
		total += n;
	}
	if ((b->weights = malloc((total + 1) * sizeof(float))) == NULL)
		return -1;
	for (unsigned i = 0; i < p->nfilt; i++) {
		float f[3];

		filter_edges(p, b->warp, i, f);
		for (unsigned j = 0; j < b->fwidth[i]; j++) {
			float hz = (float)(b->fstart[i] + j) * fftfreq;
			float lo = (hz - f[0]) / (f[1] - f[0]);
			float hi = (f[2] - hz) / (f[2] - f[1]);

			/* unit area: peak 2/(right-left) */
			lo *= 2 / (f[2] - f[0]);
			hi *= 2 / (f[2] - f[0]);
			b->weights[b->wofs[i] + j] = lo < hi ? lo : hi;
		}
	}
	return 0;
}

/* Frames held back so that the floor of a frame knows the level of the
 * speech that follows it (a prompt starting with digital silence). */
#define FLOOR_AHEAD 100

/* The shape of the floor: the mel energies of the expected periodogram of
 * a pink noise (power spectral density 1/f, flat below 100 Hz) after
 * pre-emphasis, scaled to sum 1. */
static int
noise_floor(const struct sm_fe_params *p, struct bank *b)
{
	double sum = 0;

	b->floor_mel = calloc(p->nfilt, sizeof(double));
	b->held = malloc((size_t)FLOOR_AHEAD * p->nfilt * sizeof(double));
	if (b->floor_mel == NULL || b->held == NULL)
		return -1;
	if (p->floor_back > 0) {
		b->cap_peak = (size_t)p->floor_back + FLOOR_AHEAD + 2;
		b->peak_sum = malloc(b->cap_peak * sizeof(double));
		b->peak_at = malloc(b->cap_peak * sizeof(uint64_t));
		if (b->peak_sum == NULL || b->peak_at == NULL)
			return -1;
	}
	for (unsigned i = 0; i < p->nfilt; i++) {
		const float *w = b->weights + b->wofs[i];

		for (unsigned j = 0; j < b->fwidth[i]; j++) {
			unsigned k = b->fstart[i] + j;
			double f = (double)k * p->samprate / p->nfft;
			double pre = 1 + (double)p->alpha * p->alpha -
				2 * p->alpha * cos(2 * M_PI * k / p->nfft);

			b->floor_mel[i] += w[j] * pre / (f < 100 ? 100 : f);
		}
		sum += b->floor_mel[i];
	}
	for (unsigned i = 0; i < p->nfilt; i++)
		b->floor_mel[i] /= sum;
	return 0;
}

struct sm_fe *
sm_fe_new(const struct sm_fe_params *p)
{
	return sm_fe_new_banks(p, &p->warp, 1);
}

struct sm_fe *
sm_fe_new_banks(const struct sm_fe_params *p, const double *warps, unsigned n)
{
	struct sm_fe *fe = calloc(1, sizeof(*fe));

	if (fe == NULL)
		return NULL;
	fe->p = *p;
	fe->only = -1;
	fe->twr = malloc(p->nfft / 2 * sizeof(double));
	fe->twi = malloc(p->nfft / 2 * sizeof(double));
	fe->bitrev = malloc(p->nfft * sizeof(unsigned));
	fe->re = malloc(p->nfft * sizeof(double));
	fe->im = malloc(p->nfft * sizeof(double));
	fe->window = malloc(p->frame_size * sizeof(double));
	fe->buf = malloc(p->frame_size * sizeof(int16_t));
	fe->spec = malloc((p->nfft / 2 + 1) * sizeof(double));
	fe->bank = calloc(n, sizeof(struct bank));
	if (!fe->twr || !fe->twi || !fe->bitrev || !fe->re || !fe->im ||
	    !fe->window || !fe->buf || !fe->spec || !fe->bank)
		goto fail;
	for (fe->n_bank = 0; fe->n_bank < n; fe->n_bank++) {
		struct bank *b = &fe->bank[fe->n_bank];

		b->warp = warps[fe->n_bank];
		b->noise_undefined = 1;
		/* the map learned with the filters nearest to this bank's */
		for (unsigned j = 0; j < p->n_map; j++)
			if (b->map == NULL || fabs(p->map[j].warp - b->warp) <
			    fabs(b->map->warp - b->warp))
				b->map = &p->map[j];
		if (build_filters(p, b) || (p->noise_floor < 0 && noise_floor(p, b))) {
			fe->n_bank++;
			goto fail;
		}
	}
	for (unsigned k = 0; k < p->nfft / 2; k++) {
		fe->twr[k] = cos(2 * M_PI * k / p->nfft);
		fe->twi[k] = -sin(2 * M_PI * k / p->nfft);
	}
	for (unsigned i = 0; i < p->nfft; i++) {
		unsigned r = 0;

		for (unsigned b = 1; b < p->nfft; b <<= 1)
			r = (r << 1) | ((i & b) != 0);
		fe->bitrev[i] = r;
	}
	for (unsigned i = 0; i < p->frame_size; i++)
		fe->window[i] = 0.54 - 0.46 * cos(2 * M_PI * i / ((double)p->frame_size - 1.0));
	/* Orthonormal DCT-II; cosines in double, stored as float. */
	fe->sqrt_inv_n = (float)sqrt(1.0 / p->nfilt);
	fe->sqrt_inv_2n = (float)sqrt(2.0 / p->nfilt);
	for (unsigned k = 0; k < p->ncep; k++)
		for (unsigned j = 0; j < p->nfilt; j++)
			fe->cosine[j][k] = (float)cos(M_PI / p->nfilt * (j + 0.5) * k);
	/* --band auto's bands: 300 to 3400 Hz, and 4300 Hz up to the top
	 * filter's edge (above the stopband of any 8 kHz resampler) */
	fe->lo_lo = (unsigned)(300.0 * p->nfft / p->samprate);
	fe->lo_hi = (unsigned)(3400.0 * p->nfft / p->samprate);
	fe->hi_lo = (unsigned)(4300.0 * p->nfft / p->samprate);
	fe->hi_hi = (unsigned)(p->upperf * p->nfft / p->samprate);
	if (fe->hi_hi <= fe->hi_lo)
		fe->hi_hi = fe->hi_lo + 1;
	if (fe->hi_hi > p->nfft / 2)
		fe->hi_hi = p->nfft / 2;
	fe->narrow = 0;
	/* Sinusoidal lifter; L/2 is an integer division in sphinxbase. */
	for (unsigned k = 0; k < p->ncep; k++)
		fe->lifter[k] = p->lifter ?
			(float)(1 + (p->lifter / 2) * sin(k * M_PI / p->lifter)) : 1.0f;
	return fe;
fail:
	sm_fe_free(fe);
	return NULL;
}

void
sm_fe_only(struct sm_fe *fe, unsigned bank)
{
	if (bank < fe->n_bank)
		fe->only = (int)bank;
}

void
sm_fe_free(struct sm_fe *fe)
{
	if (fe == NULL)
		return;
	free(fe->twr);
	free(fe->twi);
	free(fe->bitrev);
	free(fe->re);
	free(fe->im);
	free(fe->window);
	free(fe->buf);
	free(fe->spec);
	for (unsigned i = 0; i < fe->n_bank; i++) {
		free(fe->bank[i].floor_mel);
		free(fe->bank[i].held);
		free(fe->bank[i].peak_sum);
		free(fe->bank[i].peak_at);
		free(fe->bank[i].weights);
	}
	free(fe->bank);
	free(fe);
}

/* Lower envelope tracking: rise slowly, fall fast. */
static void
lower_envelope(const double *in, double *env, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		env[i] = in[i] >= env[i] ? LAMBDA_A * env[i] + (1 - LAMBDA_A) * in[i]
					 : LAMBDA_B * env[i] + (1 - LAMBDA_B) * in[i];
}

/* Spectral-subtraction noise removal on the mel energies (fe_track_snr).
 * The model was trained with it, so it is part of the features. */
static void
remove_noise(struct bank *b, unsigned n, double *m)
{
	double signal[SM_FE_MAX_FILT], gain[SM_FE_MAX_FILT], sum = 0;

	if (b->noise_undefined) {
		for (unsigned i = 0; i < n; i++) {
			b->power[i] = m[i];
			b->noise[i] = b->floor[i] = m[i] / MAX_GAIN;
			b->peak[i] = 0;
		}
		b->slow_peak_sum = 0;
		b->noise_undefined = 0;
	}
	for (unsigned i = 0; i < n; i++)
		b->power[i] = LAMBDA_POWER * b->power[i] + (1 - LAMBDA_POWER) * m[i];
	lower_envelope(b->power, b->noise, n);
	for (unsigned i = 0; i < n; i++) {
		signal[i] = b->power[i] - b->noise[i];
		if (signal[i] < 1.0)
			signal[i] = 1.0;
		sum += signal[i];
	}
	/* The slow peak only feeds the VAD decision, which we do not use, but
	 * it is state of the reference and cheap: keep it for fidelity. */
	sum = log(sum);
	b->slow_peak_sum = sum > b->slow_peak_sum ?
		SLOW_PEAK_LEARN * b->slow_peak_sum + (1 - SLOW_PEAK_LEARN) * sum :
		SLOW_PEAK_FORGET * b->slow_peak_sum + (1 - SLOW_PEAK_FORGET) * sum;
	lower_envelope(signal, b->floor, n);
	/* Temporal masking. */
	for (unsigned i = 0; i < n; i++) {
		double orig = signal[i];

		b->peak[i] *= LAMBDA_T;
		if (signal[i] < LAMBDA_T * b->peak[i])
			signal[i] = b->peak[i] * MU_T;
		if (orig > b->peak[i])
			b->peak[i] = orig;
	}
	for (unsigned i = 0; i < n; i++) {
		if (signal[i] < b->floor[i])
			signal[i] = b->floor[i];
		gain[i] = signal[i] < MAX_GAIN * b->power[i] ? signal[i] / b->power[i]
							     : MAX_GAIN;
		if (gain[i] < 1 / MAX_GAIN)
			gain[i] = 1 / MAX_GAIN;
	}
	for (unsigned i = 0; i < n; i++) {
		unsigned lo = i >= SMOOTH_WINDOW ? i - SMOOTH_WINDOW : 0;
		unsigned hi = i + SMOOTH_WINDOW < n ? i + SMOOTH_WINDOW : n - 1;
		double g = 0;

		for (unsigned j = lo; j <= hi; j++)
			g += gain[j];
		m[i] *= g / (hi - lo + 1);
	}
}

/* In-place iterative radix-2 complex FFT of fe->re, fe->im (unscaled). */
static void
fft(struct sm_fe *fe)
{
	unsigned n = fe->p.nfft;
	double *re = fe->re, *im = fe->im;

	for (unsigned i = 0; i < n; i++) {
		unsigned j = fe->bitrev[i];

		if (j > i) {
			double t = re[i];

			re[i] = re[j], re[j] = t;
			t = im[i], im[i] = im[j], im[j] = t;
		}
	}
	for (unsigned len = 2; len <= n; len <<= 1) {
		unsigned half = len / 2, step = n / len;

		for (unsigned i = 0; i < n; i += len)
			for (unsigned k = 0; k < half; k++) {
				double wr = fe->twr[k * step], wi = fe->twi[k * step];
				unsigned a = i + k, b = a + half;
				double xr = re[b] * wr - im[b] * wi;
				double xi = re[b] * wi + im[b] * wr;

				re[b] = re[a] - xr, im[b] = im[a] - xi;
				re[a] += xr, im[a] += xi;
			}
	}
}

/* Whether frame t, which cep_frame is making, is narrowband (see
 * BAND_RING). */
static int
frame_narrow(struct sm_fe *fe, uint64_t t)
{
	double hi = 0, lo = 0;
	uint64_t first = t > BAND_HALF ? t - BAND_HALF : 0, last = t + BAND_HALF;

	if (fe->p.band != SM_BAND_AUTO)
		return fe->p.band == SM_BAND_NARROW;
	if (fe->n_frames > BAND_RING && first < fe->n_frames - BAND_RING)
		first = fe->n_frames - BAND_RING;
	if (last >= fe->n_frames)
		last = fe->n_frames - 1;
	for (uint64_t u = first; u <= last; u++) {
		hi += fe->band_hi[u % BAND_RING];
		lo += fe->band_lo[u % BAND_RING];
	}
	if (lo >= QUIET_POWER * (double)(last - first + 1) * (fe->lo_hi - fe->lo_lo))
		fe->narrow = hi < NARROW_RATIO * lo;
	return fe->narrow;
}

/* The log mel energies of a narrowband frame through the map. */
static void
map_frame(const struct sm_fe_map *map, double *m)
{
	double out[SM_FE_MAX_FILT];

	for (unsigned i = map->first; i < map->nfilt; i++) {
		const float *w = map->w[i - map->first];
		double y = w[map->n_in];

		for (unsigned j = 0; j < map->n_in; j++)
			y += w[j] * m[j];
		out[i] = y;
	}
	for (unsigned i = map->first; i < map->nfilt; i++)
		m[i] = out[i];
}

/* The DCT of the log mel energies m into cep, with float32 accumulators
 * as the reference.  Each cepstrum's sum takes the filters in order; the
 * loop runs over the cepstra inside the loop over the filters, so that
 * their sums go on side by side (the same sums, to the bit). */
SM_VECTORIZE
static void
dct(const struct sm_fe *fe, const double *m, float *restrict cep)
{
	const struct sm_fe_params *p = &fe->p;
	unsigned n = p->ncep;

	cep[0] = (float)m[0];
	for (unsigned j = 1; j < p->nfilt; j++)
		cep[0] += m[j];
	cep[0] *= fe->sqrt_inv_n;
	for (unsigned c = 1; c < n; c++)
		cep[c] = 0;
	for (unsigned j = 0; j < p->nfilt; j++) {
		const float *cos_j = fe->cosine[j];
		double x = m[j];

		for (unsigned c = 1; c < n; c++)
			cep[c] += x * cos_j[c];
	}
	for (unsigned c = 1; c < n; c++)
		cep[c] *= fe->sqrt_inv_2n;
}

/* The mel energies of one frame of bank k on to the cepstra: noise
 * removal, log, the narrowband map, DCT, lifter. */
static void
cep_frame(struct sm_fe *fe, unsigned k, uint64_t t, double *m, sm_fe_cb cb,
	  void *ctx)
{
	const struct sm_fe_params *p = &fe->p;
	float cep[SM_FE_MAX_CEP];
	int narrow = fe->cur_narrow = frame_narrow(fe, t);

	if (k == (fe->only < 0 ? 0 : (unsigned)fe->only)) {
		fe->n_narrow += (unsigned)narrow;
		fe->n_counted++;
	}
	if (p->remove_noise)
		remove_noise(&fe->bank[k], p->nfilt, m);
	for (unsigned i = 0; i < p->nfilt; i++)
		m[i] = log(m[i] + 1e-4);
	if (narrow && fe->bank[k].map != NULL)
		map_frame(fe->bank[k].map, m);
	if (p->log_mel) {
		float e[SM_FE_MAX_FILT];

		for (unsigned i = 0; i < p->nfilt; i++)
			e[i] = (float)m[i];
		cb(ctx, k, e);
		return;
	}
	dct(fe, m, cep);
	for (unsigned c = 0; c < p->ncep; c++)
		cep[c] *= fe->lifter[c];
	cb(ctx, k, cep);
}

/* Frame t's sum of mel energies s joins the candidates for the loudest:
 * those before it that are not louder can no longer be. */
static void
peak_push(struct bank *b, uint64_t t, double s)
{
	size_t last;

	while (b->n_peak > 0 &&
	       b->peak_sum[last = (b->peak_first + b->n_peak - 1) % b->cap_peak] <= s)
		b->n_peak--;
	last = (b->peak_first + b->n_peak) % b->cap_peak;
	b->peak_sum[last] = s;
	b->peak_at[last] = t;
	b->n_peak++;
}

/* The loudest frame for frame t: of those from floor_back before it to the
 * newest held (FLOOR_AHEAD after it), or of all so far. */
static double
peak_of(struct bank *b, unsigned back, uint64_t t)
{
	if (b->peak_sum == NULL)
		return b->loudest;
	while (b->n_peak > 1 && b->peak_at[b->peak_first] + back < t) {
		b->peak_first = (b->peak_first + 1) % b->cap_peak;
		b->n_peak--;
	}
	return b->peak_sum[b->peak_first];
}

/* The oldest held frame of bank k plus the floor of its loudest frame
 * (peak_of), on to the cepstra. */
static void
pop_floored(struct sm_fe *fe, unsigned k, sm_fe_cb cb, void *ctx)
{
	const struct sm_fe_params *p = &fe->p;
	struct bank *b = &fe->bank[k];
	double *m = b->held + (size_t)(b->held_first % FLOOR_AHEAD) * p->nfilt;
	double g = peak_of(b, p->floor_back, b->held_first) *
		pow(10.0, p->noise_floor / 10.0);

	for (unsigned i = 0; i < p->nfilt; i++)
		m[i] += g * b->floor_mel[i];
	b->held_first++;
	b->n_held--;
	cep_frame(fe, k, b->held_first - 1, m, cb, ctx);
}

/* The power spectrum of one frame through the filters of bank k. */
static void
bank_frame(struct sm_fe *fe, unsigned k, sm_fe_cb cb, void *ctx)
{
	const struct sm_fe_params *p = &fe->p;
	struct bank *b = &fe->bank[k];
	double mbuf[SM_FE_MAX_FILT], *m = mbuf, sum = 0;

	for (unsigned i = 0; i < p->nfilt; i++) {
		const float *w = b->weights + b->wofs[i];
		const double *s = fe->spec + b->fstart[i];

		m[i] = 0;
		for (unsigned j = 0; j < b->fwidth[i]; j++)
			m[i] += s[j] * w[j];
	}
	if (b->floor_mel == NULL) {
		cep_frame(fe, k, fe->n_frames - 1, m, cb, ctx);
		return;
	}
	/* hold the frame until FLOOR_AHEAD later ones are known */
	for (unsigned i = 0; i < p->nfilt; i++)
		sum += m[i];
	if (sum > b->loudest)
		b->loudest = sum;
	if (b->peak_sum != NULL)
		peak_push(b, fe->n_frames - 1, sum);
	if (b->n_held == FLOOR_AHEAD)
		pop_floored(fe, k, cb, ctx);
	memcpy(b->held + (size_t)((b->held_first + b->n_held) % FLOOR_AHEAD) * p->nfilt,
	       m, p->nfilt * sizeof(double));
	b->n_held++;
}

/* One frame of len <= frame_size samples (zero-padded), prior = the sample
 * before it. */
static void
do_frame(struct sm_fe *fe, const int16_t *x, size_t len, int16_t prior,
	 sm_fe_cb cb, void *ctx)
{
	const struct sm_fe_params *p = &fe->p;

	/* Pre-emphasis in double of int16 minus a float32 product (as the
	 * reference computes it), then the Hamming window over the samples. */
	for (size_t i = 0; i < len; i++) {
		double y = (double)x[i] - (float)(i ? x[i - 1] : prior) * p->alpha;

		fe->re[i] = y * fe->window[i];
	}
	for (size_t i = len; i < p->nfft; i++)
		fe->re[i] = 0;
	memset(fe->im, 0, p->nfft * sizeof(double));
	fft(fe);
	for (unsigned k = 0; k <= p->nfft / 2; k++)
		fe->spec[k] = fe->re[k] * fe->re[k] + fe->im[k] * fe->im[k];
	if (p->band == SM_BAND_AUTO) {
		size_t slot = (size_t)(fe->n_frames % BAND_RING);

		fe->band_hi[slot] = fe->band_lo[slot] = 0;
		for (unsigned k = fe->hi_lo; k < fe->hi_hi; k++)
			fe->band_hi[slot] += fe->spec[k];
		for (unsigned k = fe->lo_lo; k < fe->lo_hi; k++)
			fe->band_lo[slot] += fe->spec[k];
	}
	fe->n_frames++;
	if (fe->only >= 0)
		bank_frame(fe, (unsigned)fe->only, cb, ctx);
	else
		for (unsigned k = 0; k < fe->n_bank; k++)
			bank_frame(fe, k, cb, ctx);
}

void
sm_fe_push(struct sm_fe *fe, const int16_t *x, size_t n, sm_fe_cb cb, void *ctx)
{
	size_t size = fe->p.frame_size, shift = fe->p.frame_shift;

	while (n > 0) {
		size_t take = size - fe->nbuf < n ? size - fe->nbuf : n;

		memcpy(fe->buf + fe->nbuf, x, take * sizeof(int16_t));
		fe->nbuf += take;
		x += take;
		n -= take;
		if (fe->nbuf == size) {
			do_frame(fe, fe->buf, size, fe->prior, cb, ctx);
			fe->prior = fe->buf[shift - 1];
			memmove(fe->buf, fe->buf + shift, (size - shift) * sizeof(int16_t));
			fe->nbuf = size - shift;
		}
	}
}

void
sm_fe_end(struct sm_fe *fe, sm_fe_cb cb, void *ctx)
{
	/* The samples after the last full frame's start make one shorter,
	 * zero-padded frame, as sphinxbase's fe_end_utt does. */
	if (fe->nbuf > 0)
		do_frame(fe, fe->buf, fe->nbuf, fe->prior, cb, ctx);
	fe->nbuf = 0;
	/* The held frames in the same order as the others: frame by frame,
	 * bank by bank. */
	for (;;) {
		int any = 0;

		for (unsigned k = 0; k < fe->n_bank; k++)
			if ((fe->only < 0 || (unsigned)fe->only == k) &&
			    fe->bank[k].n_held > 0) {
				pop_floored(fe, k, cb, ctx);
				any = 1;
			}
		if (!any)
			break;
	}
}

int
sm_fe_frame_narrow(const struct sm_fe *fe)
{
	return fe->cur_narrow;
}

void
sm_fe_band_count(const struct sm_fe *fe, uint64_t *narrow, uint64_t *all)
{
	*narrow = fe->n_narrow;
	*all = fe->n_counted;
}

/* ---- CMN -------------------------------------------------------------- */

/* Frames with c0 < 0 are (near) digital silence: they would drag the
 * mean, so the reference leaves them out of it.  If every frame is like
 * that (this returns 1), the means use them all rather than divide by
 * zero. */
static int
all_silent(const float *cep, size_t n, unsigned ncep)
{
	for (size_t t = 0; t < n; t++)
		if (cep[t * ncep] >= 0)
			return 0;
	return 1;
}

void
sm_cmn_batch(float *cep, size_t n, unsigned ncep, const float *prior,
	     unsigned n_prior, double tau)
{
	double sum[SM_FE_MAX_CEP] = {0};
	size_t used = 0;
	int all = all_silent(cep, n, ncep);

	for (size_t t = 0; t < n; t++) {
		const float *c = cep + t * ncep;

		if (!all && c[0] < 0)
			continue;
		for (unsigned k = 0; k < ncep; k++)
			sum[k] += c[k];
		used++;
	}
	if (used == 0)
		return;
	if (tau < 0)
		tau = 0;
	for (unsigned k = 0; k < ncep; k++) {
		double pk = k < n_prior ? prior[k] : 0;
		float mean = (float)((sum[k] + tau * pk) / (used + tau));

		for (size_t t = 0; t < n; t++)
			cep[t * ncep + k] -= mean;
	}
}

/* Add (sign 1) or remove (-1) frame c to a window's sums, when it counts
 * (c0 >= 0, or every frame when none has). */
static void
window_add(double *sum, size_t *used, const float *c, unsigned ncep, int all,
	   int sign)
{
	if (!all && c[0] < 0)
		return;
	for (unsigned k = 0; k < ncep; k++)
		sum[k] += sign * (double)c[k];
	*used += (size_t)(long)sign;
}

void
sm_cmn_window_init(struct sm_cmn_window *w, unsigned ncep, const float *prior,
		   unsigned n_prior, double tau, size_t half)
{
	memset(w, 0, sizeof(*w));
	w->ncep = ncep;
	w->n_prior = n_prior < ncep ? n_prior : ncep;
	memcpy(w->prior, prior, w->n_prior * sizeof(float));
	w->tau = tau < 0 ? 0 : tau;
	w->half = half;
}

/* Mode 2: the whole input's mean, as sm_cmn_batch takes it. */
static void
whole_mean(struct sm_cmn_window *w, const float *cep, size_t n)
{
	double sum[SM_FE_MAX_CEP] = {0};
	size_t used = 0;
	unsigned ncep = w->ncep;

	for (size_t t = 0; t < n; t++) {
		const float *c = cep + t * ncep;

		if (w->loud && c[0] < 0)
			continue;
		for (unsigned k = 0; k < ncep; k++)
			sum[k] += c[k];
		used++;
	}
	w->has_mean = used > 0;
	for (unsigned k = 0; k < ncep && used > 0; k++) {
		double pk = k < w->n_prior ? w->prior[k] : 0;

		w->mean[k] = (float)((sum[k] + w->tau * pk) / (used + w->tau));
	}
}

int
sm_cmn_window_next(struct sm_cmn_window *w, const float *cep, size_t n, int end,
		   float *out)
{
	unsigned ncep = w->ncep;
	size_t t = w->next, half = w->half;
	const float *c;

	/* from here on n and the frame numbers count from the input's first
	 * frame; frame u is at cep + (u - base) * ncep */
	n += w->base;
	for (; !w->loud && w->scan < n; w->scan++)
		w->loud = cep[(w->scan - w->base) * ncep] >= 0;
	if (t >= n)
		return 0;
	c = cep + (t - w->base) * ncep;
	if (w->mode == 0) {
		if (end && (half == 0 || n <= half + 1)) {
			whole_mean(w, cep, n);
			w->mode = 2;
		} else if (half > 0 && n > half + 1 && (w->loud || end)) {
			/* the first half frames of the window of frame 0 */
			for (size_t u = 0; u < half; u++)
				window_add(w->sum, &w->used, cep + u * ncep, ncep, !w->loud, 1);
			w->mode = 1;
		} else
			return 0;
	}
	if (w->mode == 2) {
		for (unsigned k = 0; k < ncep; k++)
			out[k] = w->has_mean ? c[k] - w->mean[k] : c[k];
		w->next++;
		return 1;
	}
	if (t + half >= n && !end)
		return 0;
	if (t + half < n)
		window_add(w->sum, &w->used, cep + (t + half - w->base) * ncep, ncep,
			   !w->loud, 1);
	if (t > half)	/* frame t - half - 1 leaves the window */
		window_add(w->sum, &w->used, cep + (t - half - 1 - w->base) * ncep, ncep,
			   !w->loud, -1);
	for (unsigned k = 0; k < ncep; k++) {
		double pk = k < w->n_prior ? w->prior[k] : 0;

		out[k] = c[k];
		if (w->used + w->tau > 0)
			out[k] -= (float)((w->sum[k] + w->tau * pk) /
					  ((double)w->used + w->tau));
	}
	w->next++;
	return 1;
}

size_t
sm_cmn_window_needed(const struct sm_cmn_window *w)
{
	size_t need;

	if (w->mode == 0)	/* the whole input's mean may yet be needed */
		return 0;
	need = w->mode == 2 ? w->next : w->next > w->half + 1 ? w->next - w->half - 1 : 0;
	return !w->loud && w->scan < need ? w->scan : need;
}

void
sm_cmn_window_drop(struct sm_cmn_window *w, size_t k)
{
	w->base += k;
}

#define CMN_WIN 500
#define CMN_WIN_HWM 800

void
sm_cmn_live_init(struct sm_cmn_live *c, const struct sm_fe_params *p)
{
	memset(c, 0, sizeof(*c));
	c->ncep = p->ncep;
	for (unsigned k = 0; k < p->ncep && k < p->n_cmninit; k++)
		c->mean[k] = p->cmninit[k];
	for (unsigned k = 0; k < p->ncep; k++)
		c->sum[k] = c->mean[k] * CMN_WIN;
	c->nframe = CMN_WIN;
}

void
sm_cmn_live_frame(struct sm_cmn_live *c, float *cep)
{
	/* As cmn_live: frames with c0 < 0 are neither counted nor normalised. */
	if (cep[0] < 0)
		return;
	for (unsigned k = 0; k < c->ncep; k++) {
		c->sum[k] += cep[k];
		cep[k] -= c->mean[k];
	}
	if (++c->nframe > CMN_WIN_HWM) {
		float sf = (float)CMN_WIN / c->nframe;

		for (unsigned k = 0; k < c->ncep; k++) {
			c->mean[k] = c->sum[k] / c->nframe;
			c->sum[k] *= sf;
		}
		c->nframe = CMN_WIN;
	}
}

/* ---- deltas ----------------------------------------------------------- */

/* Frames are numbered in a virtual sequence with the first frame repeated
 * three times before it and the last three times after, so that output
 * frame t sees virtual frames t .. t+6. */
void
sm_deltas_init(struct sm_deltas *d, unsigned ncep)
{
	memset(d, 0, sizeof(*d));
	d->ncep = ncep;
}

static void
deltas_add(struct sm_deltas *d, const float *cep, sm_feat_cb cb, void *ctx)
{
	unsigned n = d->ncep;
	float out[3 * SM_FE_MAX_CEP];

	memcpy(d->ring[d->n_in % 7], cep, n * sizeof(float));
	if (++d->n_in < 7)
		return;
	{
		size_t t = d->n_in - 7;
		const float *w[7];

		for (int i = 0; i < 7; i++)
			w[i] = d->ring[(t + i) % 7];
		/* w[3] is the frame itself; no scaling, as feat.c. */
		for (unsigned k = 0; k < n; k++) {
			out[k] = w[3][k];
			out[n + k] = w[5][k] - w[1][k];
			out[2 * n + k] = (w[6][k] - w[2][k]) - (w[4][k] - w[0][k]);
		}
	}
	d->n_out++;
	cb(ctx, out);
}

void
sm_deltas_push(struct sm_deltas *d, const float *cep, sm_feat_cb cb, void *ctx)
{
	if (d->n_in == 0)
		for (int i = 0; i < 3; i++)
			deltas_add(d, cep, cb, ctx);
	deltas_add(d, cep, cb, ctx);
}

void
sm_deltas_end(struct sm_deltas *d, sm_feat_cb cb, void *ctx)
{
	float last[SM_FE_MAX_CEP];

	if (d->n_in == 0)
		return;
	memcpy(last, d->ring[(d->n_in - 1) % 7], d->ncep * sizeof(float));
	for (int i = 0; i < 3; i++)
		deltas_add(d, last, cb, ctx);
}

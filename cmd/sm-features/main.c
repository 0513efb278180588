/* sm-features: PCM stream -> MFCC feature stream (FEAT, 1s_c_d_dd). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "am.h"
#include "image.h"
#include "fe.h"
#include "sm.h"
#include "vtln.h"

static const char usage[] =
	"sm-features: compute the model's acoustic features of a PCM stream\n"
	"Usage: sm-features [--model DIR] [--lang L] [--cmn MODE] [--cmn-prior N] [--cmn-window S]\n"
	"                   [--noise-floor DB] [--floor-window S] [--warp A|auto]\n"
	"                   [--warp-by W] [--band B]\n"
	"                   [--cepstra | --log-mel]\n"
	"                   [--max-hours H] [-v] [FILE | -]\n"
	"e.g.:  sm-decode speech.wav | sm-features | sm-dump -n 3\n"
	"  -m, --model DIR     language pack directory (default: $SM_MODELS/LANG)\n"
	"  -l, --lang L        language of the pack (default en)\n"
	"  -c, --cmn MODE      cepstral mean normalisation: batch (whole input),\n"
	"                      live (running mean) or none (default: the pack's, batch)\n"
	"      --cmn-prior N   batch CMN: the model's cmninit counts as N frames\n"
	"                      of the mean (default 100; 0: the input's mean only)\n"
	"      --cmn-window S  batch CMN: each frame's mean over the S seconds\n"
	"                      around it (default 10; 0: the whole input)\n"
	"      --noise-floor DB  add a pink noise floor DB dB below the loudest\n"
	"                      frame to every frame (default -46; 0: none)\n"
	"      --floor-window S  the loudest frame among the S seconds before each\n"
	"                      frame and 1 s after (default 10; 0: since the start)\n"
	"      --warp A|auto   read the model's frequency f at A*f (vocal tract\n"
	"                      length normalisation, 0.8 to 1.25; 1: none); auto:\n"
	"                      the A the acoustic model likes best, 0.88 to 1.12\n"
	"                      (default auto; 1 with --cmn live or none)\n"
	"      --warp-by W     --warp auto: one factor for the input, chosen on its\n"
	"                      first minute (input), or also one per stretch\n"
	"                      between pauses that prefers its own (stretch)\n"
	"                      (default stretch)\n"
	"      --band B        narrowband (telephone) frames, whose log mel energies\n"
	"                      above 3.4 kHz the pack's narrowband map predicts from\n"
	"                      those below: wide (none), narrow (all) or auto (all\n"
	"                      when sm-decode read 8 kHz audio, else each stretch\n"
	"                      with nothing above 4 kHz) (default auto)\n"
	"      --cepstra       write only the cepstra before CMN, no deltas\n"
	"      --log-mel       write only the log mel energies the cepstra are made\n"
	"                      of (after noise removal and --band's map), no deltas\n"
	"      --max-hours H   batch CMN holds the input's cepstra: refuse more\n"
	"                      than H hours (default 4)\n"
	"  -v, --verbose       report the warps chosen (the input's and each\n"
	"                      stretch's) and the narrowband frames on stderr\n"
	"  -h, --help          show this help\n"
	"      --version       show the version\n";

/* A quiet room's noise: trimmed prompts and digital silence are out of
 * the model's training conditions, where pauses always held some noise.
 * docs/BENCHMARKS.md says what it does to the word error rate. */
#define NOISE_FLOOR_DB (-46.0)
/* The default --floor-window, seconds: a recording whose level drops (a
 * quieter voice or channel) gets a floor under its own loudest speech, as
 * the same audio cut into files would (docs/BENCHMARKS.md); an input of
 * up to that length is floored as a whole. */
#define FLOOR_WINDOW_S 10.0

/* Vocal tract length factors: about the spread of adult speakers. */
#define WARP_MIN 0.8
#define WARP_MAX 1.25

/* --warp auto: the factors tried, the frames the choice is made on (the
 * first minute), the frames scored per factor and the fewest worth a
 * choice. */
static const double auto_warps[] = {
	0.88, 0.91, 0.94, 0.97, 1.00, 1.03, 1.06, 1.09, 1.12
};
#define N_WARPS (sizeof(auto_warps) / sizeof(auto_warps[0]))
/* The default --cmn-window, seconds: a recording of several voices,
 * channels or levels is normalised by the stretch around each frame, while
 * an input of up to 5 s, or a frame's 10 s of one voice, has enough pauses
 * and speech in it for the mean (docs/BENCHMARKS.md, 40-sets.sh). */
#define CMN_WINDOW_S 10.0
#define WARP_REF 4		/* auto_warps[WARP_REF] == 1 */
#define WARP_WINDOW 6000
#define WARP_FRAMES 100
#define WARP_MIN_FRAMES 20
/* The wideband frames (1 s) the warp is chosen on, when some are narrow. */
#define WARP_WIDE_FRAMES 100
/* --warp-by stretch: a pause is PAUSE_FRAMES in a row with a c0 more than
 * PAUSE_C0 (about 20 dB) under the loudest lately, which falls by
 * PEAK_FALL a frame (about 1 dB a second); a stretch is at least
 * MIN_STRETCH frames (a pause sooner joins it to the next) and at most
 * MAX_STRETCH (what the banks hold). */
#define PAUSE_FRAMES 30
#define PAUSE_C0 23.0f
#define PEAK_FALL 0.012f
#define MIN_STRETCH 100
#define MAX_STRETCH WARP_WINDOW
/* A stretch keeps the input's warp unless its own best scores STICK_GAIN
 * (log-likelihood per frame) more: one voice's stretches then mostly keep
 * the warp more speech chose, where a few seconds' choice alone wavers. */
#define STICK_GAIN 0.3
/* Batch CMN, streaming: the frames written and no longer needed for a
 * mean are dropped once there are this many (a minute). */
#define DROP_FRAMES 6000

/* Where frames go: the CMN/delta stages, then stdout. */
struct run {
	const struct sm_fe_params *p;
	int cepstra;		/* --cepstra or --log-mel: out_n values, no CMN */
	unsigned out_n;
	enum sm_cmn_mode cmn;
	struct sm_cmn_live live;
	struct sm_deltas deltas;
	float *held;		/* batch CMN: every frame's cepstra */
	size_t n_held, cap_held, max_held;
	double max_hours;
	double prior;		/* batch CMN: frames the cmninit prior counts as */
	size_t cmn_half;	/* batch CMN: frames either side of the mean's window, 0 all */
	struct sm_cmn_window cw;	/* batch CMN: the frames held normalised so far */
	size_t held_base;	/* batch CMN streaming: frames written and dropped from held */
	int streaming;		/* batch CMN: header first, frames as their mean is certain */
	const char *name;
	unsigned dim;
	/* --warp auto, until the choice: every bank's cepstra */
	struct sm_fe *fe;
	struct sm_vtln *vtln;
	unsigned n_bank, chosen;
	const double *warps;
	float *bheld[N_WARPS];
	size_t bn[N_WARPS], bcap[N_WARPS], window;
	unsigned char *bnarrow;	/* whether each frame held is narrowband */
	size_t n_bnarrow, cap_bnarrow;
	/* --warp-by stretch: the banks stay all through.  The first minute's
	 * stretches are judged once the input's warp (that of --warp-by
	 * input) is known at its end, those after it one by one. */
	int by_stretch;
	float c0_peak;		/* the loudest c0 lately, falling slowly */
	size_t quiet_run;	/* frames in a row well under it */
	int ends;		/* the frame being held ends its stretch */
	size_t *bounds;		/* first minute: the held frame each stretch ends at */
	size_t n_bounds, cap_bounds;
	int global;		/* the input's warp, -1 until known */
	size_t stretch_start;	/* the first frame held, in the input */
	unsigned n_stretch;
};

static void
on_feat(void *ctx, const float *feat)
{
	struct run *r = ctx;

	sm_floats_write(feat, r->dim);
}

static void __attribute__((noreturn))
too_long(const struct run *r)
{
	sm_die(SM_EX_DATAERR, "%s: input longer than %g hours: batch CMN "
	       "holds it all in memory (raise --max-hours, or use --cmn live)",
	       r->name, r->max_hours);
}

/* Batch CMN: the frames held whose mean is certain go on to the deltas and
 * out; as they come when the header went out first (the input's length
 * known), else all at the end. */
static void
drain(struct run *r, int end)
{
	float c[SM_FE_MAX_CEP];
	size_t drop;

	if (!r->streaming && !end)
		return;
	while (sm_cmn_window_next(&r->cw, r->held, r->n_held, end, c))
		sm_deltas_push(&r->deltas, c, on_feat, r);
	/* The frames no mean needs any more leave, a minute at a time: the
	 * memory held stays that of a minute or two, whatever the input's
	 * length. */
	drop = sm_cmn_window_needed(&r->cw) - r->held_base;
	if (r->streaming && drop >= DROP_FRAMES) {
		memmove(r->held, r->held + drop * r->p->ncep,
			(r->n_held - drop) * r->p->ncep * sizeof(float));
		r->n_held -= drop;
		r->held_base += drop;
		sm_cmn_window_drop(&r->cw, drop);
	}
}

/* Append one frame of n floats to a growing array of at most max frames. */
static void
hold(struct run *r, float **a, size_t *len, size_t *cap, const float *cep,
     unsigned n)
{
	if (*len == r->max_held)
		too_long(r);
	if (*len == *cap) {
		size_t c = *cap ? 2 * *cap : 4096;
		float *h;

		if (c > r->max_held)
			c = r->max_held;
		if ((h = realloc(*a, c * n * sizeof(float))) == NULL)
			sm_die(SM_EX_SOFTWARE, "%s: out of memory", r->name);
		*a = h;
		*cap = c;
	}
	memcpy(*a + (*len)++ * n, cep, n * sizeof(float));
}

/* --warp auto: the bank the model likes best for the n frames held from
 * frame off on; with ref >= 0 (the input's), ref unless its own best
 * scores STICK_GAIN more per frame on them, or they have under
 * WARP_WIDE_FRAMES wideband frames, or are too short to judge.  *why gets
 * what decided it (NULL: the frames' own best). */
static unsigned
pick_warp(struct run *r, size_t off, size_t n, int ref, char *why, size_t len)
{
	double score[N_WARPS];
	float *wide[N_WARPS] = {NULL};
	const float *sets[N_WARPS];
	const unsigned char *nb = r->bnarrow + off;
	size_t n_wide = 0;
	unsigned ncep = r->p->ncep;
	int k;

	why[0] = '\0';
	for (unsigned j = 0; j < r->n_bank; j++)
		sets[j] = r->bheld[j] + off * ncep;
	for (size_t t = 0; t < n; t++)
		n_wide += off + t >= r->n_bnarrow || !nb[t];
	if (ref >= 0 && n_wide < WARP_WIDE_FRAMES && n_wide < n) {
		snprintf(why, len, " (under 1 s of wideband frames: the input's)");
		return (unsigned)ref;
	}
	/* the first minute's end, or the input's, cut it short */
	if (ref >= 0 && n < MIN_STRETCH) {
		snprintf(why, len, " (under 1 s: the input's)");
		return (unsigned)ref;
	}
	/* A speaker's warp is judged on the frames that have the whole band
	 * when there are enough of them: in a narrowband frame the filters of
	 * a warp above 1 read less of the telephone band, so mapped frames
	 * favour a warp lower than the speaker's. */
	if (n_wide >= WARP_WIDE_FRAMES && n_wide < n) {
		for (unsigned j = 0; j < r->n_bank; j++) {
			size_t m = 0;

			if ((wide[j] = malloc(n_wide * ncep * sizeof(float))) == NULL)
				sm_die(SM_EX_SOFTWARE, "%s: out of memory", r->name);
			for (size_t t = 0; t < n; t++)
				if (off + t >= r->n_bnarrow || !nb[t])
					memcpy(wide[j] + m++ * ncep, sets[j] + t * ncep,
					       ncep * sizeof(float));
			sets[j] = wide[j];
		}
		n = n_wide;
	}
	k = sm_vtln_choose(r->vtln, sets, r->n_bank, n, WARP_REF, WARP_MIN_FRAMES, score);
	if (k >= 0 && ref >= 0 && isnan(score[k])) {
		snprintf(why, len, " (too short to judge: the input's)");
		k = ref;
	} else if (k >= 0 && ref >= 0 && k != ref) {
		double gain = score[ref];

		/* the input's warp scored on the same frames: the climb from
		 * set 0 (the unwarped) scores set 1 */
		if (isnan(gain)) {
			const float *two[2] = {sets[WARP_REF], sets[ref]};
			double s2[2];

			gain = sm_vtln_choose(r->vtln, two, 2, n, 0, WARP_MIN_FRAMES, s2) < 0 ?
				NAN : s2[1];
		}
		gain = score[k] - gain;
		if (!(gain >= STICK_GAIN)) {
			snprintf(why, len, " (the input's: %.2f scores only %+.3f)",
				 r->warps[k], gain);
			k = ref;
		}
	} else if (k >= 0 && isnan(score[k]))
		snprintf(why, len, " (too short to judge)");
	for (unsigned j = 0; j < r->n_bank; j++)
		free(wide[j]);
	if (k < 0)
		sm_die(SM_EX_DATAERR, "%s: a feature value is not finite", r->name);
	if (sm_verbose && ref < 0 && !r->by_stretch) {
		char buf[512];
		size_t at = 0;

		buf[0] = '\0';
		for (unsigned j = 0; j < r->n_bank && at < sizeof(buf); j++)
			if (!isnan(score[j]) && j != WARP_REF)
				at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%.2f %+.3f",
						       at ? ", " : ": ", r->warps[j],
						       score[j] - score[WARP_REF]);
		if (isnan(score[WARP_REF]))
			sm_info("%s: warp %.2f (too short to judge)", r->name, r->warps[k]);
		else
			sm_info("%s: warp %.2f (log-likelihood per frame against 1%s)",
				r->name, r->warps[k], buf);
	}
	return (unsigned)k;
}

/* --warp-by input: the bank the model likes best from now on. */
static void
choose_warp(struct run *r)
{
	char why[128];

	r->chosen = pick_warp(r, 0, r->bn[WARP_REF], -1, why, sizeof(why));
	free(r->bnarrow);
	r->bnarrow = NULL;
	sm_fe_only(r->fe, r->chosen);
	r->held = r->bheld[r->chosen];
	r->n_held = r->bn[r->chosen];
	r->cap_held = r->bcap[r->chosen];
	for (unsigned j = 0; j < r->n_bank; j++)
		if (j != r->chosen)
			free(r->bheld[j]);
	memset(r->bheld, 0, sizeof(r->bheld));
	r->n_bank = 1;
	drain(r, 0);
}

/* --warp-by stretch: the n frames held from off on are a stretch: its
 * warp's frames go on to batch CMN. */
static void
take_stretch(struct run *r, size_t off, size_t n)
{
	char why[128];
	unsigned k;

	if (n == 0)
		return;
	k = pick_warp(r, off, n, r->global, why, sizeof(why));
	if (sm_verbose)
		sm_info("%s: %.2f-%.2f s: warp %.2f%s", r->name,
			(double)(r->stretch_start + off) / r->p->frate,
			(double)(r->stretch_start + off + n) / r->p->frate, r->warps[k], why);
	for (size_t t = 0; t < n; t++)
		hold(r, &r->held, &r->n_held, &r->cap_held,
		     r->bheld[k] + (off + t) * r->p->ncep, r->p->ncep);
	r->n_stretch++;
	drain(r, 0);
}

/* --warp-by stretch: the frames held are judged (the first minute's: the
 * input's warp, then each stretch's) and the banks start afresh. */
static void
end_held(struct run *r)
{
	size_t n = r->bn[0], at = 0;

	if (r->global < 0) {
		char why[128];

		r->global = (int)pick_warp(r, 0, n, -1, why, sizeof(why));
		if (sm_verbose)
			sm_info("%s: warp %.2f for the input%s", r->name,
				r->warps[r->global], why);
		for (size_t i = 0; i < r->n_bounds; i++) {
			take_stretch(r, at, r->bounds[i] - at);
			at = r->bounds[i];
		}
		free(r->bounds);
		r->bounds = NULL;
		r->n_bounds = 0;
	}
	take_stretch(r, at, n - at);
	for (unsigned j = 0; j < r->n_bank; j++)
		r->bn[j] = 0;
	r->n_bnarrow = 0;
	r->stretch_start += n;
}

/* --warp-by stretch: frame held ends a stretch; in the first minute its
 * end is noted until the input's warp is known. */
static void
end_stretch(struct run *r)
{
	if (r->global >= 0) {
		end_held(r);
		return;
	}
	if (r->n_bounds == r->cap_bounds) {
		r->cap_bounds = r->cap_bounds ? 2 * r->cap_bounds : 64;
		r->bounds = realloc(r->bounds, r->cap_bounds * sizeof(size_t));
		if (r->bounds == NULL)
			sm_die(SM_EX_SOFTWARE, "%s: out of memory", r->name);
	}
	r->bounds[r->n_bounds++] = r->bn[0];
}

/* --warp-by stretch: whether frame t (c0: its c0 in the unwarped bank)
 * ends a stretch: the PAUSE_FRAMES-th frame in a row more than PAUSE_C0
 * under the loudest lately, once the stretch has MIN_STRETCH frames; or
 * the stretch is MAX_STRETCH frames long. */
static int
stretch_ends(struct run *r, float c0)
{
	size_t n = r->bn[0] - (r->n_bounds ? r->bounds[r->n_bounds - 1] : 0);

	r->c0_peak = c0 > r->c0_peak - PEAK_FALL ? c0 : r->c0_peak - PEAK_FALL;
	r->quiet_run = c0 < r->c0_peak - PAUSE_C0 ? r->quiet_run + 1 : 0;
	return (r->quiet_run == PAUSE_FRAMES && n >= MIN_STRETCH) || n >= MAX_STRETCH;
}

static void
on_cep(void *ctx, unsigned bank, const float *cep)
{
	struct run *r = ctx;
	float c[SM_FE_MAX_CEP];
	unsigned n = r->p->ncep;

	if (r->n_bank > 1) {
		if (bank == 0) {
			if (r->n_bnarrow == r->cap_bnarrow) {
				r->cap_bnarrow = r->cap_bnarrow ? 2 * r->cap_bnarrow : 4096;
				r->bnarrow = realloc(r->bnarrow, r->cap_bnarrow);
				if (r->bnarrow == NULL)
					sm_die(SM_EX_SOFTWARE, "%s: out of memory", r->name);
			}
			r->bnarrow[r->n_bnarrow++] = (unsigned char)sm_fe_frame_narrow(r->fe);
		}
		hold(r, &r->bheld[bank], &r->bn[bank], &r->bcap[bank], cep, n);
		if (bank == WARP_REF && r->by_stretch)
			r->ends = stretch_ends(r, cep[0]);
		if (bank != r->n_bank - 1)
			return;
		if (r->by_stretch && r->global < 0 && r->bn[bank] == r->window)
			end_held(r);
		else if (r->by_stretch && r->ends)
			end_stretch(r);
		else if (!r->by_stretch && r->bn[bank] == r->window)
			choose_warp(r);
		return;
	}

	if (r->cepstra) {
		sm_floats_write(cep, r->out_n);
		return;
	}
	if (r->cmn == SM_CMN_BATCH) {
		hold(r, &r->held, &r->n_held, &r->cap_held, cep, n);
		drain(r, 0);
		return;
	}
	memcpy(c, cep, n * sizeof(float));
	if (r->cmn == SM_CMN_LIVE)
		sm_cmn_live_frame(&r->live, c);
	sm_deltas_push(&r->deltas, c, on_feat, r);
}

/* --warp A or auto; 1 for auto. */
static int
parse_warp(const char *arg, double *warp)
{
	char *end;

	if (!strcmp(arg, "auto"))
		return 1;
	errno = 0;
	*warp = strtod(arg, &end);
	if (errno || end == arg || *end || !(*warp >= WARP_MIN && *warp <= WARP_MAX))
		sm_die(SM_EX_USAGE, "--warp: expected auto or a factor from %g to %g, "
		       "got '%s'", WARP_MIN, WARP_MAX, sm_clip(arg));
	return 0;
}

/* The pack's acoustic model: its acoustic image when it names one, else
 * the model files (as sm-am).  An image that cannot be used is an error. */
static void
load_am(struct sm_am *am, const struct sm_pack *pack)
{
	char err[8400];
	int rc;

	/* Scoring is single-threaded. */
	sm_am_blas_one_thread();
	rc = sm_am_open_pack(am, pack, 0, err, sizeof(err));
	if (rc == -2)
		sm_image_refuse(pack, SM_IMAGE_AM, err, "--warp 1 needs no acoustic model");
	if (rc != 0)
		sm_die(SM_EX_CONFIG, "%s", err);
}

/* Frames the front end makes of n samples: full windows plus the tail. */
static uint64_t
n_frames_of(const struct sm_fe_params *p, uint64_t n)
{
	if (n == 0)
		return 0;
	if (n < p->frame_size)
		return 1;
	return 2 + (n - p->frame_size) / p->frame_shift;
}

/* The options, checked before anything is loaded. */
struct opts {
	const char *model, *lang, *cmn, *path;
	int cepstra, log_mel, warp_auto, warp_by_stretch;
	enum sm_band band;
	double prior, floor_db, warp, max_hours, cmn_window, floor_window;
};

static void
parse_options(struct opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{"model", required_argument, NULL, 'm'},
		{"lang", required_argument, NULL, 'l'},
		{"cmn", required_argument, NULL, 'c'},
		{"cepstra", no_argument, NULL, 'C'},
		{"cmn-prior", required_argument, NULL, 'P'},
		{"cmn-window", required_argument, NULL, 'w'},
		{"max-hours", required_argument, NULL, 'M'},
		{"noise-floor", required_argument, NULL, 'F'},
		{"floor-window", required_argument, NULL, 'f'},
		{"warp", required_argument, NULL, 'W'},
		{"band", required_argument, NULL, 'B'},
		{"warp-by", required_argument, NULL, 'Y'},
		{"log-mel", no_argument, NULL, 'L'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	int c;

	memset(o, 0, sizeof *o);
	o->lang = "en";
	o->prior = 100;
	o->floor_db = NOISE_FLOOR_DB;
	o->floor_window = FLOOR_WINDOW_S;
	o->warp_by_stretch = 1;
	o->warp = 1;
	o->warp_auto = 1;
	o->max_hours = 4;
	o->cmn_window = CMN_WINDOW_S;
	o->band = SM_BAND_AUTO;
	while ((c = getopt_long(argc, argv, "m:l:c:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'm': o->model = optarg; break;
		case 'l': o->lang = optarg; break;
		case 'c':
			if (strcmp(optarg, "batch") && strcmp(optarg, "live") &&
			    strcmp(optarg, "none")) {
				sm_warn("--cmn: expected batch, live or none, got '%s'", sm_clip(optarg));
				sm_usage_exit(usage, 0);
			}
			o->cmn = optarg;
			break;
		case 'C': o->cepstra = 1; break;
		case 'L': o->log_mel = 1; break;
		case 'B':
			if (!strcmp(optarg, "wide"))
				o->band = SM_BAND_WIDE;
			else if (!strcmp(optarg, "narrow"))
				o->band = SM_BAND_NARROW;
			else if (!strcmp(optarg, "auto"))
				o->band = SM_BAND_AUTO;
			else
				sm_die(SM_EX_USAGE, "--band: expected wide, narrow or auto, "
				       "got '%s'", sm_clip(optarg));
			break;
		case 'Y':
			if (!strcmp(optarg, "stretch"))
				o->warp_by_stretch = 1;
			else if (!strcmp(optarg, "input"))
				o->warp_by_stretch = 0;
			else
				sm_die(SM_EX_USAGE, "--warp-by: expected input or stretch, "
				       "got '%s'", sm_clip(optarg));
			break;
		case 'P': o->prior = sm_opt_double("--cmn-prior", optarg, 0, 1e6); break;
		case 'w': o->cmn_window = sm_opt_double("--cmn-window", optarg, 0, 1e6); break;
		case 'F': o->floor_db = sm_opt_double("--noise-floor", optarg, -200, 0); break;
		case 'f': o->floor_window = sm_opt_double("--floor-window", optarg, 0, 1e5); break;
		case 'W': o->warp_auto = parse_warp(optarg, &o->warp); break;
		case 'v': sm_verbose = 1; break;
		case 'M': o->max_hours = sm_opt_double("--max-hours", optarg, 1e-6, 1e4); break;
		case 'h': sm_usage_exit(usage, 1);
		case 'V': sm_version_exit();
		default: sm_usage_exit(usage, 0);
		}
	}
	if (o->cepstra && o->log_mel)
		sm_die(SM_EX_USAGE, "--cepstra and --log-mel: choose one");
	if (argc - optind > 1)
		sm_usage_exit(usage, 0);
	o->path = optind < argc ? argv[optind] : NULL;
}

/* The front end's settings: the pack's feat.params, with the options' noise
 * floor and warp; and the stages after it. */
static void
setup(struct sm_fe_params *p, struct run *r, const struct sm_pack *pack,
      const struct opts *o)
{
	char fp[4200], err[512];

	snprintf(fp, sizeof(fp), "%s/feat.params", pack->hmm);
	if (sm_fe_params_read(p, fp, err, sizeof(err)))
		sm_die(SM_EX_CONFIG, "%s", err);
	p->noise_floor = o->floor_db;
	p->floor_back = (unsigned)(o->floor_window * p->frate + 0.5);
	p->warp = o->warp;
	p->band = o->band;
	p->log_mel = o->log_mel;
	memset(r, 0, sizeof(*r));
	r->name = sm_name(o->path);
	r->cepstra = o->cepstra || o->log_mel;
	r->out_n = o->log_mel ? p->nfilt : p->ncep;
	r->prior = o->prior;
	r->cmn_half = (size_t)(o->cmn_window * p->frate / 2 + 0.5);
	r->by_stretch = o->warp_by_stretch;
	r->global = -1;
	r->c0_peak = -INFINITY;
	r->max_hours = o->max_hours;
	r->p = p;
	r->cmn = o->cmn == NULL ? p->cmn : !strcmp(o->cmn, "batch") ? SM_CMN_BATCH :
		!strcmp(o->cmn, "live") ? SM_CMN_LIVE : SM_CMN_NONE;
	r->dim = r->cepstra ? r->out_n : 3 * p->ncep;
	r->max_held = (size_t)(r->max_hours * 3600 * p->frate) + 1;
	sm_cmn_window_init(&r->cw, p->ncep, p->cmninit, p->n_cmninit, r->prior,
			   r->cmn_half);
	sm_cmn_live_init(&r->live, p);
	sm_deltas_init(&r->deltas, p->ncep);
}

/* The pack's narrowband map, when it has one, for the frames --band
 * chooses; a stream sm-decode made of 8 kHz audio is narrowband all
 * through under --band auto. */
static void
setup_band(struct sm_fe_params *p, struct sm_fe_map *map, const struct sm_pack *pack,
	   const struct sm_stream_hdr *h)
{
	char err[4400];

	if (p->band == SM_BAND_AUTO && (h->flags & SM_FLAG_NARROWBAND))
		p->band = SM_BAND_NARROW;
	if (p->band == SM_BAND_WIDE || pack->narrowband[0] == '\0')
		return;
	if (sm_fe_map_read(map, &p->n_map, pack->narrowband, p->nfilt, err, sizeof(err)))
		sm_die(SM_EX_CONFIG, "%s", err);
	p->map = map;
}

/* The PCM stream of path, its header checked against the model's. */
static FILE *
open_pcm(const char *path, struct sm_stream_hdr *h, const struct sm_fe_params *p)
{
	FILE *in = sm_open_in(path);

	sm_hdr_read_or_die(in, path, h, SM_KIND_PCM);
	if (h->sample_type != SM_S16)
		sm_die(SM_EX_DATAERR, "%s: expected int16 PCM samples", sm_name(path));
	if (h->dim != 1)
		sm_die(SM_EX_DATAERR, "%s: PCM stream has %u channels, expected 1 "
		       "(pick one with sm-decode -c N)", sm_name(path), h->dim);
	if (h->sample_rate != p->samprate)
		sm_die(SM_EX_DATAERR, "%s: sample rate %u Hz, the model needs %u Hz "
		       "(resample with sm-decode)", sm_name(path), h->sample_rate, p->samprate);
	return in;
}

/* The front end: one bank of filters, or with --warp auto one per factor
 * tried and the acoustic model (am) to choose among them. */
static void
new_front_end(struct run *r, const struct sm_pack *pack, int warp_auto, struct sm_am *am)
{
	const struct sm_fe_params *p = r->p;

	/* The warp is chosen on the features of batch CMN only: live or no
	 * CMN streams, and its cepstra would not be those scored. */
	if (warp_auto && !r->cepstra && r->cmn == SM_CMN_BATCH) {
		load_am(am, pack);
		r->vtln = sm_vtln_new(am, p->ncep, p->cmninit, p->n_cmninit, r->prior,
				      WARP_FRAMES);
		if (r->vtln == NULL)
			sm_die(SM_EX_CONFIG, "%s: the acoustic model does not take %u "
			       "cepstra with deltas (or out of memory)", pack->hmm, p->ncep);
		r->n_bank = N_WARPS;
		r->warps = auto_warps;
		r->window = WARP_WINDOW < r->max_held ? WARP_WINDOW : r->max_held;
		r->fe = sm_fe_new_banks(p, auto_warps, N_WARPS);
	} else {
		if (warp_auto)
			sm_info("%s: warp 1 (%s)", r->name, r->cepstra ?
				(r->p->log_mel ? "--log-mel" : "--cepstra") :
				r->cmn == SM_CMN_LIVE ? "--cmn live" : "--cmn none");
		r->fe = sm_fe_new(p);
	}
	if (r->fe == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
}

/* Every sample of in through the front end (h: its header). */
static void
push_samples(FILE *in, const struct sm_stream_hdr *h, struct run *r)
{
	unsigned char raw[8192];
	int16_t x[4096];
	size_t have = 0;
	uint64_t n_in = 0;	/* bytes of samples read */

	for (;;) {
		size_t got = fread(raw + have, 1, sizeof(raw) - have, in), ns;

		n_in += got;
		have += got;
		ns = have / 2;
		for (size_t i = 0; i < ns; i++)
			x[i] = (int16_t)sm_get_le16(raw + 2 * i);
		sm_fe_push(r->fe, x, ns, on_cep, r);
		/* An odd byte waits for its other half. */
		have = have % 2;
		if (have)
			raw[0] = raw[2 * ns];
		if (got == 0) {
			if (ferror(in))
				sm_die_errno(SM_EX_IOERR, "%s", r->name);
			if (have)
				sm_die(SM_EX_DATAERR, "%s: truncated frame (1 of 2 bytes)", r->name);
			/* An upstream stage that died between two frames. */
			if (h->n_frames != 0 && n_in / 2 != h->n_frames)
				sm_die(SM_EX_DATAERR, "%s: stream has %llu frames, its header "
				       "says %llu", r->name, (unsigned long long)(n_in / 2),
				       (unsigned long long)h->n_frames);
			break;
		}
	}
}

/* The end of the input: the last frames, the warp if not yet chosen, and
 * with batch CMN the frames not yet written (and the header, when it waited
 * for the frame count). */
static void
finish(struct run *r, struct sm_stream_hdr *out_h)
{
	sm_fe_end(r->fe, on_cep, r);
	if (r->n_bank > 1 && r->by_stretch) {
		end_held(r);
		if (sm_verbose)
			sm_info("%s: %u stretch%s", r->name, r->n_stretch,
				r->n_stretch == 1 ? "" : "es");
	} else if (r->n_bank > 1)
		choose_warp(r);

	if (!r->cepstra && r->cmn == SM_CMN_BATCH) {
		if (!r->streaming) {
			out_h->n_frames = r->n_held;
			if (sm_hdr_write(stdout, out_h))
				sm_die_errno(SM_EX_IOERR, "<stdout>");
		} else if (out_h->n_frames != r->held_base + r->n_held)
			sm_die(SM_EX_SOFTWARE, "%s: %zu frames made, the header said %llu",
			       r->name, r->held_base + r->n_held,
			       (unsigned long long)out_h->n_frames);
		drain(r, 1);
	}
	if (!r->cepstra)
		sm_deltas_end(&r->deltas, on_feat, r);
}

int
main(int argc, char **argv)
{
	struct sm_stream_hdr in_h, out_h;
	struct sm_fe_params p;
	struct sm_pack pack;
	struct opts o;
	struct run r;
	struct sm_am am;
	static struct sm_fe_map map[SM_FE_MAX_MAPS];
	uint64_t n_narrow, n_all;
	FILE *in;

	sm_init(argv[0]);
	parse_options(&o, argc, argv);
	sm_pack_load_or_die(&pack, o.model, o.lang);
	setup(&p, &r, &pack, &o);
	in = open_pcm(o.path, &in_h, &p);
	setup_band(&p, map, &pack, &in_h);
	new_front_end(&r, &pack, o.warp_auto, &am);

	sm_hdr_init(&out_h, SM_KIND_FEAT, SM_F32, p.samprate, r.dim, p.frame_shift);
	out_h.start_sample = in_h.start_sample;
	out_h.n_frames = n_frames_of(&p, in_h.n_frames);
	if (!r.cepstra && r.cmn != SM_CMN_NONE)
		out_h.flags |= SM_FLAG_CMN;
	/* Batch CMN writes its frames as their means become certain, after the
	 * header, when the input's length is known; else it holds them all
	 * and writes the header at the end, with their count. */
	r.streaming = !r.cepstra && r.cmn == SM_CMN_BATCH && out_h.n_frames != 0;
	if (r.streaming && out_h.n_frames > r.max_held)
		too_long(&r);
	if (r.cepstra || r.cmn != SM_CMN_BATCH || r.streaming)
		if (sm_hdr_write(stdout, &out_h))
			sm_die_errno(SM_EX_IOERR, "<stdout>");
	push_samples(in, &in_h, &r);
	finish(&r, &out_h);
	sm_fe_band_count(r.fe, &n_narrow, &n_all);
	if (sm_verbose)
		sm_info("%s: %llu of %llu frames narrowband%s", r.name,
			(unsigned long long)n_narrow, (unsigned long long)n_all,
			p.map == NULL && n_narrow ? " (the pack has no narrowband map)" : "");

	sm_fe_free(r.fe);
	if (r.vtln != NULL) {
		sm_vtln_free(r.vtln);
		sm_am_free(&am);
	}
	free(r.held);
	sm_close_stdout();
	return 0;
}

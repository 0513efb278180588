/*
 * fe.h: the acoustic front end of the CMU Sphinx models (sphinxbase "fe",
 * floating-point build): PCM -> MFCC cepstra, then cepstral mean
 * normalisation and the 1s_c_d_dd delta features.
 *
 * Parameters come from the model's feat.params over a table of the
 * sphinxbase defaults.  Everything streams frame by frame except batch CMN,
 * which the caller does over the whole utterance with sm_cmn_batch().
 */
#ifndef SM_FE_H
#define SM_FE_H

#include <stddef.h>
#include <stdint.h>

#define SM_FE_MAX_CEP 32
#define SM_FE_MAX_FILT 128

enum sm_cmn_mode { SM_CMN_NONE, SM_CMN_BATCH, SM_CMN_LIVE };

/* Which frames are narrowband (telephone audio, nothing above 4 kHz): none,
 * all, or those of the stretches whose spectrum says so. */
enum sm_band { SM_BAND_WIDE, SM_BAND_NARROW, SM_BAND_AUTO };

/* The log mel energies of a narrowband frame mapped to those of the same
 * frame recorded in wideband, learned on parallel recordings with the
 * filters of one warp: filters first .. nfilt-1 become
 * w[i - first][n_in] + sum_j w[i - first][j] * e[j] over the log energies
 * e[j], j < n_in, of the filters that carry signal; the filters below
 * first are left as they are. */
struct sm_fe_map {
	unsigned nfilt, first, n_in;
	double warp;
	float w[SM_FE_MAX_FILT][SM_FE_MAX_FILT + 1];
};
#define SM_FE_MAX_MAPS 9

/* Read the maps of a file (the pack's "narrowband", made by
 * models/nb-train.c), at most SM_FE_MAX_MAPS, for a front end of nfilt
 * filters; *n gets their number.  Returns 0, or -1 with a message in err. */
int sm_fe_map_read(struct sm_fe_map *m, unsigned *n, const char *path,
		   unsigned nfilt, char *err, size_t errlen);

struct sm_fe_params {
	unsigned samprate;	/* Hz */
	double frate;		/* frames per second */
	double wlen;		/* window length, seconds */
	unsigned nfft;
	float alpha;		/* pre-emphasis (float32, as sphinxbase) */
	float lowerf, upperf;	/* mel filterbank edges, Hz */
	unsigned nfilt, ncep, lifter;
	int remove_noise;
	double noise_floor;	/* dB of the noise floor below the loudest frame; 0 none */
	unsigned floor_back;	/* frames before a frame its loudest is taken from; 0 all */
	double warp;		/* frequency warp of the mel filters (VTLN); 1 none */
	enum sm_cmn_mode cmn;	/* the model's -cmn */
	float cmninit[SM_FE_MAX_CEP];
	unsigned n_cmninit;
	/* not from feat.params: the caller's choices */
	enum sm_band band;	/* frames whose log mel energies map applies to */
	const struct sm_fe_map *map;	/* n_map maps; a bank uses that of the */
	unsigned n_map;			/* nearest warp; none: no frame is mapped */
	int log_mel;		/* the callback gets the nfilt log mel energies */
	/* derived by sm_fe_params_read */
	unsigned frame_shift, frame_size;
};

/* Defaults of the Debian sphinxbase front end, then the keys of the
 * feat.params file at path.  Returns 0, or -1 with a message in err.
 * Settings this front end does not implement (e.g. -transform legacy,
 * -feat other than 1s_c_d_dd, -agc, -varnorm yes, -dither yes) are errors,
 * never silently ignored. */
int sm_fe_params_read(struct sm_fe_params *p, const char *path,
		      char *err, size_t errlen);

struct sm_fe;

/* A front end for these parameters; NULL when out of memory.
 * With p->noise_floor < 0, every frame's mel energies get those of the
 * expected power spectrum of a pink (1/f) noise, after pre-emphasis, whose
 * total is p->noise_floor dB below the loudest frame's among those up to
 * 1 s after it and p->floor_back frames before it (all before it when 0;
 * frames are held back 1 s for that), as if that noise had
 * been recorded with the speech: digital silence and prompts trimmed to
 * their first sample then look like the quiet rooms the model was trained
 * in, whatever the recording level. */
struct sm_fe *sm_fe_new(const struct sm_fe_params *p);
/* A front end with n filterbanks ("banks"), bank k's mel filters warped by
 * warps[k] instead of p->warp: one FFT per frame feeds them all, so the
 * features of several warps cost little more than those of one. */
struct sm_fe *sm_fe_new_banks(const struct sm_fe_params *p, const double *warps,
			      unsigned n);
/* From now on compute bank k only (its held frames are kept). */
void sm_fe_only(struct sm_fe *fe, unsigned bank);
void sm_fe_free(struct sm_fe *fe);

/* Called with each frame's ncep cepstra (c0 first) of the given bank (0
 * for sm_fe_new); frame by frame, and within a frame bank by bank.  With
 * p->log_mel, the nfilt log mel energies the cepstra would be made of. */
typedef void (*sm_fe_cb)(void *ctx, unsigned bank, const float *cep);

/* Feed n mono samples; cb runs for every complete frame. */
void sm_fe_push(struct sm_fe *fe, const int16_t *x, size_t n, sm_fe_cb cb,
		void *ctx);
/* End of the stream: the short tail frame of the leftover samples, if any. */
void sm_fe_end(struct sm_fe *fe, sm_fe_cb cb, void *ctx);
/* Whether the frame the callback is called with is narrowband. */
int sm_fe_frame_narrow(const struct sm_fe *fe);
/* Frames so far that were taken as narrowband, and all frames. */
void sm_fe_band_count(const struct sm_fe *fe, uint64_t *narrow, uint64_t *all);

/* ---- CMN -------------------------------------------------------------- */

/* Batch CMN in place over n frames of ncep: subtract the mean of the frames
 * with c0 >= 0 from every frame (all frames when none has c0 >= 0).  With
 * tau > 0 the mean is a MAP estimate that counts the first n_prior values of
 * prior (the model's cmninit) as tau frames more: a short input, mostly
 * speech, is not normalised to a speech-only mean the model never saw in
 * training, while a long one gets its own mean. */
void sm_cmn_batch(float *cep, size_t n, unsigned ncep, const float *prior,
		  unsigned n_prior, double tau);
/* The same mean, taken for each frame over the frames at most half frames
 * before or after it instead of the whole input: a recording of several
 * voices, rooms or levels is normalised by the stretch around each frame.
 * An input no longer than half + 1 frames gets sm_cmn_batch's mean for
 * every frame, as every input does with half 0.
 *
 * Frame by frame, as the frames come: sm_cmn_window_next normalises the
 * next frame of cep (the n frames so far, as they came: it never changes
 * them) into out and returns 1 once that frame's mean is certain, else 0.
 * It is certain when the frame half after it has come and some frame has
 * a c0 >= 0 (so the frames with c0 < 0 stay out of the means), or at the
 * end of the input (end: cep holds all of it).  The frames normalised are
 * those sm_cmn_batch would give, to the bit, with the whole input's mean. */
struct sm_cmn_window {
	unsigned ncep, n_prior;
	float prior[SM_FE_MAX_CEP];
	double tau;
	size_t half;
	size_t next;		/* the next frame to normalise */
	size_t base;		/* frames the caller has dropped: cep starts there */
	size_t scan;		/* frames looked at for a c0 >= 0 */
	int loud;		/* one found */
	int mode;		/* 0 not started, 1 windowed, 2 the whole input's */
	double sum[SM_FE_MAX_CEP];	/* mode 1: the window's sums */
	size_t used;			/* mode 1: the frames in them */
	float mean[SM_FE_MAX_CEP];	/* mode 2: the mean */
	int has_mean;			/* mode 2: whether any frame counted */
};
void sm_cmn_window_init(struct sm_cmn_window *w, unsigned ncep, const float *prior,
			unsigned n_prior, double tau, size_t half);
int sm_cmn_window_next(struct sm_cmn_window *w, const float *cep, size_t n,
		       int end, float *out);
/* The first frame the calls to come still read (counted from the input's
 * first): the frames before it may be dropped from the front of cep, which
 * sm_cmn_window_drop(w, k) then says (k frames dropped; cep starts k
 * frames later, n counts k fewer). */
size_t sm_cmn_window_needed(const struct sm_cmn_window *w);
void sm_cmn_window_drop(struct sm_cmn_window *w, size_t k);

/* Live CMN (a running mean started from cmninit, as sphinxbase cmn_live). */
struct sm_cmn_live {
	unsigned ncep;
	float mean[SM_FE_MAX_CEP], sum[SM_FE_MAX_CEP];	/* float32, as cmn_live */
	unsigned nframe;
};
void sm_cmn_live_init(struct sm_cmn_live *c, const struct sm_fe_params *p);
void sm_cmn_live_frame(struct sm_cmn_live *c, float *cep);

/* ---- 1s_c_d_dd -------------------------------------------------------- */

/* Streaming delta features: push ncep cepstra per frame, get 3*ncep values
 * [c, d, dd] per frame three frames later; the first and last frames are
 * replicated three times at the edges. */
struct sm_deltas {
	unsigned ncep;
	float ring[7][SM_FE_MAX_CEP];	/* frames t-3..t+3 */
	size_t n_in, n_out;
};
typedef void (*sm_feat_cb)(void *ctx, const float *feat);
void sm_deltas_init(struct sm_deltas *d, unsigned ncep);
void sm_deltas_push(struct sm_deltas *d, const float *cep, sm_feat_cb cb,
		    void *ctx);
void sm_deltas_end(struct sm_deltas *d, sm_feat_cb cb, void *ctx);

#endif

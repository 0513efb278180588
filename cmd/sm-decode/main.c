/* sm-decode: decode an audio file into a PCM stream (int16, 16 kHz, mono). */
#include <getopt.h>
#include <math.h>
#include <samplerate.h>
#include <stdlib.h>
#include <string.h>

#include "sm.h"
#include "decode.h"

#define BLOCK 4096		/* input frames per read */
#define MAX_CHANNELS 1024	/* libsndfile's own ceiling */

static const char usage[] =
	"sm-decode: decode an audio file (WAV, FLAC, Ogg, Opus, MP3, AIFF...) into a PCM stream\n"
	"Usage: sm-decode [-r RATE] [-q QUALITY] [-c N | --all-channels] [-T VOLUME [--volume-hold MS]] [--keep-zeros] [--info] [--name NAME] [FILE | -]\n"
	"e.g.:  sm-decode speech.mp3 | sm-features | sm-dump -n 3\n"
	"  -r, --rate HZ           output sample rate, 8000 to 192000 (default 16000)\n"
	"  -q, --quality Q         resampler: best, medium, fastest, linear (default medium)\n"
	"  -c, --channel N         keep only channel N, from 1 (default: mix all to mono)\n"
	"  -a, --all-channels      keep every channel, interleaved (default: mono mix)\n"
	"  -T, --volume-threshold V  0..100: silence each 10 ms of a channel whose volume\n"
	"                          (100 x RMS / 32768) is below V (default 0: none)\n"
	"      --volume-hold MS    0..1000: keep a chunk within MS of one at or above\n"
	"                          the threshold, before or after (default 200)\n"
	"      --keep-zeros        leave digital silence as it is (default: a run of\n"
	"                          samples near zero, all within 4 of each other, goes\n"
	"                          on as faint noise after its first 10 ms)\n"
	"  -i, --info              print the input's format as 'key: value' lines, no stream\n"
	"                          (with --max-seconds: refuse audio longer than that)\n"
	"      --name NAME         the input's name in messages (default: FILE, or\n"
	"                          <stdin>), as a caller that feeds it through a pipe knows it\n"
	"      --max-bytes N       largest input accepted (default 4294967296)\n"
	"      --max-seconds S     longest audio accepted (default 7200)\n"
	"  -v, --verbose           report what is done on stderr\n"
	"  -h, --help              show this help\n"
	"      --version           show the version\n";

struct opts {
	long rate;
	int quality;
	long channel;		/* 0 = mix, -1 = all, else 1-based */
	int info;
	uint64_t max_bytes;
	double max_seconds;
	double threshold;	/* --volume-threshold, 0 none */
	long hold;		/* --volume-hold, ms */
	int keep_zeros;		/* --keep-zeros */
	const char *name;	/* --name: the input in messages */
	int max_seconds_given;	/* --max-seconds: --info checks it too */
};

static int
parse_quality(const char *s)
{
	static const struct { const char *name; int q; } tab[] = {
		{"best", SRC_SINC_BEST_QUALITY}, {"medium", SRC_SINC_MEDIUM_QUALITY},
		{"fastest", SRC_SINC_FASTEST}, {"linear", SRC_LINEAR},
	};
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (strcmp(s, tab[i].name) == 0)
			return tab[i].q;
	sm_die(SM_EX_USAGE, "--quality: expected best, medium, fastest or linear, got '%s'", sm_clip(s));
}

static const char *
format_name(int fmt, int cmd)
{
	SF_FORMAT_INFO fi = { .format = fmt };

	if (sf_command(NULL, cmd, &fi, sizeof fi) != 0 || fi.name == NULL)
		return "unknown";
	return fi.name;
}

static void
print_info(const SF_INFO *si)
{
	printf("format: %s\n", format_name(si->format & SF_FORMAT_TYPEMASK,
					   SFC_GET_FORMAT_INFO));
	printf("subtype: %s\n", format_name(si->format & SF_FORMAT_SUBMASK,
					    SFC_GET_FORMAT_INFO));
	printf("rate: %d\n", si->samplerate);
	printf("channels: %d\n", si->channels);
	printf("frames: %lld\n", (long long)si->frames);
	printf("duration: %.3f\n", (double)si->frames / si->samplerate);
}

/* Die 65 when frames at rate are longer than --max-seconds. */
static void
check_length(const char *name, sf_count_t frames, int rate, const struct opts *o)
{
	if ((double)frames / rate > o->max_seconds)
		sm_die(SM_EX_DATAERR, "%s: audio is %.0f s long, more than %g s "
		       "(raise --max-seconds)", name, (double)frames / rate, o->max_seconds);
}

/* Reject what libsndfile opened but we cannot trust or do not accept.  The
 * frame count is checked here when the input announces it (frames >= 0),
 * else while it is read. */
static void
check_info(const char *name, const SF_INFO *si, sf_count_t frames,
	   const struct opts *o)
{
	if (si->samplerate < 8000 || si->samplerate > 192000)
		sm_die(SM_EX_DATAERR, "%s: unsupported sample rate %d Hz (8000 to 192000)",
		       name, si->samplerate);
	if (si->channels < 1 || si->channels > MAX_CHANNELS)
		sm_die(SM_EX_DATAERR, "%s: unsupported channel count %d (1 to %d)",
		       name, si->channels, MAX_CHANNELS);
	if (frames >= 0) {
		if (frames == 0)
			sm_die(SM_EX_DATAERR, "%s: no audio frames", name);
		if (frames == SF_COUNT_MAX)
			sm_die(SM_EX_DATAERR, "%s: cannot find the audio length "
			       "(truncated or damaged file)", name);
		check_length(name, frames, si->samplerate, o);
	}
	if (o->channel > si->channels)
		sm_die(SM_EX_DATAERR, "%s: --channel %ld: the input has %d channel%s",
		       name, o->channel, si->channels, si->channels == 1 ? "" : "s");
}

/* Read the next block of an input of known length: exactly n frames, or
 * die: an input may announce more frames than it holds, and a short stream
 * must not pass as a complete one. */
static void
read_block(struct dec_in *d, float *buf, sf_count_t n, sf_count_t done)
{
	sf_count_t got = dec_read(d, buf, n);

	if (got < n)
		dec_short(d, done + got);
}

/* Reduce interleaved frames to the output channels, in place. */
static void
select_channels(float *buf, sf_count_t n, int nch, long channel)
{
	if (channel < 0 || nch == 1)
		return;
	for (sf_count_t t = 0; t < n; t++) {
		const float *f = buf + t * nch;
		float v;

		if (channel > 0) {
			v = f[channel - 1];
		} else {
			double s = 0;

			for (int c = 0; c < nch; c++)
				s += f[c];
			v = (float)(s / nch);
		}
		buf[t] = v;
	}
}

/* The options, checked before the input is opened. */
static void
parse_options(struct opts *o, const char **path, int argc, char **argv)
{
	static const struct option lopts[] = {
		{"rate", required_argument, NULL, 'r'},
		{"quality", required_argument, NULL, 'q'},
		{"channel", required_argument, NULL, 'c'},
		{"all-channels", no_argument, NULL, 'a'},
		{"info", no_argument, NULL, 'i'},
		{"volume-threshold", required_argument, NULL, 'T'},
		{"volume-hold", required_argument, NULL, 'H'},
		{"keep-zeros", no_argument, NULL, 'Z'},
		{"name", required_argument, NULL, 'N'},
		{"max-bytes", required_argument, NULL, 'B'},
		{"max-seconds", required_argument, NULL, 'S'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	int c;

	while ((c = getopt_long(argc, argv, "r:q:c:aiT:vh", lopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->rate = sm_opt_long("--rate", optarg, 8000, 192000); break;
		case 'q': o->quality = parse_quality(optarg); break;
		case 'c': o->channel = sm_opt_long("--channel", optarg, 1, MAX_CHANNELS); break;
		case 'a': o->channel = -1; break;
		case 'i': o->info = 1; break;
		case 'T': o->threshold = sm_opt_double("--volume-threshold", optarg, 0, 100); break;
		case 'H': o->hold = sm_opt_long("--volume-hold", optarg, 0, 1000); break;
		case 'Z': o->keep_zeros = 1; break;
		case 'N': o->name = optarg; break;
		case 'B': o->max_bytes = (uint64_t)sm_opt_long("--max-bytes", optarg, 1,
							   (long)1 << 40); break;
		case 'S':
			o->max_seconds = sm_opt_double("--max-seconds", optarg, 0.001, 1e7);
			o->max_seconds_given = 1;
			break;
		case 'v': sm_verbose = 1; break;
		case 'h': sm_usage_exit(usage, 1);
		case 'V': sm_version_exit();
		default: sm_usage_exit(usage, 0);
		}
	}
	if (argc - optind > 1)
		sm_usage_exit(usage, 0);
	*path = optind < argc ? argv[optind] : NULL;
}

/* The exact output length when the input announces its own (total >= 0):
 * round(frames * out / in).  Resampled output is trimmed or zero-padded
 * to it, so the header never lies. */
static uint64_t
plan(const char *name, const SF_INFO *si, sf_count_t total, const struct opts *o)
{
	uint64_t n_out = 0;

	if (total >= 0) {
		n_out = ((uint64_t)total * (uint64_t)o->rate + (uint64_t)si->samplerate / 2) /
			(uint64_t)si->samplerate;
		sm_info("%s: %d Hz, %d channel(s), %lld frames -> %llu frames at %ld Hz",
			name, si->samplerate, si->channels, (long long)total,
			(unsigned long long)n_out, o->rate);
	} else {
		sm_info("%s: %d Hz, %d channel(s), length not announced: read to the "
			"end -> %ld Hz", name, si->samplerate, si->channels, o->rate);
	}
	return n_out;
}

/* The blocks read and written, and the resampler between (when the rates
 * differ). */
struct conv {
	int nch, dim;
	float *cur, *nxt, *res;
	unsigned char *out;
	size_t res_cap;
	SRC_STATE *src;
	struct gate gate;
};

static void
conv_init(struct conv *cv, const SF_INFO *si, const struct opts *o)
{
	int err, dim;

	memset(cv, 0, sizeof *cv);
	cv->nch = si->channels;
	cv->dim = dim = o->channel < 0 ? cv->nch : 1;
	gate_init(&cv->gate, o->threshold, o->hold, dim, o->rate, o->keep_zeros);
	cv->cur = malloc(sizeof(float) * BLOCK * (size_t)cv->nch);
	cv->nxt = malloc(sizeof(float) * BLOCK * (size_t)cv->nch);
	cv->out = malloc(2 * (size_t)BLOCK * 8 * (size_t)dim + 2 * (size_t)dim);
	if (cv->cur == NULL || cv->nxt == NULL || cv->out == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	if (o->rate != si->samplerate) {
		cv->src = src_new(o->quality, dim, &err);
		if (cv->src == NULL)
			sm_die(SM_EX_SOFTWARE, "libsamplerate: %s", src_strerror(err));
		/* Output per block is at most BLOCK * ratio, plus slack. */
		cv->res_cap = (size_t)ceil((double)BLOCK * o->rate / si->samplerate) + 64;
		cv->res = malloc(sizeof(float) * cv->res_cap * (size_t)dim);
		free(cv->out);
		cv->out = malloc(2 * cv->res_cap * (size_t)dim);
		if (cv->res == NULL || cv->out == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
	}
}

static void
conv_free(struct conv *cv)
{
	if (cv->src)
		src_delete(cv->src);
	free(cv->cur);
	free(cv->nxt);
	free(cv->res);
	free(cv->out);
}

/* Decode, mix or pick channels, resample and write the PCM stream: its
 * header, then every block, then the padding to n_out. */
static void
convert(struct dec_in *d, struct conv *cv, const SF_INFO *si, const struct opts *o,
	const char *name, sf_count_t total, uint64_t n_out)
{
	float *cur = cv->cur, *nxt = cv->nxt, *res = cv->res;
	unsigned char *out = cv->out;
	SRC_STATE *src = cv->src;
	size_t res_cap = cv->res_cap;
	int nch = cv->nch, dim = cv->dim, err, hdr_done = 0;
	struct sm_stream_hdr h;
	uint64_t written = 0;
	sf_count_t done = 0, n, nn = 0;

	/* Blocks of BLOCK frames, the last one shorter, whether or not the
	 * length is announced.  When it is not, the next block is read ahead:
	 * a short one means the end is near, and the length known. */
	if (total >= 0) {
		n = total < BLOCK ? total : BLOCK;
		read_block(d, cur, n, 0);
	} else {
		n = dec_read(d, cur, BLOCK);
	}
	for (;;) {
		int eof;

		if (total < 0) {
			if (n < BLOCK)
				total = done + n;
			else if ((nn = dec_read(d, nxt, BLOCK)) < BLOCK)
				total = done + n + nn;
			/* Checked before the header: no output for no audio. */
			if (total == 0)
				sm_die(SM_EX_DATAERR, "%s: no audio frames", name);
			if ((double)(done + n + nn) / si->samplerate > o->max_seconds)
				sm_die(SM_EX_DATAERR, "%s: audio is longer than %g s "
				       "(raise --max-seconds)", name, o->max_seconds);
			if (total >= 0)
				n_out = ((uint64_t)total * (uint64_t)o->rate +
					 (uint64_t)si->samplerate / 2) / (uint64_t)si->samplerate;
		}
		if (!hdr_done) {
			/* n_frames 0 (unknown) when the input did not announce it. */
			sm_hdr_init(&h, SM_KIND_PCM, SM_S16, (uint32_t)o->rate, (uint32_t)dim, 1);
			h.n_frames = d->frames >= 0 ? n_out : 0;
			/* Telephone audio, or made so: nothing above 4 kHz was
			 * recorded or is left (sm-features --band auto). */
			if (si->samplerate <= 8000 || o->rate <= 8000)
				h.flags |= SM_FLAG_NARROWBAND;
			if (sm_hdr_write(stdout, &h) != 0)
				sm_die_errno(SM_EX_IOERR, "<stdout>");
			hdr_done = 1;
		}
		select_channels(cur, n, nch, o->channel);
		done += n;
		eof = total >= 0 && done >= total;
		if (src == NULL) {
			gate_write(&cv->gate, cur, (size_t)n, out);
			written += (uint64_t)n;
		} else {
			/* Feed this block until the resampler has consumed it all;
			 * with the last one, drain its tail. */
			SRC_DATA sd = {
				.data_in = cur, .input_frames = n, .data_out = res,
				.output_frames = (long)res_cap, .end_of_input = eof,
				.src_ratio = (double)o->rate / si->samplerate,
			};
			for (;;) {
				uint64_t keep;

				if ((err = src_process(src, &sd)) != 0)
					sm_die(SM_EX_SOFTWARE, "libsamplerate: %s", src_strerror(err));
				keep = (uint64_t)sd.output_frames_gen;
				/* Until the length is known the resampler lags its
				 * input by far more than it could overshoot. */
				if (total >= 0 && keep > n_out - written)
					keep = n_out - written;
				gate_write(&cv->gate, res, (size_t)keep, out);
				written += keep;
				sd.data_in += (size_t)sd.input_frames_used * dim;
				sd.input_frames -= sd.input_frames_used;
				if (sd.input_frames == 0 && (!eof || sd.output_frames_gen == 0))
					break;
			}
		}
		if (eof)
			break;
		if (d->frames < 0) {
			float *t = cur;

			cur = nxt;
			nxt = t;
			n = nn;
			nn = 0;
		} else {
			n = total - done < BLOCK ? total - done : BLOCK;
			read_block(d, cur, n, done);
		}
	}
	gate_end(&cv->gate);
	/* The resampler's tail may fall a frame or two short of the rounded
	 * length: pad with silence so the count matches the header. */
	memset(out, 0, 2 * (size_t)dim);
	while (written < n_out) {
		sm_write_stdout(out, 2 * (size_t)dim);
		written++;
	}
	cv->cur = cur;
	cv->nxt = nxt;
}

int
main(int argc, char **argv)
{
	struct opts o = { 16000, SRC_SINC_MEDIUM_QUALITY, 0, 0,
			  (uint64_t)4 << 30, 7200, 0, 200, 0, NULL, 0 };
	struct dec_in d;
	struct conv cv;
	SF_INFO si;
	const char *path, *name;
	sf_count_t total;
	uint64_t n_out;

	sm_init(argv[0]);
	parse_options(&o, &path, argc, argv);
	name = o.name ? o.name : sm_name(path);
	dec_open(&d, path, name, o.max_bytes);
	si = d.info;
	if (o.info) {
		/* A streamed WAV is read to its end: the count, and the check
		 * that its data is all there, as for a file. */
		si.frames = dec_count(&d);
		/* with --max-seconds, a length over it is refused as it would
		 * be when decoded (sm-transcribe asks before the job starts) */
		if (o.max_seconds_given && si.samplerate > 0)
			check_length(name, si.frames, si.samplerate, &o);
		dec_end(&d);
		print_info(&si);
		sm_close_stdout();
		return 0;
	}
	total = d.frames;	/* < 0: not announced, known near the end */
	check_info(name, &si, total, &o);
	n_out = plan(name, &si, total, &o);
	conv_init(&cv, &si, &o);
	convert(&d, &cv, &si, &o, name, total, n_out);
	conv_free(&cv);
	dec_end(&d);
	sm_close_stdout();
	return 0;
}

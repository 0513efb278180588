/* sm-volume: label each word of a best path with its volume. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sm.h"

static const char usage[] =
	"sm-volume: label the words of a #sm-hyp 1 best path with their volume (0..100)\n"
	"Usage: sm-volume -A PCM [HYP | -]\n"
	"e.g.:  sm-decode talk.wav | tee /dev/shm/a | sm-features | sm-am | sm-lattice |\n"
	"         sm-volume -A /dev/shm/a | sm-format\n"
	"  -A, --audio FILE   the PCM stream of the same audio, mono (a FIFO works)\n"
	"  -h, --help         show this help\n"
	"      --version      show the version\n";

/* The volume of each 10 ms chunk of the audio: 100 x RMS / 32768, the
 * scale of sm-decode --volume-threshold.  Four bytes per chunk: 2.9 MB
 * for two hours. */
struct vols {
	float *v;
	long n, cap;
	double rate, off;	/* chunks per second; chunk of time 0 */
};

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

static void
read_volumes(const char *path, struct vols *c)
{
	FILE *in = sm_open_in(path);
	struct sm_stream_hdr h;
	unsigned char *buf;
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
	if ((buf = malloc(2 * 4096)) == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	while ((n = sm_read_full(in, buf, 2 * 4096)) > 0) {
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
	free(buf);
	if (in != stdin)
		fclose(in);
}

/* A word's volume: the mean of the volumes of its chunks, each weighted by
 * itself (sum v^2 / sum v).  Silence has weight 0, so a pause inside a
 * word, or the chunks sm-decode --volume-threshold silenced, do not pull
 * the volume down; among the chunks that sound, the loud ones count most,
 * as they do for a listener.  0 when every chunk is silent. */
static double
word_volume(const struct vols *c, double start, double end)
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

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"audio", required_argument, NULL, 'A'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	struct sm_slurp hyp;
	struct sm_hyp hp = {0};
	struct vols c = {0};
	const char *audio = NULL, *name = NULL;
	int ch;

	sm_init(argv[0]);
	while ((ch = getopt_long(argc, argv, "A:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'A': audio = optarg; break;
		case 'h': sm_usage_exit(usage, 1);
		case 'V': sm_version_exit();
		default: sm_usage_exit(usage, 0);
		}
	}
	if (argc - optind > 1)
		sm_usage_exit(usage, 0);
	if (audio == NULL) {
		sm_warn("--audio: missing (the PCM stream of the same audio)");
		sm_usage_exit(usage, 0);
	}
	if (optind < argc)
		name = argv[optind];
	if (strcmp(audio, "-") == 0 && (name == NULL || strcmp(name, "-") == 0)) {
		sm_warn("--audio -: stdin already carries the hypothesis");
		sm_usage_exit(usage, 0);
	}
	/* The hypothesis is read on a thread while the audio is read here:
	 * both may come from one pipeline (sm_slurp_start). */
	sm_slurp_start(&hyp, sm_open_in(name));
	read_volumes(audio, &c);
	sm_hyp_parse(&hp, sm_slurp_end(&hyp, name), name, "volume");

	/* Words past the end of the audio: not the same recording. */
	for (long i = 0; i < hp.n; i++) {
		const struct sm_hyp_line *l = &hp.v[i];

		if (l->word >= 0 && l->start * c.rate - c.off > c.n + 1)
			sm_die(SM_EX_DATAERR, "%s: line %ld: a word at %.3f s, after the "
			       "end of the audio (%.3f s): not the same recording?",
			       sm_name(name), i + 1, l->start, (c.n + c.off) / c.rate);
	}
	for (long i = 0; i < hp.n; i++) {
		const struct sm_hyp_line *l = &hp.v[i];

		fputs(l->text, stdout);
		if (l->word >= 0)
			printf("\tvolume=%.2f", word_volume(&c, l->start, l->end));
		putchar('\n');
	}
	sm_close_stdout();
	return 0;
}

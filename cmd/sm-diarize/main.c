/* sm-diarize: label each word of a best path with its speaker. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "diar.h"
#include "sm.h"

static const char usage[] =
	"sm-diarize: label the words of a #sm-hyp 1 best path with their speakers\n"
	"Usage: sm-diarize -F FEAT [-s S] [-p] [-n N] [HYP | -]\n"
	"e.g.:  sm-decode talk.wav | sm-features | tee /dev/shm/f | sm-am | sm-lattice |\n"
	"         sm-diarize -F /dev/shm/f | sm-format -f txt\n"
	"  -F, --features FILE      the FEAT stream of the same audio (a FIFO works)\n"
	"  -s, --sensitivity S      0..1: higher finds more speakers (default 0.5)\n"
	"  -p, --prefer-current-speaker  fewer, longer turns\n"
	"  -n, --max-speakers N     at most N speakers (default 20)\n"
	"  -h, --help               show this help\n"
	"      --version            show the version\n";

struct feats {
	float *x;
	long n, cap;
};

static void
feats_push(struct feats *f, const float *c)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 1 << 14;
		if ((f->x = realloc(f->x, (size_t)f->cap * DIAR_DIM * sizeof *f->x)) == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
	}
	memcpy(f->x + (size_t)f->n * DIAR_DIM, c, DIAR_DIM * sizeof *c);
	f->n++;
}

/* c1..c12 of every frame of the FEAT stream. */
static float *
read_features(const char *path, struct sm_stream_hdr *h, long *nframes)
{
	FILE *in = sm_open_in(path);
	struct feats f = {0};
	float *frame;

	sm_hdr_read_or_die(in, path, h, SM_KIND_FEAT);
	if (h->sample_type != SM_F32 || h->dim < DIAR_DIM + 1)
		sm_die(SM_EX_DATAERR, "%s: expected float FEAT frames of at least %d "
		       "cepstra, got dim %u", sm_name(path), DIAR_DIM + 1, h->dim);
	if ((frame = malloc(h->dim * sizeof *frame)) == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	while (sm_floats_read(in, path, frame, h->dim))
		feats_push(&f, frame + 1);
	free(frame);
	if (in != stdin)
		fclose(in);
	*nframes = f.n;
	return f.x;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"features", required_argument, NULL, 'F'},
		{"sensitivity", required_argument, NULL, 's'},
		{"prefer-current-speaker", no_argument, NULL, 'p'},
		{"max-speakers", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	struct diar_opts o = {0.5, 0, 20};
	struct sm_stream_hdr h;
	struct sm_slurp hyp;
	struct sm_hyp hp = {0};
	struct diar_word *w;
	const char *feat = NULL, *name = NULL;
	long nframes, i, wi;
	float *x;
	int *label, c, prev;

	sm_init(argv[0]);
	while ((c = getopt_long(argc, argv, "F:s:pn:h", opts, NULL)) != -1) {
		switch (c) {
		case 'F': feat = optarg; break;
		case 's': o.sensitivity = sm_opt_double("--sensitivity", optarg, 0, 1); break;
		case 'p': o.prefer_current = 1; break;
		case 'n': o.max_speakers = (int)sm_opt_long("--max-speakers", optarg, 1, 100); break;
		case 'h': sm_usage_exit(usage, 1);
		case 'V': sm_version_exit();
		default: sm_usage_exit(usage, 0);
		}
	}
	name = sm_hyp_operand("--features", feat, "FEAT", argc, argv, optind, usage);
	/* The hypothesis is read on a thread while the features are read
	 * here: both may come from one pipeline (sm_slurp_start). */
	sm_slurp_start(&hyp, sm_open_in(name));
	x = read_features(feat, &h, &nframes);
	sm_hyp_parse(&hp, sm_slurp_end(&hyp, name), name, "speaker");
	w = calloc(hp.words + 1, sizeof *w);
	label = calloc(hp.words + 1, sizeof *label);
	if (w == NULL || label == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	hyp_frames(&hp, (double)h.sample_rate / h.frame_shift,
		   (double)h.start_sample / h.frame_shift, nframes, w);
	diar_run(x, nframes, w, hp.words, &o, label);

	/* Every item gets a speaker: a word its own, a pause or a noise the
	 * speaker of the word before it (of the first word, before any). */
	prev = hp.words > 0 ? label[0] : -1;
	for (i = 0, wi = 0; i < hp.n; i++) {
		struct sm_hyp_line *l = &hp.v[i];

		fputs(l->text, stdout);
		if (l->item) {
			if (l->word >= 0)
				prev = label[wi++];
			if (prev >= 0)
				printf("\tspeaker=S%d", prev + 1);
			else
				fputs("\tspeaker=UU", stdout);
		}
		putchar('\n');
	}
	sm_close_stdout();
	return 0;
}

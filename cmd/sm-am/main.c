/* sm-am: score FEAT frames against the acoustic model; write LOGLIK. */
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "am.h"
#include "image.h"
#include "s3.h"
#include "sm.h"

static const char usage[] =
	"sm-am: log-likelihoods of every senone for each feature frame (FEAT -> LOGLIK)\n"
	"Usage: sm-am [-a] [-l LANG] [-m DIR] [-M MEANS] [-N N] [-b FRAMES] [-t N]\n"
	"             [--no-image] [FILE | -]\n"
	"       sm-am [-l LANG] [-m DIR] --build-image FILE | --check-image\n"
	"e.g.:  sm-decode speech.wav | sm-features | sm-am | sm-lattice\n"
	"  -m, --model DIR     language pack directory (default: $SM_MODELS/LANG)\n"
	"  -l, --lang LANG     language of the installed pack (default en)\n"
	"  -M, --means FILE    the Gaussian means of FILE (the model's means format,\n"
	"                      e.g. adapted by sm-adapt --means; a FIFO works; -: at\n"
	"                      the start of standard input, before the FEAT stream)\n"
	"                      instead of the model's (default: the model's)\n"
	"  -N, --topn N        only the N best Gaussians of each codebook and stream\n"
	"                      (pocketsphinx -topn; default 0: all, exact)\n"
	"  -a, --absolute      do not subtract each frame's maximum\n"
	"  -b, --block N       frames scored together (default 128)\n"
	"  -t, --threads N     score N blocks at once, one thread each (default 1)\n"
	"      --no-image      read the model files, not the pack's acoustic image\n"
	"      --build-image FILE  write the pack's acoustic image to FILE and exit\n"
	"      --check-image   check all of the pack's acoustic image and exit\n"
	"  -v, --verbose       report the model and the frame count on stderr\n"
	"  -h, --help          show this help\n"
	"      --version       show the version\n";

/* One block of frames and its scorer: a unit of work for a thread. */
struct job {
	struct sm_am_scorer *sc;
	float *feat, *out;
	int n, sub_max, rc;
};

static void *
score_job(void *arg)
{
	struct job *j = arg;

	j->rc = j->n > 0 ? sm_am_score(j->sc, j->feat, j->n, j->out, j->sub_max) : 0;
	return NULL;
}

/* The model: from the pack's acoustic image when it names one, else (or
 * with --no-image) from the model files. */
static void
load(struct sm_am *am, const struct sm_pack *pack, int no_image)
{
	char err[8400];
	int rc = sm_am_open_pack(am, pack, no_image, err, sizeof(err));

	if (rc == -2)
		sm_image_refuse(pack, SM_IMAGE_AM, err, "--no-image reads the model files");
	if (rc != 0)
		sm_die(SM_EX_CONFIG, "%s", err);
}

/* --means: the s3 file (a FIFO works: sm-adapt writes it; "-": at the
 * start of standard input, the FEAT stream after it), then the tables
 * that depend on the means. */
static void
set_means(struct sm_am *am, FILE *in, const char *path)
{
	struct sm_s3_gau mean;
	char err[8400];

	if (sm_s3_gau_fread(&mean, in, sm_name(path), err, sizeof(err)) != 0 ||
	    sm_am_set_means(am, &mean, sm_name(path), err, sizeof(err)) != 0)
		sm_die(SM_EX_DATAERR, "%s", err);
	if (in != stdin) {
		if (getc(in) != EOF)
			sm_die(SM_EX_DATAERR, "%s: trailing data after the means", path);
		fclose(in);
	}
	sm_s3_gau_free(&mean);
}

/* --check-image (sm_image_check_pack): the checks of every start, then
 * the checksum of the whole image. */
static int
check(void *arg, const char *path, const uint64_t fp[SM_IMAGE_FP], char *err,
      size_t errlen)
{
	struct sm_am am;
	int rc;

	(void)arg;
	if (sm_am_open(&am, path, fp, err, errlen) != 0)
		return -1;
	rc = sm_am_check(&am, path, err, errlen);
	sm_am_free(&am);
	return rc != 0 ? -1 : 0;
}

/* --build-image: the tables from the model files, written whole
 * (sm_image_write). */
static int
write_image(const struct sm_pack *pack, const char *file)
{
	struct sm_am am;
	uint64_t fp[SM_IMAGE_FP];
	char err[8400];

	if (sm_image_fingerprint(pack, SM_IMAGE_AM, fp, err, sizeof(err)) != 0 ||
	    sm_am_load(&am, pack->hmm, err, sizeof(err)) != 0)
		sm_die(SM_EX_CONFIG, "%s", err);
	if (sm_am_save(&am, file, fp, err, sizeof(err)) != 0)
		sm_die(SM_EX_IOERR, "%s", err);
	sm_info("%s: acoustic image of %s written (%zu bytes)", file, pack->hmm,
		am.blob_size);
	sm_am_free(&am);
	return 0;
}

/* The options, checked before anything is loaded. */
struct opts {
	const char *model, *lang, *path, *build_image, *means;
	long topn, block, threads;
	int absolute, no_image, check_image;
};

static void
parse_options(struct opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{"model", required_argument, NULL, 'm'},
		{"lang", required_argument, NULL, 'l'},
		{"means", required_argument, NULL, 'M'},
		{"topn", required_argument, NULL, 'N'},
		{"absolute", no_argument, NULL, 'a'},
		{"block", required_argument, NULL, 'b'},
		{"threads", required_argument, NULL, 't'},
		{"no-image", no_argument, NULL, 'I'},
		{"build-image", required_argument, NULL, 'B'},
		{"check-image", no_argument, NULL, 'C'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	int c;

	memset(o, 0, sizeof *o);
	o->lang = "en";
	o->block = 128;
	while ((c = getopt_long(argc, argv, "m:l:M:N:ab:t:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'm': o->model = optarg; break;
		case 'l': o->lang = optarg; break;
		case 'M': o->means = optarg; break;
		case 'N': o->topn = sm_opt_long("--topn", optarg, 0, SM_AM_MAX_TOPN); break;
		case 'a': o->absolute = 1; break;
		case 'b': o->block = sm_opt_long("--block", optarg, 1, 4096); break;
		case 't': o->threads = sm_opt_long("--threads", optarg, 1, 256); break;
		case 'I': o->no_image = 1; break;
		case 'B': o->build_image = optarg; break;
		case 'C': o->check_image = 1; break;
		case 'v': sm_verbose = 1; break;
		case 'h': sm_usage_exit(usage, 1);
		case 'V': sm_version_exit();
		default: sm_usage_exit(usage, 0);
		}
	}
	if (argc - optind > 1)
		sm_usage_exit(usage, 0);
	o->path = optind < argc ? argv[optind] : NULL;
	sm_image_options_alone(o->build_image, o->check_image, o->path);
}

/* Parallelism is ours (blocks on threads), never BLAS's: its threads
 * only slow down these small matrix products.  OPENBLAS_NUM_THREADS
 * is still honoured when --threads is not given.  OpenBLAS started
 * its threads before main; stopped now, as they would otherwise spin
 * (sched_yield) on the other cores for as long as a short run lasts. */
static void
blas_single_thread(long threads)
{
	if (threads > 0 || getenv("OPENBLAS_NUM_THREADS") == NULL)
		sm_am_blas_one_thread();
}

/* Score the FEAT stream of path, block by block on the threads, and write
 * the LOGLIK stream. */
static void
score_input(const struct sm_am *am, const struct opts *o, const char *path)
{
	long block = o->block, threads = o->threads < 1 ? 1 : o->threads, topn = o->topn;
	struct sm_stream_hdr h, out;
	struct job *jobs;
	pthread_t *tid;
	long i;
	int eof, header_done = 0;
	uint64_t total = 0;
	FILE *in;

	in = sm_open_in(path);
	sm_hdr_read_or_die(in, path, &h, SM_KIND_FEAT);
	if (h.sample_type != SM_F32)
		sm_die(SM_EX_DATAERR, "%s: FEAT stream must be float32", sm_name(path));
	if (h.dim != (uint32_t)am->dim)
		sm_die(SM_EX_DATAERR, "%s: FEAT stream has dimension %u, the acoustic "
		       "model expects %d", sm_name(path), h.dim, am->dim);

	/* Working space for the input's length when the header gives it
	 * (most files are shorter than a block): fewer fresh pages to fault
	 * in, the scores unchanged. */
	if (h.n_frames > 0 && h.n_frames < (uint64_t)block * threads)
		block = (long)((h.n_frames + (uint64_t)threads - 1) / (uint64_t)threads);
	jobs = calloc((size_t)threads, sizeof(*jobs));
	tid = calloc((size_t)threads, sizeof(*tid));
	if (jobs == NULL || tid == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	for (i = 0; i < threads; i++) {
		jobs[i].sc = sm_am_scorer_new(am, (int)block, (int)topn);
		jobs[i].feat = malloc((size_t)block * am->dim * sizeof(float));
		/* 2.6 MB for 128 frames, written whole for every block: in
		 * huge pages, a few faults instead of 640 of 4 KB (more CPU
		 * than the scoring of a short file on a virtual machine). */
		jobs[i].out = sm_big_alloc((size_t)block * am->n_sen * sizeof(float));
		jobs[i].sub_max = !o->absolute;
		if (!jobs[i].sc || !jobs[i].feat || !jobs[i].out)
			sm_die(SM_EX_SOFTWARE, "out of memory");
	}

	out = h;
	sm_hdr_init(&out, SM_KIND_LOGLIK, SM_F32, h.sample_rate, (uint32_t)am->n_sen,
		    h.frame_shift);
	out.start_sample = h.start_sample;
	out.n_frames = h.n_frames;
	out.flags = o->absolute ? 0 : SM_FLAG_MAX_SUBTRACTED;

	for (eof = 0; !eof;) {
		/* Read up to one block per thread, score them at once, write
		 * them in order. */
		for (i = 0; i < threads; i++) {
			struct job *j = &jobs[i];

			for (j->n = 0; !eof && j->n < block;) {
				if (sm_floats_read(in, path, j->feat + (size_t)j->n * am->dim,
						   (size_t)am->dim))
					j->n++;
				else
					eof = 1;
			}
		}
		for (i = 1; i < threads; i++)
			if (pthread_create(&tid[i], NULL, score_job, &jobs[i]) != 0)
				sm_die(SM_EX_SOFTWARE, "cannot start a thread");
		score_job(&jobs[0]);
		for (i = 1; i < threads; i++)
			pthread_join(tid[i], NULL);
		for (i = 0; i < threads; i++) {
			struct job *j = &jobs[i];

			if (j->rc != 0)
				sm_die(SM_EX_DATAERR, "%s: frame %llu..%llu: feature value "
				       "is not finite", sm_name(path),
				       (unsigned long long)total,
				       (unsigned long long)(total + j->n - 1));
			/* The header goes out with the first block, so that an
			 * input that fails in its first blocks leaves stdout
			 * empty. */
			if (!header_done) {
				if (sm_hdr_write(stdout, &out) != 0)
					sm_die_errno(SM_EX_IOERR, "<stdout>");
				header_done = 1;
			}
			sm_floats_write(j->out, (size_t)j->n * am->n_sen);
			total += (uint64_t)j->n;
		}
	}
	if (h.n_frames != 0 && total != h.n_frames)
		sm_die(SM_EX_DATAERR, "%s: stream has %llu frames, its header says %llu",
		       sm_name(path), (unsigned long long)total,
		       (unsigned long long)h.n_frames);
	sm_info("%llu frames", (unsigned long long)total);
	if (in != stdin)
		fclose(in);
	for (i = 0; i < threads; i++) {
		sm_am_scorer_free(jobs[i].sc);
		free(jobs[i].feat);
		sm_big_free(jobs[i].out);
	}
	free(jobs);
	free(tid);
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct sm_pack pack;
	struct sm_am am;
	FILE *means = NULL;

	sm_init(argv[0]);
	parse_options(&o, argc, argv);
	/* Opened first: sm-adapt --means opens its end of a FIFO at
	 * start-up too. */
	if (o.means != NULL && strcmp(o.means, "-") == 0) {
		if (o.path != NULL && strcmp(o.path, "-") != 0)
			sm_die(SM_EX_USAGE, "--means -: the means come before the FEAT "
			       "stream on standard input, not with an input file");
		means = stdin;
	} else if (o.means != NULL && (means = fopen(o.means, "rb")) == NULL) {
		sm_die_errno(SM_EX_NOINPUT, "%s", o.means);
	}
	blas_single_thread(o.threads);
	sm_pack_load_or_die(&pack, o.model, o.lang);
	if (o.build_image)
		return write_image(&pack, o.build_image);
	if (o.check_image) {
		sm_image_check_pack(&pack, SM_IMAGE_AM, check, NULL,
				    "--no-image reads the model files");
		return 0;
	}
	load(&am, &pack, o.no_image);
	if (means != NULL)
		set_means(&am, means, o.means);
	if (o.topn > am.n_dens)
		sm_die(SM_EX_USAGE, "--topn %ld: the model has only %d Gaussians per "
		       "codebook", o.topn, am.n_dens);
	sm_info("%s: %d senones, %d codebooks x %d streams x %d Gaussians, dim %d",
		am.mapped ? pack.am_image : pack.hmm, am.n_sen, am.n_cb, am.n_feat,
		am.n_dens, am.dim);
	/* Its kernels (OPENBLAS_CORETYPE, else the CPU's) set the speed. */
	sm_info("BLAS: %s", openblas_get_config());
	score_input(&am, &o, o.path);
	sm_am_free(&am);
	sm_close_stdout();
	return 0;
}

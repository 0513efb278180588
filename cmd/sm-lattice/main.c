/* sm-lattice: LOGLIK stream -> best word sequence (#sm-hyp 1) or lattice. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dict.h"
#include "lm.h"
#include "mdef.h"
#include "s3.h"
#include "search.h"
#include "sm.h"

static const char usage[] =
	"sm-lattice: search senone log-likelihoods for the best word sequence\n"
	"Usage: sm-lattice [-v] [-l LANG] [-m DIR] [-b NATS] [-w NATS] [-W LW] [-p WIP]\n"
	"                  [--maxhmm N] [--silprob P] [--fillprob P] [FILE | -]\n"
	"e.g.:  sm-decode speech.wav | sm-features | sm-am | sm-lattice\n"
	"  -m, --model DIR     language pack directory (default: $SM_MODELS/LANG)\n"
	"  -l, --lang LANG     language of the installed pack (default en)\n"
	"  -b, --beam NATS     HMM state beam (default 100)\n"
	"  -w, --wbeam NATS    word-end beam (default 50)\n"
	"  -W, --lw LW         language weight (default 6.5)\n"
	"  -p, --wip P         word insertion probability (default 0.65)\n"
	"      --maxhmm N      most active HMMs per frame (default 30000)\n"
	"      --silprob P     <sil> entry probability (default 0.005)\n"
	"      --fillprob P    [NOISE]/[SPEECH] entry probability (default 1e-8)\n"
	"      --build-image FILE  write the pack's search image to FILE and exit\n"
	"  -v, --verbose       per-utterance statistics on stderr\n"
	"  -h, --help          show this help\n"
	"      --version       show the version\n";

enum { OPT_MAXHMM = 256, OPT_SILPROB, OPT_FILLPROB, OPT_BUILD_IMAGE };

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"model", required_argument, NULL, 'm'},
		{"lang", required_argument, NULL, 'l'},
		{"beam", required_argument, NULL, 'b'},
		{"wbeam", required_argument, NULL, 'w'},
		{"lw", required_argument, NULL, 'W'},
		{"wip", required_argument, NULL, 'p'},
		{"maxhmm", required_argument, NULL, OPT_MAXHMM},
		{"silprob", required_argument, NULL, OPT_SILPROB},
		{"fillprob", required_argument, NULL, OPT_FILLPROB},
		{"build-image", required_argument, NULL, OPT_BUILD_IMAGE},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	struct sm_search_cfg cfg;
	struct sm_pack pack;
	struct sm_mdef mdef;
	struct sm_tmat tmat;
	struct sm_dict dict;
	struct sm_lm lm;
	struct sm_search *srch;
	struct sm_stream_hdr h;
	const char *model = NULL, *lang = "en", *path;
	char err[4352], p_mdef[4200], p_tmat[4200], p_noise[4200];
	const char *build_image = NULL;
	uint64_t fp[SM_SEARCH_FP];
	int have_mdef = 0;
	double t0, t1, t2;
	float *frame, fs;
	int c, best, n_bp, i, n;
	const struct sm_bp *bp;
	int *path_bp;

	sm_init(argv[0]);
	sm_search_cfg_default(&cfg);
	while ((c = getopt_long(argc, argv, "m:l:b:w:W:p:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case 'l': lang = optarg; break;
		case 'b': cfg.beam = (float)sm_opt_double("--beam", optarg, 1e-3, 1e4); break;
		case 'w': cfg.wbeam = (float)sm_opt_double("--wbeam", optarg, 1e-3, 1e4); break;
		case 'W': cfg.lw = (float)sm_opt_double("--lw", optarg, 0, 100); break;
		case 'p': cfg.wip = (float)log(sm_opt_double("--wip", optarg, 1e-30, 1e30)); break;
		case OPT_MAXHMM: cfg.maxhmm = (int)sm_opt_long("--maxhmm", optarg, 100, 10000000); break;
		case OPT_SILPROB: cfg.silpen = (float)log(sm_opt_double("--silprob", optarg, 1e-30, 1)); break;
		case OPT_FILLPROB: cfg.fillpen = (float)log(sm_opt_double("--fillprob", optarg, 1e-30, 1)); break;
		case OPT_BUILD_IMAGE: build_image = optarg; break;
		case 'v': sm_verbose = 1; break;
		case 'h': sm_usage_exit(usage, 1);
		case 'V': sm_version_exit();
		default: sm_usage_exit(usage, 0);
		}
	}
	if (argc - optind > 1)
		sm_usage_exit(usage, 0);
	path = optind < argc ? argv[optind] : NULL;
	sm_pack_load_or_die(&pack, model, model ? NULL : lang);
	t0 = now();
	snprintf(p_mdef, sizeof p_mdef, "%s/mdef", pack.hmm);
	snprintf(p_tmat, sizeof p_tmat, "%s/transition_matrices", pack.hmm);
	snprintf(p_noise, sizeof p_noise, "%s/noisedict", pack.hmm);
	{
		const char *const files[] = { p_mdef, p_tmat, p_noise, pack.dict, pack.lm };

		sm_search_fingerprint(files, 5, fp);
	}
	if (sm_lm_load(&lm, pack.lm, err, sizeof err) != 0)
		sm_die(SM_EX_CONFIG, "%s", err);
	srch = NULL;
	if (pack.image[0] && !build_image) {
		srch = sm_search_open(pack.image, &lm, &cfg, fp, err, sizeof err);
		if (srch == NULL)
			sm_info("%s; building the tree", err);
	}
	t1 = now();
	if (srch == NULL) {
		if (sm_mdef_load(&mdef, p_mdef, err, sizeof err) != 0)
			sm_die(SM_EX_CONFIG, "%s", err);
		if (sm_tmat_load(&tmat, p_tmat, err, sizeof err) != 0)
			sm_die(SM_EX_CONFIG, "%s", err);
		if (sm_dict_load(&dict, pack.dict, p_noise, &mdef, err, sizeof err) != 0)
			sm_die(SM_EX_CONFIG, "%s", err);
		t1 = now();
		srch = sm_search_new(&mdef, &tmat, &dict, &lm, &cfg, err, sizeof err);
		if (srch == NULL)
			sm_die(SM_EX_CONFIG, "%s: %s", pack.dir, err);
		sm_dict_free(&dict);
		sm_tmat_free(&tmat);
		have_mdef = 1;	/* the search uses its senone sequences */
	}
	t2 = now();
	if (build_image) {
		char tmp[4200];
		FILE *f;

		snprintf(tmp, sizeof tmp, "%s.tmp", build_image);
		f = fopen(tmp, "wb");
		if (f == NULL)
			sm_die_errno(SM_EX_IOERR, "%s", tmp);
		if (sm_search_save(srch, f, fp) != 0 || fclose(f) != 0) {
			remove(tmp);
			sm_die_errno(SM_EX_IOERR, "%s", tmp);
		}
		if (rename(tmp, build_image) != 0) {
			remove(tmp);
			sm_die_errno(SM_EX_IOERR, "%s", build_image);
		}
		sm_info("%s: image written (tree %.3f s)", build_image, t2 - t1);
		sm_search_free(srch);
		sm_lm_free(&lm);
		if (have_mdef)
			sm_mdef_free(&mdef);
		return 0;
	}
	{
		FILE *in = sm_open_in(path);
		struct sm_search_stats st;
		double t3, t4;
		uint64_t n_read = 0;

		sm_hdr_read_or_die(in, path, &h, SM_KIND_LOGLIK);
		if (h.sample_type != SM_F32)
			sm_die(SM_EX_DATAERR, "%s: expected float32 log-likelihoods", sm_name(path));
		if (h.dim != (uint32_t)sm_search_n_senones(srch))
			sm_die(SM_EX_DATAERR, "%s: %u senones per frame, the model has %d",
			       sm_name(path), h.dim, sm_search_n_senones(srch));
		frame = malloc(sizeof *frame * h.dim);
		if (frame == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
		t3 = now();
		sm_search_start(srch);
		while (sm_frame_read_or_die(in, path, frame, sizeof *frame * h.dim)) {
			if (sm_search_frame(srch, frame) != 0)
				sm_die(SM_EX_SOFTWARE, "out of memory");
			n_read++;
		}
		/* An upstream stage that died between two frames. */
		if (h.n_frames != 0 && n_read != h.n_frames)
			sm_die(SM_EX_DATAERR, "%s: stream has %llu frames, its header says %llu",
			       sm_name(path), (unsigned long long)n_read,
			       (unsigned long long)h.n_frames);
		best = sm_search_finish(srch, &fs);
		t4 = now();
		sm_search_stats(srch, &st);
		sm_info("load %.3f s, tree or image %.3f s (%ld nodes, %ld roots), search %.3f s: "
			"%d frames, %.0f HMMs/frame, %.0f word ends",
			t1 - t0, t2 - t1, st.nodes, st.roots, t4 - t3,
			sm_search_frames(srch), st.hmm_per_frame, st.bp);
	}
	bp = sm_search_bps(srch, &n_bp);
	printf("#sm-hyp 1\n");
	n = 0;
	for (i = best; i > 0; i = bp[i].prev)
		n++;
	path_bp = malloc(sizeof *path_bp * (n + 1));
	n = 0;
	for (i = best; i > 0; i = bp[i].prev)
		path_bp[n++] = i;
	for (i = n - 1; i >= 0; i--) {
		const struct sm_bp *b = &bp[path_bp[i]];
		int len, kind;
		const char *w = sm_search_word(srch, b->word, &len, &kind);
		double st = (h.start_sample + (double)b->sf * h.frame_shift) / h.sample_rate;
		double et = (h.start_sample + (double)(b->ef + 1) * h.frame_shift) / h.sample_rate;
		printf("%.3f\t%.3f\t%.3f\t%s\t%.*s\n", st, et, 1.0,
		       kind == 0 ? "word" : kind == 1 ? "sil" : "filler", len, w);
	}
	printf("#end\n");
	free(path_bp);
	free(frame);
	sm_search_free(srch);
	sm_lm_free(&lm);
	if (have_mdef)
		sm_mdef_free(&mdef);
	sm_close_stdout();
	return 0;
}

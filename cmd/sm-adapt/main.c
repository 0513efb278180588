/* sm-adapt: speaker adaptation from a first pass: the FEAT stream by
 * CMLLR, the Gaussian means by MLLR. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "adapt.h"

static const char usage[] =
	"sm-adapt: adapt the FEAT stream (CMLLR) and the means (MLLR) to the speaker from a first pass\n"
	"Usage: sm-adapt -F FEAT [-l LANG] [-m DIR] [-p FRAMES] [-s SECONDS] [-c C]\n"
	"                [-w SECONDS] [-g FRAMES] [-S] [-P N] [-i N] [-M MEANS [-r N]\n"
	"                [-T FRAMES] [-C]] [-v] [--no-image] [HYP | -]\n"
	"       sm-adapt [-l LANG] [-m DIR] --build-image FILE | --check-image\n"
	"e.g.:  sm-decode talk.wav | sm-features >/dev/shm/f; sm-am </dev/shm/f | sm-lattice |\n"
	"         sm-adapt -F /dev/shm/f | sm-am | sm-lattice | sm-format -f txt\n"
	"  -F, --features FILE    the FEAT stream of the same audio (a FIFO works)\n"
	"  -m, --model DIR        language pack directory (default: $SM_MODELS/LANG)\n"
	"  -l, --lang LANG        language of the installed pack (default en)\n"
	"  -p, --prior FRAMES     weight of the identity transform, in frames (default 1000)\n"
	"  -s, --min-speech SECONDS  identity below this much aligned speech (default 0)\n"
	"  -c, --min-confidence C words of a lower confidence are not used (default 0)\n"
	"  -w, --window SECONDS   one transform per third of this, from the words of the\n"
	"                         window around it (default 15; 0: one for the whole input)\n"
	"  -g, --global FRAMES    weight of the whole input's statistics in a window's\n"
	"                         (default 1000)\n"
	"  -S, --by-speaker       transforms per speaker (the words' speaker= fields, as\n"
	"                         sm-diarize writes them): each frame's from its speaker's\n"
	"                         words alone, --global's statistics that speaker's\n"
	"  -P, --passes N         alignments, each on the features as the last made them\n"
	"                         (default 2)\n"
	"  -i, --iterations N     passes of the row-by-row update (default 20)\n"
	"  -M, --means FILE       also adapt the Gaussian means (MLLR, one transform per\n"
	"                         stream and class, for the whole input, on the features\n"
	"                         as written) and write them to FILE, for sm-am --means\n"
	"                         (a FIFO works; -: on standard output, before the FEAT\n"
	"                         stream; default: none)\n"
	"  -r, --classes N        MLLR regression classes: 1 one, 2 silence and noise /\n"
	"                         speech, 3 silence and noise / vowels / consonants\n"
	"                         (default 3)\n"
	"  -T, --mllr-prior FRAMES  weight of the prior of each MLLR transform, in frames\n"
	"                         (default 1000)\n"
	"  -C, --no-cmllr         write the features as they are (MLLR alone)\n"
	"  -v, --verbose          report the speech used and the gain on stderr\n"
	"      --no-image         read the model files, not the pack's adaptation image\n"
	"      --build-image FILE write the pack's adaptation image to FILE and exit\n"
	"      --check-image      check all of the pack's adaptation image and exit\n"
	"  -h, --help             show this help\n"
	"      --version          show the version\n";

struct opts {
	double prior, min_speech, min_conf, window, global, mllr_prior;
	int iters, passes, classes, cmllr, by_speaker;
};

/* --check-image (sm_image_check_pack): the checks of every start, then
 * the checksum of the whole image. */
static int
check(void *arg, const char *path, const uint64_t fp[SM_IMAGE_FP], char *err,
      size_t errlen)
{
	struct ad_model m;
	int rc;

	ad_model_base(&m, arg);
	rc = ad_image_open(&m, path, fp, err, errlen);
	if (rc == 0) {
		rc = sm_image_check_sum(&m.img, path, err, errlen);
		sm_mdef_free(&m.mdef);	/* its names' index; the rest is the image's */
		sm_image_close(&m.img);
	}
	sm_tmat_free(&m.tmat);
	sm_am_free(&m.am);
	return rc != 0 ? -1 : 0;
}

/* --build-image: the tables from the model files, written whole
 * (sm_image_write). */
static int
write_image(const struct sm_pack *pack, const char *file)
{
	struct ad_model m;
	uint64_t fp[SM_IMAGE_FP];
	char err[8400];
	size_t bytes;

	if (sm_image_fingerprint(pack, SM_IMAGE_ADAPT, fp, err, sizeof err) != 0)
		sm_die(SM_EX_CONFIG, "%s", err);
	ad_model_load(&m, pack, 1);
	if (ad_image_write(&m, file, fp, &bytes, err, sizeof err) != 0)
		sm_die(SM_EX_IOERR, "%s", err);
	sm_info("%s: adaptation image of %s written (%zu bytes)", file, pack->hmm, bytes);
	return 0;
}

/* The whole FEAT stream (the transform needs all of it first). */
static float *
read_features(const char *path, struct sm_stream_hdr *h, int dim, long *nframes)
{
	FILE *in = sm_open_in(path);
	float *x = NULL;
	long n = 0, cap = 0;

	sm_hdr_read_or_die(in, path, h, SM_KIND_FEAT);
	if (h->sample_type != SM_F32 || h->dim != (uint32_t)dim)
		sm_die(SM_EX_DATAERR, "%s: expected float FEAT frames of %d values "
		       "(the model's), got dim %u", sm_name(path), dim, h->dim);
	for (;;) {
		if (n == cap) {
			cap = cap ? 2 * cap : 1 << 12;
			if ((x = realloc(x, (size_t)cap * dim * sizeof *x)) == NULL)
				sm_die(SM_EX_SOFTWARE, "out of memory");
		}
		if (!sm_floats_read(in, path, x + (size_t)n * dim, dim))
			break;
		n++;
	}
	if (in != stdin)
		fclose(in);
	*nframes = n;
	return x;
}

/* Field i (0-based) of a #sm-hyp 1 line, its length in *len. */
static const char *
field(const char *line, int i, size_t *len)
{
	while (i-- > 0 && line != NULL)
		if ((line = strchr(line, '\t')) != NULL)
			line++;
	if (line == NULL)
		return NULL;
	*len = strcspn(line, "\t");
	return line;
}

/* The words of the hypothesis, with their frames, dictionary entries and
 * the phones either side when the neighbours touch. */
static struct ad_word *
hyp_words(struct ad_model *m, const struct sm_pack *pack, const struct sm_hyp *hp,
	  const struct sm_stream_hdr *h, long nframes)
{
	struct ad_word *w = sm_xcalloc((size_t)hp->words + 1, sizeof *w);
	const char **word = sm_xcalloc((size_t)hp->words + 1, sizeof *word);
	size_t *wlen = sm_xcalloc((size_t)hp->words + 1, sizeof *wlen);
	double fps = (double)h->sample_rate / h->frame_shift;
	double off = (double)h->start_sample / h->frame_shift;
	long i, last_word = -1;
	double last_end = -1;

	for (i = 0; i < hp->n; i++)
		if (hp->v[i].item && hp->v[i].word >= 0)
			word[hp->v[i].word] = field(hp->v[i].text, 4, &wlen[hp->v[i].word]);
	ad_dict_load(m, pack, word, wlen, hp->words);
	for (i = 0; i < hp->n; i++) {
		const struct sm_hyp_line *l = &hp->v[i];
		struct ad_word *x;
		const char *s;
		size_t len;

		if (!l->item)
			continue;
		if (l->word < 0) {
			last_word = -1;
			continue;
		}
		x = &w[l->word];
		x->f0 = lround(l->start * fps - off);
		x->f1 = lround(l->end * fps - off);
		x->f0 = x->f0 < 0 ? 0 : x->f0 > nframes ? nframes : x->f0;
		x->f1 = x->f1 < x->f0 ? x->f0 : x->f1 > nframes ? nframes : x->f1;
		s = field(l->text, 2, &len);
		x->conf = s ? atof(s) : 0;
		x->first = ad_lookup(m, word[l->word], wlen[l->word]);
		x->left = x->right = m->mdef.sil;
		if (last_word >= 0 && l->start - last_end < 0.0005) {
			struct ad_word *p = &w[last_word];

			if (p->first >= 0 && x->first >= 0) {
				const struct ad_pron *pp = &m->pron[p->first];

				x->left = pp->ph[pp->n - 1];
				p->right = m->pron[x->first].ph[0];
			}
		}
		last_word = l->word;
		last_end = l->end;
	}
	free(word);
	free(wlen);
	return w;
}

/* The speaker of each of the n words: its speaker= field's label,
 * numbered from 0 in order of first appearance (a word without one is
 * the speaker of the label ""); the number of speakers in *nspk. */
static int *
word_speakers(const struct sm_hyp *hp, int *nspk)
{
	int *wspk = sm_xcalloc((size_t)hp->words + 1, sizeof *wspk);
	const char **lab = NULL;
	size_t *llen = NULL;
	int n = 0, k;
	long i;

	for (i = 0; i < hp->n; i++) {
		const struct sm_hyp_line *l = &hp->v[i];
		const char *s = NULL;
		size_t len = 0;
		int f;

		if (!l->item || l->word < 0)
			continue;
		for (f = 5; (s = field(l->text, f, &len)) != NULL; f++)
			if (len >= 8 && memcmp(s, "speaker=", 8) == 0)
				break;
		if (s != NULL)
			s += 8, len -= 8;
		else
			s = "", len = 0;
		for (k = 0; k < n; k++)
			if (llen[k] == len && memcmp(lab[k], s, len) == 0)
				break;
		if (k == n) {
			if ((lab = realloc(lab, (size_t)(n + 1) * sizeof *lab)) == NULL ||
			    (llen = realloc(llen, (size_t)(n + 1) * sizeof *llen)) == NULL)
				sm_die(SM_EX_SOFTWARE, "out of memory");
			lab[n] = s;
			llen[n++] = len;
		}
		wspk[l->word] = k;
	}
	free(lab);
	free(llen);
	*nspk = n > 0 ? n : 1;
	return wspk;
}

/* The speaker of each frame: its word's, and between two words the
 * nearer word's (the gap cut at its middle); before the first word the
 * first's, after the last the last's. */
static int *
frame_speakers(const struct ad_word *w, const int *wspk, long nw, long nframes)
{
	int *fs = sm_xcalloc((size_t)nframes + 1, sizeof *fs);
	long i, t = 0, mid;
	int last = -1;

	for (i = 0; i < nw; i++) {
		mid = last < 0 ? 0 : (t + w[i].f0) / 2;
		for (; t < mid; t++)
			fs[t] = last;
		for (; t < w[i].f1; t++)
			fs[t] = wspk[i];
		last = wspk[i];
	}
	for (; t < nframes; t++)
		fs[t] = last < 0 ? 0 : last;
	return fs;
}

/* The transform of frame i: its block's (of bf frames), for its speaker
 * when there are nspk > 1. */
static long
xf_at(long i, long bf, int nspk, const int *fspk)
{
	return i / bf * nspk + (nspk > 1 ? fspk[i] : 0);
}

/* MLLR: the frames in the states CMLLR's last alignment put them in
 * (sen; aligned here without CMLLR), the Gaussians' posteriors on the
 * features as they will be written, the means of each class
 * transformed, written to mf (then closed, but for stdout). */
static void
write_means(const struct ad_model *m, const struct opts *o, const struct sm_hyp *hp,
	    const struct ad_word *w, const float *x, long nframes,
	    struct ad_xform *const *xf, long bf, int nspk, const int *fspk, double fps,
	    int32_t *sen, FILE *mf, const char *path)
{
	struct sm_s3_gau g = {0};
	struct ad_gacc ga;
	int class[256], f;
	double occ[3], gain;
	float *y;
	long i, speech = 0;

	if ((y = malloc((size_t)nframes * m->dim * sizeof *y)) == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	for (i = 0; i < nframes; i++)
		ad_apply(xf[xf_at(i, bf, nspk, fspk)], x + (size_t)i * m->dim,
			 y + (size_t)i * m->dim);
	if (!o->cmllr) {
		for (i = 0; i < nframes; i++)
			sen[i] = -1;
		for (i = 0; i < hp->words; i++)
			if (w[i].conf >= o->min_conf)
				ad_align_word(m, x, x, &w[i], 1.0, NULL, sen);
	}
	for (i = 0; i < nframes; i++)
		speech += sen[i] >= 0;
	ad_gacc_init(&ga, m);
	ad_gacc_add(m, y, sen, nframes, &ga);
	free(y);
	if (m->n_cb > 256)
		sm_die(SM_EX_CONFIG, "MLLR: %d codebooks, at most 256 supported", m->n_cb);
	ad_mllr_classes(m, o->classes, class);
	g.n_mgau = m->n_cb;
	g.n_feat = m->n_feat;
	g.n_density = m->n_dens;
	g.dim = m->dim;
	for (f = 0; f < m->n_feat; f++)
		g.veclen[f] = m->veclen[f];
	g.data = sm_xcalloc((size_t)m->n_cb * m->n_dens * m->dim, sizeof *g.data);
	ad_mllr_means(m, &ga, o->classes, class, o->mllr_prior, g.data, occ, &gain);
	sm_info("MLLR: %.2f s of speech aligned, frames per class %.0f %.0f %.0f, "
		"log-likelihood %+.3f per frame", (double)speech / fps, occ[0],
		o->classes > 1 ? occ[1] : 0, o->classes > 2 ? occ[2] : 0,
		speech > 0 ? gain / speech : 0);
	/* On standard output the FEAT stream follows (sm_close_stdout
	 * checks the whole). */
	if (mf == stdout)
		sm_s3_gau_write(&g, mf);
	else if (sm_s3_gau_write(&g, mf) != 0 || fclose(mf) != 0)
		sm_die_errno(SM_EX_IOERR, "%s", path);
	free(g.data);
	free(ga.occ);
	free(ga.x);
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"features", required_argument, NULL, 'F'},
		{"model", required_argument, NULL, 'm'},
		{"lang", required_argument, NULL, 'l'},
		{"prior", required_argument, NULL, 'p'},
		{"min-speech", required_argument, NULL, 's'},
		{"min-confidence", required_argument, NULL, 'c'},
		{"iterations", required_argument, NULL, 'i'},
		{"window", required_argument, NULL, 'w'},
		{"global", required_argument, NULL, 'g'},
		{"passes", required_argument, NULL, 'P'},
		{"by-speaker", no_argument, NULL, 'S'},
		{"means", required_argument, NULL, 'M'},
		{"classes", required_argument, NULL, 'r'},
		{"mllr-prior", required_argument, NULL, 'T'},
		{"no-cmllr", no_argument, NULL, 'C'},
		{"verbose", no_argument, NULL, 'v'},
		{"no-image", no_argument, NULL, 'I'},
		{"build-image", required_argument, NULL, 'B'},
		{"check-image", no_argument, NULL, 'K'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	struct opts o = {1000, 0, 0, 15, 1000, 1000, 20, 2, 3, 1, 0};
	const char *feat = NULL, *name = NULL, *mdir = NULL, *lang = "en", *means = NULL;
	const char *build_image = NULL;
	int no_image = 0, check_image = 0;
	FILE *mf = NULL;
	struct sm_stream_hdr h;
	struct sm_slurp hyp;
	struct sm_hyp hp = {0};
	struct sm_pack pack;
	struct ad_model m;
	struct ad_stats *st, *all, **blk;
	struct ad_xform **xf;
	struct ad_word *w;
	int32_t *sen;
	int *wspk = NULL, *fspk = NULL;
	char *need;
	long nframes, i, speech = 0, bf, nb, b, nx, k, nt;
	double fps, gain;
	float *x, *y;
	int c, pass, nspk = 1, s;

	sm_init(argv[0]);
	/* BLAS (MLLR's sums of outer products) on this thread alone. */
	sm_am_blas_one_thread();
	while ((c = getopt_long(argc, argv, "F:m:l:p:s:c:i:P:w:g:SM:r:T:Cvh", lopts, NULL)) != -1) {
		switch (c) {
		case 'F': feat = optarg; break;
		case 'm': mdir = optarg; break;
		case 'l': lang = optarg; break;
		case 'p': o.prior = sm_opt_double("--prior", optarg, 0, 1e7); break;
		case 's': o.min_speech = sm_opt_double("--min-speech", optarg, 0, 1e6); break;
		case 'c': o.min_conf = sm_opt_double("--min-confidence", optarg, 0, 1); break;
		case 'P': o.passes = (int)sm_opt_long("--passes", optarg, 1, 20); break;
		case 'w': o.window = sm_opt_double("--window", optarg, 0, 1e6); break;
		case 'g': o.global = sm_opt_double("--global", optarg, 0, 1e7); break;
		case 'i': o.iters = (int)sm_opt_long("--iterations", optarg, 1, 1000); break;
		case 'M': means = optarg; break;
		case 'r': o.classes = (int)sm_opt_long("--classes", optarg, 1, 3); break;
		case 'T': o.mllr_prior = sm_opt_double("--mllr-prior", optarg, 0, 1e7); break;
		case 'C': o.cmllr = 0; break;
		case 'S': o.by_speaker = 1; break;
		case 'v': sm_verbose = 1; break;
		case 'I': no_image = 1; break;
		case 'B': build_image = optarg; break;
		case 'K': check_image = 1; break;
		case 'h': sm_usage_exit(usage, 1);
		case 'V': sm_version_exit();
		default: sm_usage_exit(usage, 0);
		}
	}
	if (build_image != NULL || check_image) {
		sm_image_options_alone(build_image, check_image,
				       optind < argc ? argv[optind] : NULL);
		sm_pack_load_or_die(&pack, mdir, lang);
		if (build_image != NULL)
			return write_image(&pack, build_image);
		sm_image_check_pack(&pack, SM_IMAGE_ADAPT, check, &pack,
				    "--no-image reads the model files");
		return 0;
	}
	name = sm_hyp_operand("--features", feat, "FEAT", argc, argv, optind, usage);
	/* Opened first: sm-am --means opens its end of a FIFO at start-up,
	 * and reads an early end of file (this one failing) as an error. */
	if (means != NULL && strcmp(means, "-") == 0)
		mf = stdout;
	else if (means != NULL && (mf = fopen(means, "wb")) == NULL)
		sm_die_errno(SM_EX_IOERR, "%s", means);
	sm_pack_load_or_die(&pack, mdir, lang);
	/* The hypothesis is read on a thread while the features are read
	 * here: both may come from one pipeline (sm_slurp_start). */
	sm_slurp_start(&hyp, sm_open_in(name));
	ad_model_load(&m, &pack, no_image);
	x = read_features(feat, &h, m.dim, &nframes);
	sm_hyp_parse(&hp, sm_slurp_end(&hyp, name), name, NULL);
	w = hyp_words(&m, &pack, &hp, &h, nframes);

	/* Blocks of a third of the window each, whose transform is estimated
	 * from its own and its two neighbours' words (one block: one
	 * transform for the whole input); with --by-speaker one per block and
	 * speaker, from that speaker's words alone, transform k = block *
	 * nspk + speaker. */
	fps = (double)h.sample_rate / h.frame_shift;
	bf = nframes + 1;
	if (o.window > 0) {
		bf = lround(o.window / 3 * fps);
		bf = bf < 1 ? 1 : bf;
	}
	nb = nframes / bf + 1;
	if (o.by_speaker) {
		wspk = word_speakers(&hp, &nspk);
		fspk = frame_speakers(w, wspk, hp.words, nframes);
	}
	nx = nb * nspk;
	blk = sm_xcalloc((size_t)nx, sizeof *blk);
	all = sm_xcalloc((size_t)nspk, sizeof *all);
	st = sm_xcalloc(1, sizeof *st);
	xf = sm_xcalloc((size_t)nx, sizeof *xf);
	/* The transforms some frame uses: only those are made and estimated
	 * (all of them with one speaker), so that the memory grows with the
	 * blocks and turns, not with the blocks times the speakers. */
	need = sm_xcalloc((size_t)nx, 1);
	for (k = 0; k < nx; k++)
		need[k] = nspk == 1;
	for (i = 0; i < nframes; i++)
		need[xf_at(i, bf, nspk, fspk)] = 1;
	for (s = 0; s < nspk; s++)
		ad_stats_init(&all[s], &m);
	for (k = 0; k < nx; k++)
		if (need[k]) {
			xf[k] = sm_xcalloc(1, sizeof **xf);
			ad_xform_identity(xf[k], all);
		}
	y = x;
	/* Each pass aligns the words on the features as the transforms so
	 * far make them and estimates the transforms again from the
	 * statistics of the first-pass features. */
	sen = sm_xcalloc((size_t)nframes + 1, sizeof *sen);
	for (pass = 0; o.cmllr && pass < o.passes; pass++) {
		for (k = 0; k < nx; k++)
			if (blk[k] != NULL)
				ad_stats_init(blk[k], &m);
		for (i = 0; i < nframes; i++)
			sen[i] = -1;
		for (i = 0, speech = 0; i < hp.words; i++) {
			if (w[i].conf < o.min_conf)
				continue;
			k = w[i].f0 / bf * nspk + (wspk != NULL ? wspk[i] : 0);
			if (blk[k] == NULL) {
				blk[k] = sm_xcalloc(1, sizeof **blk);
				ad_stats_init(blk[k], &m);
			}
			speech += ad_align_word(&m, y, x, &w[i], 1.0, blk[k], sen);
		}
		if (speech == 0 || speech * h.frame_shift < o.min_speech * h.sample_rate) {
			sm_info("%.2f s of speech aligned (under %g s): features left as "
				"they are", (double)speech / fps, o.min_speech);
			for (k = 0; k < nx; k++)
				if (need[k])
					ad_xform_identity(xf[k], all);
			break;
		}
		for (s = 0; s < nspk; s++) {
			ad_stats_init(&all[s], &m);
			for (b = 0; b < nb; b++)
				if (blk[b * nspk + s] != NULL)
					ad_stats_add(&all[s], blk[b * nspk + s], 1);
		}
		for (k = 0, gain = 0, nt = 0; k < nx; k++) {
			double q0;

			if (!need[k])
				continue;
			b = k / nspk;
			s = (int)(k % nspk);
			if (nb == 1) {
				*st = all[s];
			} else {
				ad_stats_init(st, &m);
				for (i = b > 0 ? b - 1 : 0; i <= b + 1 && i < nb; i++)
					if (blk[i * nspk + s] != NULL)
						ad_stats_add(st, blk[i * nspk + s], 1);
				if (all[s].beta[0] > 0)
					ad_stats_add(st, &all[s], o.global / all[s].beta[0]);
			}
			ad_stats_prior(st, &m, o.prior);
			q0 = ad_auxf(xf[k], st);
			if (ad_estimate(xf[k], st, o.iters) != 0) {
				sm_info("singular statistics: block %ld left as it is", b);
				ad_xform_identity(xf[k], st);
			}
			gain += ad_auxf(xf[k], st) - q0;
			nt++;
		}
		sm_info("pass %d: %.2f s of speech aligned, %ld transform%s%s, auxiliary "
			"function %+.3f per frame", pass + 1, (double)speech / fps, nt,
			nt > 1 ? "s" : "", o.by_speaker ? (nspk > 1 ? " of several speakers" :
			" of one speaker") : "", gain / nt);
		if (pass + 1 < o.passes) {
			if (y == x && (y = malloc((size_t)nframes * m.dim * sizeof *y)) == NULL)
				sm_die(SM_EX_SOFTWARE, "out of memory");
			for (i = 0; i < nframes; i++)
				ad_apply(xf[xf_at(i, bf, nspk, fspk)], x + (size_t)i * m.dim,
					 y + (size_t)i * m.dim);
		}
	}
	if (y != x)
		free(y);
	if (mf != NULL)
		write_means(&m, &o, &hp, w, x, nframes, xf, bf, nspk, fspk, fps, sen, mf, means);
	free(sen);

	if ((y = malloc((size_t)m.dim * sizeof *y)) == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	if (sm_hdr_write(stdout, &h) != 0)
		sm_die_errno(SM_EX_IOERR, "<stdout>");
	for (i = 0; i < nframes; i++) {
		ad_apply(xf[xf_at(i, bf, nspk, fspk)], x + (size_t)i * m.dim, y);
		sm_floats_write(y, m.dim);
	}
	sm_close_stdout();
	return 0;
}

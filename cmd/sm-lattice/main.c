/* sm-lattice: LOGLIK stream -> best word sequence (#sm-hyp 1) or lattice. */
#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cache.h"
#include "carry.h"
#include "dict.h"
#include "image.h"
#include "lattice.h"
#include "lm.h"
#include "mdef.h"
#include "s3.h"
#include "search.h"
#include "segment.h"
#include "sm.h"
#include "vocab.h"

static const char usage[] =
	"sm-lattice: search senone log-likelihoods for the best word sequence\n"
	"Usage: sm-lattice [-v] [-l LANG] [-m DIR] [-b NATS] [-w NATS] [-W LW] [-p WIP]\n"
	"                  [--maxhmm N] [--silprob P] [--fillprob P] [--pip P] [--flat-lw LW]\n"
	"                  [--rescore-lw LW] [--uw UW]\n"
	"                  [--ascale A] [--lattice-beam NATS] [--histories N] [--no-rescore]\n"
	"                  [--lattice FILE] [--lattice-format sm|slf]\n"
	"                  [--segment-min S] [--segment-max S] [--words FILE] [--no-image]\n"
	"                  [--vocab FILE] [--vocab-prob P] [--vocab-boost F] [--vocab-quiet]\n"
	"                  [--cache-weight L] [--cache-decay D] [--cache-max-unigram P]\n"
	"                  [--cache-words FILE] [--cache-search]\n"
	"                  [--cache-in FILE] [--cache-out FILE]\n"
	"                  [FILE | -]\n"
	"e.g.:  sm-decode speech.wav | sm-features | sm-am | sm-lattice\n"
	"  -m, --model DIR     language pack directory (default: $SM_MODELS/LANG)\n"
	"  -l, --lang LANG     language of the installed pack (default en)\n"
	"  -b, --beam NATS     HMM state beam (default 100)\n"
	"  -w, --wbeam NATS    word-end beam (default 40)\n"
	"  -W, --lw LW         language weight (default 6.5)\n"
	"  -p, --wip P         word insertion probability (default 0.3)\n"
	"      --maxhmm N      most active HMMs per frame (default 30000)\n"
	"      --silprob P     <sil> entry probability (default 0.005)\n"
	"      --fillprob P    [NOISE]/[SPEECH] entry probability (default 1e-8)\n"
	"      --pip P         phone insertion probability (default 1)\n"
	"      --uw UW         unigram weight: unigrams interpolated with the uniform\n"
	"                      distribution (default 0.95; 1: none)\n"
	"      --flat-lw LW    language weight of the second pass (default 8.5)\n"
	"      --rescore-lw LW     language weight of lattice rescoring (default 9.5)\n"
	"      --ascale A          posteriors: scores divided by A (default 20)\n"
	"      --lattice-beam NATS keep lattice links within NATS of the best (default 100)\n"
	"      --histories N       trigram histories kept per lattice node (default 16)\n"
	"      --no-rescore        print the search's best path, not the rescored one\n"
	"      --lattice FILE      write the lattice to FILE (- for stdout, no hypothesis)\n"
	"      --lattice-format F  sm (#sm-lattice 1, default) or slf (HTK)\n"
	"      --segment-min S     long input: end a segment at the first pause after S\n"
	"                          seconds (default 0: at every pause)\n"
	"      --segment-max S     ... or at the most pause-like frame of its last 2 s\n"
	"                          before S seconds (default 60; 0: one segment)\n"
	"      --words FILE        search only the words listed in FILE (default: the\n"
	"                          whole dictionary)\n"
	"      --vocab FILE        a custom vocabulary: one entry per line, the words as\n"
	"                          written, then tab-separated spellings they sound like\n"
	"      --vocab-prob P      unigram probability of each new word of the vocabulary\n"
	"                          (default 5e-5)\n"
	"      --vocab-boost F     listed words the LM has: probability times F (default 2)\n"
	"      --vocab-quiet       do not name the entries that cannot be used\n"
	"      --cache-weight L    weight of the cache of the words already recognised,\n"
	"                          interpolated with the trigram in rescoring the next\n"
	"                          segments (default 0.05; 0: off)\n"
	"      --cache-decay D     each count times D at every word added (default 0.995)\n"
	"      --cache-max-unigram P  only words of unigram probability at most P enter\n"
	"                          the cache (default 0.01)\n"
	"      --cache-search      the cache in the search's LM scores too, not only in\n"
	"                          rescoring\n"
	"      --cache-in FILE     start the cache with the one FILE holds (#sm-cache 1,\n"
	"                          an earlier chunk's --cache-out); segments wait for it\n"
	"                          to be rescored\n"
	"      --cache-out FILE    write the cache as it is at the end to FILE\n"
	"      --cache-words FILE  start the cache with the words of FILE, a #sm-hyp 1\n"
	"                          stream (a first pass over the same input)\n"
	"      --build-image FILE  write the pack's search image to FILE and exit\n"
	"      --check-image       check all of the pack's search image and exit\n"
	"      --no-image          build the tree from the model files, not the pack's\n"
	"                          search image (default: the image)\n"
	"  -v, --verbose       per-utterance statistics on stderr\n"
	"  -h, --help          show this help\n"
	"      --version       show the version\n";

enum { OPT_MAXHMM = 256, OPT_SILPROB, OPT_FILLPROB, OPT_BUILD_IMAGE, OPT_RESCORE_LW,
       OPT_ASCALE, OPT_LAT_BEAM, OPT_NO_RESCORE, OPT_LATTICE, OPT_LAT_FORMAT, OPT_HISTORIES,
       OPT_SEG_MIN, OPT_SEG_MAX, OPT_CHECK_IMAGE, OPT_WORDS, OPT_PIP, OPT_FLAT_LW, OPT_UW,
       OPT_NO_IMAGE, OPT_VOCAB, OPT_VOCAB_PROB, OPT_VOCAB_BOOST, OPT_VOCAB_QUIET,
       OPT_CACHE_WEIGHT, OPT_CACHE_DECAY, OPT_CACHE_MAX_UNI, OPT_CACHE_WORDS, OPT_CACHE_SEARCH,
       OPT_CACHE_IN, OPT_CACHE_OUT };

/* Cutting long input (segment.h). */
#define SEG_PAUSE_S 0.2		/* a pause that ends a segment, seconds */
#define SEG_WINDOW_S 2.0	/* where a forced cut may fall, seconds */
#define SEG_SIL_MARGIN 5.0f	/* nats: a pause-like frame's <sil> to its best */

/* A phrase of the custom vocabulary recognised as one word of the search
 * (its words joined by '_', vocab.h): a word item per word, the time
 * shared out in proportion to their letters, the confidence the phrase's. */
static void
print_phrase(FILE *f, const char *w, int len, double a, double e, float conf)
{
	const char *p = w, *end = w + len, *q;
	double t = a, per;
	int seps = 0;

	for (q = w; q < end; q++)
		seps += *q == '_';
	per = (e - a) / (len - seps);
	for (; p < end; p = q + 1) {
		double u;

		q = memchr(p, '_', (size_t)(end - p));
		if (q == NULL)
			q = end;
		u = q == end ? e : t + per * (q - p);
		fprintf(f, "%.3f\t%.3f\t%.3f\tword\t%.*s\n", t, u, conf, (int)(q - p), p);
		t = u;
	}
}

/* The hypothesis: the links of a best path (or the search's word ends),
 * each word's confidence its posterior in the lattice. */
static void
print_hyp(FILE *f, const struct sm_lattice *lat, const int *path, int n,
	  const struct sm_search *srch, double t0, double tf)
{
	int i;

	for (i = 1; i < n; i++) {
		const struct sm_lat_link *k = &lat->link[path[i]];
		const struct sm_lat_node *u = &lat->node[k->from];
		int len, kind;
		const char *w = sm_search_word(srch, u->word, &len, &kind);
		double a = t0 + u->sf * tf, e = t0 + (k->ef + 1) * tf;
		float conf = sm_lattice_conf(lat, k->from, u->sf, k->ef);

		if (kind == 0 && memchr(w, '_', (size_t)len) != NULL) {
			print_phrase(f, w, len, a, e, conf);
			continue;
		}
		fprintf(f, "%.3f\t%.3f\t%.3f\t%s\t%.*s\n", a, e, conf,
			kind == 0 ? "word" : kind == 1 ? "sil" : "filler", len, w);
	}
}

/* The words of a segment's best path into the cache, each counted with
 * its confidence, for the segments that follow. */
static void
cache_path(struct sm_cache *c, const struct sm_lattice *lat, const int *path, int n)
{
	int i;

	for (i = 1; i < n; i++) {
		const struct sm_lat_link *k = &lat->link[path[i]];
		const struct sm_lat_node *u = &lat->node[k->from];

		if (u->kind == SM_LAT_WORD && u->lmid >= 0)
			sm_cache_add(c, u->lmid, (float)sm_lattice_conf(lat, k->from, u->sf, k->ef));
	}
}

/* --cache-words: the word items of a #sm-hyp 1 stream into the cache,
 * each counted with its confidence.  A phrase of the custom vocabulary
 * comes back as its words, which the cache counts one by one. */
static void
cache_load(struct sm_cache *c, struct sm_lm *lm, const char *path)
{
	FILE *f = sm_open_in(path);
	char line[4096], w[1024], kind[16];
	double a, e, conf;
	long n = 0, ln = 0;

	if (lm->words == NULL && sm_lm_index(lm) != 0)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	if (fgets(line, sizeof line, f) == NULL || strncmp(line, "#sm-hyp 1", 9) != 0)
		sm_die(SM_EX_DATAERR, "%s: expected a #sm-hyp 1 stream", sm_name(path));
	ln = 1;
	while (fgets(line, sizeof line, f) != NULL) {
		int id;
		char *p;

		ln++;
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%lf %lf %lf %15s %1023s", &a, &e, &conf, kind, w) != 5)
			sm_die(SM_EX_DATAERR, "%s: line %ld: expected START END CONF KIND WORD",
			       sm_name(path), ln);
		if (strcmp(kind, "word") != 0)
			continue;
		for (p = w; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if ((id = sm_lm_word(lm, w)) >= 0)
			sm_cache_add(c, id, (float)conf), n++;
	}
	if (ferror(f))
		sm_die_errno(SM_EX_IOERR, "%s", sm_name(path));
	if (f != stdin)
		fclose(f);
	sm_info("%s: %ld words of the LM for the cache", sm_name(path), n);
}

/* The search's own best path as lattice links: from <s>, for each word
 * end in time order, the link from the current node to that word's node,
 * then the link to </s>.  Links are in order of their from-node. */
static int
first_pass_path(const struct sm_lattice *lat, const struct sm_bp *bp, int best,
		int *path, int max)
{
	int n = 0, i, j, u = 0, k = 0, *ends;

	for (i = best; i > 0; i = bp[i].prev)
		n++;
	if (n + 1 > max || (ends = malloc(sizeof *ends * (n + 1))) == NULL)
		return -1;
	for (i = best, j = n; i > 0; i = bp[i].prev)
		ends[--j] = i;
	for (j = 0; j <= n; j++) {
		int sf = j < n ? bp[ends[j]].sf : lat->node[lat->n_node - 1].sf;
		int want = j < n ? bp[ends[j]].word : -2;

		while (k < lat->n_link && lat->link[k].from < u)
			k++;
		for (; k < lat->n_link && lat->link[k].from == u; k++) {
			const struct sm_lat_node *v = &lat->node[lat->link[k].to];

			if (v->sf == sf && v->word == want)
				break;
		}
		if (k == lat->n_link || lat->link[k].from != u) {
			free(ends);
			return -1;
		}
		path[j] = k;
		u = lat->link[k].to;
	}
	free(ends);
	return n + 1;
}

/* The pack's search image cannot be used: exit 78 (sm_image_refuse). */
static void __attribute__((noreturn))
image_failed(const struct sm_pack *pack, const char *err)
{
	sm_image_refuse(pack, SM_IMAGE_SEARCH, err, "--no-image builds the tree in memory");
}

/* What --check-image opens the search image with. */
struct check_arg {
	const struct sm_pack *pack;
	const struct sm_search_cfg *cfg;
	double uw;
};

/* --check-image (sm_image_check_pack): the search image opened over the
 * pack's language model, then checked whole. */
static int
check(void *arg, const char *path, const uint64_t fp[SM_IMAGE_FP], char *err,
      size_t errlen)
{
	const struct check_arg *a = arg;
	struct sm_search *srch;
	struct sm_lm lm;
	int rc;

	if (sm_lm_open(&lm, a->pack->lm, 0, err, errlen) != 0)
		sm_die(SM_EX_CONFIG, "%s", err);
	sm_lm_set_uw(&lm, (float)a->uw);
	srch = sm_search_open(path, &lm, a->cfg, fp, err, errlen);
	rc = srch == NULL ? -1 : sm_search_check(srch, path, err, errlen);
	if (srch != NULL)
		sm_search_free(srch);
	sm_lm_free(&lm);
	return rc != 0 ? -1 : 0;
}

/* The search stopped: out of memory, or a damaged image. */
static void
search_failed(const struct sm_search *srch, const struct sm_pack *pack)
{
	char err[4200];

	if (sm_search_corrupt(srch)) {
		snprintf(err, sizeof err, "%s: corrupt search image", pack->image);
		image_failed(pack, err);
	}
	sm_die(SM_EX_SOFTWARE, "out of memory");
}

/* --words: a sorted list of the words of FILE. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Drop from d every word (not filler) whose spelling, without its (N)
 * mark, is not in the file at path: the search then knows only those. */
static void
keep_words(struct sm_dict *d, const char *path)
{
	FILE *f = sm_open_in(path);
	char **list = NULL, buf[1024], *k;
	size_t n = 0, cap = 0;
	int i, j, kept = 0;

	while (fscanf(f, "%1023s", buf) == 1) {
		if (n == cap) {
			char **q;

			cap = cap ? 2 * cap : 64;
			q = realloc(list, sizeof *q * cap);
			if (q == NULL)
				sm_die(SM_EX_SOFTWARE, "out of memory");
			list = q;
		}
		if ((list[n++] = strdup(buf)) == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
	}
	if (ferror(f))
		sm_die_errno(SM_EX_IOERR, "%s", sm_name(path));
	if (f != stdin)
		fclose(f);
	qsort(list, n, sizeof *list, cmp_str);
	for (i = j = 0; i < d->n_words; i++) {
		const struct sm_dword *w = &d->w[i];
		int keep = w->filler;

		if (!keep && w->base_len < sizeof buf) {
			memcpy(buf, w->word, w->base_len);
			buf[w->base_len] = 0;
			k = buf;
			keep = bsearch(&k, list, n, sizeof *list, cmp_str) != NULL;
			kept += keep;
		}
		if (keep)
			d->w[j++] = *w;
	}
	d->n_words = j;
	for (i = 0; i < (int)n; i++)
		free(list[i]);
	free(list);
	if (kept == 0)
		sm_die(SM_EX_DATAERR, "%s: no word of the dictionary", sm_name(path));
}

/* What the segments share: the search, the settings, the outputs. */
struct job {
	struct sm_search *srch;
	const struct sm_lm *lm;
	const struct sm_search_cfg *cfg;
	const struct sm_lat_cfg *lcfg;
	int no_rescore, slf, n_seg;
	const char *lat_path;
	const struct sm_pack *pack;	/* its search image, for messages */
	FILE *lf;		/* the lattice, opened at the end of the first segment */
	FILE *hyp;		/* the hypothesis items, printed when all is done */
	struct sm_cache *cache;	/* the words recognised so far, or NULL */
	double t0, tf;		/* time of frame 0, seconds per frame */
	double t_mark;		/* the end of the last segment, for -v */
	/* --cache-in: until the cache has come (carry_fd >= 0), each
	 * segment's lattice waits in pend[] to be rescored */
	struct sm_lm *lm_rw;	/* the LM, to index its words */
	const char *carry_path;
	int carry_fd;
	struct pending *pend;
	int n_pend, cap_pend;
};

/* A segment searched, its lattice built, its rescoring to come. */
struct pending {
	struct sm_lattice lat;
	int *lpath;		/* --no-rescore: the search's best path */
	int n_path, best, n_bp;
	double t0;
	float fs;
};

/* A regular lattice file being written, removed if the program dies. */
static const char *partial_lattice;

static void
remove_partial_lattice(void)
{
	if (partial_lattice != NULL)
		remove(partial_lattice);
}

static void
open_lattice(struct job *j)
{
	struct stat sb;

	if (strcmp(j->lat_path, "-") == 0) {
		j->lf = stdout;
		return;
	}
	j->lf = fopen(j->lat_path, "w");
	if (j->lf == NULL)
		sm_die_errno(SM_EX_IOERR, "%s", j->lat_path);
	/* a half-written regular file is removed, a device never */
	if (fstat(fileno(j->lf), &sb) == 0 && S_ISREG(sb.st_mode)) {
		partial_lattice = j->lat_path;
		atexit(remove_partial_lattice);
	}
}

static const char *const why_name[] = { "a pause", "forced", "the end" };

/* A segment's lattice rescored (or its posteriors computed) with the
 * cache as it is now, its lattice written, its words kept for the end and
 * counted in the cache.  Frees p's lattice and path. */
static void
segment_finish(struct job *j, struct pending *p)
{
	struct sm_lattice *lat = &p->lat;
	int n_path = p->n_path, *lpath = p->lpath;
	double tl1 = sm_now(), tl2, sc = 0;

	if (lpath == NULL && (lpath = malloc(sizeof *lpath * (p->n_bp + 2))) == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	if (p->best > 0 && !j->no_rescore) {
		n_path = sm_lattice_rescore(lat, j->lm, j->lcfg, lpath, p->n_bp + 2, &sc);
		if (n_path < 0)
			sm_die(SM_EX_SOFTWARE, "out of memory, or no path through the lattice");
	} else if (sm_lattice_posteriors(lat, j->lm, j->lcfg) != 0) {
		sm_die(SM_EX_SOFTWARE, "out of memory");
	}
	tl2 = sm_now();
	sm_info("rescoring and posteriors %.3f s (%ld states, %ld arcs); search score %.3f, "
		"best path %.3f", tl2 - tl1, lat->n_states, lat->n_arcs, p->fs,
		n_path > 0 && !j->no_rescore ? sc : p->fs);
	if (j->lat_path != NULL) {
		if (j->lf == NULL)
			open_lattice(j);
		if (sm_lattice_write(lat, j->lf, j->slf, j->srch, p->t0, j->tf) != 0)
			sm_die_errno(SM_EX_IOERR, "%s", sm_name(j->lat_path));
	}
	print_hyp(j->hyp, lat, lpath, n_path, j->srch, p->t0, j->tf);
	if (ferror(j->hyp))
		sm_die(SM_EX_SOFTWARE, "out of memory");
	if (j->cache != NULL)
		cache_path(j->cache, lat, lpath, n_path);
	free(lpath);
	sm_lattice_free(lat);
}

/* --cache-in: read the cache if it has come (wait: until it has), then
 * rescore the segments that waited for it. */
static void
carry_check(struct job *j, int wait)
{
	struct pollfd pfd;
	FILE *f;
	int i;

	if (j->carry_fd < 0)
		return;
	pfd.fd = j->carry_fd;
	pfd.events = POLLIN;
	if (!wait && poll(&pfd, 1, 0) <= 0)
		return;
	if (wait) {
		/* The search is over: only the kept lattices wait. */
		sm_search_release(j->srch);
		sm_info("%s: waiting for the cache", sm_name(j->carry_path));
	}
	/* it has begun to come: the rest follows at once */
	if (fcntl(j->carry_fd, F_SETFL, fcntl(j->carry_fd, F_GETFL) & ~O_NONBLOCK) != 0 ||
	    (f = fdopen(j->carry_fd, "r")) == NULL)
		sm_die_errno(SM_EX_IOERR, "%s", sm_name(j->carry_path));
	carry_read(j->cache, j->lm_rw, j->srch, f, j->carry_path);
	fclose(f);
	j->carry_fd = -1;
	for (i = 0; i < j->n_pend; i++)
		segment_finish(j, &j->pend[i]);
	free(j->pend);
	j->pend = NULL;
	j->n_pend = j->cap_pend = 0;
}

/* A segment is in the search: its best path and lattice, then the rest
 * (segment_finish) now, or once the cache has come (--cache-in). */
static void
segment_done(void *arg, long first, long n, int why)
{
	struct job *j = arg;
	struct sm_search_stats st;
	struct sm_lat_cfg bcfg = *j->lcfg;
	struct pending p;
	const struct sm_bp *bp;
	double tl0, tl1;

	memset(&p, 0, sizeof p);
	p.t0 = j->t0 + first * j->tf;
	p.best = sm_search_finish(j->srch, &p.fs);
	if (sm_search_corrupt(j->srch))
		search_failed(j->srch, j->pack);
	tl0 = sm_now();
	sm_search_stats(j->srch, &st);
	sm_info("segment %d: %.2f-%.2f s (%ld frames, ended by %s): search %.3f s, "
		"%.0f HMMs/frame, %.0f word ends", j->n_seg + 1, p.t0, p.t0 + n * j->tf, n,
		why_name[why], tl0 - j->t_mark, st.hmm_per_frame, st.bp);
	bp = sm_search_bps(j->srch, &p.n_bp);
	/* Pruned without the cache: the lattice does not depend on it, so a
	 * segment searched before the cache has come is pruned the same. */
	bcfg.cache = NULL;
	if (sm_lattice_build(&p.lat, j->srch, j->lm, &bcfg, j->cfg->silpen, j->cfg->fillpen) != 0)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	tl1 = sm_now();
	sm_info("lattice %.3f s: %d nodes, %d links (%.0f/s of audio)", tl1 - tl0,
		p.lat.n_node, p.lat.n_link, p.lat.n_link / (p.lat.n_frames * j->tf + 1e-9));
	if (p.best > 0 && j->no_rescore) {
		p.lpath = malloc(sizeof *p.lpath * (p.n_bp + 2));
		if (p.lpath == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
		p.n_path = first_pass_path(&p.lat, bp, p.best, p.lpath, p.n_bp + 2);
		if (p.n_path < 0)
			sm_die(SM_EX_SOFTWARE, "the search's best path is not in the lattice");
	}
	carry_check(j, 0);
	if (j->carry_fd >= 0) {
		if (j->n_pend == j->cap_pend) {
			j->cap_pend = j->cap_pend ? 2 * j->cap_pend : 16;
			j->pend = realloc(j->pend, sizeof *j->pend * j->cap_pend);
			if (j->pend == NULL)
				sm_die(SM_EX_SOFTWARE, "out of memory");
		}
		j->pend[j->n_pend++] = p;
		sm_info("segment %d waits for the cache", j->n_seg + 1);
	} else {
		segment_finish(j, &p);
	}
	j->n_seg++;
	j->t_mark = sm_now();
}

/* The options, checked against each other before anything is loaded. */
struct opts {
	struct sm_search_cfg cfg;
	struct sm_lat_cfg lcfg;
	const char *model, *lang, *path;
	const char *build_image, *words_path, *lat_path, *vocab_path, *cache_words;
	const char *cache_in, *cache_out;
	int check_image, no_image, no_rescore, slf, vocab_quiet, cache_search;
	double uw, seg_min, seg_max, vocab_prob, vocab_boost;
	double cache_weight, cache_decay, cache_max_uni;
};

static void
parse_options(struct opts *o, int argc, char **argv)
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
		{"check-image", no_argument, NULL, OPT_CHECK_IMAGE},
		{"no-image", no_argument, NULL, OPT_NO_IMAGE},
		{"rescore-lw", required_argument, NULL, OPT_RESCORE_LW},
		{"ascale", required_argument, NULL, OPT_ASCALE},
		{"lattice-beam", required_argument, NULL, OPT_LAT_BEAM},
		{"no-rescore", no_argument, NULL, OPT_NO_RESCORE},
		{"histories", required_argument, NULL, OPT_HISTORIES},
		{"lattice", required_argument, NULL, OPT_LATTICE},
		{"lattice-format", required_argument, NULL, OPT_LAT_FORMAT},
		{"segment-min", required_argument, NULL, OPT_SEG_MIN},
		{"segment-max", required_argument, NULL, OPT_SEG_MAX},
		{"words", required_argument, NULL, OPT_WORDS},
		{"pip", required_argument, NULL, OPT_PIP},
		{"flat-lw", required_argument, NULL, OPT_FLAT_LW},
		{"uw", required_argument, NULL, OPT_UW},
		{"vocab", required_argument, NULL, OPT_VOCAB},
		{"vocab-prob", required_argument, NULL, OPT_VOCAB_PROB},
		{"vocab-boost", required_argument, NULL, OPT_VOCAB_BOOST},
		{"vocab-quiet", no_argument, NULL, OPT_VOCAB_QUIET},
		{"cache-weight", required_argument, NULL, OPT_CACHE_WEIGHT},
		{"cache-decay", required_argument, NULL, OPT_CACHE_DECAY},
		{"cache-max-unigram", required_argument, NULL, OPT_CACHE_MAX_UNI},
		{"cache-words", required_argument, NULL, OPT_CACHE_WORDS},
		{"cache-search", no_argument, NULL, OPT_CACHE_SEARCH},
		{"cache-in", required_argument, NULL, OPT_CACHE_IN},
		{"cache-out", required_argument, NULL, OPT_CACHE_OUT},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	int c;

	memset(o, 0, sizeof *o);
	o->lang = "en";
	o->uw = 0.95;
	o->seg_min = 0;
	o->seg_max = 60;
	o->vocab_prob = 5e-5;
	o->vocab_boost = 2;
	o->cache_weight = 0.05;
	o->cache_decay = 0.995;
	o->cache_max_uni = 1e-2;
	sm_search_cfg_default(&o->cfg);
	o->cfg.wip = logf(0.3f);	/* with the unigram weight (man page) */
	sm_lat_cfg_default(&o->lcfg);
	while ((c = getopt_long(argc, argv, "m:l:b:w:W:p:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'm': o->model = optarg; break;
		case 'l': o->lang = optarg; break;
		case 'b': o->cfg.beam = (float)sm_opt_double("--beam", optarg, 1e-3, 1e4); break;
		case 'w': o->cfg.wbeam = (float)sm_opt_double("--wbeam", optarg, 1e-3, 1e4); break;
		case 'W': o->cfg.lw = (float)sm_opt_double("--lw", optarg, 0, 100); break;
		case 'p': o->cfg.wip = (float)log(sm_opt_double("--wip", optarg, 1e-30, 1e30)); break;
		case OPT_MAXHMM: o->cfg.maxhmm = (int)sm_opt_long("--maxhmm", optarg, 100, 10000000); break;
		case OPT_SILPROB: o->cfg.silpen = (float)log(sm_opt_double("--silprob", optarg, 1e-30, 1)); break;
		case OPT_FILLPROB: o->cfg.fillpen = (float)log(sm_opt_double("--fillprob", optarg, 1e-30, 1)); break;
		case OPT_BUILD_IMAGE: o->build_image = optarg; break;
		case OPT_CHECK_IMAGE: o->check_image = 1; break;
		case OPT_NO_IMAGE: o->no_image = 1; break;
		case OPT_RESCORE_LW: o->lcfg.lw = (float)sm_opt_double("--rescore-lw", optarg, 0, 100); break;
		case OPT_ASCALE: o->lcfg.ascale = (float)sm_opt_double("--ascale", optarg, 1e-3, 1e4); break;
		case OPT_LAT_BEAM: o->lcfg.beam = (float)sm_opt_double("--lattice-beam", optarg, 0, 1e6); break;
		case OPT_NO_RESCORE: o->no_rescore = 1; break;
		case OPT_HISTORIES: o->lcfg.max_hist = (int)sm_opt_long("--histories", optarg, 1, 100000); break;
		case OPT_LATTICE: o->lat_path = optarg; break;
		case OPT_SEG_MIN: o->seg_min = sm_opt_double("--segment-min", optarg, 0, 1e6); break;
		case OPT_SEG_MAX: o->seg_max = sm_opt_double("--segment-max", optarg, 0, 1e6); break;
		case OPT_WORDS: o->words_path = optarg; break;
		case OPT_PIP: o->cfg.pip = (float)log(sm_opt_double("--pip", optarg, 1e-30, 1e30)); break;
		case OPT_FLAT_LW: o->cfg.flw = (float)sm_opt_double("--flat-lw", optarg, 0, 100); break;
		case OPT_UW: o->uw = sm_opt_double("--uw", optarg, 1e-6, 1); break;
		case OPT_VOCAB: o->vocab_path = optarg; break;
		case OPT_VOCAB_PROB: o->vocab_prob = sm_opt_double("--vocab-prob", optarg, 1e-30, 1); break;
		case OPT_VOCAB_BOOST: o->vocab_boost = sm_opt_double("--vocab-boost", optarg, 1e-6, 1e6); break;
		case OPT_VOCAB_QUIET: o->vocab_quiet = 1; break;
		case OPT_CACHE_WEIGHT: o->cache_weight = sm_opt_double("--cache-weight", optarg, 0, 0.99); break;
		case OPT_CACHE_DECAY: o->cache_decay = sm_opt_double("--cache-decay", optarg, 1e-3, 1); break;
		case OPT_CACHE_MAX_UNI: o->cache_max_uni = sm_opt_double("--cache-max-unigram", optarg, 1e-30, 1); break;
		case OPT_CACHE_WORDS: o->cache_words = optarg; break;
		case OPT_CACHE_SEARCH: o->cache_search = 1; break;
		case OPT_CACHE_IN: o->cache_in = optarg; break;
		case OPT_CACHE_OUT: o->cache_out = optarg; break;
		case OPT_LAT_FORMAT:
			if (strcmp(optarg, "slf") == 0)
				o->slf = 1;
			else if (strcmp(optarg, "sm") == 0)
				o->slf = 0;
			else
				sm_warn("--lattice-format: expected sm or slf, got '%s'", sm_clip(optarg)),
				sm_usage_exit(usage, 0);
			break;
		case 'v': sm_verbose = 1; break;
		case 'h': sm_usage_exit(usage, 1);
		case 'V': sm_version_exit();
		default: sm_usage_exit(usage, 0);
		}
	}
	if (argc - optind > 1)
		sm_usage_exit(usage, 0);
	if (o->seg_max > 0 && o->seg_min > o->seg_max) {
		sm_warn("--segment-min %g is more than --segment-max %g", o->seg_min, o->seg_max);
		sm_usage_exit(usage, 0);
	}
	if (o->build_image && o->words_path)
		sm_die(SM_EX_USAGE, "--words and --build-image: an image holds the whole dictionary");
	if ((o->cache_words || o->cache_search) && o->cache_weight <= 0)
		sm_die(SM_EX_USAGE, "%s needs a --cache-weight above 0",
		       o->cache_words ? "--cache-words" : "--cache-search");
	if (o->cache_in && (o->cache_words || o->cache_search))
		sm_die(SM_EX_USAGE, "--cache-in and %s: the cache comes from one of them, "
		       "and only rescoring waits for it",
		       o->cache_words ? "--cache-words" : "--cache-search");
	if ((o->build_image || o->check_image) && o->vocab_path)
		sm_die(SM_EX_USAGE, "--vocab is for a search, not with %s",
		       o->build_image ? "--build-image" : "--check-image");
	o->path = optind < argc ? argv[optind] : NULL;
	sm_image_options_alone(o->build_image, o->check_image, o->path);
}

/* The search and what it holds on to. */
struct models {
	struct sm_lm lm;
	struct sm_mdef mdef;
	int have_mdef;		/* the search uses its senone sequences */
	struct sm_search *srch;
	uint64_t fp[SM_IMAGE_FP];	/* of the model files, for an image */
	double t0, t1, t2;	/* start, model files read, tree or image ready */
};

/* The search: mapped from the pack's search image, else (no image,
 * --no-image, --words, --build-image) built from the model files. */
static void
load_search(struct models *m, const struct opts *o, const struct sm_pack *pack)
{
	char err[8400], p_mdef[4200], p_tmat[4200], p_noise[4200];
	struct sm_tmat tmat;
	struct sm_dict dict;

	memset(m, 0, sizeof *m);
	m->t0 = sm_now();
	snprintf(p_mdef, sizeof p_mdef, "%s/mdef", pack->hmm);
	snprintf(p_tmat, sizeof p_tmat, "%s/transition_matrices", pack->hmm);
	snprintf(p_noise, sizeof p_noise, "%s/noisedict", pack->hmm);
	/* The model files an image is checked against, or built from (a
	 * missing one is an error then). */
	if ((o->build_image || (pack->image[0] && !o->no_image && !o->words_path)) &&
	    sm_image_fingerprint(pack, SM_IMAGE_SEARCH, m->fp, err, sizeof err) != 0)
		sm_die(SM_EX_CONFIG, "%s", err);
	if (sm_lm_open(&m->lm, pack->lm, 0, err, sizeof err) != 0)
		sm_die(SM_EX_CONFIG, "%s", err);
	sm_lm_set_uw(&m->lm, (float)o->uw);
	if (pack->image[0] && !o->no_image && !o->build_image && !o->words_path) {
		m->srch = sm_search_open(pack->image, &m->lm, &o->cfg, m->fp, err, sizeof err);
		if (m->srch == NULL)
			image_failed(pack, err);
	}
	m->t1 = sm_now();
	if (m->srch == NULL) {
		if (sm_lm_index(&m->lm) != 0)
			sm_die(SM_EX_CONFIG, "%s: out of memory", pack->lm);
		if (sm_mdef_load(&m->mdef, p_mdef, err, sizeof err) != 0)
			sm_die(SM_EX_CONFIG, "%s", err);
		if (sm_tmat_load(&tmat, p_tmat, err, sizeof err) != 0)
			sm_die(SM_EX_CONFIG, "%s", err);
		if (sm_dict_load(&dict, pack->dict, p_noise, &m->mdef, err, sizeof err) != 0)
			sm_die(SM_EX_CONFIG, "%s", err);
		if (o->words_path)
			keep_words(&dict, o->words_path);
		m->t1 = sm_now();
		m->srch = sm_search_new(&m->mdef, &tmat, &dict, &m->lm, &o->cfg, err, sizeof err);
		if (m->srch == NULL)
			sm_die(SM_EX_CONFIG, "%s: %s", pack->dir, err);
		sm_dict_free(&dict);
		sm_tmat_free(&tmat);
		m->have_mdef = 1;
	}
	m->t2 = sm_now();
}

static void
free_search(struct models *m)
{
	sm_search_free(m->srch);
	sm_lm_free(&m->lm);
	if (m->have_mdef)
		sm_mdef_free(&m->mdef);
}

/* --build-image: the tree built from the model files, written whole. */
static int
write_image(struct models *m, const char *file)
{
	char err[8400];

	if (sm_search_save(m->srch, file, m->fp, err, sizeof err) != 0)
		sm_die(SM_EX_IOERR, "%s", err);
	sm_info("%s: image written (tree %.3f s)", file, m->t2 - m->t1);
	free_search(m);
	return 0;
}

/* Search the LOGLIK stream of o->path segment by segment, writing the
 * lattice (--lattice) as it goes; the hypothesis items in *text. */
static void
search_input(const struct opts *o, struct models *m, const struct sm_pack *pack,
	     char **text, size_t *len)
{
	const char *path = o->path;
	FILE *in = sm_open_in(path);
	struct sm_lat_cfg lcfg = o->lcfg;
	struct sm_cache cache;
	struct sm_stream_hdr h;
	struct segmenter seg;
	struct seg_cfg scfg;
	struct job job;
	uint64_t n_read = 0;
	float *frame;
	double fps;

	sm_hdr_read_or_die(in, path, &h, SM_KIND_LOGLIK);
	if (h.sample_type != SM_F32)
		sm_die(SM_EX_DATAERR, "%s: expected float32 log-likelihoods", sm_name(path));
	if (h.dim != (uint32_t)sm_search_n_senones(m->srch))
		sm_die(SM_EX_DATAERR, "%s: %u senones per frame, the model has %d",
		       sm_name(path), h.dim, sm_search_n_senones(m->srch));
	frame = malloc(sizeof *frame * h.dim);
	if (frame == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	lcfg.wip = o->cfg.wip;
	memset(&job, 0, sizeof job);
	if (o->cache_weight > 0) {
		if (sm_cache_init(&cache, &m->lm, (float)o->cache_weight, (float)o->cache_decay,
				  (float)o->cache_max_uni) != 0)
			sm_die(SM_EX_SOFTWARE, "out of memory");
		if (o->cache_words != NULL)
			cache_load(&cache, &m->lm, o->cache_words);
		lcfg.cache = job.cache = &cache;
		if (o->cache_search)
			sm_search_set_cache(m->srch, &cache);
	}
	job.carry_fd = -1;
	job.lm_rw = &m->lm;
	if (o->cache_in != NULL && job.cache != NULL) {
		/* not blocking: a FIFO with no writer yet opens at once */
		job.carry_path = o->cache_in;
		job.carry_fd = open(o->cache_in, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (job.carry_fd < 0)
			sm_die_errno(SM_EX_NOINPUT, "%s", sm_name(o->cache_in));
	}
	job.srch = m->srch;
	job.lm = &m->lm;
	job.cfg = &o->cfg;
	job.lcfg = &lcfg;
	job.no_rescore = o->no_rescore;
	job.slf = o->slf;
	job.lat_path = o->lat_path;
	job.pack = pack;
	job.t0 = (double)h.start_sample / h.sample_rate;
	job.tf = (double)h.frame_shift / h.sample_rate;
	job.hyp = open_memstream(text, len);
	if (job.hyp == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	fps = 1 / job.tf;
	scfg.min = lround(o->seg_min * fps);
	scfg.max = lround(o->seg_max * fps);
	scfg.pause = (int)lround(SEG_PAUSE_S * fps);
	scfg.window = (int)lround(SEG_WINDOW_S * fps);
	scfg.sil_margin = SEG_SIL_MARGIN;
	sm_info("load %.3f s, tree or image %.3f s", m->t1 - m->t0, m->t2 - m->t1);
	job.t_mark = sm_now();
	if (seg_init(&seg, m->srch, (int)h.dim, &scfg, segment_done, &job) != 0)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	while (sm_floats_read(in, path, frame, h.dim)) {
		if (seg_frame(&seg, frame) != 0)
			search_failed(m->srch, pack);
		n_read++;
	}
	/* An upstream stage that died between two frames. */
	if (h.n_frames != 0 && n_read != h.n_frames)
		sm_die(SM_EX_DATAERR, "%s: stream has %llu frames, its header says %llu",
		       sm_name(path), (unsigned long long)n_read,
		       (unsigned long long)h.n_frames);
	if (seg_finish(&seg) != 0)
		search_failed(m->srch, pack);
	seg_free(&seg);
	carry_check(&job, 1);
	if (o->cache_out != NULL) {
		FILE *f = fopen(o->cache_out, "w");

		if (f == NULL)
			sm_die_errno(SM_EX_IOERR, "%s", sm_name(o->cache_out));
		if (job.cache != NULL)
			carry_write(job.cache, &m->lm, m->srch, f, o->cache_out);
		else {
			struct sm_cache none;

			memset(&none, 0, sizeof none);
			carry_write(&none, &m->lm, m->srch, f, o->cache_out);
		}
		if (fclose(f) != 0)
			sm_die_errno(SM_EX_IOERR, "%s", sm_name(o->cache_out));
	}
	if (job.lf != NULL && job.lf != stdout && fclose(job.lf) != 0)
		sm_die_errno(SM_EX_IOERR, "%s", sm_name(o->lat_path));
	partial_lattice = NULL;
	if (fclose(job.hyp) != 0)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	if (job.cache != NULL) {
		sm_search_set_cache(m->srch, NULL);
		sm_cache_free(job.cache);
	}
	free(frame);
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct sm_pack pack;
	struct models m;
	char *hyp = NULL;
	size_t hyp_len = 0;

	sm_init(argv[0]);
	parse_options(&o, argc, argv);
	sm_pack_load_or_die(&pack, o.model, o.model ? NULL : o.lang);
	if (o.check_image) {
		struct check_arg a = { &pack, &o.cfg, o.uw };

		sm_image_check_pack(&pack, SM_IMAGE_SEARCH, check, &a,
				    "--no-image builds the tree in memory");
		return 0;
	}
	load_search(&m, &o, &pack);
	if (o.build_image)
		return write_image(&m, o.build_image);
	if (o.vocab_path) {
		double t = sm_now();

		vocab_load(o.vocab_path, &pack, m.srch, &m.lm, o.vocab_prob, o.vocab_boost,
			   o.vocab_quiet);
		sm_info("custom vocabulary %.3f s", sm_now() - t);
	}
	search_input(&o, &m, &pack, &hyp, &hyp_len);
	/* with --lattice -, the lattice is the output */
	if (o.lat_path == NULL || strcmp(o.lat_path, "-") != 0) {
		fputs("#sm-hyp 1\n", stdout);
		fwrite(hyp, 1, hyp_len, stdout);
		fputs("#end\n", stdout);
	}
	free(hyp);
	free_search(&m);
	sm_close_stdout();
	return 0;
}

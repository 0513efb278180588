/*
 * lts-train: train a letter-to-sound model (recog/lts.c says what it is)
 * from a pronunciation dictionary in the CMU format ("word PH ON ES", an
 * alternative pronunciation as "word(2) ..."), for a language pack.
 * Built and run by make, not installed.
 *
 * Usage: lts-train [-av] [-c classes] [-w letters] DICT OUT
 *   -a          train on alternative pronunciations too (default: only
 *               each word's first)
 *   -c classes  context: classes of the letters before (default 2)
 *   -v          say how many words, letters, classes and nodes
 *   -w letters  context: letters each side of the letter (default 5)
 *
 * Words of other characters than a-z and ' are left out, and so are
 * pronunciations with a phone that is not one of the 39 (a stress digit
 * is dropped), or more than two phones per letter.  The output depends
 * on the dictionary and the options alone: the same input gives the
 * same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lts.h"
#include "sm.h"

#define MAXLEN 40		/* letters or phones of a word */
#define NLET 27			/* a-z and ' */
#define NPAIR (SM_LTS_NPHONE * SM_LTS_NPHONE)
/* The aligner's classes: nothing, one phone, two phones. */
#define EPS 0
#define ONE(p) (1 + (p))
#define TWO(p, q) (1 + SM_LTS_NPHONE + (p) * SM_LTS_NPHONE + (q))
#define NALIGN (1 + SM_LTS_NPHONE + NPAIR)
#define ITER 12			/* EM iterations */

static const char usage[] =
	"lts-train: train a letter-to-sound model from a pronunciation dictionary\n"
	"Usage: lts-train [-av] [-c classes] [-w letters] DICT OUT\n"
	"  -a          train on alternative pronunciations too (default: first only)\n"
	"  -c classes  classes of the letters before as context (default 2)\n"
	"  -v          say how many words, letters, classes and nodes\n"
	"  -w letters  letters of context each side (default 5)\n"
	"e.g.: lts-train /usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict lts.bin\n";

struct word {
	uint8_t nl, np;
	uint8_t let[MAXLEN];	/* letter indices */
	uint8_t ph[MAXLEN];	/* phone ids */
	uint16_t cls[MAXLEN];	/* aligned class of each letter */
};

static struct word *words;
static size_t nword, capword;
static double prob[NLET][NALIGN];

static int
letter_index(int c)
{
	return c == '\'' ? 26 : c - 'a';
}

static int
letter_char(int i)
{
	return i == 26 ? '\'' : 'a' + i;
}

/* One line of the dictionary into words[] when it qualifies. */
static void
add_line(char *line, int all)
{
	struct word w;
	char *tok, *save = NULL, *par;
	size_t i;

	memset(&w, 0, sizeof(w));
	tok = strtok_r(line, " \t\r\n", &save);
	if (tok == NULL)
		return;
	par = strchr(tok, '(');
	if (par != NULL) {
		if (!all)
			return;
		*par = '\0';
	}
	if (strlen(tok) > MAXLEN || *tok == '\0')
		return;
	for (i = 0; tok[i]; i++) {
		if (!((tok[i] >= 'a' && tok[i] <= 'z') || tok[i] == '\''))
			return;
		w.let[i] = (uint8_t)letter_index(tok[i]);
	}
	w.nl = (uint8_t)i;
	while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
		size_t n = strlen(tok);
		int id;

		if (n > 1 && tok[n - 1] >= '0' && tok[n - 1] <= '9')
			tok[n - 1] = '\0';
		if (w.np == MAXLEN || (id = sm_lts_phone_id(tok)) < 0)
			return;
		w.ph[w.np++] = (uint8_t)id;
	}
	if (w.np == 0 || w.np > 2 * w.nl)
		return;
	if (nword == capword) {
		capword = capword ? 2 * capword : 65536;
		words = realloc(words, capword * sizeof(*words));
		if (words == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
	}
	words[nword++] = w;
}

static void
read_dict(const char *path, int all)
{
	char line[4096];
	FILE *f = fopen(path, "r");

	if (f == NULL)
		sm_die_errno(SM_EX_NOINPUT, "%s", path);
	while (fgets(line, sizeof(line), f))
		add_line(line, all);
	if (ferror(f))
		sm_die_errno(SM_EX_IOERR, "%s", path);
	fclose(f);
	if (nword == 0)
		sm_die(SM_EX_DATAERR, "%s: no word to train on", path);
}

/* The probability of letter i of w taking the phones from j, by class
 * kind k (0: none, 1: one, 2: two); 0 where the phones run out. */
static double
arc(const struct word *w, int i, int j, int k, int *cls)
{
	if (j + k > w->np)
		return 0;
	*cls = k == 0 ? EPS : k == 1 ? ONE(w->ph[j]) : TWO(w->ph[j], w->ph[j + 1]);
	return prob[w->let[i]][*cls];
}

/* One EM iteration: expected counts of each letter's classes over every
 * alignment of every word (forward-backward), then prob from them. */
static void
em_step(double (*count)[NALIGN])
{
	static double a[MAXLEN + 1][MAXLEN + 1], b[MAXLEN + 1][MAXLEN + 1];
	size_t n;
	int i, j, k, c;

	memset(count, 0, sizeof(double) * NLET * NALIGN);
	for (n = 0; n < nword; n++) {
		const struct word *w = &words[n];

		for (i = 0; i <= w->nl; i++)
			for (j = 0; j <= w->np; j++)
				a[i][j] = b[i][j] = 0;
		a[0][0] = 1;
		for (i = 0; i < w->nl; i++)
			for (j = 0; j <= w->np; j++)
				if (a[i][j] > 0)
					for (k = 0; k < 3; k++)
						a[i + 1][j + k] += a[i][j] * arc(w, i, j, k, &c);
		if (!(a[w->nl][w->np] > 1e-300))
			continue;
		b[w->nl][w->np] = 1;
		for (i = w->nl - 1; i >= 0; i--)
			for (j = w->np; j >= 0; j--)
				for (k = 0; k < 3 && j + k <= w->np; k++)
					b[i][j] += arc(w, i, j, k, &c) * b[i + 1][j + k];
		for (i = 0; i < w->nl; i++)
			for (j = 0; j <= w->np; j++)
				for (k = 0; k < 3; k++) {
					double p = arc(w, i, j, k, &c);

					if (p > 0 && a[i][j] > 0)
						count[w->let[i]][c] += a[i][j] * p *
							b[i + 1][j + k] / a[w->nl][w->np];
				}
	}
	for (i = 0; i < NLET; i++) {
		double s = 0;

		for (c = 0; c < NALIGN; c++)
			s += count[i][c];
		for (c = 0; c < NALIGN; c++)
			prob[i][c] = s > 0 ? count[i][c] / s : prob[i][c];
	}
}

/* Align every word's letters to its phones: EM from a start where one
 * phone per letter is likelier than none, and none likelier than two,
 * then each word's most probable alignment (a word with none is
 * dropped). */
static void
align(void)
{
	static double count[NLET][NALIGN];
	static double v[MAXLEN + 1][MAXLEN + 1];
	static uint16_t from[MAXLEN + 1][MAXLEN + 1];
	size_t n, kept = 0;
	int i, j, k, c, it;

	for (i = 0; i < NLET; i++) {
		prob[i][EPS] = 0.2;
		for (c = ONE(0); c < ONE(SM_LTS_NPHONE); c++)
			prob[i][c] = 0.75 / SM_LTS_NPHONE;
		for (c = TWO(0, 0); c < NALIGN; c++)
			prob[i][c] = 0.05 / NPAIR;
	}
	for (it = 0; it < ITER; it++)
		em_step(count);
	for (n = 0; n < nword; n++) {
		struct word *w = &words[n];

		for (i = 0; i <= w->nl; i++)
			for (j = 0; j <= w->np; j++)
				v[i][j] = -1;
		v[0][0] = 1;
		for (i = 0; i < w->nl; i++)
			for (j = 0; j <= w->np; j++)
				if (v[i][j] > 0)
					for (k = 0; k < 3; k++) {
						double p = v[i][j] * arc(w, i, j, k, &c);

						if (p > 0 && p > v[i + 1][j + k]) {
							v[i + 1][j + k] = p;
							from[i + 1][j + k] = (uint16_t)(k << 14 | c);
						}
					}
		if (!(v[w->nl][w->np] > 0))
			continue;
		for (i = w->nl, j = w->np; i > 0; i--) {
			w->cls[i - 1] = from[i][j] & 0x3fff;
			j -= from[i][j] >> 14;
		}
		words[kept++] = *w;
	}
	nword = kept;
}

/* The model's classes: the aligner's classes that some letter took, in
 * the aligner's order; map[] from the one to the other. */
static uint32_t
number_classes(uint8_t *map, uint8_t (*cls)[2])
{
	static uint8_t used[NALIGN];
	uint32_t n = 0;
	size_t w;
	int i;

	for (w = 0; w < nword; w++)
		for (i = 0; i < words[w].nl; i++)
			used[words[w].cls[i]] = 1;
	for (i = 0; i < NALIGN; i++) {
		if (!used[i])
			continue;
		if (n == SM_LTS_NONE)
			sm_die(SM_EX_DATAERR, "more than %d letter classes", SM_LTS_NONE);
		map[i] = (uint8_t)n;
		cls[n][0] = cls[n][1] = SM_LTS_NONE;
		if (i >= TWO(0, 0)) {
			cls[n][0] = (uint8_t)((i - TWO(0, 0)) / SM_LTS_NPHONE);
			cls[n][1] = (uint8_t)((i - TWO(0, 0)) % SM_LTS_NPHONE);
		} else if (i >= ONE(0)) {
			cls[n][0] = (uint8_t)(i - ONE(0));
		}
		n++;
	}
	return n;
}

static size_t reclen;		/* an instance: nfeat letters, then its class */

static int
cmp_rec(const void *a, const void *b)
{
	return memcmp(a, b, reclen);
}

/* The most frequent class of the instances [lo, hi) (the lowest of
 * equals), and whether it is their only one. */
static uint8_t
majority(const uint8_t *rec, size_t lo, size_t hi, int *pure)
{
	uint32_t cnt[256] = {0};
	size_t i;
	int best = 0, c;

	for (i = lo; i < hi; i++)
		cnt[rec[i * reclen + reclen - 1]]++;
	for (c = 1; c < 256; c++)
		if (cnt[c] > cnt[best])
			best = c;
	*pure = cnt[best] == hi - lo;
	return (uint8_t)best;
}

struct bnode {
	struct sm_lts_node n;
	size_t lo, hi;
	uint32_t depth;
};

/* The tree of the sorted instances, breadth first (so that each node's
 * children are contiguous); *nnode nodes. */
static struct bnode *
build_tree(const uint8_t *rec, size_t nrec, uint32_t nfeat, uint32_t *nnode)
{
	size_t cap = 1 << 16, n = 1, k, i, j;
	struct bnode *t = malloc(cap * sizeof(*t));
	int pure;

	if (t == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	memset(t, 0, sizeof(*t));
	t[0].hi = nrec;
	t[0].n.letter = SM_LTS_EDGE;
	t[0].n.cls = majority(rec, 0, nrec, &pure);
	if (pure)
		t[0].depth = nfeat;
	for (k = 0; k < n; k++) {
		uint32_t d = t[k].depth;

		t[k].n.child = (uint32_t)n;
		if (d == nfeat)
			continue;
		for (i = t[k].lo; i < t[k].hi; i = j) {
			uint8_t l = rec[i * reclen + d], c;

			for (j = i + 1; j < t[k].hi && rec[j * reclen + d] == l; j++)
				;
			c = majority(rec, i, j, &pure);
			if (pure && c == t[k].n.cls)
				continue;
			if (n == cap) {
				cap *= 2;
				t = realloc(t, cap * sizeof(*t));
				if (t == NULL)
					sm_die(SM_EX_SOFTWARE, "out of memory");
			}
			memset(&t[n], 0, sizeof(*t));
			t[n].n.letter = l;
			t[n].n.cls = c;
			t[n].lo = i;
			t[n].hi = j;
			t[n].depth = pure ? nfeat : d + 1;
			n++;
		}
		t[k].n.nchild = (uint16_t)(n - t[k].n.child);
		if (t[k].n.nchild == 0)
			t[k].n.child = 0;
	}
	if (n > UINT32_MAX)
		sm_die(SM_EX_DATAERR, "too many nodes");
	*nnode = (uint32_t)n;
	return t;
}

static void
write_all(FILE *f, const void *p, size_t n, const char *path)
{
	if (fwrite(p, 1, n, f) != n)
		sm_die_errno(SM_EX_IOERR, "%s", path);
}

int
main(int argc, char **argv)
{
	struct sm_lts_header h;
	static uint8_t map[NALIGN], cls[256][2];
	uint8_t *rec;
	struct bnode *tree;
	size_t nrec = 0, w, r;
	uint32_t i, nnode;
	int all = 0, ctx = 5, hist = 2, opt;
	FILE *f;

	sm_init("lts-train");
	while ((opt = getopt(argc, argv, "ac:w:vh")) != -1) {
		switch (opt) {
		case 'a': all = 1; break;
		case 'v': sm_verbose = 1; break;
		case 'c':
			hist = atoi(optarg);
			if (hist < 0)
				sm_die(SM_EX_USAGE, "-c: expected 0 or more");
			break;
		case 'w':
			ctx = atoi(optarg);
			if (ctx < 0 || 2 * ctx + 1 > SM_LTS_MAXFEAT)
				sm_die(SM_EX_USAGE, "-w: expected 0 to %d", (SM_LTS_MAXFEAT - 1) / 2);
			break;
		case 'h': sm_usage_exit(usage, 1);
		default: sm_usage_exit(usage, 0);
		}
	}
	if (argc - optind != 2)
		sm_usage_exit(usage, 0);
	if (hist > ctx)
		hist = ctx;
	if (2 * ctx + hist + 1 > SM_LTS_MAXFEAT)
		sm_die(SM_EX_USAGE, "-w %d -c %d: more than %d features", ctx, hist,
		       SM_LTS_MAXFEAT);
	read_dict(argv[optind], all);
	align();

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, SM_LTS_MAGIC, sizeof(h.magic));
	h.bom = SM_LTS_BOM;
	h.version = SM_LTS_VERSION;
	/* The letter, then the letters after and before it, nearest first,
	 * each letter before followed by its class when asked. */
	h.nfeat = 1;
	for (i = 1; i <= (uint32_t)ctx; i++) {
		h.offset[h.nfeat++] = (int8_t)i;
		h.offset[h.nfeat++] = (int8_t)-i;
		if (i <= (uint32_t)hist) {
			h.kind[h.nfeat] = SM_LTS_CLASS;
			h.offset[h.nfeat++] = (int8_t)-i;
		}
	}
	h.nclass = number_classes(map, cls);
	for (i = h.nclass; i % 2; i++)
		cls[i][0] = cls[i][1] = SM_LTS_NONE;

	/* The instances: each letter's context, in the order asked, then its
	 * class; sorted, so that the instances of each node are together. */
	reclen = h.nfeat + 1;
	for (w = 0; w < nword; w++)
		nrec += words[w].nl;
	rec = malloc(nrec * reclen);
	if (rec == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	for (w = 0, r = 0; w < nword; w++) {
		const struct word *wd = &words[w];

		for (int l = 0; l < wd->nl; l++, r++) {
			for (i = 0; i < h.nfeat; i++) {
				int at = l + h.offset[i];
				uint8_t *f = &rec[r * reclen + i];

				if (h.kind[i] == SM_LTS_CLASS)
					*f = at < 0 ? SM_LTS_NONE : map[wd->cls[at]];
				else
					*f = (uint8_t)(at < 0 || at >= wd->nl ?
						SM_LTS_EDGE : letter_char(wd->let[at]));
			}
			rec[r * reclen + h.nfeat] = map[wd->cls[l]];
		}
	}
	qsort(rec, nrec, reclen, cmp_rec);
	tree = build_tree(rec, nrec, h.nfeat, &nnode);
	h.nnode = nnode;

	f = fopen(argv[optind + 1], "wb");
	if (f == NULL)
		sm_die_errno(SM_EX_IOERR, "%s", argv[optind + 1]);
	write_all(f, &h, sizeof(h), argv[optind + 1]);
	write_all(f, cls, (h.nclass * 2 + 3) & ~3u, argv[optind + 1]);
	for (i = 0; i < nnode; i++)
		write_all(f, &tree[i].n, sizeof(tree[i].n), argv[optind + 1]);
	if (fclose(f) != 0)
		sm_die_errno(SM_EX_IOERR, "%s", argv[optind + 1]);
	sm_info("%zu words, %zu letters, %u classes, %u nodes", nword, nrec,
		h.nclass, nnode);
	free(tree);
	free(rec);
	free(words);
	return 0;
}

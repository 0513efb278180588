/*
 * lts-train: train a letter-to-sound model (recog/lts.c says what it is)
 * from a pronunciation dictionary in the CMU format ("word PH ON ES", an
 * alternative pronunciation as "word(2) ..."), for a language pack.
 * Built and run by make, not installed.
 *
 * Usage: lts-train [-av] [-d discount] [-n order] DICT OUT
 *   -a           train on alternative pronunciations too (default: only
 *                each word's first)
 *   -d discount  the n-grams' absolute discount (default 0.9)
 *   -n order     n of the n-gram, 2 to SM_LTS_MAXORDER (default 5)
 *   -v           say how many words, events, tokens and histories
 *
 * Words are read in lower case; those of other characters than a-z and '
 * are left out, and so are pronunciations with a phone that is not one of
 * the 39 (a stress digit is dropped), or more than two phones per letter.
 * The output depends on the dictionary and the options alone: the same
 * input gives the same bytes.
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
	"Usage: lts-train [-av] [-d discount] [-n order] DICT OUT\n"
	"  -a           train on alternative pronunciations too (default: first only)\n"
	"  -d discount  the n-grams' absolute discount (default 0.9)\n"
	"  -n order     n of the n-gram, 2 to 8 (default 5)\n"
	"  -v           say how many words, events, tokens and histories\n"
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
		int c = tok[i] >= 'A' && tok[i] <= 'Z' ? tok[i] - 'A' + 'a' : tok[i];

		if (!((c >= 'a' && c <= 'z') || c == '\''))
			return;
		w.let[i] = (uint8_t)letter_index(c);
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

/* The model's tokens: the (letter, aligner class) pairs that some word
 * has, by letter, then class; their classes numbered in the aligner's
 * order.  tok[letter][class] is a token's id, UINT16_MAX for none. */
static uint16_t tokid[NLET][NALIGN];

static void
number_tokens(struct sm_lts_header *h, uint8_t (*cls)[2], uint8_t *tokcls)
{
	static uint8_t used[NLET][NALIGN];
	static int clsid[NALIGN];
	size_t w;
	int i, l;

	for (w = 0; w < nword; w++)
		for (i = 0; i < words[w].nl; i++)
			used[words[w].let[i]][words[w].cls[i]] = 1;
	for (i = 0; i < NALIGN; i++) {
		clsid[i] = -1;
		for (l = 0; l < NLET && clsid[i] < 0; l++)
			if (used[l][i]) {
				if (h->nclass == SM_LTS_NONE)
					sm_die(SM_EX_DATAERR, "more than %d letter classes",
					       SM_LTS_NONE);
				clsid[i] = (int)h->nclass;
				cls[h->nclass][0] = cls[h->nclass][1] = SM_LTS_NONE;
				if (i >= TWO(0, 0)) {
					cls[h->nclass][0] = (uint8_t)((i - TWO(0, 0)) / SM_LTS_NPHONE);
					cls[h->nclass][1] = (uint8_t)((i - TWO(0, 0)) % SM_LTS_NPHONE);
				} else if (i >= ONE(0)) {
					cls[h->nclass][0] = (uint8_t)(i - ONE(0));
				}
				h->nclass++;
			}
	}
	for (l = 0; l < NLET; l++) {
		h->first[l] = h->ntok;
		for (i = 0; i < NALIGN; i++) {
			tokid[l][i] = UINT16_MAX;
			if (used[l][i]) {
				tokcls[h->ntok] = (uint8_t)clsid[i];
				tokid[l][i] = (uint16_t)h->ntok++;
			}
		}
	}
	h->first[NLET] = h->ntok;
}

/* An event: the history (the tokens before, the nearest first, NONE
 * beyond the word's start), then the token that follows it. */
#define NONE UINT16_MAX
static int order;

static int
cmp_event(const void *a, const void *b)
{
	const uint16_t *x = a, *y = b;

	for (int k = 0; k < order; k++)
		if (x[k] != y[k])
			return x[k] < y[k] ? -1 : 1;
	return 0;
}

/* Every word's events, sorted (so that those of a history are together). */
static uint16_t *
events(uint32_t ntok, size_t *nev, double *count)
{
	uint16_t seq[MAXLEN + 2], *ev;
	size_t w, n = 0, cap = 0;
	int i, k, len;

	for (w = 0; w < nword; w++)
		cap += words[w].nl + 1u;
	ev = malloc(cap * order * sizeof(*ev));
	if (ev == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	for (w = 0; w < nword; w++) {
		const struct word *wd = &words[w];

		len = 0;
		seq[len++] = (uint16_t)SM_LTS_BOS(ntok);
		for (i = 0; i < wd->nl; i++)
			seq[len++] = tokid[wd->let[i]][wd->cls[i]];
		seq[len++] = (uint16_t)SM_LTS_EOS(ntok);
		for (i = 1; i < len; i++, n++) {
			uint16_t *e = &ev[n * order];

			for (k = 0; k < order - 1; k++)
				e[k] = i - 1 - k >= 0 ? seq[i - 1 - k] : NONE;
			e[order - 1] = seq[i];
			count[seq[i]]++;
		}
	}
	qsort(ev, n, order * sizeof(*ev), cmp_event);
	*nev = n;
	return ev;
}

struct model {
	struct sm_lts_node *node;
	struct sm_lts_fol *fol;
	size_t nnode, nfol, capnode, capfol;
};

static void *
grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? 2 * *cap : 4096;
	p = realloc(p, *cap * size);
	if (p == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	return p;
}

/* The history tree, breadth first (so that each node's children are
 * contiguous): a node for each history of up to order - 1 tokens that
 * the events have, with its followers' absolutely discounted relative
 * frequencies (interpolated with the lower order's probability, which
 * gamma weighs; interpolated Kneser-Ney). */
static void
build(struct model *m, const uint16_t *ev, size_t nev, double disc)
{
	struct span { size_t lo, hi; int depth; } *q = NULL;
	static uint32_t cnt[65536];
	static uint16_t seen[65536];
	static size_t last[65536];
	size_t capq = 0, k, i, j, group = 0;
	double total;

	m->node = grow(m->node, &m->capnode, 0, sizeof(*m->node));
	q = grow(q, &capq, 0, sizeof(*q));
	memset(&m->node[0], 0, sizeof(m->node[0]));
	q[0] = (struct span){ 0, nev, 0 };
	m->nnode = 1;
	for (k = 0; k < m->nnode; k++) {
		size_t lo = q[k].lo, hi = q[k].hi;
		int d = q[k].depth, ns = 0, a, b;

		/* The followers, sorted by token, and their counts: below the
		 * highest order, Kneser-Ney's, the number of histories one
		 * token longer that each follows (a group of events with the
		 * same next token back), but where the word's start leaves no
		 * longer history. */
		total = 0;
		for (i = lo; i < hi; i++) {
			const uint16_t *e = &ev[i * order];
			uint16_t t = e[order - 1];
			int kn = d < order - 1 && e[d] != NONE;

			if (kn && (i == lo || e[d] != e[(int)d - order]))
				group++;
			if (cnt[t] == 0)
				seen[ns++] = t;
			if (kn) {
				if (last[t] == group)
					continue;
				last[t] = group;
			}
			cnt[t]++;
			total++;
		}
		for (a = 1; a < ns; a++) {
			uint16_t t = seen[a];

			for (b = a; b > 0 && seen[b - 1] > t; b--)
				seen[b] = seen[b - 1];
			seen[b] = t;
		}
		m->node[k].fol = (uint32_t)m->nfol;
		m->node[k].gamma = (float)(disc * ns / total);
		for (a = 0; a < ns; a++) {
			double c = cnt[seen[a]];

			m->fol = grow(m->fol, &m->capfol, m->nfol, sizeof(*m->fol));
			m->fol[m->nfol].tok = seen[a];
			m->fol[m->nfol++].a = (float)((c > disc ? c - disc : 0) / total);
			cnt[seen[a]] = 0;
		}
		/* The children: this history and one token further back. */
		m->node[k].child = (uint32_t)m->nnode;
		if (d == order - 1)
			continue;
		for (i = lo; i < hi; i = j) {
			uint16_t t = ev[i * order + d];

			for (j = i + 1; j < hi && ev[j * order + d] == t; j++)
				;
			if (t == NONE)
				continue;
			m->node = grow(m->node, &m->capnode, m->nnode, sizeof(*m->node));
			q = grow(q, &capq, m->nnode, sizeof(*q));
			memset(&m->node[m->nnode], 0, sizeof(m->node[0]));
			m->node[m->nnode].tok = t;
			q[m->nnode++] = (struct span){ i, j, d + 1 };
		}
		m->node[k].nchild = (uint16_t)(m->nnode - m->node[k].child);
	}
	/* The end marker: where the last node's followers end. */
	m->node = grow(m->node, &m->capnode, m->nnode, sizeof(*m->node));
	memset(&m->node[m->nnode], 0, sizeof(m->node[0]));
	m->node[m->nnode].fol = (uint32_t)m->nfol;
	free(q);
}

static void
write_all(FILE *f, const void *p, size_t n, const char *path)
{
	static const char zero[4];

	if (fwrite(p, 1, n, f) != n || fwrite(zero, 1, -n & 3, f) != (-n & 3))
		sm_die_errno(SM_EX_IOERR, "%s", path);
}

int
main(int argc, char **argv)
{
	struct sm_lts_header h;
	static uint8_t cls[256][2], tokcls[65536];
	static double count[65536];
	static float base[65536];
	struct model m = { 0 };
	uint16_t *ev;
	size_t nev;
	double disc = 0.9, tot = 0;
	uint32_t t;
	int all = 0, opt;
	const char *out;
	FILE *f;

	sm_init("lts-train");
	order = 5;
	while ((opt = getopt(argc, argv, "ad:n:vh")) != -1) {
		switch (opt) {
		case 'a': all = 1; break;
		case 'd':
			disc = atof(optarg);
			if (!(disc > 0 && disc < 1))
				sm_die(SM_EX_USAGE, "-d: expected a number between 0 and 1");
			break;
		case 'n':
			order = atoi(optarg);
			if (order < 2 || order > SM_LTS_MAXORDER)
				sm_die(SM_EX_USAGE, "-n: expected 2 to %d", SM_LTS_MAXORDER);
			break;
		case 'v': sm_verbose = 1; break;
		case 'h': sm_usage_exit(usage, 1);
		default: sm_usage_exit(usage, 0);
		}
	}
	if (argc - optind != 2)
		sm_usage_exit(usage, 0);
	out = argv[optind + 1];
	read_dict(argv[optind], all);
	align();

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, SM_LTS_MAGIC, sizeof(h.magic));
	h.bom = SM_LTS_BOM;
	h.version = SM_LTS_VERSION;
	h.order = (uint32_t)order;
	number_tokens(&h, cls, tokcls);
	if (h.ntok + 2 > NONE)
		sm_die(SM_EX_DATAERR, "more than %d tokens", NONE - 2);
	ev = events(h.ntok, &nev, count);
	build(&m, ev, nev, disc);
	h.nnode = (uint32_t)m.nnode;
	h.nfol = (uint32_t)m.nfol;
	/* The lowest order: relative frequencies, each token seen or not
	 * given a little. */
	for (t = 0; t <= h.ntok; t++)
		tot += count[t] + 0.01;
	for (t = 0; t <= h.ntok; t++)
		base[t] = (float)((count[t] + 0.01) / tot);

	f = fopen(out, "wb");
	if (f == NULL)
		sm_die_errno(SM_EX_IOERR, "%s", out);
	write_all(f, &h, sizeof(h), out);
	write_all(f, cls, h.nclass * 2, out);
	write_all(f, tokcls, h.ntok, out);
	write_all(f, base, (h.ntok + 1) * sizeof(*base), out);
	write_all(f, m.node, (m.nnode + 1) * sizeof(*m.node), out);
	write_all(f, m.fol, m.nfol * sizeof(*m.fol), out);
	if (fclose(f) != 0)
		sm_die_errno(SM_EX_IOERR, "%s", out);
	sm_info("%zu words, %zu events, %u classes, %u tokens, %u histories, %u followers",
		nword, nev, h.nclass, h.ntok, h.nnode, h.nfol);
	free(ev);
	free(m.node);
	free(m.fol);
	free(words);
	return 0;
}

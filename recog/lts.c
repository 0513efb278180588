/*
 * lts.c: letter-to-sound by a joint n-gram of letters and phones trained
 * on the pack's dictionary (lts.h).
 *
 * The method (models/lts-train.c trains the model): each letter of a
 * word takes one class, no phone, one phone or two (x: K S), and a word
 * is a sequence of tokens, (letter, class) pairs.  The trainer aligns
 * the dictionary's words' letters to their phones by expectation
 * maximisation (the probability of each class given the letter), then
 * counts the token sequences' n-grams (n = the header's order): an
 * interpolated Kneser-Ney n-gram, each token's probability given the
 * order - 1 before it (the word's start among them), the word's end a
 * token too.  A word's pronunciation is the likeliest token
 * sequence that spells it, found by a beam search over its letters (the
 * BEAM best histories kept at each letter), with the end's probability;
 * its phones are its classes' phones in order.
 *
 * The file (lts.h): the header, the class table, each token's class, the
 * lowest order's probabilities, the histories as a tree (node 0 the empty
 * history; a node's children, contiguous and sorted, extend it by one
 * token further back) with their followers.  It is mapped, and checked
 * once at open (sizes and indices), so that a damaged file cannot lead
 * a look-up out of it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lts.h"
#include "sm.h"

/* Longer words are refused: no word of a dictionary comes near. */
#define MAXWORD 128
/* The histories kept at each letter. */
#define BEAM 10
#define NOHIST 0xffff	/* a history's place before the word's start */

const char *const sm_lts_phones[SM_LTS_NPHONE] = {
	"AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER",
	"EY", "F", "G", "HH", "IH", "IY", "JH", "K", "L", "M", "N", "NG",
	"OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH", "UW", "V", "W",
	"Y", "Z", "ZH",
};

struct sm_lts {
	const unsigned char *map;
	size_t size;
	const struct sm_lts_header *h;
	const uint8_t (*cls)[2];
	const uint8_t *tokcls;
	const float *base;
	const struct sm_lts_node *node;
	const struct sm_lts_fol *fol;
};

int
sm_lts_phone_id(const char *name)
{
	for (int i = 0; i < SM_LTS_NPHONE; i++)
		if (strcmp(sm_lts_phones[i], name) == 0)
			return i;
	return -1;
}

static size_t
pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Where the sections are, from the header (its counts bounded first);
 * the file's expected size. */
static size_t
layout(struct sm_lts *t)
{
	const struct sm_lts_header *h = t->h;
	const char *p = (const char *)t->map + sizeof(*h);

	t->cls = (const void *)p;
	p += pad4((size_t)h->nclass * 2);
	t->tokcls = (const void *)p;
	p += pad4(h->ntok);
	t->base = (const void *)p;
	p += ((size_t)h->ntok + 1) * sizeof(float);
	t->node = (const void *)p;
	p += ((size_t)h->nnode + 1) * sizeof(struct sm_lts_node);
	t->fol = (const void *)p;
	p += (size_t)h->nfol * sizeof(struct sm_lts_fol);
	return (size_t)(p - (const char *)t->map);
}

/* Whether the header and tables agree with the file's size and with each
 * other; a message in err if not. */
static int
check(struct sm_lts *t, const char *path, char *err, size_t errlen)
{
	const struct sm_lts_header *h = t->h;
	size_t want;
	uint32_t i;

	if (h->order < 2 || h->order > SM_LTS_MAXORDER || h->nclass < 1 ||
	    h->nclass > SM_LTS_NONE || h->ntok > 0xfff0 || h->nnode < 1 ||
	    h->nnode > 1u << 28 || h->nfol > 1u << 28 || h->first[0] != 0 ||
	    h->first[SM_LTS_NLETTER] != h->ntok)
		return sm_path_err(err, errlen, path, "damaged header");
	for (i = 0; i < SM_LTS_NLETTER; i++)
		if (h->first[i] > h->first[i + 1] || h->first[i + 1] - h->first[i] > 256)
			return sm_path_err(err, errlen, path, "damaged header");
	want = layout(t);
	if (t->size != want)
		return sm_path_err(err, errlen, path, "damaged: %zu bytes, its header "
				   "announces %zu", t->size, want);
	for (i = 0; i < h->nclass; i++)
		if ((t->cls[i][0] >= SM_LTS_NPHONE && t->cls[i][0] != SM_LTS_NONE) ||
		    (t->cls[i][1] >= SM_LTS_NPHONE && t->cls[i][1] != SM_LTS_NONE))
			return sm_path_err(err, errlen, path, "damaged class %u", i);
	for (i = 0; i < h->ntok; i++)
		if (t->tokcls[i] >= h->nclass)
			return sm_path_err(err, errlen, path, "damaged token %u", i);
	for (i = 0; i < h->nnode; i++) {
		const struct sm_lts_node *n = &t->node[i];

		if ((n->nchild > 0 && (n->child <= i || n->nchild > h->nnode ||
				       n->child > h->nnode - n->nchild)) ||
		    n->fol > n[1].fol)
			return sm_path_err(err, errlen, path, "damaged history %u", i);
	}
	if (t->node[0].fol != 0 || t->node[h->nnode].fol != h->nfol)
		return sm_path_err(err, errlen, path, "damaged history table");
	for (i = 0; i < h->nfol; i++)
		if (t->fol[i].tok > SM_LTS_EOS(h->ntok))
			return sm_path_err(err, errlen, path, "damaged follower %u", i);
	return 0;
}

struct sm_lts *
sm_lts_open(const char *path, char *err, size_t errlen)
{
	const unsigned char *map;
	struct sm_lts *t;
	size_t len;

	/* not populated: a vocabulary's words visit a few of its nodes */
	if (sm_map_file(path, 0, &map, &len, err, errlen) != 0) {
		if (errno == EINVAL)
			sm_path_err(err, errlen, path, "not a regular file");
		return NULL;
	}
	if (len < sizeof(struct sm_lts_header)) {
		sm_path_err(err, errlen, path, "not a letter-to-sound model");
		sm_unmap_file(map, len);
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		sm_path_err(err, errlen, path, "out of memory");
		sm_unmap_file(map, len);
		return NULL;
	}
	t->map = map;
	t->size = len;
	t->h = (const struct sm_lts_header *)map;
	if (memcmp(t->h->magic, SM_LTS_MAGIC, sizeof(t->h->magic)) != 0) {
		sm_path_err(err, errlen, path, "not a letter-to-sound model");
		goto bad;
	}
	if (t->h->bom != SM_LTS_BOM) {
		sm_path_err(err, errlen, path, "a model of a machine of the other byte order");
		goto bad;
	}
	if (t->h->version != SM_LTS_VERSION) {
		sm_path_err(err, errlen, path, "model of version %u, this program reads "
			    "version %u", t->h->version, SM_LTS_VERSION);
		goto bad;
	}
	if (check(t, path, err, errlen) != 0)
		goto bad;
	return t;
bad:
	sm_lts_free(t);
	return NULL;
}

void
sm_lts_free(struct sm_lts *t)
{
	if (t == NULL)
		return;
	sm_unmap_file(t->map, t->size);
	free(t);
}

/* The nodes of the history hist (the tokens before, the nearest first,
 * NOHIST before the start) from the empty one to the longest the model
 * has; their count. */
static int
history(const struct sm_lts *t, const uint16_t *hist, uint32_t *path)
{
	uint32_t x = 0;
	int n = 0;

	path[n++] = 0;
	for (uint32_t k = 0; k + 1 < t->h->order && hist[k] != NOHIST; k++) {
		const struct sm_lts_node *ch = &t->node[t->node[x].child];
		int lo = 0, hi = t->node[x].nchild - 1, at = -1;

		while (lo <= hi) {
			int mid = (lo + hi) / 2;

			if (ch[mid].tok == hist[k]) {
				at = mid;
				break;
			}
			if (ch[mid].tok < hist[k])
				lo = mid + 1;
			else
				hi = mid - 1;
		}
		if (at < 0)
			break;
		x = t->node[x].child + (uint32_t)at;
		path[n++] = x;
	}
	return n;
}

/* The probabilities of the tokens a to b - 1 after the history whose
 * nodes are path[0..n): the lowest order's, then each longer history's
 * discounted frequencies plus its gamma times the shorter's. */
static void
probs(const struct sm_lts *t, const uint32_t *path, int n, uint32_t a, uint32_t b,
      double *p)
{
	uint32_t i;

	for (i = a; i < b; i++)
		p[i - a] = t->base[i];
	for (int k = 0; k < n; k++) {
		const struct sm_lts_node *nd = &t->node[path[k]];
		uint32_t lo = nd->fol, hi = nd[1].fol;
		double g = nd->gamma;

		for (i = a; i < b; i++)
			p[i - a] *= g;
		while (lo < hi) {	/* the first follower from a */
			uint32_t mid = lo + (hi - lo) / 2;

			if (t->fol[mid].tok < a)
				lo = mid + 1;
			else
				hi = mid;
		}
		/* Sorted in a sound model; a damaged one's out-of-order tokens
		 * are passed over, never used as indices. */
		for (; lo < nd[1].fol && t->fol[lo].tok < b; lo++)
			if (t->fol[lo].tok >= a)
				p[t->fol[lo].tok - a] += t->fol[lo].a;
	}
}

struct hyp {
	uint16_t hist[SM_LTS_MAXORDER];	/* tokens before, nearest first */
	double score;
};

struct ext {
	double score;
	uint16_t from;		/* the hypothesis extended */
	uint16_t tok;
};

/* The best extensions, best first, up to TOP of them (room for a few
 * that recombine): ext is inserted in place unless it is worse than all
 * of a full list.  Equal scores keep the order of arrival. */
#define TOP (2 * BEAM)

static void
insert(struct ext *top, int *n, struct ext e)
{
	int i;

	if (*n == TOP && !(e.score > top[TOP - 1].score))
		return;
	i = *n < TOP ? (*n)++ : TOP - 1;
	for (; i > 0 && e.score > top[i - 1].score; i--)
		top[i] = top[i - 1];
	top[i] = e;
}

/* One letter: every kept hypothesis extended by every token of the
 * letter, the best BEAM of distinct histories kept (back: whence each
 * came, and its token).  The number kept. */
static int
step(const struct sm_lts *t, struct hyp *hyp, int nhyp, int letter, uint16_t (*back)[2])
{
	struct ext top[TOP];
	struct hyp old[BEAM];
	uint32_t a = t->h->first[letter], b = t->h->first[letter + 1], path[SM_LTS_MAXORDER];
	double p[256], best = 0;
	int ntop = 0, n = 0, k, j;
	unsigned m = t->h->order - 1;

	for (k = 0; k < nhyp; k++) {
		int np = history(t, hyp[k].hist, path);

		probs(t, path, np, a, b, p);
		for (uint32_t i = a; i < b; i++)
			insert(top, &ntop, (struct ext){ hyp[k].score * p[i - a], (uint16_t)k,
							 (uint16_t)i });
	}
	memcpy(old, hyp, (size_t)nhyp * sizeof(*hyp));
	for (k = 0; k < ntop && n < BEAM; k++) {
		struct hyp h = { .score = 0 };

		h.hist[0] = top[k].tok;
		memcpy(h.hist + 1, old[top[k].from].hist, (m - 1) * sizeof(h.hist[0]));
		for (j = 0; j < n && memcmp(hyp[j].hist, h.hist, m * sizeof(h.hist[0])) != 0; j++)
			;
		if (j < n)
			continue;
		if (n == 0)
			best = top[k].score;
		/* Scaled by the best, so that a long word's product stays in range. */
		h.score = best > 0 ? top[k].score / best : 0;
		hyp[n] = h;
		back[n][0] = top[k].from;
		back[n][1] = top[k].tok;
		n++;
	}
	return n;
}

int
sm_lts_word(const struct sm_lts *t, const char *word, const char **out, int max)
{
	uint16_t back[MAXWORD][BEAM][2], toks[MAXWORD];
	struct hyp hyp[BEAM];
	uint32_t path[SM_LTS_MAXORDER];
	size_t len = strlen(word), i, nstep = 0;
	int letters = 0, nhyp = 1, n = 0, k, best = 0;
	double p, bestp = -1;

	if (len == 0 || len > MAXWORD)
		return 0;
	for (i = 0; i < len; i++) {
		if (word[i] >= 'a' && word[i] <= 'z')
			letters++;
		else if (word[i] != '\'')
			return 0;
	}
	if (letters == 0)
		return 0;
	for (k = 0; k < SM_LTS_MAXORDER; k++)
		hyp[0].hist[k] = NOHIST;
	hyp[0].hist[0] = (uint16_t)SM_LTS_BOS(t->h->ntok);
	hyp[0].score = 1;
	for (i = 0; i < len; i++) {
		int l = word[i] == '\'' ? SM_LTS_NLETTER - 1 : word[i] - 'a';

		/* A letter the dictionary never has: no phone. */
		if (t->h->first[l] == t->h->first[l + 1])
			continue;
		nhyp = step(t, hyp, nhyp, l, back[nstep++]);
		if (nhyp == 0)		/* no probability left (a damaged model) */
			return 0;
	}
	for (k = 0; k < nhyp; k++) {
		int np = history(t, hyp[k].hist, path);
		uint32_t eos = SM_LTS_EOS(t->h->ntok);

		probs(t, path, np, eos, eos + 1, &p);
		if (hyp[k].score * p > bestp) {
			bestp = hyp[k].score * p;
			best = k;
		}
	}
	for (i = nstep; i-- > 0; ) {
		toks[i] = back[i][best][1];
		best = back[i][best][0];
	}
	for (i = 0; i < nstep; i++) {
		const uint8_t *c = t->cls[t->tokcls[toks[i]]];

		for (k = 0; k < 2 && n < max; k++)
			if (c[k] != SM_LTS_NONE)
				out[n++] = sm_lts_phones[c[k]];
	}
	return n;
}

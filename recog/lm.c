/* lm.c: memory-mapped sphinx trie trigram LM (see lm.h, MODEL-EN-US §5). */
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lm.h"

#define MAGIC "Trie Language Model"
#define MAGIC_LEN 19
#define QBITS 16
#define QSIZE (1u << QBITS)

static int
bits_needed(uint32_t v)
{
	int b = 0;

	while (v) {
		b++;
		v >>= 1;
	}
	return b;
}

static uint32_t
rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static float
rdf(const unsigned char *p)
{
	uint32_t u = rd32(p);
	float f;

	memcpy(&f, &u, 4);
	return f;
}

/* Field of n <= 25 bits at bit offset b (arrays carry 8 bytes of slack). */
static uint32_t
bits(const unsigned char *a, uint64_t b, int n)
{
	return (rd32(a + (b >> 3)) >> (b & 7)) & ((1u << n) - 1);
}

static uint32_t
hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static int
fail(char *err, size_t errlen, const char *path, const char *msg)
{
	snprintf(err, errlen, "%s: %s", path, msg);
	return -1;
}

int
sm_lm_load(struct sm_lm *lm, const char *path, char *err, size_t errlen)
{
	return sm_lm_open(lm, path, SM_LM_INDEX, err, errlen);
}

int
sm_lm_index(struct sm_lm *lm)
{
	size_t i = 0, total = lm->wtext_len;
	uint32_t k, n = lm->n_words;

	if (lm->hash != NULL)
		return 0;
	lm->words = malloc(sizeof *lm->words * n);
	for (lm->hash_mask = 1; lm->hash_mask < 2 * n; lm->hash_mask <<= 1)
		;
	lm->hash = calloc(lm->hash_mask, sizeof *lm->hash);
	lm->hash_mask--;
	if (lm->words == NULL || lm->hash == NULL)
		goto fail;
	for (k = 0; k < n; k++) {
		const char *w = lm->wtext + i;
		const void *z = i < total ? memchr(w, 0, total - i) : NULL;
		uint32_t h;

		if (z == NULL)
			goto fail;
		lm->words[k] = w;
		i += (size_t)((const char *)z - w) + 1;
		for (h = hash_str(w) & lm->hash_mask; lm->hash[h];
		     h = (h + 1) & lm->hash_mask)
			;
		lm->hash[h] = k + 1;
	}
	lm->bos = sm_lm_word(lm, "<s>");
	lm->eos = sm_lm_word(lm, "</s>");
	return 0;
fail:
	free(lm->words);
	free(lm->hash);
	lm->words = NULL;
	lm->hash = NULL;
	return -1;
}

int
sm_lm_open(struct sm_lm *lm, const char *path, int flags, char *err, size_t errlen)
{
	struct stat st;
	const unsigned char *p;
	size_t off, need;
	uint64_t mid_bytes = 0, lng_bytes = 0;
	uint32_t total, n, k;
	int fd;

	memset(lm, 0, sizeof *lm);
	lm->bos = lm->eos = -1;
	lm->uw = 1;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return fail(err, errlen, path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, errlen, path, "not a regular file");
	}
	lm->size = (size_t)st.st_size;
	if (lm->size < MAGIC_LEN + 1) {
		close(fd);
		return fail(err, errlen, path, "not a trie language model (too short)");
	}
	lm->map = mmap(NULL, lm->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (lm->map == MAP_FAILED) {
		lm->map = NULL;
		return fail(err, errlen, path, strerror(errno));
	}
	p = lm->map;
	if (memcmp(p, MAGIC, MAGIC_LEN) != 0) {
		sm_lm_free(lm);
		return fail(err, errlen, path, "not a trie language model (bad magic)");
	}
	lm->order = p[MAGIC_LEN];
	if (lm->order < 1 || lm->order > 3) {
		sm_lm_free(lm);
		return fail(err, errlen, path, "unsupported n-gram order");
	}
	off = MAGIC_LEN + 1;
	if (off + 4u * lm->order > lm->size)
		goto trunc;
	for (k = 0; k < (uint32_t)lm->order; k++)
		lm->counts[k] = rd32(p + off + 4 * k);
	off += 4u * lm->order;
	n = lm->n_words = lm->counts[0];
	if (n == 0 || n > (1u << 24)) {
		sm_lm_free(lm);
		return fail(err, errlen, path, "bad unigram count");
	}
	if (lm->order > 1) {
		/* dummy, then per middle order prob+bo tables, then longest prob */
		need = 4 + (size_t)(lm->order - 2) * 2 * QSIZE * 4 + (size_t)QSIZE * 4;
		if (off + need > lm->size)
			goto trunc;
		off += 4;
		if (lm->order == 3) {
			lm->q2prob = p + off;
			lm->q2bo = p + off + QSIZE * 4;
			off += 2 * QSIZE * 4;
		}
		lm->q3prob = p + off;	/* longest order's probs */
		off += QSIZE * 4;
	}
	if ((size_t)(n + 1) * 12 > lm->size - off)
		goto trunc;
	lm->uni = p + off;
	off += (size_t)(n + 1) * 12;
	lm->word_bits = bits_needed(n);
	if (lm->order == 3) {
		lm->next_bits = bits_needed(lm->counts[2]);
		lm->mid_bits = lm->word_bits + 2 * QBITS + lm->next_bits;
		lm->lng_bits = lm->word_bits + QBITS;
		mid_bytes = ((1 + (uint64_t)lm->counts[1]) * lm->mid_bits + 7) / 8 + 8;
		lng_bytes = ((1 + (uint64_t)lm->counts[2]) * lm->lng_bits + 7) / 8 + 8;
	} else if (lm->order == 2) {
		lm->lng_bits = lm->word_bits + QBITS;
		lng_bytes = ((1 + (uint64_t)lm->counts[1]) * lm->lng_bits + 7) / 8 + 8;
	}
	if (lm->next_bits > 25 || mid_bytes + lng_bytes > lm->size - off)
		goto trunc;
	lm->mid = p + off;
	off += mid_bytes;
	lm->lng = p + off;
	off += lng_bytes;
	/* Real entry counts from the sentinels (the header may count more). */
	lm->n_real[0] = n;
	if (lm->order >= 2) {
		uint32_t last = rd32(lm->uni + (size_t)n * 12 + 8);
		uint32_t cap = lm->counts[1];

		if (last > cap) {
			sm_lm_free(lm);
			return fail(err, errlen, path, "corrupt unigram table");
		}
		lm->n_real[1] = last;
		if (lm->order == 3) {
			uint32_t l3 = bits(lm->mid, (uint64_t)last * lm->mid_bits +
					   lm->word_bits + 2 * QBITS, lm->next_bits);
			if (l3 > lm->counts[2]) {
				sm_lm_free(lm);
				return fail(err, errlen, path, "corrupt bigram table");
			}
			lm->n_real[2] = l3;
		}
	}
	/* Word strings. */
	if (off + 4 > lm->size)
		goto trunc;
	total = rd32(p + off);
	off += 4;
	if (total > lm->size - off)
		goto trunc;
	lm->wtext = (const char *)p + off;
	lm->wtext_len = total;
	if (flags & SM_LM_INDEX) {
		if (sm_lm_index(lm) != 0) {
			sm_lm_free(lm);
			return fail(err, errlen, path, "truncated word list");
		}
	} else {
		/* <s> and </s> without the index: a scan that stops at both */
		const char *w = lm->wtext, *e = lm->wtext + total, *z;

		for (k = 0; k < n && w < e && (lm->bos < 0 || lm->eos < 0); k++, w = z + 1) {
			if ((z = memchr(w, 0, (size_t)(e - w))) == NULL)
				break;
			if (strcmp(w, "<s>") == 0)
				lm->bos = (int)k;
			else if (strcmp(w, "</s>") == 0)
				lm->eos = (int)k;
		}
	}
	return 0;
trunc:
	sm_lm_free(lm);
	return fail(err, errlen, path, "truncated trie language model");
}

void
sm_lm_free(struct sm_lm *lm)
{
	if (lm->map)
		munmap((void *)lm->map, lm->size);
	free(lm->words);
	free(lm->hash);
	free(lm->boost);
	memset(lm, 0, sizeof *lm);
	lm->bos = lm->eos = -1;
	lm->uw = 1;
}

int
sm_lm_word(const struct sm_lm *lm, const char *w)
{
	uint32_t h;

	if (lm->hash == NULL)
		return -1;
	for (h = hash_str(w) & lm->hash_mask; lm->hash[h]; h = (h + 1) & lm->hash_mask)
		if (strcmp(lm->words[lm->hash[h] - 1], w) == 0)
			return (int)lm->hash[h] - 1;
	return -1;
}

static float
uni_prob(const struct sm_lm *lm, uint32_t w)
{
	return rdf(lm->uni + (size_t)w * 12);
}

static float
uni_bo(const struct sm_lm *lm, uint32_t w)
{
	return rdf(lm->uni + (size_t)w * 12 + 4);
}

/* Binary search for word x among entries [b, e) of a packed array. */
static long
find(const unsigned char *a, int total_bits, int word_bits, uint32_t b,
     uint32_t e, uint32_t x)
{
	while (b < e) {
		uint32_t m = b + (e - b) / 2;
		uint32_t v = bits(a, (uint64_t)m * total_bits, word_bits);

		if (v == x)
			return m;
		if (v < x)
			b = m + 1;
		else
			e = m;
	}
	return -1;
}

/* The bigram entry (h, w) meaning "h w": searched under unigram w. */
static long
find_bigram(const struct sm_lm *lm, uint32_t w, uint32_t h)
{
	uint32_t b = rd32(lm->uni + (size_t)w * 12 + 8);
	uint32_t e = rd32(lm->uni + (size_t)(w + 1) * 12 + 8);
	const unsigned char *a = lm->order == 3 ? lm->mid : lm->lng;
	int tb = lm->order == 3 ? lm->mid_bits : lm->lng_bits;

	if (e > lm->n_real[1])
		e = lm->n_real[1];
	return find(a, tb, lm->word_bits, b, e, h);
}

static uint32_t
mid_next(const struct sm_lm *lm, uint32_t e)
{
	return bits(lm->mid, (uint64_t)e * lm->mid_bits + lm->word_bits + 2 * QBITS,
		    lm->next_bits);
}

void
sm_lm_set_uw(struct sm_lm *lm, float uw)
{
	lm->uw = uw < 1 && uw > 0 ? uw : 1;
	lm->ln_uw = logf(lm->uw);
	lm->ln_uni = lm->uw < 1 && lm->n_words > 1 ?
		logf((1 - lm->uw) / (float)(lm->n_words - 1)) : -1e30f;
}

float
sm_lm_uw(const struct sm_lm *lm, float lp)
{
	float a, b;

	if (lm->uw >= 1)
		return lp;
	a = lp + lm->ln_uw;
	b = lm->ln_uni;
	return a > b ? a + log1pf(expf(b - a)) : b + log1pf(expf(a - b));
}

/* The unigram probability of w with the unigram weight, ln. */
static float
uni_score(const struct sm_lm *lm, uint32_t w)
{
	float lp = uni_prob(lm, w) * SM_LM_LN_UNIT;

	return (int)w == lm->bos ? lp : sm_lm_uw(lm, lp);
}

int
sm_lm_add_class(struct sm_lm *lm, uint32_t n, float lp)
{
	if (lm->n_class != 0 || n > (1u << 24))
		return -1;
	lm->n_class = n;
	lm->class_lp = lp;
	return (int)lm->n_words;
}

int
sm_lm_boost(struct sm_lm *lm, int w, float ln_bonus)
{
	if (w < 0 || (uint32_t)w >= lm->n_words)
		return 0;
	if (lm->boost == NULL && (lm->boost = calloc(lm->n_words, sizeof *lm->boost)) == NULL)
		return -1;
	lm->boost[w] += ln_bonus;
	return 0;
}

float
sm_lm_unigram(const struct sm_lm *lm, int w)
{
	if (w < 0 || (uint32_t)w >= lm->n_words + lm->n_class)
		return -1e30f;
	if ((uint32_t)w >= lm->n_words)
		return lm->class_lp;
	return uni_prob(lm, (uint32_t)w) * SM_LM_LN_UNIT + (lm->boost ? lm->boost[w] : 0);
}

static float score(const struct sm_lm *lm, int w, int h1, int h2, int *n_used);

float
sm_lm_score(const struct sm_lm *lm, int w, int h1, int h2, int *n_used)
{
	float lp = score(lm, w, h1, h2, n_used);

	if (lm->boost != NULL && w >= 0 && (uint32_t)w < lm->n_words)
		lp += lm->boost[w];
	return lp;
}

/* sm_lm_score without the bonuses. */
static float
score(const struct sm_lm *lm, int w, int h1, int h2, int *n_used)
{
	float bo = 0;
	long e2 = -1, e3, c;
	int used = 1, cls;

	if (w < 0 || (uint32_t)w >= lm->n_words + lm->n_class) {
		if (n_used)
			*n_used = 0;
		return -1e30f;
	}
	cls = (uint32_t)w >= lm->n_words;
	if (h1 >= 0 && (uint32_t)h1 >= lm->n_words)
		h1 = -1;
	if (h2 >= 0 && (uint32_t)h2 >= lm->n_words)
		h2 = -1;
	if (lm->order < 2 || h1 < 0) {
		if (n_used)
			*n_used = 1;
		return cls ? lm->class_lp : uni_score(lm, (uint32_t)w);
	}
	if (lm->order < 3)
		h2 = -1;
	if (!cls)
		e2 = find_bigram(lm, (uint32_t)w, (uint32_t)h1);
	if (e2 >= 0 && h2 >= 0) {
		uint32_t b = mid_next(lm, (uint32_t)e2), e = mid_next(lm, (uint32_t)e2 + 1);

		if (e > lm->n_real[2])
			e = lm->n_real[2];
		e3 = find(lm->lng, lm->lng_bits, lm->word_bits, b, e, (uint32_t)h2);
		if (e3 >= 0) {
			uint32_t q = bits(lm->lng, (uint64_t)e3 * lm->lng_bits + lm->word_bits,
					  QBITS);
			if (n_used)
				*n_used = 3;
			return rdf(lm->q3prob + 4 * q) * SM_LM_LN_UNIT;
		}
	}
	/* Back off from the trigram: the backoff of the context "h2 h1". */
	if (h2 >= 0) {
		c = find_bigram(lm, (uint32_t)h1, (uint32_t)h2);
		if (c >= 0) {
			uint32_t q = bits(lm->mid, (uint64_t)c * lm->mid_bits + lm->word_bits,
					  QBITS);
			bo += rdf(lm->q2bo + 4 * q);
		}
	}
	if (e2 >= 0) {
		const unsigned char *a = lm->order == 3 ? lm->mid : lm->lng;
		int tb = lm->order == 3 ? lm->mid_bits : lm->lng_bits;
		/* prob index: after backoff index in the middle, right after the
		 * word in the longest array */
		int po = lm->order == 3 ? lm->word_bits + QBITS : lm->word_bits;
		const unsigned char *qt = lm->order == 3 ? lm->q2prob : lm->q3prob;
		uint32_t q = bits(a, (uint64_t)e2 * tb + po, QBITS);

		used = 2;
		if (n_used)
			*n_used = used;
		return (rdf(qt + 4 * q) + bo) * SM_LM_LN_UNIT;
	}
	bo += uni_bo(lm, (uint32_t)h1);
	if (n_used)
		*n_used = used;
	if (cls)
		return lm->class_lp + bo * SM_LM_LN_UNIT;
	if (lm->uw >= 1)
		return (uni_prob(lm, (uint32_t)w) + bo) * SM_LM_LN_UNIT;
	return uni_score(lm, (uint32_t)w) + bo * SM_LM_LN_UNIT;
}

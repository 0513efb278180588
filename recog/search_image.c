/*
 * search_image.c: the pack's search image (see search.h): written once by
 * sm_search_save, memory-mapped by sm_search_open, and the checks of the
 * nodes of a mapped image.
 *
 * The shared prefix (image.h), the counts and transition probabilities,
 * then the sections, each at an 8-byte boundary of the body. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lm.h"
#include "mdef.h"
#include "search_int.h"
#include "sm.h"

enum { S_NODES, S_LC, S_CLS, S_LMID, S_WLAST, S_WKIND, S_WLEN, S_WOFF, S_TEXT, S_SSEQ,
       S_CLSSID, S_TRI, S_CINAME, S_N };

struct img_hdr {
	struct sm_image_hdr im;
	uint32_t node_size, pad;
	int32_t n_ci, sil_ci, bos_word, eos_word, sil_word, n_roots, filler0,
		n_filler_nodes, n_nodes, n_words, n_lc_rows, n_cls, n_sseq, n_sen;
	float tp[MAXCI][6];
	uint64_t off[S_N], len[S_N];	/* sections, from the start of the file */
};

/* Where tests/search_image.py finds them. */
_Static_assert(offsetof(struct img_hdr, node_size) == 128 &&
	       offsetof(struct img_hdr, n_roots) == 156 &&
	       offsetof(struct img_hdr, tp) == 192 &&
	       offsetof(struct img_hdr, off) == 1728, "search image header moved");

static const struct sm_image_kind_desc img_kind = {
	SM_IMAGE_SEARCH, 6, sizeof(struct img_hdr)
};

/* Bytes of the triphone table (search_int.h) for n CI phones. */
static uint64_t
tri_len(int n)
{
	return n > 0 ? 2ull * SM_N_WPOS * n * n * n : 0;
}

static size_t
text_len(const struct sm_search *s)
{
	size_t n = 0;
	int i;

	for (i = 0; i < s->n_words; i++)
		if (s->woff[i] + (size_t)s->wlen[i] + 1 > n)
			n = s->woff[i] + (size_t)s->wlen[i] + 1;
	return n;
}

int
sm_search_save(const struct sm_search *s, const char *path,
	       const uint64_t fp[SM_IMAGE_FP], char *err, size_t errlen)
{
	struct img_hdr h;
	const void *ptr[S_N];
	uint64_t off, first = sm_image_body_off(sizeof h);
	unsigned char *body;
	uint16_t *tri;
	char *names;
	int i, rc;

	/* the tables a search built in memory does not need for itself */
	if (s->m == NULL)
		return snprintf(err, errlen, "%s: not a search built from the model files",
				path), -1;
	if ((rc = tree_tables(s, &tri, &names)) != 0)
		return snprintf(err, errlen, "%s: %s", path, rc == -2 ?
				"a phone name of the model is longer than 7 bytes" :
				"out of memory"), -1;
	memset(&h, 0, sizeof h);
	h.im.kind = img_kind.kind;
	h.im.version = img_kind.version;
	memcpy(h.im.fp, fp, sizeof h.im.fp);
	h.node_size = sizeof(struct node);
	h.n_ci = s->n_ci;
	h.sil_ci = s->sil_ci;
	h.bos_word = s->bos_word;
	h.eos_word = s->eos_word;
	h.sil_word = s->sil_word;
	h.n_roots = s->n_roots;
	h.filler0 = s->filler0;
	h.n_filler_nodes = s->n_filler_nodes;
	h.n_nodes = s->n_nodes;
	h.n_words = s->n_words;
	h.n_lc_rows = s->n_lc_rows;
	h.n_cls = s->n_cls;
	h.n_sseq = s->n_sseq;
	h.n_sen = s->n_sen;
	memcpy(h.tp, s->tp, sizeof h.tp);
	ptr[S_NODES] = s->nodes;	h.len[S_NODES] = sizeof(struct node) * (uint64_t)s->n_nodes;
	ptr[S_LC] = s->lc_ssid;		h.len[S_LC] = 4ull * s->n_lc_rows * s->n_ci;
	ptr[S_CLS] = s->cls_mask;	h.len[S_CLS] = 8ull * s->n_cls;
	ptr[S_LMID] = s->lmid;		h.len[S_LMID] = 4ull * s->n_words;
	ptr[S_WLAST] = s->wlast;	h.len[S_WLAST] = s->n_words;
	ptr[S_WKIND] = s->wkind;	h.len[S_WKIND] = s->n_words;
	ptr[S_WLEN] = s->wlen;		h.len[S_WLEN] = 2ull * s->n_words;
	ptr[S_WOFF] = s->woff;		h.len[S_WOFF] = 4ull * s->n_words;
	ptr[S_TEXT] = s->text;		h.len[S_TEXT] = text_len(s);
	ptr[S_SSEQ] = s->sseq;		h.len[S_SSEQ] = 2ull * s->n_sseq * 3;
	ptr[S_CLSSID] = s->cls_ssid;	h.len[S_CLSSID] = 4ull * s->n_cls;
	ptr[S_TRI] = tri;		h.len[S_TRI] = tri_len(s->n_ci);
	ptr[S_CINAME] = names;		h.len[S_CINAME] = (uint64_t)SM_CINAME * s->n_ci;
	off = first;
	for (i = 0; i < S_N; i++) {
		h.off[i] = off;
		off = (off + h.len[i] + 7) & ~7ull;
	}
	/* the sections with their padding, in one block */
	body = calloc(1, off - first);
	if (body == NULL) {
		free(tri);
		free(names);
		return snprintf(err, errlen, "%s: out of memory", path), -1;
	}
	for (i = 0; i < S_N; i++)
		if (h.len[i] > 0)
			memcpy(body + (h.off[i] - first), ptr[i], h.len[i]);
	free(tri);
	free(names);
	rc = sm_image_write(path, &h.im, sizeof h, body, off - first, err, errlen);
	free(body);
	return rc;
}

/* Whether every senone sequence of the triphone table is in range
 * (checked where the table is first used, not at every start). */
int
search_tri_ok(const struct sm_search *s)
{
	size_t i, n = tri_len(s->n_ci) / 2;

	for (i = 0; i < n; i++)
		if (s->tri[i] >= s->n_sseq)
			return 0;
	return 1;
}

/* Whether node i of an image holds only indices in range (the start-up
 * checks cover the small tables, the roots and the fillers; every other
 * node is checked here when the search first reaches it, or all of them
 * by sm_search_check). */
int
search_node_ok(const struct sm_search *s, int i)
{
	const struct node *nd = &s->nodes[i];

	if (s->n_ov_roots > 0 && i >= s->ov0)	/* the custom vocabulary's, built here */
		return 1;
	if (nd->ci < 0 || nd->ci >= s->n_ci || nd->word < -1 || nd->word >= s->n_words ||
	    nd->depth < 0)
		return 0;
	if (nd->n_child > 0 && (nd->child <= i || nd->child > s->filler0 - nd->n_child))
		return 0;
	if (nd->word >= 0 && nd->n_child > 0)
		return 0;
	if (nd->ncls != 1 && (nd->word < 0 || nd->ncls == 0 || i < s->n_roots || i >= s->filler0))
		return 0;
	if (i < s->n_roots)
		return nd->ctx < s->n_lc_rows && nd->depth == 0;
	if (i < s->filler0 && nd->depth == 0)
		return 0;
	if (i < s->filler0 && nd->word >= 0 && nd->ctx + nd->ncls > s->n_cls)
		return 0;
	if (nd->ssid >= s->n_sseq)
		return 0;
	if (i >= s->filler0 && (nd->word < 0 || s->lmid[nd->word] >= 0))
		return 0;
	return 1;
}

/* The start-up check: the header's counts and the small tables the
 * search indexes, the roots and the fillers.  Other nodes are checked by
 * node_ok where the search first reaches them. */
static int
img_check(const struct sm_search *s, const struct sm_lm *lm)
{
	int i;

	if (s->n_ci <= 0 || s->n_ci > MAXCI || s->sil_ci < 0 || s->sil_ci >= s->n_ci ||
	    s->n_roots < 0 || s->n_roots > s->filler0 || s->filler0 < 0 ||
	    s->n_filler_nodes < 0 || s->filler0 + s->n_filler_nodes != s->n_nodes ||
	    s->bos_word < 0 || s->bos_word >= s->n_words ||
	    s->sil_word < -1 || s->sil_word >= s->n_words ||
	    s->eos_word < -1 || s->eos_word >= s->n_words || s->n_sen <= 0 ||
	    s->text_len == 0 || s->text[s->text_len - 1] != 0)
		return -1;
	for (i = 0; i < s->n_sseq * 3; i++)
		if (s->sseq[i] >= s->n_sen)
			return -1;
	for (i = 0; i < s->n_lc_rows * s->n_ci; i++)
		if (s->lc_ssid[i] < 0 || s->lc_ssid[i] >= s->n_sseq)
			return -1;
	for (i = 0; i < s->n_cls; i++)
		if (s->cls_ssid[i] < 0 || s->cls_ssid[i] >= s->n_sseq)
			return -1;
	for (i = 0; i < s->n_ci; i++)
		if (memchr(s->ciname + (size_t)i * SM_CINAME, 0, SM_CINAME) == NULL)
			return -1;
	for (i = 0; i < s->n_words; i++)
		if (s->wlast[i] < 0 || s->wlast[i] >= s->n_ci || s->wkind[i] > 2 ||
		    s->lmid[i] < -1 || (s->lmid[i] >= 0 && (uint32_t)s->lmid[i] >= lm->n_words))
			return -1;
	for (i = 0; i < s->n_roots; i++)
		if (!search_node_ok(s, i))
			return -1;
	for (i = s->filler0; i < s->n_nodes; i++)
		if (!search_node_ok(s, i))
			return -1;
	return 0;
}

int
sm_search_check(const struct sm_search *s, const char *path, char *err, size_t errlen)
{
	int i;

	if (s->map == NULL)
		return 0;
	if (sm_image_check_sum(&s->img, path, err, errlen) != 0)
		return -1;
	if (!search_tri_ok(s)) {
		snprintf(err, errlen, "%s: corrupt search image: a senone sequence of its "
			 "triphone table is out of range", path);
		return -1;
	}
	for (i = 0; i < s->n_nodes; i++)
		if (!search_node_ok(s, i)) {
			snprintf(err, errlen, "%s: corrupt search image: node %d has an "
				 "index out of range", path, i);
			return -1;
		}
	for (i = 0; i < s->n_words; i++)
		if ((uint64_t)s->woff[i] + s->wlen[i] + 1 > s->text_len ||
		    s->text[s->woff[i] + s->wlen[i]] != 0) {
			snprintf(err, errlen, "%s: corrupt search image: the spelling of "
				 "word %d is out of its table", path, i);
			return -1;
		}
	return 0;
}

struct sm_search *
sm_search_open(const char *path, const struct sm_lm *lm, const struct sm_search_cfg *cfg,
	       const uint64_t fp[SM_IMAGE_FP], char *err, size_t errlen)
{
	struct sm_search *s;
	struct sm_image img;
	struct img_hdr h;
	const unsigned char *map;
	uint64_t total;
	int i;

	if (sm_image_open(&img, path, &img_kind, fp, 0, err, errlen) != 0)
		return NULL;
	map = img.map;
	total = img.size;
	memcpy(&h, map, sizeof h);
	if (h.node_size != sizeof(struct node)) {
		snprintf(err, errlen, "%s: search image of another build (nodes of %u "
			 "bytes, this program's are %zu)", path, h.node_size,
			 sizeof(struct node));
		sm_image_close(&img);
		return NULL;
	}
	if (h.n_nodes < 0 || h.n_words < 0 ||
	    h.n_lc_rows < 0 || h.n_cls < 0 || h.n_sseq < 0 ||
	    h.len[S_NODES] != sizeof(struct node) * (uint64_t)h.n_nodes ||
	    h.len[S_LC] != 4ull * h.n_lc_rows * (uint64_t)(h.n_ci > 0 ? h.n_ci : 0) ||
	    h.len[S_CLS] != 8ull * h.n_cls || h.len[S_LMID] != 4ull * h.n_words ||
	    h.len[S_WLAST] != (uint64_t)h.n_words || h.len[S_WKIND] != (uint64_t)h.n_words ||
	    h.len[S_WLEN] != 2ull * h.n_words || h.len[S_WOFF] != 4ull * h.n_words ||
	    h.len[S_SSEQ] != 6ull * h.n_sseq || h.len[S_CLSSID] != 4ull * h.n_cls ||
	    h.len[S_TRI] != tri_len(h.n_ci) ||
	    h.len[S_CINAME] != (uint64_t)SM_CINAME * (h.n_ci > 0 ? h.n_ci : 0))
		goto corrupt;
	for (i = 0; i < S_N; i++)
		if (h.off[i] % 8 || h.off[i] < sizeof h || h.off[i] > total ||
		    h.len[i] > total - h.off[i])
			goto corrupt;
	s = calloc(1, sizeof *s);
	if (s == NULL) {
		sm_image_close(&img);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	s->img = img;
	s->map = map;
	s->lm = lm;
	s->cfg = *cfg;
	s->n_ci = h.n_ci;
	s->sil_ci = h.sil_ci;
	s->bos_word = h.bos_word;
	s->eos_word = h.eos_word;
	s->sil_word = h.sil_word;
	s->n_roots = h.n_roots;
	s->filler0 = h.filler0;
	s->n_filler_nodes = h.n_filler_nodes;
	s->n_nodes = h.n_nodes;
	s->n_words = h.n_words;
	s->n_lc_rows = h.n_lc_rows;
	s->n_cls = h.n_cls;
	s->n_sseq = h.n_sseq;
	s->n_sen = h.n_sen;
	memcpy(s->tp, h.tp, sizeof s->tp);
	/* The image is read-only: the search never writes through these. */
	s->nodes = (struct node *)(map + h.off[S_NODES]);
	s->lc_ssid = (int32_t *)(map + h.off[S_LC]);
	s->cls_mask = (uint64_t *)(map + h.off[S_CLS]);
	s->lmid = (int32_t *)(map + h.off[S_LMID]);
	s->wlast = (int8_t *)(map + h.off[S_WLAST]);
	s->wkind = (uint8_t *)(map + h.off[S_WKIND]);
	s->wlen = (uint16_t *)(map + h.off[S_WLEN]);
	s->woff = (uint32_t *)(map + h.off[S_WOFF]);
	s->text = (char *)(map + h.off[S_TEXT]);
	s->sseq = (const uint16_t *)(map + h.off[S_SSEQ]);
	s->cls_ssid = (int32_t *)(map + h.off[S_CLSSID]);
	s->tri = (const uint16_t *)(map + h.off[S_TRI]);
	s->ciname = (const char *)(map + h.off[S_CINAME]);
	s->text_len = h.len[S_TEXT];
	if (img_check(s, lm) != 0) {
		sm_search_free(s);
		snprintf(err, errlen, "%s: corrupt search image", path);
		return NULL;
	}
	if (bptab_init(&s->p1, s->n_words) != 0 || search_slot_init(s) != 0) {
		sm_search_free(s);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
#ifdef MADV_POPULATE_READ
	/* Map the sections the search reads in one call rather than a page
	 * fault at a time (the spellings are read only for the output). */
	(void)madvise((void *)map, h.off[S_WKIND], MADV_POPULATE_READ);
	{
		uint64_t at = h.off[S_SSEQ] & ~(uint64_t)4095;	/* page-aligned */

		/* not the tables a custom vocabulary reads */
		(void)madvise((void *)(map + at), h.off[S_TRI] - at, MADV_POPULATE_READ);
	}
#endif
	return s;
corrupt:
	sm_image_close(&img);
	snprintf(err, errlen, "%s: corrupt search image", path);
	return NULL;
}

/* tree.c: the lexicon prefix tree of triphone HMMs built from the
 * dictionary, with its context tables and LM look-ahead (sm_search_new). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "mdef.h"
#include "s3.h"
#include "search_int.h"
#include "sm.h"

/* Triphone with the backoff of MODEL-EN-US §4. */
static int
tri_ssid(const struct sm_mdef *m, int b, int l, int r, int pos)
{
	int p, k, l2, r2;

	if (m->ci_filler[b] || l < 0 || r < 0)
		return m->phone_ssid[b];
	p = sm_mdef_triphone(m, b, l, r, pos);
	for (k = 0; p < 0 && k < SM_N_WPOS; k++)
		if (k != pos)
			p = sm_mdef_triphone(m, b, l, r, k);
	if (p < 0) {
		l2 = (m->ci_filler[l] || pos == SM_WPOS_BEGIN || pos == SM_WPOS_SINGLE) ?
			m->sil : l;
		r2 = (m->ci_filler[r] || pos == SM_WPOS_END || pos == SM_WPOS_SINGLE) ?
			m->sil : r;
		p = sm_mdef_triphone(m, b, l2, r2, pos);
		for (k = 0; p < 0 && k < SM_N_WPOS; k++)
			if (k != pos)
				p = sm_mdef_triphone(m, b, l2, r2, k);
	}
	if (p < 0)
		p = b;
	return m->phone_ssid[p];
}

/* tri_ssid from the search's table when it has one (a custom vocabulary's
 * tree, built without the model definition), else from the definition. */
static int
ssid_of(const struct sm_search *s, int b, int l, int r, int pos)
{
	if (s->tri != NULL)
		return s->tri[(((size_t)pos * s->n_ci + b) * s->n_ci + l) * s->n_ci + r];
	return tri_ssid(s->m, b, l, r, pos);
}

/* The tables an image carries for a custom vocabulary (search_int.h),
 * from the model definition of a search built in memory: malloc'd into
 * *tri and *names.  0; -1 out of memory, -2 a phone name too long. */
int
tree_tables(const struct sm_search *s, uint16_t **tri_out, char **names_out)
{
	size_t n = (size_t)s->n_ci, b, l, r, pos;
	uint16_t *tri = malloc(sizeof *tri * SM_N_WPOS * n * n * n);
	char *names = calloc(n, SM_CINAME);

	if (tri == NULL || names == NULL) {
		free(tri);
		free(names);
		return -1;
	}
	for (pos = 0; pos < SM_N_WPOS; pos++)
		for (b = 0; b < n; b++)
			for (l = 0; l < n; l++)
				for (r = 0; r < n; r++)
					tri[((pos * n + b) * n + l) * n + r] =
						(uint16_t)tri_ssid(s->m, (int)b, (int)l, (int)r, (int)pos);
	for (b = 0; b < n; b++) {
		if (strlen(s->m->ciname[b]) >= SM_CINAME) {
			free(tri);
			free(names);
			return -2;
		}
		strcpy(names + b * SM_CINAME, s->m->ciname[b]);
	}
	*tri_out = tri;
	*names_out = names;
	return 0;
}

struct build {
	struct sm_search *s;
	const struct sm_dict *dict;	/* the words being added */
	int word0;		/* the search's id of dict's word 0 */
	int32_t *order;		/* words sorted by phones */
	int cap;
	/* row caches */
	int32_t *lc_key, *rc_key;	/* (b, r) -> row / (b, l) -> row */
};

static const struct sm_dict *sort_dict;

static int
cmp_words(const void *a, const void *b)
{
	int x = *(const int32_t *)a, y = *(const int32_t *)b;
	const int16_t *px = sm_dict_phones(sort_dict, x), *py = sm_dict_phones(sort_dict, y);
	int nx = sort_dict->w[x].n_phone, ny = sort_dict->w[y].n_phone, i;

	for (i = 0; i < nx && i < ny; i++)
		if (px[i] != py[i])
			return px[i] - py[i];
	if (nx != ny)
		return nx - ny;
	return x - y;
}

static int
new_nodes(struct build *b, int n)
{
	struct sm_search *s = b->s;
	int first = s->n_nodes;

	if (s->n_nodes + n > b->cap) {
		int c = b->cap ? b->cap : 4096;
		struct node *q;

		while (c < s->n_nodes + n)
			c *= 2;
		q = realloc(s->nodes, sizeof *q * c);
		if (q == NULL)
			return -1;
		s->nodes = q;
		b->cap = c;
	}
	s->n_nodes += n;
	return first;
}

static int
lc_row(struct build *b, int base, int right, int single)
{
	struct sm_search *s = b->s;
	int key = (base * MAXCI + right) * 2 + single, row, l;
	int32_t *q;

	if (b->lc_key[key] >= 0)
		return b->lc_key[key];
	row = s->n_lc_rows++;
	q = realloc(s->lc_ssid, sizeof *q * s->n_lc_rows * s->n_ci);
	if (q == NULL)
		return -1;
	s->lc_ssid = q;
	for (l = 0; l < s->n_ci; l++)
		q[row * s->n_ci + l] = ssid_of(s, base, l, right,
						single ? SM_WPOS_SINGLE : SM_WPOS_BEGIN);
	b->lc_key[key] = row;
	return row;
}

static int
rc_row(struct build *b, int base, int left)
{
	struct sm_search *s = b->s;
	int key = base * MAXCI + left, row, r;
	int32_t *q;

	if (b->rc_key[key] >= 0)
		return b->rc_key[key];
	row = s->n_rc_rows++;
	q = realloc(s->rc_ssid, sizeof *q * s->n_rc_rows * s->n_ci);
	if (q == NULL)
		return -1;
	s->rc_ssid = q;
	for (r = 0; r < s->n_ci; r++)
		q[row * s->n_ci + r] = ssid_of(s, base, left, r, SM_WPOS_END);
	b->rc_key[key] = row;
	{
		int32_t *a1 = realloc(s->row_cls, sizeof *a1 * s->n_rc_rows);
		int32_t *a2 = realloc(s->row_ncls, sizeof *a2 * s->n_rc_rows);
		uint64_t *cm;
		int32_t *cs;
		int k;

		if (a1)
			s->row_cls = a1;
		if (a2)
			s->row_ncls = a2;
		cm = realloc(s->cls_mask, sizeof *cm * (s->n_cls + s->n_ci));
		if (cm)
			s->cls_mask = cm;
		cs = realloc(s->cls_ssid, sizeof *cs * (s->n_cls + s->n_ci));
		if (cs)
			s->cls_ssid = cs;
		if (!a1 || !a2 || !cm || !cs)
			return -1;
		s->row_cls[row] = s->n_cls;
		s->row_ncls[row] = 0;
		for (r = 0; r < s->n_ci; r++) {
			int32_t ss = q[row * s->n_ci + r];

			for (k = s->row_cls[row]; k < s->n_cls; k++)
				if (s->cls_ssid[k] == ss)
					break;
			if (k == s->n_cls) {
				s->cls_ssid[k] = ss;
				s->cls_mask[k] = 0;
				s->n_cls++;
				s->row_ncls[row]++;
			}
			s->cls_mask[k] |= (uint64_t)1 << r;
		}
	}
	return row;
}

/* Children at depth d of the words order[a..e), all sharing phones < d. */
static int
build_level(struct build *b, int a, int e, int d, int *count)
{
	struct sm_search *s = b->s;
	const struct sm_dict *dict = b->dict;
	int i, j, k, first;
	int n = 0;

	if (d >= 127)	/* depth is 8 bits */
		return -1;
	/* count groups: a leaf per word ending at d, a node per (p[d], p[d+1]) */
	for (i = a; i < e; i = j) {
		const int16_t *pi = sm_dict_phones(dict, b->order[i]);
		int ni = dict->w[b->order[i]].n_phone;

		j = i + 1;
		if (ni > d + 1)
			while (j < e) {
				const int16_t *pj = sm_dict_phones(dict, b->order[j]);

				if (dict->w[b->order[j]].n_phone <= d + 1 || pj[d] != pi[d] ||
				    pj[d + 1] != pi[d + 1])
					break;
				j++;
			}
		if (ni == d + 1 && d > 0 && rc_row(b, pi[d], pi[d - 1]) < 0)
			return -1;
		n++;
	}
	if ((first = new_nodes(b, n)) < 0)
		return -1;
	*count = n;
	k = first;
	for (i = a; i < e; i = j, k++) {
		int w = b->order[i];
		const int16_t *pi = sm_dict_phones(dict, w);
		int ni = dict->w[w].n_phone;
		struct node *nd;

		j = i + 1;
		if (ni > d + 1)
			while (j < e) {
				const int16_t *pj = sm_dict_phones(dict, b->order[j]);

				if (dict->w[b->order[j]].n_phone <= d + 1 || pj[d] != pi[d] ||
				    pj[d + 1] != pi[d + 1])
					break;
				j++;
			}
		nd = &s->nodes[k];
		nd->ci = (int8_t)pi[d];
		nd->depth = (int8_t)d;
		nd->child = -1;
		nd->n_child = 0;
		nd->word = -1;
		nd->ssid = NONE16;
		nd->ctx = NONE16;
		nd->u = NEG;
		nd->ncls = 1;
		if (ni == d + 1) {	/* leaf */
			nd->word = b->word0 + w;
			if (d == 0) {
				int row = lc_row(b, pi[0], s->sil_ci, 1);

				if (row < 0 || row >= NONE16)
					return -1;
				nd->ctx = (uint16_t)row;
			} else {
				int row = rc_row(b, pi[d], pi[d - 1]), cl;

				for (cl = 0; cl < s->row_ncls[row]; cl++)
					if (s->row_cls[row] + cl >= NONE16 ||
					    s->cls_ssid[s->row_cls[row] + cl] >= NONE16)
						return -1;
				if (s->row_ncls[row] > MAXCI)
					return -1;
				nd->ctx = (uint16_t)s->row_cls[row];
				nd->ncls = (uint8_t)s->row_ncls[row];
				nd->ssid = (uint16_t)s->cls_ssid[nd->ctx];
			}
		} else {
			int v = d == 0 ? lc_row(b, pi[0], pi[1], 0) :
				ssid_of(s, pi[d], pi[d - 1], pi[d + 1], SM_WPOS_INTERNAL);

			if (v < 0 || v >= NONE16)
				return -1;
			if (d == 0)
				nd->ctx = (uint16_t)v;
			else
				nd->ssid = (uint16_t)v;
		}
	}
	/* recurse (node array may move: index, not pointers) */
	k = first;
	for (i = a; i < e; i = j, k++) {
		int w = b->order[i];
		const int16_t *pi = sm_dict_phones(dict, w);
		int ni = dict->w[w].n_phone, c, cnt = 0;

		j = i + 1;
		if (ni > d + 1) {
			while (j < e) {
				const int16_t *pj = sm_dict_phones(dict, b->order[j]);

				if (dict->w[b->order[j]].n_phone <= d + 1 || pj[d] != pi[d] ||
				    pj[d + 1] != pi[d + 1])
					break;
				j++;
			}
			c = build_level(b, i, j, d + 1, &cnt);
			if (c < 0)
				return -1;
			s->nodes[k].child = c;
			if (cnt >= NONE16)
				return -1;
			s->nodes[k].n_child = (uint16_t)cnt;
		}
	}
	return first;
}

struct sm_search *
sm_search_new(const struct sm_mdef *m, const struct sm_tmat *t,
	      const struct sm_dict *d, const struct sm_lm *lm,
	      const struct sm_search_cfg *cfg, char *err, size_t errlen)
{
	struct sm_search *s = calloc(1, sizeof *s);
	struct build b;
	char buf[1024];
	int i, n_tree_words = 0, c;

	memset(&b, 0, sizeof b);
	if (s == NULL)
		goto oom;
	s->m = m;
	s->tm = t;
	s->d = d;
	s->lm = lm;
	s->cfg = *cfg;
	s->n_ci = m->n_ciphone;
	if (s->n_ci > MAXCI || t->n_src != 3 || t->n_dst != 4 || m->n_emit_state != 3 ||
	    m->n_sseq >= NONE16) {
		snprintf(err, errlen, "unsupported model topology");
		sm_search_free(s);
		return NULL;
	}
	s->sil_ci = m->sil;
	for (i = 0; i < s->n_ci; i++) {
		int tm = m->phone_tmat[i];

		if (tm < 0 || tm >= t->n_tmat)
			tm = 0;
		s->tp[i][0] = sm_tmat_logp(t, tm, 0, 0);
		s->tp[i][1] = sm_tmat_logp(t, tm, 0, 1) + cfg->pip * 0;
		s->tp[i][2] = sm_tmat_logp(t, tm, 1, 1);
		s->tp[i][3] = sm_tmat_logp(t, tm, 1, 2);
		s->tp[i][4] = sm_tmat_logp(t, tm, 2, 2);
		s->tp[i][5] = sm_tmat_logp(t, tm, 2, 3);
	}
	s->n_words = d->n_words;
	s->n_sen = m->n_sen;
	s->n_sseq = m->n_sseq;
	s->sseq = m->sseq;
	s->lmid = malloc(sizeof *s->lmid * (d->n_words + 1));
	s->wlast = malloc(d->n_words + 1);
	s->wkind = malloc(d->n_words + 1);
	s->wlen = malloc(sizeof *s->wlen * (d->n_words + 1));
	s->woff = malloc(sizeof *s->woff * (d->n_words + 1));
	{
		size_t tl = 0;

		for (i = 0; i < d->n_words; i++)
			tl += d->w[i].base_len + 1;
		s->text = malloc(tl + 1);
		if (!s->wlast || !s->wkind || !s->wlen || !s->woff || !s->text)
			goto oom;
		tl = 0;
		for (i = 0; i < d->n_words; i++) {
			const struct sm_dword *w = &d->w[i];

			s->woff[i] = (uint32_t)tl;
			s->wlen[i] = w->base_len;
			memcpy(s->text + tl, w->word, w->base_len);
			s->text[tl + w->base_len] = 0;
			tl += w->base_len + 1;
			s->wlast[i] = (int8_t)sm_dict_phones(d, i)[w->n_phone - 1];
			s->wkind[i] = !w->filler ? 0 : strcmp(w->word, "<sil>") == 0 ? 1 : 2;
		}
		s->text_len = tl;
	}
	b.order = malloc(sizeof *b.order * (d->n_words + 1));
	b.lc_key = malloc(sizeof *b.lc_key * MAXCI * MAXCI * 2);
	b.rc_key = malloc(sizeof *b.rc_key * MAXCI * MAXCI);
	if (!s->lmid || !b.order || !b.lc_key || !b.rc_key)
		goto oom;
	for (i = 0; i < MAXCI * MAXCI; i++)
		b.rc_key[i] = -1;
	for (i = 0; i < MAXCI * MAXCI * 2; i++)
		b.lc_key[i] = -1;
	s->bos_word = s->eos_word = s->sil_word = -1;
	for (i = 0; i < d->n_words; i++) {
		const struct sm_dword *w = &d->w[i];

		s->lmid[i] = -1;
		if (w->filler) {
			if (strcmp(w->word, "<s>") == 0)
				s->bos_word = i;
			else if (strcmp(w->word, "</s>") == 0)
				s->eos_word = i;
			else if (strcmp(w->word, "<sil>") == 0)
				s->sil_word = i;
			continue;
		}
		if (w->base_len >= sizeof buf)
			continue;
		memcpy(buf, w->word, w->base_len);
		buf[w->base_len] = 0;
		s->lmid[i] = sm_lm_word(lm, buf);
		if (s->lmid[i] >= 0 && s->lmid[i] != lm->bos && s->lmid[i] != lm->eos)
			b.order[n_tree_words++] = i;
		else
			s->lmid[i] = -1;
	}
	if (n_tree_words == 0 || lm->eos < 0 || lm->bos < 0) {
		snprintf(err, errlen, "no dictionary word is in the language model");
		sm_search_free(s);
		free(b.order);
		free(b.lc_key);
		free(b.rc_key);
		return NULL;
	}
	sort_dict = d;
	qsort(b.order, n_tree_words, sizeof *b.order, cmp_words);
	b.s = s;
	b.dict = d;
	/* roots first, contiguous */
	if (build_level(&b, 0, n_tree_words, 0, &s->n_roots) != 0)
		goto oom;
	/* filler nodes */
	s->filler0 = s->n_nodes;
	for (i = 0; i < d->n_words; i++) {
		struct node *nd;

		if (!d->w[i].filler || i == s->bos_word || i == s->eos_word)
			continue;
		if ((c = new_nodes(&b, 1)) < 0)
			goto oom;
		nd = &s->nodes[c];
		memset(nd, 0, sizeof *nd);
		nd->ci = sm_dict_phones(d, i)[0];
		nd->word = i;
		nd->child = -1;
		nd->ssid = (uint16_t)m->phone_ssid[nd->ci];
		nd->ctx = NONE16;
		nd->ncls = 1;
		nd->u = 0;
		s->n_filler_nodes++;
	}
	/* look-ahead, bottom-up: children always follow their parent */
	for (i = s->filler0 - 1; i >= 0; i--) {
		struct node *nd = &s->nodes[i];

		if (nd->word >= 0) {
			nd->u = sm_lm_unigram(lm, s->lmid[nd->word]);
		} else {
			float mx = NEG;

			for (c = 0; c < nd->n_child; c++)
				if (s->nodes[nd->child + c].u > mx)
					mx = s->nodes[nd->child + c].u;
			nd->u = mx;
		}
	}
	if (bptab_init(&s->p1, d->n_words) != 0 || search_slot_init(s) != 0)
		goto oom;
	free(b.order);
	free(b.lc_key);
	free(b.rc_key);
	return s;
oom:
	snprintf(err, errlen, "out of memory");
	free(b.order);
	free(b.lc_key);
	free(b.rc_key);
	sm_search_free(s);
	return NULL;
}

/* A copy of n bytes of the image at p in room of cap bytes (large
 * buffers: huge pages where the system has them, where a copy page by
 * page faults thousands of times), NULL if out of memory. */
static void *
dup_bytes(const void *p, size_t n, size_t cap)
{
	void *q = sm_big_alloc(cap ? cap : 1);

	if (q != NULL && n > 0)
		memcpy(q, p, n);
	return q;
}

/* The image's tables that a custom vocabulary of n words (phones in all)
 * grows, copied with room for them: all or none (sm_search_free frees
 * them when own is set).  The node and word tables never need to grow
 * again; the small context tables do, with realloc. */
static int
own_tables(struct sm_search *s, int n, size_t phones, size_t text)
{
	size_t nw = (size_t)s->n_words, all = nw + n, i;
	void *p[10];

	p[0] = dup_bytes(s->nodes, sizeof *s->nodes * s->n_nodes,
			 sizeof *s->nodes * (s->n_nodes + phones));
	p[1] = dup_bytes(s->lmid, sizeof *s->lmid * nw, sizeof *s->lmid * all);
	p[2] = dup_bytes(s->wlast, nw, all);
	p[3] = dup_bytes(s->wkind, nw, all);
	p[4] = dup_bytes(s->wlen, sizeof *s->wlen * nw, sizeof *s->wlen * all);
	p[5] = dup_bytes(s->woff, sizeof *s->woff * nw, sizeof *s->woff * all);
	p[6] = dup_bytes(s->text, s->text_len, s->text_len + text);
	p[7] = malloc(sizeof *s->lc_ssid * s->n_lc_rows * s->n_ci + 1);
	p[8] = malloc(sizeof *s->cls_mask * s->n_cls + 1);
	p[9] = malloc(sizeof *s->cls_ssid * s->n_cls + 1);
	for (i = 0; i < 10; i++)
		if (p[i] == NULL) {
			for (i = 0; i < 7; i++)
				sm_big_free(p[i]);
			free(p[7]);
			free(p[8]);
			free(p[9]);
			return -1;
		}
	memcpy(p[7], s->lc_ssid, sizeof *s->lc_ssid * s->n_lc_rows * s->n_ci);
	memcpy(p[8], s->cls_mask, sizeof *s->cls_mask * s->n_cls);
	memcpy(p[9], s->cls_ssid, sizeof *s->cls_ssid * s->n_cls);
	s->nodes = p[0];
	s->lmid = p[1];
	s->wlast = p[2];
	s->wkind = p[3];
	s->wlen = p[4];
	s->woff = p[5];
	s->text = p[6];
	s->lc_ssid = p[7];
	s->cls_mask = p[8];
	s->cls_ssid = p[9];
	s->own = 1;
	return 0;
}

/* A search built in memory: its per-word tables grown to n words (the
 * new entries are set by the caller). */
static int
grow_words(struct sm_search *s, int n, size_t text_len)
{
	int32_t *lmid = realloc(s->lmid, sizeof *lmid * n);
	int8_t *wlast;
	uint8_t *wkind;
	uint16_t *wlen;
	uint32_t *woff;
	char *text;

	if (lmid == NULL)
		return -1;
	s->lmid = lmid;
	if ((wlast = realloc(s->wlast, n)) == NULL)
		return -1;
	s->wlast = wlast;
	if ((wkind = realloc(s->wkind, n)) == NULL)
		return -1;
	s->wkind = wkind;
	if ((wlen = realloc(s->wlen, sizeof *wlen * n)) == NULL)
		return -1;
	s->wlen = wlen;
	if ((woff = realloc(s->woff, sizeof *woff * n)) == NULL)
		return -1;
	s->woff = woff;
	if ((text = realloc(s->text, text_len)) == NULL)
		return -1;
	s->text = text;
	return 0;
}

int
sm_search_add_words(struct sm_search *s, const struct sm_dict *d, const int32_t *lmid,
		    char *err, size_t errlen)
{
	struct build b;
	int n0 = s->n_words, n = d->n_words, i, first, n_roots = 0;
	size_t tl = s->text_len, phones = 0;

	if (s->n_ov_roots > 0) {
		snprintf(err, errlen, "a custom vocabulary is there already");
		return -1;
	}
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (d->w[i].filler || d->w[i].n_phone == 0 || d->w[i].n_phone >= 127) {
			snprintf(err, errlen, "%s: not a word of the search", d->w[i].word);
			return -1;
		}
	if (s->map && !search_tri_ok(s)) {
		snprintf(err, errlen, "corrupt search image: its triphone table");
		return -1;
	}
	memset(&b, 0, sizeof b);
	for (i = 0; i < n; i++) {
		tl += d->w[i].base_len + 1;
		phones += d->w[i].n_phone;
	}
	if (s->map && own_tables(s, n, phones, tl - s->text_len) != 0)
		goto oom;
	if (!s->map && grow_words(s, n0 + n, tl) != 0)
		goto oom;
	tl = s->text_len;
	for (i = 0; i < n; i++) {
		const struct sm_dword *w = &d->w[i];

		s->lmid[n0 + i] = lmid[i];
		s->woff[n0 + i] = (uint32_t)tl;
		s->wlen[n0 + i] = w->base_len;
		memcpy(s->text + tl, w->word, w->base_len);
		s->text[tl + w->base_len] = 0;
		tl += w->base_len + 1;
		s->wlast[n0 + i] = (int8_t)sm_dict_phones(d, i)[w->n_phone - 1];
		s->wkind[n0 + i] = 0;
	}
	s->text_len = tl;
	s->n_words = n0 + n;
	/* the tree, built as the main one is, after the fillers; its rows of
	 * contexts appended to the tables (a few repeat earlier rows) */
	b.s = s;
	b.dict = d;
	b.word0 = n0;
	/* an image's nodes have room for them all (own_tables) */
	b.cap = s->map ? s->n_nodes + (int)phones : s->n_nodes;
	b.order = malloc(sizeof *b.order * n);
	b.lc_key = malloc(sizeof *b.lc_key * MAXCI * MAXCI * 2);
	b.rc_key = malloc(sizeof *b.rc_key * MAXCI * MAXCI);
	if (!b.order || !b.lc_key || !b.rc_key)
		goto oom;
	for (i = 0; i < MAXCI * MAXCI; i++)
		b.rc_key[i] = -1;
	for (i = 0; i < MAXCI * MAXCI * 2; i++)
		b.lc_key[i] = -1;
	for (i = 0; i < n; i++)
		b.order[i] = i;
	sort_dict = d;
	qsort(b.order, n, sizeof *b.order, cmp_words);
	first = s->n_nodes;
	if (build_level(&b, 0, n, 0, &n_roots) != first)
		goto oom;
	/* look-ahead, bottom-up: children follow their parent */
	for (i = s->n_nodes - 1; i >= first; i--) {
		struct node *nd = &s->nodes[i];
		int k;

		if (nd->word >= 0) {
			nd->u = sm_lm_unigram(s->lm, s->lmid[nd->word]);
			continue;
		}
		nd->u = NEG;
		for (k = 0; k < nd->n_child; k++)
			if (s->nodes[nd->child + k].u > nd->u)
				nd->u = s->nodes[nd->child + k].u;
	}
	bptab_free(&s->p1);
	memset(&s->p1, 0, sizeof s->p1);
	if (bptab_init(&s->p1, s->n_words) != 0)
		goto oom;
	s->ov0 = first;
	s->n_ov_roots = n_roots;
	free(b.order);
	free(b.lc_key);
	free(b.rc_key);
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	free(b.order);
	free(b.lc_key);
	free(b.rc_key);
	return -1;
}

/*
 * mdef.c: the binary "BMDF" model definition.
 *
 * Layout (all integers in the byte order announced by the magic):
 *   "BMDF", int32 version (<= 1), int32 text length, that text;
 *   int32 n_ciphone, n_phone, n_emit_state, n_ci_sen, n_sen, n_tmat, n_sseq,
 *         n_ctx (3), n_cd_tree, sil;
 *   n_ciphone NUL-terminated names, zero padded to a multiple of 4 bytes;
 *   cd_tree[n_cd_tree] {int16 ctx, int16 n_down, int32 pid_or_first_child};
 *   phones[n_phone] {int32 ssid, int32 tmat, uint8 info[4]}: for a CI phone
 *         info[0] is the filler flag, for a triphone info is {wpos, base,
 *         left, right};
 *   int32 sseq_len (= n_sseq * n_emit_state), uint16 sseq[sseq_len].
 * The context tree has 4 levels: word position (the first 4 nodes are the
 * root level), base, left, right.  A node with n_down = 0 is a leaf whose
 * value is a phone id (or -1: no triphones below); otherwise the value is
 * the index of its first child and n_down the number of children.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdef.h"
#include "s3.h"

struct sm_mdef_node {
	int16_t ctx;
	int16_t n_down;
	int32_t val;
};

struct rd {
	const char *path;
	const unsigned char *buf;
	size_t len, pos;
	int swap;
};

static int
need(struct rd *r, size_t n, const char *what, char *err, size_t errlen)
{
	if (r->len - r->pos < n)
		return sm_path_err(err, errlen, r->path, "truncated in the %s", what);
	return 0;
}

static uint32_t
get32(struct rd *r)
{
	uint32_t v;

	memcpy(&v, r->buf + r->pos, 4);
	r->pos += 4;
	return r->swap ? __builtin_bswap32(v) : v;
}

static uint16_t
get16(struct rd *r)
{
	uint16_t v;

	memcpy(&v, r->buf + r->pos, 2);
	r->pos += 2;
	return r->swap ? __builtin_bswap16(v) : v;
}

char
sm_mdef_wpos_char(int pos)
{
	return pos >= 0 && pos < SM_N_WPOS ? "ibes"[pos] : '-';
}

int
sm_mdef_ciphone(const struct sm_mdef *m, const char *name)
{
	int i;

	for (i = 0; i < m->n_ciphone; i++)
		if (strcmp(m->ciname[i], name) == 0)
			return i;
	return -1;
}

/* Search nodes [first, first+n) for ctx; index or -1. */
static int
find(const struct sm_mdef *m, int first, int n, int ctx)
{
	int i;

	for (i = first; i < first + n; i++)
		if (m->cd_tree[i].ctx == ctx)
			return i;
	return -1;
}

int
sm_mdef_triphone(const struct sm_mdef *m, int base, int left, int right, int pos)
{
	int ctx[4] = {pos, base, left, right};
	int level, first = 0, n = SM_N_WPOS, i;

	if (pos < 0 || pos >= SM_N_WPOS || base < 0 || base >= m->n_ciphone ||
	    left < 0 || left >= m->n_ciphone || right < 0 ||
	    right >= m->n_ciphone)
		return -1;
	for (level = 0; level < 4; level++) {
		i = find(m, first, n, ctx[level]);
		if (i < 0)
			return -1;
		if (m->cd_tree[i].n_down == 0)
			return level == 3 ? m->cd_tree[i].val : -1;
		if (level == 3)
			return -1;
		first = m->cd_tree[i].val;
		n = m->cd_tree[i].n_down;
	}
	return -1;
}

/* Check the tree: every child range in bounds, every level's contexts
 * valid, every triphone reached exactly once at the place its own info
 * says.  Levels below the root have at most n_ciphone children, so the
 * walk is bounded (4 x n_ciphone^3 nodes) whatever the file holds. */
static int
check_tree(struct sm_mdef *m, const unsigned char *info, unsigned char *seen,
	   int first, int n, int level, int *path, char *err, size_t errlen,
	   const char *file)
{
	int i;

	for (i = first; i < first + n; i++) {
		const struct sm_mdef_node *d = &m->cd_tree[i];
		int lim = level == 0 ? SM_N_WPOS : m->n_ciphone;

		if (d->ctx < 0 || d->ctx >= lim)
			return sm_path_err(err, errlen, file, "context tree node %d: context "
				    "%d out of range", i, d->ctx);
		path[level] = d->ctx;
		if (d->n_down == 0) {
			const unsigned char *p;

			if (level < 3) {
				if (d->val != -1)
					return sm_path_err(err, errlen, file, "context tree node "
						    "%d: leaf above the last level", i);
				continue;
			}
			if (d->val < m->n_ciphone || d->val >= m->n_phone)
				return sm_path_err(err, errlen, file, "context tree node %d: "
					    "phone %d out of range", i, d->val);
			if (seen[d->val]++)
				return sm_path_err(err, errlen, file, "triphone %d appears twice "
					    "in the context tree", d->val);
			p = info + 4 * (size_t)d->val;
			if (p[0] != path[0] || p[1] != path[1] || p[2] != path[2] ||
			    p[3] != path[3])
				return sm_path_err(err, errlen, file, "triphone %d: context tree "
					    "and phone table disagree", d->val);
			continue;
		}
		if (level == 3 || d->n_down < 0 || d->n_down > m->n_ciphone ||
		    d->val < 0 || d->val > m->n_cd_tree - d->n_down)
			return sm_path_err(err, errlen, file, "context tree node %d: bad "
				    "children %d+%d", i, d->val, d->n_down);
		if (check_tree(m, info, seen, d->val, d->n_down, level + 1, path,
			       err, errlen, file) != 0)
			return -1;
	}
	return 0;
}

/* The counts of m in the bounds every table's size is computed from (a
 * file's header, a block's): 1 if so. */
static int
counts_ok(const struct sm_mdef *m)
{
	return m->n_ciphone >= 1 && m->n_ciphone <= 255 && m->n_phone >= m->n_ciphone &&
	       m->n_phone <= 10000000 && m->n_emit_state >= 1 && m->n_emit_state <= 10 &&
	       m->n_sen >= 1 && m->n_sen <= 65535 && m->n_ci_sen >= 0 &&
	       m->n_ci_sen <= m->n_sen && m->n_tmat >= 1 && m->n_tmat <= m->n_phone &&
	       m->n_sseq >= 1 && m->n_sseq <= m->n_phone &&
	       m->n_cd_tree >= SM_N_WPOS && m->n_cd_tree <= 100000000 &&
	       m->sil >= 0 && m->sil < m->n_ciphone;
}

int
sm_mdef_load(struct sm_mdef *m, const char *path, char *err, size_t errlen)
{
	const unsigned char *buf = NULL;
	unsigned char *info = NULL, *seen = NULL;
	struct rd r;
	int32_t v[10], ver, tlen;
	size_t nb, i, sslen;
	int k, path4[4];

	memset(m, 0, sizeof(*m));
	memset(&r, 0, sizeof(r));
	r.path = path;
	if (sm_map_file(path, SM_MAP_POPULATE, &buf, &r.len, err, errlen) != 0)
		return -1;
	r.buf = buf;
	if (r.len < 12) {
		sm_path_err(err, errlen, path, "truncated (%zu bytes)", r.len);
		goto bad;
	}
	if (memcmp(buf, "BMDF", 4) == 0)
		r.swap = 0;
	else if (memcmp(buf, "FDMB", 4) == 0)
		r.swap = 1;
	else {
		sm_path_err(err, errlen, path, "not a binary mdef (no BMDF magic)");
		goto bad;
	}
	r.pos = 4;
	ver = (int32_t)get32(&r);
	tlen = (int32_t)get32(&r);
	if (ver < 0 || ver > 1) {
		sm_path_err(err, errlen, path, "unsupported mdef version %d", ver);
		goto bad;
	}
	if (tlen < 0 || need(&r, (size_t)tlen, "format description", err, errlen))
		goto bad;
	r.pos += (size_t)tlen;
	if (need(&r, 40, "header", err, errlen))
		goto bad;
	for (k = 0; k < 10; k++)
		v[k] = (int32_t)get32(&r);
	m->n_ciphone = v[0];
	m->n_phone = v[1];
	m->n_emit_state = v[2];
	m->n_ci_sen = v[3];
	m->n_sen = v[4];
	m->n_tmat = v[5];
	m->n_sseq = v[6];
	m->n_cd_tree = v[8];
	m->sil = v[9];
	if (!counts_ok(m) || v[7] != 3) {
		sm_path_err(err, errlen, path, "bad counts in the header (ciphone %d phone %d "
		     "state %d sen %d tmat %d sseq %d ctx %d tree %d sil %d)",
		     v[0], v[1], v[2], v[4], v[5], v[6], v[7], v[8], v[9]);
		goto bad;
	}

	/* CI phone names. */
	m->ciname = calloc((size_t)m->n_ciphone, sizeof(char *));
	m->ci_filler = calloc((size_t)m->n_ciphone, 1);
	if (m->ciname == NULL || m->ci_filler == NULL)
		goto oom;
	{
		size_t start = r.pos, p = r.pos;
		const unsigned char *z;

		for (k = 0; k < m->n_ciphone; k++) {
			z = p < r.len ? memchr(buf + p, 0, r.len - p) : NULL;
			if (z == NULL) {
				sm_path_err(err, errlen, path, "truncated in the phone names");
				goto bad;
			}
			if ((size_t)(z - buf) == p) {
				sm_path_err(err, errlen, path, "empty name of phone %d", k);
				goto bad;
			}
			p = (size_t)(z - buf) + 1;
		}
		nb = (p - start + 3) & ~(size_t)3;
		m->names = malloc(nb);
		if (m->names == NULL)
			goto oom;
		if (need(&r, nb, "phone names", err, errlen))
			goto bad;
		memcpy(m->names, buf + start, p - start);
		for (k = 0, p = 0; k < m->n_ciphone; k++) {
			m->ciname[k] = m->names + p;
			p += strlen(m->ciname[k]) + 1;
		}
		r.pos = start + nb;
	}

	/* Context tree. */
	if (need(&r, (size_t)m->n_cd_tree * 8, "context tree", err, errlen))
		goto bad;
	m->cd_tree = malloc((size_t)m->n_cd_tree * sizeof(*m->cd_tree));
	if (m->cd_tree == NULL)
		goto oom;
	for (k = 0; k < m->n_cd_tree; k++) {
		m->cd_tree[k].ctx = (int16_t)get16(&r);
		m->cd_tree[k].n_down = (int16_t)get16(&r);
		m->cd_tree[k].val = (int32_t)get32(&r);
	}

	/* Phones. */
	if (need(&r, (size_t)m->n_phone * 12, "phone table", err, errlen))
		goto bad;
	m->phone_ssid = malloc((size_t)m->n_phone * sizeof(int32_t));
	m->phone_tmat = malloc((size_t)m->n_phone * sizeof(int32_t));
	m->phone_base = malloc((size_t)m->n_phone * sizeof(int16_t));
	m->phone_wpos = malloc((size_t)m->n_phone);
	info = malloc((size_t)m->n_phone * 4);
	seen = calloc((size_t)m->n_phone, 1);
	if (!m->phone_ssid || !m->phone_tmat || !m->phone_base || !m->phone_wpos ||
	    !info || !seen)
		goto oom;
	for (k = 0; k < m->n_phone; k++) {
		unsigned char *p = info + 4 * (size_t)k;

		m->phone_ssid[k] = (int32_t)get32(&r);
		m->phone_tmat[k] = (int32_t)get32(&r);
		memcpy(p, buf + r.pos, 4);
		r.pos += 4;
		if (m->phone_ssid[k] < 0 || m->phone_ssid[k] >= m->n_sseq ||
		    m->phone_tmat[k] < 0 || m->phone_tmat[k] >= m->n_tmat) {
			sm_path_err(err, errlen, path, "phone %d: senone sequence %d or "
			     "transition matrix %d out of range", k,
			     m->phone_ssid[k], m->phone_tmat[k]);
			goto bad;
		}
		if (k < m->n_ciphone) {
			m->ci_filler[k] = p[0] != 0;
			m->phone_base[k] = (int16_t)k;
			m->phone_wpos[k] = SM_WPOS_NONE;
		} else {
			if (p[0] >= SM_N_WPOS || p[1] >= m->n_ciphone ||
			    p[2] >= m->n_ciphone || p[3] >= m->n_ciphone) {
				sm_path_err(err, errlen, path, "triphone %d: context out of range", k);
				goto bad;
			}
			m->phone_wpos[k] = p[0];
			m->phone_base[k] = p[1];
		}
	}

	/* Senone sequences. */
	if (need(&r, 4, "senone sequences", err, errlen))
		goto bad;
	sslen = get32(&r);
	if (sslen != (size_t)m->n_sseq * m->n_emit_state) {
		sm_path_err(err, errlen, path, "senone sequence table has %zu entries, "
		     "expected %d x %d", sslen, m->n_sseq, m->n_emit_state);
		goto bad;
	}
	if (need(&r, sslen * 2, "senone sequences", err, errlen))
		goto bad;
	m->sseq = malloc(sslen * sizeof(uint16_t));
	if (m->sseq == NULL)
		goto oom;
	for (i = 0; i < sslen; i++) {
		m->sseq[i] = get16(&r);
		if (m->sseq[i] >= m->n_sen) {
			sm_path_err(err, errlen, path, "senone %u out of range", m->sseq[i]);
			goto bad;
		}
	}
	/* Alignment padding only. */
	if (r.len - r.pos >= 4) {
		sm_path_err(err, errlen, path, "%zu unexpected bytes at the end", r.len - r.pos);
		goto bad;
	}

	if (check_tree(m, info, seen, 0, SM_N_WPOS, 0, path4, err, errlen, path))
		goto bad;
	for (k = m->n_ciphone; k < m->n_phone; k++)
		if (!seen[k]) {
			sm_path_err(err, errlen, path, "triphone %d is not in the context tree", k);
			goto bad;
		}
	/* Senone -> base CI phone: the codebook of a PTM senone. */
	m->sen2ci = malloc((size_t)m->n_sen * sizeof(int16_t));
	if (m->sen2ci == NULL)
		goto oom;
	for (k = 0; k < m->n_sen; k++)
		m->sen2ci[k] = -1;
	for (k = 0; k < m->n_phone; k++) {
		for (int st = 0; st < m->n_emit_state; st++) {
			int s = sm_mdef_senone(m, k, st);

			if (m->sen2ci[s] < 0)
				m->sen2ci[s] = m->phone_base[k];
			else if (m->sen2ci[s] != m->phone_base[k]) {
				sm_path_err(err, errlen, path, "senone %d is shared by base phones "
				     "%s and %s", s, m->ciname[m->sen2ci[s]],
				     m->ciname[m->phone_base[k]]);
				goto bad;
			}
		}
	}
	for (k = 0; k < m->n_sen; k++)
		if (m->sen2ci[k] < 0) {
			sm_path_err(err, errlen, path, "senone %d is used by no phone", k);
			goto bad;
		}
	free(info);
	free(seen);
	sm_unmap_file(buf, r.len);
	return 0;
oom:
	sm_path_err(err, errlen, path, "out of memory");
bad:
	free(info);
	free(seen);
	sm_unmap_file(buf, r.len);
	sm_mdef_free(m);
	return -1;
}

/* ---- the tables as one block ------------------------------------------ */

/* The block: the counts (BLOB_HDR int32: n_ciphone, n_phone,
 * n_emit_state, n_ci_sen, n_sen, n_tmat, n_sseq, sil, n_cd_tree and the
 * names' bytes), then each table at a multiple of 8 bytes: the names
 * (NUL-ended, one after the other), ci_filler, cd_tree, phone_ssid,
 * phone_tmat, phone_base, phone_wpos, sseq, sen2ci. */
#define BLOB_HDR 10

struct blob_layout {
	size_t names, filler, tree, ssid, tmat, base, wpos, sseq, sen2ci, total;
};

static size_t
up8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static void
blob_layout(const int32_t *h, struct blob_layout *b)
{
	b->names = up8(BLOB_HDR * sizeof(int32_t));
	b->filler = b->names + up8((size_t)h[9]);
	b->tree = b->filler + up8((size_t)h[0]);
	b->ssid = b->tree + up8((size_t)h[8] * sizeof(struct sm_mdef_node));
	b->tmat = b->ssid + up8((size_t)h[1] * sizeof(int32_t));
	b->base = b->tmat + up8((size_t)h[1] * sizeof(int32_t));
	b->wpos = b->base + up8((size_t)h[1] * sizeof(int16_t));
	b->sseq = b->wpos + up8((size_t)h[1]);
	b->sen2ci = b->sseq + up8((size_t)h[6] * (size_t)h[2] * sizeof(uint16_t));
	b->total = b->sen2ci + up8((size_t)h[4] * sizeof(int16_t));
}

static void
blob_header(const struct sm_mdef *m, int32_t *h)
{
	int k;

	h[0] = m->n_ciphone;
	h[1] = m->n_phone;
	h[2] = m->n_emit_state;
	h[3] = m->n_ci_sen;
	h[4] = m->n_sen;
	h[5] = m->n_tmat;
	h[6] = m->n_sseq;
	h[7] = m->sil;
	h[8] = m->n_cd_tree;
	for (k = 0, h[9] = 0; k < m->n_ciphone; k++)
		h[9] += (int32_t)strlen(m->ciname[k]) + 1;
}

size_t
sm_mdef_blob_size(const struct sm_mdef *m)
{
	int32_t h[BLOB_HDR];
	struct blob_layout b;

	blob_header(m, h);
	blob_layout(h, &b);
	return b.total;
}

void
sm_mdef_blob_write(const struct sm_mdef *m, void *dst)
{
	unsigned char *d = dst;
	int32_t h[BLOB_HDR];
	struct blob_layout b;
	size_t p;
	int k;

	blob_header(m, h);
	blob_layout(h, &b);
	memset(d, 0, b.total);
	memcpy(d, h, sizeof h);
	for (k = 0, p = b.names; k < m->n_ciphone; k++) {
		size_t n = strlen(m->ciname[k]) + 1;

		memcpy(d + p, m->ciname[k], n);
		p += n;
	}
	memcpy(d + b.filler, m->ci_filler, (size_t)m->n_ciphone);
	memcpy(d + b.tree, m->cd_tree, (size_t)m->n_cd_tree * sizeof(*m->cd_tree));
	memcpy(d + b.ssid, m->phone_ssid, (size_t)m->n_phone * sizeof(int32_t));
	memcpy(d + b.tmat, m->phone_tmat, (size_t)m->n_phone * sizeof(int32_t));
	memcpy(d + b.base, m->phone_base, (size_t)m->n_phone * sizeof(int16_t));
	memcpy(d + b.wpos, m->phone_wpos, (size_t)m->n_phone);
	memcpy(d + b.sseq, m->sseq, (size_t)m->n_sseq * m->n_emit_state * sizeof(uint16_t));
	memcpy(d + b.sen2ci, m->sen2ci, (size_t)m->n_sen * sizeof(int16_t));
}

static int
blob_err(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "its model definition: %s", what);
	return -1;
}

/* The checks of a block's tables (sm_mdef_blob_open): every id read as an
 * address within its table.  Each scans its whole table without a branch
 * per entry, which the compiler turns into vector code: they run at every
 * start of sm-adapt. */
SM_VECTORIZE
static int
tree_ok(const struct sm_mdef *m)
{
	int k, bad = 0;

	for (k = 0; k < m->n_cd_tree; k++) {
		const struct sm_mdef_node *n = &m->cd_tree[k];
		int down = n->n_down, val = n->val;

		bad |= (down < 0) | (down > m->n_ciphone) |
		       ((down > 0) & ((val < 0) | (val > m->n_cd_tree - down))) |
		       ((down == 0) & (val != -1) & ((val < m->n_ciphone) | (val >= m->n_phone)));
	}
	return !bad;
}

SM_VECTORIZE
static int
phones_ok(const struct sm_mdef *m)
{
	int k, bad = 0;

	for (k = 0; k < m->n_phone; k++)
		bad |= ((uint32_t)m->phone_ssid[k] >= (uint32_t)m->n_sseq) |
		       ((uint32_t)m->phone_tmat[k] >= (uint32_t)m->n_tmat) |
		       ((uint16_t)m->phone_base[k] >= (unsigned)m->n_ciphone) |
		       (m->phone_wpos[k] > SM_WPOS_NONE);
	return !bad;
}

SM_VECTORIZE
static int
sseq_ok(const struct sm_mdef *m)
{
	size_t p, n = (size_t)m->n_sseq * m->n_emit_state;
	int bad = 0;

	for (p = 0; p < n; p++)
		bad |= m->sseq[p] >= m->n_sen;
	return !bad;
}

SM_VECTORIZE
static int
sen2ci_ok(const struct sm_mdef *m)
{
	int k, bad = 0;

	for (k = 0; k < m->n_sen; k++)
		bad |= (uint16_t)m->sen2ci[k] >= (unsigned)m->n_ciphone;
	return !bad;
}

int
sm_mdef_blob_open(struct sm_mdef *m, const void *blob, size_t len, char *err,
		  size_t errlen)
{
	const unsigned char *d = blob;
	int32_t h[BLOB_HDR];
	struct blob_layout b;
	size_t p;
	int k;

	memset(m, 0, sizeof(*m));
	if (len < sizeof h)
		return blob_err(err, errlen, "truncated");
	memcpy(h, d, sizeof h);
	m->n_ciphone = h[0];
	m->n_phone = h[1];
	m->n_emit_state = h[2];
	m->n_ci_sen = h[3];
	m->n_sen = h[4];
	m->n_tmat = h[5];
	m->n_sseq = h[6];
	m->sil = h[7];
	m->n_cd_tree = h[8];
	/* from here on, bad: frees only what is allocated below (ciname) */
	m->mapped = 1;
	/* The bounds of sm_mdef_load, so that the layout cannot overflow. */
	if (!counts_ok(m) || h[9] < 2 * h[0] || h[9] > 256 * h[0]) {
		blob_err(err, errlen, "bad counts");
		goto bad;
	}
	blob_layout(h, &b);
	if (b.total != len) {
		blob_err(err, errlen, "its counts do not make its size");
		goto bad;
	}
	m->names = (char *)(uintptr_t)(d + b.names);
	m->ci_filler = (unsigned char *)(uintptr_t)(d + b.filler);
	m->cd_tree = (struct sm_mdef_node *)(uintptr_t)(d + b.tree);
	m->phone_ssid = (int32_t *)(uintptr_t)(d + b.ssid);
	m->phone_tmat = (int32_t *)(uintptr_t)(d + b.tmat);
	m->phone_base = (int16_t *)(uintptr_t)(d + b.base);
	m->phone_wpos = (unsigned char *)(uintptr_t)(d + b.wpos);
	m->sseq = (uint16_t *)(uintptr_t)(d + b.sseq);
	m->sen2ci = (int16_t *)(uintptr_t)(d + b.sen2ci);
	if ((m->ciname = calloc((size_t)m->n_ciphone, sizeof(char *))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto bad;
	}
	/* n_ciphone non-empty names, NUL-ended, within their bytes. */
	for (k = 0, p = 0; k < m->n_ciphone; k++) {
		const char *z = memchr(m->names + p, 0, (size_t)h[9] - p);

		if (z == NULL || z == m->names + p) {
			blob_err(err, errlen, "bad phone names");
			goto bad;
		}
		m->ciname[k] = m->names + p;
		p = (size_t)(z - m->names) + 1;
	}
	if (!tree_ok(m)) {
		blob_err(err, errlen, "bad context tree");
		goto bad;
	}
	if (!phones_ok(m)) {
		blob_err(err, errlen, "bad phone table");
		goto bad;
	}
	if (!sseq_ok(m)) {
		blob_err(err, errlen, "bad senone sequences");
		goto bad;
	}
	if (!sen2ci_ok(m)) {
		blob_err(err, errlen, "bad senone codebooks");
		goto bad;
	}
	return 0;
bad:
	sm_mdef_free(m);
	return -1;
}

void
sm_mdef_free(struct sm_mdef *m)
{
	if (m->mapped) {
		free(m->ciname);
		memset(m, 0, sizeof(*m));
		return;
	}
	free(m->ciname);
	free(m->ci_filler);
	free(m->phone_ssid);
	free(m->phone_tmat);
	free(m->phone_base);
	free(m->phone_wpos);
	free(m->sseq);
	free(m->sen2ci);
	free(m->cd_tree);
	free(m->names);
	memset(m, 0, sizeof(*m));
}

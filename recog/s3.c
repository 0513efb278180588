/* s3.c: Sphinx-3 binary parameter files. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "s3.h"

/* A parsed s3 file: the 4-byte words after the magic. */
struct s3 {
	const char *path;
	unsigned char *buf;
	size_t len;
	size_t pos;		/* read position */
	size_t end;		/* end of data (before the checksum) */
	int swap;
};

static uint32_t
word(const struct s3 *s, size_t off)
{
	uint32_t v;

	memcpy(&v, s->buf + off, 4);
	if (s->swap)
		v = __builtin_bswap32(v);
	return v;
}

/* The s3 checksum of n words at p: rotate left by 20, add the next. */
static uint32_t
checksum(const unsigned char *p, size_t n, int swap)
{
	uint32_t sum = 0, v;
	size_t i;

	if (swap)
		for (i = 0; i < n; i++, p += 4) {
			memcpy(&v, p, 4);
			sum = ((sum << 20) | (sum >> 12)) + __builtin_bswap32(v);
		}
	else
		for (i = 0; i < n; i++, p += 4) {
			memcpy(&v, p, 4);
			sum = ((sum << 20) | (sum >> 12)) + v;
		}
	return sum;
}

static int s3_parse(struct s3 *s, char *err, size_t errlen);

static int
s3_open(struct s3 *s, const char *path, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->path = path;
	if (sm_read_file(path, &s->buf, &s->len, err, errlen) != 0)
		return -1;
	return s3_parse(s, err, errlen);
}

/* The header, magic and checksum of the file in s->buf (freed on
 * error). */
static int
s3_parse(struct s3 *s, char *err, size_t errlen)
{
	const char *path = s->path;
	unsigned char *p, *hend;
	uint32_t magic, sum, v;
	int chksum = 0;
	size_t off;

	if (s->len < 3 || memcmp(s->buf, "s3\n", 3) != 0) {
		sm_path_err(err, errlen, path, "not a Sphinx-3 s3 file (no \"s3\" header)");
		goto bad;
	}
	/* The header: "name value" lines up to the one ending in endhdr.
	 * buf has a NUL after the end, so strstr cannot run past it, but a
	 * NUL in the data could hide the marker: search by hand. */
	hend = NULL;
	for (p = s->buf; p + 7 <= s->buf + s->len; p++) {
		if (memcmp(p, "endhdr\n", 7) == 0) {
			hend = p + 7;
			break;
		}
	}
	if (hend == NULL) {
		sm_path_err(err, errlen, path, "truncated header (no endhdr)");
		goto bad;
	}
	for (p = s->buf; p + 12 <= hend; p++)
		if (memcmp(p, "\nchksum0 yes", 12) == 0)
			chksum = 1;
	off = (size_t)(hend - s->buf);
	if (s->len - off < 4) {
		sm_path_err(err, errlen, path, "truncated after the header");
		goto bad;
	}
	memcpy(&magic, s->buf + off, 4);
	if (magic == 0x11223344u)
		s->swap = 0;
	else if (magic == 0x44332211u)
		s->swap = 1;
	else {
		sm_path_err(err, errlen, path, "bad byte-order magic 0x%08x", magic);
		goto bad;
	}
	s->pos = off + 4;
	s->end = s->len;
	if ((s->end - s->pos) % 4 != 0) {
		sm_path_err(err, errlen, path, "truncated: %zu bytes of data is not a whole "
		     "number of 4-byte words", s->end - s->pos);
		goto bad;
	}
	if (chksum) {
		if (s->end - s->pos < 4) {
			sm_path_err(err, errlen, path, "truncated: no checksum");
			goto bad;
		}
		s->end -= 4;
		sum = checksum(s->buf + s->pos, (s->end - s->pos) / 4, s->swap);
		v = word(s, s->end);
		if (v != sum) {
			sm_path_err(err, errlen, path, "checksum mismatch (file is corrupt or "
			     "truncated)");
			goto bad;
		}
	}
	return 0;
bad:
	free(s->buf);
	s->buf = NULL;
	return -1;
}

static int
s3_int(struct s3 *s, int32_t *v, const char *what, char *err, size_t errlen)
{
	if (s->end - s->pos < 4)
		return sm_path_err(err, errlen, s->path, "truncated: no %s", what);
	*v = (int32_t)word(s, s->pos);
	s->pos += 4;
	return 0;
}

/* Whether none of n floats is an infinity or a NaN. */
SM_VECTORIZE
static int
all_finite(const float *v, size_t n)
{
	uint32_t bad = 0, u;
	size_t i;

	for (i = 0; i < n; i++) {
		memcpy(&u, &v[i], 4);
		bad |= (u & 0x7f800000u) == 0x7f800000u;
	}
	return !bad;
}

/* n floats, converted to native order. */
static int
s3_floats(struct s3 *s, float *out, size_t n, char *err, size_t errlen)
{
	size_t i;

	if ((s->end - s->pos) / 4 < n)
		return sm_path_err(err, errlen, s->path, "truncated: %zu floats expected, "
			    "%zu present", n, (s->end - s->pos) / 4);
	memcpy(out, s->buf + s->pos, 4 * n);
	if (s->swap)
		for (i = 0; i < n; i++) {
			uint32_t u;

			memcpy(&u, &out[i], 4);
			u = __builtin_bswap32(u);
			memcpy(&out[i], &u, 4);
		}
	/* all finite (the exponent bits not all set) in one pass, then the
	 * first that is not, to name it */
	if (!all_finite(out, n))
		for (i = 0; i < n; i++)
			if (!isfinite(out[i]))
				return sm_path_err(err, errlen, s->path, "value %zu is not finite", i);
	s->pos += 4 * n;
	return 0;
}

static int
s3_at_end(struct s3 *s, char *err, size_t errlen)
{
	if (s->pos != s->end)
		return sm_path_err(err, errlen, s->path, "%zu unexpected bytes after the data",
			    s->end - s->pos);
	return 0;
}

static int gau_read(struct sm_s3_gau *g, struct s3 *s, char *err, size_t errlen);

int
sm_s3_gau_load(struct sm_s3_gau *g, const char *path, char *err, size_t errlen)
{
	struct s3 s;

	memset(g, 0, sizeof(*g));
	if (s3_open(&s, path, err, errlen) != 0)
		return -1;
	return gau_read(g, &s, err, errlen);
}

int
sm_s3_gau_parse(struct sm_s3_gau *g, const char *path, unsigned char *buf,
		size_t len, char *err, size_t errlen)
{
	struct s3 s;

	memset(g, 0, sizeof(*g));
	memset(&s, 0, sizeof(s));
	s.path = path;
	s.buf = buf;
	s.len = len;
	if (s3_parse(&s, err, errlen) != 0)
		return -1;
	return gau_read(g, &s, err, errlen);
}

/* The sizes and values of a Gaussian parameter file opened in s (its
 * buffer freed here). */
static int
gau_read(struct sm_s3_gau *g, struct s3 *sp, char *err, size_t errlen)
{
	struct s3 s = *sp;
	const char *path = s.path;
	int32_t v = 0, n = 0;
	int f;
	size_t total;

	if (s3_int(&s, &v, "codebook count", err, errlen) != 0)
		goto bad;
	if (v < 1 || v > 100000) {
		sm_path_err(err, errlen, path, "bad codebook count %d", v);
		goto bad;
	}
	g->n_mgau = v;
	if (s3_int(&s, &v, "stream count", err, errlen) != 0)
		goto bad;
	if (v < 1 || v > SM_S3_MAX_FEAT) {
		sm_path_err(err, errlen, path, "bad stream count %d", v);
		goto bad;
	}
	g->n_feat = v;
	if (s3_int(&s, &v, "density count", err, errlen) != 0)
		goto bad;
	if (v < 1 || v > 65536) {
		sm_path_err(err, errlen, path, "bad density count %d", v);
		goto bad;
	}
	g->n_density = v;
	for (f = 0; f < g->n_feat; f++) {
		if (s3_int(&s, &v, "stream length", err, errlen) != 0)
			goto bad;
		if (v < 1 || v > 1000) {
			sm_path_err(err, errlen, path, "bad length %d of stream %d", v, f);
			goto bad;
		}
		g->veclen[f] = v;
		g->dim += v;
	}
	if (s3_int(&s, &n, "value count", err, errlen) != 0)
		goto bad;
	total = (size_t)g->n_mgau * g->n_density * g->dim;
	if ((size_t)(uint32_t)n != total) {
		sm_path_err(err, errlen, path, "value count %d does not match %d x %d x %d = %zu",
		     n, g->n_mgau, g->n_density, g->dim, total);
		goto bad;
	}
	g->data = malloc(total * sizeof(float));
	if (g->data == NULL) {
		sm_path_err(err, errlen, path, "out of memory");
		goto bad;
	}
	if (s3_floats(&s, g->data, total, err, errlen) != 0 ||
	    s3_at_end(&s, err, errlen) != 0)
		goto bad;
	free(s.buf);
	return 0;
bad:
	free(s.buf);
	sm_s3_gau_free(g);
	return -1;
}

/* n bytes of in appended to *buf (capacity *cap, length *len). */
static int
take(FILE *in, unsigned char **buf, size_t *len, size_t *cap, size_t n)
{
	if (*len + n + 1 > *cap) {
		unsigned char *b;

		while (*len + n + 1 > *cap)
			*cap = *cap ? 2 * *cap : 65536;
		if ((b = realloc(*buf, *cap)) == NULL)
			return -1;
		*buf = b;
	}
	size_t got = fread(*buf + *len, 1, n, in);

	*len += got;
	return got == n ? 0 : -1;
}

int
sm_s3_gau_fread(struct sm_s3_gau *g, FILE *in, const char *path, char *err,
		size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, i;
	uint32_t magic, v, nf, count;
	int swap, sum = 0;

	memset(g, 0, sizeof(*g));
	/* The text header, a byte at a time up to its endhdr line. */
	do {
		if (take(in, &buf, &len, &cap, 1) != 0)
			goto short_read;
		if ((len == 3 && memcmp(buf, "s3\n", 3) != 0) || len > 65536)
			goto parse;	/* not s3: the parser says so */
	} while (len < 7 || memcmp(buf + len - 7, "endhdr\n", 7) != 0);
	buf[len] = 0;
	for (i = 0; i + 12 <= len; i++)
		if (memcmp(buf + i, "\nchksum0 yes", 12) == 0)
			sum = 1;
	if (take(in, &buf, &len, &cap, 4) != 0)
		goto short_read;
	memcpy(&magic, buf + len - 4, 4);
	swap = magic == 0x44332211u;
	/* Codebooks, streams, Gaussians; the stream lengths; the count. */
	if (take(in, &buf, &len, &cap, 12) != 0)
		goto short_read;
	memcpy(&nf, buf + len - 8, 4);
	nf = swap ? __builtin_bswap32(nf) : nf;
	if (nf < 1 || nf > SM_S3_MAX_FEAT)
		goto parse;	/* the parser names the problem */
	if (take(in, &buf, &len, &cap, 4 * (size_t)nf + 4) != 0)
		goto short_read;
	memcpy(&v, buf + len - 4, 4);
	count = swap ? __builtin_bswap32(v) : v;
	if (count > (1u << 28))
		goto parse;
	if (take(in, &buf, &len, &cap, 4 * (size_t)count + (sum ? 4 : 0)) != 0)
		goto short_read;
parse:
	buf[len] = 0;
	return sm_s3_gau_parse(g, path, buf, len, err, errlen);
short_read:
	free(buf);
	if (ferror(in))
		return sm_path_err(err, errlen, path, "read error: %s", strerror(errno));
	return sm_path_err(err, errlen, path, "truncated: the means file ends after %zu bytes",
			   len);
}

/* One 4-byte word of the data, added to the running checksum. */
static void
put_word(FILE *out, uint32_t v, uint32_t *sum)
{
	*sum = ((*sum << 20) | (*sum >> 12)) + v;
	fwrite(&v, 4, 1, out);
}

int
sm_s3_gau_write(const struct sm_s3_gau *g, FILE *out)
{
	uint32_t sum = 0, magic = 0x11223344u;
	size_t i, total = (size_t)g->n_mgau * g->n_density * g->dim;
	int f;

	fprintf(out, "s3\nversion 1.0\nchksum0 yes\nendhdr\n");
	fwrite(&magic, 4, 1, out);
	put_word(out, (uint32_t)g->n_mgau, &sum);
	put_word(out, (uint32_t)g->n_feat, &sum);
	put_word(out, (uint32_t)g->n_density, &sum);
	for (f = 0; f < g->n_feat; f++)
		put_word(out, (uint32_t)g->veclen[f], &sum);
	put_word(out, (uint32_t)total, &sum);
	for (i = 0; i < total; i++) {
		uint32_t u;

		memcpy(&u, &g->data[i], 4);
		sum = ((sum << 20) | (sum >> 12)) + u;
	}
	fwrite(g->data, sizeof(float), total, out);
	fwrite(&sum, 4, 1, out);
	return ferror(out) ? -1 : 0;
}

void
sm_s3_gau_free(struct sm_s3_gau *g)
{
	free(g->data);
	memset(g, 0, sizeof(*g));
}

int
sm_tmat_load(struct sm_tmat *t, const char *path, char *err, size_t errlen)
{
	struct s3 s;
	int32_t v[4] = {0, 0, 0, 0};
	float *raw = NULL;
	size_t total, r;
	int i, j;

	memset(t, 0, sizeof(*t));
	if (s3_open(&s, path, err, errlen) != 0)
		return -1;
	for (i = 0; i < 4; i++)
		if (s3_int(&s, &v[i], "matrix size", err, errlen) != 0)
			goto bad;
	if (v[0] < 1 || v[0] > 100000 || v[1] < 1 || v[1] > 100 ||
	    v[2] != v[1] + 1) {
		sm_path_err(err, errlen, path, "bad transition matrix sizes %d x %d x %d",
		     v[0], v[1], v[2]);
		goto bad;
	}
	total = (size_t)v[0] * v[1] * v[2];
	if ((size_t)(uint32_t)v[3] != total) {
		sm_path_err(err, errlen, path, "value count %d does not match %d x %d x %d",
		     v[3], v[0], v[1], v[2]);
		goto bad;
	}
	t->n_tmat = v[0];
	t->n_src = v[1];
	t->n_dst = v[2];
	raw = malloc(total * sizeof(float));
	t->logp = malloc(total * sizeof(float));
	if (raw == NULL || t->logp == NULL) {
		sm_path_err(err, errlen, path, "out of memory");
		goto bad;
	}
	if (s3_floats(&s, raw, total, err, errlen) != 0 ||
	    s3_at_end(&s, err, errlen) != 0)
		goto bad;
	for (r = 0; r < total / t->n_dst; r++) {
		double p[128], sum = 0;

		for (j = 0; j < t->n_dst; j++) {
			p[j] = raw[r * t->n_dst + j];
			if (p[j] < 0) {
				sm_path_err(err, errlen, path, "negative transition count in "
				     "matrix %zu", r / t->n_src);
				goto bad;
			}
			sum += p[j];
		}
		if (!(sum > 0)) {
			sm_path_err(err, errlen, path, "row %zu of matrix %zu is all zero",
			     r % t->n_src, r / t->n_src);
			goto bad;
		}
		for (j = 0; j < t->n_dst; j++)
			p[j] /= sum;
		for (j = 0, sum = 0; j < t->n_dst; j++) {
			if (p[j] > 0 && p[j] < SM_TMAT_FLOOR)
				p[j] = SM_TMAT_FLOOR;
			sum += p[j];
		}
		for (j = 0; j < t->n_dst; j++)
			t->logp[r * t->n_dst + j] =
				p[j] > 0 ? (float)log(p[j] / sum) : -INFINITY;
	}
	free(raw);
	free(s.buf);
	return 0;
bad:
	free(raw);
	free(s.buf);
	sm_tmat_free(t);
	return -1;
}

void
sm_tmat_free(struct sm_tmat *t)
{
	free(t->logp);
	memset(t, 0, sizeof(*t));
}

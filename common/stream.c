/* stream.c: the binary stream header of sm-stream(5), and its float frames. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sm.h"

uint16_t sm_get_le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
uint32_t
sm_get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}
uint64_t sm_get_le64(const unsigned char *p)
{
	return (uint64_t)sm_get_le32(p) | (uint64_t)sm_get_le32(p + 4) << 32;
}
void sm_put_le16(unsigned char *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
void
sm_put_le32(unsigned char *p, uint32_t v)
{
	p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}
void sm_put_le64(unsigned char *p, uint64_t v)
{
	sm_put_le32(p, (uint32_t)v);
	sm_put_le32(p + 4, (uint32_t)(v >> 32));
}

const char *
sm_kind_name(unsigned kind)
{
	switch (kind) {
	case SM_KIND_PCM: return "PCM";
	case SM_KIND_FEAT: return "FEAT";
	case SM_KIND_LOGLIK: return "LOGLIK";
	default: return NULL;
	}
}

size_t
sm_sample_size(unsigned t)
{
	switch (t) {
	case SM_S16: return 2;
	case SM_F32: return 4;
	default: return 0;
	}
}

size_t
sm_frame_bytes(const struct sm_stream_hdr *h)
{
	return (size_t)h->dim * sm_sample_size(h->sample_type);
}

void
sm_hdr_init(struct sm_stream_hdr *h, unsigned kind, unsigned sample_type,
	    uint32_t sample_rate, uint32_t dim, uint32_t frame_shift)
{
	memset(h, 0, sizeof *h);
	h->version = SM_STREAM_VERSION;
	h->kind = kind;
	h->sample_type = sample_type;
	h->hdr_len = SM_STREAM_HDR_LEN;
	h->sample_rate = sample_rate;
	h->dim = dim;
	h->frame_shift = frame_shift;
}

/* Byte layout, all little-endian:
 *  0 magic "SMST"  4 version u16  6 kind u16  8 sample_type u16
 * 10 hdr_len u16  12 sample_rate u32  16 dim u32  20 frame_shift u32
 * 24 flags u32  28 reserved u32 (0)  32 start_sample u64  40 n_frames u64 */
void
sm_hdr_encode(unsigned char *b, const struct sm_stream_hdr *h)
{
	memset(b, 0, SM_STREAM_HDR_LEN);
	memcpy(b, SM_STREAM_MAGIC, 4);
	sm_put_le16(b + 4, h->version);
	sm_put_le16(b + 6, h->kind);
	sm_put_le16(b + 8, h->sample_type);
	sm_put_le16(b + 10, SM_STREAM_HDR_LEN);
	sm_put_le32(b + 12, h->sample_rate);
	sm_put_le32(b + 16, h->dim);
	sm_put_le32(b + 20, h->frame_shift);
	sm_put_le32(b + 24, h->flags);
	sm_put_le64(b + 32, h->start_sample);
	sm_put_le64(b + 40, h->n_frames);
}

int
sm_hdr_write(FILE *f, const struct sm_stream_hdr *h)
{
	unsigned char b[SM_STREAM_HDR_LEN];

	sm_hdr_encode(b, h);
	if (fwrite(b, 1, sizeof b, f) != sizeof b)
		return -1;
	return 0;
}

/* Largest frame we accept: bounds allocation from a hostile header. */
#define SM_MAX_DIM (1u << 20)

int
sm_hdr_read(FILE *f, struct sm_stream_hdr *h, unsigned want_kind,
	    char *err, size_t errlen)
{
	unsigned char b[SM_STREAM_HDR_LEN];
	long n = sm_read_full(f, b, sizeof b);
	const char *kn, *wn;

	if (n < 0) {
		snprintf(err, errlen, "read error: %s", strerror(errno));
		return -1;
	}
	if (n == 0) {
		snprintf(err, errlen, "empty input, expected %s stream",
			 want_kind ? sm_kind_name(want_kind) : "an sm");
		return -1;
	}
	if (n < 4 || memcmp(b, SM_STREAM_MAGIC, 4) != 0) {
		snprintf(err, errlen, "not an sm stream (no SMST header)%s",
			 want_kind == SM_KIND_PCM ? "; audio files go through sm-decode first" : "");
		return -1;
	}
	if (n < (long)sizeof b) {
		snprintf(err, errlen, "truncated stream header (%ld of %d bytes)",
			 n, SM_STREAM_HDR_LEN);
		return -1;
	}
	h->version = sm_get_le16(b + 4);
	h->kind = sm_get_le16(b + 6);
	h->sample_type = sm_get_le16(b + 8);
	h->hdr_len = sm_get_le16(b + 10);
	h->sample_rate = sm_get_le32(b + 12);
	h->dim = sm_get_le32(b + 16);
	h->frame_shift = sm_get_le32(b + 20);
	h->flags = sm_get_le32(b + 24);
	h->start_sample = sm_get_le64(b + 32);
	h->n_frames = sm_get_le64(b + 40);
	if (h->version != SM_STREAM_VERSION) {
		snprintf(err, errlen, "unsupported stream version %u (this reads %d)",
			 h->version, SM_STREAM_VERSION);
		return -1;
	}
	kn = sm_kind_name(h->kind);
	if (kn == NULL) {
		snprintf(err, errlen, "unknown stream kind %u", h->kind);
		return -1;
	}
	if (want_kind && h->kind != want_kind) {
		wn = sm_kind_name(want_kind);
		snprintf(err, errlen, "expected %s stream, got %s", wn, kn);
		return -1;
	}
	if (sm_sample_size(h->sample_type) == 0) {
		snprintf(err, errlen, "bad sample type %u in %s header", h->sample_type, kn);
		return -1;
	}
	if (h->hdr_len < SM_STREAM_HDR_LEN) {
		snprintf(err, errlen, "bad header length %u", h->hdr_len);
		return -1;
	}
	if (h->dim == 0 || h->dim > SM_MAX_DIM || h->sample_rate == 0 ||
	    h->frame_shift == 0) {
		snprintf(err, errlen, "bad %s header (dim %u, rate %u, shift %u)",
			 kn, h->dim, h->sample_rate, h->frame_shift);
		return -1;
	}
	/* Skip an extension written by a later version. */
	for (unsigned extra = h->hdr_len - SM_STREAM_HDR_LEN; extra > 0; extra--) {
		if (getc(f) == EOF) {
			snprintf(err, errlen, "truncated stream header");
			return -1;
		}
	}
	return 0;
}

void
sm_hdr_read_or_die(FILE *f, const char *name, struct sm_stream_hdr *h,
		   unsigned want_kind)
{
	char err[256];

	if (sm_hdr_read(f, h, want_kind, err, sizeof err) != 0)
		sm_die(ferror(f) ? SM_EX_IOERR : SM_EX_DATAERR, "%s: %s",
		       sm_name(name), err);
}

int
sm_frame_read_or_die(FILE *f, const char *name, void *buf, size_t frame_bytes)
{
	long n = sm_read_full(f, buf, frame_bytes);

	if (n < 0)
		sm_die_errno(SM_EX_IOERR, "%s", sm_name(name));
	if (n == 0)
		return 0;
	if ((size_t)n < frame_bytes)
		sm_die(SM_EX_DATAERR, "%s: truncated frame (%ld of %zu bytes)",
		       sm_name(name), n, frame_bytes);
	return 1;
}

/* A float's bits from or to little-endian, in place (nothing to do on a
 * little-endian machine). */
static void
le_floats(float *v, size_t n)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	uint32_t u;

	for (size_t i = 0; i < n; i++) {
		memcpy(&u, &v[i], 4);
		u = __builtin_bswap32(u);
		memcpy(&v[i], &u, 4);
	}
#else
	(void)v;
	(void)n;
#endif
}

int
sm_floats_read(FILE *f, const char *name, float *v, size_t n)
{
	if (!sm_frame_read_or_die(f, name, v, n * sizeof *v))
		return 0;
	le_floats(v, n);
	return 1;
}

void
sm_floats_write(const float *v, size_t n)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	float buf[1024];

	while (n > 0) {
		size_t k = n < 1024 ? n : 1024;

		memcpy(buf, v, k * sizeof *v);
		le_floats(buf, k);
		sm_write_stdout(buf, k * sizeof *v);
		v += k;
		n -= k;
	}
#else
	sm_write_stdout(v, n * sizeof *v);
#endif
}

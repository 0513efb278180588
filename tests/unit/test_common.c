/* Unit tests of libsm: stream header round trip and rejection, JSON escaping,
 * language pack lookup. */
#include <stdlib.h>
#include <string.h>

#include "sm.h"

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)

static FILE *
mem(const void *buf, size_t n)
{
	FILE *f = tmpfile();	/* unit test only: the library never does this */

	fwrite(buf, 1, n, f);
	rewind(f);
	return f;
}

static void
test_roundtrip(void)
{
	struct sm_stream_hdr h, r;
	char err[256];
	char *buf;
	size_t n;
	FILE *f = open_memstream(&buf, &n);

	sm_hdr_init(&h, SM_KIND_FEAT, SM_F32, 16000, 39, 160);
	h.flags = SM_FLAG_CMN;
	h.start_sample = 123456789012ULL;
	h.n_frames = 278;
	CHECK(sm_hdr_write(f, &h) == 0);
	fclose(f);
	CHECK(n == SM_STREAM_HDR_LEN);
	CHECK(memcmp(buf, "SMST", 4) == 0);
	f = mem(buf, n);
	CHECK(sm_hdr_read(f, &r, SM_KIND_FEAT, err, sizeof err) == 0);
	CHECK(r.dim == 39 && r.frame_shift == 160 && r.sample_rate == 16000);
	CHECK(r.flags == SM_FLAG_CMN && r.start_sample == 123456789012ULL && r.n_frames == 278);
	fclose(f);

	f = mem(buf, n);
	CHECK(sm_hdr_read(f, &r, SM_KIND_PCM, err, sizeof err) == -1);
	CHECK(strcmp(err, "expected PCM stream, got FEAT") == 0);
	fclose(f);

	f = mem(buf, 20);
	CHECK(sm_hdr_read(f, &r, 0, err, sizeof err) == -1);
	CHECK(strstr(err, "truncated stream header") != NULL);
	fclose(f);

	f = mem("RIFF\0\0\0\0WAVEfmt ", 16);
	CHECK(sm_hdr_read(f, &r, SM_KIND_PCM, err, sizeof err) == -1);
	CHECK(strstr(err, "not an sm stream") != NULL);
	fclose(f);

	f = mem("", 0);
	CHECK(sm_hdr_read(f, &r, SM_KIND_LOGLIK, err, sizeof err) == -1);
	CHECK(strcmp(err, "empty input, expected LOGLIK stream") == 0);
	fclose(f);

	buf[6] = 9;	/* unknown kind */
	f = mem(buf, n);
	CHECK(sm_hdr_read(f, &r, 0, err, sizeof err) == -1);
	CHECK(strcmp(err, "unknown stream kind 9") == 0);
	fclose(f);
	buf[6] = SM_KIND_FEAT;
	sm_put_le32((unsigned char *)buf + 16, 0);	/* dim 0 */
	f = mem(buf, n);
	CHECK(sm_hdr_read(f, &r, 0, err, sizeof err) == -1);
	fclose(f);
	free(buf);
}

static void
test_json(void)
{
	char *buf;
	size_t n;
	FILE *f = open_memstream(&buf, &n);

	sm_json_str(f, "a\"b\\c\n\t\x01 caf\xc3\xa9 \xff!");
	fclose(f);
	CHECK(strcmp(buf, "\"a\\\"b\\\\c\\n\\t\\u0001 caf\xc3\xa9 \xef\xbf\xbd!\"") == 0);
	free(buf);
}

static void
test_pack(void)
{
	struct sm_pack p;
	char err[1024];

	if (getenv("SM_MODELS") == NULL)
		return;
	CHECK(sm_pack_load(&p, NULL, "en", err, sizeof err) == 0);
	CHECK(strcmp(p.language, "en") == 0 && strcmp(p.word_delimiter, " ") == 0);
	CHECK(p.sample_rate == 16000 && strstr(p.hmm, "en-us") != NULL);
	CHECK(sm_pack_load(&p, NULL, "xx", err, sizeof err) == -1);
	CHECK(strstr(err, "no language pack for 'xx'") && strstr(err, "installed: en"));
	CHECK(sm_pack_load(&p, NULL, "../en", err, sizeof err) == -1);
}

/* Number of UTF-8 characters of s. */
static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += (*s & 0xC0) != 0x80;
	return n;
}

static void
test_clip(void)
{
	char big[5000], utf[301];
	const char *a, *b;

	CHECK(strcmp(sm_clip("short"), "short") == 0);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	big[SM_CLIP_MAX] = '\0';
	CHECK(strcmp(sm_clip(big), big) == 0);	/* exactly 60: kept whole */
	big[SM_CLIP_MAX] = 'x';
	a = sm_clip(big);
	CHECK(strlen(a) == SM_CLIP_MAX && strcmp(a + SM_CLIP_MAX - 3, "...") == 0);
	CHECK(strncmp(a, big, SM_CLIP_MAX - 3) == 0);
	/* control characters never break the line */
	CHECK(strcmp(sm_clip("a\nb\rc\x7f"), "a?b?c?") == 0);
	/* 100 two-byte characters: cut at a character, counted as characters */
	for (int i = 0; i < 100; i++)
		memcpy(utf + 2 * i, "\xc3\xa9", 2);
	utf[200] = '\0';
	b = sm_clip(utf);
	CHECK(chars(b) == SM_CLIP_MAX && strcmp(b + 2 * (SM_CLIP_MAX - 3), "...") == 0);
	/* continuation bytes alone still count: the buffer stays bounded */
	memset(utf, 0x80, 300);
	utf[300] = '\0';
	CHECK(strlen(sm_clip(utf)) <= 4 * SM_CLIP_MAX);
	/* earlier results survive a few later calls */
	CHECK(strlen(a) == SM_CLIP_MAX);
}

int
main(void)
{
	test_clip();
	test_roundtrip();
	test_json();
	test_pack();
	if (failures)
		fprintf(stderr, "%d failures\n", failures);
	return failures != 0;
}

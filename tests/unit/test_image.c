/* Unit tests of image.c: an image written and opened back, and each refusal
 * of sm_image_open with its message; the fingerprint of a pack refuses a
 * missing model file; a failed write leaves no file behind. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "sm.h"

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)

/* A kind's header: the prefix and a field of its own. */
struct hdr {
	struct sm_image_hdr im;
	uint64_t own;
};

static const struct sm_image_kind_desc kind = { SM_IMAGE_AM, 7, sizeof(struct hdr) };

static char dir[64], path[128];
static uint64_t fp[SM_IMAGE_FP] = { 1, 2, 3, 4 };
static uint64_t body[100];

static void
write_one(void)
{
	struct hdr h;
	char err[256];

	memset(&h, 0, sizeof h);
	h.im.kind = kind.kind;
	h.im.version = kind.version;
	memcpy(h.im.fp, fp, sizeof fp);
	h.own = 42;
	CHECK(sm_image_write(path, &h.im, sizeof h, body, sizeof body, err, sizeof err) == 0);
}

/* Open path as kind; its message, "" when it opens. */
static const char *
open_msg(const struct sm_image_kind_desc *k, const uint64_t *f)
{
	static char err[512];
	struct sm_image im;

	if (sm_image_open(&im, path, k, f, 0, err, sizeof err) != 0)
		return err + strlen(path) + 2;
	sm_image_close(&im);
	return "";
}

static void
poke(long at, unsigned char v)
{
	FILE *f = fopen(path, "r+b");

	fseek(f, at, SEEK_SET);
	fputc(v, f);
	fclose(f);
}

static void
test_roundtrip(void)
{
	struct sm_image im;
	char err[512];
	size_t off = sm_image_body_off(sizeof(struct hdr));
	int i;

	for (i = 0; i < 100; i++)
		body[i] = (uint64_t)i * 0x9e3779b97f4a7c15u;
	write_one();
	CHECK(sm_image_open(&im, path, &kind, fp, 1, err, sizeof err) == 0);
	CHECK(im.size == off + sizeof body);
	CHECK(((const struct hdr *)im.map)->own == 42);
	CHECK(memcmp(im.map + off, body, sizeof body) == 0);
	CHECK(sm_image_check_sum(&im, path, err, sizeof err) == 0);
	sm_image_close(&im);
	CHECK(open_msg(&kind, fp)[0] == '\0');
}

static void
test_refusals(void)
{
	struct sm_image_kind_desc other = kind, newer = kind;
	uint64_t fp2[SM_IMAGE_FP] = { 1, 2, 3, 5 };
	size_t off = sm_image_body_off(sizeof(struct hdr));
	struct sm_image im;
	char want[256], err[512];

	other.kind = SM_IMAGE_SEARCH;
	newer.version = 8;
	write_one();
	CHECK(strcmp(open_msg(&other, fp), "not a search image") == 0);
	CHECK(strcmp(open_msg(&newer, fp), "acoustic image of version 7, this program "
			      "reads version 8") == 0);
	CHECK(strcmp(open_msg(&kind, fp2), "stale: the model files have changed") == 0);
	/* a byte of the kind's own header field */
	poke(offsetof(struct hdr, own), 43);
	CHECK(strcmp(open_msg(&kind, fp), "damaged header (checksum mismatch)") == 0);
	write_one();
	/* a byte of the body: only the full check finds it */
	poke((long)off + 5, 0xff);
	CHECK(open_msg(&kind, fp)[0] == '\0');
	CHECK(sm_image_open(&im, path, &kind, fp, 0, err, sizeof err) == 0);
	CHECK(sm_image_check_sum(&im, path, err, sizeof err) == -1);
	snprintf(want, sizeof want, "%s: corrupt acoustic image: checksum mismatch", path);
	CHECK(strcmp(err, want) == 0);
	sm_image_close(&im);
	write_one();
	CHECK(truncate(path, (off_t)off + 16) == 0);
	snprintf(want, sizeof want, "truncated: %zu of the %zu bytes its header announces",
		 off + 16, off + sizeof body);
	CHECK(strcmp(open_msg(&kind, fp), want) == 0);
	CHECK(truncate(path, 10) == 0);
	snprintf(want, sizeof want, "truncated: 10 bytes, less than a header (%zu)", off);
	CHECK(strcmp(open_msg(&kind, fp), want) == 0);
	poke(0, 'X');
	CHECK(strcmp(open_msg(&kind, fp), "not an acoustic image") == 0);
	unlink(path);
	CHECK(strcmp(open_msg(&kind, fp), "No such file or directory") == 0);
}

/* A write that fails leaves neither the image nor a temporary file. */
static void
test_failed_write(void)
{
	struct hdr h;
	char err[256], bad[160];
	DIR *d;
	struct dirent *e;
	int n = 0;

	memset(&h, 0, sizeof h);
	snprintf(bad, sizeof bad, "%s/nodir/x.img", dir);
	CHECK(sm_image_write(bad, &h.im, sizeof h, body, sizeof body, err, sizeof err) == -1);
	CHECK(strstr(err, "nodir/x.img: No such file or directory") != NULL);
	/* rename onto a directory fails after the temporary file is written */
	snprintf(bad, sizeof bad, "%s/sub", dir);
	CHECK(mkdir(bad, 0700) == 0);
	CHECK(sm_image_write(bad, &h.im, sizeof h, body, sizeof body, err, sizeof err) == -1);
	d = opendir(dir);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	CHECK(n == 1);		/* sub */
	rmdir(bad);
}

static void
test_fingerprint(void)
{
	struct sm_pack p;
	uint64_t f[SM_IMAGE_FP];
	char err[512], want[256];
	const char *names[] = { "mdef", "means", "variances", "sendump" };
	FILE *o;
	int i;

	memset(&p, 0, sizeof p);
	snprintf(p.hmm, sizeof p.hmm, "%s", dir);
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		o = fopen(path, "w");
		fprintf(o, "%*s", i + 1, "");
		fclose(o);
	}
	CHECK(sm_image_fingerprint(&p, SM_IMAGE_AM, f, err, sizeof err) == 0);
	CHECK(f[0] == 1 && f[2] == 2 && f[4] == 3 && f[6] == 4 && f[8] == 0);
	CHECK(f[1] != 0 && f[7] != 0);
	unlink(path);
	CHECK(sm_image_fingerprint(&p, SM_IMAGE_AM, f, err, sizeof err) == -1);
	snprintf(want, sizeof want, "%s/sendump: No such file or directory", dir);
	CHECK(strcmp(err, want) == 0);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
}

int
main(void)
{
	snprintf(dir, sizeof dir, "%s/sm-image-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return perror(dir), 1;
	snprintf(path, sizeof path, "%s/x.img", dir);
	test_roundtrip();
	test_refusals();
	test_failed_write();
	test_fingerprint();
	rmdir(dir);
	if (failures)
		fprintf(stderr, "%d failures\n", failures);
	return failures != 0;
}

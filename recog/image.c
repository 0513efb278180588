/* image.c: header, checksums, fingerprint, writing and mapping of a
 * language pack's images (image.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "s3.h"
#include "sm.h"

#define BOM 0x01020304u
#define MAX_HDR 4096

/* Each kind of image: its name in messages, the program that builds it
 * and the model files it is built from, in the pack's hmm directory
 * ("dict" and "lm": the pack's own). */
static const struct {
	const char *article, *name;	/* in messages */
	const char *builder;	/* the program that builds it */
	const char *files[SM_IMAGE_FILES];
} kinds[] = {
	[SM_IMAGE_AM] = { "an", "acoustic image", "sm-am",
			  { "mdef", "means", "variances", "sendump" } },
	[SM_IMAGE_SEARCH] = { "a", "search image", "sm-lattice",
			      { "mdef", "transition_matrices", "noisedict", "dict", "lm" } },
	[SM_IMAGE_ADAPT] = { "an", "adaptation image", "sm-adapt",
			     { "mdef", "means", "variances" } },
};

static const char *
image_path(const struct sm_pack *pack, unsigned kind)
{
	return kind == SM_IMAGE_AM ? pack->am_image :
	       kind == SM_IMAGE_ADAPT ? pack->adapt_image : pack->image;
}

size_t
sm_image_align(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

size_t
sm_image_body_off(size_t hdr_size)
{
	return sm_image_align(hdr_size);
}

__attribute__((target_clones("avx2", "default")))
uint64_t
sm_image_sum(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t s1[4] = {0}, s2[4] = {0}, w[4], r = 0;
	size_t i;
	int l;

	for (i = 0; i + 32 <= n; i += 32) {
		memcpy(w, b + i, 32);
		for (l = 0; l < 4; l++) {
			s1[l] += w[l];
			s2[l] += s1[l];
		}
	}
	for (; i + 8 <= n; i += 8) {
		memcpy(w, b + i, 8);
		s1[0] += w[0];
		s2[0] += s1[0];
	}
	for (l = 0; l < 4; l++)
		r = (r ^ s1[l] ^ (s2[l] * 0x9e3779b97f4a7c15u)) * 0xff51afd7ed558ccdu;
	return r;
}

/* The header's checksum: of its bytes and padding, hsum taken as 0. */
static uint64_t
hdr_sum(const void *h, size_t hdr_size)
{
	unsigned char b[MAX_HDR + 64];
	size_t n = sm_image_body_off(hdr_size);

	memset(b, 0, n);
	memcpy(b, h, hdr_size);
	memset(b + offsetof(struct sm_image_hdr, hsum), 0, sizeof(uint64_t));
	return sm_image_sum(b, n);
}

int
sm_image_fingerprint(const struct sm_pack *pack, unsigned kind,
		     uint64_t fp[SM_IMAGE_FP], char *err, size_t errlen)
{
	char path[8200];
	struct stat st;
	int i;

	memset(fp, 0, sizeof(*fp) * SM_IMAGE_FP);
	for (i = 0; i < SM_IMAGE_FILES && kinds[kind].files[i]; i++) {
		const char *f = kinds[kind].files[i];

		if (strcmp(f, "dict") == 0)
			snprintf(path, sizeof(path), "%s", pack->dict);
		else if (strcmp(f, "lm") == 0)
			snprintf(path, sizeof(path), "%s", pack->lm);
		else
			snprintf(path, sizeof(path), "%s/%s", pack->hmm, f);
		if (stat(path, &st) != 0)
			return sm_path_err(err, errlen, path, "%s", strerror(errno));
		fp[2 * i] = (uint64_t)st.st_size;
		fp[2 * i + 1] = (uint64_t)st.st_mtim.tv_sec * 1000000000u +
				(uint64_t)st.st_mtim.tv_nsec;
	}
	return 0;
}

static int
write_all(int fd, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n > 0) {
		ssize_t k = write(fd, b, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

int
sm_image_write(const char *path, struct sm_image_hdr *h, size_t hdr_size,
	       const void *body, size_t body_size, char *err, size_t errlen)
{
	static const unsigned char zero[64];
	char tmp[4200], dir[4200], *slash;
	size_t off = sm_image_body_off(hdr_size);
	int fd, dfd;

	if (hdr_size > MAX_HDR)
		return sm_path_err(err, errlen, path, "header of %zu bytes, more than %d",
				   hdr_size, MAX_HDR);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >=
	    sizeof(tmp))
		return sm_path_err(err, errlen, path, "path too long");
	memcpy(h->magic, SM_IMAGE_MAGIC, sizeof(SM_IMAGE_MAGIC));
	h->bom = BOM;
	h->hdr_size = (uint32_t)hdr_size;
	h->body_size = body_size;
	h->sum = sm_image_sum(body, body_size);
	h->hsum = hdr_sum(h, hdr_size);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return sm_path_err(err, errlen, path, "%s", strerror(errno));
	if (write_all(fd, h, hdr_size) != 0 || write_all(fd, zero, off - hdr_size) != 0 ||
	    write_all(fd, body, body_size) != 0 || fsync(fd) != 0) {
		sm_path_err(err, errlen, tmp, "%s", strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		sm_path_err(err, errlen, path, "%s", strerror(errno));
		unlink(tmp);
		return -1;
	}
	/* The rename itself made durable. */
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		slash[slash == dir] = '\0';
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

int
sm_image_open(struct sm_image *im, const char *path,
	      const struct sm_image_kind_desc *k, const uint64_t fp[SM_IMAGE_FP],
	      int populate, char *err, size_t errlen)
{
	const char *name = kinds[k->kind].name;
	struct sm_image_hdr h;
	struct stat st;
	size_t off = sm_image_body_off(k->hdr_size);
	ssize_t got;
	void *map;
	int fd;

	memset(im, 0, sizeof(*im));
	if (k->hdr_size > MAX_HDR)
		return sm_path_err(err, errlen, path, "header of %u bytes, more than %d",
				   k->hdr_size, MAX_HDR);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sm_path_err(err, errlen, path, "%s", strerror(errno));
	if (fstat(fd, &st) != 0) {
		sm_path_err(err, errlen, path, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return sm_path_err(err, errlen, path, "not a regular file");
	}
	memset(&h, 0, sizeof(h));
	got = pread(fd, &h, sizeof(h), 0);
	if (got < 0) {
		sm_path_err(err, errlen, path, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	/* What the file is first, then whether all of it is there. */
	if ((got >= 8 && memcmp(h.magic, SM_IMAGE_MAGIC, sizeof(SM_IMAGE_MAGIC)) != 0) ||
	    (got >= 12 && h.kind != k->kind)) {
		close(fd);
		return sm_path_err(err, errlen, path, "not %s %s",
				   kinds[k->kind].article, name);
	}
	if ((uint64_t)st.st_size < off) {
		close(fd);
		return sm_path_err(err, errlen, path, "truncated: %lld bytes, less than a "
				   "header (%zu)", (long long)st.st_size, off);
	}
	if (h.version != k->version || h.hdr_size != k->hdr_size || h.bom != BOM) {
		close(fd);
		if (h.bom != BOM)
			return sm_path_err(err, errlen, path, "%s of a machine of the other "
					   "byte order", name);
		return sm_path_err(err, errlen, path, "%s of version %u, this program reads "
				   "version %u", name, h.version, k->version);
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ,
		   MAP_PRIVATE | (populate ? MAP_POPULATE : 0), fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return sm_path_err(err, errlen, path, "%s", strerror(errno));
	/* Without populate only the pages read should count in the resident
	 * set: page-sized mappings, not whole 2 MB folios of the page cache. */
	if (!populate)
		(void)madvise(map, (size_t)st.st_size, MADV_NOHUGEPAGE);
	im->map = map;
	im->size = (size_t)st.st_size;
	im->hdr = map;
	if (hdr_sum(map, k->hdr_size) != im->hdr->hsum) {
		sm_path_err(err, errlen, path, "damaged header (checksum mismatch)");
		goto bad;
	}
	if (memcmp(im->hdr->fp, fp, sizeof(h.fp)) != 0) {
		sm_path_err(err, errlen, path, "stale: the model files have changed");
		goto bad;
	}
	/* A copy cut short, or something appended: the size is the one
	 * check of the body that costs nothing. */
	if (im->hdr->body_size != (uint64_t)st.st_size - off) {
		uint64_t want = off + im->hdr->body_size;

		sm_path_err(err, errlen, path, want > (uint64_t)st.st_size ?
			    "truncated: %lld of the %llu bytes its header announces" :
			    "damaged: %lld bytes, its header announces %llu",
			    (long long)st.st_size, (unsigned long long)want);
		goto bad;
	}
	return 0;
bad:
	sm_image_close(im);
	return -1;
}

int
sm_image_check_sum(const struct sm_image *im, const char *path, char *err,
		   size_t errlen)
{
	size_t off = sm_image_body_off(im->hdr->hdr_size);

	if (sm_image_sum(im->map + off, im->size - off) == im->hdr->sum)
		return 0;
	return sm_path_err(err, errlen, path, "corrupt %s: checksum mismatch",
			   kinds[im->hdr->kind].name);
}

void
sm_image_close(struct sm_image *im)
{
	if (im->map != NULL)
		munmap((void *)im->map, im->size);
	memset(im, 0, sizeof(*im));
}

void
sm_image_refuse(const struct sm_pack *pack, unsigned kind, const char *err,
		const char *alt)
{
	sm_die(SM_EX_CONFIG, "%s (rebuild it: %s -m %s --build-image %s; %s)", err,
	       kinds[kind].builder, pack->dir, image_path(pack, kind), alt);
}

void
sm_image_check_pack(const struct sm_pack *pack, unsigned kind,
		    sm_image_check_fn *check, void *arg, const char *alt)
{
	const char *path = image_path(pack, kind);
	uint64_t fp[SM_IMAGE_FP];
	char err[8400];

	if (path[0] == '\0')
		sm_die(SM_EX_CONFIG, "%s: the pack names no %s", pack->dir, kinds[kind].name);
	if (sm_image_fingerprint(pack, kind, fp, err, sizeof err) != 0)
		sm_die(SM_EX_CONFIG, "%s", err);
	if (check(arg, path, fp, err, sizeof err) != 0)
		sm_image_refuse(pack, kind, err, alt);
	sm_info("%s: sound", path);
}

void
sm_image_options_alone(const char *build, int check, const char *input)
{
	if (build && check)
		sm_die(SM_EX_USAGE, "--build-image and --check-image: one at a time");
	if ((build || check) && input)
		sm_die(SM_EX_USAGE, "%s reads no input, not %s",
		       build ? "--build-image" : "--check-image", sm_clip(input));
}

/*
 * image.h: the memory-mapped images of a language pack, tables computed
 * once from its model files so that a program maps them at start-up
 * instead of reading and converting those files: sm-am's acoustic image
 * (am.h), sm-lattice's search image (search.h) and sm-adapt's adaptation
 * image (cmd/sm-adapt/image.c).
 *
 * Every image starts with the same header prefix (struct sm_image_hdr),
 * followed by the fields of its kind, then padding to a 64-byte boundary,
 * then its body.  The prefix carries the kind and its version, the
 * fingerprint of the model files the image was built from (size and
 * modification time of each), the body's size and two checksums: one of
 * the header, verified at every open, and one of the body, verified only
 * by the full check (--check-image), as reading the whole body would cost
 * each start more than the rest of it.  What an image kind checks of its
 * body at every start is up to its module.
 */
#ifndef SM_IMAGE_H
#define SM_IMAGE_H

#include <stddef.h>
#include <stdint.h>

struct sm_pack;

#define SM_IMAGE_MAGIC "SMIMAGE"
#define SM_IMAGE_FILES 5		/* model files fingerprinted, at most */
#define SM_IMAGE_FP (2 * SM_IMAGE_FILES)

enum sm_image_kind {
	SM_IMAGE_AM = 1,	/* sm-am's tables (am.h), pack.conf am_image */
	SM_IMAGE_SEARCH = 2,	/* sm-lattice's tree (search.h), pack.conf image */
	SM_IMAGE_ADAPT = 3	/* sm-adapt's Gaussians and MLLR prior sums,
				 * pack.conf adapt_image */
};

struct sm_image_hdr {
	char magic[8];		/* SM_IMAGE_MAGIC */
	uint32_t kind;		/* enum sm_image_kind */
	uint32_t version;	/* of that kind's layout */
	uint32_t bom;		/* 0x01020304 in the writer's byte order */
	uint32_t hdr_size;	/* this prefix and the kind's fields */
	uint64_t fp[SM_IMAGE_FP];	/* sm_image_fingerprint */
	uint64_t body_size;	/* bytes from sm_image_body_off(hdr_size) on */
	uint64_t sum;		/* sm_image_sum of the body */
	uint64_t hsum;		/* sm_image_sum of the header and its padding,
				 * this field 0 */
};

/* What a module says of its kind of image. */
struct sm_image_kind_desc {
	uint32_t kind, version;
	uint32_t hdr_size;	/* sizeof its header, prefix first, <= 4096 */
};

/* A mapped image: the whole file, read-only. */
struct sm_image {
	const unsigned char *map;
	size_t size;
	const struct sm_image_hdr *hdr;	/* = map */
};

/* n rounded up to a 64-byte boundary, where an image's body and each of
 * its tables start. */
size_t sm_image_align(size_t n);

/* Where the body starts after a header of hdr_size bytes. */
size_t sm_image_body_off(size_t hdr_size);

/* The checksum of both header and body: 64-bit Fletcher-style sums in 4
 * lanes (they vectorise), every bit and the order of the words counting.
 * n a multiple of 8. */
uint64_t sm_image_sum(const void *p, size_t n);

/* The fingerprint of the model files an image of kind is built from (the
 * table in image.c): size and modification time of each.  0, or -1 with
 * "FILE: problem" in err when one cannot be examined (a missing model file
 * is an error, never a zero in the fingerprint). */
int sm_image_fingerprint(const struct sm_pack *pack, unsigned kind,
			 uint64_t fp[SM_IMAGE_FP], char *err, size_t errlen);

/* Write an image to path: h (the caller's header, hdr_size bytes, its
 * kind, version, fingerprint and own fields filled in; the rest of the
 * prefix is filled here), zeros to the body's offset, then the body.
 * Written to a temporary file in the same directory, flushed to disk and
 * renamed over path, so that a reader never maps half an image and a
 * failure leaves none.  0, or -1 with "PATH: problem" in err. */
int sm_image_write(const char *path, struct sm_image_hdr *h, size_t hdr_size,
		   const void *body, size_t body_size, char *err, size_t errlen);

/* Map path and run the checks of every start: a regular file of the kind
 * and version of k, its header intact (checksum), built from model files
 * with the fingerprint fp (else "stale") and of the size its header
 * announces (else "truncated" or "damaged", with the sizes).  0, or -1
 * with "PATH: problem" in err and nothing mapped.  populate: map all of
 * it at once (else page by page as it is read, in small pages). */
int sm_image_open(struct sm_image *im, const char *path,
		  const struct sm_image_kind_desc *k, const uint64_t fp[SM_IMAGE_FP],
		  int populate, char *err, size_t errlen);

/* The first step of the full check: the checksum of the body.  0 if it
 * matches, -1 with "PATH: corrupt NAME: checksum mismatch" in err if not
 * (path: the image's, for the message). */
int sm_image_check_sum(const struct sm_image *im, const char *path, char *err,
		       size_t errlen);

void sm_image_close(struct sm_image *im);

/* The pack's image of kind cannot be used: exit 78 with one line, err
 * ("PATH: problem"), then how to rebuild it and how to do without
 * (alt, e.g. "--no-image reads the model files").  Never a silent
 * fallback to the slow path, which every run would pay unnoticed. */
void sm_image_refuse(const struct sm_pack *pack, unsigned kind, const char *err,
		     const char *alt) __attribute__((noreturn));

/* A module's full check of its image at path, mapped with the checks of
 * every start against the fingerprint fp, then checked whole, then closed:
 * 0, or -1 with "PATH: problem" in err.  It may die itself over what is
 * not the image (sm-lattice's language model). */
typedef int sm_image_check_fn(void *arg, const char *path,
			      const uint64_t fp[SM_IMAGE_FP], char *err, size_t errlen);

/* --build-image FILE (build non-NULL) and --check-image (check) are given
 * alone: with each other, or with an input (NULL for none), exit 64. */
void sm_image_options_alone(const char *build, int check, const char *input);

/* --check-image: the pack's image of kind, checked by check (with arg), and
 * "PATH: sound" on stderr.  A pack that names no image, or model files
 * that cannot be fingerprinted, exit 78; an image that fails, 78 as
 * sm_image_refuse says (alt: how to do without it). */
void sm_image_check_pack(const struct sm_pack *pack, unsigned kind,
			 sm_image_check_fn *check, void *arg, const char *alt);

#endif

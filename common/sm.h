/*
 * sm.h: the one header of libsm, the library every sm-* program links.
 *
 * Errors and exit codes, option helpers, the binary stream header shared by
 * the numeric stages (see sm-stream(5)), a JSON string writer and language
 * pack lookup.  Library functions return an error; only programs exit.
 */
#ifndef SM_H
#define SM_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifndef SM_VERSION
#define SM_VERSION "0.0.0"
#endif

/* Before a function whose loops GCC should vectorise: its -O3 for that
 * function alone (the build is -O2).  Nothing under clang (the fuzz
 * build), which has no such attribute. */
#if defined(__GNUC__) && !defined(__clang__)
#define SM_VECTORIZE __attribute__((optimize("O3")))
#else
#define SM_VECTORIZE
#endif

/* Exit codes (sysexits(3)). */
enum {
	SM_EX_OK = 0,
	SM_EX_USAGE = 64,
	SM_EX_DATAERR = 65,
	SM_EX_NOINPUT = 66,
	SM_EX_UNAVAILABLE = 69,
	SM_EX_SOFTWARE = 70,
	SM_EX_IOERR = 74,
	SM_EX_CONFIG = 78
};

/* ---- diagnostics ------------------------------------------------------ */

/* Set the program name used as the prefix of every diagnostic.  Also makes
 * a write to a closed pipe an EPIPE error instead of a silent death. */
void sm_init(const char *progname);
const char *sm_progname(void);

/* "prog: message\n" on stderr. */
void sm_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: message: strerror(errno)\n" on stderr. */
void sm_warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* sm_warn, then exit(code). */
void sm_die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
/* sm_warn_errno, then exit(code). */
void sm_die_errno(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* Verbosity for sm_info(): 0 quiet (default), 1 -v. */
extern int sm_verbose;
void sm_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- options ---------------------------------------------------------- */

/* Print "prog VERSION" on stdout and exit 0. */
void sm_version_exit(void) __attribute__((noreturn));
/* Print usage text (to stdout and exit 0 when ok, else to stderr and exit 64). */
void sm_usage_exit(const char *text, int ok) __attribute__((noreturn));
/* A stage that reads a best path and a stream of the same audio from the
 * file of option opt (sm-diarize's --features, FEAT; sm-adapt's too;
 * sm-volume's --audio, PCM): the best path's file operand, NULL for
 * standard input; the usage and exit 64 when there is more than one
 * operand, path is NULL (the option is missing), or both would be standard
 * input. */
const char *sm_hyp_operand(const char *opt, const char *path, const char *stream, int argc,
			   char **argv, int optind, const char *usage);
/* FNV-1a of n bytes: the hash of the programs' word tables. */
uint32_t sm_hash_bytes(const char *s, size_t n);
/* Parse a number option or die with exit 64 naming the option. */
long sm_opt_long(const char *opt, const char *arg, long min, long max);
double sm_opt_double(const char *opt, const char *arg, double min, double max);

/* A value quoted back in a message, cut to SM_CLIP_MAX characters (the
 * last three "...") and with control characters shown as '?', so that a
 * huge or multi-line value never makes the message more than one short
 * line.  Valid until four more calls. */
#define SM_CLIP_MAX 60
const char *sm_clip(const char *s);

/* A display name for a path: "<stdin>" for NULL or "-". */
const char *sm_name(const char *path);

/* Open a path for reading, "-" or NULL meaning stdin; die 66 on failure. */
FILE *sm_open_in(const char *path);

/* Flush and check stdout; on any error die with 74 ("prog: <stdout>: ...").
 * Call before a successful exit of every program that writes stdout. */
void sm_close_stdout(void);
/* Write n bytes to stdout or die 74. */
void sm_write_stdout(const void *buf, size_t n);

/* Read exactly n bytes.  Returns n, 0 at clean EOF before any byte, or
 * a short positive count at a truncated read; -1 on a read error. */
long sm_read_full(FILE *f, void *buf, size_t n);

/* Large zeroed buffers (in transparent huge pages from 128 KiB up): free
 * with sm_big_free; sm_big_realloc keeps the contents (bytes past the old
 * size are zero).  NULL when out of memory. */
void *sm_big_alloc(size_t n);
void *sm_big_realloc(void *p, size_t n);
void sm_big_free(void *p);

/* calloc (of at least one byte) and strdup that die 70 out of memory. */
void *sm_xcalloc(size_t n, size_t size);
char *sm_xstrdup(const char *s);

/* ---- files ------------------------------------------------------------ */

/* Read a whole regular file into a malloc'd buffer (one extra NUL byte
 * after the end).  0, or -1 with "PATH: problem" in err. */
int sm_read_file(const char *path, unsigned char **buf, size_t *len,
		 char *err, size_t errlen);

/* Map a whole regular file read-only instead (NULL for an empty one),
 * its pages the page cache's, never copied.  SM_MAP_POPULATE maps them
 * all at once, which for a file of megabytes read whole at every start
 * costs less than faulting them in one by one; without it only the pages
 * touched are, for a file of which a run reads a few lines.  0, or -1
 * with "PATH: problem" in err and errno saying why (EINVAL: not a regular
 * file).  sm_unmap_file(buf, len) when done. */
#define SM_MAP_POPULATE 1
int sm_map_file(const char *path, int flags, const unsigned char **buf, size_t *len,
		char *err, size_t errlen);
void sm_unmap_file(const unsigned char *buf, size_t len);

/* The whole of path ("-" standard input; a FIFO or a pipe works), read to
 * its end, with a NUL after it: malloc'd, its length in *len.  Dies with
 * "PATH: problem" when it cannot be read (66 or 74) or is longer than max
 * bytes (65, what: what it holds, for the message). */
char *sm_read_all(const char *path, size_t max, const char *what, size_t *len);

/* Put "PATH: message" (printf-style) in err, truncated to errlen; returns -1
 * so that a loader can `return sm_path_err(...)`. */
int sm_path_err(char *err, size_t errlen, const char *path, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));

/* ---- binary streams (sm-stream(5)) ------------------------------------ */

#define SM_STREAM_MAGIC "SMST"
#define SM_STREAM_VERSION 1
#define SM_STREAM_HDR_LEN 48

enum sm_kind {
	SM_KIND_PCM = 1,	/* audio samples, dim = channels */
	SM_KIND_FEAT = 2,	/* acoustic feature vectors */
	SM_KIND_LOGLIK = 3	/* per-state log-likelihoods */
};

enum sm_sample_type {
	SM_S16 = 1,		/* int16, little-endian */
	SM_F32 = 2		/* IEEE float32, little-endian */
};

/* Flags. */
#define SM_FLAG_MAX_SUBTRACTED 0x1u	/* LOGLIK: frame maximum subtracted */
#define SM_FLAG_CMN 0x2u		/* FEAT: cepstral mean normalised */
#define SM_FLAG_NARROWBAND 0x4u	/* PCM: from audio sampled at 8 kHz or less */

struct sm_stream_hdr {
	uint16_t version;
	uint16_t kind;		/* enum sm_kind */
	uint16_t sample_type;	/* enum sm_sample_type */
	uint16_t hdr_len;	/* bytes, >= 48; readers skip the rest */
	uint32_t sample_rate;	/* Hz of the audio the stream derives from */
	uint32_t dim;		/* values per frame */
	uint32_t frame_shift;	/* audio samples per frame (1 for PCM) */
	uint32_t flags;
	uint64_t start_sample;	/* position of frame 0 in the source audio */
	uint64_t n_frames;	/* number of frames, 0 when not known */
};

const char *sm_kind_name(unsigned kind);
size_t sm_sample_size(unsigned sample_type);
/* Bytes per frame. */
size_t sm_frame_bytes(const struct sm_stream_hdr *h);

/* Fill a header with defaults for a kind. */
void sm_hdr_init(struct sm_stream_hdr *h, unsigned kind, unsigned sample_type,
		 uint32_t sample_rate, uint32_t dim, uint32_t frame_shift);

/* The header's SM_STREAM_HDR_LEN bytes as they go on the wire. */
void sm_hdr_encode(unsigned char *b, const struct sm_stream_hdr *h);
/* Write the header to f.  0 on success, -1 on a write error (errno set). */
int sm_hdr_write(FILE *f, const struct sm_stream_hdr *h);

/* Read and check a header.  Returns 0, or -1 with a message in err
 * (e.g. "expected PCM stream, got FEAT").  want_kind 0 accepts any kind. */
int sm_hdr_read(FILE *f, struct sm_stream_hdr *h, unsigned want_kind,
		char *err, size_t errlen);

/* Read a header for a program: on failure die 65 with
 * "prog: NAME: message" (or 74 on a read error). */
void sm_hdr_read_or_die(FILE *f, const char *name, struct sm_stream_hdr *h,
			unsigned want_kind);

/* Read one frame of frame_bytes.  1 = a frame, 0 = clean end of stream.
 * A truncated frame or read error dies (65 / 74) naming the input. */
int sm_frame_read_or_die(FILE *f, const char *name, void *buf,
			 size_t frame_bytes);

/* The float32 frames of FEAT and LOGLIK streams, little-endian on the wire
 * and in this machine's order in memory.  sm_floats_read reads one frame
 * of n values: 1 = a frame, 0 = clean end, and dies as sm_frame_read_or_die
 * does.  sm_floats_write writes n values to stdout (74 on failure). */
int sm_floats_read(FILE *f, const char *name, float *v, size_t n);
void sm_floats_write(const float *v, size_t n);

/* Little-endian helpers. */
uint16_t sm_get_le16(const unsigned char *p);
uint32_t sm_get_le32(const unsigned char *p);
uint64_t sm_get_le64(const unsigned char *p);
void sm_put_le16(unsigned char *p, uint16_t v);
void sm_put_le32(unsigned char *p, uint32_t v);
void sm_put_le64(unsigned char *p, uint64_t v);

/* ---- the hypothesis stream (#sm-hyp 1, sm-stream(5)) ------------------ */

/* A whole input read on a thread of its own, for a stage that reads a
 * hypothesis and a binary stream of the same audio at once: they arrive
 * through pipes from one pipeline, and a reader that took one after the
 * other could leave a writer blocked.  sm_slurp_start dies 70 if the
 * thread cannot start; sm_slurp_end waits for the end of input and returns
 * it NUL-terminated (free it), or dies 70 out of memory, 74 on a read
 * error naming name. */
struct sm_slurp {
	FILE *in;
	char *buf;
	size_t len;
	int err;
	pthread_t tid;
};
void sm_slurp_start(struct sm_slurp *s, FILE *in);
char *sm_slurp_end(struct sm_slurp *s, const char *name);

/* One line of a hypothesis. */
struct sm_hyp_line {
	char *text;		/* the line as read, without its newline */
	int item;		/* an item, not the header, #end or a comment */
	long word;		/* index among the words, or -1 */
	double start, end;	/* seconds */
};

struct sm_hyp {
	struct sm_hyp_line *v;
	long n, cap, words;
};

/* A START or END field of a #sm-hyp 1 line at s: seconds from 0 to 1e9,
 * the number ending at the character stop (the tab after it, or the NUL
 * of a field already cut out); -1 if it is not one. */
double sm_hyp_time(const char *s, char stop);

/* Split buf (NUL-terminated, changed in place) into h's lines and check
 * the header, the #end line, the fields, the times and their order (the
 * confidence is passed through unchecked: sm-format checks it); an item
 * that already has the attribute key (the
 * one the caller adds; NULL when it adds none) is bad input too.  Dies 65 naming the line on bad
 * input; h->v is valid (for free) even then. */
void sm_hyp_parse(struct sm_hyp *h, char *buf, const char *name,
		  const char *key);

/* ---- JSON ------------------------------------------------------------- */

/* Write s as a JSON string literal (quotes included) with RFC 8259
 * escaping; invalid UTF-8 bytes become U+FFFD. */
void sm_json_str(FILE *f, const char *s);

/* ---- language packs --------------------------------------------------- */

/* Seconds on the monotonic clock, for timing what a program does. */
double sm_now(void);

/* The key of a word of a custom vocabulary (sm-lattice(1) --vocab), what
 * the search's words are matched with: the n bytes at w in lower case,
 * without the characters other than a-z, 0-9, ' and -.  At most outlen - 1
 * bytes in out, NUL-terminated; their count. */
size_t sm_vocab_key(const char *w, size_t n, char *out, size_t outlen);
#define SM_VOCAB_MAX_BYTES (1 << 20)	/* of a custom vocabulary's list */

/* A language pack is a directory with a pack.conf (see models/en). */
struct sm_pack {
	char dir[4096];
	char language[32];
	char description[64];
	char word_delimiter[8];
	unsigned sample_rate;
	char hmm[4096];		/* acoustic model directory */
	char dict[4096];	/* pronunciation dictionary */
	char lm[4096];		/* trigram LM, sphinx trie binary */
	char image[4096];	/* compact pack image, may be empty */
	char am_image[4096];	/* acoustic image (sm-am), may be empty */
	char adapt_image[4096];	/* adaptation image (sm-adapt), may be empty */
	char lts[4096];		/* letter-to-sound model, empty: none */
	char narrowband[4096];	/* narrowband log mel map, empty: none */
};

/* Where packs live: SM_MODELS, else the compiled-in default. */
const char *sm_models_root(void);

/* Load a pack: from dir when non-NULL, else root/lang.  Returns 0, or -1
 * with a message in err (an unknown language lists the installed ones). */
int sm_pack_load(struct sm_pack *p, const char *dir, const char *lang,
		 char *err, size_t errlen);
/* The same, or die 78 with the message. */
void sm_pack_load_or_die(struct sm_pack *p, const char *dir, const char *lang);

/* Append the installed languages, comma separated, to buf. */
void sm_pack_list(char *buf, size_t len);

#endif

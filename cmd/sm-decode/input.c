/* input.c: open audio from a path or a pipe.
 *
 * A seekable file goes to libsndfile as it is.  On a pipe, libsndfile would
 * seek while sniffing most formats, so a WAV (RIFF, RIFX or RF64 with PCM,
 * float, A-law or u-law samples) is parsed here, forward only, the chunks
 * before its data skipped by reading, and its samples are converted as they
 * arrive by libsndfile's raw reader: the conversion a file gets, in memory
 * bounded by a constant.  A FLAC is decoded by libsndfile as it arrives:
 * libsndfile seeks back only to its start while opening it, so the bytes
 * read while opening are kept, then only a window behind the position.
 * Anything else on a pipe (Ogg, MP3, AIFF, a WAV this parser does not take)
 * is read whole into memory, bounded by max_bytes, and handed to libsndfile
 * through its virtual I/O: libsndfile seeks to the end of those to find
 * their length.  Only an input whose first bytes are the signature of a
 * format libsndfile reads is held: anything else (garbage, /dev/zero) is
 * refused after those bytes, not after up to max_bytes of memory.  Nothing
 * is written to a temporary file. */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sm.h"
#include "decode.h"

/* Header bytes kept, once the fmt chunk is taken, in case a later chunk
 * still sends the input to libsndfile whole. */
#define PRE_KEEP ((size_t)1 << 20)
/* A data size of 0x7FFFF000 or more is what a writer on a pipe leaves
 * (0xFFFFFFFF from ffmpeg, sox's 0x7FFFF000 and above): the data runs to
 * the end of the input, which libsndfile accepts short of that size. */
#define WAV_OPEN_SIZE 0x7FFFF000ull

static sf_count_t
mem_len(void *u)
{
	return ((struct dec_mem *)u)->len;
}

static sf_count_t
mem_seek(sf_count_t off, int whence, void *u)
{
	struct dec_mem *m = u;
	sf_count_t p;

	switch (whence) {
	case SEEK_SET: p = off; break;
	case SEEK_CUR: p = m->pos + off; break;
	case SEEK_END: p = m->len + off; break;
	default: return -1;
	}
	if (p < 0 || p > m->len)
		return -1;
	m->pos = p;
	return p;
}

static sf_count_t
mem_read(void *buf, sf_count_t n, void *u)
{
	struct dec_mem *m = u;

	if (n > m->len - m->pos)
		n = m->len - m->pos;
	if (n <= 0)
		return 0;
	memcpy(buf, m->buf + m->pos, (size_t)n);
	m->pos += n;
	return n;
}

static sf_count_t
mem_write(const void *buf, sf_count_t n, void *u)
{
	return 0;
}

static sf_count_t
mem_tell(void *u)
{
	return ((struct dec_mem *)u)->pos;
}

static SF_VIRTUAL_IO mem_io = {
	mem_len, mem_seek, mem_read, mem_write, mem_tell
};

/* ---- the libraries' own messages ---------------------------------------- */

/* libmpg123, which libsndfile decodes MP3 with, writes its own warnings and
 * errors to stderr ("[src/libmpg123/parse.c:...] warning: ..."), and
 * libsndfile gives no way to reach its quiet flag.  Around each libsndfile
 * call fd 2 goes to /dev/null (with -v it does not), so that a failure is
 * one line of ours; anything that dies while it may be redirected (the I/O
 * callbacks) calls loud() first. */
static int quiet_null = -1, quiet_saved = -1, quiet_on;

static void
quiet(void)
{
	static int tried;

	if (sm_verbose || quiet_on)
		return;
	if (!tried) {
		tried = 1;
		quiet_null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		quiet_saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
		if (quiet_null < 0 || quiet_saved < 0) {
			if (quiet_null >= 0)
				close(quiet_null);
			if (quiet_saved >= 0)
				close(quiet_saved);
			quiet_null = quiet_saved = -1;
		}
	}
	if (quiet_null >= 0 && dup2(quiet_null, STDERR_FILENO) >= 0)
		quiet_on = 1;
}

static void
loud(void)
{
	if (quiet_on) {
		(void)dup2(quiet_saved, STDERR_FILENO);
		quiet_on = 0;
	}
}

static void
die_too_large(const char *name, uint64_t max_bytes)
{
	loud();
	sm_die(SM_EX_DATAERR, "%s: input larger than %llu bytes (raise --max-bytes)",
	       name, (unsigned long long)max_bytes);
}

/* Read fd to its end into m, after the len bytes already in buf (taken
 * over), growing the buffer; die 65 past max_bytes. */
static void
slurp(int fd, const char *name, struct dec_mem *m, uint64_t max_bytes,
      unsigned char *buf, size_t len, int at_eof)
{
	size_t cap = len;

	while (!at_eof) {
		ssize_t got;

		if (len == cap) {
			size_t ncap = cap ? cap * 2 : (size_t)1 << 20;

			if (len >= max_bytes)
				die_too_large(name, max_bytes);
			if (ncap > max_bytes + 1)
				ncap = max_bytes + 1;	/* +1 to see the excess */
			buf = realloc(buf, ncap);
			if (buf == NULL)
				sm_die(SM_EX_SOFTWARE, "%s: out of memory reading input", name);
			cap = ncap;
		}
		got = read(fd, buf + len, cap - len);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			sm_die_errno(errno == EISDIR ? SM_EX_NOINPUT : SM_EX_IOERR, "%s", name);
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (len > max_bytes)
			die_too_large(name, max_bytes);
	}
	m->buf = buf;
	m->len = (sf_count_t)len;
	m->pos = 0;
}

/* Say why libsndfile refused the input, as one line, and exit 65. */
static void
die_sf(const char *name, const char *kind)
{
	int e = sf_error(NULL);
	char msg[256];
	size_t n;

	loud();
	if (e == SF_ERR_UNRECOGNISED_FORMAT)
		sm_die(SM_EX_DATAERR, "%s: unrecognised audio format", name);
	/* libsndfile's words for a damaged file mislead: its MP3 reader says
	 * "File does not exist or is not a regular file (possibly a pipe?)" of
	 * a regular file too short to hold a frame. */
	if (e == SF_ERR_MALFORMED_FILE ||
	    strstr(sf_strerror(NULL), "not a regular file") != NULL)
		sm_die(SM_EX_DATAERR, "%s: cannot decode: damaged or truncated %s data",
		       name, kind ? kind : "audio");
	/* libsndfile checks the rate and channel count it read only after
	 * parsing and then calls it an internal error: say what it is. */
	if (strstr(sf_strerror(NULL), "SF_INFO struct incomplete") != NULL)
		sm_die(SM_EX_DATAERR, "%s: invalid sample rate or channel count in "
		       "the header", name);
	snprintf(msg, sizeof msg, "%s", sf_strerror(NULL));
	/* libsndfile's messages may span lines and end with a period. */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	n = strlen(msg);
	while (n && (msg[n - 1] == '.' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	sm_die(SM_EX_DATAERR, "%s: cannot decode: %s", name, msg);
}

/* A WAV (or RF64) whose data chunk announces more bytes than the file holds was cut
 * short: libsndfile quietly shortens it to what is there, and notes it in
 * its log as "data : N (should be M)".  N >= WAV_OPEN_SIZE is the size a
 * writer on a pipe leaves when it cannot go back: that is a stream of
 * unknown length, not a truncation. */
static void
check_truncated_wav(SNDFILE *sf, const char *name)
{
	char log[8192];
	const char *p;
	unsigned long long n, m;

	if (sf_command(sf, SFC_GET_LOG_INFO, log, sizeof log) <= 0)
		return;
	for (p = log; (p = strstr(p, "data : ")) != NULL; p++) {
		if ((p == log || p[-1] == '\n') &&
		    sscanf(p, "data : %llu (should be %llu)", &n, &m) == 2 &&
		    n > m && n < WAV_OPEN_SIZE)
			sm_die(SM_EX_DATAERR, "%s: truncated audio data (%llu of %llu "
			       "bytes announced)", name, m, n);
	}
	/* An RF64 announces its size in the ds64 chunk instead. */
	p = strstr(log, "*** Calculated frame count ");
	if (p != NULL && sscanf(p, "*** Calculated frame count %llu does not match "
				"value from 'ds64' chunk of %llu", &m, &n) == 2 && m < n)
		sm_die(SM_EX_DATAERR, "%s: truncated audio data (%llu of %llu "
		       "frames announced)", name, m, n);
}

/* ---- a WAV on a pipe ---------------------------------------------------- */

/* Read up to n bytes from the pipe; fewer only at its end. */
size_t
dec_pipe_read(struct dec_in *d, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n && !d->at_eof) {
		ssize_t r = read(d->fd, (unsigned char *)buf + got, n - got);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			loud();
			sm_die_errno(errno == EISDIR ? SM_EX_NOINPUT : SM_EX_IOERR,
				     "%s", d->name);
		}
		if (r == 0) {
			d->at_eof = 1;
			break;
		}
		got += (size_t)r;
		d->in_bytes += (uint64_t)r;
		if (d->in_bytes > d->max_bytes)
			die_too_large(d->name, d->max_bytes);
	}
	return got;
}

/* Read header bytes, keeping them while libsndfile may still need them. */
static size_t
hdr_read(struct dec_in *d, void *buf, size_t n, size_t keep_max)
{
	size_t got = dec_pipe_read(d, buf, n);

	if (d->pre_lost || got == 0)
		return got;
	if (d->pre_len + got > keep_max) {
		free(d->pre);
		d->pre = NULL;
		d->pre_len = d->pre_cap = 0;
		d->pre_lost = 1;
		return got;
	}
	if (d->pre_len + got > d->pre_cap) {
		size_t ncap = d->pre_cap ? d->pre_cap : 4096;

		while (ncap < d->pre_len + got)
			ncap *= 2;
		if ((d->pre = realloc(d->pre, ncap)) == NULL)
			sm_die(SM_EX_SOFTWARE, "%s: out of memory reading input", d->name);
		d->pre_cap = ncap;
	}
	memcpy(d->pre + d->pre_len, buf, got);
	d->pre_len += got;
	return got;
}

/* Skip n header bytes by reading them; returns 0 at a premature end. */
static int
hdr_skip(struct dec_in *d, uint64_t n, size_t keep_max)
{
	unsigned char b[8192];

	while (n > 0) {
		size_t k = n < sizeof b ? (size_t)n : sizeof b;

		if (hdr_read(d, b, k, keep_max) < k)
			return 0;
		n -= k;
	}
	return 1;
}

static sf_count_t
pipe_len(void *u)
{
	struct dec_in *d = u;

	return d->data_len > (uint64_t)INT64_MAX ? INT64_MAX : (sf_count_t)d->data_len;
}

/* libsndfile's raw reader seeks only to where it already is. */
static sf_count_t
pipe_seek(sf_count_t off, int whence, void *u)
{
	struct dec_in *d = u;

	if ((whence == SEEK_SET && off >= 0 && (uint64_t)off == d->data_got) ||
	    (whence == SEEK_CUR && off == 0))
		return (sf_count_t)d->data_got;
	return -1;
}

/* The data chunk, never past its announced end. */
static sf_count_t
pipe_data(void *buf, sf_count_t n, void *u)
{
	struct dec_in *d = u;
	size_t got;

	if (n <= 0)
		return 0;
	if ((uint64_t)n > d->data_len - d->data_got)
		n = (sf_count_t)(d->data_len - d->data_got);
	got = dec_pipe_read(d, buf, (size_t)n);
	d->data_got += got;
	return (sf_count_t)got;
}

static sf_count_t
pipe_tell(void *u)
{
	return (sf_count_t)((struct dec_in *)u)->data_got;
}

static SF_VIRTUAL_IO pipe_io = {
	pipe_len, pipe_seek, pipe_data, mem_write, pipe_tell
};

static uint32_t
get32(const unsigned char *p, int big)
{
	return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		     (uint32_t)p[2] << 8 | p[3] : sm_get_le32(p);
}

static unsigned
get16(const unsigned char *p, int big)
{
	return big ? (unsigned)p[0] << 8 | p[1] : sm_get_le16(p);
}

/* The libsndfile subtype of a fmt chunk this parser streams, or 0.  Only
 * layouts whose samples libsndfile's raw reader converts exactly as its
 * WAV reader does are taken; the rest go to libsndfile whole. */
static int
wav_subtype(const unsigned char *f, uint32_t size, int big, int *wavex,
	    unsigned *block)
{
	static const unsigned char guid_tail[14] = {
		0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00,
		0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71
	};
	unsigned tag = get16(f, big), ch = get16(f + 2, big);
	uint32_t rate = get32(f + 4, big);
	unsigned align = get16(f + 12, big), bits = get16(f + 14, big);

	*wavex = 0;
	if (tag == 0xFFFE) {
		if (big || size < 40 || get16(f + 16, big) < 22 ||
		    get16(f + 18, big) != bits || memcmp(f + 26, guid_tail, 14) != 0)
			return 0;
		tag = get16(f + 24, big);
		*wavex = 1;
	}
	if (ch < 1 || ch > 1024 || rate < 8000 || rate > 192000 || bits % 8 != 0 ||
	    align != ch * (bits / 8))
		return 0;
	*block = align;
	switch (tag) {
	case 1:
		switch (bits) {
		case 8: return SF_FORMAT_PCM_U8;
		case 16: return SF_FORMAT_PCM_16;
		case 24: return SF_FORMAT_PCM_24;
		case 32: return SF_FORMAT_PCM_32;
		}
		return 0;
	case 3:
		return bits == 32 ? SF_FORMAT_FLOAT : bits == 64 ? SF_FORMAT_DOUBLE : 0;
	case 6:
		return bits == 8 ? SF_FORMAT_ALAW : 0;
	case 7:
		return bits == 8 ? SF_FORMAT_ULAW : 0;
	}
	return 0;
}

/* A chunk marker of four printable characters. */
static int
chunk_id_ok(const unsigned char *c)
{
	for (int i = 0; i < 4; i++)
		if (c[i] < 0x20 || c[i] > 0x7E)
			return 0;
	return 1;
}

/* Parse a WAV header from the pipe up to its data and open the data with
 * libsndfile's raw reader.  Returns 0 when the input is not a WAV this
 * parser takes: libsndfile then gets it whole (the bytes read so far are
 * in d->pre). */
static int
wav_open(struct dec_in *d)
{
	unsigned char h[12], c[8], f[40];
	size_t keep = SIZE_MAX;
	uint64_t ds64_data = 0, ds64_frames = 0;
	int big, rf64, have_fmt = 0, have_ds64 = 0, sub = 0, wavex = 0;
	unsigned block = 0;
	SF_INFO ri;

	if (hdr_read(d, h, 12, keep) < 12 || memcmp(h + 8, "WAVE", 4) != 0)
		return 0;
	big = memcmp(h, "RIFX", 4) == 0;
	rf64 = memcmp(h, "RF64", 4) == 0;
	if (!big && !rf64 && memcmp(h, "RIFF", 4) != 0)
		return 0;
	for (;;) {
		uint32_t size, rest;

		if (hdr_read(d, c, 8, keep) < 8) {
			if (!d->pre_lost)
				return 0;
			sm_die(SM_EX_DATAERR, "%s: cannot decode: Error in WAV file. "
			       "No 'data' chunk marker", d->name);
		}
		size = rest = get32(c + 4, big);
		if (memcmp(c, "data", 4) == 0)
			break;
		/* Where libsndfile would read this header differently, it
		 * gets it whole: it stops at a marker that is not text, or
		 * resyncs; it refuses a PEAK chunk of the wrong size; and it
		 * reads the fixed fields of a fact or smpl chunk shorter
		 * than those, losing its place. */
		if (!chunk_id_ok(c) || size >= 0xFFFF0000u ||
		    (memcmp(c, "PEAK", 4) == 0 &&
		     (!have_fmt || size != 8 + 8 * (uint32_t)get16(f + 2, big))) ||
		    (memcmp(c, "fact", 4) == 0 && size < 4) ||
		    (memcmp(c, "smpl", 4) == 0 && size < 36))
			goto whole;
		if (memcmp(c, "fmt ", 4) == 0) {
			size_t k = size < sizeof f ? size : sizeof f;

			if (have_fmt || size < 16 || hdr_read(d, f, k, keep) < k)
				goto whole;
			if ((sub = wav_subtype(f, size, big, &wavex, &block)) == 0)
				goto whole;
			have_fmt = 1;
			rest = size - (uint32_t)k;
		} else if (memcmp(c, "ds64", 4) == 0) {
			unsigned char b[28];

			if (!rf64 || have_ds64 || size < 28 || hdr_read(d, b, 28, keep) < 28)
				goto whole;
			/* No chunk table: only the data size matters here. */
			if (sm_get_le32(b + 24) != 0)
				goto whole;
			ds64_data = sm_get_le64(b + 8);
			ds64_frames = sm_get_le64(b + 16);
			have_ds64 = 1;
			rest = size - 28;
		}
		if (!hdr_skip(d, (uint64_t)rest + (size & 1), keep))
			goto whole;
		if (have_fmt)
			keep = PRE_KEEP;
	}
	if (!have_fmt || (rf64 && !have_ds64))
		goto whole;
	d->data_len = get32(c + 4, big);
	if (rf64) {
		if (d->data_len != 0xFFFFFFFFu || ds64_frames != ds64_data / block)
			goto whole;
		d->data_len = ds64_data;
	}
	d->frames = !rf64 && d->data_len >= WAV_OPEN_SIZE ? -1 :
		    (sf_count_t)(d->data_len / block);
	memset(&ri, 0, sizeof ri);
	ri.samplerate = (int)get32(f + 4, big);
	ri.channels = (int)get16(f + 2, big);
	ri.format = SF_FORMAT_RAW | sub | (big ? SF_ENDIAN_BIG : SF_ENDIAN_LITTLE);
	d->info = ri;
	d->info.format = (rf64 ? SF_FORMAT_RF64 : wavex ? SF_FORMAT_WAVEX : SF_FORMAT_WAV) | sub;
	d->info.frames = d->frames < 0 ? 0 : d->frames;
	quiet();
	d->sf = sf_open_virtual(&pipe_io, SFM_READ, &ri, d);
	loud();
	if (d->sf == NULL)
		sm_die(SM_EX_SOFTWARE, "%s: libsndfile's raw reader refused the data: %s",
		       d->name, sf_strerror(NULL));
	d->stream = DEC_WAV;
	d->kind = "WAV";
	d->block = block;
	free(d->pre);
	d->pre = NULL;
	d->pre_len = d->pre_cap = 0;
	return 1;
whole:
	if (d->pre_lost)
		sm_die(SM_EX_DATAERR, "%s: cannot decode: a WAV layout that cannot be "
		       "read from a pipe (more than %zu header bytes)", d->name, PRE_KEEP);
	return 0;
}

/* ---- a FLAC on a pipe --------------------------------------------------- */

/* Bytes kept behind the read position once the FLAC is open. */
#define WINDOW ((size_t)1 << 18)
#define WIN_READ ((size_t)1 << 16)

/* The length of a pipe is not known: libsndfile's FLAC reader uses it only
 * to tell the end, which a read of nothing tells as well. */
static sf_count_t
win_len(void *u)
{
	return (sf_count_t)1 << 62;
}

/* Extend the window to byte end of the input (fewer at the end of the
 * pipe), first dropping what lies more than WINDOW behind the position. */
static void
win_fill(struct dec_in *d, uint64_t end)
{
	while (d->win_start + d->pre_len < end && !d->at_eof) {
		size_t want, got;

		if (!d->opening && d->pos - d->win_start > WINDOW) {
			size_t drop = (size_t)(d->pos - d->win_start) - WINDOW;

			if (drop > d->pre_len)
				drop = d->pre_len;
			memmove(d->pre, d->pre + drop, d->pre_len - drop);
			d->pre_len -= drop;
			d->win_start += drop;
		}
		want = end - (d->win_start + d->pre_len) > WIN_READ ?
		       (size_t)(end - (d->win_start + d->pre_len)) : WIN_READ;
		if (d->pre_len + want > d->pre_cap) {
			size_t ncap = d->pre_cap ? d->pre_cap : WIN_READ;

			while (ncap < d->pre_len + want)
				ncap *= 2;
			if ((d->pre = realloc(d->pre, ncap)) == NULL) {
				loud();
				sm_die(SM_EX_SOFTWARE, "%s: out of memory reading input",
				       d->name);
			}
			d->pre_cap = ncap;
		}
		got = dec_pipe_read(d, d->pre + d->pre_len, want);
		d->pre_len += got;
	}
}

static sf_count_t
win_read(void *buf, sf_count_t n, void *u)
{
	struct dec_in *d = u;
	uint64_t avail;

	if (n <= 0)
		return 0;
	if (d->pos < d->win_start) {
		d->win_lost = 1;
		return 0;
	}
	win_fill(d, d->pos + (uint64_t)n);
	avail = d->win_start + d->pre_len - d->pos;
	if ((uint64_t)n > avail)
		n = (sf_count_t)avail;
	memcpy(buf, d->pre + (d->pos - d->win_start), (size_t)n);
	d->pos += (uint64_t)n;
	return n;
}

static sf_count_t
win_seek(sf_count_t off, int whence, void *u)
{
	struct dec_in *d = u;
	sf_count_t p;

	switch (whence) {
	case SEEK_SET: p = off; break;
	case SEEK_CUR: p = (sf_count_t)d->pos + off; break;
	default: d->win_lost = 1; return -1;
	}
	if (p < 0 || (uint64_t)p < d->win_start) {
		d->win_lost = 1;
		return -1;
	}
	win_fill(d, (uint64_t)p);
	if ((uint64_t)p > d->win_start + d->pre_len)
		return -1;
	d->pos = (uint64_t)p;
	return p;
}

static sf_count_t
win_tell(void *u)
{
	return (sf_count_t)((struct dec_in *)u)->pos;
}

static SF_VIRTUAL_IO win_io = {
	win_len, win_seek, win_read, mem_write, win_tell
};

/* The frames to read: a FLAC's STREAMINFO may say 0 for "unknown" (what
 * ffmpeg writes to a pipe), which libsndfile gives as SF_COUNT_MAX: read
 * it to its end (-1). */
static sf_count_t
flac_frames(const struct dec_in *d)
{
	if ((d->info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_FLAC &&
	    d->info.frames == SF_COUNT_MAX)
		return -1;
	return d->info.frames;
}

/* Open a FLAC from the pipe, the bytes read so far in d->pre. */
static int
flac_open(struct dec_in *d)
{
	if (d->pre_lost || d->pre_len < 4 || memcmp(d->pre, "fLaC", 4) != 0)
		return 0;
	d->kind = "FLAC";
	d->win_start = d->pos = 0;
	d->opening = 1;
	quiet();
	d->sf = sf_open_virtual(&win_io, SFM_READ, &d->info, d);
	loud();
	d->opening = 0;
	if (d->sf == NULL) {
		loud();
		if (d->win_lost)
			sm_die(SM_EX_SOFTWARE, "%s: libsndfile seeks where a pipe cannot "
			       "go", d->name);
		die_sf(d->name, d->kind);
	}
	d->stream = DEC_FLAC;
	d->frames = flac_frames(d);
	sm_info("%s: a FLAC on a pipe: decoded as it arrives", d->name);
	return 1;
}

/* ---- what the first bytes say ------------------------------------------- */

/* Bytes enough for the longest signature below. */
#define SNIFF_LEN 32

/* An MPEG audio frame header: 11 sync bits, then a version, a layer, a
 * bit rate and a sample rate that are not the reserved values. */
static int
mpeg_sync(const unsigned char *b, size_t n)
{
	return n >= 4 && b[0] == 0xFF && (b[1] & 0xE0) == 0xE0 &&
	       (b[1] & 0x18) != 0x08 && (b[1] & 0x06) != 0 &&
	       (b[2] & 0xF0) != 0xF0 && (b[2] & 0x0C) != 0x0C;
}

/* The format libsndfile reads that the n bytes at b start, or NULL: the
 * signatures of every format it recognises by one (formats without one,
 * such as HTK, MATLAB 4 or headerless raw samples, are read from a file,
 * never from a pipe). */
static const char *
sniff(const unsigned char *b, size_t n)
{
	static const struct {
		unsigned off;
		const char *magic;
		unsigned len;
		const char *kind;
	} tab[] = {
		{0, "RIFF", 4, "WAV"}, {0, "RIFX", 4, "WAV"}, {0, "RF64", 4, "WAV"},
		{0, "riff\x2E\x91\xCF\x11", 8, "Wave64"},
		{0, "fLaC", 4, "FLAC"}, {0, "OggS", 4, "Ogg"}, {0, "ID3", 3, "MP3"},
		{8, "AIFF", 4, "AIFF"}, {8, "AIFC", 4, "AIFF"},
		{8, "8SVX", 4, "8SVX"}, {8, "16SV", 4, "8SVX"},
		{0, ".snd", 4, "AU"}, {0, "dns.", 4, "AU"}, {0, "caff", 4, "CAF"},
		{0, "NIST_1A\n", 8, "NIST"}, {0, "Creative Voice File", 19, "VOC"},
		{0, " paf", 4, "PAF"}, {0, "fap ", 4, "PAF"}, {0, "PVF1\n", 5, "PVF"},
		{0, "Extended Instrument: ", 21, "XI"}, {0, "2BIT", 4, "AVR"},
		{0, "ALawSoundFile", 13, "WVE"}, {0, "MATLAB 5.0 MAT-file", 19, "MAT5"},
		{0, "\x64\xA3", 2, "IRCAM"}, {2, "\xA3\x64", 2, "IRCAM"},
		{0, "\xF0\x7E", 2, "SDS"},
	};

	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		if (tab[i].off + tab[i].len > n ||
		    memcmp(b + tab[i].off, tab[i].magic, tab[i].len) != 0)
			continue;
		/* FORM is the container of AIFF and 8SVX alike */
		if (tab[i].off == 8 && memcmp(b, "FORM", 4) != 0)
			continue;
		/* and RIFF of AVI and WebP too: libsndfile reads only WAVE */
		if (!strcmp(tab[i].kind, "WAV") && (n < 12 || memcmp(b + 8, "WAVE", 4) != 0))
			return NULL;
		return tab[i].kind;
	}
	return mpeg_sync(b, n) ? "MP3" : NULL;
}

/* Extend the bytes kept from the pipe (d->pre) to SNIFF_LEN, fewer at its
 * end. */
static void
sniff_fill(struct dec_in *d)
{
	unsigned char b[SNIFF_LEN];

	if (!d->pre_lost && d->pre_len < SNIFF_LEN)
		hdr_read(d, b, SNIFF_LEN - d->pre_len, SIZE_MAX);
}

/* ---- the input layer ---------------------------------------------------- */

void
dec_open(struct dec_in *d, const char *path, const char *name, uint64_t max_bytes)
{
	struct stat st;
	int fd;

	memset(d, 0, sizeof *d);
	d->name = name;
	d->max_bytes = max_bytes;
	if (path == NULL || strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else if ((fd = open(path, O_RDONLY)) < 0) {
		sm_die_errno(SM_EX_NOINPUT, "%s", path);
	}
	d->fd = fd;
	if (fstat(fd, &st) != 0)
		sm_die_errno(SM_EX_NOINPUT, "%s", d->name);
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		sm_die_errno(SM_EX_NOINPUT, "%s", d->name);
	}
	if (S_ISREG(st.st_mode) && lseek(fd, 0, SEEK_CUR) == 0) {
		if (st.st_size == 0)
			sm_die(SM_EX_DATAERR, "%s: empty input", d->name);
		if ((uint64_t)st.st_size > max_bytes)
			die_too_large(d->name, max_bytes);
		{
			unsigned char b[SNIFF_LEN];
			ssize_t n = pread(fd, b, sizeof b, 0);

			/* for messages only: libsndfile also reads formats
			 * without a signature from a file */
			d->kind = n > 0 ? sniff(b, (size_t)n) : NULL;
		}
		if (d->kind != NULL && strcmp(d->kind, "MP3") == 0) {
			dec_mpeg_open(d);
			return;
		}
		quiet();
		d->sf = sf_open_fd(fd, SFM_READ, &d->info, fd != STDIN_FILENO);
		loud();
	} else if (wav_open(d)) {
		/* A known size must fit under the bound before a sample is out. */
		if (d->frames >= 0 && d->in_bytes + d->data_len > max_bytes)
			die_too_large(d->name, max_bytes);
		sm_info("%s: a WAV on a pipe: its samples are read as they arrive",
			d->name);
		return;
	} else if (flac_open(d)) {
		return;
	} else {
		/* Held whole only when its first bytes name a format libsndfile
		 * reads: garbage costs SNIFF_LEN bytes, not max_bytes. */
		sniff_fill(d);
		if (d->pre_len == 0)
			sm_die(SM_EX_DATAERR, "%s: empty input", d->name);
		if ((d->kind = sniff(d->pre, d->pre_len)) == NULL)
			sm_die(SM_EX_DATAERR, "%s: unrecognised audio format", d->name);
		if (strcmp(d->kind, "MP3") == 0) {
			dec_mpeg_open(d);
			return;
		}
		slurp(fd, d->name, &d->mem, max_bytes, d->pre, d->pre_len, d->at_eof);
		d->pre = NULL;
		d->pre_len = d->pre_cap = 0;
		if (fd != STDIN_FILENO)
			close(fd);
		d->fd = -1;
		if (d->mem.len == 0)
			sm_die(SM_EX_DATAERR, "%s: empty input", d->name);
		sm_info("%s: %s, not a WAV or FLAC that can be streamed: %lld bytes held "
			"in memory", d->name, d->kind, (long long)d->mem.len);
		quiet();
		d->sf = sf_open_virtual(&mem_io, SFM_READ, &d->info, &d->mem);
		loud();
	}
	if (d->sf == NULL)
		die_sf(d->name, d->kind);
	if ((d->info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV ||
	    (d->info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAVEX ||
	    (d->info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_RF64)
		check_truncated_wav(d->sf, d->name);
	d->frames = flac_frames(d);
}

sf_count_t
dec_read(struct dec_in *d, float *buf, sf_count_t n)
{
	sf_count_t got = 0, r;

	if (d->stream == DEC_MPEG)
		return dec_mpeg_read(d, buf, n);
	quiet();
	while (got < n && (r = sf_readf_float(d->sf, buf + got * d->info.channels,
					      n - got)) > 0)
		got += r;
	loud();
	return got;
}

/* Read the rest of the data chunk; die if the pipe ends before it does. */
static void
stream_data_end(struct dec_in *d)
{
	unsigned char b[8192];

	while (d->data_got < d->data_len) {
		uint64_t k = d->data_len - d->data_got;
		size_t got = dec_pipe_read(d, b, k < sizeof b ? (size_t)k : sizeof b);

		d->data_got += got;
		if (got == 0)
			break;
	}
	if (d->data_got < d->data_len && d->frames >= 0)
		sm_die(SM_EX_DATAERR, "%s: truncated audio data (%llu of %llu bytes "
		       "announced)", d->name, (unsigned long long)d->data_got,
		       (unsigned long long)d->data_len);
}

void
dec_short(struct dec_in *d, sf_count_t got)
{
	if (d->stream == DEC_WAV)
		stream_data_end(d);
	if (d->win_lost)
		sm_die(SM_EX_SOFTWARE, "%s: libsndfile seeks back further than the "
		       "%zu bytes kept of a pipe", d->name, WINDOW);
	sm_die(SM_EX_DATAERR, "%s: truncated audio data (%lld of %lld frames)",
	       d->name, (long long)got, (long long)d->frames);
}

sf_count_t
dec_count(struct dec_in *d)
{
	if (d->stream != DEC_WAV && d->frames < 0) {
		/* a FLAC or an MP3 of unknown length: decoded to its end */
		float *b = malloc(sizeof *b * 4096 * (size_t)d->info.channels);
		sf_count_t n = 0, got;

		if (b == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
		while ((got = dec_read(d, b, 4096)) > 0)
			n += got;
		free(b);
		return n;
	}
	if (d->stream != DEC_WAV)
		return d->frames;
	stream_data_end(d);
	return (sf_count_t)(d->data_got / d->block);
}

void
dec_end(struct dec_in *d)
{
	if (d->stream != DEC_WHOLE) {
		unsigned char b[65536];

		if (d->stream == DEC_WAV)
			stream_data_end(d);
		while (dec_pipe_read(d, b, sizeof b) > 0)
			;
	}
	if (d->sf != NULL) {
		quiet();
		sf_close(d->sf);
		loud();
	}
	dec_mpeg_close(d);
	free(d->mem.buf);
	free(d->pre);
	if (d->fd > STDIN_FILENO && d->stream)
		close(d->fd);
}

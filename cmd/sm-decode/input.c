/* input.c: open audio from a path or a pipe as a libsndfile handle.
 *
 * libsndfile seeks while sniffing most formats, so input that cannot seek
 * (a pipe, a socket, a terminal) is read whole into memory, bounded by
 * max_bytes, and handed to libsndfile through its virtual I/O.  Nothing is
 * written to a temporary file. */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sm.h"
#include "decode.h"

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

/* Read fd to its end into m, growing the buffer; die 65 past max_bytes. */
static void
slurp(int fd, const char *name, struct dec_mem *m, uint64_t max_bytes)
{
	size_t cap = 0, len = 0;
	unsigned char *buf = NULL;

	for (;;) {
		ssize_t got;

		if (len == cap) {
			size_t ncap = cap ? cap * 2 : (size_t)1 << 20;

			if (len >= max_bytes)
				sm_die(SM_EX_DATAERR, "%s: input larger than %llu bytes "
				       "(raise --max-bytes)", name,
				       (unsigned long long)max_bytes);
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
			sm_die(SM_EX_DATAERR, "%s: input larger than %llu bytes "
			       "(raise --max-bytes)", name, (unsigned long long)max_bytes);
	}
	m->buf = buf;
	m->len = (sf_count_t)len;
	m->pos = 0;
}

/* Say why libsndfile refused the input, as one line, and exit 65. */
static void
die_sf(const char *name)
{
	int e = sf_error(NULL);
	char msg[256];
	size_t n;

	if (e == SF_ERR_UNRECOGNISED_FORMAT)
		sm_die(SM_EX_DATAERR, "%s: unrecognised audio format", name);
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

/* A WAV whose data chunk announces more bytes than the file holds was cut
 * short: libsndfile quietly shortens it to what is there, and notes it in
 * its log as "data : N (should be M)".  N = 0xFFFFFFFF (or sox's 0x7FFFF000
 * and above) is the size a writer on a pipe leaves when it cannot go back:
 * that is a stream of unknown length, not a truncation. */
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
		    n > m && n < 0x7FFFF000ull)
			sm_die(SM_EX_DATAERR, "%s: truncated audio data (%llu of %llu "
			       "bytes announced)", name, m, n);
	}
}

SNDFILE *
dec_open(const char *path, struct dec_mem *m, uint64_t max_bytes, SF_INFO *info)
{
	const char *name = sm_name(path);
	struct stat st;
	SNDFILE *sf;
	int fd;

	if (path == NULL || strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else if ((fd = open(path, O_RDONLY)) < 0) {
		sm_die_errno(SM_EX_NOINPUT, "%s", path);
	}
	if (fstat(fd, &st) != 0)
		sm_die_errno(SM_EX_NOINPUT, "%s", name);
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		sm_die_errno(SM_EX_NOINPUT, "%s", name);
	}
	memset(info, 0, sizeof *info);
	memset(m, 0, sizeof *m);
	if (S_ISREG(st.st_mode) && lseek(fd, 0, SEEK_CUR) == 0) {
		if (st.st_size == 0)
			sm_die(SM_EX_DATAERR, "%s: empty input", name);
		if ((uint64_t)st.st_size > max_bytes)
			sm_die(SM_EX_DATAERR, "%s: input larger than %llu bytes "
			       "(raise --max-bytes)", name, (unsigned long long)max_bytes);
		sf = sf_open_fd(fd, SFM_READ, info, fd != STDIN_FILENO);
	} else {
		slurp(fd, name, m, max_bytes);
		if (fd != STDIN_FILENO)
			close(fd);
		if (m->len == 0)
			sm_die(SM_EX_DATAERR, "%s: empty input", name);
		sf = sf_open_virtual(&mem_io, SFM_READ, info, m);
	}
	if (sf == NULL)
		die_sf(name);
	if ((info->format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV ||
	    (info->format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAVEX)
		check_truncated_wav(sf, name);
	return sf;
}

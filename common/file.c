/* file.c: whole-file reads for the loaders, with "PATH: problem" errors. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sm.h"

int
sm_path_err(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (errlen == 0)
		return -1;
	n = (size_t)snprintf(err, errlen, "%s: ", path);
	if (n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int
sm_read_file(const char *path, unsigned char **bufp, size_t *lenp, char *err,
	     size_t errlen)
{
	FILE *f;
	struct stat st;
	unsigned char *buf;
	size_t len, got;

	*bufp = NULL;
	*lenp = 0;
	f = fopen(path, "rb");
	if (f == NULL)
		return sm_path_err(err, errlen, path, "%s", strerror(errno));
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return sm_path_err(err, errlen, path, "not a regular file");
	}
	len = (size_t)st.st_size;
	buf = malloc(len + 1);
	if (buf == NULL) {
		fclose(f);
		return sm_path_err(err, errlen, path, "out of memory");
	}
	got = fread(buf, 1, len, f);
	if (got != len || ferror(f)) {
		int e = errno;

		fclose(f);
		free(buf);
		return sm_path_err(err, errlen, path, "read error%s%s",
			    got != len && !e ? ": file changed while reading" : ": ",
			    got != len && !e ? "" : strerror(e));
	}
	fclose(f);
	buf[len] = 0;
	*bufp = buf;
	*lenp = len;
	return 0;
}

int
sm_map_file(const char *path, int flags, const unsigned char **bufp, size_t *lenp,
	    char *err, size_t errlen)
{
	struct stat st;
	void *p = NULL;
	int fd, e;

	*bufp = NULL;
	*lenp = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		e = errno;
		sm_path_err(err, errlen, path, "%s", strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		sm_path_err(err, errlen, path, "not a regular file");
		errno = EINVAL;
		return -1;
	}
	if (st.st_size > 0 &&
	    (p = mmap(NULL, (size_t)st.st_size, PROT_READ,
		      MAP_PRIVATE | (flags & SM_MAP_POPULATE ? MAP_POPULATE : 0), fd, 0)) ==
		    MAP_FAILED) {
		e = errno;
		close(fd);
		sm_path_err(err, errlen, path, "%s", strerror(e));
		errno = e;
		return -1;
	}
	close(fd);
	*bufp = p;
	*lenp = (size_t)st.st_size;
	return 0;
}

void
sm_unmap_file(const unsigned char *buf, size_t len)
{
	if (buf != NULL && len > 0)
		munmap((void *)buf, len);
}

char *
sm_read_all(const char *path, size_t max, const char *what, size_t *lenp)
{
	FILE *f = sm_open_in(path);
	char *s = NULL;
	size_t cap = 0, n = 0, got;

	do {
		if (n + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 8192;
			if ((s = realloc(s, cap)) == NULL)
				sm_die(SM_EX_SOFTWARE, "out of memory");
		}
		got = fread(s + n, 1, 4096, f);
		n += got;
		if (n > max)
			sm_die(SM_EX_DATAERR, "%s: %s larger than %zu bytes", sm_name(path), what, max);
	} while (got > 0);
	if (ferror(f))
		sm_die_errno(SM_EX_IOERR, "%s", sm_name(path));
	if (f != stdin)
		fclose(f);
	s[n] = '\0';
	*lenp = n;
	return s;
}

/* file.c: whole-file reads for the loaders, with "PATH: problem" errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* fuzz.c: the helpers of fuzz.h and the sm_die wrappers. */
#include "fuzz.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mdef.h"

jmp_buf *fuzz_jmp;
int fuzz_exit_code;

static void
die_hook(int code, const char *fmt, va_list ap, int with_errno)
{
	int e = errno;

	/* Format the message as the program would (catches bad formats). */
	char msg[1024];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (with_errno)
		snprintf(msg + strlen(msg), sizeof msg - strlen(msg), ": %s",
			 strerror(e));
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "sm_die(%d): %s\n", code, msg);
	if (fuzz_jmp == NULL) {
		fprintf(stderr, "fuzz: sm_die(%d) outside fuzz_try: %s\n", code, msg);
		abort();
	}
	fuzz_exit_code = code;
	longjmp(*fuzz_jmp, 1);
}

void __wrap_sm_die(int code, const char *fmt, ...) __attribute__((noreturn));
void __wrap_sm_die_errno(int code, const char *fmt, ...) __attribute__((noreturn));

void
__wrap_sm_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	die_hook(code, fmt, ap, 0);
	abort();
}

void
__wrap_sm_die_errno(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	die_hook(code, fmt, ap, 1);
	abort();
}

const char *
fuzz_file(int i, const uint8_t *data, size_t size)
{
	static int fd[4] = { -1, -1, -1, -1 };
	static char path[4][64];

	if (fd[i] < 0) {
		fd[i] = memfd_create("fuzz", 0);
		if (fd[i] < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path[i], sizeof path[i], "/proc/self/fd/%d", fd[i]);
	}
	if (ftruncate(fd[i], 0) != 0 || pwrite(fd[i], data, size, 0) != (ssize_t)size) {
		perror("fuzz_file");
		abort();
	}
	return path[i];
}

static char dir[64];

static void
rm_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: cannot remove %s\n", dir);
}

const char *
fuzz_dir(void)
{
	if (dir[0] == '\0') {
		snprintf(dir, sizeof dir, "%s",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm/smfuzz.XXXXXX"
						       : "/tmp/smfuzz.XXXXXX");
		if (mkdtemp(dir) == NULL) {
			perror("mkdtemp");
			abort();
		}
		atexit(rm_dir);
	}
	return dir;
}

long
fuzz_mdef_walk(const struct sm_mdef *m)
{
	long sum = 0;

	for (int p = 0; p < m->n_phone; p++) {
		sum += m->phone_tmat[p] + m->phone_base[p] + m->phone_wpos[p];
		for (int s = 0; s < m->n_emit_state; s++)
			sum += m->sen2ci[sm_mdef_senone(m, p, s)];
	}
	for (int c = 0; c < m->n_ciphone; c++) {
		sum += sm_mdef_ciphone(m, m->ciname[c]) + m->ci_filler[c];
		sm_mdef_wpos_char(c % 6 - 1);
	}
	for (int b = -1; b <= m->n_ciphone && b < 12; b++)
		for (int l = -1; l <= m->n_ciphone && l < 12; l++)
			for (int r = -1; r <= m->n_ciphone && r < 12; r++)
				for (int pos = -1; pos <= SM_N_WPOS; pos++)
					sum += sm_mdef_triphone(m, b, l, r, pos);
	return sum;
}

/* util.c: diagnostics, option helpers and checked stdout for sm-* programs. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "sm.h"

static const char *progname = "sm";
int sm_verbose;

/*
 * A stage started by sm-transcribe runs in a process group of its own, so
 * nothing signals it when the job dies by SIGKILL; it would run to the end
 * of its input.  SM_JOB_PID names the job: die with it (Linux), and if it
 * is already gone (it died before the signal was armed), stop now.
 */
/* Whether JOB still runs: a pid that exists and is not a zombie waiting
 * for its parent to reap it (a job killed a moment ago is one). */
static int
job_runs(pid_t job)
{
	char path[64], buf[256], *paren;
	FILE *f;
	size_t n;

	if (kill(job, 0) != 0 && errno == ESRCH)
		return 0;
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)job);
	if (!(f = fopen(path, "r")))
		return 1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "pid (comm) S ...": the state follows the last parenthesis. */
	if ((paren = strrchr(buf, ')')) && paren[1] == ' ' &&
	    (paren[2] == 'Z' || paren[2] == 'X'))
		return 0;
	return 1;
}

static void
follow_job(void)
{
	const char *env = getenv("SM_JOB_PID");
	char *end;
	long job;

	if (!env || !*env)
		return;
	errno = 0;
	job = strtol(env, &end, 10);
	/* Pid 1 is a container's init: when it dies, so does every process
	 * of its PID namespace. */
	if (errno || *end || job <= 1)
		return;
#ifdef PR_SET_PDEATHSIG
	prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
	/* Not its child (a replacement's pipeline, or a job that died before
	 * the signal was asked for): the signal follows that parent instead,
	 * and the job's pid tells whether it still runs. */
	if (getppid() != (pid_t)job && !job_runs((pid_t)job))
		sm_die(SM_EX_SOFTWARE, "SM_JOB_PID %ld: the job has ended; stopping", job);
}

void
sm_init(const char *name)
{
	const char *slash = strrchr(name, '/'), *sess = getenv("SM_SETSID");

	/* SM_SETSID=1: a session (and process group) of its own before
	 * anything else, as setsid(1) in front would give, without that
	 * process: sm-transcribe asks it of its own stages.  Not passed on to
	 * the processes this one starts.  A process group leader cannot
	 * (EPERM) and stays where it is. */
	if (sess != NULL) {
		if (strcmp(sess, "1") == 0)
			(void)setsid();
		unsetenv("SM_SETSID");
	}
	progname = slash ? slash + 1 : name;
	/* A reader that goes away must give us EPIPE, so that the loss of
	 * output is reported and exits 74, not a silent death by signal. */
	signal(SIGPIPE, SIG_IGN);
	follow_job();
}

const char *
sm_progname(void)
{
	return progname;
}

static void
vwarn(int with_errno, const char *fmt, va_list ap)
{
	int e = errno;

	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	if (with_errno)
		fprintf(stderr, ": %s", strerror(e));
	fputc('\n', stderr);
}

void
sm_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(0, fmt, ap);
	va_end(ap);
}

void
sm_warn_errno(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(1, fmt, ap);
	va_end(ap);
}

void
sm_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(0, fmt, ap);
	va_end(ap);
	exit(code);
}

void
sm_die_errno(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(1, fmt, ap);
	va_end(ap);
	exit(code);
}

void
sm_info(const char *fmt, ...)
{
	va_list ap;

	if (!sm_verbose)
		return;
	va_start(ap, fmt);
	vwarn(0, fmt, ap);
	va_end(ap);
}

void
sm_version_exit(void)
{
	printf("%s %s\n", progname, SM_VERSION);
	sm_close_stdout();
	exit(0);
}

void
sm_usage_exit(const char *text, int ok)
{
	fputs(text, ok ? stdout : stderr);
	if (ok) {
		sm_close_stdout();
		exit(0);
	}
	exit(SM_EX_USAGE);
}

const char *
sm_hyp_operand(const char *opt, const char *path, const char *stream, int argc, char **argv,
	       int optind, const char *usage)
{
	const char *name = NULL;

	if (argc - optind > 1)
		sm_usage_exit(usage, 0);
	if (path == NULL) {
		sm_warn("%s: missing (the %s stream of the same audio)", opt, stream);
		sm_usage_exit(usage, 0);
	}
	if (optind < argc)
		name = argv[optind];
	if (strcmp(path, "-") == 0 && (name == NULL || strcmp(name, "-") == 0)) {
		sm_warn("%s -: stdin already carries the hypothesis", opt);
		sm_usage_exit(usage, 0);
	}
	return name;
}

uint32_t
sm_hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

long
sm_opt_long(const char *opt, const char *arg, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end != '\0' || v < min || v > max)
		sm_die(SM_EX_USAGE, "%s: expected an integer from %ld to %ld, got '%s'",
		       opt, min, max, sm_clip(arg));
	return v;
}

double
sm_opt_double(const char *opt, const char *arg, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end != '\0' || !isfinite(v) || v < min || v > max)
		sm_die(SM_EX_USAGE, "%s: expected a number from %g to %g, got '%s'",
		       opt, min, max, sm_clip(arg));
	return v;
}

/* Rotating buffers: a message may show several values. */
#define CLIP_BUFS 4

const char *
sm_clip(const char *s)
{
	static char buf[CLIP_BUFS][SM_CLIP_MAX * 4 + 1];
	static unsigned next;
	char *out = buf[next++ % CLIP_BUFS];
	size_t o = 0, n = 0, cut = 0, run = 0;
	const unsigned char *p;

	if (s == NULL)
		return "(null)";
	for (p = (const unsigned char *)s; *p; p++) {
		/* Characters, not bytes: up to three UTF-8 continuation bytes
		 * belong to the character before them (bounded, whatever the
		 * bytes). */
		if ((*p & 0xC0) == 0x80 && run < 3) {
			run++;
		} else {
			run = 0;
			if (n == SM_CLIP_MAX - 3)
				cut = o;
			if (++n > SM_CLIP_MAX) {
				memcpy(out + cut, "...", 4);
				return out;
			}
		}
		/* a value never breaks the one line of its message */
		out[o++] = *p < 0x20 || *p == 0x7F ? '?' : (char)*p;
	}
	out[o] = '\0';
	return out;
}

const char *
sm_name(const char *path)
{
	return (path == NULL || strcmp(path, "-") == 0) ? "<stdin>" : path;
}

FILE *
sm_open_in(const char *path)
{
	FILE *f;

	if (path == NULL || strcmp(path, "-") == 0)
		return stdin;
	f = fopen(path, "rb");
	if (f == NULL)
		sm_die_errno(SM_EX_NOINPUT, "%s", path);
	return f;
}

void
sm_close_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		sm_die_errno(SM_EX_IOERR, "<stdout>");
}

void
sm_write_stdout(const void *buf, size_t n)
{
	if (n && fwrite(buf, 1, n, stdout) != n)
		sm_die_errno(SM_EX_IOERR, "<stdout>");
}

long
sm_read_full(FILE *f, void *buf, size_t n)
{
	size_t got = fread(buf, 1, n, f);

	if (got < n && ferror(f))
		return -1;
	return (long)got;
}

/* ---- large buffers ------------------------------------------------------ */

/* A block starts with its header; the caller's bytes follow it.  Blocks of
 * 128 KiB or more are anonymous mappings aligned to, and in multiples of,
 * 2 MiB and advised into transparent huge pages: one fault per 2 MiB
 * instead of one per 4 KiB page (faults are costly under virtualisation).
 * Smaller blocks come from calloc. */
#define BIG_MIN (128u << 10)
#define BIG_HUGE ((size_t)2 << 20)
#define BIG_HDR 64

struct big_hdr {
	size_t cap;		/* bytes after the header */
	size_t map;		/* bytes mapped, 0 for calloc */
};

void *
sm_big_alloc(size_t n)
{
	struct big_hdr *h;
	size_t len, extra;
	unsigned char *p, *a;

	if (n > SIZE_MAX / 2 - BIG_HUGE)
		return NULL;
	if (n + BIG_HDR < BIG_MIN) {
		h = calloc(1, n + BIG_HDR);
		if (h == NULL)
			return NULL;
		h->cap = n;
		h->map = 0;
		return (unsigned char *)h + BIG_HDR;
	}
	len = (n + BIG_HDR + BIG_HUGE - 1) & ~(BIG_HUGE - 1);
	p = mmap(NULL, len + BIG_HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* trim to a 2 MiB boundary */
	a = (unsigned char *)(((uintptr_t)p + BIG_HUGE - 1) & ~(uintptr_t)(BIG_HUGE - 1));
	extra = (size_t)(a - p);
	if (extra)
		munmap(p, extra);
	if (BIG_HUGE - extra)
		munmap(a + len, BIG_HUGE - extra);
#ifdef MADV_HUGEPAGE
	(void)madvise(a, len, MADV_HUGEPAGE);
#endif
	h = (struct big_hdr *)a;
	h->cap = len - BIG_HDR;
	h->map = len;
	return a + BIG_HDR;
}

void *
sm_big_realloc(void *p, size_t n)
{
	struct big_hdr *h;
	void *q;

	if (p == NULL)
		return sm_big_alloc(n);
	h = (struct big_hdr *)((unsigned char *)p - BIG_HDR);
	if (n <= h->cap)
		return p;
	q = sm_big_alloc(n);
	if (q == NULL)
		return NULL;
	memcpy(q, p, h->cap);
	sm_big_free(p);
	return q;
}

void
sm_big_free(void *p)
{
	struct big_hdr *h;

	if (p == NULL)
		return;
	h = (struct big_hdr *)((unsigned char *)p - BIG_HDR);
	if (h->map)
		munmap(h, h->map);
	else
		free(h);
}

void *
sm_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	return p;
}

char *
sm_xstrdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	return d;
}

double
sm_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

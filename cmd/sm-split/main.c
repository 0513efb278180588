/* sm-split: recognise a long FEAT stream in chunks cut at pauses, several
 * at a time, each by its own pipeline of stages, and join their best paths
 * into one (sm-split(1)). */
#define _GNU_SOURCE		/* pipe2, close_range */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sm.h"

static const char usage[] =
	"sm-split: recognise a FEAT stream in chunks cut at pauses, N at a time, and join\n"
	"          their #sm-hyp 1 best paths into one\n"
	"Usage: sm-split [-j N] [OPTIONS] -c CMD [-c CMD]... [FEAT | -]\n"
	"e.g.:  sm-decode talk.wav | sm-features | sm-split -j 2 -c sm-am -c sm-lattice | sm-format\n"
	"  -c, --command CMD   a stage of each chunk's pipeline, a sh(1) command line; the\n"
	"                      first reads the chunk's FEAT stream, the last writes #sm-hyp 1\n"
	"  -j, --jobs N        chunks recognised at the same time (default 1: one chunk)\n"
	"      --min-input S   inputs shorter than S seconds are one chunk (default 60)\n"
	"      --chunk-min S   the shortest chunk, in seconds (default 10)\n"
	"      --chunk-max S   the longest chunk, in seconds (default 300)\n"
	"      --input3 FILE   read FILE once; every stage gets its content on fd 3\n"
	"      --carry         each chunk's stages get on fd 4 what the chunk before wrote\n"
	"                      on its fd 5 (a pipe; the first chunk: an empty stream)\n"
	"      --progress FILE write \"DONE TOTAL\" lines (seconds of audio) to FILE\n"
	"  -v, --verbose       say where each chunk starts and ends, and when it is done\n"
	"  -h, --help          show this help\n"
	"      --version       show the version\n";

#define MAX_STAGES 8
#define SMOOTH 15		/* frames either side of a pause candidate */

struct buf {
	char *p;
	size_t n, cap;
};

struct stage {
	pid_t pid;
	int code;		/* exit status, or 128 + signal */
	int err_fd, in3_fd;	/* its stderr (read here), its fd 3 (written) */
	size_t in3_off;
	struct buf err;
};

struct chunk {
	long first, end;	/* frames [first, end); end -1: to the input's end */
	long sent;		/* frames written to the first stage */
	unsigned char hdr[SM_STREAM_HDR_LEN];
	size_t hdr_off, part;	/* header bytes written; bytes of a frame */
	int in_fd, out_fd;	/* to the first stage, from the last */
	int broken;		/* the first stage stopped reading */
	pid_t pgid;
	int live;		/* stages not reaped yet */
	int done;		/* every stage reaped and every pipe at EOF */
	double t0;		/* when it started (sm_now) */
	struct buf out;
	struct stage st[MAX_STAGES];
};

static const char *cmds[MAX_STAGES];
static int ncmd, jobs = 1;
static double min_input = 60, chunk_min = 10, chunk_max = 300;
/* The first chunk's longest target, seconds (see cut). */
#define FIRST_MAX 60.0
static char *in3;
static size_t in3_len;
static int carry;		/* --carry */
static int carry_rd = -1;	/* the last chunk's fd 5, read end, for the next */

static struct sm_stream_hdr hdr;
static size_t fb;		/* bytes per frame */
static const char *in_name;
static int in_fd;
static unsigned char *fr;	/* frames [base, nread) of the input */
static size_t fr_cap;		/* frames fr holds */
static long base, nread;
static int eof;
static unsigned char part[4096];	/* a frame's first bytes, read short */
static size_t part_n;

static struct chunk *ch;
static int nch, chcap;
static long next_first;		/* where the next chunk starts; -1: none */
#define CUT_MORE (-2)		/* cut(): the frames read are too few to tell */
static long next_end = CUT_MORE;	/* where it ends: next_cut() */
static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

static double
secs(long frame)
{
	return ((double)hdr.start_sample + (double)frame * hdr.frame_shift) /
	       hdr.sample_rate;
}

static void
buf_add(struct buf *b, const char *p, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		if (!(b->p = realloc(b->p, b->cap)))
			sm_die(SM_EX_SOFTWARE, "out of memory");
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
}

/* The frame before which no chunk needs frames any more. */
static long
low_water(void)
{
	long low = next_first >= 0 ? next_first : nread;

	for (int i = 0; i < nch; i++)
		if (ch[i].in_fd >= 0 && ch[i].first + ch[i].sent < low)
			low = ch[i].first + ch[i].sent;
	return low;
}

static void stop_all(void);

/* SIGTERM, SIGINT or SIGHUP came: stop the chunks, then die by it. */
static void
check_signal(void)
{
	if (!got_signal)
		return;
	stop_all();
	signal(got_signal, SIG_DFL);
	raise(got_signal);
}

/* A header that gives the frame count must give the right one: the
 * chunks' headers are made from it. */
static void
count_check(void)
{
	if (hdr.n_frames == 0 || ((uint64_t)nread <= hdr.n_frames &&
				  (!eof || (uint64_t)nread == hdr.n_frames)))
		return;
	stop_all();
	sm_die(SM_EX_DATAERR, "%s: stream has %s%ld frames, its header says %llu",
	       sm_name(in_name), eof ? "" : "more than ", eof ? nread : (long)hdr.n_frames,
	       (unsigned long long)hdr.n_frames);
}

/* One read(2) of the input into the frame buffer; 0 at its end. */
static int
read_some(void)
{
	long low = low_water();
	size_t room;
	ssize_t got;

	/* Frames no chunk needs are dropped once they are half the buffer. */
	if (low - base > (long)fr_cap / 2) {
		memmove(fr, fr + (size_t)(low - base) * fb, (size_t)(nread - low) * fb);
		base = low;
	}
	if ((size_t)(nread - base) + 1024 > fr_cap) {
		fr_cap = fr_cap ? 2 * fr_cap : 65536;
		if (!(fr = realloc(fr, fr_cap * fb)))
			sm_die(SM_EX_SOFTWARE, "out of memory");
	}
	room = (fr_cap - (size_t)(nread - base)) * fb;
	/* A frame's bytes may arrive in pieces: they gather in part[]. */
	if (part_n > 0)
		room = fb - part_n;
	do
		got = read(in_fd, part_n > 0 ? part + part_n :
			   fr + (size_t)(nread - base) * fb, room);
	while (got < 0 && errno == EINTR && !got_signal);
	if (got < 0) {
		if (errno == EINTR) {
			/* A signal while waiting for input: stop now. */
			check_signal();
			return 1;
		}
		stop_all();
		sm_die_errno(SM_EX_IOERR, "%s", sm_name(in_name));
	}
	if (got == 0) {
		if (part_n > 0) {
			stop_all();
			sm_die(SM_EX_DATAERR, "%s: frame %ld cut short at the end of the "
			       "stream (%zu of %zu bytes)", sm_name(in_name), nread,
			       part_n, fb);
		}
		eof = 1;
		count_check();
		return 0;
	}
	if (part_n > 0 || (size_t)got % fb) {
		size_t whole, rest;

		if (part_n > 0) {
			part_n += (size_t)got;
			if (part_n < fb)
				return 1;
			memcpy(fr + (size_t)(nread - base) * fb, part, fb);
			nread++;
			part_n = 0;
			count_check();
			return 1;
		}
		whole = (size_t)got / fb;
		rest = (size_t)got % fb;
		memcpy(part, fr + (size_t)(nread - base) * fb + whole * fb, rest);
		part_n = rest;
		nread += (long)whole;
		count_check();
		return 1;
	}
	nread += (long)((size_t)got / fb);
	count_check();
	return 1;
}

static float
c0(long t)
{
	uint32_t u = sm_get_le32(fr + (size_t)(t - base) * fb);
	float f;

	memcpy(&f, &u, sizeof f);
	return f;
}

/*
 * Where the chunk that starts at frame s ends: -1 for the rest of the
 * input, else the middle of the quietest stretch of 2 SMOOTH + 1 frames
 * (the lowest mean c0, the features' energy term) within a quarter of the
 * chunk's length (at least 3 s, at most 15 s) of its target length.  The
 * target shrinks as the input is used up (remaining / 2N, within
 * --chunk-min and --chunk-max), so that the last chunks are short and the
 * pipelines end together.  CUT_MORE while the frames read are too few to
 * tell (it reads none itself: the main loop reads the input while it
 * feeds the chunks, so that a chunk's cut is looked for beside them).
 */
static long
cut(long s)
{
	double rate = (double)hdr.sample_rate / hdr.frame_shift;
	long cmin = (long)(chunk_min * rate), cmax = (long)(chunk_max * rate);
	long total, len, w, t, lo, hi, best = -1;
	double sum = 0, bsum = 0;

	if (cmin < 1)
		cmin = 1;
	if (cmax < cmin)
		cmax = cmin;
	/* Long enough to cut at all (the first chunk only). */
	if (jobs == 1)
		return -1;
	if (s == 0) {
		if (nread < (long)(min_input * rate))
			return eof ? -1 : CUT_MORE;
	}
	total = eof ? nread : (long)hdr.n_frames;
	len = cmax;
	if (total > s) {
		len = (total - s) / (2 * jobs);
		len = len < cmin ? cmin : len > cmax ? cmax : len;
		/* The first chunk starts once its cut is found: at most a
		 * minute's target keeps the other CPUs from waiting while the
		 * stages before read a quarter of the input. */
		if (s == 0 && len > (long)(FIRST_MAX * rate))
			len = (long)(FIRST_MAX * rate) > cmin ? (long)(FIRST_MAX * rate) : cmin;
		if (total - s - len < cmin)
			return -1;
	}
	/* A quarter of the length, at least 3 s (a pause within reach of a
	 * short chunk's target), at most 15 s. */
	w = len / 4;
	if (w < (long)(3 * rate))
		w = (long)(3 * rate);
	if (w > (long)(15 * rate))
		w = (long)(15 * rate);
	if (!eof && nread < s + len + w + SMOOTH + 1 + cmin)
		return CUT_MORE;
	if (nread - s - len < cmin)
		return -1;
	lo = s + len - w;
	hi = s + len + w;
	if (lo - SMOOTH < s)
		lo = s + SMOOTH;
	if (hi + SMOOTH >= nread)
		hi = nread - SMOOTH - 1;
	if (hi < lo)
		return s + len;
	for (t = lo - SMOOTH; t <= lo + SMOOTH; t++)
		sum += c0(t);
	for (t = lo; t <= hi; t++) {
		if (best < 0 || sum < bsum) {
			best = t;
			bsum = sum;
		}
		if (t + SMOOTH + 1 < nread)
			sum += c0(t + SMOOTH + 1) - c0(t - SMOOTH);
	}
	return best;
}

static void
nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void
xpipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC) != 0)
		sm_die_errno(SM_EX_SOFTWARE, "pipe");
}

/* Start the pipeline of a chunk: its stages in one process group of their
 * own, so that stopping the chunk stops a stage's children too. */
static void
start(struct chunk *c, int id)
{
	int p[2], prev, cin = -1, cout = -1;
	char idbuf[32];
	sigset_t stop, mask;

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	snprintf(idbuf, sizeof idbuf, "%d", id);
	if (carry) {
		/* fd 4: the chunk before's fd 5; fd 5: a pipe to the next
		 * chunk, none after the last (which takes the rest). */
		cin = carry_rd >= 0 ? carry_rd : open("/dev/null", O_RDONLY | O_CLOEXEC);
		carry_rd = -1;
		if (c->end >= 0) {
			int cp[2];

			if (pipe2(cp, O_CLOEXEC) != 0)
				sm_die_errno(SM_EX_SOFTWARE, "pipe");
			cout = cp[1];
			carry_rd = cp[0];
		} else {
			cout = open("/dev/null", O_WRONLY | O_CLOEXEC);
		}
		if (cin < 0 || cout < 0)
			sm_die_errno(SM_EX_SOFTWARE, "/dev/null");
	}
	xpipe(p);
	c->in_fd = p[1];
	prev = p[0];
	nonblock(c->in_fd);
	for (int i = 0; i < ncmd; i++) {
		struct stage *st = &c->st[i];
		int out[2], err[2], p3[2] = {-1, -1};
		pid_t pid;

		xpipe(out);
		xpipe(err);
		if (in3)
			xpipe(p3);
		/* The stop signals wait, blocked, until the child has the
		 * default action for them: one that came before would run
		 * this process's handler in the child and be lost there. */
		sigprocmask(SIG_BLOCK, &stop, &mask);
		if ((pid = fork()) < 0)
			sm_die_errno(SM_EX_SOFTWARE, "fork");
		if (pid == 0) {
			setpgid(0, c->pgid);
			/* SIGPIPE is ignored here (sm_init); a stage starts
			 * with the default, as from a shell. */
			signal(SIGPIPE, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			signal(SIGHUP, SIG_DFL);
			sigprocmask(SIG_SETMASK, &mask, NULL);
			if (dup2(prev, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
				_exit(70);
			/* fds 3 to 5 from copies above them: a pipe's own
			 * number may be one of them */
			if (in3 && ((p3[0] = fcntl(p3[0], F_DUPFD, 10)) < 0))
				_exit(70);
			if (carry && ((cin = fcntl(cin, F_DUPFD, 10)) < 0 ||
				      (cout = fcntl(cout, F_DUPFD, 10)) < 0))
				_exit(70);
			if ((in3 && dup2(p3[0], 3) < 0) ||
			    (carry && (dup2(cin, 4) < 0 || dup2(cout, 5) < 0)))
				_exit(70);
			close_range(carry ? 6 : in3 ? 4 : 3, ~0U, 0);
			if (carry && !in3)
				close(3);
			setenv("SM_CHUNK", idbuf, 1);
			execl("/bin/sh", "sh", "-c", cmds[i], (char *)NULL);
			_exit(127);
		}
		if (c->pgid == 0)
			c->pgid = pid;
		setpgid(pid, c->pgid);
		sigprocmask(SIG_SETMASK, &mask, NULL);
		st->pid = pid;
		st->code = -1;
		close(prev);
		close(err[1]);
		st->err_fd = err[0];
		nonblock(st->err_fd);
		st->in3_fd = -1;
		if (in3) {
			close(p3[0]);
			st->in3_fd = p3[1];
			nonblock(st->in3_fd);
		}
		if (i + 1 < ncmd) {
			prev = out[0];
			close(out[1]);
		} else {
			close(out[1]);
			c->out_fd = out[0];
			nonblock(c->out_fd);
		}
		c->live++;
	}
	if (carry) {
		close(cin);
		close(cout);
	}
}

/* cut(next_first), found once the frames read tell. */
static long
next_cut(void)
{
	if (next_end == CUT_MORE && (eof || nread > next_first))
		next_end = cut(next_first);
	return next_end;
}

/* The next chunk, from next_first to next_end. */
static void
new_chunk(void)
{
	struct chunk *c;
	struct sm_stream_hdr h = hdr;

	if (nch == chcap) {
		chcap = chcap ? 2 * chcap : 16;
		if (!(ch = realloc(ch, (size_t)chcap * sizeof *ch)))
			sm_die(SM_EX_SOFTWARE, "out of memory");
	}
	c = &ch[nch];
	memset(c, 0, sizeof *c);
	c->first = next_first;
	c->end = next_end;
	c->in_fd = c->out_fd = -1;
	next_first = c->end;
	next_end = CUT_MORE;
	/* Its frames are timed from where it starts in the audio. */
	h.start_sample += (uint64_t)c->first * hdr.frame_shift;
	if (c->end >= 0)
		h.n_frames = (uint64_t)(c->end - c->first);
	else if (hdr.n_frames > (uint64_t)c->first)
		h.n_frames -= (uint64_t)c->first;
	else
		h.n_frames = 0;
	sm_hdr_encode(c->hdr, &h);
	nch++;
	c->t0 = sm_now();
	start(c, nch);
	if (c->end >= 0)
		sm_info("chunk %d: %.2f to %.2f s, process group %ld", nch,
			secs(c->first), secs(c->end), (long)c->pgid);
	else
		sm_info("chunk %d: %.2f s to the end, process group %ld", nch,
			secs(c->first), (long)c->pgid);
}

/* The frame after the chunk's last, as far as the input has been read
 * for the last chunk, whose end is the input's. */
static long
chunk_end(const struct chunk *c)
{
	return c->end >= 0 ? c->end : nread;
}

/* --carry: the chunk's frames all written, its stages but the last
 * exited. */
static int
finishing(const struct chunk *c)
{
	if (c->in_fd >= 0)
		return 0;
	for (int k = 0; k + 1 < ncmd; k++)
		if (c->st[k].code < 0)
			return 0;
	return 1;
}

static void
stop_all(void)
{
	for (int i = 0; i < nch; i++)
		if (!ch[i].done)
			kill(-ch[i].pgid, SIGTERM);
}

/* Write what the chunk's first stage can take now. */
static void
feed(struct chunk *c)
{
	for (;;) {
		const unsigned char *p;
		size_t n;
		ssize_t w;
		long avail = chunk_end(c) - c->first - c->sent;

		if (c->hdr_off < sizeof c->hdr) {
			p = c->hdr + c->hdr_off;
			n = sizeof c->hdr - c->hdr_off;
		} else if (avail > 0) {
			p = fr + (size_t)(c->first + c->sent - base) * fb + c->part;
			n = (size_t)avail * fb - c->part;
		} else {
			if (c->end >= 0 || eof) {
				close(c->in_fd);
				c->in_fd = -1;
			}
			return;
		}
		w = write(c->in_fd, p, n);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			/* EPIPE: the stage stopped reading; its status says why. */
			c->broken = 1;
			close(c->in_fd);
			c->in_fd = -1;
			return;
		}
		if (c->hdr_off < sizeof c->hdr) {
			c->hdr_off += (size_t)w;
			continue;
		}
		c->part += (size_t)w;
		c->sent += (long)(c->part / fb);
		c->part %= fb;
	}
}

static void
drain(int *fd, struct buf *b)
{
	char tmp[65536];
	ssize_t got;

	while ((got = read(*fd, tmp, sizeof tmp)) > 0)
		buf_add(b, tmp, (size_t)got);
	if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
		close(*fd);
		*fd = -1;
	}
}

static void
reap(void)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (int i = 0; i < nch; i++)
			for (int k = 0; k < ncmd; k++)
				if (ch[i].st[k].pid == pid) {
					ch[i].st[k].code = WIFSIGNALED(status) ?
						128 + WTERMSIG(status) : WEXITSTATUS(status);
					ch[i].live--;
				}
}

/* A stage's stderr without the lines of a broken pipe, which only say
 * that its reader went away. */
static void
put_err(const struct buf *b)
{
	const char *p = b->p, *nl;

	while (p && *p) {
		size_t n;

		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p + 1) : strlen(p);
		if (!(n >= 13 && memcmp(p + n - (nl ? 13 : 12), ": Broken pipe", 12) == 0))
			fwrite(p, 1, n, stderr);
		p += n;
	}
}

/*
 * A chunk whose stages have all ended: blame the first real failure in
 * pipeline order, as sm-transcribe(1) does for the job's stages.  A broken
 * pipe (exit 74, or SIGPIPE) is the consequence of the reader going away;
 * a stage that exits 0 after a broken pipe before it stopped reading too
 * early.  Exits on a failure, after stopping the other chunks.
 */
static void
judge(struct chunk *c, int id)
{
	int blame = -1, pipe_st = -1, early = -1;
	const char *why = NULL;
	char line[128];

	if (c->broken)
		pipe_st = -2;
	for (int k = 0; k < ncmd; k++) {
		int code = c->st[k].code;

		if (code == 74 || code == 128 + SIGPIPE) {
			if (blame < 0)
				pipe_st = k;
		} else if (code == 0) {
			if (pipe_st != -1 && early < 0)
				early = k;
		} else if (blame < 0)
			blame = k;
	}
	if (blame < 0 && early >= 0)
		blame = early, why = "exited before reading all of its input";
	if (blame < 0 && pipe_st >= 0)
		blame = pipe_st;
	if (blame < 0)
		return;
	stop_all();
	put_err(&c->st[blame].err);
	{
		int code = c->st[blame].code;

		if (!why && code > 128) {
			snprintf(line, sizeof line, "killed by signal %d (SIG%s)", code - 128,
				 sigabbrev_np(code - 128) ? sigabbrev_np(code - 128) : "?");
			why = line;
		} else if (!why && (code < 65 || code > 78 || c->st[blame].err.n == 0)) {
			snprintf(line, sizeof line, "failed with exit status %d", code);
			why = line;
		}
		if (!why)
			exit(code);
		sm_warn("chunk %d (%.2f to %.2f s): %s: %s", id, secs(c->first),
			secs(chunk_end(c)), sm_clip(cmds[blame]), why);
		exit(code >= 65 && code <= 78 && c->st[blame].err.n == 0 ? code : SM_EX_SOFTWARE);
	}
}

/* A chunk's output must be a whole #sm-hyp 1 document, "#end" a line of
 * its own (after the header's newline or an item's). */
static void
check_doc(const struct chunk *c, int id)
{
	static const char head[] = "#sm-hyp 1\n";
	const char *p = c->out.p ? c->out.p : "", *end = p + c->out.n;

	if (strncmp(p, head, sizeof head - 1) == 0 && c->out.n >= 5 + sizeof head - 1 &&
	    strcmp(end - 5, "#end\n") == 0 && end[-6] == '\n')
		return;
	stop_all();
	sm_die(SM_EX_SOFTWARE, "chunk %d (%.2f to %.2f s): the output of %s is "
	       "not a whole #sm-hyp 1 document (from \"#sm-hyp 1\" to \"#end\")",
	       id, secs(c->first), secs(chunk_end(c)), sm_clip(cmds[ncmd - 1]));
}

/* The best paths of all the chunks, in order, as one #sm-hyp 1 document:
 * the items, without each chunk's header, #end and comment lines. */
static void
flush(void)
{
	fputs("#sm-hyp 1\n", stdout);
	for (int i = 0; i < nch; i++) {
		const char *p = ch[i].out.p, *end = p + ch[i].out.n - 5, *q;

		for (p += sizeof "#sm-hyp 1\n" - 1; p < end; p = q + 1) {
			q = memchr(p, '\n', (size_t)(end - p));
			if (*p != '#')
				fwrite(p, 1, (size_t)(q - p + 1), stdout);
		}
	}
	fputs("#end\n", stdout);
}

static FILE *prog;
static double prog_last = -1;

static void
progress(int last)
{
	long done = 0;
	double total;

	if (!prog)
		return;
	for (int i = 0; i < nch; i++)
		done += ch[i].sent;
	total = eof ? nread : (double)hdr.n_frames;
	if (!last && prog_last >= 0 && done - prog_last < (total > 0 ? total / 200 : 1000))
		return;
	prog_last = done;
	if (total > 0)
		fprintf(prog, "%.1f %.1f\n", secs(done) - secs(0), secs((long)total) - secs(0));
	else
		fprintf(prog, "%.1f -\n", secs(done) - secs(0));
	if (fflush(prog) != 0) {
		fclose(prog);
		prog = NULL;
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"command", required_argument, NULL, 'c'},
		{"jobs", required_argument, NULL, 'j'},
		{"min-input", required_argument, NULL, 'I'},
		{"chunk-min", required_argument, NULL, 'm'},
		{"chunk-max", required_argument, NULL, 'M'},
		{"input3", required_argument, NULL, '3'},
		{"carry", no_argument, NULL, 'C'},
		{"progress", required_argument, NULL, 'P'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	const char *in3_path = NULL, *prog_path = NULL;
	struct sigaction sa;
	FILE *in;
	int opt;

	sm_init(argv[0]);
	while ((opt = getopt_long(argc, argv, "c:j:hv", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (ncmd == MAX_STAGES)
				sm_die(SM_EX_USAGE, "-c: at most %d stages", MAX_STAGES);
			cmds[ncmd++] = optarg;
			break;
		case 'j': jobs = (int)sm_opt_long("-j", optarg, 1, 64); break;
		case 'I': min_input = sm_opt_double("--min-input", optarg, 0, 1e6); break;
		case 'm': chunk_min = sm_opt_double("--chunk-min", optarg, 0.1, 1e6); break;
		case 'M': chunk_max = sm_opt_double("--chunk-max", optarg, 0.1, 1e6); break;
		case '3': in3_path = optarg; break;
		case 'C': carry = 1; break;
		case 'P': prog_path = optarg; break;
		case 'v': sm_verbose = 1; break;
		case 'h': sm_usage_exit(usage, 1);
		case 'V': sm_version_exit();
		default: sm_usage_exit(usage, 0);
		}
	}
	if (argc - optind > 1)
		sm_usage_exit(usage, 0);
	if (chunk_min > chunk_max) {
		sm_warn("--chunk-min %g: more than --chunk-max %g", chunk_min, chunk_max);
		sm_usage_exit(usage, 0);
	}
	if (ncmd == 0) {
		sm_warn("-c: missing (the stages of each chunk's pipeline)");
		sm_usage_exit(usage, 0);
	}
	if (optind < argc)
		in_name = argv[optind];
	if (in3_path)
		in3 = sm_read_all(in3_path, SM_VOCAB_MAX_BYTES + 1, "--input3", &in3_len);
	in = sm_open_in(in_name);
	/* Unbuffered: stdio reads the header and nothing after it; the
	 * frames are read with read(2). */
	setvbuf(in, NULL, _IONBF, 0);
	sm_hdr_read_or_die(in, in_name, &hdr, SM_KIND_FEAT);
	if (hdr.sample_type != SM_F32 || hdr.frame_shift == 0 || hdr.sample_rate == 0)
		sm_die(SM_EX_DATAERR, "%s: expected float32 frames with a frame shift and "
		       "a sample rate", sm_name(in_name));
	fb = sm_frame_bytes(&hdr);
	if (fb == 0 || fb > sizeof part)
		sm_die(SM_EX_DATAERR, "%s: %zu bytes per frame: not a FEAT stream of this "
		       "toolchain", sm_name(in_name), fb);
	in_fd = fileno(in);
	if (prog_path && !(prog = fopen(prog_path, "w")))
		sm_die_errno(SM_EX_IOERR, "--progress: %s", prog_path);
	progress(0);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	for (;;) {
		struct pollfd pf[1 + 2 * 64 * (2 + 2 * MAX_STAGES)];
		void *who[1 + 2 * 64 * (2 + 2 * MAX_STAGES)];
		int np = 0, running = 0, alive = 0, want_in = 0;

		check_signal();
		/* --carry: a chunk whose frames have all been written and
		 * whose stages but the last have exited is finishing its last
		 * frames or waiting for the chunk before it, idle: it leaves
		 * its place to the next, and at most n such chunks wait at
		 * once. */
		for (int i = 0; i < nch; i++) {
			alive += !ch[i].done;
			running += !ch[i].done && (!carry || !finishing(&ch[i]));
		}
		while (running < jobs && alive < 2 * jobs && next_first >= 0) {
			/* An input without frames is still one chunk. */
			if (next_first >= nread && eof && nch > 0)
				break;
			if (next_cut() == CUT_MORE)
				break;
			new_chunk();
			running++;
			alive++;
		}
		/* The next chunk's frames are read while the chunks run, so
		 * that it can start as soon as one ends: up to its cut (at
		 * most --chunk-max and 15 s ahead). */
		if (next_first >= 0 && next_cut() == CUT_MORE)
			want_in = 1;
		if (next_first >= 0 && next_first >= nread && eof)
			next_first = -1;
		if (alive == 0 && next_first < 0)
			break;
		for (int i = 0; i < nch; i++) {
			struct chunk *c = &ch[i];

			if (c->done)
				continue;
			if (c->in_fd >= 0) {
				feed(c);
				if (c->in_fd >= 0) {
					if (c->hdr_off < sizeof c->hdr || c->end >= 0 ||
					    c->first + c->sent < nread) {
						pf[np] = (struct pollfd){c->in_fd, POLLOUT, 0};
						who[np++] = c;
					} else {
						want_in = 1;
					}
				}
			}
			if (c->out_fd >= 0) {
				pf[np] = (struct pollfd){c->out_fd, POLLIN, 0};
				who[np++] = &c->out_fd;
			}
			for (int k = 0; k < ncmd; k++) {
				struct stage *st = &c->st[k];

				if (st->err_fd >= 0) {
					pf[np] = (struct pollfd){st->err_fd, POLLIN, 0};
					who[np++] = &st->err_fd;
				}
				if (st->in3_fd >= 0) {
					pf[np] = (struct pollfd){st->in3_fd, POLLOUT, 0};
					who[np++] = &st->in3_fd;
				}
			}
		}
		if (want_in) {
			pf[np] = (struct pollfd){in_fd, POLLIN, 0};
			who[np++] = NULL;
		}
		if (poll(pf, (nfds_t)np, 100) < 0 && errno != EINTR)
			sm_die_errno(SM_EX_SOFTWARE, "poll");
		for (int n = 0; n < np; n++) {
			if (!pf[n].revents)
				continue;
			if (who[n] == NULL) {
				read_some();
				continue;
			}
			for (int i = 0; i < nch; i++) {
				struct chunk *c = &ch[i];

				if (who[n] == c)
					feed(c);
				else if (who[n] == &c->out_fd)
					drain(&c->out_fd, &c->out);
				for (int k = 0; k < ncmd; k++) {
					struct stage *st = &c->st[k];

					if (who[n] == &st->err_fd)
						drain(&st->err_fd, &st->err);
					if (who[n] == &st->in3_fd) {
						ssize_t w = write(st->in3_fd, in3 + st->in3_off,
								  in3_len - st->in3_off);

						if (w > 0)
							st->in3_off += (size_t)w;
						if ((w < 0 && errno != EAGAIN && errno != EINTR) ||
						    st->in3_off == in3_len) {
							close(st->in3_fd);
							st->in3_fd = -1;
						}
					}
				}
			}
		}
		reap();
		for (int i = 0; i < nch; i++) {
			struct chunk *c = &ch[i];
			int open = c->out_fd >= 0;

			if (c->done || c->live > 0)
				continue;
			for (int k = 0; k < ncmd; k++)
				open |= c->st[k].err_fd >= 0;
			if (open)
				continue;
			for (int k = 0; k < ncmd; k++)
				if (c->st[k].in3_fd >= 0) {
					close(c->st[k].in3_fd);
					c->st[k].in3_fd = -1;
				}
			if (c->in_fd >= 0) {
				c->broken = 1;
				close(c->in_fd);
				c->in_fd = -1;
			}
			judge(c, i + 1);
			check_doc(c, i + 1);
			sm_info("chunk %d: done after %.2f s", i + 1, sm_now() - c->t0);
			c->done = 1;
		}
		progress(0);
	}
	progress(1);
	/* Every chunk has succeeded: their warnings, then the joined best
	 * path (nothing of it on a failure). */
	for (int i = 0; i < nch; i++)
		for (int k = 0; k < ncmd; k++)
			put_err(&ch[i].st[k].err);
	flush();
	sm_close_stdout();
	return 0;
}

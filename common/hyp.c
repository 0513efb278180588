/* hyp.c: the #sm-hyp 1 stream (sm-stream(5)) for the stages that add an
 * attribute to each line of a best path (sm-diarize, sm-volume): read
 * whole on a thread of its own, then split into lines and checked. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sm.h"

static void *
slurp_run(void *arg)
{
	struct sm_slurp *s = arg;
	size_t cap = 0, got;

	do {
		if (s->len + 65536 + 1 > cap) {
			char *b;

			cap = cap ? 2 * cap : 1 << 17;
			if ((b = realloc(s->buf, cap)) == NULL) {
				s->err = ENOMEM;
				return NULL;
			}
			s->buf = b;
		}
		got = fread(s->buf + s->len, 1, 65536, s->in);
		s->len += got;
	} while (got > 0);
	if (ferror(s->in))
		s->err = errno ? errno : EIO;
	s->buf[s->len] = '\0';
	return NULL;
}

void
sm_slurp_start(struct sm_slurp *s, FILE *in)
{
	memset(s, 0, sizeof *s);
	s->in = in;
	if (pthread_create(&s->tid, NULL, slurp_run, s) != 0)
		sm_die(SM_EX_SOFTWARE, "cannot start a thread");
}

char *
sm_slurp_end(struct sm_slurp *s, const char *name)
{
	pthread_join(s->tid, NULL);
	if (s->err == ENOMEM)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	if (s->err) {
		errno = s->err;
		sm_die_errno(SM_EX_IOERR, "%s", sm_name(name));
	}
	return s->buf;
}

static void
bad(const char *name, long line, const char *what)
{
	sm_die(SM_EX_DATAERR, "%s: line %ld: %s", sm_name(name), line, what);
}

double
sm_hyp_time(const char *s, char stop)
{
	char *e;
	double d;

	errno = 0;
	d = strtod(s, &e);
	if (e == s || *e != stop || errno || !(d >= 0) || d > 1e9)
		return -1;
	return d;
}

/* Does the field at f (ending at a tab or the end) equal word? */
static int
field_is(const char *f, const char *word)
{
	size_t n = strlen(word);

	return strncmp(f, word, n) == 0 && (f[n] == '\t' || f[n] == '\0');
}

/* Has the line p a field KEY=...? */
static int
has_key(const char *p, const char *key)
{
	size_t n = strlen(key);

	while ((p = strchr(p, '\t')) != NULL) {
		p++;
		if (strncmp(p, key, n) == 0 && p[n] == '=')
			return 1;
	}
	return 0;
}

void
sm_hyp_parse(struct sm_hyp *h, char *buf, const char *name, const char *key)
{
	double last = 0;
	int ended = 0;
	char *p = buf;

	while (*p) {
		char *nl = strchr(p, '\n'), *f[5];
		struct sm_hyp_line l = {p, 0, -1, 0, 0};
		long lineno = h->n + 1;
		int nf;

		if (nl == NULL)
			nl = p + strlen(p);
		else
			*nl++ = '\0';
		if (h->n == h->cap) {
			long cap = h->cap ? 2 * h->cap : 1024;
			struct sm_hyp_line *v = realloc(h->v, cap * sizeof *v);

			if (v == NULL)
				sm_die(SM_EX_SOFTWARE, "out of memory");
			h->v = v;
			h->cap = cap;
		}
		if (h->n == 0) {
			if (strcmp(p, "#sm-hyp 1") != 0)
				sm_die(SM_EX_DATAERR, "%s: expected a #sm-hyp 1 hypothesis "
				       "(sm-stream(5)), got \"%s\" (run sm-lattice first)",
				       sm_name(name), sm_clip(p));
		} else if (ended) {
			bad(name, lineno, "text after #end");
		} else if (strcmp(p, "#end") == 0) {
			ended = 1;
		} else if (p[0] != '#') {
			/* START END CONFIDENCE KIND WORD [KEY=VALUE...]: only the
			 * first five are looked at, in place; the line is written
			 * back whole. */
			char *q = p, msg[64];

			for (nf = 0; nf < 5 && q; nf++) {
				f[nf] = q;
				if ((q = strchr(q, '\t')) != NULL)
					q++;
			}
			if (nf < 5 || f[4][0] == '\0' || f[4][0] == '\t')
				bad(name, lineno, "expected START END CONFIDENCE KIND WORD "
				    "separated by tabs");
			l.start = sm_hyp_time(f[0], '\t');
			l.end = sm_hyp_time(f[1], '\t');
			if (l.start < 0 || l.end < l.start)
				bad(name, lineno, "bad START or END time");
			if (l.start < last)
				bad(name, lineno, "items out of time order");
			last = l.start;
			if (field_is(f[3], "word"))
				l.word = h->words++;
			else if (!field_is(f[3], "sil") && !field_is(f[3], "filler"))
				bad(name, lineno, "KIND must be word, sil or filler");
			if (key != NULL && has_key(p, key)) {
				snprintf(msg, sizeof msg, "already has a %.20s= field", key);
				bad(name, lineno, msg);
			}
			l.item = 1;
		}
		h->v[h->n++] = l;
		p = nl;
	}
	if (h->n == 0)
		sm_die(SM_EX_DATAERR, "%s: empty input, expected a #sm-hyp 1 "
		       "hypothesis (run sm-lattice first)", sm_name(name));
	if (!ended)
		sm_die(SM_EX_DATAERR, "%s: no #end line: the hypothesis was cut short",
		       sm_name(name));
}

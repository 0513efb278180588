/* hyp.c: the #sm-hyp 1 stream that sm-diarize labels (sm-stream(5)). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diar.h"
#include "sm.h"

static void
bad(const char *name, long line, const char *what)
{
	sm_die(SM_EX_DATAERR, "%s: line %ld: %s", sm_name(name), line, what);
}

/* A time field ending at a tab: seconds, or -1 if malformed. */
static double
time_field(const char *s)
{
	char *e;
	double d;

	errno = 0;
	d = strtod(s, &e);
	if (e == s || *e != '\t' || errno || !(d >= 0) || d > 1e9)
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

void
hyp_parse(struct hyp *h, char *buf, const char *name)
{
	double last = 0;
	int ended = 0;
	char *p = buf;

	while (*p) {
		char *nl = strchr(p, '\n'), *f[5];
		struct hyp_line l = {p, 0, -1, 0, 0};
		long lineno = h->n + 1;
		int nf;

		if (nl == NULL)
			nl = p + strlen(p);
		else
			*nl++ = '\0';
		if (h->n == h->cap) {
			long cap = h->cap ? 2 * h->cap : 1024;
			struct hyp_line *v = realloc(h->v, cap * sizeof *v);

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
			char *q = p;

			for (nf = 0; nf < 5 && q; nf++) {
				f[nf] = q;
				if ((q = strchr(q, '\t')) != NULL)
					q++;
			}
			if (nf < 5 || f[4][0] == '\0' || f[4][0] == '\t')
				bad(name, lineno, "expected START END CONFIDENCE KIND WORD "
				    "separated by tabs");
			l.start = time_field(f[0]);
			l.end = time_field(f[1]);
			if (l.start < 0 || l.end < l.start)
				bad(name, lineno, "bad START or END time");
			if (l.start < last)
				bad(name, lineno, "items out of time order");
			last = l.start;
			if (field_is(f[3], "word"))
				l.word = h->words++;
			else if (!field_is(f[3], "sil") && !field_is(f[3], "filler"))
				bad(name, lineno, "KIND must be word, sil or filler");
			if (strstr(p, "\tspeaker=") != NULL)
				bad(name, lineno, "already has a speaker= field");
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

void
hyp_frames(const struct hyp *h, double fps, double off, long nframes,
	   struct diar_word *w)
{
	double last_end = -1;

	for (long i = 0; i < h->n; i++) {
		const struct hyp_line *l = &h->v[i];
		long f0, f1;

		if (l->word < 0)
			continue;
		f0 = lround(l->start * fps - off);
		f1 = lround(l->end * fps - off);
		if (f0 < 0)
			f0 = 0;
		if (f1 > nframes)
			f1 = nframes;
		if (f0 > f1)
			f0 = f1;
		w[l->word].f0 = f0;
		w[l->word].f1 = f1;
		w[l->word].pause_before = last_end < 0 || l->start - last_end >= 0.25;
		last_end = l->end;
	}
}

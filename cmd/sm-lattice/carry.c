/* carry.c: the word cache from one chunk to the next (carry.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "carry.h"
#include "lm.h"
#include "search.h"
#include "sm.h"

/* The dictionary's spelling of each word of the custom vocabulary (LM
 * ids n_words .. n_words + n_class - 1), NULL where it has none. */
static const char **
class_names(const struct sm_lm *lm, const struct sm_search *srch, int **lens)
{
	const char **name;
	int i, len, kind, n = sm_search_n_words(srch);

	name = calloc(lm->n_class + 1, sizeof *name);
	*lens = calloc(lm->n_class + 1, sizeof **lens);
	if (name == NULL || *lens == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	for (i = 0; i < n; i++) {
		int id = sm_search_lmid(srch, i);
		const char *w;

		if (id < 0 || (uint32_t)id < lm->n_words || (uint32_t)id >= lm->n_words + lm->n_class)
			continue;
		w = sm_search_word(srch, i, &len, &kind);
		if (name[id - lm->n_words] == NULL && len > 0) {
			name[id - lm->n_words] = w;
			(*lens)[id - lm->n_words] = len;
		}
	}
	return name;
}

void
carry_write(const struct sm_cache *c, struct sm_lm *lm, const struct sm_search *srch,
	    FILE *f, const char *path)
{
	const char **cname = NULL;
	int *clen = NULL;
	uint32_t w;

	if (c->c != NULL && lm->words == NULL && sm_lm_index(lm) != 0)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	fputs("#sm-cache 1\n", f);
	if (c->c != NULL) {
		fprintf(f, "scale %.17g\ntotal %.17g\n", c->g, c->total);
		for (w = 0; w < c->n; w++) {
			if (c->c[w] == 0)
				continue;
			if (w < lm->n_words) {
				if (lm->words[w] != NULL)
					fprintf(f, "%s %.9g\n", lm->words[w], (double)c->c[w]);
				continue;
			}
			if (cname == NULL)
				cname = class_names(lm, srch, &clen);
			if (cname[w - lm->n_words] != NULL)
				fprintf(f, "%.*s %.9g\n", clen[w - lm->n_words],
					cname[w - lm->n_words], (double)c->c[w]);
		}
	}
	fputs("#end\n", f);
	free(cname);
	free(clen);
	if (fflush(f) != 0 || ferror(f))
		sm_die_errno(SM_EX_IOERR, "%s", sm_name(path));
}

/* A number of a "#sm-cache 1" line: dies naming path and line if s is
 * not one, or not in range. */
static double
number(const char *s, const char *path, long ln, double lo)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !(x >= lo) || x > 1e300)
		sm_die(SM_EX_DATAERR, "%s: line %ld: expected a number of at least %g, got \"%s\"",
		       sm_name(path), ln, lo, sm_clip(s));
	return x;
}

void
carry_read(struct sm_cache *c, struct sm_lm *lm, const struct sm_search *srch,
	   FILE *f, const char *path)
{
	char line[4096];
	const char **cname = NULL;
	int *clen = NULL, have_end = 0;
	long ln = 0, n = 0, unknown = 0;
	double g = 1, total = 0;

	if (lm->words == NULL && sm_lm_index(lm) != 0)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	if (fgets(line, sizeof line, f) == NULL) {
		if (ferror(f))
			sm_die_errno(SM_EX_IOERR, "%s", sm_name(path));
		sm_info("%s: no cache (an empty stream)", sm_name(path));
		return;
	}
	ln = 1;
	if (strcmp(line, "#sm-cache 1\n") != 0)
		sm_die(SM_EX_DATAERR, "%s: expected a #sm-cache 1 stream", sm_name(path));
	if (c->c != NULL)
		memset(c->c, 0, sizeof *c->c * c->n);
	while (fgets(line, sizeof line, f) != NULL) {
		char *sp, *nl = strchr(line, '\n');
		double x;
		int id;

		ln++;
		if (have_end)
			sm_die(SM_EX_DATAERR, "%s: line %ld: a line after #end", sm_name(path), ln);
		if (nl == NULL)
			sm_die(SM_EX_DATAERR, "%s: line %ld: too long or not ended", sm_name(path), ln);
		*nl = '\0';
		if (strcmp(line, "#end") == 0) {
			have_end = 1;
			continue;
		}
		sp = strchr(line, ' ');
		if (sp == NULL || sp == line)
			sm_die(SM_EX_DATAERR, "%s: line %ld: expected WORD COUNT", sm_name(path), ln);
		*sp++ = '\0';
		if (strcmp(line, "scale") == 0) {
			g = number(sp, path, ln, 1e-300);
			continue;
		}
		if (strcmp(line, "total") == 0) {
			total = number(sp, path, ln, 0);
			continue;
		}
		id = sm_lm_word(lm, line);
		if (id < 0 && lm->n_class > 0) {
			uint32_t k, len = (uint32_t)strlen(line);

			if (cname == NULL)
				cname = class_names(lm, srch, &clen);
			for (k = 0; k < lm->n_class; k++)
				if (cname[k] != NULL && (uint32_t)clen[k] == len &&
				    memcmp(cname[k], line, len) == 0)
					break;
			if (k < lm->n_class)
				id = (int)(lm->n_words + k);
		}
		if (id < 0 || (uint32_t)id >= c->n) {
			unknown++;
			continue;
		}
		x = number(sp, path, ln, 0);
		if (c->c != NULL)
			c->c[id] = (float)x;
		n++;
	}
	if (ferror(f))
		sm_die_errno(SM_EX_IOERR, "%s", sm_name(path));
	if (!have_end)
		sm_die(SM_EX_DATAERR, "%s: the stream ends before #end", sm_name(path));
	c->g = g;
	c->total = total;
	free(cname);
	free(clen);
	sm_info("%s: %ld words in the cache, %ld unknown here", sm_name(path), n, unknown);
}

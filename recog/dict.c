/* dict.c: pronunciation and filler dictionaries (see dict.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "mdef.h"
#include "s3.h"
#include "sm.h"

#define MAX_PHONES 64

static int
grow(void **p, size_t *cap, size_t need, size_t elem)
{
	void *q;
	size_t c = *cap ? *cap : 1024;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	q = realloc(*p, c * elem);
	if (q == NULL)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

struct acc {
	size_t wcap, pcap, tcap, tlen;
};

static int
load_one(struct sm_dict *d, struct acc *a, const char *path, int filler,
	 const struct sm_mdef *m, char *err, size_t errlen)
{
	unsigned char *buf;
	size_t len, lineno = 0;
	char *s, *line, *next;

	if (sm_read_file(path, &buf, &len, err, errlen) != 0)
		return -1;
	for (line = (char *)buf; line < (char *)buf + len; line = next) {
		char *tok, *word, *save = NULL;
		int16_t ph[MAX_PHONES];
		int np = 0, id;
		size_t wl;

		next = memchr(line, '\n', (size_t)((char *)buf + len - line));
		if (next)
			*next++ = 0;
		else
			next = (char *)buf + len;
		lineno++;
		word = strtok_r(line, " \t\r", &save);
		if (word == NULL || word[0] == '#' || (word[0] == ';' && word[1] == ';'))
			continue;
		while ((tok = strtok_r(NULL, " \t\r", &save)) != NULL) {
			if (np == MAX_PHONES) {
				snprintf(err, errlen, "%s:%zu: too many phones", path, lineno);
				goto fail;
			}
			id = sm_mdef_ciphone(m, tok);
			if (id < 0) {
				snprintf(err, errlen, "%s:%zu: unknown phone '%s'", path,
					 lineno, sm_clip(tok));
				goto fail;
			}
			ph[np++] = (int16_t)id;
		}
		if (np == 0) {
			snprintf(err, errlen, "%s:%zu: word without phones", path, lineno);
			goto fail;
		}
		wl = strlen(word);
		if (wl > 1000) {
			snprintf(err, errlen, "%s:%zu: word too long", path, lineno);
			goto fail;
		}
		if (grow((void **)&d->w, &a->wcap, (size_t)d->n_words + 1, sizeof *d->w) ||
		    grow((void **)&d->phones, &a->pcap, d->n_phones + np, sizeof *d->phones) ||
		    grow((void **)&d->text, &a->tcap, a->tlen + wl + 1, 1)) {
			snprintf(err, errlen, "%s: out of memory", path);
			goto fail;
		}
		for (s = word; *s; s++)
			if (!filler)
				*s = (char)tolower((unsigned char)*s);
		memcpy(d->text + a->tlen, word, wl + 1);
		d->w[d->n_words].word = (const char *)(uintptr_t)a->tlen;	/* fixed later */
		d->w[d->n_words].base_len = (uint16_t)wl;
		if (wl > 3 && word[wl - 1] == ')') {
			char *o = strrchr(word, '(');

			if (o && o > word)
				d->w[d->n_words].base_len = (uint16_t)(o - word);
		}
		d->w[d->n_words].filler = (uint8_t)filler;
		d->w[d->n_words].n_phone = (uint8_t)np;
		d->w[d->n_words].phone_off = (uint32_t)d->n_phones;
		memcpy(d->phones + d->n_phones, ph, sizeof *ph * np);
		d->n_phones += np;
		a->tlen += wl + 1;
		d->n_words++;
		if (filler)
			d->n_fillers++;
	}
	free(buf);
	return 0;
fail:
	free(buf);
	return -1;
}

int
sm_dict_load(struct sm_dict *d, const char *dict, const char *fdict,
	     const struct sm_mdef *m, char *err, size_t errlen)
{
	struct acc a = { 0, 0, 0, 0 };
	int i;

	memset(d, 0, sizeof *d);
	if ((dict && load_one(d, &a, dict, 0, m, err, errlen)) ||
	    (fdict && load_one(d, &a, fdict, 1, m, err, errlen))) {
		sm_dict_free(d);
		return -1;
	}
	for (i = 0; i < d->n_words; i++)
		d->w[i].word = d->text + (uintptr_t)d->w[i].word;
	return 0;
}

void
sm_dict_free(struct sm_dict *d)
{
	free(d->w);
	free(d->phones);
	free(d->text);
	memset(d, 0, sizeof *d);
}

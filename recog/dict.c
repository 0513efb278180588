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
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

void
sm_dict_line(const char *p, const char *e, struct sm_dict_line *dl)
{
	const char *q;

	const char *z = memchr(p, 0, (size_t)(e - p));

	dl->len = dl->base_len = 0;
	dl->n_phone = 0;
	if (z != NULL)
		e = z;
	while (p < e && blank(*p))
		p++;
	for (q = p; q < e && !blank(*q); q++)
		;
	if (q == p || p[0] == '#' || (q - p >= 2 && p[0] == ';' && p[1] == ';'))
		return;
	dl->word = p;
	dl->len = dl->base_len = (size_t)(q - p);
	if (dl->len > 3 && q[-1] == ')') {
		const char *o = q - 1;

		while (o > p && *o != '(')
			o--;
		if (o > p)
			dl->base_len = (size_t)(o - p);
	}
	for (p = q;; p = q) {
		while (p < e && blank(*p))
			p++;
		for (q = p; q < e && !blank(*q); q++)
			;
		if (q == p)
			break;
		if (dl->n_phone < SM_DICT_LINE_PH) {
			dl->phone[dl->n_phone] = p;
			dl->phone_len[dl->n_phone] = (size_t)(q - p);
		}
		dl->n_phone++;
	}
}

int
sm_dict_phone(const struct sm_dict_line *dl, int i, char *buf, size_t n)
{
	size_t len = dl->phone_len[i] < n - 1 ? dl->phone_len[i] : n - 1;

	memcpy(buf, dl->phone[i], len);
	buf[len] = 0;
	return len == dl->phone_len[i];
}

static int
load_one(struct sm_dict *d, struct acc *a, const char *path, int filler,
	 const struct sm_mdef *m, char *err, size_t errlen)
{
	unsigned char *buf;
	size_t len, lineno = 0;
	const char *line, *end, *next;

	if (sm_read_file(path, &buf, &len, err, errlen) != 0)
		return -1;
	end = (const char *)buf + len;
	for (line = (const char *)buf; line < end; line = next) {
		struct sm_dict_line dl;
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		int16_t ph[MAX_PHONES];
		size_t wl, i;
		int np, id;

		next = nl ? nl + 1 : end;
		lineno++;
		sm_dict_line(line, nl ? nl : end, &dl);
		if (dl.len == 0)
			continue;
		if (dl.n_phone > MAX_PHONES) {
			snprintf(err, errlen, "%s:%zu: too many phones", path, lineno);
			goto fail;
		}
		for (np = 0; np < dl.n_phone; np++) {
			char name[256];

			id = sm_dict_phone(&dl, np, name, sizeof name) ? sm_mdef_ciphone(m, name) : -1;
			if (id < 0) {
				snprintf(err, errlen, "%s:%zu: unknown phone '%s'", path,
					 lineno, sm_clip(name));
				goto fail;
			}
			ph[np] = (int16_t)id;
		}
		if (np == 0) {
			snprintf(err, errlen, "%s:%zu: word without phones", path, lineno);
			goto fail;
		}
		wl = dl.len;
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
		for (i = 0; i < wl; i++)
			d->text[a->tlen + i] = filler ? dl.word[i] :
				(char)tolower((unsigned char)dl.word[i]);
		d->text[a->tlen + wl] = 0;
		d->w[d->n_words].word = (const char *)(uintptr_t)a->tlen;	/* fixed later */
		d->w[d->n_words].base_len = (uint16_t)dl.base_len;
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

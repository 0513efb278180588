/*
 * dict.h: a Sphinx pronunciation dictionary (WORD PH1 PH2 ..., alternates
 * written word(2)) plus the filler dictionary (noisedict), with phones
 * mapped to the CI phone ids of an acoustic model.
 */
#ifndef SM_DICT_H
#define SM_DICT_H

#include <stddef.h>
#include <stdint.h>

struct sm_mdef;

struct sm_dword {
	const char *word;	/* as written, e.g. "read(2)" */
	uint16_t base_len;	/* length without the (N) mark */
	uint8_t filler;		/* from the filler dictionary */
	uint8_t n_phone;
	uint32_t phone_off;	/* into sm_dict.phones */
};

struct sm_dict {
	int n_words, n_fillers;		/* fillers come after the words */
	struct sm_dword *w;
	int16_t *phones;		/* CI ids */
	char *text;			/* words' storage */
	size_t n_phones;
};

/* One line of a dictionary taken apart where it lies (nothing copied):
 * blanks are spaces, tabs and carriage returns; a line whose first word
 * starts with '#' or ";;" is a comment, as is a blank line (len 0). */
#define SM_DICT_LINE_PH 128
struct sm_dict_line {
	const char *word;	/* as written, (N) included */
	size_t len, base_len;	/* its length; without the (N) mark */
	int n_phone;		/* the phone names on the line, all counted */
	const char *phone[SM_DICT_LINE_PH];	/* the first SM_DICT_LINE_PH */
	size_t phone_len[SM_DICT_LINE_PH];
};

/* Take apart the line [p, e) (its newline left out; a NUL byte ends it
 * too, as it ends a C string). */
void sm_dict_line(const char *p, const char *e, struct sm_dict_line *dl);

/* Phone i of dl as a C string in buf (n bytes): 1, or 0 when it had to be
 * cut (no phone's name is that long). */
int sm_dict_phone(const struct sm_dict_line *dl, int i, char *buf, size_t n);

/* Load dict then fdict (either may be NULL).  Phones must exist in m.
 * 0, or -1 with "PATH:LINE: problem" in err. */
int sm_dict_load(struct sm_dict *d, const char *dict, const char *fdict,
		 const struct sm_mdef *m, char *err, size_t errlen);
void sm_dict_free(struct sm_dict *d);

static inline const int16_t *
sm_dict_phones(const struct sm_dict *d, int w)
{
	return d->phones + d->w[w].phone_off;
}

#endif

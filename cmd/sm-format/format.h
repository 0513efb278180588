/* format.h: the transcript that sm-format builds and its writers. */
#ifndef SM_FORMAT_H
#define SM_FORMAT_H
#include <stdio.h>

#include "sm.h"

enum item_type { ITEM_WORD, ITEM_PUNCT };

/* One result: a word or a punctuation mark, times in milliseconds. */
struct item {
	enum item_type type;
	long start_ms, end_ms;
	double confidence;
	int is_eos;		/* punctuation that ends a sentence */
	long gap_ms;		/* pause after this item before the next word */
	char *content;
	int replaced;		/* written by hyp_replace: spelled as given */
	int listed;		/* a custom vocabulary's (hyp_vocab): no capital added */
	/* The speaker and channel labels, NULL when the stream gives none;
	 * hyp_read owns them until it is called again. */
	const char *speaker, *channel;
	struct entity *entity;	/* an entity's parts (entity.h), or NULL */
	int has_volume;		/* the stream gives the word's volume, 0..100 */
	double volume;
};

struct transcript {
	struct item *v;
	size_t n, cap;
	long audio_ms;		/* the largest END of any line, pauses too */
};

/* What the writers need besides the items. */
struct fmt_opts {
	const struct sm_pack *pack;
	const char *config;	/* transcription_config JSON object to echo */
	const char *tracking;	/* job.tracking JSON object to echo, or NULL */
	const char *locale;	/* output_locale: en-US, en-GB or en-AU */
	int itn;		/* entities written (-E): language_pack_info.itn */
	const char *data_name;	/* job.data_name, CTM's FILE */
	long pause_ms;		/* a pause this long ends a sentence */
	int max_line_length, max_lines;	/* SRT and WebVTT */
};

/* Append a copy of IT to T, growing it; die 70 out of memory. */
void hyp_push(struct transcript *t, const struct item *it);
/* Read a #sm-hyp 1 stream (sm-stream(5)) into words; die 65 on bad input. */
void hyp_read(FILE *in, const char *name, struct transcript *t,
	      int drop_disfluencies);
/* Whether two items have the same speaker and the same channel. */
int hyp_same_turn(const struct item *a, const struct item *b);
/* Replace each run of words equal to FROM (blank-separated words, any case)
 * by one word TO, or delete it when TO is empty; FROM written as /RE/ is a
 * POSIX extended regular expression matched against whole words.  Dies 78
 * on a bad expression. */
void hyp_replace(struct transcript *t, const char *from, const char *to);
/* Die 78 as hyp_replace would if FROM is a /RE/ that does not compile. */
void hyp_replace_check(const char *from);

/* --vocab FILE's text (the list sm-lattice searched with, sm-lattice(1)): every
 * run of words whose keys are an entry's content's is written as the
 * content's words, one item each, exactly as the entry spells them. */
void hyp_vocab(struct transcript *t, const char *text, size_t len);
/* The vocabulary file's text (path "-" or a FIFO: read once); die on error. */
char *hyp_vocab_read(const char *path, size_t *len);
/* How sm-format punctuates (punct.c). */
struct punct_opts {
	const char *marks;	/* the permitted marks, e.g. ".,?!"; "" for none */
	double sensitivity;	/* 0..1: more marks with more */
	long pause_ms;		/* >= 0: the plain rule, a pause this long ends
				 * a sentence; -1: the model */
	const char *lm;		/* the pack's language model, for the model */
	int trace;		/* each boundary's scores to stderr */
};
/* Add the permitted marks after the words (sentence ends at the latest at
 * a change of speaker or channel and after the last word), capitalise
 * sentence starts and "I".  Dies 78 when the LM cannot be read. */
void hyp_punctuate(struct transcript *t, const struct punct_opts *p);

/* Seconds with two decimals, rounded from milliseconds. */
void put_time(FILE *out, long ms);

typedef void (*writer_fn)(FILE *out, const struct transcript *t,
			  const struct fmt_opts *o);
struct writer {
	const char *name;
	writer_fn write;
};
/* The writers, one per format, ended by a NULL name. */
extern const struct writer writers[];

#endif

/* entity.h: spoken numbers, dates, times, money, percentages and telephone
 * numbers written as the original's "entity" results (enable_entities). */
#ifndef SM_ENTITY_H
#define SM_ENTITY_H
#include <stdio.h>

#include "format.h"

/*
 * What an entity item (an ITEM_WORD whose entity is not NULL) carries
 * besides its content, the written form with its tokens joined by blanks.
 */
struct entity {
	const char *cls;	/* entity_class: "cardinal", "date", ... */
	struct item *spoken;	/* the words as recognised, with their times */
	size_t nspoken;
	char **written;		/* the written form's tokens */
	size_t nwritten;
};

/* Whether NAME is a locale entity_apply knows: en-US, en-GB or en-AU. */
int entity_locale_ok(const char *name);

/*
 * Replace each run of words that reads as a number, ordinal, decimal,
 * amount of money, percentage, date, time or telephone number by one
 * entity item written for LOCALE (NULL: en-US).  A run never crosses a
 * pause of pause_ms or more, nor a change of speaker or channel.
 */
void entity_apply(struct transcript *t, const char *locale, long pause_ms);

/* The times of an entity item's written token K: the entity's span shared
 * evenly among its tokens, as the original's example shows them. */
void entity_token_span(const struct item *it, size_t k, long *a, long *b);

/* The json-v2 result of an entity item: type "entity", entity_class,
 * alternatives, spoken_form and written_form. */
void entity_json(FILE *out, const struct item *it, const char *language);

#endif

/* spell.h: a transcript's words in the spelling of an output locale. */
#ifndef SM_FORMAT_SPELL_H
#define SM_FORMAT_SPELL_H

#include "format.h"

/* The file of a language pack's spelling table (sm-format(1)). */
#define SPELL_FILE "spelling.txt"

/* Whether locale is one sm-format knows: en-US, en-GB or en-AU. */
int spell_locale_known(const char *locale);
/* Write each word the recogniser spelled one way in the locale's spelling
 * and each name with its capitals, from the pack's spelling table; words
 * that hyp_replace wrote are left as they are.  A pack
 * without a table changes nothing in en-US and dies 78 in another locale;
 * a malformed table dies 78. */
void spell_apply(struct transcript *t, const struct sm_pack *pack,
		 const char *locale);

#endif

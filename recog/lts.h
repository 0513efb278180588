/*
 * lts.h: letter-to-sound, the pronunciation of a word that is not in the
 * dictionary, in the dictionary's phone set (the CMU 39 phones without
 * stress marks: AA AE AH ... ZH).  sm-lattice uses it for the words of a
 * custom vocabulary (--vocab) that the dictionary does not have.
 */
#ifndef SM_LTS_H
#define SM_LTS_H

#include <stddef.h>

struct sm_lts;

/* Open the pack's letter-to-sound model (path: its file, as pack.conf
 * names it).  NULL with "PATH: problem" in err on failure. */
struct sm_lts *sm_lts_open(const char *path, char *err, size_t errlen);
void sm_lts_free(struct sm_lts *t);

/* The phones of word (lower-case ASCII letters and apostrophes; anything
 * else is refused): up to max phone names in out (static strings, e.g.
 * "K", "AH"), and their count; 0 when the word has no letters or holds
 * another character. */
int sm_lts_word(const struct sm_lts *t, const char *word, const char **out, int max);

#endif

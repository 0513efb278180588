/*
 * vocab.h: sm-lattice's custom vocabulary (--vocab FILE, sm-lattice(1)):
 * the listed words and phrases laid over the search before the first
 * utterance.
 *
 * FILE has one entry per line: its content (a word or a phrase of up to
 * 6 words, as the transcript is to write it), then optionally, each after
 * a tab, spellings it sounds like (line N is entry N: a blank one is an
 * entry without words, and said so).  A content
 * word is looked up as its key: lower-case, without the characters other
 * than a-z, 0-9, ' and -.
 *
 * - An entry without sounds-like spellings: each word the search knows is
 *   boosted (its LM probability times boost); each word it does not know
 *   gets the dictionary's pronunciations, else the letter-to-sound model's,
 *   and enters the LM as a new word of unigram probability prob.
 * - An entry with sounds-like spellings: each spelling's words (dictionary
 *   or letter-to-sound, first pronunciation; a word spelled out as
 *   "C.E.O." the names of its letters) give one pronunciation of the whole
 *   entry, a word of the search spelled as its keys joined by '_'; a
 *   one-word content keeps its LM id (known, boosted) or its class (new),
 *   a phrase is a new word of probability prob.  The spellings are
 *   alternatives: the content's words are added as without them too,
 *   where they can be.
 *
 * An entry that cannot be used (a word without a pronunciation, more than
 * 6 words, nothing left of a key) is named once on stderr with the reason,
 * and the others are used.
 */
#ifndef SM_LATTICE_VOCAB_H
#define SM_LATTICE_VOCAB_H

struct sm_pack;
struct sm_search;
struct sm_lm;

#define VOCAB_MAX_WORDS 6	/* words of one entry's content */

/* Read the list at path and lay it over srch (whose LM is lm); dies with
 * one line on a list that cannot be read or out of memory; quiet: the
 * entries that cannot be used are not named.  The number of entries
 * used. */
int vocab_load(const char *path, const struct sm_pack *pack, struct sm_search *srch,
	       struct sm_lm *lm, double prob, double boost, int quiet);

#endif

/*
 * carry.h: the word cache carried from one chunk of a recording to the
 * next (--cache-in, --cache-out; the "#sm-cache 1" stream of
 * sm-stream(5)).
 *
 * sm-split recognises a long recording in chunks, several at a time.  The
 * cache of recognised words (cache.h) is causal: a segment is rescored
 * with the words of the segments before it.  A chunk's sm-lattice reads
 * the cache its predecessor ended with (--cache-in) and writes its own at
 * its end (--cache-out), so that every segment is rescored with the cache
 * it would have had in one run over the whole recording.  Only rescoring
 * uses the cache (the search and the lattice's pruning do not), so a chunk
 * searches while its predecessor is still running, keeps its segments'
 * lattices, and rescores them once the cache has come.
 *
 * The stream is text:
 *
 *     #sm-cache 1
 *     scale G
 *     total T
 *     WORD C
 *     ...
 *     #end
 *
 * one line per word whose count is not 0, the word as the dictionary
 * spells it (a phrase of the custom vocabulary with '_' between its
 * words), its count C * G, the counts' sum T.  Numbers are written so that
 * they read back to the same float (C) and double (G, T) values.  An
 * empty stream (no byte at all) is an empty cache: what the first chunk
 * gets.
 */
#ifndef SM_LATTICE_CARRY_H
#define SM_LATTICE_CARRY_H

#include <stdio.h>

struct sm_cache;
struct sm_lm;
struct sm_search;

/* The cache c as a "#sm-cache 1" stream on f, words named by srch's
 * dictionary and lm's word list. */
void carry_write(const struct sm_cache *c, struct sm_lm *lm,
		 const struct sm_search *srch, FILE *f, const char *path);

/* Replace the counts of c with those of the stream f (path names it in
 * messages); dies with one line naming path and line on a malformed
 * stream.  Words neither lm nor srch has are left out, and counted on
 * stderr with -v. */
void carry_read(struct sm_cache *c, struct sm_lm *lm, const struct sm_search *srch,
		FILE *f, const char *path);

#endif

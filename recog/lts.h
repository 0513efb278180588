/*
 * lts.h: letter-to-sound, the pronunciation of a word that is not in the
 * dictionary, in the dictionary's phone set (the CMU 39 phones without
 * stress marks: AA AE AH ... ZH).  sm-lattice uses it for the words of a
 * custom vocabulary (--vocab) that the dictionary does not have.
 *
 * The model is the pack's `lts` file (pack.conf `lts = lts.bin`, struct
 * sm_pack's lts), trained from the pack's dictionary when the pack is
 * built (models/lts-train.c); recog/lts.c says how it predicts.  A pack
 * without the key has no letter-to-sound: its pack->lts is empty, and a
 * word the dictionary lacks cannot be pronounced.
 */
#ifndef SM_LTS_H
#define SM_LTS_H

#include <stddef.h>
#include <stdint.h>

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

/* ---- the model file, shared by the reader and its trainer ------------- */

/* The phones, in the order of their ids in the file. */
#define SM_LTS_NPHONE 39
extern const char *const sm_lts_phones[SM_LTS_NPHONE];
/* A phone's id, or -1 when name is none of them. */
int sm_lts_phone_id(const char *name);

#define SM_LTS_MAGIC "SMLTS\0\0\0"
#define SM_LTS_VERSION 2
#define SM_LTS_BOM 0x01020304u
#define SM_LTS_MAXORDER 8	/* n of the n-gram: tokens, the one predicted included */
#define SM_LTS_NONE 0xff	/* no phone (in a class's pair) */
#define SM_LTS_NLETTER 27	/* a-z, then ' */

/* The header, then, each section padded to a multiple of 4 bytes:
 *   nclass classes, 2 phone ids each (SM_LTS_NONE for none);
 *   ntok tokens' classes (1 byte each): the tokens of letter l are
 *     first[l] to first[l + 1] - 1, each a (letter, class) pair;
 *   ntok + 1 floats: each token's probability of the lowest order, the
 *     end of the word's (token ntok, SM_LTS_EOS) last;
 *   nnode + 1 nodes (struct sm_lts_node), the last only marking where
 *     the followers end;
 *   nfol followers (struct sm_lts_fol);
 * all in host byte order (bom). */
#define SM_LTS_EOS(ntok) (ntok)		/* the end of the word */
#define SM_LTS_BOS(ntok) ((ntok) + 1)	/* history only: its start */

struct sm_lts_header {
	char magic[8];
	uint32_t bom, version;
	uint32_t order;			/* n, 2..SM_LTS_MAXORDER */
	uint32_t nclass, ntok, nnode, nfol;
	uint32_t first[SM_LTS_NLETTER + 1];
};

/* A history: node 0 is the empty one; a node's children extend its
 * history by one token further back (sorted by tok). */
struct sm_lts_node {
	uint32_t child;		/* first child's index */
	uint32_t fol;		/* first follower's index; the next node's ends them */
	uint16_t nchild;
	uint16_t tok;		/* the token that leads here from the parent */
	float gamma;		/* the weight of the lower order */
};

/* A token seen after a node's history (sorted by tok), with its
 * discounted relative frequency there. */
struct sm_lts_fol {
	uint32_t tok;
	float a;
};

#endif

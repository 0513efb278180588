/*
 * lts.h: letter-to-sound, the pronunciation of a word that is not in the
 * dictionary, in the dictionary's phone set (the CMU 39 phones without
 * stress marks: AA AE AH ... ZH).  sm-lattice uses it for the words of a
 * custom vocabulary (--vocab) that the dictionary does not have.
 *
 * The model is the pack's `lts` file (pack.conf `lts = lts.bin`, struct
 * sm_pack's lts), trained from the pack's dictionary when the pack is
 * built (models/lts-train.c); recog/lts.c says how it predicts and how
 * the file is laid out.  A pack without the key has no letter-to-sound:
 * its pack->lts is empty, and a word the dictionary lacks cannot be
 * pronounced.
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
#define SM_LTS_VERSION 1
#define SM_LTS_BOM 0x01020304u
#define SM_LTS_MAXFEAT 16
#define SM_LTS_NONE 0xff	/* no phone (in a class's pair) */
#define SM_LTS_EDGE '#'		/* a letter beyond either end of the word */
/* What a feature asks (kind): the letter at its offset from the letter
 * whose class is sought, or the class already given to the letter at
 * its (negative) offset, SM_LTS_NONE before the word's start. */
#define SM_LTS_LETTER 0
#define SM_LTS_CLASS 1

/* The header, then nclass classes of 2 phone ids each (SM_LTS_NONE for
 * none; padded with SM_LTS_NONE to a multiple of 4 bytes), then nnode
 * nodes; host byte order (bom). */
struct sm_lts_header {
	char magic[8];
	uint32_t bom, version;
	uint32_t nclass, nnode;
	uint32_t nfeat;			/* the features asked, 1..SM_LTS_MAXFEAT */
	int8_t offset[SM_LTS_MAXFEAT];	/* each one's place from the letter */
	uint8_t kind[SM_LTS_MAXFEAT];	/* SM_LTS_LETTER or SM_LTS_CLASS */
};

struct sm_lts_node {
	uint32_t child;		/* first child's index */
	uint16_t nchild;	/* children, contiguous */
	uint8_t letter;		/* the letter that leads here from the parent */
	uint8_t cls;		/* the class of a letter whose context ends here */
};

#endif

/*
 * mdef.h: the binary "BMDF" model definition of a Sphinx acoustic model
 * (phones, triphones, senone sequences, transition matrix ids).
 *
 * The whole file is read into memory and checked against itself: counts,
 * sizes, every id in range, every triphone reachable exactly once from the
 * context tree.  A truncated or corrupt file is an error, never a crash.
 */
#ifndef SM_MDEF_H
#define SM_MDEF_H

#include <stddef.h>
#include <stdint.h>

/* Word positions of a triphone, with the codes the binary file uses. */
enum sm_wpos {
	SM_WPOS_INTERNAL = 0,	/* 'i': inside a word */
	SM_WPOS_BEGIN = 1,	/* 'b': first phone of a word */
	SM_WPOS_END = 2,	/* 'e': last phone of a word */
	SM_WPOS_SINGLE = 3,	/* 's': the only phone of a word */
	SM_WPOS_NONE = 4	/* context-independent phone */
};
#define SM_N_WPOS 4

struct sm_mdef_node;		/* context tree node, private */

struct sm_mdef {
	int n_ciphone, n_phone, n_emit_state, n_ci_sen, n_sen, n_tmat, n_sseq;
	int sil;			/* CI id of SIL */
	char **ciname;			/* [n_ciphone] */
	unsigned char *ci_filler;	/* [n_ciphone] 1 for filler phones */
	int32_t *phone_ssid;		/* [n_phone] senone-sequence id */
	int32_t *phone_tmat;		/* [n_phone] transition matrix id */
	int16_t *phone_base;		/* [n_phone] base CI phone */
	unsigned char *phone_wpos;	/* [n_phone] enum sm_wpos */
	uint16_t *sseq;			/* [n_sseq * n_emit_state] senone ids */
	int16_t *sen2ci;		/* [n_sen] base CI phone (= codebook) */
	/* private */
	int n_cd_tree;
	struct sm_mdef_node *cd_tree;
	char *names;
	int mapped;			/* tables in a caller's block (blob) */
};

/* Load a binary mdef.  0, or -1 with a message in err (m is then empty
 * and sm_mdef_free is harmless). */
int sm_mdef_load(struct sm_mdef *m, const char *path, char *err, size_t errlen);
void sm_mdef_free(struct sm_mdef *m);

/* The tables of a loaded mdef as one block, for an image: its size in
 * bytes (a multiple of 8), and the block written to dst (that many
 * bytes, 8-aligned). */
size_t sm_mdef_blob_size(const struct sm_mdef *m);
void sm_mdef_blob_write(const struct sm_mdef *m, void *dst);

/* An mdef whose tables are those of a block sm_mdef_blob_write wrote
 * (blob, len bytes, 8-aligned, kept by reference: mapped, never copied).
 * What its users read as addresses is checked, in one pass over each
 * table: the counts, the names, every id in range, every child range of
 * the context tree in bounds, so that a damaged block gives wrong phones
 * at worst, never a read out of bounds; the rest of sm_mdef_load's checks
 * (every triphone in the tree exactly once) were made on the file it was
 * written from.  0, or -1 with "problem" in err (m is then empty). */
int sm_mdef_blob_open(struct sm_mdef *m, const void *blob, size_t len, char *err,
		      size_t errlen);

/* CI phone id of a name ("AA", "SIL", "+NSN+"), or -1. */
int sm_mdef_ciphone(const struct sm_mdef *m, const char *name);

/* Exact triphone lookup: base, left, right are CI ids, pos an enum sm_wpos
 * (SM_WPOS_INTERNAL..SM_WPOS_SINGLE).  The phone id, or -1 when that
 * triphone is not in the model (no backing off, no context substitution). */
int sm_mdef_triphone(const struct sm_mdef *m, int base, int left, int right,
		     int pos);

/* Senone id of emitting state st of phone pid. */
static inline int
sm_mdef_senone(const struct sm_mdef *m, int pid, int st)
{
	return m->sseq[(size_t)m->phone_ssid[pid] * m->n_emit_state + st];
}

/* One letter for a word position: 'i', 'b', 'e', 's', '-'. */
char sm_mdef_wpos_char(int pos);

#endif

/*
 * lattice.h: a word lattice from the search's word ends, its trigram
 * rescoring and forward-backward posteriors.
 *
 * A node is a word starting at a frame; a link u -> v says that u's word
 * ends at frame v.sf - 1 and carries u's acoustic score over [u.sf, ef]
 * and v's weighted LM score given u's first-pass history.  Node 0 is <s>
 * (no frames), the last node </s>.  Rescoring and posteriors expand each
 * node into its distinct trigram histories (node splitting), so both use
 * the full trigram along every path, not the link's LM score.
 *
 * All scores are natural-log.
 */
#ifndef SM_LATTICE_H
#define SM_LATTICE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sm_bp;
struct sm_cache;
struct sm_lm;
struct sm_search;

enum { SM_LAT_WORD = 0, SM_LAT_SIL = 1, SM_LAT_FILLER = 2, SM_LAT_START = 3,
       SM_LAT_END = 4 };

struct sm_lat_node {
	int32_t word;		/* dict id (or any id: same id, same word) */
	int32_t lmid;		/* LM id, -1 for fillers */
	int32_t sf;		/* first frame */
	int32_t fef, lef;	/* first and last end frame with a link out */
	int8_t kind;		/* SM_LAT_* */
	float fill;		/* a filler's entry penalty */
};

struct sm_lat_link {
	int32_t from, to;
	int32_t ef;		/* from's last frame */
	float ascr;		/* from's acoustic score over [from.sf, ef] */
	float lscr;		/* to's weighted LM score given from's first-pass history */
	double post;		/* posterior, after sm_lattice_posteriors */
};

struct sm_lat_cfg {
	float lw;		/* language weight of rescoring and posteriors */
	float wip;		/* ln word insertion penalty */
	float ascale;		/* posteriors: every score divided by it */
	float beam;		/* link beam, nats; <= 0 keeps every link */
	int max_hist;		/* trigram histories kept per node */
	/* the words already recognised, interpolated with the trigram in
	 * every LM score (cache.h); NULL for the trigram alone */
	const struct sm_cache *cache;
};

void sm_lat_cfg_default(struct sm_lat_cfg *c);

struct sm_lattice {
	struct sm_lat_node *node;
	struct sm_lat_link *link;
	int n_node, n_link, cap_node, cap_link;
	int n_frames;		/* frames of the utterance */
	double logz;		/* total log weight, after sm_lattice_posteriors */
	long n_states, n_arcs;	/* size of the expanded graph */
};

void sm_lattice_init(struct sm_lattice *L);
void sm_lattice_free(struct sm_lattice *L);
/* Add a node or a link: its index, or -1 out of memory.  Nodes must be
 * added in order of sf (start node first, end node last). */
int sm_lattice_add_node(struct sm_lattice *L, int word, int lmid, int kind,
			int sf, float fill);
int sm_lattice_add_link(struct sm_lattice *L, int from, int to, int ef,
			float ascr, float lscr);

/* Build from the backpointer table of a finished search: merge word ends
 * of the same word and start frame into one node, link each end to every
 * node starting on the next frame, end at the last frame with word ends,
 * drop what cannot reach the end, then drop links whose best path is more
 * than cfg->beam below the best.  silpen and fillpen as in the search.
 * 0, or -1 out of memory. */
int sm_lattice_build(struct sm_lattice *L, const struct sm_search *s,
		     const struct sm_lm *lm, const struct sm_lat_cfg *cfg,
		     float silpen, float fillpen);

/* The best path under the full trigram (lw, wip, filler penalties):
 * writes up to max link indices in path order (the first leaves <s>, the
 * last enters </s>) and returns their number, or -1 (no path or out of
 * memory).  *score gets the path score.  With lm NULL, the links' own
 * LM scores are used. */
int sm_lattice_best(const struct sm_lattice *L, const struct sm_lm *lm,
		    const struct sm_lat_cfg *cfg, int *path, int max,
		    double *score);

/* Forward-backward over the same expanded graph, every score divided by
 * cfg->ascale: sets each link's post and L->logz.  0, or -1. */
int sm_lattice_posteriors(struct sm_lattice *L, const struct sm_lm *lm,
			  const struct sm_lat_cfg *cfg);

/* Both from one expansion: the best path as sm_lattice_best (its length,
 * or -1), and the posteriors.  With path NULL, only the posteriors (0 or
 * -1). */
int sm_lattice_rescore(struct sm_lattice *L, const struct sm_lm *lm,
		       const struct sm_lat_cfg *cfg, int *path, int max,
		       double *score);

/* Confidence of node's word from frame sf to ef: the largest, over those
 * frames, of the summed posteriors of the links that cover the frame and
 * leave a node of the same word (the same LM word in any pronunciation,
 * or the same filler).  In [0, 1]. */
double sm_lattice_conf(const struct sm_lattice *L, int node, int sf, int ef);

/* Write the lattice as "#sm-lattice 1" text (slf 0) or HTK SLF (slf 1).
 * Frame f starts at t0 + f * tf seconds.  0, or -1 on a write error or
 * out of memory. */
int sm_lattice_write(const struct sm_lattice *L, FILE *f, int slf,
		     const struct sm_search *s, double t0, double tf);

#endif

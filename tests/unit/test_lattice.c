/* Unit tests of the lattice: forward-backward and the best path on a
 * hand-built lattice with posteriors worked out by hand, and on a lattice
 * of real words scored with the trigram, against an enumeration of every
 * path. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lattice.h"
#include "lm.h"

#define LM "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin"

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)
#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

/* The posteriors of the links covering each frame sum to 1. */
static void
check_frames(const struct sm_lattice *L, int n_frames)
{
	for (int t = 0; t < n_frames; t++) {
		double s = 0;

		for (int i = 0; i < L->n_link; i++) {
			const struct sm_lat_link *k = &L->link[i];

			if (L->node[k->from].sf <= t && t <= k->ef)
				s += k->post;
		}
		if (!NEAR(s, 1)) {
			fprintf(stderr, "frame %d: posteriors sum to %.12f\n", t, s);
			failures++;
		}
	}
}

/*
 * <s> -> A[0,4] -> C[5,9] -> </s>   weight .6 * .5 = .30
 * <s> -> B[0,4] -> C[5,9] -> </s>   weight .4 * .5 = .20
 * <s> -> A[0,6] -> D[7,9] -> </s>   weight .6 * .6 = .36
 */
static void
test_by_hand(void)
{
	struct sm_lattice L;
	struct sm_lat_cfg cfg;
	int path[8], n;
	double sc, z = .86;

	sm_lat_cfg_default(&cfg);
	cfg.ascale = 1;
	sm_lattice_init(&L);
	CHECK(sm_lattice_add_node(&L, -1, -1, SM_LAT_START, 0, 0) == 0);
	sm_lattice_add_node(&L, 1, -1, SM_LAT_WORD, 0, 0);	/* 1 A */
	sm_lattice_add_node(&L, 2, -1, SM_LAT_WORD, 0, 0);	/* 2 B */
	sm_lattice_add_node(&L, 3, -1, SM_LAT_WORD, 5, 0);	/* 3 C */
	sm_lattice_add_node(&L, 4, -1, SM_LAT_WORD, 7, 0);	/* 4 D */
	CHECK(sm_lattice_add_node(&L, -2, -1, SM_LAT_END, 10, 0) == 5);
	sm_lattice_add_link(&L, 0, 1, -1, 0, (float)log(.6));
	sm_lattice_add_link(&L, 0, 2, -1, 0, (float)log(.4));
	sm_lattice_add_link(&L, 1, 3, 4, (float)log(.5), 0);
	sm_lattice_add_link(&L, 2, 3, 4, (float)log(.5), 0);
	sm_lattice_add_link(&L, 1, 4, 6, (float)log(.6), 0);
	sm_lattice_add_link(&L, 3, 5, 9, 0, 0);
	CHECK(sm_lattice_add_link(&L, 4, 5, 9, 0, 0) == 6);
	CHECK(L.node[1].fef == 4 && L.node[1].lef == 6);

	CHECK(sm_lattice_posteriors(&L, NULL, &cfg) == 0);
	CHECK(fabs(L.logz - log(z)) < 1e-6);
	CHECK(fabs(L.link[0].post - .66 / z) < 1e-6);
	CHECK(fabs(L.link[1].post - .20 / z) < 1e-6);
	CHECK(fabs(L.link[2].post - .30 / z) < 1e-6);
	CHECK(fabs(L.link[3].post - .20 / z) < 1e-6);
	CHECK(fabs(L.link[4].post - .36 / z) < 1e-6);
	CHECK(fabs(L.link[5].post - .50 / z) < 1e-6);
	CHECK(fabs(L.link[6].post - .36 / z) < 1e-6);
	check_frames(&L, 10);
	/* A over 0..6: frames 0-4 are covered by both A links */
	CHECK(fabs(sm_lattice_conf(&L, 1, 0, 6) - .66 / z) < 1e-6);
	CHECK(fabs(sm_lattice_conf(&L, 3, 5, 9) - .50 / z) < 1e-6);
	CHECK(fabs(sm_lattice_conf(&L, 4, 7, 9) - .36 / z) < 1e-6);

	n = sm_lattice_best(&L, NULL, &cfg, path, 8, &sc);
	CHECK(n == 3);
	CHECK(n == 3 && path[0] == 0 && path[1] == 4 && path[2] == 6);
	CHECK(fabs(sc - log(.36)) < 1e-6);
	CHECK(sm_lattice_best(&L, NULL, &cfg, path, 2, &sc) == -1);

	/* acoustic scale 2: every weight is square-rooted */
	cfg.ascale = 2;
	CHECK(sm_lattice_posteriors(&L, NULL, &cfg) == 0);
	z = sqrt(.30) + sqrt(.20) + sqrt(.36);
	CHECK(fabs(L.link[1].post - sqrt(.20) / z) < 1e-6);
	CHECK(fabs(L.link[4].post - sqrt(.36) / z) < 1e-6);
	check_frames(&L, 10);
	sm_lattice_free(&L);
}

/* ---- real words, trigram, a pause that is transparent to the history ---- */

enum { NN = 9 };
static const struct { const char *w; int sf; } nodes[NN] = {
	{"<s>", 0}, {"go", 0}, {"no", 0}, {"<sil>", 5}, {"forward", 5},
	{"forward", 8}, {"ten", 8}, {"ten", 12}, {"</s>", 15},
};
static const struct { int from, to, ef; float ascr; } links[] = {
	{0, 1, -1, 0}, {0, 2, -1, 0},
	{1, 3, 4, -10}, {1, 4, 4, -10}, {2, 3, 4, -11}, {2, 4, 4, -11},
	{3, 5, 7, -3}, {3, 6, 7, -3},
	{4, 7, 11, -20}, {5, 7, 11, -15},
	{6, 8, 14, -30}, {7, 8, 14, -12},
};
#define NL ((int)(sizeof links / sizeof *links))

static double path_score[64], path_link_in[64][NL];
static int n_paths, best_path[NL], best_n;
static double best_score;

/* Every path by depth-first search, its score computed word by word. */
static void
enumerate(const struct sm_lattice *L, const struct sm_lm *lm,
	  const struct sm_lat_cfg *cfg, int u, int h1, int h2, double sc,
	  int *stack, int depth)
{
	if (u == NN - 1) {
		for (int i = 0; i < NL; i++)
			path_link_in[n_paths][i] = 0;
		for (int i = 0; i < depth; i++)
			path_link_in[n_paths][stack[i]] = 1;
		path_score[n_paths++] = sc;
		if (best_n == 0 || sc > best_score) {
			best_score = sc;
			best_n = depth;
			memcpy(best_path, stack, sizeof *stack * depth);
		}
		return;
	}
	for (int i = 0; i < NL; i++) {
		const struct sm_lat_node *v = &L->node[links[i].to];
		double s = sc + links[i].ascr;
		int g1 = h1, g2 = h2;

		if (links[i].from != u)
			continue;
		if (v->kind == SM_LAT_END) {
			s += cfg->lw * sm_lm_score(lm, lm->eos, h1, h2, NULL);
		} else if (v->lmid < 0) {
			s += v->fill;
		} else {
			s += cfg->lw * sm_lm_score(lm, v->lmid, h1, h2, NULL) + cfg->wip;
			g2 = h1;
			g1 = v->lmid;
		}
		stack[depth] = i;
		enumerate(L, lm, cfg, links[i].to, g1, g2, s, stack, depth + 1);
	}
}

static void
test_trigram(const struct sm_lm *lm)
{
	struct sm_lattice L;
	struct sm_lat_cfg cfg;
	int stack[NL], path[NL], n;
	double z = -1e300, sc, m;

	sm_lat_cfg_default(&cfg);
	sm_lattice_init(&L);
	for (int i = 0; i < NN; i++) {
		const char *w = nodes[i].w;
		int kind = i == 0 ? SM_LAT_START : i == NN - 1 ? SM_LAT_END :
			w[0] == '<' ? SM_LAT_SIL : SM_LAT_WORD;
		int lmid = kind == SM_LAT_SIL ? -1 : sm_lm_word(lm, w);

		CHECK(kind == SM_LAT_SIL || lmid >= 0);
		sm_lattice_add_node(&L, kind == SM_LAT_SIL ? 1000 : lmid, lmid, kind,
				    nodes[i].sf, (float)log(0.005));
	}
	for (int i = 0; i < NL; i++)
		sm_lattice_add_link(&L, links[i].from, links[i].to, links[i].ef,
				    links[i].ascr, 0);
	enumerate(&L, lm, &cfg, 0, lm->bos, -1, 0, stack, 0);
	CHECK(n_paths == 6);

	n = sm_lattice_best(&L, lm, &cfg, path, NL, &sc);
	CHECK(n == best_n);
	CHECK(fabs(sc - best_score) < 1e-3);
	for (int i = 0; i < n && n == best_n; i++)
		CHECK(path[i] == best_path[i]);

	CHECK(sm_lattice_posteriors(&L, lm, &cfg) == 0);
	m = path_score[0] / cfg.ascale;
	for (int p = 0; p < n_paths; p++)
		if (path_score[p] / cfg.ascale > m)
			m = path_score[p] / cfg.ascale;
	z = 0;
	for (int p = 0; p < n_paths; p++)
		z += exp(path_score[p] / cfg.ascale - m);
	CHECK(fabs(L.logz - (m + log(z))) < 1e-3);
	for (int i = 0; i < NL; i++) {
		double want = 0;

		for (int p = 0; p < n_paths; p++)
			if (path_link_in[p][i])
				want += exp(path_score[p] / cfg.ascale - m) / z;
		if (fabs(L.link[i].post - want) > 1e-4) {
			fprintf(stderr, "link %d: posterior %.6f, by enumeration %.6f\n", i,
				L.link[i].post, want);
			failures++;
		}
	}
	check_frames(&L, 15);
	/* both from one expansion: the same path and posteriors */
	{
		double post[NL], sc2;
		int path2[NL];

		for (int i = 0; i < NL; i++)
			post[i] = L.link[i].post;
		CHECK(sm_lattice_rescore(&L, lm, &cfg, path2, NL, &sc2) == n);
		CHECK(fabs(sc2 - sc) < 1e-9);
		for (int i = 0; i < n; i++)
			CHECK(path2[i] == path[i]);
		for (int i = 0; i < NL; i++)
			CHECK(NEAR(post[i], L.link[i].post));
	}
	/* one history per node: fewer paths, still a distribution */
	cfg.max_hist = 1;
	CHECK(sm_lattice_posteriors(&L, lm, &cfg) == 0);
	check_frames(&L, 15);
	for (int i = 0; i < NL; i++)
		CHECK(L.link[i].post >= 0 && L.link[i].post <= 1);
	sm_lattice_free(&L);
}

int
main(void)
{
	struct sm_lm lm;
	char err[512];

	test_by_hand();
	if (sm_lm_load(&lm, LM, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	test_trigram(&lm);
	sm_lm_free(&lm);
	if (failures)
		fprintf(stderr, "test_lattice: %d failures\n", failures);
	return failures != 0;
}

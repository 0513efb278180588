/* lattice.c: word lattice from the backpointer table, trigram rescoring
 * and forward-backward posteriors over the history-expanded lattice. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "lattice.h"
#include "lm.h"
#include "search.h"

#define NEG (-1e30)

void
sm_lat_cfg_default(struct sm_lat_cfg *c)
{
	c->lw = 9.5f;
	c->wip = (float)log(0.65);
	c->ascale = 20.0f;
	c->beam = 100.0f;
	c->max_hist = 16;
	c->cache = NULL;
}

void
sm_lattice_init(struct sm_lattice *L)
{
	memset(L, 0, sizeof *L);
}

void
sm_lattice_free(struct sm_lattice *L)
{
	free(L->node);
	free(L->link);
	sm_lattice_init(L);
}

int
sm_lattice_add_node(struct sm_lattice *L, int word, int lmid, int kind, int sf,
		    float fill)
{
	struct sm_lat_node *n;

	if (L->n_node == L->cap_node) {
		int c = L->cap_node ? 2 * L->cap_node : 64;
		struct sm_lat_node *q = realloc(L->node, sizeof *q * c);

		if (q == NULL)
			return -1;
		L->node = q;
		L->cap_node = c;
	}
	n = &L->node[L->n_node];
	n->word = word;
	n->lmid = lmid;
	n->kind = (int8_t)kind;
	n->sf = sf;
	n->fef = n->lef = -2;
	n->fill = fill;
	return L->n_node++;
}

int
sm_lattice_add_link(struct sm_lattice *L, int from, int to, int ef, float ascr,
		    float lscr)
{
	struct sm_lat_link *k;
	struct sm_lat_node *u = &L->node[from];

	if (L->n_link == L->cap_link) {
		int c = L->cap_link ? 2 * L->cap_link : 256;
		struct sm_lat_link *q = realloc(L->link, sizeof *q * c);

		if (q == NULL)
			return -1;
		L->link = q;
		L->cap_link = c;
	}
	k = &L->link[L->n_link];
	k->from = from;
	k->to = to;
	k->ef = ef;
	k->ascr = ascr;
	k->lscr = lscr;
	k->post = 0;
	if (u->fef == -2 || ef < u->fef)
		u->fef = ef;
	if (u->lef == -2 || ef > u->lef)
		u->lef = ef;
	return L->n_link++;
}

/* ---- building ------------------------------------------------------------ */

static const struct sm_bp *sort_bp;

static int
cmp_bp(const void *a, const void *b)
{
	const struct sm_bp *x = &sort_bp[*(const int *)a], *y = &sort_bp[*(const int *)b];

	if (x->sf != y->sf)
		return x->sf < y->sf ? -1 : 1;
	if (x->word != y->word)
		return x->word < y->word ? -1 : 1;
	return x->ef < y->ef ? -1 : x->ef > y->ef;
}

/* Weighted LM score of entering node v after history (h1, h2), with the
 * cache of recognised words if there is one. */
static float
enter_score(const struct sm_lat_node *v, const struct sm_lm *lm,
	    const struct sm_lat_cfg *cfg, int h1, int h2)
{
	float lp;

	if (v->kind == SM_LAT_END)
		return v->lmid >= 0 ? cfg->lw * sm_lm_score(lm, v->lmid, h1, h2, NULL) : 0;
	if (v->lmid < 0)
		return v->fill;
	lp = sm_lm_score(lm, v->lmid, h1, h2, NULL);
	if (cfg->cache != NULL)
		lp = sm_cache_score(cfg->cache, v->lmid, lp);
	return cfg->lw * lp + cfg->wip;
}

/* Keep the links whose best path is within cfg->beam of the best, then
 * the nodes that still have links, and renumber.  keep[] may be NULL. */
static int
compact(struct sm_lattice *L, const struct sm_lat_cfg *cfg)
{
	int nn = L->n_node, nl = L->n_link, i, j, *map;
	double *fw, *bw, best;
	char *keep;

	fw = malloc(sizeof *fw * nn);
	bw = malloc(sizeof *bw * nn);
	keep = malloc(nl + 1);
	map = malloc(sizeof *map * nn);
	if (fw == NULL || bw == NULL || keep == NULL || map == NULL) {
		free(fw), free(bw), free(keep), free(map);
		return -1;
	}
	for (i = 0; i < nn; i++)
		fw[i] = bw[i] = NEG;
	fw[0] = 0;
	bw[nn - 1] = 0;
	/* links are in order of from-node, and from < to */
	for (i = 0; i < nl; i++) {
		const struct sm_lat_link *k = &L->link[i];

		(void)0;
		if (fw[k->from] > NEG / 2 && fw[k->from] + k->ascr + k->lscr > fw[k->to])
			fw[k->to] = fw[k->from] + k->ascr + k->lscr;
	}
	for (i = nl - 1; i >= 0; i--) {
		const struct sm_lat_link *k = &L->link[i];

		if (bw[k->to] > NEG / 2 && k->ascr + k->lscr + bw[k->to] > bw[k->from])
			bw[k->from] = k->ascr + k->lscr + bw[k->to];
	}
	best = fw[nn - 1];
	for (i = 0; i < nl; i++) {
		const struct sm_lat_link *k = &L->link[i];
		double t = fw[k->from] + k->ascr + k->lscr + bw[k->to];

		keep[i] = fw[k->from] > NEG / 2 && bw[k->to] > NEG / 2 &&
			(cfg->beam <= 0 || t >= best - cfg->beam);
	}
	for (i = 0; i < nn; i++)
		map[i] = -1;
	map[0] = 0;
	map[nn - 1] = 0;
	for (i = 0; i < nl; i++)
		if (keep[i])
			map[L->link[i].from] = map[L->link[i].to] = 0;
	for (i = j = 0; i < nn; i++)
		if (map[i] == 0) {
			L->node[j] = L->node[i];
			L->node[j].fef = L->node[j].lef = -2;
			map[i] = j++;
		}
	L->n_node = j;
	for (i = j = 0; i < nl; i++)
		if (keep[i]) {
			struct sm_lat_link *k = &L->link[j++];
			struct sm_lat_node *u;

			*k = L->link[i];
			k->from = map[k->from];
			k->to = map[k->to];
			u = &L->node[k->from];
			if (u->fef == -2 || k->ef < u->fef)
				u->fef = k->ef;
			if (u->lef == -2 || k->ef > u->lef)
				u->lef = k->ef;
		}
	L->n_link = j;
	free(fw), free(bw), free(keep), free(map);
	return 0;
}

int
sm_lattice_build(struct sm_lattice *L, const struct sm_search *s,
		 const struct sm_lm *lm, const struct sm_lat_cfg *cfg,
		 float silpen, float fillpen)
{
	const struct sm_bp *bp;
	int n_bp, i, j, last_ef = -1, n_ord, ret = -1, endn, nf, pass;
	double *fw = NULL, *bw = NULL;
	int *ord = NULL, *nodeof = NULL, *first = NULL, *alive = NULL;
	char *ok = NULL;

	sm_lattice_init(L);
	bp = sm_search_bps(s, &n_bp);
	L->n_frames = sm_search_frames(s);
	for (i = 1; i < n_bp; i++)
		if (bp[i].ef > last_ef)
			last_ef = bp[i].ef;
	nf = last_ef + 2;
	ord = malloc(sizeof *ord * (n_bp + 1));
	nodeof = malloc(sizeof *nodeof * (n_bp + 1));
	first = malloc(sizeof *first * (nf + 1));
	ok = calloc(n_bp + 1, 1);
	if (ord == NULL || nodeof == NULL || first == NULL || ok == NULL)
		goto out;
	/* nodes: <s>, then (sf, word) groups, then </s> */
	if (sm_lattice_add_node(L, -1, lm->bos, SM_LAT_START, 0, 0) < 0)
		goto out;
	nodeof[0] = 0;
	for (i = 1, n_ord = 0; i < n_bp; i++)
		if (bp[i].prev >= 0)
			ord[n_ord++] = i;
	sort_bp = bp;
	qsort(ord, n_ord, sizeof *ord, cmp_bp);
	/* one entry per word, start and end frame: the best */
	for (i = j = 0; i < n_ord; i++) {
		if (j > 0 && cmp_bp(&ord[j - 1], &ord[i]) == 0) {
			if (bp[ord[i]].score > bp[ord[j - 1]].score)
				ord[j - 1] = ord[i];
			continue;
		}
		ord[j++] = ord[i];
	}
	n_ord = j;
	for (i = 0; i <= nf; i++)
		first[i] = -1;
	for (i = 0; i < n_ord; i++) {
		const struct sm_bp *b = &bp[ord[i]];

		if (i == 0 || b->sf != bp[ord[i - 1]].sf || b->word != bp[ord[i - 1]].word) {
			int len, kind, lmid = sm_search_lmid(s, b->word), n;
			float fill;

			(void)sm_search_word(s, b->word, &len, &kind);
			fill = kind == 1 ? silpen : fillpen;
			n = sm_lattice_add_node(L, b->word, kind == 0 ? lmid : -1,
						kind, b->sf, fill);
			if (n < 0)
				goto out;
			if (first[b->sf] < 0)
				first[b->sf] = n;
		}
		nodeof[ord[i]] = L->n_node - 1;
	}
	endn = sm_lattice_add_node(L, -2, lm->eos, SM_LAT_END, last_ef + 1, 0);
	if (endn < 0)
		goto out;
	first[last_ef + 1] = endn;
	/* first[f]: first node starting at f; nodes starting at f are
	 * first[f] .. up to the next node with another sf */
	alive = calloc(L->n_node, sizeof *alive);
	if (alive == NULL)
		goto out;
	alive[endn] = 1;
	/* an end is useful if a live node starts on the next frame: decide
	 * from the latest start backwards */
	for (i = n_ord - 1; i >= -1; i--) {
		int e = i < 0 ? 0 : ord[i], f = bp[e].ef + 1, v;

		if (f > last_ef + 1 || first[f] < 0)
			continue;
		for (v = first[f]; v < L->n_node && L->node[v].sf == f; v++)
			if (alive[v] && (v != 0 || f != 0)) {
				ok[e] = 1;
				alive[nodeof[e]] = 1;
				break;
			}
	}
	/* Best path scores to and from every node over the links not yet
	 * made (pass 0 forward, 1 backward), so that only links within the
	 * beam are ever stored (pass 2), in order of from-node. */
	fw = malloc(sizeof *fw * L->n_node);
	bw = malloc(sizeof *bw * L->n_node);
	if (fw == NULL || bw == NULL)
		goto out;
	for (i = 0; i < L->n_node; i++)
		fw[i] = bw[i] = NEG;
	fw[0] = 0;
	bw[endn] = 0;
	for (pass = 0; pass < 3; pass++)
		for (j = 0; j < n_ord + 1; j++) {
			int jj = pass == 1 ? n_ord - j : j;
			int e = jj == 0 ? 0 : ord[jj - 1], f = bp[e].ef + 1, u = nodeof[e], v;
			const struct sm_bp *b = &bp[e];
			float ascr;

			if (!ok[e])
				continue;
			ascr = e == 0 ? 0 : b->score - b->lm - bp[b->prev].score;
			for (v = first[f]; v < L->n_node && L->node[v].sf == f; v++) {
				float lscr;
				double t;

				if (!alive[v] || v == 0)
					continue;
				lscr = enter_score(&L->node[v], lm, cfg, b->h1, b->h2);
				if (pass == 0) {
					if (fw[u] + ascr + lscr > fw[v])
						fw[v] = fw[u] + ascr + lscr;
					continue;
				}
				if (pass == 1) {
					if (ascr + lscr + bw[v] > bw[u])
						bw[u] = ascr + lscr + bw[v];
					continue;
				}
				t = fw[u] + ascr + lscr + bw[v];
				if (t <= NEG / 2 || (cfg->beam > 0 && t < fw[endn] - cfg->beam))
					continue;
				if (sm_lattice_add_link(L, u, v, b->ef, ascr, lscr) < 0)
					goto out;
			}
		}
	ret = compact(L, cfg);
out:
	free(ord), free(nodeof), free(first), free(ok), free(alive), free(fw), free(bw);
	if (ret != 0)
		sm_lattice_free(L);
	return ret;
}

/* ---- the history-expanded graph ------------------------------------------ */

/* States are (node, h1, h2); the arcs into state s are
 * [st_a0[s], st_a0[s + 1]), states in topological order. */
struct xgraph {
	int32_t *st_h1, *st_h2, *st_arc, *st_a0;	/* st_arc: best incoming */
	double *st_v;
	int n_st, cap_st;
	int32_t *a_from, *a_link;
	float *a_w;
	int n_a, cap_a;
	int32_t *node_st0, *node_nst;
};

static void
xfree(struct xgraph *g)
{
	free(g->st_h1), free(g->st_h2), free(g->st_arc), free(g->st_a0), free(g->st_v);
	free(g->a_from), free(g->a_link), free(g->a_w);
	free(g->node_st0), free(g->node_nst);
}

static int
grow(void **p, size_t sz, int n)
{
	void *q = realloc(*p, sz * (size_t)n);

	if (q == NULL)
		return -1;
	*p = q;
	return 0;
}

static int
add_state(struct xgraph *g, int h1, int h2, double v)
{
	if (g->n_st == g->cap_st) {
		int c = g->cap_st ? g->cap_st + g->cap_st / 2 : 1024;

		if (grow((void **)&g->st_h1, sizeof *g->st_h1, c) ||
		    grow((void **)&g->st_h2, sizeof *g->st_h2, c) ||
		    grow((void **)&g->st_arc, sizeof *g->st_arc, c) ||
		    grow((void **)&g->st_a0, sizeof *g->st_a0, c + 1) ||
		    grow((void **)&g->st_v, sizeof *g->st_v, c))
			return -1;
		g->cap_st = c;
	}
	g->st_h1[g->n_st] = h1;
	g->st_h2[g->n_st] = h2;
	g->st_v[g->n_st] = v;
	g->st_arc[g->n_st] = -1;
	g->st_a0[g->n_st] = g->st_a0[g->n_st + 1] = g->n_a;
	return g->n_st++;
}

static int
add_arc(struct xgraph *g, int from, int link, double w)
{
	if (g->n_a == g->cap_a) {
		int c = g->cap_a ? g->cap_a + g->cap_a / 2 : 4096;

		if (grow((void **)&g->a_from, sizeof *g->a_from, c) ||
		    grow((void **)&g->a_link, sizeof *g->a_link, c) ||
		    grow((void **)&g->a_w, sizeof *g->a_w, c))
			return -1;
		g->cap_a = c;
	}
	g->a_from[g->n_a] = from;
	g->a_link[g->n_a] = link;
	g->a_w[g->n_a] = (float)w;
	return g->n_a++;
}

struct cand {
	int32_t h1, h2;
	double v;
	int32_t arc;		/* best temporary arc */
	int32_t st;		/* state index once kept, else -1 */
};

struct tarc {
	int32_t from, link, cand;
	double w;
};

static const struct cand *sort_cand;

static int
cmp_cand(const void *a, const void *b)
{
	double x = sort_cand[*(const int *)a].v, y = sort_cand[*(const int *)b].v;

	return x > y ? -1 : x < y;
}

static uint32_t
hash2(int32_t a, int32_t b)
{
	uint32_t h = (uint32_t)a * 2654435761u ^ ((uint32_t)b + 0x9e3779b9u) * 2246822519u;

	return h ^ h >> 15;
}

/* Expand every node into its trigram histories (at most cfg->max_hist,
 * the best by Viterbi score).  With lm NULL each node is one state and
 * arcs score the links' own LM scores. */
static int
expand(const struct sm_lattice *L, const struct sm_lm *lm,
       const struct sm_lat_cfg *cfg, struct xgraph *g)
{
	int nn = L->n_node, nl = L->n_link, i, v, ret = -1;
	int *in0 = NULL, *inl = NULL, *ord = NULL, *htab = NULL, *tord = NULL, *cpos = NULL;
	struct cand *cd = NULL;
	struct tarc *ta = NULL;
	int cap_cd = 0, cap_ta = 0, hcap = 0;

	memset(g, 0, sizeof *g);
	g->node_st0 = malloc(sizeof *g->node_st0 * nn);
	g->node_nst = calloc(nn, sizeof *g->node_nst);
	in0 = calloc(nn + 1, sizeof *in0);
	inl = malloc(sizeof *inl * (nl + 1));
	if (g->node_st0 == NULL || g->node_nst == NULL || in0 == NULL || inl == NULL)
		goto out;
	/* incoming links per node */
	for (i = 0; i < nl; i++)
		in0[L->link[i].to + 1]++;
	for (v = 0; v < nn; v++)
		in0[v + 1] += in0[v];
	{
		int *pos = malloc(sizeof *pos * (nn + 1));

		if (pos == NULL)
			goto out;
		memcpy(pos, in0, sizeof *pos * (nn + 1));
		for (i = 0; i < nl; i++)
			inl[pos[L->link[i].to]++] = i;
		free(pos);
	}
	g->node_st0[0] = 0;
	g->node_nst[0] = 1;
	if (add_state(g, lm ? L->node[0].lmid : -1, -1, 0) < 0)
		goto out;
	for (v = 1; v < nn; v++) {
		const struct sm_lat_node *nv = &L->node[v];
		int n_ta = 0, n_cd = 0, k, keep, need;

		g->node_st0[v] = g->n_st;
		need = 0;
		for (k = in0[v]; k < in0[v + 1]; k++)
			need += g->node_nst[L->link[inl[k]].from];
		if (need > cap_ta) {
			cap_ta = need + need / 2 + 16;
			free(ta);
			free(cd);
			ta = malloc(sizeof *ta * cap_ta);
			cd = malloc(sizeof *cd * cap_ta);
			free(ord);
			ord = malloc(sizeof *ord * cap_ta);
			free(tord);
			tord = malloc(sizeof *tord * cap_ta);
			free(cpos);
			cpos = malloc(sizeof *cpos * (cap_ta + 1));
			if (ta == NULL || cd == NULL || ord == NULL || tord == NULL || cpos == NULL)
				goto out;
			cap_cd = cap_ta;
		}
		if (2 * need > hcap) {
			hcap = 64;
			while (hcap < 2 * need)
				hcap *= 2;
			free(htab);
			htab = malloc(sizeof *htab * hcap);
			if (htab == NULL)
				goto out;
			for (i = 0; i < hcap; i++)
				htab[i] = -1;
		}
		for (k = in0[v]; k < in0[v + 1]; k++) {
			int li = inl[k];
			const struct sm_lat_link *lk = &L->link[li];
			int u = lk->from, s;

			for (s = g->node_st0[u]; s < g->node_st0[u] + g->node_nst[u]; s++) {
				int h1 = g->st_h1[s], h2 = g->st_h2[s], c;
				double w;
				uint32_t hh;

				if (g->st_v[s] <= NEG / 2)
					continue;
				if (lm == NULL) {
					w = lk->ascr + lk->lscr;
					h1 = h2 = -1;
				} else {
					w = lk->ascr + enter_score(nv, lm, cfg, h1, h2);
					if (nv->kind != SM_LAT_END && nv->lmid >= 0) {
						h2 = h1;
						h1 = nv->lmid;
					}
				}
				hh = hash2(h1, h2) & (uint32_t)(hcap - 1);
				while ((c = htab[hh]) >= 0 && (cd[c].h1 != h1 || cd[c].h2 != h2))
					hh = (hh + 1) & (uint32_t)(hcap - 1);
				if (c < 0) {
					c = n_cd++;
					htab[hh] = c;
					cd[c].h1 = h1;
					cd[c].h2 = h2;
					cd[c].v = NEG;
					cd[c].arc = -1;
				}
				ta[n_ta].from = s;
				ta[n_ta].link = li;
				ta[n_ta].cand = c;
				ta[n_ta].w = w;
				if (g->st_v[s] + w > cd[c].v) {
					cd[c].v = g->st_v[s] + w;
					cd[c].arc = n_ta;
				}
				n_ta++;
			}
		}
		(void)cap_cd;
		/* clear the hash for the next node */
		for (i = 0; i < n_cd; i++) {
			uint32_t hh = hash2(cd[i].h1, cd[i].h2) & (uint32_t)(hcap - 1);

			while (htab[hh] >= 0)
				htab[hh] = -1, hh = (hh + 1) & (uint32_t)(hcap - 1);
		}
		for (i = 0; i < n_cd; i++) {
			ord[i] = i;
			cd[i].st = -1;
		}
		keep = n_cd;
		if (cfg->max_hist > 0 && n_cd > cfg->max_hist) {
			sort_cand = cd;
			qsort(ord, n_cd, sizeof *ord, cmp_cand);
			keep = cfg->max_hist;
		}
		for (i = 0; i < keep; i++) {
			struct cand *c = &cd[ord[i]];

			c->st = add_state(g, c->h1, c->h2, c->v);
			if (c->st < 0)
				goto out;
		}
		g->node_nst[v] = keep;
		/* the arcs, grouped by the state they enter */
		for (i = 0; i <= n_cd; i++)
			cpos[i] = 0;
		for (i = 0; i < n_ta; i++)
			cpos[ta[i].cand + 1]++;
		for (i = 0; i < n_cd; i++)
			cpos[i + 1] += cpos[i];
		for (i = 0; i < n_ta; i++)
			tord[cpos[ta[i].cand]++] = i;
		/* cpos[c] is now the end of cand c's arcs in tord */
		for (i = 0; i < keep; i++) {
			int ci = ord[i], st = cd[ci].st, b = ci ? cpos[ci - 1] : 0, j;

			g->st_a0[st] = g->n_a;
			for (j = b; j < cpos[ci]; j++) {
				const struct tarc *t = &ta[tord[j]];
				int a = add_arc(g, t->from, t->link, t->w);

				if (a < 0)
					goto out;
				if (cd[ci].arc == tord[j])
					g->st_arc[st] = a;
			}
			g->st_a0[st + 1] = g->n_a;
		}
	}
	ret = 0;
out:
	free(in0), free(inl), free(ord), free(htab), free(cd), free(ta), free(tord), free(cpos);
	if (ret != 0)
		xfree(g);
	return ret;
}

/* The best path of an expanded graph into path[]: its length or -1. */
static int
best_path(const struct sm_lattice *L, const struct xgraph *g, int *path, int max,
	  double *score)
{
	int e = L->n_node - 1, s, best = -1, n = 0, a;

	for (s = g->node_st0[e]; s < g->node_st0[e] + g->node_nst[e]; s++)
		if (best < 0 || g->st_v[s] > g->st_v[best])
			best = s;
	if (best < 0 || g->st_v[best] <= NEG / 2)
		return -1;
	if (score)
		*score = g->st_v[best];
	for (s = best; (a = g->st_arc[s]) >= 0; s = g->a_from[a])
		n++;
	if (n > max)
		return -1;
	for (s = best, a = n; g->st_arc[s] >= 0; s = g->a_from[g->st_arc[s]])
		path[--a] = g->a_link[g->st_arc[s]];
	return n;
}

static double
logadd(double a, double b)
{
	if (a < b) {
		double t = a;

		a = b;
		b = t;
	}
	if (b <= NEG / 2)
		return a;
	return a + log1p(exp(b - a));
}

static int
posteriors(struct sm_lattice *L, const struct xgraph *g, const struct sm_lat_cfg *cfg)
{
	double *al, *be, z = NEG, sc = 1.0 / cfg->ascale;
	int e = L->n_node - 1, s, a;

	al = malloc(sizeof *al * (g->n_st + 1));
	be = malloc(sizeof *be * (g->n_st + 1));
	if (al == NULL || be == NULL) {
		free(al), free(be);
		return -1;
	}
	for (s = 0; s < g->n_st; s++)
		al[s] = be[s] = NEG;
	al[0] = 0;
	for (s = 1; s < g->n_st; s++)
		for (a = g->st_a0[s]; a < g->st_a0[s + 1]; a++)
			al[s] = logadd(al[s], al[g->a_from[a]] + g->a_w[a] * sc);
	for (s = g->node_st0[e]; s < g->node_st0[e] + g->node_nst[e]; s++) {
		be[s] = 0;
		z = logadd(z, al[s]);
	}
	for (s = g->n_st - 1; s > 0; s--)
		if (be[s] > NEG / 2)
			for (a = g->st_a0[s]; a < g->st_a0[s + 1]; a++)
				be[g->a_from[a]] = logadd(be[g->a_from[a]], g->a_w[a] * sc + be[s]);
	if (z > NEG / 2)
		for (s = 1; s < g->n_st; s++)
			for (a = g->st_a0[s]; a < g->st_a0[s + 1]; a++) {
				double p = al[g->a_from[a]] + g->a_w[a] * sc + be[s] - z;

				if (p > -700)
					L->link[g->a_link[a]].post += exp(p);
			}
	for (a = 0; a < L->n_link; a++)
		if (L->link[a].post > 1)
			L->link[a].post = 1;
	L->logz = z;
	L->n_states = g->n_st;
	L->n_arcs = g->n_a;
	free(al), free(be);
	return 0;
}

int
sm_lattice_best(const struct sm_lattice *L, const struct sm_lm *lm,
		const struct sm_lat_cfg *cfg, int *path, int max, double *score)
{
	struct xgraph g;
	int n;

	if (L->n_node < 2 || expand(L, lm, cfg, &g) != 0)
		return -1;
	n = best_path(L, &g, path, max, score);
	xfree(&g);
	return n;
}

int
sm_lattice_posteriors(struct sm_lattice *L, const struct sm_lm *lm,
		      const struct sm_lat_cfg *cfg)
{
	return sm_lattice_rescore(L, lm, cfg, NULL, 0, NULL);
}

int
sm_lattice_rescore(struct sm_lattice *L, const struct sm_lm *lm,
		   const struct sm_lat_cfg *cfg, int *path, int max, double *score)
{
	struct xgraph g;
	int a, n = 0;

	for (a = 0; a < L->n_link; a++)
		L->link[a].post = 0;
	L->logz = NEG;
	if (L->n_node < 2)
		return path ? -1 : 0;
	if (expand(L, lm, cfg, &g) != 0)
		return -1;
	if (path)
		n = best_path(L, &g, path, max, score);
	if (n >= 0 && posteriors(L, &g, cfg) != 0)
		n = -1;
	xfree(&g);
	return n;
}

/* Same word: the same LM word (any pronunciation), or the same filler. */
static int
same_word(const struct sm_lat_node *a, const struct sm_lat_node *b)
{
	if (a->kind >= SM_LAT_START || b->kind >= SM_LAT_START)
		return 0;
	if (a->lmid >= 0 || b->lmid >= 0)
		return a->lmid == b->lmid;
	return a->word == b->word;
}

double
sm_lattice_conf(const struct sm_lattice *L, int node, int sf, int ef)
{
	int n = ef - sf + 1, i, t;
	double *d, acc = 0, best = 0;

	if (n <= 0)
		return 0;
	d = calloc(n + 1, sizeof *d);
	if (d == NULL)
		return 0;
	for (i = 0; i < L->n_link; i++) {
		const struct sm_lat_link *k = &L->link[i];
		const struct sm_lat_node *u = &L->node[k->from];
		int a, b;

		if (!same_word(u, &L->node[node]))
			continue;
		a = u->sf > sf ? u->sf : sf;
		b = k->ef < ef ? k->ef : ef;
		if (a > b)
			continue;
		d[a - sf] += k->post;
		d[b - sf + 1] -= k->post;
	}
	for (t = 0; t < n; t++) {
		acc += d[t];
		if (acc > best)
			best = acc;
	}
	free(d);
	return best > 1 ? 1 : best < 0 ? 0 : best;
}

/* ---- writers ------------------------------------------------------------- */

static const char *const kind_name[] = { "word", "sil", "filler", "start", "end" };

static void
spell(const struct sm_lat_node *n, const struct sm_search *s, const char **w, int *len)
{
	int kind;

	if (n->kind == SM_LAT_START)
		*w = "<s>", *len = 3;
	else if (n->kind == SM_LAT_END)
		*w = "</s>", *len = 4;
	else
		*w = sm_search_word(s, n->word, len, &kind);
}

static int
write_sm(const struct sm_lattice *L, FILE *f, const struct sm_search *s,
	 double t0, double tf)
{
	int i, len;
	const char *w;

	fprintf(f, "#sm-lattice 1\nU\t%d\t%d\t%d\n", L->n_node, L->n_link, L->n_frames);
	for (i = 0; i < L->n_node; i++) {
		const struct sm_lat_node *n = &L->node[i];

		spell(n, s, &w, &len);
		fprintf(f, "N\t%d\t%d\t%.3f\t%s\t%.*s\n", i, n->sf, t0 + n->sf * tf,
			kind_name[n->kind], len, w);
	}
	for (i = 0; i < L->n_link; i++) {
		const struct sm_lat_link *k = &L->link[i];

		fprintf(f, "L\t%d\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.6f\n", k->from, k->to,
			k->ef, t0 + (k->ef + 1) * tf, k->ascr, k->lscr, k->post);
	}
	fprintf(f, "#end\n");
	return ferror(f) ? -1 : 0;
}

/* An SLF node is a word end: (lattice node, its last frame). */
struct wend {
	int32_t node, ef;
	float ascr;
};

static int
cmp_wend(const void *a, const void *b)
{
	const struct wend *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	return x->ef < y->ef ? -1 : x->ef > y->ef;
}

static int
find_wend(const struct wend *e, int n, int node, int ef)
{
	int lo = 0, hi = n - 1;

	while (lo <= hi) {
		int m = (lo + hi) / 2;

		if (e[m].node < node || (e[m].node == node && e[m].ef < ef))
			lo = m + 1;
		else if (e[m].node == node && e[m].ef == ef)
			return m;
		else
			hi = m - 1;
	}
	return -1;
}

static int
write_slf(const struct sm_lattice *L, FILE *f, const struct sm_search *s,
	  double t0, double tf)
{
	struct wend *e;
	int *first, i, j, n = 0, len, endn = L->n_node - 1;
	long n_links = 0, id = 0;
	const char *w;

	e = malloc(sizeof *e * (L->n_link + 1));
	first = malloc(sizeof *first * (L->n_node + 1));
	if (e == NULL || first == NULL) {
		free(e), free(first);
		return -1;
	}
	for (i = 0; i < L->n_link; i++) {
		e[n].node = L->link[i].from;
		e[n].ef = L->link[i].ef;
		e[n++].ascr = L->link[i].ascr;
	}
	e[n].node = endn;
	e[n].ef = L->node[endn].sf - 1;
	e[n++].ascr = 0;
	qsort(e, n, sizeof *e, cmp_wend);
	for (i = j = 0; i < n; i++)
		if (j == 0 || cmp_wend(&e[j - 1], &e[i]) != 0)
			e[j++] = e[i];
	n = j;
	/* first[v]: the first word end of node v; ends of v are contiguous */
	for (i = 0; i <= L->n_node; i++)
		first[i] = n;
	for (i = n - 1; i >= 0; i--)
		first[e[i].node] = i;
	for (i = L->n_node - 1; i >= 0; i--)
		if (first[i] == n)
			first[i] = first[i + 1];
	for (i = 0; i < L->n_link; i++)
		n_links += first[L->link[i].to + 1] - first[L->link[i].to];
	fprintf(f, "VERSION=1.0\nlmscale=1.0\nwdpenalty=0.0\nacscale=1.0\n");
	fprintf(f, "start=%d\nend=%d\nN=%d\tL=%ld\n", find_wend(e, n, 0, -1),
		find_wend(e, n, endn, L->node[endn].sf - 1), n, n_links);
	for (i = 0; i < n; i++) {
		spell(&L->node[e[i].node], s, &w, &len);
		fprintf(f, "I=%d\tt=%.2f\tW=%.*s\n", i, t0 + (e[i].ef + 1) * tf, len, w);
	}
	for (i = 0; i < L->n_link; i++) {
		const struct sm_lat_link *k = &L->link[i];
		int a = find_wend(e, n, k->from, k->ef), b;

		for (b = first[k->to]; b < first[k->to + 1]; b++)
			fprintf(f, "J=%ld\tS=%d\tE=%d\ta=%.3f\tl=%.3f\n", id++, a, b,
				e[b].ascr, k->lscr);
	}
	free(e), free(first);
	return ferror(f) ? -1 : 0;
}

int
sm_lattice_write(const struct sm_lattice *L, FILE *f, int slf,
		 const struct sm_search *s, double t0, double tf)
{
	return slf ? write_slf(L, f, s, t0, tf) : write_sm(L, f, s, t0, tf);
}

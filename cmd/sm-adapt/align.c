/* align.c: the model sm-adapt aligns with, the Viterbi alignment of each
 * first-pass word to HMM states, and the CMLLR statistics of its frames. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "adapt.h"
#include "dict.h"

static size_t
gau_off(const struct ad_model *m, int c, int f, int k)
{
	return ((size_t)c * m->n_dens + k) * m->dim + m->off[f];
}

/* The slot of a word in the table of the hypothesis's words. */
static int32_t *
slot(const struct ad_model *m, const char *word, size_t len)
{
	uint32_t h = sm_hash_bytes(word, len) & m->hmask;

	for (;; h = (h + 1) & m->hmask) {
		int32_t i = m->wslot[h];

		if (i < 0 || (m->words[i].len == len &&
			      memcmp(m->words[i].s, word, len) == 0))
			return &m->wslot[h];
	}
}

int
ad_lookup(const struct ad_model *m, const char *word, size_t len)
{
	int32_t i = *slot(m, word, len);

	return i >= 0 ? m->words[i].first : -1;
}

/* Add the pronunciation ph[0..n) of word i after its others. */
static void
add_pron(struct ad_model *m, int32_t i, const int16_t *ph, int n)
{
	struct ad_pron *p;

	if (m->n_pron == m->pron_cap) {
		m->pron_cap = m->pron_cap ? 2 * m->pron_cap : 256;
		if ((m->pron = realloc(m->pron, m->pron_cap * sizeof *m->pron)) == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
	}
	p = &m->pron[m->n_pron];
	memcpy(p->ph, ph, (size_t)n * sizeof *ph);
	p->n = n;
	p->next = -1;
	if (m->words[i].last >= 0)
		m->pron[m->words[i].last].next = (int)m->n_pron;
	else
		m->words[i].first = (int32_t)m->n_pron;
	m->words[i].last = (int32_t)m->n_pron++;
}

static unsigned
lead_key(char a, char b)
{
	return (unsigned)(unsigned char)a << 8 | (unsigned char)b;
}

static void
set_lead(unsigned char *lead, char a, char b)
{
	lead[lead_key(a, b) / 8] |= (unsigned char)(1u << lead_key(a, b) % 8);
}

void
ad_dict_load(struct ad_model *m, const struct sm_pack *pack, const char *const *word,
	     const size_t *wlen, long n)
{
	const char *map, *p, *next;
	char err[8400];
	size_t len, lineno = 0;
	uint32_t size = 16;
	long i;
	/* The pairs of first two bytes the lines to parse can start with
	 * (a one-letter word: followed by a blank or "("), one bit each: a
	 * line that starts otherwise is passed over unread. */
	unsigned char lead[65536 / 8] = {0};

	while (size < 2 * (uint32_t)n + 16)
		size <<= 1;
	m->hmask = size - 1;
	m->wslot = malloc(size * sizeof *m->wslot);
	m->words = sm_xcalloc((size_t)n + 1, sizeof *m->words);
	if (m->wslot == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	memset(m->wslot, 0xff, size * sizeof *m->wslot);
	for (i = 0; i < n; i++) {
		int32_t *sl;

		if (word[i] == NULL)
			continue;
		sl = slot(m, word[i], wlen[i]);
		if (*sl >= 0)
			continue;
		*sl = (int32_t)m->n_words;
		m->words[m->n_words].s = word[i];
		m->words[m->n_words].len = wlen[i];
		m->words[m->n_words].first = m->words[m->n_words].last = -1;
		m->n_words++;
		if (wlen[i] >= 2)
			set_lead(lead, word[i][0], word[i][1]);
		else if (wlen[i] == 1) {
			set_lead(lead, word[i][0], ' ');
			set_lead(lead, word[i][0], '\t');
			set_lead(lead, word[i][0], '\r');
			set_lead(lead, word[i][0], '(');
		}
	}
	if (sm_map_file(pack->dict, SM_MAP_POPULATE, (const unsigned char **)&map, &len, err,
			sizeof err) != 0)
		sm_die(SM_EX_CONFIG, "%s", err);
	/* Only the lines of those words are taken apart: WORD[(N)] PHONE... */
	for (p = map; p < map + len; p = next) {
		const char *end = memchr(p, '\n', (size_t)(map + len - p));
		struct sm_dict_line dl;
		int16_t ph[AD_MAX_PHONES];
		int32_t wi;
		int np = 0, id;

		end = end ? end : map + len;
		next = end + 1;
		lineno++;
		if (end - p < 2 || !(lead[lead_key(p[0], p[1]) / 8] & 1u << lead_key(p[0], p[1]) % 8))
			continue;
		sm_dict_line(p, end, &dl);
		if (dl.n_phone == 0 || (wi = *slot(m, dl.word, dl.base_len)) < 0)
			continue;
		for (int k = 0; k < dl.n_phone && k < SM_DICT_LINE_PH; k++) {
			char name[256];

			if ((id = sm_dict_phone(&dl, k, name, sizeof name) ?
				  sm_mdef_ciphone(&m->mdef, name) : -1) < 0)
				sm_die(SM_EX_CONFIG, "%s:%zu: unknown phone '%s'", pack->dict,
				       lineno, sm_clip(name));
			if (np == AD_MAX_PHONES)
				break;
			ph[np++] = (int16_t)id;
		}
		if (np > 0 && np < AD_MAX_PHONES)
			add_pron(m, wi, ph, np);
	}
	sm_unmap_file((const unsigned char *)map, len);
}

void
ad_model_base(struct ad_model *m, const struct sm_pack *pack)
{
	char err[8400], path[4200];
	int f, d, rc;

	memset(m, 0, sizeof *m);
	snprintf(path, sizeof path, "%s/transition_matrices", pack->hmm);
	if (sm_tmat_load(&m->tmat, path, err, sizeof err) != 0)
		sm_die(SM_EX_CONFIG, "%s", err);
	rc = sm_am_open_pack(&m->am, pack, 0, err, sizeof err);
	if (rc == -2)
		sm_image_refuse(pack, SM_IMAGE_AM, err,
				"or name no am_image in pack.conf");
	if (rc != 0)
		sm_die(SM_EX_CONFIG, "%s", err);
	m->n_cb = m->am.n_cb;
	m->n_feat = m->am.n_feat;
	m->n_dens = m->am.n_dens;
	m->dim = m->am.dim;
	for (f = 0, d = 0; f < m->n_feat; f++) {
		m->veclen[f] = m->am.veclen[f];
		if (m->veclen[f] > AD_MAX_D)
			sm_die(SM_EX_CONFIG, "%s: streams of %d dimensions, at most %d "
			       "supported", pack->hmm, m->veclen[f], AD_MAX_D);
		m->off[f] = d;
		d += m->veclen[f];
	}
	if (m->n_dens > AD_MAX_DENS)
		sm_die(SM_EX_CONFIG, "%s: %d Gaussians per codebook, at most %d supported",
		       pack->hmm, m->n_dens, AD_MAX_DENS);
}

void
ad_model_load(struct ad_model *m, const struct sm_pack *pack, int no_image)
{
	char err[8400];
	uint64_t fp[SM_IMAGE_FP];

	ad_model_base(m, pack);
	if (no_image || pack->adapt_image[0] == '\0') {
		char path[4200];

		snprintf(path, sizeof path, "%s/mdef", pack->hmm);
		if (sm_mdef_load(&m->mdef, path, err, sizeof err) != 0)
			sm_die(SM_EX_CONFIG, "%s", err);
		ad_model_gaussians(m, pack);
		return;
	}
	if (sm_image_fingerprint(pack, SM_IMAGE_ADAPT, fp, err, sizeof err) != 0)
		sm_die(SM_EX_CONFIG, "%s", err);
	if (ad_image_open(m, pack->adapt_image, fp, err, sizeof err) != 0)
		sm_image_refuse(pack, SM_IMAGE_ADAPT, err, "--no-image reads the model files");
}

void
ad_model_gaussians(struct ad_model *m, const struct sm_pack *pack)
{
	char err[8400], path[4200];
	struct sm_s3_gau mean, var;
	size_t G = (size_t)m->n_cb * m->n_dens;
	float *mu_, *iv_, *mt_, *it_, *gc_;
	int c, f, k, d;
	double n;

	snprintf(path, sizeof path, "%s/means", pack->hmm);
	if (sm_s3_gau_load(&mean, path, err, sizeof err) != 0)
		sm_die(SM_EX_CONFIG, "%s", err);
	snprintf(path, sizeof path, "%s/variances", pack->hmm);
	if (sm_s3_gau_load(&var, path, err, sizeof err) != 0)
		sm_die(SM_EX_CONFIG, "%s", err);
	if (mean.n_mgau != m->am.n_cb || mean.n_feat != m->am.n_feat ||
	    mean.n_density != m->am.n_dens || mean.dim != m->am.dim ||
	    var.n_mgau != mean.n_mgau || var.n_feat != mean.n_feat ||
	    var.n_density != mean.n_density || var.dim != mean.dim)
		sm_die(SM_EX_CONFIG, "%s: means and variances do not match the "
		       "acoustic model", pack->hmm);
	for (f = 0; f < m->n_feat; f++)
		if (mean.veclen[f] != m->veclen[f])
			sm_die(SM_EX_CONFIG, "%s: means and variances do not match the "
			       "acoustic model", pack->hmm);
	m->mean = mu_ = malloc(G * m->dim * sizeof *mu_);
	m->ivar = iv_ = malloc(G * m->dim * sizeof *iv_);
	m->gconst = gc_ = malloc(G * m->n_feat * sizeof *gc_);
	m->mean_t = mt_ = malloc(G * m->dim * sizeof *mt_);
	m->ivar_t = it_ = malloc(G * m->dim * sizeof *it_);
	if (mu_ == NULL || iv_ == NULL || gc_ == NULL || mt_ == NULL || it_ == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	for (c = 0; c < m->n_cb; c++)
		for (f = 0; f < m->n_feat; f++)
			for (k = 0; k < m->n_dens; k++) {
				const float *mu = sm_s3_gau_vec(&mean, c, f, k);
				const float *va = sm_s3_gau_vec(&var, c, f, k);
				size_t o = gau_off(m, c, f, k);
				double g = 0;

				for (d = 0; d < m->veclen[f]; d++) {
					double v = va[d] < SM_AM_VARFLOOR ? SM_AM_VARFLOOR : va[d];

					mu_[o + d] = mu[d];
					iv_[o + d] = (float)(1 / v);
					mt_[((size_t)c * m->dim + m->off[f] + d) * m->n_dens + k] =
						mu_[o + d];
					it_[((size_t)c * m->dim + m->off[f] + d) * m->n_dens + k] =
						iv_[o + d];
					g -= 0.5 * log(2 * M_PI * v);
				}
				gc_[((size_t)c * m->n_feat + f) * m->n_dens + k] = (float)g;
			}
	/* The prior's scale: the variance of data drawn from all the
	 * Gaussians alike. */
	n = (double)m->n_cb * m->n_dens;
	for (f = 0; f < m->n_feat; f++)
		for (d = 0; d < m->veclen[f]; d++) {
			double s = 0, s2 = 0, v = 0;

			for (c = 0; c < m->n_cb; c++)
				for (k = 0; k < m->n_dens; k++) {
					size_t o = gau_off(m, c, f, k) + d;

					s += m->mean[o];
					s2 += (double)m->mean[o] * m->mean[o];
					v += 1 / m->ivar[o];
				}
			m->gvar[f][d] = v / n + s2 / n - (s / n) * (s / n);
		}
	sm_s3_gau_free(&mean);
	sm_s3_gau_free(&var);
}

/* ---- alignment ---------------------------------------------------------- */

/* The top AD_TOPN Gaussians of codebook c, stream f for one frame x:
 * indices and log densities, best first. */
struct top {
	int k[AD_TOPN];
	float l[AD_TOPN];
};

/* The weighted squared distances s[k] of the frame's n values x (one
 * stream) from the n_dens Gaussians of one codebook, dimension by
 * dimension (mu, iv: the first dimension's n_dens values, then the
 * next's): each s[k] sums its terms in the order of the dimensions, as a
 * loop over one Gaussian's dimensions would, so the Gaussians can go side
 * by side. */
__attribute__((target_clones("avx2", "default"))) SM_VECTORIZE
static void
distances(const float *x, int n, const float *mu, const float *iv, int n_dens, float *s)
{
	int d, k;

	for (k = 0; k < n_dens; k++)
		s[k] = 0;
	for (d = 0; d < n; d++, mu += n_dens, iv += n_dens) {
		float xd = x[d];

		for (k = 0; k < n_dens; k++) {
			float e = xd - mu[k];

			s[k] += e * e * iv[k];
		}
	}
}

static void
top_gaussians(const struct ad_model *m, const float *x, int c, int f, struct top *t)
{
	int n = 0, k, j;
	const float *gc = m->gconst + ((size_t)c * m->n_feat + f) * m->n_dens;
	size_t o = ((size_t)c * m->dim + m->off[f]) * m->n_dens;
	float dist[AD_MAX_DENS];

	distances(x + m->off[f], m->veclen[f], m->mean_t + o, m->ivar_t + o, m->n_dens, dist);
	for (k = 0; k < m->n_dens; k++) {
		float s = gc[k] - 0.5f * dist[k];

		if (n == AD_TOPN && s <= t->l[n - 1])
			continue;
		j = n < AD_TOPN ? n++ : n - 1;
		while (j > 0 && t->l[j - 1] < s) {
			t->l[j] = t->l[j - 1];
			t->k[j] = t->k[j - 1];
			j--;
		}
		t->l[j] = s;
		t->k[j] = k;
	}
}

/* Log mixture weight of Gaussian k of stream f in senone s. */
static inline float
logw(const struct ad_model *m, int f, int k, int s)
{
	return -(float)SM_AM_MIXW_STEP *
	       m->am.mixw_q[((size_t)f * m->n_dens + k) * m->am.n_sen + s];
}

/* Senone s's log-likelihood from its codebook's top Gaussians t[f]; with
 * post, the posteriors of those Gaussians within each stream. */
static float
senone_score(const struct ad_model *m, const struct top *t, int s,
	     float post[][AD_TOPN])
{
	float total = 0;
	int f, j;

	for (f = 0; f < m->n_feat; f++) {
		float v[AD_TOPN], mx = -INFINITY, sum = 0;

		for (j = 0; j < AD_TOPN; j++) {
			v[j] = t[f].l[j] + logw(m, f, t[f].k[j], s);
			if (v[j] > mx)
				mx = v[j];
		}
		for (j = 0; j < AD_TOPN; j++)
			sum += (v[j] = expf(v[j] - mx));
		if (post)
			for (j = 0; j < AD_TOPN; j++)
				post[f][j] = v[j] / sum;
		total += mx + logf(sum);
	}
	return total;
}

/* The phone id (triphone, else its base CI phone) of position p of an
 * entry's phones ph[0..n), with the word's outside contexts. */
static int
phone_at(const struct ad_model *m, const int16_t *ph, int n, int p, int left,
	 int right)
{
	int pos = n == 1 ? SM_WPOS_SINGLE : p == 0 ? SM_WPOS_BEGIN :
		  p == n - 1 ? SM_WPOS_END : SM_WPOS_INTERNAL;
	int l = p > 0 ? ph[p - 1] : left, r = p < n - 1 ? ph[p + 1] : right;
	int pid = sm_mdef_triphone(&m->mdef, ph[p], l, r, pos);

	return pid >= 0 ? pid : ph[p];
}

#define AD_MAX_STATES 3 * 256

/* Work space of one word's alignment. */
struct work {
	int sen[AD_MAX_STATES];
	float self[AD_MAX_STATES], next[AD_MAX_STATES];
};

long
ad_align_word(const struct ad_model *m, const float *feat, const float *raw,
	      const struct ad_word *w, double wt, struct ad_stats *st,
	      int32_t *sen_out)
{
	long T = w->f1 - w->f0, t;
	int e, best_e = -1, S, s, i, f, j;
	float best = -INFINITY;
	struct top *top = NULL;
	unsigned char *bp = NULL, *have = NULL;
	int *path = NULL;
	struct work wk;	/* the states of the pronunciation being aligned */
	long added = 0;

	if (w->first < 0 || T <= 0 || T > 1000)
		return 0;
	/* Each pronunciation's best score; the best one is aligned. */
	for (e = w->first; e >= 0; e = m->pron[e].next) {
		const int16_t *ph = m->pron[e].ph;
		int n = m->pron[e].n;
		float *dl, *dn;

		S = 3 * n;
		if (S > AD_MAX_STATES || S > T)
			continue;
		if (top == NULL) {
			/* Top Gaussians per frame and codebook, computed when
			 * a state first needs them (have). */
			top = malloc((size_t)T * m->n_cb * m->n_feat * sizeof *top);
			have = calloc((size_t)T * m->n_cb, 1);
			bp = malloc((size_t)T * AD_MAX_STATES);
			path = malloc((size_t)T * sizeof *path);
			if (top == NULL || have == NULL || bp == NULL || path == NULL)
				sm_die(SM_EX_SOFTWARE, "out of memory");
		}
		dl = malloc(2 * (size_t)S * sizeof *dl);
		if (dl == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
		dn = dl + S;
		for (i = 0; i < n; i++) {
			int pid = phone_at(m, ph, n, i, w->left, w->right);
			const float *tp = m->tmat.logp +
					  (size_t)m->mdef.phone_tmat[pid] * m->tmat.n_src * m->tmat.n_dst;

			for (j = 0; j < 3; j++) {
				wk.sen[3 * i + j] = sm_mdef_senone(&m->mdef, pid, j);
				wk.self[3 * i + j] = tp[j * m->tmat.n_dst + j];
				wk.next[3 * i + j] = tp[j * m->tmat.n_dst + j + 1];
			}
		}
		/* Viterbi: start in state 0, end in state S - 1.  At frame t
		 * only states lo .. hi are on a path that does both (one
		 * state further at most per frame): the others are not
		 * scored, their Gaussians not computed. */
		for (t = 0; t < T; t++) {
			const float *x = feat + (size_t)(w->f0 + t) * m->dim;
			struct top *tt = top + (size_t)t * m->n_cb * m->n_feat;
			long lo = S - T + t > 0 ? S - T + t : 0, hi = t < S - 1 ? t : S - 1;

			for (s = 0; s < S; s++) {
				int c = m->mdef.sen2ci[wk.sen[s]];
				float stay, adv, em;

				if (s < lo || s > hi) {
					dn[s] = -INFINITY;
					bp[(size_t)t * AD_MAX_STATES + s] = 0;
					continue;
				}
				if (!have[(size_t)t * m->n_cb + c]) {
					for (f = 0; f < m->n_feat; f++)
						top_gaussians(m, x, c, f, &tt[(size_t)c * m->n_feat + f]);
					have[(size_t)t * m->n_cb + c] = 1;
				}
				em = senone_score(m, &tt[(size_t)c * m->n_feat], wk.sen[s], NULL);
				if (t == 0) {
					dn[s] = s == 0 ? em : -INFINITY;
					bp[s] = 0;
					continue;
				}
				stay = dl[s] + wk.self[s];
				adv = s > 0 ? dl[s - 1] + wk.next[s - 1] : -INFINITY;
				bp[(size_t)t * AD_MAX_STATES + s] = adv > stay;
				dn[s] = (adv > stay ? adv : stay) + em;
			}
			memcpy(dl, dn, (size_t)S * sizeof *dl);
		}
		if (dl[S - 1] > best) {
			best = dl[S - 1];
			best_e = e;
			/* Back-trace now, while bp holds this pronunciation. */
			for (t = T - 1, s = S - 1; t >= 0; t--) {
				path[t] = wk.sen[s];
				if (t > 0 && bp[(size_t)t * AD_MAX_STATES + s])
					s--;
			}
		}
		free(dl);
	}
	if (best_e < 0 || !isfinite(best))
		goto done;
	/* Statistics: per frame and stream, the aligned senone's top
	 * Gaussians weighted by their posteriors. */
	for (t = 0; t < T; t++) {
		const float *x = raw + (size_t)(w->f0 + t) * m->dim;
		int sen = path[t], c = m->mdef.sen2ci[sen];
		struct top *tt = top + ((size_t)t * m->n_cb + c) * m->n_feat;
		float post[AD_MAX_STREAM][AD_TOPN];

		if (sen_out != NULL)
			sen_out[w->f0 + t] = sen;
		senone_score(m, tt, sen, post);
		for (f = 0; st != NULL && f < m->n_feat; f++) {
			int D = m->veclen[f];
			double xi[AD_MAX_D + 1];

			xi[0] = 1;
			for (i = 0; i < D; i++)
				xi[i + 1] = x[m->off[f] + i];
			for (i = 0; i < D; i++) {
				double v = 0, u = 0;
				int a, b;

				for (j = 0; j < AD_TOPN; j++) {
					size_t o = gau_off(m, c, f, tt[f].k[j]) + i;
					double g = wt * post[f][j] * m->ivar[o];

					v += g;
					u += g * m->mean[o];
				}
				for (a = 0; a <= D; a++) {
					st->k[f][i][a] += u * xi[a];
					for (b = 0; b <= a; b++)
						st->G[f][i][a][b] += v * xi[a] * xi[b];
				}
			}
			st->beta[f] += wt;
		}
		added++;
	}
done:
	free(top);
	free(have);
	free(bp);
	free(path);
	return added;
}

void
ad_gacc_add(const struct ad_model *m, const float *feat, const int32_t *sen,
	    long nframes, struct ad_gacc *ga)
{
	struct top tt[AD_MAX_STREAM];
	float post[AD_MAX_STREAM][AD_TOPN];
	long t;
	int f, j, i, c;

	for (t = 0; t < nframes; t++) {
		const float *x = feat + (size_t)t * m->dim;

		if (sen[t] < 0)
			continue;
		c = m->mdef.sen2ci[sen[t]];
		for (f = 0; f < m->n_feat; f++)
			top_gaussians(m, x, c, f, &tt[f]);
		senone_score(m, tt, sen[t], post);
		for (f = 0; f < m->n_feat; f++)
			for (j = 0; j < AD_TOPN; j++) {
				int k = tt[f].k[j];
				size_t o = gau_off(m, c, f, k);
				double g = post[f][j];

				ga->occ[((size_t)c * m->n_feat + f) * m->n_dens + k] += g;
				for (i = 0; i < m->veclen[f]; i++)
					ga->x[o + i] += g * x[m->off[f] + i];
			}
	}
}

/* cache.c: the unigram cache of recognised words (cache.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "lm.h"

int
sm_cache_init(struct sm_cache *c, const struct sm_lm *lm, float lambda, float decay,
	      float max_uni)
{
	memset(c, 0, sizeof *c);
	c->lm = lm;
	c->n = lm->n_words + lm->n_class;
	c->lambda = lambda;
	c->decay = decay;
	c->max_lp = logf(max_uni);
	c->ln_keep = log1pf(-lambda);
	c->g = 1;
	if (lambda <= 0)
		return 0;
	c->c = calloc(c->n, sizeof *c->c);
	return c->c == NULL ? -1 : 0;
}

void
sm_cache_free(struct sm_cache *c)
{
	free(c->c);
	c->c = NULL;
}

int
sm_cache_content(const struct sm_cache *c, int w)
{
	if (w < 0 || (uint32_t)w >= c->n || w == c->lm->bos || w == c->lm->eos)
		return 0;
	return sm_lm_unigram(c->lm, w) <= c->max_lp;
}

void
sm_cache_add(struct sm_cache *c, int w, float x)
{
	uint32_t i;

	if (c->c == NULL || x <= 0 || !sm_cache_content(c, w))
		return;
	c->g *= c->decay;
	c->total = c->total * c->decay + x;
	/* fold the scale back into the counts before it underflows */
	if (c->g < 1e-20) {
		for (i = 0; i < c->n; i++)
			c->c[i] = (float)(c->c[i] * c->g);
		c->g = 1;
	}
	c->c[w] += (float)(x / c->g);
}

float
sm_cache_score(const struct sm_cache *c, int w, float lp)
{
	double p;

	if (c->c == NULL || c->total <= 0 || !sm_cache_content(c, w))
		return lp;
	p = c->c[w] * c->g / c->total;
	if (p <= 0)
		return c->ln_keep + lp;
	/* ln((1 - lambda) e^lp + lambda p), the larger term factored out */
	{
		double a = c->ln_keep + lp, b = log(c->lambda * p);

		return (float)(a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b)));
	}
}

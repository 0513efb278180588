/* Unit tests of the model-file loaders: the binary mdef against the text
 * dump of pocketsphinx_mdef_convert (every row), absent triphones, the s3
 * readers against their documented values, and truncated or corrupt files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mdef.h"
#include "s3.h"

#define MODEL "/usr/share/pocketsphinx/model/en-us/en-us"

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)

static int
pos_code(const char *p)
{
	switch (p[0]) {
	case 'i': return SM_WPOS_INTERNAL;
	case 'b': return SM_WPOS_BEGIN;
	case 'e': return SM_WPOS_END;
	case 's': return SM_WPOS_SINGLE;
	}
	return -1;
}

static void
test_mdef_text_dump(const struct sm_mdef *m)
{
	FILE *f = popen("pocketsphinx_mdef_convert -text " MODEL "/mdef /dev/stdout "
			"2>/dev/null", "r");
	char line[512], b[16], l[16], r[16], p[16], attr[16];
	int tmat, s[3], rows = 0, tri = 0, bad = 0, pid;

	CHECK(f != NULL);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%15s %15s %15s %15s %15s %d %d %d %d", b, l, r, p, attr,
			   &tmat, &s[0], &s[1], &s[2]) != 9)
			continue;
		rows++;
		if (strcmp(l, "-") == 0) {
			pid = sm_mdef_ciphone(m, b);
			if (pid < 0 || (strcmp(attr, "filler") == 0) != m->ci_filler[pid])
				bad++;
		} else {
			int bi = sm_mdef_ciphone(m, b), li = sm_mdef_ciphone(m, l),
			    ri = sm_mdef_ciphone(m, r);

			tri++;
			pid = sm_mdef_triphone(m, bi, li, ri, pos_code(p));
			if (pid < m->n_ciphone || m->phone_base[pid] != bi ||
			    m->phone_wpos[pid] != pos_code(p)) {
				if (bad++ < 5)
					fprintf(stderr, "not found: %s", line);
				continue;
			}
		}
		if (pid < 0 || m->phone_tmat[pid] != tmat ||
		    sm_mdef_senone(m, pid, 0) != s[0] || sm_mdef_senone(m, pid, 1) != s[1] ||
		    sm_mdef_senone(m, pid, 2) != s[2] ||
		    m->sen2ci[s[0]] != m->phone_base[pid]) {
			if (bad++ < 5)
				fprintf(stderr, "mismatch: %s", line);
		}
	}
	CHECK(pclose(f) == 0);
	CHECK(rows == 137095);
	CHECK(tri == 137053);
	CHECK(bad == 0);
}

static void
test_mdef(void)
{
	struct sm_mdef m;
	char err[512];
	int aa, ah, b, sil, k, n;

	CHECK(sm_mdef_load(&m, MODEL "/mdef", err, sizeof(err)) == 0);
	CHECK(m.n_ciphone == 42 && m.n_phone == 137095 && m.n_emit_state == 3);
	CHECK(m.n_ci_sen == 126 && m.n_sen == 5126 && m.n_tmat == 42);
	CHECK(m.n_sseq == 29324);
	CHECK(m.sil == 32 && strcmp(m.ciname[m.sil], "SIL") == 0);
	CHECK(strcmp(m.ciname[0], "+NSN+") == 0 && strcmp(m.ciname[41], "ZH") == 0);
	CHECK(m.ci_filler[0] && m.ci_filler[1] && m.ci_filler[32] && !m.ci_filler[2]);
	for (k = 0, n = 0; k < 42; k++)
		n += m.ci_filler[k];
	CHECK(n == 3);
	CHECK(sm_mdef_ciphone(&m, "XX") == -1);
	aa = sm_mdef_ciphone(&m, "AA");
	ah = sm_mdef_ciphone(&m, "AH");
	b = sm_mdef_ciphone(&m, "B");
	sil = sm_mdef_ciphone(&m, "SIL");
	CHECK(aa == 2 && ah == 4 && b == 8);
	/* Rows of the dump: "AA AA AH b" exists, "AA AA AH i" does not. */
	CHECK(sm_mdef_triphone(&m, aa, aa, ah, SM_WPOS_BEGIN) == 44);
	CHECK(sm_mdef_triphone(&m, aa, aa, ah, SM_WPOS_INTERNAL) == -1);
	/* Fillers have no triphones; out-of-range arguments are absent. */
	CHECK(sm_mdef_triphone(&m, sil, aa, aa, SM_WPOS_SINGLE) == -1);
	CHECK(sm_mdef_triphone(&m, 0, aa, aa, SM_WPOS_BEGIN) == -1);
	CHECK(sm_mdef_triphone(&m, aa, aa, ah, 4) == -1);
	CHECK(sm_mdef_triphone(&m, aa, 42, ah, SM_WPOS_BEGIN) == -1);
	CHECK(sm_mdef_triphone(&m, -1, aa, ah, SM_WPOS_BEGIN) == -1);
	/* Counting every (pos, base, left, right) that exists gives exactly
	 * the triphones of the model: the rest is absent. */
	for (n = 0, k = 0; k < 4 * 42 * 42 * 42; k++)
		if (sm_mdef_triphone(&m, (k / 42) % 42, (k / 1764) % 42, k % 42,
				     k / 74088) >= 0)
			n++;
	CHECK(n == 137053);
	/* CI senones are 3 id .. 3 id + 2. */
	CHECK(sm_mdef_senone(&m, aa, 0) == 6 && sm_mdef_senone(&m, aa, 2) == 8);
	CHECK(m.sen2ci[6] == aa && m.sen2ci[125] == 41);
	test_mdef_text_dump(&m);
	sm_mdef_free(&m);
	sm_mdef_free(&m);	/* harmless twice */
}

static void
test_tmat(void)
{
	struct sm_tmat t;
	char err[512];
	double p0 = 854019.0 / (854019.0 + 422262.0);

	CHECK(sm_tmat_load(&t, MODEL "/transition_matrices", err, sizeof(err)) == 0);
	CHECK(t.n_tmat == 42 && t.n_src == 3 && t.n_dst == 4);
	/* AA (tmat 2), row 0 = [854019, 422262, 0, 0]. */
	CHECK(fabs(sm_tmat_logp(&t, 2, 0, 0) - log(p0)) < 1e-6);
	CHECK(fabs(sm_tmat_logp(&t, 2, 0, 1) - log(1 - p0)) < 1e-6);
	CHECK(isinf(sm_tmat_logp(&t, 2, 0, 2)) && sm_tmat_logp(&t, 2, 0, 2) < 0);
	for (int i = 0; i < 42; i++)
		for (int r = 0; r < 3; r++) {
			double s = 0;

			for (int c = 0; c < 4; c++) {
				float v = sm_tmat_logp(&t, i, r, c);

				CHECK(isinf(v) || v >= logf(1e-4f) - 1e-3);
				s += exp(v);
			}
			CHECK(fabs(s - 1) < 1e-5);
			/* Left to right: no skips, no backward arcs. */
			CHECK(isinf(sm_tmat_logp(&t, i, r, (r + 2) % 4)));
		}
	sm_tmat_free(&t);
}

static void
test_gau(void)
{
	struct sm_s3_gau g;
	char err[512];
	int k, n = 0;

	CHECK(sm_s3_gau_load(&g, MODEL "/means", err, sizeof(err)) == 0);
	CHECK(g.n_mgau == 42 && g.n_feat == 3 && g.n_density == 128 && g.dim == 39);
	CHECK(g.veclen[0] == 13 && g.veclen[1] == 13 && g.veclen[2] == 13);
	/* The first value of the file, at byte offset 72. */
	CHECK(fabsf(g.data[0] - -5.78669f) < 1e-4f);
	CHECK(sm_s3_gau_vec(&g, 1, 2, 3) == g.data + 128 * 39 + 2 * 128 * 13 + 3 * 13);
	sm_s3_gau_free(&g);
	CHECK(sm_s3_gau_load(&g, MODEL "/variances", err, sizeof(err)) == 0);
	for (k = 0; k < 42 * 128 * 39; k++)
		n += g.data[k] < 1e-4f;
	CHECK(n == 222);
	sm_s3_gau_free(&g);
}

/* A copy of a model file, cut or changed, must give the expected error. */
static void
expect_error(const char *src, long cut, long flip, int which, const char *want)
{
	unsigned char *buf;
	size_t len;
	char err[512], path[] = "/tmp/sm-test-model.XXXXXX";
	int fd = mkstemp(path), rc = 0;
	FILE *f;

	CHECK(sm_read_file(src, &buf, &len, err, sizeof(err)) == 0);
	if (cut >= 0 && (size_t)cut < len)
		len = (size_t)cut;
	if (flip >= 0 && (size_t)flip < len)
		buf[flip] ^= 0x40;
	f = fdopen(fd, "wb");
	fwrite(buf, 1, len, f);
	fclose(f);
	free(buf);
	if (which == 0) {
		struct sm_mdef m;

		rc = sm_mdef_load(&m, path, err, sizeof(err));
		CHECK(m.sseq == NULL);
	} else if (which == 1) {
		struct sm_s3_gau g;

		rc = sm_s3_gau_load(&g, path, err, sizeof(err));
		CHECK(g.data == NULL);
	} else {
		struct sm_tmat t;

		rc = sm_tmat_load(&t, path, err, sizeof(err));
		CHECK(t.logp == NULL);
	}
	CHECK(rc == -1);
	if (rc == -1 && strstr(err, want) == NULL) {
		fprintf(stderr, "error \"%s\" lacks \"%s\"\n", err, want);
		failures++;
	}
	CHECK(strncmp(err, path, strlen(path)) == 0);
	unlink(path);
}

static void
test_corrupt(void)
{
	long cuts[] = {0, 3, 11, 500, 1100, 1300, 500000, 1800000, 2959000, 2959174};
	size_t i;

	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
		expect_error(MODEL "/mdef", cuts[i], -1, 0,
			     cuts[i] < 4 ? "truncated" : i == 9 ? "truncated in the senone"
			     : "truncated");
	expect_error(MODEL "/mdef", -1, 0, 0, "no BMDF magic");
	/* The first cd_tree node's child index, a phone's ssid, a senone id. */
	expect_error(MODEL "/mdef", -1, 1224 + 7, 0, "context tree node 0");
	expect_error(MODEL "/mdef", -1, 1224 + 142108 * 8 + 12 * 50 + 3, 0,
		     "phone 50: senone sequence");
	expect_error(MODEL "/mdef", -1, 2959176 - 1000 + 1, 0, "out of range");
	expect_error(MODEL "/means", 30, -1, 1, "no endhdr");
	expect_error(MODEL "/means", 100, -1, 1, "checksum mismatch");
	expect_error(MODEL "/means", 101, -1, 1, "whole number");
	expect_error(MODEL "/means", -1, 5000, 1, "checksum mismatch");
	expect_error(MODEL "/means", -1, 40, 1, "byte-order magic");
	expect_error(MODEL "/transition_matrices", 60, -1, 2, "checksum mismatch");
	expect_error(MODEL "/transition_matrices", -1, 0, 2, "not a Sphinx-3");
	{
		struct sm_s3_gau g;
		char err[512];

		CHECK(sm_s3_gau_load(&g, "/nonexistent/means", err, sizeof(err)) == -1);
		CHECK(strcmp(err, "/nonexistent/means: No such file or directory") == 0);
	}
}

int
main(void)
{
	test_mdef();
	test_tmat();
	test_gau();
	test_corrupt();
	if (failures)
		fprintf(stderr, "%d failures\n", failures);
	return failures != 0;
}

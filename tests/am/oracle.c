/*
 * oracle.c: an independent, deliberately naive double-precision senone
 * scorer, to check sm-am.  It shares no code with the project: it reads
 * the model files itself (little-endian only), takes the senone -> base
 * phone map from the text mdef written by pocketsphinx_mdef_convert, and
 * computes, for every STEP-th frame,
 *     score(s) = sum_f log sum_k w[f][k][s] N(x_f; mu[cb][f][k], var)
 * with w = 1.0001^(-1024 q) from sendump and variances floored at 1e-4.
 * It compares them with a LOGLIK stream (max-subtracted or absolute, as
 * its flags say) and prints "frames N max_err E" (nats).
 *
 * With ORACLE_TOPN=N in the environment, each stream's sum runs over only
 * the N Gaussians of the codebook with the highest densities (sm-am --topn).
 *
 * Usage: oracle MODEL_DIR MDEF_TXT FEAT LOGLIK [STEP]
 * Built by tests/sm-am.bats with: cc -O2 -o oracle oracle.c -lm
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NCB 42
#define NF 3
#define ND 128
#define DL 13
#define NSEN 5126

static double mu[NCB][NF][ND][DL], var[NCB][NF][ND][DL];
static unsigned char q[NF][ND][NSEN];
static int sen2cb[NSEN];

static void
die(const char *m)
{
	fprintf(stderr, "oracle: %s\n", m);
	exit(2);
}

static FILE *
xopen(const char *dir, const char *name)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s%s%s", dir, name[0] ? "/" : "", name);
	f = fopen(p, "rb");
	if (f == NULL)
		die(p);
	return f;
}

static void
read_gau(const char *dir, const char *name, double (*out)[NF][ND][DL])
{
	FILE *f = xopen(dir, name);
	char line[256];
	int32_t hdr[7];
	float v;

	/* Text header lines up to "endhdr". */
	while (fgets(line, sizeof(line), f) && !strstr(line, "endhdr"))
		;
	if (fread(hdr, 4, 1, f) != 1 || hdr[0] != 0x11223344)
		die("byte order");
	if (fread(hdr, 4, 7, f) != 7 || hdr[0] != NCB || hdr[1] != NF || hdr[2] != ND)
		die("gaussian sizes");
	for (int c = 0; c < NCB; c++)
		for (int s = 0; s < NF; s++)
			for (int k = 0; k < ND; k++)
				for (int d = 0; d < DL; d++) {
					if (fread(&v, 4, 1, f) != 1)
						die("short gaussian file");
					out[c][s][k][d] = v;
				}
	fclose(f);
}

static void
read_sendump(const char *dir)
{
	FILE *f = xopen(dir, "sendump");
	int32_t n, rc[2];
	char buf[1024];

	for (;;) {
		if (fread(&n, 4, 1, f) != 1)
			die("sendump header");
		if (n == 0)
			break;
		if (n > (int32_t)sizeof(buf) || fread(buf, 1, (size_t)n, f) != (size_t)n)
			die("sendump string");
	}
	if (fread(rc, 4, 2, f) != 2 || rc[0] != ND || rc[1] != NSEN)
		die("sendump sizes");
	if (fread(q, 1, sizeof(q), f) != sizeof(q))
		die("short sendump");
	fclose(f);
}

static void
read_mdef_txt(const char *path)
{
	static const char *names[NCB] = {"+NSN+", "+SPN+", "AA", "AE", "AH", "AO",
		"AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH",
		"IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S",
		"SH", "SIL", "T", "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH"};
	FILE *f = xopen(path, "");
	char line[512], b[32], x[4][32];
	int s[3], i, j, tm, seen = 0;

	for (i = 0; i < NSEN; i++)
		sen2cb[i] = -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %31s %31s %31s %31s %d %d %d %d", b, x[0], x[1],
			   x[2], x[3], &tm, &s[0], &s[1], &s[2]) != 9)
			continue;
		for (i = 0; i < NCB && strcmp(names[i], b) != 0; i++)
			;
		if (i == NCB)
			die("unknown phone in mdef text");
		for (j = 0; j < 3; j++) {
			if (s[j] < 0 || s[j] >= NSEN)
				die("senone id");
			if (sen2cb[s[j]] < 0)
				seen++;
			sen2cb[s[j]] = i;
		}
	}
	fclose(f);
	if (seen != NSEN)
		die("not every senone in the mdef text");
}

static int
read_hdr(FILE *f, unsigned kind, unsigned dim, uint32_t *flags)
{
	unsigned char h[48];

	if (fread(h, 1, 48, f) != 48 || memcmp(h, "SMST", 4) != 0)
		die("stream header");
	if ((h[6] | h[7] << 8) != kind || (uint32_t)(h[16] | h[17] << 8 | h[18] << 16) != dim)
		die("stream kind or dimension");
	*flags = h[24];
	return 0;
}

int
main(int argc, char **argv)
{
	FILE *ff, *lf;
	uint32_t flags;
	float x[NF * DL], *ll = malloc(NSEN * sizeof(float));
	static double sc[NSEN];
	double maxerr = 0;
	int step = argc > 5 ? atoi(argv[5]) : 1, t, n = 0;
	int topn = getenv("ORACLE_TOPN") ? atoi(getenv("ORACLE_TOPN")) : ND;

	if (argc < 5 || step < 1)
		die("usage: oracle MODEL_DIR MDEF_TXT FEAT LOGLIK [STEP]");
	read_gau(argv[1], "means", mu);
	read_gau(argv[1], "variances", var);
	read_sendump(argv[1]);
	read_mdef_txt(argv[2]);
	for (int c = 0; c < NCB; c++)
		for (int s = 0; s < NF; s++)
			for (int k = 0; k < ND; k++)
				for (int d = 0; d < DL; d++)
					if (var[c][s][k][d] < 1e-4)
						var[c][s][k][d] = 1e-4;
	ff = xopen(argv[3], "");
	lf = xopen(argv[4], "");
	read_hdr(ff, 2, NF * DL, &flags);
	read_hdr(lf, 3, NSEN, &flags);
	for (t = 0; fread(x, sizeof(float), NF * DL, ff) == NF * DL; t++) {
		double best = -INFINITY;

		if (fread(ll, sizeof(float), NSEN, lf) != NSEN)
			die("LOGLIK stream shorter than FEAT stream");
		if (t % step)
			continue;
		for (int s = 0; s < NSEN; s++) {
			int c = sen2cb[s];
			double total = 0;

			for (int f = 0; f < NF; f++) {
				double lg[ND], dens[ND], m = -INFINITY, sum = 0;
				int use[ND];

				for (int k = 0; k < ND; k++) {
					double l = 0;

					for (int d = 0; d < DL; d++) {
						double v = var[c][f][k][d];
						double e = x[f * DL + d] - mu[c][f][k][d];

						l += -0.5 * log(2 * M_PI * v) - 0.5 * e * e / v;
					}
					dens[k] = l;
					lg[k] = l - q[f][k][s] * 1024 * log(1.0001);
				}
				/* Gaussian k is used when fewer than topn beat it. */
				for (int k = 0; k < ND; k++) {
					int better = 0;

					for (int j = 0; j < ND; j++)
						better += dens[j] > dens[k] ||
							  (dens[j] == dens[k] && j < k);
					use[k] = better < topn;
					if (use[k] && lg[k] > m)
						m = lg[k];
				}
				for (int k = 0; k < ND; k++)
					if (use[k])
						sum += exp(lg[k] - m);
				total += m + log(sum);
			}
			sc[s] = total;
			if (total > best)
				best = total;
		}
		for (int s = 0; s < NSEN; s++) {
			double want = (flags & 1) ? sc[s] - best : sc[s];
			double e = fabs(want - ll[s]);

			if (!(e <= maxerr))
				maxerr = e;
		}
		n++;
	}
	printf("frames %d max_err %.6f\n", n, maxerr);
	return 0;
}

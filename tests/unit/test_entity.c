/* Unit tests of sm-format's entities (cmd/sm-format/entity.c): every case
 * of tests/entities.tsv, then the times, confidences and runs of an entity. */
#include <stdlib.h>
#include <string.h>

#include "entity.h"

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
	failures++; } } while (0)

/* The words of s as a transcript, 300 ms each without pauses. */
static void
words(struct transcript *t, const char *s)
{
	char *copy = strdup(s);

	memset(t, 0, sizeof *t);
	t->v = calloc(64, sizeof *t->v);
	for (char *w = strtok(copy, " "); w && t->n < 64; w = strtok(NULL, " ")) {
		struct item *it = &t->v[t->n];

		it->type = ITEM_WORD;
		it->start_ms = 300 * (long)t->n;
		it->end_ms = it->start_ms + 300;
		it->confidence = 0.9;
		it->gap_ms = 0;
		it->content = strdup(w);
		t->n++;
	}
	if (t->n)
		t->v[t->n - 1].gap_ms = -1;
	free(copy);
}

/* The transcript's text and its entities' classes, as the table has them. */
static void
describe(const struct transcript *t, char *text, size_t tsize, char *cls,
	 size_t csize)
{
	size_t a = 0, b = 0;

	text[0] = cls[0] = '\0';
	for (size_t i = 0; i < t->n; i++) {
		a += (size_t)snprintf(text + a, tsize - a, "%s%s", i ? " " : "",
				      t->v[i].content);
		if (t->v[i].entity)
			b += (size_t)snprintf(cls + b, csize - b, "%s%s", b ? "," : "",
					      t->v[i].entity->cls);
		if (a >= tsize || b >= csize)
			break;
	}
	if (cls[0] == '\0')
		snprintf(cls, csize, "none");
}

/* Every row of the table; each mismatch reported with its line. */
static void
test_table(void)
{
	const char *root = getenv("SM_ROOT");
	char path[4096], *line = NULL;
	size_t cap = 0;
	long lineno = 0, rows = 0, bad = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/tests/entities.tsv", root ? root : ".");
	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		failures++;
		return;
	}
	while (getline(&line, &cap, f) != -1) {
		char *spoken, *cls, *written, *locale, text[512], got[128];
		struct transcript t;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		spoken = strtok(line, "\t");
		cls = strtok(NULL, "\t");
		written = strtok(NULL, "\t");
		locale = strtok(NULL, "\t");
		if (!spoken || !cls || !written || !locale || !entity_locale_ok(locale)) {
			fprintf(stderr, "%s:%ld: expected SPOKEN CLASSES WRITTEN LOCALE\n",
				path, lineno);
			bad++;
			continue;
		}
		rows++;
		words(&t, spoken);
		entity_apply(&t, locale, 500);
		describe(&t, text, sizeof text, got, sizeof got);
		if (strcmp(text, written) != 0 || strcmp(got, cls) != 0) {
			fprintf(stderr, "%s:%ld: \"%s\" (%s): expected \"%s\" (%s), "
				"got \"%s\" (%s)\n", path, lineno, spoken, locale, written,
				cls, text, got);
			bad++;
		}
	}
	free(line);
	fclose(f);
	fprintf(stderr, "%ld rows, %ld mismatches\n", rows, bad);
	CHECK(rows >= 200);
	failures += bad > 0;
}

/* An entity spans its words, keeps them with their own times and takes
 * the lowest confidence; its written tokens join into its content. */
static void
test_parts(void)
{
	struct transcript t;
	const struct entity *e;

	words(&t, "pay twenty five dollars now");
	t.v[2].confidence = 0.4;
	entity_apply(&t, NULL, 500);
	CHECK(t.n == 3);
	e = t.v[1].entity;
	CHECK(e != NULL && strcmp(e->cls, "money") == 0);
	CHECK(t.v[1].start_ms == 300 && t.v[1].end_ms == 1200);
	CHECK(t.v[1].confidence == 0.4);
	CHECK(strcmp(t.v[1].content, "$25") == 0);
	CHECK(e && e->nspoken == 3 && strcmp(e->spoken[1].content, "five") == 0);
	CHECK(e && e->spoken[1].start_ms == 600 && e->spoken[1].end_ms == 900);
	CHECK(e && e->nwritten == 1 && strcmp(e->written[0], "$25") == 0);
	CHECK(t.v[0].entity == NULL && t.v[2].entity == NULL);

	words(&t, "ten thirty a m");
	entity_apply(&t, NULL, 500);
	CHECK(t.n == 1 && t.v[0].entity && t.v[0].entity->nwritten == 2);
	CHECK(t.n == 1 && strcmp(t.v[0].entity->written[0], "10:30") == 0 &&
	      strcmp(t.v[0].entity->written[1], "a.m.") == 0);
}

/* A pause or a change of speaker ends a run: "twenty", then "five". */
static void
test_runs(void)
{
	struct transcript t;

	words(&t, "twenty five");
	t.v[0].gap_ms = 500;
	entity_apply(&t, NULL, 500);
	CHECK(t.n == 2 && strcmp(t.v[0].content, "20") == 0 &&
	      strcmp(t.v[1].content, "five") == 0);

	words(&t, "twenty five");
	t.v[0].gap_ms = 499;
	entity_apply(&t, NULL, 500);
	CHECK(t.n == 1 && strcmp(t.v[0].content, "25") == 0);

	words(&t, "twenty five");
	t.v[0].speaker = "S1";
	t.v[1].speaker = "S2";
	entity_apply(&t, NULL, 500);
	CHECK(t.n == 2 && strcmp(t.v[0].content, "20") == 0);

	/* capitals from --replace do not hide a number */
	words(&t, "Twenty Five");
	entity_apply(&t, NULL, 500);
	CHECK(t.n == 1 && strcmp(t.v[0].content, "25") == 0);
}

int
main(void)
{
	sm_init("test_entity");
	test_table();
	test_parts();
	test_runs();
	if (failures)
		fprintf(stderr, "%d failures\n", failures);
	return failures != 0;
}

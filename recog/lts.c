/*
 * lts.c: letter-to-sound from a model trained on the pack's dictionary
 * (lts.h).
 *
 * The method (models/lts-train.c builds the model): each letter of a
 * word gives one class: no phone, one phone, or two (x: K S).  Which, is
 * learnt from the dictionary: its words' letters are first aligned to
 * their phones by expectation maximisation (the probability of each
 * class given the letter), then every aligned letter, with its context,
 * is a training instance.  The context is the letter, then the letters
 * after and before it, nearest first (the word's edges count as
 * SM_LTS_EDGE), the classes of the letters before it following theirs
 * (the header's features, in order).  The instances make a tree
 * (IGTree-like), one level per feature: a node holds the most frequent
 * class of the instances whose context leads to it; a child that would
 * always give its parent's class is left out.  A letter takes the class
 * of the deepest node its context reaches (the longest context seen in
 * training), the letters from first to last, so that the classes before
 * a letter are known when it is classified.  A word's phones are its
 * letters' classes' phones in order.
 *
 * The file (struct sm_lts_header in lts.h): the header, the class table
 * (nclass pairs of phone ids, SM_LTS_NONE where none, padded to 4
 * bytes), then the nodes (struct sm_lts_node, 8 bytes each), node 0 the
 * root, each node's children contiguous from its child index; all in the
 * host's byte order.  It is mapped, and every node checked once at open
 * (indices in range), so that a damaged file cannot lead a look-up
 * astray.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lts.h"
#include "sm.h"

/* Longer words are refused: no word of a dictionary comes near. */
#define MAXWORD 128

const char *const sm_lts_phones[SM_LTS_NPHONE] = {
	"AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER",
	"EY", "F", "G", "HH", "IH", "IY", "JH", "K", "L", "M", "N", "NG",
	"OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH", "UW", "V", "W",
	"Y", "Z", "ZH",
};

struct sm_lts {
	void *map;
	size_t size;
	const struct sm_lts_header *h;
	const uint8_t (*cls)[2];
	const struct sm_lts_node *node;
};

int
sm_lts_phone_id(const char *name)
{
	for (int i = 0; i < SM_LTS_NPHONE; i++)
		if (strcmp(sm_lts_phones[i], name) == 0)
			return i;
	return -1;
}

static size_t
classes_size(uint32_t nclass)
{
	return ((size_t)nclass * 2 + 3) & ~(size_t)3;
}

/* Whether the header, class table and nodes agree with the file's size
 * and with each other; a message in err if not. */
static int
check(const struct sm_lts *t, const char *path, char *err, size_t errlen)
{
	const struct sm_lts_header *h = t->h;
	uint32_t i;

	if (h->nfeat < 1 || h->nfeat > SM_LTS_MAXFEAT || h->nclass < 1 ||
	    h->nclass > 255 || h->nnode < 1)
		return sm_path_err(err, errlen, path, "damaged header");
	if (t->size != sizeof(*h) + classes_size(h->nclass) +
	    (size_t)h->nnode * sizeof(struct sm_lts_node))
		return sm_path_err(err, errlen, path, "damaged: %zu bytes, its header "
				   "announces %zu", t->size, sizeof(*h) +
				   classes_size(h->nclass) +
				   (size_t)h->nnode * sizeof(struct sm_lts_node));
	for (i = 0; i < h->nfeat; i++)
		if (h->kind[i] > SM_LTS_CLASS ||
		    (h->kind[i] == SM_LTS_CLASS && h->offset[i] >= 0))
			return sm_path_err(err, errlen, path, "damaged header");
	for (i = 0; i < h->nclass; i++)
		if ((t->cls[i][0] >= SM_LTS_NPHONE && t->cls[i][0] != SM_LTS_NONE) ||
		    (t->cls[i][1] >= SM_LTS_NPHONE && t->cls[i][1] != SM_LTS_NONE))
			return sm_path_err(err, errlen, path, "damaged class %u", i);
	for (i = 0; i < h->nnode; i++) {
		const struct sm_lts_node *n = &t->node[i];

		if (n->cls >= h->nclass ||
		    (n->nchild > 0 && (n->child <= i ||
				       n->child > h->nnode - n->nchild)))
			return sm_path_err(err, errlen, path, "damaged node %u", i);
	}
	return 0;
}

struct sm_lts *
sm_lts_open(const char *path, char *err, size_t errlen)
{
	struct sm_lts *t;
	struct stat st;
	void *map;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		sm_path_err(err, errlen, path, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		sm_path_err(err, errlen, path, "%s", strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size < sizeof(struct sm_lts_header)) {
		sm_path_err(err, errlen, path, S_ISREG(st.st_mode) ?
			    "not a letter-to-sound model" : "not a regular file");
		close(fd);
		return NULL;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		sm_path_err(err, errlen, path, "%s", strerror(errno));
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		sm_path_err(err, errlen, path, "out of memory");
		munmap(map, (size_t)st.st_size);
		return NULL;
	}
	t->map = map;
	t->size = (size_t)st.st_size;
	t->h = map;
	t->cls = (const void *)((const char *)map + sizeof(*t->h));
	if (memcmp(t->h->magic, SM_LTS_MAGIC, sizeof(t->h->magic)) != 0) {
		sm_path_err(err, errlen, path, "not a letter-to-sound model");
		goto bad;
	}
	if (t->h->bom != SM_LTS_BOM) {
		sm_path_err(err, errlen, path, "a model of a machine of the other byte order");
		goto bad;
	}
	if (t->h->version != SM_LTS_VERSION) {
		sm_path_err(err, errlen, path, "model of version %u, this program reads "
			    "version %u", t->h->version, SM_LTS_VERSION);
		goto bad;
	}
	/* nclass bounded before the node table's place is computed. */
	if (t->h->nclass > 256) {
		sm_path_err(err, errlen, path, "damaged header");
		goto bad;
	}
	t->node = (const void *)((const char *)t->cls + classes_size(t->h->nclass));
	if (check(t, path, err, errlen) != 0)
		goto bad;
	return t;
bad:
	sm_lts_free(t);
	return NULL;
}

void
sm_lts_free(struct sm_lts *t)
{
	if (t == NULL)
		return;
	munmap(t->map, t->size);
	free(t);
}

/* The class of the letter at w[i] (w padded with SM_LTS_EDGE on both
 * sides; cls the classes given to the letters before it, SM_LTS_NONE
 * before the word): the deepest node its context reaches. */
static unsigned
classify(const struct sm_lts *t, const char *w, const uint8_t *cls, int i)
{
	const struct sm_lts_node *n = &t->node[0];
	unsigned k, c;

	for (k = 0; k < t->h->nfeat && n->nchild > 0; k++) {
		unsigned char l = t->h->kind[k] == SM_LTS_CLASS ?
			cls[i + t->h->offset[k]] : (unsigned char)w[i + t->h->offset[k]];
		const struct sm_lts_node *ch = &t->node[n->child];

		for (c = 0; c < n->nchild && ch[c].letter != l; c++)
			;
		if (c == n->nchild)
			break;
		n = &ch[c];
	}
	return n->cls;
}

int
sm_lts_word(const struct sm_lts *t, const char *word, const char **out, int max)
{
	char buf[3 * MAXWORD + 1];
	uint8_t cls[2 * MAXWORD];
	size_t len = strlen(word), i;
	int letters = 0, n = 0;

	if (len == 0 || len > MAXWORD)
		return 0;
	for (i = 0; i < len; i++) {
		if (word[i] >= 'a' && word[i] <= 'z')
			letters++;
		else if (word[i] != '\'')
			return 0;
	}
	if (letters == 0)
		return 0;
	memset(buf, SM_LTS_EDGE, sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	memcpy(buf + MAXWORD, word, len);
	memset(cls, SM_LTS_NONE, MAXWORD);
	for (i = 0; i < len; i++) {
		unsigned c = classify(t, buf, cls, (int)(MAXWORD + i));
		const uint8_t *p = t->cls[c];

		cls[MAXWORD + i] = (uint8_t)c;

		for (int j = 0; j < 2 && n < max; j++)
			if (p[j] != SM_LTS_NONE)
				out[n++] = sm_lts_phones[p[j]];
	}
	return n;
}

/* fuzz_mdefblob.c: an mdef's tables as one block (recog/mdef.c,
 * sm_mdef_blob_open), as sm-adapt's adaptation image holds them.  An
 * input that is a binary mdef (BMDF magic) is loaded, written as a block
 * and opened again: the two must agree, table by table and lookup by
 * lookup.  Any other input is opened as a block, then walked as
 * fuzz_mdef walks a loaded mdef: a block that opens must give no read
 * out of bounds. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mdef.h"

/* The tables of a and b are the same. */
static int
same(const struct sm_mdef *a, const struct sm_mdef *b)
{
	size_t np = (size_t)a->n_phone;

	if (a->n_ciphone != b->n_ciphone || a->n_phone != b->n_phone ||
	    a->n_emit_state != b->n_emit_state || a->n_ci_sen != b->n_ci_sen ||
	    a->n_sen != b->n_sen || a->n_tmat != b->n_tmat || a->n_sseq != b->n_sseq ||
	    a->sil != b->sil)
		return 0;
	for (int c = 0; c < a->n_ciphone; c++)
		if (strcmp(a->ciname[c], b->ciname[c]) != 0 || a->ci_filler[c] != b->ci_filler[c])
			return 0;
	if (memcmp(a->phone_ssid, b->phone_ssid, np * 4) != 0 ||
	    memcmp(a->phone_tmat, b->phone_tmat, np * 4) != 0 ||
	    memcmp(a->phone_base, b->phone_base, np * 2) != 0 ||
	    memcmp(a->phone_wpos, b->phone_wpos, np) != 0 ||
	    memcmp(a->sseq, b->sseq, (size_t)a->n_sseq * a->n_emit_state * 2) != 0 ||
	    memcmp(a->sen2ci, b->sen2ci, (size_t)a->n_sen * 2) != 0)
		return 0;
	for (int base = 0; base < a->n_ciphone && base < 12; base++)
		for (int l = 0; l < a->n_ciphone && l < 12; l++)
			for (int r = 0; r < a->n_ciphone && r < 12; r++)
				for (int pos = 0; pos < SM_N_WPOS; pos++)
					if (sm_mdef_triphone(a, base, l, r, pos) !=
					    sm_mdef_triphone(b, base, l, r, pos))
						return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sm_mdef m, v;
	char err[512];
	volatile long sum = 0;
	void *blob;
	size_t n;

	if (size >= 4 && (memcmp(data, "BMDF", 4) == 0 || memcmp(data, "FDMB", 4) == 0)) {
		if (sm_mdef_load(&m, fuzz_file(0, data, size), err, sizeof err) != 0)
			return 0;
		n = sm_mdef_blob_size(&m);
		if ((blob = aligned_alloc(8, n)) == NULL)
			abort();
		sm_mdef_blob_write(&m, blob);
		if (sm_mdef_blob_open(&v, blob, n, err, sizeof err) != 0 || !same(&m, &v))
			abort();
		sm_mdef_free(&v);
		sm_mdef_free(&m);
		free(blob);
		return 0;
	}
	/* A block at an 8-byte boundary, as in an image. */
	if ((blob = aligned_alloc(8, (size + 7) & ~(size_t)7 ? (size + 7) & ~(size_t)7 : 8)) ==
	    NULL)
		abort();
	memcpy(blob, data, size);
	if (sm_mdef_blob_open(&v, blob, size, err, sizeof err) == 0) {
		sum += fuzz_mdef_walk(&v);
		sm_mdef_free(&v);
	}
	free(blob);
	return 0;
}

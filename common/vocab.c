/* vocab.c: what sm-lattice and sm-format share of a custom vocabulary. */
#include <ctype.h>

#include "sm.h"

size_t
sm_vocab_key(const char *w, size_t n, char *out, size_t outlen)
{
	size_t i, k = 0;

	for (i = 0; i < n && k + 1 < outlen; i++) {
		int c = tolower((unsigned char)w[i]);

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '\'' || c == '-')
			out[k++] = (char)c;
	}
	if (outlen > 0)
		out[k] = 0;
	return k;
}

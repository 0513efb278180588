/* fetch.h: what the parts of sm-fetch share. */
#ifndef SM_FETCH_H
#define SM_FETCH_H

#include <stdint.h>

struct fetch_opts {
	uint64_t max_bytes;	/* size limit, bytes */
	long connect_timeout;	/* seconds */
	long stall_timeout;	/* seconds under 1 byte/s before giving up */
	int max_redirects;
	const char **headers;	/* "Name: value", n_headers of them */
	int n_headers;
};

/* A copy of url fit for messages: any password replaced by "***". */
char *fetch_redact(const char *url);

/* Stream an http(s) URL to stdout; returns only on success. */
void fetch_http(const char *url, const char *name, const struct fetch_opts *o);

#endif

/* fetch.h: what the parts of sm-fetch share. */
#ifndef SM_FETCH_H
#define SM_FETCH_H

#include <stdint.h>

struct fetch_opts {
	uint64_t max_bytes;	/* size limit, bytes */
	long connect_timeout;	/* seconds */
	long stall_timeout;	/* seconds under 1 byte/s before giving up */
	long max_time;		/* seconds for the whole transfer, 0 = no limit */
	uint64_t min_rate;	/* bytes/s on average since the start, 0 = no check */
	long rate_grace;	/* seconds before min_rate applies */
	const char *ca_file;	/* PEM CA bundle to trust instead of the system's, or NULL */
	int max_redirects;
	const char **headers;	/* "Name: value", n_headers of them */
	int n_headers;
};

/* A copy of url fit for messages: any password replaced by "***". */
char *fetch_redact(const char *url);

/* Stream an http(s) URL to stdout; returns only on success. */
void fetch_http(const char *url, const char *name, const struct fetch_opts *o);
/* Die 64 as fetch_http would if url is malformed; fetch nothing. */
void fetch_http_check(const char *url, const char *name);

#endif

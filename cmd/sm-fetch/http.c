/*
 * http.c: stream an http(s) URL to stdout with libcurl.
 *
 * Redirects are followed here, not by libcurl, because libcurl sends
 * CURLOPT_HTTPHEADER headers to whatever host a redirect names: we drop the
 * caller's headers as soon as the scheme, host or port differs from the
 * URL we were given, and never send them again on that fetch.
 *
 * libcurl is loaded (dlopen) when a URL is fetched, not linked: a file or
 * standard input, what most runs read, never pays for loading it and the
 * thirty libraries it brings (their symbol lookups and TLS set-up, about
 * 6 ms of each run's CPU, paid per file in a pipeline).
 */
#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fetch.h"
#include "sm.h"

/* The shared library, by its soname (ABI 4, the one the headers describe). */
#define CURL_LIB "libcurl.so.4"

/* The functions of libcurl used here, from dlsym. */
static struct {
	CURLcode (*global_init)(long);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURLcode (*easy_perform)(CURL *);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	void (*free)(void *);
	CURLU *(*url)(void);
	void (*url_cleanup)(CURLU *);
	CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
	CURLUcode (*url_get)(CURLU *, CURLUPart, char **, unsigned int);
} cu;

/* curl_easy_setopt and curl_easy_getinfo through the pointers from
 * dlsym, with at compile time the check of the value's type that curl's
 * own macros make (typecheck-gcc.h), which a call through a pointer does
 * not get: an option's number says the type it takes (curl.h's
 * CURLOPTTYPE_*, CURLINFO_*), and a long read as the wrong type through
 * varargs is undefined. */
#define OPT_CLASS(o) ((o) / 10000 * 10000)
#define IS_INTEGER(v) _Generic((v), char: 1, short: 1, int: 1, long: 1, long long: 1, \
			       unsigned char: 1, unsigned short: 1, unsigned: 1, \
			       unsigned long: 1, unsigned long long: 1, float: 1, \
			       double: 1, default: 0)
#define SETOPT(c, o, v) \
	do { \
		_Static_assert(OPT_CLASS(o) != CURLOPTTYPE_LONG || \
			       _Generic((v), long: 1, default: 0), #o " takes a long"); \
		_Static_assert(OPT_CLASS(o) != CURLOPTTYPE_OBJECTPOINT || !IS_INTEGER(v), \
			       #o " takes a pointer"); \
		_Static_assert(OPT_CLASS(o) != CURLOPTTYPE_OFF_T || \
			       _Generic((v), curl_off_t: 1, default: 0), #o " takes a curl_off_t"); \
		_Static_assert(OPT_CLASS(o) != CURLOPTTYPE_FUNCTIONPOINT || \
			       ((o) == CURLOPT_WRITEFUNCTION && \
				_Generic((v), curl_write_callback: 1, default: 0)) || \
			       ((o) == CURLOPT_XFERINFOFUNCTION && \
				_Generic((v), curl_xferinfo_callback: 1, default: 0)), \
			       #o ": not a callback of its type"); \
		cu.easy_setopt(c, o, v); \
	} while (0)
#define GETINFO(c, i, p) \
	do { \
		_Static_assert(((i) & CURLINFO_TYPEMASK) != CURLINFO_LONG || \
			       _Generic((p), long *: 1, default: 0), #i " gives a long"); \
		_Static_assert(((i) & CURLINFO_TYPEMASK) != CURLINFO_OFF_T || \
			       _Generic((p), curl_off_t *: 1, default: 0), #i " gives a curl_off_t"); \
		_Static_assert(((i) & CURLINFO_TYPEMASK) != CURLINFO_STRING || \
			       _Generic((p), char **: 1, default: 0), #i " gives a char *"); \
		_Static_assert(((i) & CURLINFO_TYPEMASK) == CURLINFO_LONG || \
			       ((i) & CURLINFO_TYPEMASK) == CURLINFO_OFF_T || \
			       ((i) & CURLINFO_TYPEMASK) == CURLINFO_STRING, \
			       #i ": a type GETINFO does not check"); \
		cu.easy_getinfo(c, i, p); \
	} while (0)

/* Load libcurl and its functions, or die 69 naming it. */
static void
curl_load(void)
{
	void *h = dlopen(CURL_LIB, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL)
		sm_die(SM_EX_UNAVAILABLE, "%s: cannot load it, which http and https URLs need: %s",
		       CURL_LIB, dlerror());
	/* dlsym's object pointer copied into the function pointer; the
	 * sizeof, never evaluated, has the compiler check the pointer's type
	 * against the header's declaration */
#define SYM(f) \
	do { \
		void *p_ = dlsym(h, "curl_" #f); \
		(void)sizeof(cu.f == &curl_##f); \
		if (p_ == NULL) \
			sm_die(SM_EX_UNAVAILABLE, "%s: no curl_%s", CURL_LIB, #f); \
		memcpy(&cu.f, &p_, sizeof p_); \
	} while (0)
	SYM(global_init);
	SYM(global_cleanup);
	SYM(easy_init);
	SYM(easy_setopt);
	SYM(easy_getinfo);
	SYM(easy_perform);
	SYM(easy_cleanup);
	SYM(easy_strerror);
	SYM(slist_append);
	SYM(slist_free_all);
	SYM(free);
	SYM(url);
	SYM(url_cleanup);
	SYM(url_set);
	SYM(url_get);
#undef SYM
}

enum { F_NONE, F_STATUS, F_LIMIT, F_STDOUT, F_SLOW };

struct xfer {
	CURL *c;
	const struct fetch_opts *o;
	uint64_t written;	/* body bytes written to stdout */
	long status;		/* of the response whose body is arriving */
	int checked;		/* status looked at for this response */
	int failure;		/* why the write callback stopped the transfer */
	int out_errno;
	int out_of_time;	/* the --max-time deadline has passed */
	struct timespec t0;	/* when the first request started */
	long long slow_ms;	/* when the average fell under --min-rate */
};

/* Milliseconds since the first request started. */
static long long
elapsed_ms(const struct xfer *x)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - x->t0.tv_sec) * 1000LL + (t.tv_nsec - x->t0.tv_nsec) / 1000000;
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * nmemb;
	curl_off_t cl = -1;

	if (!x->checked) {
		x->checked = 1;
		GETINFO(x->c, CURLINFO_RESPONSE_CODE, &x->status);
		if (x->status >= 400) {
			x->failure = F_STATUS;
			return 0;
		}
		GETINFO(x->c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
		if (x->status < 300 && cl > 0 && (uint64_t)cl > x->o->max_bytes) {
			x->failure = F_LIMIT;
			return 0;
		}
	}
	if (x->status < 200 || x->status >= 300)
		return len;	/* a redirect's body: never output */
	if (len > x->o->max_bytes - x->written) {
		x->failure = F_LIMIT;
		return 0;
	}
	if (fwrite(p, 1, len, stdout) != len) {
		x->out_errno = errno;
		x->failure = F_STDOUT;
		return 0;
	}
	x->written += len;
	return len;
}

/* The minimum average rate: the stall check (1 byte/s over
 * --stall-timeout) never ends a server that trickles a few bytes a second,
 * and --max-time is off by default.  libcurl calls this about once a second
 * even while no byte arrives. */
static int
on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
	    curl_off_t ulnow)
{
	struct xfer *x = ud;
	long long ms = elapsed_ms(x);

	if (x->o->min_rate == 0 || ms < x->o->rate_grace * 1000LL)
		return 0;
	if ((double)x->written * 1000 >= (double)x->o->min_rate * (double)ms)
		return 0;
	x->slow_ms = ms;
	x->failure = F_SLOW;
	return 1;
}

char *
fetch_redact(const char *url)
{
	const char *auth = strstr(url, "://"), *at, *colon, *end;
	char *r;
	size_t n;

	if (auth == NULL)
		return strdup(url);
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	at = memchr(auth, '@', end - auth);
	colon = at ? memchr(auth, ':', at - auth) : NULL;
	if (colon == NULL)
		return strdup(url);
	n = strlen(url) + 4;
	r = malloc(n);
	if (r)
		snprintf(r, n, "%.*s:***%s", (int)(colon - url), url, at);
	return r;
}

/* Scheme, host and port of a URL, for comparing origins. */
struct origin {
	char *scheme, *host, *port;
};

static int
origin_get(const char *url, struct origin *g)
{
	CURLU *u = cu.url();
	int bad;

	memset(g, 0, sizeof(*g));
	if (u == NULL)
		return -1;
	bad = cu.url_set(u, CURLUPART_URL, url, 0) ||
	      cu.url_get(u, CURLUPART_SCHEME, &g->scheme, 0) ||
	      cu.url_get(u, CURLUPART_HOST, &g->host, 0) ||
	      cu.url_get(u, CURLUPART_PORT, &g->port, CURLU_DEFAULT_PORT);
	cu.url_cleanup(u);
	return bad ? -1 : 0;
}

static void
origin_free(struct origin *g)
{
	cu.free(g->scheme);
	cu.free(g->host);
	cu.free(g->port);
}

static int
origin_same(const struct origin *a, const struct origin *b)
{
	return !strcasecmp(a->scheme, b->scheme) && !strcasecmp(a->host, b->host) &&
	       !strcmp(a->port, b->port);
}

static int
is_http(const char *scheme)
{
	return !strcasecmp(scheme, "http") || !strcasecmp(scheme, "https");
}

static int
is_tls_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_USE_SSL_FAILED:
		return 1;
	default:
		return 0;
	}
}

/* Die 69 (or 74, 65) with the reason a transfer failed. */
static void __attribute__((noreturn))
die_transfer(struct xfer *x, CURLcode rc, const char *name,
	     const struct origin *at, const char *errbuf)
{
	const char *why = errbuf[0] ? errbuf : cu.easy_strerror(rc);
	curl_off_t cl = -1, ct = 0;
	long oserr = 0;

	if (x->failure == F_STDOUT) {
		errno = x->out_errno;
		sm_die_errno(SM_EX_IOERR, "<stdout>");
	}
	if (x->failure == F_LIMIT)
		sm_die(SM_EX_DATAERR, "%s: larger than the limit of %llu bytes (--max-bytes)",
		       name, (unsigned long long)x->o->max_bytes);
	if (x->failure == F_SLOW)
		sm_die(SM_EX_UNAVAILABLE, "%s: too slow: %llu bytes in %.1f s, under the "
		       "minimum average of %llu bytes/s (--min-rate)", name,
		       (unsigned long long)x->written, x->slow_ms / 1000.0,
		       (unsigned long long)x->o->min_rate);
	GETINFO(x->c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
	GETINFO(x->c, CURLINFO_CONNECT_TIME_T, &ct);
	GETINFO(x->c, CURLINFO_OS_ERRNO, &oserr);
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		sm_die(SM_EX_UNAVAILABLE, "%s: cannot resolve host '%s'", name, sm_clip(at->host));
	case CURLE_COULDNT_CONNECT:
		sm_die(SM_EX_UNAVAILABLE, "%s: cannot connect to %s port %s: %s", name,
		       at->host, at->port, oserr ? strerror((int)oserr) : why);
	case CURLE_OPERATION_TIMEDOUT:
		if (x->o->max_time > 0 && elapsed_ms(x) >= x->o->max_time * 1000LL)
			x->out_of_time = 1;
		if (x->out_of_time)
			sm_die(SM_EX_UNAVAILABLE, "%s: not done after %ld s (--max-time), %llu bytes "
			       "received", name, x->o->max_time, (unsigned long long)x->written);
		if (ct == 0)
			sm_die(SM_EX_UNAVAILABLE, "%s: no connection to %s port %s after %ld s "
			       "(--connect-timeout)", name, at->host, at->port,
			       x->o->connect_timeout);
		sm_die(SM_EX_UNAVAILABLE, "%s: stalled: under 1 byte/s for %ld s "
		       "(--stall-timeout) after %llu bytes", name, x->o->stall_timeout,
		       (unsigned long long)x->written);
	case CURLE_PARTIAL_FILE:
		if (cl >= 0)
			sm_die(SM_EX_UNAVAILABLE, "%s: connection closed after %llu of %lld bytes",
			       name, (unsigned long long)x->written, (long long)cl);
		sm_die(SM_EX_UNAVAILABLE, "%s: connection closed after %llu bytes, "
		       "before the end of the body", name, (unsigned long long)x->written);
	case CURLE_GOT_NOTHING:
		sm_die(SM_EX_UNAVAILABLE, "%s: the server closed the connection without "
		       "a response", name);
	default:
		if (is_tls_error(rc))
			sm_die(SM_EX_UNAVAILABLE, "%s: TLS: %s", name, why);
		sm_die(SM_EX_UNAVAILABLE, "%s: %s", name, why);
	}
}

void
fetch_http_check(const char *url, const char *name)
{
	struct origin g;

	curl_load();
	if (origin_get(url, &g) != 0)
		sm_die(SM_EX_USAGE, "%s: malformed URL", sm_clip(name));
}

void
fetch_http(const char *url, const char *name, const struct fetch_opts *o)
{
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *hdrs = NULL;
	struct origin first, at;
	struct xfer x;
	char *cur, *next, *shown;
	int hops = 0, send_headers;
	CURLcode rc;
	long status;

	curl_load();
	if (cu.global_init(CURL_GLOBAL_DEFAULT) != 0)
		sm_die(SM_EX_SOFTWARE, "%s: cannot initialise libcurl", name);
	if (origin_get(url, &first) != 0)
		sm_die(SM_EX_USAGE, "%s: malformed URL", sm_clip(name));
	for (int i = 0; i < o->n_headers; i++) {
		struct curl_slist *t = cu.slist_append(hdrs, o->headers[i]);

		if (t == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
		hdrs = t;
	}
	memset(&x, 0, sizeof(x));
	x.o = o;
	clock_gettime(CLOCK_MONOTONIC, &x.t0);
	x.c = cu.easy_init();
	if (x.c == NULL)
		sm_die(SM_EX_SOFTWARE, "%s: cannot initialise libcurl", name);
	errbuf[0] = '\0';
	SETOPT(x.c, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(x.c, CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(x.c, CURLOPT_NOSIGNAL, 1L);
	SETOPT(x.c, CURLOPT_ERRORBUFFER, errbuf);
	SETOPT(x.c, CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(x.c, CURLOPT_WRITEDATA, &x);
	SETOPT(x.c, CURLOPT_XFERINFOFUNCTION, on_progress);
	SETOPT(x.c, CURLOPT_XFERINFODATA, &x);
	SETOPT(x.c, CURLOPT_NOPROGRESS, 0L);
	SETOPT(x.c, CURLOPT_CONNECTTIMEOUT, o->connect_timeout);
	SETOPT(x.c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	SETOPT(x.c, CURLOPT_LOW_SPEED_TIME, o->stall_timeout);
	SETOPT(x.c, CURLOPT_BUFFERSIZE, 256L * 1024);
	SETOPT(x.c, CURLOPT_USERAGENT, "sm-fetch/" SM_VERSION);
	SETOPT(x.c, CURLOPT_TCP_KEEPALIVE, 1L);
	if (o->ca_file) {
		/* An unreadable bundle is named here, not as a TLS failure later. */
		FILE *f = fopen(o->ca_file, "r");

		if (f == NULL)
			sm_die_errno(SM_EX_NOINPUT, "%s: CA file %s", name, o->ca_file);
		fclose(f);
		SETOPT(x.c, CURLOPT_CAINFO, o->ca_file);
		SETOPT(x.c, CURLOPT_CAPATH, NULL);
	}

	cur = strdup(url);
	if (cur == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	send_headers = 1;
	for (;;) {
		if (origin_get(cur, &at) != 0)
			sm_die(SM_EX_UNAVAILABLE, "%s: malformed redirect URL", name);
		if (send_headers && !origin_same(&first, &at)) {
			/* Once off the origin we were given, the caller's
			 * headers (credentials) are never sent again. */
			send_headers = 0;
			if (hdrs)
				sm_info("%s: dropping %d header(s): another origin", name,
					o->n_headers);
		}
		SETOPT(x.c, CURLOPT_URL, cur);
		SETOPT(x.c, CURLOPT_HTTPHEADER, send_headers ? hdrs : NULL);
		x.checked = 0;
		x.status = 0;
		x.failure = F_NONE;
		errbuf[0] = '\0';
		if (o->max_time > 0) {
			/* One deadline for the request and all its redirects. */
			long long left = o->max_time * 1000LL - elapsed_ms(&x);

			if (left <= 0) {
				x.out_of_time = 1;
				die_transfer(&x, CURLE_OPERATION_TIMEDOUT, name, &at, errbuf);
			}
			SETOPT(x.c, CURLOPT_TIMEOUT_MS, (long)left);
		}
		rc = cu.easy_perform(x.c);
		status = 0;
		GETINFO(x.c, CURLINFO_RESPONSE_CODE, &status);
		if (x.failure == F_STATUS || (status >= 400 && x.failure == F_NONE))
			sm_die(SM_EX_UNAVAILABLE, "%s: HTTP %ld", name, status);
		if (rc != CURLE_OK)
			die_transfer(&x, rc, name, &at, errbuf);
		if (status >= 200 && status < 300)
			break;
		if (status == 301 || status == 302 || status == 303 || status == 307 ||
		    status == 308) {
			struct origin to;

			next = NULL;
			GETINFO(x.c, CURLINFO_REDIRECT_URL, &next);
			if (next == NULL)
				sm_die(SM_EX_UNAVAILABLE, "%s: HTTP %ld without a Location",
				       name, status);
			if (++hops > o->max_redirects)
				sm_die(SM_EX_UNAVAILABLE, "%s: more than %d redirects", name,
				       o->max_redirects);
			shown = fetch_redact(next);
			if (origin_get(next, &to) != 0 || !is_http(to.scheme))
				sm_die(SM_EX_UNAVAILABLE, "%s: redirect to %s refused: only "
				       "http and https are followed", name, sm_clip(shown));
			sm_info("%s: HTTP %ld, redirected to %s", name, status, sm_clip(shown));
			free(shown);
			origin_free(&to);
			origin_free(&at);
			free(cur);
			cur = strdup(next);
			if (cur == NULL)
				sm_die(SM_EX_SOFTWARE, "out of memory");
			continue;
		}
		sm_die(SM_EX_UNAVAILABLE, "%s: HTTP %ld", name, status);
	}
	if (sm_verbose) {
		char *eff = NULL;

		GETINFO(x.c, CURLINFO_EFFECTIVE_URL, &eff);
		shown = fetch_redact(eff ? eff : cur);
		sm_info("%s: HTTP %ld, %llu bytes", shown ? shown : name, status,
			(unsigned long long)x.written);
		free(shown);
	}
	origin_free(&at);
	origin_free(&first);
	free(cur);
	cu.slist_free_all(hdrs);
	cu.easy_cleanup(x.c);
	cu.global_cleanup();
}

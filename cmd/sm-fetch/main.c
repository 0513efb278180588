/* sm-fetch: copy a job's input (path, stdin, file:// or http(s):// URL) to stdout. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fetch.h"
#include "sm.h"

static const char usage[] =
	"sm-fetch: copy an input (path, -, file://, http:// or https:// URL) to stdout\n"
	"Usage: sm-fetch [-v] [-H HEADER]... [--header-file FILE] [--max-bytes N]\n"
	"                [--connect-timeout S] [--stall-timeout S] [--max-time S]\n"
	"                [--min-rate N] [--rate-grace S]\n"
	"                [--ca-file FILE] [--check] [FILE | - | URL]\n"
	"e.g.:  sm-fetch -H 'Authorization: Bearer T' https://host/a.wav | sm-decode\n"
	"  -H, --header 'Name: value'  send this header over http(s) (repeatable)\n"
	"      --header-file FILE     read headers from FILE, one per line (- = stdin)\n"
	"      --max-bytes N          fail beyond N bytes; K, M, G suffixes (default 4G)\n"
	"      --connect-timeout S    give up connecting after S seconds (default 30)\n"
	"      --stall-timeout S      give up under 1 byte/s for S seconds (default 60)\n"
	"      --max-time S           give up when the whole transfer takes over S seconds\n"
	"                             (default 0: no limit)\n"
	"      --min-rate N           give up when, after --rate-grace, the average since\n"
	"                             the start is under N bytes/s; K, M suffixes; 0: no\n"
	"                             check (default 1K)\n"
	"      --rate-grace S         seconds before --min-rate applies (default 30)\n"
	"      --ca-file FILE         trust the CAs in this PEM file for https, instead of\n"
	"                             the system's (default: $SSL_CERT_FILE if set)\n"
	"      --check                check the URL and the headers, fetch nothing\n"
	"  -v, --verbose              print the final URL, status and bytes on stderr\n"
	"  -h, --help                 show this help\n"
	"      --version              show the version\n";

#define MAX_REDIRECTS 5

/* A size with an optional K, M or G suffix (powers of 1024), at least min. */
static uint64_t
opt_size(const char *opt, const char *arg, uint64_t min)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (end != arg && end[0] && !end[1]) {
		const char *s = strchr("KMG", toupper((unsigned char)end[0]));

		if (s) {
			shift = 10 * (int)(s - "KMG" + 1);
			end++;
		}
	}
	if (errno || end == arg || *end || !isdigit((unsigned char)arg[0]) || v < min ||
	    v > (UINT64_MAX >> shift))
		sm_die(SM_EX_USAGE, "%s: expected a size such as 4G, 500M or 1048576, got '%s'",
		       opt, sm_clip(arg));
	return (uint64_t)v << shift;
}

/* Headers that route or frame the request: libcurl sets them, and one
 * given by a caller would send the request elsewhere or desynchronise the
 * connection (a second Content-Length, a Transfer-Encoding on a GET). */
static const char *const own_headers[] = {
	"Host", "Content-Length", "Transfer-Encoding", "Connection", "Expect",
	"TE", "Trailer", "Upgrade",
};

/* Why header h of len bytes (it may hold a NUL) cannot be sent, or NULL:
 * "Name: value", a token, a colon, a non-empty value without control
 * characters, a name that is not one of own_headers.  The reason names
 * the header, never its value: values are usually secrets. */
static const char *
header_problem(const char *h, size_t len)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~";
	static char why[160];
	const char *p = h, *end = h + len;
	char name[SM_CLIP_MAX + 2];	/* one more than shown: sm_clip marks the cut */
	size_t nlen;

	while (p < end && (isalnum((unsigned char)*p) || (*p && strchr(tchar, *p))))
		p++;
	if (p == h || p == end || *p != ':')
		return "expected 'Name: value'";
	nlen = (size_t)(p - h) < sizeof name ? (size_t)(p - h) : sizeof name - 1;
	memcpy(name, h, nlen);
	name[nlen] = '\0';
	for (size_t i = 0; i < sizeof own_headers / sizeof own_headers[0]; i++)
		if ((size_t)(p - h) == strlen(own_headers[i]) &&
		    !strncasecmp(h, own_headers[i], (size_t)(p - h))) {
			snprintf(why, sizeof why, "header '%s' refused: the transfer "
				 "sets it itself", sm_clip(name));
			return why;
		}
	p++;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return "expected 'Name: value'";
	for (; p < end; p++) {
		if (*p == '\0') {
			snprintf(why, sizeof why, "header '%s': a NUL byte in its value",
				 sm_clip(name));
			return why;
		}
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7F) {
			snprintf(why, sizeof why, "header '%s': CR, LF or another control "
				 "character in its value", sm_clip(name));
			return why;
		}
	}
	return NULL;
}

static void
add_header(struct fetch_opts *o, const char *h)
{
	const char **t = realloc(o->headers, (o->n_headers + 1) * sizeof(*t));

	if (t == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	o->headers = t;
	if ((o->headers[o->n_headers++] = strdup(h)) == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
}

static void
free_headers(struct fetch_opts *o)
{
	for (int i = 0; i < o->n_headers; i++)
		free((char *)o->headers[i]);
	free(o->headers);
}

/* One header per line (a CR before the LF is dropped); blank lines are
 * skipped.  Values are never echoed: they are usually secrets. */
static void
read_header_file(struct fetch_opts *o, const char *path)
{
	FILE *f = sm_open_in(path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	const char *why;

	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		/* The file is configuration (the job's auth_headers): 78. */
		if ((why = header_problem(line, (size_t)n)) != NULL)
			sm_die(SM_EX_CONFIG, "%s:%ld: %s", sm_name(path), lineno, why);
		add_header(o, line);
	}
	if (ferror(f))
		sm_die_errno(SM_EX_IOERR, "%s", sm_name(path));
	free(line);
	if (f != stdin)
		fclose(f);
}

/* Length of the URL scheme s starts with ("http" in "http://"), else 0. */
static size_t
scheme_len(const char *s)
{
	size_t n = 0;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '-' || s[n] == '.')
		n++;
	return s[n] == ':' ? n : 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The local path of file:///p, file://localhost/p or file:/p, decoded. */
static char *
file_url_path(const char *url)
{
	const char *p = url + 5, *slash;
	char *path, *q;

	if (p[0] == '/' && p[1] == '/') {
		p += 2;
		slash = strchr(p, '/');
		if (slash == NULL)
			sm_die(SM_EX_USAGE, "%s: file URL without a path (expected file:///path)",
			       sm_clip(url));
		if (slash != p && !(slash - p == 9 && !strncasecmp(p, "localhost", 9)))
			sm_die(SM_EX_USAGE, "%s: file URL with a remote host (expected file:///path)",
			       sm_clip(url));
		p = slash;
	} else if (p[0] != '/') {
		sm_die(SM_EX_USAGE, "%s: expected file:///path", sm_clip(url));
	}
	if (strpbrk(p, "?#"))
		sm_die(SM_EX_USAGE, "%s: file URL with a query or fragment "
		       "(write '?' as %%3F and '#' as %%23)", sm_clip(url));
	path = q = malloc(strlen(p) + 1);
	if (path == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	for (; *p; p++) {
		if (*p == '%') {
			int hi = hexval((unsigned char)p[1]);
			int lo = hi < 0 ? -1 : hexval((unsigned char)p[2]);

			if (lo < 0 || (hi | lo) == 0)
				sm_die(SM_EX_USAGE, "%s: bad percent-encoding in file URL", sm_clip(url));
			*q++ = (char)(hi << 4 | lo);
			p += 2;
		} else {
			*q++ = *p;
		}
	}
	*q = '\0';
	return path;
}

/* Copy a file (NULL = stdin) to stdout. */
static void
fetch_file(const char *path, const char *name, uint64_t max)
{
	static char buf[256 * 1024];
	uint64_t total = 0;
	struct stat st;
	ssize_t n;
	int fd = 0;

	if (path && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		sm_die_errno(SM_EX_NOINPUT, "%s", name);
	if (fstat(fd, &st) != 0)
		sm_die_errno(SM_EX_NOINPUT, "%s", name);
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		sm_die_errno(SM_EX_NOINPUT, "%s", name);
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max)
		sm_die(SM_EX_DATAERR, "%s: larger than the limit of %llu bytes (--max-bytes)",
		       name, (unsigned long long)max);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			sm_die_errno(SM_EX_IOERR, "%s", name);
		if (n == 0)
			break;
		if ((uint64_t)n > max - total)
			sm_die(SM_EX_DATAERR, "%s: larger than the limit of %llu bytes "
			       "(--max-bytes)", name, (unsigned long long)max);
		sm_write_stdout(buf, (size_t)n);
		total += (uint64_t)n;
	}
	if (fd != 0)
		close(fd);
	sm_info("%s: %llu bytes", name, (unsigned long long)total);
}

/* The command line: the request's options, the header file, the input. */
struct args {
	struct fetch_opts o;
	const char *header_file, *input;
	int check;		/* --check: the URL and headers, no transfer */
};

static void
parse_options(struct args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{"header", required_argument, NULL, 'H'},
		{"header-file", required_argument, NULL, 'F'},
		{"max-bytes", required_argument, NULL, 'M'},
		{"connect-timeout", required_argument, NULL, 'C'},
		{"stall-timeout", required_argument, NULL, 'S'},
		{"max-time", required_argument, NULL, 'T'},
		{"min-rate", required_argument, NULL, 'R'},
		{"rate-grace", required_argument, NULL, 'G'},
		{"ca-file", required_argument, NULL, 'A'},
		{"check", no_argument, NULL, 'K'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	struct fetch_opts *o = &a->o;
	const char *why;
	int c;

	memset(a, 0, sizeof *a);
	o->max_bytes = 4ULL << 30;
	o->connect_timeout = 30;
	o->stall_timeout = 60;
	o->min_rate = 1024;
	o->rate_grace = 30;
	o->max_redirects = MAX_REDIRECTS;
	while ((c = getopt_long(argc, argv, "H:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			if ((why = header_problem(optarg, strlen(optarg))) != NULL)
				sm_die(SM_EX_USAGE, "--header: %s", why);
			add_header(o, optarg);
			break;
		case 'F': a->header_file = optarg; break;
		case 'M': o->max_bytes = opt_size("--max-bytes", optarg, 1); break;
		case 'C': o->connect_timeout = sm_opt_long("--connect-timeout", optarg, 1, 86400); break;
		case 'S': o->stall_timeout = sm_opt_long("--stall-timeout", optarg, 1, 86400); break;
		case 'R': o->min_rate = opt_size("--min-rate", optarg, 0); break;
		case 'G': o->rate_grace = sm_opt_long("--rate-grace", optarg, 1, 86400); break;
		case 'T': o->max_time = sm_opt_long("--max-time", optarg, 0, 604800); break;
		case 'A': o->ca_file = optarg; break;
		case 'K': a->check = 1; break;
		case 'v': sm_verbose = 1; break;
		case 'h': sm_usage_exit(usage, 1);
		case 'V': sm_version_exit();
		default: sm_usage_exit(usage, 0);
		}
	}
	if (argc - optind > 1)
		sm_usage_exit(usage, 0);
	a->input = optind < argc ? argv[optind] : "-";
	if (o->ca_file == NULL && getenv("SSL_CERT_FILE") && *getenv("SSL_CERT_FILE"))
		o->ca_file = getenv("SSL_CERT_FILE");
	if (a->header_file && !strcmp(a->header_file, "-") && !strcmp(a->input, "-"))
		sm_die(SM_EX_USAGE, "--header-file: standard input is already the input");
}

enum source { SOURCE_FILE, SOURCE_HTTP };

/* Where input (name: as it may be shown) is read from: a path, -, a file
 * URL (its path in *path, else NULL there), or http(s).  Any other
 * scheme, or a file URL that names no local path, is a usage error. */
static enum source
source_of(const char *input, const char *name, char **path)
{
	size_t sl = scheme_len(input);
	char scheme[16];

	*path = NULL;
	if (sl > 0 && sl < sizeof(scheme)) {
		memcpy(scheme, input, sl);
		scheme[sl] = '\0';
	} else {
		scheme[0] = '\0';
	}
	if (sl == 0)
		return SOURCE_FILE;
	if (!strcasecmp(scheme, "file")) {
		*path = file_url_path(input);
		return SOURCE_FILE;
	}
	if (!strcasecmp(scheme, "http") || !strcasecmp(scheme, "https"))
		return SOURCE_HTTP;
	sm_die(SM_EX_USAGE, "%s: unsupported URL scheme '%.*s' (expected a path, -, "
	       "file://, http:// or https://)", sm_clip(name), (int)(sl > 32 ? 32 : sl), input);
}

int
main(int argc, char **argv)
{
	struct args a;
	enum source src;
	char *name, *path;

	sm_init(argv[0]);
	parse_options(&a, argc, argv);
	name = fetch_redact(a.input);
	if (name == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	src = source_of(a.input, name, &path);
	if (a.header_file)
		read_header_file(&a.o, a.header_file);
	if (a.check) {
		if (src == SOURCE_HTTP)
			fetch_http_check(a.input, name);
		free(path);
		free(name);
		free_headers(&a.o);
		sm_close_stdout();
		return 0;
	}
	if (src == SOURCE_HTTP) {
		fetch_http(a.input, name, &a.o);
	} else {
		if (a.o.n_headers)
			sm_warn("%s: ignoring %d header(s): headers are sent only over http "
				"and https", sm_name(name), a.o.n_headers);
		fetch_file(path ? path : strcmp(a.input, "-") ? a.input : NULL, sm_name(name),
			   a.o.max_bytes);
	}
	free(path);
	free(name);
	free_headers(&a.o);
	sm_close_stdout();
	return 0;
}

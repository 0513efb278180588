/* sm-format: write sm-lattice's best path as a json-v2, txt, srt, vtt or ctm transcript. */
#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

static const char usage[] =
	"sm-format: write a #sm-hyp 1 best path as a json-v2, txt, srt, vtt or ctm transcript\n"
	"Usage: sm-format [-P] [-d] [-f FORMAT] [-c FILE] [-l LANG] [-m DIR] [-s S]\n"
	"                 [--tracking FILE] [--data-name NAME] [--pause S]\n"
	"                 [--max-line-length N] [--max-lines N]\n"
	"                 [-R FROM=TO]... [FILE | -]\n"
	"e.g.:  sm-decode speech.wav | sm-features | sm-am | sm-lattice | sm-format -f txt\n"
	"  -f, --format F          json (json-v2), txt, srt, vtt (WebVTT) or ctm (NIST CTM)\n"
	"                          (default json)\n"
	"  -c, --config FILE       JSON object echoed as metadata.transcription_config\n"
	"                          (default {\"language\": LANG})\n"
	"      --tracking FILE     JSON object echoed as job.tracking, with the rest of\n"
	"                          the job block (json only; default: no job block)\n"
	"      --data-name NAME    the audio's name: job.data_name, CTM's FILE (default -)\n"
	"  -m, --model DIR         language pack directory (default: $SM_MODELS/LANG)\n"
	"  -l, --lang LANG         language of the installed pack (default en)\n"
	"  -P, --no-punctuation    no full stops, no sentence capitals\n"
	"  -s, --sensitivity S     punctuation sensitivity 0..1: a pause of\n"
	"                          0.1 + 0.8 * (1 - S) seconds ends a sentence (default 0.5)\n"
	"      --pause SECONDS     the sentence-ending pause itself (default 0.5)\n"
	"  -d, --remove-disfluencies  drop hesitations (uh, um, er, ...)\n"
	"  -R, --replace FROM=TO   replace the words FROM (any case) by TO, in order;\n"
	"                          /RE/=TO matches whole words with an extended regex\n"
	"      --max-line-length N SRT and WebVTT characters per line (default 37)\n"
	"      --max-lines N       SRT and WebVTT lines per cue (default 2)\n"
	"  -h, --help              show this help\n"
	"      --version           show the version\n";

/* The whole of a small file (a FIFO works), trimmed; die on failure. */
static char *
read_config(const char *path)
{
	FILE *f = sm_open_in(path);
	char *s = NULL, *b, *e;
	size_t cap = 0, n = 0, got;

	do {
		if (n + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 8192;
			if (cap > (64u << 20))
				sm_die(SM_EX_CONFIG, "%s: config larger than 64 MB", path);
			if ((s = realloc(s, cap)) == NULL)
				sm_die(SM_EX_SOFTWARE, "out of memory");
		}
		got = fread(s + n, 1, 4096, f);
		n += got;
	} while (got > 0);
	if (ferror(f))
		sm_die_errno(SM_EX_IOERR, "%s", path);
	if (f != stdin)
		fclose(f);
	s[n] = '\0';
	for (b = s; isspace((unsigned char)*b); b++)
		;
	for (e = s + n; e > b && isspace((unsigned char)e[-1]); e--)
		;
	*e = '\0';
	if (strlen(b) != (size_t)(e - b) || *b != '{' || e[-1] != '}')
		sm_die(SM_EX_CONFIG, "%s: expected one JSON object", path);
	return b;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"config", required_argument, NULL, 'c'},
		{"tracking", required_argument, NULL, 'T'},
		{"data-name", required_argument, NULL, 'D'},
		{"model", required_argument, NULL, 'm'},
		{"lang", required_argument, NULL, 'l'},
		{"no-punctuation", no_argument, NULL, 'P'},
		{"sensitivity", required_argument, NULL, 's'},
		{"pause", required_argument, NULL, 'p'},
		{"remove-disfluencies", no_argument, NULL, 'd'},
		{"replace", required_argument, NULL, 'R'},
		{"max-line-length", required_argument, NULL, 'L'},
		{"max-lines", required_argument, NULL, 'N'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	const char *format = "json", *model = NULL, *lang = "en", *config = NULL;
	const char *path, *tracking = NULL;
	const struct writer *w;
	struct fmt_opts o = {.data_name = "-", .pause_ms = 500, .max_line_length = 37,
			     .max_lines = 2};
	struct transcript t = {0};
	struct sm_pack pack;
	int c, marks = 1, drop = 0, nrepl = 0;
	char **repl = calloc((size_t)argc, sizeof *repl);
	FILE *in;

	sm_init(argv[0]);
	if (repl == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	while ((c = getopt_long(argc, argv, "f:c:m:l:Ps:dR:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'c': config = optarg; break;
		case 'T': tracking = optarg; break;
		case 'D': o.data_name = optarg; break;
		case 'm': model = optarg; break;
		case 'l': lang = optarg; break;
		case 'P': marks = 0; break;
		case 's':
			o.pause_ms = (long)(1000 * (0.1 + 0.8 * (1 - sm_opt_double(
				"--sensitivity", optarg, 0, 1))) + 0.5);
			break;
		case 'p':
			o.pause_ms = (long)(1000 * sm_opt_double("--pause", optarg, 0, 3600) + 0.5);
			break;
		case 'd': drop = 1; break;
		case 'R': repl[nrepl++] = optarg; break;
		case 'L':
			o.max_line_length = (int)sm_opt_long("--max-line-length", optarg, 1, 10000);
			break;
		case 'N': o.max_lines = (int)sm_opt_long("--max-lines", optarg, 1, 1000); break;
		case 'h': sm_usage_exit(usage, 1);
		case 'V': sm_version_exit();
		default: sm_usage_exit(usage, 0);
		}
	}
	if (argc - optind > 1)
		sm_usage_exit(usage, 0);
	for (w = writers; w->name && strcmp(w->name, format) != 0; w++)
		;
	if (w->name == NULL)
		sm_die(SM_EX_USAGE, "--format: expected json, txt, srt, vtt or ctm, got \"%s\"", sm_clip(format));
	sm_pack_load_or_die(&pack, model, lang);
	o.pack = &pack;
	if (config)
		o.config = read_config(config);
	if (tracking)
		o.tracking = read_config(tracking);
	path = optind < argc ? argv[optind] : NULL;
	in = sm_open_in(path);
	hyp_read(in, path, &t, drop);
	for (int i = 0; i < nrepl; i++) {
		char *from = repl[i], *eq;

		/* /RE/=TO: the expression ends at "/="; else FROM ends at "=". */
		eq = from[0] == '/' ? strstr(from + 1, "/=") : strchr(from, '=');
		if (eq && from[0] == '/')
			eq++;
		if (eq == NULL || eq == from)
			sm_die(SM_EX_USAGE, "--replace: expected FROM=TO, got \"%s\"", sm_clip(from));
		*eq = '\0';
		hyp_replace(&t, from, eq + 1);
	}
	hyp_punctuate(&t, o.pause_ms, marks);
	w->write(stdout, &t, &o);
	sm_close_stdout();
	return SM_EX_OK;
}

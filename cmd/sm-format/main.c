/* sm-format: write sm-lattice's best path as a json-v2, txt, srt, vtt or ctm transcript. */
#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "entity.h"
#include "format.h"
#include "spell.h"

static const char usage[] =
	"sm-format: write a #sm-hyp 1 best path as a json-v2, txt, srt, vtt or ctm transcript\n"
	"Usage: sm-format [-P] [-d] [-E] [-f FORMAT] [-c FILE] [-l LANG] [-m DIR] [-s S]\n"
	"                 [--tracking FILE] [--data-name NAME] [--locale LOCALE]\n"
	"                 [--marks MARKS] [--pause S] [--trace-punctuation]\n"
	"                 [--max-line-length N] [--max-lines N]\n"
	"                 [--vocab FILE] [-R FROM=TO]... [--check-options] [FILE | -]\n"
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
	"      --locale LOCALE     spelling and entity forms: en-US, en-GB or en-AU\n"
	"                          (British spelling); names capitalised (default en-US)\n"
	"      --marks MARKS       the permitted marks, some of .,?! (default .,?!);\n"
	"                          \"\" for none\n"
	"  -P, --no-punctuation    no marks, no sentence capitals (--marks \"\")\n"
	"  -s, --sensitivity S     punctuation sensitivity 0..1, more marks with more\n"
	"                          (default 0.5)\n"
	"      --pause SECONDS     not the model: a pause this long ends a sentence,\n"
	"                          and no commas (default: the model)\n"
	"      --trace-punctuation each word boundary's scores to stderr\n"
	"  -d, --remove-disfluencies  drop hesitations (uh, um, er, ...)\n"
	"      --check-options     check the options (each -R's /RE/) and exit, reading\n"
	"                          no input\n"
	"      --vocab FILE        the custom vocabulary sm-lattice searched with: its\n"
	"                          words and phrases written as listed\n"
	"  -R, --replace FROM=TO   replace the words FROM (any case) by TO, in order;\n"
	"                          /RE/=TO matches whole words with an extended regex\n"
	"  -E, --entities          write numbers, ordinals, decimals, money, percentages,\n"
	"                          dates, times and telephone numbers as entities\n"
	"                          (json: type \"entity\" with spoken and written forms)\n"
	"      --max-line-length N SRT and WebVTT characters per line (default 37)\n"
	"      --max-lines N       SRT and WebVTT lines per cue (default 2)\n"
	"  -h, --help              show this help\n"
	"      --version           show the version\n";

/* --marks: each character one of . , ? ! */
static const char *
marks_arg(const char *s)
{
	for (const char *p = s; *p; p++)
		if (strchr(".,?!", *p) == NULL)
			sm_die(SM_EX_USAGE, "--marks: expected some of the marks .,?!, got \"%s\"",
			       sm_clip(s));
	return s;
}

/* The whole of a small file (a FIFO works), trimmed; die on failure. */
static char *
read_config(const char *path)
{
	size_t n;
	char *s = sm_read_all(path, 64u << 20, "config", &n), *b, *e;

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

/* A replacement's TO as one word's text: blanks (spaces, tabs, line ends)
 * folded to one space, none at either end; only blanks become empty, which
 * deletes the words as an empty TO does. */
static void
fold_blanks(char *s)
{
	char *o = s;

	for (const char *p = s; *p; p++) {
		if (isspace((unsigned char)*p)) {
			if (o > s && o[-1] != ' ')
				*o++ = ' ';
		} else {
			*o++ = *p;
		}
	}
	if (o > s && o[-1] == ' ')
		o--;
	*o = '\0';
}

/* What is done to the words between reading and writing. */
struct steps {
	const char *vocab;	/* the vocabulary's text, or NULL */
	size_t vocab_len;
	char **repl;		/* FROM\0TO pairs */
	int nrepl, entities;
	const struct fmt_opts *o;
	const struct sm_pack *pack;
	const struct punct_opts *po;
};

static void
apply(struct transcript *t, const struct steps *st)
{
	if (st->vocab)
		hyp_vocab(t, st->vocab, st->vocab_len);
	for (int i = 0; i < st->nrepl; i++)
		hyp_replace(t, st->repl[i], st->repl[i] + strlen(st->repl[i]) + 1);
	if (st->entities)
		entity_apply(t, st->o->locale, st->o->pause_ms);
	spell_apply(t, st->pack, st->o->locale);	/* leaves -R's words as given */
	hyp_punctuate(t, st->po);
}

/* The steps see one channel's words at a time.  With channel diarization
 * the stream interleaves the channels by start time: a word of the other
 * channel must not end a sentence or cut a phrase or a number.  Then the
 * channels' items (words, marks, entities) are merged back by start time,
 * the first channel first where they tie. */
static void
by_channel(struct transcript *t, const struct steps *st)
{
	struct transcript *ch = NULL;
	const char **label = NULL;
	size_t nch = 0, i, k, *at;

	for (i = 0; i < t->n; i++) {
		for (k = 0; k < nch && strcmp(label[k], t->v[i].channel ? t->v[i].channel : "") != 0; k++)
			;
		if (k == nch) {
			if ((label = realloc(label, sizeof *label * (nch + 1))) == NULL ||
			    (ch = realloc(ch, sizeof *ch * (nch + 1))) == NULL)
				sm_die(SM_EX_SOFTWARE, "out of memory");
			label[nch] = t->v[i].channel ? t->v[i].channel : "";
			memset(&ch[nch++], 0, sizeof *ch);
		}
	}
	if (nch < 2) {
		free(label);
		free(ch);
		apply(t, st);
		return;
	}
	for (i = 0; i < t->n; i++) {
		for (k = 0; strcmp(label[k], t->v[i].channel ? t->v[i].channel : "") != 0; k++)
			;
		hyp_push(&ch[k], &t->v[i]);	/* the item moves: its strings go with it */
	}
	for (k = 0; k < nch; k++) {
		ch[k].audio_ms = t->audio_ms;
		apply(&ch[k], st);
	}
	t->n = 0;
	at = sm_xcalloc(nch, sizeof *at);
	for (;;) {
		size_t b = nch;

		for (k = 0; k < nch; k++)
			if (at[k] < ch[k].n &&
			    (b == nch || ch[k].v[at[k]].start_ms < ch[b].v[at[b]].start_ms))
				b = k;
		if (b == nch)
			break;
		hyp_push(t, &ch[b].v[at[b]++]);
	}
	for (k = 0; k < nch; k++)
		free(ch[k].v);
	free(at);
	free(ch);
	free(label);
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
		{"locale", required_argument, NULL, 'O'},
		{"no-punctuation", no_argument, NULL, 'P'},
		{"sensitivity", required_argument, NULL, 's'},
		{"pause", required_argument, NULL, 'p'},
		{"marks", required_argument, NULL, 'M'},
		{"trace-punctuation", no_argument, NULL, 't'},
		{"remove-disfluencies", no_argument, NULL, 'd'},
		{"replace", required_argument, NULL, 'R'},
		{"vocab", required_argument, NULL, 'B'},
		{"check-options", no_argument, NULL, 'K'},
		{"entities", no_argument, NULL, 'E'},
		{"max-line-length", required_argument, NULL, 'L'},
		{"max-lines", required_argument, NULL, 'N'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	const char *format = "json", *model = NULL, *lang = "en", *config = NULL;
	const char *path, *tracking = NULL, *vocab = NULL;
	const struct writer *w;
	struct fmt_opts o = {.data_name = "-", .pause_ms = 500, .max_line_length = 37,
			     .max_lines = 2, .locale = "en-US"};
	struct transcript t = {0};
	struct sm_pack pack;
	struct punct_opts po = {.marks = ".,?!", .sensitivity = 0.5, .pause_ms = -1};
	int c, drop = 0, nrepl = 0, entities = 0, check_only = 0;
	char **repl = calloc((size_t)argc, sizeof *repl);
	FILE *in;

	sm_init(argv[0]);
	if (repl == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	while ((c = getopt_long(argc, argv, "f:c:m:l:Ps:dER:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'c': config = optarg; break;
		case 'T': tracking = optarg; break;
		case 'D': o.data_name = optarg; break;
		case 'm': model = optarg; break;
		case 'l': lang = optarg; break;
		case 'O': o.locale = optarg; break;
		case 'P': po.marks = ""; break;
		case 'M': po.marks = marks_arg(optarg); break;
		case 's':
			po.sensitivity = sm_opt_double("--sensitivity", optarg, 0, 1);
			break;
		case 'p':
			po.pause_ms = (long)(1000 * sm_opt_double("--pause", optarg, 0, 3600) + 0.5);
			break;
		case 't': po.trace = 1; break;
		case 'd': drop = 1; break;
		case 'R': repl[nrepl++] = optarg; break;
		case 'B': vocab = optarg; break;
		case 'K': check_only = 1; break;
		case 'E': entities = o.itn = 1; break;
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
	if (!spell_locale_known(o.locale))
		sm_die(SM_EX_USAGE, "--locale: expected en-US, en-GB or en-AU, got \"%s\"",
		       sm_clip(o.locale));
	/* The pause that ends a run of entity words and, halved, an SRT or
	 * WebVTT cue: --pause, else the one the sensitivity gives, whatever
	 * the order of the two options. */
	o.pause_ms = po.pause_ms >= 0 ? po.pause_ms :
		     (long)(1000 * (0.1 + 0.8 * (1 - po.sensitivity)) + 0.5);
	/* The replacements first: a bad one is said before any input is read
	 * (--check-options: only that). */
	for (int i = 0; i < nrepl; i++) {
		char *from = repl[i], *eq;

		/* /RE/=TO: the expression ends at "/="; else FROM ends at "=". */
		eq = from[0] == '/' ? strstr(from + 1, "/=") : strchr(from, '=');
		if (eq && from[0] == '/')
			eq++;
		if (eq == NULL || eq == from)
			sm_die(SM_EX_USAGE, "--replace: expected FROM=TO, got \"%s\"", sm_clip(from));
		*eq = '\0';
		fold_blanks(eq + 1);
		hyp_replace_check(from);
	}
	if (check_only) {
		sm_close_stdout();
		return SM_EX_OK;
	}
	sm_pack_load_or_die(&pack, model, lang);
	o.pack = &pack;
	if (config)
		o.config = read_config(config);
	if (tracking)
		o.tracking = read_config(tracking);
	path = optind < argc ? argv[optind] : NULL;
	in = sm_open_in(path);
	hyp_read(in, path, &t, drop);
	po.lm = pack.lm;
	{
		struct steps st = {NULL, 0, repl, nrepl, entities, &o, &pack, &po};
		char *text = vocab ? hyp_vocab_read(vocab, &st.vocab_len) : NULL;

		st.vocab = text;
		by_channel(&t, &st);
		free(text);
	}
	w->write(stdout, &t, &o);
	sm_close_stdout();
	return SM_EX_OK;
}

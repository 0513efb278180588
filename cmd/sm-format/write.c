/* write.c: one writer per output format (json-v2, txt, srt, vtt, ctm). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "entity.h"
#include "format.h"

void
put_time(FILE *out, long ms)
{
	long cs = (ms + 5) / 10;

	fprintf(out, "%ld.%02ld", cs / 100, cs % 100);
}

/* Which labels the transcript has: 1 speakers, 2 channels (bits). */
enum { HAS_SPEAKER = 1, HAS_CHANNEL = 2 };

static int
which_labels(const struct transcript *t)
{
	int has = 0;

	for (size_t i = 0; i < t->n; i++)
		has |= (t->v[i].speaker ? HAS_SPEAKER : 0) |
		       (t->v[i].channel ? HAS_CHANNEL : 0);
	return has;
}

/* What starts a turn in txt and srt: "LABEL: " for the channel, then
 * "SPEAKER S1: " (the original's txt) for the speaker, UU when unknown. */
static void
put_turn(FILE *out, const struct item *it, int has)
{
	if (it->channel)
		fprintf(out, "%s: ", it->channel);
	if (has & HAS_SPEAKER)
		fprintf(out, "SPEAKER %s: ", it->speaker ? it->speaker : "UU");
}

/* n random bytes from getrandom, else (a kernel without it) /dev/urandom. */
static void
random_bytes(unsigned char *b, size_t n)
{
	FILE *f;

	if (getrandom(b, n, 0) == (ssize_t)n)
		return;
	if ((f = fopen("/dev/urandom", "rb")) == NULL || fread(b, 1, n, f) != n)
		sm_die_errno(SM_EX_IOERR, "/dev/urandom");
	fclose(f);
}

/* A job id: 10 lowercase letters and digits from the kernel's random
 * source (bytes of 252 and over are drawn again, so each of the 36 is as
 * likely). */
static void
job_id(char id[11])
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char b[64];
	size_t n = 0;

	while (n < 10) {
		random_bytes(b, sizeof b);
		for (size_t k = 0; k < sizeof b && n < 10; k++)
			if (b[k] < 252)
				id[n++] = set[b[k] % 36];
	}
	id[10] = '\0';
}

/* The job block (JobInfo in the original's API), written with the tracking
 * object: the audio's duration is the hypothesis' largest END in whole
 * seconds, rounded. */
static void
put_job(FILE *out, const struct transcript *t, const struct fmt_opts *o,
	const char *id, const char *when, long ms)
{
	fprintf(out, "  \"job\": {\"created_at\": \"%s.%03ldZ\", \"data_name\": ",
		when, ms);
	sm_json_str(out, o->data_name);
	fprintf(out, ", \"duration\": %ld, \"id\": \"%s\", \"tracking\": %s},\n",
		(t->audio_ms + 500) / 1000, id, o->tracking);
}

static void
write_json(FILE *out, const struct transcript *t, const struct fmt_opts *o)
{
	struct timespec ts;
	struct tm tm;
	char when[32], id[11];

	/* Before any output: drawing the id may fail. */
	if (o->tracking)
		job_id(id);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	fputs("{\n  \"format\": \"2.9\",\n", out);
	if (o->tracking)
		put_job(out, t, o, id, when, ts.tv_nsec / 1000000);
	fprintf(out, "  \"metadata\": {\"created_at\": "
		"\"%s.%03ldZ\", \"type\": \"transcription\", "
		"\"transcription_config\": ", when, ts.tv_nsec / 1000000);
	if (o->config) {
		fputs(o->config, out);
	} else {
		fputs("{\"language\": ", out);
		sm_json_str(out, o->pack->language);
		fputs("}", out);
	}
	fprintf(out, ", \"language_pack_info\": {\"adapted\": false, \"itn\": %s, "
		"\"language_description\": ", o->itn ? "true" : "false");
	sm_json_str(out, o->pack->description);
	fputs(", \"word_delimiter\": ", out);
	sm_json_str(out, o->pack->word_delimiter);
	fputs(", \"writing_direction\": \"left-to-right\"}},\n  \"results\": [", out);
	for (size_t i = 0; i < t->n; i++) {
		const struct item *it = &t->v[i];

		fputs(i ? ",\n    " : "\n    ", out);
		if (it->entity) {
			entity_json(out, it, o->pack->language);
			continue;
		}
		if (it->channel) {
			fputs("{\"channel\": ", out);
			sm_json_str(out, it->channel);
			fputs(", \"type\": ", out);
		} else {
			fputs("{\"type\": ", out);
		}
		fputs(it->type == ITEM_WORD ? "\"word\"" : "\"punctuation\"", out);
		fputs(", \"start_time\": ", out);
		put_time(out, it->start_ms);
		fputs(", \"end_time\": ", out);
		put_time(out, it->end_ms);
		if (it->type == ITEM_WORD && it->has_volume)
			fprintf(out, ", \"volume\": %.2f", it->volume);
		if (it->type == ITEM_PUNCT)
			fprintf(out, ", \"attaches_to\": \"previous\", \"is_eos\": %s",
				it->is_eos ? "true" : "false");
		fputs(", \"alternatives\": [{\"content\": ", out);
		sm_json_str(out, it->content);
		fprintf(out, ", \"confidence\": %.2f, \"language\": ", it->confidence);
		sm_json_str(out, o->pack->language);
		fputs(", \"speaker\": ", out);
		sm_json_str(out, it->speaker ? it->speaker : "UU");
		fputs("}]}", out);
	}
	fputs(t->n ? "\n  ]\n}\n" : "]\n}\n", out);
}

/* One line, or with labels one paragraph per turn. */
/* The items in reading order, for the writers of text: with channels the
 * results are in time order and a mark may follow a word of the other
 * channel that started after the word it closes; here each mark comes
 * right after that word (the last word of its channel before it).  r is
 * filled when the order differs (free r->v), else t itself is returned. */
struct anchor {
	size_t key, i;
};

static int
cmp_anchor(const void *a, const void *b)
{
	const struct anchor *x = a, *y = b;

	return x->key != y->key ? (x->key < y->key ? -1 : 1) : (x->i > y->i) - (x->i < y->i);
}

static const struct transcript *
reading_order(const struct transcript *t, struct transcript *r)
{
	struct anchor *a;
	const char **label = NULL;
	size_t *last = NULL, nch = 0, i, k;
	int moved = 0;

	if (!(which_labels(t) & HAS_CHANNEL))
		return t;
	a = sm_xcalloc(t->n ? t->n : 1, sizeof *a);
	for (i = 0; i < t->n; i++) {
		const char *ch = t->v[i].channel ? t->v[i].channel : "";

		for (k = 0; k < nch && strcmp(label[k], ch) != 0; k++)
			;
		if (k == nch) {
			if ((label = realloc(label, sizeof *label * (nch + 1))) == NULL ||
			    (last = realloc(last, sizeof *last * (nch + 1))) == NULL)
				sm_die(SM_EX_SOFTWARE, "out of memory");
			label[nch] = ch;
			last[nch++] = SIZE_MAX;
		}
		a[i].i = i;
		a[i].key = i;
		if (t->v[i].type == ITEM_WORD)
			last[k] = i;
		else if (last[k] != SIZE_MAX)
			a[i].key = last[k];
		moved |= a[i].key != i && a[i].key + 1 != i;
	}
	free(label);
	free(last);
	if (!moved) {
		free(a);
		return t;
	}
	qsort(a, t->n, sizeof *a, cmp_anchor);
	*r = *t;
	r->v = sm_xcalloc(t->n, sizeof *r->v);
	r->cap = t->n;
	for (i = 0; i < t->n; i++)
		r->v[i] = t->v[a[i].i];
	free(a);
	return r;
}

static void
write_txt(FILE *out, const struct transcript *all, const struct fmt_opts *o)
{
	struct transcript r = {0};
	const struct transcript *t = reading_order(all, &r);
	int has = which_labels(t);

	for (size_t i = 0; i < t->n; i++) {
		if (has && (i == 0 || !hyp_same_turn(&t->v[i - 1], &t->v[i]))) {
			fputs(i ? "\n\n" : "", out);
			put_turn(out, &t->v[i], has);
		} else if (i && t->v[i].type == ITEM_WORD) {
			fputs(o->pack->word_delimiter, out);
		}
		fputs(t->v[i].content, out);
	}
	if (t->n)
		fputc('\n', out);
	free(r.v);
}

/* Characters, not bytes, of UTF-8 text. */
static size_t
u8len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* HH:MM:SS then SEP (',' in SRT, '.' in WebVTT) and milliseconds. */
static void
put_clock(FILE *out, long ms, char sep)
{
	fprintf(out, "%02ld:%02ld:%02ld%c%03ld", ms / 3600000, ms / 60000 % 60,
		ms / 1000 % 60, sep, ms % 1000);
}

/* How a format writes a cue's text: the labels at a cue's start (starts:
 * the cue starts a turn), returning how many characters a reader sees of
 * them, and a word. */
struct cue_style {
	size_t (*turn)(FILE *buf, const struct item *it, int has, int starts);
	void (*text)(FILE *buf, const char *s);
};

/* One cue: its times and its text (to free). */
struct cue {
	long start_ms, end_ms;
	char *text;
};

/*
 * The cue that starts at item *pos, which moves past it; 0 when there is
 * none left.  Cues are filled greedily, word by word (with the punctuation
 * attached to it), into at most max_lines lines of at most max_line_length
 * characters.  A cue ends after a sentence end, when it is full, and at a
 * pause of half the sentence pause once it holds a full line; it holds one
 * turn only, and the first cue of a turn starts with its labels, as txt's
 * paragraphs do.
 */
static int
next_cue(const struct transcript *t, const struct fmt_opts *o,
	 const struct cue_style *st, size_t *pos, struct cue *c)
{
	const char *delim = o->pack->word_delimiter;
	size_t dlen = u8len(delim), i = *pos, first = i, line_len = 0, tlen = 0;
	int lines = 1, has = which_labels(t);
	FILE *buf;

	if (i >= t->n)
		return 0;
	c->text = NULL;
	if ((buf = open_memstream(&c->text, &tlen)) == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	if (has)
		line_len = st->turn(buf, &t->v[i], has,
				    i == 0 || !hyp_same_turn(&t->v[i - 1], &t->v[i]));
	while (i < t->n) {
		size_t j = i + 1, wlen = u8len(t->v[i].content);
		int eos = 0;

		if (i > first && !hyp_same_turn(&t->v[first], &t->v[i]))
			break;

		/* The word and the punctuation attached to it. */
		while (j < t->n && t->v[j].type == ITEM_PUNCT) {
			wlen += u8len(t->v[j].content);
			eos |= t->v[j].is_eos;
			j++;
		}
		if (i > first) {
			if (line_len + dlen + wlen > (size_t)o->max_line_length) {
				if (lines == o->max_lines)
					break;
				fputc('\n', buf);
				lines++;
				line_len = 0;
			} else {
				st->text(buf, delim);
				line_len += dlen;
			}
		}
		for (size_t k = i; k < j; k++)
			st->text(buf, t->v[k].content);
		line_len += wlen;
		c->end_ms = t->v[j - 1].end_ms;
		i = j;
		if (eos || (lines > 1 && t->v[j - 1].gap_ms >= o->pause_ms / 2))
			break;
	}
	if (fclose(buf) != 0)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	c->start_ms = t->v[first].start_ms;
	*pos = i;
	return 1;
}

static void
put_plain(FILE *buf, const char *s)
{
	fputs(s, buf);
}

/* SRT's labels are txt's. */
static size_t
srt_turn(FILE *buf, const struct item *it, int has, int starts)
{
	size_t n = 0;

	if (!starts)
		return 0;
	put_turn(buf, it, has);
	if (it->channel)
		n += u8len(it->channel) + 2;
	if (has & HAS_SPEAKER)
		n += u8len(it->speaker ? it->speaker : "UU") + 10;
	return n;
}

static void
write_srt(FILE *out, const struct transcript *all, const struct fmt_opts *o)
{
	static const struct cue_style srt = {srt_turn, put_plain};
	struct transcript r = {0};
	const struct transcript *t = reading_order(all, &r);
	struct cue c;
	size_t i = 0;
	long n = 0;

	while (next_cue(t, o, &srt, &i, &c)) {
		n++;
		fprintf(out, "%s%ld\n", n > 1 ? "\n" : "", n);
		put_clock(out, c.start_ms, ',');
		fputs(" --> ", out);
		put_clock(out, c.end_ms, ',');
		fprintf(out, "\n%s\n", c.text);
		free(c.text);
	}
	free(r.v);
}

/* Cue text as WebVTT requires: &, < and > as character references. */
static void
put_vtt_text(FILE *buf, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			fputs("&amp;", buf);
		else if (*s == '<')
			fputs("&lt;", buf);
		else if (*s == '>')
			fputs("&gt;", buf);
		else
			fputc(*s, buf);
	}
}

/* Every cue of a diarized transcript in the speaker's voice span (which a
 * reader does not see as text); the channel label as in SRT. */
static size_t
vtt_turn(FILE *buf, const struct item *it, int has, int starts)
{
	if (has & HAS_SPEAKER) {
		fputs("<v ", buf);
		put_vtt_text(buf, it->speaker ? it->speaker : "UU");
		fputc('>', buf);
	}
	if (!starts || it->channel == NULL)
		return 0;
	put_vtt_text(buf, it->channel);
	fputs(": ", buf);
	return u8len(it->channel) + 2;
}

/* WebVTT: SRT's cues, without numbers, times with a full stop. */
static void
write_vtt(FILE *out, const struct transcript *all, const struct fmt_opts *o)
{
	static const struct cue_style vtt = {vtt_turn, put_vtt_text};
	struct transcript r = {0};
	const struct transcript *t = reading_order(all, &r);
	struct cue c;
	size_t i = 0;

	fputs("WEBVTT\n", out);
	while (next_cue(t, o, &vtt, &i, &c)) {
		fputc('\n', out);
		put_clock(out, c.start_ms, '.');
		fputs(" --> ", out);
		put_clock(out, c.end_ms, '.');
		fprintf(out, "\n%s\n", c.text);
		free(c.text);
	}
	free(r.v);
}

/* CTM's CHANNEL: 1 without channels, N for "Channel N", else the label
 * with blanks made underscores (a field has none). */
static char *
ctm_channel(const char *label)
{
	const char *p = label ? label : "1";
	char *s;

	if (label && strncmp(label, "Channel ", 8) == 0 && label[8] != '\0' &&
	    strspn(label + 8, "0123456789") == strlen(label + 8))
		p = label + 8;
	if ((s = strdup(p)) == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	for (char *q = s; *q; q++)
		if (*q == ' ' || *q == '\t')
			*q = '_';
	return s;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The distinct CHANNEL fields of the words, sorted; *n of them. */
static char **
ctm_channels(const struct transcript *t, size_t *n)
{
	char **v = malloc((t->n + 1) * sizeof *v);

	if (v == NULL)
		sm_die(SM_EX_SOFTWARE, "out of memory");
	*n = 0;
	for (size_t i = 0; i < t->n; i++) {
		char *ch;
		size_t k = 0;

		if (i > 0 && t->v[i].channel == t->v[i - 1].channel)
			continue;
		ch = ctm_channel(t->v[i].channel);
		while (k < *n && strcmp(v[k], ch) != 0)
			k++;
		if (k < *n)
			free(ch);
		else
			v[(*n)++] = ch;
	}
	qsort(v, *n, sizeof *v, cmp_str);
	return v;
}

/* A CTM field: blanks made underscores, as a field has none (a --data-name
 * or an -R replacement of several words). */
static void
put_field(FILE *out, const char *s)
{
	for (; *s; s++)
		putc(*s == ' ' || *s == '\t' ? '_' : *s, out);
}

/* One CTM line: FILE CHANNEL START DURATION WORD CONFIDENCE. */
static void
ctm_line(FILE *out, const char *file, const char *ch, long start_ms, long end_ms,
	 const char *word, double confidence)
{
	put_field(out, file);
	fprintf(out, " %s %ld.%03ld %ld.%03ld ", ch, start_ms / 1000, start_ms % 1000,
		(end_ms - start_ms) / 1000, (end_ms - start_ms) % 1000);
	put_field(out, word);
	fprintf(out, " %.2f\n", confidence);
}

/* NIST CTM, one word a line, "FILE CHANNEL START DURATION WORD CONFIDENCE",
 * sorted by CHANNEL, then START, as scoring tools read it. */
static void
write_ctm(FILE *out, const struct transcript *t, const struct fmt_opts *o)
{
	size_t nch;
	char **chs = ctm_channels(t, &nch);

	for (size_t c = 0; c < nch; c++) {
		for (size_t i = 0; i < t->n; i++) {
			const struct item *it = &t->v[i];
			char *ch;

			if (it->type != ITEM_WORD)
				continue;
			ch = ctm_channel(it->channel);
			if (strcmp(ch, chs[c]) != 0)
				;
			else if (it->entity == NULL)
				ctm_line(out, o->data_name, ch, it->start_ms,
					 it->end_ms, it->content, it->confidence);
			else	/* the written form, one token a line */
				for (size_t k = 0; k < it->entity->nwritten; k++) {
					long a, b;

					entity_token_span(it, k, &a, &b);
					ctm_line(out, o->data_name, ch, a, b,
						 it->entity->written[k], it->confidence);
				}
			free(ch);
		}
		free(chs[c]);
	}
	free(chs);
}

const struct writer writers[] = {
	{"json", write_json},
	{"txt", write_txt},
	{"srt", write_srt},
	{"vtt", write_vtt},
	{"ctm", write_ctm},
	{NULL, NULL}
};

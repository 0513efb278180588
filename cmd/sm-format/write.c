/* write.c: one writer per output format (json-v2, txt, srt). */
#include <stdlib.h>
#include <string.h>
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

static void
write_json(FILE *out, const struct transcript *t, const struct fmt_opts *o)
{
	struct timespec ts;
	struct tm tm;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	fputs("{\n  \"format\": \"2.9\",\n", out);
	if (o->tracking)
		fprintf(out, "  \"job\": {\"tracking\": %s},\n", o->tracking);
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
	fputs(", \"language_pack_info\": {\"adapted\": false, \"itn\": false, "
	      "\"language_description\": ", out);
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
static void
write_txt(FILE *out, const struct transcript *t, const struct fmt_opts *o)
{
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

static void
put_srt_time(FILE *out, long ms)
{
	fprintf(out, "%02ld:%02ld:%02ld,%03ld", ms / 3600000, ms / 60000 % 60,
		ms / 1000 % 60, ms % 1000);
}

/*
 * Cues are filled greedily, word by word (with the punctuation attached to
 * it), into at most max_lines lines of at most max_line_length characters.
 * A cue ends after a sentence end, when it is full, and at a pause of half
 * the sentence pause once it holds a full line; it holds one turn only, and
 * the first cue of a turn starts with its labels, as txt's paragraphs do.
 */
static void
write_srt(FILE *out, const struct transcript *t, const struct fmt_opts *o)
{
	const char *delim = o->pack->word_delimiter;
	size_t dlen = u8len(delim);
	long cue = 0;
	size_t i = 0;
	int has = which_labels(t);

	while (i < t->n) {
		size_t first = i, line_len = 0;
		int lines = 1;
		long end_ms = 0;
		char *text = NULL;
		size_t tlen = 0;
		FILE *buf = open_memstream(&text, &tlen);

		if (buf == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
		if (has && (i == 0 || !hyp_same_turn(&t->v[i - 1], &t->v[i]))) {
			put_turn(buf, &t->v[i], has);
			fflush(buf);
			line_len = u8len(text);
		}
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
					fputs(delim, buf);
					line_len += dlen;
				}
			}
			for (size_t k = i; k < j; k++)
				fputs(t->v[k].content, buf);
			line_len += wlen;
			end_ms = t->v[j - 1].end_ms;
			i = j;
			if (eos || (lines > 1 && t->v[j - 1].gap_ms >= o->pause_ms / 2))
				break;
		}
		if (fclose(buf) != 0)
			sm_die(SM_EX_SOFTWARE, "out of memory");
		cue++;
		fprintf(out, "%s%ld\n", cue > 1 ? "\n" : "", cue);
		put_srt_time(out, t->v[first].start_ms);
		fputs(" --> ", out);
		put_srt_time(out, end_ms);
		fprintf(out, "\n%s\n", text);
		free(text);
	}
}

const struct writer writers[] = {
	{"json", write_json},
	{"txt", write_txt},
	{"srt", write_srt},
	{NULL, NULL}
};

/* sm-volume: label each word of a best path with its volume. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "sm.h"
#include "vol.h"

static const char usage[] =
	"sm-volume: label the words of a #sm-hyp 1 best path with their volume (0..100)\n"
	"Usage: sm-volume -A PCM [HYP | -]\n"
	"e.g.:  sm-decode talk.wav | tee /dev/shm/a | sm-features | sm-am | sm-lattice |\n"
	"         sm-volume -A /dev/shm/a | sm-format\n"
	"  -A, --audio FILE   the PCM stream of the same audio, mono (a FIFO works)\n"
	"  -h, --help         show this help\n"
	"      --version      show the version\n";

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"audio", required_argument, NULL, 'A'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	struct sm_slurp hyp;
	struct sm_hyp hp = {0};
	struct vols c = {0};
	const char *audio = NULL, *name = NULL;
	FILE *in;
	int ch;

	sm_init(argv[0]);
	while ((ch = getopt_long(argc, argv, "A:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'A': audio = optarg; break;
		case 'h': sm_usage_exit(usage, 1);
		case 'V': sm_version_exit();
		default: sm_usage_exit(usage, 0);
		}
	}
	name = sm_hyp_operand("--audio", audio, "PCM", argc, argv, optind, usage);
	/* The hypothesis is read on a thread while the audio is read here:
	 * both may come from one pipeline (sm_slurp_start). */
	sm_slurp_start(&hyp, sm_open_in(name));
	in = sm_open_in(audio);
	vol_read(in, audio, &c);
	if (in != stdin)
		fclose(in);
	sm_hyp_parse(&hp, sm_slurp_end(&hyp, name), name, "volume");

	/* Words past the end of the audio: not the same recording. */
	for (long i = 0; i < hp.n; i++) {
		const struct sm_hyp_line *l = &hp.v[i];

		if (l->word >= 0 && l->start * c.rate - c.off > c.n + 1)
			sm_die(SM_EX_DATAERR, "%s: line %ld: a word at %.3f s, after the "
			       "end of the audio (%.3f s): not the same recording?",
			       sm_name(name), i + 1, l->start, (c.n + c.off) / c.rate);
	}
	for (long i = 0; i < hp.n; i++) {
		const struct sm_hyp_line *l = &hp.v[i];

		fputs(l->text, stdout);
		if (l->word >= 0)
			printf("\tvolume=%.2f", vol_word(&c, l->start, l->end));
		putchar('\n');
	}
	sm_close_stdout();
	return 0;
}

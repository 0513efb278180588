/* sm-dump: print an sm binary stream (PCM, FEAT, LOGLIK) as text. */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sm.h"

static const char usage[] =
	"sm-dump: print an sm stream (sm-stream(5)) as text\n"
	"Usage: sm-dump [-H] [-n FRAMES] [-p DIGITS] [FILE | -]\n"
	"e.g.:  sm-decode speech.wav | sm-features | sm-dump -n 3\n"
	"  -H, --header-only   print only the header line\n"
	"  -n, --frames N      print at most N frames (default: all)\n"
	"  -p, --precision N   digits after the point for float values (default 3)\n"
	"  -h, --help          show this help\n"
	"      --version       show the version\n";

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"header-only", no_argument, NULL, 'H'},
		{"frames", required_argument, NULL, 'n'},
		{"precision", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	struct sm_stream_hdr h;
	long max_frames = -1, prec = 3, t;
	int header_only = 0, c;
	const char *path;
	unsigned char *buf;
	size_t fb;
	FILE *in;

	sm_init(argv[0]);
	while ((c = getopt_long(argc, argv, "Hn:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': header_only = 1; break;
		case 'n': max_frames = sm_opt_long("--frames", optarg, 0, LONG_MAX); break;
		case 'p': prec = sm_opt_long("--precision", optarg, 0, 9); break;
		case 'h': sm_usage_exit(usage, 1);
		case 'V': sm_version_exit();
		default: sm_usage_exit(usage, 0);
		}
	}
	if (argc - optind > 1)
		sm_usage_exit(usage, 0);
	path = optind < argc ? argv[optind] : NULL;
	in = sm_open_in(path);
	sm_hdr_read_or_die(in, path, &h, 0);
	printf("SMST version=%u kind=%s type=%s rate=%u dim=%u shift=%u flags=0x%x "
	       "start=%llu frames=%llu\n",
	       h.version, sm_kind_name(h.kind), h.sample_type == SM_S16 ? "s16" : "f32",
	       h.sample_rate, h.dim, h.frame_shift, h.flags,
	       (unsigned long long)h.start_sample, (unsigned long long)h.n_frames);
	if (!header_only) {
		fb = sm_frame_bytes(&h);
		buf = malloc(fb);
		if (buf == NULL)
			sm_die(SM_EX_SOFTWARE, "out of memory");
		for (t = 0; max_frames < 0 || t < max_frames; t++) {
			if (!(h.sample_type == SM_F32 ?
			      sm_floats_read(in, path, (float *)buf, h.dim) :
			      sm_frame_read_or_die(in, path, buf, fb)))
				break;
			for (uint32_t i = 0; i < h.dim; i++) {
				if (i)
					putchar(' ');
				if (h.sample_type == SM_S16) {
					printf("%d", (int16_t)sm_get_le16(buf + 2 * i));
				} else {
					printf("%.*f", (int)prec, ((float *)buf)[i]);
				}
			}
			putchar('\n');
		}
		free(buf);
	}
	sm_close_stdout();
	return 0;
}

/* mpeg.c: MPEG audio (MP3, MP2) decoded by libmpg123 to the end of its
 * frames, from a file or a pipe alike, as it arrives.
 *
 * libsndfile reads MP3 through libmpg123 too, but stops at the frame count
 * it fixes when it opens the file: an Info (Xing, LAME) tag's when there is
 * one, else an estimate from the file's size and the first frame's bit
 * rate.  The estimate is too low for a variable bit rate stream written to
 * a pipe (no tag: ffmpeg cannot go back to write it), which lost the end of
 * the audio with no word said, and a little too high for a constant one,
 * which was refused as truncated; the tag's count knows nothing of a second
 * file joined with cat, whose audio was dropped.  Here every frame is
 * decoded, fed to libmpg123 as the bytes come (nothing held but its own
 * buffer), and the end of the input is the end of the audio.  An Info
 * tag's count still catches a file cut short: fewer frames than it
 * announced is truncated data, exit 65.  A file is counted first (see
 * dec_mpeg_open). */
#include <mpg123.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sm.h"
#include "decode.h"

#define FEED 65536		/* bytes fed at a time */

/* Feed the next bytes of the input; 0 at its end. */
static int
feed(struct dec_in *d)
{
	unsigned char b[FEED];
	size_t n = dec_pipe_read(d, b, sizeof b);

	if (n == 0)
		return 0;
	if (mpg123_feed(d->mpeg, b, n) != MPG123_OK)
		sm_die(SM_EX_SOFTWARE, "%s: libmpg123: %s", d->name, mpg123_strerror(d->mpeg));
	return 1;
}

static void
damaged(struct dec_in *d)
{
	sm_die(SM_EX_DATAERR, "%s: cannot decode: damaged or truncated MP3 data", d->name);
}

/* A decoder fed from the input's start (the bytes in d->pre, then d->fd),
 * read up to the first frame's format, which sets d->info. */
static void
start(struct dec_in *d)
{
	mpg123_handle *mh;
	struct mpg123_frameinfo fi;
	long rate, v;
	double dv;
	int err, ch, enc, ret;
	size_t done;

	if ((mh = mpg123_new(NULL, &err)) == NULL)
		sm_die(SM_EX_SOFTWARE, "%s: libmpg123: %s", d->name, mpg123_plain_strerror(err));
	d->mpeg = mh;
	d->stream = DEC_MPEG;
	/* 32-bit float out, as libsndfile gives; its messages are not ours;
	 * junk between frames or after the last (padding, a tag) is skipped
	 * however long, as players do */
	if (mpg123_param(mh, MPG123_ADD_FLAGS, MPG123_FORCE_FLOAT | MPG123_QUIET, 0.) !=
		    MPG123_OK ||
	    mpg123_param(mh, MPG123_RESYNC_LIMIT, -1, 0.) != MPG123_OK ||
	    mpg123_open_feed(mh) != MPG123_OK)
		sm_die(SM_EX_SOFTWARE, "%s: libmpg123: %s", d->name, mpg123_strerror(mh));
	if (d->pre_len > 0 && mpg123_feed(mh, d->pre, d->pre_len) != MPG123_OK)
		sm_die(SM_EX_SOFTWARE, "%s: libmpg123: %s", d->name, mpg123_strerror(mh));
	free(d->pre);
	d->pre = NULL;
	d->pre_len = d->pre_cap = 0;
	/* The first frame's format comes before any sample. */
	while ((ret = mpg123_read(mh, NULL, 0, &done)) != MPG123_NEW_FORMAT)
		if ((ret != MPG123_NEED_MORE && ret != MPG123_OK) || !feed(d))
			damaged(d);
	if (mpg123_getformat(mh, &rate, &ch, &enc) != MPG123_OK || enc != MPG123_ENC_FLOAT_32)
		sm_die(SM_EX_SOFTWARE, "%s: libmpg123 gives no 32-bit float samples", d->name);
	memset(&d->info, 0, sizeof d->info);
	d->info.samplerate = (int)rate;
	d->info.channels = ch;
	d->info.format = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
	if (mpg123_info(mh, &fi) == MPG123_OK && fi.layer >= 1 && fi.layer <= 2)
		d->info.format = SF_FORMAT_MPEG |
				 (fi.layer == 1 ? SF_FORMAT_MPEG_LAYER_I : SF_FORMAT_MPEG_LAYER_II);
	/* An Info tag's encoder delay says the tag is there, and with it the
	 * count of its frames (without one, the length is unknown when fed). */
	if (mpg123_getstate(mh, MPG123_ENC_DELAY, &v, &dv) == MPG123_OK && v >= 0 &&
	    mpg123_length(mh) > 0)
		d->mpeg_announced = (sf_count_t)mpg123_length(mh);
	d->frames = -1;	/* read to the end */
	d->kind = "MP3";
}

void
dec_mpeg_open(struct dec_in *d)
{
	struct stat st;
	sf_count_t n;

	start(d);
	/* A file is decoded twice: first to count its frames, so that its
	 * length is checked against the limits, and a cut-off tagged file
	 * refused, before a sample goes out, and the PCM stream's header
	 * gives it (libmpg123 decodes over 3000 times faster than real
	 * time); a pipe once, to its end. */
	if (d->fd < 0 || fstat(d->fd, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	n = dec_count(d);
	if (lseek(d->fd, 0, SEEK_SET) != 0)
		sm_die_errno(SM_EX_IOERR, "%s", d->name);
	d->at_eof = 0;
	d->in_bytes = 0;
	d->mpeg_got = d->mpeg_announced = 0;
	start(d);
	d->frames = n;
}

sf_count_t
dec_mpeg_read(struct dec_in *d, float *buf, sf_count_t n)
{
	size_t frame = sizeof(float) * (size_t)d->info.channels, done;
	sf_count_t got = 0;
	long rate;
	int ch, enc, ret;

	while (got < n && d->mpeg != NULL) {
		ret = mpg123_read(d->mpeg, (unsigned char *)(buf + got * d->info.channels),
				  (size_t)(n - got) * frame, &done);
		got += (sf_count_t)(done / frame);
		d->mpeg_got += (sf_count_t)(done / frame);
		if (ret == MPG123_OK)
			continue;
		if (ret == MPG123_NEW_FORMAT) {
			/* a file of another rate or channel count joined on */
			if (mpg123_getformat(d->mpeg, &rate, &ch, &enc) != MPG123_OK ||
			    rate != d->info.samplerate || ch != d->info.channels ||
			    enc != MPG123_ENC_FLOAT_32)
				sm_die(SM_EX_DATAERR, "%s: the MP3 data changes format "
				       "(%d Hz, %d channel(s) to %ld Hz, %d)", d->name,
				       d->info.samplerate, d->info.channels, rate, ch);
			continue;
		}
		if (ret == MPG123_NEED_MORE && feed(d))
			continue;
		if (ret != MPG123_NEED_MORE && ret != MPG123_DONE)
			sm_die(SM_EX_DATAERR, "%s: cannot decode: %s", d->name,
			       mpg123_strerror(d->mpeg));
		/* the end of the input */
		if (d->mpeg_got < d->mpeg_announced)
			sm_die(SM_EX_DATAERR, "%s: truncated audio data (%lld of %lld frames)",
			       d->name, (long long)d->mpeg_got, (long long)d->mpeg_announced);
		dec_mpeg_close(d);
	}
	return got;
}

void
dec_mpeg_close(struct dec_in *d)
{
	if (d->mpeg != NULL) {
		mpg123_delete(d->mpeg);
		d->mpeg = NULL;
	}
}

/* decode.h: sm-decode's input layer. */
#ifndef SM_DECODE_H
#define SM_DECODE_H

#include <sndfile.h>
#include <stddef.h>
#include <stdint.h>

/* Piped input held in memory for libsndfile's virtual I/O. */
struct dec_mem {
	unsigned char *buf;
	sf_count_t len, pos;
};

enum { DEC_WHOLE, DEC_WAV, DEC_FLAC, DEC_MPEG };

/* An open input.  info describes it as libsndfile would (format, rate,
 * channels); frames is the number of frames to read, or -1 when the input
 * does not say (a WAV written to a pipe): read to the end. */
struct dec_in {
	SNDFILE *sf;
	SF_INFO info;
	sf_count_t frames;
	const char *name;
	const char *kind;	/* the format its first bytes name, or NULL */
	int fd;
	int stream;		/* DEC_WAV, DEC_FLAC: read from the pipe as it comes */
	unsigned block;		/* bytes per frame of the streamed data */
	struct dec_mem mem;	/* the input held whole (other formats on a pipe) */
	/* The stream: bytes read, the data chunk's announced and read sizes. */
	uint64_t in_bytes, max_bytes, data_len, data_got;
	/* Header bytes kept while the layout may still need libsndfile; for
	 * a FLAC, the window of input bytes from win_start that it may still
	 * seek back into, pos the position libsndfile reads at. */
	unsigned char *pre;
	size_t pre_len, pre_cap;
	int pre_lost, at_eof, opening, win_lost;
	uint64_t win_start, pos;
	/* MPEG audio (mpeg.c): libmpg123's decoder, the frames it gave, and
	 * the count an Info tag announced (0: none) */
	void *mpeg;
	sf_count_t mpeg_got, mpeg_announced;
};

/* Open path ("-" or NULL = stdin) for decoding.  A seekable regular file is
 * opened directly; a WAV or FLAC on a pipe is read as it arrives; anything
 * else on a pipe is read whole into memory (at most max_bytes) when its
 * first bytes are the signature of a format libsndfile reads, else refused
 * after those bytes.  Dies with one line on failure: 66 cannot open, 65 bad
 * or empty data, naming the input name (the path, <stdin>, or what the
 * caller calls it). */
void dec_open(struct dec_in *d, const char *path, const char *name, uint64_t max_bytes);

/* Read up to n bytes of the input itself (a pipe or a file from its
 * start); fewer only at its end.  Dies 65 past max_bytes, 74 on an error. */
size_t dec_pipe_read(struct dec_in *d, void *buf, size_t n);

/* MPEG audio (mpeg.c), decoded by libmpg123 to the end of its frames: open
 * (the bytes already read in d->pre first), read, close (nothing when none
 * is open). */
void dec_mpeg_open(struct dec_in *d);
sf_count_t dec_mpeg_read(struct dec_in *d, float *buf, sf_count_t n);
void dec_mpeg_close(struct dec_in *d);

/* Read up to n frames as floats; fewer only at the end of the input. */
sf_count_t dec_read(struct dec_in *d, float *buf, sf_count_t n);

/* The input ended after got frames of the frames announced: die 65. */
void dec_short(struct dec_in *d, sf_count_t got) __attribute__((noreturn));

/* The input's frames: as announced, else counted by reading it to the end
 * (a streamed WAV, a FLAC or an MP3 of unknown length: for --info, and the
 * counting pass of an MP3 file); checks it as dec_end does. */
sf_count_t dec_count(struct dec_in *d);

/* After the last frame: a streamed WAV must hold the whole data chunk it
 * announced (else die 65), and the rest of the pipe is read and dropped so
 * that the writer never sees a broken pipe.  Then close. */
void dec_end(struct dec_in *d);

/* The output: int16 frames of dim values, and the volume gate (gate.c).
 * With threshold > 0, the output is cut into chunks of rate / 100 frames
 * (10 ms); a channel whose volume, 100 x RMS / 32768 of its samples, is
 * below threshold in a chunk and in every chunk within hold chunks of it
 * (before or after) is written there as a faint noise (gate.c says why
 * not zeros).  The hold chunks after a chunk are held before it is
 * written. */
struct gate {
	double threshold;	/* 0: no gate */
	int dim;
	size_t chunk, fill;	/* frames per chunk, frames in the chunk filled */
	size_t hold;		/* chunks either side that keep a chunk */
	uint64_t n;		/* chunks complete */
	unsigned char *ring;	/* hold + 1 chunks: chunk i in slot i % (hold + 1) */
	size_t *len;		/* frames in each slot */
	int64_t *loud;		/* per channel: the last chunk at or above threshold */
	uint64_t rng;		/* the noise's generator */
	/* Digital silence (gate_write): per channel, the lowest and highest
	 * value of the run of samples that ends at the last sample written,
	 * each within SILENCE_MAX of zero and all within SILENCE_SPREAD of
	 * each other, and the run's length (0: none); runs longer than
	 * min_run go on as the gate's faint noise.  min_run 0: kept as they
	 * are. */
	int16_t *run_lo, *run_hi;
	uint64_t *run_len;
	size_t min_run;
};

/* Samples within this of zero can be digital silence (a DC offset, a codec's
 * silence); a constant run of anything louder (a clipped peak) is left. */
#define SILENCE_MAX 64
/* ... and varies by at most this many steps (a dither of 2 either side). */
#define SILENCE_SPREAD 4

/* keep_zeros: leave digital silence as it is (--keep-zeros). */
void gate_init(struct gate *g, double threshold, long hold_ms, int dim, long rate,
	       int keep_zeros);
/* Convert n frames (rounding, clipping) into out (room for n * dim
 * samples), fill digital silence, and write them, through the gate. */
void gate_write(struct gate *g, const float *x, size_t n, unsigned char *out);
/* Write what the gate holds. */
void gate_end(struct gate *g);

#endif

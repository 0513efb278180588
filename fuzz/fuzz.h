/* fuzz.h: shared helpers for the fuzz harnesses.
 *
 * Each harness defines LLVMFuzzerTestOneInput.  It is linked either with
 * libFuzzer (clang -fsanitize=fuzzer, `make fuzz`) or with replay.c, a
 * plain main() that runs saved inputs (`make check`).
 *
 * Harnesses are linked with -Wl,--wrap=sm_die,--wrap=sm_die_errno: a
 * library function that would end a program with one clear line instead
 * returns to the harness through fuzz_try(), so the message path is
 * exercised without the process exiting. */
#ifndef SM_FUZZ_H
#define SM_FUZZ_H

#define _GNU_SOURCE
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Set by fuzz_try(); a wrapped sm_die longjmps here with the exit code. */
extern jmp_buf *fuzz_jmp;
extern int fuzz_exit_code;

/* A path naming an in-memory file (memfd) holding data: the loaders take
 * paths.  The file is replaced on every call; fuzz_file_path(i) for up to
 * four distinct files. */
const char *fuzz_file(int i, const uint8_t *data, size_t size);

/* A directory in memory (tmpfs) for loaders that take a directory,
 * created once, removed at exit. */
const char *fuzz_dir(void);

/* A loaded mdef walked as the search and sm-adapt walk it: every phone's
 * senones and codebook, every CI phone by name, and triphone lookups
 * over a bounded sample of contexts, bad ids included.  A sum of what was
 * read (so that no read is optimised away). */
struct sm_mdef;
long fuzz_mdef_walk(const struct sm_mdef *m);

#endif

/* LD_PRELOAD library for tests: the child of the process's SLOWFORK_K-th
 * fork() sleeps SLOWFORK_MS ms as soon as fork returns in it, before the
 * program's own code runs there; a signal it takes ends the sleep early.
 * It makes the window between a fork and the child's next steps as wide
 * as a loaded machine can, so that a signal can be sent into it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

pid_t
fork(void)
{
	static pid_t (*real_fork)(void);
	static int n;
	const char *k = getenv("SLOWFORK_K"), *ms = getenv("SLOWFORK_MS");
	pid_t pid;

	if (real_fork == NULL)
		real_fork = (pid_t (*)(void))dlsym(RTLD_NEXT, "fork");
	n++;
	pid = real_fork();
	if (pid == 0 && k != NULL && atoi(k) == n) {
		long m = ms != NULL ? atol(ms) : 1000;
		struct timespec ts = { m / 1000, (m % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
	return pid;
}

/* sanitize.c: defaults for a build with AddressSanitizer and
 * UndefinedBehaviorSanitizer (make SANITIZE=1, which links this file in).
 * They hold where the environment is cleared too, e.g. in a sandbox: no
 * leak check at exit (a program that exits on an error keeps its memory
 * until then, by design), and a stack trace for undefined behaviour. */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);

const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}

const char *
__ubsan_default_options(void)
{
	return "print_stacktrace=1:halt_on_error=1";
}

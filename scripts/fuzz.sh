#!/bin/sh
# Build the fuzz harnesses (fuzz/fuzz_NAME.c) with clang's libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer, and run each for
# FUZZ_TIME seconds (default 120), one at a time.
# Usage: scripts/fuzz.sh [NAME...]   (default: every harness)
# The growing corpus lives in build/fuzz-lf/corpus/NAME, seeded from
# fuzz/corpus/NAME and fuzz/regress/NAME; an input that crashes is saved
# as build/fuzz-lf/crash/NAME-*.  Prints one line per harness and exits 1
# when any harness failed.
set -eu
cd "$(dirname "$0")/.."
CC=${FUZZ_CC:-clang}
TIME=${FUZZ_TIME:-120}
OUT=build/fuzz-lf
PKGS="sndfile samplerate openblas libcurl"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-std=c11 -O1 -g -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -Icommon -Irecog \
-DSM_VERSION=\"fuzz\" -DSM_MODELS_DIR=\"/nonexistent\" $(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) -lm -lpthread"

[ $# -gt 0 ] || set -- $(for f in fuzz/fuzz_*.c; do f=${f#fuzz/fuzz_}; echo "${f%.c}"; done)
mkdir -p "$OUT/obj" "$OUT/crash"

# The library, instrumented for coverage (rebuilt when a source is newer).
for c in common/*.c recog/*.c fuzz/fuzz.c; do
	o="$OUT/obj/$(basename "$c" .c).o"
	if [ ! -f "$o" ] || [ -n "$(find common recog "$c" -newer "$o" -name '*.[ch]' | head -1)" ]; then
		# clang rejects am.c's GCC-style AVX2 clones without -mavx2.
		extra=; [ "$c" = recog/am.c ] && extra="-mavx2 -Wno-unknown-attributes"
		$CC $CFLAGS $extra $SAN -fsanitize=fuzzer-no-link -c -o "$o" "$c"
	fi
done
rm -f "$OUT/libsm.a"
ar rcs "$OUT/libsm.a" $(ls "$OUT"/obj/*.o | grep -v '/fuzz\.o$')

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
for n in "$@"; do
	extra=; [ "$n" = sendump ] && extra="-mavx2 -Wno-unknown-attributes"
	$CC $CFLAGS $extra $SAN -fsanitize=fuzzer -o "$OUT/$n" "fuzz/fuzz_$n.c" "$OUT/obj/fuzz.o" \
		"$OUT/libsm.a" -Wl,--wrap=sm_die,--wrap=sm_die_errno $LIBS
	mkdir -p "$OUT/corpus/$n"
	seeds="fuzz/corpus/$n"
	[ -d "fuzz/regress/$n" ] && seeds="$seeds fuzz/regress/$n"
	log="$OUT/$n.log"
	# hyp_read, and sm-lattice's custom vocabulary, leave their buffers
	# behind when they die, as a program that exits does: no leak checking
	# there.
	opts='' leaks=1
	case $n in hyp | vocab) opts=-detect_leaks=0 leaks=0 ;; esac
	# -timeout: one input taking 10 s is a hang; -rss_limit_mb bounds memory.
	if ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=$leaks" "$OUT/$n" -max_total_time="$TIME" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 $opts -artifact_prefix="$OUT/crash/$n-" \
		"$OUT/corpus/$n" $seeds >"$log" 2>&1; then
		result=ok
	else
		result="FAILED (see $log)"
		status=1
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	echo "fuzz $n: ${execs:-?} executions in ${TIME}s, $cov, corpus $(ls "$OUT/corpus/$n" | wc -l), $result"
done
exit $status

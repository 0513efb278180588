#!/bin/sh
# make bench section: sm-am's real-time factor (CPU seconds per second of
# audio) on the asterisk-en 16 kHz corpus scored as one FEAT stream, on one
# thread and on two (--threads 2), exact and top-4, and the start-up cost (an
# empty FEAT stream) from the pack's acoustic image and from the model
# files.  The corpus in $BENCH_TMP/asterisk16 is shared with the other
# bench scripts: it is built only if its manifest is missing.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/sm-bench.XXXXXX")}
corpus=$tmp/asterisk16
work=$tmp/am
export SM_MODELS="${SM_MODELS:-$here/models}"
PATH=$here/bin:$PATH

[ -s "$corpus/manifest.tsv" ] || sh "$here/scripts/corpus.sh" asterisk16 "$corpus" >&2
mkdir -p "$work"
# All prompts as one mono 16 kHz PCM stream (length unknown), then features:
# untimed, so that only scoring is measured.
if [ ! -s "$work/all.feat" ]; then
	{ printf 'SMST\001\000\001\000\001\000\060\000\200\076\000\000\001\000\000\000\001\000\000\000'
	  printf '\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000'
	  cut -f 2 "$corpus/manifest.tsv" | tr '\n' '\0' |
		xargs -0 sh -c 'sox "$@" -t raw -e signed -b 16 -L -' sh; } |
		sm-features > "$work/all.feat"
	# The same header with no frames: the cost of loading the model.
	head -c 40 "$work/all.feat" > "$work/empty.feat"
	printf '\000\000\000\000\000\000\000\000' >> "$work/empty.feat"
fi
n=$(sm-dump -H "$work/all.feat" | sed 's/.*frames=//')
secs=$(awk -v n="$n" 'BEGIN { printf "%.1f", n / 100 }')
n_prompts=$(wc -l < "$corpus/manifest.tsv")

# CPU seconds (user + system) and wall seconds of a command.
run() {
	/usr/bin/time -f '%U %S %e' -o "$work/time" "$@" > /dev/null
	awk '{ printf "%.2f %.2f", $1 + $2, $3 }' "$work/time"
}
# ms CMD...: CPU milliseconds per run (scripts/bench-lib.sh).
# shellcheck source=scripts/bench-lib.sh
. "$here/scripts/bench-lib.sh"
load_img=$(ms sm-am "$work/empty.feat")
load_src=$(ms sm-am --no-image "$work/empty.feat")

echo "## sm-am (acoustic scoring)"
echo
echo "asterisk-en 16 kHz, $n_prompts prompts scored as one FEAT stream: $n frames, $secs s of audio."
echo "RTF = CPU seconds (user + system) / audio seconds; the model load is included once."
echo "Start-up alone (an empty FEAT stream, CPU per run, median of 5 batches of 10): $load_img ms from the pack's"
echo "acoustic image (mapped), $load_src ms from the model files (mdef, means, variances, sendump read, checked and converted)."
echo
echo "| mode | threads | CPU s | wall s | RTF (CPU) | RTF (wall) |"
echo "|---|---|---|---|---|---|"
for row in "exact (all 128 Gaussians)|1|" "exact (all 128 Gaussians)|2|" \
	"top-4 (--topn 4)|1|--topn 4"; do
	name=${row%%|*} rest=${row#*|} th=${rest%%|*} opt=${rest#*|}
	# shellcheck disable=SC2086
	r=$(run sm-am --threads "$th" $opt "$work/all.feat")
	c=${r% *} w=${r#* }
	printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$th" "$c" "$w" \
		"$(awk -v c="$c" -v s="$secs" 'BEGIN { printf "%.4f", c / s }')" \
		"$(awk -v c="$w" -v s="$secs" 'BEGIN { printf "%.4f", c / s }')"
done
# OpenBLAS's kernels: its own choice from the CPU, unless OPENBLAS_CORETYPE
# forces one; the last row is the other of the two.
blas_core() {
	"$@" -v "$work/empty.feat" 2>&1 >/dev/null | sed -n 's/.*BLAS: .* \([A-Za-z0-9]*\) MAX_THREADS.*/\1/p'
}
if [ -n "${OPENBLAS_CORETYPE:-}" ]; then
	env="OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE"
	label="exact, OPENBLAS_CORETYPE unset ($(blas_core env -u OPENBLAS_CORETYPE sm-am))"
	set -- env -u OPENBLAS_CORETYPE
else
	env="OPENBLAS_CORETYPE unset"
	label="exact, OPENBLAS_CORETYPE=Haswell (AVX2)"
	set -- env OPENBLAS_CORETYPE=Haswell
fi
r=$(run "$@" sm-am --threads 1 "$work/all.feat")
c=${r% *} w=${r#* }
printf '| %s | %s | %s | %s | %s | %s |\n' "$label" 1 "$c" "$w" \
	"$(awk -v c="$c" -v s="$secs" 'BEGIN { printf "%.4f", c / s }')" \
	"$(awk -v c="$w" -v s="$secs" 'BEGIN { printf "%.4f", c / s }')"
echo
echo "OpenBLAS's kernels in the other rows: $(blas_core sm-am) ($env).  Unless OPENBLAS_CORETYPE forces"
echo "a choice, OpenBLAS 0.3.21 picks its AVX-512 kernels on a CPU that has AVX-512 (AMD EPYC included)."

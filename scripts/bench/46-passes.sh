#!/bin/sh
# make bench section: the CPU of the two passes of "enhanced" against one
# pass, as chains per file (no sm-transcribe around them): one pass
#   sm-decode F | sm-features | sm-am | sm-lattice
# and two
#   sm-decode F | sm-features > f; sm-am < f | sm-lattice -b 80 -w 30 |
#   sm-adapt -P 1 -M - -F f | sm-am -M - | sm-lattice
# the two chains of a file back to back, each timed to the microsecond
# (scripts/bench/rusage.py), on every PASSES_STEP-th file (default 3) of the
# asterisk 16 and 8 kHz prompts and of the one-word prompts, and on every
# file of the three voices cut into files and of LibriVox; then
# pocketsphinx_batch (bench-lib.sh's ps_set) on the same files.  Issue 20's
# targets: two passes at most 1.6x one, and at least 2x cheaper than
# pocketsphinx.
# shellcheck disable=SC2016 # sh -c programs in single quotes
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/sm-bench.XXXXXX")}
work=$tmp/passes
export SM_MODELS="${SM_MODELS:-$here/models}" OPENBLAS_NUM_THREADS=1
PATH=$here/bin:$PATH
tab=$(printf '\t')
step=${PASSES_STEP:-3}
mkdir -p "$work"
# shellcheck source=scripts/bench-lib.sh
. "$here/scripts/bench-lib.sh"
sets=$tmp/sets
prompt_sets

# run NAME MANIFEST STEP: one table row.
run() {
	: > "$work/one"
	: > "$work/two"
	: > "$work/$1.tsv"
	n=0
	while IFS="$tab" read -r id wav rest; do
		n=$((n + 1))
		[ $((n % $3)) -eq 0 ] || continue
		printf '%s\t%s\t%s\n' "$id" "$wav" "$rest" >> "$work/$1.tsv"
		python3 "$here/scripts/bench/rusage.py" -a -f '%U %S' -o "$work/one" sh -c \
			'sm-decode "$1" | sm-features | sm-am | sm-lattice > /dev/null' sh "$wav"
		python3 "$here/scripts/bench/rusage.py" -a -f '%U %S' -o "$work/two" sh -c \
			'sm-decode "$1" | sm-features > "$2"; sm-am < "$2" | sm-lattice -b 80 -w 30 |
			sm-adapt -P 1 -M - -F "$2" | sm-am -M - | sm-lattice > /dev/null' sh "$wav" "$work/f"
	done < "$2"
	c1=$(awk '{ s += $1 + $2 } END { printf "%.2f", s }' "$work/one")
	c2=$(awk '{ s += $1 + $2 } END { printf "%.2f", s }' "$work/two")
	mkdir -p "$work/ps-$1"
	ps_set "$work/$1.tsv" "$work/ps-$1"
	cp=$(awk '{ printf "%.2f", $2 + $3 }' "$work/ps-$1/ps.time")
	echo "| $1 ($(wc -l < "$work/one") files) | $c1 | $c2 | $(awk -v a="$c1" -v b="$c2" 'BEGIN { printf "%.2f", b / a }')x |" \
		"$cp | $(awk -v p="$cp" -v b="$c2" 'BEGIN { printf "%.2f", p / b }')x |"
}

echo "## 46-passes.sh: two passes against one, chains per file"
echo
echo "CPU s (user + system, every process of the chain) of one pass and of the two passes of \"enhanced\", the"
echo "two chains of a file back to back: one file in ${step} of a16, a8 and the one-word prompts, every file of the"
echo "others; pocketsphinx_batch on the same files after them, one process for the set (its CPU by GNU time)."
echo
echo "| set | one pass | two passes | two / one | pocketsphinx | pocketsphinx / two passes |"
echo "|---|---|---|---|---|---|"
run a16 "$tmp/asterisk16/manifest.tsv" "$step"
run a8 "$tmp/asterisk8/manifest.tsv" "$step"
run one-word "$sets/short/manifest.tsv" "$step"
run voicescut "$sets/voices/parts.tsv" 1
run lv "$tmp/librivox/manifest.tsv" 1
echo
echo "Run on $(date -u '+%Y-%m-%d %H:%M') UTC."

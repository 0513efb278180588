#!/bin/sh
# make bench section: whole jobs through sm-transcribe: real-time factor,
# CPU and peak memory on LibriVox (one job per recording, then all five
# joined as one job) and on asterisk-en prompts; the job's own start-up
# cost (mktemp, FIFOs, the held output) against the same stages in a
# plain pipe; the word error rate of the whole job on LibriVox.
# shellcheck disable=SC2016 # sh -c programs in single quotes
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/sm-bench.XXXXXX")}
work=$tmp/transcribe
export SM_MODELS="${SM_MODELS:-$here/models}" OPENBLAS_NUM_THREADS=1
PATH=$here/bin:$PATH
tab=$(printf '\t')
mkdir -p "$work"
[ -s "$tmp/librivox/manifest.tsv" ] || sh "$here/scripts/corpus.sh" librivox "$tmp/librivox" >&2
[ -s "$tmp/asterisk16/manifest.tsv" ] || sh "$here/scripts/corpus.sh" asterisk16 "$tmp/asterisk16" >&2

# Run one job per line of a manifest; print "wall cpu maxrss_kb seconds".
jobs() { # MANIFEST HYP_OUT
	: > "$2"
	: > "$work/times"
	while IFS="$tab" read -r id wav _ secs; do
		/usr/bin/time -f "%e %U %S %M $secs" -a -o "$work/times" \
			sm-transcribe "$wav" > "$work/out.json" < /dev/null
		printf '%s\t%s\n' "$id" "$(jq -r '[.results[] | select(.type == "word")
			| .alternatives[0].content] | join(" ")' "$work/out.json")" >> "$2"
	done < "$1"
	awk '{ w += $1; c += $2 + $3; if ($4 > m) m = $4; s += $5 }
		END { printf "%.2f %.2f %d %.1f %d", w, c, m, s, NR }' "$work/times"
}
row() { # NAME "wall cpu maxrss secs n"
	echo "$2" | awk -v name="$1" '{ printf "| %s | %d | %.1f | %.2f | %.2f | %.3f | %.3f | %d |\n",
		name, $5, $4, $1, $2, $1 / $4, $2 / $4, $3 / 1024 }'
}

lv=$(jobs "$tmp/librivox/manifest.tsv" "$work/lv.hyp")
wer=$(python3 "$here/tests/corpus/wer.py" "$tmp/librivox/manifest.tsv" "$work/lv.hyp" | sed -n 's/.*\(WER=[^ ]*\).*/\1/p' | head -n 1)

# The five recordings joined: one job of 25 s.
cut -f 2 "$tmp/librivox/manifest.tsv" | xargs sh -c 'sox "$@" "$0"' "$work/joined.wav"
secs=$(soxi -D "$work/joined.wav")
printf 'joined\t%s\t-\t%s\n' "$work/joined.wav" "$secs" > "$work/joined.tsv"
one=$(jobs "$work/joined.tsv" "$work/joined.hyp")

# Twenty multi-word prompts.
awk -F "$tab" 'split($3, w, " ") >= 4' "$tmp/asterisk16/manifest.tsv" | head -n 20 > "$work/ast.tsv"
ast=$(jobs "$work/ast.tsv" "$work/ast.hyp")

# Start-up: the shortest LibriVox recording, 7 runs each, median wall time.
short=$(sort -t "$tab" -k 4 -n "$tmp/librivox/manifest.tsv" | head -n 1 | cut -f 2)
median() {
	for _ in 1 2 3 4 5 6 7; do
		/usr/bin/time -f %e -o "$work/t" "$@" > /dev/null < /dev/null
		cat "$work/t"
	done | sort -n | sed -n 4p
}
job=$(median sm-transcribe "$short")
pipe=$(median sh -c 'sm-fetch "$1" | sm-decode | sm-features | sm-am | sm-lattice | sm-format' sh "$short")
# The jq sm-transcribe runs for a config (sm-transcribe(1), SM_JQ).
jq=jq
command -v gojq >/dev/null 2>&1 && jq=gojq
jqs=$(median "$jq" -n 1)

echo "## sm-transcribe (whole jobs)"
echo
echo "One sm-transcribe job per recording, one core for scoring (\`--parallel 1\`), wall time as a user waits;"
echo "CPU = user + system of the job and all its stages; memory = the largest resident set of any one process."
echo
echo "| set | jobs | audio s | wall s | CPU s | RTF (wall) | RTF (CPU) | peak MB |"
echo "|---|---|---|---|---|---|---|---|"
row "LibriVox, one job per recording" "$lv"
row "LibriVox joined, one job" "$one"
row "asterisk-en 16 kHz, multi-word prompts" "$ast"
echo
echo "Word error rate of the whole job on LibriVox (\`tests/corpus/wer.py\`): $wer."
echo
echo "Load average when measured: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs (wall times grow with it, CPU times much less)."
echo
echo "Start-up on the shortest LibriVox recording (median of 7): sm-transcribe ${job} s, the same six stages in a"
echo "plain pipe ${pipe} s; the difference is the job's own cost (mktemp, mkfifo, the stderr filters, and"
echo "sm-format run only after every stage has succeeded; these jobs have no config, so no jq: a job with one"
echo "starts $jq, ${jqs} s for \`$jq -n 1\` alone, and compiles the config checker)."

#!/bin/sh
# make bench section: sm-transcribe --parallel 2 against --parallel 1 on
# one 23-minute recording (the 316 multi-word asterisk prompts joined, 0.5 s
# of faint pink noise, or of digital zeros, between them): wall time and
# speed-up (4 pairs of runs, the two settings in turn; the medians, the
# speed-up that of each pair, as the machine's speed drifts), CPU, peak memory of the
# whole job (Pss summed over its processes, sampled every 50 ms, in a run of
# its own) and word error rate; pocketsphinx_batch on the same recording in
# the same run.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/sm-bench.XXXXXX")}
work=$tmp/parallel
export SM_MODELS="${SM_MODELS:-$here/models}" OPENBLAS_NUM_THREADS=1
PATH=$here/bin:$PATH
tab=$(printf '\t')
mkdir -p "$work"
[ -s "$tmp/asterisk16/manifest.tsv" ] || sh "$here/scripts/corpus.sh" asterisk16 "$tmp/asterisk16" >&2
. "$here/scripts/bench-lib.sh"
awk -F "$tab" 'split($3, a, " ") >= 2' "$tmp/asterisk16/manifest.tsv" > "$work/multi.tsv"
long_set noise "$work/multi.tsv" "$work/long-noise"
long_set silence "$work/multi.tsv" "$work/long-silence"

# wer MANIFEST JSON: the transcript's word error rate.
wer() {
	printf '%s\t%s\n' "$(cut -f 1 "$1")" "$(jq -r '[.results[] | select(.type == "word")
		| .alternatives[0].content] | join(" ")' "$2")" > "$work/h.tsv"
	wer_of "$1" "$work/h.tsv"
}
# median of four numbers, one a line: the mean of the middle two
median() { sort -g | awk 'NR == 2 || NR == 3 { s += $1 } END { printf "%.2f", s / 2 }'; }

# run NAME DIR: one table row.
run() {
	d=$2 wav=$2/long.wav
	: > "$d/w1"
	: > "$d/w2"
	for _ in 1 2 3 4; do
		for n in 1 2; do
			/usr/bin/time -f '%e %U %S' -o "$d/t" sm-transcribe --parallel "$n" "$wav" > "$d/p$n.json"
			cat "$d/t" >> "$d/w$n"
		done
	done
	python3 "$here/scripts/bench/peakmem.py" "$d/m1" sm-transcribe --parallel 1 "$wav" > /dev/null
	python3 "$here/scripts/bench/peakmem.py" "$d/m2" sm-transcribe --parallel 2 "$wav" > /dev/null
	w1=$(cut -d ' ' -f 1 "$d/w1" | median)
	w2=$(cut -d ' ' -f 1 "$d/w2" | median)
	c1=$(awk '{ print $2 + $3 }' "$d/w1" | median)
	c2=$(awk '{ print $2 + $3 }' "$d/w2" | median)
	secs=$(cut -f 4 "$d/manifest.tsv")
	up=$(paste -d ' ' "$d/w1" "$d/w2" | awk '{ print $1 / $4 }' | median)
	echo "| $1 ($(printf '%.0f' "$secs") s) | $w1 | $w2 | ${up}x |" \
		"$c1 | $c2 | $(wer "$d/manifest.tsv" "$d/p1.json")% | $(wer "$d/manifest.tsv" "$d/p2.json")% |" \
		"$(awk '{ printf "%d", $3 / 1024 }' "$d/m1") | $(awk '{ printf "%d", $3 / 1024 }' "$d/m2") |"
}

echo "## 62-parallel.sh: sm-transcribe --parallel 2 against --parallel 1 on a 23-minute recording"
echo
echo "The 316 multi-word asterisk prompts joined with 0.5 s gaps; $(nproc) CPUs; 4 pairs of runs, the two settings"
echo "in turn: wall and CPU s the medians, the speed-up the median of each pair's; peak memory MB = the job's Pss summed over its processes"
echo "(scripts/bench/peakmem.py, a run of its own); WER by tests/corpus/wer.py."
echo
echo "| recording | wall s --parallel 1 | wall s --parallel 2 | speed-up | CPU s 1 | CPU s 2 | WER 1 | WER 2 | peak MB 1 | peak MB 2 |"
echo "|---|---|---|---|---|---|---|---|---|---|"
run "noise gaps" "$work/long-noise"
run "zero gaps" "$work/long-silence"
echo
# pocketsphinx_batch on the noise-gap recording, as 40-sets.sh runs it (ps_set).
d=$work/long-noise
ps_set "$d/manifest.tsv" "$d"
wp=$(wer_of "$d/manifest.tsv" "$d/ps.hyp")
echo "pocketsphinx_batch on the noise-gap recording: WER $wp%, $(awk '{ printf "%.1f s wall, %.1f s CPU, %d MB peak RSS", $1, $2 + $3, $4 / 1024 }' "$d/ps.time")."
echo
echo "Run on $(date -u '+%Y-%m-%d %H:%M UTC')."

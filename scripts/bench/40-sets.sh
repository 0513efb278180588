#!/bin/sh
# make bench section: word error rate and CPU on the sets beside the
# 16 kHz prompts, ours (sm-decode | sm-features | sm-am | sm-lattice |
# sm-format -f txt, one chain per file) against Debian's pocketsphinx_batch
# in the same run: the asterisk prompts' 8 kHz telephone WAVs (pocketsphinx
# on 16 kHz copies made by sox; ours resamples them itself), and the 316
# multi-word prompts joined into one long recording with 0.5 s of faint pink
# noise, with 0.5 s of digital zeros and with 0.5 s of dithered zeros
# between them; three voices in turn (LibriVox, pocketsphinx's "cards",
# asterisk prompts) and the prompts with a change of channel (16 kHz /
# 8 kHz telephone) and level (0 / -18 dB) every four, each as one
# recording and cut into files (bench-lib.sh: voices_set, mixed_set); and
# the one-word prompts with the quiet around the word cut off (short_set).
# SETS_ADAPT=1: ours in two passes, the second on features adapted to the
# first's words (sm-adapt; the FEAT stream kept in the scratch directory).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/sm-bench.XXXXXX")}
work=$tmp/sets
export SM_MODELS="${SM_MODELS:-$here/models}" OPENBLAS_NUM_THREADS=1
PATH=$here/bin:$PATH
tab=$(printf '\t')
mkdir -p "$work"
. "$here/scripts/bench-lib.sh"
[ -s "$tmp/asterisk16/manifest.tsv" ] || sh "$here/scripts/corpus.sh" asterisk16 "$tmp/asterisk16" >&2
[ -s "$tmp/asterisk8/manifest.tsv" ] || sh "$here/scripts/corpus.sh" asterisk8 "$tmp/asterisk8" >&2

awk -F "$tab" 'split($3, a, " ") >= 2' "$tmp/asterisk16/manifest.tsv" > "$work/multi.tsv"
long_set noise "$work/multi.tsv" "$work/long-noise"
long_set silence "$work/multi.tsv" "$work/long-silence"
long_set dither "$work/multi.tsv" "$work/long-dither"
voices_set "$work/multi.tsv" "$work/voices"
mixed_set "$work/multi.tsv" "$tmp/asterisk8" "$work/mixed"
awk -F "$tab" 'split($3, a, " ") == 1' "$tmp/asterisk16/manifest.tsv" > "$work/single.tsv"
short_set "$work/single.tsv" "$work/short"

# run NAME MANIFEST: both recognisers on the set; one table row.
run() {
	n=$1 man=$2 d=$work/$1
	mkdir -p "$d"
	# shellcheck disable=SC2016 # the inner program's own variables
	/usr/bin/time -f '%U %S' -o "$d/ours.time" sh -c '
		while IFS="	" read -r id wav _; do
			if [ -n "${SETS_ADAPT:-}" ]; then
				sm-decode "$wav" | sm-features > "$3"
				t=$(sm-am < "$3" | sm-lattice | sm-adapt -F "$3" | sm-am | sm-lattice |
					sm-format -f txt | tr "\n" " ")
			else
				t=$(sm-decode "$wav" | sm-features | sm-am | sm-lattice | sm-format -f txt | tr "\n" " ")
			fi
			printf "%s\t%s\n" "$id" "$t"
		done < "$1" > "$2"' sh "$man" "$d/ours.hyp" "$work/feat"
	ps_set "$man" "$d"
	secs=$(awk -F "$tab" '{ s += $4 } END { printf "%.1f", s }' "$man")
	wo=$(wer_of "$man" "$d/ours.hyp")
	wp=$(wer_of "$man" "$d/ps.hyp")
	co=$(awk '{ printf "%.1f", $1 + $2 }' "$d/ours.time")
	cp=$(awk '{ printf "%.1f", $2 + $3 }' "$d/ps.time")
	echo "| $n ($(wc -l < "$man"), $secs s) | $wo% | $wp% | $co | $cp |"
}

echo "## Other sets: 8 kHz telephone audio and long recordings, against pocketsphinx_batch"
echo
echo "Ours: \`sm-decode F | sm-features | sm-am | sm-lattice | sm-format -f txt\` per file, default options;"
echo "pocketsphinx_batch as in 30-lattice.sh, on 16 kHz copies. WER by tests/corpus/wer.py; CPU = user + system s."
echo
echo "| set | WER ours | WER pocketsphinx | CPU s ours | CPU s pocketsphinx |"
echo "|---|---|---|---|---|"
run "asterisk 8 kHz" "$tmp/asterisk8/manifest.tsv"
run "long, noise gaps" "$work/long-noise/manifest.tsv"
run "long, zero gaps" "$work/long-silence/manifest.tsv"
run "long, dithered zero gaps" "$work/long-dither/manifest.tsv"
run "three voices, one recording" "$work/voices/manifest.tsv"
run "three voices, cut into files" "$work/voices/parts.tsv"
run "mixed channel and level, one recording" "$work/mixed/manifest.tsv"
run "mixed channel and level, cut into files" "$work/mixed/parts.tsv"
run "one word, the quiet around it cut off" "$work/short/manifest.tsv"
echo
echo "Run on $(date -u '+%Y-%m-%d %H:%M UTC')."

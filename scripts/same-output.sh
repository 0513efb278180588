#!/bin/sh
# Fingerprint what this tree's stages write, to show that a change of code
# leaves every output byte-identical.
#
# Usage: same-output.sh OUT
#   OUT  file to write: one line per output, "SET/ID STAGE SHA256"
# Run it on two trees and diff the files: a refactoring must give none.
#
# The inputs: every fifth Asterisk prompt at 16 kHz (decoded from G.722)
# and at 8 kHz (the telephone WAVs), the five LibriVox sentences, and the
# LibriVox sentences joined by faint noise (the same on each run) and by
# digital silence (long input, searched in short segments).  For each: the
# streams of sm-decode, sm-features, sm-am and sm-lattice, the lattice in
# both formats, and sm-format's json (its time of creation blanked), txt
# and srt; for LibriVox also the search without its image.  Then the
# pack's images.  Needs the packages of `make deps` and a built tree
# (bin/); about 2 minutes on two cores.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
PATH=$here/bin:$PATH
SM_MODELS=${SM_MODELS:-$here/models}
OPENBLAS_NUM_THREADS=1
export PATH SM_MODELS OPENBLAS_NUM_THREADS

sum() { # NAME STAGE FILE
	printf '%s %s %s\n' "$1" "$2" "$(sha256sum <"$3" | cut -d' ' -f1)"
}

# One input: NAME WAV SEGMENT-OPTIONS NO-IMAGE(0|1); scratch files in $work.
one() {
	t=$work/t.$$
	sm-decode "$2" >"$t.pcm"
	sm-features <"$t.pcm" >"$t.feat"
	sm-am <"$t.feat" >"$t.ll"
	sum "$1" decode "$t.pcm"
	sum "$1" features "$t.feat"
	sum "$1" am "$t.ll"
	# shellcheck disable=SC2086
	sm-lattice $3 <"$t.ll" >"$t.hyp"
	sum "$1" lattice "$t.hyp"
	for f in sm slf; do
		# shellcheck disable=SC2086
		sm-lattice $3 --lattice - --lattice-format "$f" <"$t.ll" >"$t.lat"
		sum "$1" "lattice-$f" "$t.lat"
	done
	# json's metadata.created_at is the time of the run: blanked.
	for f in json txt srt; do
		sm-format -f "$f" <"$t.hyp" |
			sed 's/"created_at": "[^"]*"/"created_at": ""/' >"$t.out"
		sum "$1" "format-$f" "$t.out"
	done
	if [ "$4" = 1 ]; then
		# shellcheck disable=SC2086
		sm-lattice $3 --no-image <"$t.ll" >"$t.hyp"
		sum "$1" lattice-no-image "$t.hyp"
	fi
	rm -f "$t".*
}

if [ "${1:-}" = --one ]; then
	shift
	one "$@"
	exit
fi

out=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/same-output.XXXXXX")
export work
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

awk -F'\t' 'NR % 5 == 1 { print $1 }' "$here/tests/corpus/asterisk-en.ref.tsv" >"$work/list"
sh "$here/scripts/corpus.sh" asterisk16 "$work/a16" "$work/list"
sh "$here/scripts/corpus.sh" asterisk8 "$work/a8" "$work/list"
sh "$here/scripts/corpus.sh" librivox "$work/lv"
sox -R -n -r 16000 -c 1 -b 16 "$work/noise.wav" synth 0.5 pinknoise vol 0.003
sox -R -D -n -r 16000 -c 1 -b 16 "$work/zeros.wav" trim 0 2
set --
for w in "$work"/lv/*.wav; do set -- "$@" "$w" "$work/noise.wav"; done
sox -R "$@" "$work/long-noise.wav"
set --
for w in "$work"/lv/*.wav; do set -- "$@" "$w" "$work/zeros.wav"; done
sox -R "$@" "$work/long-silence.wav"

{
	for set in a16 a8 lv; do
		noimg=0
		[ "$set" != lv ] || noimg=1
		while IFS="$(printf '\t')" read -r id wav _; do
			printf '%s\n' "$set/$id" "$wav" "" "$noimg"
		done <"$work/$set/manifest.tsv"
	done
	for kind in noise silence; do
		printf '%s\n' "long-$kind" "$work/long-$kind.wav" "--segment-min 4 --segment-max 8" 1
	done
} | xargs -d "\n" -n 4 -P 2 sh "$0" --one >"$work/sums"
for img in "$SM_MODELS"/en/*.img; do
	sum pack "image-$(basename "$img")" "$img"
done >>"$work/sums"
sort "$work/sums" >"$out"
echo "same-output.sh: $(wc -l <"$out") outputs in $out" >&2

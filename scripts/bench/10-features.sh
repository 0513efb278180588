#!/bin/sh
# make bench section: sm-features' real-time factor on one core on the
# asterisk-en 16 kHz corpus (551 prompts), next to Debian's sphinx_fe on the
# same audio in the same run.  Both run once per file, as in a pipeline.
# The audio is converted to PCM streams first, untimed, so only feature
# extraction is measured.  The corpus in $BENCH_TMP/asterisk16 is shared
# with the other bench scripts: it is built only if its manifest is missing.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/sm-bench.XXXXXX")}
corpus=$tmp/asterisk16
work=$tmp/features
M=/usr/share/pocketsphinx/model/en-us/en-us
export SM_MODELS="${SM_MODELS:-$here/models}" OPENBLAS_NUM_THREADS=1
PATH=$here/bin:$PATH

[ -s "$corpus/manifest.tsv" ] || sh "$here/scripts/corpus.sh" asterisk16 "$corpus" >&2
mkdir -p "$work"
tab=$(printf '\t')
n=0
while IFS="$tab" read -r id wav _ _; do
	n=$((n + 1))
	out=$work/$n.pcm
	[ -s "$out" ] && continue
	# A mono 16 kHz sm-stream(5) PCM header, length unknown, then samples.
	{ printf 'SMST\001\000\001\000\001\000\060\000\200\076\000\000\001\000\000\000\001\000\000\000'
	  printf '\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000'
	  sox "$wav" -t raw -e signed -b 16 -L -; } > "$out"
done < "$corpus/manifest.tsv"
secs=$(awk -F "$tab" '{ s += $4 } END { printf "%.1f", s }' "$corpus/manifest.tsv")

# CPU seconds (user + system) of a command and its children.
cpu() {
	/usr/bin/time -f '%U %S' -o "$work/time" "$@" > /dev/null
	awk '{ printf "%.2f", $1 + $2 }' "$work/time"
}
ours=$(cpu sh -c 'for f in "$1"/*.pcm; do sm-features "$f"; done' sh "$work")
ourc=$(cpu sh -c 'for f in "$1"/*.pcm; do sm-features --cepstra "$f"; done' sh "$work")
ref=$(cpu sh -c 'cut -f 2 "$1" | while read -r w; do
	sphinx_fe -argfile "$2/feat.params" -remove_silence no -mswav yes -i "$w" -o /dev/null 2> /dev/null
done' sh "$corpus/manifest.tsv" "$M")

# The whole corpus as one stream: the per-file numbers above are mostly
# process start-up; this is the throughput of the front end itself.
if [ ! -s "$work/all.raw" ]; then
	for f in "$work"/*.pcm; do tail -c +49 "$f"; done > "$work/all.raw"
	{ head -c 48 "$work/1.pcm"; cat "$work/all.raw"; } > "$work/all.pcm"
fi
ours1=$(cpu sm-features "$work/all.pcm")
ref1=$(cpu sphinx_fe -argfile "$M/feat.params" -remove_silence no -raw yes \
	-i "$work/all.raw" -o "$work/all.mfc" 2> /dev/null)

rtf() { awk -v c="$1" -v s="$secs" 'BEGIN { printf "%.4f", c / s }'; }
echo "## sm-features (front end)"
echo
echo "asterisk-en 16 kHz, $n prompts, $secs s of audio; one process per file (start-up included), then all of it as one stream; CPU = user + system."
echo
echo "| program | CPU s | RTF | vs sphinx_fe |"
echo "|---|---|---|---|"
# name|CPU|the sphinx_fe CPU it is compared with
for row in "sm-features (batch CMN, 39-dim)|$ours|$ref" "sm-features --cepstra|$ourc|$ref" \
	"sphinx_fe -remove_silence no|$ref|$ref" \
	"sm-features, all $n as one stream|$ours1|$ref1" "sphinx_fe, all $n as one file|$ref1|$ref1"; do
	name=${row%%|*} rest=${row#*|}
	c=${rest%|*} base=${rest#*|}
	printf '| %s | %s | %s | %s |\n' "$name" "$c" "$(rtf "$c")" \
		"$(awk -v a="$c" -v b="$base" 'BEGIN { printf "%.2f×", a / b }')"
done

#!/bin/sh
# nb-train.sh OUT [nb-train options]: learn the English pack's narrowband map
# (recog/fe.h, struct sm_fe_map) into OUT, from the asterisk prompts that
# Debian ships both as 16 kHz G.722 (asterisk-core-sounds-en-g722) and as
# 8 kHz telephone WAVs of the same takes (asterisk-core-sounds-en-wav).
#
# Only the training half is read: the prompts at even positions from 0 (lines 1,
# 3, 5, ...) of tests/corpus/asterisk-en.ref.tsv; those at odd positions are the
# test half, never seen here (docs/BENCHMARKS.md reports both halves).
# Each take becomes two log mel streams (sm-features --log-mel, no map)
# with the filters of each warp of WARPS, which build/nb-train aligns and
# regresses: one map per warp, sm-features uses that of the warp nearest
# to its filters' (a warp above 1 reads the model's 3.4 kHz higher up, where
# a telephone channel has less).
# Env: SOUNDS (the prompts' directory), SM_MODELS (the packs; default
# models), WARPS (default 0.88 0.94 1 1.06 1.12: those sm-features --warp
# auto tries, every other one), P (takes at once, default 2).
set -eu
out=$1
shift
top=$(cd "$(dirname "$0")/.." && pwd)
SOUNDS=${SOUNDS:-/usr/share/asterisk/sounds/en_US_f_Allison}
WARPS=${WARPS:-0.88 0.94 1 1.06 1.12}
export SM_MODELS="${SM_MODELS:-$top/models}" PATH="$top/bin:$PATH" SOUNDS
for f in "$SOUNDS/activated.g722" "$SOUNDS/activated.wav"; do
	[ -f "$f" ] || { echo "nb-train.sh: $f: missing (apt-get install asterisk-core-sounds-en-g722 asterisk-core-sounds-en-wav)" >&2; exit 66; }
done
command -v ffmpeg >/dev/null || { echo "nb-train.sh: ffmpeg: missing (it decodes G.722)" >&2; exit 69; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export tmp
awk -F '\t' 'NR % 2 == 1 { print $1 }' "$top/tests/corpus/asterisk-en.ref.tsv" > "$tmp/ids"
# shellcheck disable=SC2016 # the inner script expands its own variables
xargs -P "${P:-2}" -n 1 sh -c '
	f=$tmp/$(echo "$1" | tr / _)
	ffmpeg -nostdin -loglevel error -f g722 -i "$SOUNDS/$1.g722" -ac 1 -ar 16000 "$f.16.wav"' sh < "$tmp/ids"
: > "$out.tmp"
for warp in $WARPS; do
	export warp
	# shellcheck disable=SC2016 # the inner script expands its own variables
	xargs -P "${P:-2}" -n 1 sh -c '
		f=$tmp/$(echo "$1" | tr / _)
		sm-decode "$f.16.wav" | sm-features --band wide --warp "$warp" --log-mel > "$f.w"
		sm-decode "$SOUNDS/$1.wav" | sm-features --band wide --warp "$warp" --log-mel > "$f.n"' sh < "$tmp/ids"
	while read -r id; do
		f=$tmp/$(echo "$id" | tr / _)
		echo "$f.w $f.n"
	done < "$tmp/ids" > "$tmp/list"
	"$top/build/nb-train" -w "$warp" "$@" "$tmp/list" "$tmp/map"
	cat "$tmp/map" >> "$out.tmp"
done
mv "$out.tmp" "$out"

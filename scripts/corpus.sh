#!/bin/sh
# Build a test or benchmark corpus from Debian-packaged recordings.
#
# Usage: corpus.sh NAME DIR [LIST]
#   NAME  asterisk16 (G.722 prompts decoded to 16 kHz), asterisk8 (the 8 kHz
#         telephone WAVs), or librivox (pocketsphinx-testdata, 16 kHz)
#   DIR   where to write ID.wav files and manifest.tsv
#         (id <TAB> wav <TAB> reference <TAB> seconds, as wer.py reads)
#   LIST  optional file of ids to keep (one per line)
# Ids with sub-folders (digits/h-40) keep them as sub-folders of DIR.
set -eu
name=$1 dir=$2 list=${3:-}
here=$(cd "$(dirname "$0")/.." && pwd)
refs=$here/tests/corpus
ast=/usr/share/asterisk/sounds/en_US_f_Allison
lv=/usr/share/pocketsphinx/test/data/librivox
mkdir -p "$dir"
: > "$dir/manifest.tsv"
case $name in
asterisk16|asterisk8) ref=$refs/asterisk-en.ref.tsv ;;
librivox) ref=$refs/librivox.ref.tsv ;;
*) echo "corpus.sh: unknown corpus '$name'" >&2; exit 64 ;;
esac
while IFS="$(printf '\t')" read -r id text _; do
	if [ -n "$list" ] && ! grep -qxF "$id" "$list"; then continue; fi
	wav=$dir/$id.wav
	mkdir -p "$(dirname "$wav")"
	case $name in
	asterisk16) ffmpeg -nostdin -loglevel error -f g722 -i "$ast/$id.g722" -ac 1 -ar 16000 -y "$wav" ;;
	asterisk8) cp "$ast/$id.wav" "$wav" ;;
	librivox) cp "$lv/$id.wav" "$wav" ;;
	esac
	secs=$(soxi -D "$wav")
	printf '%s\t%s\t%s\t%s\n' "$id" "$wav" "$text" "$secs" >> "$dir/manifest.tsv"
done < "$ref"

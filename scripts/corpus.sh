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
tab=$(printf '\t')
# The references kept: every one, or those whose id is a line of LIST (one
# awk, not a grep per reference).
kept=$(awk -F '\t' -v list="$list" 'BEGIN { if (list != "") while ((getline l <list) > 0) keep[l] = 1 }
	list == "" || $1 in keep' "$ref")
# The G.722 prompts decoded by one ffmpeg per 80 files: its start-up is most
# of the cost of a short prompt.  The files are byte for byte those of one
# ffmpeg per prompt.
if [ "$name" = asterisk16 ] && [ -n "$kept" ]; then
	printf '%s\n' "$kept" | cut -f 1 | split -l 80 - "$dir/.batch."
	for b in "$dir"/.batch.*; do
		set --
		while read -r id; do set -- "$@" -f g722 -i "$ast/$id.g722"; done <"$b"
		j=0
		while read -r id; do
			mkdir -p "$(dirname "$dir/$id.wav")"
			set -- "$@" -map "$j:a" -ac 1 -ar 16000 -y "$dir/$id.wav"
			j=$((j + 1))
		done <"$b"
		rm -f "$b"
		ffmpeg -nostdin -loglevel error "$@"
	done
fi
[ -z "$kept" ] || printf '%s\n' "$kept" | while IFS="$tab" read -r id text _; do
	wav=$dir/$id.wav
	mkdir -p "$(dirname "$wav")"
	case $name in
	asterisk8) cp "$ast/$id.wav" "$wav" ;;
	librivox) cp "$lv/$id.wav" "$wav" ;;
	esac
	secs=$(soxi -D "$wav")
	printf '%s\t%s\t%s\t%s\n' "$id" "$wav" "$text" "$secs" >> "$dir/manifest.tsv"
done

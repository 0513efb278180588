#!/bin/sh
# Build the speaker-diarization sets from real recorded voices in Debian
# packages, deterministically (fixed seeds in scripts/diar-compose.py, sox -R).
#
# Usage: diar-corpus.sh OUTDIR [SET...]
#
# Writes OUTDIR/SET/ for each SET given (dev, held, long, small; all four by
# default; a set comes out the same whether built alone or with the others):
# NAME.wav (16 kHz mono 16-bit),
# NAME.rttm (the reference, one SPEAKER line per clip) and list.tsv
# (name <TAB> wav <TAB> number of speakers <TAB> seconds).
#
# Voices (one voice = one person; ids as in the RTTM files):
#   asterisk   asterisk-core-sounds-en-g722, en_US_f_Allison: the 316 prompts
#              of tests/corpus/asterisk-en.ref.tsv with two or more words
#   librivox   pocketsphinx-testdata librivox/*.wav (one reader, 5 clips, 25 s)
#   cards      pocketsphinx-testdata cards/*.wav (one speaker, 5 clips, 10 s)
#   British Classic Default HillBilly Mobster Pirate Robot Russian Singer
#   Surfer     hedgewars-data voices/<NAME>/*.ogg (one actor each as far as
#              the package says; Robot is processed).  Not so for Classic
#              and Default: 20 of Classic's 59 clips are byte for byte
#              Default's own files (md5sum), so the two are at least partly
#              one recording of one actor, and their other clips are as
#              close in the cepstra as Default's own clips are to each other
#              (docs/BENCHMARKS.md, 50-diarize.sh).  They are kept as two
#              voices, as in the package; dev's 3spk-04 has both.
#   Default_es Default_pl Default_ru
#              hedgewars-data's Spanish, Polish and Russian Default packs:
#              none of their clips is byte-identical to Default's, they speak
#              other languages, so they are taken as three other actors.
# Left out: Default_uk (9 of its 65 clips are Default's own files, so at least
# part is the Default actor), Russian_pl (a Polish recording of the Russian
# character, whose actor may be Default_pl's); goforward.raw, numbers.raw,
# something.raw and tidigits/dhd.2934z.raw (2-4 s each, and nothing says who
# speaks them, so their speaker labels could not be trusted); an4_ci_cont is
# a model, tidigits' *.mfc are features, not audio.
#
# Where they go (see scripts/diar-compose.py for the exact draws):
#   dev    asterisk librivox British Classic Default HillBilly Mobster Pirate
#          Russian: 12 two-, 6 three-, 4 four-speaker conversations of
#          40-120 s and 6 single-speaker inputs of 30-90 s; seed 1.
#   held   never tuned on, seed 2: every conversation has at least one voice
#          that dev never uses (Robot Singer Surfer Default_es Default_pl
#          Default_ru cards), with asterisk librivox British Classic HillBilly
#          Mobster Pirate; its single-speaker inputs use only held-out voices.
#          Default and Russian are left out of held so that a possible
#          same-actor pair (Default_*, Default_ru) never meets.
#   long   one 20-minute conversation, asterisk and British; British has about
#          a minute of clips, so its clips are cycled (each reused ~10 times).
#   small  3 inputs under 40 s (2 speakers, 3 speakers, 1 speaker; dev
#          voices) for the regression test of make check.
# A voice's clips are used in a shuffled order and reshuffled when all are
# used, so voices with little audio (cards, librivox, the hedgewars packs)
# repeat clips within a long conversation or across a set.
#
# Every clip is cut to speech: sox's silence effect removes leading and
# trailing audio below -45 dBFS (a burst above it shorter than 10 ms does not
# stop the trim), from both ends; clips under 0.2 s afterwards (grunts such as
# hedgewars' Jump1, Ow4) and over 15 s (asterisk's long menus such as
# demo-instruct) are dropped.
# A turn is clips of one voice joined by 0.1-0.3 s of faint pink noise
# (vol 0.003), 1-20 s long; turns alternate voices; half of the conversations
# have no pause between turns, the others 0.3-1.5 s of the same noise.
set -eu
[ $# -ge 1 ] || { echo "usage: diar-corpus.sh OUTDIR [SET...]" >&2; exit 64; }
out=$1
shift
[ $# -gt 0 ] || set -- dev held long small
here=$(cd "$(dirname "$0")/.." && pwd)
voices=$(python3 "$here/scripts/diar-compose.py" --voices "$@") || exit 64
sets=$* # "$@" is reused below; set names have no spaces
has() { echo "$voices" | grep -qxF "$1"; }
ast=/usr/share/asterisk/sounds/en_US_f_Allison
hw=/usr/share/games/hedgewars/Data/Sounds/voices
ps=/usr/share/pocketsphinx/test/data
for d in "$ast" "$hw/British" "$ps/librivox" "$ps/cards"; do
	[ -d "$d" ] || { echo "diar-corpus.sh: $d missing (run scripts/install-deps.sh)" >&2; exit 69; }
done
mkdir -p "$out"
clips=$(mktemp -d "$out/.clips.XXXXXX")
trap 'rm -rf "$clips"' EXIT INT TERM

# trim IN OUT: to 16 kHz mono 16-bit, leading and trailing silence cut.
# -G keeps the resampler from clipping the loud hedgewars clips.
trim() {
	sox -V1 -G -R "$1" -r 16000 -c 1 -b 16 "$2" \
		silence 1 0.01 -45d reverse silence 1 0.01 -45d reverse
}

# The asterisk prompts: G.722 decoded by one ffmpeg per 80 files (one
# process per file would take most of the run time), then trimmed.
mkdir -p "$clips/raw" "$clips/asterisk"
has asterisk && awk -F '\t' 'split($2, w, " ") >= 2 { print $1 }' "$here/tests/corpus/asterisk-en.ref.tsv" |
	split -l 80 - "$clips/raw/batch."
n=0
for b in "$clips"/raw/batch.*; do
	[ -e "$b" ] || continue
	set --
	while read -r id; do set -- "$@" -f g722 -i "$ast/$id.g722"; done < "$b"
	j=0
	while read -r _; do
		n=$((n + 1))
		set -- "$@" -map "$j:a" -ac 1 -ar 16000 -y "$clips/raw/$(printf %04d $n).wav"
		j=$((j + 1))
	done < "$b"
	ffmpeg -nostdin -loglevel error "$@"
done
for f in "$clips"/raw/*.wav; do
	[ -e "$f" ] || continue
	trim "$f" "$clips/asterisk/${f##*/}"
done

# The other voices, file names sorted so that clip order is fixed.
voice() { # NAME FILES...
	v=$1
	shift
	mkdir -p "$clips/$v"
	for f in "$@"; do
		case $f in
		*.ogg | *.wav) trim "$f" "$clips/$v/$(basename "${f%.*}").wav" ;;
		esac
	done
}
for v in $voices; do
	case $v in
	asterisk) ;;
	librivox | cards) voice "$v" "$ps/$v"/*.wav ;;
	*) voice "$v" "$hw/$v"/*.ogg ;;
	esac
done

sox -V1 -R -n -r 16000 -c 1 -b 16 "$clips/noise.wav" synth 4 pinknoise vol 0.003
# shellcheck disable=SC2086 # $sets: several words
python3 "$here/scripts/diar-compose.py" "$clips" "$out" $sets

#!/bin/sh
# make bench section: audio filtering (sm-decode --volume-threshold,
# --volume-hold) and word volumes (sm-volume), on three asterisk prompts
# (-17 dB RMS) with three LibriVox utterances made 20 or 30 dB quieter, in
# two layouts: in turn (the quiet voice in the loud one's pauses, 50 s) and
# overlapping (the quiet voice mixed under the loud one, 39 s): per
# threshold and hold, the words decoded outside the loud voice's turns, the
# error rate of the prompts' words (tests/corpus/wer.py on the words in
# their turns) and the mean volume of each side's words; sm-volume's CPU
# against the whole pipeline's,
#   sm-decode -T T --volume-hold H X.wav | tee P | sm-features | sm-am | sm-lattice | sm-volume -A P
# every stage under /usr/bin/time; and sm-volume's peak RSS and CPU on the
# same recording repeated for two hours (the hypothesis repeated with it).
# HOLDS="0 200" (the default) are the holds tried, in ms, at each
# threshold above 0.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/sm-bench.XXXXXX")}
work=$tmp/volume
export SM_MODELS="${SM_MODELS:-$here/models}" OPENBLAS_NUM_THREADS=1
# sox's dither (on vol and -m) is random unless repeatable: the same
# recordings, so the same figures, at each run.
export SOX_OPTS=-R
PATH=$here/bin:$PATH
ast=/usr/share/asterisk/sounds/en_US_f_Allison
lv=/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb
rm -rf "$work"
mkdir -p "$work"

# The recording, for a quiet voice DB dB down: loud, quiet, loud, quiet,
# loud, quiet with 0.3 s of faint pink noise between; its turns in
# $work/turns (START END loud|quiet).
sox -R -n -r 16000 -c 1 -b 16 "$work/gap.wav" synth 0.3 pinknoise vol 0.003
sox -R -n -r 16000 -c 1 -b 16 "$work/pause.wav" synth 3 pinknoise vol 0.003
voices() { # DB: the loud voice's prompts and the quiet voice's utterances
	set -- agent-newlocation 0870 auth-incorrect 0880 basic-pbx-ivr-main 0890
	while [ $# -gt 0 ]; do
		ffmpeg -nostdin -loglevel error -f g722 -i "$ast/$1.g722" -ac 1 -ar 16000 -y "$work/l$1.wav"
		sox "$lv-$2.wav" "$work/q$2.wav" vol "-${db}dB"
		shift 2
	done
}
# turn START FILE: one line of $work/turns; the end of FILE in $t.
turn() {
	d=$(soxi -D "$2")
	case $2 in */l*) k=loud ;; *) k=quiet ;; esac
	awk -v t="$1" -v d="$d" -v k="$k" 'BEGIN { printf "%.3f %.3f %s\n", t, t + d, k }' >>"$work/turns"
	t=$(awk -v t="$1" -v d="$d" 'BEGIN { printf "%.3f", t + d }')
}
mix() { # DB
	db=$1 parts='' t=0
	voices
	: >"$work/turns"
	for f in lagent-newlocation q0870 lauth-incorrect q0880 lbasic-pbx-ivr-main q0890; do
		turn "$t" "$work/$f.wav"
		t=$(awk -v t="$t" 'BEGIN { printf "%.3f", t + 0.3 }')
		parts="$parts $work/$f.wav $work/gap.wav"
	done
	# shellcheck disable=SC2086 # file names without blanks
	sox $parts "$work/mix$db.wav"
}
# The overlapping recording, for a quiet voice DB dB down: the prompts with
# 3 s of faint pink noise between, and under them from the start the
# utterances with 1.5 s of silence between (sox -m at full volume each);
# $work/turns has the loud voice's turns and, from 0.3 s after each, the
# quiet side's (the quiet voice alone there), so words are attributed as
# in mix.
overlap() { # DB
	db=$1 t=0
	voices
	: >"$work/turns"
	for f in lagent-newlocation lauth-incorrect; do
		turn "$t" "$work/$f.wav"
		awk -v t="$t" 'BEGIN { printf "%.3f %.3f quiet\n", t + 0.3, t + 2.7 }' >>"$work/turns"
		t=$(awk -v t="$t" 'BEGIN { printf "%.3f", t + 3 }')
	done
	turn "$t" "$work/lbasic-pbx-ivr-main.wav"
	sox "$work/lagent-newlocation.wav" "$work/pause.wav" "$work/lauth-incorrect.wav" \
		"$work/pause.wav" "$work/lbasic-pbx-ivr-main.wav" "$work/loud.wav"
	sox "$work/q0870.wav" -p pad 0 1.5 | sox - "$work/q0880.wav" -p pad 0 1.5 |
		sox - "$work/q0890.wav" "$work/quiet.wav"
	sox -m -v 1 "$work/loud.wav" -v 1 "$work/quiet.wav" "$work/overlap$db.wav"
}
ref=$(for id in agent-newlocation auth-incorrect basic-pbx-ivr-main; do
	awk -F '\t' -v id="$id" '$1 == id { printf "%s ", $2 }' "$here/tests/corpus/asterisk-en.ref.tsv"
done)
printf 'mix\t-\t%s\t50\n' "$ref" >"$work/ref.tsv"

# run WAV T H: the pipeline, every stage timed; the labelled best path in
# $work/hyp, CPU seconds "before-sm-volume sm-volume" appended to $work/cpu.
run() {
	t=$work/t
	rm -f "$work/p" "$t".*
	mkfifo "$work/p"
	/usr/bin/time -f '%U %S' -o "$t.decode" sm-decode --volume-threshold "$2" --volume-hold "$3" "$1" |
		/usr/bin/time -f '%U %S' -o "$t.tee" tee "$work/p" |
		/usr/bin/time -f '%U %S' -o "$t.features" sm-features |
		/usr/bin/time -f '%U %S' -o "$t.am" sm-am |
		/usr/bin/time -f '%U %S' -o "$t.lattice" sm-lattice |
		/usr/bin/time -f '%U %S' -o "$t.volume" sm-volume -A "$work/p" >"$work/hyp"
	tail -n 1 "$work/hyp" | grep -qx '#end' ||
		{ echo "52-volume.sh: $1: the pipeline failed" >&2; exit 70; }
	for s in decode tee features am lattice volume; do
		tail -n 1 "$t.$s" | sed "s/^/$s /"
	done | awk '$1 == "volume" { v = $2 + $3; next } { c += $2 + $3 }
		END { printf "%.2f %.2f\n", c, v }' >>"$work/cpu"
}

# score: "quiet-words prompt-WER loud-mean-volume quiet-mean-volume" of $work/hyp.
score() {
	awk -F '\t' 'NR == FNR { s[NR] = $0; n = NR; next }
	$4 == "word" {
		m = ($1 + $2) / 2
		k = ""
		for (i = 1; i <= n; i++) { split(s[i], f, " "); if (m >= f[1] && m < f[2] + 0.3) k = f[3] }
		v = $6; sub(/^volume=/, "", v)
		if (k == "quiet") { nq++; vq += v } else { nl++; vl += v; w = w " " $5 }
	}
	END { printf "%d %.2f %s\n", nq, nl ? vl / nl : 0, nq ? sprintf("%.2f", vq / nq) : "-" >"/dev/stderr"; print "mix\t" w }' \
		"$work/turns" "$work/hyp" 2>"$work/v" >"$work/hyp.tsv"
	wer=$(python3 "$here/tests/corpus/wer.py" "$work/ref.tsv" "$work/hyp.tsv" |
		sed -n 's/.*WER=\([0-9.]*%\).*/\1/p' | tail -n 1)
	read -r nq vl vq <"$work/v"
	printf '%s %s %s %s\n' "$nq" "$wer" "$vl" "$vq"
}

echo "## Audio filtering and word volumes"
echo
echo "Three asterisk prompts (78 words, -17 dB RMS) with three LibriVox utterances (27 words) made 20 or 30 dB"
echo "quieter, in turn (50 s) or the quiet voice under the loud one (39 s); words attributed to a side by where"
echo "their middle falls: in a loud turn or not."
echo
echo "| layout | quiet voice | threshold | hold ms | words outside the loud turns | prompts' WER | loud words' mean volume | others' mean volume |"
echo "|---|---|---|---|---|---|---|---|"
: >"$work/cpu"
for layout in mix overlap; do
	for db in 30 20; do
		"$layout" "$db"
		case $layout in mix) name="in turn" ;; *) name=overlapping ;; esac
		for th in 0 1 3.4 6; do
			for h in ${HOLDS:-0 200}; do
				[ "$th" = 0 ] && [ "$h" != 0 ] && continue
				[ "$th" = 0 ] && hh=- || hh=$h
				run "$work/$layout$db.wav" "$th" "$h"
				score | { read -r nq wer vl vq; echo "| $name | -$db dB | $th | $hh | $nq | $wer | $vl | $vq |"; }
			done
		done
	done
done
echo
awk '{ c += $1; v += $2 } END { printf "sm-volume: %.2f s CPU of %.2f s for the whole pipeline (%.2f%%), over the %d runs above.\n",
	v, c + v, 100 * v / (c + v), NR }' "$work/cpu"

# Two hours: the 30 dB recording and its best path repeated.
mix 30
run "$work/mix30.wav" 0 0
dur=$(soxi -D "$work/mix30.wav")
reps=$(awk -v d="$dur" 'BEGIN { print int(7200 / d) }')
awk -F '\t' -v n="$reps" -v d="$dur" 'NR == 1 { print; next } /^#/ { next }
	{ sub(/\tvolume=[^\t]*$/, ""); l[++k] = $0 }
	END { for (r = 0; r < n; r++) for (i = 1; i <= k; i++) { split(l[i], f, "\t");
		printf "%.3f\t%.3f", f[1] + r * d, f[2] + r * d; for (j = 3; j <= length(f); j++) printf "\t%s", f[j]; print "" }
		print "#end" }' "$work/hyp" >"$work/long.hyp"
nwords=$(grep -c '	word	' "$work/long.hyp")
sox -V1 "$work/mix30.wav" -t wav - repeat "$((reps - 1))" | sm-decode |
	/usr/bin/time -f '%U %S %M' -o "$work/t.long" sm-volume -A - "$work/long.hyp" >/dev/null
read -r u s m <"$work/t.long"
awk -v u="$u" -v s="$s" -v m="$m" -v n="$nwords" -v r="$reps" -v d="$dur" 'BEGIN {
	printf "sm-volume on %.0f s of audio (the recording %d times, %d words): %.2f s CPU, %.1f MB peak RSS.\n",
		r * d, r, n, u + s, m / 1024 }'

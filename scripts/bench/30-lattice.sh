#!/bin/sh
# make bench section: the whole recognizer, sm-decode | sm-features | sm-am |
# sm-lattice, one process chain per file (start-up included), against
# Debian's pocketsphinx_batch (-adcin yes: batch CMN) with the same model in
# the same run: word error rate, CPU real-time factor and peak memory on
# asterisk-en 16 kHz (all 551 prompts, the multi-word and single-word
# subsets) and librivox, and the start-up cost of each (one 0.1 s file).
# The asterisk corpus in $BENCH_TMP/asterisk16 is shared with the other
# bench scripts.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/sm-bench.XXXXXX")}
work=$tmp/lattice
M=/usr/share/pocketsphinx/model/en-us
export SM_MODELS="${SM_MODELS:-$here/models}" OPENBLAS_NUM_THREADS=1
PATH=$here/bin:$PATH
tab=$(printf '\t')
mkdir -p "$work"
[ -s "$tmp/asterisk16/manifest.tsv" ] || sh "$here/scripts/corpus.sh" asterisk16 "$tmp/asterisk16" >&2
[ -s "$tmp/librivox/manifest.tsv" ] || sh "$here/scripts/corpus.sh" librivox "$tmp/librivox" >&2

# ps.sh MANIFEST DIR HYP: pocketsphinx_batch over the same files (a script,
# so that /usr/bin/time measures it).
cat > "$work/ps.sh" <<EOF
cut -f 1 "\$1" > "\$3.ctl"
pocketsphinx_batch -adcin yes -cepdir "\$2" -cepext .wav -adchdr 44 -ctl "\$3.ctl" \\
	-hyp "\$3.raw" -hmm "$M/en-us" -lm "$M/en-us.lm.bin" \\
	-dict "$M/cmudict-en-us.dict" > /dev/null 2>&1
sed 's/^\\(.*\\) (\\([^ ]*\\) [-0-9]*)\$/\\2\t\\1/' "\$3.raw" > "\$3"
EOF

# timed NAME CMD...: run, keep "user+sys maxrss_kB" in $work/NAME.time
timed() {
	n=$1
	shift
	/usr/bin/time -f '%U %S %M' -o "$work/$n.time" "$@"
}

wer() { # MANIFEST HYP -> "WER"
	python3 "$here/tests/corpus/wer.py" "$1" "$2" | sed -n 's/.*WER=\([0-9.]*\)%.*/\1/p' | tail -1
}

ast=$tmp/asterisk16/manifest.tsv
lv=$tmp/librivox/manifest.tsv
awk -F "$tab" 'split($3, a, " ") >= 2' "$ast" > "$work/multi.tsv"
awk -F "$tab" 'split($3, a, " ") < 2' "$ast" > "$work/single.tsv"

/usr/bin/time -f '%U %S %M' -o "$work/ours_ast.time" sh -c '
	tab=$(printf "\t")
	while IFS="$tab" read -r id wav _; do
		printf "%s\t%s\n" "$id" "$(sm-decode "$wav" | sm-features | sm-am | sm-lattice |
			awk -F"\t" "\$4 == \"word\" { printf \"%s%s\", s, \$5; s = \" \" }")"
	done < "$1" > "$2"' sh "$ast" "$work/ours_ast.hyp"
/usr/bin/time -f '%U %S %M' -o "$work/ours_lv.time" sh -c '
	tab=$(printf "\t")
	while IFS="$tab" read -r id wav _; do
		printf "%s\t%s\n" "$id" "$(sm-decode "$wav" | sm-features | sm-am | sm-lattice |
			awk -F"\t" "\$4 == \"word\" { printf \"%s%s\", s, \$5; s = \" \" }")"
	done < "$1" > "$2"' sh "$lv" "$work/ours_lv.hyp"
timed ps_ast sh "$work/ps.sh" "$ast" "$tmp/asterisk16" "$work/ps_ast.hyp"
timed ps_lv sh "$work/ps.sh" "$lv" "$tmp/librivox" "$work/ps_lv.hyp"

# Start-up: CPU of one run on 0.1 s of silence (model loading dominates),
# the median of 5.
sox -n -r 16000 -b 16 -c 1 "$work/short.wav" trim 0 0.1
printf 'short\t%s\t\t0.1\n' "$work/short.wav" > "$work/short.tsv"
startup() { # NAME CMD...: median user+sys seconds of 5 runs
	n=$1
	shift
	for i in 1 2 3 4 5; do
		/usr/bin/time -f '%U %S' -o "$work/su.$i" "$@" > /dev/null 2>&1
		awk '{ print $1 + $2 }' "$work/su.$i"
	done | sort -g | sed -n 3p > "$work/$n.startup"
}
startup ours_su sh -c 'sm-decode "$1" | sm-features | sm-am | sm-lattice' sh "$work/short.wav"
startup ps_su sh "$work/ps.sh" "$work/short.tsv" "$work" "$work/short.hyp"

# Peak memory of the pipeline: the four stages run at once, so their peaks
# add up; measured on the longest librivox file.
long=$(sort -t "$tab" -k4,4 -g "$lv" | tail -1 | cut -f 2)
sm-decode "$long" > "$work/long.pcm"
sm-features "$work/long.pcm" > "$work/long.feat"
sm-am "$work/long.feat" > "$work/long.ll"
/usr/bin/time -f '%M' -o "$work/m1" sm-decode "$long" > /dev/null
/usr/bin/time -f '%M' -o "$work/m2" sm-features "$work/long.pcm" > /dev/null
/usr/bin/time -f '%M' -o "$work/m3" sm-am "$work/long.feat" > /dev/null
/usr/bin/time -f '%M' -o "$work/m4" sm-lattice "$work/long.ll" > /dev/null
pipe_kb=$(cat "$work/m1" "$work/m2" "$work/m3" "$work/m4" | awk '{ s += $1 } END { print s }')
lat_kb=$(cat "$work/m4")

secs() { awk -F "$tab" '{ s += $4 } END { printf "%.1f", s }' "$1"; }
cpu() { awk '{ printf "%.1f", $1 + $2 }' "$work/$1.time"; }
mb() { awk '{ printf "%.0f", $3 / 1024 }' "$work/$1.time"; }
rtf() { awk -v c="$1" -v s="$2" 'BEGIN { printf "%.3f", c / s }'; }

sa=$(secs "$ast") sl=$(secs "$lv")
ca=$(cpu ours_ast) cl=$(cpu ours_lv) pa=$(cpu ps_ast) pl=$(cpu ps_lv)
echo "## sm-lattice (the whole recognizer) against pocketsphinx_batch"
echo
echo "Ours: \`sm-decode F | sm-features | sm-am | sm-lattice\` per file, default options."
echo "pocketsphinx: \`pocketsphinx_batch -adcin yes -cepdir DIR -cepext .wav -adchdr 44 -ctl IDS -hyp OUT -hmm \$M/en-us -lm \$M/en-us.lm.bin -dict \$M/cmudict-en-us.dict\`, one process for the corpus."
echo "CPU = user + system of everything, start-up included; WER by tests/corpus/wer.py. The asterisk prompts are also the set the search was tuned on."
echo
echo "| corpus | words | WER ours | WER pocketsphinx | WER ratio | CPU s ours | CPU s pocketsphinx | RTF ours | RTF pocketsphinx | speed-up |"
echo "|---|---|---|---|---|---|---|---|---|---|"
row() { # name manifest ourhyp pshyp [cpu_ours cpu_ps secs]
	w=$(python3 "$here/tests/corpus/wer.py" "$2" "$3" | sed -n 's/.*words=\([0-9]*\).*/\1/p' | tail -1)
	wo=$(wer "$2" "$3") wp=$(wer "$2" "$4")
	wr=$(awk -v a="$wo" -v b="$wp" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	if [ $# -gt 4 ]; then
		printf '| %s | %s | %s%% | %s%% | %s | %s | %s | %s | %s | %s× |\n' "$1" "$w" "$wo" "$wp" \
			"$wr" "$5" "$6" "$(rtf "$5" "$7")" "$(rtf "$6" "$7")" \
			"$(awk -v a="$6" -v b="$5" 'BEGIN { printf "%.2f", a / b }')"
	else
		printf '| %s | %s | %s%% | %s%% | %s | | | | | |\n' "$1" "$w" "$wo" "$wp" "$wr"
	fi
}
row "asterisk-en 16 kHz ($(wc -l < "$ast") prompts, $sa s)" "$ast" "$work/ours_ast.hyp" "$work/ps_ast.hyp" "$ca" "$pa" "$sa"
row "  multi-word ($(wc -l < "$work/multi.tsv"))" "$work/multi.tsv" "$work/ours_ast.hyp" "$work/ps_ast.hyp"
row "  single-word ($(wc -l < "$work/single.tsv"))" "$work/single.tsv" "$work/ours_ast.hyp" "$work/ps_ast.hyp"
row "librivox (5, $sl s)" "$lv" "$work/ours_lv.hyp" "$work/ps_lv.hyp" "$cl" "$pl" "$sl"
echo
echo "Peak memory (max RSS): pocketsphinx_batch $(mb ps_ast) MB on asterisk; ours, the four stages of one"
echo "pipeline added up on the longest librivox file: $((pipe_kb / 1024)) MB, of which sm-lattice $((lat_kb / 1024)) MB;"
echo "largest single process of our asterisk run: $(mb ours_ast) MB."
echo
echo "Start-up (CPU seconds for 0.1 s of audio, median of 5): ours $(cat "$work/ours_su.startup") s for the"
echo "four processes, pocketsphinx_batch $(cat "$work/ps_su.startup") s. Ours pays it once per file in the table above."
echo "WER ratio = ours / pocketsphinx; speed-up = pocketsphinx CPU / ours. Run on $(date -u '+%Y-%m-%d %H:%M UTC')."


#!/bin/sh
# make bench section: speaker diarization on the sets of
# scripts/diar-corpus.sh (dev, held, long): per set the diarization error
# rate (scripts/der.py, md-eval's 0.25 s collar), the share of inputs whose
# number of speakers came out right, the share of single-speaker inputs given
# exactly one label, and sm-diarize's CPU against the whole pipeline's, one
# pipeline per input:
#   sm-decode X.wav | sm-features --cmn-window 0 --warp-by input --floor-window 0 | tee F | sm-am | sm-lattice --segment-min 30 | sm-diarize -F F
# every stage under /usr/bin/time; and sm-diarize's peak RSS on the 20-minute
# input.
# F is a FIFO (DIAR_FEAT=fifo, the default) or a regular file in the scratch
# directory (DIAR_FEAT=file); SM_DIARIZE_OPTS is passed to sm-diarize, e.g.
# "--sensitivity 0.6". With a FIFO, an sm-diarize that exits without opening
# F leaves tee waiting to open it: the run hangs rather than fails.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/sm-bench.XXXXXX")}
work=$tmp/diarize
export SM_MODELS="${SM_MODELS:-$here/models}" OPENBLAS_NUM_THREADS=1
PATH=$here/bin:$PATH
tab=$(printf '\t')
feat=${DIAR_FEAT:-fifo}
opts=${SM_DIARIZE_OPTS:-}
command -v sm-diarize >/dev/null 2>&1 ||
	{ echo "50-diarize.sh: sm-diarize not found in bin/ or PATH" >&2; exit 69; }
case $feat in
fifo | file) ;;
*) echo "50-diarize.sh: DIAR_FEAT must be fifo or file, got '$feat'" >&2; exit 64 ;;
esac
corpus=$tmp/diar-corpus
for s in dev held long small; do
	[ -s "$corpus/$s/list.tsv" ] || { sh "$here/scripts/diar-corpus.sh" "$corpus"; break; }
done
rm -rf "$work"
mkdir -p "$work"

# one WAV HYP TIMES: the pipeline on one input; appends one line to TIMES:
# "CPU-of-the-stages-before CPU-of-sm-diarize sm-diarize's-maxrss-KB".
one() {
	t=$work/t
	f=$work/f.feat
	rm -f "$f" "$t".*
	[ "$feat" = fifo ] && mkfifo "$f"
	# shellcheck disable=SC2086 # $opts: several options or none
	/usr/bin/time -f '%U %S %M' -o "$t.decode" sm-decode "$1" |
		/usr/bin/time -f '%U %S %M' -o "$t.features" sm-features --cmn-window 0 --warp-by input --floor-window 0 |
		/usr/bin/time -f '%U %S %M' -o "$t.tee" tee "$f" |
		/usr/bin/time -f '%U %S %M' -o "$t.am" sm-am |
		/usr/bin/time -f '%U %S %M' -o "$t.lattice" sm-lattice --segment-min 30 |
		/usr/bin/time -f '%U %S %M' -o "$t.diarize" sm-diarize -F "$f" $opts > "$2"
	# A failed stage leaves a hypothesis without its closing line.
	tail -n 1 "$2" | grep -qx '#end' ||
		{ echo "50-diarize.sh: $1: the pipeline failed (no #end in $2)" >&2; exit 70; }
	for s in decode features tee am lattice diarize; do
		# /usr/bin/time writes "Command exited with non-zero status" first.
		tail -n 1 "$t.$s" | sed "s/^/$s /"
	done | awk '$1 == "diarize" { d = $2 + $3; m = $4; next } { c += $2 + $3 }
		END { printf "%.2f %.2f %d\n", c, d, m }' >> "$3"
	rm -f "$f"
}

# run SET: every input of the set; one table row.
run() {
	d=$work/$1
	mkdir -p "$d"
	: > "$d/times"
	while IFS="$tab" read -r name wav _; do
		one "$wav" "$d/$name.hyp" "$d/times" < /dev/null
	done < "$corpus/$1/list.tsv"
	python3 "$here/scripts/der.py" --manifest "$corpus/$1/list.tsv" "$d" > "$d/der.tsv"
	summary=$(tail -n 1 "$d/der.tsv")
	der=$(echo "$summary" | sed -n 's/^DER=\([^ ]*\) .*/\1/p')
	spk=$(echo "$summary" | sed -n 's/.* speaker_count_ok=\([^ ]*\).*/\1/p')
	single=$(echo "$summary" | sed -n 's/.* single_one_label=\([^ ]*\).*/\1/p')
	n=$(wc -l < "$corpus/$1/list.tsv")
	secs=$(awk -F "$tab" '{ s += $4 } END { printf "%.1f", s }' "$corpus/$1/list.tsv")
	awk -v set="$1" -v n="$n" -v secs="$secs" -v der="$der" -v spk="$spk" -v single="$single" '
		{ c += $1 + $2; d += $2; if ($3 > m) m = $3 }
		END { printf "| %s | %d | %s | %s | %s | %s | %.2f | %.2f | %.1f%% | %.1f |\n",
			set, n, secs, der, spk, single, d, c, c ? 100 * d / c : 0, m / 1024 }' "$d/times"
}

echo "## Speaker diarization: sm-diarize on the diar-corpus.sh sets"
echo
echo "One pipeline per input, \`sm-decode X | sm-features --cmn-window 0 --warp-by input --floor-window 0 | tee F | sm-am | sm-lattice --segment-min 30 | sm-diarize -F F\`"
echo "(F a $feat${opts:+, sm-diarize $opts}); DER by scripts/der.py (md-eval, 0.25 s collar, one RTTM line per clip)."
echo "CPU = user + system s; pipeline = all stages and tee, sm-diarize included; the target share is at most 15%."
echo
echo "| set | inputs | audio s | DER | speaker count right | single speaker, one label | CPU s sm-diarize | CPU s pipeline | sm-diarize share | sm-diarize peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|---|---|"
run dev
run held
run long
echo

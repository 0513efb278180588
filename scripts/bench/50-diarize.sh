#!/bin/sh
# make bench section: speaker diarization on the sets of
# scripts/diar-corpus.sh (dev, held, long): per set the diarization error
# rate (scripts/der.py, md-eval's 0.25 s collar), the share of inputs whose
# number of speakers came out right, the share of single-speaker inputs given
# exactly one label, and the diarization's CPU against the whole pipeline's,
# one pipeline per input, as sm-transcribe runs it:
#   sm-decode X.wav | tee P | sm-features | sm-am | sm-lattice --segment-min 30 | sm-diarize -F F
#   sm-features --cmn-window 0 --warp-by input --floor-window 0 < P | tee > F
# every stage under /usr/bin/time (the diarization's CPU: sm-diarize, its
# sm-features and the two tees); and sm-diarize's peak RSS on the 20-minute
# input.
# F is a FIFO (DIAR_FEAT=fifo, the default) or a regular file in the scratch
# directory (DIAR_FEAT=file); SM_DIARIZE_OPTS is passed to sm-diarize, e.g.
# "--sensitivity 0.6"; DIAR_LATTICE_OPTS replaces sm-lattice's options
# (default --segment-min 30, as sm-transcribe runs it). With a FIFO, an sm-diarize that exits without opening
# F leaves tee waiting to open it: the run hangs rather than fails.
# Then, per set, DER and count by the reference's number of speakers.
#
# DIAR_KEEP=DIR, to try sm-diarize again without the recogniser: an input
# whose DIR/SET/NAME.feat and NAME.hyp (the FEAT stream and sm-lattice's
# best path) are there is not recognised again, only sm-diarize runs on
# them (the pipeline's CPU is then sm-diarize's alone: the share column says
# nothing); an input without them runs the whole pipeline, tee writing the
# FEAT stream to the kept file too, and keeps both there.  The DER and counts are the same either way.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/sm-bench.XXXXXX")}
work=$tmp/diarize
export SM_MODELS="${SM_MODELS:-$here/models}" OPENBLAS_NUM_THREADS=1
PATH=$here/bin:$PATH
tab=$(printf '\t')
feat=${DIAR_FEAT:-fifo}
opts=${SM_DIARIZE_OPTS:-}
lopts=${DIAR_LATTICE_OPTS---segment-min 30}
command -v sm-diarize >/dev/null 2>&1 ||
	{ echo "50-diarize.sh: sm-diarize not found in bin/ or PATH" >&2; exit 69; }
case $feat in
fifo | file) ;;
*) echo "50-diarize.sh: DIAR_FEAT must be fifo or file, got '$feat'" >&2; exit 64 ;;
esac
keep=${DIAR_KEEP:-}
[ -z "$keep" ] || mkdir -p "$keep" ||
	{ echo "50-diarize.sh: DIAR_KEEP: cannot make $keep" >&2; exit 73; }
corpus=$tmp/diar-corpus
for s in dev held long small; do
	[ -s "$corpus/$s/list.tsv" ] || { sh "$here/scripts/diar-corpus.sh" "$corpus"; break; }
done
rm -rf "$work"
mkdir -p "$work"

# one WAV HYP TIMES [KEPT]: the pipeline on one input; appends one line to
# TIMES: "CPU-of-the-stages-before CPU-of-sm-diarize sm-diarize's-maxrss-KB".
# KEPT: DIAR_KEEP's DIR/SET/NAME, without the suffixes .feat and .hyp.
one() {
	t=$work/t
	f=$work/f.feat
	p=$work/p.pcm
	rm -f "$f" "$p" "$t".*
	stages="decode tee features am lattice diarize features2 tee2"
	if [ -n "${4:-}" ] && [ -s "$4.feat" ] && [ -s "$4.hyp" ]; then
		stages=diarize
		# shellcheck disable=SC2086 # $opts: several options or none
		/usr/bin/time -f '%U %S %M' -o "$t.diarize" sm-diarize -F "$4.feat" $opts < "$4.hyp" > "$2"
	else
		[ "$feat" = fifo ] && mkfifo "$f"
		mkfifo "$p"
		# sm-diarize's features, of their own, from a copy of the PCM.
		{ /usr/bin/time -f '%U %S %M' -o "$t.features2" sm-features --cmn-window 0 --warp-by input --floor-window 0 < "$p" |
			/usr/bin/time -f '%U %S %M' -o "$t.tee2" tee ${4:+"$4.feat"} > "$f"; } &
		# shellcheck disable=SC2086 # $opts: several options or none
		/usr/bin/time -f '%U %S %M' -o "$t.decode" sm-decode "$1" |
			/usr/bin/time -f '%U %S %M' -o "$t.tee" tee "$p" |
			/usr/bin/time -f '%U %S %M' -o "$t.features" sm-features |
			/usr/bin/time -f '%U %S %M' -o "$t.am" sm-am |
			/usr/bin/time -f '%U %S %M' -o "$t.lattice" sm-lattice $lopts |
			{ if [ -n "${4:-}" ]; then tee "$4.hyp.new"; else cat; fi; } |
			/usr/bin/time -f '%U %S %M' -o "$t.diarize" sm-diarize -F "$f" $opts > "$2"
		wait
		[ -z "${4:-}" ] || mv "$4.hyp.new" "$4.hyp"
	fi
	# A failed stage leaves a hypothesis without its closing line.
	tail -n 1 "$2" | grep -qx '#end' ||
		{ echo "50-diarize.sh: $1: the pipeline failed (no #end in $2)" >&2; exit 70; }
	for s in $stages; do
		# /usr/bin/time writes "Command exited with non-zero status" first.
		tail -n 1 "$t.$s" | sed "s/^/$s /"
	done | awk '$1 == "diarize" { m = $4 }
		$1 ~ /^(diarize|features2|tee|tee2)$/ { d += $2 + $3; next } { c += $2 + $3 }
		END { printf "%.2f %.2f %d\n", c, d, m }' >> "$3"
	rm -f "$f" "$p"
}

# run SET: every input of the set; one table row.
run() {
	d=$work/$1
	mkdir -p "$d"
	: > "$d/times"
	[ -z "$keep" ] || mkdir -p "$keep/$1"
	while IFS="$tab" read -r name wav _; do
		one "$wav" "$d/$name.hyp" "$d/times" ${keep:+"$keep/$1/$name"} < /dev/null
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
echo "One pipeline per input, \`sm-decode X | tee P | sm-features | sm-am | sm-lattice $lopts | sm-diarize -F F\`"
echo "with \`sm-features --cmn-window 0 --warp-by input --floor-window 0 < P | tee > F\` beside it"
echo "(F a $feat${opts:+, sm-diarize $opts}); DER by scripts/der.py (md-eval, 0.25 s collar, one RTTM line per clip)."
[ -z "$keep" ] || echo "With DIAR_KEEP=$keep: the inputs whose FEAT stream and best path were kept there ran sm-diarize alone (CPU: its own)."
echo "CPU = user + system s; diarization = sm-diarize, its sm-features and the two tees; pipeline = all of it and the"
echo "other stages; the target share is at most 15%."
echo
echo "| set | inputs | audio s | DER | speaker count right | single speaker, one label | CPU s diarization | CPU s pipeline | diarization share | sm-diarize peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|---|---|"
run dev
run held
run long
echo
echo "By the reference's number of speakers (each set's der.tsv; DER of the inputs together, counts right):"
echo
echo "| set | two speakers: DER, count right | three or four | one |"
echo "|---|---|---|---|"
for s in dev held long; do
	awk -F "$tab" -v set="$s" '
		NR > 1 && $2 ~ /^[0-9]+$/ {
			k = $2 >= 3 ? 3 : $2
			sc[k] += $4; e[k] += $5 + $6 + $7; n[k]++; ok[k] += $2 == $3
		}
		function cell(k) {
			return n[k] ? sprintf("%.2f%%, %d/%d", 100 * e[k] / sc[k], ok[k], n[k]) : "-"
		}
		END { printf "| %s | %s | %s | %s |\n", set, cell(2), cell(3), cell(1) }' "$work/$s/der.tsv"
done
echo

#!/bin/sh
# make bench section: sm-transcribe with operating_point "enhanced" (two
# passes, the second on features adapted by sm-adapt to the first's words)
# against "standard" (one pass) and pocketsphinx_batch, on the sets of
# 40-sets.sh and 30-lattice.sh: word error rate and CPU of whole jobs, one
# job per file, the standard and the enhanced job of each file run back to
# back (so that the CPU ratio is measured under the same load).
# ENHANCED_SETS="a16 lv ...": only the sets named (default: all ten), e.g.
# two halves side by side on two cores with one BENCH_TMP, started once
# its sets are built (ENHANCED_SETS=- builds them and runs none).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/sm-bench.XXXXXX")}
work=$tmp/enhanced
export SM_MODELS="${SM_MODELS:-$here/models}" OPENBLAS_NUM_THREADS=1
PATH=$here/bin:$PATH
tab=$(printf '\t')
mkdir -p "$work"
. "$here/scripts/bench-lib.sh"
sets=$tmp/sets
prompt_sets
[ -s "$sets/long-noise/manifest.tsv" ] || long_set noise "$sets/multi.tsv" "$sets/long-noise"
[ -s "$sets/long-silence/manifest.tsv" ] || long_set silence "$sets/multi.tsv" "$sets/long-silence"
[ -s "$sets/mixed/manifest.tsv" ] || mixed_set "$sets/multi.tsv" "$tmp/asterisk8" "$sets/mixed"

for op in standard enhanced; do
	printf '{"type": "transcription", "transcription_config": {"language": "en", "operating_point": "%s"}}\n' \
		"$op" > "$work/$op.json"
done

# run NAME MANIFEST: the three recognisers on the set; one table row
# (none when ENHANCED_SETS leaves the set out).
run() {
	case " ${ENHANCED_SETS:-$1} " in *" $1 "*) ;; *) return 0 ;; esac
	d=$work/$1
	mkdir -p "$d"
	: > "$d/standard.hyp"
	: > "$d/enhanced.hyp"
	: > "$d/standard.time"
	: > "$d/enhanced.time"
	while IFS="$tab" read -r id wav _; do
		for op in standard enhanced; do
			python3 "$here/scripts/bench/rusage.py" -a -f '%U %S' -o "$d/$op.time" \
				sm-transcribe --no-progress --job-config "$work/$op.json" "$wav" > "$d/job.json"
			printf '%s\t%s\n' "$id" "$(jq -r '[.results[] | select(.type == "word")
				| .alternatives[0].content] | join(" ")' "$d/job.json")" >> "$d/$op.hyp"
		done
	done < "$2"
	ps_set "$2" "$d"
	secs=$(awk -F "$tab" '{ s += $4 } END { printf "%.1f", s }' "$2")
	ws=$(wer_of "$2" "$d/standard.hyp")
	we=$(wer_of "$2" "$d/enhanced.hyp")
	wp=$(wer_of "$2" "$d/ps.hyp")
	cs=$(awk '{ s += $1 + $2 } END { printf "%.1f", s }' "$d/standard.time")
	ce=$(awk '{ s += $1 + $2 } END { printf "%.1f", s }' "$d/enhanced.time")
	cp=$(awk '{ printf "%.1f", $2 + $3 }' "$d/ps.time")
	r=$(awk -v e="$ce" -v s="$cs" 'BEGIN { printf "%.2f", e / s }')
	rp=$(awk -v e="$ce" -v p="$cp" 'BEGIN { printf "%.2f", p / e }')
	echo "| $1 ($(wc -l < "$2"), $secs s) | $ws% | $we% | $wp% | $cs | $ce | ${r}x | $cp | ${rp}x |"
}

echo "## 45-enhanced.sh: operating_point \"enhanced\" (two passes) against \"standard\" and pocketsphinx_batch"
echo
echo "Ours: \`sm-transcribe --job-config C F\` per file, C's \`operating_point\` \"standard\" or \"enhanced\", the two"
echo "jobs of a file back to back; WER of the words of the json-v2 transcript by tests/corpus/wer.py;"
echo "pocketsphinx_batch as in 40-sets.sh. CPU = user + system s of the whole job (the config check, the shell, every stage), to the"
echo "microsecond (scripts/bench/rusage.py; GNU time cuts each job's down to 10 ms)."
echo
echo "| set | WER standard | WER enhanced | WER pocketsphinx | CPU s standard | CPU s enhanced | enhanced / standard | CPU s pocketsphinx | pocketsphinx / enhanced |"
echo "|---|---|---|---|---|---|---|---|---|"
run a16 "$tmp/asterisk16/manifest.tsv"
run a8 "$tmp/asterisk8/manifest.tsv"
run lv "$tmp/librivox/manifest.tsv"
run long "$sets/long-noise/manifest.tsv"
run silence "$sets/long-silence/manifest.tsv"
run voices "$sets/voices/manifest.tsv"
run voicescut "$sets/voices/parts.tsv"
run mixed "$sets/mixed/manifest.tsv"
run mixedcut "$sets/mixed/parts.tsv"
run short "$sets/short/manifest.tsv"
echo
echo "Run on $(date -u '+%Y-%m-%d %H:%M UTC')."

#!/bin/sh
# make bench section: channel diarization's wall time.  A two-channel WAV
# (two different recordings of about 90 s, asterisk-en prompts joined, one
# per channel) through sm-transcribe --parallel 2 with "diarization":
# "channel", against each channel alone as a plain job, in the same run.
# The target: at most 1.2 times the slower channel alone on two cores.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/sm-bench.XXXXXX")}
work=$tmp/channels
export SM_MODELS="${SM_MODELS:-$here/models}" OPENBLAS_NUM_THREADS=1
PATH=$here/bin:$PATH
ast=/usr/share/asterisk/sounds/en_US_f_Allison
mkdir -p "$work/p"

# The prompts in name order, decoded to 16 kHz: the first ones joined until
# 90 s make channel A, the next ones channel B.
join() { # OUT.wav FIRST_INDEX: prints the index after the last prompt used
	_i=0 _n=0 _s=0
	set -- "$1" "$2"
	_out=$1 _from=$2
	set --
	for g in "$ast"/*.g722; do
		_i=$((_i + 1))
		[ "$_i" -ge "$_from" ] || continue
		w=$work/p/$_i.wav
		[ -s "$w" ] || ffmpeg -nostdin -loglevel error -f g722 -i "$g" -ac 1 -ar 16000 -y "$w"
		set -- "$@" "$w"
		_s=$(awk -v s="$_s" -v d="$(soxi -D "$w")" 'BEGIN { print s + d }')
		if awk -v s="$_s" 'BEGIN { exit !(s >= 90) }'; then break; fi
	done
	sox "$@" "$_out"
	echo $((_i + 1))
}
next=$(join "$work/a.wav" 1)
join "$work/b.wav" "$next" >/dev/null
sox -M "$work/a.wav" "$work/b.wav" "$work/two.wav"
secs=$(soxi -D "$work/two.wav")
printf '{"type": "transcription", "transcription_config": {"language": "en", "diarization": "channel"}}\n' \
	>"$work/channel.json"

# An sm-format that does not read the channel= attributes yet gets the
# stream without them (said in the output): the cost measured is the
# channels' pipelines, not the formatting.
fmt_note=
if ! printf '#sm-hyp 1\n0.000\t0.100\t1.000\tword\ta\tchannel=x\n#end\n' | sm-format >/dev/null 2>&1; then
	export SM_STAGE_FORMAT='cut -f 1-5 | sm-format "$@"'
	fmt_note=" This tree's sm-format did not read \`channel=\` yet, so the job ran with \`SM_STAGE_FORMAT='cut -f 1-5 | sm-format \"\$@\"'\`."
fi

# Median of 3 runs: "wall cpu" in seconds (CPU: the job and all its stages).
run3() {
	for _ in 1 2 3; do
		/usr/bin/time -f '%e %U %S' -o "$work/t" "$@" >"$work/out.json" </dev/null
		awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$work/t"
	done | sort -n | sed -n 2p
}
a=$(run3 sm-transcribe "$work/a.wav")
b=$(run3 sm-transcribe "$work/b.wav")
two=$(run3 sm-transcribe --parallel 2 --job-config "$work/channel.json" "$work/two.wav")
words=$(jq '[.results[] | select(.type == "word")] | length' "$work/out.json")
[ "$words" -gt 0 ] || { echo "55-channels.sh: the two-channel job failed" >&2; exit 1; }

echo "## 55-channels.sh: channel diarization, two channels side by side"
echo
echo "A two-channel WAV of $(printf '%.1f' "$secs") s: channel 1 and channel 2 are two different runs of asterisk-en"
echo "prompts (16 kHz) joined to about 90 s each. Each channel alone is a plain job (\`sm-transcribe A.wav\`); the"
echo "two-channel file is one job with \`\"diarization\": \"channel\"\` and \`--parallel 2\` (each channel's pipeline"
echo "on one thread). Median of 3 runs each, all in the same run; CPU = user + system of the job and its stages.$fmt_note"
echo
echo "| job | wall s | CPU s |"
echo "|---|---|---|"
echo "$a" | awk '{ printf "| channel 1 alone | %.2f | %.2f |\n", $1, $2 }'
echo "$b" | awk '{ printf "| channel 2 alone | %.2f | %.2f |\n", $1, $2 }'
echo "$two" | awk '{ printf "| both, channel diarization, --parallel 2 | %.2f | %.2f |\n", $1, $2 }'
echo
echo "$a $b $two" | awk -v n="$(nproc)" -v w="$words" '{ m = $1 > $3 ? $1 : $3
	printf "Wall time of the two-channel job over the slower channel alone: %.2f (target at most 1.2 on two cores;\n", $5 / m
	printf "%d CPUs here). The two-channel transcript has %d words.\n", n, w }'
echo
echo "Load average when measured: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs."

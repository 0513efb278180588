#!/bin/sh
# sm-decode: throughput and peak memory decoding 10 minutes of real speech
# (asterisk prompts and librivox clips, concatenated with sox) read from a
# pipe, as a 16 kHz WAV, a 44.1 kHz stereo FLAC and an MP3.
set -eu
dir=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/decode.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
sox $(ls /usr/share/asterisk/sounds/en_US_f_Allison/*.wav | head -200) \
	-r 16000 "$dir/ast.wav"
sox "$dir/ast.wav" /usr/share/pocketsphinx/test/data/librivox/*.wav \
	"$dir/long16.wav" trim 0 600
sox "$dir/long16.wav" -r 44100 -c 2 "$dir/long44.flac"
ffmpeg -nostdin -loglevel error -i "$dir/long16.wav" -c:a libmp3lame -b:a 64k "$dir/long.mp3"
echo "## sm-decode"
echo
echo "600 s of speech piped in (\`cat FILE | sm-decode > /dev/null\`, \`/usr/bin/time\`), 16 kHz mono out:"
echo
echo "| input | quality | wall s | audio s / s | max RSS MB |"
echo "|---|---|---|---|---|"
for case in "long16.wav medium" "long44.flac medium" "long44.flac best" "long.mp3 medium"; do
	set -- $case
	cat "$dir/$1" | /usr/bin/time -f '%e %M' -o "$dir/t" sm-decode -q "$2" > /dev/null
	read -r secs kb < "$dir/t"
	awk -v f="$1" -v q="$2" -v s="$secs" -v k="$kb" 'BEGIN {
		printf "| %s | %s | %.2f | %.0f | %.1f |\n", f, q, s, (s > 0 ? 600 / s : 0), k / 1024 }'
done

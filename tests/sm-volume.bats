#!/usr/bin/env bats
# Audio filtering: sm-decode --volume-threshold, sm-volume, and the job
# config's audio_filtering_config through sm-transcribe, on real voices: two
# asterisk prompts (-17 dB RMS) in turn with two LibriVox utterances made
# 30 dB quieter, the quiet voice in the loud one's pauses.
load test_helper

LV=$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb

# The turns of mix.wav, in seconds: loud 0-3.29, quiet 3.59-10.69, loud
# 10.99-15.59, quiet 15.89-18.88 (0.3 s of faint pink noise between).
setup_file() {
	d=$BATS_FILE_TMPDIR
	asterisk16 agent-newlocation "$d/a1.wav" auth-incorrect "$d/a2.wav"
	sox "$LV-0870.wav" "$d/q1.wav" vol -30dB
	sox "$LV-0880.wav" "$d/q2.wav" vol -30dB
	sox -R -n -r 16000 -c 1 -b 16 "$d/gap.wav" synth 0.3 pinknoise vol 0.003
	sox "$d/a1.wav" "$d/gap.wav" "$d/q1.wav" "$d/gap.wav" "$d/a2.wav" "$d/gap.wav" "$d/q2.wav" "$d/mix.wav"
	# The two voices side by side, one a channel.
	sox -M "$d/a1.wav" "$d/q1.wav" "$d/stereo.wav"
	for c in none:'' empty:', "audio_filtering_config": {}' \
		t34:', "audio_filtering_config": {"volume_threshold": 3.4}' \
		speaker:', "diarization": "speaker", "audio_filtering_config": {}' \
		channel:', "diarization": "channel", "audio_filtering_config": {}'; do
		printf '{"type": "transcription", "transcription_config": {"language": "en"%s}}\n' \
			"${c#*:}" >"$d/${c%%:*}.json"
	done
	sm-transcribe --job-config "$d/none.json" "$d/mix.wav" >"$d/none.out"
	sm-transcribe --job-config "$d/empty.json" "$d/mix.wav" >"$d/empty.out"
	sm-transcribe --job-config "$d/t34.json" "$d/mix.wav" >"$d/t34.out"
}

setup() {
	setup_scratch
	D=$BATS_FILE_TMPDIR
}

# The words of a json-v2 transcript, one a line: START END VOLUME WORD
# (VOLUME null when the result has none).
words() { # JSON
	jq -r '.results[] | select(.type == "word") |
		"\(.start_time) \(.end_time) \(.volume) \(.alternatives[0].content)"' "$1"
}
# Only the words whose middle falls in the quiet voice's turns, or the loud one's.
quiet() { words "$1" | awk '{ m = ($1 + $2) / 2 } (m > 3.59 && m < 10.69) || (m > 15.89 && m < 18.88)'; }
loud() { words "$1" | awk '{ m = ($1 + $2) / 2 } (m < 3.29) || (m > 10.99 && m < 15.59)'; }

@test "sm-volume --help and --version print to stdout and exit 0" {
	run -0 sm-volume --help
	assert_line --index 0 "sm-volume: label the words of a #sm-hyp 1 best path with their volume (0..100)"
	run -0 sm-volume --version
	assert_output --regexp '^sm-volume [0-9]'
}

# mix.wav's PCM as is (a.raw) and through sm-decode with OPTIONS (b.raw).
gate_pair() { # OPTIONS...
	sm-decode "$D/mix.wav" | tail -c +49 >"$SCRATCH/a.raw"
	sm-decode "$@" "$D/mix.wav" | tail -c +49 >"$SCRATCH/b.raw"
}

# gate_check HOLD_MS A B: is stream B, A through the gate at 3.4, A's own
# chunks of 10 ms where one chunk within HOLD_MS (either side, rounded up
# to whole chunks) has a volume (100 x RMS / 32768) of 3.4 or more, and
# faint noise within +-16 in the others?  Prints the chunks cut, kept, and
# kept though below 3.4.
gate_check() {
	python3 - "$@" <<'EOF'
import array, math, sys
hold = (int(sys.argv[1]) + 9) // 10
a, b = array.array("h"), array.array("h")
a.frombytes(open(sys.argv[2], "rb").read())
b.frombytes(open(sys.argv[3], "rb").read())
assert len(a) == len(b) and len(a) > 16000
chunks = [(i, a[i:i + 160]) for i in range(0, len(a), 160)]
vol = [100 * math.sqrt(sum(v * v for v in x) / len(x)) / 32768 for _, x in chunks]
cut = kept = held = 0
for k, (i, x) in enumerate(chunks):
    y = b[i:i + 160]
    if max(vol[max(0, k - hold):k + hold + 1]) < 3.4:
        assert all(abs(v) <= 16 for v in y), i
        cut += 1
    else:
        assert x == y, i
        kept += 1
        held += vol[k] < 3.4
print(cut, kept, held)
EOF
}

@test "sm-decode --volume-threshold (hold 200 ms): a 10 ms chunk is faint noise within +-16 when no chunk within 200 ms either side reaches the threshold (100 x RMS / 32768), else unchanged" {
	gate_pair --volume-threshold 3.4
	run -0 gate_check 200 "$SCRATCH/a.raw" "$SCRATCH/b.raw"
	# Chunks cut, kept, and kept by the hold alone all occur: the test
	# compares something.
	read -r cut kept held <<<"$output"
	[ "$cut" -gt 100 ] && [ "$kept" -gt 100 ] && [ "$held" -gt 20 ]
}

@test "sm-decode --volume-threshold --volume-hold 0: every 10 ms chunk under the threshold is faint noise within +-16, every other is unchanged" {
	gate_pair --volume-threshold 3.4 --volume-hold 0
	run -0 gate_check 0 "$SCRATCH/a.raw" "$SCRATCH/b.raw"
	read -r cut kept held <<<"$output"
	[ "$cut" -gt 100 ] && [ "$kept" -gt 100 ] && [ "$held" -eq 0 ]
}

@test "sm-decode --volume-hold 45 rounds up to 5 whole chunks either side" {
	gate_pair --volume-threshold 3.4 --volume-hold 45
	run -0 gate_check 50 "$SCRATCH/a.raw" "$SCRATCH/b.raw"
	read -r cut kept held <<<"$output"
	[ "$held" -gt 5 ]
	run -1 gate_check 40 "$SCRATCH/a.raw" "$SCRATCH/b.raw"
}

@test "sm-decode --all-channels --volume-threshold judges each channel on its own: the quiet channel becomes faint noise, the loud one keeps its speech" {
	sm-decode --all-channels --volume-threshold 3.4 "$D/stereo.wav" | tail -c +49 >"$SCRATCH/st.raw"
	sm-decode --all-channels "$D/stereo.wav" | tail -c +49 >"$SCRATCH/st0.raw"
	run -0 python3 - "$SCRATCH/st0.raw" "$SCRATCH/st.raw" <<'EOF'
import array, sys
a, b = array.array("h"), array.array("h")
a.frombytes(open(sys.argv[1], "rb").read())
b.frombytes(open(sys.argv[2], "rb").read())
left = sum(1 for i in range(0, len(a), 2) if a[i] == b[i] and abs(a[i]) > 1000)
right = max(abs(v) for v in b[1::2])
quiet = max(abs(v) for v in a[1::2])
print(left, right, quiet)
EOF
	read -r left right quiet <<<"$output"
	# The quiet reader peaks well above the noise before, at most 16 after.
	[ "$quiet" -gt 100 ] && [ "$right" -le 16 ] && [ "$left" -gt 1000 ]
}

@test "sm-decode --volume-threshold 0 writes the same stream as no threshold" {
	cmp <(sm-decode --volume-threshold 0 "$D/mix.wav") <(sm-decode "$D/mix.wav")
}

@test "sm-decode rejects a threshold outside 0..100 or not a number with one line, exit 64" {
	for t in 101 -1 abc; do
		run -64 --separate-stderr sm-decode --volume-threshold "$t" "$D/mix.wav"
		[ "$stderr" = "sm-decode: --volume-threshold: expected a number from 0 to 100, got '$t'" ]
		[ -z "$output" ]
	done
}

@test "sm-decode rejects a hold outside 0..1000 ms or not a whole number with one line, exit 64" {
	for h in 1001 -1 1.5 abc; do
		run -64 --separate-stderr sm-decode --volume-threshold 3.4 --volume-hold "$h" "$D/mix.wav"
		[ "$stderr" = "sm-decode: --volume-hold: expected an integer from 0 to 1000, got '$h'" ]
		[ "${#stderr_lines[@]}" -eq 1 ] && [ -z "$output" ]
	done
}

@test "unfiltered, words are decoded in the quiet voice's turns; volume_threshold 3.4 removes them all and keeps the loud voice's words" {
	n_none=$(quiet "$D/none.out" | wc -l)
	[ "$n_none" -ge 1 ]
	run -0 quiet "$D/t34.out"
	assert_output ''
	# The prompts say 18 words; unfiltered and filtered find about as many.
	l_none=$(loud "$D/none.out" | wc -l)
	l_t34=$(loud "$D/t34.out" | wc -l)
	[ "$l_none" -ge 16 ] && [ "$l_t34" -ge 16 ] && [ "$l_t34" -le 22 ]
}

@test "an empty audio_filtering_config gives every word a volume, the loud voice's above 5 and the quiet one's below 1, and the same words as no config" {
	run -0 jq -e '[.results[] | select(.type == "word") | .volume | numbers] | length > 20' "$D/empty.out"
	run -0 jq -e '[.results[] | select(.type == "word" and (.volume | type) != "number")] | length == 0' "$D/empty.out"
	run -0 jq -e '[.results[] | select(.type == "punctuation" and has("volume"))] | length == 0' "$D/empty.out"
	loud "$D/empty.out" | awk '{ n++ } !($3 > 5 && $3 <= 100) { exit 1 } END { exit !n }'
	quiet "$D/empty.out" | awk '{ n++ } !($3 >= 0 && $3 < 1) { exit 1 } END { exit !n }'
	diff <(words "$D/none.out" | cut -d' ' -f1,2,4) <(words "$D/empty.out" | cut -d' ' -f1,2,4)
}

@test "without audio_filtering_config no result has a volume" {
	run -0 jq -e '[.results[] | select(has("volume"))] | length == 0' "$D/none.out"
	run -0 jq -e '.results | length > 10' "$D/none.out"
}

@test "speaker diarization and word volumes together: every word has both" {
	run -0 sm-transcribe --job-config "$D/speaker.json" "$D/mix.wav"
	echo "$output" >"$SCRATCH/out"
	run -0 jq -e '[.results[] | select(.type == "word")] | length > 20 and
		all(.[]; (.volume | type) == "number" and (.alternatives[0].speaker | test("^S[0-9]+$")))' "$SCRATCH/out"
}

@test "channel diarization with an empty audio_filtering_config gives each channel's words their own volumes" {
	run -0 sm-transcribe --job-config "$D/channel.json" "$D/stereo.wav"
	echo "$output" >"$SCRATCH/out"
	run -0 jq -r '.results[] | select(.type == "word") | "\(.channel) \(.volume)"' "$SCRATCH/out"
	# Channel 1 the loud prompt, channel 2 the quiet reader.
	echo "$output" | awk '$2 == "1" { n1++; if (!($3 > 5)) exit 1 }
		$2 == "2" { n2++; if (!($3 < 1)) exit 1 } END { exit !(n1 >= 5 && n2 >= 1) }'
}

@test "sm-volume writes the hypothesis back with volume= on each word, nothing on pauses and noises" {
	sm-decode "$D/a1.wav" >"$SCRATCH/a.pcm"
	sm-features <"$SCRATCH/a.pcm" | sm-am | sm-lattice >"$SCRATCH/a.hyp"
	run -0 sm-volume -A "$SCRATCH/a.pcm" "$SCRATCH/a.hyp"
	diff <(echo "$output" | sed 's/\tvolume=[0-9]*\.[0-9][0-9]$//') "$SCRATCH/a.hyp"
	echo "$output" | awk -F '\t' '$4 == "word" { n++; if ($6 !~ /^volume=[0-9]+\.[0-9][0-9]$/ || NF != 6) exit 1 }
		$4 == "sil" || $4 == "filler" { if (NF != 5) exit 1 } END { exit !(n >= 5) }'
}

@test "sm-volume: a FEAT stream as -A, a stereo PCM stream, a word after the end of the audio, a word with volume= already: one line each, exit 65, no output" {
	sm-decode "$D/a1.wav" >"$SCRATCH/a1.pcm"
	sm-decode "$D/mix.wav" >"$SCRATCH/mix.pcm"
	sm-features <"$SCRATCH/mix.pcm" | tee "$SCRATCH/mix.feat" | sm-am | sm-lattice >"$SCRATCH/mix.hyp"
	run -65 --separate-stderr sm-volume -A "$SCRATCH/mix.feat" "$SCRATCH/mix.hyp"
	[ "$stderr" = "sm-volume: $SCRATCH/mix.feat: expected PCM stream, got FEAT" ] && [ -z "$output" ]
	sm-decode --all-channels "$D/stereo.wav" >"$SCRATCH/st.pcm"
	run -65 --separate-stderr sm-volume -A "$SCRATCH/st.pcm" "$SCRATCH/mix.hyp"
	[ "$stderr" = "sm-volume: $SCRATCH/st.pcm: expected mono int16 PCM, got 2 channels (sm-decode without --all-channels)" ]
	[ -z "$output" ]
	run -65 --separate-stderr sm-volume -A "$SCRATCH/a1.pcm" "$SCRATCH/mix.hyp"
	[[ "$stderr" == "sm-volume: $SCRATCH/mix.hyp: line "*": a word at "*" s, after the end of the audio (3.290 s): not the same recording?" ]]
	[ -z "$output" ]
	sm-volume -A "$SCRATCH/mix.pcm" "$SCRATCH/mix.hyp" >"$SCRATCH/v.hyp"
	run -65 --separate-stderr sm-volume -A "$SCRATCH/mix.pcm" "$SCRATCH/v.hyp"
	[[ "$stderr" == "sm-volume: $SCRATCH/v.hyp: line "*": already has a volume= field" ]] && [ -z "$output" ]
}

@test "sm-volume: no -A is a usage error (64); -A - with the hypothesis on stdin too is one (64); a missing file is 66" {
	run -64 --separate-stderr sm-volume
	[ "${stderr_lines[0]}" = "sm-volume: --audio: missing (the PCM stream of the same audio)" ]
	run -64 --separate-stderr sm-volume -A -
	[ "${stderr_lines[0]}" = "sm-volume: --audio -: stdin already carries the hypothesis" ]
	run -66 --separate-stderr sm-volume -A "$SCRATCH/none.pcm" </dev/null
	[ "$stderr" = "sm-volume: $SCRATCH/none.pcm: No such file or directory" ] && [ -z "$output" ]
}

@test "sm-format writes volume=V as the result's \"volume\" and rejects a volume outside 0..100 (65)" {
	hyp=$(printf '#sm-hyp 1\n0.100\t0.400\t0.900\tword\tgo\tvolume=12.34\n0.400\t0.800\t0.900\tword\tforward\n#end')
	run -0 sm-format <<<"$hyp"
	echo "$output" | jq -e '.results[0].volume == 12.34 and (.results[1] | has("volume") | not)'
	run -65 --separate-stderr sm-format <<<"${hyp/12.34/100.5}"
	[ "$stderr" = "sm-format: <stdin>: line 2: volume must be a number from 0 to 100" ] && [ -z "$output" ]
}

@test "SM_STAGE_VOLUME replaces sm-volume: it gets -A /dev/fd/3, the PCM stream, and its volume= reach the transcript" {
	SM_STAGE_VOLUME='cat <"$2" >/dev/null & awk -F "\t" '\''$4 == "word" { $0 = $0 "\tvolume=42.00" } 1'\''; wait' \
		run -0 --separate-stderr sm-transcribe --job-config "$D/empty.json" "$D/a1.wav"
	echo "$output" | jq -e '[.results[] | select(.type == "word")] | length >= 5 and all(.[]; .volume == 42)'
}

@test "a failing sm-volume fails the job with its own exit status and line, and no transcript" {
	# A replacement reads both its inputs to their ends (sm-transcribe(1)).
	SM_STAGE_VOLUME='cat <"$2" >/dev/null & cat >/dev/null; wait; echo "sm-volume: cannot" >&2; exit 65' \
		run -65 --separate-stderr sm-transcribe --job-config "$D/empty.json" "$D/a1.wav"
	[ -z "$output" ]
	[ "$stderr" = "sm-volume: cannot" ]
}

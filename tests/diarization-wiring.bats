#!/usr/bin/env bats
# How sm-transcribe wires diarization: sm-diarize after sm-lattice with a
# copy of the FEAT stream ("speaker"), one pipeline per channel merged in
# time order ("channel").  sm-format is replaced by one that keeps the
# #sm-hyp 1 stream it is given, so these tests see what the gate passes on.
load test_helper
load transcribe_helper

# Channel 1: 0880 at 0 s and 0890 at 11 s; channel 2: 0870 at 3.5 s.
setup_file() {
	d=$BATS_FILE_TMPDIR
	sox "$(lv 0880)" "$d/p1.wav" pad 0 8
	sox "$d/p1.wav" "$(lv 0890)" "$d/c1.wav"
	sox "$(lv 0870)" "$d/c2.wav" pad 3.5 0
	sox -M "$d/c1.wav" "$d/c2.wav" "$d/two.wav"
	# Each channel recognised alone: the reference for its lines.
	for c in 1 2; do
		sm-decode -c "$c" "$d/two.wav" | sm-features | sm-am | sm-lattice | grep -v '^#' >"$d/ref$c"
	done
	# The channel job on the file, as setup and the tests below run jobs,
	# once: the first test checks it, others compare their jobs' streams
	# with the stream it kept ($d/file/hyp).
	mkdir -p "$d/file/tmp"
	printf '%s\n' '{"type": "transcription", "transcription_config": {"language": "en", "diarization": "channel"}}' >"$d/file/c.json"
	st=0
	SCRATCH=$d/file TMPDIR=$d/file/tmp SM_STAGE_FORMAT='tee "$SCRATCH/hyp" | sm-format "$@"' \
		sm-transcribe --job-config "$d/file/c.json" "$d/two.wav" >"$d/file/out" 2>"$d/file/err" || st=$?
	echo "$st" >"$d/file/status"
}

setup() {
	job_scratch
	TWO=$BATS_FILE_TMPDIR/two.wav
	# Keeps the stream it formats.
	export SM_STAGE_FORMAT='tee "$SCRATCH/hyp" | sm-format "$@"'
}

teardown() {
	tmpdir_left_empty
}

# The stages by hand as a job with speaker diarization runs them for the
# words: the features of every job, and a search in stretches of at least
# 30 s.
speaker_hyp() { # AUDIO
	sm-fetch "$1" | sm-decode | sm-features | sm-am | sm-lattice --segment-min 30
}

# The FEAT stream sm-diarize gets: the whole input's cepstral mean, warp
# and noise floor.
diarize_feat() { # AUDIO
	sm-fetch "$1" | sm-decode | sm-features --cmn-window 0 --warp-by input --floor-window 0
}

job_config() { # TRANSCRIPTION_CONFIG_MEMBERS
	config "{\"type\": \"transcription\", \"transcription_config\": {\"language\": \"en\", $1}}" "$SCRATCH/c.json"
}

# The lines of the kept stream with channel=LABEL, without it.
lines_of() { # LABEL
	awk -F '\t' -v l="channel=$1" '$NF == l { sub(/\t[^\t]*$/, ""); print }' "$SCRATCH/hyp"
}

@test "channel: each channel's lines are those of the channel recognised alone, labelled Channel 1 and Channel 2, merged in START order" {
	# The job of setup_file: its status, stderr and stream, and its
	# private directory left empty.
	F=$BATS_FILE_TMPDIR/file
	[ "$(cat "$F/status")" = 0 ]
	[ ! -s "$F/err" ]
	[ -z "$(ls -A "$F/tmp")" ]
	cp "$F/hyp" "$SCRATCH/hyp"
	output=$(cat "$F/out")
	[ "$(sed -n 1p "$SCRATCH/hyp")" = "#sm-hyp 1" ]
	[ "$(sed -n '$p' "$SCRATCH/hyp")" = "#end" ]
	[ "$(grep -c '^#' "$SCRATCH/hyp")" -eq 2 ]
	diff <(lines_of "Channel 1") "$BATS_FILE_TMPDIR/ref1"
	diff <(lines_of "Channel 2") "$BATS_FILE_TMPDIR/ref2"
	# Every line has a channel, and START never goes back.
	[ "$(grep -vc -e '^#' -e $'\tchannel=Channel [12]$' "$SCRATCH/hyp")" -eq 0 ]
	awk -F '\t' '!/^#/ { if ($1 + 0 < last) exit 1; last = $1 + 0 }' "$SCRATCH/hyp"
	# The turns alternate: channel 1's words, channel 2's, channel 1's again.
	turns=$(awk -F '\t' '$4 == "word" && $NF != last { printf "%s;", $NF; last = $NF }' "$SCRATCH/hyp")
	[ "$turns" = "channel=Channel 1;channel=Channel 2;channel=Channel 1;" ]
	# The transcript has every word of both channels.
	[ "$(printf '%s' "$output" | jq '[.results[] | select(.type == "word")] | length')" -eq \
		"$(cat "$BATS_FILE_TMPDIR/ref1" "$BATS_FILE_TMPDIR/ref2" | awk -F '\t' '$4 == "word"' | wc -l)" ]
}

@test "channel: channel_diarization_labels name the channels in order and extra labels are ignored" {
	job_config '"diarization": "channel", "channel_diarization_labels": ["Agent", "Caller", "Extra"]'
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$TWO"
	[ -z "$stderr" ]
	diff <(lines_of Agent) "$BATS_FILE_TMPDIR/ref1"
	diff <(lines_of Caller) "$BATS_FILE_TMPDIR/ref2"
	! grep -q -e Extra -e 'Channel ' "$SCRATCH/hyp"
}

@test "channel: with fewer labels than channels the rest are Channel N" {
	job_config '"diarization": "channel", "channel_diarization_labels": ["Agent"]'
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$TWO"
	diff <(lines_of Agent) "$BATS_FILE_TMPDIR/ref1"
	diff <(lines_of "Channel 2") "$BATS_FILE_TMPDIR/ref2"
}

@test "channel: a mono recording is one channel, said in one line, every line labelled Channel 1" {
	job_config '"diarization": "channel"'
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0880)"
	[ "$stderr" = 'sm-transcribe: transcription_config.diarization: "channel": the audio has one channel' ]
	diff <(lines_of "Channel 1") <(hand_hyp "$(lv 0880)" | grep -v '^#')
	[ "$(grep -vc '^#' "$SCRATCH/hyp")" -eq "$(lines_of "Channel 1" | wc -l)" ]
}

@test "channel: the two-channel WAV and a FLAC of it on standard input give the stream of the file" {
	job_config '"diarization": "channel"'
	# The stream of the file: setup_file's job, the same config.
	cmp "$SCRATCH/c.json" "$BATS_FILE_TMPDIR/file/c.json"
	cp "$BATS_FILE_TMPDIR/file/hyp" "$SCRATCH/hyp.file"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" - <"$TWO"
	[ -z "$stderr" ]
	diff "$SCRATCH/hyp" "$SCRATCH/hyp.file"
	sox "$TWO" "$SCRATCH/two.flac"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" <"$SCRATCH/two.flac"
	diff "$SCRATCH/hyp" "$SCRATCH/hyp.file"
}

@test "channel: the audio given as a FIFO or as bash's <(...) gives the stream of the file" {
	job_config '"diarization": "channel"'
	cp "$BATS_FILE_TMPDIR/file/hyp" "$SCRATCH/hyp.file"
	mkfifo "$SCRATCH/fifo"
	cat "$TWO" >"$SCRATCH/fifo" &
	run -0 --separate-stderr timeout 120 sm-transcribe --job-config "$SCRATCH/c.json" "$SCRATCH/fifo"
	[ -z "$stderr" ]
	diff "$SCRATCH/hyp" "$SCRATCH/hyp.file"
	run -0 --separate-stderr timeout 120 sm-transcribe --job-config "$SCRATCH/c.json" <(cat "$TWO")
	[ -z "$stderr" ]
	diff "$SCRATCH/hyp" "$SCRATCH/hyp.file"
}

@test "channel: fetch_data file:// gives the stream of the file" {
	cp "$BATS_FILE_TMPDIR/file/hyp" "$SCRATCH/hyp.file"
	config '{"type": "transcription", "transcription_config": {"language": "en", "diarization": "channel"},
		"fetch_data": {"url": "file://'"$TWO"'"}}' "$SCRATCH/c.json"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json"
	[ -z "$stderr" ]
	diff "$SCRATCH/hyp" "$SCRATCH/hyp.file"
}

@test "channel: with sm-fetch replaced, the channels are counted in what the replacement gives (a gzip'd WAV)" {
	job_config '"diarization": "channel"'
	gzip -c "$TWO" >"$SCRATCH/two.wav.gz"
	SM_STAGE_FETCH='sm-fetch "$@" | gzip -dc' run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$SCRATCH/two.wav.gz"
	[ -z "$stderr" ]
	diff <(lines_of "Channel 1") "$BATS_FILE_TMPDIR/ref1"
	diff <(lines_of "Channel 2") "$BATS_FILE_TMPDIR/ref2"
}

@test "channel: the channels' pipelines run side by side (each sm-am starts only once the other has)" {
	job_config '"diarization": "channel"'
	# Run one after the other, the first would wait for ever: the deadline
	# (exit 75) would end the job.
	SM_STAGE_AM='touch "$SCRATCH/am.$$"; until [ "$(ls "$SCRATCH" | grep -c "^am\.")" -ge 2 ]; do sleep 0.05; done; exec sm-am "$@"' \
		run -0 --separate-stderr sm-transcribe --timeout 60 --job-config "$SCRATCH/c.json" "$TWO"
	diff <(lines_of "Channel 2") "$BATS_FILE_TMPDIR/ref2"
}

@test "channel: a stage failing in channel 2's pipeline is named with the channel, its status passes through, nothing on stdout" {
	job_config '"diarization": "channel"'
	SM_STAGE_DECODE='case " $* " in *" -c 2 "*) echo "my-decode: broken" >&2; exit 65 ;; esac; exec sm-decode "$@"' \
		run -65 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$TWO"
	[ "${stderr_lines[0]}" = "my-decode: broken" ]
	[ "${stderr_lines[1]}" = "sm-transcribe: channel 2: sm-decode: failed with exit status 65" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ -z "$output" ]
	[ ! -e "$SCRATCH/hyp" ]
	SM_STAGE_DECODE='case " $* " in *" -c 2 "*) kill -KILL $$ ;; esac; exec sm-decode "$@"' \
		run -70 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$TWO"
	[ "$stderr" = "sm-transcribe: channel 2: sm-decode: killed by signal 9 (SIGKILL)" ]
	[ -z "$output" ]
}

@test "channel: audio that is not audio (so one channel's job): sm-decode's one line, exit 65, no line about channels" {
	job_config '"diarization": "channel"'
	head -c 5000 /bin/sh >"$SCRATCH/x.wav"
	run -65 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$SCRATCH/x.wav"
	[ "${stderr_lines[0]}" = "sm-decode: $SCRATCH/x.wav: unrecognised audio format" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ -z "$output" ]
}

# Every process under PID, children first.
descendants() { # PID
	local p
	for p in $(pgrep -P "$1"); do
		echo "$p"
		descendants "$p"
	done
}

# Starts a channel job on TWO in the background as $job; each channel's
# sm-am stage, once sm-am has scored, stays (sleep), so the job runs until it
# is stopped.  Waits for both stages; all the job's processes in $kids.
start_channel_job() {
	job_config '"diarization": "channel"'
	SM_STAGE_AM='touch "$SCRATCH/am.$$"; sm-am "$@"; exec sleep 1000' \
		sm-transcribe --job-config "$SCRATCH/c.json" "$TWO" >"$SCRATCH/out" 2>"$SCRATCH/err" &
	job=$!
	for _ in $(seq 400); do
		[ "$(ls "$SCRATCH" | grep -c '^am\.')" -eq 2 ] && break
		sleep 0.05
	done
	kids=$(descendants "$job" | tr '\n' ' ')
	for p in $(ls "$SCRATCH" | sed -n 's/^am\.//p'); do
		[[ " $kids " == *" $p "* ]]
	done
}

@test "channel: SIGTERM stops both channels' pipelines, one line, exit 143, no directory left" {
	start_channel_job
	kill -TERM "$job"
	st=0
	wait "$job" || st=$?
	[ "$st" -eq 143 ]
	[ "$(cat "$SCRATCH/err")" = "sm-transcribe: stopped by SIGTERM; no transcript written" ]
	[ ! -s "$SCRATCH/out" ]
	ended_within 100 $kids
}

@test "channel: a job killed with SIGKILL leaves no process of any channel and no directory" {
	start_channel_job
	kill -KILL "$job"
	wait "$job" || true
	ended_within 600 $kids
	[ ! -s "$SCRATCH/out" ]
	for _ in $(seq 100); do [ -z "$(ls -A "$TMPDIR")" ] && break; sleep 0.1; done
}

@test "channel: --parallel 2 gives each channel's sm-am one thread, and no line about chunks" {
	job_config '"diarization": "channel"'
	SM_STAGE_AM='echo "$0 $*" >"$SCRATCH/am.$$"; exec sm-am "$@"' \
		run -0 --separate-stderr sm-transcribe --parallel 2 --job-config "$SCRATCH/c.json" "$TWO"
	[ -z "$stderr" ]
	[ "$(cat "$SCRATCH"/am.*)" = "$(printf 'sm-am -l en -t 1\nsm-am -l en -t 1')" ]
}

@test "speaker: the replaced sm-diarize gets -F, the sensitivity and --prefer-current-speaker, reads the whole FEAT stream, and its speaker= fields reach sm-format" {
	job_config '"diarization": "speaker", "speaker_diarization_config": {"speaker_sensitivity": 0.7, "prefer_current_speaker": true}'
	SM_STAGE_DIARIZE='echo "$0 $*" >"$SCRATCH/args"; cat <"$2" >"$SCRATCH/feat" &
		awk -F "\t" -v OFS="\t" "/^#/ { print; next } { print \$0, \"speaker=S\" NR % 2 + 1 }"; wait' \
		run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0880)"
	[ -z "$stderr" ]
	[ "$(cat "$SCRATCH/args")" = "sm-diarize -F /dev/fd/3 --sensitivity 0.7 --prefer-current-speaker" ]
	# Every frame of its sm-features' stream, byte for byte: count them too.
	diarize_feat "$(lv 0880)" >"$SCRATCH/feat.ref"
	cmp "$SCRATCH/feat" "$SCRATCH/feat.ref"
	[ "$(sm-dump <"$SCRATCH/feat" | sed 1d | wc -l)" -eq 298 ]
	# What sm-format got: sm-lattice's best path with the speakers added.
	diff <(cut -f 1-5 "$SCRATCH/hyp") <(speaker_hyp "$(lv 0880)")
	[ "$(grep -c $'\tspeaker=S[12]$' "$SCRATCH/hyp")" -eq "$(grep -vc '^#' "$SCRATCH/hyp")" ]
	# The words those of the stages by hand, each with its speaker (every
	# change of speaker ends a sentence, so compare words, not sentences).
	[ "$(printf '%s' "$output" | jq -r '[.results[] | select(.type == "word") | .alternatives[0].content | ascii_downcase] | join(" ")')" = \
		"$(speaker_hyp "$(lv 0880)" | sm-format | jq -r '[.results[] | select(.type == "word") | .alternatives[0].content | ascii_downcase] | join(" ")')" ]
	[ "$(printf '%s' "$output" | jq -r '[.results[] | select(.type == "word") | .alternatives[0].speaker] | unique | join(",")')" = "S1,S2" ]
}

@test "speaker: without speaker_diarization_config sm-diarize gets --sensitivity 0.5 and no --prefer-current-speaker" {
	job_config '"diarization": "speaker"'
	SM_STAGE_DIARIZE='echo "$0 $*" >"$SCRATCH/args"; cat <"$2" >/dev/null & cat; wait' \
		run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0880)"
	[ "$(cat "$SCRATCH/args")" = "sm-diarize -F /dev/fd/3 --sensitivity 0.5" ]
}

@test "speaker: sm-lattice gets --segment-min 30 with speaker diarization, and no --segment-min without it" {
	job_config '"diarization": "speaker"'
	SM_STAGE_LATTICE='echo "$*" >"$SCRATCH/lat"; exec sm-lattice "$@"' \
		run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0880)"
	[ "$(cat "$SCRATCH/lat")" = "-l en --segment-min 30" ]
	job_config '"diarization": "none"'
	SM_STAGE_LATTICE='echo "$*" >"$SCRATCH/lat"; exec sm-lattice "$@"' \
		run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0880)"
	[ "$(cat "$SCRATCH/lat")" = "-l en" ]
}

@test "speaker: the audio on standard input: sm-diarize gets the FEAT stream and the job the transcript of the file" {
	job_config '"diarization": "speaker"'
	SM_STAGE_DIARIZE='cat <"$2" >"$SCRATCH/feat" & cat; wait' \
		run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" - <"$(lv 0880)"
	[ -z "$stderr" ]
	cmp "$SCRATCH/feat" <(diarize_feat "$(lv 0880)")
	[ "$(printf '%s' "$output" | words)" = "$(speaker_hyp "$(lv 0880)" | sm-format | words)" ]
}

@test "speaker: on 18 s of two voices sm-diarize gets the whole input's normalisation and the words are those of the per-stretch features, which differ from it" {
	asterisk16 agent-newlocation "$SCRATCH/a.wav" auth-incorrect "$SCRATCH/b.wav"
	sox "$SCRATCH/a.wav" "$(lv 0870)" "$SCRATCH/b.wav" "$(lv 0880)" "$SCRATCH/talk.wav"
	job_config '"diarization": "speaker"'
	SM_STAGE_DIARIZE='cat <"$2" >"$SCRATCH/feat" & cat; wait' \
		run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$SCRATCH/talk.wav"
	[ -z "$stderr" ]
	diarize_feat "$SCRATCH/talk.wav" >"$SCRATCH/feat.whole"
	sm-decode "$SCRATCH/talk.wav" | sm-features >"$SCRATCH/feat.stretch"
	cmp "$SCRATCH/feat" "$SCRATCH/feat.whole"
	! cmp -s "$SCRATCH/feat.whole" "$SCRATCH/feat.stretch" || false
	[ "$(cut -f 1-5 "$SCRATCH/hyp")" = "$(sm-am <"$SCRATCH/feat.stretch" | sm-lattice --segment-min 30)" ]
}

@test "speaker: the second sm-features' diagnostics are printed with sm-diarize's after a success, and its failure fails the job with its line first, nothing on stdout" {
	job_config '"diarization": "speaker"'
	SM_STAGE_FEATURES='case "$*" in *"--cmn-window 0"*) echo "features2: hello" >&2 ;; esac; exec sm-features "$@"' \
		run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0880)"
	[ "$stderr" = "features2: hello" ]
	[ "$(printf '%s' "$output" | words)" = "$(speaker_hyp "$(lv 0880)" | sm-format | words)" ]
	SM_STAGE_FEATURES='case "$*" in *"--cmn-window 0"*) echo "sm-features: out of memory" >&2; exit 70 ;; esac; exec sm-features "$@"' \
		run -65 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0880)"
	[ "${stderr_lines[0]}" = "sm-features: out of memory" ]
	[[ "${stderr_lines[1]}" == "sm-diarize: /dev/fd/3: "* ]]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ -z "$output" ]
}

@test "speaker: a failing sm-diarize is blamed by name with its own line and status, even before reading its FEAT copy; nothing on stdout" {
	job_config '"diarization": "speaker"'
	SM_STAGE_DIARIZE='echo "my-diarize: no model" >&2; exit 66' \
		run -66 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0880)"
	[ "$stderr" = "my-diarize: no model" ]
	[ -z "$output" ]
	SM_STAGE_DIARIZE='cat >/dev/null; exit 3' run -70 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0880)"
	[ "$stderr" = "sm-transcribe: sm-diarize: failed with exit status 3" ]
	[ -z "$output" ]
	[ ! -e "$SCRATCH/hyp" ]
}

@test "speaker: sm-diarize not installed and not replaced exits 69 naming it" {
	mkdir "$SCRATCH/bin"
	for p in sm-transcribe sm-fetch sm-decode sm-features sm-am sm-lattice sm-format; do
		ln -s "$SM_ROOT/bin/$p" "$SCRATCH/bin/$p"
	done
	job_config '"diarization": "speaker"'
	PATH=/usr/bin:/bin run -69 --separate-stderr "$SCRATCH/bin/sm-transcribe" --job-config "$SCRATCH/c.json" "$(lv 0880)"
	[ "$stderr" = "sm-transcribe: sm-diarize: not installed (neither next to sm-transcribe nor on PATH)" ]
}

@test "--channel-hyp without N:LABEL is a usage error" {
	for v in 0:a x:a 2 2: ''; do
		run -2 --separate-stderr sm-transcribe --channel-hyp "$v" "$(lv 0880)"
		[ "${stderr_lines[0]}" = "sm-transcribe: --channel-hyp: expected N:LABEL, got \"$v\"" ]
	done
}

@test "none: no sm-diarize runs (a replacement that would fail is not started) and the transcript is that of the stages by hand" {
	job_config '"diarization": "none"'
	SM_STAGE_DIARIZE='exit 3' run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0880)"
	[ -z "$stderr" ]
	diff "$SCRATCH/hyp" <(hand_hyp "$(lv 0880)")
}

@test "channel: the json-v2 results carry \"channel\" with the labels, and the txt starts each channel's turn with its label" {
	job_config '"diarization": "channel", "channel_diarization_labels": ["Agent", "Caller"]'
	mkdir "$SCRATCH/out"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" --all-formats "$SCRATCH/out" "$TWO"
	# Every result has a channel; the words' channels in time order turn
	# Agent, Caller, Agent as the recordings were placed.
	run jq -r '[.results[] | .channel] | unique | join(",")' <<<"$output"
	assert_output "Agent,Caller"
	run jq -r '[.results[] | select(.type == "word") | .channel] | reduce .[] as $c ([]; if .[-1] == $c then . else . + [$c] end) | join(",")' "$SCRATCH/out/two.json"
	assert_output "Agent,Caller,Agent"
	run grep -c -e '^Agent: ' -e '^Caller: ' "$SCRATCH/out/two.txt"
	assert_output 3
}

@test "speaker, the real sm-diarize: the asterisk speaker and the LibriVox reader in turns come out as S1, S2, S1, S2 in json and txt, and srt names a speaker only on the first line of a cue" {
	unset SM_STAGE_FORMAT
	asterisk16 agent-newlocation "$SCRATCH/agent-newlocation.wav" auth-incorrect "$SCRATCH/auth-incorrect.wav"
	sox "$SCRATCH/agent-newlocation.wav" "$(lv 0870)" "$SCRATCH/auth-incorrect.wav" "$(lv 0880)" "$SCRATCH/talk.wav"
	job_config '"diarization": "speaker"'
	mkdir "$SCRATCH/out"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" --all-formats "$SCRATCH/out" "$SCRATCH/talk.wav"
	run jq -r '[.results[] | select(.type == "word") | .alternatives[0].speaker] | reduce .[] as $c ([]; if .[-1] == $c then . else . + [$c] end) | join(",")' "$SCRATCH/out/talk.json"
	assert_output "S1,S2,S1,S2"
	run grep -c '^SPEAKER S[12]: ' "$SCRATCH/out/talk.txt"
	assert_output 4
	# A change of speaker starts a cue: its label is never on a second line.
	run awk 'NF == 0 { n = 0; next } { n++ } n > 3 && /SPEAKER S/' "$SCRATCH/out/talk.srt"
	assert_output ''
}

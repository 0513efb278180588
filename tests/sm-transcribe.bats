#!/usr/bin/env bats
load test_helper
load transcribe_helper

setup_file() {
	by_hand "$(lv 0880)" | words >"$BATS_FILE_TMPDIR/0880.words"
	by_hand "$(lv 0870)" | words >"$BATS_FILE_TMPDIR/0870.words"
}

setup() {
	job_scratch
	W80=$(cat "$BATS_FILE_TMPDIR/0880.words")
	W70=$(cat "$BATS_FILE_TMPDIR/0870.words")
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
}

teardown() {
	tmpdir_left_empty
}

@test "sm-transcribe --help and --version print to stdout and exit 0" {
	run -0 sm-transcribe --help
	assert_line --index 1 --partial 'Usage: sm-transcribe'
	run -0 sm-transcribe --version
	assert_output --regexp '^sm-transcribe [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "a real recording gives the json-v2 transcript of the stages run by hand" {
	run -0 --separate-stderr sm-transcribe "$(lv 0880)"
	[ -z "$stderr" ]
	[ "$(printf '%s' "$output" | words)" = "$W80" ]
	printf '%s' "$output" | jq -e '.format == "2.9" and .metadata.transcription_config ==
		{"language": "en", "diarization": "none", "operating_point": "standard"}
		and .metadata.language_pack_info.language_description == "English"'
}

@test "a job without a config runs no jq and gives what the checker gives for the default config; a config, or a limit in the environment, runs it" {
	# jq and gojq on PATH first: each run either records, then the real one
	mkdir -p "$SCRATCH/pj"
	for j in jq gojq; do
		printf '#!/bin/sh\necho run >>"%s"\nexec %s "$@"\n' "$SCRATCH/jq.log" "$(command -v $j)" >"$SCRATCH/pj/$j"
		chmod +x "$SCRATCH/pj/$j"
	done
	PATH=$SCRATCH/pj:$PATH run -0 --separate-stderr sm-transcribe "$(lv 0880)"
	[ ! -e "$SCRATCH/jq.log" ]
	[ "$(printf '%s' "$output" | words)" = "$W80" ]
	printf '%s' "$output" | jq -S 'del(.metadata.created_at)' >"$SCRATCH/built-in"
	SM_MAX_SECONDS=7200 PATH=$SCRATCH/pj:$PATH run -0 --separate-stderr sm-transcribe "$(lv 0880)"
	[ "$(wc -l <"$SCRATCH/jq.log")" -eq 1 ]
	printf '%s' "$output" | jq -S 'del(.metadata.created_at)' >"$SCRATCH/checked"
	cmp "$SCRATCH/built-in" "$SCRATCH/checked"
	echo '{"type": "transcription", "transcription_config": {"language": "en"}}' >"$SCRATCH/c.json"
	PATH=$SCRATCH/pj:$PATH run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0880)"
	[ "$(wc -l <"$SCRATCH/jq.log")" -eq 2 ]
	# the assignments built into the script are the checker's output now
	sed -n "/^default_out='\$/,/^'\$/p" "$SM_ROOT/bin/sm-transcribe" | sed '1d;$d' | sed "s/'\\\\''/'/g" >"$SCRATCH/embedded"
	printf '%s\n' '{"type":"transcription","transcription_config":{"language":"en"}}' |
		jq -s -r --arg max_bytes 4G --arg max_seconds 7200 -f "$SM_ROOT/scripts/job-config.jq" >"$SCRATCH/now"
	cmp "$SCRATCH/embedded" "$SCRATCH/now"
}

@test "the audio on stdin, with - and without" {
	run -0 --separate-stderr sm-transcribe - <"$(lv 0870)"
	[ "$(printf '%s' "$output" | words)" = "$W70" ]
	run -0 --separate-stderr sm-transcribe <"$(lv 0870)"
	[ "$(printf '%s' "$output" | words)" = "$W70" ]
}

@test "--job-config with fetch_data file:// reads the audio from the URL" {
	cp "$(lv 0880)" "$SCRATCH/a b.wav"
	config '{"type": "transcription", "transcription_config": {"language": "en"},
		"fetch_data": {"url": "file://'"$SCRATCH"'/a%20b.wav"}}' "$SCRATCH/c.json"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" </dev/null
	[ "$(printf '%s' "$output" | words)" = "$W80" ]
	run -0 --separate-stderr sm-transcribe --job-config="$SCRATCH/c.json"
	[ "$(printf '%s' "$output" | words)" = "$W80" ]
}

@test "fetch_data over http sends auth_headers, through a pipe, not the command line" {
	python3 "$SM_ROOT/tests/fetch_server.py" "$PS_DATA" "$SCRATCH/ports" 60 3>&- &
	server=$!
	for _ in $(seq 200); do [ -s "$SCRATCH/ports" ] && break; sleep 0.05; done
	read -r port _ <"$SCRATCH/ports"
	url=http://127.0.0.1:$port/private/librivox/sense_and_sensibility_01_austen_64kb-0880.wav
	config '{"type": "transcription", "transcription_config": {"language": "en"},
		"fetch_data": {"url": "'"$url"'", "auth_headers": ["Authorization: Bearer s3cret"]}}' "$SCRATCH/c.json"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json"
	[ "$(printf '%s' "$output" | words)" = "$W80" ]
	# Without the header: the fetch fails (69), its line is the only one.
	config '{"type": "transcription", "transcription_config": {"language": "en"},
		"fetch_data": {"url": "'"$url"'"}}' "$SCRATCH/c.json"
	run -69 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json"
	kill "$server"
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "sm-fetch: "*"401"* ]]
	! grep -q s3cret "$SM_ROOT/bin/sm-transcribe"
}

@test "an AUDIO argument together with fetch_data is a usage error" {
	config '{"type": "transcription", "transcription_config": {"language": "en"},
		"fetch_data": {"url": "file:///dev/null"}}' "$SCRATCH/c.json"
	run -2 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0880)"
	[ "${stderr_lines[0]}" = "sm-transcribe: both an AUDIO argument and fetch_data.url given; use one" ]
	[ -z "$output" ]
}

@test "no audio at all on a terminal is a usage error" {
	command -v script >/dev/null || skip "script(1) not installed"
	run -0 script -qec "sm-transcribe; echo status=\$?" /dev/null
	assert_output --partial "sm-transcribe: no audio: give AUDIO, fetch_data.url in the config, /input.audio or stdin"
	assert_output --partial "status=2"
}

@test "a missing or unreadable audio file exits 66 with one line" {
	run -66 --separate-stderr sm-transcribe "$SCRATCH/none.wav"
	[ "$stderr" = "sm-transcribe: $SCRATCH/none.wav: no such file" ]
	[ -z "$output" ]
	run -66 --separate-stderr sm-transcribe "$SCRATCH"
	[ "$stderr" = "sm-transcribe: $SCRATCH: cannot read" ]
}

@test "audio that is not audio fails in sm-decode: exit 65, its line only, nothing on stdout" {
	head -c 5000 /bin/sh >"$SCRATCH/x.wav"
	run -65 --separate-stderr sm-transcribe "$SCRATCH/x.wav"
	[ "$stderr" = "sm-decode: $SCRATCH/x.wav: unrecognised audio format" ]
	[ -z "$output" ]
	# on standard input it is <stdin>
	run -65 --separate-stderr sm-transcribe - <"$SCRATCH/x.wav"
	[ "$stderr" = "sm-decode: <stdin>: unrecognised audio format" ]
}

@test "a recording cut short: sm-decode's line, no half transcript" {
	head -c 30000 "$(lv 0880)" >"$SCRATCH/cut.wav"
	run -65 --separate-stderr sm-transcribe "$SCRATCH/cut.wav"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "sm-decode: $SCRATCH/cut.wav: truncated audio data"* ]]
	[ -z "$output" ]
}

@test "a long recording cut short after its first minute, when the features have gone on to the stages after sm-features: the failing stage's line, exit 65, no half transcript, alone and with --parallel 2" {
	sox "$LIBRIVOX"/*.wav "$LIBRIVOX"/*.wav "$LIBRIVOX"/*.wav "$SCRATCH/lv.wav"
	# 70 s of the 74 s the WAV header announces
	head -c $((44 + 70 * 32000)) "$SCRATCH/lv.wav" >"$SCRATCH/cut.wav"
	config '{"type": "transcription", "transcription_config": {"language": "en", "operating_point": "enhanced"}}' "$SCRATCH/enh.json"
	for o in "" "--parallel 2" "--job-config $SCRATCH/enh.json --parallel 2"; do
		# shellcheck disable=SC2086 # the options are words
		run -65 --separate-stderr sm-transcribe $o "$SCRATCH/cut.wav"
		assert_equal "$stderr" "sm-decode: $SCRATCH/cut.wav: truncated audio data (2240000 of 2374080 bytes announced)"
		assert_output ""
	done
	# a decoder that ends its stream there and exits 0: sm-features is to blame
	# shellcheck disable=SC2016 # expanded by the stage's sh
	SM_STAGE_DECODE='"$0" "$@" | head -c $((48 + 70 * 32000))' \
		run -65 --separate-stderr sm-transcribe --parallel 2 "$SCRATCH/lv.wav"
	assert_equal "$stderr" "sm-features: <stdin>: stream has 1120000 frames, its header says 1187040"
	assert_output ""
}

@test "--all-formats writes NAME.json, .txt and .srt; transcript.* for stdin" {
	mkdir "$SCRATCH/out"
	run -0 --separate-stderr sm-transcribe --all-formats "$SCRATCH/out" "$(lv 0880)"
	n=sense_and_sensibility_01_austen_64kb-0880
	[ "$(cat "$SCRATCH/out/$n.json")" = "$output" ]
	[ "$(cat "$SCRATCH/out/$n.txt")" = "$(by_hand "$(lv 0880)" -f txt)" ]
	[ "$(cat "$SCRATCH/out/$n.srt")" = "$(by_hand "$(lv 0880)" -f srt)" ]
	run -0 --separate-stderr sm-transcribe --allformats "$SCRATCH/out" <"$(lv 0870)"
	[ "$(cat "$SCRATCH/out/transcript.json")" = "$output" ]
	[ -s "$SCRATCH/out/transcript.txt" ] && [ -s "$SCRATCH/out/transcript.srt" ]
	[ "$(ls "$SCRATCH/out" | wc -l)" -eq 6 ]
}

@test "--all-formats writes no file when the job fails, and needs an existing directory" {
	mkdir "$SCRATCH/out"
	head -c 30000 "$(lv 0880)" >"$SCRATCH/cut.wav"
	run -65 sm-transcribe --all-formats "$SCRATCH/out" "$SCRATCH/cut.wav"
	[ -z "$(ls -A "$SCRATCH/out")" ]
	run -73 --separate-stderr sm-transcribe --all-formats "$SCRATCH/nodir" "$(lv 0880)"
	[ "$stderr" = "sm-transcribe: --all-formats: $SCRATCH/nodir: not a directory" ]
	# an empty DIR (an unset variable) is a usage error, not no files
	run -2 --separate-stderr sm-transcribe --all-formats "" "$(lv 0880)"
	[ "${stderr_lines[0]}" = "sm-transcribe: --all-formats: empty path" ]
	run -2 --separate-stderr sm-transcribe --all-formats= "$(lv 0880)"
	# NAME.json a directory: said, and nothing left
	n=$(basename "$(lv 0880)" .wav)
	mkdir "$SCRATCH/out/$n.json"
	run -74 --separate-stderr sm-transcribe --all-formats "$SCRATCH/out" "$(lv 0880)"
	[ "$stderr" = "sm-transcribe: --all-formats: $SCRATCH/out: cannot write the transcripts ($n.json is a directory)" ]
	[ "$(ls -A "$SCRATCH/out")" = "$n.json" ]
}

@test "--all-formats writes the files of an input whose name is 250 bytes long (NAME_MAX 255)" {
	local n
	n=$(printf 'x%.0s' $(seq 246))
	mkdir "$SCRATCH/out"
	cp "$(lv 0880)" "$SCRATCH/$n.wav"
	run -0 --separate-stderr sm-transcribe --all-formats "$SCRATCH/out" "$SCRATCH/$n.wav"
	[ -s "$SCRATCH/out/$n.json" ] && [ -s "$SCRATCH/out/$n.txt" ] && [ -s "$SCRATCH/out/$n.srt" ]
	[ "$(ls -A "$SCRATCH/out" | wc -l)" -eq 3 ]
}

@test "--all-formats replaces a symlink planted at NAME.json or NAME.txt, never writes through it" {
	mkdir "$SCRATCH/out"
	echo keep >"$SCRATCH/victim"
	ln -s "$SCRATCH/victim" "$SCRATCH/out/x.json"
	ln -s "$SCRATCH/made" "$SCRATCH/out/x.txt"
	cp "$(lv 0880)" "$SCRATCH/x.wav"
	run -0 --separate-stderr sm-transcribe --all-formats "$SCRATCH/out" "$SCRATCH/x.wav"
	[ "$(cat "$SCRATCH/victim")" = keep ]
	[ ! -e "$SCRATCH/made" ]
	[ ! -L "$SCRATCH/out/x.json" ] && [ "$(cat "$SCRATCH/out/x.json")" = "$output" ]
	[ ! -L "$SCRATCH/out/x.txt" ] && [ -s "$SCRATCH/out/x.txt" ]
	# and no temporary name is left behind
	[ "$(ls -A "$SCRATCH/out")" = "$(printf 'x.json\nx.srt\nx.txt')" ]
}

@test "output_config.srt_overrides reach the SRT" {
	mkdir "$SCRATCH/out"
	config '{"type": "transcription", "transcription_config": {"language": "en"},
		"output_config": {"srt_overrides": {"max_line_length": 12, "max_lines": 1}}}' "$SCRATCH/c.json"
	run -0 sm-transcribe --job-config "$SCRATCH/c.json" --all-formats "$SCRATCH/out" "$(lv 0870)"
	n=sense_and_sensibility_01_austen_64kb-0870
	[ "$(cat "$SCRATCH/out/$n.srt")" = "$(by_hand "$(lv 0870)" -f srt --max-line-length 12 --max-lines 1)" ]
	[ "$(awk 'length > 12 && !/-->/' "$SCRATCH/out/$n.srt" | wc -l)" -eq 0 ]
}

@test "punctuation_overrides: no marks turns punctuation off, the marks are limited, sensitivity moves them" {
	config '{"type": "transcription", "transcription_config": {"language": "en",
		"punctuation_overrides": {"permitted_marks": []}}}' "$SCRATCH/c.json"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0880)"
	printf '%s' "$output" | jq -e '[.results[] | select(.type == "punctuation")] == []'
	# Only "?", and "。" which English does not have: said once, left out.
	config '{"type": "transcription", "transcription_config": {"language": "en",
		"punctuation_overrides": {"permitted_marks": ["?", "。"]}}}' "$SCRATCH/c.json"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0880)"
	[ "$stderr" = 'sm-transcribe: transcription_config.punctuation_overrides.permitted_marks: only . , ? ! are produced for "en"; the others are left out' ]
	[ "$(printf '%s' "$output" | words)" = "$(by_hand "$(lv 0880)" --marks '?' | words)" ]
	printf '%s' "$output" | jq -e '[.results[] | select(.type == "punctuation") |
		select(.alternatives[0].content != "?")] == []'
	sox "$(lv 0880)" "$(lv 0890)" "$SCRATCH/two.wav"
	# Its best path by hand, formatted with each sensitivity.
	hand_hyp "$SCRATCH/two.wav" >"$SCRATCH/two.hyp"
	for s in 0 1; do
		config '{"type": "transcription", "transcription_config": {"language": "en",
			"punctuation_overrides": {"permitted_marks": "all", "sensitivity": '$s'}}}' "$SCRATCH/c.json"
		run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$SCRATCH/two.wav"
		[ "$(printf '%s' "$output" | words)" = "$(sm-format -s $s <"$SCRATCH/two.hyp" | words)" ]
		printf '%s' "$output" | jq '[.results[] | select(.type == "punctuation")] | length' >"$SCRATCH/n$s"
	done
	[ "$(cat "$SCRATCH/n1")" -gt "$(cat "$SCRATCH/n0")" ]
}

@test "notification_config (not acted on) and dropped additional_vocab entries are said once on stderr, and the config is echoed" {
	config '{"type": "transcription", "transcription_config": {"language": "en",
		"operating_point": "enhanced", "enable_entities": true,
		"additional_vocab": [{"content": "gnocchi", "sounds_like": ["nyohki", "a b c d e f g"]}, "Dashwood",
			{"content": "a b c d e f g"}],
		"transcript_filtering_config": {"replacements": [{"from": "man", "to": "person"}]}},
		"notification_config": [{"url": "https://example.com/cb"}], "tracking": {"title": "t"}}' "$SCRATCH/c.json"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0880)"
	[ "${stderr_lines[0]}" = 'sm-transcribe: transcription_config.additional_vocab: 1 of 3 entries dropped (no words, more than 6 words, or a word of more than 4000 characters)' ]
	[ "${stderr_lines[1]}" = 'sm-transcribe: transcription_config.additional_vocab: 1 of 2 sounds_like spellings of the entries kept dropped (no words, more than 6 words, or a word of more than 4000 characters)' ]
	[ "${stderr_lines[2]}" = 'sm-transcribe: notification_config: notifications are not sent by this program; ignored' ]
	[ "${#stderr_lines[@]}" -eq 3 ]
	printf '%s' "$output" | jq -e '.metadata.transcription_config == {"language": "en", "diarization": "none",
		"operating_point": "enhanced", "enable_entities": true,
		"additional_vocab": [{"content": "gnocchi", "sounds_like": ["nyohki"]}, {"content": "Dashwood"}],
		"transcript_filtering_config": {"replacements": [{"from": "man", "to": "person"}]}}'
	printf '%s' "$output" | jq -e 'all(.results[]; .alternatives[0].speaker == "UU")'
}

@test "audio longer than SM_MAX_SECONDS is refused before any stage runs, an MP3 of unknown length (no Info tag) too" {
	sox "$LIBRIVOX"/*.wav "$SCRATCH/lv.wav"
	ffmpeg -nostdin -loglevel error -i "$SCRATCH/lv.wav" -c:a libmp3lame -q:a 5 -f mp3 - >"$SCRATCH/lv.mp3"
	for f in lv.wav lv.mp3; do
		rm -f "$SCRATCH/ran"
		SM_MAX_SECONDS=10 SM_STAGE_FEATURES=': >"$SCRATCH/ran"; sm-features "$@"' \
			run -65 --separate-stderr sm-transcribe "$SCRATCH/$f"
		[[ "$stderr" == "sm-decode: $SCRATCH/$f: audio is 2"[45]" s long, more than 10 s (raise --max-seconds)" ]]
		[ -z "$output" ]
		[ ! -e "$SCRATCH/ran" ]
	done
}

@test "a /regex/ replacement that does not compile exits 78 naming its key, before any audio is read" {
	config '{"type": "transcription", "transcription_config": {"language": "en",
		"transcript_filtering_config": {"replacements": [{"from": "man", "to": "person"},
			{"from": "/(/", "to": "x"}]}}}' "$SCRATCH/c.json"
	# The audio: a FIFO no one writes.  A job that read it would wait.
	mkfifo "$SCRATCH/never"
	run -78 --separate-stderr timeout 20 sm-transcribe --job-config "$SCRATCH/c.json" "$SCRATCH/never"
	assert_equal "$stderr" "sm-transcribe: $SCRATCH/c.json: transcription_config.transcript_filtering_config.replacements[1].from: /(/: Unmatched ( or \\("
	[ -z "$output" ]
	# sm-format alone: --check-options reads no input
	run -0 --separate-stderr timeout 20 sm-format --check-options -R '/a+b/=x' -R 'man=person' "$SCRATCH/never"
	run -78 --separate-stderr timeout 20 sm-format --check-options -R '/[z-a]/=x' "$SCRATCH/never"
	assert_equal "$stderr" "sm-format: --replace: /[z-a]/: Invalid range end"
}

@test "job.data_name is \"stdin\" for audio on standard input and the last part of a fetch_data URL's path" {
	cp "$(lv 0880)" "$SCRATCH/call.wav"
	config '{"type": "transcription", "transcription_config": {"language": "en"}, "tracking": {"title": "t"}}' "$SCRATCH/c.json"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" - <"$SCRATCH/call.wav"
	printf '%s' "$output" | jq -e '.job.data_name == "stdin" and .job.duration == 3'
	config '{"type": "transcription", "transcription_config": {"language": "en"}, "tracking": {"title": "t"},
		"fetch_data": {"url": "file://'"$SCRATCH"'/call.wav"}}' "$SCRATCH/c.json"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json"
	printf '%s' "$output" | jq -e '.job.data_name == "call.wav" and .job.duration == 3'
}

@test "tracking is echoed as job.tracking in json only, in a job block naming the audio file; without it there is no job block" {
	config '{"type": "transcription", "transcription_config": {"language": "en"},
		"tracking": {"title": "call 7", "reference": "r-1", "tags": ["a", "b"], "details": {"k": [1, {"x": null}]}}}' "$SCRATCH/c.json"
	mkdir "$SCRATCH/all"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" --all-formats "$SCRATCH/all" "$(lv 0880)"
	# 2.99 s of audio: 3 whole seconds.
	printf '%s' "$output" | jq -e --arg name "$(basename "$(lv 0880)")" '
		(keys_unsorted == ["format", "job", "metadata", "results"]) and
		(.job | keys_unsorted == ["created_at", "data_name", "duration", "id", "tracking"]) and
		.job.tracking == {"title": "call 7", "reference": "r-1", "tags": ["a", "b"], "details": {"k": [1, {"x": null}]}} and
		.job.created_at == .metadata.created_at and .job.data_name == $name and .job.duration == 3 and
		(.job.id | test("^[a-z0-9]{10}$"))'
	jq -e '.job.tracking.title == "call 7"' "$SCRATCH/all/$(basename "$(lv 0880)" .wav).json"
	! grep -q 'call 7' "$SCRATCH/all/"*.txt "$SCRATCH/all/"*.srt
	run -0 sm-transcribe "$(lv 0880)"
	printf '%s' "$output" | jq -e 'has("job") | not'
}

@test "remove_disfluencies is passed to sm-format" {
	config '{"type": "transcription", "transcription_config": {"language": "en",
		"transcript_filtering_config": {"remove_disfluencies": true}}}' "$SCRATCH/c.json"
	run -0 sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0870)"
	[ "$(printf '%s' "$output" | words)" = "$(by_hand "$(lv 0870)" -d | words)" ]
}

# Each bad config: exit 78, one line naming the key, nothing on stdout.
bad_config() { # CONFIG EXPECTED_MESSAGE
	printf '%s' "$1" >"$SCRATCH/c.json"
	run -78 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0880)"
	[ -z "$output" ]
	[ "$stderr" = "sm-transcribe: $SCRATCH/c.json: $2" ] || {
		echo "config: $1"; echo "got:      $stderr"; echo "expected: sm-transcribe: $SCRATCH/c.json: $2"; false; }
}

@test "bad configs exit 78 with one line naming the key" {
	T='"type": "transcription"'
	bad_config '{"type": ' 'invalid JSON: unexpected EOF at line 1'
	printf '{\n"type": tru\n}' >"$SCRATCH/c.json"
	run -78 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0880)"
	[ -z "$output" ]
	[ "$stderr" = "sm-transcribe: $SCRATCH/c.json: invalid JSON: invalid character '\\n' in literal true (expecting 'e') at line 2" ]
	SM_JQ=jq bad_config '{"type": ' 'invalid JSON: Unfinished JSON term at EOF at line 1, column 9'
	SM_JQ=jq bad_config '{"type": "transcription"} x' 'invalid JSON: Invalid numeric literal at EOF at line 1, column 27'
	SM_JQ=jq bad_config '[]' 'config: expected a JSON object, got an array'
	SM_JQ=no-such-jq run -69 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0880)"
	[ -z "$output" ] && [ "$stderr" = "sm-transcribe: SM_JQ: no-such-jq: not found" ]
	bad_config '' 'config: expected one JSON object, got 0 JSON values'
	bad_config '{} {}' 'config: expected one JSON object, got 2 JSON values'
	bad_config '[]' 'config: expected a JSON object, got an array'
	bad_config '{"transcription_config": {"language": "en"}}' 'type: missing (expected "transcription")'
	bad_config '{"type": "translation", "transcription_config": {"language": "en"}}' \
		'type: "translation" is not one of transcription, alignment'
	bad_config '{"type": "alignment", "transcription_config": {"language": "en"}}' \
		'type: "alignment" jobs are not supported yet'
	bad_config "{$T}" 'transcription_config: missing'
	bad_config "{$T, \"transcription_config\": []}" 'transcription_config: expected an object, got an array'
	bad_config "{$T, \"transcription_config\": {}}" 'transcription_config.language: missing (e.g. "en")'
	bad_config "{$T, \"transcription_config\": {\"language\": 5}}" \
		'transcription_config.language: expected a string, got a number'
	bad_config "{$T, \"transcription_config\": {\"language\": \"../en\"}}" \
		'transcription_config.language: "../en" is not a language code'
	bad_config "{$T, \"transcription_config\": {\"language\": \"xx\"}}" \
		"transcription_config.language: no language pack for \"xx\" (installed: en in $SM_MODELS)"
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\", \"speling\": 1}}" \
		'transcription_config: unknown key "speling"'
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\"}, \"extra\": 1}" 'config: unknown key "extra"'
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\", \"diarization\": \"speaker_change\"}}" \
		'transcription_config.diarization: "speaker_change" is not one of none, speaker, channel'
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\", \"operating_point\": \"fast\"}}" \
		'transcription_config.operating_point: "fast" is not one of standard, enhanced'
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\", \"enable_entities\": \"yes\"}}" \
		'transcription_config.enable_entities: expected a boolean, got a string'
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\", \"channel_diarization_labels\": [\"ok\", \"not ok\"]}}" \
		'transcription_config.channel_diarization_labels[1]: expected a string of letters, digits, "." and "_"'
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\", \"speaker_diarization_config\": {\"speaker_sensitivity\": 2}}}" \
		'transcription_config.speaker_diarization_config.speaker_sensitivity: 2 is out of range (0 to 1)'
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\", \"punctuation_overrides\": {\"sensitivity\": -0.1}}}" \
		'transcription_config.punctuation_overrides.sensitivity: -0.1 is out of range (0 to 1)'
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\", \"punctuation_overrides\": {\"permitted_marks\": [\".\", \"!!\"]}}}" \
		'transcription_config.punctuation_overrides.permitted_marks[1]: expected one character or "all", got "!!"'
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\", \"audio_filtering_config\": {\"volume_threshold\": 101}}}" \
		'transcription_config.audio_filtering_config.volume_threshold: 101 is out of range (0 to 100)'
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\", \"additional_vocab\": [{\"content\": \"a\"}, {\"sounds_like\": [\"b\"]}]}}" \
		'transcription_config.additional_vocab[1].content: missing'
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\", \"additional_vocab\": [{\"content\": \"a\", \"sounds_like\": [\"b\", 3]}]}}" \
		'transcription_config.additional_vocab[0].sounds_like[1]: expected a string, got a number'
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\", \"additional_vocab\": $(jq -nc '[range(1001) | "w\(.)"]')}}" \
		'transcription_config.additional_vocab: 1001 entries, at most 1000'
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\", \"transcript_filtering_config\": {\"replacements\": [{\"from\": \"a\"}]}}}" \
		'transcription_config.transcript_filtering_config.replacements[0]: needs "from" and "to"'
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\"}, \"fetch_data\": {\"url\": \"ftp://host/a.wav\"}}" \
		'fetch_data.url: unsupported URL "ftp://host/a.wav" (use file://, http:// or https://)'
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\"}, \"fetch_data\": {}}" 'fetch_data.url: missing'
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\"}, \"fetch_data\": {\"url\": \"file:///a\", \"auth_headers\": [\"no colon\"]}}" \
		'fetch_data.auth_headers[0]: expected "Name: value"'
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\"}, \"output_config\": {\"srt_overrides\": {\"max_line_length\": 0}}}" \
		'output_config.srt_overrides.max_line_length: 0 is out of range (1 to 1000)'
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\"}, \"output_config\": {\"srt_overrides\": {\"max_lines\": 1.5}}}" \
		'output_config.srt_overrides.max_lines: expected an integer from 1 to 100, got a number'
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\"}, \"tracking\": \"t\"}" \
		'tracking: expected an object, got a string'
}

bad_fetch() { # CONFIG EXPECTED_MESSAGE: with fetch_data, no AUDIO
	printf '%s' "$1" >"$SCRATCH/c.json"
	run -78 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" </dev/null
	[ -z "$output" ]
	[ "$stderr" = "sm-transcribe: $SCRATCH/c.json: $2" ] || {
		echo "config: $1"; echo "got:      $stderr"; echo "expected: sm-transcribe: $SCRATCH/c.json: $2"; false; }
}

@test "a fetch_data URL or auth header that sm-fetch would refuse exits 78 naming the key, before anything starts" {
	T='"type": "transcription"'
	bad_fetch "{$T, \"transcription_config\": {\"language\": \"en\"}, \"fetch_data\": {\"url\": \"file:///a.wav?x=1\"}}" \
		"fetch_data.url: file:///a.wav?x=1: file URL with a query or fragment (write '?' as %3F and '#' as %23)"
	bad_fetch "{$T, \"transcription_config\": {\"language\": \"en\"}, \"fetch_data\": {\"url\": \"file://host/a.wav\"}}" \
		'fetch_data.url: file://host/a.wav: file URL with a remote host (expected file:///path)'
	bad_fetch "{$T, \"transcription_config\": {\"language\": \"en\"}, \"fetch_data\": {\"url\": \"http://127.0.0.1:99999/a.wav\"}}" \
		'fetch_data.url: http://127.0.0.1:99999/a.wav: malformed URL'
	bad_fetch "{$T, \"transcription_config\": {\"language\": \"en\"}, \"fetch_data\": {\"url\": \"http://127.0.0.1:1/a.wav\", \"auth_headers\": [\"X-A: 1\", \"Host: evil\"]}}" \
		"fetch_data.auth_headers[1]: header 'Host' refused: the transfer sets it itself"
}

@test "a bad value of 1 MB is quoted in at most 60 characters, on one line" {
	T='"type": "transcription"'
	big=$(head -c 1000000 /dev/zero | tr '\0' a)
	a60=$(printf '%.60s' "$big")
	bad_config "{$T, \"transcription_config\": {\"language\": \"$big\"}}" \
		"transcription_config.language: \"$a60...\" is not a language code"
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\", \"punctuation_overrides\": {\"permitted_marks\": [\"$big\"]}}}" \
		"transcription_config.punctuation_overrides.permitted_marks[0]: expected one character or \"all\", got \"${a60:1}..."
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\", \"transcript_filtering_config\": {\"replacements\": [{\"from\": \"=$big\", \"to\": \"\"}]}}}" \
		"transcription_config.transcript_filtering_config.replacements[0].from: \"=${a60:1}...\" is not a word, a phrase or a /regex/"
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\"}, \"$big\": 1}" "config: unknown key \"$a60...\""
	bad_config "{$T, \"transcription_config\": {\"language\": \"en\", \"diarization\": \"$big\"}}" \
		"transcription_config.diarization: \"$a60...\" is not one of none, speaker, channel"
}

@test "transcript_filtering_config.replacements: words, phrases and /regex/, in order" {
	config '{"type": "transcription", "transcription_config": {"language": "en",
		"transcript_filtering_config": {"replacements": [{"from": "YOUNG MAN", "to": "person"},
			{"from": "/w[aeiou]s/", "to": "had been"}, {"from": "not", "to": ""}]}}}' "$SCRATCH/c.json"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$(lv 0880)"
	[ -z "$stderr" ]
	want=$(by_hand "$(lv 0880)" -R 'young man=person' -R '/w[aeiou]s/=had been' -R 'not=' | words)
	[ "$(printf '%s' "$output" | words)" = "$want" ]
	[[ "$want" == *"person ."* ]] && [[ "$want" == *"had been"* ]] && [[ "$want" != *" not "* ]]
	printf '%s' "$output" | jq -e '.metadata.transcription_config.transcript_filtering_config.replacements | length == 3'
	bad_config "{\"type\": \"transcription\", \"transcription_config\": {\"language\": \"en\",
		\"transcript_filtering_config\": {\"replacements\": [{\"from\": \"a=b\", \"to\": \"c\"}]}}}" \
		'transcription_config.transcript_filtering_config.replacements[0].from: "a=b" is not a word, a phrase or a /regex/'
}

@test "an unreadable config file exits 66" {
	run -66 --separate-stderr sm-transcribe --job-config "$SCRATCH/none.json" "$(lv 0880)"
	[ "$stderr" = "sm-transcribe: $SCRATCH/none.json: cannot read the job config" ]
}

@test "usage errors exit 2: unknown option, --parallel 0 or junk, two audio arguments" {
	run -2 --separate-stderr sm-transcribe --frobnicate "$(lv 0880)"
	[ "${stderr_lines[0]}" = "sm-transcribe: unknown option: --frobnicate" ]
	[[ "${stderr_lines[1]}" == "Usage: sm-transcribe "* ]]
	for n in 0 00 -1 x 1.5 '' ' 2' +2; do
		run -2 --separate-stderr sm-transcribe --parallel "$n" "$(lv 0880)"
		[ "${stderr_lines[0]}" = "sm-transcribe: --parallel: expected an integer >= 1, got \"$n\"" ]
		[ -z "$output" ]
	done
	# leading zeros are the number's, as for --timeout; a cap says the number given
	run -0 --separate-stderr sm-transcribe --parallel 01 "$(lv 0880)"
	[ -z "$stderr" ]
	run -0 --separate-stderr sm-transcribe --parallel 99999999999999 "$(lv 0880)"
	[[ "$stderr" == "sm-transcribe: --parallel 99999999999999: this process may use "* ]]
	run -2 --separate-stderr sm-transcribe ""
	[ "${stderr_lines[0]}" = "sm-transcribe: AUDIO: empty path" ]
	run -2 --separate-stderr sm-transcribe --parallel=0 "$(lv 0880)"
	run -2 --separate-stderr sm-transcribe --job-config
	[ "${stderr_lines[0]}" = "sm-transcribe: --job-config: missing value" ]
	run -2 --separate-stderr sm-transcribe "$(lv 0880)" "$(lv 0870)"
	[ "${stderr_lines[0]}" = "sm-transcribe: more than one AUDIO argument" ]
}

@test "SM_MAX_SECONDS or SM_MAX_BYTES that is not a limit: exit 78 naming the variable" {
	for v in abc 0 -5 1e3; do
		SM_MAX_SECONDS=$v run -78 --separate-stderr sm-transcribe "$(lv 0880)"
		[ "$stderr" = "sm-transcribe: SM_MAX_SECONDS: expected seconds from 0.001 to 10000000, got \"$v\"" ]
		[ -z "$output" ]
	done
	for v in abc 0 4T 1.5G -1; do
		SM_MAX_BYTES=$v run -78 --separate-stderr sm-transcribe "$(lv 0880)"
		[ "$stderr" = "sm-transcribe: SM_MAX_BYTES: expected a size such as 4G, 500M or 1048576, got \"$v\"" ]
	done
	SM_MAX_BYTES=500m SM_MAX_SECONDS=7200.5 run -0 --separate-stderr sm-transcribe "$(lv 0880)"
	[ "$(printf '%s' "$output" | words)" = "$W80" ]
}

@test "--timeout and SM_TIMEOUT take whole seconds: junk is a usage error (2) as an option, a bad configuration (78) in the environment" {
	for v in x -1 1.5 ''; do
		run -2 --separate-stderr sm-transcribe --timeout "$v" "$(lv 0880)"
		[ "${stderr_lines[0]}" = "sm-transcribe: --timeout: expected an integer number of seconds (0: no limit), got \"$v\"" ]
	done
	SM_TIMEOUT=soon run -78 --separate-stderr sm-transcribe "$(lv 0880)"
	[ "$stderr" = 'sm-transcribe: SM_TIMEOUT: expected an integer number of seconds (0: no limit), got "soon"' ]
	SM_TIMEOUT=soon run -0 --separate-stderr sm-transcribe --timeout 0 "$(lv 0880)"
	[ "$(printf '%s' "$output" | words)" = "$W80" ]
}

@test "--parallel 64 is capped at the CPUs this process may use, said once on stderr; a short input's transcript is --parallel 1's" {
	run -0 --separate-stderr sm-transcribe --parallel 64 "$(lv 0870)"
	n=$(nproc)
	[ "$stderr" = "sm-transcribe: --parallel 64: this process may use $n CPU$([ "$n" = 1 ] || echo s); using $n" ]
	[ "$(printf '%s' "$output" | words)" = "$W70" ]
	run -0 --separate-stderr sm-transcribe --parallel 1 "$(lv 0870)"
	[ -z "$stderr" ]
}

@test "a failing stage's sysexits code (65 to 78) passes through, explained by the stage's own line only" {
	# None of the broken pipes upstream, nor the empty input downstream.
	SM_STAGE_FEATURES='echo "my-features: cannot compute" >&2; exit 70' \
		run -70 --separate-stderr sm-transcribe "$(lv 0880)"
	[ "$stderr" = "my-features: cannot compute" ]
	[ -z "$output" ]
	SM_STAGE_AM='echo "my-am: no model" >&2; exit 66' run -66 --separate-stderr sm-transcribe "$(lv 0880)"
	[ "$stderr" = "my-am: no model" ]
	[ -z "$output" ]
}

@test "a stage killed by a signal or failing with a code outside sysexits: exit 70 and a line naming the signal or the code" {
	SM_STAGE_AM='exit 3' run -70 --separate-stderr sm-transcribe "$(lv 0880)"
	[ "$stderr" = "sm-transcribe: sm-am: failed with exit status 3" ]
	[ -z "$output" ]
	SM_STAGE_LATTICE='kill -KILL $$' run -70 --separate-stderr sm-transcribe "$(lv 0880)"
	[ "$stderr" = "sm-transcribe: sm-lattice: killed by signal 9 (SIGKILL)" ]
	[ -z "$output" ]
	SM_STAGE_FEATURES='echo "my-features: cannot compute" >&2; exit 1' \
		run -70 --separate-stderr sm-transcribe "$(lv 0880)"
	[ "${stderr_lines[0]}" = "my-features: cannot compute" ]
	[ "${stderr_lines[1]}" = "sm-transcribe: sm-features: failed with exit status 1" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	SM_STAGE_FORMAT='exit 9' run -70 --separate-stderr sm-transcribe "$(lv 0880)"
	[ "$stderr" = "sm-transcribe: sm-format: failed with exit status 9" ]
	[ -z "$output" ]
	SM_STAGE_FORMAT='kill -SEGV $$' run -70 --separate-stderr sm-transcribe "$(lv 0880)"
	[ "$stderr" = "sm-transcribe: sm-format: killed by signal 11 (SIGSEGV)" ]
	[ -z "$output" ]
}

@test "a reader that exits 0 early is not blamed when a stage after it failed: that stage's code and line" {
	# sm-am reads a little, writes what sm-lattice refuses, and exits 0:
	# sm-features' broken pipe is explained by sm-lattice's failure.
	sox "$(lv 0870)" "$(lv 0880)" "$(lv 0890)" "$SCRATCH/long.wav"
	SM_STAGE_AM='head -c 1000 >/dev/null; echo junk' run -65 --separate-stderr sm-transcribe "$SCRATCH/long.wav"
	[ "$stderr" = "sm-lattice: <stdin>: not an sm stream (no SMST header)" ]
	[ -z "$output" ]
}

@test "a stage killed by SIGPIPE is not blamed: the reader that refused its stream is (exit 65, its line only)" {
	SM_STAGE_AM='head -c 100000 /dev/urandom' run -65 --separate-stderr sm-transcribe "$(lv 0880)"
	[ "$stderr" = "sm-lattice: <stdin>: not an sm stream (no SMST header)" ]
	[ -z "$output" ]
}

@test "a stage that exits 0 without reading its input is blamed, not its writer's broken pipe: exit 70" {
	SM_STAGE_LATTICE='head -c 1000 /dev/urandom' run -70 --separate-stderr sm-transcribe "$(lv 0880)"
	[ "$stderr" = "sm-transcribe: sm-lattice: exited before reading all of its input" ]
	[ -z "$output" ]
}

@test "a replaced sm-format that exits 0 without a json-v2 document: exit 70, one line, nothing on stdout" {
	for f in 'cat >/dev/null' 'cat >/dev/null; echo "{}"' 'cat >/dev/null; echo "[1] [2]"'; do
		SM_STAGE_FORMAT=$f run -70 --separate-stderr sm-transcribe "$(lv 0880)"
		[ "$stderr" = "sm-transcribe: sm-format: its output is not a json-v2 transcript (one object with format, metadata and results)" ]
		[ -z "$output" ]
	done
}

@test "sm-am replaced by a script passing through a recorded LOGLIK stream gives the same transcript" {
	sm-decode "$(lv 0880)" | sm-features | sm-am >"$SCRATCH/rec.ll"
	printf '#!/bin/sh\n# Reads the FEAT stream, writes the recorded scores.\ncat >/dev/null && exec cat "%s"\n' \
		"$SCRATCH/rec.ll" >"$SCRATCH/replay-am"
	chmod +x "$SCRATCH/replay-am"
	SM_STAGE_AM="$SCRATCH/replay-am" run -0 --separate-stderr sm-transcribe "$(lv 0880)"
	[ "$(printf '%s' "$output" | words)" = "$W80" ]
	# The replacement really ran: with another recording's scores, another transcript.
	sm-decode "$(lv 0870)" | sm-features | sm-am >"$SCRATCH/rec.ll"
	SM_STAGE_AM="$SCRATCH/replay-am" run -0 --separate-stderr sm-transcribe "$(lv 0880)"
	[ "$(printf '%s' "$output" | words)" = "$W70" ]
}

@test "a replacement is a shell command line: the stage's options in \"\$@\", its name in \$0" {
	SM_STAGE_AM='echo "$0 $*" >&2; exec sm-am "$@"' run -0 --separate-stderr sm-transcribe "$(lv 0880)"
	[ "$stderr" = "sm-am -l en -t 1" ]
	[ "$(printf '%s' "$output" | words)" = "$W80" ]
	# Replaced stages need not be installed.
	mkdir "$SCRATCH/bin"
	for p in sm-transcribe sm-fetch sm-decode sm-features sm-lattice sm-format; do
		ln -s "$SM_ROOT/bin/$p" "$SCRATCH/bin/$p"
	done
	SM_STAGE_AM="exec $SM_ROOT/bin/sm-am \"\$@\"" PATH=/usr/bin:/bin \
		run -0 --separate-stderr "$SCRATCH/bin/sm-transcribe" "$(lv 0880)"
	[ "$(printf '%s' "$output" | words)" = "$W80" ]
	PATH=/usr/bin:/bin run -69 --separate-stderr "$SCRATCH/bin/sm-transcribe" "$(lv 0880)"
	[ "$stderr" = "sm-transcribe: sm-am: not installed (neither next to sm-transcribe nor on PATH)" ]
}

@test "the private directory is made under TMPDIR and holds only FIFOs" {
	SM_STAGE_LATTICE='ls -l "$TMPDIR"/sm-transcribe.* >&2; exec sm-lattice "$@"' \
		run -0 --separate-stderr sm-transcribe "$(lv 0880)"
	# Every entry listed is a FIFO.
	entries=$(printf '%s\n' "$stderr" | grep -E '^[-dlpcbs][rwx-]{9}' | wc -l)
	[ "$entries" -eq 18 ]
	! printf '%s\n' "$stderr" | grep -E '^[-dlcbs][rwx-]{9}'
	[ "$(printf '%s' "$output" | words)" = "$W80" ]
}

@test "a TMPDIR that cannot be used is passed over for /tmp, said in one line, the transcript unchanged" {
	run -0 sm-transcribe "$(lv 0880)"
	ref=$(printf '%s\n' "$output" | jq -c 'del(.metadata.created_at)')
	TMPDIR=$SCRATCH/missing run -0 --separate-stderr sm-transcribe "$(lv 0880)"
	assert_equal "$stderr" "sm-transcribe: TMPDIR ($SCRATCH/missing): cannot create a directory there; using /tmp"
	assert_equal "$(printf '%s\n' "$output" | jq -c 'del(.metadata.created_at)')" "$ref"
}

@test "with TMPDIR, /home/smuser and /tmp all unusable the job fails with one line naming the three, exit 74" {
	# A read-only root: /tmp cannot be written, /home/smuser does not exist
	# or cannot be written either.
	run -74 --separate-stderr timeout 60 bwrap --die-with-parent --new-session \
		--ro-bind / / --dev /dev --proc /proc --setenv TMPDIR "$SCRATCH/missing" -- \
		sm-transcribe "$(lv 0880)"
	assert_equal "$stderr" "sm-transcribe: cannot create a private directory in \$TMPDIR ($SCRATCH/missing), /home/smuser or /tmp (mount a writable tmpfs on one of them)"
	[ -z "$output" ]
	run -74 --separate-stderr timeout 60 bwrap --die-with-parent --new-session \
		--ro-bind / / --dev /dev --proc /proc --unsetenv TMPDIR -- sm-transcribe "$(lv 0880)"
	assert_equal "$stderr" 'sm-transcribe: cannot create a private directory in $TMPDIR, /home/smuser or /tmp (mount a writable tmpfs on one of them)'
	[ -z "$output" ]
}

@test "SIGTERM stops every stage, removes the directory and writes nothing" {
	sox "$(lv 0870)" "$(lv 0880)" "$(lv 0890)" "$(lv 0920)" "$(lv 0930)" \
		"$(lv 0870)" "$(lv 0880)" "$(lv 0890)" "$(lv 0920)" "$(lv 0930)" "$SCRATCH/long.wav"
	sm-transcribe "$SCRATCH/long.wav" >"$SCRATCH/out" 2>"$SCRATCH/err" &
	job=$!
	# Wait until sm-am runs (scoring has started).
	for _ in $(seq 400); do
		kids=$(pgrep -P "$job" | tr '\n' ' ')
		pgrep -P "$job" -x sm-am >/dev/null && break
		sleep 0.02
	done
	pgrep -P "$job" -x sm-am >/dev/null
	[ -n "$(ls -A "$TMPDIR")" ]
	kill -TERM "$job"
	st=0
	wait "$job" || st=$?
	[ "$st" -eq 143 ]
	[ ! -s "$SCRATCH/out" ]
	for k in $kids; do ! kill -0 "$k" 2>/dev/null; done
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "SIGTERM stops a replaced stage's children too: the stage's whole process group" {
	export SCRATCH
	SM_STAGE_AM='sleep 1000 3>&- & echo $! >"$SCRATCH/kid"; wait' \
		sm-transcribe "$(lv 0880)" >"$SCRATCH/out" 2>"$SCRATCH/err" &
	job=$!
	for _ in $(seq 400); do [ -s "$SCRATCH/kid" ] && break; sleep 0.02; done
	kid=$(cat "$SCRATCH/kid")
	kill -0 "$kid"
	kill -TERM "$job"
	st=0
	timeout 20 tail --pid="$job" -f /dev/null
	wait "$job" || st=$?
	[ "$st" -eq 143 ]
	[ "$(cat "$SCRATCH/err")" = "sm-transcribe: stopped by SIGTERM; no transcript written" ]
	# Gone, or a zombie its new parent has not reaped yet.
	for _ in $(seq 40); do kill -0 "$kid" 2>/dev/null || break; sleep 0.05; done
	! kill -0 "$kid" 2>/dev/null || [ "$(ps -o stat= -p "$kid")" = Z ] || { kill "$kid"; false; }
}

@test "a full or closed stdout is exit 74 with one line" {
	run -74 --separate-stderr sh -c 'sm-transcribe "$1" >/dev/full' sh "$(lv 0880)"
	[ "$stderr" = "sm-transcribe: <stdout>: cannot write the transcript" ]
	run -74 --separate-stderr sh -c 'sm-transcribe "$1" >&-' sh "$(lv 0880)"
	[ "$stderr" = "sm-transcribe: <stdout>: cannot write the transcript" ]
}

@test "a closed stdin: - is exit 66, no AUDIO at all is a usage error" {
	run -66 --separate-stderr sh -c 'sm-transcribe - <&-'
	[ "$stderr" = "sm-transcribe: <stdin>: closed" ]
	run -2 --separate-stderr sh -c 'sm-transcribe <&-'
	[ "${stderr_lines[0]}" = "sm-transcribe: no audio: give AUDIO, fetch_data.url in the config, /input.audio or stdin" ]
}

@test "a job killed with SIGKILL leaves no process waiting for ever" {
	sox "$(lv 0880)" "$(lv 0870)" "$SCRATCH/two.wav"
	sm-transcribe "$SCRATCH/two.wav" >"$SCRATCH/out" 2>/dev/null &
	job=$!
	for _ in $(seq 400); do
		pgrep -P "$job" -x sm-am >/dev/null && break
		sleep 0.02
	done
	kids=$(pgrep -P "$job" | tr '\n' ' ')
	[ -n "$kids" ]
	kill -KILL "$job"
	wait "$job" || true
	# The stages die with the job, the filters and the gate see end-of-file,
	# and the watcher removes the private directory, then ends.
	ended_within 600 $kids
	[ ! -s "$SCRATCH/out" ]
	[ -z "$(ls -A "$TMPDIR")" ]
}

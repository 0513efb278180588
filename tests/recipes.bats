#!/usr/bin/env bats
# The batch recipes of README.md ("Batch recipes") and sm-transcribe(1),
# each run exactly as written, on real recordings, in a scratch directory
# holding calls/*.wav, speech.wav and prompt.g722.
load test_helper

LV=$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb

setup_file() {
	# The references: each recording's job on its own.
	for id in 0880 0930 0890; do
		sm-transcribe "$LV-$id.wav" | jq -c 'del(.metadata.created_at)' >"$BATS_FILE_TMPDIR/$id.json"
	done
}

setup() {
	setup_scratch
	mkdir "$SCRATCH/calls" "$SCRATCH/calls/2024" "$SCRATCH/out"
	cp "$LV-0880.wav" "$SCRATCH/calls/lv-0880.wav"
	cp "$LV-0930.wav" "$SCRATCH/calls/lv-0930.wav"
	cp "$LV-0890.wav" "$SCRATCH/calls/2024/lv-0890.wav"
	cp "$LV-0880.wav" "$SCRATCH/speech.wav"
	cp "$AST_DIR/conf-onlyperson.g722" "$SCRATCH/prompt.g722"
}

# Run LINE with sh in the scratch directory, once it is found verbatim (as
# an indented code line) in the README; also in FILES (man pages) if given.
recipe() { # LINE [FILE...]
	grep -qxF -- "    $1" "$SM_ROOT/README.md" || { echo "not in README.md: $1"; return 1; }
	for f in "${@:2}"; do
		grep -qxF -- "$1" "$f" || { echo "not in $f: $1"; return 1; }
	done
	run --separate-stderr sh -c "cd \"\$1\" && $1" sh "$SCRATCH"
}

same() { # JSON-FILE ID
	[ "$(jq -c 'del(.metadata.created_at)' "$1")" = "$(cat "$BATS_FILE_TMPDIR/$2.json")" ]
}

@test "find | xargs -P 2 sm-transcribe --all-formats: every recording's three files" {
	recipe "find calls -name '*.wav' -print0 | xargs -0 -n 1 -P 2 sm-transcribe --all-formats out > /dev/null" \
		"$SM_ROOT/man/sm-transcribe.1"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	run -0 ls "$SCRATCH/out"
	[ "${#lines[@]}" -eq 9 ]
	for id in 0880 0930 0890; do
		same "$SCRATCH/out/lv-$id.json" "$id"
		assert_file_exists "$SCRATCH/out/lv-$id.txt"
		assert_file_exists "$SCRATCH/out/lv-$id.srt"
	done
}

@test "GNU parallel: one json-v2 transcript per recording, named after it" {
	recipe "parallel -j 2 'sm-transcribe {} > out/{/.}.json' ::: calls/*.wav" "$SM_ROOT/man/sm-transcribe.1"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	run -0 ls "$SCRATCH/out"
	assert_output $'lv-0880.json\nlv-0930.json'
	same "$SCRATCH/out/lv-0880.json" 0880
	same "$SCRATCH/out/lv-0930.json" 0930
}

@test "a pipeline stopped after sm-features and looked at with sm-dump" {
	recipe "sm-decode speech.wav | sm-features | sm-dump | sed -n 1,4p"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 4 ]
	[[ "${lines[0]}" == "SMST version=1 kind=FEAT type=f32 rate=16000 dim=39 shift=160 "* ]]
	for i in 1 2 3; do
		[ "$(printf '%s\n' "${lines[$i]}" | wc -w)" -eq 39 ]
	done
}

@test "a pipeline stopped after sm-lattice: the best path as text" {
	recipe "sm-decode speech.wav | sm-features | sm-am | sm-lattice"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	assert_line --index 0 '#sm-hyp 1'
	[ "${lines[-1]}" = "#end" ]
	# The words are those of the whole job.
	words=$(printf '%s\n' "$output" | awk -F '\t' '$4 == "word"' | cut -f 5 | tr '\n' ' ')
	job=$(jq -r '[.results[] | select(.type == "word") | .alternatives[0].content | ascii_downcase] | join(" ")' \
		"$BATS_FILE_TMPDIR/0880.json")
	[ "$words" = "$job " ]
}

@test "a stage of one's own: awk instead of sm-format" {
	recipe "sm-decode speech.wav | sm-features | sm-am | sm-lattice | awk -F '\\t' '\$4 == \"word\" { printf \"%s%s\", s, \$5; s = \" \" } END { print \"\" }'"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	job=$(jq -r '[.results[] | select(.type == "word") | .alternatives[0].content | ascii_downcase] | join(" ")' \
		"$BATS_FILE_TMPDIR/0880.json")
	[ "$output" = "$job" ]
}

@test "a stage of one's own inside a job: ffmpeg decodes G.722 in front of sm-decode" {
	recipe "SM_STAGE_DECODE='ffmpeg -nostdin -loglevel error -f g722 -i - -f wav - | sm-decode \"\$@\"' sm-transcribe prompt.g722" \
		"$SM_ROOT/man/sm-transcribe.1"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	asterisk16 conf-onlyperson "$SCRATCH/prompt.wav"
	[ "$(printf '%s\n' "$output" | jq -c 'del(.metadata.created_at)')" = \
		"$(sm-transcribe "$SCRATCH/prompt.wav" | jq -c 'del(.metadata.created_at)')" ]
	[ "$(printf '%s\n' "$output" | jq -r '[.results[] | .alternatives[0].content] | join(" ")')" = \
		"You are currently the only person in this conference ." ]
	# The replacement received the stage's options (--max-seconds).
	run -65 --separate-stderr env SM_STAGE_DECODE='ffmpeg -nostdin -loglevel error -f g722 -i - -f wav - | sm-decode "$@"' \
		SM_MAX_SECONDS=0.5 sm-transcribe "$SCRATCH/prompt.g722"
	[ "$stderr" = "sm-decode: $SCRATCH/prompt.g722: audio is longer than 0.5 s (raise --max-seconds)" ]
}

#!/usr/bin/env bats
# json-v2 transcripts against the original's API spec (tests/schema/: its
# batch.yaml, RetrieveTranscriptResponse), checked by tests/schema/validate.py.
# scripts/run-tests.sh also validates every json-v2 document the suites make.
load test_helper
load transcribe_helper

VALIDATE="python3 $SM_ROOT/tests/schema/validate.py"

# Representative documents, from real recordings: sm-format's own (plain,
# with tracking) and whole jobs (speakers, channels with labels).
setup_file() {
	d=$BATS_FILE_TMPDIR
	sm-decode "$(lv 0880)" | sm-features | sm-am | sm-lattice >"$d/0880.hyp"
	sm-format "$d/0880.hyp" >"$d/plain.json"
	printf '{"title": "call 7", "tags": ["a"], "details": {"n": 1}}\n' >"$d/trk"
	sm-format --tracking "$d/trk" --data-name 0880.wav "$d/0880.hyp" >"$d/tracking.json"
	config '{"type": "transcription", "transcription_config": {"language": "en", "diarization": "speaker"}}' "$d/spk.cfg"
	sm-transcribe --job-config "$d/spk.cfg" "$(lv 0880)" >"$d/speakers.json"
	sox -M "$(lv 0880)" "$(lv 0870)" "$d/two.wav"
	config '{"type": "transcription", "transcription_config": {"language": "en", "diarization": "channel",
		"channel_diarization_labels": ["Agent", "Caller"]}, "tracking": {"title": "t"}}' "$d/chan.cfg"
	sm-transcribe --job-config "$d/chan.cfg" "$d/two.wav" >"$d/channels.json"
}

setup() {
	setup_scratch
	D=$BATS_FILE_TMPDIR
}

@test "json-v2 of real recordings is valid: plain, with tracking, with speakers, with labelled channels" {
	# Each document is what its name says.
	jq -e 'has("job") | not' "$D/plain.json"
	jq -e '.job.data_name == "0880.wav" and .job.tracking.title == "call 7"' "$D/tracking.json"
	jq -e '[.results[].alternatives[0].speaker] | unique | all(test("^S[0-9]+$"))' "$D/speakers.json"
	jq -e '([.results[].channel] | unique) == ["Agent", "Caller"] and .job.data_name == "two.wav"' "$D/channels.json"
	for doc in plain tracking speakers channels; do
		run -0 $VALIDATE "$D/$doc.json"
		assert_output ''
	done
	run -0 $VALIDATE "$D/plain.json" "$D/tracking.json" "$D/speakers.json" "$D/channels.json"
	assert_output ''
}

@test "the validator rejects a missing required field, a wrong type and a bad enum value, naming the document and the path" {
	jq 'del(.metadata.created_at)' "$D/plain.json" >"$SCRATCH/no-created.json"
	run -1 $VALIDATE "$SCRATCH/no-created.json"
	assert_output "$SCRATCH/no-created.json: metadata: 'created_at' is a required property"
	jq 'del(.job.id)' "$D/tracking.json" >"$SCRATCH/no-id.json"
	run -1 $VALIDATE "$SCRATCH/no-id.json"
	assert_output "$SCRATCH/no-id.json: job: 'id' is a required property"
	jq '.job.duration = 2.5' "$D/tracking.json" >"$SCRATCH/float.json"
	run -1 $VALIDATE "$SCRATCH/float.json"
	assert_output "$SCRATCH/float.json: job/duration: 2.5 is not of type 'integer'"
	jq '.results[0].alternatives[0].confidence = "high"' "$D/plain.json" >"$SCRATCH/conf.json"
	run -1 $VALIDATE "$SCRATCH/conf.json"
	assert_output "$SCRATCH/conf.json: results/0/alternatives/0/confidence: 'high' is not of type 'number'"
	jq '.results[0].type = "sound"' "$D/plain.json" >"$SCRATCH/type.json"
	run -1 $VALIDATE "$SCRATCH/type.json"
	assert_output --partial "$SCRATCH/type.json: results/0/type: 'sound' is not one of"
	# One bad document among good ones: only it is named.
	run -1 $VALIDATE "$D/plain.json" "$SCRATCH/no-created.json" "$D/channels.json"
	assert_output "$SCRATCH/no-created.json: metadata: 'created_at' is a required property"
	printf '{"format": "2.9"' >"$SCRATCH/cut.json"
	run -1 $VALIDATE "$SCRATCH/cut.json"
	assert_output --partial "$SCRATCH/cut.json: not one JSON value: "
}

@test "under make test, sm-format keeps a copy of each json-v2 document it writes for the last check, not of other formats" {
	[ -n "${SM_SCHEMA_DOCS:-}" ] || skip "not run by scripts/run-tests.sh"
	name=schema-bats-$$-$RANDOM
	run -0 sm-format --tracking "$D/trk" --data-name "$name" - <"$D/0880.hyp"
	want=$(printf '%s\n' "$output" | jq -c 'del(.metadata.created_at, .job.created_at, .job.id)')
	copy=$(grep -l -F "\"data_name\": \"$name\"" "$SM_SCHEMA_DOCS"/doc.*.json)
	[ "$(printf '%s\n' "$copy" | wc -l)" -eq 1 ]
	[ "$(jq -c 'del(.metadata.created_at, .job.created_at, .job.id)' "$copy")" = "$want" ]
	run -0 sm-format -f ctm --data-name "$name" "$D/0880.hyp"
	run -0 sm-format -f txt --tracking "$D/trk" --data-name "$name.txt" "$D/0880.hyp"
	# Only the json call left a copy.
	run -0 grep -l -F "$name" "$SM_SCHEMA_DOCS"/doc.*.json
	assert_output "$copy"
}

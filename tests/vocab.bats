#!/usr/bin/env bats
# The custom vocabulary (transcription_config.additional_vocab) on real
# asterisk prompts whose words the English dictionary lacks
# (tests/vocab-asterisk.tsv), and the benchmark's tools: the test set
# builder (scripts/vocab-corpus.sh) and its scorer (scripts/vocab-score.py).
load test_helper
load transcribe_helper

setup_file() {
	asterisk16 conf-now-unmuted "$BATS_FILE_TMPDIR/unmuted.wav"
	# A test set from three prompts' references (the audio is not read).
	for id in agent-incorrect demo-nogo vm-review; do
		awk -F '\t' -v id="$id" '$1 == id { print $1 "\t-\t" $2 "\t0" }' \
			"$SM_ROOT/tests/corpus/asterisk-en.ref.tsv"
	done >"$BATS_FILE_TMPDIR/refs.tsv"
	# Without the letter-to-sound model, whose training takes longer.
	VOCAB_NO_LTS=1 sh "$SM_ROOT/scripts/vocab-corpus.sh" "$BATS_FILE_TMPDIR/set" \
		"$BATS_FILE_TMPDIR/refs.tsv" 2>"$BATS_FILE_TMPDIR/set.err"
}

setup() {
	setup_scratch
	UNMUTED=$BATS_FILE_TMPDIR/unmuted.wav
	SET=$BATS_FILE_TMPDIR/set
	DICT=$(sed -n 's/^dict[[:space:]]*=[[:space:]]*//p' "$SM_MODELS/en/pack.conf")
}

# A job config with this additional_vocab: JSON_LIST OUT
vocab_config() {
	config '{"type": "transcription", "transcription_config": {"language": "en",
		"additional_vocab": '"$1"'}}' "$2"
}

# The transcript's word items, one a line.
word_items() {
	jq -r '.results[] | select(.type == "word") | .alternatives[0].content'
}

@test "vocab-score.py counts an occurrence as recognised only when the aligned hypothesis word is the same, in any case" {
	printf 'muted\nunlock\n' >"$SCRATCH/words"
	printf 'a\t-\tyou are now muted\t1\nb\t-\tunlock or muted muted\t1\nc\t-\tno word\t1\n' >"$SCRATCH/m.tsv"
	printf 'a\tYou are now Muted\nb\tun lock or muted mute\n' >"$SCRATCH/h.tsv"
	run -0 python3 "$SM_ROOT/scripts/vocab-score.py" "$SCRATCH/words" "$SCRATCH/m.tsv" "$SCRATCH/h.tsv"
	assert_output '2 4'
}

@test "vocab-corpus.sh's test pack lacks every variant of the test words, which the main dictionary has, and its search image checks" {
	[ "$(wc -l <"$SET/words.txt")" -ge 3 ]
	while read -r w; do
		grep -q "^$w[ (]" "$DICT"
		[ "$(grep -c "^$w[ (]" "$SET/models/en/dict")" -eq 0 ]
	done <"$SET/words.txt"
	[ "$(($(wc -l <"$DICT") - $(wc -l <"$SET/models/en/dict")))" -ge "$(wc -l <"$SET/words.txt")" ]
	run -0 sm-lattice -m "$SET/models/en" --check-image
}

@test "vocab-corpus.sh's sounds_like respellings are words of the test pack's dictionary, never the word itself" {
	run -0 awk -F '\t' '$3 != "none"' "$SET/sounds.tsv"
	[ "${#lines[@]}" -ge 1 ]
	while IFS="$(printf '\t')" read -r w spell kind _; do
		[ "$kind" != none ] || continue
		for p in $spell; do
			[ "$p" != "$w" ]
			grep -q "^$p " "$SET/models/en/dict"
		done
	done <"$SET/sounds.tsv"
}

@test "an unknown word of a real prompt (unmuted) is recognised when listed with sounds_like, and not without a list" {
	run -0 --separate-stderr sm-transcribe "$UNMUTED"
	[ -z "$(printf '%s' "$output" | word_items | grep -ix unmuted)" ]
	vocab_config '[{"content": "unmuted", "sounds_like": ["un muted"]}]' "$SCRATCH/c.json"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$UNMUTED"
	printf '%s' "$output" | word_items | grep -qix unmuted
}

@test "a listed phrase is written as its content gives it, one word item per word" {
	vocab_config '[{"content": "Now UnMuted", "sounds_like": ["now un muted"]}]' "$SCRATCH/c.json"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$UNMUTED"
	printf '%s' "$output" | word_items | paste -sd' ' | grep -q 'Now UnMuted$'
}

@test "entries without letters (\"!!!\", \"123\") are named once each on stderr and the job uses the rest of the list" {
	vocab_config '["!!!", "123", {"content": "unmuted", "sounds_like": ["un muted"]}]' "$SCRATCH/c.json"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$UNMUTED"
	[ "$(printf '%s\n' "$stderr" | grep -cF '!!!')" -eq 1 ]
	[ "$(printf '%s\n' "$stderr" | grep -c '123')" -eq 1 ]
	printf '%s' "$output" | word_items | grep -qix unmuted
}

@test "with channel diarization each channel's search uses the list, and an entry it cannot use is named once" {
	sox -M "$UNMUTED" "$UNMUTED" "$SCRATCH/two.wav"
	config '{"type": "transcription", "transcription_config": {"language": "en",
		"diarization": "channel", "additional_vocab": ["!!!", {"content": "unmuted", "sounds_like": ["un muted"]}]}}' \
		"$SCRATCH/c.json"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$SCRATCH/two.wav"
	[ "$(printf '%s\n' "$stderr" | grep -cF '"!!!" not used')" -eq 1 ]
	printf '%s' "$output" | jq -e '[.results[] | select(.type == "word" and
		(.alternatives[0].content | ascii_downcase) == "unmuted") | .channel] | sort == ["Channel 1", "Channel 2"]'
}

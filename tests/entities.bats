#!/usr/bin/env bats
# sm-format -E/--entities on real recordings: asterisk prompts joined with
# sox into number, date, time and money phrases, decoded by the pipeline.
load test_helper

# NAME: the prompts joined (each decoded by prompts below), decoded once per
# file into NAME.hyp.
phrase() { # NAME PROMPT...
	local name=$1 wavs=() p
	shift
	for p in "$@"; do
		wavs+=("$BATS_FILE_TMPDIR/${p//\//_}.wav")
	done
	sox "${wavs[@]}" "$BATS_FILE_TMPDIR/$name.wav"
	sm-decode "$BATS_FILE_TMPDIR/$name.wav" | sm-features | sm-am | sm-lattice \
		>"$BATS_FILE_TMPDIR/$name.hyp"
}

# Every prompt of the phrases, decoded to BATS_FILE_TMPDIR/ID.wav.
prompts() { # PROMPT...
	local p args=()
	for p in $(printf '%s\n' "$@" | sort -u); do
		args+=("$p" "$BATS_FILE_TMPDIR/${p//\//_}.wav")
	done
	asterisk16 "${args[@]}"
}

setup_file() {
	prompts digits/20 digits/5 digits/mon-4 digits/h-3 digits/dollars digits/50 letters/ascii37 \
		digits/10 digits/30 digits/a-m digits/1 digits/2 digits/19 digits/90 digits/9
	phrase cardinal digits/20 digits/5
	phrase date digits/mon-4 digits/h-3
	phrase money digits/20 digits/dollars
	phrase percentage digits/50 letters/ascii37
	phrase time digits/10 digits/30 digits/a-m
	phrase telephone digits/5 digits/5 digits/5 digits/1 digits/2 digits/1 digits/2
	phrase year digits/19 digits/90 digits/9
}

setup() {
	setup_scratch
	D=$BATS_FILE_TMPDIR
}

# The one entity of a decoded phrase: "CLASS CONTENT", after checking that
# its spoken form is the words of the best path with their times, that it
# spans them, and that its written form's words join into its content and
# share its time.
entity_of() { # NAME [OPTION...]
	local name=$1
	shift
	sm-format -E "$@" "$D/$name.hyp" >"$D/$name.json"
	awk -F'\t' '$4 == "word" { printf "%s %.2f %.2f\n", $5, $1, $2 }' "$D/$name.hyp" \
		>"$D/$name.words"
	jq -r '.results[] | select(.type == "entity") | .spoken_form[] |
		"\(.alternatives[0].content) \(.start_time) \(.end_time)"' "$D/$name.json" |
		awk '{ printf "%s %.2f %.2f\n", $1, $2, $3 }' >"$D/$name.spoken"
	diff "$D/$name.words" "$D/$name.spoken" >&2 || return 1
	jq -e '[.results[] | select(.type == "entity")] | length == 1 and all(.[];
		.start_time == .spoken_form[0].start_time and .end_time == .spoken_form[-1].end_time
		and ([.written_form[].alternatives[0].content] | join(" ")) == .alternatives[0].content
		and .written_form[0].start_time == .start_time and .written_form[-1].end_time == .end_time
		and all(.written_form[], .spoken_form[]; .type == "word"))' "$D/$name.json" >/dev/null ||
		return 1
	jq -r '.results[] | select(.type == "entity") | "\(.entity_class) \(.alternatives[0].content)"' \
		"$D/$name.json"
}

@test "decoded \"twenty five\" is one cardinal entity 25 made of its two words" {
	run -0 entity_of cardinal
	assert_output 'cardinal 25'
}

@test "decoded \"may third\" is a date entity, May 3rd in en-US and 3rd of May in en-GB" {
	run -0 entity_of date
	assert_output 'date May 3rd'
	run -0 entity_of date --locale en-GB
	assert_output 'date 3rd of May'
	run -0 jq -r '[.results[0].written_form[].alternatives[0].content] | join("|")' "$D/date.json"
	assert_output '3rd|of|May'
}

@test "decoded \"twenty dollars\" is a money entity \$20" {
	run -0 entity_of money
	assert_output 'money $20'
}

@test "decoded \"fifty percent\" is a percentage entity 50%" {
	run -0 entity_of percentage
	assert_output 'percentage 50%'
}

@test "decoded \"ten thirty am\" is a time entity 10:30 a.m. with written words 10:30 and a.m." {
	run -0 entity_of time
	assert_output 'time 10:30 a.m.'
	run -0 jq -r '[.results[0].written_form[].alternatives[0].content] | join("|")' "$D/time.json"
	assert_output '10:30|a.m.'
}

@test "decoded seven spoken digits are a telephone entity 555-1212" {
	run -0 entity_of telephone
	assert_output 'telephone 555-1212'
}

@test "decoded \"nineteen ninety nine\" is a date entity 1999" {
	run -0 entity_of year
	assert_output 'date 1999'
}

@test "txt and srt write the entities' written forms, one full stop after a.m." {
	run -0 sm-format -E -f txt "$D/money.hyp"
	assert_output '$20.'
	run -0 sm-format -E -f txt "$D/time.hyp"
	assert_output '10:30 a.m.'
	run -0 sm-format -E -f srt "$D/date.hyp"
	assert_line --index 2 'May 3rd.'
}

@test "ctm writes an entity's written words one a line, with the times json-v2 gives them" {
	run -0 entity_of time
	sm-format -E -f ctm --data-name t "$D/time.hyp" >"$SCRATCH/ctm"
	jq -r '.results[] | select(.type == "entity") | .written_form[] |
		"t 1 \(.start_time) \(.alternatives[0].content)"' "$D/time.json" >"$SCRATCH/want"
	[ "$(wc -l <"$SCRATCH/want")" -eq 2 ]
	# START in milliseconds rounded to hundredths, as json-v2 writes it.
	awk '$5 == "10:30" || $5 == "a.m." { ms = int($3 * 1000 + 0.5); cs = int((ms + 5) / 10)
		printf "%s %s %d.%02d %s\n", $1, $2, cs / 100, cs % 100, $5 }' "$SCRATCH/ctm" >"$SCRATCH/got"
	awk '{ cs = int($3 * 100 + 0.5); printf "%s %s %d.%02d %s\n", $1, $2, cs / 100, cs % 100, $4 }' \
		"$SCRATCH/want" >"$SCRATCH/want2"
	diff "$SCRATCH/got" "$SCRATCH/want2"
}

@test "an entity's spoken words keep their volume=, its written words have none" {
	printf '#sm-hyp 1\n0.0\t0.5\t0.9\tword\ttwenty\tvolume=12.50\n0.5\t1.0\t0.9\tword\tdollars\tvolume=10.00\n#end\n' >"$SCRATCH/v"
	run -0 sm-format -E "$SCRATCH/v"
	[ "$(jq -c '[.results[0].spoken_form[].volume]' <<<"$output")" = '[12.5,10]' ]
	[ "$(jq -c '[.results[0].written_form[] | has("volume")]' <<<"$output")" = '[false]' ]
}

@test "without -E the words stay words: no entity, the same words as the best path" {
	run -0 sm-format -P -f txt "$D/money.hyp"
	assert_output 'twenty dollars'
	run -0 jq -e '[.results[].type] | all(. == "word" or . == "punctuation")' \
		< <(sm-format "$D/date.hyp")
}

@test "-E leaves a transcript without numbers byte for byte as without it" {
	printf '#sm-hyp 1\n0.1\t0.4\t0.9\tword\tone\n0.4\t0.7\t0.8\tword\tof\n0.7\t1.0\t0.9\tword\tthem\n#end\n' \
		>"$D/words.hyp"
	sm-format "$D/words.hyp" | grep -v created_at >"$D/plain.json"
	sm-format -E "$D/words.hyp" | grep -v created_at >"$D/entities.json"
	cmp "$D/plain.json" "$D/entities.json"
	run -0 sm-format -E -f txt "$D/words.hyp"
	assert_output 'One of them.'
}

@test "--locale rejects an unknown locale with exit 64 and one line" {
	run -64 --separate-stderr sm-format -E --locale en-NZ "$D/date.hyp"
	assert_equal "$stderr" 'sm-format: --locale: expected en-US, en-GB or en-AU, got "en-NZ"'
	[ -z "$output" ]
}

@test "sm-transcribe with enable_entities true writes entity results, with false words" {
	printf '{"type": "transcription", "transcription_config": {"language": "en", "enable_entities": true}}' \
		>"$SCRATCH/on.json"
	printf '{"type": "transcription", "transcription_config": {"language": "en", "enable_entities": false}}' \
		>"$SCRATCH/off.json"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/on.json" "$D/money.wav"
	[ -z "$stderr" ]
	printf '%s' "$output" | jq -e '[.results[] | select(.type == "entity")] |
		length == 1 and .[0].entity_class == "money" and .[0].alternatives[0].content == "$20"'
	printf '%s' "$output" | jq -e '.metadata.language_pack_info.itn == true'
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/off.json" "$D/money.wav"
	# (the two prompts' pause may end a sentence between them: lower case)
	printf '%s' "$output" | jq -e '[.results[] | select(.type == "word") | .alternatives[0].content |
		ascii_downcase] == ["twenty", "dollars"]'
}

@test "the original's documented example: 17th of January 2022, its written 17th from 0.72 to 1.33" {
	printf '#sm-hyp 1\n0.72\t1.41\t1.0\tword\tseventeenth\n1.41\t1.60\t0.99\tword\tof\n1.60\t2.10\t1.0\tword\tjanuary\n2.10\t2.50\t1.0\tword\ttwenty\n2.50\t2.80\t1.0\tword\ttwenty\n2.80\t3.14\t1.0\tword\ttwo\n#end\n' \
		>"$D/doc.hyp"
	run -0 sm-format -E --locale en-GB "$D/doc.hyp"
	printf '%s' "$output" | jq -e '.results[0] | .type == "entity" and .entity_class == "date"
		and .start_time == 0.72 and .end_time == 3.14
		and .alternatives[0] == {"content": "17th of January 2022", "confidence": 0.99, "language": "en", "speaker": "UU"}
		and .spoken_form[0] == {"type": "word", "start_time": 0.72, "end_time": 1.41, "alternatives":
			[{"content": "seventeenth", "confidence": 1.0, "language": "en", "speaker": "UU"}]}
		and .written_form[0] == {"type": "word", "start_time": 0.72, "end_time": 1.33, "alternatives":
			[{"content": "17th", "confidence": 0.99, "language": "en", "speaker": "UU"}]}
		and ([.written_form[].alternatives[0].content] == ["17th", "of", "January", "2022"])'
}

#!/usr/bin/env bats
# sm-format --locale and the English pack's spelling table
# (models/en/spelling.txt, made by scripts/spelling.sh from Debian's word
# lists), on the best paths of real asterisk prompts.
load test_helper

setup_file() {
	set --
	for id in cannot-complete-as-dialed digits/day-1 digits/mon-0; do
		set -- "$@" "$id" "$BATS_FILE_TMPDIR/${id##*/}.wav"
	done
	asterisk16 "$@"
	for id in cannot-complete-as-dialed digits/day-1 digits/mon-0; do
		f=$BATS_FILE_TMPDIR/${id##*/}
		sm-decode "$f.wav" | sm-features | sm-am | sm-lattice >"$f.hyp"
	done
}

setup() {
	setup_scratch
	DIALED=$BATS_FILE_TMPDIR/cannot-complete-as-dialed.hyp
	TABLE=$SM_MODELS/en/spelling.txt
}

# A hypothesis of the words given, 0.2 s each, no pause.
hyp_of() { # WORD...
	printf '#sm-hyp 1\n'
	t=0
	for w in "$@"; do
		printf '%d.%d00\t%d.%d00\t0.900\tword\t%s\n' $((t / 10)) $((t % 10)) \
			$(((t + 2) / 10)) $(((t + 2) % 10)) "$w"
		t=$((t + 2))
	done
	printf '#end\n'
}

@test "sm-format --help shows --locale and its default" {
	run -0 sm-format --help
	assert_line --partial '--locale LOCALE     spelling and entity forms: en-US, en-GB or en-AU'
	assert_line --partial '(default en-US)'
}

@test "en-GB and en-AU write the recognised \"dialed\" of a real prompt as \"dialled\"; en-US and the default keep \"dialed\"" {
	[ "$(awk -F'\t' '$4 == "word" { print $5 }' "$DIALED" | paste -sd' ')" = \
		'your call cannot be completed as dialed' ]
	for l in en-GB en-AU; do
		run -0 sm-format -f txt --locale "$l" "$DIALED"
		assert_output 'Your call cannot be completed as dialled.'
	done
	run -0 sm-format -f txt --locale en-US "$DIALED"
	assert_output 'Your call cannot be completed as dialed.'
	run -0 sm-format -f txt "$DIALED"
	assert_output 'Your call cannot be completed as dialed.'
}

@test "en-GB changes only the word's content in json-v2: its times and confidence stay" {
	run -0 sm-format "$DIALED"
	us=$output
	run -0 sm-format --locale en-GB "$DIALED"
	[ "$(printf '%s' "$output" | jq -c 'del(.metadata.created_at)')" = \
		"$(printf '%s' "$us" | jq -c 'del(.metadata.created_at) |
			(.results[] | select(.alternatives[0].content == "dialed") | .alternatives[0].content) = "dialled"')" ]
}

@test "a day and a month recognised in real prompts are capitalised in every locale, also with --no-punctuation" {
	[ "$(awk -F'\t' '$4 == "word" { print $5 }' "$BATS_FILE_TMPDIR/day-1.hyp")" = monday ]
	[ "$(awk -F'\t' '$4 == "word" { print $5 }' "$BATS_FILE_TMPDIR/mon-0.hyp")" = january ]
	for l in en-US en-GB en-AU; do
		run -0 sm-format -P -f txt --locale "$l" "$BATS_FILE_TMPDIR/day-1.hyp"
		assert_output 'Monday'
		run -0 sm-format -P -f txt --locale "$l" "$BATS_FILE_TMPDIR/mon-0.hyp"
		assert_output 'January'
	done
}

@test "names inside a sentence get their capitals; words the lists also hold lower-case stay lower-case" {
	hyp_of we met in london on monday in may and march i think john will bill mark >"$SCRATCH/h"
	run -0 sm-format -f txt "$SCRATCH/h"
	assert_output 'We met in London on Monday in may and march I think john will bill mark.'
	hyp_of the fbi and the un saw de paris on tv >"$SCRATCH/h"
	run -0 sm-format -P -f txt "$SCRATCH/h"
	assert_output 'the FBI and the un saw de Paris on TV'
}

@test "en-US writes British spellings the dictionary has the American way" {
	hyp_of the colour of the centre is recognised >"$SCRATCH/h"
	run -0 sm-format -P -f txt "$SCRATCH/h"
	assert_output 'the color of the center is recognized'
	run -0 sm-format -P -f txt --locale en-GB "$SCRATCH/h"
	assert_output 'the colour of the centre is recognised'
}

@test "--replace's words are written as given in every locale" {
	run -0 sm-format -f txt --locale en-GB -R 'dialed=dialed' -R 'call=monday' "$DIALED"
	assert_output 'Your monday cannot be completed as dialed.'
	run -0 sm-format -f txt --locale en-GB -R 'dialed=colour' "$DIALED"
	assert_output 'Your call cannot be completed as colour.'
	run -0 sm-format -f txt --locale en-US -R 'dialed=colour' "$DIALED"
	assert_output 'Your call cannot be completed as colour.'
}

@test "rejects an unknown locale with exit 64, naming it, nothing on stdout" {
	for l in en-NZ en_GB EN-GB ''; do
		run -64 --separate-stderr sm-format --locale "$l" "$DIALED"
		[ -z "$output" ]
		[ "$stderr" = "sm-format: --locale: expected en-US, en-GB or en-AU, got \"$l\"" ]
	done
}

@test "a pack without a spelling table: en-US writes the words as recognised, en-GB exits 78 naming the file" {
	mkdir "$SCRATCH/p"
	cp "$SM_MODELS/en/pack.conf" "$SCRATCH/p/"
	sed -i '/^image\|^am_image/d' "$SCRATCH/p/pack.conf"
	hyp_of monday colour >"$SCRATCH/h"
	run -0 sm-format -P -f txt -m "$SCRATCH/p" "$SCRATCH/h"
	assert_output 'monday colour'
	run -78 --separate-stderr sm-format -f txt --locale en-GB -m "$SCRATCH/p" "$SCRATCH/h"
	[ -z "$output" ]
	[ "$stderr" = "sm-format: --locale en-GB: $SCRATCH/p/spelling.txt: No such file or directory" ]
}

@test "a table without its first line or with a line of two fields exits 78, nothing on stdout" {
	mkdir "$SCRATCH/p"
	cp "$SM_MODELS/en/pack.conf" "$SCRATCH/p/"
	sed -i '/^image\|^am_image/d' "$SCRATCH/p/pack.conf"
	hyp_of monday >"$SCRATCH/h"
	printf 'cap\tmonday\tMonday\n' >"$SCRATCH/p/spelling.txt"
	run -78 --separate-stderr sm-format -m "$SCRATCH/p" "$SCRATCH/h"
	[ -z "$output" ]
	[ "$stderr" = "sm-format: $SCRATCH/p/spelling.txt: expected a #sm-spelling 1 table" ]
	printf '#sm-spelling 1\ncap\tmonday\n' >"$SCRATCH/p/spelling.txt"
	run -78 --separate-stderr sm-format -m "$SCRATCH/p" "$SCRATCH/h"
	[ -z "$output" ]
	[ "$stderr" = "sm-format: $SCRATCH/p/spelling.txt: byte 15: expected TAG TAB KEY TAB WORD lines" ]
}

@test "the table holds known pairs both ways and known names, sorted, one line per tag and key, no pair of identical words" {
	[ "$(head -1 "$TABLE")" = '#sm-spelling 1' ]
	# Both ways where the dictionary has the British word and wamerican-large
	# lacks it; else (B-) only en-GB's way.
	for p in color:colour center:centre favor:favour defense:defence mold:mould \
		canceled:cancelled- traveler:traveller- fulfill:fulfil- plow:plough- catalog:catalogue- \
		organize:organise- analyze:analyse- acknowledgment:acknowledgement- estrogen:oestrogen-; do
		us=${p%:*} gb=${p#*:}
		grep -qxF "gb	$us	${gb%-}" "$TABLE" || { echo "no gb $us ${gb%-}"; false; }
		[ "${gb%-}" != "$gb" ] || grep -qxF "us	$gb	$us" "$TABLE" || { echo "no us $gb $us"; false; }
	done
	run ! grep -E '^us	(cancelled|traveller|catalogue)	' "$TABLE"
	for w in Monday January London English NASA "I'm"; do
		grep -qxF "cap	$(printf '%s' "$w" | tr A-Z a-z)	$w" "$TABLE" || { echo "no cap $w"; false; }
	done
	run ! grep -E '^cap	(may|will|bill|mark|march|john|i|de|un|ing)	' "$TABLE"
	for w in TV OK FBI USA; do
		grep -qxF "cap	$(printf '%s' "$w" | tr A-Z a-z)	$w" "$TABLE" || { echo "no cap $w"; false; }
	done
	run -0 awk -F'\t' 'NR > 1 && ($2 == $3 || (tolower($2) == tolower($3) && $1 != "cap") || NF != 3)' "$TABLE"
	assert_output ''
	[ "$(grep -c '^cap	' "$TABLE")" -eq "$(awk -F'\t' '$1 == "cap" && tolower($3) == $2' "$TABLE" | wc -l)" ]
	tail -n +2 "$TABLE" | LC_ALL=C sort -c
	[ -z "$(tail -n +2 "$TABLE" | cut -f1,2 | uniq -d)" ]
	[ "$(grep -c '^gb	' "$TABLE")" -gt 900 ] && [ "$(grep -c '^cap	' "$TABLE")" -gt 8000 ]
}

@test "sm-transcribe passes output_locale en-GB to sm-format: a real prompt's \"dialed\" comes out \"dialled\", nothing on stderr" {
	asterisk16 cannot-complete-as-dialed "$SCRATCH/a.wav"
	printf '{"type": "transcription", "transcription_config": {"language": "en", "output_locale": "en-GB"}}' >"$SCRATCH/c.json"
	run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$SCRATCH/a.wav"
	[ -z "$stderr" ]
	[ "$(printf '%s' "$output" | jq -r '[.results[].alternatives[0].content] | join(" ")')" = \
		'Your call cannot be completed as dialled .' ]
	printf '%s' "$output" | jq -e '.metadata.transcription_config.output_locale == "en-GB"'
}

#!/usr/bin/env bats
load test_helper

# sm-format's punctuation model on real prompts of the asterisk set,
# searched once per file:
#   vm-savefolder     "Which folder should I save the message to?"
#   pbx-invalid       "I am sorry, that's not a valid extension.  Please try again."
#   priv-recordintro  "At the tone, please say your name."
#   dir-instr         "If this is the person you are looking for press 1 now,
#                      otherwise please press star now."
setup_file() {
	asterisk16 vm-savefolder "$BATS_FILE_TMPDIR/vm-savefolder.wav" pbx-invalid "$BATS_FILE_TMPDIR/pbx-invalid.wav" \
		priv-recordintro "$BATS_FILE_TMPDIR/priv-recordintro.wav" dir-instr "$BATS_FILE_TMPDIR/dir-instr.wav"
	for id in vm-savefolder pbx-invalid priv-recordintro dir-instr; do
		sm-decode "$BATS_FILE_TMPDIR/$id.wav" | sm-features | sm-am | sm-lattice \
			>"$BATS_FILE_TMPDIR/$id.hyp"
	done
}

setup() {
	setup_scratch
	Q=$BATS_FILE_TMPDIR/vm-savefolder.hyp
	INV=$BATS_FILE_TMPDIR/pbx-invalid.hyp
	REC=$BATS_FILE_TMPDIR/priv-recordintro.hyp
	DIR=$BATS_FILE_TMPDIR/dir-instr.hyp
}

# The marks of a json-v2 transcript, one line each: CONTENT IS_EOS.
marks() {
	jq -r '.results[] | select(.type == "punctuation") |
		"\(.alternatives[0].content) \(.is_eos)"'
}

@test "a sentence that opens with \"which\" and an auxiliary ends with a question mark that ends the sentence" {
	run -0 sm-format "$Q"
	[ "$(printf '%s' "$output" | marks)" = "? true" ]
	run -0 sm-format -f txt "$Q"
	assert_output --regexp '^Which folder should I .*\?$'
}

@test "a comma after a short pause and a full stop after a longer one before \"please\", in order" {
	run -0 sm-format "$INV"
	[ "$(printf '%s' "$output" | marks | paste -sd' ')" = ", false . true . true" ]
	run -0 sm-format -f txt "$INV"
	assert_output --regexp '^I am sorry, .*\. Please try again\.$'
}

# $INV with "extension" stretched to end PAUSE seconds before the next
# word, the silence between them left out.
stretch() {
	awk -F '\t' -v OFS='\t' -v pause="$1" '
		held != "" && $4 == "sil" { next }
		held != "" { split(held, f, "\t"); f[2] = sprintf("%.3f", $1 - pause)
			print f[1], f[2], f[3], f[4], f[5]; held = "" }
		$4 == "word" && $5 == "extension" { held = $0; next }
		{ print }' "$INV"
}

@test "a sentence ends at a pause of 10 ms before \"please\" and not where there is none" {
	stretch 0.01 >"$SCRATCH/short.hyp"
	stretch 0 >"$SCRATCH/none.hyp"
	run -0 sm-format -f txt "$SCRATCH/short.hyp"
	assert_output --regexp ' extension\. Please try again\.$'
	run -0 sm-format -f txt "$SCRATCH/none.hyp"
	assert_output --regexp ' extension please try again\.$'
}

@test "a short pause after an opening \"if\" clause or a lone \"otherwise\" is a comma, not a sentence end" {
	run -0 sm-format -f txt "$DIR"
	assert_output --regexp '^If this is the person you.re looking for, press one now\. Otherwise, please press .* now\.$'
}

@test "a pause of 0.2 s or more after an opening clause still ends the sentence" {
	# every item after "for" 0.1 s later: its pause from 0.19 to 0.29 s
	awk -F '\t' -v OFS='\t' 'seen && !/^#/ { $1 = sprintf("%.3f", $1 + 0.1); $2 = sprintf("%.3f", $2 + 0.1) }
		$4 == "word" && $5 == "for" { seen = 1 } { print }' "$DIR" >"$SCRATCH/long.hyp"
	run -0 sm-format -f txt "$SCRATCH/long.hyp"
	assert_output --regexp '^If this is the person you.re looking for\. Press one now\. Otherwise, please'
}

@test "--marks limits the marks: \".\" gives no commas, \",\" no full stops and no capitals but I, \"\" is -P" {
	run -0 sm-format --marks . "$INV"
	[ "$(printf '%s' "$output" | marks | paste -sd' ')" = ". true . true" ]
	run -0 sm-format -f txt --marks , "$INV"
	assert_output --regexp '^I am sorry, [^A-Z.]* please try again$'
	run -0 sm-format --marks '' "$INV"
	[ "$output" != "" ]
	printf '%s' "$output" | jq -e '[.results[] | select(.type == "punctuation")] == []'
	[ "$(printf '%s' "$output" | jq -c '.results')" = "$(sm-format -P "$INV" | jq -c '.results')" ]
}

@test "a question whose \"?\" is not permitted ends with a full stop" {
	run -0 sm-format -f txt --marks ., "$Q"
	assert_output --regexp '^Which folder should I .*[a-z]\.$'
}

@test "sensitivity 1 gives more marks than 0 on the three prompts, 0 at least the final ones" {
	for s in 0 1; do
		n=0
		for h in "$Q" "$INV" "$REC"; do
			k=$(sm-format -s "$s" "$h" | marks | wc -l)
			[ "$k" -ge 1 ]
			n=$((n + k))
		done
		eval "n$s=$n"
	done
	[ "$n1" -gt "$n0" ]
}

@test "--pause is the plain rule: sentence ends at pauses that long, no commas, questions still marked" {
	run -0 sm-format --pause 0.05 "$INV"
	printf '%s' "$output" | jq -e '[.results[] | select(.type == "punctuation") |
		.alternatives[0].content] | length > 2 and all(. == ".")'
	run -0 sm-format --pause 3 "$INV"
	[ "$(printf '%s' "$output" | marks)" = ". true" ]
	run -0 sm-format --pause 0.5 "$Q"
	[ "$(printf '%s' "$output" | marks)" = "? true" ]
}

@test "--trace-punctuation: one line per word boundary on stderr, the same transcript on stdout" {
	run -0 --separate-stderr sm-format --trace-punctuation "$INV"
	[ "$(printf '%s' "$output" | jq -c '.results')" = "$(sm-format "$INV" | jq -c '.results')" ]
	words=$(awk -F'\t' '$4 == "word"' "$INV" | wc -l)
	[ "$(printf '%s\n' "$stderr" | grep -c '^sm-format: boundary	')" -eq $((words - 1)) ]
}

@test "rejects a mark that is not one of . , ? ! with a usage error and nothing on stdout" {
	run -64 --separate-stderr sm-format --marks '.;' "$INV"
	[ "$output" = "" ]
	[ "$stderr" = 'sm-format: --marks: expected some of the marks .,?!, got ".;"' ]
}

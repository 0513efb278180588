#!/usr/bin/env bats
# scripts/punct-hlm.py: the hidden-event counts for punctuation (the marks
# between words counted as events of an n-gram over words and marks) from
# fortune(6) text, and its text-only question measure.  The counts are a
# research tool of scripts/punct-score.py --cv (docs/BENCHMARKS.md,
# 65-punctuation.sh); sm-format does not read them.
load test_helper

setup() {
	setup_scratch
	# ten cookies: the tenth is held out
	printf '%s\n' 'Is it raining?  No, it is not.' % 'What time is it?  Ten.' \
		'		-- Someone' % 'Press one, then two.' % 'Is it late?' % \
		'Is it done?  Yes.' % 'It is late.' % 'What is it?' % 'Press two.' % \
		'It is done.' % 'Is it raining?' % >"$SCRATCH/cookies"
}

@test "punct-hlm.py counts the mark after one and two words, before the next word and at sentence openings; no attributions; every tenth cookie held out" {
	run -0 python3 "$SM_ROOT/scripts/punct-hlm.py" --min 1 --heldout "$SCRATCH/held" \
		"$SCRATCH/hlm.tsv" "$SCRATCH/cookies"
	# counts: no mark, comma, full stop, question mark
	grep -qx 'L1 it 6 0 0 2' "$SCRATCH/hlm.tsv"
	grep -qx 'L2 is it 3 0 0 2' "$SCRATCH/hlm.tsv"
	grep -qx 'L1 not 0 0 1 0' "$SCRATCH/hlm.tsv"
	grep -qx 'L2 press one 0 1 0 0' "$SCRATCH/hlm.tsv"
	grep -qx 'R1 no 0 0 0 1' "$SCRATCH/hlm.tsv"
	# sentences opening so: ending in ?, ending in . or !
	grep -qx 'Q1 what 2 0' "$SCRATCH/hlm.tsv"
	grep -qx 'Q2 is it 3 0' "$SCRATCH/hlm.tsv"
	[ -z "$(grep someone "$SCRATCH/hlm.tsv")" ]
	[ "$(cat "$SCRATCH/held")" = 'Is it raining?' ]
}

@test "punct-hlm.py --question-test: precision, recall and F1 of the model's and the wh-word rule's question marks on held-out text" {
	python3 "$SM_ROOT/scripts/punct-hlm.py" --min 1 "$SCRATCH/hlm.tsv" "$SCRATCH/cookies"
	printf '%s\n' 'What is it? Press two. Is it late?' 'It is late. What time.' >"$SCRATCH/held"
	run -0 python3 "$SM_ROOT/scripts/punct-hlm.py" --question-test "$SCRATCH/hlm.tsv" "$SCRATCH/held"
	[ "${lines[0]}" = 'text-only question mark on held-out text: 2 questions, 3 written, 2 right: precision 0.67 recall 1.00 F1 0.80' ]
	[ "${lines[1]}" = 'the wh-word/auxiliary rule on the same sentences: 2 written, 2 right: precision 1.00 recall 1.00 F1 1.00' ]
}

@test "punct-hlm.py: a missing text is exit 66 and a file that is not its counts exit 65, each one line naming the file" {
	run -66 --separate-stderr python3 "$SM_ROOT/scripts/punct-hlm.py" "$SCRATCH/hlm.tsv" "$SCRATCH/none"
	[ "$stderr" = "punct-hlm.py: $SCRATCH/none: No such file or directory" ]
	[ ! -e "$SCRATCH/hlm.tsv" ]
	run -65 --separate-stderr python3 "$SM_ROOT/scripts/punct-hlm.py" --question-test "$SCRATCH/cookies" "$SCRATCH/cookies"
	[ "$stderr" = "punct-hlm.py: $SCRATCH/cookies: not a counts file of punct-hlm.py: Is it raining?  No, it is not." ]
	[ "$output" = "" ]
}

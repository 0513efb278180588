#!/usr/bin/env bats
# scripts/der.py: diarization error rate on hand-made RTTM and #sm-hyp 1
# inputs whose figures are worked out by hand in each test's comment.
# Rows: name ref_spk hyp_spk scored_s missed_s falarm_s confusion_s der_pct.
load test_helper

setup() {
	setup_scratch
	DER="python3 $SM_ROOT/scripts/der.py"
}

# rttm FILE SPK START DUR [SPK START DUR]...: a reference or hypothesis.
rttm() {
	f=$1
	shift
	: >"$f"
	while [ $# -gt 0 ]; do
		printf 'SPEAKER x 1 %s %s <NA> <NA> %s <NA> <NA>\n' "$2" "$3" "$1" >>"$f"
		shift 3
	done
}

# Reference A 0-10 s, B 10-20 s.
two_turns() {
	rttm "$SCRATCH/ref.rttm" A 0 10 B 10 10
}

@test "a hypothesis equal to the reference scores 0% over the time outside the 0.25 s collars" {
	# Collars [0, 0.25], [9.75, 10.25], [19.75, 20] leave 20 - 1 = 19 s.
	two_turns
	cp "$SCRATCH/ref.rttm" "$SCRATCH/hyp.rttm"
	run -0 $DER "$SCRATCH/ref.rttm" "$SCRATCH/hyp.rttm"
	assert_line --index 1 "ref	2	2	19.000	0.000	0.000	0.000	0.00"
	assert_line --index 2 "DER=0.00%"
}

@test "an empty hypothesis misses all 19 scored seconds: 100%" {
	two_turns
	: >"$SCRATCH/hyp.rttm"
	run -0 $DER "$SCRATCH/ref.rttm" "$SCRATCH/hyp.rttm"
	assert_line --index 1 "ref	2	0	19.000	19.000	0.000	0.000	100.00"
}

@test "swapped labels score 0% through the speaker mapping" {
	two_turns
	rttm "$SCRATCH/hyp.rttm" B 0 10 A 10 10
	run -0 $DER "$SCRATCH/ref.rttm" "$SCRATCH/hyp.rttm"
	assert_line --index 1 "ref	2	2	19.000	0.000	0.000	0.000	0.00"
}

@test "a turn change 5 s late is 5 s of confusion in 20: 25% without collar" {
	# Hyp X 0-15, Y 15-20. Overlaps A-X 10, B-X 5, B-Y 5: the best mapping
	# A->X, B->Y (15 s); 10-15 is B's speech labelled X (A's): 5 s.
	two_turns
	rttm "$SCRATCH/hyp.rttm" X 0 15 Y 15 5
	run -0 $DER --collar 0 "$SCRATCH/ref.rttm" "$SCRATCH/hyp.rttm"
	assert_line --index 1 "ref	2	2	20.000	0.000	0.000	5.000	25.00"
}

@test "a turn change 0.2 s late is inside the collar (0%) and 1% without it" {
	# Hyp X 0-10.2, Y 10.2-20: 10.0-10.2 is confused, inside the no-score
	# zone [9.75, 10.25]; with --collar 0 it is 0.2 s of 20 s.
	two_turns
	rttm "$SCRATCH/hyp.rttm" X 0 10.2 Y 10.2 9.8
	run -0 $DER "$SCRATCH/ref.rttm" "$SCRATCH/hyp.rttm"
	assert_line --index 1 "ref	2	2	19.000	0.000	0.000	0.000	0.00"
	run -0 $DER --collar 0 "$SCRATCH/ref.rttm" "$SCRATCH/hyp.rttm"
	assert_line --index 1 "ref	2	2	20.000	0.000	0.000	0.200	1.00"
}

@test "speech in a reference pause is false alarm; after the last reference end it is not scored" {
	# Ref A 0-10, B 12-20: 18 s of speech. Hyp X 0-11, Y 12-21: 10-11 is
	# false alarm (1 s); 20-21 lies outside the evaluated span 0-20 (md-eval's
	# span without a UEM). DER 1/18 = 5.56%.
	rttm "$SCRATCH/ref.rttm" A 0 10 B 12 8
	rttm "$SCRATCH/hyp.rttm" X 0 11 Y 12 9
	run -0 $DER --collar 0 "$SCRATCH/ref.rttm" "$SCRATCH/hyp.rttm"
	assert_line --index 1 "ref	2	2	18.000	0.000	1.000	0.000	5.56"
}

@test "overlapping reference speech counts once per speaker: one label there is 2 s missed of 22" {
	# Ref A 0-10, B 8-20: speaker time 10 + 12 = 22 s. Hyp X 0-10, Y 10-20
	# maps A->X, B->Y; in 8-10 two reference speakers, one hypothesis
	# speaker (X = A, correct): missed 2 x 1 = 2 s. DER 2/22 = 9.09%.
	rttm "$SCRATCH/ref.rttm" A 0 10 B 8 12
	rttm "$SCRATCH/hyp.rttm" X 0 10 Y 10 10
	run -0 $DER --collar 0 "$SCRATCH/ref.rttm" "$SCRATCH/hyp.rttm"
	assert_line --index 1 "ref	2	2	22.000	2.000	0.000	0.000	9.09"
}

# Ref A 0-3, B 3.5-6. Words of S1 at 0-1 and 1.4-3 (pause 0.4 s), of S2
# at 3.5-4 and 4.7-6 (pause 0.7 s), with a pause and a filler line.
smhyp() {
	rttm "$SCRATCH/ref.rttm" A 0 3 B 3.5 2.5
	printf '#sm-hyp 1\n'
	printf '0.000\t1.000\t0.9\tword\thello\tspeaker=S1\n'
	printf '1.000\t1.400\t1.0\tsil\t<sil>\tspeaker=S1\n'
	printf '1.400\t3.000\t0.9\tword\tthere\tspeaker=S1\n'
	printf '3.000\t3.500\t1.0\tfiller\t[NOISE]\tspeaker=S1\n'
	printf '3.500\t4.000\t0.8\tword\tyes\tspeaker=S2\n'
	printf '4.700\t6.000\t0.8\tword\tindeed\tspeaker=S2\n'
	printf '#end\n'
}

@test "sm-hyp words 0.5 s apart or less join into one segment; a 0.7 s pause is missed speech" {
	# S1 0-3 joined (pause 0.4); S2 3.5-4 and 4.7-6 stay apart, so 4.0-4.7
	# is missed: 0.7 s of 5.5 = 12.73%. With --join 1 both pauses join: 0%.
	smhyp >"$SCRATCH/hyp"
	run -0 $DER --collar 0 "$SCRATCH/ref.rttm" "$SCRATCH/hyp"
	assert_line --index 1 "ref	2	2	5.500	0.700	0.000	0.000	12.73"
	run -0 $DER --collar 0 --join 1 "$SCRATCH/ref.rttm" "$SCRATCH/hyp"
	assert_line --index 1 "ref	2	2	5.500	0.000	0.000	0.000	0.00"
}

@test "an sm-hyp word without speaker= exits 65 naming the line" {
	smhyp | sed 's/\tspeaker=S2$//' >"$SCRATCH/hyp"
	run -65 $DER "$SCRATCH/ref.rttm" "$SCRATCH/hyp"
	assert_line --index 0 "der.py: $SCRATCH/hyp:6: word without a speaker= attribute (run sm-diarize)"
}

@test "an sm-hyp stream without #end exits 65" {
	smhyp | grep -v '^#end' >"$SCRATCH/hyp"
	run -65 $DER "$SCRATCH/ref.rttm" "$SCRATCH/hyp"
	assert_output "der.py: $SCRATCH/hyp: no '#end' line: the hypothesis stream was cut short"
}

@test "manifest mode: per-file rows, the total of the sums, speaker-count and single-label shares" {
	# two: the perfect two_turns case (19 s scored, 0 error). one: ref A 0-10,
	# hyp X 0-5, Y 5-10; scored 0.25-9.75 = 9.5 s, the unmapped label's
	# 4.75 s confused: 50%. Total 4.75 / 28.5 = 16.67%. Speaker counts agree
	# for two only; the single-speaker reference got two labels.
	mkdir "$SCRATCH/set" "$SCRATCH/hyp"
	two_turns
	mv "$SCRATCH/ref.rttm" "$SCRATCH/set/two.rttm"
	cp "$SCRATCH/set/two.rttm" "$SCRATCH/hyp/two.rttm"
	rttm "$SCRATCH/set/one.rttm" A 0 10
	rttm "$SCRATCH/hyp/one.rttm" X 0 5 Y 5 5
	printf 'two\t%s\t2\t20\none\t%s\t1\t10\n' "$SCRATCH/set/two.wav" "$SCRATCH/set/one.wav" >"$SCRATCH/set/list.tsv"
	run -0 $DER --manifest "$SCRATCH/set/list.tsv" "$SCRATCH/hyp"
	assert_line --index 0 "name	ref_spk	hyp_spk	scored_s	missed_s	falarm_s	confusion_s	der_pct"
	assert_line --index 1 "two	2	2	19.000	0.000	0.000	0.000	0.00"
	assert_line --index 2 "one	1	2	9.500	0.000	0.000	4.750	50.00"
	assert_line --index 3 "total	-	-	28.500	0.000	0.000	4.750	16.67"
	assert_line --index 4 "DER=16.67% files=2 speaker_count_ok=1/2 single_one_label=0/1"
}

@test "an unknown option exits 64 with the usage" {
	run -64 $DER --bogus a b
	assert_line --index 0 "der.py: unknown option '--bogus'"
	assert_line --index 1 --partial "usage: der.py"
}

#!/usr/bin/env bats
# sm-diarize on real voices: the asterisk prompts' speaker and the LibriVox
# reader of pocketsphinx's test data, joined into conversations whose turn
# boundaries are the reference; scored with scripts/der.py.
load test_helper

LV=$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb

# Each input searched once: NAME.feat, NAME.hyp (no speakers yet).
search() { # NAME
	sm-decode "$BATS_FILE_TMPDIR/$1.wav" | sm-features --cmn-window 0 --warp-by input --floor-window 0 |
		tee "$BATS_FILE_TMPDIR/$1.feat" |
		sm-am | sm-lattice >"$BATS_FILE_TMPDIR/$1.hyp"
}

# conversation NAME FILE...: the files joined with 0.3 s of faint pink noise
# between them, as NAME.wav, and NAME.rttm with one reference line per file,
# its speaker "ast" or "lv" by where it comes from.
conversation() {
	name=$1 d=$BATS_FILE_TMPDIR t=0
	shift
	sox -R -n -r 16000 -c 1 -b 16 "$d/gap.wav" synth 0.3 pinknoise vol 0.003
	: >"$d/$name.rttm"
	set -- "$@" end
	parts=
	while [ "$1" != end ]; do
		f=$1
		shift
		dur=$(soxi -D "$f")
		case $f in *librivox*) spk=lv ;; *) spk=ast ;; esac
		printf 'SPEAKER %s 1 %.3f %.3f <NA> <NA> %s <NA> <NA>\n' "$name" "$t" "$dur" "$spk" >>"$d/$name.rttm"
		t=$(awk -v t="$t" -v d="$dur" 'BEGIN { printf "%.6f", t + d + 0.3 }')
		parts="$parts $f $d/gap.wav"
	done
	# shellcheck disable=SC2086 # file names without blanks
	sox $parts "$d/$name.wav"
}

setup_file() {
	d=$BATS_FILE_TMPDIR
	set --
	for id in agent-newlocation auth-incorrect basic-pbx-ivr-main at-tone-time-exactly; do
		set -- "$@" "$id" "$d/$id.wav"
	done
	asterisk16 "$@"
	# Two speakers, turns of 4-12 s.
	conversation two "$d/agent-newlocation.wav" "$LV-0870.wav" "$d/auth-incorrect.wav" \
		"$LV-0880.wav" "$d/basic-pbx-ivr-main.wav" "$LV-0890.wav"
	# One speaker: the LibriVox reader alone.
	conversation one "$LV-0870.wav" "$LV-0880.wav" "$LV-0890.wav" "$LV-0920.wav" "$LV-0930.wav"
	search two
	search one
}

setup() {
	setup_scratch
	D=$BATS_FILE_TMPDIR
	DER="python3 $SM_ROOT/scripts/der.py"
}

speakers() { # HYP: the distinct speaker labels of its words
	awk -F '\t' '$4 == "word" { print $6 }' "$1" | sort -u | tr '\n' ' '
}

@test "sm-diarize --help and --version print to stdout and exit 0" {
	run -0 sm-diarize --help
	assert_line --index 0 --partial "sm-diarize: label the words"
	run -0 sm-diarize --version
	assert_output --regexp '^sm-diarize [0-9]'
}

@test "sm-diarize: a two-speaker conversation of real voices has 2 speakers and DER under 5%" {
	sm-diarize -F "$D/two.feat" <"$D/two.hyp" >"$SCRATCH/two.hyp"
	run -0 $DER "$D/two.rttm" "$SCRATCH/two.hyp"
	assert_line --index 1 --regexp '^two	2	2	'
	der=$(echo "$output" | sed -n 's/^DER=\(.*\)%$/\1/p')
	[ -n "$der" ]
	awk -v d="$der" 'BEGIN { exit !(d < 5) }'
}

@test "sm-diarize: one real speaker over five recordings gets the one label S1" {
	sm-diarize -F "$D/one.feat" <"$D/one.hyp" >"$SCRATCH/one.hyp"
	run speakers "$SCRATCH/one.hyp"
	assert_output "speaker=S1 "
}

@test "sm-diarize: every line of the stream is kept, items with one speaker= field added, in order" {
	sm-diarize -F "$D/two.feat" <"$D/two.hyp" >"$SCRATCH/two.hyp"
	# The input's lines are the output's with the last field removed.
	sed 's/	speaker=S[0-9]*$//' "$SCRATCH/two.hyp" | cmp - "$D/two.hyp"
	run awk -F '\t' '!/^#/ && NF != 6' "$SCRATCH/two.hyp"
	assert_output ''
	# S1 speaks first, S2 next.
	run awk -F '\t' '$4 == "word" && !s[$6]++ { print $6 }' "$SCRATCH/two.hyp"
	assert_output "speaker=S1
speaker=S2"
}

@test "sm-diarize: the sensitivity orders the speaker count (0: one speaker, 1: at least as many as 0.5)" {
	sm-diarize -s 0 -F "$D/two.feat" <"$D/two.hyp" >"$SCRATCH/s0"
	sm-diarize -s 1 -F "$D/two.feat" <"$D/two.hyp" >"$SCRATCH/s1"
	sm-diarize -F "$D/two.feat" <"$D/two.hyp" >"$SCRATCH/s5"
	n0=$(speakers "$SCRATCH/s0" | wc -w) n1=$(speakers "$SCRATCH/s1" | wc -w) n5=$(speakers "$SCRATCH/s5" | wc -w)
	[ "$n0" -le "$n5" ]
	[ "$n1" -ge "$n5" ]
}

@test "sm-diarize --max-speakers 1 gives every word S1" {
	sm-diarize -n 1 -F "$D/two.feat" <"$D/two.hyp" >"$SCRATCH/n1"
	run speakers "$SCRATCH/n1"
	assert_output "speaker=S1 "
}

@test "sm-diarize reads the hypothesis while the features are still coming: a FIFO written only after 200 KB of hypothesis does not block" {
	# A writer of the features that waits until the hypothesis is all
	# written: a reader that took the features first would never finish.
	# The hypothesis is the real one's items repeated, times shifted on.
	awk -F '\t' -v OFS='\t' 'NR == 1 { print; next } /^#end/ { next } !/^#/ { a[n++] = $0 }
		END { for (r = 0; r < 400; r++) for (i = 0; i < n; i++) { split(a[i], f, "\t")
			print sprintf("%.3f", f[1] + 100 * r), sprintf("%.3f", f[2] + 100 * r), f[3], f[4], f[5] }
			print "#end" }' "$D/two.hyp" >"$SCRATCH/big.hyp"
	[ "$(wc -c <"$SCRATCH/big.hyp")" -gt 200000 ]
	mkfifo "$SCRATCH/feat"
	(cat "$SCRATCH/big.hyp"; touch "$SCRATCH/hyp-done") |
		timeout 60 sm-diarize -F "$SCRATCH/feat" >"$SCRATCH/out" &
	while [ ! -e "$SCRATCH/hyp-done" ]; do sleep 0.1; done
	cat "$D/two.feat" >"$SCRATCH/feat"
	wait $!
	[ "$(wc -l <"$SCRATCH/out")" -eq "$(wc -l <"$SCRATCH/big.hyp")" ]
}

@test "sm-diarize without --features exits 64 and names the option" {
	run -64 --separate-stderr sm-diarize <"$D/two.hyp"
	assert_output ''
	[[ "${stderr_lines[0]}" == "sm-diarize: --features: missing"* ]]
}

@test "sm-diarize --sensitivity 2 exits 64 naming the option" {
	run -64 --separate-stderr sm-diarize -s 2 -F "$D/two.feat" <"$D/two.hyp"
	assert_output ''
	[[ "$stderr" == *"--sensitivity"* ]]
}

@test "sm-diarize given a PCM stream as features exits 65 with one line and writes nothing" {
	sm-decode "$D/two.wav" >"$SCRATCH/pcm"
	run -65 --separate-stderr sm-diarize -F "$SCRATCH/pcm" <"$D/two.hyp"
	assert_output ''
	[ "$stderr" = "sm-diarize: $SCRATCH/pcm: expected FEAT stream, got PCM" ]
}

@test "sm-diarize given a hypothesis cut short (no #end) exits 65 with one line and writes nothing" {
	sed '$d' "$D/two.hyp" >"$SCRATCH/cut.hyp"
	run -65 --separate-stderr sm-diarize -F "$D/two.feat" "$SCRATCH/cut.hyp"
	assert_output ''
	[ "$stderr" = "sm-diarize: $SCRATCH/cut.hyp: no #end line: the hypothesis was cut short" ]
}

@test "sm-diarize given a hypothesis that already has speakers exits 65 naming the line" {
	sm-diarize -F "$D/two.feat" <"$D/two.hyp" >"$SCRATCH/once"
	run -65 --separate-stderr sm-diarize -F "$D/two.feat" "$SCRATCH/once"
	assert_output ''
	[[ "$stderr" == "sm-diarize: $SCRATCH/once: line 2: already has a speaker= field" ]]
}

@test "sm-diarize on a hypothesis without words labels its pauses UU" {
	printf '#sm-hyp 1\n0.000\t1.000\t1.000\tsil\t<sil>\n#end\n' >"$SCRATCH/sil.hyp"
	run -0 sm-diarize -F "$D/two.feat" "$SCRATCH/sil.hyp"
	assert_output "$(printf '#sm-hyp 1\n0.000\t1.000\t1.000\tsil\t<sil>\tspeaker=UU\n#end')"
}

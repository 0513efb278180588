#!/usr/bin/env bats
# Saved fuzz inputs replayed through each harness built without libFuzzer,
# and the audio, stream and hypothesis inputs through the programs.  The
# inputs are fuzz/corpus/NAME, the seeds scripts/fuzz.sh starts from (one
# file per format or case), and fuzz/regress/NAME when it exists: where an
# input that crashed a harness is kept, which scripts/fuzz.sh seeds from too.
# Every test fails when it finds no input, so that a moved directory cannot
# turn it into one that passes by checking nothing.
load test_helper

FUZZ_BIN=$SM_ROOT/build/fuzz
FUZZ_DIR=$SM_ROOT/fuzz

# Every saved input of a harness, one path a line.
inputs() { # NAME
	find "$FUZZ_DIR/corpus/$1" "$FUZZ_DIR/regress/$1" -type f 2>/dev/null | sort
}

replay() { # NAME
	local n
	mapfile -t files < <(inputs "$1")
	n=${#files[@]}
	[ "$n" -gt 0 ]
	run -0 "$FUZZ_BIN/$1-replay" "${files[@]}"
	assert_output "$n inputs"
}

@test "the stream header reader survives its saved inputs" { replay stream; }
@test "the audio input path survives its saved inputs" { replay decode; }
@test "the pipe input path (WAV parser, FLAC window) survives its saved inputs" { replay pipe; }
@test "the s3 parameter readers survive their saved inputs" { replay s3; }
@test "the mdef loader survives its saved inputs" { replay mdef; }
@test "the LM loader survives its saved inputs" { replay lm; }
@test "the dictionary loader survives its saved inputs" { replay dict; }
@test "sm-diarize's hypothesis reader and the diarization survive their saved inputs" { replay diarize; }
@test "sm-volume's PCM reader and word volumes, with the hypothesis reader, survive their saved inputs" { replay volume; }
@test "the mixture-weight reader survives its saved inputs" { replay sendump; }
@test "the hypothesis reader and writers survive their saved inputs" { replay hyp; }
@test "the letter-to-sound model reader survives its saved inputs" { replay lts; }
@test "sm-lattice's custom vocabulary (the list, its words' pronunciations, the overlay searched) survives its saved inputs" { replay vocab; }

# A program given a saved input either succeeds or refuses it with one
# line naming itself and exit 65: never a crash, a hang or another code.
check_program() { # INPUT CMD...
	local in=$1
	shift
	run --separate-stderr timeout 60 "$@" < "$in"
	if [ "$status" -ne 0 ]; then
		[ "$status" -eq 65 ] || { echo "$in: exit $status: $stderr"; return 1; }
		[ "${#stderr_lines[@]}" -eq 1 ] || { echo "$in: $stderr"; return 1; }
		[[ ${stderr_lines[0]} == "$1: <stdin>: "* ]] || { echo "$in: $stderr"; return 1; }
	fi
}

@test "sm-decode reads every saved audio input from a pipe or exits 65" {
	local n=0
	while read -r f; do
		check_program "$f" sm-decode -
		n=$((n + 1))
	done < <(inputs decode)
	[ "$n" -gt 0 ] || { echo "no saved audio input under $FUZZ_DIR"; return 1; }
}

@test "sm-dump and sm-features read every saved stream input or exit 65" {
	local n=0 pcm=0
	while read -r f; do
		check_program "$f" sm-dump -
		n=$((n + 1))
		if [ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = 534d535401000100 ]; then
			check_program "$f" sm-features
			pcm=$((pcm + 1))
		fi
	done < <(inputs stream)
	[ "$n" -gt 0 ] || { echo "no saved stream input under $FUZZ_DIR"; return 1; }
	[ "$pcm" -gt 0 ] || { echo "no saved PCM stream input for sm-features"; return 1; }
}

@test "sm-format turns every saved hypothesis into valid JSON and SRT or exits 65" {
	local n=0
	while read -r f; do
		n=$((n + 1))
		check_program "$f" sm-format -d
		if [ "$status" -eq 0 ]; then
			printf '%s\n' "$output" | jq -e .results > /dev/null ||
				{ echo "$f: invalid JSON: $output"; return 1; }
		fi
		check_program "$f" sm-format -f srt
	done < <(inputs hyp)
	[ "$n" -gt 0 ] || { echo "no saved hypothesis input under $FUZZ_DIR"; return 1; }
}

@test "sm-transcribe refuses every generated bad config naming its key, and passes good ones" {
	# fuzz/config_prop.py; SM_PROP_SEED and SM_PROP_N try other configs.
	run timeout 600 python3 "$FUZZ_DIR/config_prop.py" "${SM_PROP_N:-60}" "${SM_PROP_SEED:-1}"
	# its FAIL and HANG lines, which bats shows when the test fails
	printf '%s\n' "$output"
	assert_success
	assert_output --regexp ", 0 failures$"
}

#!/usr/bin/env bats
load test_helper

setup() { setup_scratch; }

# A PCM stream built by hand: header then three int16 samples.
pcm3() {
	printf 'SMST\001\000\001\000\001\000\060\000\200\076\000\000\001\000\000\000\001\000\000\000'
	printf '\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\003\000\000\000\000\000\000\000'
	printf '\001\000\377\377\000\200'
}

@test "prints the header and frames of a hand-made PCM stream" {
	pcm3 > "$SCRATCH/s"
	run -0 sm-dump "$SCRATCH/s"
	assert_line -n 0 "SMST version=1 kind=PCM type=s16 rate=16000 dim=1 shift=1 flags=0x0 start=0 frames=3"
	assert_line -n 1 "1"
	assert_line -n 2 "-1"
	assert_line -n 3 "-32768"
}

@test "reads stdin and honours --frames and --header-only" {
	pcm3 > "$SCRATCH/s"
	run -0 sm-dump -n 1 < "$SCRATCH/s"
	assert_equal "${#lines[@]}" 2
	run -0 sm-dump -H - < "$SCRATCH/s"
	assert_equal "${#lines[@]}" 1
}

@test "rejects a WAV file with a clear message and exit 65" {
	run --separate-stderr -65 sm-dump "$PS_DATA/goforward.raw"
	assert_equal "$stderr" "sm-dump: $PS_DATA/goforward.raw: not an sm stream (no SMST header)"
	assert_output ""
}

@test "rejects a frame cut short with exit 65" {
	pcm3 | head -c 51 > "$SCRATCH/s"
	run --separate-stderr -65 sm-dump "$SCRATCH/s"
	assert_equal "$stderr" "sm-dump: $SCRATCH/s: truncated frame (1 of 2 bytes)"
}

@test "a missing file exits 66 naming it" {
	run --separate-stderr -66 sm-dump /nonexistent/x
	assert_equal "$stderr" "sm-dump: /nonexistent/x: No such file or directory"
}

@test "a bad option exits 64 with the usage on stderr" {
	run --separate-stderr -64 sm-dump --bogus
	assert_output ""
	[[ "$stderr" == *"Usage: sm-dump"* ]]
	run --separate-stderr -64 sm-dump -n x
	assert_equal "$stderr" "sm-dump: --frames: expected an integer from 0 to 9223372036854775807, got 'x'"
}

@test "--help and --version print to stdout and exit 0" {
	run -0 sm-dump --help
	assert_line -n 1 "Usage: sm-dump [-H] [-n FRAMES] [-p DIGITS] [FILE | -]"
	run -0 sm-dump --version
	assert_output "sm-dump 0.1.0"
}

@test "a full stdout is an I/O error, exit 74" {
	pcm3 > "$SCRATCH/s"
	run --separate-stderr bash -c "sm-dump '$SCRATCH/s' > /dev/full"
	assert_equal "$status" 74
	assert_equal "$stderr" "sm-dump: <stdout>: No space left on device"
}

#!/usr/bin/env bats
# Long input: every stage streams, so memory stays bounded however long the
# recording.  A 20-minute input (the 358 Asterisk prompts of Debian's
# asterisk-core-sounds-en, real speech, concatenated) goes through the stages
# as sm-transcribe connects them, each under /usr/bin/time -v, and each stage's
# peak RSS must stay under its bound below.
#
# SM_LONG_2H=1 also runs a 2-hour input (the same recordings six times) and
# prints every stage's peak RSS; it takes about 15 minutes on an idle machine.
load test_helper

# Peak RSS bounds in MiB for 20 minutes of 8 kHz speech.  sm-lattice keeps
# the whole utterance's word backpointers (about 22 MiB per minute of
# speech on top of the 68 MiB search image); sm-decode holds piped input
# whole (libsndfile seeks while sniffing), here a 20 MB WAV.
bound() { # STAGE
	case $1 in
	fetch | features | format) echo 32 ;;
	decode) echo 64 ;;
	am) echo 128 ;;
	lattice) echo 1024 ;;
	esac
}

setup_file() {
	export LX=$BATS_FILE_TMPDIR
	sox "$AST_DIR"/*.wav "$LX/20min.wav"
}

setup() { setup_scratch; }

# Run the stages on WAV, each under /usr/bin/time -v; DIR/t.NAME holds its
# report, DIR/out the transcript.  Fails unless every stage exits 0.
stages() { # WAV DIR
	local T="/usr/bin/time -v -o $2/t"
	$T.fetch sm-fetch "$1" | $T.decode sm-decode | $T.features sm-features |
		$T.am sm-am | $T.lattice sm-lattice | $T.format sm-format -f txt > "$2/out"
	local st=("${PIPESTATUS[@]}")
	[ "${st[*]}" = "0 0 0 0 0 0" ] || { echo "exit statuses: ${st[*]}"; return 1; }
}

rss_mib() { # REPORT
	sed -n 's/^\tMaximum resident set size (kbytes): //p' "$1" | awk '{print int($1 / 1024)}'
}

@test "20 minutes of speech go through every stage within its memory bound" {
	run -0 soxi -D "$LX/20min.wav"
	[ "${output%%.*}" -ge 1200 ]
	stages "$LX/20min.wav" "$SCRATCH"
	# Real speech, recognised: thousands of words.
	[ "$(wc -w < "$SCRATCH/out")" -gt 2500 ]
	for s in fetch decode features am lattice format; do
		rss=$(rss_mib "$SCRATCH/t.$s") max=$(bound "$s")
		echo "# sm-$s: peak RSS $rss MiB (bound $max MiB)" >&3
		[ "$rss" -le "$max" ] || { echo "sm-$s: $rss MiB > $max MiB"; return 1; }
	done
}

@test "2 hours of speech: peak RSS of every stage and of sm-transcribe (SM_LONG_2H=1)" {
	[ -n "${SM_LONG_2H:-}" ] || skip "set SM_LONG_2H=1 (about 15 minutes)"
	sox "$LX/20min.wav" "$LX/20min.wav" "$LX/20min.wav" "$LX/20min.wav" "$LX/20min.wav" \
		"$LX/20min.wav" "$SCRATCH/2h.wav" trim 0 7190	# under the 7200 s default limit
	echo "# input: $(soxi -D "$SCRATCH/2h.wav") s, $(stat -c %s "$SCRATCH/2h.wav") bytes" >&3
	stages "$SCRATCH/2h.wav" "$SCRATCH"
	for s in fetch decode features am lattice format; do
		echo "# sm-$s: peak RSS $(rss_mib "$SCRATCH/t.$s") MiB," \
			"$(sed -n 's/^\tElapsed (wall clock) time (h:mm:ss or m:ss): //p' "$SCRATCH/t.$s")" >&3
	done
	echo "# words: $(wc -w < "$SCRATCH/out")" >&3
	/usr/bin/time -v -o "$SCRATCH/t.job" sm-transcribe "$SCRATCH/2h.wav" > "$SCRATCH/job.json"
	echo "# sm-transcribe (largest process): peak RSS $(rss_mib "$SCRATCH/t.job") MiB" >&3
	jq -e '.results | length > 1000' "$SCRATCH/job.json" > /dev/null
}

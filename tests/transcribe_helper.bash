# Shared by the sm-transcribe and lockdown suites.
LIBRIVOX=$PS_DATA/librivox
lv() { # ID: a LibriVox recording
	printf '%s/sense_and_sensibility_01_austen_64kb-%s.wav\n' "$LIBRIVOX" "$1"
}

# The transcript's words and punctuation as one line of text.
words() {
	jq -r '[.results[] | .alternatives[0].content] | join(" ")'
}

# The best path of AUDIO from the stages run by hand, up to sm-lattice.  A
# LibriVox recording's (a packaged file, never changed) is searched once per
# suite, in setup_file or the first test that asks, and kept in
# $BATS_FILE_TMPDIR: the tests compare many jobs against the same few.
hand_hyp() { # AUDIO
	case $1 in
	"$LIBRIVOX"/*)
		_h=${BATS_FILE_TMPDIR:?}/hand.${1##*/}.hyp
		if [ ! -s "$_h" ]; then
			sm-fetch "$1" | sm-decode | sm-features | sm-am | sm-lattice >"$_h.new" &&
				mv "$_h.new" "$_h" || { rm -f "$_h.new"; return 1; }
		fi
		cat "$_h" ;;
	*) sm-fetch "$1" | sm-decode | sm-features | sm-am | sm-lattice ;;
	esac
}

# The same stages run by hand, as the reference for a whole job.
by_hand() { # AUDIO [sm-format options]
	_a=$1
	shift
	hand_hyp "$_a" | sm-format "$@"
}

# A job config file: CONFIG_JSON OUT
config() {
	printf '%s\n' "$1" >"$2"
}

# Waits up to TENTHS tenths of a second for each PID in turn to end; fails
# if one has not.
ended_within() { # TENTHS PID...
	local n=$1 p
	shift
	for p; do
		for _ in $(seq "$n"); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		! kill -0 "$p" 2>/dev/null || return 1
	done
}

# A scratch directory and in it the private TMPDIR of the test's jobs,
# both exported.
job_scratch() {
	setup_scratch
	export SCRATCH TMPDIR=$SCRATCH/tmp
	mkdir "$TMPDIR"
}

# Nothing is left in the private temporary space after a job (teardown).
tmpdir_left_empty() {
	[ -z "$(ls -A "$TMPDIR")" ]
}

# Shared set-up for the bats suites: bats-support/assert/file, data paths.
bats_require_minimum_version 1.5.0
# Their sources, as their load.bash files would source them but without the
# 17 dirname processes those spend per test.
for f in /usr/lib/bats/bats-support/src/*.bash /usr/lib/bats/bats-assert/src/*.bash \
	/usr/lib/bats/bats-file/src/*.bash; do
	# shellcheck source=/dev/null
	source "$f"
done
unset f

# Real recordings from Debian packages (installed by make deps).
PS_DATA=/usr/share/pocketsphinx/test/data
PS_MODEL=/usr/share/pocketsphinx/model/en-us
AST_DIR=/usr/share/asterisk/sounds/en_US_f_Allison
SHARED=${SM_ROOT:?run the suites through make check}/../shared

# A scratch directory per test, removed by bats.
setup_scratch() {
	SCRATCH=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/s.XXXXXX")
}

# goforward.raw (2.79 s of real speech) as DIR/gf.wav and its LOGLIK stream DIR/gf.ll.
goforward_ll() { # DIR
	sox -t raw -r 16000 -e signed -b 16 -c 1 "$PS_DATA/goforward.raw" "$1/gf.wav"
	sm-decode "$1/gf.wav" | sm-features | sm-am >"$1/gf.ll"
}

# 16 kHz WAVs of asterisk prompts (G.722 wideband), decoded by one ffmpeg:
# its start-up is most of the cost of a short prompt, and the files are byte
# for byte those of one ffmpeg per prompt.
asterisk16() { # ID OUT.wav [ID OUT.wav]...
	local in=() out=() j=0
	[ $# -gt 0 ] && [ $(($# % 2)) -eq 0 ] || { echo "asterisk16: ID OUT.wav pairs expected" >&2; return 64; }
	while [ $# -gt 0 ]; do
		in+=(-f g722 -i "$AST_DIR/$1.g722")
		out+=(-map "$j:a" -ac 1 -ar 16000 -y "$2")
		j=$((j + 1))
		shift 2
	done
	ffmpeg -nostdin -loglevel error "${in[@]}" "${out[@]}"
}

#!/usr/bin/env bats
# make install / make uninstall with PREFIX and DESTDIR, in a copy of the
# tree (a new PREFIX rebuilds what embeds it; the working tree is left
# alone).  The staged installation is then run where it belongs, under
# bubblewrap with DESTDIR/PREFIX bound at PREFIX, without SM_MODELS.
load test_helper

P=/opt/sm-test
WAV=$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb-0880.wav

setup_file() {
	src=$BATS_FILE_TMPDIR/src
	mkdir "$src"
	# Sources and the current build (timestamps kept, so only what embeds
	# PREFIX is rebuilt).
	tar -C "$SM_ROOT" --exclude='build/image.*' --exclude='build/sanitizer' -cf - \
		Makefile common recog cmd scripts man models fuzz tests/unit build bin | tar -C "$src" -xf -
	make -s -C "$src" install PREFIX="$P" DESTDIR="$BATS_FILE_TMPDIR/stage" \
		>"$BATS_FILE_TMPDIR/install.log" 2>&1 || { cat "$BATS_FILE_TMPDIR/install.log" >&2; return 1; }
}

setup() {
	setup_scratch
	SRC=$BATS_FILE_TMPDIR/src
	STAGE=$BATS_FILE_TMPDIR/stage
}

# Run a command with the staged installation at its PREFIX, the host's /tmp
# hidden, and neither SM_MODELS nor the build tree's bin/ in sight.
installed() {
	bwrap --die-with-parent --unshare-all --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp \
		--tmpfs /opt --ro-bind "$STAGE$P" "$P" --ro-bind "$WAV" /tmp/speech.wav \
		--setenv PATH "$P/bin:/usr/bin:/bin" --unsetenv SM_MODELS --unsetenv SM_ROOT -- "$@"
}

@test "make install puts the programs, man pages and language pack under DESTDIR/PREFIX only" {
	[ "$(ls "$STAGE")" = opt ] && [ "$(ls "$STAGE/opt")" = "${P#/opt/}" ]
	for p in "$SM_ROOT"/cmd/* "$SM_ROOT"/scripts/sm-*; do
		assert_file_executable "$STAGE$P/bin/${p##*/}"
	done
	for m in "$SM_ROOT"/man/*.1; do assert_file_exists "$STAGE$P/share/man/man1/${m##*/}"; done
	assert_file_exists "$STAGE$P/share/man/man5/sm-stream.5"
	assert_file_exists "$STAGE$P/share/sm/models/en/pack.conf"
	cmp "$STAGE$P/share/sm/models/en/search.img" "$SRC/models/en/search.img"
	cmp "$STAGE$P/share/sm/models/en/am.img" "$SRC/models/en/am.img"
	cmp "$STAGE$P/share/sm/models/en/adapt.img" "$SRC/models/en/adapt.img"
	cmp "$STAGE$P/share/sm/models/en/spelling.txt" "$SRC/models/en/spelling.txt"
	cmp "$STAGE$P/share/sm/models/en/lts.bin" "$SRC/models/en/lts.bin"
	grep -qx "models_default='$P/share/sm/models'" "$STAGE$P/bin/sm-transcribe"
}

@test "the installed programs find the language pack at PREFIX without SM_MODELS" {
	# The C stages: the models directory is compiled in.
	run -78 --separate-stderr installed sm-features -l xx </dev/null
	[ "$stderr" = "sm-features: no language pack for 'xx' in $P/share/sm/models (installed: en)" ]
	# sm-am scores from the installed acoustic image.
	run -0 --separate-stderr installed sh -c 'sm-decode /tmp/speech.wav | sm-features | sm-am -v >/dev/null'
	[ "${stderr_lines[0]}" = "sm-am: $P/share/sm/models/en/am.img: 5126 senones, 42 codebooks x 3 streams x 128 Gaussians, dim 39" ]
	run -0 --separate-stderr installed sh -c \
		'sm-decode /tmp/speech.wav | sm-features | sm-am | sm-lattice | sm-format'
	[ -z "$stderr" ]
	ref=$(sm-fetch "$WAV" | sm-decode | sm-features | sm-am | sm-lattice | sm-format | jq -c .results)
	[ "$(printf '%s\n' "$output" | jq -c .results)" = "$ref" ]
	# The whole job; the installed search image is used, not rebuilt.
	run -0 --separate-stderr installed sm-transcribe /tmp/speech.wav
	[ -z "$stderr" ]
	ref=$(sm-transcribe "$WAV" | jq -c 'del(.metadata.created_at)')
	[ "$(printf '%s\n' "$output" | jq -c 'del(.metadata.created_at)')" = "$ref" ]
	run -0 installed man -M "$P/share/man" -w sm-transcribe
	assert_output "$P/share/man/man1/sm-transcribe.1"
}

@test "a new PREFIX rebuilds what embeds it, the same PREFIX nothing" {
	run -0 make -s -C "$SRC" -q all PREFIX="$P"
	run -1 make -s -C "$SRC" -q all PREFIX=/usr/local
}

@test "make uninstall removes every file make install put there" {
	cp -a "$STAGE" "$SCRATCH/stage"
	make -s -C "$SRC" uninstall PREFIX="$P" DESTDIR="$SCRATCH/stage"
	run -0 find "$SCRATCH/stage" ! -type d
	assert_output ""
	# Nothing else under DESTDIR is touched.
	mkdir -p "$SCRATCH/other$P/bin"
	touch "$SCRATCH/other$P/bin/mine"
	make -s -C "$SRC" uninstall PREFIX="$P" DESTDIR="$SCRATCH/other"
	assert_file_exists "$SCRATCH/other$P/bin/mine"
}

#!/usr/bin/env bats
# Whole jobs in real sandboxes: bubblewrap (read-only root, tmpfs /tmp, a
# user with no passwd entry), strace (what a job opens for writing), and
# concurrent jobs sharing one /tmp.
load test_helper
load transcribe_helper

# Asterisk prompts (16 kHz, G.722) with several words each; with the five
# LibriVox recordings, 12 jobs: three rounds of four at once.
PROMPTS="agent-alreadyon agent-newlocation all-circuits-busy-now
cannot-complete-as-dialed check-number-dial-again conf-kicked conf-locked"

setup_file() {
	# Inputs the sandbox user can read: a world-readable directory.
	export SHARE=$BATS_FILE_TMPDIR/share
	mkdir -p "$SHARE"
	chmod 755 "$SHARE"
	d=$SHARE
	while [ "$d" != / ] && [ "$d" != /tmp ]; do chmod o+x "$d"; d=$(dirname "$d"); done
	by_hand "$(lv 0880)" | words >"$SHARE/0880.words"
	# The programs and packs the sandbox binds.  Run as root, bwrap runs as
	# the sandbox user, who may not reach the checkout (a clone in root's
	# home, mode 700: "Can't find source path ...: Permission denied"); then
	# it binds copies of them from the shared directory.
	export SB_BIN=$SM_ROOT/bin SB_MODELS=$SM_ROOT/models
	if [ "$(id -u)" -eq 0 ] && ! setpriv --reuid 4242 --regid 3000 --clear-groups -- \
		test -x "$SB_BIN/sm-transcribe" -a -r "$SB_MODELS/en/pack.conf"; then
		cp -a "$SB_BIN" "$SHARE/bin" && cp -a "$SB_MODELS" "$SHARE/models"
		chmod -R a+rX "$SHARE/bin" "$SHARE/models"
		SB_BIN=$SHARE/bin SB_MODELS=$SHARE/models
	fi
}

setup() {
	setup_scratch
	command -v bwrap >/dev/null || skip "bubblewrap is not installed"
	W80=$(cat "$SHARE/0880.words")
	config '{"type": "transcription", "transcription_config": {"language": "en"},
		"fetch_data": {"url": "file:///tmp/in.wav"}}' "$SHARE/fetch.json"
	config '{"type": "transcription", "transcription_config": {"language": "en"}}' "$SHARE/plain.json"
	chmod 644 "$SHARE"/*.json
}

# Run a command as uid 4242, gid 3000 (no passwd entry) in a container-like
# root: a read-only tmpfs / with /usr, the programs and the packs bound
# read-only, a tmpfs /tmp, no network.  Arguments: bwrap options, then --,
# then the command.
sandbox() {
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	local user=()
	if [ "$(id -u)" -eq 0 ]; then
		user=(setpriv --reuid 4242 --regid 3000 --clear-groups --)
	else
		opts+=(--unshare-user --uid 4242 --gid 3000)
	fi
	"${user[@]}" bwrap --unshare-all --die-with-parent --new-session \
		--tmpfs / --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib \
		--symlink usr/lib64 /lib64 --symlink usr/sbin /sbin \
		--ro-bind /etc/ld.so.cache /etc/ld.so.cache --ro-bind /etc/alternatives /etc/alternatives \
		--dev /dev --proc /proc --tmpfs /tmp \
		--ro-bind "$SB_BIN" /opt/sm/bin --ro-bind "$SB_MODELS" /opt/sm/models \
		--clearenv --setenv PATH /opt/sm/bin:/usr/bin --setenv SM_MODELS /opt/sm/models \
		--setenv HOME /nonexistent --setenv OPENBLAS_NUM_THREADS 1 \
		"${opts[@]}" --remount-ro / -- "$@"
}

@test "the sandbox: read-only root, tmpfs /tmp, uid 4242 gid 3000 without a passwd entry" {
	run -0 sandbox -- sh -c 'id -u; id -g; getent passwd 4242 || echo nameless;
		touch /x 2>/dev/null || echo ro; touch /opt/sm/bin/x 2>/dev/null || echo ro;
		touch /tmp/x && echo tmp-ok; ls /tmp'
	assert_output "4242
3000
nameless
ro
ro
tmp-ok
x"
}

@test "sandboxed: --job-config on a read-only mount, the audio as fetch_data file:///tmp/..." {
	run -0 --separate-stderr sandbox --ro-bind "$SHARE/fetch.json" /configs/config.json \
		--ro-bind "$(lv 0880)" /tmp/in.wav -- sm-transcribe --job-config /configs/config.json
	[ -z "$stderr" ]
	[ "$(printf '%s' "$output" | words)" = "$W80" ]
}

@test "sandboxed: the audio on stdin" {
	run -0 --separate-stderr sandbox --ro-bind "$SHARE/plain.json" /configs/config.json \
		-- sm-transcribe --job-config /configs/config.json <"$(lv 0880)"
	[ -z "$stderr" ]
	[ "$(printf '%s' "$output" | words)" = "$W80" ]
}

@test "sandboxed: the audio on /input.audio, the config on /config.json" {
	run -0 --separate-stderr sandbox --ro-bind "$SHARE/plain.json" /config.json \
		--ro-bind "$(lv 0880)" /input.audio -- sm-transcribe </dev/null
	[ -z "$stderr" ]
	[ "$(printf '%s' "$output" | words)" = "$W80" ]
}

@test "sandboxed: the config is checked, by gojq and by jq, with HOME a directory the uid may not read" {
	[ "$(id -u)" -eq 0 ] || skip "needs root: a directory of another owner"
	mkdir -p -m 700 "$SHARE/locked"
	for j in gojq jq; do
		run -0 --separate-stderr sandbox --ro-bind "$SHARE/plain.json" /config.json \
			--ro-bind "$(lv 0880)" /input.audio --ro-bind "$SHARE/locked" /root \
			--setenv HOME /root --setenv SM_JQ "$j" -- sm-transcribe </dev/null
		[ -z "$stderr" ]
		[ "$(printf '%s' "$output" | words)" = "$W80" ]
	done
}

@test "sandboxed: --all-formats into the tmpfs, and nothing else left in /tmp" {
	run -0 --separate-stderr sandbox --ro-bind "$(lv 0880)" /tmp/in.wav -- sh -c '
		mkdir /tmp/out && sm-transcribe --all-formats /tmp/out /tmp/in.wav >/dev/null &&
		ls /tmp && ls /tmp/out && cat /tmp/out/in.txt'
	assert_output "in.wav
out
in.json
in.srt
in.txt
$(by_hand "$(lv 0880)" -f txt)"
}

# One bad job in the sandbox: the exit code, exactly one line, no stdout.
sandboxed_failure() { # CODE CONFIG_JSON EXPECTED_LINE [ENV...]
	local code=$1 line=$3
	config "$2" "$SHARE/bad.json"
	chmod 644 "$SHARE/bad.json"
	shift 3
	run "-$code" --separate-stderr sandbox --ro-bind "$SHARE/bad.json" /configs/config.json \
		--ro-bind "$(lv 0880)" /tmp/in.wav "$@" -- sm-transcribe --job-config /configs/config.json
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ] && [ "$stderr" = "$line" ] || {
		echo "got: $stderr"; echo "expected: $line"; false; }
}

@test "sandboxed: bad configs, missing audio and a failing stage give their code and one line" {
	C=/configs/config.json
	F='"fetch_data": {"url": "file:///tmp/in.wav"}'
	sandboxed_failure 78 '{"type": "transcription", ' \
		"sm-transcribe: $C: invalid JSON: unexpected EOF at line 1"
	sandboxed_failure 78 '{"type": "transcription", "transcription_config": {}, '"$F"'}' \
		"sm-transcribe: $C: transcription_config.language: missing (e.g. \"en\")"
	sandboxed_failure 78 '{"type": "transcription", "transcription_config": {"language": "fr"}, '"$F"'}' \
		"sm-transcribe: $C: transcription_config.language: no language pack for \"fr\" (installed: en in /opt/sm/models)"
	sandboxed_failure 78 '{"type": "transcription", "transcription_config": {"language": ["en"]}, '"$F"'}' \
		"sm-transcribe: $C: transcription_config.language: expected a string, got an array"
	sandboxed_failure 78 '{"type": "transcription", "transcription_config": {"language": "en",
		"punctuation_overrides": {"sensitivity": 7}}, '"$F"'}' \
		"sm-transcribe: $C: transcription_config.punctuation_overrides.sensitivity: 7 is out of range (0 to 1)"
	sandboxed_failure 78 '{"type": "transcription", "transcription_config": {"language": "en"},
		"fetch_data": {"url": "gopher://host/in.wav"}}' \
		"sm-transcribe: $C: fetch_data.url: unsupported URL \"gopher://host/in.wav\" (use file://, http:// or https://)"
	sandboxed_failure 66 '{"type": "transcription", "transcription_config": {"language": "en"},
		"fetch_data": {"url": "file:///tmp/missing.wav"}}' \
		"sm-fetch: file:///tmp/missing.wav: No such file or directory"
	sandboxed_failure 70 '{"type": "transcription", "transcription_config": {"language": "en"}, '"$F"'}' \
		"sm-transcribe: sm-am: failed with exit status 3" --setenv SM_STAGE_AM 'exit 3'
	sandboxed_failure 65 '{"type": "transcription", "transcription_config": {"language": "en"}, '"$F"'}' \
		"sm-lattice: <stdin>: expected LOGLIK stream, got FEAT" --setenv SM_STAGE_AM 'cat; true'
}

@test "under strace, a job opens nothing for writing outside TMPDIR and creates no regular file" {
	command -v strace >/dev/null || skip "strace is not installed"
	mkdir "$SCRATCH/tmp" "$SCRATCH/trace" "$SCRATCH/out"
	# SM_SCHEMA_DOCS empty: make test's sm-format keeps no copy of its
	# json-v2 for the schema check (tests/schema/sm-format), a write of the
	# test harness, not of the job.
	SM_SCHEMA_DOCS='' TMPDIR=$SCRATCH/tmp strace -ff -qq -y -e status=successful -e trace=%file,creat \
		-o "$SCRATCH/trace/t" sm-transcribe --all-formats "$SCRATCH/out" "$(lv 0880)" >/dev/null
	n=$SCRATCH/out/sense_and_sensibility_01_austen_64kb-0880
	run -0 python3 "$SM_ROOT/tests/lockdown_trace.py" "$SCRATCH/tmp" "$SCRATCH/trace/t" \
		"$n.json" "$n.txt" "$n.srt"
	assert_output --regexp '^[0-9]+ calls, 1 directories, 18 FIFOs, no other writes$'
	[ -z "$(ls -A "$SCRATCH/tmp")" ]
	# The check can fail: a stage that keeps a copy of its input in a file.
	rm -f "$SCRATCH/trace"/*
	SM_SCHEMA_DOCS='' TMPDIR=$SCRATCH/tmp SM_STAGE_AM='tee "$TMPDIR/copy" | sm-am "$@"' strace -ff -qq -y \
		-e status=successful -e trace=%file,creat -o "$SCRATCH/trace/t" sm-transcribe "$(lv 0880)" >/dev/null
	run -1 python3 "$SM_ROOT/tests/lockdown_trace.py" "$SCRATCH/tmp" "$SCRATCH/trace/t"
	assert_line --regexp "^regular file created: openat\(.*\"$SCRATCH/tmp/copy\""
}

@test "12 jobs through xargs -P 4 sharing one TMPDIR give correct, distinct transcripts" {
	mkdir "$SCRATCH/tmp" "$SCRATCH/in" "$SCRATCH/out"
	set --
	for p in $PROMPTS; do set -- "$@" "$p" "$SCRATCH/in/$p.wav"; done
	asterisk16 "$@"
	for id in 0870 0880 0890 0920 0930; do ln -s "$(lv "$id")" "$SCRATCH/in/lv-$id.wav"; done
	[ "$(ls "$SCRATCH/in" | wc -l)" -eq 12 ]
	# The reference: each recording through the stages, one at a time.
	for f in "$SCRATCH"/in/*.wav; do
		by_hand "$f" | words >"$SCRATCH/out/$(basename "$f" .wav).ref"
	done
	ls "$SCRATCH"/in/*.wav | TMPDIR=$SCRATCH/tmp xargs -P 4 -I{} sh -c \
		'sm-transcribe "$1" >"$2/$(basename "$1" .wav).json" 2>"$2/$(basename "$1" .wav).err"' sh {} "$SCRATCH/out"
	for f in "$SCRATCH"/in/*.wav; do
		n=$(basename "$f" .wav)
		[ ! -s "$SCRATCH/out/$n.err" ]
		words <"$SCRATCH/out/$n.json" >"$SCRATCH/out/$n.words"
		cmp "$SCRATCH/out/$n.ref" "$SCRATCH/out/$n.words"
	done
	[ "$(cat "$SCRATCH"/out/*.words | sort -u | wc -l)" -eq 12 ]
	[ -z "$(ls -A "$SCRATCH/tmp")" ]
}

#!/usr/bin/env bats
# The container image (Containerfile, make image) run with podman: the
# deployment recipes of the original's security page, each on a real
# recording, each compared with the same job run on the host.  Where podman
# cannot run containers on this machine, every test is skipped and says why.
load test_helper
load podman_helper

WAV=$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb-0880.wav
WAV2=$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb-0930.wav

# No network, and only the tmpfs a test names.
run_image() {
	prun --rm --network=none --read-only-tmpfs=false "$@"
}

# The transcript without its creation time, for comparison.
stable() { jq -c 'del(.metadata.created_at)'; }

setup_file() {
	podman_ready || return 1
	[ ! -f "$BATS_FILE_TMPDIR/skip" ] || return 0
	# The reference: the same jobs on the host.
	mkdir "$BATS_FILE_TMPDIR/host"
	cp "$WAV" "$BATS_FILE_TMPDIR/speech.wav"
	sm-transcribe --all-formats "$BATS_FILE_TMPDIR/host" "$BATS_FILE_TMPDIR/speech.wav" |
		stable >"$BATS_FILE_TMPDIR/ref.json"
	sm-transcribe "$WAV2" | stable >"$BATS_FILE_TMPDIR/ref2.json"
}

setup() {
	need_podman
	setup_scratch
	chmod 755 "$SCRATCH"
	REF=$(cat "$BATS_FILE_TMPDIR/ref.json")
	REF2=$(cat "$BATS_FILE_TMPDIR/ref2.json")
	mkdir "$SCRATCH/configs_dir"
	printf '%s\n' '{"type": "transcription", "transcription_config": {"language": "en"}}' \
		>"$SCRATCH/configs_dir/config.json"
}

teardown() {
	[ -z "${SERVER_PID:-}" ] || kill "$SERVER_PID" 2>/dev/null || true
}

# The output is the host's transcript, a json-v2 one of this recording.
is_ref() { # JSON REF
	[ "$(printf '%s\n' "$1" | stable)" = "$2" ]
	printf '%s\n' "$1" | jq -e '.format == "2.9" and (.metadata.created_at | test("Z$"))
		and ([.results[] | select(.type == "word")] | length) >= 5' >/dev/null
}

@test "the image: entrypoint sm-transcribe, a non-root default user, work directory /home/smuser, it and /tmp mode 1777" {
	run -0 podman image inspect --format '{{json .Config.Entrypoint}} {{.Config.User}} {{.Config.WorkingDir}}' "$IMAGE"
	assert_output '["sm-transcribe"] 65532:65532 /home/smuser'
	run -0 run_image "$IMAGE" --version
	assert_output --regexp '^sm-transcribe [0-9]+\.[0-9]+\.[0-9]+$'
	# Without a tmpfs, as the default user: /tmp and /home/smuser are the
	# image's own, sticky and writable by anyone.
	run -0 run_image --entrypoint sh "$IMAGE" -c \
		'sed -n "s/^Uid:\t\([0-9]*\).*/\1/p" /proc/self/status
		for d in /tmp /home/smuser; do test -k $d && t=$(mktemp -d $d/x.XXXXXX) && rm -r "$t" && echo ok; done'
	assert_output $'65532\nok\nok'
}

# The users every recipe of the page runs as: the image's default, the
# page's --user 1000:3000, and a uid with no passwd entry in the image.
USERS=(default 1000:3000 54321:3000)
as_user() { # USER -> the podman option for it
	[ "$1" = default ] || printf '%s\n' "--user=$1"
}

# The original's security page ("Additional security"), each recipe as
# written there; only the image name, podman's flags (SANDBOX.md) and real
# paths are substituted.  LICENSE_TOKEN is part of the page's commands; this
# image ignores it.

# The first recipe, as USER, with the host directory $SCRATCH/host at /tmp:
# it succeeds, says nothing, and gives the host's transcript.
first_recipe() { # USER
	run -0 --separate-stderr run_image -i \
		--read-only --tmpfs /home/smuser \
		-v "$SCRATCH/host:/tmp" \
		-e LICENSE_TOKEN=unused $(as_user "$1") \
		"$IMAGE" \
		--job-config /tmp/config.json
	[ -z "$stderr" ] || { echo "$1: $stderr"; return 1; }
	is_ref "$output" "$REF"
}

@test "the page's first recipe: --read-only --tmpfs /home/smuser, the config in a root-owned 755 host directory at /tmp, audio on stdin" {
	mkdir -m 755 "$SCRATCH/host"
	cp "$SCRATCH/configs_dir/config.json" "$SCRATCH/host/config.json"
	chmod 644 "$SCRATCH/host/config.json"
	[ "$(stat -c %U:%a "$SCRATCH/host")" = root:755 ]
	for user in "${USERS[@]}"; do
		first_recipe "$user" <"$WAV"
		# The job's FIFOs went to the tmpfs: the host directory is as it was.
		[ "$(ls -A "$SCRATCH/host")" = config.json ]
	done
}

@test "the page's first recipe with fetch_data: the audio read from file:///tmp/NAME.wav in the host directory" {
	mkdir -m 755 "$SCRATCH/host"
	cp "$WAV" "$SCRATCH/host/speech.wav"
	printf '%s\n' '{"type": "transcription", "transcription_config": {"language": "en"},
		"fetch_data": {"url": "file:///tmp/speech.wav"}}' >"$SCRATCH/host/config.json"
	chmod 644 "$SCRATCH/host/"*
	for user in "${USERS[@]}"; do
		first_recipe "$user" </dev/null
		[ "$(ls -A "$SCRATCH/host")" = $'config.json\nspeech.wav' ]
	done
}

# The page mounts the directory at /configs_dir and then names
# /example_configs_dir/config.json; the path that was mounted is used here.
@test "the page's second recipe: --read-only --tmpfs /home/smuser --tmpfs /tmp, the config on a read-only mount" {
	for user in "${USERS[@]}"; do
		run -0 --separate-stderr run_image -i \
			--read-only --tmpfs /home/smuser --tmpfs /tmp \
			-v "$SCRATCH/configs_dir:/configs_dir:ro" \
			-e LICENSE_TOKEN=unused $(as_user "$user") \
			"$IMAGE" \
			--job-config /configs_dir/config.json <"$WAV"
		[ -z "$stderr" ] || { echo "$user: $stderr"; false; }
		is_ref "$output" "$REF"
	done
}

@test "the page's non-root recipe: -u 1020:4000, /config.json and /input.audio mounted, no tmpfs" {
	cp "$WAV2" "$SCRATCH/input.audio"
	chmod 644 "$SCRATCH/input.audio" "$SCRATCH/configs_dir/config.json"
	run -0 --separate-stderr prun --rm --network=none -u 1020:4000 \
		-v "$SCRATCH/configs_dir/config.json:/config.json" \
		-v "$SCRATCH/input.audio:/input.audio" \
		"$IMAGE"
	[ -z "$stderr" ]
	is_ref "$output" "$REF2"
	# No user of the recipes has an entry in the image.
	run -0 run_image --entrypoint sh "$IMAGE" -c 'sed -n "/^[^:]*:[^:]*:\(1000\|1020\|54321\):/p" /etc/passwd; echo end'
	assert_output end
}

@test "the seed's recipe: --read-only --tmpfs /tmp, --user 1000:3000, the config read-only, audio on stdin" {
	run -0 --separate-stderr run_image -i --read-only --tmpfs /tmp --user 1000:3000 \
		-v "$SCRATCH/configs_dir:/configs_dir:ro" "$IMAGE" \
		--job-config /configs_dir/config.json <"$WAV"
	[ -z "$stderr" ]
	is_ref "$output" "$REF"
}

@test "with no writable place for the job's FIFOs the job fails naming TMPDIR, /home/smuser and /tmp" {
	run -74 --separate-stderr run_image -i --read-only --user 1000:3000 \
		-v "$SCRATCH/configs_dir:/configs_dir:ro" "$IMAGE" \
		--job-config /configs_dir/config.json <"$WAV"
	[ -z "$output" ]
	assert_equal "$stderr" 'sm-transcribe: cannot create a private directory in $TMPDIR, /home/smuser or /tmp (mount a writable tmpfs on one of them)'
}

@test "fetch_data with a file:///tmp/... URL reads the audio from the tmpfs" {
	printf '%s\n' '{"type": "transcription", "transcription_config": {"language": "en"},
		"fetch_data": {"url": "file:///tmp/in/speech.wav"}}' >"$SCRATCH/configs_dir/config.json"
	run -0 --separate-stderr run_image --read-only --tmpfs /tmp --user 54321:3000 \
		-v "$SCRATCH/configs_dir:/configs_dir:ro" -v "$WAV:/tmp/in/speech.wav:ro" "$IMAGE" \
		--job-config /configs_dir/config.json </dev/null
	[ -z "$stderr" ]
	is_ref "$output" "$REF"
}

@test "fetch_data over https with an auth header: the image's TLS, a CA given by SSL_CERT_FILE" {
	# A real https server on the host's loopback, its certificate signed by a
	# CA of this test, which the image's own bundle does not hold.
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 -keyout "$SCRATCH/ca.key" \
		-out "$SCRATCH/configs_dir/ca.pem" 2>/dev/null
	python3 "$SM_ROOT/tests/fetch_server.py" "$PS_DATA" "$SCRATCH/ports" 120 \
		"$SCRATCH/configs_dir/ca.pem" "$SCRATCH/ca.key" 3>&- &
	SERVER_PID=$!
	for _ in $(seq 200); do [ -s "$SCRATCH/ports" ] && break; sleep 0.05; done
	read -r _ _ port <"$SCRATCH/ports"
	printf '{"type": "transcription", "transcription_config": {"language": "en"},
		"fetch_data": {"url": "https://127.0.0.1:%s/private/librivox/%s",
		"auth_headers": ["Authorization: Bearer s3cret"]}}\n' "$port" "${WAV##*/}" \
		>"$SCRATCH/configs_dir/config.json"
	chmod 644 "$SCRATCH/configs_dir/"*
	run -0 --separate-stderr prun --rm --network=host --read-only --tmpfs /tmp --user 1000:3000 \
		-e SSL_CERT_FILE=/configs_dir/ca.pem -v "$SCRATCH/configs_dir:/configs_dir:ro" "$IMAGE" \
		--job-config /configs_dir/config.json </dev/null
	[ -z "$stderr" ]
	is_ref "$output" "$REF"
	# Without the CA: the image's bundle does not trust it, and says so.
	run -69 --separate-stderr prun --rm --network=host --read-only --tmpfs /tmp --user 1000:3000 \
		-v "$SCRATCH/configs_dir:/configs_dir:ro" "$IMAGE" --job-config /configs_dir/config.json </dev/null
	[ -z "$output" ]
	[[ $stderr == "sm-fetch: https://127.0.0.1:$port/private/librivox/${WAV##*/}: TLS: "*certificate* ]]
	kill "$SERVER_PID"
}

@test "--all-formats writes NAME.json, .txt and .srt into a directory only that user can write" {
	mkdir -m 700 "$SCRATCH/out"
	chown 54321:3000 "$SCRATCH/out"
	run -0 --separate-stderr run_image --read-only --tmpfs /tmp --user 54321:3000 \
		-v "$SCRATCH/configs_dir:/configs_dir:ro" -v "$WAV:/audio/speech.wav:ro" -v "$SCRATCH/out:/out" \
		"$IMAGE" --job-config /configs_dir/config.json --all-formats /out /audio/speech.wav
	[ -z "$stderr" ]
	is_ref "$output" "$REF"
	run -0 ls "$SCRATCH/out"
	assert_output $'speech.json\nspeech.srt\nspeech.txt'
	[ "$(stat -c %u:%g "$SCRATCH/out/speech.txt")" = 54321:3000 ]
	[ "$(stable <"$SCRATCH/out/speech.json")" = "$REF" ]
	cmp "$SCRATCH/out/speech.txt" "$BATS_FILE_TMPDIR/host/speech.txt"
	cmp "$SCRATCH/out/speech.srt" "$BATS_FILE_TMPDIR/host/speech.srt"
	run -0 head -n 2 "$SCRATCH/out/speech.srt"
	assert_line --index 0 1
	assert_line --index 1 --regexp '^00:00:0[0-9],[0-9]{3} --> 00:00:0[0-9],[0-9]{3}$'
}

@test "a failed job in the image: its exit code, one line on stderr, nothing on stdout" {
	printf '%s\n' '{"type": "transcription", "transcription_config": {"language": "xx"}}' \
		>"$SCRATCH/configs_dir/config.json"
	run -78 --separate-stderr run_image --read-only --tmpfs /tmp --user 54321:3000 \
		-v "$SCRATCH/configs_dir:/configs_dir:ro" "$IMAGE" --job-config /configs_dir/config.json </dev/null
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == 'sm-transcribe: /configs_dir/config.json: transcription_config.language: no language pack for "xx" (installed: en in '* ]]
	# Not audio: the decoder's verdict, and the tmpfs is left empty.
	printf 'not audio\n' >"$SCRATCH/junk.wav"
	run -65 --separate-stderr run_image --read-only --tmpfs /tmp --user 54321:3000 \
		-v "$SCRATCH/junk.wav:/input.audio:ro" --entrypoint sh "$IMAGE" -c \
		'sm-transcribe; st=$?; set -- /tmp/* /tmp/.[!.]*; [ "$*" = "/tmp/* /tmp/.[!.]*" ] || echo "left: $*" >&2; exit $st'
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == sm-decode:* ]]
}

@test "diarization in the image, read-only root and a non-root user: speaker and channel jobs give the transcripts of the same jobs on the host" {
	# Two speakers in turns (LibriVox, then an asterisk prompt, then
	# LibriVox) in one channel, and the same two recordings as two channels.
	asterisk16 agent-newlocation "$SCRATCH/ast.wav"
	sox "$WAV" "$SCRATCH/ast.wav" "$WAV2" "$SCRATCH/talk.wav"
	sox "$SCRATCH/ast.wav" "$SCRATCH/a.wav" pad 0 4
	sox -M "$SCRATCH/a.wav" "$WAV" "$SCRATCH/stereo.wav"
	printf '%s\n' '{"type": "transcription", "transcription_config": {"language": "en", "diarization": "speaker"}}' \
		>"$SCRATCH/speaker.json"
	printf '%s\n' '{"type": "transcription", "transcription_config": {"language": "en", "diarization": "channel",
		"channel_diarization_labels": ["Agent", "Caller"]}}' >"$SCRATCH/channel.json"
	chmod 644 "$SCRATCH"/*.json "$SCRATCH"/*.wav
	for job in "speaker talk" "channel stereo"; do
		set -- $job
		ref=$(sm-transcribe --job-config "$SCRATCH/$1.json" "$SCRATCH/$2.wav" | stable)
		run -0 run_image --read-only --tmpfs /home/smuser --user 4242:3000 -v "$SCRATCH:/in:ro" \
			"$IMAGE" --job-config "/in/$1.json" "/in/$2.wav"
		[ "$(printf '%s\n' "$output" | stable)" = "$ref" ]
	done
	# The labels are there: two speakers, two channels.
	[ "$(sm-transcribe --job-config "$SCRATCH/speaker.json" "$SCRATCH/talk.wav" |
		jq -r '[.results[] | .alternatives[0].speaker] | unique | join(",")')" = "S1,S2" ]
	[ "$(sm-transcribe --job-config "$SCRATCH/channel.json" "$SCRATCH/stereo.wav" |
		jq -r '[.results[] | .channel] | unique | join(",")')" = "Agent,Caller" ]
}

@test "an enhanced job in the image (two passes, sm-adapt mapping the pack's adaptation image), read-only root and a non-root user: the transcript of the same job on the host" {
	printf '%s\n' '{"type": "transcription", "transcription_config": {"language": "en", "operating_point": "enhanced"}}' \
		>"$SCRATCH/enhanced.json"
	chmod 644 "$SCRATCH/enhanced.json"
	cp "$WAV" "$SCRATCH/speech.wav"
	chmod 644 "$SCRATCH/speech.wav"
	ref=$(sm-transcribe --job-config "$SCRATCH/enhanced.json" "$SCRATCH/speech.wav" | stable)
	[ "$(printf '%s\n' "$ref" | jq -r '.metadata.transcription_config.operating_point')" = enhanced ]
	run -0 --separate-stderr run_image --read-only --tmpfs /home/smuser --user 4242:3000 \
		-v "$SCRATCH:/in:ro" "$IMAGE" --job-config /in/enhanced.json /in/speech.wav
	[ "$(printf '%s\n' "$output" | stable)" = "$ref" ]
	[ -z "$stderr" ]
}

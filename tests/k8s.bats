#!/usr/bin/env bats
# The Kubernetes manifests in k8s/: validated offline (API schemas, unknown
# fields, the restricted Pod Security Standard, the PodSecurityPolicy), and
# their pods run locally with podman under the same constraints.
load test_helper
load podman_helper

K8S=$SM_ROOT/k8s
V=$SM_ROOT/tests/k8s
LV=$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb

setup_file() {
	command -v node >/dev/null || { echo "node is not installed (the validator needs Node.js)" >&2; return 1; }
	# The validator's packages from npm (tests/k8s/package-lock.json).
	if [ ! "$V/node_modules/.package-lock.json" -nt "$V/package-lock.json" ]; then
		npm ci --prefix "$V" --no-audit --no-fund --loglevel=error >&2 || return 1
	fi
	# Local runs of the pods need the image of this tree.
	podman_ready
}

setup() {
	setup_scratch
	chmod 755 "$SCRATCH"
}

# The pod's emptyDirs of medium Memory, /tmp and /home/smuser: fresh
# directories on the host's /dev/shm.
memdir() {
	SHM=$(mktemp -d /dev/shm/sm-k8s.XXXXXX)
	SHM_HOME=$(mktemp -d /dev/shm/sm-k8s-home.XXXXXX)
	chmod 1777 "$SHM" "$SHM_HOME"
}
teardown() {
	[ -z "${SHM:-}" ] || rm -rf "$SHM" "$SHM_HOME"
}

# Run every container of the pod in order (init containers first), each
# with NETWORK (none, or host for a container that fetches); stop at the
# first failure.  Output: the last container's stdout.
run_pod() { # JOB.yaml [podman-plan options]
	node "$V/podman-plan.mjs" "$1" "$SCRATCH/pod" "${@:2}" --image "$IMAGE" >"$SCRATCH/plan.json"
	n=$(jq length "$SCRATCH/plan.json")
	for ((i = 0; i < n; i++)); do
		mapfile -d '' args < <(jq -j ".[$i].args[] + \"\\u0000\"" "$SCRATCH/plan.json")
		net=none
		[ "$(jq -r ".[$i].init" "$SCRATCH/plan.json")" = false ] || net=${INIT_NETWORK:-none}
		prun --network="$net" "${args[@]}" || return
	done
}

@test "the manifests pass the API schemas, have no unknown field and meet the restricted standard" {
	run -0 --separate-stderr node "$V/validate.mjs" "$K8S"
	[ -z "$stderr" ]
	for d in "namespace.yaml Namespace/sm" "job.yaml Job/sm-transcribe" \
		"indexed-job.yaml Job/sm-transcribe-batch" "job-fetch.yaml Job/sm-transcribe-fetched" \
		"podsecuritypolicy.yaml PodSecurityPolicy/sm-restricted" "configmap.yaml ConfigMap/sm-config"; do
		assert_line "ok $d"
	done
	[ "${#lines[@]}" -eq 11 ]
}

# Break a copy of the manifests one way (sed on FILE) and note the line the
# validator must print for it; refusals_seen runs the validator once on all
# the copies (the models load once) and checks every line.
n_broken=0
refused() { # FILE SED-EXPRESSION EXPECTED-LINE
	local d=$SCRATCH/k8s.$n_broken
	n_broken=$((n_broken + 1))
	cp -R "$K8S" "$d"
	sed -i "$2" "$d/$1"
	! cmp -s "$K8S/$1" "$d/$1" || { echo "the edit changed nothing: $2"; return 1; }
	printf '%s: %s\n' "$d" "$3" >>"$SCRATCH/expected"
}
refusals_seen() {
	run -1 --separate-stderr node "$V/validate.mjs" "$SCRATCH"/k8s.*
	local want
	while IFS= read -r want; do
		printf '%s\n' "$stderr" | grep -qxF -- "$want" ||
			{ printf 'expected: %s\ngot:\n%s\n' "$want" "$stderr"; return 1; }
	done <"$SCRATCH/expected"
	# Each broken copy was refused: none of them has all its documents ok.
	for ((i = 0; i < n_broken; i++)); do
		[ "$(printf '%s\n' "$output" | grep -c "^$SCRATCH/k8s.$i: ok ")" -lt 11 ] ||
			{ echo "k8s.$i: every document passed"; return 1; }
	done
	[ "$(wc -l <"$SCRATCH/expected")" -eq "$n_broken" ]
}

@test "the validator refuses what the restricted standard or our pods must not have" {
	J='job.yaml: Job/sm-transcribe'
	refused job.yaml '0,/allowPrivilegeEscalation: false/s//allowPrivilegeEscalation: true/' \
		"$J: containers[0] (transcribe): securityContext.allowPrivilegeEscalation must be false"
	refused job.yaml 's/drop: \[ALL\]/drop: [NET_RAW]/' \
		"$J: containers[0] (transcribe): securityContext.capabilities.drop must include ALL"
	refused job.yaml '0,/runAsNonRoot: true/s//runAsNonroot: true/' \
		"$J: spec.template.spec.securityContext.runAsNonroot: unknown field"
	refused job.yaml 's/medium: Memory/medium: ""/' \
		"$J: container transcribe: /tmp (volume tmp) must be an emptyDir with medium Memory"
	refused job.yaml 's|mountPath: /home/smuser|mountPath: /home/user|' \
		"$J: container transcribe: /home/smuser must be mounted (an emptyDir of medium Memory)"
	refused job-fetch.yaml '0,/medium: Memory/s//medium: ""/' \
		"job-fetch.yaml: Job/sm-transcribe-fetched: container transcribe: /home/smuser (volume home) must be an emptyDir with medium Memory"
	refused job.yaml 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/' \
		"$J: container transcribe: securityContext.readOnlyRootFilesystem must be true"
	refused job.yaml 's/type: RuntimeDefault/type: Unconfined/' \
		"$J: containers[0] (transcribe): seccompProfile.type must be RuntimeDefault or Localhost (container or pod)"
	refused job.yaml 's/runAsUser: 1000/runAsUser: 0/' \
		"$J: containers[0] (transcribe): runAsUser must not be 0"
	refused job.yaml '/- name: config$/{n;/mountPath/{n;s/readOnly: true/readOnly: false/}}' \
		"$J: container transcribe: volumeMount config (configMap) must be readOnly"
	refused job.yaml 's/^\(\s*\)persistentVolumeClaim:$/\1hostPath: {path: \/srv}\n\1persistentVolumeClaim:/' \
		"$J: volumes (audio): type hostPath is not allowed"
	refused job.yaml 's/privileged: false/privileged: true/' \
		"$J: containers[0] (transcribe): privileged must not be true"
	refused job-fetch.yaml '0,/readOnlyRootFilesystem: true/s//readOnlyRootFilesystem: false/' \
		"job-fetch.yaml: Job/sm-transcribe-fetched: container fetch: securityContext.readOnlyRootFilesystem must be true"
	refused indexed-job.yaml 's/completions: 3/completions: 4/' \
		"indexed-job.yaml: Job/sm-transcribe-batch: spec.completions is 4, files.txt lists 3"
	refused namespace.yaml 's/enforce: restricted/enforce: baseline/' \
		"namespace.yaml: Namespace/sm: label pod-security.kubernetes.io/enforce must be restricted"
	refused podsecuritypolicy.yaml 's/rule: MustRunAsNonRoot/rule: RunAsAny/' \
		"podsecuritypolicy.yaml: PodSecurityPolicy/sm-restricted: spec.runAsUser.rule must be MustRunAsNonRoot"
	refused podsecuritypolicy.yaml 's/volumes: \[configMap, /volumes: [/' \
		"job.yaml: Job/sm-transcribe: PodSecurityPolicy/sm-restricted refuses it: volume type configMap (config) not allowed"
	refused job.yaml 's/backoffLimit: 0/backofLimit: 0/' \
		"$J: spec.backofLimit: unknown field"
	refusals_seen
}

@test "the Job runs under podman as its manifest says: one recording, transcript and --all-formats files" {
	need_podman
	memdir
	mkdir -p "$SCRATCH/audio" "$SCRATCH/results"
	cp "$LV-0880.wav" "$SCRATCH/audio/meeting-2024-01-08.wav"
	chgrp 3000 "$SCRATCH/results"
	chmod 2770 "$SCRATCH/results"
	run -0 --separate-stderr run_pod "$K8S/job.yaml" --volume tmp="$SHM" --volume home="$SHM_HOME" \
		--volume audio="$SCRATCH/audio" --volume results="$SCRATCH/results"
	[ -z "$stderr" ]
	ref=$(sm-transcribe --job-config "$SCRATCH/pod/configmap-config/config.json" \
		"$SCRATCH/audio/meeting-2024-01-08.wav" | jq -c 'del(.metadata.created_at)')
	[ "$(printf '%s\n' "$output" | jq -c 'del(.metadata.created_at)')" = "$ref" ]
	run -0 ls "$SCRATCH/results"
	assert_output $'meeting-2024-01-08.json\nmeeting-2024-01-08.srt\nmeeting-2024-01-08.txt'
	[ "$(stat -c %u "$SCRATCH/results/meeting-2024-01-08.json")" = 1000 ]
	# The job left nothing in its memory-backed /tmp and /home/smuser.
	[ -z "$(ls -A "$SHM")$(ls -A "$SHM_HOME")" ]
}

@test "the Indexed Job fans the list out: each pod one recording, the results in one volume" {
	need_podman
	mkdir -p "$SCRATCH/audio" "$SCRATCH/results"
	chgrp 3000 "$SCRATCH/results"
	chmod 2770 "$SCRATCH/results"
	ids=(0880 0930 0890)
	for i in 0 1 2; do
		name=$(sed -n '/files.txt: |/,$ s/^    \([^ ].*\)$/\1/p' "$K8S/configmap.yaml" | sed -n "$((i + 1))p")
		[ -n "$name" ]
		cp "$LV-${ids[$i]}.wav" "$SCRATCH/audio/$name"
	done
	for i in 0 1 2; do
		memdir
		run -0 --separate-stderr run_pod "$K8S/indexed-job.yaml" --index "$i" --volume tmp="$SHM" --volume home="$SHM_HOME" \
			--volume audio="$SCRATCH/audio" --volume results="$SCRATCH/results"
		[ -z "$output" ]
		[ -z "$stderr" ]
		[ -z "$(ls -A "$SHM")$(ls -A "$SHM_HOME")" ]
		rm -rf "$SHM" "$SHM_HOME"
	done
	run -0 ls "$SCRATCH/results"
	[ "${#lines[@]}" -eq 9 ]
	for f in "$SCRATCH"/audio/*.wav; do
		n=${f##*/} n=${n%.wav}
		ref=$(sm-transcribe --job-config "$SCRATCH/pod/configmap-config/config.json" "$f" | jq -c 'del(.metadata.created_at)')
		[ "$(jq -c 'del(.metadata.created_at)' "$SCRATCH/results/$n.json")" = "$ref" ]
	done
	# An index past the list: a clear line, exit 66.
	memdir
	run -66 --separate-stderr run_pod "$K8S/indexed-job.yaml" --index 3 --volume tmp="$SHM" --volume home="$SHM_HOME" \
		--volume audio="$SCRATCH/audio" --volume results="$SCRATCH/results"
	[ "$stderr" = "sm-transcribe: /list/files.txt: no line 4" ]
}

@test "the init container fetches the config and the audio over http (headers from the Secret) into the memory emptyDir" {
	need_podman
	memdir
	mkdir -p "$SCRATCH/srv" "$SCRATCH/pod/secret-headers"
	cp "$LV-0930.wav" "$SCRATCH/srv/audio.wav"
	printf '%s\n' '{"type": "transcription", "transcription_config": {"language": "en"},
		"fetch_data": {"url": "file:///tmp/input.audio"}}' >"$SCRATCH/srv/config.json"
	printf 'Authorization: Bearer s3cret\n' >"$SCRATCH/pod/secret-headers/headers"
	chmod 644 "$SCRATCH/pod/secret-headers/headers"
	python3 "$SM_ROOT/tests/fetch_server.py" "$SCRATCH/srv" "$SCRATCH/ports" 60 3>&- &
	server=$!
	for _ in $(seq 200); do [ -s "$SCRATCH/ports" ] && break; sleep 0.05; done
	read -r port _ <"$SCRATCH/ports"
	INIT_NETWORK=host run -0 --separate-stderr run_pod "$K8S/job-fetch.yaml" --volume tmp="$SHM" --volume home="$SHM_HOME" \
		--env fetch.CONFIG_URL="http://127.0.0.1:$port/private/config.json" \
		--env fetch.AUDIO_URL="http://127.0.0.1:$port/private/audio.wav"
	kill "$server"
	[ -z "$stderr" ]
	ref=$(sm-transcribe "$LV-0930.wav" | jq -c 'del(.metadata.created_at)')
	[ "$(printf '%s\n' "$output" | jq -c 'del(.metadata.created_at)')" = "$ref" ]
	# The emptyDir holds what the init container fetched, nothing of the job's.
	run -0 ls -A "$SHM"
	assert_output $'config.json\ninput.audio'
	[ -z "$(ls -A "$SHM_HOME")" ]
	cmp "$SHM/input.audio" "$LV-0930.wav"
}

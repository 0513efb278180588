# Shared by container.bats and k8s.bats: podman as this machine needs it,
# and the decision whether podman can run here at all.

IMAGE=${SM_IMAGE:-localhost/sm-en:latest}

# podman run with runc and explicit limits (SANDBOX.md: crun refuses hybrid
# cgroups; root here lacks CAP_SYS_RESOURCE).
prun() {
	podman --runtime runc run --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 "$@"
}

# In setup_file: podman_check, once per run of scripts/run-tests.sh.  It
# gives the suites a directory for the run (SM_TEST_RUN_DIR); the first of
# container.bats and k8s.bats to get here checks and builds under a lock,
# the other takes its verdict (the tree does not change during a run; make
# image alone costs seconds of CPU even when the image is up to date).
# Outside a run (bats by hand), each suite checks.
podman_ready() {
	local run=${SM_TEST_RUN_DIR:-} st=0
	if [ -z "$run" ] || [ ! -d "$run" ]; then
		podman_check
		return
	fi
	{
		flock 9
		if [ -f "$run/podman.done" ]; then
			[ ! -f "$run/podman.skip" ] || cp "$run/podman.skip" "$BATS_FILE_TMPDIR/skip"
		else
			podman_check || st=$?
			if [ "$st" -eq 0 ]; then
				[ ! -f "$BATS_FILE_TMPDIR/skip" ] || cp "$BATS_FILE_TMPDIR/skip" "$run/podman.skip"
				: >"$run/podman.done"
			fi
		fi
	} 9>"$run/podman.lock"
	return "$st"
}

# Build the image of this tree (rebuilt only if it changed) and check that
# it runs.  Where podman itself cannot work (not installed, no storage, no
# namespaces or cgroups), write the reason to $BATS_FILE_TMPDIR/skip and
# return 0; a failure of ours returns 1.
podman_check() {
	local reason=$BATS_FILE_TMPDIR/skip err
	if ! command -v podman >/dev/null 2>&1; then
		echo "podman is not installed (make deps installs it)" >"$reason"
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		# Rootless podman maps uids through a user namespace: --user 54321
		# and host directories owned by it would mean something else.
		echo "the podman suites run as root (as CI does); rootless podman is not covered" >"$reason"
		return 0
	fi
	if ! err=$(podman info 2>&1 >/dev/null); then
		echo "podman cannot run here: $(printf '%s\n' "$err" | tail -n 1)" >"$reason"
		return 0
	fi
	# Can it store an image at all?  A one-file image from scratch.
	mkdir "$BATS_FILE_TMPDIR/probe"
	printf 'FROM scratch\nCOPY probe /probe\n' >"$BATS_FILE_TMPDIR/probe/Containerfile"
	: >"$BATS_FILE_TMPDIR/probe/probe"
	if ! err=$(podman build -q --layers=false -t localhost/sm-probe:latest "$BATS_FILE_TMPDIR/probe" 2>&1); then
		echo "podman cannot build images here: $(printf '%s\n' "$err" | tail -n 1)" >"$reason"
		return 0
	fi
	podman rmi localhost/sm-probe:latest >/dev/null 2>&1 || true
	# Building our image is part of the test: a failure is a failure.
	make -s -C "$SM_ROOT" image IMAGE="$IMAGE" >"$BATS_FILE_TMPDIR/build.log" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/build.log" >&2
		return 1
	}
	# A runtime that cannot start any container is the machine's limit, not
	# the image's.
	if ! err=$(prun --rm --network=none --entrypoint /usr/bin/sh "$IMAGE" -c 'exit 0' 2>&1); then
		case $err in
		*OCI* | *runc* | *cgroup* | *namespace*)
			echo "podman cannot start containers here: $(printf '%s\n' "$err" | tail -n 1)" >"$reason"
			return 0 ;;
		esac
		printf '%s\n' "$err" >&2
		return 1
	fi
}

# In setup (or a test): skip, saying why, where podman cannot run.
need_podman() {
	[ ! -f "$BATS_FILE_TMPDIR/skip" ] || skip "$(cat "$BATS_FILE_TMPDIR/skip")"
}

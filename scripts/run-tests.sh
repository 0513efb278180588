#!/bin/sh
# Run the C unit tests given as arguments, the man page lint, shellcheck,
# then every bats suite in tests/; print one closing "N passed, N failed"
# line (and how many were skipped, if any: a skipped test is not a passed
# one).
set -u
pass=0 fail=0
log=$(mktemp -d "${TMPDIR:-/tmp}/sm-tests.XXXXXX")
trap 'rm -rf "$log"' EXIT INT TERM
for t in "$@"; do
	if "$t" >"$log/unit" 2>&1; then
		echo "ok unit $(basename "$t")"; pass=$((pass + 1))
	else
		echo "not ok unit $(basename "$t")"; sed 's/^/# /' "$log/unit"
		fail=$((fail + 1))
	fi
done
if mandoc -Tlint -W warning man/*.[15] >"$log/man" 2>&1; then
	echo "ok man pages lint clean"; pass=$((pass + 1))
else
	echo "not ok man pages lint"; sed 's/^/# /' "$log/man"; fail=$((fail + 1))
fi
# sm-transcribe and the scripts here, as POSIX sh; fresh-check.sh and
# fuzz.sh are not clean yet.
sh_files=$(for f in scripts/sm-transcribe scripts/*.sh; do
	case $f in scripts/fresh-check.sh | scripts/fuzz.sh) ;; *) echo "$f" ;; esac
done)
# shellcheck disable=SC2086 # the scripts' names have no blanks
if shellcheck -s sh $sh_files >"$log/sh" 2>&1; then
	echo "ok shell scripts shellcheck clean"; pass=$((pass + 1))
else
	echo "not ok shell scripts shellcheck"; sed 's/^/# /' "$log/sh"; fail=$((fail + 1))
fi
# The slowest suites first (about 2 minutes each: the 20-minute input, the
# regression subset's decode, the whole jobs), so that the rest fill in
# beside them rather than leave one of them running alone at the end.
slow="tests/long.bats tests/sm-lattice-out.bats tests/sm-transcribe.bats"
# Left to CI (.ci/run): the diarization corpus builder, built twice to show
# it deterministic (a minute of sox and ffmpeg, no program of ours).
ci_only="tests/diar-corpus.bats"
# shellcheck disable=SC2010,SC2086 # the suites' names have no blanks
suites=${BATS_SUITES:-$(ls $slow; ls tests/*.bats | grep -vxF "$(printf '%s\n' $slow $ci_only)")}
# Suites run side by side, one job more than the CPUs this process may use
# (GNU parallel, which make deps installs: many tests wait on a process, a
# timeout or podman, and the extra job fills those gaps); the tests of one suite in order, as
# they share their setup_file fixtures.  TAP numbers follow the suites'
# order whatever finishes first.
jobs=
if command -v parallel >/dev/null 2>&1; then
	n=$(nproc 2>/dev/null || echo 1)
	[ "$n" -le 1 ] || jobs="--jobs $((n + 1)) --no-parallelize-within-files"
fi
# shellcheck disable=SC2086
bats --tap --timing $jobs $suites | tee "$log/bats"
p=$(grep '^ok ' "$log/bats" | grep -vc ' # skip')
s=$(grep '^ok ' "$log/bats" | grep -c ' # skip')
f=$(grep -c '^not ok ' "$log/bats")
pass=$((pass + p)) fail=$((fail + f))
if [ "$s" -gt 0 ]; then
	echo "$pass passed, $fail failed, $s skipped (see \"# skip\" above)"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]

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
# sm-transcribe, the scripts here and the tests' sm-format wrapper, as POSIX
# sh; fresh-check.sh and
# fuzz.sh are not clean yet.
sh_files=$(for f in scripts/sm-transcribe scripts/*.sh tests/schema/sm-format; do
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
# Every json-v2 document the suites make goes through tests/schema/sm-format,
# first on PATH beside links to the other programs, which keeps a copy in
# $schema/docs; the last check validates them all against the original's
# API spec.
schema=$log/schema
mkdir -p "$schema/bin" "$schema/docs" "$log/run"
# A directory the suites share for this run: what two of them would each do
# the same way (tests/podman_helper.bash: the image's build and check).
SM_TEST_RUN_DIR=$log/run
export SM_TEST_RUN_DIR
for p in "${SM_ROOT:?run the tests through make test}"/bin/*; do
	ln -s "$p" "$schema/bin/${p##*/}"
done
ln -sf "$SM_ROOT/tests/schema/sm-format" "$schema/bin/sm-format"
# Debian's python3 for every python3 the suites and the last check run,
# ahead of any other on PATH: make deps installs the modules they import
# (python3-jsonschema, python3-yaml) for it, and a version manager's shim
# in front of it (pyenv's) costs each call 0.3 s of CPU more.
py=python3
if [ -x /usr/bin/python3 ]; then
	ln -s /usr/bin/python3 "$schema/bin/python3"
	py=/usr/bin/python3
fi
jobs=
if command -v parallel >/dev/null 2>&1; then
	n=$(nproc 2>/dev/null || echo 1)
	[ "$n" -le 1 ] || jobs="--jobs $((n + 1)) --no-parallelize-within-files"
fi
# shellcheck disable=SC2086
PATH=$schema/bin:$PATH SM_SCHEMA_DOCS=$schema/docs bats --tap --timing $jobs $suites | tee "$log/bats"
p=$(grep '^ok ' "$log/bats" | grep -vc ' # skip')
s=$(grep '^ok ' "$log/bats" | grep -c ' # skip')
f=$(grep -c '^not ok ' "$log/bats")
pass=$((pass + p)) fail=$((fail + f))
# The documents' check, each bad one named with the test and call that made it.
ndocs=$(find "$schema/docs" -name 'doc.*.json' | wc -l)
what="json-v2 documents of the suites valid against tests/schema/batch.yaml"
if [ "$ndocs" -eq 0 ]; then
	echo "ok $what # skip none was made"; s=$((s + 1))
elif find "$schema/docs" -name 'doc.*.json' -print0 |
	xargs -0 "$py" tests/schema/validate.py >"$log/schema.out" 2>&1; then
	echo "ok $what ($ndocs documents)"; pass=$((pass + 1))
else
	echo "not ok $what ($ndocs documents)"
	while IFS= read -r line; do
		doc=${line%%.json: *}
		if [ -f "$doc.from" ]; then echo "# $(cat "$doc.from")"; fi
		echo "#   $line"
	done <"$log/schema.out"
	fail=$((fail + 1))
fi
if [ "$s" -gt 0 ]; then
	echo "$pass passed, $fail failed, $s skipped (see \"# skip\" above)"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]

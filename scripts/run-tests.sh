#!/bin/sh
# Run the C unit tests given as arguments, then every bats suite in tests/,
# and the man page lint; print one closing "N passed, N failed" line.
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
suites=${BATS_SUITES:-tests/*.bats}
# shellcheck disable=SC2086
bats --tap $suites | tee "$log/bats"
p=$(grep -c '^ok ' "$log/bats")
f=$(grep -c '^not ok ' "$log/bats")
pass=$((pass + p)) fail=$((fail + f))
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

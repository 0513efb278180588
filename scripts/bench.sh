#!/bin/sh
# make bench: run every benchmark in scripts/bench/ in order.  Each prints a
# Markdown section; all of it is also written to build/bench.md, from which
# the tables of docs/BENCHMARKS.md are copied with their date and commit
# (that file also says what each measures and how to run one alone).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d "${TMPDIR:-/tmp}/sm-bench.XXXXXX")
trap 'rm -rf "$out"' EXIT INT TERM
export BENCH_TMP="$out"
{
	echo "# Benchmarks"
	echo
	echo "Produced by \`make bench\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit" \
		"$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown) ($(nproc) CPUs, $(uname -m)); each stage on one core"
	echo "(\`OPENBLAS_NUM_THREADS=1\` unless stated), pocketsphinx from Debian in the same run."
	echo
	for b in "$here"/scripts/bench/*.sh; do
		[ -e "$b" ] || continue
		sh "$b"
		echo
	done
} | tee "$out/BENCHMARKS.md"
mkdir -p "$here/build"
cp "$out/BENCHMARKS.md" "$here/build/bench.md"
echo "bench.sh: written to build/bench.md" >&2

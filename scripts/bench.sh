#!/bin/sh
# make bench: run every benchmark in scripts/bench/ in order.  Each prints a
# Markdown section; all of it is also written to docs/BENCHMARKS.md.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d "${TMPDIR:-/tmp}/sm-bench.XXXXXX")
trap 'rm -rf "$out"' EXIT INT TERM
export BENCH_TMP="$out"
{
	echo "# Benchmarks"
	echo
	echo "Produced by \`make bench\` on $(date -u +%Y-%m-%d) ($(nproc) CPUs, $(uname -m)); each stage on one core"
	echo "(\`OPENBLAS_NUM_THREADS=1\` unless stated), pocketsphinx from Debian in the same run."
	echo
	for b in "$here"/scripts/bench/*.sh; do
		[ -e "$b" ] || continue
		sh "$b"
		echo
	done
} | tee "$out/BENCHMARKS.md"
cp "$out/BENCHMARKS.md" "$here/docs/BENCHMARKS.md"

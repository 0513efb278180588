#!/bin/sh
# make bench section: the start-up cost of each stage, which a pipeline run
# once per file pays once per file: CPU (user + system) of one run on 0.1 s
# of silence, where loading dominates.  Each figure is the median of 5
# batches of 10 runs (the batches make /usr/bin/time's 10 ms resolution
# fine enough).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/sm-bench.XXXXXX")}
work=$tmp/startup
export SM_MODELS="${SM_MODELS:-$here/models}" OPENBLAS_NUM_THREADS=1
PATH=$here/bin:$PATH
mkdir -p "$work"

sox -n -r 16000 -b 16 -c 1 "$work/short.wav" trim 0 0.1
sm-decode "$work/short.wav" > "$work/short.pcm"
sm-features "$work/short.pcm" > "$work/short.feat"
sm-am "$work/short.feat" > "$work/short.ll"
sm-lattice "$work/short.ll" > "$work/short.hyp"
lv=/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0870.wav
sm-decode "$lv" | sm-features | sm-am | sm-lattice > "$work/lv.hyp"

# ms CMD...: CPU milliseconds per run (scripts/bench-lib.sh).
# shellcheck source=scripts/bench-lib.sh
. "$here/scripts/bench-lib.sh"

echo "## Start-up of each stage"
echo
echo "CPU milliseconds (user + system) of one run on 0.1 s of silence (10 frames), the median of 5 batches"
echo "of 10 runs: the cost a pipeline run once per file pays per file, whatever its length."
echo
echo "| stage | ms per run |"
echo "|---|---|"
printf '| %s | %s |\n' "sm-decode (WAV)" "$(ms sm-decode "$work/short.wav")"
printf '| %s | %s |\n' "sm-features" "$(ms sm-features "$work/short.pcm")"
printf '| %s | %s |\n' "sm-am (acoustic image)" "$(ms sm-am "$work/short.feat")"
printf '| %s | %s |\n' "sm-am --no-image (model files)" "$(ms sm-am --no-image "$work/short.feat")"
printf '| %s | %s |\n' "sm-lattice" "$(ms sm-lattice "$work/short.ll")"
printf '| %s | %s |\n' "sm-format (json, en-US)" "$(ms sm-format "$work/short.hyp")"
printf '| %s | %s |\n' "sm-format (json, en-US) on a 25-word hypothesis" "$(ms sm-format "$work/lv.hyp")"
printf '| %s | %s |\n' "sm-format --locale en-GB on a 25-word hypothesis" "$(ms sm-format --locale en-GB "$work/lv.hyp")"
# shellcheck disable=SC2016
printf '| %s | %s |\n' "the four piped, as run per file (with the \`sh -c\` around them)" \
	"$(ms sh -c 'sm-decode "$1" | sm-features | sm-am | sm-lattice' sh "$work/short.wav")"
printf '| %s | %s |\n' "(\`/bin/true\`: creating a process)" "$(ms /bin/true)"

#!/bin/sh
# make bench section: sm-format's punctuation against the asterisk prompts'
# published punctuated text (scripts/punct-score.py): precision, recall and
# F1 per mark on the boundaries between correctly recognised words, for the
# training half (the odd manifest lines, on which the weights were fitted)
# and the test half, per file and with each half joined into one recording;
# the sentence-end and comma F1 of the test half at sensitivity 0, 0.5 and
# 1; and the CPU sm-format's model adds to each run (the language model's
# mapping and word look-up), against the plain pause rule.
# Best paths come from PUNCT_HYPS (a directory of ID.hyp) when set, else
# from sm-decode | sm-features | sm-am | sm-lattice on every prompt.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/sm-bench.XXXXXX")}
work=$tmp/punct
export SM_MODELS="${SM_MODELS:-$here/models}" OPENBLAS_NUM_THREADS=1
PATH=$here/bin:$PATH
tab=$(printf '\t')
text=/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz
# ms CMD...: CPU milliseconds per run (scripts/bench-lib.sh).
# shellcheck source=scripts/bench-lib.sh
. "$here/scripts/bench-lib.sh"
[ -r "$text" ] ||
	{ echo "65-punctuation.sh: $text not found (package asterisk-core-sounds-en)" >&2; exit 69; }
mkdir -p "$work"
[ -s "$tmp/asterisk16/manifest.tsv" ] || sh "$here/scripts/corpus.sh" asterisk16 "$tmp/asterisk16" >&2
man=$tmp/asterisk16/manifest.tsv
hyps=${PUNCT_HYPS:-$work/hyp}
if [ -z "${PUNCT_HYPS:-}" ]; then
	while IFS="$tab" read -r id wav _; do
		h=$hyps/$id.hyp
		mkdir -p "$(dirname "$h")"
		[ -s "$h" ] || sm-decode "$wav" | sm-features | sm-am | sm-lattice > "$h"
	done < "$man"
fi
score() { # sm-format options
	python3 "$here/scripts/punct-score.py" --opts "$*" "$text" \
		"$here/tests/corpus/asterisk-en.ref.tsv" "$man" "$hyps"
}

echo "## Punctuation (asterisk prompts, published text)"
echo
echo "\`scripts/punct-score.py\`: marks on the boundaries between correctly recognised words;"
echo "ref/hyp/both count marks; eos is any of . ? ! (eos-inner leaves out each prompt's last"
echo "boundary); joined: each half run as one recording. Sensitivity 0.5."
echo
echo '```'
score
echo '```'
echo
echo "| sensitivity | test eos F1 per file | eos-inner | joined eos | joined , |"
echo "|---|---|---|---|---|"
for s in 0 0.5 1; do
	score -s "$s" | awk -v s="$s" '
		/^test half/ { t = 1 }
		t && $1 == "per-file" && $2 == "eos" { a = $NF }
		t && $1 == "per-file" && $2 == "eos-inner" { b = $NF }
		t && $1 == "joined" && $2 == "eos" { c = $NF }
		t && $1 == "joined" && $2 == "," { d = $NF }
		END { printf "| %s | %s | %s | %s | %s |\n", s, a, b, c, d }'
done
echo
# The CPU per run on the longest prompt's best path.
h=$(awk -F "$tab" '{ print $4 "\t" $1 }' "$man" | sort -g | tail -n 1 | cut -f 2)
plain=$(ms sm-format -f txt --pause 0.5 "$hyps/$h.hyp")
model=$(ms sm-format -f txt "$hyps/$h.hyp")
echo "sm-format CPU per run on $h ($(grep -c "${tab}word$tab" "$hyps/$h.hyp") words):" \
	"$plain ms with --pause 0.5, $model ms with the model."

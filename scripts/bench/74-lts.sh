#!/bin/sh
# make bench section: letter-to-sound on words the dictionary has but the
# model was not trained on.  Every 10th word of the pack's dictionary (of
# those spelt with a-z and ' only) is held out: the trainer
# (models/lts-train.c) learns from a copy without them, and its model and
# flite's CMU letter-to-sound rules (Debian flite1-dev, compared here only;
# trained on CMUdict, so these words are no news to them) pronounce them;
# so does a model trained on the whole dictionary, as flite's was.  Word accuracy: all phones right, any of the word's
# pronunciations counting; phone error rate: edit distance to the nearest
# pronunciation over that pronunciation's phones.  Also the trainer's
# time on the whole dictionary, the model's size, and the CPU of opening
# it and pronouncing 1000 words.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/sm-bench.XXXXXX")}
work=$tmp/lts
tab=$(printf '\t')
dict=$(sed -n 's/^dict[[:space:]]*=[[:space:]]*//p' "$here/models/en/pack.conf")
mkdir -p "$work"
make -s -C "$here" build/lts-train build/librecog.a build/libsm.a >&2
# flite is not one of sm's dependencies: without flite1-dev, its row is
# left out.
flite="-lflite_cmulex -lflite"
[ -r /usr/include/flite/flite.h ] || flite=-DNO_FLITE
# shellcheck disable=SC2086 # $flite: options
cc -O2 -std=c11 -D_DEFAULT_SOURCE -I"$here/common" -I"$here/recog" \
	-o "$work/lts-compare" "$here/scripts/bench/lts-compare.c" \
	"$here/build/librecog.a" "$here/build/libsm.a" $flite -lm

# The held-out words (every 10th, in the dictionary's order), their
# pronunciations (held.tsv: word TAB phones, one a line), and the
# dictionary without them.
awk -v held="$work/held.tsv" -v train="$work/train.dict" '
	{ w = $1; sub(/\([0-9]+\)$/, "", w) }
	w !~ /^[a-z'\'']+$/ { print > train; next }
	!(w in seen) { seen[w] = n++ % 10 == 9 }
	seen[w] { p = $2; for (i = 3; i <= NF; i++) p = p " " $i; print w "\t" p > held; next }
	{ print > train }' "$dict"
cut -f 1 "$work/held.tsv" | uniq > "$work/held.words"
"$here/build/lts-train" "$work/train.dict" "$work/held.bin"
"$work/lts-compare" "$work/held.bin" "$work/held.words" > "$work/out.tsv"

# score COLUMN FILE: "words word-accuracy% phones PER%" of a column of
# FILE (word TAB phones ...) against held.tsv.
score() {
	awk -F "$tab" -v col="$1" '
	function dist(a, b,   x, y, na, nb, i, j, d, c) {
		na = split(a, x, " "); nb = split(b, y, " ")
		for (i = 0; i <= na; i++) d[i, 0] = i
		for (j = 0; j <= nb; j++) d[0, j] = j
		for (i = 1; i <= na; i++)
			for (j = 1; j <= nb; j++) {
				c = d[i - 1, j - 1] + (x[i] != y[j])
				if (d[i - 1, j] + 1 < c) c = d[i - 1, j] + 1
				if (d[i, j - 1] + 1 < c) c = d[i, j - 1] + 1
				d[i, j] = c
			}
		return d[na, nb]
	}
	FNR == NR { ref[$1] = ref[$1] "\n" $2; next }
	{
		hyp = $col; best = -1
		nr = split(substr(ref[$1], 2), r, "\n")
		for (i = 1; i <= nr; i++) {
			e = dist(r[i], hyp)
			if (best < 0 || e < best) { best = e; len = split(r[i], tmp, " ") }
		}
		words++; right += best == 0; errs += best; phones += len
	}
	END { printf "%d %.1f %d %.1f\n", words, 100 * right / words, phones, 100 * errs / phones }' \
		"$work/held.tsv" "$work/$2"
}

"$here/build/lts-train" "$dict" "$work/full.bin"
"$work/lts-compare" -o "$work/full.bin" "$work/held.words" | paste - "$work/out.tsv" |
	cut -f 1,2,5 > "$work/full.tsv"
echo "## Letter-to-sound (held-out dictionary words)"
echo
# shellcheck disable=SC2046 # the figures are words
set -- $(score 2 out.tsv)
echo "$1 words held out of $(basename "$dict") (every 10th of those spelt with a-z and ' only), $3"
echo "reference phones; word accuracy: all phones right (any of the word's pronunciations); phone error"
echo "rate: edit distance to the nearest pronunciation over its phones."
echo
echo "| model | word accuracy % | phone error rate % |"
echo "|---|---|---|"
echo "| trained (models/lts-train.c) without the held-out words | $2 | $4 |"
if [ "$flite" = -DNO_FLITE ]; then
	echo "| flite's CMU rules: not measured (package flite1-dev not installed) | | |"
else
	# shellcheck disable=SC2046
	set -- $(score 3 out.tsv)
	echo "| flite's CMU rules (trained on CMUdict: held-out words seen) | $2 | $4 |"
fi
# shellcheck disable=SC2046
set -- $(score 2 full.tsv)
echo "| trained on the whole dictionary (held-out words seen, as flite's) | $2 | $4 |"
echo
# The trainer on the whole dictionary, as make runs it; the CPU of
# sm_lts_open and of 1000 words (held-out ones), the median of 5 runs.
/usr/bin/time -f '%e %U %S' -o "$work/time" "$here/build/lts-train" "$dict" "$work/full.bin"
head -n 1000 "$work/held.words" > "$work/1000.words"
for _ in 1 2 3 4 5; do
	"$work/lts-compare" -t "$work/full.bin" "$work/1000.words"
done | sort -g -k 2 | sed -n 3p > "$work/cost"
echo "Trainer on the whole dictionary: $(awk '{ printf "%.1f s wall, %.1f s CPU", $1, $2 + $3 }' "$work/time");" \
	"model $(wc -c < "$work/full.bin" | awk '{ printf "%.1f MB", $1 / 1e6 }');" \
	"CPU of opening it $(cut -d ' ' -f 1 "$work/cost") ms, of 1000 words $(cut -d ' ' -f 2 "$work/cost") ms (median of 5)."

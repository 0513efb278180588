#!/bin/sh
# Build the custom vocabulary test set: test words chosen from the reference
# texts, sounds_like respellings for them, and a test language pack whose
# dictionary lacks them (scripts/bench/75-vocab.sh measures with it).
#
# Usage: vocab-corpus.sh DIR MANIFEST...
#   DIR       where to write (created): words.txt, sounds.tsv, list1000.tsv
#             (scripts/vocab-words.py says what they hold), unigrams.tsv
#             (the LM's unigrams), and models/en/, the test pack
#   MANIFEST  id <TAB> wav <TAB> normalised reference <TAB> seconds
#             (scripts/corpus.sh), whose references the words come from
# The main pack is $SM_MODELS/en (default: this tree's models/en).  The test
# pack is it with its dictionary replaced by a copy without the test words,
# the search image rebuilt from that copy, and every other file linked (the
# acoustic image's fingerprint covers only the acoustic model's files).
# When the main pack has a letter-to-sound model (pack.conf key lts), it is
# trained again from the copy by the Makefile's own recipe, so that no test
# word is in its training data; with VOCAB_NO_LTS=1 the test pack has none
# (for a quick test of the rest).
set -eu
[ $# -ge 2 ] || { echo "usage: vocab-corpus.sh DIR MANIFEST..." >&2; exit 64; }
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$1
shift
main=${SM_MODELS:-$here/models}/en
pack=$dir/models/en
PATH=$here/bin:$PATH
conf() { # KEY: a value of the main pack.conf
	sed -n "s/^$1[[:space:]]*=[[:space:]]*//p" "$main/pack.conf" | tail -n 1
}
abs() { # a pack.conf path, absolute
	case $1 in /*) echo "$1" ;; *) echo "$main/$1" ;; esac
}
mkdir -p "$pack"
dict=$(abs "$(conf dict)")
lm=$(abs "$(conf lm)")
image=$(conf image)
mlts=$(conf lts)
lts=$mlts
[ -z "${VOCAB_NO_LTS:-}" ] || lts=

# The LM's unigrams (log10 P, word).  sphinx_lm_convert aborts on this LM
# after the unigrams (an assertion on the bigram counts), so its status is
# not checked; the count in the ARPA header is.
sphinx_lm_convert -i "$lm" -o "$dir/lm.arpa" -ofmt arpa > /dev/null 2>&1 || :
awk -F '\t' '/^\\1-grams:/ { on = 1; next } on && /^$/ { exit }
	on && NF >= 2 { print $1 "\t" $2 }' "$dir/lm.arpa" > "$dir/unigrams.tsv"
want=$(sed -n 's/^ngram 1=//p' "$dir/lm.arpa")
have=$(wc -l < "$dir/unigrams.tsv")
rm -f "$dir/lm.arpa"
[ "$have" -ge $((want * 99 / 100)) ] || {
	echo "vocab-corpus.sh: $lm: read $have of its $want unigrams" >&2
	exit 70
}

python3 "$here/scripts/vocab-words.py" "$dict" "$dir/unigrams.tsv" \
	/usr/share/dict/american-english "$dir" "$@"
mv "$dir/dict" "$pack/dict"

# pack.conf: the copy of the dictionary (and of the LTS model); the rest as
# the main pack has it, paths made absolute.
awk -v main="$main" -v lts="$lts" '
	/^[[:space:]]*(#|$)/ || !/=/ { print; next }
	{ k = $0; sub(/[[:space:]]*=.*/, "", k); v = $0; sub(/^[^=]*=[[:space:]]*/, "", v) }
	k == "dict" { print "dict = dict"; next }
	k == "lts" { if (lts != "") print; next }
	k == "image" || k == "am_image" || k == "adapt_image" { print; next }
	v ~ /^\// || k !~ /^(hmm|lm|dict)$/ { print; next }
	{ print k " = " main "/" v }' "$main/pack.conf" > "$pack/pack.conf"
for f in "$main"/*; do
	n=${f##*/}
	case $n in pack.conf | "$image" | "$mlts") continue ;; esac
	[ -e "$pack/$n" ] || ln -s "$f" "$pack/$n"
done
sm-lattice -m "$pack" --build-image "$pack/$image"

# The letter-to-sound model, trained from the copy of the dictionary with
# the recipe the Makefile has for the main pack's (make -n prints it with
# PACK_DICT set to the copy, which is newer than the main model).
if [ -n "$lts" ]; then
	case $lts in /*) echo "vocab-corpus.sh: lts = $lts: not built by the Makefile" >&2; exit 78 ;; esac
	recipe=$(make -s -C "$here" -n PACK_DICT="$pack/dict" "models/en/$lts")
	case $recipe in *"$pack/dict"*) ;; *)
		echo "vocab-corpus.sh: make -n models/en/$lts does not train from PACK_DICT" >&2
		exit 70 ;;
	esac
	printf '%s\n' "$recipe" | sed "s|models/en/$lts|$pack/$lts|g" | (cd "$here" && sh -e)
	[ -s "$pack/$lts" ] || { echo "vocab-corpus.sh: $pack/$lts: not written" >&2; exit 70; }
fi
echo "vocab-corpus.sh: test pack in $pack ($(wc -l < "$dir/words.txt") words removed)" >&2

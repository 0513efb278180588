#!/bin/sh
# make bench section: sm-format --entities on recognised speech.  The
# asterisk 16 kHz prompts under digits/ and those whose reference has a
# number word are decoded (sm-decode | sm-features | sm-am | sm-lattice;
# HYP_DIR=DIR takes DIR/ID.hyp instead when it is there) and written by
# sm-format -E; the entities the reference implies are its own words put
# through the same sm-format -E.  A prompt is right when its entities
# (class and written form, in order) are the reference's.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/sm-bench.XXXXXX")}
work=$tmp/entities
export SM_MODELS="${SM_MODELS:-$here/models}" OPENBLAS_NUM_THREADS=1
PATH=$here/bin:$PATH
tab=$(printf '\t')
mkdir -p "$work"
[ -s "$tmp/asterisk16/manifest.tsv" ] || sh "$here/scripts/corpus.sh" asterisk16 "$tmp/asterisk16" >&2
man=$tmp/asterisk16/manifest.tsv
nums='zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[a-z]*teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|[a-z]*(th|first|second|third)'
awk -F "$tab" -v re="(^| )($nums)( |\$)" '$1 ~ /^digits\// || $3 ~ re' "$man" > "$work/set.tsv"

# entities: the entities of a #sm-hyp 1 stream on stdin, CLASS:TEXT| each.
entities() {
	sm-format -E -P -f json | jq -j '.results[] | select(.type == "entity") |
		"\(.entity_class):\(.alternatives[0].content)|"'
}
# words: words on stdin as a #sm-hyp 1 stream, 0.3 s each without pauses.
words() {
	awk 'BEGIN { print "#sm-hyp 1" }
		{ for (i = 1; i <= NF; i++) { printf "%.2f\t%.2f\t1\tword\t%s\n", t, t + 0.3, $i; t += 0.3 } }
		END { print "#end" }'
}

: > "$work/result.tsv"
while IFS="$tab" read -r id wav text _; do
	h=${HYP_DIR:+$HYP_DIR/$id.hyp}
	if [ -z "$h" ] || [ ! -s "$h" ]; then
		h=$work/hyp/$id.hyp
		mkdir -p "$(dirname "$h")"
		[ -s "$h" ] || sm-decode "$wav" | sm-features | sm-am | sm-lattice > "$h"
	fi
	ref=$(printf '%s\n' "$text" | words | entities)
	hyp=$(entities < "$h")
	printf '%s\t%s\t%s\n' "$id" "$ref" "$hyp" >> "$work/result.tsv"
done < "$work/set.tsv"

echo "## 70-entities.sh: sm-format --entities on recognised prompts"
echo
echo "Prompts: the asterisk 16 kHz prompts under digits/ and those whose reference has a number word" \
	"($(wc -l < "$work/set.tsv") prompts). Right: the hypothesis' entities (class and written form, in order)" \
	"are those of the reference put through the same \`sm-format -E\`."
echo
echo "| reference implies | prompts | right | entities in the reference | found in the hypothesis |"
echo "|---|---|---|---|---|"
awk -F "$tab" '
	{
		nr = $2 == "" ? 0 : split($2, r, "|") - 1
		nh = $3 == "" ? 0 : split($3, h, "|") - 1
		key = "no entity"
		if (nr) { key = nr > 1 ? "several entities" : substr(r[1], 1, index(r[1], ":") - 1) }
		p[key]++; P++
		if ($2 == $3) { ok[key]++; OK++ }
		split("", seen)
		for (i = 1; i <= nh; i++) seen[h[i]]++
		for (i = 1; i <= nr; i++) { e[key]++; E++; if (seen[r[i]]-- > 0) { f[key]++; F++ } }
	}
	END {
		for (k in p) printf "| %s | %d | %d | %d | %d |\n", k, p[k], ok[k], e[k], f[k]
		printf "| all | %d | %d | %d | %d |\n", P, OK, E, F
	}' "$work/result.tsv" | sort -t "|" -k2,2
echo
echo "Misses (prompt, reference entities, hypothesis entities):"
echo
awk -F "$tab" '$2 != $3 { printf "    %s: %s -> %s\n", $1, ($2 == "" ? "(none)" : $2), ($3 == "" ? "(none)" : $3) }' "$work/result.tsv"

#!/bin/sh
# make bench section: the custom vocabulary (transcription_config.
# additional_vocab).  80 words of the references are taken out of a test
# pack's dictionary (scripts/vocab-corpus.sh); whole jobs through
# sm-transcribe then transcribe the prompts that hold them and the other
# prompts with no list, with the words as content only, with content and
# sounds_like respellings, and with the words inside a 1000-entry list
# (and, for the ceiling, with the full pack and no list):
# the share of the words' occurrences recognised, the word error rate of
# the other prompts, the CPU time per job.  Then, with the full pack, the
# asterisk prompts whose words the dictionary lacks (tests/vocab-asterisk.tsv)
# with and without those words listed.
# VOCAB_WAYS (default "full none content sounds big known") picks the lists run and
# VOCAB_LIMIT the most prompts per set (default: all), for a quick look.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/sm-bench.XXXXXX")}
work=$tmp/vocab
models=${SM_MODELS:-$here/models}
export OPENBLAS_NUM_THREADS=1
PATH=$here/bin:$PATH
ways=${VOCAB_WAYS:-full none content sounds big known}
limit=${VOCAB_LIMIT:-100000}
tab=$(printf '\t')
mkdir -p "$work"
[ -s "$tmp/librivox/manifest.tsv" ] || sh "$here/scripts/corpus.sh" librivox "$tmp/librivox" >&2
[ -s "$tmp/asterisk16/manifest.tsv" ] || sh "$here/scripts/corpus.sh" asterisk16 "$tmp/asterisk16" >&2
set=$work/set
# Built again when the main pack has gained a letter-to-sound model since.
lts=$(sed -n 's/^lts[[:space:]]*=[[:space:]]*//p' "$models/en/pack.conf")
if [ ! -s "$set/words.txt" ] || { [ -n "$lts" ] && [ ! -s "$set/models/en/$lts" ]; }; then
	SM_MODELS=$models sh "$here/scripts/vocab-corpus.sh" "$set" \
		"$tmp/asterisk16/manifest.tsv" "$tmp/librivox/manifest.tsv" >&2
fi

# The prompts holding a test word, and the others.
cat "$tmp/asterisk16/manifest.tsv" "$tmp/librivox/manifest.tsv" |
	awk -F "$tab" -v lim="$limit" -v t="$work/test.tsv" -v o="$work/other.tsv" '
	NR == FNR { w[$1] = 1; next }
	{ n = split($3, r, " "); k = 0
	  for (i = 1; i <= n; i++) k += r[i] in w
	  if (k) { if (nt++ < lim) print > t } else if (no++ < lim) print > o }' \
	"$set/words.txt" -
# The asterisk prompts holding a word the full pack's dictionary lacks.
grep -v '^#' "$here/tests/vocab-asterisk.tsv" > "$work/oov.tsv"
awk -F "$tab" -v lim="$limit" 'NR == FNR { w[$1] = 1; next }
	{ n = split($3, r, " "); for (i = 1; i <= n; i++) if (r[i] in w) { if (k++ < lim) print; next } }' \
	"$work/oov.tsv" "$tmp/asterisk16/manifest.tsv" > "$work/oov-prompts.tsv"

# Job configs: no list; content only; content and sounds_like (where a
# respelling was found); the sounds_like entries among 1000.
cfg() { # FILE: a job config with the additional_vocab on stdin
	jq -c '{type: "transcription", transcription_config: ({language: "en"}
		+ (if length > 0 then {additional_vocab: .} else {} end))}' > "$1"
}
entries() { # TSV (content, sounds_like...): the list with sounds_like
	jq -R -s -c 'split("\n") | map(select(length > 0 and (startswith("#") | not))
		| split("\t") | if length > 1 and .[1] != "" then {content: .[0], sounds_like: [.[1:][] | select(. != "")]}
		  else .[0] end)' "$1"
}
echo '[]' | cfg "$work/none.json"
jq -R -s -c 'split("\n") | map(select(length > 0))' "$set/words.txt" | cfg "$work/content.json"
cut -f 1,2 "$set/sounds.tsv" | entries /dev/stdin > "$work/sounds.list"
cfg "$work/sounds.json" < "$work/sounds.list"
tail -n +"$(($(wc -l < "$set/words.txt") + 1))" "$set/list1000.tsv" |
	jq -R -s -c --slurpfile s "$work/sounds.list" 'split("\n") | map(select(length > 0)) | $s[0] + .' |
	cfg "$work/big.json"
entries "$work/oov.tsv" | cfg "$work/oov-sounds.json"
cut -f 1 "$work/oov.tsv" | jq -R -s -c 'split("\n") | map(select(length > 0))' | cfg "$work/oov-content.json"

# Run one job per prompt; print "cpu_s_per_job jobs ignored", where ignored
# is "yes" when sm-transcribe said the list was not used.
jobs() { # MANIFEST CONFIG HYP_OUT (with SM_MODELS set)
	: > "$3"
	: > "$work/times"
	: > "$work/err"
	while IFS="$tab" read -r id wav _; do
		/usr/bin/time -f "%U %S" -a -o "$work/times" \
			sm-transcribe --job-config "$2" "$wav" > "$work/out.json" 2>> "$work/err" < /dev/null
		printf '%s\t%s\n' "$id" "$(jq -r '[.results[] | select(.type == "word")
			| .alternatives[0].content] | join(" ")' "$work/out.json")" >> "$3"
	done < "$1"
	ign=no
	! grep -q 'additional_vocab: not used' "$work/err" || ign=yes
	awk -v ign="$ign" '{ c += $1 + $2 } END { printf "%.3f %d %s", c / NR, NR, ign }' "$work/times"
}
wer_of() { # MANIFEST HYP: the WER in per cent
	python3 "$here/tests/corpus/wer.py" "$1" "$2" | sed -n 's/.*WER=\([0-9.]*\)%.*/\1/p' | head -n 1
}
share() { # WORDS MANIFEST HYP: "hit occ"
	python3 "$here/scripts/vocab-score.py" "$1" "$2" "$3"
}

# The jobs of MANIFEST with CONFIG and pack PACK, their best paths in HYP:
# sets cpu, n and ign as jobs prints them, hit and occ as share of WORDS.
run_set() { # PACK MANIFEST CONFIG HYP WORDS
	_t=$(SM_MODELS=$1 jobs "$2" "$3" "$4")
	read -r cpu n ign <<-EOF
	$_t
	EOF
	read -r hit occ <<-EOF
	$(share "$5" "$2" "$4")
	EOF
}

echo "## Custom vocabulary (additional_vocab)"
echo
nw=$(wc -l < "$set/words.txt")
echo "$nw words of the references taken out of a test pack's dictionary (\`scripts/vocab-corpus.sh\`: 5+ letters,"
echo "outside the LM's 2000 most probable words, in at most 6 prompts, the first $nw by MD5) and of its"
echo "letter-to-sound model's training data; sounds_like respellings from other dictionary words"
echo "($(awk -F "$tab" '$3 == "exact"' "$set/sounds.tsv" | wc -l) exact, $(awk -F "$tab" '$3 == "close"' "$set/sounds.tsv" | wc -l) differing in one or two vowels,"
echo "$(awk -F "$tab" '$3 == "none"' "$set/sounds.tsv" | wc -l) without one: content only). One sm-transcribe job per prompt; recognised: the word"
echo "aligned with it in the transcript is the same (\`scripts/vocab-score.py\`); WER by \`tests/corpus/wer.py\`."
echo
echo "| list | prompts with the words | occurrences recognised | their WER | other prompts | their WER | CPU s per job |"
echo "|---|---|---|---|---|---|---|"
base='' base_full=''
for way in $ways; do
	wm=$set/models wc=$work/$way.json
	case $way in
	full) name="none, the full pack (the words in its dictionary)" wm=$models wc=$work/none.json ;;
	none) name="none" ;;
	content) name="the $nw words, content only" ;;
	sounds) name="the $nw words with sounds_like" ;;
	big) name="1000 entries (the $nw with sounds_like, other words, made-up words)" ;;
	known) name="the full pack, the $nw words (known, boosted) as content" wm=$models wc=$work/content.json ;;
	*) echo "75-vocab.sh: VOCAB_WAYS: unknown list '$way'" >&2; exit 64 ;;
	esac
	run_set "$wm" "$work/test.tsv" "$wc" "$work/$way.test.hyp" "$set/words.txt"
	twe=$(wer_of "$work/test.tsv" "$work/$way.test.hyp")
	owe=- no=-
	# the other prompts: each list against no list with the same pack
	if [ "$way" != big ]; then
		o=$(SM_MODELS=$wm jobs "$work/other.tsv" "$wc" "$work/$way.other.hyp")
		no=${o#* }
		no=${no%% *}
		owe=$(wer_of "$work/other.tsv" "$work/$way.other.hyp")
		case $way in
		full) base_full=$owe owe="$owe%" ;;
		none) base=$owe owe="$owe%" ;;
		*)
			b=$base
			[ "$way" != known ] || b=$base_full
			[ -z "$b" ] ||
				owe=$(awk -v w="$owe" -v b="$b" 'BEGIN { printf "%.2f%% (%+.1f%% relative)", w, (b > 0 ? 100 * (w - b) / b : 0) }') ;;
		esac
	fi
	[ "$way" = none ] || [ "$way" = full ] || [ "$ign" = no ] || name="$name: **list ignored by this build**"
	awk -v name="$name" -v n="$n" -v h="$hit" -v o="$occ" -v twe="$twe" -v no="$no" -v owe="$owe" -v cpu="$cpu" \
		'BEGIN { printf "| %s | %d | %d of %d (%.1f%%) | %.2f%% | %s | %s | %.2f |\n",
			name, n, h, o, o ? 100 * h / o : 0, twe, no, owe, cpu }'
done

# The lists' words by the kind of respelling they got.
has() { case " $ways " in *" $1 "*) ;; *) return 1 ;; esac; }
if has content || has sounds; then
	echo
	echo "By the respelling the word got (its sounds_like):"
	echo
	echo "| respelling | words | occurrences | recognised, full pack | content only | with sounds_like |"
	echo "|---|---|---|---|---|---|"
	for k in exact close none; do
		awk -F "$tab" -v k="$k" '$3 == k { print $1 }' "$set/sounds.tsv" > "$work/kind.txt"
		f=- c=- s=- occ=0
		if has full; then
			read -r hit occ <<-EOF
			$(share "$work/kind.txt" "$work/test.tsv" "$work/full.test.hyp")
			EOF
			f=$hit
		fi
		if has content; then
			read -r hit occ <<-EOF
			$(share "$work/kind.txt" "$work/test.tsv" "$work/content.test.hyp")
			EOF
			c=$hit
		fi
		if has sounds; then
			read -r hit occ <<-EOF
			$(share "$work/kind.txt" "$work/test.tsv" "$work/sounds.test.hyp")
			EOF
			s=$hit
		fi
		echo "| $k | $(wc -l < "$work/kind.txt") | $occ | $f | $c | $s |"
	done
fi
# sm-lattice's --vocab-prob and --vocab-boost were chosen on the words of
# the odd lines of words.txt (and a third of the other prompts); the even
# lines' words were never looked at: the held-out figure.
echo
echo "By half of the words: sm-lattice's defaults were chosen on the odd-numbered words, the even-numbered"
echo "ones are held out."
echo
echo "| list | odd words (tuned on): recognised | even words (held out): recognised |"
echo "|---|---|---|"
awk 'NR % 2 == 1' "$set/words.txt" > "$work/odd.txt"
awk 'NR % 2 == 0' "$set/words.txt" > "$work/even.txt"
for way in $ways; do
	[ -s "$work/$way.test.hyp" ] || continue
	read -r h1 o1 <<-EOF
	$(share "$work/odd.txt" "$work/test.tsv" "$work/$way.test.hyp")
	EOF
	read -r h2 o2 <<-EOF
	$(share "$work/even.txt" "$work/test.tsv" "$work/$way.test.hyp")
	EOF
	awk -v w="$way" -v h1="$h1" -v o1="$o1" -v h2="$h2" -v o2="$o2" 'BEGIN {
		printf "| %s | %d of %d (%.1f%%) | %d of %d (%.1f%%) |\n", w, h1, o1,
			o1 ? 100 * h1 / o1 : 0, h2, o2, o2 ? 100 * h2 / o2 : 0 }'
done

# The overlay's own cost: what sm-lattice -v says laying the first 100
# and all 1000 entries of the big list over the search took (wall time,
# from reading the list to the tree ready), median of 7 runs each.
if has big; then
	short=$(sort -t "$tab" -k 4 -g "$work/test.tsv" | head -n 1)
	sm-decode "$(echo "$short" | cut -f 2)" | sm-features | sm-am > "$work/short.ll"
	jq -r '.transcription_config.additional_vocab[] | if type == "string" then .
		else [.content] + (.sounds_like // []) | join("\t") end' "$work/big.json" > "$work/list1000"
	head -n 100 "$work/list1000" > "$work/list100"
	overlay_ms() { # LIST: median ms of 7 runs
		for _ in 1 2 3 4 5 6 7; do
			sm-lattice -v -m "$set/models/en" --vocab "$1" "$work/short.ll" 2>&1 > /dev/null |
				sed -n 's/^sm-lattice: custom vocabulary \([0-9.]*\) s$/\1/p'
		done | sort -g | sed -n 4p | awk '{ printf "%.1f", 1000 * $1 }'
	}
	echo
	echo "The overlay's own cost (\`sm-lattice -v\`: the list read, its words found and pronounced, their"
	echo "tree built), median of 7 runs: $(overlay_ms "$work/list100") ms for 100 entries,"
	echo "$(overlay_ms "$work/list1000") ms for 1000 (targets 50 ms and 1 s)."
fi

# The cost of a 1000-entry list at start-up: the shortest prompt.
cpu_med() { # CONFIG WAV: median CPU s of 5 jobs
	for _ in 1 2 3 4 5; do
		/usr/bin/time -f '%U %S' -o "$work/t" sm-transcribe --job-config "$1" "$2" \
			> /dev/null 2>&1 < /dev/null
		awk '{ print $1 + $2 }' "$work/t"
	done | sort -g | sed -n 3p
}
if has big; then
	short=$(sort -t "$tab" -k 4 -g "$work/test.tsv" | head -n 1)
	a=$(SM_MODELS=$set/models cpu_med "$work/none.json" "$(echo "$short" | cut -f 2)")
	b=$(SM_MODELS=$set/models cpu_med "$work/big.json" "$(echo "$short" | cut -f 2)")
	echo
	echo "The shortest of these prompts ($(echo "$short" | cut -f 4 | xargs printf %.1f) s), median of 5 jobs: $a s CPU without a list,"
	echo "$b s with the 1000 entries."
fi
echo
echo "With the full pack: the asterisk prompts holding words its dictionary lacks, listed with the"
echo "sounds_like of \`tests/vocab-asterisk.tsv\` ($(wc -l < "$work/oov.tsv") words)."
echo
echo "| list | prompts | occurrences recognised | CPU s per job |"
echo "|---|---|---|---|"
for way in none content sounds; do
	case $way in
	none) name="none"; c=$work/none.json ;;
	content) name="content only"; c=$work/oov-content.json ;;
	sounds) name="with sounds_like"; c=$work/oov-sounds.json ;;
	esac
	has "$way" || continue
	run_set "$models" "$work/oov-prompts.tsv" "$c" "$work/oov-$way.hyp" "$work/oov.tsv"
	[ "$way" = none ] || [ "$ign" = no ] || name="$name: **list ignored by this build**"
	awk -v name="$name" -v n="$n" -v h="$hit" -v o="$occ" -v cpu="$cpu" \
		'BEGIN { printf "| %s | %d | %d of %d (%.1f%%) | %.2f |\n", name, n, h, o, o ? 100 * h / o : 0, cpu }'
done
echo
echo "Targets: 70% of the occurrences recognised from content alone, 80% with sounds_like; the other"
echo "prompts' WER within 1% (relative) of no list. Load average when measured: $(cut -d' ' -f1-3 /proc/loadavg)."

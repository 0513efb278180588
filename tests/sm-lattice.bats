#!/usr/bin/env bats
# sm-lattice: the search on real speech through the real pipeline
# (goforward.raw against pocketsphinx's reference decode), the hypothesis
# and lattice formats, option and stream errors.  The word error rate on the
# regression subset is checked in sm-lattice-out.bats, which decodes it once
# for that and for rescoring.

load test_helper

setup_file() {
	local d=$BATS_FILE_TMPDIR
	sox -t raw -r 16000 -e signed -b 16 -c 1 "$PS_DATA/goforward.raw" "$d/gf.wav"
	sm-decode "$d/gf.wav" | sm-features | sm-am >"$d/gf.ll"
	sm-decode "$d/gf.wav" | sm-features >"$d/gf.feat"
}

setup() {
	setup_scratch
	F=$BATS_FILE_TMPDIR
}

@test "prints its usage with --help and exits 0" {
	run -0 sm-lattice --help
	assert_line --index 0 "sm-lattice: search senone log-likelihoods for the best word sequence"
	assert_line --partial "Usage: sm-lattice"
}

@test "prints its version" {
	run -0 sm-lattice --version
	assert_output --regexp '^sm-lattice [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "rejects an unknown option with the usage and exit 64" {
	run -64 --separate-stderr sm-lattice --bogus
	[ "${stderr_lines[0]}" = "sm-lattice: unrecognized option '--bogus'" ]
	[ "${stderr_lines[1]}" = "sm-lattice: search senone log-likelihoods for the best word sequence" ]
	[ -z "$output" ]
}

@test "rejects a beam that is not a positive number" {
	run -64 --separate-stderr sm-lattice --beam -3 "$F/gf.ll"
	[[ "${stderr_lines[0]}" == "sm-lattice: --beam"* ]]
	[ -z "$output" ]
}

@test "--uw takes a unigram weight in (0, 1]: 0.95 is the default, 1 still decodes" {
	run -64 --separate-stderr sm-lattice --uw 0 "$F/gf.ll"
	[[ "${stderr_lines[0]}" == "sm-lattice: --uw"* ]]
	[ -z "$output" ]
	run -64 sm-lattice --uw 1.5 "$F/gf.ll"
	[ "$(sm-lattice --uw 0.95 -p 0.3 "$F/gf.ll")" = "$(sm-lattice "$F/gf.ll")" ]
	run -0 sm-lattice --uw 1 -p 0.65 "$F/gf.ll"
	words=$(printf '%s\n' "$output" | awk -F'\t' '$4 == "word" { printf "%s%s", s, $5; s = " " }')
	[ "$words" = "go forward ten meters" ]
}

@test "rejects a segment minimum above the maximum, and a negative one" {
	run -64 --separate-stderr sm-lattice --segment-min 50 --segment-max 20 "$F/gf.ll"
	[ "${stderr_lines[0]}" = "sm-lattice: --segment-min 50 is more than --segment-max 20" ]
	[ -z "$output" ]
	run -64 --separate-stderr sm-lattice --segment-max -1 "$F/gf.ll"
	[[ "${stderr_lines[0]}" == "sm-lattice: --segment-max"* ]]
}

@test "rejects a FEAT stream with a clear message" {
	run -65 --separate-stderr sm-lattice <"$F/gf.feat"
	[ "${stderr_lines[0]}" = "sm-lattice: <stdin>: expected LOGLIK stream, got FEAT" ]
	[ -z "$output" ]
}

@test "rejects a LOGLIK stream whose dimension is not the model's senone count" {
	python3 -c '
import struct, sys
sys.stdout.buffer.write(b"SMST" + struct.pack("<HHHHIIIIIQQ", 1, 3, 2, 48, 16000,
    10, 160, 1, 0, 0, 2) + bytes(80))' >"$SCRATCH/small.ll"
	run -65 --separate-stderr sm-lattice "$SCRATCH/small.ll"
	[ "${stderr_lines[0]}" = "sm-lattice: $SCRATCH/small.ll: 10 senones per frame, the model has 5126" ]
	[ -z "$output" ]
}

@test "rejects a truncated LOGLIK stream without writing a hypothesis" {
	head -c 100000 "$F/gf.ll" >"$SCRATCH/cut.ll"
	run -65 --separate-stderr sm-lattice "$SCRATCH/cut.ll"
	[[ "${stderr_lines[0]}" == "sm-lattice: $SCRATCH/cut.ll: truncated frame"* ]]
	[ -z "$output" ]
}

@test "decodes goforward.raw to \"go forward ten meters\" with pocketsphinx's word times" {
	run -0 sm-lattice "$F/gf.ll"
	[ "${lines[0]}" = "#sm-hyp 1" ]
	[ "${lines[-1]}" = "#end" ]
	words=$(printf '%s\n' "$output" | awk -F'\t' '$4 == "word" { printf "%s%s", s, $5; s = " " }')
	[ "$words" = "go forward ten meters" ]
	# pocketsphinx_continuous: go 0.46-0.63, forward 0.64-1.16, ten 1.17-1.52,
	# meters 1.53-2.11 (end of last frame 0.01 later); allow 0.05 s.
	printf '%s\n' "$output" | awk -F'\t' '
		BEGIN { s["go"] = 0.46; e["go"] = 0.64; s["forward"] = 0.64; e["forward"] = 1.17
			s["ten"] = 1.17; e["ten"] = 1.53; s["meters"] = 1.53; e["meters"] = 2.12 }
		$4 == "word" { d1 = $1 - s[$5]; d2 = $2 - e[$5]
			if (d1 < -0.05 || d1 > 0.05 || d2 < -0.05 || d2 > 0.05) { print "bad " $0; bad = 1 } }
		END { exit bad }'
}

@test "writes well-formed #sm-hyp lines with silences kept and confidences in [0, 1]" {
	run -0 sm-lattice "$F/gf.ll"
	printf '%s\n' "$output" | awk -F'\t' '
		NR == 1 || /^#end$/ { next }
		NF != 5 || $1 !~ /^[0-9]+\.[0-9][0-9][0-9]$/ || $2 !~ /^[0-9]+\.[0-9][0-9][0-9]$/ ||
		$1 + 0 > $2 + 0 || $1 + 0 < prev || $3 < 0 || $3 > 1 ||
		($4 != "word" && $4 != "sil" && $4 != "filler") { print "bad: " $0; bad = 1 }
		{ prev = $2 + 0 }
		END { exit bad }'
	printf '%s\n' "$output" | grep -q "$(printf '\tsil\t<sil>$')"
}

@test "shifts word times by the stream's start_sample" {
	python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
h = bytearray(d[:48]); struct.pack_into("<Q", h, 32, 16000)
sys.stdout.buffer.write(bytes(h) + d[48:])' "$F/gf.ll" >"$SCRATCH/late.ll"
	sm-lattice "$F/gf.ll" >"$SCRATCH/early"
	run -0 sm-lattice "$SCRATCH/late.ll"
	# every line one second later, all else the same
	[ "$(printf '%s\n' "$output" | wc -l)" -eq "$(wc -l <"$SCRATCH/early")" ]
	printf '%s\n' "$output" | grep -q "$(printf '\tword\tgo$')"
	awk -F'\t' 'NR == FNR { a[FNR] = $0; next } /^#/ { next }
		{ split(a[FNR], e, "\t"); d1 = $1 - e[1] - 1; d2 = $2 - e[2] - 1
		  if (d1 * d1 > 1e-8 || d2 * d2 > 1e-8 || $3 != e[3] || $5 != e[5]) exit 1 }' \
		"$SCRATCH/early" <(printf '%s\n' "$output")
}

@test "--words of the reference finds the full search's path with the same score" {
	echo "go forward ten meters" >"$SCRATCH/w"
	sm-lattice -v "$F/gf.ll" >"$SCRATCH/full" 2>"$SCRATCH/full.err"
	sm-lattice -v --words "$SCRATCH/w" "$F/gf.ll" >"$SCRATCH/ref" 2>"$SCRATCH/ref.err"
	run -0 awk -F'\t' '$4 == "word" { printf "%s ", $5 }' "$SCRATCH/ref"
	assert_output "go forward ten meters "
	full=$(sed -n 's/.*best path //p' "$SCRATCH/full.err")
	ref=$(sed -n 's/.*best path //p' "$SCRATCH/ref.err")
	echo "full $full, reference words $ref" >&3
	[ -n "$full" ] && [ "$full" = "$ref" ]
}

@test "--words keeps the search to the listed words" {
	printf 'go\nten\n' >"$SCRATCH/w"
	run -0 sh -c "sm-lattice --words '$SCRATCH/w' '$F/gf.ll' | awk -F'\t' '\$4 == \"word\" { print \$5 }' | sort -u"
	assert_output "$(printf 'go\nten')"
}

@test "--words with no word of the dictionary is a data error" {
	echo "xqzzy" >"$SCRATCH/w"
	run --separate-stderr -65 sm-lattice --words "$SCRATCH/w" "$F/gf.ll"
	assert_equal "$stderr" "sm-lattice: $SCRATCH/w: no word of the dictionary"
	assert_output ""
}

# The words of a hypothesis on one line.
hyp_words() { awk -F'\t' '$4 == "word" { printf "%s%s", s, $5; s = " " } END { print "" }'; }

@test "--vocab: a new word spelled like a word of the audio, without sounds_like, is found by its letters' pronunciation where it is likely enough" {
	printf 'Phorward\n' >"$SCRATCH/v"
	run -0 --separate-stderr sm-lattice --vocab "$SCRATCH/v" --vocab-prob 0.01 "$F/gf.ll"
	[ "$(printf '%s\n' "$output" | hyp_words)" = "go phorward ten meters" ]
	[ -z "$stderr" ]
	run -0 sm-lattice "$F/gf.ll"
	[ "$(printf '%s\n' "$output" | hyp_words)" = "go forward ten meters" ]
}

@test "--vocab: a phrase with sounds_like is searched as one word and printed as its words, the time shared out, each with the phrase's confidence" {
	printf 'Go Fwd\tgo forward\n' >"$SCRATCH/v"
	run -0 sm-lattice --vocab "$SCRATCH/v" "$F/gf.ll"
	[ "$(printf '%s\n' "$output" | hyp_words)" = "go fwd ten meters" ]
	printf '%s\n' "$output" | awk -F'\t' '$5 == "go" { e = $2; c = $3 }
		$5 == "fwd" { ok = ($1 == e && $3 == c && $2 > $1) } END { exit !ok }'
}

@test "--vocab: entries that cannot be used are named once each on stderr with the reason, and the rest of the list is used" {
	printf '!!!\nr2d2\n\nPhorward\nA B C D E F G\nDigium\tdij 9\n' >"$SCRATCH/v"
	run -0 --separate-stderr sm-lattice --vocab "$SCRATCH/v" --vocab-prob 0.01 "$F/gf.ll"
	[ "${stderr_lines[0]}" = "sm-lattice: $SCRATCH/v:1: \"!!!\" not used: a word without letters or digits" ]
	[ "${stderr_lines[1]}" = "sm-lattice: $SCRATCH/v:2: \"r2d2\" not used: \"r2d2\": no pronunciation from its letters (give sounds_like)" ]
	[ "${stderr_lines[2]}" = "sm-lattice: $SCRATCH/v:3: \"\" not used: no words" ]
	[ "${stderr_lines[3]}" = "sm-lattice: $SCRATCH/v:5: \"A B C D E F G\" not used: more than 6 words" ]
	[ "${stderr_lines[4]}" = "sm-lattice: $SCRATCH/v:6: \"Digium\" not used: sounds_like \"9\": no letters to pronounce (give sounds_like)" ]
	[ "${#stderr_lines[@]}" -eq 5 ]
	[ "$(printf '%s\n' "$output" | hyp_words)" = "go phorward ten meters" ]
}

@test "--vocab: a list without effect on these words leaves the hypothesis byte for byte as without it" {
	printf 'Speechmatics\tspeech mattics\nDr. Who\tdoctor who\ngnocchi\n' >"$SCRATCH/v"
	sm-lattice "$F/gf.ll" >"$SCRATCH/a"
	sm-lattice --vocab "$SCRATCH/v" "$F/gf.ll" >"$SCRATCH/b"
	cmp "$SCRATCH/a" "$SCRATCH/b"
}

@test "--vocab: more than 1000 entries, or with --build-image, is refused with one line" {
	seq 1001 | sed 's/^/w/' >"$SCRATCH/v"
	run -65 --separate-stderr sm-lattice --vocab "$SCRATCH/v" "$F/gf.ll"
	[ "$stderr" = "sm-lattice: $SCRATCH/v: 1001 entries, at most 1000" ]
	[ -z "$output" ]
	run -64 --separate-stderr sm-lattice --vocab "$SCRATCH/v" --build-image "$SCRATCH/img"
	[ "$stderr" = "sm-lattice: --vocab is for a search, not with --build-image" ]
	[ ! -e "$SCRATCH/img" ]
}

# Two asterisk prompts that share their words ("three d audio disabled",
# "three d audio enabled") joined by 0.5 s of faint noise: a recording
# sm-lattice cuts into segments at the pause, the second saying again what
# the first said.
two_prompts_ll() { # OUT.ll
	asterisk16 confbridge-binaural-off "$SCRATCH/a.wav" confbridge-binaural-on "$SCRATCH/b.wav"
	sox -R -n -r 16000 -c 1 -b 16 "$SCRATCH/gap.wav" synth 0.5 pinknoise vol 0.003
	sox -R "$SCRATCH/a.wav" "$SCRATCH/gap.wav" "$SCRATCH/b.wav" "$SCRATCH/ab.wav"
	sm-decode "$SCRATCH/ab.wav" | sm-features | sm-am >"$1"
}

@test "--cache-weight (on by default): a word said again is more confident once the cache holds it; the first segment is as without the cache" {
	two_prompts_ll "$SCRATCH/ab.ll"
	sm-lattice --cache-weight 0 "$SCRATCH/ab.ll" >"$SCRATCH/off"
	sm-lattice --cache-weight 0.05 --cache-max-unigram 0.01 "$SCRATCH/ab.ll" >"$SCRATCH/on"
	# the default is on, with these settings
	[ "$(sm-lattice "$SCRATCH/ab.ll")" = "$(cat "$SCRATCH/on")" ]
	# the first prompt ends at 2.65 s: its items byte for byte the same
	[ "$(awk -F'\t' '$2 < 2.7' "$SCRATCH/off")" = "$(awk -F'\t' '$2 < 2.7' "$SCRATCH/on")" ]
	# "three" of the second prompt: in the cache from the first
	off=$(awk -F'\t' '$1 > 3 && $5 == "three" { print $3 }' "$SCRATCH/off")
	on=$(awk -F'\t' '$1 > 3 && $5 == "three" { print $3 }' "$SCRATCH/on")
	[ -n "$off" ] && [ -n "$on" ]
	awk -v a="$off" -v b="$on" 'BEGIN { exit !(b > a + 0.1) }'
}

@test "--cache-words starts the cache with a first pass's words: the first segment changes too" {
	two_prompts_ll "$SCRATCH/ab.ll"
	sm-lattice --cache-weight 0 "$SCRATCH/ab.ll" >"$SCRATCH/first"
	sm-lattice --cache-weight 0.05 --cache-max-unigram 0.01 --cache-words "$SCRATCH/first" \
		"$SCRATCH/ab.ll" >"$SCRATCH/second"
	[ "$(head -n 1 "$SCRATCH/second")" = "#sm-hyp 1" ]
	[ "$(awk -F'\t' '$2 < 2.7' "$SCRATCH/first")" != "$(awk -F'\t' '$2 < 2.7' "$SCRATCH/second")" ]
}

@test "--cache-weight takes [0, 0.99]; --cache-words and --cache-search need it above 0; --cache-words must be #sm-hyp 1" {
	run -64 --separate-stderr sm-lattice --cache-weight 1 "$F/gf.ll"
	[[ "${stderr_lines[0]}" == "sm-lattice: --cache-weight"* ]]
	[ -z "$output" ]
	run -64 --separate-stderr sm-lattice --cache-weight 0 --cache-words "$F/gf.ll" "$F/gf.ll"
	[ "$stderr" = "sm-lattice: --cache-words needs a --cache-weight above 0" ]
	run -64 --separate-stderr sm-lattice --cache-weight 0 --cache-search "$F/gf.ll"
	[ "$stderr" = "sm-lattice: --cache-search needs a --cache-weight above 0" ]
	run -65 --separate-stderr sm-lattice --cache-weight 0.05 --cache-words "$F/gf.ll" "$F/gf.ll"
	[ "$stderr" = "sm-lattice: $F/gf.ll: expected a #sm-hyp 1 stream" ]
	[ -z "$output" ]
}

@test "--cache-out writes the cache as #sm-cache 1; --cache-in starts with it: the second prompt alone says \"three\" more confidently after the first's cache" {
	asterisk16 confbridge-binaural-off "$SCRATCH/a.wav" confbridge-binaural-on "$SCRATCH/b.wav"
	sm-decode "$SCRATCH/a.wav" | sm-features | sm-am >"$SCRATCH/a.ll"
	sm-decode "$SCRATCH/b.wav" | sm-features | sm-am >"$SCRATCH/b.ll"
	sm-lattice --cache-out "$SCRATCH/c" "$SCRATCH/a.ll" >/dev/null
	[ "$(head -n 1 "$SCRATCH/c")" = "#sm-cache 1" ]
	[ "$(tail -n 1 "$SCRATCH/c")" = "#end" ]
	grep -q '^three [0-9.e+-]*$' "$SCRATCH/c"
	sm-lattice "$SCRATCH/b.ll" >"$SCRATCH/alone"
	sm-lattice --cache-in "$SCRATCH/c" "$SCRATCH/b.ll" >"$SCRATCH/after"
	off=$(awk -F'\t' '$5 == "three" { print $3 }' "$SCRATCH/alone")
	on=$(awk -F'\t' '$5 == "three" { print $3 }' "$SCRATCH/after")
	[ -n "$off" ] && [ -n "$on" ]
	awk -v a="$off" -v b="$on" 'BEGIN { exit !(b > a + 0.1) }'
	# an empty stream is an empty cache
	[ "$(sm-lattice --cache-in /dev/null "$SCRATCH/b.ll")" = "$(cat "$SCRATCH/alone")" ]
}

@test "--cache-in: not a #sm-cache 1 stream, one without #end, a bad count, a missing file; with --cache-search: one line each, no output" {
	printf '#sm-hyp 1\n#end\n' >"$SCRATCH/h"
	run -65 --separate-stderr sm-lattice --cache-in "$SCRATCH/h" "$F/gf.ll"
	[ "$stderr" = "sm-lattice: $SCRATCH/h: expected a #sm-cache 1 stream" ]
	[ -z "$output" ]
	printf '#sm-cache 1\nscale 1\ntotal 1\nthree 1\n' >"$SCRATCH/c"
	run -65 --separate-stderr sm-lattice --cache-in "$SCRATCH/c" "$F/gf.ll"
	[ "$stderr" = "sm-lattice: $SCRATCH/c: the stream ends before #end" ]
	[ -z "$output" ]
	printf '#sm-cache 1\nscale 1\ntotal 1\nthree -1\n#end\n' >"$SCRATCH/c"
	run -65 --separate-stderr sm-lattice --cache-in "$SCRATCH/c" "$F/gf.ll"
	[ "$stderr" = "sm-lattice: $SCRATCH/c: line 4: expected a number of at least 0, got \"-1\"" ]
	[ -z "$output" ]
	run -66 --separate-stderr sm-lattice --cache-in "$SCRATCH/none" "$F/gf.ll"
	[[ "$stderr" == "sm-lattice: $SCRATCH/none: "* ]]
	[ -z "$output" ]
	run -64 --separate-stderr sm-lattice --cache-in /dev/null --cache-search "$F/gf.ll"
	[[ "$stderr" == "sm-lattice: --cache-in and --cache-search: "* ]]
}

# shellcheck shell=sh disable=SC2154
# Shared by the scripts in scripts/bench/ (sourced; $work is the caller's
# scratch directory).

# ms CMD...: CPU milliseconds (user + system) per run of a command, the
# median of 5 batches of 10 runs (finer than /usr/bin/time's 10 ms).
ms() {
	for _ in 1 2 3 4 5; do
		/usr/bin/time -f '%U %S' -o "$work/time" sh -c \
			'for i in 1 2 3 4 5 6 7 8 9 10; do "$@" > /dev/null; done' sh "$@"
		awk '{ printf "%.1f\n", ($1 + $2) * 100 }' "$work/time"
	done | sort -g | sed -n 3p
}

# long_set KIND MANIFEST DIR: the recordings of MANIFEST joined into
# DIR/long.wav with 0.5 s gaps of KIND (gap_wav), and DIR/manifest.tsv, its
# one line (id long-KIND).
long_set() {
	mkdir -p "$3"
	gap_wav "$1" "$3/gap.wav"
	join_parts "$2" "$3/gap.wav" "$3" "long-$1"
}

# gap_wav KIND FILE: 0.5 s at 16 kHz of faint pink noise (KIND noise), of
# digital zeros (silence) or of zeros dithered by sox to -1..1 (dither).
gap_wav() {
	case $1 in
	noise) sox -R -n -r 16000 -c 1 -b 16 "$2" synth 0.5 pinknoise vol 0.003 ;;
	silence) sox -R -D -n -r 16000 -c 1 -b 16 "$2" trim 0 0.5 ;;
	dither) sox -R -n -r 16000 -c 1 -b 16 "$2" trim 0 0.5 ;;
	esac
}

# ps_set MANIFEST DIR: Debian's pocketsphinx_batch (-adcin yes: batch CMN)
# with the en-us model over the recordings of MANIFEST, as 16 kHz copies in
# DIR/ps/ID.wav: its hypotheses as "ID<TAB>words" in DIR/ps.hyp, and
# /usr/bin/time's "wall user system maxrss_kb" in DIR/ps.time.
ps_set() {
	_m=/usr/share/pocketsphinx/model/en-us
	_t=$(printf '\t')
	mkdir -p "$2/ps"
	: > "$2/ctl"
	while IFS="$_t" read -r _id _wav _; do
		mkdir -p "$(dirname "$2/ps/$_id.wav")"
		sox "$_wav" -r 16000 -c 1 -b 16 "$2/ps/$_id.wav" 2>/dev/null
		echo "$_id" >> "$2/ctl"
	done < "$1"
	/usr/bin/time -f '%e %U %S %M' -o "$2/ps.time" pocketsphinx_batch -adcin yes -cepdir "$2/ps" \
		-cepext .wav -adchdr 44 -ctl "$2/ctl" -hyp "$2/ps.raw" -hmm "$_m/en-us" \
		-lm "$_m/en-us.lm.bin" -dict "$_m/cmudict-en-us.dict" > /dev/null 2>&1
	sed 's/^\(.*\) (\([^ ]*\) [-0-9]*)$/\2\t\1/' "$2/ps.raw" > "$2/ps.hyp"
}

# wer_of MANIFEST HYP: the corpus word error rate in per cent
# (tests/corpus/wer.py), without the sign.
wer_of() {
	python3 "$here/tests/corpus/wer.py" "$1" "$2" | sed -n 's/.*WER=\([0-9.]*\)%.*/\1/p' | head -n 1
}

# join_parts PARTS GAP DIR NAME: the recordings of PARTS ("id<TAB>wav<TAB>
# text[<TAB>seconds]" lines) joined into DIR/long.wav with the file GAP after
# each, DIR/manifest.tsv its one line (id NAME), and DIR/parts.tsv the same
# recordings as a manifest of their own (the audio cut into files).
join_parts() {
	_t=$(printf '\t')
	_ref=
	: > "$3/files"
	: > "$3/parts.tsv"
	while IFS="$_t" read -r _id _wav _text _secs; do
		printf '%s\n%s\n' "$_wav" "$2" >> "$3/files"
		printf '%s\t%s\t%s\t%s\n' "$_id" "$_wav" "$_text" "${_secs:-$(soxi -D "$_wav")}" >> "$3/parts.tsv"
		_ref="$_ref${_ref:+ }$_text"
	done < "$1"
	# shellcheck disable=SC2016 # sox's arguments, expanded by sh -c
	tr '\n' '\0' < "$3/files" | xargs -0 sh -c 'sox -R "$@" "$0"' "$3/long.wav"
	printf '%s\t%s\t%s\t%s\n' "$4" "$3/long.wav" "$_ref" "$(soxi -D "$3/long.wav")" > "$3/manifest.tsv"
}

# voices_set MULTI DIR: three voices in turn, one recording: each of the five
# LibriVox sentences of pocketsphinx's test data, then the "cards" utterance
# of the same number, then the multi-word asterisk prompts on lines 60k and
# 60k + 30 of MULTI (a manifest), k = 1..5 (those it has).
voices_set() {
	_d=/usr/share/pocketsphinx/test/data
	mkdir -p "$2"
	_t=$(printf '\t')
	_k=0
	while IFS="$_t" read -r _lv _text _; do
		_k=$((_k + 1))
		_c=$(printf '%03d' "$_k")
		printf '%s\t%s\t%s\n' "$_lv" "$_d/librivox/$_lv.wav" "$_text"
		printf 'cards-%s\t%s\t%s\n' "$_c" "$_d/cards/$_c.wav" \
			"$(sed -n "s/^<s> \(.*[^ ]\) *<\/s> ($_c)\$/\1/p" "$_d/cards/cards.transcription")"
		awk -F "$_t" -v a=$((_k * 60)) -v b=$((_k * 60 + 30)) -v OFS="$_t" \
			'NR == a || NR == b { print $1, $2, $3 }' "$1"
	done < "$here/tests/corpus/librivox.ref.tsv" > "$2/in.tsv"
	gap_wav noise "$2/gap.wav"
	join_parts "$2/in.tsv" "$2/gap.wav" "$2" voices
}

# mixed_set MULTI DIR8 DIR: the prompts of MULTI in turns of four, each turn
# alternately the 16 kHz recording and the 8 kHz telephone WAV of the same
# prompt (DIR8/ID.wav, resampled by sox), and every other pair of turns 18 dB
# quieter; joined into one recording: a change of channel and level every
# turn, as in a call or a meeting.
mixed_set() {
	mkdir -p "$3/p"
	_t=$(printf '\t')
	_i=0
	: > "$3/in.tsv"
	while IFS="$_t" read -r _id _wav _text _; do
		_b=$((_i / 4))
		_i=$((_i + 1))
		_src=$_wav
		[ $((_b % 2)) = 1 ] && _src=$2/$_id.wav
		_g=0
		[ $((_b / 2 % 2)) = 1 ] && _g=-18
		_o=$3/p/$(echo "$_id" | tr / _).wav
		sox -R "$_src" -r 16000 -c 1 -b 16 "$_o" vol "${_g}dB"
		printf '%s\t%s\t%s\n' "$_id" "$_o" "$_text" >> "$3/in.tsv"
	done < "$1"
	gap_wav noise "$3/gap.wav"
	join_parts "$3/in.tsv" "$3/gap.wav" "$3" mixed
}

# short_set SINGLE DIR: the one-word recordings of SINGLE (a manifest) with
# the quiet before and after the word cut off by sox (from and to the first
# and last 10 ms above 0.5% of full scale, -46 dBFS): speech from the first
# sample, as an IVR answer or a voice command arrives; DIR/manifest.tsv.
short_set() {
	mkdir -p "$2"
	_t=$(printf '\t')
	: > "$2/manifest.tsv"
	while IFS="$_t" read -r _id _wav _text _; do
		_o=$2/$(echo "$_id" | tr / _).wav
		sox "$_wav" "$_o" silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse
		printf '%s\t%s\t%s\t%s\n' "$_id" "$_o" "$_text" "$(soxi -D "$_o")" >> "$2/manifest.tsv"
	done < "$1"
}

# prompt_sets: the asterisk 16 and 8 kHz prompts and LibriVox in $tmp
# (corpus.sh), and in $sets the multi-word and one-word prompts (multi.tsv,
# single.tsv), the three voices (voices/: one recording, parts.tsv its
# files) and the one-word prompts cut to their speech (short/).
prompt_sets() {
	for _c in asterisk16 asterisk8 librivox; do
		[ -s "$tmp/$_c/manifest.tsv" ] || sh "$here/scripts/corpus.sh" "$_c" "$tmp/$_c" >&2
	done
	mkdir -p "$sets"
	awk -F "$tab" 'split($3, a, " ") >= 2' "$tmp/asterisk16/manifest.tsv" > "$sets/multi.tsv"
	awk -F "$tab" 'split($3, a, " ") == 1' "$tmp/asterisk16/manifest.tsv" > "$sets/single.tsv"
	[ -s "$sets/voices/manifest.tsv" ] || voices_set "$sets/multi.tsv" "$sets/voices"
	[ -s "$sets/short/manifest.tsv" ] || short_set "$sets/single.tsv" "$sets/short"
}

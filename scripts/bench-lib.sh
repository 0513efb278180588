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
# DIR/long.wav with 0.5 s gaps, of faint pink noise (KIND noise), of
# digital zeros (silence) or of zeros dithered by sox to -1..1 (dither), and
# DIR/manifest.tsv, its one line.
long_set() {
	mkdir -p "$3"
	case $1 in
	noise) sox -R -n -r 16000 -c 1 -b 16 "$3/gap.wav" synth 0.5 pinknoise vol 0.003 ;;
	silence) sox -R -D -n -r 16000 -c 1 -b 16 "$3/gap.wav" trim 0 0.5 ;;
	dither) sox -R -n -r 16000 -c 1 -b 16 "$3/gap.wav" trim 0 0.5 ;;
	esac
	set -- "$1" "$2" "$3"
	_ref=
	_t=$(printf '\t')
	_files=$3/files
	: > "$_files"
	while IFS="$_t" read -r _ _wav _text _; do
		printf '%s\n%s\n' "$_wav" "$3/gap.wav" >> "$_files"
		_ref="$_ref${_ref:+ }$_text"
	done < "$2"
	# shellcheck disable=SC2016 # sox's arguments, expanded by sh -c
	tr '\n' '\0' < "$_files" | xargs -0 sh -c 'sox -R "$@" "$0"' "$3/long.wav"
	printf 'long-%s\t%s\t%s\t%s\n' "$1" "$3/long.wav" "$_ref" "$(soxi -D "$3/long.wav")" > "$3/manifest.tsv"
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

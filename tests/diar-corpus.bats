#!/usr/bin/env bats
# scripts/diar-corpus.sh: the small set, built twice from the Debian
# recordings, checked against what its references promise.
load test_helper

setup_file() {
	sh "$SM_ROOT/scripts/diar-corpus.sh" "$BATS_FILE_TMPDIR/a" small
	sh "$SM_ROOT/scripts/diar-corpus.sh" "$BATS_FILE_TMPDIR/b" small
}

setup() {
	A=$BATS_FILE_TMPDIR/a/small
}

@test "diar-corpus.sh builds the same WAV and RTTM files twice" {
	for f in "$A"/*.wav "$A"/*.rttm; do
		cmp "$f" "$BATS_FILE_TMPDIR/b/small/${f##*/}"
	done
	run -0 ls "$A"
	assert_output "list.tsv
small-1spk.rttm
small-1spk.wav
small-2spk.rttm
small-2spk.wav
small-3spk.rttm
small-3spk.wav"
}

@test "small/list.tsv names 1, 2 and 3 speakers, as many as each RTTM has, inputs under 40 s" {
	run -0 cut -f 1,3 "$A/list.tsv"
	assert_output "small-2spk	2
small-3spk	3
small-1spk	1"
	while IFS="$(printf '\t')" read -r name wav n secs; do
		[ "$wav" = "$A/$name.wav" ]
		[ "$(awk '{ print $8 }' "$A/$name.rttm" | sort -u | wc -l)" -eq "$n" ]
		awk -v s="$secs" 'BEGIN { exit !(s < 40) }'
	done <"$A/list.tsv"
}

@test "the WAVs are 16 kHz mono 16-bit and as long as list.tsv says" {
	while IFS="$(printf '\t')" read -r name wav _ secs; do
		[ "$(soxi -r "$wav")" = 16000 ]
		[ "$(soxi -c "$wav")" = 1 ]
		[ "$(soxi -b "$wav")" = 16 ]
		awk -v a="$(soxi -D "$wav")" -v b="$secs" 'BEGIN { exit !(a - b < 0.001 && b - a < 0.001) }'
	done <"$A/list.tsv"
}

@test "RTTM lines are standard SPEAKER lines in time order, inside the WAV, never overlapping" {
	for r in "$A"/*.rttm; do
		name=$(basename "$r" .rttm)
		len=$(soxi -D "$A/$name.wav")
		awk -v name="$name" -v len="$len" '
			NF != 10 || $1 != "SPEAKER" || $2 != name || $3 != 1 || $6 != "<NA>" || $9 != "<NA>" { exit 1 }
			$4 < end - 0.0015 || $5 <= 0 { exit 1 }
			{ end = $4 + $5 }
			END { exit !(end <= len + 0.0015) }' "$r"
	done
}

@test "turns alternate voices and last 1 to 20 s (clips of one voice less than 0.35 s apart form a turn)" {
	for r in "$A"/small-2spk.rttm "$A"/small-3spk.rttm; do
		awk '{ s = $4; e = $4 + $5 }
			NR > 1 && $8 == spk && s - end < 0.35 { end = e; next }
			NR > 1 && $8 == spk { exit 1 }
			NR > 1 && (end - beg < 1 || end - beg > 20.0015) { exit 1 }
			{ spk = $8; beg = s; end = e }
			END { exit !(end - beg >= 1 && end - beg <= 20.0015) }' "$r"
	done
}

#!/usr/bin/env bats
# sm-transcribe with transcription_config.operating_point (or model)
# "enhanced": two passes, the second on features and means adapted by
# sm-adapt to the first's words, on the LibriVox recordings of pocketsphinx's test data.
load test_helper
load transcribe_helper

setup_file() {
	d=$BATS_FILE_TMPDIR
	printf '%s\n' '{"type": "transcription", "transcription_config": {"language": "en", "operating_point": "enhanced"}}' >"$d/enh.json"
	printf '%s\n' '{"type": "transcription", "transcription_config": {"language": "en"}}' >"$d/std.json"
}

setup() {
	job_scratch
	D=$BATS_FILE_TMPDIR
}

teardown() {
	tmpdir_left_empty
}

# A job config with "enhanced" and MORE (JSON members) in transcription_config.
enh() { # OUT [MORE]
	printf '{"type": "transcription", "transcription_config": {"language": "en", "operating_point": "enhanced"%s}}\n' \
		"${2:+, $2}" >"$1"
}

@test "enhanced runs sm-am twice with sm-adapt between, standard once without it; both echo their operating point" {
	log='echo "${0##*/} $*" >>"$SCRATCH/calls"; exec "$0" "$@"'
	SM_STAGE_AM=$log SM_STAGE_LATTICE=$log SM_STAGE_ADAPT=$log \
		run -0 --separate-stderr sm-transcribe --job-config "$D/enh.json" "$(lv 0880)"
	[ -z "$stderr" ]
	# The first search with narrower beams, the adapted stream searched as
	# one pass searches the audio.
	[ "$(sed 's/  */ /g' "$SCRATCH/calls" | sort)" = "$(printf '%s\n' 'sm-adapt -l en -P 1 -M - -F - /dev/fd/6' \
		'sm-am -l en -t 1' 'sm-am -l en -t 1 -M -' 'sm-lattice -l en --cache-in /dev/fd/4 --cache-out /dev/fd/5' \
		'sm-lattice -l en -b 80 -w 30' | sort)" ]
	printf '%s' "$output" | jq -e '.metadata.transcription_config ==
		{"language": "en", "operating_point": "enhanced", "diarization": "none"}'
	rm "$SCRATCH/calls"
	SM_STAGE_AM=$log SM_STAGE_LATTICE=$log SM_STAGE_ADAPT=$log \
		run -0 --separate-stderr sm-transcribe --job-config "$D/std.json" "$(lv 0880)"
	[ -z "$stderr" ]
	[ "$(sed 's/  */ /g' "$SCRATCH/calls" | sort)" = "$(printf '%s\n' 'sm-am -l en -t 1' 'sm-lattice -l en' | sort)" ]
	printf '%s' "$output" | jq -e '.metadata.transcription_config.operating_point == "standard"'
	# "model", the older name, chooses the same.
	rm "$SCRATCH/calls"
	printf '%s\n' '{"type": "transcription", "transcription_config": {"language": "en", "model": "enhanced"}}' >"$SCRATCH/m.json"
	SM_STAGE_ADAPT=$log run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/m.json" "$(lv 0880)"
	[ "$(cat "$SCRATCH/calls")" = "sm-adapt -l en -P 1 -M - -F - /dev/fd/6" ]
	printf '%s' "$output" | jq -e '.metadata.transcription_config == {"language": "en", "model": "enhanced", "diarization": "none"}'
}

@test "an enhanced transcript is that of the two passes run by hand, in the form of a standard one" {
	sm-decode "$(lv 0870)" | sm-features >"$SCRATCH/f"
	sm-am <"$SCRATCH/f" | sm-lattice -b 80 -w 30 | sm-adapt -P 1 -M - -F "$SCRATCH/f" | sm-am -M - | sm-lattice |
		sm-format >"$SCRATCH/hand.json"
	run -0 --separate-stderr sm-transcribe --job-config "$D/enh.json" "$(lv 0870)"
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$SCRATCH/enh.json"
	diff <(jq -c '.results' "$SCRATCH/hand.json") <(jq -c '.results' "$SCRATCH/enh.json")
	sm-transcribe --job-config "$D/std.json" "$(lv 0870)" >"$SCRATCH/std.json"
	# The same document but for the operating point and the words.
	diff <(jq -S 'del(.metadata.created_at, .metadata.transcription_config.operating_point, .results)' "$SCRATCH/std.json") \
		<(jq -S 'del(.metadata.created_at, .metadata.transcription_config.operating_point, .results)' "$SCRATCH/enh.json")
	[ "$(jq -c '[.results[] | keys] | unique' "$SCRATCH/std.json")" = "$(jq -c '[.results[] | keys] | unique' "$SCRATCH/enh.json")" ]
}

@test "enhanced makes fewer word errors than standard on the five LibriVox recordings as one recording, and no more on them one by one" {
	# The readers' text as wer.py's manifest: ID, audio, text.
	awk -F '\t' -v OFS='\t' '{ print $1, "-", $2 }' "$SM_ROOT/tests/corpus/librivox.ref.tsv" >"$SCRATCH/ref.tsv"
	words() { sm-transcribe --job-config "$D/$1.json" "$2" |
		jq -r '[.results[] | select(.type == "word") | .alternatives[0].content] | join(" ")'; }
	e() { python3 "$SM_ROOT/tests/corpus/wer.py" "$1" "$2" |
		sed -n 's/.*E=\([0-9]*\)).*/\1/p' | head -n 1; }
	set --
	for id in 0870 0880 0890 0920 0930; do
		set -- "$@" "$(lv $id)"
		for op in std enh; do
			printf '%s\t%s\n' "sense_and_sensibility_01_austen_64kb-$id" "$(words $op "$(lv $id)")" >>"$SCRATCH/$op.tsv"
		done
	done
	# One recording of 25 s: the means (MLLR) have more speech to adapt to.
	sox "$@" "$SCRATCH/all.wav"
	printf 'all\t-\t%s\n' "$(cut -f 2 "$SM_ROOT/tests/corpus/librivox.ref.tsv" | tr '\n' ' ')" >"$SCRATCH/ref1.tsv"
	for op in std enh; do
		printf 'all\t%s\n' "$(words $op "$SCRATCH/all.wav")" >"$SCRATCH/$op.1.tsv"
	done
	es=$(e "$SCRATCH/ref.tsv" "$SCRATCH/std.tsv") ee=$(e "$SCRATCH/ref.tsv" "$SCRATCH/enh.tsv")
	es1=$(e "$SCRATCH/ref1.tsv" "$SCRATCH/std.1.tsv") ee1=$(e "$SCRATCH/ref1.tsv" "$SCRATCH/enh.1.tsv")
	echo "errors: one by one standard $es, enhanced $ee; as one recording standard $es1, enhanced $ee1" >&3
	[ -n "$es" ] && [ -n "$ee" ] && [ -n "$es1" ] && [ -n "$ee1" ]
	[ "$ee1" -lt "$es1" ]
	[ "$ee" -le "$es" ]
}

@test "a failure in the second search: its code and its line only, no transcript" {
	# The first pass's sm-lattice has -b; the second's fails.
	SM_STAGE_LATTICE='case " $* " in *" -b "*) exec "$0" "$@" ;; esac; echo "my-lattice: cannot search" >&2; exit 65' \
		run -65 --separate-stderr sm-transcribe --job-config "$D/enh.json" "$(lv 0880)"
	[ "$stderr" = "my-lattice: cannot search" ]
	[ -z "$output" ]
	# The same after reading all of its input.
	SM_STAGE_LATTICE='case " $* " in *" -b "*) exec "$0" "$@" ;; esac; cat >/dev/null; echo "my-lattice: bad scores" >&2; exit 65' \
		run -65 --separate-stderr sm-transcribe --job-config "$D/enh.json" "$(lv 0880)"
	[ "$stderr" = "my-lattice: bad scores" ]
	[ -z "$output" ]
	# Killed by a signal: exit 70, sm-split's line naming the chunk and the stage.
	SM_STAGE_LATTICE='case " $* " in *" -b "*) exec "$0" "$@" ;; esac; kill -KILL $$' \
		run -70 --separate-stderr sm-transcribe --job-config "$D/enh.json" "$(lv 0880)"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" = "sm-split: chunk 1 (0.00 to 2.98 s): exec sh -c "*": killed by signal 9 (SIGKILL)" ]]
	[ -z "$output" ]
}

@test "a failure of sm-adapt or of the first search: its code and its line only, no transcript" {
	SM_STAGE_ADAPT='echo "my-adapt: no model" >&2; exit 78' \
		run -78 --separate-stderr sm-transcribe --job-config "$D/enh.json" "$(lv 0880)"
	[ "$stderr" = "my-adapt: no model" ]
	[ -z "$output" ]
	SM_STAGE_ADAPT='cat >/dev/null; echo "my-adapt: bad hypothesis" >&2; exit 65' \
		run -65 --separate-stderr sm-transcribe --job-config "$D/enh.json" "$(lv 0880)"
	[ "$stderr" = "my-adapt: bad hypothesis" ]
	[ -z "$output" ]
	SM_STAGE_LATTICE='case " $* " in *" -b "*) echo "my-lattice: first pass fails" >&2; exit 66 ;; esac; exec "$0" "$@"' \
		run -66 --separate-stderr sm-transcribe --job-config "$D/enh.json" "$(lv 0880)"
	[ "$stderr" = "my-lattice: first pass fails" ]
	[ -z "$output" ]
}

@test "the features reach sm-adapt through a FIFO of the private directory: no regular file is made" {
	SM_STAGE_ADAPT='ls -l "$TMPDIR"/sm-transcribe.* >&2; exec "$0" "$@"' \
		run -0 --separate-stderr sm-transcribe --job-config "$D/enh.json" "$(lv 0880)"
	printf '%s\n' "$stderr" | grep -E '^p[rwx-]{9} .* adapt\.1$'
	! printf '%s\n' "$stderr" | grep -E '^[-dlcbs][rwx-]{9}'
	[ "$(printf '%s' "$output" | jq -r '.results | length')" -gt 0 ]
}

@test "enhanced with speaker diarization, audio filtering and the custom vocabulary: every stage runs, both searches get the vocabulary, the words have speakers and volumes" {
	sox "$(lv 0870)" "$(lv 0880)" "$SCRATCH/two.wav"
	enh "$SCRATCH/c.json" '"diarization": "speaker", "audio_filtering_config": {"volume_threshold": 0},
		"additional_vocab": [{"content": "prudently", "sounds_like": ["prudent lee"]}]'
	SM_STAGE_ADAPT='echo adapt >>"$SCRATCH/calls"; exec "$0" "$@"' \
	SM_STAGE_DIARIZE='echo diarize >>"$SCRATCH/calls"; exec "$0" "$@"' \
	SM_STAGE_VOLUME='echo volume >>"$SCRATCH/calls"; exec "$0" "$@"' \
	SM_STAGE_LATTICE='echo "lattice $*" >>"$SCRATCH/calls"; exec "$0" "$@"' \
		run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$SCRATCH/two.wav"
	[ -z "$stderr" ]
	[ "$(sed 's/  */ /g' "$SCRATCH/calls" | sort)" = "$(printf '%s\n' adapt diarize \
		'lattice -l en --segment-min 30 --cache-in /dev/fd/4 --cache-out /dev/fd/5 --vocab /dev/fd/3' \
		'lattice -l en --segment-min 30 -b 80 -w 30 --vocab /dev/fd/3 --vocab-quiet' volume | sort)" ]
	printf '%s' "$output" | jq -e '[.results[] | select(.type == "word")] | length > 10
		and all(.alternatives[0].speaker | test("^S[0-9]+$")) and all(has("volume"))'
	printf '%s' "$output" | jq -e '.metadata.transcription_config.operating_point == "enhanced"'
}

@test "enhanced with --parallel 2: sm-adapt in each chunk; with channel diarization: in each channel's job" {
	[ "$(nproc)" -ge 2 ] || skip "one CPU: --parallel 2 is capped at 1"
	set --
	for f in 0870 0880 0890 0920 0930 0870 0880 0890 0920 0930 0870 0880 0890; do set -- "$@" "$(lv $f)"; done
	sox "$@" "$SCRATCH/long.wav"
	SM_STAGE_ADAPT='echo "$SM_CHUNK" >>"$SCRATCH/chunks"; exec "$0" "$@"' \
		run -0 --separate-stderr sm-transcribe --parallel 2 --job-config "$D/enh.json" "$SCRATCH/long.wav"
	[ -z "$stderr" ]
	n=$(wc -l <"$SCRATCH/chunks")
	[ "$n" -ge 2 ]
	[ "$(sort -n "$SCRATCH/chunks")" = "$(seq "$n")" ]
	[ "$(printf '%s' "$output" | jq '[.results[] | select(.type == "word")] | length')" -gt 100 ]
	sox -M "$(lv 0870)" "$(lv 0930)" "$SCRATCH/st.wav"
	enh "$SCRATCH/c.json" '"diarization": "channel"'
	SM_STAGE_ADAPT='echo adapt >>"$SCRATCH/ch"; exec "$0" "$@"' \
		run -0 --separate-stderr sm-transcribe --job-config "$SCRATCH/c.json" "$SCRATCH/st.wav"
	[ -z "$stderr" ]
	[ "$(cat "$SCRATCH/ch")" = "$(printf 'adapt\nadapt')" ]
	printf '%s' "$output" | jq -e '[.results[].channel] | unique == ["Channel 1", "Channel 2"]'
	printf '%s' "$output" | jq -e '.metadata.transcription_config.operating_point == "enhanced"'
}

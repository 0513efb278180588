#!/usr/bin/env bats
# sm-transcribe --parallel and --progress (sm-split in place of sm-am and
# sm-lattice), on the five LibriVox recordings of pocketsphinx's test data
# with 0.5 s of faint noise between them, once (27 s) and three times (81 s).
load test_helper
load transcribe_helper

setup_file() {
	d=$BATS_FILE_TMPDIR
	sox -R -n -r 16000 -c 1 -b 16 "$d/gap.wav" synth 0.5 pinknoise vol 0.003
	set --
	for f in 0870 0880 0890 0920 0930; do set -- "$@" "$(lv $f)" "$d/gap.wav"; done
	sox -R "$@" "$d/gaps.wav"
	sox -R "$d/gaps.wav" "$d/gaps.wav" "$d/gaps.wav" "$d/long.wav"
	sm-transcribe "$d/long.wav" >"$d/long1.json"
	# A plain job on gaps.wav, off a terminal, without --progress: its
	# transcript, stderr and status, which two tests check.
	mkdir "$d/plain.tmp"
	st=0
	TMPDIR=$d/plain.tmp sm-transcribe "$d/gaps.wav" >"$d/plain.json" 2>"$d/plain.err" || st=$?
	echo "$st" >"$d/plain.status"
}

setup() {
	job_scratch
	D=$BATS_FILE_TMPDIR
}

teardown() {
	tmpdir_left_empty
}

@test "--parallel 2 on 81 s: chunks through the stages, each sm-am with the options it has alone, the results item for item those of --parallel 1, confidences within 0.05" {
	[ "$(nproc)" -ge 2 ] || skip "one CPU: --parallel 2 is capped at 1"
	SM_STAGE_AM='echo "$SM_CHUNK $*" >>"$SCRATCH/am"; exec sm-am "$@"' \
		run -0 --separate-stderr sm-transcribe --parallel 2 "$D/long.wav"
	[ -z "$stderr" ]
	n=$(wc -l <"$SCRATCH/am")
	[ "$n" -ge 2 ]
	[ "$(sort -n "$SCRATCH/am")" = "$(seq "$n" | sed 's/$/ -l en -t 1/')" ]
	printf '%s\n' "$output" >"$SCRATCH/long2.json"
	# The same document but for its creation time and the confidences,
	# which move by up to 0.03 where a cut makes a segment end that
	# --parallel 1 does not have (the word's lattice is cut there): the cuts fall in pauses, and each chunk's cache of
	# recognised words starts as the chunk before ended it.
	diff <(jq -S 'del(.metadata.created_at, .results[].alternatives[].confidence)' "$D/long1.json") \
		<(jq -S 'del(.metadata.created_at, .results[].alternatives[].confidence)' "$SCRATCH/long2.json")
	[ "$(jq -s '[.[0].results, .[1].results] | transpose | map(.[0].alternatives[0].confidence - .[1].alternatives[0].confidence | fabs) | max <= 0.05' \
		"$D/long1.json" "$SCRATCH/long2.json")" = true ]
	[ "$(jq '[.results[] | select(.type == "word")] | length' "$SCRATCH/long2.json")" -gt 200 ]
}

@test "--parallel 2 with a custom vocabulary: every chunk's sm-lattice gets it on fd 3, only the first names an entry it cannot use" {
	[ "$(nproc)" -ge 2 ] || skip "one CPU: --parallel 2 is capped at 1"
	config '{"type": "transcription", "transcription_config": {"language": "en",
		"additional_vocab": [{"content": "Dashwood"}, {"content": "!!!"}]}}' "$SCRATCH/c.json"
	SM_STAGE_SPLIT='exec sm-split --min-input 0 --chunk-min 8 --chunk-max 12 "$@"' \
	SM_STAGE_LATTICE='echo "$SM_CHUNK $* $(cat <&3 | tr "\n" "|")" >>"$SCRATCH/lat"; exec sm-lattice "$@" 3<<EOF
Dashwood
!!!
EOF' \
		run -0 --separate-stderr sm-transcribe --parallel 2 --job-config "$SCRATCH/c.json" "$D/gaps.wav"
	[ "$stderr" = 'sm-lattice: /dev/fd/3:2: "!!!" not used: a word without letters or digits' ]
	[ "$(sort "$SCRATCH/lat")" = "$(printf '1 -l en --cache-in /dev/fd/4 --cache-out /dev/fd/5 --vocab /dev/fd/3 Dashwood|!!!|\n2 -l en --cache-in /dev/fd/4 --cache-out /dev/fd/5 --vocab /dev/fd/3 --vocab-quiet Dashwood|!!!|\n3 -l en --cache-in /dev/fd/4 --cache-out /dev/fd/5 --vocab /dev/fd/3 --vocab-quiet Dashwood|!!!|')" ]
	[ "$(printf '%s' "$output" | jq -r '[.results[] | .alternatives[0].content] | map(select(. == "Dashwood")) | length')" -ge 1 ]
}

@test "--parallel 2 under taskset -c 0: capped at the 1 CPU of the affinity mask, said on stderr" {
	command -v taskset >/dev/null || skip "taskset: not installed"
	run -0 --separate-stderr taskset -c 0 sm-transcribe --parallel 2 "$(lv 0880)"
	[ "$stderr" = "sm-transcribe: --parallel 2: this process may use 1 CPU; using 1" ]
}

@test "--parallel 2 in a cgroup with a CPU quota of 1 CPU (v1 cpu.cfs_quota_us): capped at 1, said on stderr" {
	cg=/sys/fs/cgroup/cpu
	[ "$(nproc)" -ge 2 ] || skip "one CPU"
	mkdir "$cg/sm-test.$$" 2>/dev/null || skip "no writable cgroup v1 cpu hierarchy"
	echo 100000 >"$cg/sm-test.$$/cpu.cfs_period_us"
	echo 100000 >"$cg/sm-test.$$/cpu.cfs_quota_us"
	run -0 --separate-stderr sh -c 'echo $$ >"$1/tasks"; exec sm-transcribe --parallel 2 "$2"' sh "$cg/sm-test.$$" "$(lv 0880)"
	rmdir "$cg/sm-test.$$"
	[ "$stderr" = "sm-transcribe: --parallel 2: this process may use 1 CPU; using 1" ]
}

@test "--progress off a terminal: a line each 10% on stderr, nothing else; the transcript unchanged" {
	run -0 --separate-stderr sm-transcribe --progress "$D/gaps.wav"
	[ "${#stderr_lines[@]}" -eq 10 ]
	for i in $(seq 0 9); do
		[[ "${stderr_lines[$i]}" =~ ^"sm-transcribe: "[0-9]+" of 27 s of audio done ("[0-9]+"%)"$ ]]
	done
	[ "${stderr_lines[9]}" = "sm-transcribe: 27 of 27 s of audio done (100%)" ]
	printf '%s\n' "$output" >"$SCRATCH/p.json"
	# The transcript of the same job without --progress (setup_file's).
	[ "$(cat "$D/plain.status")" = 0 ]
	diff <(jq -S 'del(.metadata.created_at)' "$D/plain.json") <(jq -S 'del(.metadata.created_at)' "$SCRATCH/p.json")
}

@test "no progress off a terminal without --progress, nor with --no-progress on one" {
	# setup_file's job: exit 0, nothing on stderr, its directory removed.
	[ "$(cat "$D/plain.status")" = 0 ]
	[ ! -s "$D/plain.err" ]
	[ -z "$(ls -A "$D/plain.tmp")" ]
	command -v script >/dev/null || skip "script: not installed"
	script -q -e -c "sm-transcribe --no-progress $D/gaps.wav >$SCRATCH/out.json" "$SCRATCH/tty" >/dev/null
	[ "$(grep -c 'audio done' "$SCRATCH/tty")" -eq 0 ]
	[ "$(jq -r .format "$SCRATCH/out.json")" = 2.9 ]
}

@test "on a terminal (script(1)): progress by default, one line rewritten in place, ended with a newline" {
	command -v script >/dev/null || skip "script: not installed"
	script -q -e -c "sm-transcribe $D/gaps.wav >$SCRATCH/out.json" "$SCRATCH/tty" >/dev/null
	# The typescript: its header line, then the report.
	grep -q $'\rsm-transcribe: 27 of 27 s of audio done (100%)\r\n' "$SCRATCH/tty"
	[ "$(grep -c 'audio done' "$SCRATCH/tty")" -eq 1 ]
	[ "$(grep -o $'\r[^\r]*audio done' "$SCRATCH/tty" | wc -l)" -ge 10 ]
	[ "$(jq -r .format "$SCRATCH/out.json")" = 2.9 ]
}

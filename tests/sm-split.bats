#!/usr/bin/env bats
# sm-split: a FEAT stream recognised in chunks, several at a time, on the
# five LibriVox recordings of pocketsphinx's test data joined (25 s of one
# real reader), with short chunks forced (--min-input 0, --chunk-min 4), and
# on the same with 0.5 s of faint noise between them (27 s, gaps.wav).
load test_helper

LV=$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb
AM='exec sm-am'
LAT='exec sm-lattice'

setup_file() {
	d=$BATS_FILE_TMPDIR
	sox "$LV"-0{870,880,890,920,930}.wav "$d/joined.wav"
	sm-decode "$d/joined.wav" | sm-features >"$d/j.feat"
	sm-am <"$d/j.feat" | sm-lattice >"$d/whole.hyp"
	sox -R -n -r 16000 -c 1 -b 16 "$d/gap.wav" synth 0.5 pinknoise vol 0.003
	set --
	for f in "$LV"-0{870,880,890,920,930}.wav; do set -- "$@" "$f" "$d/gap.wav"; done
	sox -R "$@" "$d/gaps.wav"
	sm-decode "$d/gaps.wav" | sm-features >"$d/g.feat"
	sm-am <"$d/g.feat" | sm-lattice >"$d/gwhole.hyp"
}

# Waits up to 5 s for FILE to have N lines; fails if it has not.
has_lines() { # FILE N
	for _ in $(seq 100); do [ "$(wc -l <"$1" 2>/dev/null)" = "$2" ] && return 0; sleep 0.05; done
	return 1
}

# Waits up to 5 s for every process whose pid is a line of FILE to end;
# fails if one has not.
all_ended() { # FILE
	local p alive
	for _ in $(seq 100); do
		alive=0
		for p in $(cat "$1"); do kill -0 "$p" 2>/dev/null && alive=1; done
		[ "$alive" = 0 ] && return 0
		sleep 0.05
	done
	return 1
}

# sm-split on j.feat, two chunks of 4 to 8 s at a time, each chunk's one
# stage CMD, which adds a process id to FILE: once FILE has 2, SIGTERM to
# sm-split; it must die by it (143) and every process of FILE must end.
term_stops() { # CMD FILE
	local job st=0
	sm-split -j 2 --min-input 0 --chunk-min 4 --chunk-max 8 -c "$1" "$D/j.feat" >/dev/null 2>&1 &
	job=$!
	has_lines "$2" 2
	kill -TERM "$job"
	wait "$job" || st=$?
	[ "$st" -eq 143 ]
	all_ended "$2"
}

# The end of the last item of a best path.
hyp_end() { printf '%.2f' "$(grep -v '^#' "$1" | tail -n 1 | cut -f 2)"; }

setup() {
	setup_scratch
	D=$BATS_FILE_TMPDIR
}

# The chunks a run cut, from -v: one "FIRST END" line each, in seconds.
chunks() { sed -n 's/^sm-split: chunk [0-9]*: \([0-9.]*\) \(s \)*to \([0-9.]*\|the end\).*/\1 \3/p' "$1"; }

@test "-j 1: the output is byte for byte that of sm-am | sm-lattice on the whole stream" {
	run -0 --separate-stderr sm-split -c "$AM" -c "$LAT" "$D/j.feat"
	[ -z "$stderr" ]
	diff <(printf '%s\n' "$output") "$D/whole.hyp"
}

@test "-j 2 on an input shorter than --min-input (default 60 s): one chunk, the whole stream's words" {
	run -0 --separate-stderr sm-split -v -j 2 -c "$AM" -c "$LAT" "$D/j.feat"
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ "${stderr_lines[0]}" =~ ^"sm-split: chunk 1: 0.00 s to the end, process group "[0-9]+$ ]]
	[[ "${stderr_lines[1]}" =~ ^"sm-split: chunk 1: done after "[0-9.]+" s"$ ]]
	diff <(printf '%s\n' "$output") "$D/whole.hyp"
}

@test "short chunks: one #sm-hyp 1 document whose items cover the audio without gaps, in time order, timed from its start" {
	run -0 --separate-stderr sm-split -v -j 2 --min-input 0 --chunk-min 4 --chunk-max 8 \
		-c "$AM" -c "$LAT" "$D/j.feat"
	printf '%s\n' "$stderr" >"$SCRATCH/err"
	[ "$(chunks "$SCRATCH/err" | wc -l)" -ge 3 ]
	printf '%s\n' "$output" >"$SCRATCH/hyp"
	[ "$(head -n 1 "$SCRATCH/hyp")" = "#sm-hyp 1" ]
	[ "$(tail -n 1 "$SCRATCH/hyp")" = "#end" ]
	[ "$(grep -c '^#' "$SCRATCH/hyp")" -eq 2 ]
	# Each START the END before it; the first 0, the last END the whole stream's.
	awk -F '\t' '!/^#/ { if ($1 != (NR == 2 ? "0.000" : prev)) { print "gap at line " NR; exit 1 } prev = $2 }
		END { print prev }' "$SCRATCH/hyp" >"$SCRATCH/last"
	[ "$(cat "$SCRATCH/last")" = "$(grep -v '^#' "$D/whole.hyp" | tail -n 1 | cut -f 2)" ]
	# Every cut is where a chunk's best path has a pause or a word boundary.
	for t in $(chunks "$SCRATCH/err" | awk '$2 != "the" { printf "%.3f\n", $2 }'); do
		grep -q "^$t	" "$SCRATCH/hyp"
	done
}

@test "chunks cut in the pauses between utterances: three chunks, a word error rate no worse than the whole stream's" {
	run -0 --separate-stderr sm-split -v -j 2 --min-input 0 --chunk-min 8 --chunk-max 12 \
		-c "$AM" -c "$LAT" "$D/g.feat"
	printf '%s\n' "$stderr" >"$SCRATCH/err"
	# The gaps are at 7.10-7.60, 10.59-11.09, 16.39-16.89 and 22.44-22.94 s:
	# three chunks, the first from 0, each of the others from inside a gap.
	chunks "$SCRATCH/err" | awk '{ print $1 }' >"$SCRATCH/starts"
	cat "$SCRATCH/starts"
	[ "$(wc -l <"$SCRATCH/starts")" -eq 3 ]
	awk 'NR == 1 { if ($1 != "0.00") bad = 1; next }
		!(($1 > 7.10 && $1 < 7.60) || ($1 > 10.59 && $1 < 11.09) ||
		  ($1 > 16.39 && $1 < 16.89) || ($1 > 22.44 && $1 < 22.94)) { bad = 1 }
		END { exit bad }' "$SCRATCH/starts"
	printf '%s\n' "$output" >"$SCRATCH/chunked.hyp"
	# The readers' text, against both best paths.
	printf 'g\t%s\t%s\t27\n' "$D/gaps.wav" "$(sed 's/ *([^)]*)$//' "$PS_DATA/librivox/transcription" | tr '\n' ' ')" >"$SCRATCH/m.tsv"
	for h in "$D/gwhole.hyp" "$SCRATCH/chunked.hyp"; do
		printf 'g\t%s\n' "$(awk -F '\t' '$4 == "word" { printf "%s ", $5 }' "$h")" >"$SCRATCH/h.tsv"
		python3 "$SM_ROOT/tests/corpus/wer.py" "$SCRATCH/m.tsv" "$SCRATCH/h.tsv" | sed -n 's/.*WER=\([0-9.]*\)%.*/\1/p' | head -n 1
	done >"$SCRATCH/wer"
	[ "$(wc -l <"$SCRATCH/wer")" -eq 2 ]
	awk 'NR == 1 { w = $1 } NR == 2 { exit !($1 <= w) }' "$SCRATCH/wer"
}

@test "each chunk's stream is the input's header with start_sample and n_frames of the chunk, its frames the input's, in order" {
	sm-split -j 3 --min-input 0 --chunk-min 4 --chunk-max 8 \
		-c "cat >$SCRATCH/c.\$SM_CHUNK; printf '#sm-hyp 1\\n#end\\n'" "$D/j.feat" >"$SCRATCH/out"
	[ "$(cat "$SCRATCH/out")" = "$(printf '#sm-hyp 1\n#end')" ]
	n=$(ls "$SCRATCH"/c.* | wc -l)
	[ "$n" -ge 3 ]
	start=0
	: >"$SCRATCH/frames"
	for i in $(seq "$n"); do
		h=$(sm-dump -n 0 "$SCRATCH/c.$i" 2>&1 | head -n 1)
		frames=$(( ($(stat -c %s "$SCRATCH/c.$i") - 48) / 156 ))
		[ "$h" = "SMST version=1 kind=FEAT type=f32 rate=16000 dim=39 shift=160 flags=0x2 start=$start frames=$frames" ]
		start=$((start + frames * 160))
		tail -c +49 "$SCRATCH/c.$i" >>"$SCRATCH/frames"
	done
	cmp "$SCRATCH/frames" <(tail -c +49 "$D/j.feat")
}

@test "the first chunk's target is at most a minute, the next ones what remains over 2n: the first pipeline starts before a quarter of a long input is read" {
	# 16 times the 27 s of gaps.wav's features: 432 s, whose first chunk
	# would otherwise be about 108 s
	python3 -c "import struct, sys
d = open(sys.argv[1], 'rb').read(); h = bytearray(d[:48]); f = d[48:]
struct.pack_into('<Q', h, 40, 16 * (len(f) // 156))
open(sys.argv[2], 'wb').write(bytes(h) + 16 * f)" "$D/g.feat" "$SCRATCH/long.feat"
	run -0 --separate-stderr sm-split -v -j 2 \
		-c "cat >/dev/null; printf '#sm-hyp 1\\n#end\\n'" "$SCRATCH/long.feat"
	# chunk 1 ends within a quarter of 60 s of 60 s; chunk 2 within a
	# quarter of its target of what remains over 4 of its target
	t=$(( $(sm-dump -H "$SCRATCH/long.feat" | sed 's/.*frames=//') / 100 ))
	printf '%s\n' "${stderr_lines[@]}" | awk -v t="$t" '
		/^sm-split: chunk 1: .* to / { e1 = $6 }
		/^sm-split: chunk 2: .* to / { s2 = $4; e2 = $6 }
		END { l = (t - e1) / 4
		      exit !(e1 >= 45 && e1 <= 75 && s2 == e1 && e2 - s2 >= 0.75 * l - 1 && e2 - s2 <= 1.25 * l + 1) }'
}

@test "--input3: every stage of every chunk reads the file's content on fd 3; SM_CHUNK numbers the chunks" {
	printf 'Speechmatics\tspeech mattics\n' >"$SCRATCH/v"
	sm-split -j 2 --min-input 0 --chunk-min 4 --chunk-max 8 --input3 "$SCRATCH/v" \
		-c "cat <&3 >$SCRATCH/a.\$SM_CHUNK; cat" \
		-c "cat <&3 >$SCRATCH/b.\$SM_CHUNK; cat >/dev/null; printf '#sm-hyp 1\\n#end\\n'" \
		<"$D/j.feat" >/dev/null
	n=$(ls "$SCRATCH"/a.* | wc -l)
	[ "$n" -ge 3 ]
	for i in $(seq "$n"); do
		cmp "$SCRATCH/a.$i" "$SCRATCH/v"
		cmp "$SCRATCH/b.$i" "$SCRATCH/v"
	done
}

@test "--carry: each chunk's stages read on fd 4 what the chunk before wrote on its fd 5, the first an empty stream; fds 3 to 5 with --input3 too" {
	printf 'v\n' >"$SCRATCH/v"
	sm-split -j 2 --carry --min-input 0 --chunk-min 4 --chunk-max 8 --input3 "$SCRATCH/v" \
		-c "cat" \
		-c "cat <&3 >$SCRATCH/v.\$SM_CHUNK; cat <&4 >$SCRATCH/in.\$SM_CHUNK; echo \"from \$SM_CHUNK\" >&5; cat >/dev/null; printf '#sm-hyp 1\\n#end\\n'" \
		<"$D/j.feat" >/dev/null
	n=$(ls "$SCRATCH"/in.* | wc -l)
	[ "$n" -ge 3 ]
	[ ! -s "$SCRATCH/in.1" ]
	for i in $(seq 2 "$n"); do
		[ "$(cat "$SCRATCH/in.$i")" = "from $((i - 1))" ]
		cmp "$SCRATCH/v.$i" "$SCRATCH/v"
	done
}

@test "--carry with sm-lattice --cache-in /dev/fd/4 --cache-out /dev/fd/5: the caches pass from chunk to chunk, the words those of sm-am | sm-lattice on the whole stream" {
	run -0 --separate-stderr sm-split -j 2 --carry --min-input 0 --chunk-min 4 --chunk-max 8 -v \
		-c "$AM" -c "$LAT --cache-in /dev/fd/4 --cache-out /dev/fd/5 -v" "$D/j.feat"
	[ "$(grep -c 'chunk [0-9]*: done' <<<"$stderr")" -ge 3 ]
	grep -q 'words in the cache' <<<"$stderr"
	diff <(awk -F '\t' '$4 == "word" { print $5 }' "$D/whole.hyp") \
		<(awk -F '\t' '$4 == "word" { print $5 }' <<<"$output")
}

@test "--progress: DONE TOTAL lines in seconds, never decreasing, the last the input's length" {
	run -0 sm-split -j 2 --min-input 0 --chunk-min 4 --chunk-max 8 --progress "$SCRATCH/p" \
		-c "$AM" -c "$LAT" "$D/j.feat"
	total=$(awk -F '\t' '!/^#/ { e = $2 } END { printf "%.1f", e }' "$D/whole.hyp")
	[ "$(wc -l <"$SCRATCH/p")" -ge 3 ]
	awk -v t="$total" '$2 != t || $1 < prev || $1 > $2 { print "bad line " NR ": " $0; exit 1 } { prev = $1 }' "$SCRATCH/p"
	[ "$(tail -n 1 "$SCRATCH/p")" = "$total $total" ]
}

@test "a stage of a chunk that fails with 65 to 78 and says why: that status and its line only, no output" {
	run -66 --separate-stderr sm-split -j 2 --min-input 0 --chunk-min 4 --chunk-max 8 -c "$AM" \
		-c "if [ \"\$SM_CHUNK\" = 2 ]; then cat >/dev/null; echo 'my-search: no model' >&2; exit 66; fi; $LAT" \
		"$D/j.feat"
	[ "$stderr" = "my-search: no model" ]
	[ -z "$output" ]
}

@test "a stage killed by a signal: exit 70 and one line naming the chunk, its times and the command" {
	run -70 --separate-stderr sm-split -c "$AM" -c 'cat >/dev/null; kill -KILL $$' "$D/j.feat"
	[ "$stderr" = "sm-split: chunk 1 (0.00 to $(hyp_end "$D/whole.hyp") s): cat >/dev/null; kill -KILL \$\$: killed by signal 9 (SIGKILL)" ]
}

@test "the first stage failing (sm-am on a cut stream) is blamed, not the search that lost its input" {
	run -65 --separate-stderr sm-split -c 'head -c 1000 | sm-am' -c "$LAT" "$D/j.feat"
	# 1000 bytes: the header and 6 frames and 16 bytes.
	[ "$stderr" = "sm-am: <stdin>: truncated frame (16 of 156 bytes)" ]
}

@test "a stage that stops reading and exits 0: exit 70, 'exited before reading all of its input'" {
	run -70 --separate-stderr sm-split -c "head -c 100 >/dev/null; printf '#sm-hyp 1\\n#end\\n'" "$D/j.feat"
	[ "$stderr" = "sm-split: chunk 1 (0.00 to $(hyp_end "$D/whole.hyp") s): head -c 100 >/dev/null; printf '#sm-hyp 1\\n#end\\n': exited before reading all of its input" ]
}

@test "a chunk's output that is not a whole #sm-hyp 1 document: exit 70, nothing of it written" {
	run -70 --separate-stderr sm-split -c "cat >/dev/null; echo '#sm-hyp 1'" "$D/j.feat"
	[ "$stderr" = "sm-split: chunk 1 (0.00 to $(hyp_end "$D/whole.hyp") s): the output of cat >/dev/null; echo '#sm-hyp 1' is not a whole #sm-hyp 1 document (from \"#sm-hyp 1\" to \"#end\")" ]
	[ -z "$output" ]
	# "#end" run on to the last item's line is no end line.
	run -70 --separate-stderr sm-split -c "cat >/dev/null; printf '#sm-hyp 1\\nxxx#end\\n'" "$D/j.feat"
	[[ "$stderr" =~ "is not a whole #sm-hyp 1 document" ]]
	[ -z "$output" ]
}

@test "bad input: a PCM stream, no -c, a bad -j: one line each, exit 65 or 64" {
	sm-decode "$LV-0870.wav" >"$SCRATCH/pcm"
	run -65 --separate-stderr sm-split -c cat "$SCRATCH/pcm"
	[ "$stderr" = "sm-split: $SCRATCH/pcm: expected FEAT stream, got PCM" ]
	[ -z "$output" ]
	run -64 --separate-stderr sm-split "$D/j.feat"
	[ "${stderr_lines[0]}" = "sm-split: -c: missing (the stages of each chunk's pipeline)" ]
	run -64 --separate-stderr sm-split -j 0 -c cat "$D/j.feat"
	[[ "${stderr_lines[0]}" =~ ^sm-split:\ -j: ]]
}

@test "SIGTERM to sm-split stops every chunk's stages, and sm-split dies by it" {
	term_stops "echo \$\$ >>$SCRATCH/pids; exec sleep 60" "$SCRATCH/pids"
}

@test "SIGTERM while sm-split waits for its input: it dies by it at once" {
	{ head -c 48 "$D/j.feat"; exec sleep 30; } | sm-split -j 2 -c cat >/dev/null 2>&1 &
	job=$!
	sleep 0.5
	kill -TERM "$job"
	for _ in $(seq 20); do kill -0 "$job" 2>/dev/null || break; sleep 0.1; done
	run kill -0 "$job"
	[ "$status" -ne 0 ]
	st=0
	wait "$job" || st=$?
	[ "$st" -eq 143 ]
}

# tests/slowfork.c holds the child of sm-split's first fork for 2 s, as a
# loaded machine may, and SIGTERM comes in that time: the child must not
# take it with sm-split's handler (which would lose it there) and go on to
# run its stage after sm-split has died.
@test "SIGTERM just after a stage's fork: the stage never runs (the signal waits, blocked, for the child's default action), sm-split dies by it" {
	cc -shared -fPIC -o "$SCRATCH/slowfork.so" "$SM_ROOT/tests/slowfork.c" -ldl
	# (under SANITIZE=1 the sanitizer's runtime need not come first)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		LD_PRELOAD="$SCRATCH/slowfork.so" SLOWFORK_K=1 SLOWFORK_MS=2000 \
		sm-split -j 2 -c "echo \$\$ >>$SCRATCH/pids; exec sleep 60" <"$D/j.feat" >/dev/null 2>&1 &
	job=$!
	sleep 0.5
	kill -TERM "$job"
	st=0
	wait "$job" || st=$?
	[ "$st" -eq 143 ]
	sleep 2.5
	touch "$SCRATCH/pids"
	run cat "$SCRATCH/pids"
	[ -z "$(cat "$SCRATCH/pids")" ] || kill -KILL $(cat "$SCRATCH/pids") 2>/dev/null || true
	assert_output ""
}

@test "a header whose frame count is wrong, more or fewer: exit 65, sm-split's one line, nothing on stdout" {
	for n in 7416 824; do
		python3 -c "import struct, sys; d = bytearray(open(sys.argv[1], 'rb').read()); struct.pack_into('<Q', d, 40, $n); open(sys.argv[2], 'wb').write(d)" \
			"$D/j.feat" "$SCRATCH/x.feat"
		run -65 --separate-stderr sm-split -j 2 --min-input 0 --chunk-min 4 --chunk-max 8 -c "$AM" -c "$LAT" "$SCRATCH/x.feat"
		[ -z "$output" ]
		case $n in
		7416) [ "$stderr" = "sm-split: $SCRATCH/x.feat: stream has 2472 frames, its header says 7416" ] ;;
		824) [ "$stderr" = "sm-split: $SCRATCH/x.feat: stream has more than 824 frames, its header says 824" ] ;;
		esac
	done
}

@test "a chunk failing after others succeeded: nothing on stdout, neither the others' warnings, only its stage's line" {
	run -65 --separate-stderr sm-split -j 2 --min-input 0 --chunk-min 4 --chunk-max 8 \
		-c "echo \"warning \$SM_CHUNK\" >&2; if [ \"\$SM_CHUNK\" = 4 ]; then cat >/dev/null; echo 'x: bad' >&2; exit 65; fi; $AM" \
		-c "$LAT" "$D/j.feat"
	[ -z "$output" ]
	[ "$stderr" = "$(printf 'warning 4\nx: bad')" ]
}

@test "--chunk-min more than --chunk-max: usage error, exit 64" {
	run -64 --separate-stderr sm-split --chunk-min 10 --chunk-max 5 -c cat "$D/j.feat"
	[ "${stderr_lines[0]}" = "sm-split: --chunk-min 10: more than --chunk-max 5" ]
}

@test "SIGTERM also stops what a chunk's stage left in the background holding the chunk's output" {
	term_stops "cat >/dev/null; (sleep 37 & echo \$! >>$SCRATCH/bg); printf '#sm-hyp 1\\n#end\\n'" \
		"$SCRATCH/bg"
}

@test "SM_SETSID=1: sm-split leads a session of its own and its chunks' stages do not get the variable; without it, it stays in its caller's" {
	rec="echo \"\${SM_SETSID-unset} \$(cut -d ' ' -f 6 /proc/\$PPID/stat) \$PPID\" >$SCRATCH/s; cat >/dev/null; printf '#sm-hyp 1\\n#end\\n'"
	SM_SETSID=1 sm-split -c "$rec" "$D/j.feat" >/dev/null
	read -r v sid pid <"$SCRATCH/s"
	[ "$v" = unset ] && [ "$sid" = "$pid" ]
	sm-split -c "$rec" "$D/j.feat" >/dev/null
	read -r v sid pid <"$SCRATCH/s"
	[ "$v" = unset ] && [ "$sid" != "$pid" ]
}

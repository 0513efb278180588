#!/usr/bin/env bats
# Narrowband (telephone) input: sm-decode's flag, sm-features --band and the
# pack's narrowband map, on the asterisk prompts Debian ships both as 16 kHz
# G.722 and as 8 kHz telephone WAVs of the same takes.
load test_helper

setup() { setup_scratch; }

# The "N of M frames narrowband" line of sm-features -v for a PCM stream.
narrow_count() { # PCM [OPTION...]
	local pcm=$1
	shift
	sm-features -v --warp 1 "$@" "$pcm" 2>&1 >/dev/null | sed -n 's/.*: \([0-9]* of [0-9]*\) frames narrowband.*/\1/p'
}

@test "sm-decode flags an 8 kHz WAV as narrowband and its 16 kHz take not" {
	sm-decode "$AST_DIR/agent-alreadyon.wav" | sm-dump | head -n 1 > "$SCRATCH/h8"
	asterisk16 agent-alreadyon "$SCRATCH/a.wav"
	sm-decode "$SCRATCH/a.wav" | sm-dump | head -n 1 > "$SCRATCH/h16"
	run -0 cat "$SCRATCH/h8"
	assert_output --partial 'rate=16000 dim=1 shift=1 flags=0x4 '
	run -0 cat "$SCRATCH/h16"
	assert_output --partial 'rate=16000 dim=1 shift=1 flags=0x0 '
}

@test "--band auto takes every frame of the 8 kHz WAV as narrowband, by the flag and by its spectrum, and none of the 16 kHz take" {
	sm-decode "$AST_DIR/agent-alreadyon.wav" > "$SCRATCH/p8"
	# the same audio resampled by sox: a 16 kHz WAV, no flag
	sox "$AST_DIR/agent-alreadyon.wav" -r 16000 "$SCRATCH/up.wav"
	sm-decode "$SCRATCH/up.wav" > "$SCRATCH/up"
	sm-dump "$SCRATCH/up" | head -n 1 | grep -q 'flags=0x0 '
	asterisk16 agent-alreadyon "$SCRATCH/a.wav"
	sm-decode "$SCRATCH/a.wav" > "$SCRATCH/p16"
	run -0 narrow_count "$SCRATCH/p8"
	assert_output "551 of 551"
	run -0 narrow_count "$SCRATCH/up"
	assert_output "551 of 551"
	run -0 narrow_count "$SCRATCH/p16"
	assert_output "0 of 551"
	run -0 narrow_count "$SCRATCH/p16" --band narrow
	assert_output "551 of 551"
	run -0 narrow_count "$SCRATCH/p8" --band wide
	assert_output "0 of 551"
}

@test "--band auto finds an 8 kHz stretch between two 16 kHz ones in one recording" {
	asterisk16 agent-alreadyon "$SCRATCH/a.wav"
	sox "$AST_DIR/vm-intro.wav" -r 16000 "$SCRATCH/mid.wav"
	sox "$SCRATCH/a.wav" "$SCRATCH/mid.wav" "$SCRATCH/a.wav" "$SCRATCH/all.wav"
	sm-decode "$SCRATCH/all.wav" > "$SCRATCH/pcm"
	mid=$(sm-decode "$SCRATCH/mid.wav" | sm-features --warp 1 --cepstra | sm-dump | tail -n +2 | wc -l)
	run -0 narrow_count "$SCRATCH/pcm"
	echo "$output of which $mid in the 8 kHz stretch" >&3
	n=${output%% of *}
	# all but the frames near its two ends, and nothing else
	[ "$n" -le "$mid" ]
	[ "$n" -ge $((mid - 100)) ]
}

@test "the map replaces the log energies of the 6 filters above 3.4 kHz of a narrowband frame, and no others" {
	sm-decode "$AST_DIR/agent-alreadyon.wav" > "$SCRATCH/p8"
	sm-features --log-mel --band wide "$SCRATCH/p8" | sm-dump -p 4 | tail -n +2 > "$SCRATCH/w"
	sm-features --log-mel "$SCRATCH/p8" | sm-dump -p 4 | tail -n +2 > "$SCRATCH/n"
	[ "$(wc -l < "$SCRATCH/w")" -eq 551 ]
	# per filter: the frames whose value changed
	run -0 awk 'NR == FNR { for (i = 1; i <= NF; i++) a[FNR, i] = $i; next }
		{ for (i = 1; i <= NF; i++) if (a[FNR, i] != $i) d[i]++; nf = NF }
		END { for (i = 1; i <= nf; i++) printf "%d ", d[i] + 0 }' "$SCRATCH/w" "$SCRATCH/n"
	assert_output --regexp '^(0 ){19}(5[0-9][0-9] ){6}$'
	# and the features change with it
	sm-features "$SCRATCH/p8" > "$SCRATCH/f8"
	run -1 cmp -s "$SCRATCH/f8" <(sm-features --band wide "$SCRATCH/p8")
}

@test "--band auto leaves wideband input bit for bit as --band wide" {
	asterisk16 agent-alreadyon "$SCRATCH/a.wav"
	sm-decode "$SCRATCH/a.wav" > "$SCRATCH/p16"
	sm-features "$SCRATCH/p16" > "$SCRATCH/auto"
	sm-features --band wide "$SCRATCH/p16" > "$SCRATCH/wide"
	cmp "$SCRATCH/auto" "$SCRATCH/wide"
	for w in "$PS_DATA"/librivox/*.wav; do
		sm-decode "$w" > "$SCRATCH/lv"
		sm-features "$SCRATCH/lv" | cmp - <(sm-features --band wide "$SCRATCH/lv")
	done
}

@test "a pack without a narrowband map changes no frame" {
	mkdir -p "$SCRATCH/m/en"
	grep -v '^narrowband' "$SM_MODELS/en/pack.conf" > "$SCRATCH/m/en/pack.conf"
	sm-decode "$AST_DIR/agent-alreadyon.wav" > "$SCRATCH/p8"
	SM_MODELS=$SCRATCH/m sm-features --warp 1 "$SCRATCH/p8" > "$SCRATCH/nomap"
	sm-features --warp 1 --band wide "$SCRATCH/p8" | cmp - "$SCRATCH/nomap"
}

@test "rejects a bad --band, --cepstra with --log-mel, and a bad map with one line" {
	run --separate-stderr -64 sm-features --band half /dev/null
	assert_equal "$stderr" "sm-features: --band: expected wide, narrow or auto, got 'half'"
	run --separate-stderr -64 sm-features --cepstra --log-mel /dev/null
	assert_equal "$stderr" "sm-features: --cepstra and --log-mel: choose one"
	mkdir -p "$SCRATCH/m/en"
	sed 's|^narrowband.*|narrowband = bad.txt|' "$SM_MODELS/en/pack.conf" > "$SCRATCH/m/en/pack.conf"
	printf 'sm-nb-map 1 25 19 19\n1 2 3\n' > "$SCRATCH/m/en/bad.txt"
	sm-decode "$AST_DIR/activated.wav" > "$SCRATCH/p8"
	SM_MODELS=$SCRATCH/m run --separate-stderr -78 sm-features --warp 1 "$SCRATCH/p8"
	assert_equal "$stderr" "sm-features: $SCRATCH/m/en/bad.txt:2: expected 20 numbers"
	assert_equal "$output" ""
}

@test "nb-train finds the 8 kHz takes in step with the 16 kHz ones and writes a map sm-features reads" {
	: > "$SCRATCH/list"
	for id in agent-alreadyon vm-intro conf-getpin; do
		asterisk16 "$id" "$SCRATCH/w.wav"
		f=$SCRATCH/${id//\//_}
		sm-decode "$SCRATCH/w.wav" | sm-features --band wide --warp 1 --log-mel > "$f.w"
		sm-decode "$AST_DIR/$id.wav" | sm-features --band wide --warp 1 --log-mel > "$f.n"
		echo "$f.w $f.n" >> "$SCRATCH/list"
	done
	run --separate-stderr -0 "$SM_ROOT/build/nb-train" "$SCRATCH/list" "$SCRATCH/map.txt"
	assert_equal "${stderr%%$'\n'*}" "nb-train: 3 pairs, $(cat "$SCRATCH"/*.n | wc -c | awk '{ print ($1 - 3 * 48) / 100 }') frames; offsets: 0 (3)"
	mkdir -p "$SCRATCH/m/en"
	sed 's|^narrowband.*|narrowband = '"$SCRATCH/map.txt"'|' "$SM_MODELS/en/pack.conf" > "$SCRATCH/m/en/pack.conf"
	sm-decode "$AST_DIR/agent-alreadyon.wav" > "$SCRATCH/p8"
	SM_MODELS=$SCRATCH/m sm-features --log-mel "$SCRATCH/p8" > "$SCRATCH/mapped"
	run -1 cmp -s "$SCRATCH/mapped" "$SCRATCH/agent-alreadyon.n"
	run -0 cmp -s "$SCRATCH/mapped" <(SM_MODELS=$SCRATCH/m sm-features --log-mel --band narrow "$SCRATCH/p8")
}

@test "each warp's filters get the map learned with the nearest warp's" {
	run -0 grep -c '^sm-nb-map 1 25 19 19 ' "$SM_MODELS/en/narrowband.txt"
	assert_output 5
	# a pack with only the map of warp 1
	mkdir -p "$SCRATCH/m/en"
	sed 's|^narrowband.*|narrowband = one.txt|' "$SM_MODELS/en/pack.conf" > "$SCRATCH/m/en/pack.conf"
	awk '/^#/ { next } /^sm-nb-map/ { on = $6 == 1 } on' "$SM_MODELS/en/narrowband.txt" > "$SCRATCH/m/en/one.txt"
	[ "$(wc -l < "$SCRATCH/m/en/one.txt")" -eq 7 ]
	sm-decode "$AST_DIR/agent-alreadyon.wav" > "$SCRATCH/p8"
	for w in 1 1.12; do
		sm-features --warp "$w" --log-mel "$SCRATCH/p8" > "$SCRATCH/all.$w"
		SM_MODELS=$SCRATCH/m sm-features --warp "$w" --log-mel "$SCRATCH/p8" > "$SCRATCH/one.$w"
	done
	cmp "$SCRATCH/all.1" "$SCRATCH/one.1"
	run -1 cmp -s "$SCRATCH/all.1.12" "$SCRATCH/one.1.12"
}

@test "--warp-by stretch gives a telephone stretch the input's warp, chosen on its wideband frames" {
	asterisk16 agent-alreadyon "$SCRATCH/a.wav"
	sox "$AST_DIR/vm-intro.wav" -r 16000 "$SCRATCH/mid.wav"
	sox "$SCRATCH/a.wav" "$SCRATCH/mid.wav" "$SCRATCH/all.wav"
	sm-decode "$SCRATCH/all.wav" > "$SCRATCH/pcm"
	run --separate-stderr -0 sm-features -v "$SCRATCH/pcm"
	echo "$stderr" >&3
	[[ ${stderr_lines[0]} =~ :\ warp\ ([0-9.]+)\ for\ the\ input$ ]]
	local w=${BASH_REMATCH[1]} inherited=0
	# the input's warp is that of the 16 kHz prompt alone
	[[ $(sm-decode "$SCRATCH/a.wav" | sm-features -v --warp-by input 2>&1 >/dev/null | head -n 1) =~ :\ warp\ $w\ \( ]]
	# every stretch after the 16 kHz prompt (5.5 s) takes it
	for l in "${stderr_lines[@]}"; do
		[[ $l =~ :\ ([0-9.]+)-[0-9.]+\ s:\ warp\ (.*)$ ]] || continue
		awk -v s="${BASH_REMATCH[1]}" 'BEGIN { exit !(s >= 5.5) }' || continue
		assert_equal "${BASH_REMATCH[2]}" "$w (under 1 s of wideband frames: the input's)"
		inherited=$((inherited + 1))
	done
	[ "$inherited" -ge 2 ]
}

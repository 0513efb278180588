#!/usr/bin/env bats
load test_helper

setup() { setup_scratch; }

LIB=$PS_DATA/librivox
SPEECH16=$LIB/sense_and_sensibility_01_austen_64kb-0870.wav	# 7.1 s, 16 kHz
SPEECH8=$AST_DIR/vm-intro.wav					# 8 kHz

# The header line of sm-decode's output for the given arguments.
hdr() { sm-decode "$@" > "$SCRATCH/hdr.out" && sm-dump -H "$SCRATCH/hdr.out"; }
# The frame count in a header line.
frames_of() { sed -n 's/.* frames=\([0-9]*\)$/\1/p'; }
# Succeeds when $1 is within $3 of $2.
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; exit !(d <= t && -d <= t) }'; }

# A canonical 16-bit PCM WAV header with any rate, channels and frame count.
wav() { # RATE CHANNELS FRAMES
	python3 -c '
import struct, sys
rate, ch, n = (int(a) for a in sys.argv[1:])
d = bytes(n * 2 * ch)
fmt = struct.pack("<IHHIIHH", 16, 1, ch, rate, (rate * 2 * ch) & 0xffffffff, (2 * ch) & 0xffff, 16)
sys.stdout.buffer.write(b"RIFF" + struct.pack("<I", 36 + len(d)) + b"WAVEfmt " + fmt
                        + b"data" + struct.pack("<I", len(d)) + d)' "$@"
}

@test "passes a 16 kHz 16-bit WAV through bit-exactly with the frame count in the header" {
	run -0 hdr "$SPEECH16"
	assert_output "SMST version=1 kind=PCM type=s16 rate=16000 dim=1 shift=1 flags=0x0 start=0 frames=113600"
	sox "$SPEECH16" -t raw "$SCRATCH/want.raw"
	sm-decode "$SPEECH16" | tail -c +49 > "$SCRATCH/got.raw"
	cmp "$SCRATCH/want.raw" "$SCRATCH/got.raw"
}

# DIR/runs.wav, 16 kHz: 0.1 s each of zeros, a dither of -1..1, a DC offset
# of 40 with a dither of -2..2 and a plateau of 1000, each followed by 10 ms
# of a loud square wave, then the LibriVox recording; with DIR/runs.raw, the
# same samples headerless.
silence_runs() { # DIR
	sox "$SPEECH16" -t raw "$1/speech.raw"
	python3 -c '
import random, struct, sys
random.seed(7)
loud = [5000, -5000] * 80
r = [0] * 1600 + loud + [random.choice((-1, 0, 1)) for _ in range(1600)] + loud
r += [40 + random.randint(-2, 2) for _ in range(1600)] + loud + [1000] * 1600 + loud
sys.stdout.buffer.write(struct.pack("<%dh" % len(r), *r))' > "$1/runs.raw"
	cat "$1/speech.raw" >> "$1/runs.raw"
	sox -t raw -r 16000 -e signed -b 16 -c 1 "$1/runs.raw" "$1/runs.wav"
}

@test "digital silence (zeros, a dithered zero, a dithered DC offset) goes on after its first 10 ms as noise within +-16; a plateau of 1000, loud sound and speech are kept" {
	silence_runs "$SCRATCH"
	sm-decode "$SCRATCH/runs.wav" | tail -c +49 > "$SCRATCH/got.raw"
	run -0 python3 -c '
import struct, sys
got = open(sys.argv[1], "rb").read()
want = open(sys.argv[2], "rb").read()
g = struct.unpack("<%dh" % (len(got) // 2), got)
w = struct.unpack("<%dh" % (len(want) // 2), want)
assert len(g) == len(w)
for k in range(3):  # the three silences: first 10 ms kept, the rest noise
	a = 1760 * k
	assert g[a:a + 160] == w[a:a + 160], k
	rest = g[a + 160:a + 1600]
	assert max(abs(x) for x in rest) <= 16, k
	assert len(set(rest)) >= 20 and rest != w[a + 160:a + 1600], k
	assert g[a + 1600:a + 1760] == w[a + 1600:a + 1760], k  # the square wave
assert g[3 * 1760:] == w[3 * 1760:]  # the plateau, the square wave, the speech
print("ok")' "$SCRATCH/got.raw" "$SCRATCH/runs.raw"
	assert_output ok
}

@test "--keep-zeros writes digital silence as it is, bit for bit" {
	silence_runs "$SCRATCH"
	sm-decode --keep-zeros "$SCRATCH/runs.wav" | tail -c +49 > "$SCRATCH/got.raw"
	cmp "$SCRATCH/runs.raw" "$SCRATCH/got.raw"
}

@test "digital silence is filled the same whether the WAV is read from a file or a pipe, resampled or not" {
	silence_runs "$SCRATCH"
	sm-decode "$SCRATCH/runs.wav" > "$SCRATCH/file"
	cat "$SCRATCH/runs.wav" | sm-decode > "$SCRATCH/pipe"
	cmp "$SCRATCH/file" "$SCRATCH/pipe"
	sox "$SCRATCH/runs.wav" -r 8000 "$SCRATCH/runs8.wav"
	sm-decode -r 8000 "$SCRATCH/runs8.wav" > "$SCRATCH/r8"
	sm-decode -r 8000 < "$SCRATCH/runs8.wav" > "$SCRATCH/r8pipe"
	cmp "$SCRATCH/r8" "$SCRATCH/r8pipe"
}

@test "a prompt between stretches of dithered digital silence is recognised as twice the prompt alone; kept as digital silence it gains words" {
	asterisk16 auth-thankyou "$SCRATCH/p.wav"
	sox -n -r 16000 -c 1 -b 16 "$SCRATCH/z.wav" trim 0 1.5
	sox "$SCRATCH/z.wav" "$SCRATCH/p.wav" "$SCRATCH/z.wav" "$SCRATCH/p.wav" "$SCRATCH/z.wav" "$SCRATCH/zp.wav"
	words() { sm-decode "$@" | sm-features | sm-am | sm-lattice | awk '$4 == "word" { printf "%s ", $5 }'; }
	alone=$(words "$SCRATCH/p.wav")
	[ -n "$alone" ]
	run -0 words "$SCRATCH/zp.wav"
	assert_output "$alone$alone"
	run -0 words --keep-zeros "$SCRATCH/zp.wav"
	refute_output "$alone$alone"
}

@test "stdin through a pipe gives the same bytes as the file path" {
	sm-decode "$SPEECH16" > "$SCRATCH/file"
	cat "$SPEECH16" | sm-decode > "$SCRATCH/pipe"
	cmp "$SCRATCH/file" "$SCRATCH/pipe"
	sox "$SPEECH8" -r 44100 -c 2 "$SCRATCH/s.flac"
	sm-decode "$SCRATCH/s.flac" > "$SCRATCH/file"
	cat "$SCRATCH/s.flac" | sm-decode - > "$SCRATCH/pipe"
	cmp "$SCRATCH/file" "$SCRATCH/pipe"
}

@test "decodes every common format and rate to 16 kHz with the input's duration" {
	local in=$SCRATCH/in.wav want
	sox "$SPEECH8" -r 16000 "$SCRATCH/a8.wav"
	sox "$SCRATCH/a8.wav" "$LIB/sense_and_sensibility_01_austen_64kb-0880.wav" "$in"
	want=$(( $(soxi -s "$in") ))
	sox "$in" -b 24 "$SCRATCH/a24.wav"
	sox "$in" -e floating-point -b 32 "$SCRATCH/afloat.wav"
	sox "$in" -r 8000 -e u-law "$SCRATCH/aulaw.wav"
	sox "$in" -r 8000 -e a-law "$SCRATCH/aalaw.wav"
	sox "$in" -r 22050 "$SCRATCH/a22.flac"
	sox "$in" -r 44100 -c 2 "$SCRATCH/a44.ogg"
	sox "$in" -r 48000 "$SCRATCH/a48.aiff"
	ffmpeg -nostdin -loglevel error -i "$in" -ar 48000 -c:a libopus "$SCRATCH/a.opus"
	ffmpeg -nostdin -loglevel error -i "$in" -ar 44100 -c:a libmp3lame "$SCRATCH/a.mp3"
	for f in a24.wav afloat.wav aulaw.wav aalaw.wav a22.flac a44.ogg a48.aiff a.opus a.mp3; do
		run -0 hdr "$SCRATCH/$f"
		[[ "$output" == "SMST version=1 kind=PCM type=s16 rate=16000 dim=1 shift=1 "* ]]
		got=$(frames_of <<< "$output")
		# The header count is the number of frames written.
		n=$(sm-decode "$SCRATCH/$f" | sm-dump | tail -n +2 | wc -l)
		assert_equal "$n" "$got"
		# MP3 and Opus encoders add up to a few tens of ms of padding.
		near "$got" "$want" 1200 || { echo "$f: $got frames, want $want"; false; }
	done
}

@test "24-bit and 32-bit float WAVs of 16-bit speech decode to its samples, bit for bit" {
	# sox widens each 16-bit sample exactly (24-bit: times 256; float:
	# divided by 32768), so the way back to int16 has one right answer.
	sox "$SPEECH16" -t raw - | od -An -v -td2 -w2 | tr -d ' ' > "$SCRATCH/want"
	[ "$(wc -l < "$SCRATCH/want")" -gt 100000 ]
	sox "$SPEECH16" -b 24 "$SCRATCH/a24.wav"
	sox "$SPEECH16" -e floating-point -b 32 "$SCRATCH/f32.wav"
	[ "$(soxi -e "$SCRATCH/f32.wav")/$(soxi -b "$SCRATCH/f32.wav")" = "Floating Point PCM/32" ]
	for f in a24 f32; do
		sm-decode "$SCRATCH/$f.wav" | sm-dump | tail -n +2 > "$SCRATCH/$f.got"
		cmp "$SCRATCH/$f.got" "$SCRATCH/want" || { echo "$f: samples differ"; return 1; }
	done
	# and a full-scale extreme of either sign survives both
	printf '%s\n' -32768 32767 -1 0 1 > "$SCRATCH/ext.txt"
	python3 -c '
import struct, sys
v = [int(x) for x in open(sys.argv[1])]
sys.stdout.buffer.write(struct.pack("<%dh" % len(v), *v))' "$SCRATCH/ext.txt" > "$SCRATCH/ext.raw"
	sox -t raw -r 16000 -e signed -b 16 -c 1 "$SCRATCH/ext.raw" -e floating-point -b 32 "$SCRATCH/extf.wav"
	sox -t raw -r 16000 -e signed -b 16 -c 1 "$SCRATCH/ext.raw" -b 24 "$SCRATCH/ext24.wav"
	for f in extf ext24; do
		sm-decode "$SCRATCH/$f.wav" | sm-dump | tail -n +2 > "$SCRATCH/$f.got"
		cmp "$SCRATCH/$f.got" "$SCRATCH/ext.txt" || { echo "$f: extremes differ"; return 1; }
	done
}

@test "-c picks one channel of a stereo file and the default mixes both" {
	# Left: speech; right: a 440 Hz tone at a quarter of full scale.
	sox "$SPEECH16" "$SCRATCH/l.wav"
	sox -n -r 16000 -b 16 "$SCRATCH/r.wav" synth "$(soxi -D "$SPEECH16")" sine 440 vol 0.25
	sox -M "$SCRATCH/l.wav" "$SCRATCH/r.wav" "$SCRATCH/st.wav"
	sm-decode "$SPEECH16" > "$SCRATCH/speech"
	sm-decode -c 1 "$SCRATCH/st.wav" > "$SCRATCH/c1"
	cmp <(tail -c +49 "$SCRATCH/speech") <(tail -c +49 "$SCRATCH/c1")
	# Channel 2 is the tone: its peak is 0.25 * 32768 and it crosses zero
	# 2 * 440 times a second.
	run -0 sh -c "sm-decode --channel 2 '$SCRATCH/st.wav' | sm-dump | tail -n +2 | awk '
		{ if (\$1 > m) m = \$1; if (NR > 1 && (p < 0) != (\$1 < 0)) z++; p = \$1 }
		END { print m, z / (NR / 16000) }'"
	read -r peak rate <<< "$output"
	near "$peak" 8192 5
	near "$rate" 880 2
	# The mix is the average of the channels.
	run -0 bash -c "paste <(sm-decode '$SCRATCH/st.wav' | sm-dump | tail -n +2) \
		<(sm-decode -c 1 '$SCRATCH/st.wav' | sm-dump | tail -n +2) \
		<(sm-decode -c 2 '$SCRATCH/st.wav' | sm-dump | tail -n +2) |
		awk '{ d = \$1 - (\$2 + \$3) / 2; if (d > 1 || d < -1) bad++ } END { print bad + 0 }'"
	assert_output "0"
}

@test "--all-channels keeps the channels interleaved with dim = channels" {
	sox -n -r 48000 -c 3 "$SCRATCH/three.wav" synth 1 sine 300 sine 500 sine 700
	run -0 hdr --all-channels "$SCRATCH/three.wav"
	assert_output "SMST version=1 kind=PCM type=s16 rate=16000 dim=3 shift=1 flags=0x0 start=0 frames=16000"
	run -0 sh -c "sm-decode -a '$SCRATCH/three.wav' | sm-dump | tail -n +2 | awk '
		{ for (i = 1; i <= 3; i++) { if (NR > 1 && (p[i] < 0) != (\$i < 0)) z[i]++; p[i] = \$i } }
		END { print z[1], z[2], z[3] }'"
	read -r z1 z2 z3 <<< "$output"
	near "$z1" 600 2; near "$z2" 1000 2; near "$z3" 1400 2
}

@test "a 1 kHz sine at 44.1 kHz keeps its frequency after resampling" {
	sox -n -r 44100 -b 16 "$SCRATCH/sine.wav" synth 2 sine 1000 vol 0.5
	run -0 hdr "$SCRATCH/sine.wav"
	assert_output --partial "frames=32000"
	run -0 sh -c "sm-decode '$SCRATCH/sine.wav' | sm-dump | tail -n +2 | awk '
		{ if (NR > 1 && (p < 0) != (\$1 < 0)) z++; p = \$1 } END { print z }'"
	near "$output" 4000 3
	for q in best fastest linear; do
		run -0 hdr -q "$q" "$SCRATCH/sine.wav"
		assert_output --partial "frames=32000"
	done
}

@test "-r chooses the output rate and the frame count follows it; 8 kHz in or out flags the stream narrowband" {
	run -0 hdr -r 8000 "$SPEECH16"
	assert_output "SMST version=1 kind=PCM type=s16 rate=8000 dim=1 shift=1 flags=0x4 start=0 frames=56800"
	run -0 hdr -r 22050 "$SPEECH8"
	want=$(( ($(soxi -s "$SPEECH8") * 22050 + 4000) / 8000 ))
	assert_output --partial "rate=22050 dim=1 shift=1 flags=0x4 start=0 frames=$want"
	run -0 hdr -r 22050 "$SPEECH16"
	assert_output --partial "rate=22050 dim=1 shift=1 flags=0x0 "
}

@test "--info prints the format as key: value lines and no stream" {
	run -0 sm-decode --info "$SPEECH16"
	assert_output "format: WAV (Microsoft)
subtype: Signed 16 bit PCM
rate: 16000
channels: 1
frames: 113600
duration: 7.100"
}

@test "audio longer than --max-seconds is refused before anything is written" {
	run --separate-stderr -65 sm-decode --max-seconds 5 "$SPEECH16"
	assert_equal "$stderr" "sm-decode: $SPEECH16: audio is 7 s long, more than 5 s (raise --max-seconds)"
	assert_output ""
}

@test "piped input larger than --max-bytes is refused" {
	run --separate-stderr -65 sh -c "cat '$SPEECH16' | sm-decode --max-bytes 100000"
	assert_equal "$stderr" "sm-decode: <stdin>: input larger than 100000 bytes (raise --max-bytes)"
	assert_output ""
}

@test "empty input, text, an image and headerless raw audio exit 65 naming the problem" {
	run --separate-stderr -65 sm-decode < /dev/null
	assert_equal "$stderr" "sm-decode: <stdin>: empty input"
	assert_output ""
	run --separate-stderr -65 sh -c 'echo "hello world" | sm-decode'
	assert_equal "$stderr" "sm-decode: <stdin>: unrecognised audio format"
	assert_output ""
	printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\000\001\000\000\000\001\010\002\000\000\000' > "$SCRATCH/x.png"
	run --separate-stderr -65 sm-decode "$SCRATCH/x.png"
	assert_equal "$stderr" "sm-decode: $SCRATCH/x.png: unrecognised audio format"
	assert_output ""
	run --separate-stderr -65 sm-decode "$PS_DATA/goforward.raw"
	assert_equal "$stderr" "sm-decode: $PS_DATA/goforward.raw: unrecognised audio format"
	assert_output ""
}

@test "300 MB of random bytes or zeros on a pipe exit 65 before most of it is read, holding under 16 MiB; /dev/zero too" {
	local src rss
	for src in /dev/urandom /dev/zero; do
		rm -f "$SCRATCH/all-written"
		# A fixed first word: raw random bytes begin with an MPEG frame
		# sync once in a few thousand runs, and would go to libmpg123.  The
		# writer is cut off by the reader's exit, so the marker file is
		# made only if sm-decode read (nearly) everything.
		run --separate-stderr -65 timeout 60 sh -c "{ printf 'SMJUNK'; head -c 300M $src && : >'$SCRATCH/all-written'; } 2>/dev/null |
			/usr/bin/time -f %M -o '$SCRATCH/rss' sm-decode"
		assert_equal "$stderr" "sm-decode: <stdin>: unrecognised audio format"
		assert_output ""
		[ ! -e "$SCRATCH/all-written" ]
		rss=$(tail -n 1 "$SCRATCH/rss")
		echo "# sm-decode, 300 MB from $src: max RSS $rss KiB" >&3
		[ -n "${ASAN_OPTIONS:-}" ] || [ "$rss" -lt $((16 * 1024)) ]
	done
	# An endless input: refused all the same.
	run --separate-stderr -65 timeout 60 sm-decode < /dev/zero
	assert_equal "$stderr" "sm-decode: <stdin>: unrecognised audio format"
}

@test "a 100-byte MP3 exits 65 with one line of ours, none of libmpg123's, from a file and a pipe" {
	ffmpeg -nostdin -loglevel error -i "$SPEECH16" -c:a libmp3lame "$SCRATCH/a.mp3"
	head -c 100 "$SCRATCH/a.mp3" > "$SCRATCH/m100.mp3"
	run --separate-stderr -65 timeout 10 sm-decode "$SCRATCH/m100.mp3"
	assert_equal "$stderr" "sm-decode: $SCRATCH/m100.mp3: cannot decode: damaged or truncated MP3 data"
	assert_output ""
	run --separate-stderr -65 timeout 10 sh -c "cat '$SCRATCH/m100.mp3' | sm-decode"
	assert_equal "$stderr" "sm-decode: <stdin>: cannot decode: damaged or truncated MP3 data"
	assert_output ""
	# cut after a few frames: libmpg123 warns of the Xing size, we say truncated
	head -c 2000 "$SCRATCH/a.mp3" > "$SCRATCH/m2000.mp3"
	run --separate-stderr -65 timeout 10 sh -c "cat '$SCRATCH/m2000.mp3' | sm-decode"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "sm-decode: <stdin>: truncated audio data ("*" of 113600 frames)" ]]
}

@test "an MP3 with no Info tag (VBR or CBR, written to a pipe) and two MP3s joined by cat are decoded to their end, frames as ffmpeg decodes them" {
	local f got want
	sox "$SPEECH16" "$LIB/sense_and_sensibility_01_austen_64kb-0920.wav" \
		"$LIB/sense_and_sensibility_01_austen_64kb-0890.wav" "$SCRATCH/in.wav"
	# ffmpeg writing to a pipe cannot go back for the Info tag
	ffmpeg -nostdin -loglevel error -i "$SCRATCH/in.wav" -c:a libmp3lame -q:a 5 -f mp3 - > "$SCRATCH/vbr.mp3"
	ffmpeg -nostdin -loglevel error -i "$SCRATCH/in.wav" -c:a libmp3lame -b:a 32k -f mp3 - > "$SCRATCH/cbr.mp3"
	ffmpeg -nostdin -loglevel error -i "$SPEECH16" -c:a libmp3lame "$SCRATCH/a.mp3"
	ffmpeg -nostdin -loglevel error -i "$SPEECH8" -ar 16000 -c:a libmp3lame "$SCRATCH/b.mp3"
	cat "$SCRATCH/a.mp3" "$SCRATCH/b.mp3" > "$SCRATCH/ab.mp3"
	for f in vbr cbr ab; do
		# the oracle: ffmpeg's own decoder, every sample of the file
		want=$(ffmpeg -nostdin -loglevel error -i "$SCRATCH/$f.mp3" -f s16le -ac 1 -ar 16000 - | wc -c)
		want=$((want / 2))
		for how in file pipe; do
			if [ $how = file ]; then
				sm-decode "$SCRATCH/$f.mp3" > "$SCRATCH/o" 2> "$SCRATCH/e"
			else
				sm-decode < "$SCRATCH/$f.mp3" > "$SCRATCH/o" 2> "$SCRATCH/e"
			fi
			got=$(sm-dump "$SCRATCH/o" | tail -n +2 | wc -l)
			near "$got" "$want" 1200 || { echo "$f from a $how: $got frames, ffmpeg $want"; false; }
			[ ! -s "$SCRATCH/e" ]
		done
		run -0 sm-decode --info "$SCRATCH/$f.mp3"
		assert_line "frames: $got"
	done
	# the joined file holds both (7.1 s and 3.0 s)
	[ "$got" -gt $((16000 * 10)) ]
}

@test "an MP3 file is measured before it is decoded: too long for --max-seconds or cut short of its Info tag, refused with nothing written; junk after the last frame skipped" {
	local want
	sox "$SPEECH16" "$SPEECH16" "$SPEECH16" "$SCRATCH/in.wav"
	ffmpeg -nostdin -loglevel error -i "$SCRATCH/in.wav" -c:a libmp3lame "$SCRATCH/a.mp3"
	run -65 --separate-stderr sm-decode --max-seconds 20 "$SCRATCH/a.mp3"
	assert_equal "$stderr" "sm-decode: $SCRATCH/a.mp3: audio is 21 s long, more than 20 s (raise --max-seconds)"
	[ -z "$output" ]
	# --info says so too when given the limit, and not without it
	run -65 --separate-stderr sm-decode --info --max-seconds 20 "$SCRATCH/a.mp3"
	assert_equal "$stderr" "sm-decode: $SCRATCH/a.mp3: audio is 21 s long, more than 20 s (raise --max-seconds)"
	[ -z "$output" ]
	run -0 sm-decode --info "$SCRATCH/a.mp3"
	assert_line "frames: 340800"
	head -c 20000 "$SCRATCH/a.mp3" >"$SCRATCH/cut.mp3"
	sm-decode "$SCRATCH/cut.mp3" >"$SCRATCH/out" 2>"$SCRATCH/err" || [ $? -eq 65 ]
	[[ "$(cat "$SCRATCH/err")" == "sm-decode: $SCRATCH/cut.mp3: truncated audio data ("*" of 340800 frames)" ]]
	[ ! -s "$SCRATCH/out" ]
	# 4 KiB of zeros after the last frame (padding): the audio, all of it
	{ cat "$SCRATCH/a.mp3"; head -c 4096 /dev/zero; } >"$SCRATCH/pad.mp3"
	want=$(sm-decode "$SCRATCH/a.mp3" | sm-dump | tail -n +2 | wc -l)
	assert_equal "$want" 340800
	run -0 sm-decode --info "$SCRATCH/pad.mp3"
	assert_line "frames: $want"
	assert_equal "$(sm-decode <"$SCRATCH/pad.mp3" | sm-dump | tail -n +2 | wc -l)" "$want"
}

@test "a FLAC whose STREAMINFO gives no length (ffmpeg to a pipe) is decoded to its end, and --info counts its frames" {
	local n
	ffmpeg -nostdin -loglevel error -i "$SPEECH16" -f flac - > "$SCRATCH/p.flac"
	n=$(soxi -s "$SPEECH16")
	run -0 sm-decode --info "$SCRATCH/p.flac"
	assert_line "frames: $n"
	assert_line "duration: 7.100"
	sm-decode "$SCRATCH/p.flac" > "$SCRATCH/file"
	sm-decode < "$SCRATCH/p.flac" > "$SCRATCH/pipe"
	sm-decode "$SPEECH16" | sm-dump | tail -n +2 > "$SCRATCH/want"
	sm-dump "$SCRATCH/file" | tail -n +2 | cmp - "$SCRATCH/want"
	sm-dump "$SCRATCH/pipe" | tail -n +2 | cmp - "$SCRATCH/want"
}

@test "a damaged Ogg exits 65 saying so in our words" {
	sox "$SPEECH16" "$SCRATCH/a.ogg"
	head -c 100 "$SCRATCH/a.ogg" > "$SCRATCH/o100.ogg"
	run --separate-stderr -65 timeout 10 sm-decode "$SCRATCH/o100.ogg"
	assert_equal "$stderr" "sm-decode: $SCRATCH/o100.ogg: cannot decode: damaged or truncated Ogg data"
	run --separate-stderr -65 timeout 10 sh -c "cat '$SCRATCH/o100.ogg' | sm-decode"
	assert_equal "$stderr" "sm-decode: <stdin>: cannot decode: damaged or truncated Ogg data"
}

@test "every format with a signature is still read from a pipe: AIFF, AU, CAF, Wave64, NIST, VOC" {
	local f
	for f in aiff au caf w64 sph voc; do
		sox "$SPEECH8" "$SCRATCH/a.$f"
		sm-decode "$SCRATCH/a.$f" > "$SCRATCH/file.pcm"
		cat "$SCRATCH/a.$f" | timeout 10 sm-decode > "$SCRATCH/pipe.pcm"
		cmp "$SCRATCH/file.pcm" "$SCRATCH/pipe.pcm"
	done
}

@test "truncated files exit 65 with nothing written when the header tells" {
	head -c 100000 "$SPEECH16" > "$SCRATCH/t.wav"
	run --separate-stderr -65 sm-decode "$SCRATCH/t.wav"
	assert_equal "$stderr" "sm-decode: $SCRATCH/t.wav: truncated audio data (99956 of 227200 bytes announced)"
	assert_output ""
	ffmpeg -nostdin -loglevel error -i "$SPEECH16" -rf64 always "$SCRATCH/rf64.wav"
	head -c 100000 "$SCRATCH/rf64.wav" > "$SCRATCH/t64.wav"
	run --separate-stderr -65 sm-decode "$SCRATCH/t64.wav"
	[[ "$stderr" == "sm-decode: $SCRATCH/t64.wav: truncated audio data ("*" of 113600 frames announced)" ]]
	assert_output ""
	head -c 30 "$SPEECH16" > "$SCRATCH/h.wav"
	run --separate-stderr -65 sh -c "cat '$SCRATCH/h.wav' | sm-decode"
	assert_equal "$stderr" "sm-decode: <stdin>: cannot decode: Error in WAV file. No 'data' chunk marker"
	assert_output ""
	ffmpeg -nostdin -loglevel error -i "$SPEECH16" -c:a libopus "$SCRATCH/a.opus"
	head -c 20000 "$SCRATCH/a.opus" > "$SCRATCH/t.opus"
	run --separate-stderr -65 sm-decode "$SCRATCH/t.opus"
	assert_equal "$stderr" "sm-decode: $SCRATCH/t.opus: cannot find the audio length (truncated or damaged file)"
	assert_output ""
}

@test "a FLAC cut short fails with 65 when the short read is found" {
	sox "$SPEECH16" "$SCRATCH/a.flac"
	head -c 50000 "$SCRATCH/a.flac" > "$SCRATCH/t.flac"
	run --separate-stderr -65 sm-decode "$SCRATCH/t.flac"
	[[ "$stderr" == "sm-decode: $SCRATCH/t.flac: truncated audio data ("*" of 113600 frames)" ]]
}

# sm-decode -v says how it read a pipe: streamed or held whole.
streamed() { grep -q "a WAV on a pipe: its samples are read as they arrive" "$1"; }

@test "a WAV on a pipe is streamed and gives the bytes of the file, in every sample format" {
	local f opt
	sox "$SPEECH16" -b 8 -e unsigned "$SCRATCH/u8.wav"
	sox "$SPEECH16" -b 24 "$SCRATCH/s24.wav"
	sox "$SPEECH16" -b 32 "$SCRATCH/s32.wav"
	sox "$SPEECH16" -e floating-point -b 32 "$SCRATCH/f32.wav"
	sox "$SPEECH16" -e floating-point -b 64 "$SCRATCH/f64.wav"
	sox "$SPEECH16" -e a-law "$SCRATCH/alaw.wav"
	sox "$SPEECH8" -e u-law "$SCRATCH/ulaw8k.wav"
	sox "$SPEECH16" -B "$SCRATCH/rifx.wav"
	sox "$SPEECH16" -r 44100 -c 2 "$SCRATCH/st44.wav"
	sox "$SPEECH16" -r 48000 -c 3 -b 24 "$SCRATCH/ext48.wav"
	ffmpeg -nostdin -loglevel error -i "$SPEECH8" -ac 2 -ar 22050 -c:a pcm_f32le "$SCRATCH/extf.wav"
	ffmpeg -nostdin -loglevel error -i "$SPEECH16" -rf64 always "$SCRATCH/rf64.wav"
	for f in u8 s24 s32 f32 f64 alaw ulaw8k rifx st44 ext48 extf rf64; do
		for opt in "" "-a -q linear -r 11025"; do
			# shellcheck disable=SC2086
			sm-decode $opt "$SCRATCH/$f.wav" > "$SCRATCH/file"
			# shellcheck disable=SC2086
			cat "$SCRATCH/$f.wav" | sm-decode -v $opt > "$SCRATCH/pipe" 2> "$SCRATCH/err"
			streamed "$SCRATCH/err" || { echo "$f: not streamed"; cat "$SCRATCH/err"; false; }
			cmp "$SCRATCH/file" "$SCRATCH/pipe" || { echo "$f $opt differs"; false; }
		done
		run -0 sh -c "cat '$SCRATCH/$f.wav' | sm-decode --info"
		assert_output "$(sm-decode --info "$SCRATCH/$f.wav")"
	done
	# Codecs this parser leaves to libsndfile (ADPCM here) are held whole, not streamed.
	ffmpeg -nostdin -loglevel error -i "$SPEECH16" -c:a adpcm_ima_wav "$SCRATCH/ima.wav"
	sm-decode "$SCRATCH/ima.wav" > "$SCRATCH/file"
	cat "$SCRATCH/ima.wav" | sm-decode -v > "$SCRATCH/pipe" 2> "$SCRATCH/err"
	! streamed "$SCRATCH/err"
	cmp "$SCRATCH/file" "$SCRATCH/pipe"
}

@test "chunks before the data are skipped by reading on a pipe, odd sizes padded" {
	# fact, an odd-sized LIST and a 300 kB bext (more than a pipe holds)
	# before the data chunk, and a LIST after it.
	python3 -c '
import struct, sys
w = open(sys.argv[1], "rb").read()
fmt, data = w[12:36], w[36:]
def ch(tag, body): return tag + struct.pack("<I", len(body)) + body + b"\0" * (len(body) % 2)
body = (b"WAVE" + fmt + ch(b"fact", struct.pack("<I", 113600)) + ch(b"LIST", b"INFOISFT\x03\0\0\0ab\0")
        + ch(b"bext", bytes(300001)) + data + ch(b"LIST", b"INFOICMT\x04\0\0\0abc\0"))
sys.stdout.buffer.write(b"RIFF" + struct.pack("<I", len(body)) + body)' "$SPEECH16" > "$SCRATCH/chunks.wav"
	sm-decode "$SPEECH16" > "$SCRATCH/want"
	sm-decode "$SCRATCH/chunks.wav" > "$SCRATCH/file"
	cmp "$SCRATCH/want" "$SCRATCH/file"
	cat "$SCRATCH/chunks.wav" | sm-decode -v > "$SCRATCH/pipe" 2> "$SCRATCH/err"
	streamed "$SCRATCH/err"
	cmp "$SCRATCH/want" "$SCRATCH/pipe"
	# A fact chunk too short for its field: libsndfile loses its place
	# in the file and so it does on the pipe.
	python3 -c '
import sys
w = open(sys.argv[1], "rb").read()
sys.stdout.buffer.write(w[:36] + b"fact\x01\0\0\0\xf0\0" + w[36:])' "$SPEECH16" > "$SCRATCH/fact.wav"
	run --separate-stderr -65 sm-decode "$SCRATCH/fact.wav"
	assert_equal "$stderr" "sm-decode: $SCRATCH/fact.wav: cannot decode: Error in WAV file. No 'data' chunk marker"
	run --separate-stderr -65 sh -c "cat '$SCRATCH/fact.wav' | sm-decode"
	assert_equal "$stderr" "sm-decode: <stdin>: cannot decode: Error in WAV file. No 'data' chunk marker"
}

@test "a WAV whose writer could not fill in its size (ffmpeg, sox on a pipe) is read to its end, length unknown" {
	sm-decode "$SPEECH16" > "$SCRATCH/file"
	sm-decode -r 8000 "$SPEECH16" > "$SCRATCH/file8"
	# ffmpeg leaves 0xFFFFFFFF, sox 0x7FFFF000 and up.
	# (Through cat: on a file they would go back and fix the size.)
	ffmpeg -nostdin -loglevel error -i "$SPEECH16" -f wav - | cat > "$SCRATCH/ff.wav"
	tail -c +45 "$SPEECH16" | sox -t raw -r 16000 -e signed -b 16 -c 1 - -t wav - 2>/dev/null |
		cat > "$SCRATCH/sox.wav"
	[ "$(od -An -tx4 -j 40 -N 4 "$SCRATCH/sox.wav" | tr -d ' ')" = 7ffff000 ]
	for f in ff sox; do
		cat "$SCRATCH/$f.wav" | sm-decode > "$SCRATCH/pipe"
		run -0 sm-dump -H "$SCRATCH/pipe"
		assert_output "SMST version=1 kind=PCM type=s16 rate=16000 dim=1 shift=1 flags=0x0 start=0 frames=0"
		cmp <(tail -c +49 "$SCRATCH/file") <(tail -c +49 "$SCRATCH/pipe")
		# Resampled: the same samples, trimmed at the end the same way.
		cat "$SCRATCH/$f.wav" | sm-decode -r 8000 > "$SCRATCH/pipe8"
		cmp <(tail -c +49 "$SCRATCH/file8") <(tail -c +49 "$SCRATCH/pipe8")
		run -0 sh -c "cat '$SCRATCH/$f.wav' | sm-decode --info"
		assert_line "frames: 113600"
	done
	# The next stage takes a stream of unknown length: the same features.
	sm-features < "$SCRATCH/file" > "$SCRATCH/feat.file"
	sm-features < "$SCRATCH/pipe" > "$SCRATCH/feat.pipe"
	cmp "$SCRATCH/feat.file" "$SCRATCH/feat.pipe"
	run --separate-stderr -65 sh -c "cat '$SCRATCH/ff.wav' | sm-decode --max-seconds 5 > /dev/null"
	assert_equal "$stderr" "sm-decode: <stdin>: audio is longer than 5 s (raise --max-seconds)"
}

@test "a WAV cut short on a pipe exits 65 with one line, and the next stage refuses the short stream" {
	head -c 100000 "$SPEECH16" > "$SCRATCH/t.wav"
	run --separate-stderr -65 sh -c "cat '$SCRATCH/t.wav' | sm-decode > '$SCRATCH/out'"
	assert_equal "$stderr" "sm-decode: <stdin>: truncated audio data (99956 of 227200 bytes announced)"
	# The samples that came before the cut are out; the header still
	# announces them all, so sm-features fails too.
	run -0 sm-dump -H "$SCRATCH/out"
	assert_output --partial "frames=113600"
	run --separate-stderr -65 sm-features < "$SCRATCH/out"
	[[ "$stderr" == "sm-features: <stdin>: stream has "*" frames, its header says 113600" ]]
	run --separate-stderr -65 sh -c "cat '$SCRATCH/t.wav' | sm-decode --info"
	assert_equal "$stderr" "sm-decode: <stdin>: truncated audio data (99956 of 227200 bytes announced)"
	assert_output ""
	# Cut inside the header: libsndfile's verdict on what there is.
	head -c 40 "$SPEECH16" > "$SCRATCH/h.wav"
	run --separate-stderr -65 sh -c "cat '$SCRATCH/h.wav' | sm-decode"
	assert_equal "$stderr" "sm-decode: <stdin>: cannot decode: Error in WAV file. No 'data' chunk marker"
	assert_output ""
}

@test "a FLAC on a pipe is decoded as it arrives: the bytes of the file, a cut found the same way" {
	local f opt
	sox "$SPEECH16" "$SCRATCH/s16.flac"
	sox "$SPEECH8" -r 44100 -c 2 -b 24 "$SCRATCH/st44.flac"
	for f in s16 st44; do
		for opt in "" "-a -r 8000"; do
			# shellcheck disable=SC2086
			sm-decode $opt "$SCRATCH/$f.flac" > "$SCRATCH/file"
			# shellcheck disable=SC2086
			cat "$SCRATCH/$f.flac" | sm-decode -v $opt > "$SCRATCH/pipe" 2> "$SCRATCH/err"
			grep -q "a FLAC on a pipe: decoded as it arrives" "$SCRATCH/err"
			cmp "$SCRATCH/file" "$SCRATCH/pipe" || { echo "$f $opt differs"; false; }
		done
	done
	head -c 50000 "$SCRATCH/s16.flac" > "$SCRATCH/t.flac"
	run --separate-stderr -65 sm-decode "$SCRATCH/t.flac"
	want=${stderr/$SCRATCH\/t.flac/<stdin>}
	[[ "$want" == "sm-decode: <stdin>: truncated audio data ("*" of 113600 frames)" ]]
	run --separate-stderr -65 sh -c "cat '$SCRATCH/t.flac' | sm-decode > /dev/null"
	assert_equal "$stderr" "$want"
}

# The 20 minutes came out whole ($SCRATCH/hdr) and sm-decode's max RSS
# ($SCRATCH/rss) stayed under 12 MiB: room for the libraries and a
# constant window, far below the 25 to 80 MB that holding the input whole
# would take.
piped_rss_bounded() { # LABEL
	frames=$(frames_of < "$SCRATCH/hdr")
	[ "$frames" -gt 125000 ]
	rss=$(tail -n 1 "$SCRATCH/rss")
	echo "# sm-decode, $1: max RSS $rss KiB for $((frames / 100)) s" >&3
	[ "$rss" -lt $((12 * 1024)) ]
}

@test "memory stays bounded on a long WAV from a pipe: 20 minutes, 80 MB, under 12 MiB" {
	[ -z "${ASAN_OPTIONS:-}" ] || skip "the bound is for the plain build, not AddressSanitizer's shadow memory"
	# The 358 Asterisk prompts (1255 s of speech) as 8 kHz stereo float,
	# written by sox straight into the pipe, never to disk; the features
	# of all of it come out at the end (batch CMN).
	sox "$AST_DIR"/*.wav -c 2 -e floating-point -b 32 -t wav - |
		/usr/bin/time -f %M -o "$SCRATCH/rss" sm-decode | sm-features | sm-dump -H > "$SCRATCH/hdr"
	piped_rss_bounded WAV
}

@test "memory stays bounded on a long FLAC from a pipe: 20 minutes, 25 MB, under 12 MiB" {
	[ -z "${ASAN_OPTIONS:-}" ] || skip "the bound is for the plain build, not AddressSanitizer's shadow memory"
	# Two channels of different speech (the prompts in two orders), so
	# that the FLAC stays large.
	sox -M -t wav <(sox "$AST_DIR"/*.wav -t wav -) -t wav <(sox $(ls -r "$AST_DIR"/*.wav) -t wav -) \
		-t flac - | /usr/bin/time -f %M -o "$SCRATCH/rss" sm-decode | sm-features | sm-dump -H > "$SCRATCH/hdr"
	piped_rss_bounded FLAC
}

@test "absurd header values exit 65 with a clear line" {
	wav 16000 1 0 > "$SCRATCH/zero.wav"
	run --separate-stderr -65 sm-decode "$SCRATCH/zero.wav"
	assert_equal "$stderr" "sm-decode: $SCRATCH/zero.wav: no audio frames"
	assert_output ""
	for r in 0 4000000000; do
		wav "$r" 1 100 > "$SCRATCH/r.wav"
		run --separate-stderr -65 sm-decode - < "$SCRATCH/r.wav"
		assert_equal "$stderr" "sm-decode: <stdin>: invalid sample rate or channel count in the header"
		assert_output ""
	done
	wav 4000 1 100 > "$SCRATCH/low.wav"
	run --separate-stderr -65 sm-decode "$SCRATCH/low.wav"
	assert_equal "$stderr" "sm-decode: $SCRATCH/low.wav: unsupported sample rate 4000 Hz (8000 to 192000)"
	wav 16000 65535 1 > "$SCRATCH/ch.wav"
	run --separate-stderr -65 sm-decode "$SCRATCH/ch.wav"
	assert_equal "$stderr" "sm-decode: $SCRATCH/ch.wav: cannot decode: Too many channels specified"
	assert_output ""
}

@test "a channel the input does not have exits 65" {
	run --separate-stderr -65 sm-decode -c 2 "$SPEECH16"
	assert_equal "$stderr" "sm-decode: $SPEECH16: --channel 2: the input has 1 channel"
	assert_output ""
}

@test "a missing or unreadable file exits 66 naming it" {
	run --separate-stderr -66 sm-decode /nonexistent/x.wav
	assert_equal "$stderr" "sm-decode: /nonexistent/x.wav: No such file or directory"
	run --separate-stderr -66 sm-decode "$SCRATCH"
	assert_equal "$stderr" "sm-decode: $SCRATCH: Is a directory"
	assert_output ""
}

@test "bad options exit 64 with the usage on stderr" {
	run --separate-stderr -64 sm-decode --bogus
	[[ "$stderr" == *"Usage: sm-decode"* ]]
	run --separate-stderr -64 sm-decode -q great "$SPEECH16"
	assert_equal "$stderr" "sm-decode: --quality: expected best, medium, fastest or linear, got 'great'"
	run --separate-stderr -64 sm-decode -r 100 "$SPEECH16"
	assert_equal "$stderr" "sm-decode: --rate: expected an integer from 8000 to 192000, got '100'"
	assert_output ""
}

@test "a bad option value is quoted back on one line, cut to 60 characters" {
	local long x57
	long=$(printf 'x%.0s' $(seq 5000))
	x57=${long:0:57}
	run --separate-stderr -64 sm-decode -q "$long" "$SPEECH16"
	assert_equal "$stderr" "sm-decode: --quality: expected best, medium, fastest or linear, got '$x57...'"
	run --separate-stderr -64 sm-decode -r $'16000\nsm-decode: forged line' "$SPEECH16"
	assert_equal "$stderr" "sm-decode: --rate: expected an integer from 8000 to 192000, got '16000?sm-decode: forged line'"
	run --separate-stderr -64 sm-decode --max-seconds "1$long" "$SPEECH16"
	assert_equal "$stderr" "sm-decode: --max-seconds: expected a number from 0.001 to 1e+07, got '1${x57:1}...'"
	assert_output ""
}

@test "--help and --version print to stdout and exit 0" {
	run -0 sm-decode --help
	assert_line -n 1 "Usage: sm-decode [-r RATE] [-q QUALITY] [-c N | --all-channels] [-T VOLUME [--volume-hold MS]] [--keep-zeros] [--info] [--name NAME] [FILE | -]"
	run -0 sm-decode --version
	assert_output "sm-decode 0.1.0"
}

#!/usr/bin/env bats
load test_helper

setup() { setup_scratch; }

# A 48-byte PCM stream header (sm-stream(5)): RATE as 4 octal escapes,
# channels, start_sample 0, n_frames 0 (unknown).
pcm_header() { # RATE_LE32 CHANNELS
	printf 'SMST\001\000\001\000\001\000\060\000'"$1"
	printf "\\$(printf %03o "$2")"'\000\000\000\001\000\000\000'
	printf '\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000'
}
R16K='\200\076\000\000'
R8K='\100\037\000\000'

# A mono 16 kHz PCM stream of raw little-endian int16 samples.
pcm_of_raw() { pcm_header "$R16K" 1; cat "$1"; }

# Our cepstra and sphinx_fe's, as text, compared frame by frame (1e-3).
check_against_sphinx_fe() { # RAW NAME
	pcm_of_raw "$1" | sm-features --noise-floor 0 --cepstra | sm-dump -p 6 > "$SCRATCH/$2.ours"
	sphinx_fe -argfile "$PS_MODEL/en-us/feat.params" -remove_silence no -raw yes \
		-i "$1" -o "$SCRATCH/$2.mfc" 2> /dev/null
	od -An -v -f -j 4 -w52 "$SCRATCH/$2.mfc" > "$SCRATCH/$2.ref"
	awk -v tol=1e-3 -f "$SM_ROOT/tests/features/cmp.awk" "$SCRATCH/$2.ours" "$SCRATCH/$2.ref"
}

@test "the cepstra of goforward.raw match sphinx_fe on all 278 frames" {
	run -0 check_against_sphinx_fe "$PS_DATA/goforward.raw" gf
	assert_output --regexp '^frames 278 278 max '
}

@test "the cepstra of the five LibriVox recordings match sphinx_fe" {
	for w in "$PS_DATA"/librivox/*.wav; do
		b=$(basename "$w" .wav)
		sox "$w" -t raw -e signed -b 16 -L "$SCRATCH/$b.raw"
		run -0 check_against_sphinx_fe "$SCRATCH/$b.raw" "$b"
		echo "$b: $output" >&3
	done
}

@test "the cepstra of a dozen asterisk prompts at 16 kHz match sphinx_fe" {
	ids="activated agent-loginok all-circuits-busy-now auth-thankyou call-waiting
		conf-getpin digits/7 letters/x vm-goodbye vm-intro tt-weasels hello-world"
	# Decoded to raw samples by one ffmpeg (its start-up is most of the
	# cost of a prompt).
	local in=() out=() j=0
	for id in $ids; do
		in+=(-f g722 -i "$AST_DIR/$id.g722")
		out+=(-map "$j:a" -f s16le -ac 1 -ar 16000 -y "$SCRATCH/${id//\//_}.raw")
		j=$((j + 1))
	done
	ffmpeg -nostdin -loglevel error "${in[@]}" "${out[@]}"
	for id in $ids; do
		f=$SCRATCH/${id//\//_}.raw
		run -0 check_against_sphinx_fe "$f" "$(basename "$f" .raw)"
		echo "$id: $output" >&3
	done
}

# Independent CMN and 1s_c_d_dd over a --cepstra dump, against our output.
check_feats() { # CEPSTRA_DUMP FEATS_DUMP MODE [PRIOR_FRAMES [HALF_WINDOW_FRAMES]]
	python3 - "$@" <<'EOF'
import sys
def rows(p):
    return [[float(v) for v in l.split()] for l in open(p) if l[:1] in '-0123456789']
c, f, mode = rows(sys.argv[1]), rows(sys.argv[2]), sys.argv[3]
n = len(c)
if mode == 'batch':
    # the mean of the frames with c0 >= 0 and of the cmninit prior,
    # counted as PRIOR_FRAMES frames
    tau = float(sys.argv[4])
    prior = [41.00,-5.29,-0.12,5.09,2.48,-4.07,-1.37,-1.78,-5.08,-2.05,-6.45,-1.42,1.17]
    half = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    if half == 0 or n <= half + 1:
        half = n  # every frame's window is the whole input
    out = []
    for t in range(n):
        win = c[max(t - half, 0):t + half + 1]
        used = [r for r in win if r[0] >= 0]
        mean = [(sum(r[k] for r in used) + tau * prior[k]) / (len(used) + tau) for k in range(13)]
        out.append([c[t][k] - mean[k] for k in range(13)])
    c = out
elif mode == 'live':
    mean = [41.00,-5.29,-0.12,5.09,2.48,-4.07,-1.37,-1.78,-5.08,-2.05,-6.45,-1.42,1.17]
    s = [m * 500 for m in mean]; nf = 500; out = []
    for r in c:
        if r[0] >= 0:
            s = [a + b for a, b in zip(s, r)]
            r = [a - b for a, b in zip(r, mean)]
            nf += 1
            if nf > 800:
                mean = [a / nf for a in s]; s = [a * 500 / nf for a in s]; nf = 500
        out.append(r)
    c = out
g = lambda t: c[min(max(t, 0), n - 1)]
ref = [g(t) + [g(t+2)[k] - g(t-2)[k] for k in range(13)]
       + [(g(t+3)[k] - g(t-1)[k]) - (g(t+1)[k] - g(t-3)[k]) for k in range(13)] for t in range(n)]
assert len(f) == n, (len(f), n)
err = max(abs(a - b) for x, y in zip(ref, f) for a, b in zip(x, y))
print("frames %d max %.3g" % (n, err))
sys.exit(err > 1e-4)
EOF
}

@test "batch CMN and deltas agree with an independent computation" {
	f=$SCRATCH/ls.raw
	sox "$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb-0870.wav" -t raw -e signed -b 16 -L "$f"
	pcm_of_raw "$f" | sm-features --cepstra | sm-dump -p 6 > "$SCRATCH/c"
	pcm_of_raw "$f" | sm-features --warp 1 --cmn-window 0 | sm-dump -p 6 > "$SCRATCH/f"
	run -0 head -1 "$SCRATCH/f"
	assert_output "SMST version=1 kind=FEAT type=f32 rate=16000 dim=39 shift=160 flags=0x2 start=0 frames=709"
	run -0 check_feats "$SCRATCH/c" "$SCRATCH/f" batch 100
	echo "batch: $output" >&3
	assert_output --partial "frames 709 max "
	# --cmn-prior 0: the input's own mean, as sphinxbase's batch CMN
	pcm_of_raw "$f" | sm-features --warp 1 --cmn-prior 0 --cmn-window 0 | sm-dump -p 6 > "$SCRATCH/f0"
	run -0 check_feats "$SCRATCH/c" "$SCRATCH/f0" batch 0
	assert_output --partial "frames 709 max "
	# the prior moves a 1-second input's mean, so the two must differ
	head -c 32000 "$f" > "$SCRATCH/1s.raw"
	pcm_of_raw "$SCRATCH/1s.raw" | sm-features | sm-dump -p 6 > "$SCRATCH/s1"
	pcm_of_raw "$SCRATCH/1s.raw" | sm-features --cmn-prior 0 | sm-dump -p 6 > "$SCRATCH/s0"
	! cmp -s "$SCRATCH/s1" "$SCRATCH/s0"
}

@test "windowed batch CMN (the default 10 s, and 2 s) takes each frame's mean over the frames within half the window of it" {
	f=$SCRATCH/ls.raw
	sox "$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb-0870.wav" -t raw -e signed -b 16 -L "$f"
	pcm_of_raw "$f" | sm-features --cepstra | sm-dump -p 6 > "$SCRATCH/c"
	pcm_of_raw "$f" | sm-features --warp 1 | sm-dump -p 6 > "$SCRATCH/d"
	run -0 check_feats "$SCRATCH/c" "$SCRATCH/d" batch 100 500
	echo "10 s: $output" >&3
	assert_output --partial "frames 709 max "
	pcm_of_raw "$f" | sm-features --warp 1 --cmn-window 2 | sm-dump -p 6 > "$SCRATCH/w"
	run -0 check_feats "$SCRATCH/c" "$SCRATCH/w" batch 100 100
	echo "2 s: $output" >&3
	# the whole input's mean is not what either window gives (7.1 s of audio)
	run -1 check_feats "$SCRATCH/c" "$SCRATCH/d" batch 100
	run -1 check_feats "$SCRATCH/c" "$SCRATCH/w" batch 100
	# an input no longer than half the window plus a frame is normalised whole
	head -c 160000 "$f" > "$SCRATCH/5s.raw"
	pcm_of_raw "$SCRATCH/5s.raw" | sm-features | sm-dump -p 6 > "$SCRATCH/s"
	pcm_of_raw "$SCRATCH/5s.raw" | sm-features --cmn-window 0 | sm-dump -p 6 > "$SCRATCH/s0"
	cmp "$SCRATCH/s" "$SCRATCH/s0"
}

@test "live CMN starts from the pack's cmninit and agrees with an independent computation" {
	# 709 frames: long enough for the running mean to move off cmninit.
	f=$SCRATCH/ls.raw
	sox "$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb-0870.wav" -t raw -e signed -b 16 -L "$f"
	pcm_of_raw "$f" | sm-features --cepstra | sm-dump -p 6 > "$SCRATCH/c"
	pcm_of_raw "$f" | sm-features --cmn live | sm-dump -p 6 > "$SCRATCH/f"
	run -0 head -1 "$SCRATCH/f"
	assert_output "SMST version=1 kind=FEAT type=f32 rate=16000 dim=39 shift=160 flags=0x2 start=0 frames=0"
	run -0 check_feats "$SCRATCH/c" "$SCRATCH/f" live
	echo "live: $output" >&3
}

@test "the noise floor has the shape of a pink noise and follows the input's level" {
	# sox's pink noise, with no floor of ours
	sox -R -n -r 16000 -c 1 -b 16 -t raw -e signed -L "$SCRATCH/pn.raw" synth 1 pinknoise vol 0.0062
	pcm_of_raw "$SCRATCH/pn.raw" | sm-features --noise-floor 0 --cepstra | sm-dump -p 4 > "$SCRATCH/n"
	# 0.5 s of digital silence before goforward.raw, as it is and 10 dB quieter
	head -c 16000 /dev/zero > "$SCRATCH/z.raw"
	cat "$SCRATCH/z.raw" "$PS_DATA/goforward.raw" > "$SCRATCH/a.raw"
	sox -t raw -r 16000 -e signed -b 16 -c 1 -L "$SCRATCH/a.raw" -t raw "$SCRATCH/q.raw" vol -10dB
	pcm_of_raw "$SCRATCH/a.raw" | sm-features --noise-floor -36 --cepstra | sm-dump -p 4 > "$SCRATCH/f"
	pcm_of_raw "$SCRATCH/q.raw" | sm-features --noise-floor -36 --cepstra | sm-dump -p 4 > "$SCRATCH/q"
	pcm_of_raw "$SCRATCH/a.raw" | sm-features --noise-floor 0 --cepstra | sm-dump -p 4 > "$SCRATCH/z"
	pcm_of_raw "$SCRATCH/a.raw" | sm-features --cepstra | sm-dump -p 4 > "$SCRATCH/d"
	# frames 10..39 of the silence: the floor alone
	mean() { awk 'NR > 11 && NR < 42 { for (k = 1; k <= 4; k++) s[k] += $k; n++ }
		END { printf "%.3f %.3f %.3f %.3f\n", s[1] / n, s[2] / n, s[3] / n, s[4] / n }' "$1"; }
	n=$(mean "$SCRATCH/n") f=$(mean "$SCRATCH/f") q=$(mean "$SCRATCH/q") z=$(mean "$SCRATCH/z")
	d=$(mean "$SCRATCH/d")
	echo "pink noise $n; floor -36 dB $f, 10 dB quieter $q; none $z, default $d" >&3
	# the spectral shape (c1..c3) of sox's noise within 2.5 (a mean of log
	# powers is not the log of a mean power); 10 dB less is c0 lower by
	# 5 ln 10 = 11.51 with the same shape, within the noise removal's own
	# absolute thresholds (-36 dB keeps the floor well above them); without
	# the floor c0 is -46, with the default (-46 dB) 10 lower than at -36
	awk -v n="$n" -v f="$f" -v q="$q" -v z="$z" -v df="$d" 'BEGIN {
		split(n, a, " "); split(f, b, " "); split(q, c, " "); split(z, d, " "); split(df, g, " ")
		e = b[1] - c[1] - 11.51; if (e * e > 0.25 || d[1] > -40) exit 1
		e = b[1] - g[1] - 11.51; if (e * e > 1) exit 1
		for (k = 2; k <= 4; k++) {
			if (b[k] - a[k] > 2.5 || a[k] - b[k] > 2.5) exit 1
			if (b[k] - c[k] > 0.4 || c[k] - b[k] > 0.4) exit 1
		} }'
}

@test "--cmn none gives the deltas of the raw cepstra and no CMN flag" {
	pcm_of_raw "$PS_DATA/goforward.raw" | sm-features --cepstra | sm-dump -p 6 > "$SCRATCH/c"
	pcm_of_raw "$PS_DATA/goforward.raw" | sm-features --cmn none | sm-dump -p 6 > "$SCRATCH/f"
	run -0 head -1 "$SCRATCH/f"
	assert_output --partial " dim=39 shift=160 flags=0x0 "
	run -0 check_feats "$SCRATCH/c" "$SCRATCH/f" none
}

@test "copies start_sample and predicts n_frames from the input header" {
	{ printf 'SMST\001\000\001\000\001\000\060\000\200\076\000\000\001\000\000\000\001\000\000\000'
	  printf '\000\000\000\000\000\000\000\000\100\037\000\000\000\000\000\000\044\256\000\000\000\000\000\000'
	  cat "$PS_DATA/goforward.raw"; } > "$SCRATCH/s"
	sm-features --cmn live "$SCRATCH/s" > "$SCRATCH/f"
	run -0 sm-dump -H "$SCRATCH/f"
	assert_output "SMST version=1 kind=FEAT type=f32 rate=16000 dim=39 shift=160 flags=0x2 start=8000 frames=278"
}

@test "an empty PCM stream gives a header and no frames" {
	pcm_header "$R16K" 1 > "$SCRATCH/s"
	run -0 sh -c "sm-features '$SCRATCH/s' | sm-dump"
	assert_output "SMST version=1 kind=FEAT type=f32 rate=16000 dim=39 shift=160 flags=0x2 start=0 frames=0"
}

@test "rejects 8 kHz audio and says to resample with sm-decode" {
	{ pcm_header "$R8K" 1; head -c 3200 "$PS_DATA/goforward.raw"; } > "$SCRATCH/s"
	run --separate-stderr -65 sm-features "$SCRATCH/s"
	assert_equal "$stderr" "sm-features: $SCRATCH/s: sample rate 8000 Hz, the model needs 16000 Hz (resample with sm-decode)"
	assert_output ""
}

@test "rejects a stereo stream and names sm-decode -c N" {
	{ pcm_header "$R16K" 2; head -c 3200 "$PS_DATA/goforward.raw"; } > "$SCRATCH/s"
	run --separate-stderr -65 sm-features "$SCRATCH/s"
	assert_equal "$stderr" "sm-features: $SCRATCH/s: PCM stream has 2 channels, expected 1 (pick one with sm-decode -c N)"
	assert_output ""
}

@test "rejects a FEAT stream on stdin" {
	pcm_of_raw "$PS_DATA/goforward.raw" | sm-features > "$SCRATCH/f"
	run --separate-stderr -65 sm-features < "$SCRATCH/f"
	assert_equal "$stderr" "sm-features: <stdin>: expected PCM stream, got FEAT"
	assert_output ""
}

@test "batch CMN refuses input beyond --max-hours with nothing on stdout" {
	run --separate-stderr -65 sh -c "{ printf 'SMST\001\000\001\000\001\000\060\000\200\076\000\000\001\000\000\000\001\000\000\000'; head -c 40 /dev/zero; cat '$PS_DATA/goforward.raw'; } | sm-features --max-hours 0.0005"
	assert_equal "$stderr" "sm-features: <stdin>: input longer than 0.0005 hours: batch CMN holds it all in memory (raise --max-hours, or use --cmn live)"
	assert_output ""
}

@test "rejects an odd trailing byte as a truncated sample" {
	{ pcm_header "$R16K" 1; head -c 3201 "$PS_DATA/goforward.raw"; } > "$SCRATCH/s"
	run --separate-stderr -65 sm-features --cmn none "$SCRATCH/s"
	assert_equal "$stderr" "sm-features: $SCRATCH/s: truncated frame (1 of 2 bytes)"
}

@test "a bad --cmn value is a usage error" {
	run --separate-stderr -64 sm-features --cmn mean
	assert_equal "${stderr_lines[0]}" "sm-features: --cmn: expected batch, live or none, got 'mean'"
	assert_equal "${stderr_lines[1]}" "sm-features: compute the model's acoustic features of a PCM stream"
}

@test "prints help and version on stdout" {
	run -0 sm-features --help
	assert_line -n 0 "sm-features: compute the model's acoustic features of a PCM stream"
	run -0 sm-features --version
	assert_output --regexp '^sm-features '
}

@test "--warp 1 gives the cepstra of the sphinx_fe parity tests, bit for bit; 1.06 moves the filters" {
	sox "$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb-0880.wav" -t raw -e signed -b 16 -L "$SCRATCH/s.raw"
	pcm_of_raw "$SCRATCH/s.raw" > "$SCRATCH/pcm"
	sm-features --warp 1 --cepstra --noise-floor 0 --cmn none "$SCRATCH/pcm" > "$SCRATCH/c1"
	sm-features --cepstra --noise-floor 0 --cmn none "$SCRATCH/pcm" > "$SCRATCH/c0"
	cmp "$SCRATCH/c0" "$SCRATCH/c1"
	# a warp changes every frame's cepstra, the frame count not
	sm-features --warp 1.06 --cepstra "$SCRATCH/pcm" | sm-dump -p 4 > "$SCRATCH/w"
	sm-features --cepstra "$SCRATCH/pcm" | sm-dump -p 4 > "$SCRATCH/u"
	[ "$(wc -l < "$SCRATCH/w")" -eq "$(wc -l < "$SCRATCH/u")" ]
	run -0 awk 'NR == FNR { a[FNR] = $0; next } FNR > 1 && a[FNR] == $0 { same++ }
		END { print same + 0 }' "$SCRATCH/w" "$SCRATCH/u"
	assert_output 0
}

@test "rejects a --warp of 0, 2 or not a number with one line and exit 64" {
	for v in 0 2 x; do
		run --separate-stderr -64 sm-features --warp "$v" /dev/null
		assert_equal "$stderr" "sm-features: --warp: expected auto or a factor from 0.8 to 1.25, got '$v'"
		assert_equal "$output" ""
	done
}

@test "--warp auto --warp-by input picks a factor above 1 for a female speaker and writes its features" {
	asterisk16 agent-alreadyon "$SCRATCH/a.wav"
	sm-decode "$SCRATCH/a.wav" > "$SCRATCH/pcm"
	run --separate-stderr -0 sm-features -v --warp-by input "$SCRATCH/pcm"
	echo "$stderr" >&3
	[[ $stderr =~ ^sm-features:\ $SCRATCH/pcm:\ warp\ (1\.[0-9][0-9])\ \(log-likelihood\ per\ frame\ against\ 1:\  ]]
	w=${BASH_REMATCH[1]}
	[ "$w" != 1.00 ]
	# the default is auto, and its features are those of the factor chosen
	sm-features --warp auto --warp-by input "$SCRATCH/pcm" > "$SCRATCH/auto"
	sm-features --warp-by input "$SCRATCH/pcm" > "$SCRATCH/default"
	sm-features --warp "$w" "$SCRATCH/pcm" > "$SCRATCH/fixed"
	sm-features --warp 1 "$SCRATCH/pcm" > "$SCRATCH/one"
	cmp "$SCRATCH/auto" "$SCRATCH/default"
	cmp "$SCRATCH/auto" "$SCRATCH/fixed"
	! cmp -s "$SCRATCH/auto" "$SCRATCH/one"
}

@test "--warp auto keeps 1 for live CMN, no CMN, --cepstra and inputs too short to judge" {
	sox "$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb-0880.wav" -t raw -e signed -b 16 -L "$SCRATCH/s.raw"
	pcm_of_raw "$SCRATCH/s.raw" > "$SCRATCH/pcm"
	for o in "--cmn live" "--cmn none" "--cepstra"; do
		run --separate-stderr -0 sm-features -v $o "$SCRATCH/pcm"
		assert_equal "$stderr" "sm-features: $SCRATCH/pcm: warp 1 ($o)
sm-features: $SCRATCH/pcm: 0 of 298 frames narrowband"
		sm-features $o "$SCRATCH/pcm" | cmp - <(sm-features --warp 1 $o "$SCRATCH/pcm")
	done
	# 0.2 s: 20 frames, too few to choose from
	head -c 6400 "$SCRATCH/s.raw" > "$SCRATCH/short.raw"
	pcm_of_raw "$SCRATCH/short.raw" > "$SCRATCH/short"
	run --separate-stderr -0 sm-features -v --warp-by input "$SCRATCH/short"
	assert_equal "$stderr" "sm-features: $SCRATCH/short: warp 1.00 (too short to judge)
sm-features: $SCRATCH/short: 0 of 19 frames narrowband"
	sm-features "$SCRATCH/short" | cmp - <(sm-features --warp 1 "$SCRATCH/short")
	run --separate-stderr -0 sm-features -v "$SCRATCH/short"
	assert_equal "$stderr" "sm-features: $SCRATCH/short: warp 1.00 for the input (too short to judge)
sm-features: $SCRATCH/short: 0.00-0.19 s: warp 1.00 (under 1 s: the input's)
sm-features: $SCRATCH/short: 1 stretch
sm-features: $SCRATCH/short: 0 of 19 frames narrowband"
}

@test "--warp 1 needs no acoustic image; auto says when the pack's cannot be used" {
	mkdir -p "$SCRATCH/m/en"
	sed 's|^am_image.*|am_image = missing.img|; /^narrowband/d' "$SM_MODELS/en/pack.conf" > "$SCRATCH/m/en/pack.conf"
	grep -q '^hmm *= */' "$SCRATCH/m/en/pack.conf"
	asterisk16 activated "$SCRATCH/a.wav"
	sm-decode "$SCRATCH/a.wav" > "$SCRATCH/pcm"
	SM_MODELS=$SCRATCH/m run --separate-stderr -0 sm-features --warp 1 "$SCRATCH/pcm"
	SM_MODELS=$SCRATCH/m sm-features --warp 1 "$SCRATCH/pcm" | cmp - <(sm-features --warp 1 "$SCRATCH/pcm")
	SM_MODELS=$SCRATCH/m run --separate-stderr -78 sm-features "$SCRATCH/pcm"
	assert_equal "$stderr" "sm-features: $SCRATCH/m/en/missing.img: No such file or directory (rebuild it: sm-am -m $SCRATCH/m/en --build-image $SCRATCH/m/en/missing.img; --warp 1 needs no acoustic model)"
	assert_equal "$output" ""
}

@test "--floor-window floors a quiet stretch under its own speech, not under the loud speech 11 s before" {
	# goforward.raw, 11 s of digital silence, goforward.raw 18 dB quieter
	# and 0.5 s of silence; and the quiet part alone
	sox -t raw -r 16000 -e signed -b 16 -c 1 -L "$PS_DATA/goforward.raw" -t raw "$SCRATCH/q.raw" vol -18dB
	head -c 352000 /dev/zero > "$SCRATCH/z11.raw"
	head -c 16000 /dev/zero > "$SCRATCH/z.raw"
	cat "$PS_DATA/goforward.raw" "$SCRATCH/z11.raw" "$SCRATCH/q.raw" "$SCRATCH/z.raw" > "$SCRATCH/j.raw"
	cat "$SCRATCH/q.raw" "$SCRATCH/z.raw" > "$SCRATCH/a.raw"
	# c0 over frames 10..39 of the last 0.5 s: the floor alone
	c0() { pcm_of_raw "$1" | sm-features "${@:2}" --cepstra | sm-dump -p 4 |
		tail -n 40 | head -n 30 | awk '{ s += $1 } END { printf "%.3f\n", s / NR }'; }
	d=$(c0 "$SCRATCH/j.raw") w0=$(c0 "$SCRATCH/j.raw" --floor-window 0)
	w10=$(c0 "$SCRATCH/j.raw" --floor-window 10) alone=$(c0 "$SCRATCH/a.raw")
	echo "c0 of the pause: default $d, --floor-window 0 $w0, 10 $w10, the quiet part alone $alone" >&3
	assert_equal "$d" "$w10"
	# within 0.5 of the quiet part alone's; since the start (0), 18 dB of
	# floor (c0 about 20) too high, less the noise removal's share
	awk -v a="$alone" -v w="$w10" -v z="$w0" 'BEGIN {
		if ((w - a) * (w - a) > 0.25 || z - a < 8) exit 1 }'
}

@test "--floor-window leaves an input no longer than the window bit for bit as 0" {
	sox "$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb-0870.wav" -t raw -e signed -b 16 -L "$SCRATCH/s.raw"
	pcm_of_raw "$SCRATCH/s.raw" > "$SCRATCH/pcm"
	sm-features --warp 1 "$SCRATCH/pcm" > "$SCRATCH/d"
	sm-features --warp 1 --floor-window 0 "$SCRATCH/pcm" | cmp - "$SCRATCH/d"
	# 7.1 s: a window of 2 s moves the floor
	! sm-features --warp 1 --floor-window 2 "$SCRATCH/pcm" | cmp -s - "$SCRATCH/d"
}

@test "--warp-by stretch gives a male reader and a female prompt voice their own warps" {
	asterisk16 agent-alreadyon "$SCRATCH/a.wav"
	sox -R -n -r 16000 -c 1 -b 16 "$SCRATCH/gap.wav" synth 0.5 pinknoise vol 0.003
	sox -R "$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb-0870.wav" \
		"$SCRATCH/gap.wav" "$SCRATCH/a.wav" "$SCRATCH/two.wav"
	sm-decode "$SCRATCH/two.wav" > "$SCRATCH/pcm"
	run --separate-stderr -0 sm-features -v --warp-by stretch "$SCRATCH/pcm"
	echo "$stderr" >&3
	# the input's warp; the reader's 7.1 s is one stretch, with a warp of
	# at most 1; the prompt (from 7.6 s) has warps above 1
	[[ ${stderr_lines[0]} =~ ^sm-features:\ $SCRATCH/pcm:\ warp\ 1\.[0-9][0-9]\ for\ the\ input$ ]]
	[[ ${stderr_lines[1]} =~ ^sm-features:\ $SCRATCH/pcm:\ 0\.00-7\.[0-9]+\ s:\ warp\ (0\.[0-9]+|1\.00)$ ]]
	for l in "${stderr_lines[@]:2:${#stderr_lines[@]}-4}"; do
		[[ $l =~ :\ warp\ 1\.(0[3-9]|1[0-9])(\ \(the\ input\'s:\ .*\))?$ ]]
	done
	[[ ${stderr_lines[-2]} =~ :\ [2-9]\ stretches$ ]]
	# the default
	sm-features --warp-by stretch "$SCRATCH/pcm" | cmp - <(sm-features "$SCRATCH/pcm")
	# --warp-by input: one warp for both, the input's above
	[[ ${stderr_lines[0]} =~ warp\ ([0-9.]+)\ for ]]
	w=${BASH_REMATCH[1]}
	run --separate-stderr -0 sm-features -v --warp-by input "$SCRATCH/pcm"
	[[ ${stderr_lines[0]} =~ :\ warp\ $w\ \(log-likelihood ]]
	assert_equal "${#stderr_lines[@]}" 2
}

@test "--warp-by stretch keeps the input's warp for a stretch whose own best scores under 0.3 more" {
	sox -R -n -r 16000 -c 1 -b 16 "$SCRATCH/gap.wav" synth 0.5 pinknoise vol 0.003
	sox -R "$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb-0870.wav" \
		"$SCRATCH/gap.wav" "$PS_DATA/cards/001.wav" "$SCRATCH/two.wav"
	sm-decode "$SCRATCH/two.wav" > "$SCRATCH/pcm"
	run --separate-stderr -0 sm-features -v "$SCRATCH/pcm"
	echo "$stderr" >&3
	[[ ${stderr_lines[0]} =~ :\ warp\ ([0-9.]+)\ for\ the\ input$ ]]
	w=${BASH_REMATCH[1]}
	# the input's warp is --warp-by input's
	[[ $(sm-features -v --warp-by input "$SCRATCH/pcm" 2>&1 >/dev/null | head -n 1) =~ :\ warp\ $w\ \( ]]
	# the second voice prefers another warp, by too little
	[[ ${stderr_lines[2]} =~ :\ 7\.[0-9]+-8\.[0-9]+\ s:\ warp\ $w\ \(the\ input\'s:\ ([0-9.]+)\ scores\ only\ \+(0\.[0-9]+)\)$ ]]
	[ "${BASH_REMATCH[1]}" != "$w" ]
	awk -v g="${BASH_REMATCH[2]}" 'BEGIN { exit !(g < 0.3) }'
	assert_equal "${stderr_lines[3]}" "sm-features: $SCRATCH/pcm: 2 stretches"
}

@test "--warp-by stretch judges the first minute's stretches at its end and later ones one by one, end to end" {
	sox "$PS_DATA"/librivox/*.wav "$PS_DATA"/librivox/*.wav "$PS_DATA"/librivox/*.wav "$SCRATCH/lv.wav"
	sm-decode "$SCRATCH/lv.wav" > "$SCRATCH/pcm"
	run --separate-stderr -0 sm-features -v "$SCRATCH/pcm"
	# each stretch starts where the one before ended, one of them at 60 s
	# (the first minute's end), the last at the input's end (7418 frames)
	printf '%s\n' "${stderr_lines[@]}" | awk 'BEGIN { end = "0.00" }
		/ s: warp / { split($3, t, "-"); if (t[1] != end) exit 1; end = t[2]; n++
			if (t[1] == "60.00") at60 = 1 }
		END { exit !(n >= 10 && at60 && end == "74.18") }'
	assert_equal "${stderr_lines[-1]}" "sm-features: $SCRATCH/pcm: 0 of 7418 frames narrowband"
}

@test "--warp-by stretch: an input of one stretch gets the bytes of --warp-by input" {
	asterisk16 activated "$SCRATCH/a.wav"
	sm-decode "$SCRATCH/a.wav" > "$SCRATCH/pcm"
	run --separate-stderr -0 sm-features -v --warp-by stretch "$SCRATCH/pcm"
	assert_equal "${stderr_lines[2]}" "sm-features: $SCRATCH/pcm: 1 stretch"
	sm-features --warp-by stretch "$SCRATCH/pcm" | cmp - <(sm-features --warp-by input "$SCRATCH/pcm")
}

# The PCM stream PCM with its header's n_frames 0 (unknown), to stdout.
unknown_length() { # PCM
	head -c 40 "$1"; head -c 8 /dev/zero; tail -c +49 "$1"
}

@test "batch CMN writes the first minute's frames while the rest of the input is still to come, when the header gives its length" {
	sox "$PS_DATA"/librivox/*.wav "$PS_DATA"/librivox/*.wav "$PS_DATA"/librivox/*.wav "$SCRATCH/lv.wav"
	sm-decode "$SCRATCH/lv.wav" > "$SCRATCH/pcm"
	mkfifo "$SCRATCH/in"
	sm-features < "$SCRATCH/in" > "$SCRATCH/out" &
	# 70 s of the 74 s, then wait for 50 s of frames (39 floats each) to
	# come out before the rest goes in: without them the writer gives up
	# after 120 s and the output is short.
	{
		head -c $((48 + 70 * 32000)) "$SCRATCH/pcm"
		for _ in $(seq 1200); do
			[ "$(stat -c %s "$SCRATCH/out")" -ge $((48 + 5000 * 156)) ] && break
			sleep 0.1
		done
		stat -c %s "$SCRATCH/out" > "$SCRATCH/seen"
		tail -c +$((49 + 70 * 32000)) "$SCRATCH/pcm"
	} > "$SCRATCH/in"
	wait $!
	[ "$(cat "$SCRATCH/seen")" -ge $((48 + 5000 * 156)) ]
	sm-features "$SCRATCH/pcm" | cmp - "$SCRATCH/out"
}

@test "batch CMN gives the same bytes whether the input header gives its length or not" {
	sox "$PS_DATA"/librivox/*.wav "$PS_DATA"/librivox/*.wav "$PS_DATA"/librivox/*.wav "$SCRATCH/lv.wav"
	asterisk16 activated "$SCRATCH/a.wav"
	sox -n -r 16000 -c 1 -b 16 "$SCRATCH/zero.wav" trim 0 12
	for w in lv a zero; do
		sm-decode "$SCRATCH/$w.wav" > "$SCRATCH/$w.pcm"
		unknown_length "$SCRATCH/$w.pcm" > "$SCRATCH/$w.unknown"
		run -0 sm-dump -H "$SCRATCH/$w.unknown"
		assert_output --regexp ' frames=0$'
		for o in "" "--warp-by input" "--cmn-window 0" "--cmn-window 2 --warp 1"; do
			# shellcheck disable=SC2086 # the options are words
			sm-features $o "$SCRATCH/$w.pcm" > "$SCRATCH/known"
			# shellcheck disable=SC2086
			sm-features $o "$SCRATCH/$w.unknown" > "$SCRATCH/unknown"
			cmp "$SCRATCH/known" "$SCRATCH/unknown"
		done
	done
	# the known length went into the header before any frame
	run -0 sm-dump -H "$SCRATCH/known"
	assert_output --regexp ' frames=1199$'
}

@test "batch CMN refuses an input whose header gives a length beyond --max-hours before writing anything" {
	asterisk16 activated "$SCRATCH/a.wav"
	sm-decode "$SCRATCH/a.wav" > "$SCRATCH/pcm"
	run --separate-stderr -65 sm-features --max-hours 0.0001 "$SCRATCH/pcm"
	assert_equal "$stderr" "sm-features: $SCRATCH/pcm: input longer than 0.0001 hours: batch CMN holds it all in memory (raise --max-hours, or use --cmn live)"
	assert_output ""
}

@test "rejects a bad --warp-by and a negative --floor-window with one line and exit 64" {
	run --separate-stderr -64 sm-features --warp-by speaker /dev/null
	assert_equal "$stderr" "sm-features: --warp-by: expected input or stretch, got 'speaker'"
	assert_equal "$output" ""
	run --separate-stderr -64 sm-features --floor-window -1 /dev/null
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr =~ ^sm-features:\ --floor-window ]]
	assert_equal "$output" ""
}

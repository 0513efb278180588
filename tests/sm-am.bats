#!/usr/bin/env bats
# sm-am: senone log-likelihoods of real speech against an independent
# double-precision oracle (tests/am/oracle.c), top-N mode, stream and
# model-file errors.

load test_helper

MODEL_HMM=$PS_MODEL/en-us

setup_file() {
	local d=$BATS_FILE_TMPDIR
	cc -O2 -o "$d/oracle" "$SM_ROOT/tests/am/oracle.c" -lm
	pocketsphinx_mdef_convert -text "$MODEL_HMM/mdef" "$d/mdef.txt" >/dev/null 2>&1
	# Real speech: goforward.raw (2.79 s) as a PCM stream, then sm-features.
	python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
sys.stdout.buffer.write(b"SMST" + struct.pack("<HHHHIIIIIQQ", 1, 1, 1, 48, 16000,
    1, 1, 0, 0, 0, len(d) // 2) + d)' "$PS_DATA/goforward.raw" >"$d/gf.pcm"
	sm-features "$d/gf.pcm" >"$d/gf.feat"
}

setup() {
	setup_scratch
	F=$BATS_FILE_TMPDIR
}

# A pack whose acoustic model is a copy of the real one, to damage, read
# from the model files (no acoustic image); timestamps kept.
copy_pack() {
	mkdir -p "$SCRATCH/pack/hmm"
	cp -p "$MODEL_HMM"/mdef "$MODEL_HMM"/means "$MODEL_HMM"/variances \
		"$MODEL_HMM"/sendump "$SCRATCH/pack/hmm/"
	sed -e "s|^hmm = .*|hmm = $SCRATCH/pack/hmm|" -e '/^am_image/d' \
		"$SM_MODELS/en/pack.conf" >"$SCRATCH/pack/pack.conf"
}

@test "prints its usage with --help and exits 0" {
	run -0 sm-am --help
	assert_line --index 0 "sm-am: log-likelihoods of every senone for each feature frame (FEAT -> LOGLIK)"
	assert_line --partial "Usage: sm-am"
}

@test "rejects an unknown option with the usage and exit 64" {
	run -64 --separate-stderr sm-am --bogus
	[ "${stderr_lines[0]}" = "sm-am: unrecognized option '--bogus'" ]
	[ "${stderr_lines[1]}" = "sm-am: log-likelihoods of every senone for each feature frame (FEAT -> LOGLIK)" ]
	[ -z "$output" ]
}

@test "writes a LOGLIK header with the FEAT stream's timing" {
	sm-am "$F/gf.feat" >"$SCRATCH/rel.ll"
	run -0 sm-dump -H "$SCRATCH/rel.ll"
	assert_output "SMST version=1 kind=LOGLIK type=f32 rate=16000 dim=5126 shift=160 flags=0x1 start=0 frames=278"
	[ "$(wc -c <"$SCRATCH/rel.ll")" -eq $((48 + 278 * 5126 * 4)) ]
	sm-am --absolute <"$F/gf.feat" >"$SCRATCH/abs.ll"
	run -0 sm-dump -H "$SCRATCH/abs.ll"
	assert_output "SMST version=1 kind=LOGLIK type=f32 rate=16000 dim=5126 shift=160 flags=0x0 start=0 frames=278"
}

@test "scores every senone of every 20th frame within 0.01 nats of a double-precision oracle" {
	sm-am --absolute "$F/gf.feat" >"$SCRATCH/abs.ll"
	run -0 "$F/oracle" "$MODEL_HMM" "$F/mdef.txt" "$F/gf.feat" "$SCRATCH/abs.ll" 20
	echo "$output"
	[[ "$output" =~ ^frames\ 14\ max_err\ ([0-9.]+)$ ]]
	awk -v e="${BASH_REMATCH[1]}" 'BEGIN { exit !(e < 0.01) }'
}

@test "subtracts each frame's maximum: every 23rd frame within 0.01 nats of the oracle" {
	sm-am "$F/gf.feat" >"$SCRATCH/rel.ll"
	run -0 "$F/oracle" "$MODEL_HMM" "$F/mdef.txt" "$F/gf.feat" "$SCRATCH/rel.ll" 23
	echo "$output"
	[[ "$output" =~ ^frames\ 13\ max_err\ ([0-9.]+)$ ]]
	awk -v e="${BASH_REMATCH[1]}" 'BEGIN { exit !(e < 0.01) }'
}

@test "finds silence, then the phones of 'go forward', in the best CI senones" {
	run -0 bash -c "sm-am '$F/gf.feat' | sm-dump -p 3 | awk 'NR > 1 {
		best = 1; for (i = 1; i <= 126; i++) if (\$i > \$best) best = i
		printf \"%d \", int((best - 1) / 3) }'"
	# SIL (32) for the first frames; G (16) and F (15) are in the utterance.
	[[ "$output" == "32 32 32 32 32 32 32 "* ]]
	[[ " $output " == *" 16 16 "* ]]
	[[ " $output " == *" 15 15 15 "* ]]
}

@test "top-N scores of every 40th frame match the oracle's top-N mixture within 0.01 nats" {
	sm-am --absolute --topn 4 "$F/gf.feat" >"$SCRATCH/top4.ll"
	ORACLE_TOPN=4 run -0 "$F/oracle" "$MODEL_HMM" "$F/mdef.txt" "$F/gf.feat" "$SCRATCH/top4.ll" 40
	echo "$output"
	[[ "$output" =~ ^frames\ 7\ max_err\ ([0-9.]+)$ ]]
	awk -v e="${BASH_REMATCH[1]}" 'BEGIN { exit !(e < 0.01) }'
}

@test "top-N with all 128 Gaussians agrees with the exact mode" {
	sm-am "$F/gf.feat" >"$SCRATCH/exact.ll"
	sm-am --topn 128 "$F/gf.feat" >"$SCRATCH/all.ll"
	run -0 python3 "$SM_ROOT/tests/am/llcmp.py" "$SCRATCH/exact.ll" "$SCRATCH/all.ll"
	echo "$output"
	[[ "$output" =~ ^frames\ 278\ max_diff\ ([0-9.]+)$ ]]
	awk -v e="${BASH_REMATCH[1]}" 'BEGIN { exit !(e < 0.001) }'
}

@test "gives the same scores whatever the block size and thread count" {
	sm-am "$F/gf.feat" >"$SCRATCH/b128.ll"
	sm-am --block 7 --threads 3 "$F/gf.feat" >"$SCRATCH/b7.ll"
	run -0 python3 "$SM_ROOT/tests/am/llcmp.py" "$SCRATCH/b128.ll" "$SCRATCH/b7.ll"
	echo "$output"
	[[ "$output" =~ ^frames\ 278\ max_diff\ ([0-9.]+)$ ]]
	awk -v e="${BASH_REMATCH[1]}" 'BEGIN { exit !(e < 0.001) }'
}

@test "rejects a PCM stream with a clear message" {
	run -65 --separate-stderr sm-am <"$F/gf.pcm"
	[ "$stderr" = "sm-am: <stdin>: expected FEAT stream, got PCM" ]
	[ -z "$output" ]
}

@test "rejects a FEAT stream of the wrong dimension" {
	sm-features --cepstra "$F/gf.pcm" >"$SCRATCH/cep.feat"
	run -65 --separate-stderr sm-am "$SCRATCH/cep.feat"
	[ "$stderr" = "sm-am: $SCRATCH/cep.feat: FEAT stream has dimension 13, the acoustic model expects 39" ]
	[ -z "$output" ]
}

@test "rejects a truncated FEAT stream and writes nothing" {
	head -c 1000 "$F/gf.feat" >"$SCRATCH/cut.feat"
	run -65 --separate-stderr sm-am "$SCRATCH/cut.feat"
	[ "$stderr" = "sm-am: $SCRATCH/cut.feat: truncated frame (16 of 156 bytes)" ]
	[ -z "$output" ]
}

@test "rejects empty input" {
	run -65 --separate-stderr sm-am </dev/null
	[ "$stderr" = "sm-am: <stdin>: empty input, expected FEAT stream" ]
}

@test "rejects a non-finite feature value" {
	python3 -c '
import struct, sys
h = open(sys.argv[1], "rb").read(48)
sys.stdout.buffer.write(h[:40] + struct.pack("<Q", 1) + struct.pack("<39f", *([float("nan")] * 39)))' \
		"$F/gf.feat" >"$SCRATCH/nan.feat"
	run -65 --separate-stderr sm-am "$SCRATCH/nan.feat"
	[ "$stderr" = "sm-am: $SCRATCH/nan.feat: frame 0..0: feature value is not finite" ]
	[ -z "$output" ]
}

@test "scores a stream without frames to an empty LOGLIK stream" {
	python3 -c '
import sys
h = open(sys.argv[1], "rb").read(48)
sys.stdout.buffer.write(h[:40] + bytes(8))' "$F/gf.feat" >"$SCRATCH/empty.feat"
	run -0 bash -c "sm-am '$SCRATCH/empty.feat' | sm-dump"
	assert_output "SMST version=1 kind=LOGLIK type=f32 rate=16000 dim=5126 shift=160 flags=0x1 start=0 frames=0"
}

@test "names a truncated means file and exits 78" {
	copy_pack
	truncate -s 500000 "$SCRATCH/pack/hmm/means"
	run -78 --separate-stderr sm-am --model "$SCRATCH/pack" "$F/gf.feat"
	[ "$stderr" = "sm-am: $SCRATCH/pack/hmm/means: checksum mismatch (file is corrupt or truncated)" ]
	[ -z "$output" ]
}

@test "names a truncated sendump and exits 78" {
	copy_pack
	truncate -s 1969000 "$SCRATCH/pack/hmm/sendump"
	run -78 --separate-stderr sm-am --model "$SCRATCH/pack" "$F/gf.feat"
	[ "$stderr" = "sm-am: $SCRATCH/pack/hmm/sendump: truncated: 1968360 bytes of weights, expected 1968384" ]
}

@test "names a truncated mdef and exits 78" {
	copy_pack
	truncate -s 2000000 "$SCRATCH/pack/hmm/mdef"
	run -78 --separate-stderr sm-am --model "$SCRATCH/pack" "$F/gf.feat"
	[ "$stderr" = "sm-am: $SCRATCH/pack/hmm/mdef: truncated in the phone table" ]
}

@test "names a corrupt variances file and exits 78" {
	copy_pack
	printf '\377' | dd of="$SCRATCH/pack/hmm/variances" bs=1 seek=4000 conv=notrunc 2>/dev/null
	run -78 --separate-stderr sm-am --model "$SCRATCH/pack" "$F/gf.feat"
	[ "$stderr" = "sm-am: $SCRATCH/pack/hmm/variances: checksum mismatch (file is corrupt or truncated)" ]
}

@test "reports a missing model file and exits 78" {
	copy_pack
	rm "$SCRATCH/pack/hmm/sendump"
	run -78 --separate-stderr sm-am --model "$SCRATCH/pack" "$F/gf.feat"
	[ "$stderr" = "sm-am: $SCRATCH/pack/hmm/sendump: No such file or directory" ]
}

# A pack with copies of the model files and its own acoustic image.
image_pack() {
	copy_pack
	echo "am_image = am.img" >>"$SCRATCH/pack/pack.conf"
	sm-am --model "$SCRATCH/pack" --build-image "$SCRATCH/pack/am.img"
}

# The end of the line an image that cannot be used is refused with.
hint() {
	printf '%s' "(rebuild it: sm-am -m $SCRATCH/pack --build-image $SCRATCH/pack/am.img; --no-image reads the model files)"
}

@test "scores from the pack's acoustic image exactly as from the model files" {
	run -0 --separate-stderr sm-am -v "$F/gf.feat"
	[ "${stderr_lines[0]}" = "sm-am: $SM_MODELS/en/am.img: 5126 senones, 42 codebooks x 3 streams x 128 Gaussians, dim 39" ]
	sm-am "$F/gf.feat" >"$SCRATCH/img.ll"
	sm-am --no-image "$F/gf.feat" >"$SCRATCH/src.ll"
	cmp "$SCRATCH/img.ll" "$SCRATCH/src.ll"
	sm-am --topn 4 --absolute --threads 2 "$F/gf.feat" >"$SCRATCH/img4.ll"
	sm-am --topn 4 --absolute --threads 2 --no-image "$F/gf.feat" >"$SCRATCH/src4.ll"
	cmp "$SCRATCH/img4.ll" "$SCRATCH/src4.ll"
}

@test "builds the same image as make, and scores with it" {
	image_pack
	cmp "$SCRATCH/pack/am.img" "$SM_MODELS/en/am.img"
	sm-am --model "$SCRATCH/pack" "$F/gf.feat" >"$SCRATCH/img.ll"
	sm-am --no-image "$F/gf.feat" >"$SCRATCH/src.ll"
	cmp "$SCRATCH/img.ll" "$SCRATCH/src.ll"
}

@test "refuses a stale image (a model file changed) with exit 78, and --no-image still scores" {
	image_pack
	touch -d '2001-01-01' "$SCRATCH/pack/hmm/sendump"
	run -78 --separate-stderr sm-am --model "$SCRATCH/pack" "$F/gf.feat"
	[ "$stderr" = "sm-am: $SCRATCH/pack/am.img: stale: the model files have changed $(hint)" ]
	[ -z "$output" ]
	sm-am --model "$SCRATCH/pack" --no-image "$F/gf.feat" | cmp - <(sm-am "$F/gf.feat")
	# Rebuilt, it is used again.
	sm-am --model "$SCRATCH/pack" --build-image "$SCRATCH/pack/am.img"
	sm-am --model "$SCRATCH/pack" "$F/gf.feat" | cmp - <(sm-am "$F/gf.feat")
}

# damage IMAGE SEED N WHERE: N random bytes set to random values, in the
# tables of floats (WHERE=floats: after the header and the three index
# arrays) or in the index arrays (WHERE=index).
damage() {
	python3 - "$@" <<'EOF'
import random, struct, sys
path, seed, n, where = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
up64 = lambda x: (x + 63) & ~63
with open(path, 'r+b') as f:
    h = f.read(4096)
    hdr_size = struct.unpack_from('<I', h, 20)[0]
    body_size = struct.unpack_from('<Q', h, 104)[0]
    n_cb, n_feat, n_dens, n_sen = struct.unpack_from('<4i', h, 128)
    total = up64(hdr_size) + body_size
    idx = up64(up64(hdr_size) + 4 * (n_cb + 1))
    tables = idx + 2 * up64(4 * n_sen)
    lo, hi = (tables, total) if where == 'floats' else (idx, tables)
    rnd = random.Random(seed)
    for _ in range(n):
        f.seek(rnd.randrange(lo, hi))
        f.write(bytes([rnd.randrange(256)]))
EOF
}

@test "make's image passes --check-image; a stale one is refused by it" {
	run -0 --separate-stderr sm-am --check-image
	[ -z "$output" ] && [ -z "$stderr" ]
	run -0 --separate-stderr sm-am -v --check-image
	[ "$stderr" = "sm-am: $SM_MODELS/en/am.img: sound" ]
	image_pack
	touch -d '2001-01-01' "$SCRATCH/pack/hmm/means"
	run -78 --separate-stderr sm-am --model "$SCRATCH/pack" --check-image
	[ "$stderr" = "sm-am: $SCRATCH/pack/am.img: stale: the model files have changed $(hint)" ]
	[ -z "$output" ]
	sed -i '/^am_image/d' "$SCRATCH/pack/pack.conf"
	run -78 --separate-stderr sm-am --model "$SCRATCH/pack" --check-image
	[ "$stderr" = "sm-am: $SCRATCH/pack: the pack names no acoustic image" ]
}

@test "damaged tables of floats: --check-image exits 78, scoring never crashes" {
	image_pack
	cp "$SCRATCH/pack/am.img" "$SCRATCH/good.img"
	# One byte in the middle of the mixture weights, then bytes anywhere
	# in the tables (NaN, infinities, negative weights).
	printf '\001' | dd of="$SCRATCH/pack/am.img" bs=1 seek=6000000 conv=notrunc 2>/dev/null
	run -78 --separate-stderr sm-am --model "$SCRATCH/pack" --check-image
	[ "$stderr" = "sm-am: $SCRATCH/pack/am.img: corrupt acoustic image: checksum mismatch $(hint)" ]
	[ -z "$output" ]
	for n in 20 500 5000; do
		cp "$SCRATCH/good.img" "$SCRATCH/pack/am.img"
		damage "$SCRATCH/pack/am.img" "$n" "$n" floats
		run -78 sm-am --model "$SCRATCH/pack" --check-image
		for opt in --absolute --topn=4; do
			sm-am --model "$SCRATCH/pack" "$opt" "$F/gf.feat" >"$SCRATCH/out.ll"
			[ "$(wc -c <"$SCRATCH/out.ll")" -eq $((48 + 278 * 5126 * 4)) ]
		done
	done
}

@test "refuses an image with damaged index arrays at every start (exit 78)" {
	image_pack
	cp "$SCRATCH/pack/am.img" "$SCRATCH/good.img"
	for seed in 1 2 3; do
		cp "$SCRATCH/good.img" "$SCRATCH/pack/am.img"
		damage "$SCRATCH/pack/am.img" "$seed" 4 index
		cmp -s "$SCRATCH/good.img" "$SCRATCH/pack/am.img" && continue
		run -78 --separate-stderr sm-am --model "$SCRATCH/pack" "$F/gf.feat"
		[ "$stderr" = "sm-am: $SCRATCH/pack/am.img: corrupt acoustic image: its senone index is not a permutation grouped by codebook $(hint)" ]
		[ -z "$output" ]
	done
}

@test "refuses a truncated image, or a file that is not one, with exit 78 naming the sizes or what it is" {
	local size
	image_pack
	cp "$SCRATCH/pack/am.img" "$SCRATCH/good.img"
	size=$(stat -c %s "$SCRATCH/good.img")
	head -c 1000000 "$SCRATCH/good.img" >"$SCRATCH/pack/am.img"
	run -78 --separate-stderr sm-am --model "$SCRATCH/pack" "$F/gf.feat"
	[ "$stderr" = "sm-am: $SCRATCH/pack/am.img: truncated: 1000000 of the $size bytes its header announces $(hint)" ]
	head -c 100 "$SCRATCH/good.img" >"$SCRATCH/pack/am.img"
	run -78 --separate-stderr sm-am --model "$SCRATCH/pack" "$F/gf.feat"
	[ "$stderr" = "sm-am: $SCRATCH/pack/am.img: truncated: 100 bytes, less than a header (192) $(hint)" ]
	{ cat "$SCRATCH/good.img"; printf 'appended'; } >"$SCRATCH/pack/am.img"
	run -78 --separate-stderr sm-am --model "$SCRATCH/pack" "$F/gf.feat"
	[ "$stderr" = "sm-am: $SCRATCH/pack/am.img: damaged: $((size + 8)) bytes, its header announces $size $(hint)" ]
	cp "$SM_MODELS/en/pack.conf" "$SCRATCH/pack/am.img"
	run -78 --separate-stderr sm-am --model "$SCRATCH/pack" "$F/gf.feat"
	[ "$stderr" = "sm-am: $SCRATCH/pack/am.img: not an acoustic image $(hint)" ]
	# the other kind of image
	cp "$SM_MODELS/en/search.img" "$SCRATCH/pack/am.img"
	run -78 --separate-stderr sm-am --model "$SCRATCH/pack" "$F/gf.feat"
	[ "$stderr" = "sm-am: $SCRATCH/pack/am.img: not an acoustic image $(hint)" ]
	rm "$SCRATCH/pack/am.img"
	run -78 --separate-stderr sm-am --model "$SCRATCH/pack" "$F/gf.feat"
	[ "$stderr" = "sm-am: $SCRATCH/pack/am.img: No such file or directory $(hint)" ]
	[ -z "$output" ]
}

@test "refuses an image with a damaged header (a count) at every start, by its checksum: exit 78" {
	image_pack
	# n_sen, the fourth of the counts after the 128-byte prefix
	printf '\001' | dd of="$SCRATCH/pack/am.img" bs=1 seek=141 conv=notrunc 2>/dev/null
	run -78 --separate-stderr sm-am --model "$SCRATCH/pack" "$F/gf.feat"
	[ "$stderr" = "sm-am: $SCRATCH/pack/am.img: damaged header (checksum mismatch) $(hint)" ]
	[ -z "$output" ]
}

@test "reports a missing model file before a usable image" {
	image_pack
	rm "$SCRATCH/pack/hmm/means"
	run -78 --separate-stderr sm-am --model "$SCRATCH/pack" "$F/gf.feat"
	[ "$stderr" = "sm-am: $SCRATCH/pack/hmm/means: No such file or directory" ]
}

@test "leaves no image behind when it cannot build one" {
	copy_pack
	truncate -s 1000 "$SCRATCH/pack/hmm/sendump"
	run -78 --separate-stderr sm-am --model "$SCRATCH/pack" --build-image "$SCRATCH/x.img"
	[[ "$stderr" == "sm-am: $SCRATCH/pack/hmm/sendump: "* ]]
	run -74 --separate-stderr sm-am --build-image "$SCRATCH/nodir/x.img"
	[ "$stderr" = "sm-am: $SCRATCH/nodir/x.img: No such file or directory" ]
	[ "$(ls "$SCRATCH")" = pack ]
}

@test "lists the installed languages for an unknown one" {
	run -78 --separate-stderr sm-am --lang xx "$F/gf.feat"
	[ "$stderr" = "sm-am: no language pack for 'xx' in $SM_MODELS (installed: en)" ]
}

@test "--build-image with --check-image, or either with an input file, is a usage error (64) before the model loads" {
	run -64 --separate-stderr sm-am --model /nonexistent --build-image "$SCRATCH/x.img" --check-image
	[ "$stderr" = "sm-am: --build-image and --check-image: one at a time" ]
	run -64 --separate-stderr sm-am --model /nonexistent --check-image in.feat
	[ "$stderr" = "sm-am: --check-image reads no input, not in.feat" ]
	run -64 --separate-stderr sm-am --model /nonexistent --build-image "$SCRATCH/x.img" in.feat
	[ "$stderr" = "sm-am: --build-image reads no input, not in.feat" ]
	[ -z "$output" ] && [ ! -e "$SCRATCH/x.img" ]
}

@test "--means with the model's own means file scores as the model does, within 0.001 nats" {
	sm-am -a "$F/gf.feat" >"$SCRATCH/a"
	sm-am -a --means "$MODEL_HMM/means" "$F/gf.feat" >"$SCRATCH/b"
	cmp -n 48 "$SCRATCH/a" "$SCRATCH/b"
	run -0 python3 -c '
import array, sys
a = array.array("f", open(sys.argv[1], "rb").read()[48:])
b = array.array("f", open(sys.argv[2], "rb").read()[48:])
print(len(a) == len(b) and max(abs(x - y) for x, y in zip(a, b)) < 1e-3)' "$SCRATCH/a" "$SCRATCH/b"
	assert_output True
}

@test "--means through a FIFO: means moved by 0.5 in the first cepstrum score features moved by 0.5 as the model scores the originals, within 0.001 nats" {
	python3 - "$MODEL_HMM/means" "$SCRATCH/shifted" "$F/gf.feat" "$SCRATCH/gf.feat" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.index(b"endhdr\n") + 7
n_cb, n_f, n_d = struct.unpack_from("<3i", d, i + 4)
vl = struct.unpack_from("<%di" % n_f, d, i + 16)
off, dim = i + 16 + 4 * n_f + 4, sum(vl)
for c in range(n_cb):
    for k in range(n_d):
        p = off + 4 * (c * n_d * dim + k * vl[0])
        struct.pack_into("<f", d, p, struct.unpack_from("<f", d, p)[0] + 0.5)
s = 0
for p in range(i + 4, len(d) - 4, 4):
    s = (((s << 20) | (s >> 12)) + struct.unpack_from("<I", d, p)[0]) & 0xffffffff
struct.pack_into("<I", d, len(d) - 4, s)
open(sys.argv[2], "wb").write(d)
f = bytearray(open(sys.argv[3], "rb").read())
h = struct.unpack_from("<H", f, 10)[0]
fdim = struct.unpack_from("<I", f, 16)[0]
for p in range(h, len(f), 4 * fdim):
    struct.pack_into("<f", f, p, struct.unpack_from("<f", f, p)[0] + 0.5)
open(sys.argv[4], "wb").write(f)
PY
	mkfifo "$SCRATCH/m"
	cat "$SCRATCH/shifted" >"$SCRATCH/m" &
	sm-am -a --means "$SCRATCH/m" "$SCRATCH/gf.feat" >"$SCRATCH/b"
	sm-am -a "$F/gf.feat" >"$SCRATCH/a"
	sm-am -a "$SCRATCH/gf.feat" >"$SCRATCH/c"
	run -0 python3 -c '
import array, sys
r = [array.array("f", open(p, "rb").read()[48:]) for p in sys.argv[1:]]
print("%d %.4f %.1f" % (len(r[0]) == len(r[1]), max(abs(x - y) for x, y in zip(r[0], r[1])),
                        max(abs(x - y) for x, y in zip(r[0], r[2]))))' "$SCRATCH/a" "$SCRATCH/b" "$SCRATCH/c"
	# Same length, the same scores; the moved features alone score apart.
	read -r same diff apart <<<"$output"
	[ "$same" = 1 ]
	awk -v d="$diff" -v a="$apart" 'BEGIN { exit !(d < 0.001 && a > 0.5) }'
}

@test "--means cut short exits 65 with one line naming it and writes nothing" {
	head -c 300000 "$MODEL_HMM/means" >"$SCRATCH/cut"
	run -65 --separate-stderr sm-am --means "$SCRATCH/cut" "$F/gf.feat"
	[ "$stderr" = "sm-am: $SCRATCH/cut: truncated: the means file ends after 300000 bytes" ]
	[ -z "$output" ]
}

@test "--means given another kind of file (the mixture weights) exits 65 naming it" {
	run -65 --separate-stderr sm-am --means "$MODEL_HMM/sendump" "$F/gf.feat"
	[ "$stderr" = "sm-am: $MODEL_HMM/sendump: not a Sphinx-3 s3 file (no \"s3\" header)" ]
	[ -z "$output" ]
}

@test "--means that does not exist exits 66 naming it" {
	run -66 --separate-stderr sm-am --means "$SCRATCH/none" "$F/gf.feat"
	[ "$stderr" = "sm-am: $SCRATCH/none: No such file or directory" ]
}

@test "--means - reads the means ahead of the FEAT stream on standard input: the scores of --means FILE" {
	sm-am -a --means "$MODEL_HMM/means" "$F/gf.feat" >"$SCRATCH/a"
	cat "$MODEL_HMM/means" "$F/gf.feat" | sm-am -a --means - >"$SCRATCH/b"
	cmp "$SCRATCH/a" "$SCRATCH/b"
}

@test "--means - with the means cut short exits 65 naming standard input, and with an input file is a usage error (64)" {
	run -65 --separate-stderr bash -c "head -c 1000 '$MODEL_HMM/means' | sm-am --means -"
	[ "$stderr" = "sm-am: <stdin>: truncated: the means file ends after 1000 bytes" ]
	[ -z "$output" ]
	run -64 --separate-stderr sm-am --means - "$F/gf.feat"
	[ "$stderr" = "sm-am: --means -: the means come before the FEAT stream on standard input, not with an input file" ]
}

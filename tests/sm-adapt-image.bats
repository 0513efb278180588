#!/usr/bin/env bats
# sm-adapt's adaptation image (pack.conf adapt_image): the same output as
# from the model files, built as make builds it, refused when stale or
# damaged.  The input: the LibriVox reader of pocketsphinx's test data.
load test_helper

LV=$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb-0870.wav
MODEL_HMM=$PS_MODEL/en-us

setup_file() {
	d=$BATS_FILE_TMPDIR
	sm-decode "$LV" | sm-features >"$d/lv.feat"
	sm-am <"$d/lv.feat" | sm-lattice -b 80 -w 30 >"$d/lv.hyp"
}

setup() {
	setup_scratch
	D=$BATS_FILE_TMPDIR
}

# A pack whose model files sm-adapt fingerprints are copies of the real
# ones (timestamps kept), the rest the real pack's, with its own
# adaptation image and no acoustic image (whose fingerprint would name
# the same files first).
image_pack() {
	mkdir -p "$SCRATCH/pack/hmm"
	cp -p "$MODEL_HMM"/mdef "$MODEL_HMM"/means "$MODEL_HMM"/variances "$SCRATCH/pack/hmm/"
	for f in transition_matrices sendump noisedict; do
		ln -s "$MODEL_HMM/$f" "$SCRATCH/pack/hmm/$f"
	done
	sed -e "s|^hmm = .*|hmm = $SCRATCH/pack/hmm|" -e '/^am_image =/d' \
		-e '/^image =/d' "$SM_MODELS/en/pack.conf" >"$SCRATCH/pack/pack.conf"
	sm-adapt --model "$SCRATCH/pack" --build-image "$SCRATCH/pack/adapt.img"
}

# The end of the line an image that cannot be used is refused with.
hint() {
	printf '%s' "(rebuild it: sm-adapt -m $SCRATCH/pack --build-image $SCRATCH/pack/adapt.img; --no-image reads the model files)"
}

@test "sm-adapt from the adaptation image writes byte for byte what it writes from the model files: features, and means of 1, 2 and 3 classes" {
	for r in 1 2 3; do
		sm-adapt -P 1 -M - -r "$r" -F "$D/lv.feat" "$D/lv.hyp" >"$SCRATCH/img.$r"
		sm-adapt --no-image -P 1 -M - -r "$r" -F "$D/lv.feat" "$D/lv.hyp" >"$SCRATCH/src.$r"
		cmp "$SCRATCH/img.$r" "$SCRATCH/src.$r"
	done
	sm-adapt -F "$D/lv.feat" "$D/lv.hyp" >"$SCRATCH/img.f"
	sm-adapt --no-image -F "$D/lv.feat" "$D/lv.hyp" >"$SCRATCH/src.f"
	cmp "$SCRATCH/img.f" "$SCRATCH/src.f"
	# The classes do change the means: the comparisons above can fail.
	! cmp -s "$SCRATCH/img.1" "$SCRATCH/img.3" || false
}

@test "sm-adapt --build-image builds the image make built, and adapts with it" {
	image_pack
	cmp "$SCRATCH/pack/adapt.img" "$SM_MODELS/en/adapt.img"
	sm-adapt --model "$SCRATCH/pack" -P 1 -M - -F "$D/lv.feat" "$D/lv.hyp" |
		cmp - <(sm-adapt --no-image -P 1 -M - -F "$D/lv.feat" "$D/lv.hyp")
}

@test "sm-adapt refuses a stale adaptation image (a model file changed) with exit 78 and writes nothing; --no-image still adapts" {
	image_pack
	touch -d '2001-01-01' "$SCRATCH/pack/hmm/variances"
	run -78 --separate-stderr sm-adapt --model "$SCRATCH/pack" -F "$D/lv.feat" "$D/lv.hyp"
	[ "$stderr" = "sm-adapt: $SCRATCH/pack/adapt.img: stale: the model files have changed $(hint)" ]
	[ -z "$output" ]
	sm-adapt --model "$SCRATCH/pack" --no-image -F "$D/lv.feat" "$D/lv.hyp" |
		cmp - <(sm-adapt -F "$D/lv.feat" "$D/lv.hyp")
	# Rebuilt, it is used again.
	sm-adapt --model "$SCRATCH/pack" --build-image "$SCRATCH/pack/adapt.img"
	sm-adapt --model "$SCRATCH/pack" -F "$D/lv.feat" "$D/lv.hyp" |
		cmp - <(sm-adapt -F "$D/lv.feat" "$D/lv.hyp")
}

@test "sm-adapt --check-image passes make's image, fails a damaged one by its checksum (78), and a pack naming none (78)" {
	run -0 --separate-stderr sm-adapt -v --check-image
	[ "$stderr" = "sm-adapt: $SM_MODELS/en/adapt.img: sound" ]
	image_pack
	# One byte in the MLLR prior's sums, near the end.
	size=$(stat -c %s "$SCRATCH/pack/adapt.img")
	printf '\001' | dd of="$SCRATCH/pack/adapt.img" bs=1 seek=$((size - 5000)) conv=notrunc 2>/dev/null
	run -78 --separate-stderr sm-adapt --model "$SCRATCH/pack" --check-image
	[ "$stderr" = "sm-adapt: $SCRATCH/pack/adapt.img: corrupt adaptation image: checksum mismatch $(hint)" ]
	sed -i '/^adapt_image/d' "$SCRATCH/pack/pack.conf"
	run -78 --separate-stderr sm-adapt --model "$SCRATCH/pack" --check-image
	[ "$stderr" = "sm-adapt: $SCRATCH/pack: the pack names no adaptation image" ]
}

@test "sm-adapt refuses a truncated adaptation image, or another kind of image, with exit 78 and writes nothing" {
	image_pack
	cp "$SCRATCH/pack/adapt.img" "$SCRATCH/good.img"
	size=$(stat -c %s "$SCRATCH/good.img")
	head -c 1000000 "$SCRATCH/good.img" >"$SCRATCH/pack/adapt.img"
	run -78 --separate-stderr sm-adapt --model "$SCRATCH/pack" -F "$D/lv.feat" "$D/lv.hyp"
	[ "$stderr" = "sm-adapt: $SCRATCH/pack/adapt.img: truncated: 1000000 of the $size bytes its header announces $(hint)" ]
	[ -z "$output" ]
	cp "$SM_MODELS/en/am.img" "$SCRATCH/pack/adapt.img"
	run -78 --separate-stderr sm-adapt --model "$SCRATCH/pack" -F "$D/lv.feat" "$D/lv.hyp"
	[ "$stderr" = "sm-adapt: $SCRATCH/pack/adapt.img: not an adaptation image $(hint)" ]
	[ -z "$output" ]
}

@test "sm-adapt refuses an image whose model definition holds an id out of range at every start (exit 78), without --check-image" {
	image_pack
	size=$(stat -c %s "$SCRATCH/pack/adapt.img")
	# The last table of the image: each senone's codebook, 2 bytes each
	# (5126 of them); 0x7f7f is no codebook.
	head -c 200 /dev/zero | tr '\0' '\177' |
		dd of="$SCRATCH/pack/adapt.img" bs=1 seek=$((size - 400)) conv=notrunc 2>/dev/null
	run -78 --separate-stderr sm-adapt --model "$SCRATCH/pack" -F "$D/lv.feat" "$D/lv.hyp"
	[ "$stderr" = "sm-adapt: $SCRATCH/pack/adapt.img: corrupt adaptation image: its model definition: bad senone codebooks $(hint)" ]
	[ -z "$output" ]
}

@test "sm-adapt --build-image with --check-image, or either with an input, is a usage error (64); a failed build leaves no file" {
	run -64 --separate-stderr sm-adapt --model /nonexistent --build-image "$SCRATCH/x.img" --check-image
	[ "$stderr" = "sm-adapt: --build-image and --check-image: one at a time" ]
	run -64 --separate-stderr sm-adapt --model /nonexistent --check-image in.hyp
	[ "$stderr" = "sm-adapt: --check-image reads no input, not in.hyp" ]
	run -74 --separate-stderr sm-adapt --build-image "$SCRATCH/nodir/x.img"
	[ "$stderr" = "sm-adapt: $SCRATCH/nodir/x.img: No such file or directory" ]
	[ -z "$(ls "$SCRATCH")" ]
}

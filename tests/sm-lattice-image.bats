#!/usr/bin/env bats
# sm-lattice's search image: each start checks, through image.c as sm-am
# does its acoustic image, the kind and version, the header (its
# checksum), the fingerprint of the model files and the size, then the
# small tables and the roots; --check-image checks all of it (checksum, every node); a node the
# search reaches is checked when it first reaches it.  An image that fails
# is refused with exit 78 and one line, never silently replaced by building
# the tree; a damaged node never crashes the search.

load test_helper

setup_file() {
	goforward_ll "$BATS_FILE_TMPDIR"
}

setup() {
	setup_scratch
	F=$BATS_FILE_TMPDIR
	IMG=$SM_ROOT/models/en/search.img
}

# A pack in $SCRATCH/pack using the installed model files, with a copy of
# the dictionary (its size and time kept, so make's image still matches)
# and a copy of make's image.
image_pack() {
	mkdir -p "$SCRATCH/pack"
	cp -p "$(sed -n 's/^dict *= *//p' "$SM_ROOT/models/en/pack.conf")" "$SCRATCH/pack/dict"
	sed -e "s|^dict = .*|dict = $SCRATCH/pack/dict|" "$SM_ROOT/models/en/pack.conf" >"$SCRATCH/pack/pack.conf"
	cp "$IMG" "$SCRATCH/pack/search.img"
}

# corrupt IMAGE SEED N: N random bytes of the tree's nodes (not the roots
# nor the fillers) set to random values.
corrupt() {
	python3 "$SM_ROOT/tests/search_image.py" "$1" random "$2" "$3"
}

# The line an image that cannot be used ends with.
rebuild() {
	printf '%s' "(rebuild it: sm-lattice -m $SCRATCH/pack --build-image $SCRATCH/pack/search.img; --no-image builds the tree in memory)"
}

words() {
	printf '%s\n' "$1" | awk -F'\t' '$4 == "word" { printf "%s%s", s, $5; s = " " }'
}

@test "make's image passes --check-image and decodes exactly as the tree built in memory" {
	run -0 --separate-stderr sm-lattice --check-image
	[ -z "$output" ]
	image_pack
	sm-lattice --model "$SCRATCH/pack" "$F/gf.ll" >"$SCRATCH/img.hyp"
	sed -i '/^image/d' "$SCRATCH/pack/pack.conf"
	sm-lattice --model "$SCRATCH/pack" "$F/gf.ll" >"$SCRATCH/tree.hyp"
	cmp "$SCRATCH/img.hyp" "$SCRATCH/tree.hyp"
	[ "$(words "$(cat "$SCRATCH/img.hyp")")" = "go forward ten meters" ]
}

@test "a stale image (the dictionary touched) is refused by --check-image and the search with exit 78; --no-image builds the tree" {
	image_pack
	touch "$SCRATCH/pack/dict"
	run -78 --separate-stderr sm-lattice --model "$SCRATCH/pack" --check-image
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	assert_equal "$stderr" "sm-lattice: $SCRATCH/pack/search.img: stale: the model files have changed $(rebuild)"
	run -78 --separate-stderr timeout 20 sm-lattice --model "$SCRATCH/pack" "$F/gf.ll"
	[ -z "$output" ]
	assert_equal "$stderr" "sm-lattice: $SCRATCH/pack/search.img: stale: the model files have changed $(rebuild)"
	run -0 --separate-stderr timeout 20 sm-lattice --no-image --model "$SCRATCH/pack" "$F/gf.ll"
	[ "$(words "$output")" = "go forward ten meters" ]
}

@test "a missing model file is refused with exit 78 naming it, by the search and --check-image, before the image is used" {
	image_pack
	rm "$SCRATCH/pack/dict"
	run -78 --separate-stderr timeout 20 sm-lattice --model "$SCRATCH/pack" "$F/gf.ll"
	[ -z "$output" ]
	assert_equal "$stderr" "sm-lattice: $SCRATCH/pack/dict: No such file or directory"
	run -78 --separate-stderr sm-lattice --model "$SCRATCH/pack" --check-image
	assert_equal "$stderr" "sm-lattice: $SCRATCH/pack/dict: No such file or directory"
}

@test "a file that is not a search image (a damaged magic, an acoustic image) or one of another version is refused at start-up with exit 78" {
	image_pack
	printf 'X' | dd of="$SCRATCH/pack/search.img" bs=1 seek=0 conv=notrunc status=none
	run -78 --separate-stderr timeout 20 sm-lattice --model "$SCRATCH/pack" "$F/gf.ll"
	[ -z "$output" ]
	assert_equal "$stderr" "sm-lattice: $SCRATCH/pack/search.img: not a search image $(rebuild)"
	# the other kind of image
	cp "$SM_ROOT/models/en/am.img" "$SCRATCH/pack/search.img"
	run -78 --separate-stderr timeout 20 sm-lattice --model "$SCRATCH/pack" "$F/gf.ll"
	assert_equal "$stderr" "sm-lattice: $SCRATCH/pack/search.img: not a search image $(rebuild)"
	# an image of another version of the search image's layout
	image_pack
	printf '\005' | dd of="$SCRATCH/pack/search.img" bs=1 seek=12 conv=notrunc status=none
	run -78 --separate-stderr timeout 20 sm-lattice --model "$SCRATCH/pack" "$F/gf.ll"
	assert_equal "$stderr" "sm-lattice: $SCRATCH/pack/search.img: search image of version 5, this program reads version 6 $(rebuild)"
}

@test "a truncated image is refused at start-up with exit 78 naming the image, the sizes and the rebuild command" {
	local size
	image_pack
	size=$(stat -c %s "$SCRATCH/pack/search.img")
	truncate -s $((size / 2)) "$SCRATCH/pack/search.img"
	run -78 --separate-stderr timeout 20 sm-lattice --model "$SCRATCH/pack" "$F/gf.ll"
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	assert_equal "$stderr" "sm-lattice: $SCRATCH/pack/search.img: truncated: $((size / 2)) of the $size bytes its header announces $(rebuild)"
	truncate -s 100 "$SCRATCH/pack/search.img"
	run -78 --separate-stderr timeout 20 sm-lattice --model "$SCRATCH/pack" "$F/gf.ll"
	[[ "$stderr" == "sm-lattice: $SCRATCH/pack/search.img: truncated: 100 bytes, less than a header ("*") $(rebuild)" ]]
	: > "$SCRATCH/pack/search.img"
	run -78 --separate-stderr timeout 20 sm-lattice --model "$SCRATCH/pack" "$F/gf.ll"
	[[ "$stderr" == "sm-lattice: $SCRATCH/pack/search.img: truncated: 0 bytes, less than a header ("*") $(rebuild)" ]]
	rm "$SCRATCH/pack/search.img"
	run -78 --separate-stderr timeout 20 sm-lattice --model "$SCRATCH/pack" "$F/gf.ll"
	assert_equal "$stderr" "sm-lattice: $SCRATCH/pack/search.img: No such file or directory $(rebuild)"
}

@test "an image with bytes appended is refused at start-up with exit 78" {
	local size
	image_pack
	size=$(stat -c %s "$SCRATCH/pack/search.img")
	printf 'appended' >> "$SCRATCH/pack/search.img"
	run -78 --separate-stderr timeout 20 sm-lattice --model "$SCRATCH/pack" "$F/gf.ll"
	[ -z "$output" ]
	assert_equal "$stderr" "sm-lattice: $SCRATCH/pack/search.img: damaged: $((size + 8)) bytes, its header announces $size $(rebuild)"
}

@test "a damaged header field the start-up checks cannot judge (a transition probability) is found by the header checksum: exit 78" {
	image_pack
	# byte 200: inside the first phone's transition probabilities (from 192)
	printf '\x7f' | dd of="$SCRATCH/pack/search.img" bs=1 seek=200 conv=notrunc status=none
	run -78 --separate-stderr timeout 20 sm-lattice --model "$SCRATCH/pack" "$F/gf.ll"
	[ -z "$output" ]
	assert_equal "$stderr" "sm-lattice: $SCRATCH/pack/search.img: damaged header (checksum mismatch) $(rebuild)"
}

@test "a damaged score (indices intact) is found by the checksum of --check-image" {
	image_pack
	# the look-ahead score (bytes 8-11) of the first node after the roots
	python3 "$SM_ROOT/tests/search_image.py" "$SCRATCH/pack/search.img" score
	run -78 --separate-stderr sm-lattice --model "$SCRATCH/pack" --check-image
	[ "${#stderr_lines[@]}" -eq 1 ]
	assert_equal "$stderr" "sm-lattice: $SCRATCH/pack/search.img: corrupt search image: checksum mismatch $(rebuild)"
}

@test "nodes damaged deep in the tree: --check-image exits 78, the search stops with exit 78 where it reaches one" {
	image_pack
	# every node between the roots and the fillers unusable (phone -1)
	python3 "$SM_ROOT/tests/search_image.py" "$SCRATCH/pack/search.img" wipe
	run -78 --separate-stderr sm-lattice --model "$SCRATCH/pack" --check-image
	[ "${#stderr_lines[@]}" -eq 1 ]
	run -78 --separate-stderr sm-lattice --model "$SCRATCH/pack" "$F/gf.ll"
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	assert_equal "$stderr" "sm-lattice: $SCRATCH/pack/search.img: corrupt search image $(rebuild)"
}

@test "10 images with random bytes of their nodes damaged (3000 or 20): each decodes or exits 78 with one line, never crashes" {
	image_pack
	cp "$SCRATCH/pack/search.img" "$SCRATCH/good.img"
	for seed in $(seq 1 10); do
		cp "$SCRATCH/good.img" "$SCRATCH/pack/search.img"
		# many bytes: the search meets one; a few: mostly it does not
		corrupt "$SCRATCH/pack/search.img" "$seed" $((seed <= 5 ? 3000 : 20))
		run --separate-stderr sm-lattice --model "$SCRATCH/pack" "$F/gf.ll"
		echo "seed $seed: exit $status: $stderr"
		if [ "$status" -eq 78 ]; then
			[ -z "$output" ]
			[ "${#stderr_lines[@]}" -eq 1 ]
			[[ "$stderr" == *"corrupt search image"* ]]
		else
			[ "$status" -eq 0 ]
			[ "${lines[0]}" = "#sm-hyp 1" ]
			[ "${lines[-1]}" = "#end" ]
		fi
		run -78 sm-lattice --model "$SCRATCH/pack" --check-image
	done
}

@test "--build-image with --check-image, or either with an input file, is a usage error (64) before the models load" {
	run -64 --separate-stderr sm-lattice --model /nonexistent --build-image "$SCRATCH/x.img" --check-image
	[ "$stderr" = "sm-lattice: --build-image and --check-image: one at a time" ]
	run -64 --separate-stderr sm-lattice --model /nonexistent --check-image in.ll
	[ "$stderr" = "sm-lattice: --check-image reads no input, not in.ll" ]
	run -64 --separate-stderr sm-lattice --model /nonexistent --build-image "$SCRATCH/x.img" in.ll
	[ "$stderr" = "sm-lattice: --build-image reads no input, not in.ll" ]
	[ -z "$output" ] && [ ! -e "$SCRATCH/x.img" ]
}

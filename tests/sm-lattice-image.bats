#!/usr/bin/env bats
# sm-lattice's search image: the start-up checks only the header, the small
# tables and the roots; --check-image checks all of it (checksum, every
# node); a node the search reaches is checked when it first reaches it.  A
# stale image is refused, a damaged one never crashes the search.

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

@test "a stale image (the dictionary touched) is refused by --check-image (exit 78) and the search builds the tree" {
	image_pack
	touch "$SCRATCH/pack/dict"
	run -78 --separate-stderr sm-lattice --model "$SCRATCH/pack" --check-image
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "sm-lattice: $SCRATCH/pack/search.img: stale: the model files have changed (sm-lattice --build-image rebuilds it)" ]]
	run -0 --separate-stderr sm-lattice -v --model "$SCRATCH/pack" "$F/gf.ll"
	[[ "$stderr" == *"search.img: stale: the model files have changed; building the tree"* ]]
	[ "$(words "$output")" = "go forward ten meters" ]
}

@test "a damaged header is found at start-up: the search builds the tree" {
	image_pack
	printf 'X' | dd of="$SCRATCH/pack/search.img" bs=1 seek=0 conv=notrunc status=none
	run -0 --separate-stderr sm-lattice -v --model "$SCRATCH/pack" "$F/gf.ll"
	[[ "$stderr" == *"not a search image of this version; building the tree"* ]]
	[ "$(words "$output")" = "go forward ten meters" ]
}

@test "a damaged score (indices intact) is found by the checksum of --check-image" {
	image_pack
	# the look-ahead score (bytes 8-11) of the first node after the roots
	python3 "$SM_ROOT/tests/search_image.py" "$SCRATCH/pack/search.img" score
	run -78 --separate-stderr sm-lattice --model "$SCRATCH/pack" --check-image
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "sm-lattice: $SCRATCH/pack/search.img: corrupt search image: checksum or an index out of range (sm-lattice --build-image rebuilds it)" ]]
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
	[[ "$stderr" == "sm-lattice: $SCRATCH/pack/search.img: corrupt search image (sm-lattice --build-image rebuilds it)" ]]
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

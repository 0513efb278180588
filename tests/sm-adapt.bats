#!/usr/bin/env bats
# sm-adapt on a real recording: the LibriVox reader of pocketsphinx's test
# data, its features and first-pass best path.
load test_helper

LV=$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb-0870.wav

setup_file() {
	d=$BATS_FILE_TMPDIR
	sm-decode "$LV" | sm-features >"$d/lv.feat"
	sm-am <"$d/lv.feat" | sm-lattice >"$d/lv.hyp"
	# The same features through a known affine map of each stream.
	python3 "$SM_ROOT/tests/adapt/affine.py" "$d/lv.feat" "$d/lv-map.feat" 1
}

setup() {
	setup_scratch
	D=$BATS_FILE_TMPDIR
}

# rms_diff A B: per stream, the RMS difference of two FEAT streams of the
# same length over the RMS spread of A, one line each.
rms_diff() {
	python3 - "$1" "$2" <<'EOF'
import struct, sys
def rd(p):
    d = open(p, "rb").read()
    h = struct.unpack_from("<H", d, 10)[0]
    dim = struct.unpack_from("<I", d, 16)[0]
    n = (len(d) - h) // (4 * dim)
    return dim, n, struct.unpack_from("<%df" % (n * dim), d, h)
dim, n, a = rd(sys.argv[1])
_, m, b = rd(sys.argv[2])
assert m == n
for s in range(0, dim, 13):
    r = range(s, s + 13)
    mean = [sum(a[t * dim + d] for t in range(n)) / n for d in r]
    num = sum((a[t * dim + d] - b[t * dim + d]) ** 2 for t in range(n) for d in r)
    den = sum((a[t * dim + d] - mean[d - s]) ** 2 for t in range(n) for d in r)
    print("%.4f" % (num / den) ** 0.5)
EOF
}

@test "sm-adapt --help and --version print to stdout and exit 0" {
	run -0 sm-adapt --help
	assert_line --index 0 --partial "sm-adapt: adapt the FEAT stream"
	run -0 sm-adapt --version
	assert_output --regexp '^sm-adapt [0-9]'
}

@test "sm-adapt undoes a known affine map of a real recording's features: both adapt to within 0.1 of the spread, the map moved them by over 0.25" {
	run -0 rms_diff "$D/lv.feat" "$D/lv-map.feat"
	for r in "${lines[@]}"; do awk -v r="$r" 'BEGIN { exit !(r > 0.25) }'; done
	# One transform (-w 0) from the data alone (no prior), three
	# alignments: the transform found for the mapped features is the one
	# for the originals composed with the map's inverse, up to what the
	# alignment and the best Gaussians see differently.
	sm-adapt -w 0 -p 0 -P 3 -F "$D/lv.feat" <"$D/lv.hyp" >"$SCRATCH/a"
	sm-adapt -w 0 -p 0 -P 3 -F "$D/lv-map.feat" <"$D/lv.hyp" >"$SCRATCH/b"
	run -0 rms_diff "$SCRATCH/a" "$SCRATCH/b"
	[ "${#lines[@]}" -eq 3 ]
	for r in "${lines[@]}"; do awk -v r="$r" 'BEGIN { exit !(r < 0.1) }'; done
}

@test "sm-adapt keeps the header and the frame count, and moves the frames" {
	sm-adapt -F "$D/lv.feat" <"$D/lv.hyp" >"$SCRATCH/a"
	[ "$(stat -c %s "$SCRATCH/a")" -eq "$(stat -c %s "$D/lv.feat")" ]
	cmp -n 48 "$SCRATCH/a" "$D/lv.feat"
	run cmp -s "$SCRATCH/a" "$D/lv.feat"
	[ "$status" -eq 1 ]
}

@test "sm-adapt with less speech than --min-speech writes the stream unchanged" {
	run -0 --separate-stderr sm-adapt -v -s 100 -F "$D/lv.feat" "$D/lv.hyp"
	[[ "$stderr" == "sm-adapt: "*" s of speech aligned (under 100 s): features left as they are" ]]
	sm-adapt -s 100 -F "$D/lv.feat" <"$D/lv.hyp" | cmp - "$D/lv.feat"
}

@test "sm-adapt on a hypothesis without words writes the stream unchanged" {
	printf '#sm-hyp 1\n0.000\t1.000\t1.000\tsil\t<sil>\n#end\n' >"$SCRATCH/sil.hyp"
	sm-adapt -F "$D/lv.feat" "$SCRATCH/sil.hyp" | cmp - "$D/lv.feat"
}

@test "sm-adapt without --features exits 64 and names the option" {
	run -64 --separate-stderr sm-adapt <"$D/lv.hyp"
	assert_output ''
	[[ "${stderr_lines[0]}" == "sm-adapt: --features: missing"* ]]
}

@test "sm-adapt --prior -1 exits 64 naming the option" {
	run -64 --separate-stderr sm-adapt -p -1 -F "$D/lv.feat" <"$D/lv.hyp"
	assert_output ''
	[[ "$stderr" == *"--prior"* ]]
}

@test "sm-adapt given a PCM stream as features exits 65 with one line and writes nothing" {
	sm-decode "$LV" >"$SCRATCH/pcm"
	run -65 --separate-stderr sm-adapt -F "$SCRATCH/pcm" <"$D/lv.hyp"
	assert_output ''
	[ "$stderr" = "sm-adapt: $SCRATCH/pcm: expected FEAT stream, got PCM" ]
}

@test "sm-adapt given a hypothesis cut short (no #end) exits 65 with one line and writes nothing" {
	sed '$d' "$D/lv.hyp" >"$SCRATCH/cut.hyp"
	run -65 --separate-stderr sm-adapt -F "$D/lv.feat" "$SCRATCH/cut.hyp"
	assert_output ''
	[ "$stderr" = "sm-adapt: $SCRATCH/cut.hyp: no #end line: the hypothesis was cut short" ]
}

@test "sm-adapt --window longer than three times the recording is the one transform, byte for byte; a shorter one makes several" {
	sm-adapt -w 0 -F "$D/lv.feat" <"$D/lv.hyp" >"$SCRATCH/one"
	sm-adapt -w 30 -F "$D/lv.feat" <"$D/lv.hyp" | cmp - "$SCRATCH/one"
	sm-adapt -v -w 6 -F "$D/lv.feat" "$D/lv.hyp" >"$SCRATCH/four" 2>"$SCRATCH/err"
	[[ "$(head -n 1 "$SCRATCH/err")" == "sm-adapt: pass 1: "*" s of speech aligned, 4 transforms, "* ]]
	run cmp -s "$SCRATCH/four" "$SCRATCH/one"
	[ "$status" -eq 1 ]
}

# Two speakers: the recording's features, then the same through the
# affine map, as one FEAT stream (D/two.feat, N frames each), and its
# words twice, the second time shifted by N frames, with
# speaker=S1 and speaker=S2 (D/two.hyp).
two_speakers() {
	python3 - "$D/lv.feat" "$D/lv-map.feat" "$D/lv.hyp" "$SCRATCH/two.feat" "$SCRATCH/two.hyp" <<'EOF2'
import struct, sys
a = open(sys.argv[1], "rb").read()
b = open(sys.argv[2], "rb").read()
h = struct.unpack_from("<H", a, 10)[0]
dim = struct.unpack_from("<I", a, 16)[0]
n = (len(a) - h) // (4 * dim)
open(sys.argv[4], "wb").write(a[:40] + struct.pack("<Q", 2 * n) + a[48:] + b[h:])
lines = [l.rstrip("\n").split("\t") for l in open(sys.argv[3]) if not l.startswith("#")]
with open(sys.argv[5], "w") as o:
    o.write("#sm-hyp 1\n")
    for spk, shift in (("S1", 0), ("S2", n / 100)):
        for f in lines:
            o.write("\t".join(["%.3f" % (float(f[0]) + shift), "%.3f" % (float(f[1]) + shift)] + f[2:]
                              + ["speaker=" + spk]) + "\n")
    o.write("#end\n")
print(n, dim)
EOF2
}

# frames_of FEAT FIRST COUNT: frames FIRST.. of a FEAT stream, as bytes.
frames_of() {
	python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
h = struct.unpack_from("<H", d, 10)[0]
dim = struct.unpack_from("<I", d, 16)[0]
i, n = int(sys.argv[2]), int(sys.argv[3])
sys.stdout.buffer.write(d[h + 4 * dim * i:h + 4 * dim * (i + n)])' "$@"
}

@test "sm-adapt --by-speaker: two speakers' frames each get the transform of their own words alone, byte for byte those of each adapted by itself" {
	read -r n _ < <(two_speakers)
	# The second speaker's features are the first's through a map: one
	# transform for both cannot undo it.
	sm-adapt -S -w 0 -p 0 -P 3 -F "$SCRATCH/two.feat" "$SCRATCH/two.hyp" >"$SCRATCH/both"
	sm-adapt -w 0 -p 0 -P 3 -F "$D/lv.feat" "$D/lv.hyp" >"$SCRATCH/a"
	sm-adapt -w 0 -p 0 -P 3 -F "$D/lv-map.feat" "$D/lv.hyp" >"$SCRATCH/b"
	# Each speaker's frames from the start of its first word to the end of
	# its last (the pause between them is shared at its middle).
	f0=$(awk -F '\t' '$4 == "word" { printf "%d", $1 * 100 + 0.5; exit }' "$D/lv.hyp")
	f1=$(awk -F '\t' '$4 == "word" { e = $2 } END { printf "%d", e * 100 + 0.5 }' "$D/lv.hyp")
	[ "$f0" -gt 0 ] && [ "$f1" -gt $((f0 + 400)) ] && [ "$f1" -lt "$n" ]
	cmp <(frames_of "$SCRATCH/both" 0 "$f1") <(frames_of "$SCRATCH/a" 0 "$f1")
	cmp <(frames_of "$SCRATCH/both" $((n + f0)) $((f1 - f0))) <(frames_of "$SCRATCH/b" "$f0" $((f1 - f0)))
	[ "$(stat -c %s "$SCRATCH/both")" -eq "$(stat -c %s "$SCRATCH/two.feat")" ]
	# Without --by-speaker one transform serves both: not the same.
	sm-adapt -w 0 -p 0 -P 3 -F "$SCRATCH/two.feat" "$SCRATCH/two.hyp" >"$SCRATCH/one"
	run cmp -s <(frames_of "$SCRATCH/one" 0 "$n") <(frames_of "$SCRATCH/a" 0 "$n")
	[ "$status" -eq 1 ]
	# With windows each speaker's window has its own words only.
	run -0 --separate-stderr sm-adapt -v -S -w 6 -F "$SCRATCH/two.feat" "$SCRATCH/two.hyp"
	[[ "${stderr_lines[0]}" == "sm-adapt: pass 1: "*" s of speech aligned, "*" transforms of several speakers, "* ]]
}

@test "sm-adapt --by-speaker with one speaker, or none labelled, writes the stream it writes without it" {
	sm-adapt -F "$D/lv.feat" "$D/lv.hyp" >"$SCRATCH/plain"
	sm-adapt -S -F "$D/lv.feat" "$D/lv.hyp" | cmp - "$SCRATCH/plain"
	awk -F '\t' -v OFS='\t' '/^#/ { print; next } { print $0, "speaker=S1" }' "$D/lv.hyp" >"$SCRATCH/s1.hyp"
	sm-adapt -S -F "$D/lv.feat" "$SCRATCH/s1.hyp" | cmp - "$SCRATCH/plain"
}

# best_mean LOGLIK: the mean over frames of the best senone's absolute
# log-likelihood.
best_mean() {
	python3 -c '
import array, struct, sys
d = open(sys.argv[1], "rb").read()
h = struct.unpack_from("<H", d, 10)[0]
dim = struct.unpack_from("<I", d, 16)[0]
a = array.array("f", d[h:])
n = len(a) // dim
print("%.3f" % (sum(max(a[t * dim:(t + 1) * dim]) for t in range(n)) / n))' "$1"
}

@test "sm-adapt --means: the recording's frames score higher with the adapted means, by over 0.5 nats a frame" {
	sm-adapt -C -M "$SCRATCH/means" -F "$D/lv.feat" <"$D/lv.hyp" >"$SCRATCH/feat"
	cmp "$SCRATCH/feat" "$D/lv.feat"
	sm-am -a <"$D/lv.feat" >"$SCRATCH/l0"
	sm-am -a -M "$SCRATCH/means" <"$D/lv.feat" >"$SCRATCH/l1"
	b0=$(best_mean "$SCRATCH/l0")
	b1=$(best_mean "$SCRATCH/l1")
	awk -v a="$b0" -v b="$b1" 'BEGIN { exit !(b > a + 0.5) }'
}

@test "sm-adapt --means through a FIFO into sm-am --means: the two passes find the reader's words" {
	mkfifo "$SCRATCH/m"
	run -0 bash -o pipefail -c "sm-adapt -v -F '$D/lv.feat' -M '$SCRATCH/m' <'$D/lv.hyp' 2>'$SCRATCH/err' |
		sm-am -M '$SCRATCH/m' | sm-lattice | sm-format -f txt"
	assert_output --partial "john dashwood"
	assert_output --partial "leisure to consider how much there might be"
	run grep -c "MLLR: .* s of speech aligned, frames per class 0 [1-9][0-9]* [1-9][0-9]*, log-likelihood +" "$SCRATCH/err"
	assert_output 1
}

@test "sm-adapt --classes 1 and 3 adapt the means differently; a large --mllr-prior leaves them within 0.01 of the model's" {
	sm-adapt -C -r 1 -M "$SCRATCH/m1" -F "$D/lv.feat" <"$D/lv.hyp" >/dev/null
	sm-adapt -C -r 3 -M "$SCRATCH/m3" -F "$D/lv.feat" <"$D/lv.hyp" >/dev/null
	sm-adapt -C -T 1e7 -M "$SCRATCH/mp" -F "$D/lv.feat" <"$D/lv.hyp" >/dev/null
	run cmp -s "$SCRATCH/m1" "$SCRATCH/m3"
	[ "$status" -eq 1 ]
	run -0 python3 -c '
import array, sys
def rd(p):
    d = open(p, "rb").read()
    i = d.index(b"endhdr\n") + 7 + 4 + 4 * 7
    return array.array("f", d[i:-4])
a, b = rd(sys.argv[1]), rd(sys.argv[2])
print(len(a) == len(b) == 42 * 128 * 39, "%.4f" % max(abs(x - y) for x, y in zip(a, b)))' \
		"$PS_MODEL/en-us/means" "$SCRATCH/mp"
	read -r same diff <<<"$output"
	[ "$same" = True ]
	awk -v d="$diff" 'BEGIN { exit !(d < 0.01) }'
}

@test "sm-adapt --means to a path that cannot be created exits 74 with one line and writes nothing" {
	run -74 --separate-stderr sm-adapt -M "$SCRATCH/no/such/dir" -F "$D/lv.feat" "$D/lv.hyp"
	assert_output ''
	[ "$stderr" = "sm-adapt: $SCRATCH/no/such/dir: No such file or directory" ]
}

@test "sm-adapt --classes 4 exits 64 naming the option" {
	run -64 --separate-stderr sm-adapt -r 4 -M "$SCRATCH/m" -F "$D/lv.feat" <"$D/lv.hyp"
	assert_output ''
	[[ "$stderr" == *"--classes"* ]]
}

@test "sm-adapt --means - writes the means file, then the FEAT stream, on standard output" {
	sm-adapt -M "$SCRATCH/m" -F "$D/lv.feat" <"$D/lv.hyp" >"$SCRATCH/feat"
	sm-adapt -M - -F "$D/lv.feat" <"$D/lv.hyp" >"$SCRATCH/both"
	cat "$SCRATCH/m" "$SCRATCH/feat" | cmp - "$SCRATCH/both"
	[ "$(stat -c %s "$SCRATCH/m")" -gt 800000 ]
}

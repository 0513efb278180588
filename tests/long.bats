#!/usr/bin/env bats
# Long input: every stage streams, so memory stays bounded however long the
# recording.  A 20-minute input (the 358 Asterisk prompts of Debian's
# asterisk-core-sounds-en-g722, real speech, concatenated) goes through the
# stages as sm-transcribe connects them, each under /usr/bin/time -v, and
# each stage's peak RSS must stay under its bound below.  sm-lattice
# searches long input in segments cut at pauses: the five LibriVox sentences
# one after another (25 s) with short segments check where the cuts fall and
# what is written.
#
# SM_LONG_2H=1 also runs a 2-hour input (the same recordings six times) as
# one sm-transcribe job and prints every stage's peak RSS, wall and CPU
# time (docs/LONG-INPUT.md); it takes 10 to 30 minutes.
load test_helper

# Peak RSS bounds in MiB for 20 minutes of 16 kHz speech, each a few times
# what the stage needs, far below what holding the input would take.
# sm-decode streams a piped WAV in a constant few MiB (the WAV is 38 MB).
# sm-features' batch CMN holds 52 bytes a frame (6 MB for 20 minutes), the
# warp search 3 MB more.  sm-am's block working space is constant, besides
# its acoustic image's mapped pages.  sm-lattice holds one segment of at
# most 60 s (word ends, lattice, rescoring) on top of the search image and
# LM pages, whatever the input's length: sm-lattice(1) says under 200 MB.
# sm-format holds a few dozen bytes a word besides the LM pages its
# punctuation touches, most of the 27 MB file on a long transcript.
bound() { # STAGE
	case $1 in
	decode) echo 8 ;;
	fetch | features) echo 32 ;;
	format) echo 64 ;;
	am) echo 128 ;;
	lattice) echo 200 ;;
	esac
}

setup_file() {
	export LX=$BATS_FILE_TMPDIR
	# The prompts' wideband G.722 recordings, decoded as one stream (G.722
	# frames concatenate); sm-decode.bats streams them at 8 kHz.
	cat "$AST_DIR"/*.g722 | ffmpeg -nostdin -loglevel error -f g722 -i - -ac 1 -ar 16000 -y "$LX/20min.wav"
	sox "$PS_DATA"/librivox/*.wav "$LX/lv.wav"
	sm-decode "$LX/lv.wav" | sm-features | sm-am >"$LX/lv.ll"
	# Its hypothesis searched in one segment, which two tests compare with.
	sm-lattice --segment-max 0 "$LX/lv.ll" >"$LX/whole"
}

setup() { setup_scratch; }

# Run the stages on WAV, each under /usr/bin/time -v; DIR/t.NAME holds its
# report, DIR/out the transcript.  Fails unless every stage exits 0.
stages() { # WAV DIR
	local T="/usr/bin/time -v -o $2/t"
	$T.fetch sm-fetch "$1" | $T.decode sm-decode | $T.features sm-features |
		$T.am sm-am | $T.lattice sm-lattice -v 2>"$2/v.lattice" |
		$T.format sm-format -f txt > "$2/out"
	local st=("${PIPESTATUS[@]}")
	[ "${st[*]}" = "0 0 0 0 0 0" ] || { echo "exit statuses: ${st[*]}"; return 1; }
}

rss_mib() { # REPORT
	sed -n 's/^\tMaximum resident set size (kbytes): //p' "$1" | awk '{print int($1 / 1024)}'
}

# Peak RSS, wall and CPU time from a /usr/bin/time -v report.
usage() { # REPORT
	awk -F': ' '/Maximum resident/ { r = int($2 / 1024) } /Elapsed/ { w = $2 }
		/User time/ { u = $2 } /System time/ { s = $2 }
		END { printf "peak RSS %d MiB, wall %s, CPU %.1f s\n", r, w, u + s }' "$1"
}

@test "20 minutes of speech go through every stage within its memory bound" {
	run -0 soxi -D "$LX/20min.wav"
	[ "${output%%.*}" -ge 1200 ]
	stages "$LX/20min.wav" "$SCRATCH"
	# Real speech, recognised: thousands of words.
	[ "$(wc -w < "$SCRATCH/out")" -gt 2500 ]
	# in segments of at most 60 s, most ended by a pause
	run -0 awk '/: segment / { n++; f = $0; sub(/.*\(/, "", f); sub(/ frames.*/, "", f)
		if (f + 0 > 6000) big++; if (/ended by forced/) forced++ }
		END { print n, big + 0, forced + 0 }' "$SCRATCH/v.lattice"
	echo "# sm-lattice: segments, over 60 s, forced: $output" >&3
	read -r n big forced <<<"$output"
	[ "$n" -ge 20 ] && [ "$big" -eq 0 ] && [ "$((4 * forced))" -le "$n" ]
	for s in fetch decode features am lattice format; do
		rss=$(rss_mib "$SCRATCH/t.$s") max=$(bound "$s")
		echo "# sm-$s: peak RSS $rss MiB (bound $max MiB)" >&3
		[ "$rss" -le "$max" ] || { echo "sm-$s: $rss MiB > $max MiB"; return 1; }
	done
}

@test "2 hours of speech: peak RSS of every stage and of sm-transcribe (SM_LONG_2H=1)" {
	[ -n "${SM_LONG_2H:-}" ] || skip "set SM_LONG_2H=1 (about 30 minutes)"
	sox "$LX/20min.wav" "$LX/20min.wav" "$LX/20min.wav" "$LX/20min.wav" "$LX/20min.wav" \
		"$LX/20min.wav" "$SCRATCH/2h.wav" trim 0 7190	# under the 7200 s default limit
	echo "# input: $(soxi -D "$SCRATCH/2h.wav") s, $(stat -c %s "$SCRATCH/2h.wav") bytes" >&3
	# one job, each stage under /usr/bin/time -v through sm-transcribe's
	# stage replacement (the same program, its options as "$@")
	local s S
	for s in fetch decode features am lattice format; do
		S=$(printf '%s' "$s" | tr a-z A-Z)
		export "SM_STAGE_$S=exec /usr/bin/time -v -o $SCRATCH/t.$s sm-$s \"\$@\""
	done
	export SM_STAGE_LATTICE="exec /usr/bin/time -v -o $SCRATCH/t.lattice sm-lattice -v \"\$@\" 2>$SCRATCH/v.lattice"
	/usr/bin/time -v -o "$SCRATCH/t.job" sm-transcribe "$SCRATCH/2h.wav" > "$SCRATCH/job.json"
	sum=0
	for s in fetch decode features am lattice format; do
		echo "# sm-$s: $(usage "$SCRATCH/t.$s")" >&3
		sum=$((sum + $(rss_mib "$SCRATCH/t.$s")))
	done
	echo "# all stages at once: at most $sum MiB (the sum of their peaks)" >&3
	echo "# sm-transcribe (its largest process): $(usage "$SCRATCH/t.job")" >&3
	echo "# sm-lattice: $(grep -c ': segment ' "$SCRATCH/v.lattice") segments," \
		"$(grep -c 'ended by forced' "$SCRATCH/v.lattice") forced" >&3
	echo "# words: $(jq '[.results[] | select(.type == "word")] | length' "$SCRATCH/job.json")" >&3
	jq -e '.results | length > 10000' "$SCRATCH/job.json" > /dev/null
	[ "$(rss_mib "$SCRATCH/t.lattice")" -le "$(bound lattice)" ]
}

# The segments of a run with -v: one line per segment, "START END FRAMES
# WHY", from sm-lattice's statistics.
segments() { # LOG
	sed -n 's/.*: segment [0-9]*: \([0-9.]*\)-\([0-9.]*\) s (\([0-9]*\) frames, ended by \([a-z ]*\)).*/\1 \2 \3 \4/p' "$1"
}

@test "an input shorter than --segment-min gives the same bytes as one never cut" {
	sm-lattice --segment-min 60 "$LX/lv.ll" >"$SCRATCH/default"
	cmp "$SCRATCH/default" "$LX/whole"
	[ "$(grep -c -w word "$LX/whole")" -gt 60 ]
}

@test "segments end inside pauses; one hypothesis and one lattice per segment, in time order" {
	cp "$LX/whole" "$SCRATCH/whole"
	sm-lattice -v --segment-min 3 --segment-max 8 --lattice "$SCRATCH/seg.lat" \
		"$LX/lv.ll" >"$SCRATCH/seg" 2>"$SCRATCH/log"
	segments "$SCRATCH/log" >"$SCRATCH/segs"
	cat "$SCRATCH/segs"
	run -0 python3 - "$SCRATCH" "$SM_ROOT/tests/corpus/librivox.ref.tsv" <<'EOF'
import sys
d, ref = sys.argv[1], sys.argv[2]
segs = [l.split(" ", 3) for l in open(d + "/segs").read().splitlines()]
segs = [(float(a), float(b), int(n), w) for a, b, n, w in segs]
def items(path):
    lines = open(path).read().splitlines()
    assert lines[0] == "#sm-hyp 1" and lines[-1] == "#end", path
    assert sum(l.startswith("#") for l in lines) == 2, path
    return [(float(f[0]), float(f[1]), f[3], f[4])
            for f in (l.split("\t") for l in lines[1:-1])]
whole, seg = items(d + "/whole"), items(d + "/seg")
bad = []
if len(segs) < 4 or sum(w == "a pause" for *_, w in segs) < 3:
    bad.append("expected at least 4 segments, 3 ended by a pause")
# contiguous, from 0 to the end of the input
if segs[0][0] != 0 or any(abs(segs[i][1] - segs[i + 1][0]) > 1e-6 for i in range(len(segs) - 1)):
    bad.append("segments not contiguous")
if abs(segs[-1][1] - whole[-1][1]) > 0.5:
    bad.append("the last segment ends at %g, the input near %g" % (segs[-1][1], whole[-1][1]))
# a cut at a pause is inside no word of the uncut hypothesis
for a, b, n, why in segs[:-1]:
    for st, en, kind, w in whole:
        if why == "a pause" and kind == "word" and st < b - 1e-6 and en > b + 1e-6:
            bad.append("cut at %g is inside %s %g-%g" % (b, w, st, en))
# items in time order, each inside one segment
for i, (st, en, kind, w) in enumerate(seg):
    if en < st or (i and st < seg[i - 1][1] - 1e-6):
        bad.append("item %d (%s) out of order" % (i, w))
    if not any(a - 1e-6 <= st and en <= b + 1e-6 for a, b, n, _ in segs):
        bad.append("item %s %g-%g crosses a cut" % (w, st, en))
# as accurate as the uncut search: word error rate against the references
def wer(h, r):
    dd = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        p, dd[0] = dd[0], i
        for j in range(1, len(h) + 1):
            p, dd[j] = dd[j], min(dd[j] + 1, dd[j - 1] + 1, p + (r[i - 1] != h[j - 1]))
    return dd[-1] / len(r)
r = " ".join(l.split("\t")[1] for l in open(ref)).split()
e_whole = wer([w for *_, k, w in whole if k == "word"], r)
e_seg = wer([w for *_, k, w in seg if k == "word"], r)
print("WER uncut %.3f, in %d segments %.3f" % (e_whole, len(segs), e_seg))
if e_seg > e_whole + 0.05:
    bad.append("segmenting costs too much accuracy")
# the lattices: one per segment, node 0 at the segment's start, FRAMES its
# frames, every word of the hypothesis a node of its segment's lattice
docs = open(d + "/seg.lat").read().split("#sm-lattice 1\n")
if docs[0] != "" or len(docs) - 1 != len(segs):
    bad.append("%d lattices for %d segments" % (len(docs) - 1, len(segs)))
for k, doc in enumerate(docs[1:len(segs) + 1]):
    lines = doc.splitlines()
    u = lines[0].split("\t")
    nodes = [l.split("\t") for l in lines if l.startswith("N\t")]
    if lines[-1] != "#end" or int(u[1]) != len(nodes) or int(u[3]) != segs[k][2]:
        bad.append("lattice %d: bad U line or no #end" % k)
    if nodes[0][4] != "start" or abs(float(nodes[0][3]) - segs[k][0]) > 1e-6:
        bad.append("lattice %d starts at %s, its segment at %g" % (k, nodes[0][3], segs[k][0]))
    starts = {(float(n[3]), n[5]) for n in nodes}
    for st, en, kind, w in seg:
        if segs[k][0] - 1e-6 <= st < segs[k][1] - 1e-6 and (st, w) not in starts:
            bad.append("lattice %d has no node %s at %g" % (k, w, st))
for b in bad[:10]:
    print(b)
sys.exit(1 if bad else 0)
EOF
	echo "# $output" >&3
}

@test "forced cuts where no pause comes still give one hypothesis that sm-format reads" {
	sm-lattice -v --segment-min 1 --segment-max 1.5 "$LX/lv.ll" >"$SCRATCH/hyp" 2>"$SCRATCH/log"
	[ "$(segments "$SCRATCH/log" | grep -c 'forced$')" -ge 8 ]
	[ "$(head -1 "$SCRATCH/hyp")" = "#sm-hyp 1" ] && [ "$(tail -1 "$SCRATCH/hyp")" = "#end" ]
	[ "$(grep -c '^#' "$SCRATCH/hyp")" -eq 2 ]
	[ "$(grep -c -w word "$SCRATCH/hyp")" -gt 50 ]
	run -0 sm-format "$SCRATCH/hyp"
	printf '%s' "$output" | jq -e '(.results | length) > 50
		and ([.results[].start_time] | . == sort)'
}

@test "a stream cut short after some segments leaves no hypothesis and no lattice file" {
	head -c $(($(stat -c %s "$LX/lv.ll") - 100)) "$LX/lv.ll" >"$SCRATCH/cut.ll"
	run -65 --separate-stderr sm-lattice -v --segment-min 3 --segment-max 8 \
		--lattice "$SCRATCH/cut.lat" "$SCRATCH/cut.ll"
	# segments were searched and their lattices written before the cut
	[ "$(printf '%s\n' "${stderr_lines[@]}" | grep -c ': segment ')" -ge 4 ]
	[ "${stderr_lines[-1]}" = "sm-lattice: $SCRATCH/cut.ll: truncated frame (20404 of 20504 bytes)" ]
	[ -z "$output" ]
	[ ! -e "$SCRATCH/cut.lat" ]
}

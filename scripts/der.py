#!/usr/bin/env python3
"""Diarization error rate, as NIST md-eval defines it (standard library only).

Usage:
  der.py [--collar S] [--join S] REF.rttm HYP
  der.py [--collar S] [--join S] --manifest LIST HYPDIR

REF is RTTM (SPEAKER FILE CHAN START DUR <NA> <NA> SPKID <NA> <NA>). HYP is
RTTM too, or a '#sm-hyp 1' stream (sm-stream(5)) whose word lines carry a
speaker=ID attribute: each word is speech of its speaker, and consecutive
words of one speaker are joined into one segment when the pause between
them is at most --join seconds (default 0.5: a diarizer labels words, and
the pauses between words of one turn are speech time for the reference).
A stream without '#end' or a word without speaker= is an error (exit 65).

Scoring follows md-eval -c COLLAR without a UEM: the time from the first
reference start to the last reference end is evaluated, and scored except a
no-score zone of COLLAR seconds (default 0.25) either side of every
reference segment's start and end. In each stretch of scored time,
with Nref reference speakers and Nhyp hypothesis speakers talking and Ncor
of the reference speakers talking while the hypothesis speaker mapped to
them talks too:
  missed    = dur * max(0, Nref - Nhyp)
  false al. = dur * max(0, Nhyp - Nref)
  confusion = dur * (min(Nref, Nhyp) - Ncor)
  DER = (missed + false alarm + confusion) / sum(dur * Nref)
so overlapping reference speech counts once per speaker, as in md-eval. The
mapping is one-to-one, hypothesis to reference speakers, chosen to maximise
the time they talk together in the evaluated span, collars included, as
md-eval does (Hungarian algorithm). Times are kept
in whole milliseconds (both inputs have three decimals).

Output: one TSV row per file, with a header:
  name ref_spk hyp_spk scored_s missed_s falarm_s confusion_s der_pct
then, in manifest mode, a row 'total' (sums; DER of the sums) and a last
line, the summary:
  DER=X% files=N speaker_count_ok=K/N single_one_label=J/M
(speaker_count_ok: files whose hypothesis has as many speakers as the
reference; single_one_label: of the M single-speaker references, those
with exactly one hypothesis label). Single-pair mode prints its row and
'DER=X%'.

LIST is a diar-corpus.sh list.tsv (name, wav, speakers, seconds); the
reference of NAME is NAME.rttm beside its wav, the hypothesis HYPDIR/NAME.hyp
or else HYPDIR/NAME.rttm (missing: every reference second is missed).
"""
import os
import sys

EX_USAGE, EX_DATAERR, EX_NOINPUT = 64, 65, 66


def die(msg, code=EX_DATAERR):
    sys.stderr.write("der.py: " + msg + "\n")
    sys.exit(code)


def ms(text, where):
    try:
        return int(round(float(text) * 1000))
    except ValueError:
        die(f"{where}: expected a number of seconds, got '{text}'")


def read_rttm(path, lines):
    """[(start_ms, end_ms, speaker)] of the SPEAKER lines."""
    segs = []
    for n, line in enumerate(lines, 1):
        f = line.split()
        if not f or f[0].startswith(";") or f[0].startswith("#"):
            continue
        if f[0] != "SPEAKER":
            continue
        if len(f) < 8:
            die(f"{path}:{n}: expected an RTTM SPEAKER line of 10 fields")
        s = ms(f[3], f"{path}:{n}")
        d = ms(f[4], f"{path}:{n}")
        if d > 0:
            segs.append((s, s + d, f[7]))
    return segs


def read_smhyp(path, lines, join):
    """Word lines with speaker= as segments, joined per speaker."""
    segs = []
    ended = False
    for n, line in enumerate(lines[1:], 2):
        line = line.rstrip("\n")
        if line == "#end":
            ended = True
            continue
        if not line or line.startswith("#"):
            continue
        f = line.split("\t")
        if len(f) < 5:
            die(f"{path}:{n}: expected START END CONFIDENCE KIND WORD, got '{line}'")
        if f[3] != "word":
            continue
        spk = None
        for a in f[5:]:
            if a.startswith("speaker="):
                spk = a[len("speaker="):]
        if not spk:
            die(f"{path}:{n}: word without a speaker= attribute (run sm-diarize)")
        s, e = ms(f[0], f"{path}:{n}"), ms(f[1], f"{path}:{n}")
        if segs and segs[-1][2] == spk and s - segs[-1][1] <= join:
            segs[-1] = (segs[-1][0], max(e, segs[-1][1]), spk)
        elif e > s:
            segs.append((s, e, spk))
    if not ended:
        die(f"{path}: no '#end' line: the hypothesis stream was cut short")
    return segs


def read_segments(path, join):
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
    except OSError as e:
        die(f"{path}: {e.strerror}", EX_NOINPUT)
    if lines and lines[0].rstrip("\n") == "#sm-hyp 1":
        return read_smhyp(path, lines, join)
    if lines and lines[0].startswith("#sm-"):
        die(f"{path}: expected RTTM or '#sm-hyp 1', got '{lines[0].strip()}'")
    return read_rttm(path, lines)


def hungarian(w):
    """Assignment maximising the sum of w (rows x cols, any shape):
    {row: col}. Kuhn-Munkres with potentials on the square matrix padded
    with zeros, minimising the negated weights."""
    n = max(len(w), len(w[0]) if w else 0)
    if n == 0:
        return {}
    big = max((x for r in w for x in r), default=0)
    cost = [[big - (w[i][j] if i < len(w) and j < len(w[i]) else 0)
             for j in range(n)] for i in range(n)]
    inf = float("inf")
    u, v = [0] * (n + 1), [0] * (n + 1)
    p, way = [0] * (n + 1), [0] * (n + 1)   # p[j]: row matched to column j
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = [inf] * (n + 1)
        used = [False] * (n + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = p[j0], inf, 0
            for j in range(1, n + 1):
                if not used[j]:
                    cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(n + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
    return {p[j] - 1: j - 1 for j in range(1, n + 1)
            if p[j] - 1 < len(w) and j - 1 < len(w[0])}


def stretches(ref, hyp, collar):
    """(dur_ms, ref speakers, hyp speakers) of every stretch of scored time
    in which the talking speakers do not change."""
    ev = []
    for s, e, k in ref:
        ev += [(s, 0, k, 1), (e, 0, k, -1)]
        for b in (s, e):
            ev += [(b - collar, 2, None, 1), (b + collar, 2, None, -1)]
    for s, e, k in hyp:
        ev += [(s, 1, k, 1), (e, 1, k, -1)]
    if ref:
        # md-eval's default evaluation span: the reference's first start to
        # its last end; everything outside is no-score.
        ev += [(min(s for s, _, _ in ref), 2, None, -1),
               (max(e for _, e, _ in ref), 2, None, 1)]
    ev.sort(key=lambda x: x[0])
    act = ({}, {})
    nsz = 1
    out = []
    prev = None
    for t, kind, k, d in ev:
        if prev is not None and t > prev and nsz == 0:
            r = frozenset(x for x, c in act[0].items() if c > 0)
            h = frozenset(x for x, c in act[1].items() if c > 0)
            if r or h:
                out.append((t - prev, r, h))
        prev = t
        if kind == 2:
            nsz += d
        else:
            act[kind][k] = act[kind].get(k, 0) + d
    return out


def score(ref, hyp, collar):
    st = stretches(ref, hyp, collar)
    # md-eval maps speakers on their overlap in the evaluation span before
    # the collars are cut out.
    whole = stretches(ref, hyp, 0) if collar else st
    rs = sorted({k for _, _, k in ref})
    hs = sorted({k for _, _, k in hyp})
    ri = {k: i for i, k in enumerate(rs)}
    hi = {k: i for i, k in enumerate(hs)}
    w = [[0] * len(hs) for _ in rs]
    for d, r, h in whole:
        for a in r:
            for b in h:
                w[ri[a]][hi[b]] += d
    m = hungarian(w) if rs and hs else {}
    mapped = {rs[i]: hs[j] for i, j in m.items()}
    tot = miss = fa = conf = 0
    for d, r, h in st:
        nr, nh = len(r), len(h)
        nc = sum(1 for a in r if mapped.get(a) in h)
        tot += d * nr
        miss += d * max(0, nr - nh)
        fa += d * max(0, nh - nr)
        conf += d * (min(nr, nh) - nc)
    return {"ref_spk": len(rs), "hyp_spk": len(hs), "scored": tot,
            "missed": miss, "falarm": fa, "confusion": conf}


def pct(r):
    e = r["missed"] + r["falarm"] + r["confusion"]
    return 100.0 * e / r["scored"] if r["scored"] else (0.0 if e == 0 else 100.0)


def row(name, r):
    return (f"{name}\t{r['ref_spk']}\t{r['hyp_spk']}\t{r['scored'] / 1000:.3f}\t"
            f"{r['missed'] / 1000:.3f}\t{r['falarm'] / 1000:.3f}\t"
            f"{r['confusion'] / 1000:.3f}\t{pct(r):.2f}")


HEADER = "name\tref_spk\thyp_spk\tscored_s\tmissed_s\tfalarm_s\tconfusion_s\tder_pct"


def manifest(path, hypdir, collar, join):
    try:
        with open(path, encoding="utf-8") as f:
            rows = [l.rstrip("\n").split("\t") for l in f if l.strip()]
    except OSError as e:
        die(f"{path}: {e.strerror}", EX_NOINPUT)
    print(HEADER)
    tot = {"scored": 0, "missed": 0, "falarm": 0, "confusion": 0}
    nok = n1 = ok1 = 0
    for n, f in enumerate(rows, 1):
        if len(f) < 2:
            die(f"{path}:{n}: expected name <TAB> wav <TAB> speakers <TAB> seconds")
        name, wav = f[0], f[1]
        ref = read_segments(os.path.join(os.path.dirname(wav), name + ".rttm"), join)
        hp = os.path.join(hypdir, name + ".hyp")
        if not os.path.exists(hp):
            hp = os.path.join(hypdir, name + ".rttm")
        hyp = read_segments(hp, join) if os.path.exists(hp) else []
        r = score(ref, hyp, collar)
        print(row(name, r))
        for k in tot:
            tot[k] += r[k]
        nok += r["ref_spk"] == r["hyp_spk"]
        if r["ref_spk"] == 1:
            n1 += 1
            ok1 += r["hyp_spk"] == 1
    tot["ref_spk"] = tot["hyp_spk"] = "-"
    print(row("total", tot))
    print(f"DER={pct(tot):.2f}% files={len(rows)} speaker_count_ok={nok}/{len(rows)} "
          f"single_one_label={ok1}/{n1}")


def main(argv):
    collar, join = 0.25, 0.5
    args = []
    mode = None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--collar", "--join"):
            if i + 1 == len(argv):
                die(f"{a} needs a number of seconds", EX_USAGE)
            try:
                val = float(argv[i + 1])
            except ValueError:
                die(f"{a}: expected seconds, got '{argv[i + 1]}'", EX_USAGE)
            if val < 0:
                die(f"{a}: expected seconds >= 0, got '{argv[i + 1]}'", EX_USAGE)
            if a == "--collar":
                collar = val
            else:
                join = val
            i += 2
            continue
        if a == "--manifest":
            mode = "manifest"
        elif a in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        elif a.startswith("-") and a != "-":
            die(f"unknown option '{a}'\nusage: der.py [--collar S] [--join S] "
                "REF.rttm HYP | --manifest LIST HYPDIR", EX_USAGE)
        else:
            args.append(a)
        i += 1
    if len(args) != 2:
        die("usage: der.py [--collar S] [--join S] REF.rttm HYP | "
            "--manifest LIST HYPDIR", EX_USAGE)
    c, j = int(round(collar * 1000)), int(round(join * 1000))
    if mode == "manifest":
        manifest(args[0], args[1], c, j)
        return 0
    ref = read_segments(args[0], j)
    hyp = read_segments(args[1], j)
    r = score(ref, hyp, c)
    print(HEADER)
    print(row(os.path.splitext(os.path.basename(args[0]))[0], r))
    print(f"DER={pct(r):.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Score sm-format's punctuation against the asterisk prompts' published text.

Usage:
  punct-score.py [--sm-format PROG] [--opts "OPTIONS"] [--fit]
                 TEXT.gz REF.tsv MANIFEST.tsv HYPDIR

TEXT.gz       core-sounds-en.txt.gz: "id: Text, with punctuation." lines
REF.tsv       tests/corpus/asterisk-en.ref.tsv: id TAB normalised words
MANIFEST.tsv  id TAB wav TAB reference TAB seconds; its odd lines (1, 3, ...)
              are the training half, its even lines the test half
HYPDIR        ID.hyp, sm-lattice's best path of each prompt

The marks of the published text (a trailing "..." is a full stop, ";" and
":" are commas, a prompt without a final mark ends with a full stop) go onto
the normalised reference words (aligned by edit distance: the reference
fixes typos and writes digits and symbols as words).  sm-format -f json
OPTIONS punctuates each hypothesis; its words are aligned with the
reference's, and a word boundary counts when the words on both sides were
recognised correctly (and are next to each other in both).  Per mark,
precision, recall and F1 over the counted boundaries; "eos" is any of . ? !
against any of them.  Each prompt is one file, whose last mark is nearly
free: "eos" counts it, "eos-inner" does not.  "joined" runs sm-format once
per half on all of its hypotheses one after the other (times shifted by
each prompt's length), so the prompts' ends are boundaries like the others.

--fit prints the logistic weights punct.c uses, fitted on the training
half's joined recording (features from --trace-punctuation): whether a
boundary ends a sentence (with the bias that gives the best F1), then,
among the boundaries that score leaves, whether one takes a comma (the bias
that gives the best comma F1).
"""
import argparse
import gzip
import json
import math
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "corpus"))
from wer import normalize  # noqa: E402  the corpus's own normalisation

MARKS = ".,?!"
# The features the comma score weighs: the pause and the LM's end term.
# The training half has 28 commas; on it, five-fold cross-validation gave
# this pair a comma F1 of 0.40 against 0.31 for all six features.
COMMA_FEATS = [0, 1]
EOS = ".?!"


def read_text(path):
    text = {}
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"^([^\s:;][^:]*?): (.*)$", line.rstrip("\n"))
            if m:
                text[m.group(1)] = m.group(2)
    return text


def mark_of(tail):
    """The mark that a token's trailing punctuation stands for, or ''."""
    for c in "?!":
        if c in tail:
            return c
    if "." in tail:
        return "."
    if any(c in tail for c in ",;:"):
        return ","
    return ""


def raw_words(text):
    """(word, mark after it) from published text."""
    out = []
    text = re.sub(r"\[[^\]]*\]", " ", text)
    for tok in text.split():
        m = re.match(r"^(.*?)([^A-Za-z0-9'*#&%$]*)$", tok)
        words = normalize(m.group(1)).split()
        mark = mark_of(m.group(2))
        for w in words:
            out.append([w, ""])
        if out and mark:
            out[-1][1] = mark
    return out


def align(a, b):
    """Pairs (i, j) of equal words on a least-cost alignment of a and b."""
    n, m = len(a), len(b)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i
    for j in range(m + 1):
        d[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
    pairs, subs = [], []
    i, j = n, m
    while i > 0 and j > 0:
        if d[i][j] == d[i - 1][j - 1] + (a[i - 1] != b[j - 1]):
            (pairs if a[i - 1] == b[j - 1] else subs).append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif d[i][j] == d[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
    return pairs[::-1], subs[::-1]


def ref_marks(raw, ref):
    """The raw text's marks moved onto the normalised reference words."""
    marks = [""] * len(ref)
    pairs, subs = align([w for w, _ in raw], ref)
    where = dict(pairs + subs)
    for i, (_, mk) in enumerate(raw):
        if mk and i in where:
            marks[where[i]] = mk
        elif mk:  # a word the reference does not have: the one before it
            k = max([j for r, j in where.items() if r < i], default=-1)
            if k >= 0:
                marks[k] = mk
    if ref and not marks[-1]:
        marks[-1] = "."
    if ref and marks[-1] == ",":
        marks[-1] = "."
    return marks


def sm_format(prog, opts, hyp_text, trace=False):
    args = [prog, "-f", "json"] + opts + (["--trace-punctuation"] if trace else []) + ["-"]
    p = subprocess.run(args, input=hyp_text, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("punct-score.py: sm-format failed: " + p.stderr.strip())
    words, marks = [], []
    for r in json.loads(p.stdout)["results"]:
        c = r["alternatives"][0]["content"]
        if r["type"] == "word":
            words.append(" ".join(normalize(c).split()) or c.lower())
            marks.append("")
        elif words:
            marks[-1] = c
    feats = {}
    for line in p.stderr.splitlines():
        f = line.split("\t")
        if len(f) >= 8 and f[0].endswith("boundary"):
            # the features (pause, LM end term, LM start term, conjunction,
            # number, any pause) between the words and the two scores
            feats[int(f[1])] = tuple(float(v) for v in f[4:-3])
    return words, marks, feats


def hyp_lines(path):
    with open(path, encoding="utf-8") as f:
        return [ln for ln in f.read().splitlines() if ln and not ln.startswith("#")]


def shift(lines, off):
    out = []
    for ln in lines:
        f = ln.split("\t")
        f[0] = "%.3f" % (float(f[0]) + off)
        f[1] = "%.3f" % (float(f[1]) + off)
        out.append("\t".join(f))
    return out


class Tally:
    def __init__(self):
        self.c = {}

    def add(self, key, ref, hyp):
        tp, fp, fn = self.c.get(key, (0, 0, 0))
        self.c[key] = (tp + (ref and hyp), fp + (hyp and not ref), fn + (ref and not hyp))

    def boundary(self, ref, hyp, final):
        for m in MARKS:
            self.add(m, ref == m, hyp == m)
        self.add("eos", ref in EOS and ref != "", hyp in EOS and hyp != "")
        if not final:
            self.add("eos-inner", ref in EOS and ref != "", hyp in EOS and hyp != "")

    def row(self, key):
        tp, fp, fn = self.c.get(key, (0, 0, 0))
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return "%-9s %5d %5d %5d  %5.2f %5.2f %5.2f" % (key, tp + fn, tp + fp, tp, p, r, f)


def counted(ref, hyp):
    """(ref index, hyp index) of boundaries after correctly recognised words
    whose next words are also correct, plus the last word's if correct."""
    pairs, _ = align(ref, hyp)
    out = []
    for k, (i, j) in enumerate(pairs):
        if k + 1 < len(pairs) and pairs[k + 1] == (i + 1, j + 1):
            out.append((i, j, False))
        elif i == len(ref) - 1 and j == len(hyp) - 1:
            out.append((i, j, True))
    return out


def logistic(rows, iters=300):
    """Weights of a logistic regression (bias first), by Newton's method
    with a small ridge."""
    k = len(rows[0][0]) + 1
    w = [0.0] * k
    for _ in range(iters):
        g = [0.0] * k
        h = [[0.0] * k for _ in range(k)]
        for x, y in rows:
            v = [1.0] + list(x)
            z = sum(a * b for a, b in zip(w, v))
            p = 1 / (1 + math.exp(-max(-30, min(30, z))))
            for a in range(k):
                g[a] += (p - y) * v[a]
                for b in range(k):
                    h[a][b] += p * (1 - p) * v[a] * v[b]
        for a in range(k):
            g[a] += 0.01 * w[a]
            h[a][a] += 0.01
        # solve h d = g (Gauss-Jordan)
        m = [h[a][:] + [g[a]] for a in range(k)]
        for c in range(k):
            piv = max(range(c, k), key=lambda r: abs(m[r][c]))
            m[c], m[piv] = m[piv], m[c]
            for r in range(k):
                if r != c and m[c][c]:
                    f = m[r][c] / m[c][c]
                    m[r] = [x - f * y for x, y in zip(m[r], m[c])]
        d = [m[a][k] / m[a][a] for a in range(k)]
        w = [a - b for a, b in zip(w, d)]
        if max(abs(x) for x in d) < 1e-6:
            break
    return w


def best_bias(rows, w):
    """The bias that maximises F1 on rows, the other weights kept."""
    zs = sorted((sum(a * b for a, b in zip(w[1:], x)), y) for x, y in rows)
    pos = sum(y for _, y in zs)
    best, bias, tp, fp = -1, w[0], pos, len(zs) - pos
    for k in range(len(zs)):
        # predict positive for zs[k:]
        f = 2 * tp / (2 * tp + fp + (pos - tp)) if tp else 0
        if f > best:
            best, bias = f, -(zs[k][0] + (zs[k - 1][0] if k else zs[k][0] - 1)) / 2
        tp -= zs[k][1]
        fp -= 1 - zs[k][1]
    return bias, best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sm-format", default="sm-format")
    ap.add_argument("--opts", default="")
    ap.add_argument("--fit", action="store_true")
    ap.add_argument("text")
    ap.add_argument("reftsv")
    ap.add_argument("manifest")
    ap.add_argument("hypdir")
    a = ap.parse_args()
    opts = a.opts.split()
    text = read_text(a.text)
    ref = {}
    with open(a.reftsv, encoding="utf-8") as f:
        for ln in f:
            p = ln.rstrip("\n").split("\t")
            ref[p[0]] = p[1].split()
    ids = []
    with open(a.manifest, encoding="utf-8") as f:
        for ln in f:
            ids.append(ln.split("\t")[0])
    halves = {"train": ids[0::2], "test": ids[1::2]}
    rmarks, same, missing = {}, 0, 0
    for i in ids:
        if i not in text or i not in ref or not os.path.exists(os.path.join(a.hypdir, i + ".hyp")):
            missing += 1
            continue
        raw = raw_words(text[i])
        same += [w for w, _ in raw] == ref[i]
        rmarks[i] = ref_marks(raw, ref[i])
    print("# %d prompts; published text normalised = reference for %d; %d left out "
          "(no text, reference or hypothesis)" % (len(rmarks), same, missing))
    fit_rows = []
    for half, hid in halves.items():
        hid = [i for i in hid if i in rmarks]
        per_file, joined = Tally(), Tally()
        lines, spans, off = [], [], 0.0
        for i in hid:
            hl = hyp_lines(os.path.join(a.hypdir, i + ".hyp"))
            text_in = "#sm-hyp 1\n" + "\n".join(hl + ["#end"]) + "\n"
            words, marks, feats = sm_format(a.sm_format, opts, text_in, trace=a.fit)
            for r, h, final in counted(ref[i], words):
                per_file.boundary(rmarks[i][r], marks[h], final)
            secs = max([float(x.split("\t")[1]) for x in hl] + [0.0])
            lines += shift(hl, off)
            spans.append((i, off, off + secs))
            off += secs
        # The joined recording: one sm-format run; its words go back to
        # their prompts by time.
        text_in = "#sm-hyp 1\n" + "\n".join(lines + ["#end"]) + "\n"
        words, marks, feats = sm_format(a.sm_format, opts, text_in, trace=a.fit)
        wtimes = [float(x.split("\t")[0]) for x in lines if x.split("\t")[3] == "word"]
        jref, jmarks, jhyp, jhmarks = [], [], [], []
        # per prompt: its reference, the hyp words that fall in it
        k = 0
        for i, b, e in spans:
            jref += ref[i]
            jmarks += rmarks[i]
            while k < len(words) and k < len(wtimes) and wtimes[k] < e:
                jhyp.append(words[k])
                jhmarks.append(marks[k])
                k += 1
        for r, h, final in counted(jref, jhyp) if len(jref) * len(jhyp) < 4e7 else []:
            joined.boundary(jmarks[r], jhmarks[h], final)
            if a.fit and half == "train" and not final and h in feats:
                fit_rows.append((feats[h], jmarks[r]))
        print("\n%s half (%d prompts): mark  ref  hyp  both  precision recall F1" % (half, len(hid)))
        for key in ["eos", "eos-inner", ".", ",", "?", "!"]:
            print("  per-file " + per_file.row(key))
        for key in ["eos", ".", ",", "?", "!"]:
            print("  joined   " + joined.row(key))
    if a.fit:
        fit(fit_rows)


def fit(rows):
    """The weights of punct.c's two scores: whether a boundary ends a
    sentence (logistic, then the bias of the best sentence-end F1), then,
    among the boundaries that score does not end, whether one takes a comma
    (COMMA_FEATS only, the bias of the best comma F1)."""
    fe = [(x, int(y in EOS and y != "")) for x, y in rows]
    we = logistic(fe)
    be, f_e = best_bias(fe, we)
    rest = [([x[k] for k in COMMA_FEATS], int(y == ",")) for x, y in rows
            if be + sum(a * b for a, b in zip(we[1:], x)) <= 0]
    wc = logistic(rest)
    bc, f_c = best_bias(rest, wc)
    wc = [wc[0]] + [wc[1 + COMMA_FEATS.index(k)] if k in COMMA_FEATS else 0.0
                  for k in range(len(rows[0][0]))]
    print("\n# fit on the training half's joined recording: %d boundaries, %d sentence "
          "ends, %d commas" % (len(rows), sum(y for _, y in fe),
                               sum(1 for _, y in rows if y == ",")))
    print("eos_w   = {%s}  (logistic bias %.3f; best-F1 bias, F1 %.2f)" %
          (", ".join("%.3f" % x for x in [be] + we[1:]), we[0], f_e))
    print("comma_w = {%s}  (logistic bias %.3f; best-F1 bias on the %d others, F1 %.2f)" %
          (", ".join("%.3f" % x for x in [bc] + wc[1:]), wc[0], len(rest), f_c))


if __name__ == "__main__":
    main()

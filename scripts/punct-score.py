#!/usr/bin/env python3
"""Score sm-format's punctuation against the asterisk prompts' published text.

Usage:
  punct-score.py [--sm-format PROG] [--opts "OPTIONS"] [--fit]
                 [--cv [--cv-sets SETS] [--hlm COUNTS.tsv] [--indomain LAM]
                 [--cv-test]] TEXT.gz REF.tsv MANIFEST.tsv HYPDIR

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

--cv prints the held-out F1 of sentence ends and commas by five-fold
cross-validation on the training half's joined recording (prompt k in fold
k mod 5), the scores fitted as --fit does, for each set of features that
--cv-sets names ("EOS|COMMA;..." with EOS and COMMA comma-separated feature
indexes: 0 pause, 1 LM end term, 2 LM start term, 3 conjunction, 4 number,
5 any pause, 6 and 7 the hidden-event counts' ln odds of a sentence end and
of a comma, when --hlm names a scripts/punct-hlm.py counts file).
--indomain LAM adds, in each fold, LAM times the hidden-event counts of the
other folds' published text.  --cv-test then fits each set on the whole
training half and scores the test half's joined boundaries once (the two
logistic scores alone, without sm-format's rules beside them).

--fit prints the logistic weights punct.c uses, fitted on the training
half's joined recording (features from --trace-punctuation): whether a
boundary ends a sentence (with the bias that gives the best F1), then,
among the boundaries that score leaves, whether one takes a comma (the bias
that gives the best comma F1).
"""
import argparse
import gzip
import importlib.util
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


def punct_hlm():
    """scripts/punct-hlm.py as a module."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "hlm", os.path.join(os.path.dirname(os.path.abspath(__file__)), "punct-hlm.py"))
    hm = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hm)
    return hm


def load_hlm(path):
    """The hidden-event counts of scripts/punct-hlm.py: key -> counts, read
    and checked by its own loader; ("P",) the totals of the one-word
    contexts."""
    spec = importlib.util.spec_from_file_location(
        "punct_hlm", os.path.join(os.path.dirname(os.path.abspath(__file__)), "punct-hlm.py"))
    hlm = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hlm)
    m = hlm.load(path)
    m[("P",)] = m[("LT",)]
    return m


HLM_A = 8.0  # the weight of the shorter context in the counts' smoothing


def hlm_dist(v, back):
    if not v:
        return back
    n = sum(v)
    return [(c + HLM_A * b) / (n + HLM_A) for c, b in zip(v, back)]


def hlm_feats(m, words, i):
    """ln odds of a sentence end (. or ?) and of a comma against no mark
    after words[i]: the left context's (two words, one word) and the next
    word's, each against the prior, added."""
    tot = m[("P",)]
    prior = [(c + 1) / (sum(tot) + 4) for c in tot]
    w1 = words[i]
    w2 = words[i - 1] if i > 0 else None
    nx = words[i + 1] if i + 1 < len(words) else None
    left = hlm_dist(m.get(("L1", w1)), prior)
    if w2 is not None:
        left = hlm_dist(m.get(("L2", w2, w1)), left)
    right = hlm_dist(m.get(("R1", nx)), prior) if nx else prior
    def lo(d, e):
        return math.log(d[e] / d[0])
    s = lo(left, 2) + math.log((left[2] + left[3]) / left[2]) + lo(right, 2) + \
        math.log((right[2] + right[3]) / right[2]) - lo(prior, 2) - \
        math.log((prior[2] + prior[3]) / prior[2])
    c = lo(left, 1) + lo(right, 1) - lo(prior, 1)
    return (s, c)


def cv(rows, sets, lam, hlm=None, texts=None, test=None):
    """Five-fold cross-validation on the training half's joined boundaries
    (prompt k in fold k mod 5): the held-out F1 of the sentence-end score
    and of the comma score, each fitted as --fit does, with the features
    --cv-sets names, with the in-domain counts of --indomain."""
    for v in sets.split(";"):
        e, c = v.split("|")
        cv1(rows, [int(x) for x in e.split(",")], [int(x) for x in c.split(",")],
            lam, hlm, texts, test)


def cv1(rows, ef, cf, lam, hlm, texts, test=None):
    """One set of features: eos features ef, comma features cf.  With
    test: fitted on all of rows, scored once on test.  With lam, the
    hidden-event features of a boundary come from counts without its own
    prompt's fold: a held-out row's from the training folds' text, a
    training row's from the training folds' other than its own."""
    te = fe = ne = tc = fc = nc = 0
    models = {}

    def feats(x, pr, ctx, excl):
        if not (lam and hlm is not None):
            return x
        if excl not in models:
            models[excl] = indomain(hlm, texts, lam, excl)
        ws = [w or "<none>" for w in ctx]
        return x[:6] + hlm_feats(models[excl], ws if ctx[0] else ws[1:],
                                 1 if ctx[0] else 0)

    for fold in ([-1] if test is not None else range(5)):
        tr = [(feats(x, pr, ctx, frozenset([fold, pr % 5])), y)
              for x, y, pr, ctx in rows if pr % 5 != fold]
        ho = [(feats(x, pr, ctx, frozenset([fold])), y)
              for x, y, pr, ctx in (test if test is not None else rows)
              if test is not None or pr % 5 == fold]
        de = [([x[k] for k in ef], int(y in EOS and y != "")) for x, y in tr]
        we = logistic(de)
        be, _ = best_bias(de, we)

        def se(x):
            return be + sum(a * x[k] for a, k in zip(we[1:], ef))
        dc = [([x[k] for k in cf], int(y == ",")) for x, y in tr if se(x) <= 0]
        wc = logistic(dc)
        bc, _ = best_bias(dc, wc)
        for x, y in ho:
            e = se(x) > 0
            c = not e and bc + sum(a * x[k] for a, k in zip(wc[1:], cf)) > 0
            ye, yc = y in EOS and y != "", y == ","
            te += e and ye
            fe += e and not ye
            ne += ye and not e
            tc += c and yc
            fc += c and not yc
            nc += yc and not c
    f1e = 2 * te / (2 * te + fe + ne) if te else 0
    f1c = 2 * tc / (2 * tc + fc + nc) if tc else 0
    print("\n# %s eos %s comma %s: eos F1 %.3f (%d right/%d false/%d missed) "
          "comma F1 %.3f (%d/%d/%d)" % ("test half" if test is not None else "cv",
                                       ef, cf, f1e, te, fe, ne, f1c, tc, fc, nc))
    if test is not None:
        print("#   weights: eos bias %.3f %s; comma bias %.3f %s" %
              (be, " ".join("%.3f" % w for w in we[1:]), bc,
               " ".join("%.3f" % w for w in wc[1:])))


def indomain(hlm, texts, lam, excl):
    """The packaged text's hidden-event counts plus lam times those of the
    published prompts whose fold (index mod 5) is not in excl."""
    hm = punct_hlm()
    c = {}
    for n, t in enumerate(texts):
        if n % 5 not in excl:
            hm.count(hm.events(t), c)
    m = {k: list(v) for k, v in hlm.items()}
    for k, v in c.items():
        old = m.get(k, [0] * len(v))
        m[k] = [a + lam * b for a, b in zip(old, v)]
    m[("P",)] = [sum(v[j] for k, v in m.items() if k[0] == "L1") for j in range(4)]
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sm-format", default="sm-format")
    ap.add_argument("--opts", default="")
    ap.add_argument("--fit", action="store_true")
    ap.add_argument("--cv", action="store_true")
    ap.add_argument("--hlm")
    ap.add_argument("--cv-sets", default="0,1,2,3,4,5|0,1")
    ap.add_argument("--indomain", type=float, default=0.0)
    ap.add_argument("--cv-test", action="store_true")
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
    hlm = load_hlm(a.hlm) if a.hlm else None
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
    fit_rows, test_rows = [], []
    for half, hid in halves.items():
        hid = [i for i in hid if i in rmarks]
        per_file, joined = Tally(), Tally()
        lines, spans, off = [], [], 0.0
        for i in hid:
            hl = hyp_lines(os.path.join(a.hypdir, i + ".hyp"))
            text_in = "#sm-hyp 1\n" + "\n".join(hl + ["#end"]) + "\n"
            words, marks, feats = sm_format(a.sm_format, opts, text_in, trace=a.fit or a.cv)
            for r, h, final in counted(ref[i], words):
                per_file.boundary(rmarks[i][r], marks[h], final)
            secs = max([float(x.split("\t")[1]) for x in hl] + [0.0])
            lines += shift(hl, off)
            spans.append((i, off, off + secs))
            off += secs
        # The joined recording: one sm-format run; its words go back to
        # their prompts by time.
        text_in = "#sm-hyp 1\n" + "\n".join(lines + ["#end"]) + "\n"
        words, marks, feats = sm_format(a.sm_format, opts, text_in, trace=a.fit or a.cv)
        wtimes = [float(x.split("\t")[0]) for x in lines if x.split("\t")[3] == "word"]
        jref, jmarks, jhyp, jhmarks = [], [], [], []
        # per prompt: its reference, the hyp words that fall in it
        k = 0
        jprompt = []
        for n, (i, b, e) in enumerate(spans):
            jprompt += [n] * len(ref[i])
            jref += ref[i]
            jmarks += rmarks[i]
            while k < len(words) and k < len(wtimes) and wtimes[k] < e:
                jhyp.append(words[k])
                jhmarks.append(marks[k])
                k += 1
        for r, h, final in counted(jref, jhyp) if len(jref) * len(jhyp) < 4e7 else []:
            joined.boundary(jmarks[r], jhmarks[h], final)
            if (a.fit or a.cv) and not final and h in feats:
                x = feats[h]
                if hlm:
                    x = x + hlm_feats(hlm, jhyp, h)
                ctx = (jhyp[h - 1] if h > 0 else None, jhyp[h],
                       jhyp[h + 1] if h + 1 < len(jhyp) else None)
                (fit_rows if half == "train" else test_rows).append(
                    (x, jmarks[r], jprompt[r], ctx))
        if half == "train":
            tune_texts = [text[i] for i in hid]
        print("\n%s half (%d prompts): mark  ref  hyp  both  precision recall F1" % (half, len(hid)))
        for key in ["eos", "eos-inner", ".", ",", "?", "!"]:
            print("  per-file " + per_file.row(key))
        for key in ["eos", ".", ",", "?", "!"]:
            print("  joined   " + joined.row(key))
    if a.fit:
        fit([(x, y) for x, y, _, _ in fit_rows])
    if a.cv:
        cv(fit_rows, a.cv_sets, a.indomain, hlm, tune_texts)
        if a.cv_test:
            cv(fit_rows, a.cv_sets, a.indomain, hlm, tune_texts, test_rows)


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

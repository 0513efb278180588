#!/usr/bin/env python3
"""Build the hidden-event counts for punctuation from packaged English text.

Usage:
  punct-hlm.py [--min N] [--heldout OUT.txt] OUT.tsv FILE...
  punct-hlm.py --question-test MODEL.tsv HELDOUT.txt

A hidden-event model (Stolcke and Shriberg, 1996) treats the marks between
words as tokens of an n-gram over words and marks.  This script keeps the
parts of it that sm-format's punctuation asks for at a word boundary,
counted over the text:

  L2 w2 w1 n0 nc ns nq   the event after the two words w2 w1
  L1 w1 n0 nc ns nq      the event after the word w1
  R1 w n0 nc ns nq       the event before the word w
  Q1 w nq ns             sentences that open with w and end with ? / . !
  Q2 w v nq ns           the same for the opening pair w v

where n0 counts no mark, nc a comma (, ; : and dashes), ns a full stop
(. and !) and nq a question mark.  A context seen fewer than --min times (3)
is left out: its counts fall back to the shorter context's.

FILE is fortune(6) data (cookies between lines of "%"; Debian's fortunes-min
and fortunes packages, /usr/share/games/fortunes/*, BSD licence, the cookies
being quotations of many authors): every tenth cookie is held out (--heldout
writes those, one a line, for the text-only question measure) and the
others are counted.  Words are normalised as the recogniser writes them
(tests/corpus/wer.py).  scripts/punct-score.py --hlm weighs these counts as
features of sm-format's two scores; none is in sm-format (docs/BENCHMARKS.md,
65-punctuation.sh: tried and not kept), so no counts file is in the tree:

  sh -c 'python3 scripts/punct-hlm.py --heldout held.txt hlm.tsv \
      $(ls /usr/share/games/fortunes/* | grep -v "[.]dat$\|[.]u8$\|ascii-art")'
  python3 scripts/punct-hlm.py --question-test hlm.tsv held.txt

--question-test prints the question mark's precision, recall and F1 on the
held-out text: at each sentence end of the text (its marks given), a
question when the model's ? odds (opening pair, or word, and the last two
words) beat the full stop's; then the same for sm-format's wh-word and
auxiliary rule (punct.c is_question) and for either of the two.  It is a
text measure: the recognised prompts have too few questions to measure.
"""
import argparse
import math
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "corpus"))
from wer import normalize  # noqa: E402

EV = "0,.?"  # no mark, comma, full stop, question mark


def mark_of(tail):
    if "?" in tail:
        return "?"
    if "." in tail or "!" in tail:
        return "."
    if any(c in tail for c in ",;:") or "--" in tail:
        return ","
    return "0"


def cookies(path):
    """The cookies of a fortune file, each as one string; attributions
    ("-- Author") and lines of art left out."""
    out, cur = [], []
    with open(path, encoding="utf-8", errors="replace") as f:
        for ln in f:
            ln = ln.rstrip("\n")
            if ln.strip() == "%":
                if cur:
                    out.append(" ".join(cur))
                cur = []
                continue
            s = ln.strip()
            if s.startswith("--") or not s:
                continue
            # art and tables: few letters among the characters
            if sum(c.isalpha() for c in s) < 0.5 * len(s):
                continue
            s = re.sub(r"^[A-Z]:\s", " ", s)  # "Q: ..." "A: ..."
            cur.append(s)
    if cur:
        out.append(" ".join(cur))
    return out


def events(text):
    """[(word, event after it)] of a piece of text; its last word ends a
    sentence."""
    out = []
    for tok in text.split():
        m = re.match(r"^(.*?)([^A-Za-z0-9'*#&%$]*)$", tok)
        words = normalize(m.group(1)).split()
        ev = mark_of(m.group(2))
        for w in words:
            out.append([w, "0"])
        if out and ev != "0":
            out[-1][1] = ev
    if out and out[-1][1] in "0,":
        out[-1][1] = "."
    return out


def count(seq, c):
    def add(key, ev):
        v = c.setdefault(key, [0, 0, 0, 0])
        v[EV.index(ev)] += 1

    first = 0
    for i, (w, ev) in enumerate(seq):
        add(("L1", w), ev)
        if i > first:
            add(("L2", seq[i - 1][0], w), ev)
        if i + 1 < len(seq):
            add(("R1", seq[i + 1][0]), ev)
        if ev in ".?":
            q = ev == "?"
            v = c.setdefault(("Q1", seq[first][0]), [0, 0])
            v[0 if q else 1] += 1
            if i > first:
                v = c.setdefault(("Q2", seq[first][0], seq[first + 1][0]), [0, 0])
                v[0 if q else 1] += 1
            first = i + 1


def build(files, minc, heldout):
    c, held = {}, []
    k = 0
    for path in files:
        for ck in cookies(path):
            k += 1
            if k % 10 == 0:
                held.append(ck)
                continue
            count(events(ck), c)
    return {key: v for key, v in c.items() if sum(v) >= minc}, held


def load(path):
    m = {}
    with open(path, encoding="utf-8") as f:
        for ln in f:
            if ln.startswith("#"):
                continue
            p = ln.split()
            n = 2 if p[:1] in (["L2"], ["Q2"]) else 1
            try:
                m[tuple(p[:n + 1])] = [int(x) for x in p[n + 1:]]
                ok = p[0] in ("L1", "L2", "R1") and len(p) == n + 5 or \
                    p[0] in ("Q1", "Q2") and len(p) == n + 3
            except (ValueError, IndexError):
                ok = False
            if not ok:
                sys.stderr.write("punct-hlm.py: %s: not a counts file of punct-hlm.py: %s\n"
                                 % (path, ln.strip()[:60]))
                sys.exit(65)
    m[("QT",)] = [sum(v[j] for k, v in m.items() if k[0] == "Q1") for j in range(2)]
    m[("LT",)] = [sum(v[j] for k, v in m.items() if k[0] == "L1") for j in range(4)]
    return m


def q_odds(m, first, second, w2, w1):
    """ln of the odds of ? against . for a sentence that opens with first
    second and ends with w2 w1: the opening's and the ending's, each against
    the prior, added."""
    tq, ts = m[("QT",)]
    base = math.log((tq + 1) / (ts + 1))

    def odds(v, back):
        a = 4.0
        pq = (v[0] + a * back) / (v[0] + v[1] + a) if v else back
        return math.log(pq / (1 - pq))

    pb = (tq + 1) / (tq + ts + 2)
    o1 = odds(m.get(("Q1", first)), pb)
    p1 = 1 / (1 + math.exp(-o1))
    o2 = odds(m.get(("Q2", first, second)), p1) if second else o1
    # the ending: ? against . after the last words
    e1 = m.get(("L1", w1))
    tot = m[("LT",)]
    pe = (tot[3] + 1) / (tot[2] + tot[3] + 2)

    def end_odds(v, back):
        a = 4.0
        if not v:
            return back
        return (v[3] + a * back) / (v[2] + v[3] + a)
    q1 = end_odds(e1, pe)
    q2 = end_odds(m.get(("L2", w2, w1)), q1) if w2 else q1
    return o2 + math.log(q2 / (1 - q2)) - base


WH = "what which who whom whose why how".split()
WH_CLAUSE = ["when", "where"]
AUX = ("am is are was were do does did have has had can could will would "
       "shall should may might must won't can't don't doesn't didn't isn't "
       "aren't wasn't weren't haven't hasn't wouldn't couldn't "
       "shouldn't").split()
PRON = "i you he she it we they there".split()


def rule(s):
    """sm-format's question rule (punct.c is_question) on a sentence."""
    a = s[0]
    if len(s) == 1:
        return a in WH or a in WH_CLAUSE
    if a in WH:
        return any(w in AUX for w in s[1:4])
    return (a in WH_CLAUSE and s[1] in AUX) or (a in AUX and s[1] in PRON)


def question_test(model, heldout):
    m = load(model)
    tp = fp = fn = 0
    rt = rf = bt = bf = 0
    with open(heldout, encoding="utf-8") as f:
        for ln in f:
            seq = events(ln)
            first = 0
            for i, (w, ev) in enumerate(seq):
                if ev not in ".?":
                    continue
                s = seq[first:i + 1]
                z = q_odds(m, s[0][0], s[1][0] if len(s) > 1 else None,
                           s[-2][0] if len(s) > 1 else None, s[-1][0])
                ref, hyp = ev == "?", z > 0
                rh = rule([w for w, _ in s])
                rt += ref and rh
                rf += rh and not ref
                bt += ref and (rh or hyp)
                bf += (rh or hyp) and not ref
                tp += ref and hyp
                fp += hyp and not ref
                fn += ref and not hyp
                first = i + 1
    p = tp / (tp + fp) if tp + fp else 0
    r = tp / (tp + fn) if tp + fn else 0
    f1 = 2 * p * r / (p + r) if p + r else 0
    print("text-only question mark on held-out text: %d questions, %d written, "
          "%d right: precision %.2f recall %.2f F1 %.2f" % (tp + fn, tp + fp, tp, p, r, f1))
    p = rt / (rt + rf) if rt + rf else 0
    r = rt / (tp + fn) if tp + fn else 0
    f1 = 2 * p * r / (p + r) if p + r else 0
    print("the wh-word/auxiliary rule on the same sentences: %d written, %d right: "
          "precision %.2f recall %.2f F1 %.2f" % (rt + rf, rt, p, r, f1))
    p = bt / (bt + bf) if bt + bf else 0
    r = bt / (tp + fn) if tp + fn else 0
    f1 = 2 * p * r / (p + r) if p + r else 0
    print("either (the rule or the model): %d written, %d right: "
          "precision %.2f recall %.2f F1 %.2f" % (bt + bf, bt, p, r, f1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--min", type=int, default=3)
    ap.add_argument("--heldout")
    ap.add_argument("--question-test", action="store_true")
    ap.add_argument("out")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    if a.question_test:
        question_test(a.out, a.files[0])
        return
    c, held = build(a.files, a.min, a.heldout)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("# punct-hlm 1: scripts/punct-hlm.py --min %d from %s\n" %
                (a.min, " ".join(os.path.basename(x) for x in a.files)))
        for key in sorted(c):
            f.write(" ".join(key) + " " + " ".join(str(x) for x in c[key]) + "\n")
    if a.heldout:
        with open(a.heldout, "w", encoding="utf-8") as f:
            for ck in held:
                f.write(ck.replace("\n", " ") + "\n")


if __name__ == "__main__":
    try:
        main()
    except OSError as e:
        sys.stderr.write("punct-hlm.py: %s: %s\n" % (e.filename, e.strerror))
        sys.exit(66)


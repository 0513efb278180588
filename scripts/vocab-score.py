#!/usr/bin/env python3
"""How many occurrences of listed words a transcript got right.

Usage: vocab-score.py WORDS MANIFEST HYP

WORDS     the words, one a line (the first tab-separated field is used)
MANIFEST  id <TAB> wav <TAB> reference <TAB> seconds
HYP       id <TAB> hypothesis (a missing id is an empty hypothesis)

Reference and hypothesis are normalised and aligned word by word as
tests/corpus/wer.py does; an occurrence of a word in a reference counts as
recognised when the hypothesis word aligned with it is the same word (case
does not matter: both are lower-cased).  Prints "recognised occurrences".
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "corpus"))
import wer  # noqa: E402


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 64
    with open(argv[1], encoding="utf-8") as f:
        words = {wer.normalize(line.split("\t")[0]) for line in f if line.strip()}
    hyps = wer.read_hyps(argv[3])
    hit = occ = 0
    for uid, _, ref, _ in wer.read_manifest(argv[2]):
        r = wer.normalize(ref).split()
        h = wer.normalize(hyps.get(uid, "")).split()
        for op, rw, _ in wer.edit_ops(r, h)[3]:
            if rw in words:
                occ += 1
                hit += op == "C"
    print(hit, occ)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Test words and sounds_like respellings for the custom vocabulary benchmark
(scripts/vocab-corpus.sh runs it; python3 standard library only).

Usage:
  vocab-words.py DICT UNIGRAMS WORDLIST OUTDIR MANIFEST...

DICT      the pack's pronunciation dictionary (word PHONE..., variants word(N))
UNIGRAMS  the LM's unigrams, one "log10prob <TAB> word" a line
WORDLIST  a spelling word list (Debian's /usr/share/dict/american-english):
          the words a user would write in a respelling
MANIFEST  id <TAB> wav <TAB> normalised reference <TAB> seconds

Writes to OUTDIR:
  words.txt   the test words, one a line: reference words of 5+ letters
              that the dictionary has, outside the LM's 2000 most probable
              words, in at most 6 prompts; the first 80 by MD5 of the word
              (a fixed, unbiased choice); a word a line
  dict        the dictionary without the test words (all their variants)
  sounds.tsv  word <TAB> respelling <TAB> exact|close|none <TAB> phones:
              other words, at most 6, whose first pronunciations concatenate
              to one of the word's pronunciations (exact) or differ from it
              by one or two phones (close), found by a shortest-path search
              over the pruned dictionary's common words
  list1000.tsv  1000 entries for the list-size benchmark: the test words,
              then other dictionary words, then made-up words (a content a line)
and a summary on stderr.
"""
import hashlib
import os
import re
import sys

NWORDS = 80
MAX_PROMPTS = 6
TOP = 2000
PIECE_RANK = 30000   # respelling words: among the LM's most probable
MAX_PIECES = 6       # Speechmatics' limit on a sounds_like element
SUB_COST = 2         # a vowel substituted costs as much as two extra words
VOWELS = set("AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW".split())


def md5(w):
    return hashlib.md5(w.encode()).hexdigest()


def read_dict(path):
    prons = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.split()
            if not p:
                continue
            w = p[0].split("(")[0]
            prons.setdefault(w, []).append(tuple(p[1:]))
    return prons


def read_ranks(path):
    lp = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) == 2 and not p[1].startswith("<"):
                lp.append((-float(p[0]), p[1]))
    lp.sort()
    return {w: i for i, (_, w) in enumerate(lp)}


def choose(prons, ranks, manifests):
    prompts = {}
    for m in manifests:
        with open(m, encoding="utf-8") as f:
            for line in f:
                p = line.rstrip("\n").split("\t")
                for w in set(p[2].split()):
                    prompts.setdefault(w, set()).add(p[0])
    cand = [w for w in prompts
            if len(w) >= 5 and w.isalpha() and w.isascii() and w in prons
            and ranks.get(w, TOP) >= TOP and len(prompts[w]) <= MAX_PROMPTS]
    return sorted(sorted(cand, key=md5)[:NWORDS]), len(cand)


def piece_index(prons, ranks, spelled, removed):
    """First pronunciation -> the most probable common word with it, and
    the same with one vowel replaced by '*' (one substitution: a respelling
    from words drifts in its vowels, rarely in its consonants)."""
    exact, wild = {}, {}
    for w, pl in prons.items():
        if w in removed or w not in spelled or not w.isalpha():
            continue
        r = ranks.get(w, PIECE_RANK)
        if r >= PIECE_RANK or (len(w) == 1 and w not in ("a", "i")):
            continue
        ph = pl[0]
        if ph not in exact or r < exact[ph][1]:
            exact[ph] = (w, r)
        for k in range(len(ph)):
            if ph[k] not in VOWELS:
                continue
            key = ph[:k] + ("*",) + ph[k + 1:]
            if key not in wild or r < wild[key][1]:
                wild[key] = (w, r)
    return exact, wild


def squash(w):
    return re.sub(r"(.)\1", r"\1", w)


def respell(word, ph, exact, wild):
    """Cheapest cover of ph by pieces: (cost, subs, words) or None.  A
    piece spelt as the word but for a doubled letter (canceled for
    cancelled) is the word itself."""
    n = len(ph)
    best = [None] * (n + 1)
    best[0] = (0.0, 0, [])
    for i in range(n):
        if best[i] is None or len(best[i][2]) >= MAX_PIECES:
            continue
        for j in range(i + 1, n + 1):
            seg = ph[i:j]
            opts = []
            if seg in exact and squash(exact[seg][0]) != squash(word):
                opts.append((exact[seg], 0))
            for k in range(len(seg)):
                if seg[k] not in VOWELS:
                    continue
                key = seg[:k] + ("*",) + seg[k + 1:]
                if key in wild and squash(wild[key][0]) != squash(word):
                    opts.append((wild[key], 1))
            for (w, r), s in opts:
                c = best[i][0] + 1 + SUB_COST * s + r / 1e7
                if best[i][1] + s <= 2 and (best[j] is None or c < best[j][0]):
                    best[j] = (c, best[i][1] + s, best[i][2] + [w])
    return best[n]


def made_up(n):
    """n pronounceable made-up words, deterministic."""
    on = "b d f g k l m n p r s t v z br dr gr kl pl st tr".split()
    nu = "a e i o u oo ai".split()
    co = "b d k l m n p r t x nd nk rt st".split()
    out, i = [], 0
    while len(out) < n:
        h = hashlib.md5(str(i).encode()).digest()
        w = "".join(on[h[3 * k] % len(on)] + nu[h[3 * k + 1] % len(nu)]
                    for k in range(2)) + co[h[2] % len(co)]
        out.append(w)
        i += 1
    return out


def main(argv):
    if len(argv) < 6:
        sys.stderr.write(__doc__)
        return 64
    dict_path, uni, wordlist, out = argv[1:5]
    prons = read_dict(dict_path)
    ranks = read_ranks(uni)
    with open(wordlist, encoding="utf-8") as f:
        spelled = {w.strip() for w in f}
    words, ncand = choose(prons, ranks, argv[5:])
    removed = set(words)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "words.txt"), "w") as f:
        f.writelines(w + "\n" for w in words)
    with open(dict_path, encoding="utf-8") as f, \
         open(os.path.join(out, "dict"), "w", encoding="utf-8") as g:
        for line in f:
            p = line.split()
            if p and p[0].split("(")[0] in removed:
                continue
            g.write(line)
    exact, wild = piece_index(prons, ranks, spelled, removed)
    kinds = {"exact": 0, "close": 0, "none": 0}
    with open(os.path.join(out, "sounds.tsv"), "w") as f:
        for w in words:
            best, bp = None, prons[w][0]
            for ph in prons[w]:
                r = respell(w, ph, exact, wild)
                if r and (best is None or r[0] < best[0]):
                    best, bp = r, ph
            kind = "none" if best is None else "exact" if best[1] == 0 else "close"
            kinds[kind] += 1
            f.write("%s\t%s\t%s\t%s\n" % (w, " ".join(best[2]) if best else "",
                                          kind, " ".join(bp)))
    others = sorted((w for w in prons if w not in removed and w.isalpha()
                     and w in spelled and len(w) >= 4), key=md5)
    fake = [w for w in made_up(400) if w not in prons][:200]
    entries = words + others[:1000 - len(words) - len(fake)] + fake
    with open(os.path.join(out, "list1000.tsv"), "w") as f:
        f.writelines(w + "\n" for w in entries)
    sys.stderr.write("vocab-words.py: %d candidates, %d test words; respellings: "
                     "%d exact, %d close (1-2 vowels differ), %d none\n"
                     % (ncand, len(words), kinds["exact"], kinds["close"], kinds["none"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

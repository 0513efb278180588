#!/usr/bin/env python3
"""Compose the diarization conversations from trimmed clips.

Usage: diar-compose.py CLIPDIR OUTDIR SET...
       diar-compose.py --voices SET...

CLIPDIR holds one folder of 16 kHz mono 16-bit WAV clips per voice and
noise.wav (faint pink noise), as scripts/diar-corpus.sh prepares them. Writes
OUTDIR/SET/ (SET: dev, held, long, small) with NAME.wav, NAME.rttm and
list.tsv; --voices lists the voices the sets draw on. Every
draw comes from random.Random with a fixed seed per set, so the output is the
same on every machine. Times are kept in samples until printed.
"""
import itertools
import os
import random
import sys
import wave

RATE = 16000

DEV = ["asterisk", "librivox", "British", "Classic", "Default", "HillBilly",
       "Mobster", "Pirate", "Russian"]
HELD_ONLY = ["Robot", "Singer", "Surfer", "Default_es", "Default_pl",
             "Default_ru", "cards"]
HELD_SHARED = ["asterisk", "librivox", "British", "Classic", "HillBilly",
               "Mobster", "Pirate"]


def read_pcm(path):
    with wave.open(path, "rb") as w:
        if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (RATE, 1, 2):
            sys.exit(f"diar-compose.py: {path}: expected 16 kHz mono 16-bit")
        return w.readframes(w.getnframes())


class Voices:
    """Each voice's clips, handed out in a shuffled order that restarts
    (reshuffled) when all have been used: clips are cycled only when a
    voice has less audio than a conversation asks of it."""

    def __init__(self, clipdir):
        self.clipdir = clipdir
        self.clips = {}
        self.queue = {}

    def load(self, v):
        if v not in self.clips:
            d = os.path.join(self.clipdir, v)
            pcm = [read_pcm(os.path.join(d, f)) for f in sorted(os.listdir(d))]
            # 0.2-15 s: drops grunts and the few asterisk menus (up to 73 s)
            # that alone would outlast a 20 s turn.
            self.clips[v] = [p for p in pcm if 2 * RATE // 5 <= len(p) <= 30 * RATE]
        return self.clips[v]

    def take(self, v, rng):
        q = self.queue.setdefault(v, [])
        if not q:
            q.extend(range(len(self.load(v))))
            rng.shuffle(q)
        return self.clips[v][q.pop()]


class Conversation:
    def __init__(self, noise):
        self.noise = noise
        self.parts = []
        self.n = 0          # samples so far
        self.segs = []      # (start, length, voice) in samples

    def gap(self, secs, rng):
        k = int(round(secs * RATE))
        if k <= 0:
            return
        off = rng.randrange(0, len(self.noise) // 2 - k)
        self.parts.append(self.noise[2 * off:2 * (off + k)])
        self.n += k

    def clip(self, pcm, v):
        self.parts.append(pcm)
        self.segs.append((self.n, len(pcm) // 2, v))
        self.n += len(pcm) // 2

    def write(self, d, name):
        with wave.open(os.path.join(d, name + ".wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(b"".join(self.parts))
        with open(os.path.join(d, name + ".rttm"), "w") as f:
            for s, k, v in self.segs:
                f.write(f"SPEAKER {name} 1 {s / RATE:.3f} {k / RATE:.3f} "
                        f"<NA> <NA> {v} <NA> <NA>\n")


def turn(conv, voices, v, target, rng):
    """Clips of voice v, 0.1-0.3 s noise between them, until the turn
    reaches target seconds, never over 20 s (clips are at most 15 s)."""
    length = 0
    while True:
        pcm = voices.take(v, rng)
        g = int(round(rng.uniform(0.1, 0.3) * RATE)) if length else 0
        k = len(pcm) // 2
        if length and length + g + k > 20 * RATE:
            return
        conv.gap(g / RATE, rng)
        length += g
        conv.clip(pcm, v)
        length += k
        if length / RATE >= target:
            return


def conversation(voices, noise, names, secs, pauses, rng):
    """Turns of 1-20 s that never repeat the voice before them; every voice
    speaks within the first len(names) turns."""
    conv = Conversation(noise)
    order = list(names)
    rng.shuffle(order)
    prev = None
    i = 0
    while conv.n < secs * RATE:
        if i < len(order):
            v = order[i]
        else:
            v = rng.choice([x for x in names if x != prev])
        if prev is not None and pauses:
            conv.gap(rng.uniform(0.3, 1.5), rng)
        left = secs - conv.n / RATE
        turn(conv, voices, v, max(1.0, min(rng.uniform(1, 20), left)), rng)
        prev = v
        i += 1
    return conv


def single(voices, noise, v, secs, rng):
    conv = Conversation(noise)
    while True:
        pcm = voices.take(v, rng)
        if conv.n and conv.n + len(pcm) // 2 > secs * RATE:
            return conv
        if conv.n:
            conv.gap(rng.uniform(0.1, 0.3), rng)
        conv.clip(pcm, v)


class Set:
    def __init__(self, out, name):
        self.dir = os.path.join(out, name)
        os.makedirs(self.dir, exist_ok=True)
        self.rows = []

    def add(self, name, conv):
        conv.write(self.dir, name)
        nspk = len({v for _, _, v in conv.segs})
        wav = os.path.join(self.dir, name + ".wav")
        self.rows.append(f"{name}\t{wav}\t{nspk}\t{conv.n / RATE:.3f}\n")

    def close(self):
        with open(os.path.join(self.dir, "list.tsv"), "w") as f:
            f.writelines(self.rows)


def build(s, voices, noise, combos, singles, rng):
    """combos: {k: [voice tuples]}; conversations alternate no pause /
    pauses by their index within a speaker count."""
    for k, cs in sorted(combos.items()):
        for i, names in enumerate(cs):
            conv = conversation(voices, noise, names, rng.uniform(40, 120),
                                i % 2 == 1, rng)
            s.add(f"{k}spk-{i + 1:02d}", conv)
    for i, v in enumerate(singles):
        s.add(f"1spk-{i + 1:02d}", single(voices, noise, v,
                                          rng.uniform(35, 90), rng))
    s.close()


COUNTS = {2: 12, 3: 6, 4: 4}


def dev(out, voices, noise):
    rng = random.Random(1)
    combos = {k: rng.sample(list(itertools.combinations(DEV, k)), n)
              for k, n in COUNTS.items()}
    build(Set(out, "dev"), voices, noise, combos,
          ["asterisk", "British", "Classic", "Default", "Mobster", "Pirate"], rng)


def held(out, voices, noise):
    rng = random.Random(2)
    pool = HELD_SHARED + HELD_ONLY
    combos = {}
    for k, n in COUNTS.items():
        cand = [c for c in itertools.combinations(pool, k)
                if any(v in HELD_ONLY for v in c)]
        combos[k] = rng.sample(cand, n)
    build(Set(out, "held"), voices, noise, combos,
          ["Robot", "Singer", "Surfer", "Default_es", "Default_pl", "Default_ru"],
          rng)


def long_(out, voices, noise):
    rng = random.Random(3)
    s = Set(out, "long")
    s.add("long-2spk", conversation(voices, noise, ["asterisk", "British"],
                                    1200, True, rng))
    s.close()


def small(out, voices, noise):
    rng = random.Random(4)
    s = Set(out, "small")
    s.add("small-2spk", conversation(voices, noise, ["asterisk", "Pirate"],
                                     25, False, rng))
    s.add("small-3spk", conversation(voices, noise,
                                     ["librivox", "Classic", "Mobster"], 30, True, rng))
    s.add("small-1spk", single(voices, noise, "Default", 20, rng))
    s.close()


# Each set: how to build it, and the voices it draws on.
SETS = {
    "dev": (dev, DEV),
    "held": (held, HELD_SHARED + HELD_ONLY),
    "long": (long_, ["asterisk", "British"]),
    "small": (small, ["asterisk", "Pirate", "librivox", "Classic", "Mobster",
                      "Default"]),
}
USAGE = "usage: diar-compose.py CLIPDIR OUTDIR SET... | --voices SET..."


def main():
    args = sys.argv[1:]
    if args[:1] == ["--voices"]:
        names, out = args[1:], None
    elif len(args) >= 3:
        clipdir, out, names = args[0], args[1], args[2:]
    else:
        sys.exit(USAGE)
    for n in names:
        if n not in SETS:
            sys.exit(f"diar-compose.py: unknown set '{n}' (dev, held, long, small)")
    if out is None:
        print("\n".join(sorted({v for n in names for v in SETS[n][1]})))
        return
    noise = read_pcm(os.path.join(clipdir, "noise.wav"))
    voices = Voices(clipdir)
    for n in names:
        # Each set draws its clips afresh: it does not depend on the others.
        voices.queue = {}
        SETS[n][0](out, voices, noise)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Compose the diarization conversations from trimmed clips.

Usage: diar-compose.py CLIPDIR OUTDIR

CLIPDIR holds one folder of 16 kHz mono 16-bit WAV clips per voice and
noise.wav (faint pink noise), as scripts/diar-corpus.sh prepares them. Writes
OUTDIR/{dev,held,long,small}/ with NAME.wav, NAME.rttm and list.tsv. Every
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


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: diar-compose.py CLIPDIR OUTDIR")
    clipdir, out = sys.argv[1:]
    noise = read_pcm(os.path.join(clipdir, "noise.wav"))
    voices = Voices(clipdir)
    counts = {2: 12, 3: 6, 4: 4}

    rng = random.Random(1)
    combos = {k: rng.sample(list(itertools.combinations(DEV, k)), n)
              for k, n in counts.items()}
    build(Set(out, "dev"), voices, noise, combos,
          ["asterisk", "British", "Classic", "Default", "Mobster", "Pirate"], rng)

    rng = random.Random(2)
    voices.queue = {}
    pool = HELD_SHARED + HELD_ONLY
    combos = {}
    for k, n in counts.items():
        cand = [c for c in itertools.combinations(pool, k)
                if any(v in HELD_ONLY for v in c)]
        combos[k] = rng.sample(cand, n)
    build(Set(out, "held"), voices, noise, combos,
          ["Robot", "Singer", "Surfer", "Default_es", "Default_pl", "Default_ru"],
          rng)

    rng = random.Random(3)
    voices.queue = {}
    s = Set(out, "long")
    s.add("long-2spk", conversation(voices, noise, ["asterisk", "British"],
                                    1200, True, rng))
    s.close()

    rng = random.Random(4)
    voices.queue = {}
    s = Set(out, "small")
    s.add("small-2spk", conversation(voices, noise, ["asterisk", "Pirate"],
                                     25, False, rng))
    s.add("small-3spk", conversation(voices, noise,
                                     ["librivox", "Classic", "Mobster"], 30, True, rng))
    s.add("small-1spk", single(voices, noise, "Default", 20, rng))
    s.close()


if __name__ == "__main__":
    main()

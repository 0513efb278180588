#!/usr/bin/env python3
"""Compare two LOGLIK streams (sm-stream(5)) frame by frame.
Usage: llcmp.py A B [RANGE]
Prints "frames N max_diff D": the largest |A - B| over the senones that
score within RANGE nats of their frame's best in A (all senones when RANGE
is omitted).  Exits 2 when the headers (kind, dim, frames) differ."""
import struct
import sys

def stream(path):
    f = open(path, 'rb')
    h = f.read(48)
    if h[:4] != b'SMST':
        sys.exit('llcmp: %s: not an sm stream' % path)
    kind, dim = struct.unpack('<H', h[6:8])[0], struct.unpack('<I', h[16:20])[0]
    return f, kind, dim, struct.unpack('<Q', h[40:48])[0]

def main():
    fa, ka, da, na = stream(sys.argv[1])
    fb, kb, db, nb = stream(sys.argv[2])
    rng = float(sys.argv[3]) if len(sys.argv) > 3 else None
    if (ka, da, na) != (kb, db, nb) or ka != 3:
        print('headers differ: %s %s' % ((ka, da, na), (kb, db, nb)))
        sys.exit(2)
    n, worst = 0, 0.0
    while True:
        a, b = fa.read(4 * da), fb.read(4 * db)
        if not a or not b:
            break
        va, vb = struct.unpack('<%df' % da, a), struct.unpack('<%df' % db, b)
        top = max(va)
        for x, y in zip(va, vb):
            if rng is None or x >= top - rng:
                worst = max(worst, abs(x - y))
        n += 1
    if fa.read(1) or fb.read(1):
        print('lengths differ')
        sys.exit(2)
    print('frames %d max_diff %.6f' % (n, worst))

main()

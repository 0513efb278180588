#!/usr/bin/env python3
"""affine.py IN OUT SEED: apply a known affine map x' = A x + b to each
13-dimensional stream of a FEAT stream (sm-stream(5)).  A is near the
identity (diagonal scales 0.8..1.25 and small off-diagonal terms), b a
shift of a fraction of each dimension's spread, both drawn from SEED."""
import random
import struct
import sys

src, dst, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(src, "rb").read()
hlen = struct.unpack_from("<H", data, 10)[0]
hdr = data[:hlen]
dim = struct.unpack_from("<I", hdr, 16)[0]
rnd = random.Random(seed)
n = (len(data) - hlen) // (4 * dim)
frames = struct.unpack_from("<%df" % (n * dim), data, hlen)
blocks = []
for off in range(0, dim, 13):
    A = [[(rnd.uniform(0.8, 1.25) if i == j else rnd.uniform(-0.1, 0.1))
          for j in range(13)] for i in range(13)]
    blocks.append((off, A))
# The shift: a quarter of each dimension's standard deviation.
mean = [sum(frames[t * dim + d] for t in range(n)) / n for d in range(dim)]
sd = [(sum((frames[t * dim + d] - mean[d]) ** 2 for t in range(n)) / n) ** 0.5
      for d in range(dim)]
b = [rnd.uniform(-0.25, 0.25) * sd[d] for d in range(dim)]
out = []
for t in range(n):
    x = frames[t * dim:(t + 1) * dim]
    y = [0.0] * dim
    for off, A in blocks:
        for i in range(13):
            y[off + i] = b[off + i] + sum(A[i][j] * x[off + j] for j in range(13))
    out.extend(y)
with open(dst, "wb") as f:
    f.write(hdr)
    f.write(struct.pack("<%df" % len(out), *out))

#!/usr/bin/env python3
"""Damage a search image (sm-lattice --build-image) in known ways, in place.

Usage:
  search_image.py IMAGE random SEED N   N random bytes of the tree's nodes
                                        (not the roots nor the fillers) set
                                        to random values
  search_image.py IMAGE score           the look-ahead score (bytes 8-11) of
                                        the first node after the roots,
                                        lowered by 1: indices stay intact
  search_image.py IMAGE wipe            every node between the roots and the
                                        fillers unusable (all bytes 0xff)

The header fields used (little-endian, after the 128-byte prefix every
image of a pack starts with, see recog/image.h): the node size at byte
128, the number of roots and the first filler node at 156, the nodes'
offset at 1728 (recog/search_image.c asserts these at compile time).
"""
import random
import struct
import sys


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    path, what = argv[1], argv[2]
    with open(path, "r+b") as f:
        h = f.read(4096)
        size = struct.unpack_from("<I", h, 128)[0]
        n_roots, filler0 = struct.unpack_from("<2i", h, 156)
        nodes = struct.unpack_from("<Q", h, 1728)[0]
        first, fillers = nodes + n_roots * size, nodes + filler0 * size
        if what == "random":
            rnd = random.Random(int(argv[3]))
            for _ in range(int(argv[4])):
                f.seek(rnd.randrange(first, fillers))
                f.write(bytes([rnd.randrange(256)]))
        elif what == "score":
            f.seek(first + 8)
            u = struct.unpack("<f", f.read(4))[0]
            f.seek(first + 8)
            f.write(struct.pack("<f", u - 1))
        elif what == "wipe":
            f.seek(first)
            f.write(b"\xff" * (fillers - first))
        else:
            sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)

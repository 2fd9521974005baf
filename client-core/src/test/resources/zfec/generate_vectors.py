#!/usr/bin/env python3
"""Generate reference vectors for zfec-compatible erasure coding.

For each (k, n, blocksize) case, k primary blocks of seeded pseudo-random
bytes are encoded with zfec (the C implementation used by Tahoe-LAFS) into
all n shares, and a few k-share subsets are decoded back (checked here).

Output format, per case:
    case <k> <n> <blocksize>
    in <i> <hex of primary block i>        i = 0..k-1
    out <j> <hex of output block j>        j = 0..n-1
    decode <comma-separated sharenums>     sharenums in the order passed
                                           to zfec.Decoder.decode; the
                                           result must equal the 'in' blocks

Note: zfec < 1.5.7.3 (e.g. Debian's 1.5.2) crashes in Decoder.decode when
k == 256 (8-bit loop counters, tahoe-lafs/zfec#96). For k == n every share
is a primary block, so decoding is only a reordering; for that case the
decode lines are checked here without calling zfec's decoder.

Deterministic. Rerun (needs Debian's python3-zfec) with:
    /usr/bin/python3 generate_vectors.py > zfec-vectors.txt
"""
import random
import sys

import zfec

SEED = 20240611
CASES = [
    (1, 1, 7), (1, 2, 16), (1, 3, 5), (2, 2, 9), (2, 4, 33), (3, 10, 64),
    (3, 10, 1), (5, 7, 13), (7, 7, 8), (4, 20, 17), (25, 100, 19),
    (100, 256, 3), (128, 255, 4), (255, 256, 2), (256, 256, 2), (2, 256, 5),
]
SUBSETS_PER_CASE = 3


def random_bytes(rng, size):
    return bytes(rng.getrandbits(8) for _ in range(size))


def main(out):
    rng = random.Random(SEED)
    for k, n, blocksize in CASES:
        primary = [random_bytes(rng, blocksize) for _ in range(k)]
        shares = zfec.Encoder(k, n).encode(primary)
        assert len(shares) == n
        assert [bytes(s) for s in shares[:k]] == primary  # systematic

        out.write("case %d %d %d\n" % (k, n, blocksize))
        for i, block in enumerate(primary):
            out.write("in %d %s\n" % (i, block.hex()))
        for j, block in enumerate(shares):
            out.write("out %d %s\n" % (j, bytes(block).hex()))

        for _ in range(SUBSETS_PER_CASE):
            subset = sorted(rng.sample(range(n), k))
            unsorted = list(subset)
            if k > 1:
                while unsorted == subset:
                    rng.shuffle(unsorted)
            orders = [subset] if unsorted == subset else [subset, unsorted]
            for order in orders:
                if k == n:  # all shares primary; avoid zfec#96 (k == 256)
                    decoded = [shares[s] for s in sorted(order)]
                else:
                    decoded = zfec.Decoder(k, n).decode(
                        [shares[s] for s in order], list(order))
                assert [bytes(b) for b in decoded] == primary, (k, n, order)
                out.write("decode %s\n" % ",".join(str(s) for s in order))


if __name__ == "__main__":
    main(sys.stdout)

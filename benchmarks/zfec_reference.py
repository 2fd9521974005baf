#!/usr/bin/env python3
"""The reference beside ErasureCodingBenchmark: zfec's C coder (Debian's
python3-zfec, the library Tahoe-LAFS uses) making the 7 check blocks of a
3-of-10 encoding, for the same segment sizes. Prints one line per size:
"<segment size> <MB/s of segment input>" (MB = 10^6 bytes), best of 3 runs."""
import os
import sys
import time

import zfec


def rate(segment_size, seconds):
    block = (segment_size + 2) // 3
    primary = [os.urandom(block) for _ in range(3)]
    encoder = zfec.Encoder(3, 10)
    check_ids = list(range(3, 10))
    deadline = time.perf_counter() + 0.5
    while time.perf_counter() < deadline:  # warm-up
        encoder.encode(primary, check_ids)
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        encoder.encode(primary, check_ids)
        count += 1
    return count * segment_size / (time.perf_counter() - start) / 1e6


if __name__ == "__main__":
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    for size in (1048576, 131072):
        print(size, "%.1f" % max(rate(size, seconds) for _ in range(3)))

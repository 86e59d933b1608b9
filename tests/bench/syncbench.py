#!/usr/bin/env python3
"""syncbench.py - how long one fdatasync takes on this disk: the floor of
a durable answer's latency (every answered change waits for its batch's
WAL sync, and under load for the sync before it).

    python3 tests/bench/syncbench.py [DIR] [-n N]

Writes 64 KiB (a batch of clicks is about that much WAL) then
fdatasync()s, N times (1500): once appending (a growing WAL, so the
file's size changes and the filesystem journal commits too) and once
overwriting the same 4 MiB (a WAL started over). Prints p50/p90/p99/max
in ms for each. DIR is where the database would live (default: the
current directory).
"""

import os
import sys
import tempfile
import time


def run(fd, label, overwrite, n, size=64 * 1024):
    lat = []
    buf = b"x" * size
    for i in range(n):
        if overwrite:
            os.pwrite(fd, buf, (i % 64) * size)
        else:
            os.write(fd, buf)
        t = time.perf_counter()
        os.fdatasync(fd)
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    print("%-30s fdatasync ms: p50 %.3f p90 %.3f p99 %.3f max %.3f"
          % (label, lat[n // 2], lat[n * 9 // 10], lat[n * 99 // 100],
             lat[-1]))


def main():
    args = sys.argv[1:]
    n = 1500
    if "-n" in args:
        i = args.index("-n")
        n = int(args[i + 1])
        del args[i:i + 2]
    d = args[0] if args else "."
    fd, path = tempfile.mkstemp(prefix="syncbench.", dir=d)
    try:
        run(fd, "append 64 KiB (WAL growing)", False, n)
        run(fd, "overwrite 64 KiB (WAL reused)", True, n)
    finally:
        os.close(fd)
        os.unlink(path)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""soak.py - fixitd under the mixed workload of test_faults.py (ingest,
clicks, EventBridge events, timer and event fixes against the fake AWS;
no faults) for a while, its RSS and open files sampled: are they flat?
Run by tests/bench/soak.sh (not in CTest).

    python3 tests/faults/soak.py [MINUTES] [EVERY_SECONDS]   (10, 10)

Prints one line per sample (seconds, RSS kB, open fds, findings) and a
verdict: RSS flat when the median of the last third of the samples is
within 10 % (or 2 MB) of the median of the second third (the first third
is warm-up: SQLite's page cache, the TLS and AWS clients filling); open
files flat when their maximum over the last two thirds exceeds their
minimum by at most 4. Exit 1 when either is not flat.
"""

import os
import random
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import test_faults as tf                                # noqa: E402
import harness as h                                     # noqa: E402


def sample(pid):
    rss = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return rss, len(os.listdir("/proc/%d/fd" % pid))


def main():
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    every = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
    env = tf.fault_env()
    for k in ("LD_PRELOAD", "FIXIT_FAULT_DIR", "FIXIT_FAULT_ARM"):
        env.proc_env.pop(k, None)
    env.config["log_level"] = "info"
    env.write_config()
    env.fake.keep_calls = True
    with env:
        env.start()
        pid = env.fixitd.proc.pid
        wl = tf.Workload(env, random.Random(1))
        wl.start()
        t0 = time.time()
        rows = []
        try:
            while time.time() - t0 < minutes * 60:
                rss, fds = sample(pid)
                n = env.q1("SELECT count(*) FROM findings")
                rows.append((time.time() - t0, rss, fds, n))
                print("soak: %5.0f s  RSS %7d kB  fds %3d  findings %d"
                      % rows[-1], flush=True)
                # the click loop reads every recorded call: keep it short
                with env.fake._lock:
                    del env.fake._calls[:-2000]
                time.sleep(every)
        finally:
            wl.halt()
        third = max(1, len(rows) // 3)
        mid = statistics.median(r[1] for r in rows[third:2 * third] or rows)
        last = statistics.median(r[1] for r in rows[-third:])
        fds = [r[2] for r in rows[third:]] or [rows[-1][2]]
        rss_flat = last - mid <= max(0.10 * mid, 2048)
        fd_flat = max(fds) - min(fds) <= 4
        print("soak: %.0f min, %d samples, answers %r" % (
            minutes, len(rows), wl.answers))
        print("soak: RSS median %d kB (2nd third) -> %d kB (last third): "
              "%s" % (mid, last, "flat" if rss_flat else "GROWING"))
        print("soak: open files %d..%d after warm-up: %s" % (
            min(fds), max(fds), "flat" if fd_flat else "GROWING"))
        return 0 if rss_flat and fd_flat else 1


if __name__ == "__main__":
    sys.exit(main())

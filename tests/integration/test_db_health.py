"""test_db_health.py - the database is checked, not assumed (issue 13,
item 7, and the files' modes from item 9).

- /healthz writes the heartbeat row through the writer (answered once
  synced) and reads it back: 200 and the row holds the probe's time;
- with the database's write lock held by another process past the
  probe's 2 s bound, /healthz answers 503 quickly (not 200, not a hang),
  and 200 again once the lock goes;
- the database, its WAL and its shared memory file are 0600 under the
  harness's umask (022);
- garbage pages in the middle of the file: fixitd refuses to start,
  exits non-zero and says the database is damaged (SQLite quick_check),
  instead of starting and answering 500 to everything.
"""

import os
import sqlite3
import stat
import threading
import time

import harness as h
from harness import check


def test_healthz_writes_and_reads():
    with h.Env("health-ok") as env:
        t0 = int(time.time())
        r = env.request("GET", "/healthz")
        check(r.status == 200 and r.json().get("status") == "ok",
              "healthz %r", r)
        at = env.q1("SELECT at FROM heartbeat WHERE id = 1")
        check(at >= t0, "heartbeat at %r, probe at %r", at, t0)
        for suffix in ("", "-wal", "-shm"):
            p = env.db_path + suffix
            mode = stat.S_IMODE(os.stat(p).st_mode)
            check(mode == 0o600, "%s mode %o, want 600", p, mode)


def test_healthz_503_when_not_writable():
    with h.Env("health-locked") as env:
        check(env.healthz(), "healthz before the lock")
        locked, release = threading.Event(), threading.Event()
        t = threading.Thread(target=h.hold_db_lock,
                             args=(env.db_path, locked, release))
        t.start()
        try:
            check(locked.wait(5), "could not take the lock")
            t0 = time.time()
            r = env.request("GET", "/healthz")
            secs = time.time() - t0
            check(r.status == 503, "healthz with the db locked: %r", r)
            check(secs < 4.0, "healthz took %.1fs", secs)
        finally:
            release.set()
            t.join()
        h.wait_until(env.healthz, 15, what="healthz 200 once the lock went")


def corrupt(path):
    """Garbage over pages in the middle of the file."""
    size = os.path.getsize(path)
    pages = size // 4096
    check(pages >= 16, "database of only %d pages", pages)
    with open(path, "r+b") as f:
        for p in (pages // 3, pages // 2, 2 * pages // 3):
            f.seek(p * 4096)
            f.write(b"\xa5" * 4096)


def test_corrupt_refused_at_start():
    with h.Env("health-corrupt") as env:
        env.ingest_ok([h.item("imds-slow", h.NONPROD, "i-0corrupt%04d" % i,
                              title="t" * 250) for i in range(500)])
        env.fixitd.stop()
        con = sqlite3.connect(env.db_path, isolation_level=None)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        corrupt(env.db_path)
        try:
            env.fixitd.start(timeout=30)
            started = True
        except AssertionError:
            started = False
        check(not started, "fixitd started on a corrupt database")
        check(env.fixitd.proc.returncode not in (0, None),
              "exit status %r", env.fixitd.proc.returncode)
        err = env.fixitd.stderr_text()
        check("damaged" in err or "malformed" in err,
              "no clear message in stderr:\n%s", env.fixitd.stderr_tail(20))


if __name__ == "__main__":
    h.run_tests(test_healthz_writes_and_reads,
                test_healthz_503_when_not_writable,
                test_corrupt_refused_at_start)

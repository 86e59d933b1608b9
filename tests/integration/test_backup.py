"""test_backup.py - `fixitd backup FILE` copies the live database while
fixitd writes, and the copy restores (issue 15, deliverable 6).

Under load: one thread ingests new findings and another clicks (exception
forms and Fix now) the whole time; the database is padded first (large
details) so that the copy takes many steps. The live database's audit
rows and the findings whose ingest was answered before the backup
started are recorded; `fixitd backup -c CONFIG FILE` runs (again, to a
new file, until a write was answered while one ran: the copy must be
of a database being written). Then:
- the backup is mode 0600, a single file (no -wal), quick_check ok;
- every finding answered before the backup and every audit row committed
  before it are in the copy, the rows identical;
- the copy is one moment of the database: each finding's state is the
  to-state of its last audit row, every audit row of the copy is the
  live row with that id, every finding id of the copy existed live;
- restored as docs/operations.md says (fixitd stopped, the copy at the
  database path 0600, no -wal/-shm, start) a fresh fixitd starts (its
  quick_check logged), serves the same findings and takes new ones.
Refusals: an existing FILE without -f (exit 1, untouched), -f replaces
it, the database itself even with -f, no database, a missing -c file, a
FILE.tmp left behind (unless -f), a damaged database (its copy fails
quick_check: exit 1, nothing left); -d DATABASE needs no configuration.
"""

import os
import shutil
import sqlite3
import stat
import subprocess
import threading
import time

import harness as h
from harness import check

PAD = "x" * 16000           # details padding: ~4 pages a finding
PRELOAD_BATCHES = 6
PRELOAD_ITEMS = 150


def backup(env, dest, *extra, config=True):
    args = [h.FIXITD, "backup"] + list(extra)
    if config:
        args += ["-c", env.config_path]
    args.append(dest)
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env.proc_env, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def rows(path, sql, *args):
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
    try:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute(sql, args).fetchall()]
    finally:
        con.close()


class Load:
    """Ingest and click until stopped; every answered write with the
    time its answer arrived."""

    def __init__(self, env):
        self.env = env
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acked = []         # (finding id, answered at)
        self.clicks = []        # (finding id, answered at)
        self.errors = []
        self.n = 0
        self.threads = [threading.Thread(target=self._ingest, daemon=True),
                        threading.Thread(target=self._click, daemon=True)]

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(30)
        return False

    def _ingest(self):
        while not self.stop.is_set():
            items = []
            for _ in range(5):
                self.n += 1
                items.append(h.item("imds-slow", h.NONPROD,
                                    "i-0load%07d" % self.n))
            try:
                ids = self.env.ingest_ok(items)
            except Exception as e:      # noqa: BLE001 - reported below
                self.errors.append("ingest: %s" % e)
                return
            at = time.time()
            with self.lock:
                self.acked.extend((i, at) for i in ids)

    def _click(self):
        done = 0
        while not self.stop.is_set():
            with self.lock:
                todo = [i for i, at in self.acked[done:]
                        if time.time() - at > 0.3]
            if not todo:
                time.sleep(0.02)
                continue
            fid = todo[0]
            done += 1
            try:
                if done % 4 == 0:
                    r = self.env.click(h.OWNER, "fixit_fix_now", fid)
                else:
                    r = self.env.submit_exception(h.OWNER, fid, "1m",
                                                  reason="backup load")
            except Exception as e:      # noqa: BLE001
                self.errors.append("click: %s" % e)
                return
            if r.status != 200:
                self.errors.append("click on %s answered %r" % (fid, r))
                return
            with self.lock:
                self.clicks.append((fid, time.time()))

    def answered_between(self, t0, t1):
        with self.lock:
            return (sum(1 for _, at in self.acked if t0 < at < t1),
                    sum(1 for _, at in self.clicks if t0 < at < t1))


def check_invariants(path):
    """Each finding's state is its last audit transition's to-state."""
    bad = rows(path, """
        SELECT f.id, f.state, (SELECT a.to_state FROM audit a
            WHERE a.finding_id = f.id AND a.to_state IS NOT NULL
            ORDER BY a.id DESC LIMIT 1) AS last
        FROM findings f WHERE last IS NOT f.state""")
    check(not bad, "findings whose state is not their last audit row's "
          "to-state in %s: %r", path, bad[:5])
    ok = rows(path, "PRAGMA quick_check")
    check(ok == [{"quick_check": "ok"}], "quick_check of %s: %r", path, ok)


def preload(env):
    n = 0
    for b in range(PRELOAD_BATCHES):
        items = []
        for _ in range(PRELOAD_ITEMS):
            n += 1
            items.append(h.item("bulk", h.NONPROD, "i-0pad%07d" % n,
                                details={"pad": PAD, "n": n}))
        env.ingest_ok(items)


def test_backup_under_load_and_restore():
    pbs = h.default_playbooks() + [h.playbook("bulk", mode="shadow")]
    with h.Env("backup", playbooks=pbs) as env:
        preload(env)
        dest_dir = os.path.join(env.tmp, "backups")
        os.mkdir(dest_dir)
        with Load(env) as load:
            h.wait_until(lambda: len(load.clicks) >= 20, 60,
                         what="20 clicks answered")
            tries = []
            for k in range(10):
                dest = os.path.join(dest_dir, "fixit-%d.db" % k)
                with load.lock:
                    acked = {i for i, _ in load.acked}
                audit = {r["id"]: r for r in env.q(
                    "SELECT * FROM audit ORDER BY id")}
                t0 = time.time()
                rc, out, err = backup(env, dest)
                t1 = time.time()
                check(rc == 0, "backup exited %s: %s%s", rc, out, err)
                check("quick_check ok" in out, "backup said %r", out)
                during = load.answered_between(t0, t1)
                tries.append((dest, acked, audit, during, t1 - t0))
                h.log("backup %d: %.2fs, %d ingests + %d clicks answered "
                      "meanwhile; %s" % (k, t1 - t0, during[0], during[1],
                                         out.strip()))
                if during[0] and during[1]:
                    break
            check(not load.errors, "load failed: %r", load.errors)
            check(tries[-1][3][0] and tries[-1][3][1],
                  "no backup of 10 ran while an ingest and a click were "
                  "answered: %r", [t[3] for t in tries])
            # the load goes on a little after the last backup
            n_after = len(load.acked) + 10
            h.wait_until(lambda: len(load.acked) >= n_after, 30,
                         what="more ingests after the backup")
        check(not load.errors, "load failed: %r", load.errors)
        live_audit = {r["id"]: r for r in env.q("SELECT * FROM audit")}
        live_ids = {r["id"] for r in env.q("SELECT id FROM findings")}
        check_invariants(env.db_path)

        for dest, acked, audit, during, secs in tries:
            st = os.stat(dest)
            check(stat.S_IMODE(st.st_mode) == 0o600, "%s has mode %o",
                  dest, stat.S_IMODE(st.st_mode))
            for side in ("-wal", "-shm", "-journal", ".tmp"):
                check(not os.path.exists(dest + side), "%s%s left",
                      dest, side)
            check_invariants(dest)
            got_ids = {r["id"] for r in rows(dest, "SELECT id FROM findings")}
            missing = acked - got_ids
            check(not missing, "%d findings answered before the backup "
                  "are not in it: %r", len(missing), sorted(missing)[:10])
            check(got_ids <= live_ids, "findings in the backup that never "
                  "existed: %r", sorted(got_ids - live_ids)[:10])
            got_audit = {r["id"]: r for r in rows(dest, "SELECT * FROM audit")}
            lost = [i for i, r in audit.items() if got_audit.get(i) != r]
            check(not lost, "%d audit rows committed before the backup "
                  "differ or are missing: %r", len(lost), lost[:10])
            wrong = [i for i, r in got_audit.items() if live_audit.get(i) != r]
            check(not wrong, "audit rows of the backup that differ from the "
                  "live ones: %r", wrong[:10])
            h.log("%s: %d findings (%d answered before), %d audit rows (%d "
                  "before), %.1f MB" % (
                      os.path.basename(dest), len(got_ids), len(acked),
                      len(got_audit), len(audit), st.st_size / 1e6))

        dest, acked, audit, _, _ = tries[-1]
        restore_and_check(dest, acked, audit, pbs)


def restore_and_check(dest, acked, audit, pbs):
    """docs/operations.md "Restore", into a fresh fixitd."""
    env2 = h.Env("backup-restore", playbooks=pbs, start=False)
    with env2:
        for side in ("", "-wal", "-shm"):
            check(not os.path.exists(env2.db_path + side), "fresh env has %s",
                  env2.db_path + side)
        shutil.copyfile(dest, env2.db_path)
        os.chmod(env2.db_path, 0o600)
        env2.start()
        err = env2.fixitd.stderr_text()
        check("checked in" in err, "no quick_check line at start:\n%s",
              env2.fixitd.stderr_tail(30))
        got = {int(f["id"]) for f in env2.findings()}
        missing = acked - got
        check(not missing, "restored fixitd lacks %d findings: %r",
              len(missing), sorted(missing)[:10])
        got_audit = {r["id"]: r for r in env2.q("SELECT * FROM audit")}
        lost = [i for i, r in audit.items() if got_audit.get(i) != r]
        check(not lost, "restored audit lacks rows: %r", lost[:10])
        check_invariants(env2.db_path)
        [fid] = env2.ingest_ok([h.item("imds-slow", h.NONPROD,
                                       "i-0after0restore")])
        check(fid > max(acked), "new finding id %s after %s", fid,
              max(acked))
        env2.wait_notify(fid)
        check(env2.healthz(), "restored fixitd not healthy")


def test_refusals():
    with h.Env("backup-refuse") as env:
        env.ingest_ok([h.item("imds-slow", h.NONPROD, "i-0refuse1")])
        dest = os.path.join(env.tmp, "copy.db")
        with open(dest, "w") as f:
            f.write("precious")
        rc, out, err = backup(env, dest)
        check(rc == 1 and "exists" in err and "-f" in err,
              "existing file: exit %s, %r", rc, err)
        with open(dest) as f:
            check(f.read() == "precious", "existing file was changed")
        check(not os.path.exists(dest + ".tmp"), "%s.tmp left", dest)

        rc, out, err = backup(env, dest, "-f")
        check(rc == 0, "-f: exit %s, %r", rc, err)
        check(rows(dest, "SELECT resource_id FROM findings") ==
              [{"resource_id": "i-0refuse1"}], "copy holds %r",
              rows(dest, "SELECT resource_id FROM findings"))

        for target in (env.db_path, env.db_path + "-wal"):
            before = os.stat(env.db_path).st_ino
            rc, out, err = backup(env, target, "-f")
            check(rc == 1 and "database" in err,
                  "backup onto %s: exit %s, %r", target, rc, err)
            check(os.stat(env.db_path).st_ino == before, "database replaced")
        check(env.healthz(), "fixitd unhealthy after the refusals")

        rc, out, err = backup(env, os.path.join(env.tmp, "x.db"), "-d",
                              os.path.join(env.tmp, "nope.db"),
                              config=False)
        check(rc == 1 and "no database" in err, "missing db: %s %r", rc, err)
        check(not os.path.exists(os.path.join(env.tmp, "nope.db")),
              "backup created the missing database")

        rc, out, err = backup(env, os.path.join(env.tmp, "x.db"), "-c",
                              os.path.join(env.tmp, "nope.yaml"),
                              config=False)
        check(rc == 1 and "nope.yaml" in err, "missing config: %s %r", rc,
              err)

        # -d: no configuration, no secrets needed
        bare = {k: v for k, v in env.proc_env.items()
                if not k.startswith("FIXIT_")}
        p = subprocess.run([h.FIXITD, "backup", "-d", env.db_path,
                            os.path.join(env.tmp, "bare.db")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=bare, timeout=60)
        check(p.returncode == 0, "-d: exit %s, %r", p.returncode, p.stderr)
        rc, out, err = backup(env, "", config=False)
        check(rc == 1, "no FILE: exit %s", rc)

        # a FILE.tmp left behind (a backup running, or a failed one)
        dest = os.path.join(env.tmp, "again.db")
        with open(dest + ".tmp", "w") as f:
            f.write("left")
        rc, out, err = backup(env, dest)
        check(rc == 1 and ".tmp" in err and not os.path.exists(dest),
              "FILE.tmp present: exit %s, %r", rc, err)
        rc, out, err = backup(env, dest, "-f")
        check(rc == 0 and not os.path.exists(dest + ".tmp"),
              "FILE.tmp present, -f: exit %s, %r", rc, err)

        # a damaged database: the copy fails its quick_check, nothing
        # is left
        bad = os.path.join(env.tmp, "bad.db")
        con = sqlite3.connect(bad)
        con.execute("CREATE TABLE t (a INTEGER)")
        con.executemany("INSERT INTO t VALUES (?)",
                        [(i,) for i in range(100000)])
        con.execute("CREATE INDEX t_a ON t (a)")
        con.commit()
        con.close()
        pages = os.path.getsize(bad) // 4096
        with open(bad, "r+b") as f:       # a quarter of a full page
            f.seek(4096 * (pages - 50) + 2048)
            f.write(b"\0" * 1024)
        rc, out, err = backup(env, os.path.join(env.tmp, "frombad.db"),
                              "-d", bad, config=False)
        check(rc == 1 and "quick_check" in err, "damaged db: exit %s, %r",
              rc, err)
        for p in ("frombad.db", "frombad.db.tmp", "frombad.db.tmp-journal"):
            check(not os.path.exists(os.path.join(env.tmp, p)),
                  "%s left after a failed backup", p)
        h.log("damaged database refused: %s" % err.strip())


if __name__ == "__main__":
    h.run_tests(test_backup_under_load_and_restore, test_refusals)

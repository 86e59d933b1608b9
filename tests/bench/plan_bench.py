#!/usr/bin/env python3
"""plan_bench.py - issue 14's start-up, scans and listing figures at scale
(standard library only; not a test).

  plan_bench.py [-n FINDINGS] [--days DAYS] [--keep] [--seed DB]
                FIXITD [FIXITD...]

For each fixitd binary (say the old one and the new one) on a copy of the
same database: FINDINGS findings (1,000,000) over 5 enforcing playbooks and
1,000 accounts, none failed, and DAYS (365) of daily scans of the 1,000
accounts x 17 regions, inserted with SQL (INSERT ... SELECT from a
recursive CTE) into a database the first binary created (--seed: a copy
of that database kept by --keep instead; it is never changed). Then:

1. fixitd is started (a first start migrates), stopped, started again:
   a write (POST /v1/findings, one finding) sent as soon as it listens
   (its ready line), then the time until /healthz answers 200, and the
   reconcile log line if any;
2. the listing API with each filter shape (median of 5), `/fixit status`
   (signed slash command) and GET /metrics;
3. the scans' last-per-pair query of each database (GROUP BY over every
   scan row before scan_last, scan_last after), run with Python's sqlite3.
"""

import json
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness as h           # noqa: E402

PLAYBOOKS = ["pb-%d" % i for i in range(5)]
ACCOUNTS = 1000
REGIONS = 17
READY = re.compile(r"fixitd: ready on http://([^:]+):(\d+)")

OLD_SCAN_LAST = (
    "SELECT account_id, region, started_at, finished_at, ok, found, "
    "resolved, error FROM scans WHERE id IN (SELECT max(id) FROM scans "
    "GROUP BY account_id, region) ORDER BY account_id, region")
NEW_SCAN_LAST = (
    "SELECT s.account_id, s.region, s.started_at, s.finished_at, s.ok, "
    "s.found, s.resolved, s.error FROM scan_last l JOIN scans s ON "
    "s.id = l.scan_id ORDER BY l.account_id, l.region")


def config(d, db):
    cfg = {
        "listen": "127.0.0.1:0",
        "database": db,
        "tick": "5s",
        "lease": "5m",
        "log_level": "info",
        "admins": [h.ADMIN],
        "admin_channel": h.ADMIN_CHANNEL,
        "slack": {"mode": "console"},
        "accounts": [{"id": h.NONPROD, "name": "bench",
                      "environment": "non-production",
                      "channel": h.NONPROD_CHANNEL}],
        "playbooks": [{
            "name": pb, "description": "benchmark", "mode": "enforce",
            "approval": "owner", "grace": "48h", "reminder_before": 0,
            "exceptions": ["1m"], "max_fixes_per_hour": 0,
            "max_attempts": 3, "retry_backoff": "1m",
            "executor": {"type": "dry-run"}} for pb in PLAYBOOKS],
    }
    path = os.path.join(d, "fixit-%s.yaml" % os.path.basename(db))
    with open(path, "w") as f:
        f.write(h.to_yaml(cfg) + "\n")
    return path


class Daemon:
    def __init__(self, binary, cfg, logpath):
        env = dict(os.environ)
        env.update({"FIXIT_SLACK_SIGNING_SECRET": h.SIGNING_SECRET,
                    "FIXIT_SLACK_BOT_TOKEN": h.BOT_TOKEN,
                    "FIXIT_INGEST_TOKENS": h.INGEST_TOKEN})
        self.log = open(logpath, "a")
        self.t0 = time.monotonic()
        self.p = subprocess.Popen([binary, "-c", cfg], stdout=subprocess.PIPE,
                                  stderr=self.log, env=env, text=True)
        for line in self.p.stdout:
            m = READY.search(line)
            if m:
                self.host, self.port = m.group(1), int(m.group(2))
                break
        else:
            raise SystemExit("no ready line; see %s" % logpath)
        # console mode prints every Slack call: drain stdout
        self.out = open(os.devnull, "w")
        self._drain = subprocess.Popen(["cat"], stdin=self.p.stdout,
                                       stdout=self.out)

    def req(self, method, path, body=None, headers=()):
        t = time.monotonic()
        r = h.http_request(self.host, self.port, method, path, body,
                           headers, timeout=120)
        return r, (time.monotonic() - t) * 1000

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        self.p.wait(60)
        self._drain.wait(10)
        self.log.close()


def fill(db, n, days):
    now = int(time.time())
    c = sqlite3.connect(db)
    c.execute("PRAGMA journal_mode = WAL")
    t = time.monotonic()
    # notified 70 % (deadline in 30 days, nothing due), fixed 15 %,
    # resolved 10 %, excepted 5 %: none failed, none open
    c.execute("""
        WITH RECURSIVE i(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM i
                                WHERE x + 1 < ?1)
        INSERT INTO findings (playbook, account_id, region, resource_id,
            resource_arn, owner_email, owner_slack_id, title, details, state,
            first_seen, last_seen, observed_at, notified_at, deadline,
            reminder_sent, excepted_until, updated_at)
        SELECT 'pb-' || (x % 5), printf('%012d', 100000000000 + x % 1000),
            'eu-west-1', printf('r-%08d', x), NULL,
            'owner' || (x % 5000) || '@example.com',
            'U' || (x % 5000), 'benchmark finding', '{}',
            CASE WHEN x % 20 < 14 THEN 'notified' WHEN x % 20 < 17
                 THEN 'fixed' WHEN x % 20 < 19 THEN 'resolved'
                 ELSE 'excepted' END,
            ?2, ?2, ?2, ?2,
            CASE WHEN x % 20 < 14 THEN ?2 + 30 * 86400 END, 1,
            CASE WHEN x % 20 = 19 THEN ?2 + 300 * 86400 END, ?2
        FROM i""", (n, now))
    # fixitd's own writes keep these (db/db_kept.c); a fill by SQL counts
    c.execute("""
        INSERT INTO finding_counts (playbook, state, account_id, n)
        SELECT playbook, state, account_id, count(*) FROM findings
        GROUP BY 1, 2, 3
        ON CONFLICT (playbook, state, account_id) DO UPDATE
        SET n = excluded.n""")
    c.commit()
    tf = time.monotonic() - t
    t = time.monotonic()
    c.execute("""
        WITH RECURSIVE d(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM d
                                WHERE x + 1 < ?1),
            a(y) AS (SELECT 0 UNION ALL SELECT y + 1 FROM a WHERE y + 1 < ?2),
            r(z) AS (SELECT 0 UNION ALL SELECT z + 1 FROM r WHERE z + 1 < ?3)
        INSERT INTO scans (account_id, region, started_at, finished_at, ok,
            found, resolved)
        SELECT printf('%012d', 100000000000 + y), 'region-' || z,
            ?4 - (?1 - x) * 86400, ?4 - (?1 - x) * 86400 + 60, 1, 3, 0
        FROM d, a, r ORDER BY x, y, z""", (days, ACCOUNTS, REGIONS, now))
    c.commit()
    ts = time.monotonic() - t
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    print("filled: %d findings in %.0f s, %d scans in %.0f s"
          % (n, tf, days * ACCOUNTS * REGIONS, ts))


def write_right_after_start(d):
    """as soon as fixitd listens (its ready line), one finding POSTed, then
    /healthz polled until it answers 200"""
    up = (time.monotonic() - d.t0) * 1000
    item = h.item(PLAYBOOKS[0], h.NONPROD, "after-restart-%d" % time.time())
    r, ms = d.req("POST", "/v1/findings", json.dumps([item]).encode(),
                  [("Authorization", "Bearer " + h.INGEST_TOKEN),
                   ("Content-Type", "application/json")])
    n503 = 0
    while True:
        hr, hms = d.req("GET", "/healthz")
        if hr.status == 200:
            break
        n503 += 1
    ok = (time.monotonic() - d.t0) * 1000
    return up, ms, r.status, ok, hms, n503


def median_ms(d, method, path, body=None, headers=(), k=5):
    ts, st = [], None
    for _ in range(k):
        r, ms = d.req(method, path, body, headers)
        st = r.status
        ts.append(ms)
    return statistics.median(ts), st


def status_cmd(d):
    body = h.command_form(h.ADMIN, "status")
    ts = int(time.time())
    hs = [("Content-Type", "application/x-www-form-urlencoded"),
          ("X-Slack-Request-Timestamp", str(ts)),
          ("X-Slack-Signature", h.sign(body, ts))]
    return median_ms(d, "POST", "/slack/commands", body, hs, k=3)


LISTS = [
    ("state=failed", {"state": "failed"}),
    ("state=notified", {"state": "notified"}),
    ("playbook=pb-1", {"playbook": "pb-1"}),
    ("playbook=none", {"playbook": "none"}),
    ("account_id=...7", {"account_id": "100000000007"}),
    ("state=failed&playbook=pb-1", {"state": "failed", "playbook": "pb-1"}),
    ("state=failed&account", {"state": "failed",
                              "account_id": "100000000007"}),
    ("playbook=pb-2&account", {"playbook": "pb-2",
                               "account_id": "100000000007"}),
    ("state=failed&playbook&account", {"state": "failed", "playbook": "pb-2",
                                       "account_id": "100000000007"}),
    ("no filter", {}),
]


def run(binary, db, tmp, tag):
    cfg = config(tmp, db)
    log = os.path.join(tmp, "%s.log" % tag)
    print("== %s (%s)" % (tag, binary))
    for what in ("first start", "restart"):
        if what == "restart":
            time.sleep(2)
            d.stop()
        d = Daemon(binary, cfg, log)
        up, ms, st, ok, hms, n503 = write_right_after_start(d)
        print("%s: listening after %.0f ms; a write sent then took %.0f ms "
              "(HTTP %d); /healthz 200 after %.0f ms (that one %.0f ms, "
              "%d answers 503 before)" % (what, up, ms, st, ok, hms, n503))
    time.sleep(3)
    for label, q in LISTS:
        m, st = median_ms(d, "GET", "/v1/findings?" +
                          urllib.parse.urlencode(q),
                          headers=[("Authorization",
                                    "Bearer " + h.INGEST_TOKEN)])
        print("GET /v1/findings?%-30s %7.1f ms (HTTP %d)" % (label, m, st))
    m, st = status_cmd(d)
    print("/fixit status %.0f ms (HTTP %d)" % (m, st))
    d.stop()
    with open(log) as f:
        for line in f:
            if "reconcile" in line or "retention" in line or \
                    "left shadow" in line:
                print("log: " + line.rstrip())


def main(argv):
    n, days, keep, bins, seed_in = 1000000, 365, False, [], None
    while argv:
        a = argv.pop(0)
        if a == "--seed":
            seed_in = argv.pop(0)
        elif a == "-n":
            n = int(argv.pop(0))
        elif a == "--days":
            days = int(argv.pop(0))
        elif a == "--keep":
            keep = True
        else:
            bins.append(os.path.abspath(a))
    if not bins:
        raise SystemExit(__doc__)
    tmp = tempfile.mkdtemp(prefix="fixit-plan-bench-")
    try:
        seed = seed_in or os.path.join(tmp, "seed.db")
        if seed_in is None:
            d = Daemon(bins[0], config(tmp, seed),
                       os.path.join(tmp, "seed.log"))
            d.stop()
            fill(seed, n, days)
        for i, b in enumerate(bins):
            db = os.path.join(tmp, "run%d.db" % i)
            shutil.copy(seed, db)
            run(b, db, tmp, "run%d" % i)
        for i in range(len(bins)):
            c = sqlite3.connect(os.path.join(tmp, "run%d.db" % i))
            kept = c.execute("SELECT count(*) FROM sqlite_master WHERE "
                             "name = 'scan_last'").fetchone()[0]
            nscans = c.execute("SELECT count(*) FROM scans").fetchone()[0]
            q = NEW_SCAN_LAST if kept else OLD_SCAN_LAST
            t = time.monotonic()
            rows = c.execute(q).fetchall()
            print("run%d: scans' last per pair (%s statement, %d scan "
                  "rows): %d rows in %.0f ms"
                  % (i, "scan_last" if kept else "GROUP BY", nscans,
                     len(rows), (time.monotonic() - t) * 1000))
            c.close()
    finally:
        if keep:
            print("kept %s" % tmp)
        else:
            shutil.rmtree(tmp)


if __name__ == "__main__":
    main(sys.argv[1:])

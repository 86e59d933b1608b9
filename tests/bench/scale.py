"""scale.py - the large-organisation benchmark (issue 14); driven by
scale.sh, standard library only. A benchmark, not a test: see README.md.

  scale.py [-n FINDINGS] [-r REPS] [-C CONNS] [--restarts K]
           [--load-secs S] [--reuse] [--cache DIR] [--keep]

Starts fixitd (FIXITD, Slack in console mode, its stdout read and thrown
away) on a fresh database and ingests FINDINGS findings through
POST /v1/findings (batches of 1,000 on CONNS connections; 3 playbooks,
4 accounts, 200 owners), makes some of them fixed and excepted with signed
clicks, waits for the outbox to drain and stops fixitd. Then, on that
database:

  restart  start fixitd, poll /healthz until it answers, POST one finding
           at once (K times);
  verbs    every /fixit verb as a signed slash command, REPS times each;
  metrics  GET /metrics, REPS times;
  listing  GET /v1/findings with each filter, REPS times each, and paging;
  load     two threads scrape /metrics without pause while /healthz,
           signed "Fix now" clicks and /fixit help are timed (for S s and
           at least 20 rounds, at most 300 s).

Prints a markdown table (p50 / p99 / max in ms, the target, MISSED when a
target is missed) and exits 0; 1 on an error (a request that fails or
answers non-2xx outside the load step, where failures are counted;
fixitd dying), 2 on bad arguments. --reuse: take the
database from the cache (DIR, default $XDG_CACHE_HOME/fixit-scale) when
one for FINDINGS is there, and put it there after an ingest.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness as h           # noqa: E402 (signing, payloads, YAML writer)

FIXITD = os.environ.get("FIXITD") or h.FIXITD
BATCH = 1000
OWNERS = ["U0SCALE%03d" % i for i in range(200)]
ACCOUNTS = ["100000000001", "100000000002", "100000000003", "100000000004"]
# (name, mode, share of the findings in thousandths)
PLAYBOOKS = [("scale-imds", "enforce", 600), ("scale-s3", "enforce", 300),
             ("scale-sg", "notify", 100)]
CACHE_VERSION = 2       # bump when the data set changes


class BenchError(Exception):
    pass


def playbook_of(i):
    k = i % 1000
    for name, _, share in PLAYBOOKS:
        if k < share:
            return name
        k -= share
    return PLAYBOOKS[-1][0]


def config(d, db):
    pbs = []
    for name, mode, _ in PLAYBOOKS:
        pbs.append({
            "name": name, "description": "benchmark playbook %s" % name,
            "mode": mode, "approval": "owner", "grace": "48h",
            "reminder_before": 0, "exceptions": ["1m", "1y"],
            "exceptions_need_approval": ["1y"], "max_fixes_per_hour": 0,
            "max_attempts": 3, "retry_backoff": "1m",
            "executor": {"type": "dry-run"}})
    cfg = {
        "listen": "127.0.0.1:0", "database": db, "tick": "1s",
        "lease": "5m", "log_level": "warn", "admins": [h.ADMIN],
        "admin_channel": h.ADMIN_CHANNEL, "slack": {"mode": "console"},
        "accounts": [{"id": a, "name": "scale-%d" % n,
                      "environment": "non-production",
                      "channel": "C0SCALE%d" % n}
                     for n, a in enumerate(ACCOUNTS)],
        "playbooks": pbs,
    }
    path = os.path.join(d, "fixit.yaml")
    with open(path, "w") as f:
        f.write(h.to_yaml(cfg) + "\n")
    return path


# ---- fixitd ------------------------------------------------------------

class Daemon:
    """fixitd on one config; its stdout (every Slack call in console mode)
    read in large chunks and discarded after the ready line."""

    def __init__(self, tmp, cfg):
        self.tmp, self.cfg = tmp, cfg
        self.proc = None
        self.host = self.port = None
        env = dict(os.environ)
        env.update({"FIXIT_SLACK_SIGNING_SECRET": h.SIGNING_SECRET,
                    "FIXIT_SLACK_BOT_TOKEN": h.BOT_TOKEN,
                    "FIXIT_INGEST_TOKENS": h.INGEST_TOKEN})
        self.env = env

    def start(self, timeout=120.0):
        err = open(os.path.join(self.tmp, "fixitd.stderr"), "ab")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen([FIXITD, "-c", self.cfg],
                                     stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=err,
                                     env=self.env)
        err.close()
        fd = self.proc.stdout.fileno()
        pending = b""
        deadline = time.time() + timeout
        while True:
            if time.time() > deadline:
                raise BenchError("fixitd printed no ready line in %.0fs"
                                 % timeout)
            chunk = os.read(fd, 65536)
            if not chunk:
                raise BenchError("fixitd exited before its ready line: %s"
                                 % self.stderr_tail())
            pending += chunk
            m = None
            for line in pending.split(b"\n"):
                m = h.READY_RE.match(line.decode("utf-8", "replace"))
                if m:
                    break
            if m:
                break
        self.ready_ms = (time.perf_counter() - t0) * 1000
        self.host, self.port = m.group(2), int(m.group(3))
        threading.Thread(target=self._discard, args=(fd,),
                         daemon=True).start()
        return t0

    @staticmethod
    def _discard(fd):
        try:
            while os.read(fd, 1 << 20):
                pass
        except OSError:
            pass

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise BenchError("fixitd did not stop within 120 s")
        rc = self.proc.returncode
        self.proc = None
        if rc != 0:
            raise BenchError("fixitd exited with %s: %s"
                             % (rc, self.stderr_tail()))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stderr_tail(self, n=20):
        try:
            with open(os.path.join(self.tmp, "fixitd.stderr")) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def conn(self, timeout=60):
        return http.client.HTTPConnection(self.host, self.port,
                                          timeout=timeout)


def call(conn, method, path, body=None, headers=None, ok=(200,)):
    """One request on a keep-alive connection: (ms, status, body)."""
    t0 = time.perf_counter()
    conn.request(method, path, body, headers or {})
    r = conn.getresponse()
    data = r.read()
    ms = (time.perf_counter() - t0) * 1000
    if ok and r.status not in ok:
        raise BenchError("%s %s: HTTP %d %s" % (method, path, r.status,
                                                data[:300]))
    return ms, r.status, data


def ingest_headers():
    return {"Authorization": "Bearer " + h.INGEST_TOKEN,
            "Content-Type": "application/json"}


def slack_headers(body):
    ts = str(int(time.time()))
    return {"Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": h.sign(body, ts)}


def command(conn, user, text):
    body = h.command_form(user, text)
    ms, _, data = call(conn, "POST", "/slack/commands", body,
                       slack_headers(body))
    return ms, data


def click(conn, user, action, fid):
    body = h.payload_form(h.block_actions(user, action, fid,
                                          channel="D" + user))
    return call(conn, "POST", "/slack/actions", body,
                slack_headers(body))[0]


# ---- ingest ------------------------------------------------------------

ITEM = ('{"playbook":"%s","account_id":"%s","region":"eu-west-1",'
        '"resource_id":"%s","resource_arn":"arn:aws:ec2:eu-west-1:%s:'
        'instance/%s","owner_slack_id":"%s","title":"Instance %s allows '
        'IMDSv1","details":{"HttpTokens":"optional"},"observed_at":"%s"}')


def batch_body(start, n, now, prefix="i-"):
    items = []
    for i in range(start, min(n, start + BATCH)):
        res = "%s%016x" % (prefix, i)
        acct = ACCOUNTS[i % len(ACCOUNTS)]
        items.append(ITEM % (playbook_of(i), acct, res, acct, res,
                             OWNERS[i % len(OWNERS)], res, now))
    return ("[" + ",".join(items) + "]").encode()


def ingest(d, n, conns):
    now = h.iso_now()
    starts = list(range(0, n, BATCH))
    lock = threading.Lock()
    errors = []

    def worker():
        c = d.conn(300)
        while True:
            with lock:
                if not starts or errors:
                    return
                s = starts.pop(0)
            try:
                _, _, data = call(c, "POST", "/v1/findings",
                                  batch_body(s, n, now), ingest_headers())
                if len(json.loads(data)["findings"]) != min(BATCH, n - s):
                    raise BenchError("batch at %d: short answer" % s)
            except Exception as e:     # noqa: BLE001 (reported below)
                with lock:
                    errors.append("batch at %d: %s" % (s, e))
                return

    t0, cpu0 = time.perf_counter(), time.process_time()
    ts = [threading.Thread(target=worker) for _ in range(conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    secs = time.perf_counter() - t0
    if errors:
        raise BenchError(errors[0])
    return secs, time.process_time() - cpu0


def metric(conn, name):
    _, _, data = call(conn, "GET", "/metrics")
    return h.metric(h.parse_metrics(data.decode()), name)


def drain(d, timeout=900):
    c = d.conn()
    t0 = time.time()
    while metric(c, "fixit_outbox_pending") != 0:
        if time.time() - t0 > timeout:
            print("outbox not drained after %.0f s; going on" % timeout)
            return
        time.sleep(1)


def db_ids(db, sql, *args):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    try:
        return [r[0] for r in con.execute(sql, args)]
    finally:
        con.close()


def vary(d, db, n):
    """Fix 0.5 % of the findings, at most 1,000 (the dry-run executor
    makes them rehearsed), and except 0.1 % (1-month, the owner's own),
    with signed clicks, so that state filters have something to find;
    waits until the fixes are done (at most 300 s)."""
    c = d.conn()
    want_fix = max(10, min(n // 200, 1000))
    want_exc = max(5, n // 1000)
    rows = db_ids(db, "SELECT id || ' ' || owner_slack_id FROM findings "
                  "WHERE state = 'notified' AND playbook = 'scale-imds' "
                  "ORDER BY id LIMIT ?", want_fix + want_exc)
    for k, row in enumerate(rows):
        fid, owner = row.split()
        if k < want_fix:
            click(c, owner, "fixit_fix_now", fid)
        else:
            body = h.payload_form(h.view_submission(owner, int(fid), "1m",
                                                    "benchmark"))
            call(c, "POST", "/slack/actions", body, slack_headers(body))
    # the dry-run fixes run at about 25 a second here
    t0 = time.time()
    while True:
        left = db_ids(db, "SELECT count(*) FROM findings WHERE state = "
                      "'fixing'")[0]
        if left == 0:
            break
        if time.time() - t0 > 300:
            print("%d fixes still running after 300 s; going on" % left)
            break
        time.sleep(1)


# ---- timing ------------------------------------------------------------

def pct(xs, p):
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


class Results:
    def __init__(self):
        self.rows = []          # (section, what, samples, target_ms)

    def add(self, section, what, xs, target=None, failed=None):
        self.rows.append((section, what, list(xs), target, failed or 0))
        print("  %-44s p50 %8.1f  p99 %8.1f  max %8.1f ms  (n=%d%s)"
              % (what, pct(xs, 50), pct(xs, 99), max(xs), len(xs),
                 ", %d failed" % failed if failed else ""), flush=True)


def repeat(fn, reps, budget=30.0):
    """fn() -> ms, reps times, or fewer (at least 3) past budget s"""
    xs = []
    t0 = time.time()
    for _ in range(reps):
        xs.append(fn())
        if len(xs) >= 3 and time.time() - t0 > budget:
            break
    return xs


def bench_restart(d, res, k, n):
    c_ms, h_ms, w_ms, w2_ms = [], [], [], []
    for run in range(k):
        d.stop()
        t0 = d.start()
        c = d.conn()
        while True:
            try:
                ms, st, _ = call(c, "GET", "/healthz", ok=None)
                if st == 200:
                    break
            except (OSError, http.client.HTTPException):
                c = d.conn()
            time.sleep(0.005)
        h_ms.append((time.perf_counter() - t0) * 1000)
        c_ms.append(d.ready_ms)
        body = batch_body(n + 10 * run, n + 10 * run + 1, h.iso_now(),
                          prefix="i-restart")
        w_ms.append(call(c, "POST", "/v1/findings", body,
                         ingest_headers())[0])
        body = batch_body(n + 10 * run + 1, n + 10 * run + 2, h.iso_now(),
                          prefix="i-restart")
        w2_ms.append(call(c, "POST", "/v1/findings", body,
                          ingest_headers())[0])
    res.add("restart", "start to ready line", c_ms)
    res.add("restart", "start to first /healthz 200", h_ms)
    res.add("restart", "first POST /v1/findings after /healthz", w_ms, 100)
    res.add("restart", "second POST /v1/findings", w2_ms, 100)


def bench_verbs(d, db, res, reps):
    c = d.conn()
    fid = db_ids(db, "SELECT id FROM findings WHERE state = 'rehearsed' "
                 "ORDER BY id LIMIT 1")[0]
    nid, owner = db_ids(db, "SELECT id || ' ' || owner_slack_id FROM "
                        "findings WHERE state = 'notified' ORDER BY id DESC "
                        "LIMIT 1")[0].split()
    cases = [
        ("help", h.ADMIN, "help"),
        ("help (not an admin)", owner, "help"),
        ("status", h.ADMIN, "status"),
        ("due", h.ADMIN, "due"),
        ("exceptions", h.ADMIN, "exceptions"),
        ("show ID", h.ADMIN, "show %d" % fid),
        ("mine (owner of N/200)", owner, "mine"),
        ("undo ID (refused: notified)", h.ADMIN, "undo %s" % nid),
        ("scan (no aws executor)", h.ADMIN, "scan"),
        ("unknown verb", h.ADMIN, "frobnicate"),
    ]
    for what, user, text in cases:
        res.add("/fixit", what, repeat(lambda: command(c, user, text)[0],
                                       reps), 100)
    # pause and resume alternate on one playbook
    xs, ys = [], []
    for _ in range(max(1, reps // 2)):
        xs.append(command(c, h.ADMIN, "pause scale-sg")[0])
        ys.append(command(c, h.ADMIN, "resume scale-sg")[0])
    res.add("/fixit", "pause PLAYBOOK", xs, 100)
    res.add("/fixit", "resume PLAYBOOK", ys, 100)


def bench_metrics(d, res, reps):
    c = d.conn()
    res.add("metrics", "GET /metrics",
            repeat(lambda: call(c, "GET", "/metrics")[0], reps), 100)


def listing(c, q):
    ms, _, data = call(c, "GET", "/v1/findings" + q,
                       headers={"Authorization": "Bearer " +
                                h.INGEST_TOKEN})
    return ms, json.loads(data)


def bench_listing(d, db, res, reps):
    c = d.conn()
    top = db_ids(db, "SELECT max(id) FROM findings")[0]
    a, pb = ACCOUNTS[1], "scale-s3"
    cases = [
        ("no filter (first 100)", ""),
        ("limit=1000", "?limit=1000"),
        ("state=notified", "?state=notified"),
        ("state=rehearsed", "?state=rehearsed"),
        ("state=fixed (matches nothing)", "?state=fixed"),
        ("state=excepted", "?state=excepted"),
        ("state=failed (matches nothing)", "?state=failed"),
        ("playbook=%s" % pb, "?playbook=" + pb),
        ("playbook=nosuch (matches nothing)", "?playbook=nosuch"),
        ("account_id=A", "?account_id=" + a),
        ("account_id=nosuch (matches nothing)",
         "?account_id=999999999999"),
        ("playbook+state", "?playbook=%s&state=notified" % pb),
        ("account_id+state", "?account_id=%s&state=notified" % a),
        ("playbook+account_id", "?playbook=%s&account_id=%s" % (pb, a)),
        ("playbook+account_id+state",
         "?playbook=%s&account_id=%s&state=notified" % (pb, a)),
        ("playbook=scale-sg&state=fixed (nothing)",
         "?playbook=scale-sg&state=fixed"),
        ("after=middle id", "?after=%d" % (top // 2)),
        ("after=last id - 50 (last page)", "?after=%d" % (top - 50)),
        ("state=rehearsed&after=middle id",
         "?state=rehearsed&after=%d" % (top // 2)),
    ]
    for what, q in cases:
        res.add("listing", what, repeat(lambda: listing(c, q)[0], reps),
                100)
    # paging: follow next_after through 20 pages of a filtered listing
    xs, after = [], None
    for _ in range(max(20, reps)):
        q = "?state=notified&limit=100" + ("&after=%d" % after
                                           if after else "")
        ms, j = listing(c, q)
        xs.append(ms)
        after = j.get("next_after")
        if not after:
            break
    res.add("listing", "paging state=notified (next_after)", xs, 100)


class Timed:
    """requests on one keep-alive connection, reopened when fixitd cuts
    it; every attempt's time is a sample (a failure's too: the time the
    client waited), failures (non-2xx, cut) are counted"""

    def __init__(self, d):
        self.d = d
        self.c = d.conn(120)
        self.failed = {}

    def run(self, what, fn):
        t0 = time.perf_counter()
        try:
            fn(self.c)
        except (BenchError, OSError, http.client.HTTPException):
            if not self.d.alive():
                raise
            self.failed[what] = self.failed.get(what, 0) + 1
            self.c.close()
            self.c = self.d.conn(120)
        return (time.perf_counter() - t0) * 1000


def bench_load(d, db, res, secs, least=20, most=300):
    """two /metrics scrapers without pause; time /healthz, signed clicks
    on distinct notified findings, /fixit help: for secs s and at least
    `least` rounds, but no longer than `most` s"""
    stop = threading.Event()
    scrapes = [0, 0]
    scrapers = [Timed(d), Timed(d)]

    def scraper(k):
        while not stop.is_set():
            scrapers[k].run("metrics", lambda c: call(c, "GET", "/metrics"))
            scrapes[k] += 1

    rows = db_ids(db, "SELECT id || ' ' || owner_slack_id FROM findings "
                  "WHERE state = 'notified' AND playbook = 'scale-s3' "
                  "ORDER BY id DESC LIMIT 5000")
    ts = [threading.Thread(target=scraper, args=(k,), daemon=True)
          for k in range(2)]
    for t in ts:
        t.start()
    time.sleep(0.5)
    hz, ck, hp = [], [], []
    tm = Timed(d)
    t0 = time.time()
    k = 0
    try:
        while k < len(rows) and time.time() - t0 < most and \
                (time.time() - t0 < secs or k < least):
            hz.append(tm.run("healthz",
                             lambda c: call(c, "GET", "/healthz")))
            fid, owner = rows[k].split()
            k += 1
            ck.append(tm.run("click", lambda c: click(
                c, owner, "fixit_fix_now", fid)))
            hp.append(tm.run("help", lambda c: command(c, h.ADMIN, "help")))
            time.sleep(0.02)
    finally:
        stop.set()
        for t in ts:
            t.join(180)
    el = time.time() - t0
    cut = sum(x.failed.get("metrics", 0) for x in scrapers)
    print("  (%d + %d /metrics scrapes in %.1f s, %d failed)"
          % (scrapes[0], scrapes[1], el, cut))
    res.add("2 scrapers", "GET /healthz", hz, 10, tm.failed.get("healthz"))
    res.add("2 scrapers", "signed click fixit_fix_now", ck, 10,
            tm.failed.get("click"))
    res.add("2 scrapers", "/fixit help", hp, 100, tm.failed.get("help"))


# ---- report ------------------------------------------------------------

def report(res, n, ingest_rate, load_before, load_after):
    print()
    print("fixitd: %s" % FIXITD)
    print("findings: %d; load average before %s, after %s"
          % (n, load_before, load_after))
    print()
    print("| section | what | p50 ms | p99 ms | max ms | n | target |")
    print("|---|---|---:|---:|---:|---:|---|")
    if ingest_rate is not None:
        ok = ingest_rate >= 18000
        print("| ingest | POST /v1/findings, batches of 1,000 | %s/s | | | "
              "%d | >= 18,000/s%s |" % ("{:,.0f}".format(ingest_rate), n,
                                        "" if ok else " MISSED"))
    for sec, what, xs, target, failed in res.rows:
        mx, p99 = max(xs), pct(xs, 99)
        if target is None:
            t = ""
        else:
            t = "< %d ms" % target + ("" if p99 < target and not failed
                                      else " MISSED")
        print("| %s | %s | %.1f | %.1f | %.1f | %d%s | %s |"
              % (sec, what.replace("|", "\\|"), pct(xs, 50), pct(xs, 99),
                 mx, len(xs), " (%d failed)" % failed if failed else "", t))
    print()
    print("A target is met when the p99 is under it and no request failed "
          "(MISSED otherwise; nearest rank: with n < 100 the p99 is the "
          "max). Under the scrapers a failed request (non-2xx, connection "
          "cut) counts with the time the client waited for it.")


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def run(args):
    tmp = tempfile.mkdtemp(prefix="fixit-scale.")
    db = os.path.join(tmp, "fixit.db")
    cfg = config(tmp, db)
    cached = os.path.join(args.cache, "scale-v%d-%d.db"
                          % (CACHE_VERSION, args.n))
    d = Daemon(tmp, cfg)
    res = Results()
    rate = None
    load_before = loadavg()
    try:
        if args.reuse and os.path.exists(cached):
            print("database from the cache: %s" % cached, flush=True)
            shutil.copyfile(cached, db)
        else:
            d.start()
            print("fixitd ready on http://%s:%d; ingesting %d findings on "
                  "%d connections" % (d.host, d.port, args.n, args.conns),
                  flush=True)
            secs, cpu = ingest(d, args.n, args.conns)
            rate = args.n / secs
            print("ingested %d findings in %.1f s: %.0f findings/s (the "
                  "client's own CPU: %.1f s, %.0f%% of one core)"
                  % (args.n, secs, rate, cpu, 100 * cpu / secs), flush=True)
            t0 = time.time()
            drain(d)
            print("outbox drained in %.1f s" % (time.time() - t0),
                  flush=True)
            vary(d, db, args.n)
            d.stop()
            if args.reuse:
                os.makedirs(args.cache, exist_ok=True)
                shutil.copyfile(db, cached + ".tmp")
                os.replace(cached + ".tmp", cached)
                print("database cached as %s" % cached, flush=True)
        print("restart x%d:" % args.restarts, flush=True)
        bench_restart(d, res, args.restarts, args.n)
        drain(d)
        print("/fixit verbs:", flush=True)
        bench_verbs(d, db, res, args.reps)
        print("metrics:", flush=True)
        bench_metrics(d, res, args.reps)
        print("listing:", flush=True)
        bench_listing(d, db, res, args.reps)
        print("under two /metrics scrapers for %d s:" % args.load_secs,
              flush=True)
        bench_load(d, db, res, args.load_secs)
        if not d.alive():
            raise BenchError("fixitd died: %s" % d.stderr_tail())
        d.stop()
        report(res, args.n, rate, load_before, loadavg())
        return 0
    except (BenchError, OSError, http.client.HTTPException) as e:
        print("scale.py: error: %s" % e, file=sys.stderr)
        tail = d.stderr_tail()
        if tail:
            print("---- fixitd stderr ----\n" + tail, file=sys.stderr)
        return 1
    finally:
        try:
            d.stop()
        except BenchError:
            pass
        if args.keep:
            print("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description="fixitd at scale (issue 14)")
    ap.add_argument("-n", type=int, default=1000000, help="findings")
    ap.add_argument("-r", "--reps", type=int, default=20,
                    help="repetitions of each timed request")
    ap.add_argument("-C", "--conns", type=int, default=4,
                    help="ingest connections")
    ap.add_argument("--restarts", type=int, default=3)
    ap.add_argument("--load-secs", type=int, default=10)
    ap.add_argument("--reuse", action="store_true",
                    help="take/put the ingested database in the cache")
    ap.add_argument("--cache", default=os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
        "fixit-scale"))
    ap.add_argument("--keep", action="store_true",
                    help="keep the temporary directory")
    args = ap.parse_args()
    if args.n < 1000 or args.reps < 1 or args.conns < 1:
        ap.error("want -n >= 1000, -r >= 1, -C >= 1")
    if not os.access(FIXITD, os.X_OK):
        print("scale.py: no fixitd at %s (set FIXITD)" % FIXITD,
              file=sys.stderr)
        return 2
    return run(args)


if __name__ == "__main__":
    sys.exit(main())

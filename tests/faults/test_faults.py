#!/usr/bin/env python3
"""test_faults.py - fixitd under injected faults and crashes, in the manner
of SQLite's own tests (tests/faults/README.md).

A mixed workload runs against the real fixitd: findings ingested (owner
approval with buttons, approval none, and a timer fix against the fake AWS
2 s after the owner was told), button clicks, EventBridge events (a manual
launch quarantined against the fake AWS). Each round does one of:

  io       faultshim.c (LD_PRELOAD) fails the database files' writes or
           syncs with EIO/ENOSPC for a while, then stops: fixitd must stay
           up (answers errors/503) and serve again once faults stop;
  malloc   the Nth allocation after arming fails with ENOMEM, a few in a
           row (anywhere in fixitd and its libraries);
  kill     SIGKILL at a random moment, restart on the same database;

and, at random, the fake Slack answers 429 (Retry-After) / 500 or stalls,
the fake AWS throttles, fails or stalls. After the rounds the faults stop,
fixitd settles, and the invariants are checked against the database and
the fakes' recordings:

  - every finding's state equals its last audit row's to-state;
  - no fix executed twice: at most one transition to fixed per finding, at
    most one successful ModifyInstanceMetadataOptions per instance;
  - nothing acknowledged lost: every finding whose ingest got a 2xx, every
    event that got a 2xx is stored; every click that got a 200 while no
    fault was injected moved its finding on (under a fault a click is
    answered 200 and logged even when it cannot be recorded: Slack would
    show the user an error otherwise);
  - no Slack message lost or sent twice: per finding at most one delivered
    notify message (two only when fixitd was SIGKILLed between them: a
    call in flight at a crash is sent again, at least once by design),
    and one for every notify row marked sent; no row dropped, no pending
    row left once Slack is back.

    python3 tests/faults/test_faults.py            # CI: a few rounds
    FAULT_ROUNDS=200 FAULT_SEED=7 python3 tests/faults/test_faults.py
    tests/faults/run_long.sh [ROUNDS]              # the same, many rounds

Environment: FIXITD, FIXIT_FAULTSHIM (the built libfaultshim.so), as set
by CTest (ctest -L faults).
"""

import json
import os
import random
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness as h                                     # noqa: E402
from harness import check                               # noqa: E402

SHIM = os.environ.get("FIXIT_FAULTSHIM") or os.path.join(
    h.SRC, "build", "tests", "faults", "libfaultshim.so")
ROUNDS = int(os.environ.get("FAULT_ROUNDS", "9"))
SEED = int(os.environ.get("FAULT_SEED", str(int(time.time()))))
API_KEY = "events-api-key-for-faults"
ALICE = "alice@example.com"
ALICE_UID = "U0ALICE01"
EVENT_SAMPLE = os.path.join(h.DATA, "events",
                            "ec2-runinstances-assumedrole.json")


def fault_env():
    pbs = [h.playbook("imds-slow"),
           h.playbook("imds-auto", approval="none"),
           h.aws_playbook("ec2-imdsv1", approval="owner", grace="2s"),
           h.aws_playbook("ec2-quarantine")]
    env = h.Env("faults", aws=True, start=False, playbooks=pbs,
                users={ALICE: ALICE_UID})
    for pb in env.config["playbooks"]:
        pb["executor"]["timeout"] = "8s"
    # a crash mid-fix holds the finding until its lease expires: short
    # fixes, a short lease, so a round's debris is settled in seconds
    env.config["lease"] = "10s"
    env.config["events"] = {"employee_pattern": "*@example.com",
                            "automation": ["deploy-*"],
                            "launch_batch": 1000, "launch_window": "15m"}
    dbdir = os.path.join(env.tmp, "db")
    os.makedirs(dbdir)
    env.db_path = os.path.join(dbdir, "fixit.db")
    env.config["database"] = env.db_path
    env.write_config()
    env.arm_path = os.path.join(env.tmp, "fault.arm")
    env.proc_env.update({"FIXIT_EVENTS_API_KEY": API_KEY,
                         "LD_PRELOAD": SHIM,
                         "FIXIT_FAULT_DIR": dbdir + "/",
                         "FIXIT_FAULT_ARM": env.arm_path})
    return env


def launch_event(iid):
    with open(EVENT_SAMPLE) as f:
        ev = json.load(f)
    ev["id"] = str(uuid.uuid4())
    ev["account"] = h.PROD
    ev["region"] = h.REGION
    d = ev["detail"]
    d["recipientAccountId"] = h.PROD
    d["awsRegion"] = h.REGION
    d["userIdentity"]["accountId"] = h.PROD
    d["userIdentity"]["principalId"] = "AROAIDPPEZS35WEXAMPLE:" + ALICE
    d["userIdentity"]["arn"] = ("arn:aws:sts::%s:assumed-role/AdminRole/%s"
                                % (h.PROD, ALICE))
    d["eventTime"] = ev["time"] = h.iso_now()
    d["responseElements"]["instancesSet"]["items"][0]["instanceId"] = iid
    return ev


class Workload:
    """Threads sending ingest, clicks and events; what got a 2xx is kept."""

    def __init__(self, env, rng):
        self.env = env
        self.rng = rng
        self.lock = threading.Lock()
        self.acked_items = {}       # resource -> playbook
        self.acked_events = set()
        self.acked_clicks = []      # (finding id, answer text)
        self.clicked = set()
        self.answers = {}           # status -> count
        self.refused = []           # (what, status, body, under a fault)
        self.stop = threading.Event()
        self.n = 0
        self.threads = []

    def _count(self, status):
        with self.lock:
            self.answers[status] = self.answers.get(status, 0) + 1

    def _req(self, fn, what):
        t0 = time.time()
        try:
            r = fn()
        except (OSError, AssertionError, ValueError) as e:
            self._count(type(e).__name__)
            return None
        self._count(r.status)
        if 400 <= r.status < 500:
            # valid requests: a 4xx tells the sender not to retry (an
            # EventBridge event would be dropped)
            with self.lock:
                self.refused.append((what, r.status, r.body[:200],
                                     under_fault(t0, time.time())))
        return r

    def _next(self):
        with self.lock:
            self.n += 1
            return self.n

    def ingest_loop(self):
        nonprod = self.env.aws.account(h.NONPROD).region(h.REGION)
        while not self.stop.is_set():
            k = self._next()
            pb = ("imds-slow", "imds-auto", "ec2-imdsv1")[k % 3]
            if pb == "ec2-imdsv1":
                with self.lock:
                    res = nonprod.add_instance(http_tokens="optional")
            else:
                res = "i-faults%09d" % k
            r = self._req(lambda: self.env.ingest(
                [h.item(pb, h.NONPROD, res)]), "ingest")
            if r is not None and 200 <= r.status < 300:
                with self.lock:
                    self.acked_items[res] = pb
            time.sleep(0.15)

    def click_loop(self):
        while not self.stop.is_set():
            time.sleep(0.1)
            for c in self.env.fake.delivered("chat.postMessage"):
                if c.body.get("thread_ts"):
                    continue
                for aid, val, _ in h.fakeslack.buttons(c.body.get("blocks")):
                    if aid != "fixit_fix_now" or val in self.clicked:
                        continue
                    self.clicked.add(val)
                    t0 = time.time()
                    r = self._req(lambda: self.env.click(
                        h.OWNER, "fixit_fix_now", val, msg=c), "click")
                    if r is not None and r.status == 200:
                        with self.lock:
                            self.acked_clicks.append((int(val), r.text,
                                                      t0, time.time()))
                    break
                if self.stop.is_set():
                    return

    def event_loop(self):
        prod = self.env.aws.account(h.PROD).region(h.REGION)
        while not self.stop.is_set():
            with self.lock:
                iid = prod.add_instance(instance_profile="app-profile")
            ev = launch_event(iid)
            r = self._req(lambda: self.env.request(
                "POST", "/v1/events", json.dumps(ev).encode(),
                [("Content-Type", "application/json"),
                 ("X-Fixit-Api-Key", API_KEY)]), "event")
            if r is not None and 200 <= r.status < 300:
                with self.lock:
                    self.acked_events.add(ev["id"])
            time.sleep(0.4)

    def start(self):
        self.stop.clear()
        self.threads = [threading.Thread(target=f, daemon=True) for f in
                        (self.ingest_loop, self.click_loop, self.event_loop)]
        for t in self.threads:
            t.start()

    def halt(self):
        self.stop.set()
        for t in self.threads:
            t.join(30)


FAULT_WINDOWS = []   # [armed, disarmed] times of injected faults


def arm(env, spec):
    with open(env.arm_path, "w") as f:
        f.write(spec + "\n")
    FAULT_WINDOWS.append([time.time(), None])


def disarm(env):
    if os.path.exists(env.arm_path):
        os.unlink(env.arm_path)
    if FAULT_WINDOWS and FAULT_WINDOWS[-1][1] is None:
        FAULT_WINDOWS[-1][1] = time.time() + 0.1     # the shim looks late


def under_fault(t0, t1):
    """Whether [t0, t1] overlaps an injected fault or a SIGKILL."""
    return any(a <= t1 and t0 <= (b or time.time())
               for a, b in FAULT_WINDOWS) or \
        any(t0 <= k <= t1 for k in KILLS)


def shim_lines(env):
    return [l for l in env.fixitd.stderr_text().splitlines()
            if l.startswith("faultshim: ")]


def recovered(env, timeout=20.0):
    """fixitd answers /healthz 200 and stores a finding again."""
    def ok():
        try:
            if not env.healthz():
                return False
            r = env.ingest([h.item("imds-slow", h.NONPROD,
                                   "i-recover%d" % int(time.time() * 1000))])
            return 200 <= r.status < 300
        except (OSError, AssertionError):
            return False
    h.wait_until(ok, timeout, 0.3, "fixitd to serve again after the faults")


def fake_trouble(env, rng):
    """The fakes fail, throttle or stall for a while (at random)."""
    what = rng.choice(("none", "slack429", "slack500", "slackstall",
                       "awsthrottle", "aws500", "awsstall"))
    if what == "slack429":
        env.fake.fail_next(rng.randint(1, 6), "429", retry_after=1)
    elif what == "slack500":
        env.fake.fail_next(rng.randint(1, 6), "500")
    elif what == "slackstall":
        env.fake.set_delay(rng.choice((0.5, 1.5, 3.0)))
    elif what == "awsthrottle":
        env.aws.fail_next(rng.randint(1, 4), "throttle")
    elif what == "aws500":
        env.aws.fail_next(rng.randint(1, 3), "500")
    elif what == "awsstall":
        env.aws.set_delay(rng.choice((0.5, 2.0)))
    return what


def calm_fakes(env):
    env.fake.clear_faults()
    env.fake.set_delay(0)
    env.aws.clear_faults()
    env.aws.set_delay(0)


IO_SPECS = ("write:%d:EIO:0", "write:%d:ENOSPC:0", "sync:%d:EIO:0",
            "write:%d:EIO:3", "sync:%d:EIO:1", "write:%d:ENOSPC:5")


def round_io(env, wl, rng):
    spec = rng.choice(IO_SPECS) % rng.randint(1, 40)
    arm(env, spec)
    time.sleep(rng.uniform(1.0, 3.0))
    disarm(env)
    check(env.fixitd.alive(), "fixitd died under %s\n%s", spec,
          env.fixitd.stderr_tail(60))
    time.sleep(0.1)
    recovered(env)
    return spec


def round_malloc(env, wl, rng):
    spec = "malloc:%d:ENOMEM:%d" % (rng.randint(1, 20000),
                                    rng.choice((1, 1, 3, 20)))
    arm(env, spec)
    time.sleep(rng.uniform(1.0, 2.5))
    disarm(env)
    check(env.fixitd.alive(), "fixitd died under %s\n%s", spec,
          env.fixitd.stderr_tail(60))
    recovered(env)
    return spec


KILLS = []      # time.time() of each SIGKILL


def round_kill(env, wl, rng):
    time.sleep(rng.uniform(0.3, 3.0))
    KILLS.append(time.time())
    env.fixitd.kill()
    time.sleep(rng.uniform(0, 0.3))
    env.fixitd.start()
    return "SIGKILL"


def busy(env):
    """What is still in flight: pending Slack messages, findings mid-fix,
    pending events (empty when settled)."""
    out = {}
    for what, sql in (
            ("outbox", "SELECT count(*) FROM outbox WHERE state = "
                       "'pending'"),
            ("fixing", "SELECT count(*) FROM findings WHERE state IN "
                       "('fixing', 'undoing')"),
            ("events", "SELECT count(*) FROM events WHERE state = "
                       "'pending'")):
        n = env.q1(sql)
        if n:
            out[what] = n
    return out


def settle(env, timeout=60.0):
    """No pending Slack message, no finding mid-fix, no pending event."""
    deadline = time.time() + timeout
    left = busy(env)
    while left and time.time() < deadline:
        time.sleep(0.5)
        left = busy(env)
    check(not left, "fixitd did not settle in %.0fs: %r\n%s", timeout,
          left, env.fixitd.stderr_tail(40))


def check_invariants(env, wl):
    problems = []
    findings = env.q("SELECT id, state, resource_id, playbook FROM findings")
    by_res = {f["resource_id"]: f for f in findings}
    for f in findings:
        last = env.q("SELECT to_state FROM audit WHERE finding_id = ? AND "
                     "to_state IS NOT NULL ORDER BY id DESC LIMIT 1",
                     f["id"])
        if not last or last[0]["to_state"] != f["state"]:
            problems.append("finding %d: state %s, last audit to-state %r"
                            % (f["id"], f["state"], last))
        fixed = env.q1("SELECT count(*) FROM audit WHERE finding_id = ? AND "
                       "to_state = 'fixed' AND (from_state IS NULL OR "
                       "from_state != 'fixed')", f["id"])
        if fixed > 1:
            problems.append("finding %d fixed %d times" % (f["id"], fixed))
    per_instance = {}
    for c in env.aws.calls(action="ModifyInstanceMetadataOptions"):
        if c.ok:
            iid = c.params.get("InstanceId")
            per_instance[iid] = per_instance.get(iid, 0) + 1
    for iid, n in per_instance.items():
        if n > 1:
            problems.append("instance %s: IMDS fixed %d times" % (iid, n))
    for res, pb in wl.acked_items.items():
        if res not in by_res:
            problems.append("acknowledged finding %s (%s) lost" % (res, pb))
    stored = {r["id"] for r in env.q("SELECT id FROM events")}
    for eid in wl.acked_events - stored:
        problems.append("acknowledged event %s lost" % eid)
    states = {f["id"]: f["state"] for f in findings}
    crash_dups = set()
    for f in findings:
        # by receipt: the fake records a call once it answered, and a
        # stalled answer is recorded after a later call's
        posts = sorted(env.notify_posts(f["id"]), key=lambda p: p.at)
        # a SIGKILL while chat.postMessage was in flight (or its outcome
        # not yet recorded): Slack has the message, fixitd does not know,
        # and asks again after the restart - at least once, by design
        if len(posts) == 2 and any(posts[0].at <= k <= posts[1].at
                                   for k in KILLS):
            crash_dups.add(f["id"])
    wl.crash_dups = crash_dups
    # a click is answered 200 even when it cannot be recorded (Slack shows
    # an error otherwise; h_slack_unrecorded): under a fault that may
    # happen, with none it must not
    for fid, text, t0, t1 in wl.acked_clicks:
        if under_fault(t0, t1):
            continue
        if fid in crash_dups:
            continue    # the click may be on the card fixitd forgot
        if states.get(fid) in ("open", "notified"):
            problems.append("click Fix now on %d answered 200 (%r), state "
                            "still %s" % (fid, text[:80], states.get(fid)))
    cards = {}      # resource -> delivered top-level messages naming it
    for c in env.fake.delivered("chat.postMessage"):
        if not c.body.get("thread_ts"):
            text = h.fakeslack.all_text(c.body)
            for res in by_res:
                if res in text:
                    cards[res] = cards.get(res, 0) + 1
    for f in findings:
        posts = env.notify_posts(f["id"])
        if len(posts) > 1 and f["id"] not in crash_dups:
            problems.append("finding %d: %d notify messages delivered "
                            "(received at %s; SIGKILLs at %s)"
                            % (f["id"], len(posts),
                               ", ".join("%.3f" % p.at for p in posts),
                               ", ".join("%.3f" % k for k in KILLS)))
        sent = env.q1("SELECT count(*) FROM outbox WHERE finding_id = ? AND "
                      "kind = 'notify' AND state = 'sent'", f["id"])
        # a notify sent once the finding was decided carries no buttons
        if sent and not posts and not cards.get(f["resource_id"]):
            problems.append("finding %d (%s, %s): notify row sent, no "
                            "message delivered" % (f["id"], f["playbook"],
                                                   f["state"]))
    for what, status, body, faulty in wl.refused:
        problems.append("a valid %s answered %d%s: %r" % (
            what, status, " (under a fault)" if faulty else "", body))
    dead = env.q("SELECT id, kind, finding_id, last_error FROM outbox "
                 "WHERE state = 'dead'")
    for d in dead:
        problems.append("outbox row dropped: %r" % d)
    return problems


ROUNDS_BY_KIND = {"io": round_io, "malloc": round_malloc, "kill": round_kill}


def test_fault_rounds():
    rng = random.Random(SEED)
    h.log("faults: seed %d, %d rounds (FAULT_SEED, FAULT_ROUNDS)"
          % (SEED, ROUNDS))
    with fault_env() as env:
        env.start()
        wl = Workload(env, rng)
        wl.start()
        kinds = ["io", "malloc", "kill"]
        try:
            for i in range(ROUNDS):
                kind = kinds[i % 3] if i < 3 else rng.choice(kinds)
                trouble = fake_trouble(env, rng)
                t0 = time.time()
                what = ROUNDS_BY_KIND[kind](env, wl, rng)
                h.log("round %d: %s (%s), fakes %s, %.1fs" % (
                    i + 1, kind, what, trouble, time.time() - t0))
                calm_fakes(env)
        finally:
            wl.halt()
            disarm(env)
            calm_fakes(env)
        check(env.fixitd.alive(), "fixitd died\n%s",
              env.fixitd.stderr_tail(60))
        settle(env)
        injected = shim_lines(env)
        h.log("faults injected: %d; answers %r; acked %d findings, %d "
              "events, %d clicks" % (len(injected), wl.answers,
                                     len(wl.acked_items),
                                     len(wl.acked_events),
                                     len(wl.acked_clicks)))
        check(injected or not ROUNDS, "no fault was injected (is %s preloaded?)", SHIM)
        problems = check_invariants(env, wl)
        h.log("notify cards sent twice across a SIGKILL (at least once): "
              "%d" % len(wl.crash_dups))
        check(not problems, "%d invariant(s) broken (seed %d):\n  %s",
              len(problems), SEED, "\n  ".join(problems[:40]))


def one_notify(env, delay, spec, hold):
    """A finding asked about while Slack stalls `delay` s; faults `spec`
    are armed meanwhile for `hold` s. Its notify rows and posts once
    settled."""
    env.fake.set_delay(delay)
    [fid] = env.ingest_ok([h.item("imds-slow", h.NONPROD,
                                  "i-regress%d" % int(time.time() * 1000))])
    time.sleep(delay / 2)       # the notify call is in flight (the fake
    check(not env.fake.calls("chat.postMessage"),   # records it answered)
          "the notify was answered before the faults were armed")
    arm(env, spec)
    time.sleep(hold)
    disarm(env)
    env.fake.set_delay(0)
    check(env.fixitd.alive(), "fixitd died under %s\n%s", spec,
          env.fixitd.stderr_tail(40))
    settle(env, 30)
    time.sleep(1.5)             # a second sweep would have sent it again
    rows = env.q("SELECT state, attempts, last_error FROM outbox WHERE "
                 "finding_id = ? AND kind = 'notify'", fid)
    return fid, rows, env.notify_posts(fid)


def test_outcome_recorded_after_write_errors():
    """Regression: the notify was delivered while every database write
    failed; its outcome was forgotten and the owner asked twice."""
    with fault_env() as env:
        env.start()
        fid, rows, posts = one_notify(env, 1.0, "write:1:EIO:0", 2.0)
        check(len(posts) == 1, "finding %d: %d notify messages", fid,
              len(posts))
        check([r["state"] for r in rows] == ["sent"], "rows %r", rows)
        check(shim_lines(env), "no write failed")


def test_out_of_memory_while_sending():
    """Every allocation fails while a notify is in flight: fixitd stays up
    and the message is delivered once, its row sent, not dropped. (The
    bug the rounds found - a row whose sending ran out of memory dropped
    at once, sender.c send_row - needs one failure at the right
    allocation; the rounds hit it within ~15 rounds, this does not.)"""
    with fault_env() as env:
        env.start()
        fid, rows, posts = one_notify(env, 0.5, "malloc:1:ENOMEM:0", 1.0)
        check([r["state"] for r in rows] == ["sent"], "rows %r", rows)
        check(len(posts) == 1, "finding %d: %d notify messages", fid,
              len(posts))
        check(shim_lines(env), "no allocation failed")


def test_valid_requests_never_4xx_out_of_memory():
    """Regression: an event or finding batch whose JSON parse ran out of
    memory was answered 400 ("the body must be one JSON object"):
    EventBridge does not retry a 4xx, so the event was lost. The Nth
    allocation after arming fails, N swept over the request's
    allocations: every answer is a 2xx or a 5xx."""
    with fault_env() as env:
        env.start()
        prod = env.aws.account(h.PROD).region(h.REGION)
        refused, hits = [], 0
        for n in range(1, 121):
            ev = launch_event(prod.add_instance())
            item = h.item("imds-slow", h.NONPROD, "i-oom%04d" % n)
            arm(env, "malloc:%d:ENOMEM:1" % n)
            time.sleep(0.03)            # the shim looks every 20 ms
            for what, send in (
                    ("event", lambda: env.request(
                        "POST", "/v1/events", json.dumps(ev).encode(),
                        [("Content-Type", "application/json"),
                         ("X-Fixit-Api-Key", API_KEY)])),
                    ("ingest", lambda: env.ingest([item]))):
                try:
                    r = send()
                except OSError:
                    continue
                if 400 <= r.status < 500:
                    refused.append((n, what, r.status, r.body[:100]))
                elif r.status >= 500:
                    hits += 1
            disarm(env)
            time.sleep(0.03)            # seen disarmed: the next arms anew
        check(env.fixitd.alive(), "fixitd died\n%s",
              env.fixitd.stderr_tail(40))
        check(not refused, "valid requests refused under ENOMEM: %r",
              refused[:10])
        h.log("answers 5xx under ENOMEM: %d, allocations failed: %d"
              % (hits, len(shim_lines(env))))
        recovered(env)


if __name__ == "__main__":
    if not os.path.exists(SHIM):
        print("test_faults: %s not built" % SHIM)
        sys.exit(1)
    h.run_tests(test_outcome_recorded_after_write_errors,
                test_out_of_memory_while_sending,
                test_valid_requests_never_4xx_out_of_memory,
                test_fault_rounds)

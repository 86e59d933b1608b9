"""test_counts.py - the counts of findings /metrics and /fixit status
report are the kept counters (schema v12's finding_counts, maintained by
triggers on findings): after each transition (notify, fix now, an
exception, a fix without approval) and after a restart, the gauges
fixit_findings{state}, /fixit status's "By state" and "By playbook" lines
and the counter rows all equal a recount of the findings table.
"""

import json
import re

import harness as h
from harness import check

PAIR = re.compile(r"([a-z_]+) (\d+)")
STATES = ("open", "notified", "excepted", "fixing", "fixed", "failed",
          "resolved", "rolled_back", "rehearsed")


def recount(env):
    """{(playbook, state): n} and {state: n} from the findings."""
    by_pb, by_state = {}, {}
    for r in env.q("SELECT playbook, state, count(*) AS n FROM findings "
                   "GROUP BY playbook, state"):
        by_pb[(r["playbook"], r["state"])] = r["n"]
        by_state[r["state"]] = by_state.get(r["state"], 0) + r["n"]
    return by_pb, by_state


def status_counts(text):
    """({(playbook, state): n}, {state: n}) read from /fixit status."""
    by_pb, by_state = {}, {}
    for line in text.splitlines():
        if line.startswith("*By state:*"):
            by_state = {s: int(n) for s, n in PAIR.findall(line)}
        m = re.search(r"`([a-z0-9-]+)` \(([^)]*)\): (.*)$", line)
        if m:
            for s, n in PAIR.findall(m.group(3)):
                by_pb[(m.group(1), s)] = int(n)
    return by_pb, by_state


def check_counts(env, what):
    want_pb, want_state = recount(env)
    kept = {(r["playbook"], r["state"], r["account_id"]): r["n"]
            for r in env.q("SELECT * FROM finding_counts")}
    full = {(r["playbook"], r["state"], r["account_id"]): r["n"]
            for r in env.q("SELECT playbook, state, account_id, "
                           "count(*) AS n FROM findings "
                           "GROUP BY playbook, state, account_id")}
    check(kept == full, "%s: kept counters %r, recount %r", what, kept, full)

    ms = env.metrics()
    gauges = {lb["state"]: int(v) for lb, v in ms.get("fixit_findings", [])}
    for s in STATES:
        check(gauges.get(s, 0) == want_state.get(s, 0),
              "%s: fixit_findings{state=%s} %r, findings %r", what, s,
              gauges.get(s), want_state.get(s, 0))
    check(set(want_state) <= set(gauges), "%s: gauges %r miss a state of "
          "%r", what, gauges, want_state)

    st_pb, st_state = status_counts(env.fixit("status"))
    for s, n in st_state.items():
        check(n == want_state.get(s, 0), "%s: status says %s %d, "
              "findings %d", what, s, n, want_state.get(s, 0))
    check(set(want_state) <= set(st_state), "%s: status states %r miss "
          "one of %r", what, st_state, want_state)
    check(st_pb == want_pb, "%s: status by playbook %r, findings %r",
          what, st_pb, want_pb)
    h.log("%s: %s" % (what, json.dumps(sorted(want_state.items()))))


def test_counts_follow_transitions():
    with h.Env("counts") as env:
        check(not env.q("SELECT * FROM finding_counts"), "counters of an "
              "empty store")
        check_counts(env, "empty")
        items = [h.item("imds-slow", h.NONPROD, "i-0cnt0a"),
                 h.item("imds-slow", h.NONPROD, "i-0cnt0b"),
                 h.item("imds-slow", h.PROD, "i-0cnt0c"),
                 h.item("imds-slow", h.NONPROD, "i-0cnt0d"),
                 h.item("imds-auto", h.NONPROD, "i-0cnt0e")]
        fa, fb, fc, fd, fe = env.ingest_ok(items)
        posts = {f: env.wait_notify(f) for f in (fa, fb, fc, fd)}
        env.wait_state(fe, "fixed")
        check_counts(env, "ingested")

        r = env.click(h.OWNER, "fixit_fix_now", fa, msg=posts[fa])
        check(r.status == 200, "fix now: %r", r)
        env.wait_state(fa, "fixed")
        check_counts(env, "fixed now")

        r = env.click(h.OWNER, "fixit_exc_1m", fb, msg=posts[fb])
        view = env.fake.wait(lambda: env.views(r.trigger_id), 5,
                             "views.open")[0].body["view"]
        if isinstance(view, str):
            view = json.loads(view)
        r = env.submit_exception(h.OWNER, fb, "1m", "maintenance window",
                                 view=view)
        check(r.status == 200, "submit: %r", r)
        env.wait_state(fb, "excepted")
        check_counts(env, "excepted")

        # the same findings again: an upsert, no new count
        env.ingest_ok(items)
        check_counts(env, "ingested again")

        env.restart()
        check_counts(env, "restarted")


if __name__ == "__main__":
    h.run_tests(test_counts_follow_transitions)

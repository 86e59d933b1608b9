#!/usr/bin/env python3
"""test_safety_undo.py - an undo sticks (issue 11, item 5).

route53-ns-only deletes an empty hosted zone; its undo recreates the zone,
which gets a new id. The next scan finds the recreated zone as a new
finding. An admin's undo is a decision about the resource (matched by
what people know it by: the zone's name and visibility), so that finding
is recorded excepted, with the reason in /fixit show, and no
DeleteHostedZone is sent. After the hold (playbook key undo_hold; default
the 1y exception length) the finding is handled as new: fixed.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
from pbtest import env_for, old_zone  # noqa: E402

PB = "route53-ns-only"
YEAR = 365 * 86400


def zones(env):
    return env.aws.account(h.NONPROD).zones


def fixed_then_undone(env):
    """Seed an empty zone, scan: fixed (deleted); /fixit undo: rolled
    back (recreated). The finding id and the recreated zone's id."""
    old = old_zone(env, env.aws.account(h.NONPROD).add_zone("empty.example"))
    env.start()
    env.scan()
    [f] = env.findings(playbook=PB)
    env.wait_state(f["id"], "fixed", timeout=30)
    h.check(old not in zones(env), "the zone was not deleted")
    text = env.fixit("undo %d" % f["id"])
    h.check("queued" in text, "/fixit undo answered %r", text)
    env.wait_state(f["id"], "rolled_back", timeout=30)
    new = [z for z, v in zones(env).items() if v["name"].startswith(
        "empty.example")]
    h.check(len(new) == 1 and new[0] != old, "undo recreated %r (was %s)",
            new, old)
    return f["id"], new[0]


def new_finding(env, undone):
    fs = [f for f in env.findings(playbook=PB) if f["id"] != undone]
    h.check(len(fs) == 1, "one new finding for the recreated zone: %r", fs)
    return fs[0]


def deletes(env):
    return env.aws.calls(action="DeleteHostedZone")


def test_undo_sticks():
    with env_for("undo-sticks", PB) as env:
        undone, zid = fixed_then_undone(env)
        env.aws.reset_calls()
        env.scan()
        f = new_finding(env, undone)
        h.check(f["resource_id"] == zid, "finding for %s: %r", zid, f)
        env.wait_state(f["id"], "excepted", timeout=10)
        time.sleep(3)   # ticks: nothing may claim it
        env.scan()      # and a third scan changes nothing
        time.sleep(2)
        h.check(deletes(env) == [], "the recreated zone was deleted "
                "again: %r", deletes(env))
        h.check(zid in zones(env), "the recreated zone is gone")
        h.check(env.state(f["id"]) == "excepted", "state %s",
                env.state(f["id"]))
        row = env.q("SELECT kind, status, requested_by, until, reason FROM "
                    "exceptions WHERE finding_id = ?", f["id"])
        h.check(len(row) == 1 and row[0]["kind"] == "1y" and
                row[0]["status"] == "active" and
                row[0]["requested_by"] == h.ADMIN and
                abs(row[0]["until"] - time.time() - YEAR) < 120,
                "the hold shows as an active 1y exception by the admin: %r",
                row)
        show = env.fixit("show %d" % f["id"])
        h.check("#%d" % undone in show and h.ADMIN in show,
                "/fixit show says why (the undo of #%d by %s): %s",
                undone, h.ADMIN, show)
        hist = env.q("SELECT reason, data FROM audit WHERE finding_id = ? "
                     "AND to_state = 'excepted'", f["id"])
        h.check(len(hist) == 1 and "Held by the undo of #%d" % undone
                in hist[0]["reason"] and "empty.example" in hist[0]["data"]
                and "public" in hist[0]["data"],
                "the audit names the hold and the human key: %r", hist)


def test_undo_hold_expires():
    with env_for("undo-expiry", PB, undo_hold="6s") as env:
        undone, zid = fixed_then_undone(env)
        t_undo = time.time()
        env.aws.reset_calls()
        env.scan()
        f = new_finding(env, undone)
        env.wait_state(f["id"], "excepted", timeout=10)
        h.check(deletes(env) == [], "deleted within the hold: %r",
                deletes(env))
        # past the hold: handled as new (approval none: fixed at once)
        env.wait_state(f["id"], "fixed", timeout=30)
        [d] = deletes(env)
        h.check(d.at - t_undo >= 5, "deleted %.1fs after the undo, before "
                "the 6 s hold ended", d.at - t_undo)
        h.check(zid not in zones(env), "the zone was not deleted")


if __name__ == "__main__":
    h.run_tests(test_undo_sticks, test_undo_hold_expires)

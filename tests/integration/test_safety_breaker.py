#!/usr/bin/env python3
"""test_safety_breaker.py - the circuit breaker and the hourly caps on
destructive fixes (issue 11, "Circuit breaker").

  failures  3 fix attempts fail within the window: the playbook pauses
            itself, the admin channel is told why, fixes due afterwards
            are not claimed (no mutating call) until /fixit resume,
            which re-arms the breaker;
  undos     2 undone fixes within the window: paused the same way;
  caps      max_destructive_per_hour stops the (N+1)th fix within the
            hour, max_destructive_per_hour of an account that account's.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402

PB = "ec2-imdsv1"
MODIFY = "ModifyInstanceMetadataOptions"
FAST = {"verify_polls": 2, "verify_interval_ms": 50}
BREAKER = {"failures": 3, "undos": 2, "window": "1h"}


def env_with(name, **kw):
    kw.setdefault("params", FAST)
    kw.setdefault("breaker", BREAKER)
    return h.Env(name, aws=True, start=False,
                 playbooks=[h.aws_playbook(PB, **kw)])


def seed(env, n, account=h.NONPROD):
    reg = env.aws.account(account).region(h.REGION)
    return [reg.add_instance(http_tokens="optional") for _ in range(n)]


def admin_texts(env):
    return [c.body.get("text") or "" for c in
            env.fake.delivered("chat.postMessage")
            if c.body.get("channel") == h.ADMIN_CHANNEL]


def breaker_told(env):
    return [t for t in admin_texts(env) if "Circuit breaker" in t]


def modified(env, iids):
    return [c for c in env.aws.calls(action=MODIFY)
            if c.params.get("InstanceId") in iids]


def paused(env):
    return [r["name"] for r in env.q("SELECT name FROM pauses")]


def test_failures_pause_the_playbook():
    with env_with("breaker-fail", max_attempts=2, retry_backoff="1s") as env:
        first = seed(env, 3)
        env.start()
        env.aws.fail_next(3, "denied", action=MODIFY)
        env.scan()
        fs = {f["resource_id"]: f["id"] for f in env.findings(playbook=PB)}
        h.wait_until(lambda: paused(env) == [PB], 20,
                     what="the playbook paused by the breaker")
        # their retries are due a second later: none is claimed
        time.sleep(3)
        h.check(len(modified(env, first)) == 3, "a retry ran while paused:"
                " %r", modified(env, first))
        h.check(all(env.state(fs[i]) == "fixing" for i in first),
                "the retries wait in fixing: %r",
                [env.state(fs[i]) for i in first])
        told = env.fake.wait(lambda: breaker_told(env), 10,
                             "the admin channel told")
        h.check("3 failed fix attempts" in told[0] and PB in told[0] and
                "/fixit resume %s" % PB in told[0],
                "the admin message gives the facts: %r", told[0])
        audit = env.q("SELECT actor, reason FROM audit WHERE event = "
                      "'pause'")
        h.check(len(audit) == 1 and audit[0]["actor"] == "fixit",
                "the pause is audited: %r", audit)
        h.check(PB in env.fixit("status"), "status")

        # due afterwards: never claimed while paused
        later = seed(env, 2)
        env.scan()
        fs = {f["resource_id"]: f["id"] for f in env.findings(playbook=PB)}
        time.sleep(3)
        h.check(modified(env, later) == [], "a fix ran while paused: %r",
                modified(env, later))
        # paused: approval none does not even queue them
        h.check(all(env.state(fs[i]) in ("open", "fixing") for i in later),
                "states %r", [env.state(fs[i]) for i in later])

        # resume re-arms: the waiting fixes run, nothing trips again
        text = env.fixit("resume %s" % PB)
        h.check("Resumed" in text or "resume" in text.lower(),
                "/fixit resume answered %r", text)
        for iid in first + later:
            env.wait_state(fs[iid], "fixed", timeout=30)
        h.check(paused(env) == [], "paused again after resume: %r",
                paused(env))
        # one more failure after the resume is 1 of 3, not 4 of 3
        extra = seed(env, 1)
        env.aws.fail_next(1, "denied", action=MODIFY)
        env.scan()
        fs = {f["resource_id"]: f["id"] for f in env.findings(playbook=PB)}
        env.wait_state(fs[extra[0]], "fixed", timeout=30)
        h.check(len(modified(env, extra)) == 2, "fail then retry: %r",
                modified(env, extra))
        h.check(paused(env) == [] and len(breaker_told(env)) == 1,
                "the breaker was not re-armed: %r", paused(env))


def test_undos_pause_the_playbook():
    with env_with("breaker-undo") as env:
        iids = seed(env, 3)
        env.start()
        env.scan()
        fs = {f["resource_id"]: f["id"] for f in env.findings(playbook=PB)}
        for iid in iids:
            env.wait_state(fs[iid], "fixed", timeout=30)
        for iid in iids[:2]:
            env.fixit("undo %d" % fs[iid])
            env.wait_state(fs[iid], "rolled_back", timeout=30)
        h.wait_until(lambda: paused(env) == [PB], 10,
                     what="the playbook paused after 2 undos")
        told = env.fake.wait(lambda: breaker_told(env), 10,
                             "the admin channel told")
        h.check("2 undone fixes" in told[0], "message %r", told[0])
        # a new finding is not fixed: the playbook is paused
        env.aws.reset_calls()
        later = seed(env, 1)
        env.scan()
        f = [x for x in env.findings(playbook=PB)
             if x["resource_id"] == later[0]][0]
        time.sleep(2.5)
        h.check(env.aws.mutating_calls() == [], "a call while paused: %r",
                env.aws.mutating_calls())
        h.check(env.state(f["id"]) in ("open", "fixing"), "state %s",
                env.state(f["id"]))


def test_hourly_destructive_cap():
    with env_with("cap-global") as env:
        env.config["max_destructive_per_hour"] = 2
        env.write_config()
        iids = seed(env, 3)
        env.start()
        env.scan()
        fs = {f["resource_id"]: f["id"] for f in env.findings(playbook=PB)}
        h.wait_until(lambda: len(env.aws.calls(action=MODIFY)) >= 2, 30,
                     what="two fixes")
        time.sleep(3)
        calls = env.aws.calls(action=MODIFY)
        h.check(len(calls) == 2, "the cap of 2 let %d fixes run",
                len(calls))
        states = sorted(env.state(fs[i]) for i in iids)
        h.check(states == ["fixed", "fixed", "fixing"],
                "the third waits in fixing: %r", states)


def test_hourly_destructive_cap_per_account():
    with env_with("cap-account") as env:
        for a in env.config["accounts"]:
            if a["id"] == h.NONPROD:
                a["max_destructive_per_hour"] = 1
        env.write_config()
        dev = seed(env, 2)
        prod = seed(env, 1, account=h.PROD)
        env.start()
        env.scan()
        fs = {f["resource_id"]: f["id"] for f in env.findings(playbook=PB)}
        env.wait_state(fs[prod[0]], "fixed", timeout=30)
        h.wait_until(lambda: len(modified(env, dev)) >= 1, 30,
                     what="one fix in the capped account")
        time.sleep(3)
        h.check(len(modified(env, dev)) == 1, "the account cap of 1 let "
                "%d fixes run", len(modified(env, dev)))
        states = sorted(env.state(fs[i]) for i in dev)
        h.check(states == ["fixed", "fixing"], "states %r", states)


if __name__ == "__main__":
    h.run_tests(test_failures_pause_the_playbook,
                test_undos_pause_the_playbook, test_hourly_destructive_cap,
                test_hourly_destructive_cap_per_account)

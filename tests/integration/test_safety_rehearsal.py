#!/usr/bin/env python3
"""test_safety_rehearsal.py - a dry run is a rehearsal, never a fix
(issue 11 item 3; DESIGN.md "Safety rails").

  aws_dry_run   the aws executor with dry_run: true rehearses two
                scanned findings: state rehearsed, the plan in the
                audit row, no mutating AWS call, the owner told "dry
                run ... nothing was changed" and never "Fixed"; /fixit
                show, status and /metrics show it; /fixit undo has
                nothing to undo. Then dry_run: false and a restart:
                exactly the two rehearsed instances get the mutating
                calls, and an instance never rehearsed gets none.
  api_dry_run   a finding posted to the API, dry-run executor, the
                owner clicks Fix now: rehearsed, the owner's message
                updated to the dry run (no "Fixed"), no executor run;
                the exec executor replaces dry-run: the rehearsed
                finding is fixed for real, and only it.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fakeslack                                        # noqa: E402
import harness as h                                     # noqa: E402
from harness import check                               # noqa: E402
from pbtest import check_no_mutation, check_scan_ok     # noqa: E402

PB = "ec2-imdsv1"
DRY_TEXT = "Dry run: this is what fixit would have done; nothing was changed"


def slack_texts(env):
    """The text of every message fixitd delivered (posts and updates)."""
    return [fakeslack.all_text(c.body)
            for m in ("chat.postMessage", "chat.update")
            for c in env.fake.delivered(m)]


def check_never_fixed(env):
    for t in slack_texts(env):
        check("Fixed by fixit" not in t and "can undo" not in t,
              "a message claims a fix: %r", t)


def imds_targets(env):
    """The instance ids of every ModifyInstanceMetadataOptions sent."""
    return sorted(c.params.get("InstanceId") for c in
                  env.aws.calls(action="ModifyInstanceMetadataOptions"))


def test_aws_dry_run():
    with h.Env("safety-rehearsal-aws", aws=True, start=False, playbooks=[
            h.aws_playbook(PB, dry_run=True)]) as env:
        reg = env.aws.region(h.REGION, h.NONPROD)
        a = reg.add_instance(tags={"owner": h.OWNER})
        b = reg.add_instance(tags={"owner": h.OWNER})
        reg.add_instance(http_tokens="required")
        env.start()
        check_scan_ok(env.scan())
        fs = {f["resource_id"]: f["id"] for f in env.findings(playbook=PB)}
        check(sorted(fs) == sorted([a, b]), "findings %r", fs)
        for fid in fs.values():
            env.wait_state(fid, "rehearsed", timeout=30)
        check_no_mutation(env, "a rehearsal")
        for rid, fid in fs.items():
            check(env.path(fid) == ["fixing", "rehearsed"], "path %r",
                  env.path(fid))
            [row] = [r for r in env.audit(fid)
                     if r["to_state"] == "rehearsed"]
            plan = json.loads(row["data"])["plan"]
            check(plan["dry_run"] is True and
                  [c["action"] for c in plan["planned"]] and
                  "ModifyInstanceMetadataOptions" in
                  [c["action"] for c in plan["planned"]],
                  "the plan in the history: %r", plan)
            check(env.finding(fid).get("prior_state") is None,
                  "a rehearsal keeps a prior state: %r", env.finding(fid))
        env.fake.wait(lambda: sum(DRY_TEXT in t for t in slack_texts(env))
                      >= 2, 15, "the two dry-run messages")
        check_never_fixed(env)
        # /fixit show, status, undo; /metrics
        fid = fs[a]
        text = env.fixit("show %d" % fid)
        check("rehearsed" in text and "Dry run only" in text and
              "ModifyInstanceMetadataOptions" in text, "show: %r", text)
        text = env.fixit("status")
        check("rehearsed 2" in text, "status: %r", text)
        ms = env.metrics()
        check(h.metric(ms, "fixit_findings", state="rehearsed") == 2,
              "gauge %r", ms.get("fixit_findings"))
        check(h.metric(ms, "fixit_findings", state="fixed") == 0,
              "gauge %r", ms.get("fixit_findings"))
        check(h.metric(ms, "fixit_fixes_total", result="rehearsed") == 2 and
              h.metric(ms, "fixit_fixes_total", result="fixed") == 0,
              "counter %r", ms.get("fixit_fixes_total"))
        text = env.fixit("undo %d" % fid)
        check("only rehearsed" in text and "nothing to undo" in text,
              "undo: %r", text)
        check(env.state(fid) == "rehearsed", "undo changed the state")
        check(not [r for r in env.audit(fid)
                   if r["event"] == "undo_requested"], "an undo was queued")

        # live: an instance never rehearsed appears meanwhile; no scan
        c = reg.add_instance(tags={"owner": h.OWNER})
        env.aws.reset_calls()
        env.config["playbooks"][0]["executor"]["dry_run"] = False
        env.write_config()
        env.restart()
        for fid in fs.values():
            env.wait_state(fid, "fixed", timeout=40)
        check(imds_targets(env) == sorted([a, b]),
              "live fixes on %r, want exactly %r", imds_targets(env),
              sorted([a, b]))
        for m in env.aws.mutating_calls():
            check(c not in json.dumps(m.params),
                  "a call touched the never rehearsed %s: %s", c,
                  m.summary())
        check(not [f for f in env.findings() if f["resource_id"] == c],
              "a finding for %s", c)
        for rid, fid in fs.items():
            check(env.path(fid) == ["fixing", "rehearsed", "fixing",
                                    "fixed"], "path %r", env.path(fid))
        # and the owner is told of the real fix now, once per finding
        env.fake.wait(lambda: sum("Fixed by fixit" in t
                                  for t in slack_texts(env)) >= 2, 15,
                      "the Fixed messages of the live fixes")


def test_api_dry_run():
    pbs = [h.playbook("imds-dry", executor={"type": "dry-run"})]
    with h.Env("safety-rehearsal-api", playbooks=pbs) as env:
        [fid, other] = env.ingest_ok([h.item("imds-dry", h.NONPROD, "i-1"),
                                      h.item("imds-dry", h.NONPROD, "i-2")])
        post = env.wait_notify(fid)
        check("Dry run" in fakeslack.all_text(post.body),
              "the question does not say it is a dry run: %r",
              fakeslack.all_text(post.body))
        env.click(h.OWNER, "fixit_fix_now", fid, msg=post)
        env.wait_state(fid, "rehearsed")
        upd = env.wait_update(post.response["channel"], post.response["ts"],
                              contains=(DRY_TEXT,))
        check(not fakeslack.buttons(upd.body.get("blocks")),
              "buttons left on the rehearsed message")
        check_never_fixed(env)
        check(env.fix_log() == [], "an executor ran: %r", env.fix_log())
        check(env.state(other) == "notified", "the other finding is %s",
              env.state(other))

        env.config["playbooks"][0]["executor"] = env.executor
        env.write_config()
        env.restart()
        env.wait_state(fid, "fixed", timeout=20)
        runs = [(r["mode"], r["stdin"].get("resource_id"))
                for r in env.fix_log()]
        check(runs == [("fix", "i-1")], "live runs %r, want only i-1", runs)
        check(env.state(other) == "notified", "the other finding is %s",
              env.state(other))


if __name__ == "__main__":
    h.run_tests(test_aws_dry_run, test_api_dry_run)

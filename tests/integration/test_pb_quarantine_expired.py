#!/usr/bin/env python3
"""test_pb_quarantine_expired.py - what of the built-in playbook
ec2-quarantine-expired (an instance quarantined by ec2-quarantine and
still there after terminate_after_days, default 30, is terminated, unless
excepted) is not a case of "fake AWS state plus the expected calls":
detect + terminate, dry run, check and verify are data in
tests/data/playbooks/04xx, run by test_pb_cases.py.

Terminating needs fixitd's own record of the quarantine (an ec2-quarantine
finding it fixed, same instance id and launch time): record() writes the
one a test cannot wait 40 days for (harness record_fix). The safety side
(forged tags, undone quarantines) is test_safety_quarantine.py.

Here:
  exception  approval owner: the owner takes Exception: 1 month in Slack
             (the modal) -> excepted; after the deadline a later scan
             terminates only the other instance;
  the date   ec2-quarantine writes fixit:quarantined-at when it applies a
             quarantine (and keeps it on release) and records the
             instance's launch time in its prior state; a fresh
             quarantine is no finding (two playbooks).
"""

import datetime
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fakeaws_state as FA                              # noqa: E402
import fakeslack                                        # noqa: E402
import harness as h                                     # noqa: E402
from harness import check                               # noqa: E402
from pbtest import check_scan_ok                        # noqa: E402

PB = "ec2-quarantine-expired"
DAY = 86400


# ---- helpers ----------------------------------------------------------------

def env_for(name, **kw):
    return h.Env(name, aws=True, start=False, playbooks=[
        h.aws_playbook(PB, irreversible=True, **kw)])


def iso(t):
    return datetime.datetime.fromtimestamp(
        t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def quarantine_tags(days_ago, sg, legacy=False):
    """The instance tags ec2-quarantine writes when it applies a
    quarantine, days_ago days back (legacy: before fixit:quarantined-at
    existed)."""
    at = iso(time.time() - days_ago * DAY)
    t = {"fixit:playbook": "ec2-quarantine", "fixit:finding": "7",
         "fixit:action": "quarantine", "fixit:time": at,
         "fixit:quarantine": "applied", "fixit:quarantined-groups": sg}
    if not legacy:
        t["fixit:quarantined-at"] = at
    return t


def quarantined(reg, days_ago, name=None, state="running", legacy=False,
                **tags):
    """An instance in its VPC's isolation group, quarantined days_ago days
    back, owned by h.OWNER."""
    vpc = "vpc-0q0000000000000%02d" % (len(reg.instances) + 1)
    iso_sg = reg.add_security_group(name="fixit-quarantine", vpc_id=vpc,
                                    egress=[])
    t = quarantine_tags(days_ago, "sg-0old00000000000001", legacy)
    t["owner"] = h.OWNER
    if name:
        t["Name"] = name
    t.update(tags)
    return reg.add_instance(vpc_id=vpc, groups=[iso_sg], state=state,
                            tags=t, instance_type="m5.large")


def record(env, reg, iid, days_ago):
    """fixitd's record that ec2-quarantine quarantined iid days_ago days
    back (its launch time as the fake has it)."""
    return env.record_fix("ec2-quarantine", iid, time.time() - days_ago * DAY,
                          {"launch_time": FA.iso(
                              reg.instances[iid]["launch_time"])})


def by_resource(env):
    return {f["resource_id"]: f for f in env.findings(playbook=PB)}






def about(c, iid):
    return iid in c.params.values()


# ==========================================================================



def test_exception_by_owner():
    """Two instances of the owner, both expired; the deadline comes 5 s
    after the notification: the one the owner took an exception for stays,
    the other one is terminated."""
    with env_for("pb-qx-exc", approval="owner", grace="5s",
                 reminder_before=0) as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        kept = quarantined(reg, 40, name="forensics")
        other = quarantined(reg, 40, name="forgotten")
        env.start()
        record(env, reg, kept, 40)
        record(env, reg, other, 40)
        check_scan_ok(env.scan())
        found = by_resource(env)
        check(sorted(found) == sorted([kept, other]), "found %r",
              sorted(found))
        fid, oid = found[kept]["id"], found[other]["id"]
        post = env.wait_notify(fid)
        check(post.body.get("channel") == "D" + h.OWNER,
              "notified in %r, not the owner's DM (owner tag)",
              post.body.get("channel"))
        text = fakeslack.all_text(post.body)
        check("cannot be undone" in text, "no irreversible warning: %r",
              text)
        r = env.click(h.OWNER, "fixit_exc_1m", fid, msg=post)
        check(r.status == 200, "click answered %r", r)
        views = env.fake.wait(lambda: env.views(r.trigger_id), 5,
                              "views.open with the click's trigger_id")
        view = views[0].body.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        r = env.submit_exception(h.OWNER, fid, "1m",
                                 "disk image still under investigation",
                                 view=view)
        check(r.status == 200, "view_submission answered %r", r)
        env.wait_state(fid, "excepted")
        exc = env.q("SELECT * FROM exceptions WHERE finding_id = ?", fid)
        check(len(exc) == 1 and exc[0]["kind"] == "1m" and
              exc[0]["status"] == "active", "exceptions %r", exc)

        # the deadline passes: the other one is terminated, not this one
        env.wait_state(oid, "fixed", timeout=30)
        check(reg.instances[other]["state"] in ("shutting-down",
                                                "terminated"),
              "the unexcepted instance is %s", reg.instances[other]["state"])
        check_scan_ok(env.scan())
        h.wait_until(lambda: time.time() > post.at + 8, 10)
        check(env.state(fid) == "excepted", "state %s", env.state(fid))
        check(not [c for c in env.aws.mutating_calls() if about(c, kept)],
              "the excepted instance got %r", env.aws.mutating_calls())
        check(reg.instances[kept]["state"] == "running", "instance %s",
              reg.instances[kept]["state"])








def test_quarantine_writes_the_date():
    """ec2-quarantine tags the date it applied the quarantine
    (fixit:quarantined-at, ISO 8601); a fresh quarantine is no finding,
    and a released one neither."""
    with h.Env("pb-qx-date", aws=True, start=False, playbooks=[
            h.aws_playbook("ec2-quarantine"),
            h.aws_playbook(PB, irreversible=True)]) as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        vpc = "vpc-0date000000000001"
        app = reg.add_security_group(name="app", vpc_id=vpc)
        inst = reg.add_instance(vpc_id=vpc, groups=[app], tags={
            "fixit:quarantine": "requested", "owner": h.OWNER})
        env.start()
        t0 = time.time()
        check_scan_ok(env.scan())
        [q] = env.findings(playbook="ec2-quarantine")
        env.wait_state(q["id"], "fixed", timeout=30)
        q = env.finding(q["id"])
        t = reg.instances[inst]["tags"]
        at = t.get("fixit:quarantined-at") or ""
        when = datetime.datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp() if at else 0
        check(t["fixit:quarantine"] == "applied" and
              t0 - 2 <= when <= time.time() + 1 and
              t["fixit:time"] == at, "quarantine tags %r", t)
        check(q["prior_state"].get("launch_time") ==
              FA.iso(reg.instances[inst]["launch_time"]),
              "the quarantine recorded no launch time: %r", q["prior_state"])
        check(env.findings(playbook=PB) == [], "found at once: %r",
              env.findings(playbook=PB))
        check_scan_ok(env.scan())
        check(env.findings(playbook=PB) == [], "a fresh quarantine is a "
              "finding: %r", env.findings(playbook=PB))
        check(reg.instances[inst]["state"] == "running" and
              not env.aws.calls(action="TerminateInstances"),
              "terminated a fresh quarantine")
        # released: the undo tags it, fixit:quarantined-at stays
        env.fixit("undo %d" % q["id"])
        env.wait_state(q["id"], "rolled_back", timeout=30)
        t = reg.instances[inst]["tags"]
        check(t["fixit:quarantine"] == "released" and
              t["fixit:quarantined-at"] == at, "released tags %r", t)


if __name__ == "__main__":
    h.run_tests(test_exception_by_owner, test_quarantine_writes_the_date)

#!/usr/bin/env python3
"""test_safety_quarantine.py - the safety suite (CTest label safety) for
issue items 1 and 2: a tag is never enough to get an instance terminated,
and a quarantine's deny holds its own instance only.

  forged tags     an instance fixitd never quarantined, tagged by hand
                  fixit:quarantine=applied with a back-dated
                  fixit:quarantined-at: no finding, no TerminateInstances,
                  the log names the suspicious tag; the same instance
                  posted as a finding through the API is resolved by the
                  check before the fix, with the reason in its history.
  undone          quarantined by ec2-quarantine, undone, then the tags put
                  back by hand: not terminated, the log says why.
  genuine         fixitd's own record of a quarantine 40 days back (same
                  instance id and launch time): terminated.
  shared role     two instances of one role quarantined: two policies,
                  each named for its instance and denying only that
                  instance's credentials (ec2:SourceInstanceARN); undoing
                  one leaves the other's in place, and no policy names the
                  role's third instance.
"""

import datetime
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fakeaws_state as FA                              # noqa: E402
import harness as h                                     # noqa: E402
from harness import check                               # noqa: E402
from pbtest import check_scan_ok                        # noqa: E402

PB = "ec2-quarantine-expired"
DAY = 86400


def iso(t):
    return datetime.datetime.fromtimestamp(
        t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def applied_tags(days_ago):
    """What ec2-quarantine writes on a quarantine, days_ago back: here
    written by hand."""
    at = iso(time.time() - days_ago * DAY)
    return {"fixit:playbook": "ec2-quarantine", "fixit:finding": "7",
            "fixit:action": "quarantine", "fixit:time": at,
            "fixit:quarantine": "applied",
            "fixit:quarantined-groups": "sg-0old00000000000001",
            "fixit:quarantined-at": at, "owner": h.OWNER}


def terminations(env, iid=None):
    return [c for c in env.aws.calls(action="TerminateInstances")
            if iid is None or c.params.get("InstanceId.1") == iid]


def suspicious_logged(env, iid):
    return [ln for ln in env.fixitd.stderr_text().splitlines()
            if "suspicious tag" in ln and iid in ln]


def expired_only():
    return [h.aws_playbook(PB, irreversible=True)]


def both():
    return [h.aws_playbook("ec2-quarantine"),
            h.aws_playbook(PB, irreversible=True)]


# ==========================================================================

def test_forged_tags_never_terminate():
    """Back-dated tags on an instance fixitd never quarantined: the scan
    finds nothing and logs why; a finding posted for it is resolved by
    the check; TerminateInstances is never sent."""
    with h.Env("safe-q-forged", aws=True, start=False,
               playbooks=expired_only()) as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        iid = reg.add_instance(tags=applied_tags(400))
        env.start()
        check_scan_ok(env.scan())
        check(env.findings(playbook=PB) == [], "found %r",
              env.findings(playbook=PB))
        check(suspicious_logged(env, iid), "no suspicious-tag line for %s "
              "in the log", iid)
        [fid] = env.ingest_ok([h.item(PB, h.NONPROD, iid,
                                      title="quarantined long ago")])
        env.wait_state(fid, "resolved", timeout=30)
        hist = " | ".join(r.get("reason") or "" for r in env.audit(fid))
        check("no record of quarantining it" in hist, "history %r", hist)
        check(not terminations(env), "TerminateInstances sent: %r",
              terminations(env))
        check(reg.instances[iid]["state"] == "running", "instance %s",
              reg.instances[iid]["state"])


def test_undone_quarantine_with_tags_put_back():
    """Quarantined by fixitd, undone, then fixit:quarantine=applied and a
    back-dated fixit:quarantined-at put back by hand: the undone record
    justifies nothing."""
    with h.Env("safe-q-undone", aws=True, start=False,
               playbooks=both()) as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        vpc = "vpc-0undone000000001"
        app = reg.add_security_group(name="app", vpc_id=vpc)
        iid = reg.add_instance(vpc_id=vpc, groups=[app], tags={
            "fixit:quarantine": "requested", "owner": h.OWNER})
        env.start()
        check_scan_ok(env.scan())
        [q] = env.findings(playbook="ec2-quarantine")
        env.wait_state(q["id"], "fixed", timeout=30)
        env.fixit("undo %d" % q["id"])
        env.wait_state(q["id"], "rolled_back", timeout=30)
        with env.aws.lock:
            reg.instances[iid]["tags"].update(applied_tags(400))
        check_scan_ok(env.scan())
        check(env.findings(playbook=PB) == [], "found %r",
              env.findings(playbook=PB))
        check(suspicious_logged(env, iid), "no suspicious-tag line for %s "
              "in the log", iid)
        check(not terminations(env), "TerminateInstances sent: %r",
              terminations(env))
        check(reg.instances[iid]["state"] == "running", "instance %s",
              reg.instances[iid]["state"])


def test_genuine_quarantine_is_terminated():
    """fixitd's own record of a quarantine 40 days back, same instance id
    and launch time: found and terminated; a fresh one is not."""
    with h.Env("safe-q-genuine", aws=True, start=False,
               playbooks=expired_only()) as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        old = reg.add_instance(tags=applied_tags(40))
        env.start()
        env.record_fix("ec2-quarantine", old, time.time() - 40 * DAY,
                       {"launch_time": FA.iso(
                           reg.instances[old]["launch_time"])})
        check_scan_ok(env.scan())
        [f] = env.findings(playbook=PB)
        check(f["resource_id"] == old, "found %r", f)
        env.wait_state(f["id"], "fixed", timeout=30)
        check(len(terminations(env, old)) == 1, "TerminateInstances %r",
              terminations(env))
        check(reg.instances[old]["state"] in ("shutting-down",
                                              "terminated"),
              "instance %s", reg.instances[old]["state"])
        check(not suspicious_logged(env, old), "a genuine quarantine "
              "logged as suspicious")


def deny_of(doc):
    """The instance ARNs a quarantine policy's Deny is conditioned on."""
    arns = []
    for st in json.loads(doc)["Statement"]:
        check(st["Effect"] == "Deny" and "Condition" in st,
              "a statement without a condition: %r", st)
        v = st["Condition"]["ArnEquals"]["ec2:SourceInstanceARN"]
        arns.extend(v if isinstance(v, list) else [v])
    return arns


def test_shared_role_scoped_deny():
    """Two quarantined instances of one role, a third not: one policy per
    quarantined instance, each denying only its own instance; undoing one
    removes exactly its own."""
    with h.Env("safe-q-role", aws=True, start=False,
               playbooks=[h.aws_playbook("ec2-quarantine")]) as env:
        acct = env.aws.account(h.NONPROD)
        reg = acct.region(h.REGION)
        vpc = "vpc-0sharedrole00001"
        app = reg.add_security_group(name="app", vpc_id=vpc)
        acct.add_instance_profile("app-profile", roles=["app-role"])
        a, b = [reg.add_instance(vpc_id=vpc, groups=[app],
                                 instance_profile="app-profile",
                                 tags={"fixit:quarantine": "requested"})
                for _ in range(2)]
        calm = reg.add_instance(vpc_id=vpc, groups=[app],
                                instance_profile="app-profile")
        env.start()
        check_scan_ok(env.scan())
        found = {f["resource_id"]: f["id"]
                 for f in env.findings(playbook="ec2-quarantine")}
        check(sorted(found) == sorted([a, b]), "found %r", found)
        for fid in found.values():
            env.wait_state(fid, "fixed", timeout=30)
        pol = acct.roles["app-role"]["policies"]
        arn = "arn:aws:ec2:%s:%s:instance/%%s" % (h.REGION, h.NONPROD)
        check(sorted(pol) == sorted(["fixit-quarantine-" + a,
                                     "fixit-quarantine-" + b]),
              "role policies %r", sorted(pol))
        for iid in (a, b):
            check(deny_of(pol["fixit-quarantine-" + iid]) == [arn % iid],
                  "policy of %s: %r", iid, pol["fixit-quarantine-" + iid])
        env.fixit("undo %d" % found[a])
        env.wait_state(found[a], "rolled_back", timeout=30)
        pol = acct.roles["app-role"]["policies"]
        check(sorted(pol) == ["fixit-quarantine-" + b], "after the undo of "
              "%s the role has %r", a, sorted(pol))
        check(deny_of(pol["fixit-quarantine-" + b]) == [arn % b],
              "policy of %s: %r", b, pol["fixit-quarantine-" + b])
        check(env.state(found[b]) == "fixed", "the other quarantine is %s",
              env.state(found[b]))
        denied = [x for d in pol.values() for x in deny_of(d)]
        check(arn % calm not in denied and arn % a not in denied,
              "denied %r", denied)
        dels = env.aws.calls(action="DeleteRolePolicy")
        check([c.params.get("PolicyName") for c in dels] ==
              ["fixit-quarantine-" + a], "DeleteRolePolicy %r",
              [c.params for c in dels])


if __name__ == "__main__":
    h.run_tests(test_forged_tags_never_terminate,
                test_undone_quarantine_with_tags_put_back,
                test_genuine_quarantine_is_terminated,
                test_shared_role_scoped_deny)

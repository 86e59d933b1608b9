#!/usr/bin/env python3
"""test_pb_quarantine_expired.py - the built-in playbook
ec2-quarantine-expired run by the real fixitd (aws executor) against the
fake AWS: an instance quarantined by ec2-quarantine and still there after
terminate_after_days (default 30) is terminated, unless excepted.

  detect     a scan finds exactly the instances quarantined more than 30
             days ago (fixit:quarantined-at, or fixit:time while
             fixit:action is still "quarantine"), running or stopped; not
             one quarantined 10 days ago, a released one, one whose date
             is unknown, nor one terminated already; with the filters,
             title, ARN, details and tags (the owner tag) promised;
  exception  approval owner: the owner takes Exception: 1 month in Slack
             -> excepted; a later scan terminates nothing;
  fix        approval none: CreateTags (fixit:action=terminate, tagger)
             before TerminateInstances InstanceId.1 (remediator), the
             instance shutting-down then terminated, the prior state,
             no undo;
  dry run    no mutating call at all, the plan in the prior state (and
             terminate_after_days=7 makes the 10-day one a finding);
  check      terminated / deleted / released / quarantined again since
             the scan -> resolved, no mutating call;
  verify     a TerminateInstances the fake ignores -> the fix attempts
             fail (failed, last_error says why), the instance runs on;
  the date   ec2-quarantine writes fixit:quarantined-at when it applies a
             quarantine (and keeps it on release); a fresh quarantine is
             no finding.
"""

import datetime
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fakeslack                                        # noqa: E402
import harness as h                                     # noqa: E402
from harness import check                               # noqa: E402
from pbtest import check_scan_ok, form, tag_params       # noqa: E402

PB = "ec2-quarantine-expired"
FIXIT_TAGS = ("fixit:playbook", "fixit:finding", "fixit:action", "fixit:time")
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


def by_resource(env):
    return {f["resource_id"]: f for f in env.findings(playbook=PB)}


def mutating_names(env):
    return [c.operation for c in env.aws.mutating_calls()]


def planned_actions(prior):
    return [p.get("action") for p in prior.get("planned") or []]


def about(c, iid):
    return iid in c.params.values()


# ==========================================================================

def test_detect_and_terminate():
    with env_for("pb-qx") as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        old = quarantined(reg, 40, name="suspect")
        old_stopped = quarantined(reg, 45, state="stopped")
        legacy = quarantined(reg, 35, legacy=True)
        young = quarantined(reg, 10)
        released = quarantined(reg, 40, **{
            "fixit:quarantine": "released",
            "fixit:action": "release-quarantine"})
        # re-tagged by another playbook since: fixit:time says nothing
        unknown = quarantined(reg, 40, legacy=True, **{
            "fixit:action": "require-imdsv2",
            "fixit:playbook": "ec2-imdsv1"})
        ended = quarantined(reg, 60, state="terminated")
        calm = reg.add_instance(tags={"Name": "calm", "owner": h.OWNER})
        env.start()
        t_start = time.time()
        check_scan_ok(env.scan())
        found = by_resource(env)
        check(sorted(found) == sorted([old, old_stopped, legacy]),
              "%s found %r, want %r (not young %s, released %s, unknown "
              "%s, ended %s, calm %s)", PB, sorted(found),
              sorted([old, old_stopped, legacy]), young, released, unknown,
              ended, calm)
        lists = [c for c in env.aws.calls(action="DescribeInstances",
                                          account=h.NONPROD)
                 if "InstanceId.1" not in c.params]
        check(lists and form(lists[0]) == {
            "Filter.1.Name": "tag:fixit:quarantine",
            "Filter.1.Value.1": "applied",
            "Filter.2.Name": "instance-state-name",
            "Filter.2.Value.1": "running",
            "Filter.2.Value.2": "stopped"}, "DescribeInstances %r",
            form(lists[0]) if lists else None)
        check(all(c.role == "fixit-auditor" for c in lists),
              "listed as %r", [c.role for c in lists])

        f = found[old]
        at = reg.instances[old]["tags"]["fixit:quarantined-at"]
        check(f["title"] == "EC2 instance %s (suspect) has been quarantined "
              "since %s" % (old, at[:10]), "title %r", f["title"])
        check(f["resource_arn"] == "arn:aws:ec2:%s:%s:instance/%s"
              % (h.REGION, h.NONPROD, old), "arn %r", f.get("resource_arn"))
        d = f["details"]
        check(d["quarantined_at"] == at and d["days"] == 40 and
              d["instance_type"] == "m5.large" and d["state"] == "running",
              "details %r", d)
        check(found[old_stopped]["details"]["state"] == "stopped" and
              found[old_stopped]["details"]["days"] == 45, "stopped %r",
              found[old_stopped]["details"])
        check(found[legacy]["details"]["quarantined_at"] ==
              reg.instances[legacy]["tags"]["fixit:time"],
              "legacy date %r", found[legacy]["details"])
        check(f.get("owner_slack_id") == h.OWNER, "owner from the owner "
              "tag: %r", f.get("owner_slack_id"))

        fids = {iid: found[iid]["id"] for iid in found}
        for iid, fid in fids.items():
            env.wait_state(fid, "fixed", timeout=30)
        for iid, fid in fids.items():
            muts = [c for c in env.aws.mutating_calls() if about(c, iid)]
            check([c.operation for c in muts] ==
                  ["CreateTags", "TerminateInstances"],
                  "mutating calls for %s: %r", iid, muts)
            tags = tag_params(muts[0].params)
            for k in FIXIT_TAGS:
                check(k in tags, "fixit tag %s missing in %r", k, tags)
            check(tags["fixit:action"] == "terminate" and
                  tags["fixit:finding"] == str(fid) and
                  tags["fixit:playbook"] == PB and
                  all(k.startswith("fixit:") for k in tags) and
                  muts[0].role == "fixit-tagger", "CreateTags %r as %s",
                  tags, muts[0].role)
            check(form(muts[1]) == {"InstanceId.1": iid} and
                  muts[1].role == "fixit-remediator" and muts[1].ok,
                  "TerminateInstances %r as %s", form(muts[1]),
                  muts[1].role)
            check(reg.instances[iid]["state"] in ("shutting-down",
                                                  "terminated"),
                  "%s is %s", iid, reg.instances[iid]["state"])
        check(not env.aws.calls(action="DeleteTags"), "a tag was removed")
        for iid in (young, released, unknown, ended, calm):
            check(not [c for c in env.aws.mutating_calls()
                       if about(c, iid)], "%s touched", iid)
            check(reg.instances[iid]["state"] in ("running", "terminated"),
                  "%s changed", iid)

        # the date survives the fix's own tagging (a retry still reads it)
        t = reg.instances[legacy]["tags"]
        check(t["fixit:action"] == "terminate" and
              t["fixit:quarantined-at"] ==
              found[legacy]["details"]["quarantined_at"] and
              t["owner"] == h.OWNER, "legacy tags after the fix %r", t)
        prior = env.finding(fids[old])["prior_state"]
        check(prior["instance_id"] == old and
              prior["instance_type"] == "m5.large" and
              prior["groups"] == reg.instances[old]["groups"] and
              prior["image_id"] == reg.instances[old]["image_id"] and
              prior["launch_time"].startswith("20") and
              prior["quarantined_at"] == at and
              prior["tags"]["Name"] == "suspect" and
              prior["tags"]["fixit:quarantine"] == "applied" and
              "dry_run" not in prior, "prior %r", prior)
        hist = env.q("SELECT * FROM audit WHERE finding_id = ?", fids[old])
        check(hist, "no audit rows for #%d", fids[old])

        # verify read shutting-down; the next read shows terminated, and
        # a terminated instance is no finding
        env.aws.reset_calls()
        check_scan_ok(env.scan())
        for iid in fids:
            check(reg.instances[iid]["state"] == "terminated",
                  "%s still %s", iid, reg.instances[iid]["state"])
        check(sorted(by_resource(env)) == sorted(fids),
              "new findings after the termination: %r",
              sorted(by_resource(env)))
        check(mutating_names(env) == [], "the second scan sent %r",
              mutating_names(env))

        # nothing to undo
        env.fixit("undo %d" % fids[old])
        h.wait_until(lambda: [a for a in env.audit(fids[old])
                              if a["event"] == "undo_failed"], 20,
                     what="the undo of #%d refused" % fids[old])
        check(env.state(fids[old]) == "fixed" and
              not env.aws.mutating_calls(), "undo of a termination: "
              "state %s, calls %r", env.state(fids[old]),
              env.aws.mutating_calls())
        check(time.time() - t_start < 120, "slow")


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


def test_dry_run():
    with env_for("pb-qx-dry", dry_run=True,
                 params={"terminate_after_days": 7}) as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        old = quarantined(reg, 40)
        young = quarantined(reg, 10)
        fresh = quarantined(reg, 3)
        before = {i: json.dumps(reg.instances[i], sort_keys=True,
                                default=str) for i in reg.instances}
        env.start()
        check_scan_ok(env.scan())
        found = by_resource(env)
        check(sorted(found) == sorted([old, young]), "found %r (fresh %s)",
              sorted(found), fresh)
        check(found[young]["details"]["terminate_after_days"] == 7,
              "details %r", found[young]["details"])
        for iid in (old, young):
            env.wait_state(found[iid]["id"], "fixed", timeout=30)
        check(mutating_names(env) == [], "dry run sent %r",
              mutating_names(env))
        prior = env.finding(found[old]["id"])["prior_state"]
        check(prior.get("dry_run") is True and planned_actions(prior) ==
              ["CreateTags", "TerminateInstances"] and "would" in prior and
              prior["instance_id"] == old, "dry-run prior %r", prior)
        check(prior["planned"][1]["params"] == {"InstanceId.1": old},
              "planned %r", prior["planned"][1])
        tags = tag_params(prior["planned"][0]["params"])
        check(tags["fixit:action"] == "terminate", "planned tags %r", tags)
        after = {i: json.dumps(reg.instances[i], sort_keys=True,
                               default=str) for i in reg.instances}
        check(before == after, "an instance changed in a dry run")


def test_check_before_fix():
    with env_for("pb-qx-check") as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        gone = quarantined(reg, 40)
        ended = quarantined(reg, 40)
        released = quarantined(reg, 40)
        again = quarantined(reg, 40)
        env.start()
        env.fixit("pause %s" % PB)
        check_scan_ok(env.scan())
        found = by_resource(env)
        check(sorted(found) == sorted([gone, ended, released, again]),
              "found %r", sorted(found))
        with env.aws.lock:
            del reg.instances[gone]
            reg.instances[ended]["state"] = "terminated"
            reg.instances[released]["tags"]["fixit:quarantine"] = \
                "released"
            reg.instances[again]["tags"]["fixit:quarantined-at"] = \
                iso(time.time() - 2 * DAY)
        env.aws.reset_calls()
        env.fixit("resume %s" % PB)
        for iid in (gone, ended, released, again):
            env.wait_state(found[iid]["id"], "resolved", timeout=30)
        check(mutating_names(env) == [], "check sent %r",
              mutating_names(env))
        check(all(reg.instances[i]["state"] == "running"
                  for i in (released, again)), "an instance changed")
        errs = [c.error for c in env.aws.calls(action="DescribeInstances")
                if c.error]
        check(errs == ["InvalidInstanceID.NotFound"], "errors %r", errs)


def test_verify_catches_ignored_terminate():
    with env_for("pb-qx-verify") as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        old = quarantined(reg, 40)
        env.aws.ignore_next("TerminateInstances", n=10)
        env.start()
        check_scan_ok(env.scan())
        [f] = env.findings(playbook=PB)
        env.wait_state(f["id"], "failed", timeout=40)
        err = env.finding(f["id"]).get("last_error") or ""
        check("still running" in err, "last_error %r", err)
        terms = env.aws.calls(action="TerminateInstances")
        check(len(terms) == 2 and all(c.ignored for c in terms) and
              all(form(c) == {"InstanceId.1": old} for c in terms),
              "TerminateInstances calls %r", terms)
        check(reg.instances[old]["state"] == "running", "instance %s",
              reg.instances[old]["state"])


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
        t = reg.instances[inst]["tags"]
        at = t.get("fixit:quarantined-at") or ""
        when = datetime.datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp() if at else 0
        check(t["fixit:quarantine"] == "applied" and
              t0 - 2 <= when <= time.time() + 1 and
              t["fixit:time"] == at, "quarantine tags %r", t)
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
    h.run_tests(test_detect_and_terminate, test_exception_by_owner,
                test_quarantine_writes_the_date,
                test_dry_run, test_check_before_fix,
                test_verify_catches_ignored_terminate)

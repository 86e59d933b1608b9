#!/usr/bin/env python3
"""test_pb_ec2_underused.py - ec2-underused against the fake AWS, in
Python because it needs fixitd's own first-seen records (the database's
first_seen table, written by a scan and pruned by the next) next to the
AWS calls.

idle_days is 2 here (the window: two daily datapoints of each metric) and
first_seen_slack_hours 72, so an instance launched 2.5 days ago and first
seen by the test's scan counts as watched since launch; one launched 200
days ago does not (only notified, with Compute Optimizer's type).
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fakeaws_ec2idle                                  # noqa: E402
import harness as h                                     # noqa: E402
from harness import check                               # noqa: E402
from pbtest import (check_no_mutation, check_only_fixit_tagging,  # noqa: E402
                    check_scan_ok, env_for, tags_on)

PB = "ec2-underused"
PARAMS = {"idle_days": 2, "first_seen_slack_hours": 72,
          "snapshot_poll_ms": 50, "snapshot_timeout_s": 20}
DAY = 86400


def usage(reg, iid, cpu, net_mb):
    """Two daily datapoints of each metric: CPU average cpu percent,
    NetworkIn and NetworkOut net_mb/2 MB each."""
    now = time.time()
    pts = [now - 1.5 * DAY, now - 0.5 * DAY]
    dim = {"InstanceId": iid}
    reg.add_metric("AWS/EC2", "CPUUtilization", dim,
                   [(t, cpu) for t in pts], unit="Percent")
    for m in ("NetworkIn", "NetworkOut"):
        reg.add_metric("AWS/EC2", m, dim,
                       [(t, net_mb * 1e6 / 2) for t in pts], unit="Bytes")


def instance(reg, age_days, cpu=2.0, net_mb=1.0, metrics=True, **kw):
    iid = reg.add_instance(launch_time=time.time() - age_days * DAY, **kw)
    reg.add_volume(attached_to=iid, device="/dev/xvda", size=8,
                   volume_type="gp3", delete_on_termination=True)
    if metrics:
        usage(reg, iid, cpu, net_mb)
    return iid


def seen(env):
    return {r["resource_id"]: r["at"] for r in env.q(
        "SELECT resource_id, at FROM first_seen WHERE scope = ?", PB)}


def history(env, fid):
    return " ".join("%s %s" % (r["reason"], r["data"] or "")
                    for r in env.audit(fid))


def found(env):
    return {f["resource_id"]: f for f in env.findings(playbook=PB)}


def test_underused_watched_terminated_older_notified():
    """A paged scan: the instance watched since launch and idle is
    snapshotted and terminated (usage: its instance hours, its EBS, the
    snapshot added); the one older than the watch is only notified, with
    Compute Optimizer's recommendation (JSON 1.0, signed as
    compute-optimizer); busy, chatty, unmeasured, stopped and Auto Scaling
    instances make no finding. Every instance seen is recorded once; the
    next scan keeps the first sighting and forgets the one gone. Undo
    launches the recorded configuration; refused once and asked again, it
    reuses the image the first attempt registered (found by name)."""
    with env_for("pb-und", PB, params=PARAMS) as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        env.aws.set_page_size(1, action="DescribeInstances")
        new = instance(reg, 2.5, instance_type="m5.large",
                       tags={"Name": "idle-new", "team": "shop"})
        old = instance(reg, 200, instance_type="m5.xlarge")
        busy = instance(reg, 2.5, cpu=55.0)
        chatty = instance(reg, 2.5, net_mb=40.0)
        blind = instance(reg, 2.5, metrics=False)
        stopped = instance(reg, 2.5, state="stopped")
        asg = instance(reg, 2.5, tags={"aws:autoscaling:groupName": "g"})
        fakeaws_ec2idle.seed_optimizer(reg, True, {old: ["t3.medium"]})
        env.start()
        check_scan_ok(env.scan())
        fs = found(env)
        check(set(fs) == {new, old}, "findings %r", sorted(fs))
        d = fs[old]["details"]
        check(d.get("notify_only") is True and
              d.get("recommended_type") == "t3.medium" and
              d.get("watched_since_launch") is False and
              "only notified" in d.get("only_notified", ""),
              "old details %r", d)
        d = fs[new]["details"]
        check(d.get("watched_since_launch") is True and
              "notify_only" not in d and d.get("cpu_max_percent") == 2.0 and
              d.get("network_max_mb") == 1.0 and d.get("days") == 2,
              "new details %r", d)
        check("CPU under 2.0 %" in fs[new]["title"], "title %r",
              fs[new]["title"])
        co = env.aws.calls(action="GetEC2InstanceRecommendations")
        check(len(co) == 1 and co[0].service == "compute-optimizer" and
              co[0].signature_ok and co[0].role == "fixit-auditor" and
              co[0].header("Content-Type") == "application/x-amz-json-1.0"
              and co[0].header("X-Amz-Target") ==
              "ComputeOptimizerService.GetEC2InstanceRecommendations" and
              co[0].params["instanceArns"][0].endswith("/" + old),
              "optimizer calls %r", co)
        pages = [c for c in env.aws.calls(action="DescribeInstances")
                 if c.params.get("NextToken")]
        check(pages, "DescribeInstances was not paged")
        first = seen(env)
        check(set(first) == {new, old, busy, chatty, blind, stopped, asg},
              "first_seen %r", first)
        env.wait_state(fs[new]["id"], "fixed", timeout=40)
        f = env.finding(fs[new]["id"])
        prior = f["prior_state"]
        check(prior["instance_type"] == "m5.large" and
              prior["usage"] == [
                  {"item": "ec2_instance_hour", "class": "m5.large",
                   "qty": 730},
                  {"item": "ebs_gb", "class": "gp3", "qty": 8},
                  {"item": "snapshot_gb", "class": "ebs", "qty": -8}],
              "prior %r", prior)
        terms = env.aws.calls(action="TerminateInstances")
        check([c.params["InstanceId.1"] for c in terms] == [new],
              "terminated %r", terms)
        check(reg.instances[new]["state"] in ("shutting-down",
                                              "terminated"),
              "new is %s", reg.instances[new]["state"])
        check(reg.instances[old]["state"] == "running", "old terminated")
        check(tags_on(env, new, "terminate"), "no terminate tag on %s", new)
        check_only_fixit_tagging(env)
        check(env.finding(fs[old]["id"])["state"] not in
              ("fixed", "fixing"), "the older instance was fixed")
        # the next scan: first sightings kept, the gone one forgotten
        del reg.instances[busy]
        time.sleep(1.1)
        check_scan_ok(env.scan())
        again = seen(env)
        check(busy not in again and again[old] == first[old] and
              again[chatty] == first[chatty], "first_seen after %r", again)
        # the first undo is refused its launch: asked again, it finds the
        # image it registered by name instead of registering another
        env.aws.reset_calls()
        env.aws.fail_next(1, "denied", action="RunInstances")
        env.fixit("undo %d" % fs[new]["id"])
        h.wait_until(lambda: any(r["event"] == "undo_failed" for r in
                                 env.audit(fs[new]["id"])), 30,
                     what="the first undo to fail")
        env.fixit("undo %d" % fs[new]["id"])
        env.wait_state(fs[new]["id"], "rolled_back", timeout=40)
        runs = env.aws.calls(action="RunInstances")
        check(len(runs) == 2 and not runs[0].ok and runs[1].ok and
              runs[1].params["InstanceType"] == "m5.large" and
              runs[0].params["ClientToken"] == runs[1].params["ClientToken"],
              "RunInstances %r", runs)
        regs = env.aws.calls(action="RegisterImage")
        check([c.error for c in regs] == [None, "InvalidAMIName.Duplicate"],
              "RegisterImage %r", regs)
        imgs = env.aws.calls(action="DescribeImages")
        check(len(imgs) == 1 and imgs[0].role == "fixit-auditor" and
              runs[1].params["ImageId"] in imgs[0].response.decode(),
              "DescribeImages %r", imgs)
        check(len(getattr(reg, "images", {})) == 1, "images %r",
              getattr(reg, "images", None))
        back = [i for i in reg.instances.values()
                if i["tags"].get("fixit:restored-from") == new]
        check(len(back) == 1 and back[0]["tags"].get("Name") == "idle-new",
              "restored %r", back)


def test_underused_dry_run_not_opted_in():
    """Dry run, Compute Optimizer not opted in: both found, the older one
    without a recommendation (OptInRequiredException is no error); the
    watched one rehearsed with its usage in the plan; nothing mutating
    sent; no instance terminated."""
    with env_for("pb-und-dry", PB, params=PARAMS, dry_run=True) as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        new = instance(reg, 2.5, instance_type="t3.large")
        old = instance(reg, 200)
        env.start()
        check_scan_ok(env.scan())
        fs = found(env)
        check(set(fs) == {new, old}, "findings %r", sorted(fs))
        check(fs[old]["details"].get("recommended_type") is None,
              "a recommendation without opting in: %r",
              fs[old]["details"])
        co = env.aws.calls(action="GetEC2InstanceRecommendations")
        check(len(co) == 1 and co[0].error == "OptInRequiredException",
              "optimizer calls %r", co)
        env.wait_state(fs[new]["id"], "rehearsed", timeout=30)
        plan = [json.loads(r["data"]).get("plan") for r in
                env.audit(fs[new]["id"])
                if r["to_state"] == "rehearsed" and r["data"]]
        check(plan and [p["action"] for p in plan[0]["planned"]] ==
              ["CreateSnapshot", "CreateTags", "TerminateInstances"] and
              plan[0]["usage"][0] == {"item": "ec2_instance_hour",
                                      "class": "t3.large", "qty": 730},
              "plan %r", plan)
        check_no_mutation(env, "a dry run")
        check(reg.instances[new]["state"] == "running", "terminated")


def test_underused_check_before_fix():
    """Found while paused, then before the fix: one gone, one stopped
    (RIGHT: no instance hours), one busy again, one allow-tagged, one
    termination-protected, one tagged by a CloudFormation stack; posted
    through the ingest API: one launched a day ago (too young) and one
    fixit first saw 200 days after its launch (only notified, never
    terminated): each resolves with its
    reason, nothing mutating is sent."""
    with env_for("pb-und-check", PB, params=PARAMS) as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        ids = {k: instance(reg, 2.5) for k in
               ("gone", "stopped", "busy", "allowed", "prot", "iac")}
        young = instance(reg, 1)
        old = instance(reg, 200)
        old2 = instance(reg, 200, state="stopped")
        env.start()
        env.fixit("pause %s" % PB)
        check_scan_ok(env.scan())
        fs = found(env)
        check(set(fs) == set(ids.values()) | {old}, "findings %r",
              sorted(fs))
        # old2 was stopped at the scan: seen then, 200 days after launch
        reg.instances[old2]["state"] = "running"
        posted = env.ingest_ok([h.item(PB, h.NONPROD, r, title="idle",
                                       details={}) for r in (young, old2)])
        del reg.instances[ids["gone"]]
        reg.instances[ids["stopped"]]["state"] = "stopped"
        usage(reg, ids["busy"], 90.0, 1.0)
        reg.instances[ids["allowed"]]["tags"]["fixit:allow"] = "yes"
        reg.instances[ids["prot"]]["disable_api_termination"] = True
        reg.instances[ids["iac"]]["tags"][
            "aws:cloudformation:stack-name"] = "web"
        env.aws.reset_calls()
        env.fixit("resume %s" % PB)
        want = {ids["gone"]: "no longer exists",
                ids["stopped"]: "costs no instance hours",
                ids["busy"]: "its CPU was used",
                ids["allowed"]: "tagged to be kept",
                ids["prot"]: "termination-protected",
                ids["iac"]: "infrastructure as code",
                young: "younger than",
                old2: "launched before fixit watched it"}
        fid = {r: fs[r]["id"] for r in ids.values()}
        fid[young], fid[old2] = posted
        for rid, text in want.items():
            env.wait_state(fid[rid], "resolved", timeout=30)
            check(text in history(env, fid[rid]), "%s: %r", text,
                  history(env, fid[rid]))
        check_no_mutation(env, "the checks")


def test_underused_verify_ignored():
    """The fake ignores TerminateInstances: verify sees the instance still
    running, both attempts fail, the retry reuses the first attempt's
    completed snapshot."""
    with env_for("pb-und-verify", PB, params=PARAMS) as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        new = instance(reg, 2.5)
        env.aws.ignore_next("TerminateInstances", 10)
        env.start()
        check_scan_ok(env.scan())
        [f] = env.findings(playbook=PB)
        env.wait_state(f["id"], "failed", timeout=60)
        f = env.finding(f["id"])
        check("is still running" in (f.get("last_error") or ""),
              "last_error %r", f.get("last_error"))
        check(len(env.aws.calls(action="TerminateInstances")) == 2 and
              len(env.aws.calls(action="CreateSnapshot")) == 1,
              "calls %r", env.aws.calls(action="CreateSnapshot"))
        check(reg.instances[new]["state"] == "running", "terminated")


if __name__ == "__main__":
    h.run_tests(test_underused_watched_terminated_older_notified,
                test_underused_verify_ignored,
                test_underused_dry_run_not_opted_in,
                test_underused_check_before_fix)

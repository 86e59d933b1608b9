#!/usr/bin/env python3
"""test_safety_guards.py - the safety suite's playbook guards (issue 11:
guard parity, items 6 and 8). Each scenario asserts the AWS calls made
and the calls not made.

  young rds    a finding posted (POST /v1/findings, no scan) for an RDS
               instance created two minutes ago, with no datapoints: the
               check applies detection's age guard, the finding resolves
               with the reason, nothing is deleted (no metric read even).
  no data      the same for an old instance without datapoints: unknown
               is not idle, the finding resolves.
  guards       findings posted for resources a guard exempts (allow tag,
               IaC ownership by aws:cloudformation:stack-name or a
               configured iac tag, too young, a backdated fixit:last-seen
               tag, a posted last_seen with no tag, a fresh allocation in
               CloudTrail) across rds-idle, ebs-unused, eip-unassociated
               and ec2-imdsv1: each resolves, no mutating call at all.
  parity       a scan of the same resources finds only the IaC-owned ones,
               notify-only, and fixes none.
  young zone   route53-ns-only: zones holding only NS and SOA, created
               (CloudTrail CreateHostedZone, us-east-1) 1 day ago, their
               records changed 2 days ago, or allow-tagged are no finding
               of a scan, and a finding posted for the young one resolves
               with the reason, no DeleteHostedZone; a zone created 30
               days ago is deleted as before.
  zone age unknown  a posted finding while CloudTrail refuses the
               lookup: cannot tell, not deleted, the reason in its
               history.
  rds undo     the delete keeps automated backups (DeleteAutomatedBackups
               =false, final snapshot); the prior state records every
               setting; undo restores all of them in one
               RestoreDBInstanceFromDBSnapshot (no ModifyDBInstance).

A guarded finding resolves rather than fails: detection would not have
raised it, so the pre-fix check ends it as a scan would ("no longer
seen"), with the guard in the audit reason; the next scan raises it
again if it becomes eligible.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h                                     # noqa: E402
from fakeaws_state import iso                           # noqa: E402
from harness import check                               # noqa: E402
from pbtest import (check_no_mutation, check_scan_ok,    # noqa: E402
                    zone_event)

DAY = 86400
RDS_PARAMS = {"idle_days": 45, "snapshot_poll_ms": 50,
              "snapshot_timeout_s": 20}
EBS_PARAMS = {"idle_days": 45, "snapshot_poll_ms": 50,
              "snapshot_timeout_s": 20}


def env_with(name, *pbs, **kw):
    """An Env (not started) with the aws playbooks pbs = (builtin,
    params), approval none, and events.iac_tags [terraform:stack]."""
    return h.Env(name, aws=True, start=False, config={
        "events": {"iac_tags": ["terraform:stack"]}}, playbooks=[
            h.aws_playbook(b, params=p, max_attempts=1) for b, p in pbs],
        **kw)


def rds_arn(ident):
    return "arn:aws:rds:%s:%s:db:%s" % (h.REGION, h.NONPROD, ident)


def post(env, pb, rid, arn, **details):
    """POST one finding of playbook pb for resource rid: its id."""
    [fid] = env.ingest_ok([h.item(pb, h.NONPROD, rid, resource_arn=arn,
                                  title="posted %s" % rid,
                                  details=details or {"posted": True})])
    return fid


def resolved_reason(env, fid):
    env.wait_state(fid, "resolved", timeout=30)
    rows = [r for r in env.audit(fid) if r["to_state"] == "resolved"]
    check(rows, "finding %s: no audit row to resolved", fid)
    return rows[-1]["reason"]


def about(c, rid):
    return rid in [str(v) for v in c.params.values()]


def calls_about(env, rid, **kw):
    return [c for c in env.aws.calls(**kw) if about(c, rid)]


# ==========================================================================

def test_posted_young_rds_not_deleted():
    """Item 6: a posted rds-idle finding on an instance created two
    minutes ago (no datapoints, as CloudWatch has none yet) is not
    deleted: the check's age guard resolves it before any metric is
    read."""
    with env_with("safety-rds-young", ("rds-idle", RDS_PARAMS)) as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        reg.add_db_instance("fresh-db", create_time=time.time() - 120,
                            tags={"owner": h.OWNER})
        env.start()
        fid = post(env, "rds-idle", "fresh-db", rds_arn("fresh-db"),
                   max_connections=0, datapoints=0)
        why = resolved_reason(env, fid)
        check("fresh-db" in why and "younger than" in why,
              "resolved for %r, not the age guard", why)
        check(calls_about(env, "fresh-db", action="DescribeDBInstances"),
              "the check did not read the instance")
        check(not env.aws.calls(action="GetMetricStatistics"),
              "metrics read for an instance a guard exempts")
        for op in ("DeleteDBInstance", "AddTagsToResource",
                   "CreateDBSnapshot"):
            check(not env.aws.calls(action=op), "%s sent", op)
        check_no_mutation(env, "a posted finding on a young instance")
        check(reg.db_instances["fresh-db"]["status"] == "available",
              "fresh-db is %s", reg.db_instances["fresh-db"]["status"])


def test_posted_old_rds_without_datapoints_not_deleted():
    """Item 6, the other half: an old available instance CloudWatch has
    no datapoints of is not idle but unknown: resolved, not deleted."""
    with env_with("safety-rds-nodata", ("rds-idle", RDS_PARAMS)) as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        reg.add_db_instance("quiet-db", create_time=time.time() - 200 * DAY)
        env.start()
        fid = post(env, "rds-idle", "quiet-db", rds_arn("quiet-db"))
        why = resolved_reason(env, fid)
        check("no DatabaseConnections datapoints" in why,
              "resolved for %r", why)
        check(calls_about(env, "quiet-db", action="GetMetricStatistics"),
              "the metric was not read")
        check(not env.aws.calls(action="DeleteDBInstance"),
              "DeleteDBInstance sent")
        check_no_mutation(env, "a posted finding without datapoints")


def seed_guarded(env):
    """Resources that a guard exempts or that IaC owns, each with the
    condition its playbook looks for. {name: (playbook, id, arn,
    details, what the reason must hold)}."""
    reg = env.aws.account(h.NONPROD).region(h.REGION)
    old, now = time.time() - 200 * DAY, time.time()
    seen = iso(now - 60 * DAY)
    out = {}
    for name, tags, want in (
            ("allow-db", {"fixit:allow": "JIRA-7"}, "tagged to be kept"),
            ("cfn-db", {"aws:cloudformation:stack-name": "app"},
             "aws:cloudformation:stack-name=app"),
            ("tf-db", {"terraform:stack": "data"}, "terraform:stack=data")):
        reg.add_db_instance(name, create_time=old, tags=tags)
        reg.add_db_connections(name, [(now - 3 * DAY, 0)])
        out[name] = ("rds-idle", name, rds_arn(name), want)
    for name, kw, want in (
            ("allow-vol", {"tags": {"fixit:allow": "",
                                    "fixit:last-seen": seen}},
             "tagged to be kept"),
            ("cfn-vol", {"tags": {"aws:cloudformation:stack-name": "app",
                                  "fixit:last-seen": seen}},
             "aws:cloudformation:stack-name=app"),
            ("young-vol", {"tags": {"fixit:last-seen": seen},
                           "create_time": now - 3600},
             "younger than"),
            ("untagged-vol", {}, "carries no fixit:last-seen")):
        vid = reg.add_volume(**kw)
        out[name] = ("ebs-unused", vid,
                     "arn:aws:ec2:%s:%s:volume/%s" % (h.REGION, h.NONPROD,
                                                      vid), want)
    for name, tags, want in (
            ("allow-eip", {"fixit:allow": "x"}, "tagged to be kept"),
            ("tf-eip", {"terraform:stack": "net"}, "terraform:stack=net"),
            ("fresh-eip", None, "allocated, associated or disassociated")):
        aid = reg.add_address(tags=tags)
        out[name] = ("eip-unassociated", aid,
                     "arn:aws:ec2:%s:%s:elastic-ip/%s" % (h.REGION,
                                                         h.NONPROD, aid),
                     want)
    reg.add_event("AllocateAddress", resources=[out["fresh-eip"][1]],
                  event_time=now - 2 * 3600)
    iid = reg.add_instance(http_tokens="optional", tags={
        "aws:cloudformation:stack-name": "web"})
    out["cfn-inst"] = ("ec2-imdsv1", iid, "arn:aws:ec2:%s:%s:instance/%s"
                       % (h.REGION, h.NONPROD, iid),
                       "aws:cloudformation:stack-name=web")
    return out


ALL_PBS = (("rds-idle", RDS_PARAMS), ("ebs-unused", EBS_PARAMS),
           ("eip-unassociated", None), ("ec2-imdsv1", None))


def test_posted_guarded_findings_change_nothing():
    """Guard parity: findings posted for allow-tagged, IaC-owned or too
    young resources (no scan ever saw them) resolve at the check with
    their guard; not one mutating call is sent. A posted details
    last_seen does not stand in for the fixit:last-seen tag."""
    with env_with("safety-guards", *ALL_PBS) as env:
        res = seed_guarded(env)
        env.start()
        fids = {}
        for name, (pb, rid, arn, _) in res.items():
            fids[name] = post(env, pb, rid, arn,
                              last_seen=iso(time.time() - 90 * DAY))
        for name, (pb, rid, _, want) in res.items():
            why = resolved_reason(env, fids[name])
            check(want in why, "%s (%s): resolved for %r, want %r", name,
                  pb, why, want)
            check(calls_about(env, rid, ok=True), "%s: never read", name)
        for op in ("DeleteDBInstance", "DeleteVolume", "CreateSnapshot",
                   "ReleaseAddress", "ModifyInstanceMetadataOptions",
                   "CreateTags", "AddTagsToResource"):
            check(not env.aws.calls(action=op), "%s sent: %r", op,
                  [c.summary() for c in env.aws.calls(action=op)])
        check_no_mutation(env, "posted findings a guard exempts")
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        for name, (pb, rid, _, _) in res.items():
            store = {"rds-idle": reg.db_instances, "ebs-unused": reg.volumes,
                     "eip-unassociated": reg.addresses,
                     "ec2-imdsv1": reg.instances}[pb]
            check(rid in store, "%s is gone", name)
        check(reg.instances[res["cfn-inst"][1]]["metadata"]["http_tokens"]
              == "optional", "the IaC instance's metadata changed")


def test_scan_parity():
    """The same resources scanned: the exempt ones are no finding, the
    IaC-owned ones are, notify-only (details.iac_owner), and none is
    fixed: detection and the check apply one eligibility."""
    with env_with("safety-parity", *ALL_PBS) as env:
        res = seed_guarded(env)
        env.start()
        check_scan_ok(env.scan())
        found = {f["resource_id"]: f for f in env.findings()}
        iac = {"cfn-db", "tf-db", "cfn-vol", "tf-eip", "cfn-inst"}
        for name, (pb, rid, _, _) in res.items():
            if name in iac:
                check(rid in found, "%s (IaC-owned) not found", name)
                check((found[rid].get("details") or {}).get("iac_owner"),
                      "%s found without iac_owner: %r", name, found[rid])
            elif name != "untagged-vol":
                check(rid not in found, "%s found: %r", name,
                      found.get(rid))
        time.sleep(2.5)     # two ticks: a fix would have started
        for op in ("DeleteDBInstance", "DeleteVolume", "CreateSnapshot",
                   "ReleaseAddress", "ModifyInstanceMetadataOptions",
                   "AddTagsToResource"):
            check(not env.aws.calls(action=op), "%s sent", op)
        for f in env.findings():
            check(f["state"] not in ("fixing", "fixed"),
                  "%s is %s", f["resource_id"], f["state"])


NS_PARAMS = {"dns_timeout_ms": 500}


def post_zone(env, zid, name):
    [fid] = env.ingest_ok([h.item(
        "route53-ns-only", h.NONPROD, zid, resource_arn=None,
        region="us-east-1", title="empty zone %s" % name,
        details={"name": name})])
    return fid


def test_young_zone_not_found_nor_deleted():
    """Guard parity for route53-ns-only: Route 53 dates no zone, so the
    age is CloudTrail's. Zones created or changed within min_age_days
    (7) or allow-tagged are no finding; a finding posted for the young
    one resolves at the check with the reason and nothing is deleted; a
    zone created 30 days ago is deleted as before."""
    with env_with("safety-r53-young", ("route53-ns-only", NS_PARAMS)) as env:
        a = env.aws.account(h.NONPROD)
        young = a.add_zone("young.example.com")
        changed = a.add_zone("changed.example.com")
        kept = a.add_zone("kept.example.com", tags={"fixit:allow": "x"})
        old = a.add_zone("old.example.com")
        zone_event(env, young, 1 * DAY)
        zone_event(env, changed, 60 * DAY)
        zone_event(env, changed, 2 * DAY, "ChangeResourceRecordSets")
        zone_event(env, old, 30 * DAY)
        env.start()
        check_scan_ok(env.scan())
        found = {f["resource_id"]: f for f in
                 env.findings(playbook="route53-ns-only")}
        check(set(found) == {old}, "found %r, want only the old zone %s",
              sorted(found), old)
        env.wait_state(found[old]["id"], "fixed", timeout=30)
        check(old not in a.zones, "the old zone was not deleted")
        looked = {c.params["LookupAttributes"][0]["AttributeValue"]
                  for c in env.aws.calls(action="LookupEvents")
                  if c.region == "us-east-1"}
        check({young, changed, old} <= looked,
              "CloudTrail not asked in us-east-1 for each zone: %r", looked)
        fid = post_zone(env, young, "young.example.com.")
        why = resolved_reason(env, fid)
        check(young in why and "created or its records changed" in why,
              "resolved for %r, not the age guard", why)
        [d] = env.aws.calls(action="DeleteHostedZone")
        check(old in d.path, "deleted %s, not the old zone", d.path)
        for zid in (young, changed, kept):
            check(zid in a.zones, "zone %s deleted", zid)
            check(not [c for c in env.aws.mutating_calls()
                       if zid in (c.path or "")],
                  "zone %s changed", zid)


def test_zone_age_unknown_not_deleted():
    """A CloudTrail lookup that fails tells nothing about the zone's age:
    a posted finding is not deleted, and its history says why."""
    with env_with("safety-r53-trail", ("route53-ns-only", NS_PARAMS)) as env:
        a = env.aws.account(h.NONPROD)
        zid = a.add_zone("quiet.example.com")
        env.start()
        env.aws.fail_next(10, "denied", action="LookupEvents")
        fid = post_zone(env, zid, "quiet.example.com.")
        why = resolved_reason(env, fid)
        check("cannot tell its age" in why, "resolved for %r", why)
        check(env.aws.calls(action="LookupEvents"), "CloudTrail not asked")
        check(not env.aws.calls(action="DeleteHostedZone"),
              "DeleteHostedZone sent")
        check_no_mutation(env, "a zone whose age is unknown")
        check(zid in a.zones, "zone deleted")


def test_rds_delete_keeps_backups_undo_restores_all():
    """Item 8: the delete keeps the automated backups and takes a final
    snapshot; the prior state records every setting; the undo restores
    each one (Multi-AZ: no zone sent)."""
    with env_with("safety-rds-undo", ("rds-idle", RDS_PARAMS)) as env:
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        sgs = [reg.add_security_group(name="db-a"),
               reg.add_security_group(name="db-b")]
        reg.add_db_instance(
            "big-db", engine="postgres", engine_version="15.4",
            instance_class="db.r6g.large", storage=500, iops=5000,
            storage_type="io1", multi_az=True, publicly_accessible=True,
            port=5433, backup_retention=14, parameter_group="pg15-tuned",
            option_group="pg15-opts", subnet_group="db-private",
            security_groups=sgs, copy_tags_to_snapshot=True,
            auto_minor_version_upgrade=False,
            create_time=time.time() - 300 * DAY,
            tags={"owner": h.OWNER, "team": "data"})
        reg.add_db_connections("big-db", [(time.time() - 5 * DAY, 0)])
        dbi = reg.db_instances["big-db"]["resource_id"]
        env.start()
        check_scan_ok(env.scan())
        [f] = env.findings(playbook="rds-idle")
        fid = f["id"]
        env.wait_state(fid, "fixed", timeout=30)
        snap = "fixit-final-big-db-%d" % fid
        [d] = env.aws.calls(action="DeleteDBInstance")
        check(d.params.get("DeleteAutomatedBackups") == "false" and
              d.params.get("FinalDBSnapshotIdentifier") == snap and
              d.params.get("SkipFinalSnapshot") == "false" and
              d.role == "fixit-remediator", "DeleteDBInstance %r",
              d.params)
        kept = reg.db_automated_backups.get(dbi)
        check(kept and kept["status"] == "retained" and
              kept["backup_retention"] == 14,
              "automated backups not kept: %r", reg.db_automated_backups)
        check(snap in reg.db_snapshots, "no final snapshot %s", snap)
        prior = env.finding(fid)["prior_state"]
        want = {"db_instance_identifier": "big-db", "engine": "postgres",
                "engine_version": "15.4", "class": "db.r6g.large",
                "port": 5433, "db_subnet_group": "db-private",
                "multi_az": True, "storage_type": "io1",
                "allocated_storage": 500, "iops": 5000,
                "publicly_accessible": True, "deletion_protection": False,
                "backup_retention_period": 14,
                "copy_tags_to_snapshot": True,
                "auto_minor_version_upgrade": False,
                "db_parameter_group": "pg15-tuned",
                "option_group": "pg15-opts", "vpc_security_groups": sgs,
                "tags": {"owner": h.OWNER, "team": "data"},
                "final_snapshot": snap, "dbi_resource_id": dbi,
                "automated_backups_kept": True}
        for k, v in want.items():
            check(prior.get(k) == v, "prior %s = %r, want %r", k,
                  prior.get(k), v)
        env.aws.reset_calls()
        env.fixit("undo %d" % fid)
        env.wait_state(fid, "rolled_back", timeout=30)
        muts = env.aws.mutating_calls()
        check([c.operation for c in muts] ==
              ["RestoreDBInstanceFromDBSnapshot"],
              "undo sent %r", [c.summary() for c in muts])
        p = muts[0].params
        sent = {"DBInstanceIdentifier": "big-db",
                "DBSnapshotIdentifier": snap,
                "DBInstanceClass": "db.r6g.large", "Port": "5433",
                "DBSubnetGroupName": "db-private", "MultiAZ": "true",
                "StorageType": "io1", "AllocatedStorage": "500",
                "Iops": "5000", "PubliclyAccessible": "true",
                "DeletionProtection": "false",
                "BackupRetentionPeriod": "14",
                "CopyTagsToSnapshot": "true",
                "AutoMinorVersionUpgrade": "false",
                "DBParameterGroupName": "pg15-tuned",
                "OptionGroupName": "pg15-opts",
                "VpcSecurityGroupIds.member.1": sgs[0],
                "VpcSecurityGroupIds.member.2": sgs[1]}
        for k, v in sent.items():
            check(str(p.get(k)) == v, "restore %s = %r, want %r", k,
                  p.get(k), v)
        check("AvailabilityZone" not in p, "a zone sent for Multi-AZ")
        check(not env.aws.calls(action="ModifyDBInstance"),
              "ModifyDBInstance sent")
        db = reg.db_instances["big-db"]
        got = {"instance_class": db["instance_class"], "port": db["port"],
               "subnet_group": db["subnet_group"],
               "multi_az": db["multi_az"],
               "storage_type": db["storage_type"],
               "storage": db["storage"], "iops": db["iops"],
               "publicly_accessible": db["publicly_accessible"],
               "deletion_protection": db["deletion_protection"],
               "backup_retention": db["backup_retention"],
               "parameter_group": db["parameter_group"],
               "option_group": db["option_group"],
               "security_groups": db["security_groups"],
               "copy_tags_to_snapshot": db["copy_tags_to_snapshot"],
               "auto_minor_version_upgrade":
               db["auto_minor_version_upgrade"]}
        check(got == {"instance_class": "db.r6g.large", "port": 5433,
                      "subnet_group": "db-private", "multi_az": True,
                      "storage_type": "io1", "storage": 500, "iops": 5000,
                      "publicly_accessible": True,
                      "deletion_protection": False, "backup_retention": 14,
                      "parameter_group": "pg15-tuned",
                      "option_group": "pg15-opts", "security_groups": sgs,
                      "copy_tags_to_snapshot": True,
                      "auto_minor_version_upgrade": False},
              "restored %r", got)
        check(db["tags"].get("team") == "data" and
              db["tags"].get("fixit:restored-from") == snap,
              "restored tags %r", db["tags"])


if __name__ == "__main__":
    h.run_tests(test_posted_young_rds_not_deleted,
                test_posted_old_rds_without_datapoints_not_deleted,
                test_posted_guarded_findings_change_nothing,
                test_scan_parity,
                test_young_zone_not_found_nor_deleted,
                test_zone_age_unknown_not_deleted,
                test_rds_delete_keeps_backups_undo_restores_all)

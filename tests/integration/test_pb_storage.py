#!/usr/bin/env python3
"""test_pb_storage.py - the storage playbooks (ebs-unused, rds-idle) run
by the real fixitd (aws executor) against the fake AWS.

Per playbook:
  detect   a scan finds exactly the bad resources (paged listings), and
           ebs-unused keeps its fixit:last-seen tag (first sight, a newer
           CloudTrail detach) without touching other tags;
  fix      approval none -> fixed: the exact calls, parameters, roles and
           fixit: tags the fake recorded, the resource deleted, the backup
           (EBS snapshot, RDS final snapshot) there, the prior state;
  undo     /fixit undo -> rolled_back: the inverse call re-creates the
           resource with the user's tags and fixit:restored-from;
  dry run  no mutating call at all, a prior state holding the plan;
  verify   a delete the fake ignores -> the fix attempts fail (state
           failed, last_error says why); EBS reuses its completed snapshot
           on the retry instead of taking another;
  check    changes between scan and fix (deleted, attached, allow-tagged,
           connections, deleting) -> resolved, no mutating call.
"""

import calendar
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h                                     # noqa: E402
from harness import check                               # noqa: E402
from fakeaws_state import iso                           # noqa: E402
from pbtest import (by_resource, check_fixit_tags,      # noqa: E402
                    check_no_mutation, check_only_fixit_tagging,
                    check_planned, check_scan_ok,
                    env_for, mutating_names, region, resume_resolved,
                    scan_ignored, scan_paused, tag_params)

DAY = 86400
LS = "fixit:last-seen"
EBS_PARAMS = {"idle_days": 45, "snapshot_poll_ms": 50,
              "snapshot_timeout_s": 20}
RDS_PARAMS = {"idle_days": 45, "snapshot_poll_ms": 50,
              "snapshot_timeout_s": 20}


def epoch(s):
    """Epoch seconds of "2024-05-01T08:00:00Z" (optional fraction)."""
    return calendar.timegm(time.strptime(s.split(".")[0].rstrip("Z"),
                                         "%Y-%m-%dT%H:%M:%S"))


def ago(days, now=None):
    return iso((now or time.time()) - days * DAY, ms=False)


def check_reads_as_auditor(env):
    for c in env.aws.calls(service="ec2") + env.aws.calls(service="rds") + \
            env.aws.calls(service="monitoring") + \
            env.aws.calls(service="cloudtrail"):
        if c.operation and c.operation.startswith(("Describe", "Lookup",
                                                   "Get", "List")):
            check(c.role == "fixit-auditor", "%s as %s", c.operation,
                  c.role)


# ==========================================================================
# ebs-unused
# ==========================================================================

def test_ebs_detect_fix_undo():
    with env_for("pb-ebs", "ebs-unused", EBS_PARAMS) as env:
        reg = region(env)
        now = time.time()
        idle = reg.add_volume(size=20, volume_type="gp3", iops=3000,
                              az="eu-west-1b", tags={
                                  "Name": "old-data", "team": "data",
                                  LS: ago(60, now)})
        fresh = reg.add_volume(size=5, tags={"Name": "fresh"})
        kept = reg.add_volume(tags={"fixit:allow": "ticket-42",
                                    LS: ago(90, now)})
        inst = reg.add_instance()
        used = reg.add_volume(attached_to=inst, tags={LS: ago(90, now)})
        moved = reg.add_volume(tags={LS: ago(90, now)})
        reg.add_event("DetachVolume", [moved, inst], event_time=now - 3600)
        reg.add_event("AttachVolume", [moved, inst], event_time=now - 7200)
        env.aws.set_page_size(2, "DescribeVolumes")
        env.start()
        check_scan_ok(env.scan())

        found = by_resource(env, "ebs-unused")
        check(list(found) == [idle], "ebs-unused found %r, want only %s",
              list(found), idle)
        pages = env.aws.calls(action="DescribeVolumes", account=h.NONPROD)
        check(len([c for c in pages if c.params.get("NextToken")]) >= 1,
              "DescribeVolumes was not paged: %r", pages)
        check(all(c.params.get("Filter.1.Name") == "status" and
                  c.params.get("Filter.1.Value.1") == "available"
                  for c in pages if "VolumeId.1" not in c.params),
              "DescribeVolumes without the status=available filter")
        lookups = env.aws.calls(action="LookupEvents", account=h.NONPROD)
        check({c.params["LookupAttributes"][0]["AttributeValue"]
               for c in lookups} >= {idle, fresh, moved},
              "LookupEvents per volume: %r", lookups)
        lk = lookups[0].params
        check(lk["LookupAttributes"][0]["AttributeKey"] == "ResourceName" and
              isinstance(lk["StartTime"], int) and
              lk["EndTime"] - lk["StartTime"] == DAY,
              "LookupEvents parameters %r", lk)
        # first sight: tagged now; a newer detach: tagged with its time;
        # allow-tagged and attached volumes untouched
        seen = epoch(reg.volumes[fresh]["tags"][LS])
        check(abs(seen - now) < 120, "first-sight last-seen %s",
              reg.volumes[fresh]["tags"][LS])
        check(reg.volumes[fresh]["tags"]["Name"] == "fresh",
              "user tag changed: %r", reg.volumes[fresh]["tags"])
        check(epoch(reg.volumes[moved]["tags"][LS]) == int(now - 3600),
              "refreshed last-seen %s", reg.volumes[moved]["tags"][LS])
        check(reg.volumes[kept]["tags"][LS] == ago(90, now),
              "allow-tagged volume re-tagged")
        check(reg.volumes[used]["tags"] == {LS: ago(90, now)},
              "attached volume touched")

        f = found[idle]
        fid = f["id"]
        check(f["title"].startswith("EBS volume %s (20 GiB, gp3) unattached "
                                    "since " % idle), "title %r", f["title"])
        d = f["details"]
        check(d["size"] == 20 and d["volume_type"] == "gp3" and
              d["availability_zone"] == "eu-west-1b" and
              d["idle_days"] >= 59 and d["encrypted"] is False and
              d["last_seen"] == ago(60, now), "details %r", d)

        env.wait_state(fid, "fixed", timeout=30)
        [cs] = env.aws.calls(action="CreateSnapshot")
        p = cs.params
        check(p["VolumeId"] == idle and p["Description"] ==
              "fixit: before deleting %s (finding %d)" % (idle, fid) and
              p["TagSpecification.1.ResourceType"] == "snapshot",
              "CreateSnapshot %r", p)
        check(cs.role == "fixit-remediator", "CreateSnapshot as %s", cs.role)
        snap_tags = tag_params(p, "TagSpecification.1.Tag.")
        check_fixit_tags(snap_tags, fid, "backup")
        check(snap_tags.get("fixit:source-volume") == idle,
              "snapshot tags %r", snap_tags)
        sid = [s for s in reg.snapshots.values()
               if s["volume_id"] == idle][0]["id"]
        check(reg.snapshots[sid]["status"] == "completed",
              "snapshot %s is %s", sid, reg.snapshots[sid]["status"])
        # deleted only after the snapshot completed
        calls = env.aws.calls(account=h.NONPROD)
        i_del = [i for i, c in enumerate(calls)
                 if c.operation == "DeleteVolume"]
        i_done = [i for i, c in enumerate(calls)
                  if c.operation == "DescribeSnapshots" and
                  b"<status>completed</status>" in c.response]
        check(len(i_del) == 1 and i_done and i_done[0] < i_del[0],
              "DeleteVolume before the snapshot completed")
        dv = calls[i_del[0]]
        check(dv.params["VolumeId"] == idle and
              dv.role == "fixit-remediator", "DeleteVolume %r", dv)
        [tv] = [c for c in env.aws.calls(action="CreateTags")
                if c.params.get("ResourceId.1") == idle]
        vt = tag_params(tv.params)
        check_fixit_tags(vt, fid, "delete")
        check(vt.get("fixit:backup-snapshot") == sid, "volume tags %r", vt)
        check(idle not in reg.volumes, "volume %s still exists", idle)
        check(sorted(set(mutating_names(env))) ==
              ["CreateSnapshot", "CreateTags", "DeleteVolume"],
              "mutating calls %r", mutating_names(env))
        check_only_fixit_tagging(env)
        check_reads_as_auditor(env)

        prior = env.finding(fid)["prior_state"]
        check(prior["volume_id"] == idle and prior["snapshot_id"] == sid and
              prior["size"] == 20 and prior["volume_type"] == "gp3" and
              prior["iops"] == 3000 and
              prior["availability_zone"] == "eu-west-1b" and
              prior["encrypted"] is False, "prior %r", prior)
        check(prior["tags"] == {"Name": "old-data", "team": "data"},
              "prior tags %r (fixit: keys must be left out)", prior["tags"])

        env.aws.reset_calls()
        env.fixit("undo %d" % fid)
        env.wait_state(fid, "rolled_back", timeout=30)
        [cv] = env.aws.calls(action="CreateVolume")
        p = cv.params
        check(p["SnapshotId"] == sid and p["AvailabilityZone"] ==
              "eu-west-1b" and p["VolumeType"] == "gp3" and
              p["Size"] == "20" and p["Iops"] == "3000" and
              p["TagSpecification.1.ResourceType"] == "volume" and
              cv.role == "fixit-remediator", "CreateVolume %r", p)
        new = [v for v in reg.volumes.values()
               if v["tags"].get("fixit:restored-from") == idle]
        check(len(new) == 1, "restored volumes %r", new)
        v = new[0]
        check(v["size"] == 20 and v["az"] == "eu-west-1b" and
              v["volume_type"] == "gp3" and v["iops"] == 3000 and
              v["snapshot_id"] == sid, "restored volume %r", v)
        check(v["tags"]["Name"] == "old-data" and v["tags"]["team"] ==
              "data" and LS not in v["tags"], "restored tags %r", v["tags"])
        check(mutating_names(env) == ["CreateVolume"],
              "undo sent %r", mutating_names(env))


def test_ebs_dry_run():
    with env_for("pb-ebs-dry", "ebs-unused", EBS_PARAMS,
                 dry_run=True) as env:
        reg = region(env)
        now = time.time()
        idle = reg.add_volume(tags={LS: ago(60, now), "Name": "x"})
        untagged = reg.add_volume()          # created 2024: old enough
        young = reg.add_volume(create_time=now - 3 * DAY)
        env.start()
        check_scan_ok(env.scan())
        found = by_resource(env, "ebs-unused")
        check(sorted(found) == sorted([idle, untagged]),
              "dry run found %r", list(found))
        check(found[untagged]["details"]["last_seen_from"] == "create_time",
              "details %r", found[untagged]["details"])
        for vid in (idle, untagged):
            env.wait_state(found[vid]["id"], "fixed", timeout=30)
        check_no_mutation(env, "dry run")
        prior = env.finding(found[idle]["id"])["prior_state"]
        check_planned(prior, ["CreateSnapshot", "CreateTags", "DeleteVolume"])
        check(prior["volume_id"] == idle, "dry-run prior %r", prior)
        check(all(v in reg.volumes for v in (idle, untagged, young)),
              "a volume was deleted in a dry run")
        check(not reg.snapshots, "a snapshot was taken in a dry run")
        check(LS not in reg.volumes[untagged]["tags"],
              "a dry run wrote the last-seen tag")


def test_ebs_verify_catches_ignored_delete():
    with env_for("pb-ebs-verify", "ebs-unused", EBS_PARAMS) as env:
        reg = region(env)
        idle = reg.add_volume(tags={LS: ago(60)})
        scan_ignored(env, "ebs-unused", "DeleteVolume", "still exists")
        check(idle in reg.volumes and
              reg.volumes[idle]["status"] == "available",
              "volume changed: %r", reg.volumes.get(idle))
        # the retry reused the completed snapshot of the first attempt
        check(len(env.aws.calls(action="CreateSnapshot")) == 1 and
              len(reg.snapshots) == 1, "snapshots taken: %r",
              env.aws.calls(action="CreateSnapshot"))


def test_ebs_check_before_fix():
    with env_for("pb-ebs-check", "ebs-unused", EBS_PARAMS) as env:
        reg = region(env)
        gone = reg.add_volume(tags={LS: ago(60)})
        attached = reg.add_volume(tags={LS: ago(60)})
        allowed = reg.add_volume(tags={LS: ago(60)})
        moved = reg.add_volume(tags={LS: ago(60)})
        found = scan_paused(env, "ebs-unused",
                            [gone, attached, allowed, moved])
        iid = reg.add_instance()
        with env.aws._lock:
            del reg.volumes[gone]
            reg.volumes[attached]["status"] = "in-use"
            reg.volumes[attached]["attachments"] = [{
                "instance_id": iid, "device": "/dev/sdf",
                "state": "attached", "attach_time": time.time(),
                "delete_on_termination": False}]
            reg.volumes[allowed]["tags"]["fixit:allow"] = "yes"
            reg.add_event("DetachVolume", [moved, iid],
                          event_time=time.time() - 60)
        resume_resolved(env, "ebs-unused", found, {
            gone: "no longer exists", attached: "in-use",
            allowed: "tagged to be kept", moved: "attached or seen 0"})
        check(all(v in reg.volumes for v in (attached, allowed, moved)),
              "a volume was deleted")


# ==========================================================================
# rds-idle
# ==========================================================================

def seed_rds(reg, now):
    old = now - 200 * DAY
    reg.add_db_instance("idle-db", create_time=old, engine="postgres",
                        instance_class="db.m5.large", engine_version="15.4",
                        az="eu-west-1b", tags={"owner": h.OWNER,
                                               "team": "data"})
    reg.add_db_connections("idle-db", [(now - 30 * DAY, 0),
                                       (now - 2 * DAY, 0)])
    reg.add_db_instance("nodata-db", create_time=old)
    reg.add_db_instance("busy-db", create_time=old)
    reg.add_db_connections("busy-db", [(now - 30 * DAY, 0),
                                       (now - 2 * DAY, 7)])
    reg.add_db_instance("young-db", create_time=now - 10 * DAY)
    reg.add_db_instance("kept-db", create_time=old,
                        tags={"fixit:allow": "1"})
    reg.add_db_instance("stopped-db", create_time=old, status="stopped")
    reg.add_db_instance("protected-db", create_time=old,
                        deletion_protection=True)


def test_rds_detect_fix_undo():
    with env_for("pb-rds", "rds-idle", RDS_PARAMS) as env:
        reg = region(env)
        now = time.time()
        seed_rds(reg, now)
        env.aws.set_page_size(2, "DescribeDBInstances")
        env.start()
        check_scan_ok(env.scan())
        found = by_resource(env, "rds-idle")
        check(sorted(found) == ["idle-db", "nodata-db"],
              "rds-idle found %r", sorted(found))
        pages = env.aws.calls(action="DescribeDBInstances",
                              account=h.NONPROD)
        check(len([c for c in pages if c.params.get("Marker")]) >= 2,
              "DescribeDBInstances was not paged: %r", pages)
        gms = {c.params["Dimensions.member.1.Value"]: c.params
               for c in env.aws.calls(action="GetMetricStatistics")}
        check({"idle-db", "nodata-db", "busy-db"} <= set(gms) and
              not {"young-db", "kept-db", "stopped-db",
                   "protected-db"} & set(gms),
              "metrics read for %r", sorted(gms))
        g = gms["idle-db"]
        check(g["Namespace"] == "AWS/RDS" and
              g["MetricName"] == "DatabaseConnections" and
              g["Dimensions.member.1.Name"] == "DBInstanceIdentifier" and
              g["Period"] == "86400" and
              g["Statistics.member.1"] == "Maximum" and
              epoch(g["EndTime"]) - epoch(g["StartTime"]) == 45 * DAY,
              "GetMetricStatistics %r", g)
        f = found["idle-db"]
        check(f["title"] == "RDS instance idle-db (db.m5.large, postgres) "
              "had no connections for 45 days", "title %r", f["title"])
        d = f["details"]
        check(d["class"] == "db.m5.large" and d["engine"] == "postgres" and
              d["engine_version"] == "15.4" and d["multi_az"] is False and
              d["availability_zone"] == "eu-west-1b" and
              d["max_connections"] == 0 and d["datapoints"] == 2,
              "details %r", d)
        dn = found["nodata-db"]["details"]
        check(dn["datapoints"] == 0 and dn.get("no_datapoints") is True,
              "no-datapoint details %r", dn)

        fid = f["id"]
        env.wait_state(fid, "fixed", timeout=30)
        env.wait_state(found["nodata-db"]["id"], "fixed", timeout=30)
        snap = "fixit-final-idle-db-%d" % fid
        [at] = [c for c in env.aws.calls(action="AddTagsToResource")
                if c.params["ResourceName"].endswith(":db:idle-db")]
        check(at.params["ResourceName"] ==
              "arn:aws:rds:%s:%s:db:idle-db" % (h.REGION, h.NONPROD),
              "AddTagsToResource %r", at.params)
        tags = tag_params(at.params, "Tags.member.")
        check_fixit_tags(tags, fid, "delete")
        check(tags.get("fixit:final-snapshot") == snap, "tags %r", tags)
        [dd] = [c for c in env.aws.calls(action="DeleteDBInstance")
                if c.params["DBInstanceIdentifier"] == "idle-db"]
        check(dd.params.get("FinalDBSnapshotIdentifier") == snap and
              dd.params.get("SkipFinalSnapshot", "false") == "false" and
              dd.role == "fixit-remediator", "DeleteDBInstance %r",
              dd.params)
        check(reg.db_instances.get("idle-db") is None or
              reg.db_instances["idle-db"]["status"] == "deleting",
              "idle-db not deleted")
        check(snap in reg.db_snapshots, "final snapshot %s missing", snap)
        check(sorted(set(mutating_names(env))) ==
              ["AddTagsToResource", "DeleteDBInstance"],
              "mutating calls %r", mutating_names(env))
        check(all(db in reg.db_instances and
                  reg.db_instances[db]["status"] != "deleting"
                  for db in ("busy-db", "young-db", "kept-db",
                             "stopped-db", "protected-db")),
              "a good instance was deleted")
        check_only_fixit_tagging(env)
        check_reads_as_auditor(env)
        prior = env.finding(fid)["prior_state"]
        check(prior["db_instance_identifier"] == "idle-db" and
              prior["class"] == "db.m5.large" and
              prior["engine"] == "postgres" and
              prior["availability_zone"] == "eu-west-1b" and
              prior["multi_az"] is False and
              prior["final_snapshot"] == snap and
              prior["tags"] == {"owner": h.OWNER, "team": "data"},
              "prior %r", prior)

        env.aws.reset_calls()
        env.fixit("undo %d" % fid)
        env.wait_state(fid, "rolled_back", timeout=30)
        [rs] = env.aws.calls(action="RestoreDBInstanceFromDBSnapshot")
        p = rs.params
        check(p["DBInstanceIdentifier"] == "idle-db" and
              p["DBSnapshotIdentifier"] == snap and
              p["DBInstanceClass"] == "db.m5.large" and
              p["MultiAZ"] == "false" and
              p["AvailabilityZone"] == "eu-west-1b" and
              p["PubliclyAccessible"] == "false" and
              rs.role == "fixit-remediator", "restore %r", p)
        rt = tag_params(p, "Tags.member.")
        check(rt.get("owner") == h.OWNER and rt.get("team") == "data" and
              rt.get("fixit:restored-from") == snap, "restore tags %r", rt)
        db = reg.db_instances.get("idle-db")
        check(db is not None and db["instance_class"] == "db.m5.large" and
              db["az"] == "eu-west-1b" and db["tags"]["team"] == "data" and
              db["tags"]["fixit:restored-from"] == snap,
              "restored instance %r", db)
        check(mutating_names(env) == ["RestoreDBInstanceFromDBSnapshot"],
              "undo sent %r", mutating_names(env))


def test_rds_dry_run():
    with env_for("pb-rds-dry", "rds-idle", RDS_PARAMS, dry_run=True) as env:
        reg = region(env)
        seed_rds(reg, time.time())
        env.start()
        check_scan_ok(env.scan())
        found = by_resource(env, "rds-idle")
        check(sorted(found) == ["idle-db", "nodata-db"], "found %r",
              sorted(found))
        fid = found["idle-db"]["id"]
        env.wait_state(fid, "fixed", timeout=30)
        check_no_mutation(env, "dry run")
        prior = env.finding(fid)["prior_state"]
        check_planned(prior, ["AddTagsToResource", "DeleteDBInstance"])
        check(prior["final_snapshot"] == "fixit-final-idle-db-%d" % fid,
              "dry-run prior %r", prior)
        check(reg.db_instances["idle-db"]["status"] == "available" and
              not reg.db_snapshots, "a dry run changed RDS")


def test_rds_verify_catches_ignored_delete():
    with env_for("pb-rds-verify", "rds-idle", RDS_PARAMS) as env:
        reg = region(env)
        reg.add_db_instance("idle-db", create_time=time.time() - 200 * DAY)
        scan_ignored(env, "rds-idle", "DeleteDBInstance", "still available")
        check(reg.db_instances["idle-db"]["status"] == "available" and
              not reg.db_snapshots, "RDS changed")


def test_rds_check_before_fix():
    with env_for("pb-rds-check", "rds-idle", RDS_PARAMS) as env:
        reg = region(env)
        old = time.time() - 200 * DAY
        for db in ("gone-db", "used-db", "deleting-db", "kept-db"):
            reg.add_db_instance(db, create_time=old)
        found = scan_paused(env, "rds-idle",
                            ["gone-db", "used-db", "deleting-db", "kept-db"])
        with env.aws._lock:
            del reg.db_instances["gone-db"]
            reg.add_db_connections("used-db", [(time.time() - DAY, 3)])
            reg.db_instances["deleting-db"]["status"] = "deleting"
            reg.db_instances["deleting-db"]["polls"] = 1000
            reg.db_instances["kept-db"]["tags"]["fixit:allow"] = "yes"
        resume_resolved(env, "rds-idle", found, {
            "gone-db": "gone", "used-db": "had connections",
            "deleting-db": "being deleted", "kept-db": "tagged to be kept"})


if __name__ == "__main__":
    h.run_tests(test_ebs_detect_fix_undo, test_ebs_dry_run,
                test_ebs_verify_catches_ignored_delete,
                test_ebs_check_before_fix, test_rds_detect_fix_undo,
                test_rds_dry_run, test_rds_verify_catches_ignored_delete,
                test_rds_check_before_fix)

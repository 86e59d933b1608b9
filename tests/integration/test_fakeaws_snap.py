#!/usr/bin/env python3
"""test_fakeaws_snap.py - the fake AWS's services for snapshot-stale and
redshift-idle (fakeaws_snap.py), against the fake alone: Redshift is its
own SigV4 service (signed as "redshift", API 2012-12-01; a request signed
for another service or with a wrong secret is refused), its listings and
the AMI and DB cluster snapshot listings page with their tokens, the
share attributes say who may restore a snapshot, and the deletes and the
restore change the state as AWS would.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from test_fakeaws import (A, R, Client, check, err, new_fake,  # noqa: E402
                          ok)

RS = "2012-12-01"


def rs(c, action, params=None, **kw):
    return c.form("redshift", action, params, version=RS, **kw)


def test_redshift_sigv4():
    """Signed as redshift: answered; a wrong secret or another service's
    scope is refused, as AWS would."""
    with new_fake() as fake:
        fake.account(A).region(R).add_redshift_cluster("wh1")
        c = Client(fake)
        r = ok(rs(c, "DescribeClusters"), "describe")
        check(r.find("DescribeClustersResult/Clusters/Cluster/"
                     "ClusterIdentifier") == "wh1", "%r", r)
        [call] = fake.calls(action="DescribeClusters")
        check(call.service == "redshift" and call.signature_ok,
              "recorded %r", call)
        err(rs(c, "DescribeClusters", secret="wrong"), 403,
            "SignatureDoesNotMatch", "wrong secret")
        r = c.form("ec2", "DescribeClusters", version=RS)
        check(r.status >= 400, "DescribeClusters signed as ec2: %r", r)
        err(rs(c, "DescribeClusters", {"ClusterIdentifier": "nope"}), 404,
            "ClusterNotFound", "unknown cluster")


def test_redshift_paging_delete_restore():
    with new_fake() as fake:
        reg = fake.account(A).region(R)
        for i in range(3):
            reg.add_redshift_cluster("wh%d" % i, tags={"team": "t%d" % i})
        reg.add_reserved_node("dc2.large", 2)
        reg.add_reserved_node("ra3.xlplus", 1, state="retired")
        c = Client(fake)
        fake.set_page_size(1, action="DescribeClusters")
        seen, marker = [], None
        for _ in range(5):
            p = {"MaxRecords": "20"}
            if marker:
                p["Marker"] = marker
            r = ok(rs(c, "DescribeClusters", p), "page")
            seen += [e for e in r.findall(
                "DescribeClustersResult/Clusters/Cluster/ClusterIdentifier")]
            marker = r.find("DescribeClustersResult/Marker")
            if not marker:
                break
        check(seen == ["wh0", "wh1", "wh2"], "paged %r", seen)
        fake.set_page_size(1, action="DescribeReservedNodes")
        r = ok(rs(c, "DescribeReservedNodes"), "reserved")
        check(r.find("DescribeReservedNodesResult/Marker"), "%r", r)
        err(rs(c, "DeleteCluster", {"ClusterIdentifier": "wh0"}), 400,
            "InvalidParameterCombination", "no final snapshot named")
        ok(rs(c, "DeleteCluster", {"ClusterIdentifier": "wh0",
                                   "FinalClusterSnapshotIdentifier": "f0"}),
           "delete")
        check(reg.redshift_clusters["wh0"]["status"] == "deleting",
              "%r", reg.redshift_clusters["wh0"])
        err(rs(c, "RestoreFromClusterSnapshot", {
            "ClusterIdentifier": "wh0b", "SnapshotIdentifier": "f0"}), 400,
            "InvalidClusterSnapshotState", "snapshot still creating")
        for _ in range(3):
            rs(c, "DescribeClusters")
        check("wh0" not in reg.redshift_clusters and
              reg.redshift_snapshots["f0"]["status"] == "available",
              "after polls: %r", reg.redshift_snapshots)
        ok(rs(c, "RestoreFromClusterSnapshot", {
            "ClusterIdentifier": "wh0", "SnapshotIdentifier": "f0",
            "NodeType": "ra3.4xlarge", "NumberOfNodes": "4",
            "VpcSecurityGroupIds.VpcSecurityGroupId.1": "sg-1",
            "IamRoles.IamRoleArn.1": "arn:aws:iam::%s:role/r" % A}),
           "restore")
        got = reg.redshift_clusters["wh0"]
        check(got["node_type"] == "ra3.4xlarge" and got["nodes"] == 4 and
              got["security_groups"] == ["sg-1"] and
              got["restored_from"] == "f0", "restored %r", got)
        ok(rs(c, "CreateTags", {
            "ResourceName": "arn:aws:redshift:%s:%s:cluster:wh0" % (R, A),
            "Tags.Tag.1.Key": "team", "Tags.Tag.1.Value": "t0"}), "tags")
        check(got["tags"] == {"team": "t0"}, "%r", got["tags"])


def test_images_and_rds_snapshots():
    with new_fake() as fake:
        reg = fake.account(A).region(R)
        sid = reg.add_snapshot()
        for _ in range(3):
            reg.add_image(snapshots=[sid])
        reg.add_image()
        c = Client(fake)
        fake.set_page_size(2, action="DescribeImages")
        p = {"Owner.1": "self", "MaxResults": "5",
             "Filter.1.Name": "block-device-mapping.snapshot-id",
             "Filter.1.Value.1": sid}
        r = ok(c.ec2("DescribeImages", p), "images page 1")
        check(len(r.findall("imagesSet/item")) == 2 and r.find("nextToken"),
              "%r", r)
        p["NextToken"] = r.find("nextToken")
        r = ok(c.ec2("DescribeImages", p), "images page 2")
        check(len(r.findall("imagesSet/item")) == 1 and
              not r.find("nextToken"), "%r", r)
        reg.add_db_snapshot("m1", "db1")
        reg.add_db_cluster_snapshot("c1")
        reg.add_db_cluster_snapshot("c2", snapshot_type="automated")
        r = ok(c.form("rds", "DescribeDBClusterSnapshots",
                      {"SnapshotType": "manual"}), "cluster snapshots")
        check([e for e in r.findall(
            "DescribeDBClusterSnapshotsResult/DBClusterSnapshots/"
            "DBClusterSnapshot/DBClusterSnapshotIdentifier")] == ["c1"],
            "%r", r)
        ok(c.form("rds", "DeleteDBClusterSnapshot",
                  {"DBClusterSnapshotIdentifier": "c1"}), "delete c1")
        err(c.form("rds", "DeleteDBClusterSnapshot",
                   {"DBClusterSnapshotIdentifier": "c1"}), 404,
            "DBClusterSnapshotNotFoundFault", "c1 again")
        ok(c.form("rds", "DeleteDBSnapshot",
                  {"DBSnapshotIdentifier": "m1"}), "delete m1")
        check("m1" not in reg.db_snapshots and
              "c1" not in reg.db_cluster_snapshots, "state")
        reg.snapshots[sid]["shared_with"] = ["all", "444455556666"]
        r = ok(c.ec2("DescribeSnapshotAttribute", {
            "SnapshotId": sid, "Attribute": "createVolumePermission"}),
            "snapshot attribute")
        check(r.findall("createVolumePermission/item/group") == ["all"] and
              r.findall("createVolumePermission/item/userId") ==
              ["444455556666"], "%r", r)
        reg.add_db_snapshot("m2", "db1")
        reg.db_snapshots["m2"]["shared_with"] = ["444455556666"]
        r = ok(c.form("rds", "DescribeDBSnapshotAttributes",
                      {"DBSnapshotIdentifier": "m2"}), "db attributes")
        check(r.findall("DescribeDBSnapshotAttributesResult/"
                        "DBSnapshotAttributesResult/DBSnapshotAttributes/"
                        "DBSnapshotAttribute/AttributeValues/"
                        "AttributeValue") == ["444455556666"], "%r", r)
        r = ok(c.form("rds", "DescribeDBClusterSnapshotAttributes",
                      {"DBClusterSnapshotIdentifier": "c2"}),
               "cluster attributes, none shared")
        check(r.findall("DescribeDBClusterSnapshotAttributesResult/"
                        "DBClusterSnapshotAttributesResult/"
                        "DBClusterSnapshotAttributes/"
                        "DBClusterSnapshotAttribute/AttributeName") ==
              ["restore"], "%r", r)


TESTS = (test_redshift_sigv4, test_redshift_paging_delete_restore,
         test_images_and_rds_snapshots)


if __name__ == "__main__":
    harness.run_tests(*TESTS, needs_fixitd=False)

"""fakeaws_snap.py - the fake's actions for snapshot-stale and
redshift-idle: EC2 DescribeImages (AMIs and the snapshots behind them),
RDS DeleteDBSnapshot and DB cluster snapshots, and Redshift (Query
protocol, API version 2012-12-01, signed as "redshift"): clusters, their
snapshots, reserved nodes. The CloudWatch numbers redshift-idle reads
come from the shared GetMetricStatistics (add_metric, namespace
AWS/Redshift). Standard library only.

The Region seeding helpers of these resources are defined here and set
on fakeaws_state.Region (add_image, add_db_cluster_snapshot,
add_redshift_cluster, add_redshift_snapshot, add_reserved_node); the
seed keys are in fakeaws_state.REGION_SEEDS.

State (fakeaws_state.Region):
  images                {id: {id, name, state, snapshots [ids], tags,
                        creation_date}}
  db_cluster_snapshots  {identifier: {id, arn, cluster, status,
                        snapshot_type, engine, storage, create_time, tags}}
  redshift_clusters     {identifier: {id, node_type, nodes, status,
                        create_time, subnet_group, parameter_group,
                        security_groups, iam_roles, encrypted, kms_key_id,
                        tags, restored_from, polls, ...}}
  redshift_snapshots    {identifier: {id, cluster, status, snapshot_type,
                        create_time, node_type, nodes, size_mb, tags, polls}}
  reserved_nodes        [{id, node_type, count, state}]
A snapshot (EBS, DB, DB cluster) may carry "shared_with": [account id or
"all"], what its attribute actions answer (set it with a case's change).
"""

from fakeaws_proto import (SERVICES, AWSError, action, as_list,
                           el, items, opt, paginate)
import fakeaws_state
from fakeaws_state import DEFAULT_TIME, iso, locked, parse_time, tag_dict

SERVICES.setdefault("redshift", (
    "query", "2012-12-01", "http://redshift.amazonaws.com/doc/2012-12-01/"))


# ---- seeding (set on fakeaws_state.Region) ----------------------------------

def _t(v):
    return parse_time(v) if v is not None else DEFAULT_TIME


@locked
def add_db_cluster_snapshot(self, identifier, cluster="aurora1",
                            status="available", snapshot_type="manual",
                            engine="aurora-mysql", storage=1,
                            create_time=None, tags=None):
    """A DB cluster snapshot. Returns its identifier."""
    self.db_cluster_snapshots[identifier] = {
        "id": identifier,
        "arn": "arn:aws:rds:%s:%s:cluster-snapshot:%s" % (
            self.name, self.account.id, identifier),
        "cluster": cluster, "status": status, "snapshot_type": snapshot_type,
        "engine": engine, "storage": int(storage),
        "create_time": _t(create_time), "tags": tag_dict(tags)}
    return identifier


@locked
def add_redshift_cluster(self, identifier, node_type="ra3.xlplus", nodes=2,
                         status="available", create_time=None,
                         subnet_group="default", parameter_group=None,
                         security_groups=("sg-0rs0000000000001",),
                         iam_roles=(), encrypted=False, kms_key_id=None,
                         tags=None, publicly_accessible=False, port=5439,
                         az=None, restored_from=None):
    """A Redshift cluster. Returns its identifier."""
    self.redshift_clusters[identifier] = {
        "id": identifier, "node_type": node_type, "nodes": int(nodes),
        "status": status, "create_time": _t(create_time),
        "subnet_group": subnet_group,
        "parameter_group": parameter_group or "default.redshift-1.0",
        "security_groups": list(security_groups),
        "iam_roles": list(iam_roles), "encrypted": bool(encrypted),
        "kms_key_id": kms_key_id, "tags": tag_dict(tags),
        "publicly_accessible": bool(publicly_accessible), "port": int(port),
        "az": az or self.name + "a", "master_username": "admin",
        "db_name": "dev", "restored_from": restored_from, "polls": 0}
    return identifier


@locked
def add_redshift_snapshot(self, identifier, cluster, status="available",
                          snapshot_type="manual", create_time=None,
                          node_type="ra3.xlplus", nodes=2, size_mb=1024,
                          tags=None, polls=0):
    """A Redshift cluster snapshot. Returns its identifier."""
    self.redshift_snapshots[identifier] = {
        "id": identifier, "cluster": cluster, "status": status,
        "snapshot_type": snapshot_type, "create_time": _t(create_time),
        "node_type": node_type, "nodes": int(nodes), "size_mb": size_mb,
        "tags": tag_dict(tags), "polls": int(polls)}
    return identifier


@locked
def add_reserved_node(self, node_type="ra3.xlplus", count=1, state="active"):
    """A Redshift reserved node offering bought. Returns its id."""
    rid = self._id("", 8, "hex") + "-reserved"
    self.reserved_nodes.append({"id": rid, "node_type": node_type,
                                "count": int(count), "state": state})
    return rid


for _f in (add_db_cluster_snapshot, add_redshift_cluster,
           add_redshift_snapshot, add_reserved_node):
    setattr(fakeaws_state.Region, _f.__name__, _f)


# EC2 images: fakeaws_images.py


@action("ec2", "DescribeSnapshotAttribute", ("SnapshotId", "Attribute"),
        ("SnapshotId", "Attribute"))
def describe_snapshot_attribute(ctx):
    """Who may create volumes from the snapshot: its "shared_with" (account
    ids, or "all" for the public; absent: nobody)."""
    sid = ctx.str("SnapshotId")
    s = ctx.reg.snapshots.get(sid)
    if s is None:
        raise AWSError("InvalidSnapshot.NotFound", "The snapshot '%s' does "
                       "not exist." % sid)
    attr = ctx.str("Attribute")
    if attr not in ("createVolumePermission", "productCodes"):
        raise AWSError("InvalidParameterValue", "Value (%s) for parameter "
                       "attribute is invalid." % attr)
    perms = [el("group", w) if w == "all" else el("userId", w)
             for w in s.get("shared_with") or ()]
    return [el("snapshotId", sid),
            items(attr, perms if attr == "createVolumePermission" else [])]


def _x_restore_attr(tag, shared):
    return el(tag, el("AttributeName", "restore"),
              el("AttributeValues", [el("AttributeValue", w)
                                     for w in shared or ()]))


# ======================================================================
# RDS snapshots
# ======================================================================

def _rds_page(ctx, seq):
    size = ctx.int("MaxRecords", 100, 20, 100)
    page, token = paginate(ctx, seq, size, ctx.str("Marker"),
                           "InvalidParameterValue")
    return page, opt("Marker", token)


def _tag_list(tags):
    return el("TagList", [el("Tag", el("Key", k), el("Value", v))
                          for k, v in tags.items()])


@action("rds", "DeleteDBSnapshot", ("DBSnapshotIdentifier",),
        ("DBSnapshotIdentifier",))
def delete_db_snapshot(ctx):
    from fakeaws_services import _dbsnap, _x_dbsnap
    s = _dbsnap(ctx, ctx.str("DBSnapshotIdentifier"))
    if s["status"] != "available":
        raise AWSError("InvalidDBSnapshotState", "Cannot delete the snapshot "
                       "because it is not in available state.")
    del ctx.reg.db_snapshots[s["id"]]
    return [_x_dbsnap(dict(s, status="deleted"))]


def _x_cluster_snap(s):
    return el("DBClusterSnapshot", [
        el("DBClusterSnapshotIdentifier", s["id"]),
        el("DBClusterIdentifier", s["cluster"]),
        el("SnapshotCreateTime", iso(s["create_time"])),
        el("Engine", s["engine"]), el("AllocatedStorage", s["storage"]),
        el("Status", s["status"]), el("SnapshotType", s["snapshot_type"]),
        el("PercentProgress", 100), el("StorageEncrypted", False),
        el("DBClusterSnapshotArn", s["arn"]), _tag_list(s["tags"])])


def _cluster_snap(ctx, ident):
    s = ctx.reg.db_cluster_snapshots.get(ident)
    if s is None:
        raise AWSError("DBClusterSnapshotNotFoundFault", "DBClusterSnapshot "
                       "%s not found." % ident, 404)
    return s


@action("rds", "DescribeDBSnapshotAttributes", ("DBSnapshotIdentifier",),
        ("DBSnapshotIdentifier",))
def describe_db_snapshot_attributes(ctx):
    """The restore attribute: the snapshot's "shared_with" (account ids, or
    "all")."""
    from fakeaws_services import _dbsnap
    s = _dbsnap(ctx, ctx.str("DBSnapshotIdentifier"))
    return [el("DBSnapshotAttributesResult",
               el("DBSnapshotIdentifier", s["id"]),
               el("DBSnapshotAttributes", _x_restore_attr(
                   "DBSnapshotAttribute", s.get("shared_with"))))]


@action("rds", "DescribeDBClusterSnapshotAttributes",
        ("DBClusterSnapshotIdentifier",), ("DBClusterSnapshotIdentifier",))
def describe_db_cluster_snapshot_attributes(ctx):
    s = _cluster_snap(ctx, ctx.str("DBClusterSnapshotIdentifier"))
    return [el("DBClusterSnapshotAttributesResult",
               el("DBClusterSnapshotIdentifier", s["id"]),
               el("DBClusterSnapshotAttributes", _x_restore_attr(
                   "DBClusterSnapshotAttribute", s.get("shared_with"))))]


@action("rds", "DescribeDBClusterSnapshots",
        ("DBClusterIdentifier", "DBClusterSnapshotIdentifier",
         "SnapshotType", "Filters", "MaxRecords", "Marker", "IncludeShared",
         "IncludePublic", "DbClusterResourceId"))
def describe_db_cluster_snapshots(ctx):
    ident = ctx.str("DBClusterSnapshotIdentifier")
    snaps = [_cluster_snap(ctx, ident)] if ident else \
        list(ctx.reg.db_cluster_snapshots.values())
    cl = ctx.str("DBClusterIdentifier")
    if cl:
        snaps = [s for s in snaps if s["cluster"] == cl]
    stype = ctx.str("SnapshotType")
    if stype:
        snaps = [s for s in snaps if s["snapshot_type"] == stype]
    page, marker = _rds_page(ctx, snaps)
    return [marker, el("DBClusterSnapshots",
                       [_x_cluster_snap(s) for s in page])]


@action("rds", "DeleteDBClusterSnapshot", ("DBClusterSnapshotIdentifier",),
        ("DBClusterSnapshotIdentifier",))
def delete_db_cluster_snapshot(ctx):
    s = _cluster_snap(ctx, ctx.str("DBClusterSnapshotIdentifier"))
    if s["status"] != "available":
        raise AWSError("InvalidDBClusterSnapshotStateFault", "Cannot delete "
                       "the snapshot because it is not in available state.")
    del ctx.reg.db_cluster_snapshots[s["id"]]
    return [_x_cluster_snap(dict(s, status="deleted"))]


# ======================================================================
# Redshift
# ======================================================================

def _rs_page(ctx, seq):
    size = ctx.int("MaxRecords", 100, 20, 100)
    page, token = paginate(ctx, seq, size, ctx.str("Marker"),
                           "InvalidParameterValue")
    return page, opt("Marker", token)


def _rs_tags(tags):
    return el("Tags", [el("Tag", el("Key", k), el("Value", v))
                       for k, v in tags.items()])


def _x_cluster(c):
    return el("Cluster", [
        el("ClusterIdentifier", c["id"]), el("NodeType", c["node_type"]),
        el("ClusterStatus", c["status"]),
        el("ClusterAvailabilityStatus",
           "Available" if c["status"] == "available" else "Unavailable"),
        el("MasterUsername", c["master_username"]), el("DBName", c["db_name"]),
        el("Endpoint", el("Address", "%s.abc123xyz.%s.redshift.amazonaws.com"
                          % (c["id"], c["az"][:-1])), el("Port", c["port"])),
        el("ClusterCreateTime", iso(c["create_time"])),
        el("AutomatedSnapshotRetentionPeriod", 1),
        el("VpcSecurityGroups", [el("VpcSecurityGroup",
                                    el("VpcSecurityGroupId", g),
                                    el("Status", "active"))
                                 for g in c["security_groups"]]),
        el("ClusterParameterGroups", el("ClusterParameterGroup", el(
            "ParameterGroupName", c["parameter_group"]),
            el("ParameterApplyStatus", "in-sync"))),
        el("ClusterSubnetGroupName", c["subnet_group"]),
        el("VpcId", "vpc-0rs00000000000001"),
        el("AvailabilityZone", c["az"]), el("NumberOfNodes", c["nodes"]),
        el("PubliclyAccessible", c["publicly_accessible"]),
        el("Encrypted", c["encrypted"]),
        None if not c["kms_key_id"] else el("KmsKeyId", c["kms_key_id"]),
        _rs_tags(c["tags"]),
        el("IamRoles", [el("ClusterIamRole", el("IamRoleArn", r),
                           el("ApplyStatus", "in-sync"))
                        for r in c["iam_roles"]])])


def _cluster(ctx, ident):
    c = ctx.reg.redshift_clusters.get(ident)
    if c is None:
        raise AWSError("ClusterNotFound", "Cluster %s not found." % ident,
                       404)
    return c


def _tick_clusters(reg):
    for c in list(reg.redshift_clusters.values()):
        if c["status"] in ("creating", "deleting", "restoring"):
            if c["polls"] > 0:
                c["polls"] -= 1
            elif c["status"] == "deleting":
                del reg.redshift_clusters[c["id"]]
            else:
                c["status"] = "available"
    for s in reg.redshift_snapshots.values():
        if s["status"] == "creating":
            if s["polls"] > 0:
                s["polls"] -= 1
            else:
                s["status"] = "available"


@action("redshift", "DescribeClusters", ("ClusterIdentifier", "MaxRecords",
                                         "Marker", "TagKeys", "TagValues"))
def describe_clusters(ctx):
    _tick_clusters(ctx.reg)
    ident = ctx.str("ClusterIdentifier")
    cls = [_cluster(ctx, ident)] if ident else \
        list(ctx.reg.redshift_clusters.values())
    page, marker = _rs_page(ctx, cls)
    return [el("Clusters", [_x_cluster(c) for c in page]), marker]


def _x_rs_snap(s):
    return el("Snapshot", [
        el("SnapshotIdentifier", s["id"]),
        el("ClusterIdentifier", s["cluster"]),
        el("SnapshotCreateTime", iso(s["create_time"])),
        el("Status", s["status"]), el("SnapshotType", s["snapshot_type"]),
        el("NodeType", s["node_type"]), el("NumberOfNodes", s["nodes"]),
        el("TotalBackupSizeInMegaBytes", s["size_mb"]),
        _rs_tags(s["tags"])])


@action("redshift", "DeleteCluster", ("ClusterIdentifier",
                                      "SkipFinalClusterSnapshot",
                                      "FinalClusterSnapshotIdentifier",
                                      "FinalClusterSnapshotRetentionPeriod"),
        ("ClusterIdentifier",))
def delete_cluster(ctx):
    c = _cluster(ctx, ctx.str("ClusterIdentifier"))
    if c["status"] not in ("available", "paused"):
        raise AWSError("InvalidClusterState", "There is an operation running "
                       "on the Cluster. Please try to delete it at a later "
                       "time.")
    skip = ctx.bool("SkipFinalClusterSnapshot", False)
    final = ctx.str("FinalClusterSnapshotIdentifier")
    if not skip and not final:
        raise AWSError("InvalidParameterCombination", "FinalClusterSnapshot"
                       "Identifier is required unless SkipFinalCluster"
                       "Snapshot is specified.")
    if final:
        if final in ctx.reg.redshift_snapshots:
            raise AWSError("ClusterSnapshotAlreadyExists", "Cannot create the "
                           "snapshot because a snapshot with the identifier "
                           "%s already exists." % final)
        ctx.reg.redshift_snapshots[final] = {
            "id": final, "cluster": c["id"], "status": "creating",
            "snapshot_type": "manual", "create_time": ctx.fake.now(),
            "node_type": c["node_type"], "nodes": c["nodes"],
            "size_mb": 2048, "tags": {}, "polls": 1}
    c["status"] = "deleting"
    c["polls"] = 1
    return [_x_cluster(c)]


@action("redshift", "DescribeClusterSnapshots",
        ("ClusterIdentifier", "SnapshotIdentifier", "SnapshotArn",
         "SnapshotType", "StartTime", "EndTime", "MaxRecords", "Marker",
         "OwnerAccount", "TagKeys", "TagValues", "ClusterExists",
         "SortingEntities"))
def describe_cluster_snapshots(ctx):
    _tick_clusters(ctx.reg)
    ident = ctx.str("SnapshotIdentifier")
    snaps = list(ctx.reg.redshift_snapshots.values())
    if ident:
        snaps = [s for s in snaps if s["id"] == ident]
        if not snaps:
            raise AWSError("ClusterSnapshotNotFound", "Snapshot %s not "
                           "found." % ident, 404)
    cl = ctx.str("ClusterIdentifier")
    if cl:
        snaps = [s for s in snaps if s["cluster"] == cl]
    page, marker = _rs_page(ctx, snaps)
    return [el("Snapshots", [_x_rs_snap(s) for s in page]), marker]


@action("redshift", "RestoreFromClusterSnapshot",
        ("ClusterIdentifier", "SnapshotIdentifier", "SnapshotArn",
         "SnapshotClusterIdentifier", "Port", "AvailabilityZone",
         "AllowVersionUpgrade", "ClusterSubnetGroupName",
         "PubliclyAccessible", "OwnerAccount", "HsmClientCertificateIdentifier",
         "HsmConfigurationIdentifier", "ElasticIp",
         "ClusterParameterGroupName", "ClusterSecurityGroups",
         "VpcSecurityGroupIds", "PreferredMaintenanceWindow",
         "AutomatedSnapshotRetentionPeriod",
         "ManualSnapshotRetentionPeriod", "KmsKeyId", "NodeType",
         "EnhancedVpcRouting", "AdditionalInfo", "IamRoles",
         "MaintenanceTrackName", "SnapshotScheduleIdentifier",
         "NumberOfNodes", "AvailabilityZoneRelocation", "AquaConfiguration",
         "DefaultIamRoleArn", "ReservedNodeId", "TargetReservedNodeOfferingId",
         "Encrypted", "ManageMasterPassword", "MasterPasswordSecretKmsKeyId",
         "IpAddressType", "MultiAZ"),
        ("ClusterIdentifier",))
def restore_from_cluster_snapshot(ctx):
    _tick_clusters(ctx.reg)
    sid = ctx.str("SnapshotIdentifier")
    s = ctx.reg.redshift_snapshots.get(sid or "")
    if s is None:
        raise AWSError("ClusterSnapshotNotFound", "Snapshot %s not found."
                       % sid, 404)
    if s["status"] != "available":
        raise AWSError("InvalidClusterSnapshotState", "Snapshot %s is not "
                       "available." % sid)
    ident = ctx.str("ClusterIdentifier")
    if ident in ctx.reg.redshift_clusters:
        raise AWSError("ClusterAlreadyExists", "Cluster %s already exists."
                       % ident)
    sgs = [str(v) for v in as_list(ctx.get("VpcSecurityGroupIds"))]
    roles = [str(v) for v in as_list(ctx.get("IamRoles"))]
    ctx.reg.add_redshift_cluster(
        ident, node_type=ctx.str("NodeType", s["node_type"]),
        nodes=ctx.int("NumberOfNodes", s["nodes"], 1, 128),
        status="creating", create_time=ctx.fake.now(),
        subnet_group=ctx.str("ClusterSubnetGroupName", "default"),
        parameter_group=ctx.str("ClusterParameterGroupName"),
        security_groups=sgs, iam_roles=roles,
        encrypted=ctx.bool("Encrypted", False),
        kms_key_id=ctx.str("KmsKeyId"),
        publicly_accessible=ctx.bool("PubliclyAccessible", False),
        port=ctx.int("Port", 5439, 1115, 65535),
        az=ctx.str("AvailabilityZone"), restored_from=sid)
    c = ctx.reg.redshift_clusters[ident]
    c["polls"] = 1
    return [_x_cluster(c)]


@action("redshift", "CreateTags", ("ResourceName", "Tags"),
        ("ResourceName", "Tags"))
def rs_create_tags(ctx):
    arn = ctx.str("ResourceName")
    name = arn.rsplit(":", 1)[-1].split("/")[-1]
    target = ctx.reg.redshift_clusters.get(name) \
        if ":cluster:" in arn else ctx.reg.redshift_snapshots.get(name)
    if target is None:
        raise AWSError("ResourceNotFound", "The resource %s was not found."
                       % arn, 404)
    target["tags"].update(tag_dict(as_list(ctx.get("Tags"))))
    return []


@action("redshift", "DescribeReservedNodes", ("ReservedNodeId", "MaxRecords",
                                              "Marker"))
def describe_reserved_nodes(ctx):
    page, marker = _rs_page(ctx, list(ctx.reg.reserved_nodes))
    return [el("ReservedNodes", [el("ReservedNode", [
        el("ReservedNodeId", r["id"]), el("NodeType", r["node_type"]),
        el("NodeCount", r["count"]), el("State", r["state"])])
        for r in page]), marker]

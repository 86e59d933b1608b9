"""fakeaws_services.py - STS, IAM, RDS, CloudWatch (Query protocol),
Route 53 and CloudFront (REST-XML) and CloudTrail (JSON 1.1) for
fakeaws.py. Standard library only."""

import json
import re
import urllib.parse
import xml.etree.ElementTree as ET

from fakeaws_proto import (AWSError, CF_NS, R53_NS, action, as_list, el,
                           items, opt, paginate, route, xml_doc)
from fakeaws_state import iso, norm_dns, parse_time, tag_dict

# ======================================================================
# STS
# ======================================================================

ROLE_ARN = re.compile(r"^arn:aws:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*"
                      r"([\w+=,.@-]{1,64})$")
SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")


def _x_creds(c):
    return el("Credentials", el("AccessKeyId", c.access_key_id),
              el("SecretAccessKey", c.secret),
              el("SessionToken", c.token),
              el("Expiration", iso(c.expiration, ms=False)))


def _assume_common(ctx, caller_arn):
    arn = ctx.str("RoleArn")
    session = ctx.str("RoleSessionName")
    m = ROLE_ARN.match(arn or "")
    if not m:
        raise AWSError("ValidationError", "%s is invalid" % arn)
    if not SESSION_NAME.match(session or ""):
        raise AWSError("ValidationError", "1 validation error detected: "
                       "Value '%s' at 'roleSessionName' failed to satisfy "
                       "constraint" % session)
    acct_id, name = m.groups()
    acct = ctx.fake.accounts.get(acct_id)
    role = acct.roles.get(name) if acct else None
    denied = AWSError("AccessDenied", "User: %s is not authorized to "
                      "perform: sts:AssumeRole on resource: %s"
                      % (caller_arn, arn), 403)
    if role is None:
        raise denied
    seconds = ctx.int("DurationSeconds", 3600, 900, 43200)
    if seconds > role["max_session"]:
        raise AWSError("ValidationError", "The requested DurationSeconds "
                       "exceeds the MaxSessionDuration set for this role.")
    return acct, role, session, seconds, denied


def _x_assumed(acct, role, session):
    return el("AssumedRoleUser",
              el("Arn", "arn:aws:sts::%s:assumed-role/%s/%s"
                 % (acct.id, role["name"], session)),
              el("AssumedRoleId", "%s:%s" % (role["id"], session)))


@action("sts", "AssumeRole",
        ("RoleArn", "RoleSessionName", "ExternalId", "DurationSeconds",
         "Policy", "PolicyArns", "Tags", "TransitiveTagKeys", "SerialNumber",
         "TokenCode", "SourceIdentity", "ProvidedContexts"),
        ("RoleArn", "RoleSessionName"))
def assume_role(ctx):
    acct, role, session, seconds, denied = _assume_common(
        ctx, ctx.fake.principal_arn(ctx.call.creds))
    if role["external_id"] is not None and \
            ctx.str("ExternalId") != role["external_id"]:
        raise denied
    c = ctx.fake._issue("assume", acct.id, role["name"], session, seconds,
                        source=ctx.call.access_key_id)
    pol = ctx.str("Policy")
    return [el("SourceIdentity", ctx.str("SourceIdentity"))
            if ctx.str("SourceIdentity") else None,
            _x_assumed(acct, role, session), _x_creds(c),
            el("PackedPolicySize", min(99, len(pol) // 20 + 1))
            if pol else None]


@action("sts", "AssumeRoleWithWebIdentity",
        ("RoleArn", "RoleSessionName", "WebIdentityToken", "ProviderId",
         "Policy", "PolicyArns", "DurationSeconds"),
        ("RoleArn", "RoleSessionName", "WebIdentityToken"))
def assume_role_with_web_identity(ctx):
    tok = ctx.str("WebIdentityToken")
    if tok not in ctx.fake.web_identity_tokens:
        raise AWSError("InvalidIdentityToken", "The ID Token provided is not "
                       "a valid JWT. (You may see this error if you sent an "
                       "Access Token)")
    acct, role, session, seconds, _ = _assume_common(
        ctx, "web-identity:%s" % tok[:8])
    c = ctx.fake._issue("web", acct.id, role["name"], session, seconds)
    return [el("Audience", "sts.amazonaws.com"),
            _x_assumed(acct, role, session), _x_creds(c),
            el("Provider", "fakeaws"),
            el("SubjectFromWebIdentityToken", "system:serviceaccount:fixit")]


@action("sts", "GetCallerIdentity", ())
def get_caller_identity(ctx):
    c = ctx.call.creds
    if c.role:
        uid = "%s:%s" % (ctx.fake.account(c.account).roles.get(
            c.role, {"id": "AROAUNKNOWN"})["id"], c.session)
    else:
        uid = "AIDA" + c.access_key_id[4:]
    return [el("Arn", ctx.fake.principal_arn(c)), el("UserId", uid),
            el("Account", c.account)]


# ======================================================================
# IAM
# ======================================================================

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
     "Action": "sts:AssumeRole"}]})


def _urlenc(doc):
    return urllib.parse.quote(doc, safe="-_.~")


def _role(ctx, name=None):
    name = name or ctx.str("RoleName")
    r = ctx.acct.roles.get(name)
    if r is None:
        raise AWSError("NoSuchEntity", "The role with name %s cannot be "
                       "found." % name, 404)
    return r


def _x_role(r):
    return [el("Path", r["path"]), el("RoleName", r["name"]),
            el("RoleId", r["id"]), el("Arn", r["arn"]),
            el("CreateDate", iso(r["create_time"])),
            el("AssumeRolePolicyDocument", _urlenc(TRUST))]


def _marker_page(ctx, seq):
    size = ctx.int("MaxItems", 100, 1, 1000)
    page, token = paginate(ctx, seq, size, ctx.str("Marker"),
                           "InvalidInput" if ctx.service == "iam"
                           else "InvalidParameterValue")
    return page, [el("IsTruncated", token is not None), opt("Marker", token)]


@action("iam", "GetInstanceProfile", ("InstanceProfileName",),
        ("InstanceProfileName",))
def get_instance_profile(ctx):
    name = ctx.str("InstanceProfileName")
    p = ctx.acct.instance_profiles.get(name)
    if p is None:
        raise AWSError("NoSuchEntity", "Instance Profile %s cannot be found."
                       % name, 404)
    return [el("InstanceProfile", el("Path", p["path"]),
               el("InstanceProfileName", p["name"]),
               el("InstanceProfileId", p["id"]), el("Arn", p["arn"]),
               el("CreateDate", iso(p["create_time"])),
               items("Roles", [_x_role(ctx.acct.roles[r])
                               for r in p["roles"]], "member"))]


@action("iam", "GetRole", ("RoleName",), ("RoleName",))
def get_role(ctx):
    return [el("Role", _x_role(_role(ctx)))]


POLICY_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")


@action("iam", "PutRolePolicy", ("RoleName", "PolicyName",
                                 "PolicyDocument"),
        ("RoleName", "PolicyName", "PolicyDocument"))
def put_role_policy(ctx):
    r = _role(ctx)
    name, doc = ctx.str("PolicyName"), ctx.str("PolicyDocument")
    if not POLICY_NAME.match(name):
        raise AWSError("ValidationError", "The specified value for "
                       "policyName is invalid.")
    try:
        if not isinstance(json.loads(doc), dict):
            raise ValueError
    except ValueError:
        raise AWSError("MalformedPolicyDocument", "Syntax errors in policy.")
    r["policies"][name] = doc
    return None


@action("iam", "GetRolePolicy", ("RoleName", "PolicyName"),
        ("RoleName", "PolicyName"))
def get_role_policy(ctx):
    r = _role(ctx)
    name = ctx.str("PolicyName")
    if name not in r["policies"]:
        raise AWSError("NoSuchEntity", "The role policy with name %s cannot "
                       "be found." % name, 404)
    return [el("RoleName", r["name"]), el("PolicyName", name),
            el("PolicyDocument", _urlenc(r["policies"][name]))]


@action("iam", "DeleteRolePolicy", ("RoleName", "PolicyName"),
        ("RoleName", "PolicyName"))
def delete_role_policy(ctx):
    r = _role(ctx)
    name = ctx.str("PolicyName")
    if name not in r["policies"]:
        raise AWSError("NoSuchEntity", "The role policy with name %s cannot "
                       "be found." % name, 404)
    del r["policies"][name]
    return None


@action("iam", "ListRolePolicies", ("RoleName", "Marker", "MaxItems"),
        ("RoleName",))
def list_role_policies(ctx):
    page, tail = _marker_page(ctx, list(_role(ctx)["policies"]))
    return [items("PolicyNames", page, "member")] + tail


@action("iam", "AttachRolePolicy", ("RoleName", "PolicyArn"),
        ("RoleName", "PolicyArn"))
def attach_role_policy(ctx):
    r = _role(ctx)
    arn = ctx.str("PolicyArn")
    if not arn.startswith("arn:aws:iam::"):
        raise AWSError("InvalidInput", "ARN %s is not valid." % arn)
    if arn not in r["attached"]:
        r["attached"].append(arn)
    return None


@action("iam", "DetachRolePolicy", ("RoleName", "PolicyArn"),
        ("RoleName", "PolicyArn"))
def detach_role_policy(ctx):
    r = _role(ctx)
    arn = ctx.str("PolicyArn")
    if arn not in r["attached"]:
        raise AWSError("NoSuchEntity", "Policy %s was not found." % arn, 404)
    r["attached"].remove(arn)
    return None


@action("iam", "ListAttachedRolePolicies", ("RoleName", "PathPrefix",
                                            "Marker", "MaxItems"),
        ("RoleName",))
def list_attached_role_policies(ctx):
    page, tail = _marker_page(ctx, list(_role(ctx)["attached"]))
    return [items("AttachedPolicies", [
        [el("PolicyName", a.rsplit("/", 1)[-1]), el("PolicyArn", a)]
        for a in page], "member")] + tail


# ======================================================================
# RDS
# ======================================================================

def _rds_tags(tags):
    return el("TagList", [el("Tag", el("Key", k), el("Value", v))
                          for k, v in tags.items()])


def _x_db(db):
    return el("DBInstance", [
        el("DBInstanceIdentifier", db["id"]),
        el("DBInstanceClass", db["instance_class"]),
        el("Engine", db["engine"]), el("DBInstanceStatus", db["status"]),
        el("MasterUsername", db["master_username"]),
        None if db["status"] == "creating" else
        el("Endpoint", el("Address", db["address"]), el("Port", db["port"]),
           el("HostedZoneId", "Z2R2ITUGPM61AM")),
        el("AllocatedStorage", db["storage"]),
        el("InstanceCreateTime", iso(db["create_time"])),
        el("BackupRetentionPeriod", db["backup_retention"]),
        el("AvailabilityZone", db["az"]), el("MultiAZ", db["multi_az"]),
        el("EngineVersion", db["engine_version"]),
        el("PubliclyAccessible", db["publicly_accessible"]),
        el("StorageType", db["storage_type"]),
        el("DbiResourceId", db["resource_id"]),
        el("DeletionProtection", db["deletion_protection"]),
        el("DBParameterGroups", el("DBParameterGroup", el(
            "DBParameterGroupName", db["parameter_group"]),
            el("ParameterApplyStatus", "in-sync"))),
        el("OptionGroupMemberships", el("OptionGroupMembership", el(
            "OptionGroupName", db["option_group"]),
            el("Status", "in-sync"))),
        el("DBSubnetGroup", el("DBSubnetGroupName", db["subnet_group"]),
           el("SubnetGroupStatus", "Complete")),
        el("VpcSecurityGroups", [el("VpcSecurityGroupMembership",
                                    el("VpcSecurityGroupId", g),
                                    el("Status", "active"))
                                 for g in db["security_groups"]]),
        None if db["iops"] is None else el("Iops", db["iops"]),
        None if db["storage_throughput"] is None else
        el("StorageThroughput", db["storage_throughput"]),
        el("CopyTagsToSnapshot", db["copy_tags_to_snapshot"]),
        el("AutoMinorVersionUpgrade", db["auto_minor_version_upgrade"]),
        el("DBInstanceArn", db["arn"]), _rds_tags(db["tags"])])


def _x_dbsnap(s):
    return el("DBSnapshot", [
        el("DBSnapshotIdentifier", s["id"]),
        el("DBInstanceIdentifier", s["db_instance"]),
        el("SnapshotCreateTime", iso(s["create_time"]))
        if s["status"] == "available" else None,
        el("Engine", s["engine"]), el("AllocatedStorage", s["storage"]),
        el("Status", s["status"]), el("Port", s["port"]),
        el("AvailabilityZone", s["az"]),
        el("SnapshotType", s["snapshot_type"]),
        el("PercentProgress", 100 if s["status"] == "available" else 0),
        el("DBSnapshotArn", s["arn"]),
        _rds_tags(s["tags"]) if s["tags"] else None])


def _db(ctx, ident):
    db = ctx.reg.db_instances.get(ident)
    if db is None:
        raise AWSError("DBInstanceNotFound", "DBInstance %s not found."
                       % ident, 404)
    return db


def _dbsnap(ctx, ident):
    s = ctx.reg.db_snapshots.get(ident)
    if s is None:
        raise AWSError("DBSnapshotNotFound", "DBSnapshot %s not found."
                       % ident, 404)
    return s


def _tick_dbs(reg):
    """One DescribeDBInstances poll for every DB in a transient state."""
    for db in list(reg.db_instances.values()):
        if db["status"] in ("creating", "deleting"):
            if db["polls"] > 0:
                db["polls"] -= 1
            elif db["status"] == "deleting":
                del reg.db_instances[db["id"]]
            else:
                db["status"] = "available"


def _rds_filters(ctx):
    out = []
    for f in as_list(ctx.get("Filters")):
        out.append((f.get("Name"), [str(v) for v in
                                    as_list(f.get("Values"))]))
    return out


def _rds_page(ctx, seq):
    size = ctx.int("MaxRecords", 100, 20, 100)
    page, token = paginate(ctx, seq, size, ctx.str("Marker"),
                           "InvalidParameterValue")
    return page, opt("Marker", token)


@action("rds", "DescribeDBInstances", ("DBInstanceIdentifier", "Filters",
                                       "MaxRecords", "Marker"))
def describe_db_instances(ctx):
    reg = ctx.reg
    _tick_dbs(reg)
    ident = ctx.str("DBInstanceIdentifier")
    dbs = [_db(ctx, ident)] if ident else list(reg.db_instances.values())
    for name, vals in _rds_filters(ctx):
        key = {"db-instance-id": lambda d: (d["id"], d["arn"]),
               "engine": lambda d: (d["engine"],),
               "dbi-resource-id": lambda d: (d["resource_id"],)}.get(name)
        if key is None:
            raise AWSError("InvalidParameterValue", "Unrecognized filter "
                           "name: %s" % name)
        dbs = [d for d in dbs if set(key(d)) & set(vals)]
    page, marker = _rds_page(ctx, dbs)
    return [marker, el("DBInstances", [_x_db(d) for d in page])]


def _new_dbsnap(ctx, ident, db, tags=None):
    if ident in ctx.reg.db_snapshots:
        raise AWSError("DBSnapshotAlreadyExists", "Cannot create the "
                       "snapshot because a snapshot with the identifier %s "
                       "already exists." % ident)
    ctx.reg.add_db_snapshot(ident, db["id"], status="creating",
                            engine=db["engine"], storage=db["storage"],
                            port=db["port"], az=db["az"], tags=tags,
                            create_time=ctx.fake.now(),
                            polls=ctx.fake.polls["db_snapshot"])
    return ctx.reg.db_snapshots[ident]


@action("rds", "CreateDBSnapshot", ("DBSnapshotIdentifier",
                                    "DBInstanceIdentifier", "Tags"),
        ("DBSnapshotIdentifier", "DBInstanceIdentifier"))
def create_db_snapshot(ctx):
    db = _db(ctx, ctx.str("DBInstanceIdentifier"))
    if db["status"] != "available":
        raise AWSError("InvalidDBInstanceState", "Instance %s is not "
                       "currently in the available state." % db["id"])
    s = _new_dbsnap(ctx, ctx.str("DBSnapshotIdentifier"), db,
                    tag_dict(as_list(ctx.get("Tags"))))
    return [_x_dbsnap(s)]


@action("rds", "DescribeDBSnapshots",
        ("DBSnapshotIdentifier", "DBInstanceIdentifier", "SnapshotType",
         "Filters", "MaxRecords", "Marker", "IncludeShared",
         "IncludePublic"))
def describe_db_snapshots(ctx):
    reg = ctx.reg
    for s in reg.db_snapshots.values():
        if s["status"] == "creating":
            if s["polls"] > 0:
                s["polls"] -= 1
            else:
                s["status"] = "available"
    ident = ctx.str("DBSnapshotIdentifier")
    snaps = [_dbsnap(ctx, ident)] if ident else \
        list(reg.db_snapshots.values())
    inst = ctx.str("DBInstanceIdentifier")
    if inst:
        snaps = [s for s in snaps if s["db_instance"] == inst]
    stype = ctx.str("SnapshotType")
    if stype:
        snaps = [s for s in snaps if s["snapshot_type"] == stype]
    page, marker = _rds_page(ctx, snaps)
    return [marker, el("DBSnapshots", [_x_dbsnap(s) for s in page])]


@action("rds", "DeleteDBInstance", ("DBInstanceIdentifier",
                                    "SkipFinalSnapshot",
                                    "FinalDBSnapshotIdentifier",
                                    "DeleteAutomatedBackups"),
        ("DBInstanceIdentifier",))
def delete_db_instance(ctx):
    db = _db(ctx, ctx.str("DBInstanceIdentifier"))
    skip = ctx.bool("SkipFinalSnapshot", False)
    final = ctx.str("FinalDBSnapshotIdentifier")
    if db["status"] == "deleting":
        raise AWSError("InvalidDBInstanceState", "Instance %s is already "
                       "being deleted." % db["id"])
    if db["deletion_protection"]:
        raise AWSError("InvalidParameterCombination", "Cannot delete "
                       "protected DB Instance, please disable deletion "
                       "protection and try again.")
    if not skip and not final:
        raise AWSError("InvalidParameterCombination", "FinalDBSnapshot"
                       "Identifier is required unless SkipFinalSnapshot is "
                       "specified.")
    if skip and final:
        raise AWSError("InvalidParameterCombination", "Cannot specify "
                       "FinalDBSnapshotIdentifier when SkipFinalSnapshot is "
                       "true.")
    if final:
        _new_dbsnap(ctx, final, db, dict(db["tags"]))
    # AWS's default drops them: point-in-time recovery ends with the DB
    if not ctx.bool("DeleteAutomatedBackups", True) and \
            db["backup_retention"] > 0:
        ctx.reg.db_automated_backups[db["resource_id"]] = {
            "resource_id": db["resource_id"], "db_instance": db["id"],
            "arn": db["arn"], "status": "retained", "engine": db["engine"],
            "storage": db["storage"],
            "backup_retention": db["backup_retention"],
            "deleted_at": ctx.fake.now()}
    db["status"] = "deleting"
    db["polls"] = ctx.fake.polls["db_instance"]
    return [_x_db(db)]


@action("rds", "RestoreDBInstanceFromDBSnapshot",
        ("DBInstanceIdentifier", "DBSnapshotIdentifier", "DBInstanceClass",
         "Port", "AvailabilityZone", "DBSubnetGroupName", "MultiAZ",
         "PubliclyAccessible", "AutoMinorVersionUpgrade", "Engine",
         "StorageType", "Tags", "VpcSecurityGroupIds", "DeletionProtection",
         "CopyTagsToSnapshot", "DBParameterGroupName", "OptionGroupName",
         "Iops", "StorageThroughput", "AllocatedStorage",
         "BackupRetentionPeriod"),
        ("DBInstanceIdentifier", "DBSnapshotIdentifier"))
def restore_db_instance(ctx):
    reg = ctx.reg
    s = _dbsnap(ctx, ctx.str("DBSnapshotIdentifier"))
    ident = ctx.str("DBInstanceIdentifier")
    if s["status"] != "available":
        raise AWSError("InvalidDBSnapshotState", "Snapshot %s is not "
                       "available." % s["id"])
    if ident in reg.db_instances:
        raise AWSError("DBInstanceAlreadyExists", "DB instance already "
                       "exists")
    reg.add_db_instance(
        ident, engine=ctx.str("Engine", s["engine"]), status="creating",
        instance_class=ctx.str("DBInstanceClass", "db.t3.micro"),
        storage=s["storage"], az=ctx.str("AvailabilityZone"),
        tags=tag_dict(as_list(ctx.get("Tags"))),
        deletion_protection=ctx.bool("DeletionProtection"),
        publicly_accessible=ctx.bool("PubliclyAccessible"),
        multi_az=ctx.bool("MultiAZ"), port=ctx.int("Port", s["port"]),
        storage_type=ctx.str("StorageType", "gp2"),
        create_time=ctx.fake.now(),
        parameter_group=ctx.str("DBParameterGroupName"),
        option_group=ctx.str("OptionGroupName"),
        subnet_group=ctx.str("DBSubnetGroupName", "default"),
        security_groups=[str(g) for g in
                         as_list(ctx.get("VpcSecurityGroupIds"))],
        iops=ctx.int("Iops", None), storage_throughput=ctx.int(
            "StorageThroughput", None),
        backup_retention=ctx.int("BackupRetentionPeriod", 1),
        copy_tags_to_snapshot=ctx.bool("CopyTagsToSnapshot"),
        auto_minor_version_upgrade=ctx.bool("AutoMinorVersionUpgrade",
                                            True))
    db = reg.db_instances[ident]
    db["storage"] = ctx.int("AllocatedStorage", s["storage"])
    db["polls"] = ctx.fake.polls["db_instance"]
    return [_x_db(db)]


def _rds_resource(ctx, arn):
    m = re.match(r"^arn:aws:rds:([^:]+):(\d{12}):(db|snapshot):(.+)$",
                 arn or "")
    if not m:
        raise AWSError("InvalidParameterValue", "Invalid resource name: %s"
                       % arn)
    region, acct, kind, ident = m.groups()
    if region != ctx.region or acct != ctx.acct.id:
        raise AWSError("DBInstanceNotFound" if kind == "db" else
                       "DBSnapshotNotFound", "%s not found." % arn, 404)
    return _db(ctx, ident) if kind == "db" else _dbsnap(ctx, ident)


@action("rds", "AddTagsToResource", ("ResourceName", "Tags"),
        ("ResourceName", "Tags"))
def add_tags_to_resource(ctx):
    obj = _rds_resource(ctx, ctx.str("ResourceName"))
    obj["tags"].update(tag_dict(as_list(ctx.get("Tags"))))
    return None


@action("rds", "RemoveTagsFromResource", ("ResourceName", "TagKeys"),
        ("ResourceName", "TagKeys"))
def remove_tags_from_resource(ctx):
    obj = _rds_resource(ctx, ctx.str("ResourceName"))
    for k in as_list(ctx.get("TagKeys")):
        obj["tags"].pop(k, None)
    return None


@action("rds", "ListTagsForResource", ("ResourceName", "Filters"),
        ("ResourceName",))
def list_tags_for_resource(ctx):
    obj = _rds_resource(ctx, ctx.str("ResourceName"))
    return [_rds_tags(obj["tags"])]


# ======================================================================
# CloudWatch
# ======================================================================

STATS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")


@action("monitoring", "GetMetricStatistics",
        ("Namespace", "MetricName", "Dimensions", "StartTime", "EndTime",
         "Period", "Statistics", "ExtendedStatistics", "Unit"),
        ("Namespace", "MetricName", "StartTime", "EndTime", "Period"))
def get_metric_statistics(ctx):
    try:
        start = parse_time(ctx.str("StartTime"))
        end = parse_time(ctx.str("EndTime"))
    except ValueError as e:
        raise AWSError("InvalidParameterValue", str(e))
    period = ctx.int("Period", None, 1)
    if period >= 60 and period % 60 or period < 60 and \
            period not in (1, 5, 10, 30):
        raise AWSError("InvalidParameterValue", "The parameter Period must "
                       "be a multiple of 60.")
    if start >= end:
        raise AWSError("InvalidParameterValue", "The parameter StartTime "
                       "must be less than the parameter EndTime.")
    if (end - start) / period > 1440:
        raise AWSError("InvalidParameterCombination", "You have requested up "
                       "to %d datapoints, which exceeds the limit of 1440."
                       % ((end - start) // period))
    stats = [str(s) for s in as_list(ctx.get("Statistics"))]
    if not stats:
        raise AWSError("MissingParameter", "The parameter Statistics is "
                       "required.")
    for s in stats:
        if s not in STATS:
            raise AWSError("InvalidParameterValue", "The parameter "
                           "Statistics.member.1 must be a value in the set "
                           "[ %s ]." % ", ".join(STATS))
    dims = {}
    for d in as_list(ctx.get("Dimensions")):
        dims[d.get("Name")] = d.get("Value")
    ns, name = ctx.str("Namespace"), ctx.str("MetricName")
    buckets, unit = {}, "None"
    for m in ctx.reg.metrics:
        if m["namespace"] == ns and m["metric"] == name and \
                m["dimensions"] == dims:
            unit = m["unit"]
            for t, v in m["points"]:
                if start <= t < end:
                    buckets.setdefault(int((t - start) // period),
                                       []).append(v)
    out = []
    for k in sorted(buckets):
        vs = buckets[k]
        val = {"SampleCount": float(len(vs)), "Average": sum(vs) / len(vs),
               "Sum": float(sum(vs)), "Minimum": min(vs), "Maximum": max(vs)}
        out.append(el("member", el("Timestamp", iso(start + k * period,
                                                    ms=False)),
                      [el(s, repr(float(val[s]))) for s in stats],
                      el("Unit", ctx.str("Unit", unit))))
    return [el("Label", name), el("Datapoints", out)]


# ======================================================================
# Route 53 (REST-XML)
# ======================================================================

R53 = "/2013-04-01"
RR_TYPES = ("A", "AAAA", "CAA", "CNAME", "DS", "MX", "NAPTR", "NS", "PTR",
            "SOA", "SPF", "SRV", "TXT")


def _r53(root, *content):
    return xml_doc(str(el(root, *content)).replace(
        "<%s>" % root, '<%s xmlns="%s">' % (root, R53_NS), 1)
        .replace("<%s/>" % root, '<%s xmlns="%s"/>' % (root, R53_NS), 1))


def _out_name(n):
    return n.replace("*", "\\052")


def _zone(ctx, zid):
    zid = zid.split("/")[-1]
    z = ctx.acct.zones.get(zid)
    if z is None:
        raise AWSError("NoSuchHostedZone", "No hosted zone found with ID: %s"
                       % zid, 404)
    return z


def _x_zone(z):
    return el("HostedZone", el("Id", "/hostedzone/" + z["id"]),
              el("Name", _out_name(z["name"])),
              el("CallerReference", z["caller_reference"]),
              el("Config", opt("Comment", z["comment"]),
                 el("PrivateZone", z["private"])),
              el("ResourceRecordSetCount", len(z["records"])))


def _x_delegation(z):
    return el("DelegationSet", el("NameServers", [
        el("NameServer", n.rstrip(".")) for n in z["name_servers"]]))


def _change(ctx, comment=None):
    cid = ctx.fake._new_id("C", 13, "upper")
    info = {"id": cid, "submitted": ctx.fake.now(), "comment": comment}
    ctx.acct.changes[cid] = info
    return _x_change(info, "PENDING")


def _x_change(info, status):
    return el("ChangeInfo", el("Id", "/change/" + info["id"]),
              el("Status", status),
              el("SubmittedAt", iso(info["submitted"])),
              opt("Comment", info["comment"]))


def _q_int(ctx, name, default, lo, hi):
    v = ctx.query.get(name)
    if v is None:
        return default
    if not v.isdigit() or not lo <= int(v):
        raise AWSError("InvalidInput", "Invalid value for %s: %s" % (name, v))
    return min(int(v), hi)


@route("route53", "GET", R53 + "/hostedzone", "ListHostedZones")
def list_hosted_zones(ctx):
    zones = list(ctx.acct.zones.values())
    size = _q_int(ctx, "maxitems", 100, 1, 100)
    cap = ctx.fake.page_size_for("ListHostedZones")
    if cap:
        size = min(size, cap)
    marker = ctx.query.get("marker")
    start = 0
    if marker:
        ids = [z["id"] for z in zones]
        if marker not in ids:
            raise AWSError("InvalidInput", "Invalid marker: %s" % marker)
        start = ids.index(marker)
    page = zones[start:start + size]
    more = start + size < len(zones)
    return 200, _r53("ListHostedZonesResponse",
                     el("HostedZones", [_x_zone(z) for z in page]),
                     opt("Marker", marker), el("IsTruncated", more),
                     el("NextMarker", zones[start + size]["id"])
                     if more else None,
                     el("MaxItems", ctx.query.get("maxitems", "100")))


@route("route53", "GET", R53 + "/hostedzone/(?P<zone>[^/]+)",
       "GetHostedZone")
def get_hosted_zone(ctx):
    z = _zone(ctx, ctx.match["zone"])
    return 200, _r53("GetHostedZoneResponse", _x_zone(z), _x_delegation(z),
                     _x_vpcs(z))


def _x_vpcs(z):
    if not z.get("vpcs"):
        return None
    return el("VPCs", [el("VPC", el("VPCRegion", v["region"]),
                          el("VPCId", v["id"])) for v in z["vpcs"]])


def _vpc(root, required=False):
    """{region, id} of the request's <VPC>, or None"""
    v = root.find("{%s}VPC" % R53_NS)
    if v is None:
        if required:
            raise AWSError("InvalidInput", "Missing required element VPC")
        return None
    return {"region": _text(v, "VPCRegion", True),
            "id": _text(v, "VPCId", True)}


def _text(node, name, required=False):
    c = node.find("{%s}%s" % (R53_NS, name)) if node is not None else None
    if c is None or c.text is None:
        if required:
            raise AWSError("InvalidInput", "Missing required element %s"
                           % name)
        return None
    return c.text.strip()


def _body(ctx, root_name):
    try:
        root = ET.fromstring(ctx.body)
    except ET.ParseError as e:
        raise AWSError("MalformedInput", "Could not parse the request body: "
                       "%s" % e)
    if root.tag != "{%s}%s" % (R53_NS, root_name):
        raise AWSError("InvalidInput", "Expected root element {%s}%s, got "
                       "%s" % (R53_NS, root_name, root.tag))
    return root


@route("route53", "POST", R53 + "/hostedzone", "CreateHostedZone")
def create_hosted_zone(ctx):
    root = _body(ctx, "CreateHostedZoneRequest")
    name = _text(root, "Name", True)
    ref = _text(root, "CallerReference", True)
    for z in ctx.acct.zones.values():
        if z["caller_reference"] == ref:
            raise AWSError("HostedZoneAlreadyExists", "A hosted zone has "
                           "already been created with the specified caller "
                           "reference.", 409)
    cfg = root.find("{%s}HostedZoneConfig" % R53_NS)
    vpc = _vpc(root)
    private = vpc is not None or \
        (_text(cfg, "PrivateZone") or "false").lower() == "true"
    if private and vpc is None:
        raise AWSError("InvalidInput", "A private hosted zone needs a VPC")
    zid = ctx.acct.add_zone(name, caller_reference=ref, private=private,
                            comment=_text(cfg, "Comment"),
                            vpcs=[vpc] if vpc else ())
    z = ctx.acct.zones[zid]
    return 201, _r53("CreateHostedZoneResponse", _x_zone(z), _change(ctx),
                     _x_delegation(z)), \
        [("Location", "https://route53.amazonaws.com%s/hostedzone/%s"
          % (R53, zid))]


@route("route53", "POST", R53 + "/hostedzone/(?P<zone>[^/]+)/associatevpc",
       "AssociateVPCWithHostedZone")
def associate_vpc(ctx):
    z = _zone(ctx, ctx.match["zone"])
    root = _body(ctx, "AssociateVPCWithHostedZoneRequest")
    vpc = _vpc(root, True)
    if not z["private"]:
        raise AWSError("PublicZoneVPCAssociation", "Public hosted zones "
                       "cannot be associated with a VPC")
    if vpc in z["vpcs"]:
        raise AWSError("ConflictingDomainExists", "The VPC %s is already "
                       "associated with the hosted zone" % vpc["id"], 409)
    z["vpcs"].append(vpc)
    return 200, _r53("AssociateVPCWithHostedZoneResponse",
                     _change(ctx, _text(root, "Comment")))


@route("route53", "DELETE", R53 + "/hostedzone/(?P<zone>[^/]+)",
       "DeleteHostedZone")
def delete_hosted_zone(ctx):
    z = _zone(ctx, ctx.match["zone"])
    extra = [r for r in z["records"] if not (r["name"] == z["name"] and
                                             r["type"] in ("NS", "SOA"))]
    if extra:
        raise AWSError("HostedZoneNotEmpty", "The specified hosted zone "
                       "contains non-required resource record sets and so "
                       "cannot be deleted.")
    del ctx.acct.zones[z["id"]]
    return 200, _r53("DeleteHostedZoneResponse", _change(ctx))


def _rr_key(r):
    labels = r["name"].rstrip(".").split(".")
    return (labels[::-1], r["type"], r["set_identifier"] or "")


def _x_rr(r):
    alias = r["alias"]
    return el("ResourceRecordSet", [
        el("Name", _out_name(r["name"])), el("Type", r["type"]),
        opt("SetIdentifier", r["set_identifier"]), opt("Weight", r["weight"]),
        el("AliasTarget", el("HostedZoneId", alias["hosted_zone_id"]),
           el("DNSName", alias["dns_name"]),
           el("EvaluateTargetHealth", alias["evaluate_target_health"]))
        if alias else None,
        opt("TTL", r["ttl"]),
        el("ResourceRecords", [el("ResourceRecord", el("Value", v))
                               for v in r["values"]]) if not alias else None])


@route("route53", "GET", R53 + "/hostedzone/(?P<zone>[^/]+)/rrset",
       "ListResourceRecordSets")
def list_rrsets(ctx):
    z = _zone(ctx, ctx.match["zone"])
    recs = sorted(z["records"], key=_rr_key)
    name, typ = ctx.query.get("name"), ctx.query.get("type")
    ident = ctx.query.get("identifier")
    if typ and not name:
        raise AWSError("InvalidInput", "The input is not valid: type given "
                       "without name")
    if typ and typ.upper() not in RR_TYPES:
        raise AWSError("InvalidInput", "Invalid type: %s" % typ)
    if name:
        start = (norm_dns(name).rstrip(".").split(".")[::-1],
                 (typ or "").upper(), ident or "")
        recs = [r for r in recs if _rr_key(r) >= start]
    size = _q_int(ctx, "maxitems", 300, 1, 300)
    cap = ctx.fake.page_size_for("ListResourceRecordSets")
    if cap:
        size = min(size, cap)
    page, rest = recs[:size], recs[size:]
    nxt = rest[0] if rest else None
    return 200, _r53("ListResourceRecordSetsResponse",
                     el("ResourceRecordSets", [_x_rr(r) for r in page]),
                     el("IsTruncated", bool(rest)),
                     el("NextRecordName", _out_name(nxt["name"]))
                     if nxt else None,
                     el("NextRecordType", nxt["type"]) if nxt else None,
                     opt("NextRecordIdentifier", nxt["set_identifier"])
                     if nxt else None,
                     el("MaxItems", ctx.query.get("maxitems", "300")))


def _parse_rrset(node):
    name = _text(node, "Name", True)
    typ = (_text(node, "Type", True) or "").upper()
    if typ not in RR_TYPES:
        raise AWSError("InvalidInput", "Invalid type: %s" % typ)
    ttl = _text(node, "TTL")
    vals = [(_text(v, "Value") or "") for v in node.findall(
        "{%s}ResourceRecords/{%s}ResourceRecord" % (R53_NS, R53_NS))]
    at = node.find("{%s}AliasTarget" % R53_NS)
    alias = None
    if at is not None:
        alias = {"dns_name": norm_dns(_text(at, "DNSName", True)),
                 "hosted_zone_id": _text(at, "HostedZoneId", True),
                 "evaluate_target_health":
                     (_text(at, "EvaluateTargetHealth", True)
                      .lower() == "true")}
        if ttl is not None or vals:
            raise AWSError("InvalidInput", "Invalid request: Expected "
                           "exactly one of [AliasTarget, all of [TTL, and "
                           "ResourceRecords]], but found more than one in "
                           "Change with [Action=?, Name=%s, Type=%s]"
                           % (name, typ))
    elif ttl is None or not vals:
        raise AWSError("InvalidInput", "Invalid request: Expected exactly "
                       "one of [AliasTarget, all of [TTL, and "
                       "ResourceRecords]], but found none in Change with "
                       "[Name=%s, Type=%s]" % (name, typ))
    w = _text(node, "Weight")
    return {"name": norm_dns(name), "type": typ,
            "ttl": int(ttl) if ttl is not None else None, "values": vals,
            "alias": alias, "set_identifier": _text(node, "SetIdentifier"),
            "weight": int(w) if w is not None else None}


def _same_rr(a, b):
    return (a["name"], a["type"], a["set_identifier"]) == \
        (b["name"], b["type"], b["set_identifier"])


@route("route53", "POST", R53 + "/hostedzone/(?P<zone>[^/]+)/rrset/?",
       "ChangeResourceRecordSets")
def change_rrsets(ctx):
    z = _zone(ctx, ctx.match["zone"])
    root = _body(ctx, "ChangeResourceRecordSetsRequest")
    batch = root.find("{%s}ChangeBatch" % R53_NS)
    changes = root.findall("{%s}ChangeBatch/{%s}Changes/{%s}Change"
                           % (R53_NS, R53_NS, R53_NS))
    if batch is None or not changes:
        raise AWSError("InvalidInput", "ChangeBatch with at least one Change "
                       "is required")
    recs = [dict(r) for r in z["records"]]
    for ch in changes:
        act = _text(ch, "Action", True)
        node = ch.find("{%s}ResourceRecordSet" % R53_NS)
        if node is None:
            raise AWSError("InvalidInput", "Change without "
                           "ResourceRecordSet")
        rr = _parse_rrset(node)
        desc = "[name='%s', type='%s'%s]" % (
            rr["name"], rr["type"], ", set-identifier='%s'"
            % rr["set_identifier"] if rr["set_identifier"] else "")
        if rr["name"] != z["name"] and not rr["name"].endswith(
                "." + z["name"]):
            raise AWSError("InvalidChangeBatch", "RRSet with DNS name %s is "
                           "not permitted in zone %s" % (rr["name"],
                                                         z["name"]))
        cur = next((r for r in recs if _same_rr(r, rr)), None)
        apex_core = rr["name"] == z["name"] and rr["type"] in ("NS", "SOA")
        if act == "DELETE":
            if cur is None:
                raise AWSError("InvalidChangeBatch", "Tried to delete "
                               "resource record set %s but it was not found"
                               % desc)
            if apex_core:
                raise AWSError("InvalidChangeBatch", "A HostedZone must "
                               "contain at least one NS record for the zone "
                               "itself.")
            if (cur["ttl"], sorted(cur["values"]), cur["alias"],
                    cur["weight"]) != (rr["ttl"], sorted(rr["values"]),
                                       rr["alias"], rr["weight"]):
                raise AWSError("InvalidChangeBatch", "Tried to delete "
                               "resource record set %s but the values "
                               "provided do not match the current values"
                               % desc)
            recs.remove(cur)
            continue
        if act not in ("CREATE", "UPSERT"):
            raise AWSError("InvalidInput", "Invalid Action: %s" % act)
        if act == "CREATE" and cur is not None:
            raise AWSError("InvalidChangeBatch", "Tried to create resource "
                           "record set %s but it already exists" % desc)
        if rr["type"] == "CNAME" and rr["name"] == z["name"]:
            raise AWSError("InvalidChangeBatch", "RRSet of type CNAME with "
                           "DNS name %s is not permitted at apex in zone %s"
                           % (rr["name"], z["name"]))
        others = [r for r in recs if r["name"] == rr["name"] and
                  not _same_rr(r, rr)]
        if others and (rr["type"] == "CNAME" or
                       any(r["type"] == "CNAME" for r in others)):
            raise AWSError("InvalidChangeBatch", "RRSet of type %s with DNS "
                           "name %s is not permitted as it conflicts with "
                           "other records with the same DNS name in zone %s"
                           % (rr["type"], rr["name"], z["name"]))
        if cur is not None:
            recs[recs.index(cur)] = rr
        else:
            recs.append(rr)
    z["records"] = recs
    return 200, _r53("ChangeResourceRecordSetsResponse",
                     _change(ctx, _text(batch, "Comment")))


@route("route53", "GET", R53 + "/change/(?P<change>[^/]+)", "GetChange")
def get_change(ctx):
    cid = ctx.match["change"].split("/")[-1]
    info = ctx.acct.changes.get(cid)
    if info is None:
        raise AWSError("NoSuchChange", "A change with the specified change "
                       "ID does not exist.", 404)
    return 200, _r53("GetChangeResponse", _x_change(info, "INSYNC"))


@route("route53", "POST", R53 + "/tags/(?P<rtype>[^/]+)/(?P<rid>[^/]+)",
       "ChangeTagsForResource")
def change_tags(ctx):
    if ctx.match["rtype"] != "hostedzone":
        raise AWSError("InvalidInput", "fakeaws: only hostedzone tags")
    z = _zone(ctx, ctx.match["rid"])
    root = _body(ctx, "ChangeTagsForResourceRequest")
    add = {}
    for t in root.findall("{%s}AddTags/{%s}Tag" % (R53_NS, R53_NS)):
        add[_text(t, "Key", True)] = _text(t, "Value") or ""
    remove = [(k.text or "").strip() for k in root.findall(
        "{%s}RemoveTagKeys/{%s}Key" % (R53_NS, R53_NS))]
    z["tags"].update(add)
    for k in remove:
        z["tags"].pop(k, None)
    return 200, _r53("ChangeTagsForResourceResponse")


@route("route53", "GET", R53 + "/tags/(?P<rtype>[^/]+)/(?P<rid>[^/]+)",
       "ListTagsForResource")
def list_tags(ctx):
    if ctx.match["rtype"] != "hostedzone":
        raise AWSError("InvalidInput", "fakeaws: only hostedzone tags")
    z = _zone(ctx, ctx.match["rid"])
    return 200, _r53("ListTagsForResourceResponse", el(
        "ResourceTagSet", el("ResourceType", "hostedzone"),
        el("ResourceId", z["id"]),
        el("Tags", [el("Tag", el("Key", k), el("Value", v))
                    for k, v in z["tags"].items()])))


# ======================================================================
# CloudFront (REST-XML)
# ======================================================================

def _x_dist(d):
    origins = []
    for o in d["origins"]:
        cfg = el("S3OriginConfig", el("OriginAccessIdentity", "")) \
            if o["s3"] else \
            el("CustomOriginConfig", el("HTTPPort", 80),
               el("HTTPSPort", 443),
               el("OriginProtocolPolicy", "https-only"))
        origins.append(el("Origin", el("Id", o["id"]),
                          el("DomainName", o["domain_name"]),
                          el("OriginPath", o["origin_path"]), cfg))
    return el("DistributionSummary", [
        el("Id", d["id"]), el("ARN", d["arn"]), el("Status", d["status"]),
        el("LastModifiedTime", iso(d["last_modified"])),
        el("DomainName", d["domain_name"]),
        el("Aliases", el("Quantity", len(d["aliases"])),
           el("Items", [el("CNAME", a) for a in d["aliases"]])
           if d["aliases"] else None),
        el("Origins", el("Quantity", len(origins)), el("Items", origins)),
        el("Enabled", d["enabled"]), el("Comment", d["comment"])])


@route("cloudfront", "GET", "/2020-05-31/distribution", "ListDistributions")
def list_distributions(ctx):
    dists = list(ctx.acct.distributions.values())
    size = _q_int(ctx, "MaxItems", 100, 1, 1000)
    cap = ctx.fake.page_size_for("ListDistributions")
    if cap:
        size = min(size, cap)
    marker = ctx.query.get("Marker") or ""
    start = 0
    if marker:
        ids = [d["id"] for d in dists]
        if marker not in ids:
            raise AWSError("InvalidArgument", "Invalid marker: %s" % marker)
        start = ids.index(marker)
    page = dists[start:start + size]
    more = start + size < len(dists)
    body = el("DistributionList",
              el("Marker", marker),
              el("NextMarker", dists[start + size]["id"]) if more else None,
              el("MaxItems", size), el("IsTruncated", more),
              el("Quantity", len(page)),
              el("Items", [_x_dist(d) for d in page]) if page else None)
    return 200, xml_doc(body.replace("<DistributionList>",
                                     '<DistributionList xmlns="%s">'
                                     % CF_NS, 1))


# ======================================================================
# CloudTrail (JSON 1.1)
# ======================================================================

LOOKUP_KEYS = ("EventId", "EventName", "ReadOnly", "Username",
               "ResourceType", "ResourceName", "EventSource", "AccessKeyId")


def _epoch(v, name):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise AWSError("SerializationException", "%s must be a timestamp "
                       "in epoch seconds (a JSON number), got %r" % (name, v))
    return float(v)


@action("cloudtrail", "LookupEvents", ("LookupAttributes", "StartTime",
                                       "EndTime", "EventCategory",
                                       "MaxResults", "NextToken"))
def lookup_events(ctx):
    j = ctx.json
    attrs = j.get("LookupAttributes") or []
    if not isinstance(attrs, list) or len(attrs) > 1:
        raise AWSError("InvalidLookupAttributesException", "You cannot "
                       "specify more than one lookup attribute.")
    start = _epoch(j["StartTime"], "StartTime") if "StartTime" in j else None
    end = _epoch(j["EndTime"], "EndTime") if "EndTime" in j else None
    if start is not None and end is not None and start > end:
        raise AWSError("InvalidTimeRangeException", "Start time must be "
                       "before end time.")
    size = j.get("MaxResults", 50)
    if not isinstance(size, int) or not 1 <= size <= 50:
        raise AWSError("InvalidMaxResultsException", "MaxResults must be "
                       "between 1 and 50.")
    evs = list(ctx.reg.events)
    for a in attrs:
        key, val = a.get("AttributeKey"), a.get("AttributeValue")
        if key not in LOOKUP_KEYS or not isinstance(val, str):
            raise AWSError("InvalidLookupAttributesException", "Invalid "
                           "lookup attribute: %r" % (a,))
        if key == "ResourceName":
            evs = [e for e in evs if any(r["ResourceName"] == val
                                         for r in e["Resources"])]
        elif key == "ResourceType":
            evs = [e for e in evs if any(r["ResourceType"] == val
                                         for r in e["Resources"])]
        else:
            evs = [e for e in evs if str(e[key]) == val]
    if start is not None:
        evs = [e for e in evs if e["EventTime"] >= start]
    if end is not None:
        evs = [e for e in evs if e["EventTime"] <= end]
    evs.sort(key=lambda e: -e["EventTime"])
    page, token = paginate(ctx, evs, size, j.get("NextToken"),
                           "InvalidNextTokenException")
    out = {"Events": [dict(e, Resources=[dict(r) for r in e["Resources"]])
                      for e in page]}
    if token:
        out["NextToken"] = token
    return out

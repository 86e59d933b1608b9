"""fakeaws_ec2.py - the EC2 actions of fakeaws.py (EC2 query protocol:
form POST, InstanceId.N / Filter.N.Name / Filter.N.Value.M lists, answers
<XResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"> with
<xSet><item> lists). Standard library only."""

import re

from fakeaws_proto import (AWSError, action, as_list, ec2_filters,
                           ec2_tags, el, items, match_filters, opt, paginate)
from fakeaws_state import STATE_CODES, iso, rule, same_rule

PAGE = ("MaxResults", "NextToken")
OK = el("return", True)


def _page(ctx, seq, lo=5, hi=1000):
    size = ctx.int("MaxResults", None, lo, hi)
    return paginate(ctx, seq, size, ctx.str("NextToken"),
                    "InvalidPaginationToken")


def _next(token):
    return opt("nextToken", token)


def _ids(ctx, name):
    return [str(v) for v in ctx.lst(name)]


def _tag_specs(ctx, resource_type):
    """Tags of TagSpecification.N.ResourceType=resource_type."""
    tags = {}
    for spec in ctx.lst("TagSpecification"):
        rt = spec.get("ResourceType") if isinstance(spec, dict) else None
        if rt != resource_type:
            raise AWSError("InvalidParameterValue",
                           "'%s' is not a valid taggable resource type for "
                           "this operation." % rt)
        for t in as_list(spec.get("Tag")):
            if not t.get("Key"):
                raise AWSError("InvalidParameterValue", "Tag without a Key")
            tags[t["Key"]] = t.get("Value", "")
    return tags


def _not_found(kind, rid):
    code, what = {
        "i": ("InvalidInstanceID.NotFound", "The instance ID '%s' does not "
              "exist"),
        "vol": ("InvalidVolume.NotFound", "The volume '%s' does not exist."),
        "snap": ("InvalidSnapshot.NotFound", "The snapshot '%s' does not "
                 "exist."),
        "sg": ("InvalidGroup.NotFound", "The security group '%s' does not "
               "exist"),
        "eipalloc": ("InvalidAllocationID.NotFound", "The allocation ID '%s' "
                     "does not exist"),
        "sgr": ("InvalidSecurityGroupRuleId.NotFound", "The security group "
                "rule ID '%s' does not exist"),
    }.get(kind, ("InvalidID", "The ID '%s' is not valid"))
    return AWSError(code, what % rid)


def _get(ctx, store, rid, kind):
    if not re.match(r"^%s-[0-9A-Za-z]" % kind, str(rid)):
        code = {"i": "InvalidInstanceID.Malformed",
                "vol": "InvalidVolumeID.Malformed",
                "snap": "InvalidSnapshotID.Malformed",
                "sg": "InvalidGroupId.Malformed",
                "eipalloc": "InvalidAllocationID.Malformed"}.get(
                    kind, "InvalidID")
        raise AWSError(code, 'Invalid id: "%s"' % rid)
    obj = store.get(rid)
    if obj is None:
        raise _not_found(kind, rid)
    return obj


def _select(ctx, store, ids, kind, getters):
    """Objects by id list (all must exist) or all, then filtered."""
    if ids:
        objs = [_get(ctx, store, i, kind) for i in ids]
    else:
        objs = list(store.values())
    filters = ec2_filters(ctx)
    return [o for o in objs if match_filters(o, filters, getters)]


def _advance(obj, transient, final):
    """One Describe poll of an object in a transient status."""
    if obj["status"] == transient:
        if obj["polls"] <= 0:
            obj["status"] = final
        else:
            obj["polls"] -= 1


# ---- instances -------------------------------------------------------------

INSTANCE_FILTERS = {
    "instance-id": lambda i: [i["id"]],
    "instance-state-name": lambda i: [i["state"]],
    "instance-state-code": lambda i: [STATE_CODES.get(i["state"], 0)],
    "metadata-options.http-tokens": lambda i: [i["metadata"]["http_tokens"]],
    "metadata-options.http-endpoint":
        lambda i: [i["metadata"]["http_endpoint"]],
    "metadata-options.http-put-response-hop-limit":
        lambda i: [i["metadata"]["hop_limit"]],
    "vpc-id": lambda i: [i["vpc_id"]],
    "subnet-id": lambda i: [i["subnet_id"]],
    "availability-zone": lambda i: [i["az"]],
    "instance-type": lambda i: [i["type"]],
    "image-id": lambda i: [i["image_id"]],
    "reservation-id": lambda i: [i["reservation_id"]],
    "iam-instance-profile.arn":
        lambda i: [i["profile"]["arn"]] if i["profile"] else [],
    "instance.group-id": lambda i: i["groups"],
    "group-id": lambda i: i["groups"],
}


def _x_instance(ctx, i):
    groups = ctx.reg.security_groups
    md = i["metadata"]
    return [
        el("instanceId", i["id"]), el("imageId", i["image_id"]),
        el("instanceState", el("code", STATE_CODES.get(i["state"], 0)),
           el("name", i["state"])),
        el("instanceType", i["type"]),
        el("launchTime", iso(i["launch_time"])),
        el("placement", el("availabilityZone", i["az"]),
           el("tenancy", "default")),
        el("subnetId", i["subnet_id"]), el("vpcId", i["vpc_id"]),
        items("groupSet", [[el("groupId", g),
                            el("groupName", groups[g]["name"] if g in groups
                               else g)] for g in i["groups"]]),
        el("iamInstanceProfile", el("arn", i["profile"]["arn"]),
           el("id", i["profile"]["id"])) if i["profile"] else None,
        ec2_tags(i["tags"]),
        el("metadataOptions", el("state", "applied"),
           el("httpTokens", md["http_tokens"]),
           el("httpPutResponseHopLimit", md["hop_limit"]),
           el("httpEndpoint", md["http_endpoint"]),
           el("httpProtocolIpv6", md["http_protocol_ipv6"]),
           el("instanceMetadataTags", md["instance_metadata_tags"])),
    ]


def _tick_instances(reg):
    """One DescribeInstances poll: an instance TerminateInstances left
    shutting-down becomes terminated after fake.polls["instance"] more
    polls (default 1: one read still shows shutting-down)."""
    for i in reg.instances.values():
        left = i.get("terminate_polls")
        if left is None or i["state"] != "shutting-down":
            continue
        if left <= 0:
            i["state"] = "terminated"
            del i["terminate_polls"]
        else:
            i["terminate_polls"] = left - 1


@action("ec2", "DescribeInstances", ("InstanceId", "Filter") + PAGE)
def describe_instances(ctx):
    _tick_instances(ctx.reg)
    ids = _ids(ctx, "InstanceId")
    if ids and ctx.get("MaxResults") is not None:
        raise AWSError("InvalidParameterCombination", "The parameter "
                       "instancesSet cannot be used with the parameter "
                       "maxResults")
    objs = _select(ctx, ctx.reg.instances, ids, "i", INSTANCE_FILTERS)
    page, token = _page(ctx, objs)
    res = []                # consecutive instances of one reservation
    for i in page:
        if res and res[-1][0] == i["reservation_id"]:
            res[-1][1].append(i)
        else:
            res.append((i["reservation_id"], [i]))
    return [items("reservationSet", [
        [el("reservationId", rid), el("ownerId", ctx.acct.id),
         el("groupSet"),
         items("instancesSet", [_x_instance(ctx, i) for i in insts])]
        for rid, insts in res]), _next(token)]


def _instance(ctx, iid):
    return _get(ctx, ctx.reg.instances, iid, "i")


@action("ec2", "ModifyInstanceMetadataOptions",
        ("InstanceId", "HttpTokens", "HttpPutResponseHopLimit",
         "HttpEndpoint", "HttpProtocolIpv6", "InstanceMetadataTags"),
        ("InstanceId",))
def modify_instance_metadata_options(ctx):
    i = _instance(ctx, ctx.str("InstanceId"))
    if i["state"] in ("terminated", "shutting-down"):
        raise AWSError("IncorrectInstanceState", "The instance '%s' is not "
                       "in a state from which it can be modified." % i["id"])
    md = i["metadata"]
    en = ("enabled", "disabled")
    new = {
        "http_tokens": ctx.choice("HttpTokens", ("optional", "required")),
        "http_endpoint": ctx.choice("HttpEndpoint", en),
        "hop_limit": ctx.int("HttpPutResponseHopLimit", None, 1, 64),
        "http_protocol_ipv6": ctx.choice("HttpProtocolIpv6", en),
        "instance_metadata_tags": ctx.choice("InstanceMetadataTags", en)}
    for k, v in new.items():
        if v is not None:
            md[k] = v
    return [el("instanceMetadataOptions",
               el("httpEndpoint", md["http_endpoint"]),
               el("httpProtocolIpv4", "enabled"),
               el("httpProtocolIpv6", md["http_protocol_ipv6"]),
               el("httpPutResponseHopLimit", md["hop_limit"]),
               el("httpTokens", md["http_tokens"]),
               el("instanceMetadataTags", md["instance_metadata_tags"]),
               el("state", "pending")),
            el("instanceId", i["id"])]


@action("ec2", "ModifyInstanceAttribute", ("InstanceId", "GroupId"),
        ("InstanceId",))
def modify_instance_attribute(ctx):
    i = _instance(ctx, ctx.str("InstanceId"))
    gids = _ids(ctx, "GroupId")
    if not gids:
        raise AWSError("MissingParameter", "fakeaws models only GroupId.N "
                       "of ModifyInstanceAttribute")
    for g in gids:
        sg = _get(ctx, ctx.reg.security_groups, g, "sg")
        if sg["vpc_id"] != i["vpc_id"]:
            raise AWSError("InvalidParameterValue",
                           "Security group %s and subnet %s belong to "
                           "different networks." % (g, i["subnet_id"]))
    i["groups"] = gids
    return [OK]


def _x_state(name):
    return [el("code", STATE_CODES.get(name, 0)), el("name", name)]


@action("ec2", "TerminateInstances", ("InstanceId",), ("InstanceId",))
def terminate_instances(ctx):
    """Every instance (all must exist) goes shutting-down, then terminated
    after fake.polls["instance"] DescribeInstances polls (default 1); one
    terminated or shutting-down already stays as it is, like AWS. An
    instance with "disable_api_termination" true (set it in the state:
    add_instance has no argument for it) refuses all of them."""
    insts = [_instance(ctx, iid) for iid in _ids(ctx, "InstanceId")]
    for i in insts:
        if i.get("disable_api_termination"):
            raise AWSError("OperationNotPermitted", "The instance '%s' may "
                           "not be terminated. Modify its "
                           "'disableApiTermination' instance attribute and "
                           "try again." % i["id"])
    out = []
    for i in insts:
        before = i["state"]
        if before not in ("shutting-down", "terminated"):
            i["state"] = "shutting-down"
            i["terminate_polls"] = ctx.fake.polls.get("instance", 1)
        out.append([el("instanceId", i["id"]),
                    el("currentState", *_x_state(i["state"])),
                    el("previousState", *_x_state(before))])
    return [items("instancesSet", out)]


# ---- tags -----------------------------------------------------------------

def _taggable(ctx, rid):
    reg = ctx.reg
    for prefix, store, kind, rtype in (
            ("i-", reg.instances, "i", "instance"),
            ("vol-", reg.volumes, "vol", "volume"),
            ("snap-", reg.snapshots, "snap", "snapshot"),
            ("sg-", reg.security_groups, "sg", "security-group"),
            ("eipalloc-", reg.addresses, "eipalloc", "elastic-ip")):
        if rid.startswith(prefix):
            return _get(ctx, store, rid, kind), rtype
    raise AWSError("InvalidID", "The ID '%s' is not valid" % rid)


def _tag_list(ctx):
    out = []
    for t in ctx.lst("Tag"):
        if not isinstance(t, dict) or not t.get("Key"):
            raise AWSError("InvalidParameterValue", "Tag without a Key")
        out.append(t)
    return out


@action("ec2", "CreateTags", ("ResourceId", "Tag"), ("ResourceId", "Tag"))
def create_tags(ctx):
    objs = [_taggable(ctx, r)[0] for r in _ids(ctx, "ResourceId")]
    tags = _tag_list(ctx)
    for o in objs:
        for t in tags:
            o["tags"][t["Key"]] = t.get("Value", "")
    return [OK]


@action("ec2", "DeleteTags", ("ResourceId", "Tag"), ("ResourceId",))
def delete_tags(ctx):
    objs = [_taggable(ctx, r)[0] for r in _ids(ctx, "ResourceId")]
    tags = _tag_list(ctx)
    for o in objs:
        if not tags:
            o["tags"].clear()
        for t in tags:
            k = t["Key"]
            if k in o["tags"] and ("Value" not in t or
                                   o["tags"][k] == t["Value"]):
                del o["tags"][k]
    return [OK]


@action("ec2", "DescribeTags", ("Filter",) + PAGE)
def describe_tags(ctx):
    reg = ctx.reg
    rows = []
    for store, rtype in ((reg.instances, "instance"),
                         (reg.volumes, "volume"),
                         (reg.snapshots, "snapshot"),
                         (reg.security_groups, "security-group"),
                         (reg.addresses, "elastic-ip")):
        for rid, o in store.items():
            for k, v in o["tags"].items():
                rows.append({"resource-id": rid, "resource-type": rtype,
                             "key": k, "value": v})
    getters = {n: (lambda r, n=n: [r[n]]) for n in
               ("resource-id", "resource-type", "key", "value")}
    filters = ec2_filters(ctx)
    rows = [r for r in rows if match_filters(r, filters, getters)]
    page, token = _page(ctx, rows)
    return [items("tagSet", [[el("resourceId", r["resource-id"]),
                              el("resourceType", r["resource-type"]),
                              el("key", r["key"]), el("value", r["value"])]
                             for r in page]), _next(token)]


# ---- volumes and snapshots --------------------------------------------------

VOLUME_FILTERS = {
    "volume-id": lambda v: [v["id"]],
    "status": lambda v: [v["status"]],
    "availability-zone": lambda v: [v["az"]],
    "volume-type": lambda v: [v["volume_type"]],
    "snapshot-id": lambda v: [v["snapshot_id"]],
    "size": lambda v: [v["size"]],
    "encrypted": lambda v: [v["encrypted"]],
    "attachment.instance-id":
        lambda v: [a["instance_id"] for a in v["attachments"]],
    "attachment.status": lambda v: [a["state"] for a in v["attachments"]],
}


def _x_volume(v):
    return [
        el("volumeId", v["id"]), el("size", v["size"]),
        el("snapshotId", v["snapshot_id"]),
        el("availabilityZone", v["az"]), el("status", v["status"]),
        el("createTime", iso(v["create_time"])),
        items("attachmentSet", [
            [el("volumeId", v["id"]), el("instanceId", a["instance_id"]),
             el("device", a["device"]), el("status", a["state"]),
             el("attachTime", iso(a["attach_time"])),
             el("deleteOnTermination", a["delete_on_termination"])]
            for a in v["attachments"]]),
        ec2_tags(v["tags"]),
        el("volumeType", v["volume_type"]), el("iops", v["iops"]),
        el("encrypted", v["encrypted"]),
        el("multiAttachEnabled", False)]


@action("ec2", "DescribeVolumes", ("VolumeId", "Filter") + PAGE)
def describe_volumes(ctx):
    ids = _ids(ctx, "VolumeId")
    for v in ctx.reg.volumes.values():
        _advance(v, "creating", "available")
    objs = _select(ctx, ctx.reg.volumes, ids, "vol", VOLUME_FILTERS)
    page, token = _page(ctx, objs, 5, 500)
    return [items("volumeSet", [_x_volume(v) for v in page]), _next(token)]


@action("ec2", "CreateVolume",
        ("AvailabilityZone", "SnapshotId", "Size", "VolumeType", "Iops",
         "Encrypted", "KmsKeyId", "Throughput", "MultiAttachEnabled",
         "TagSpecification", "ClientToken"), ("AvailabilityZone",))
def create_volume(ctx):
    reg = ctx.reg
    az = ctx.str("AvailabilityZone")
    if not re.fullmatch(re.escape(reg.name) + "[a-z]", az):
        raise AWSError("InvalidZone.NotFound",
                       "The zone '%s' does not exist." % az)
    sid = ctx.str("SnapshotId")
    size = ctx.int("Size", None, 1, 16384)
    snap = None
    if sid:
        snap = _get(ctx, reg.snapshots, sid, "snap")
        if snap["status"] != "completed":
            raise AWSError("IncorrectState", "Snapshot is in invalid state "
                           "- %s" % snap["status"])
        if size is not None and size < snap["size"]:
            raise AWSError("InvalidParameterValue",
                           "Volume of %dGiB is smaller than snapshot '%s', "
                           "expect size >= %dGiB" % (size, sid, snap["size"]))
        if size is None:
            size = snap["size"]
    elif size is None:
        raise AWSError("MissingParameter", "The request must contain the "
                       "parameter size or snapshotId")
    vtype = ctx.choice("VolumeType", ("gp2", "gp3", "io1", "io2", "st1",
                                      "sc1", "standard"), "gp2")
    tags = _tag_specs(ctx, "volume")
    vid = reg.add_volume(size=size, az=az, snapshot_id=sid or "",
                         volume_type=vtype,
                         iops=ctx.int("Iops", None),
                         encrypted=ctx.bool("Encrypted",
                                            bool(snap and snap["encrypted"])),
                         tags=tags, create_time=ctx.fake.now())
    v = reg.volumes[vid]
    v["status"] = "creating"
    v["polls"] = ctx.fake.polls["volume"]
    return [el("volumeId", vid), el("size", v["size"]),
            el("snapshotId", v["snapshot_id"]),
            el("availabilityZone", v["az"]), el("status", "creating"),
            el("createTime", iso(v["create_time"])),
            el("volumeType", v["volume_type"]), el("iops", v["iops"]),
            el("encrypted", v["encrypted"]),
            el("multiAttachEnabled", False), ec2_tags(v["tags"])]


@action("ec2", "DeleteVolume", ("VolumeId",), ("VolumeId",))
def delete_volume(ctx):
    v = _get(ctx, ctx.reg.volumes, ctx.str("VolumeId"), "vol")
    if v["status"] != "available":
        raise AWSError("IncorrectState", "The volume '%s' is '%s'"
                       % (v["id"], v["status"]))
    del ctx.reg.volumes[v["id"]]
    return [OK]


SNAPSHOT_FILTERS = {
    "snapshot-id": lambda s: [s["id"]],
    "volume-id": lambda s: [s["volume_id"]],
    "status": lambda s: [s["status"]],
    "description": lambda s: [s["description"]],
    "encrypted": lambda s: [s["encrypted"]],
    "owner-id": lambda s: [s["owner"]],
}


def _x_snapshot(ctx, s, progress=None):
    return [
        el("snapshotId", s["id"]), el("volumeId", s["volume_id"]),
        el("status", s["status"]), el("startTime", iso(s["start_time"])),
        el("progress", progress if progress is not None else
           ("100%" if s["status"] == "completed" else "0%")),
        el("ownerId", ctx.acct.id), el("volumeSize", s["size"]),
        el("description", s["description"]),
        el("encrypted", s["encrypted"]), ec2_tags(s["tags"])]


@action("ec2", "CreateSnapshot", ("VolumeId", "Description",
                                  "TagSpecification", "OutpostArn"),
        ("VolumeId",))
def create_snapshot(ctx):
    v = _get(ctx, ctx.reg.volumes, ctx.str("VolumeId"), "vol")
    tags = _tag_specs(ctx, "snapshot")
    sid = ctx.reg.add_snapshot(volume_id=v["id"], size=v["size"],
                               status="pending",
                               description=ctx.str("Description", ""),
                               tags=tags, start_time=ctx.fake.now(),
                               encrypted=v["encrypted"],
                               polls=ctx.fake.polls["snapshot"])
    return _x_snapshot(ctx, ctx.reg.snapshots[sid], progress="")


@action("ec2", "DescribeSnapshots", ("SnapshotId", "Owner", "OwnerId",
                                     "RestorableBy", "Filter") + PAGE)
def describe_snapshots(ctx):
    ids = _ids(ctx, "SnapshotId")
    owners = _ids(ctx, "Owner") + _ids(ctx, "OwnerId")
    for s in ctx.reg.snapshots.values():
        _advance(s, "pending", "completed")
    objs = _select(ctx, {k: dict(v, owner=ctx.acct.id)
                         for k, v in ctx.reg.snapshots.items()},
                   ids, "snap", SNAPSHOT_FILTERS)
    if owners and not ({"self", ctx.acct.id} & set(owners)):
        objs = []
    page, token = _page(ctx, objs)
    return [items("snapshotSet", [_x_snapshot(ctx, s) for s in page]),
            _next(token)]


@action("ec2", "DeleteSnapshot", ("SnapshotId",), ("SnapshotId",))
def delete_snapshot(ctx):
    s = _get(ctx, ctx.reg.snapshots, ctx.str("SnapshotId"), "snap")
    del ctx.reg.snapshots[s["id"]]
    return [OK]


# ---- addresses ------------------------------------------------------------

ADDRESS_FILTERS = {
    "allocation-id": lambda a: [a["allocation_id"]],
    "association-id": lambda a: [a["association_id"]],
    "domain": lambda a: [a["domain"]],
    "instance-id": lambda a: [a["instance_id"]],
    "public-ip": lambda a: [a["public_ip"]],
    "network-interface-id": lambda a: [a["network_interface_id"]],
    "private-ip-address": lambda a: [a["private_ip"]],
}


@action("ec2", "DescribeAddresses", ("AllocationId", "PublicIp", "Filter"))
def describe_addresses(ctx):
    reg = ctx.reg
    objs = list(reg.addresses.values())
    alloc = _ids(ctx, "AllocationId")
    ips = _ids(ctx, "PublicIp")
    if alloc:
        objs = [_get(ctx, reg.addresses, a, "eipalloc") for a in alloc]
    if ips:
        by_ip = {a["public_ip"]: a for a in reg.addresses.values()}
        for ip in ips:
            if ip not in by_ip:
                raise AWSError("InvalidAddress.NotFound",
                               "Address '%s' not found." % ip)
        objs = [a for a in objs if a["public_ip"] in ips]
    filters = ec2_filters(ctx)
    objs = [a for a in objs if match_filters(a, filters, ADDRESS_FILTERS)]
    out = []
    for a in objs:
        assoc = a["association_id"]
        out.append([
            el("publicIp", a["public_ip"]),
            el("allocationId", a["allocation_id"]),
            el("domain", a["domain"]),
            opt("instanceId", a["instance_id"]),
            opt("associationId", assoc),
            opt("networkInterfaceId", a["network_interface_id"]),
            el("networkInterfaceOwnerId", ctx.acct.id) if assoc else None,
            opt("privateIpAddress", a["private_ip"]),
            ec2_tags(a["tags"]),
            el("publicIpv4Pool", "amazon"),
            el("networkBorderGroup", reg.name)])
    return [items("addressesSet", out)]


@action("ec2", "ReleaseAddress", ("AllocationId", "PublicIp",
                                  "NetworkBorderGroup"))
def release_address(ctx):
    reg = ctx.reg
    aid, ip = ctx.str("AllocationId"), ctx.str("PublicIp")
    if aid:
        a = _get(ctx, reg.addresses, aid, "eipalloc")
    elif ip:
        a = next((x for x in reg.addresses.values()
                  if x["public_ip"] == ip), None)
        if a is None:
            raise AWSError("InvalidAddress.NotFound",
                           "Address '%s' not found." % ip)
    else:
        raise AWSError("MissingParameter", "The request must contain the "
                       "parameter AllocationId")
    if a["association_id"]:
        raise AWSError("InvalidIPAddress.InUse", "The address with "
                       "allocation id [%s] is in use." % a["allocation_id"])
    del reg.addresses[a["allocation_id"]]
    return [OK]


@action("ec2", "DisassociateAddress", ("AssociationId", "PublicIp"))
def disassociate_address(ctx):
    aid, ip = ctx.str("AssociationId"), ctx.str("PublicIp")
    for a in ctx.reg.addresses.values():
        if (aid and a["association_id"] == aid) or \
                (ip and a["public_ip"] == ip and a["association_id"]):
            a.update(association_id=None, instance_id=None,
                     network_interface_id=None, private_ip=None)
            return [OK]
    raise AWSError("InvalidAssociationID.NotFound",
                   "The association ID '%s' does not exist" % (aid or ip))


# ---- security groups --------------------------------------------------------

SG_FILTERS = {
    "group-id": lambda g: [g["id"]],
    "group-name": lambda g: [g["name"]],
    "vpc-id": lambda g: [g["vpc_id"]],
    "description": lambda g: [g["description"]],
    "ip-permission.cidr": lambda g: [r["cidr"] for r in g["rules"]
                                     if not r["egress"]],
    "egress.ip-permission.cidr": lambda g: [r["cidr"] for r in g["rules"]
                                            if r["egress"]],
    "ip-permission.protocol": lambda g: [r["protocol"] for r in g["rules"]
                                         if not r["egress"]],
    "egress.ip-permission.protocol": lambda g: [r["protocol"] for r in
                                                g["rules"] if r["egress"]],
}


def _x_perms(ctx, tag, rules):
    perms = []                  # [(key, [rules])] in first-seen order
    for r in rules:
        key = (r["protocol"], r["from_port"], r["to_port"])
        for k, rs in perms:
            if k == key:
                rs.append(r)
                break
        else:
            perms.append((key, [r]))
    out = []
    for (proto, fp, tp), rs in perms:
        out.append([
            el("ipProtocol", proto), opt("fromPort", fp), opt("toPort", tp),
            items("groups", [[el("userId", ctx.acct.id),
                              el("groupId", r["group_id"]),
                              opt("description", r["description"])]
                             for r in rs if r["group_id"]]),
            items("ipRanges", [[el("cidrIp", r["cidr"]),
                                opt("description", r["description"])]
                               for r in rs if r["cidr"]]),
            items("ipv6Ranges", [[el("cidrIpv6", r["cidr_ipv6"]),
                                  opt("description", r["description"])]
                                 for r in rs if r["cidr_ipv6"]]),
            el("prefixListIds")])
    return items(tag, out)


@action("ec2", "DescribeSecurityGroups",
        ("GroupId", "GroupName", "Filter") + PAGE)
def describe_security_groups(ctx):
    reg = ctx.reg
    objs = _select(ctx, reg.security_groups, _ids(ctx, "GroupId"), "sg",
                   SG_FILTERS)
    names = _ids(ctx, "GroupName")
    if names:
        have = {g["name"] for g in reg.security_groups.values()
                if g["vpc_id"] == reg.default_vpc}
        for n in names:
            if n not in have:
                raise AWSError("InvalidGroup.NotFound",
                               "The security group '%s' does not exist in "
                               "default VPC '%s'" % (n, reg.default_vpc))
        objs = [g for g in objs if g["name"] in names and
                g["vpc_id"] == reg.default_vpc]
    page, token = _page(ctx, objs)
    out = []
    for g in page:
        out.append([
            el("ownerId", ctx.acct.id), el("groupId", g["id"]),
            el("groupName", g["name"]),
            el("groupDescription", g["description"]),
            el("vpcId", g["vpc_id"]),
            _x_perms(ctx, "ipPermissions",
                     [r for r in g["rules"] if not r["egress"]]),
            _x_perms(ctx, "ipPermissionsEgress",
                     [r for r in g["rules"] if r["egress"]]),
            ec2_tags(g["tags"])])
    return [items("securityGroupInfo", out), _next(token)]


@action("ec2", "CreateSecurityGroup", ("GroupName", "GroupDescription",
                                       "VpcId", "TagSpecification"),
        ("GroupName", "GroupDescription"))
def create_security_group(ctx):
    reg = ctx.reg
    name = ctx.str("GroupName")
    vpc = ctx.str("VpcId") or reg.default_vpc
    if name.startswith("sg-"):
        raise AWSError("InvalidParameterValue", "Group names may not be in "
                       "the format sg-*")
    for g in reg.security_groups.values():
        if g["vpc_id"] == vpc and g["name"] == name:
            raise AWSError("InvalidGroup.Duplicate", "The security group "
                           "'%s' already exists for VPC '%s'" % (name, vpc))
    tags = _tag_specs(ctx, "security-group")
    gid = reg.add_security_group(name=name, vpc_id=vpc, tags=tags,
                                 description=ctx.str("GroupDescription"))
    return [el("return", True), el("groupId", gid), ec2_tags(tags)]


@action("ec2", "DeleteSecurityGroup", ("GroupId", "GroupName"))
def delete_security_group(ctx):
    reg = ctx.reg
    gid, name = ctx.str("GroupId"), ctx.str("GroupName")
    if gid:
        g = _get(ctx, reg.security_groups, gid, "sg")
    else:
        g = next((x for x in reg.security_groups.values()
                  if x["name"] == name and x["vpc_id"] == reg.default_vpc),
                 None)
        if g is None:
            raise AWSError("InvalidGroup.NotFound", "The security group '%s' "
                           "does not exist" % name)
    if g["name"] == "default":
        raise AWSError("CannotDelete", "the specified group: \"%s\" name: "
                       "\"default\" cannot be deleted by a user" % g["id"])
    if any(g["id"] in i["groups"] for i in reg.instances.values()):
        raise AWSError("DependencyViolation", "resource %s has a dependent "
                       "object" % g["id"])
    del reg.security_groups[g["id"]]
    return [OK]


def _perm_rules(ctx):
    """Rules (stored form) of IpPermissions.N.* or the flat
    IpProtocol/FromPort/ToPort/CidrIp form."""
    perms = ctx.lst("IpPermissions")
    if not perms and ctx.get("IpProtocol"):
        perms = [{"IpProtocol": ctx.get("IpProtocol"),
                  "FromPort": ctx.get("FromPort"),
                  "ToPort": ctx.get("ToPort"),
                  "IpRanges": [{"CidrIp": ctx.get("CidrIp")}]
                  if ctx.get("CidrIp") else []}]
    out = []
    for p in perms:
        if not isinstance(p, dict) or not p.get("IpProtocol"):
            raise AWSError("MissingParameter", "The request must contain the "
                           "parameter ipProtocol")
        proto = p["IpProtocol"]
        fp, tp = p.get("FromPort"), p.get("ToPort")
        if str(proto).lower() in ("tcp", "udp", "6", "17") and \
                (fp is None or tp is None):
            raise AWSError("InvalidParameterValue", "Invalid value 'null' for "
                           "fromPort/toPort: %s requires ports" % proto)
        n = len(out)
        for r in as_list(p.get("IpRanges")):
            out.append(rule(proto, fp, tp, cidr=r.get("CidrIp"),
                            description=r.get("Description")))
        for r in as_list(p.get("Ipv6Ranges")):
            out.append(rule(proto, fp, tp, cidr_ipv6=r.get("CidrIpv6"),
                            description=r.get("Description")))
        for r in as_list(p.get("Groups")):
            out.append(rule(proto, fp, tp, group_id=r.get("GroupId"),
                            description=r.get("Description")))
        if len(out) == n:
            raise AWSError("InvalidParameterValue", "IpPermissions without "
                           "IpRanges, Ipv6Ranges or Groups")
    return out


def _revoke(ctx, egress):
    g = _get(ctx, ctx.reg.security_groups, ctx.str("GroupId"), "sg")
    mine = [r for r in g["rules"] if r["egress"] == egress]
    gone = []
    for rid in _ids(ctx, "SecurityGroupRuleId"):
        r = next((x for x in mine if x["rule_id"] == rid), None)
        if r is None:
            raise _not_found("sgr", rid)
        gone.append(r)
    for want in _perm_rules(ctx):
        r = next((x for x in mine if same_rule(x, want)), None)
        if r is None:
            raise AWSError("InvalidPermission.NotFound", "The specified rule "
                           "does not exist in this security group.")
        gone.append(r)
    if not gone:
        raise AWSError("MissingParameter", "The request must contain the "
                       "parameter ipPermissions or securityGroupRuleIds")
    g["rules"] = [r for r in g["rules"] if all(r is not x for x in gone)]
    return [OK]


def _authorize(ctx, egress):
    g = _get(ctx, ctx.reg.security_groups, ctx.str("GroupId"), "sg")
    new = _perm_rules(ctx)
    if not new:
        raise AWSError("MissingParameter", "The request must contain the "
                       "parameter ipPermissions")
    for want in new:
        if any(r["egress"] == egress and same_rule(r, want)
               for r in g["rules"]):
            raise AWSError("InvalidPermission.Duplicate",
                           'the specified rule "peer: %s, %s, ALLOW" already '
                           'exists' % (want["cidr"] or want["cidr_ipv6"] or
                                       want["group_id"], want["protocol"]))
    added = []
    for want in new:
        kw = {k: want[k] for k in ("protocol", "from_port", "to_port", "cidr",
                                   "cidr_ipv6", "group_id", "description")}
        added.append(ctx.reg.add_rule(g["id"], egress, **kw))
    return [OK, items("securityGroupRuleSet",
                      [_x_rule(ctx, g, r) for r in added])]


PERM_PARAMS = ("GroupId", "IpPermissions", "SecurityGroupRuleId",
               "IpProtocol", "FromPort", "ToPort", "CidrIp", "GroupName")


@action("ec2", "RevokeSecurityGroupEgress", PERM_PARAMS, ("GroupId",))
def revoke_egress(ctx):
    return _revoke(ctx, True)


@action("ec2", "RevokeSecurityGroupIngress", PERM_PARAMS, ("GroupId",))
def revoke_ingress(ctx):
    return _revoke(ctx, False)


@action("ec2", "AuthorizeSecurityGroupEgress", PERM_PARAMS +
        ("TagSpecification",), ("GroupId",))
def authorize_egress(ctx):
    return _authorize(ctx, True)


@action("ec2", "AuthorizeSecurityGroupIngress", PERM_PARAMS +
        ("TagSpecification",), ("GroupId",))
def authorize_ingress(ctx):
    return _authorize(ctx, False)


def _x_rule(ctx, g, r):
    allp = r["protocol"] == "-1"
    return [
        el("securityGroupRuleId", r["rule_id"]), el("groupId", g["id"]),
        el("groupOwnerId", ctx.acct.id), el("isEgress", r["egress"]),
        el("ipProtocol", r["protocol"]),
        el("fromPort", -1 if allp else r["from_port"]),
        el("toPort", -1 if allp else r["to_port"]),
        opt("cidrIpv4", r["cidr"]), opt("cidrIpv6", r["cidr_ipv6"]),
        el("referencedGroupInfo", el("groupId", r["group_id"]),
           el("userId", ctx.acct.id)) if r["group_id"] else None,
        opt("description", r["description"]), el("tagSet")]


@action("ec2", "DescribeSecurityGroupRules",
        ("SecurityGroupRuleId", "Filter") + PAGE)
def describe_security_group_rules(ctx):
    rows = [dict(r, group=g) for g in ctx.reg.security_groups.values()
            for r in g["rules"]]
    ids = _ids(ctx, "SecurityGroupRuleId")
    for rid in ids:
        if not any(r["rule_id"] == rid for r in rows):
            raise _not_found("sgr", rid)
    if ids:
        rows = [r for r in rows if r["rule_id"] in ids]
    getters = {"group-id": lambda r: [r["group"]["id"]],
               "security-group-rule-id": lambda r: [r["rule_id"]]}
    filters = ec2_filters(ctx)
    rows = [r for r in rows if match_filters(r, filters, getters)]
    page, token = _page(ctx, rows)
    return [items("securityGroupRuleSet",
                  [_x_rule(ctx, r["group"], r) for r in page]),
            _next(token)]

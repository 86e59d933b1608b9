"""fakeaws_ec2idle.py - what ec2-stopped and ec2-underused need of the
fake beyond fakeaws_ec2.py: the instance fields those playbooks read, the
instance's EBS volumes in its blockDeviceMapping, termination deleting
the DeleteOnTermination volumes as AWS does, DescribeInstanceAttribute,
RegisterImage / DescribeImages / RunInstances (the undo), and AWS Compute
Optimizer (JSON 1.0, X-Amz-Target ComputeOptimizerService.*, signed as
"compute-optimizer").

Instance seed keys added to add_instance(): reason (the
StateTransitionReason), key_name, lifecycle ("spot"), root_device_name
(default /dev/xvda), root_device_type (ebs), architecture (x86_64),
disable_api_termination (false); to add_volume(): delete_on_termination
(false). Region state added: images {id: image},
optimizer {"enrolled": bool, "recommendations": {instance id:
[{"instance_type": ..., "rank": n}]}} (seed key "optimizer").

Standard library only.
"""

import fakeaws_ec2
import fakeaws_images
from fakeaws_proto import (ACTIONS, JSON_TARGETS, SERVICES, AWSError,
                           action, el, items, opt, paginate)
from fakeaws_state import Region, iso

OPTIMIZER_TARGET = "ComputeOptimizerService."
SERVICES["compute-optimizer"] = ("json", "2019-11-01", None)
JSON_TARGETS["compute-optimizer"] = (OPTIMIZER_TARGET, "1.0")


# ---- the instance's new fields ----------------------------------------------

_add_instance = Region.add_instance


def _add_instance_idle(self, *args, reason=None, key_name=None,
                       lifecycle=None,
                       root_device_name="/dev/xvda", root_device_type="ebs",
                       architecture="x86_64", disable_api_termination=False,
                       **kw):
    iid = _add_instance(self, *args, **kw)
    self.instances[iid].update({
        "reason": reason or "", "key_name": key_name,
        "lifecycle": lifecycle, "root_device_name": root_device_name,
        "root_device_type": root_device_type, "architecture": architecture,
        "disable_api_termination": bool(disable_api_termination)})
    return iid


Region.add_instance = _add_instance_idle

_add_volume = Region.add_volume


def _add_volume_idle(self, *args, delete_on_termination=False, **kw):
    vid = _add_volume(self, *args, **kw)
    for a in self.volumes[vid]["attachments"]:
        a["delete_on_termination"] = bool(delete_on_termination)
    return vid


Region.add_volume = _add_volume_idle

_x_instance = fakeaws_ec2._x_instance


def _mappings(ctx, i):
    out = []
    for v in ctx.reg.volumes.values():
        for a in v["attachments"]:
            if a["instance_id"] == i["id"]:
                out.append([el("deviceName", a["device"]), el(
                    "ebs", el("volumeId", v["id"]),
                    el("status", a["state"]),
                    el("attachTime", iso(a["attach_time"])),
                    el("deleteOnTermination",
                       bool(a["delete_on_termination"])))])
    return out


def _x_instance_idle(ctx, i):
    maps = _mappings(ctx, i)
    return _x_instance(ctx, i) + [
        el("reason", i.get("reason", "")),
        el("rootDeviceType", i.get("root_device_type", "ebs")),
        el("rootDeviceName", i.get("root_device_name", "/dev/xvda")),
        items("blockDeviceMapping", maps) if maps else None,
        el("architecture", i.get("architecture", "x86_64")),
        opt("keyName", i.get("key_name")),
        opt("instanceLifecycle", i.get("lifecycle")),
        el("ebsOptimized", False), el("enaSupport", True)]


fakeaws_ec2._x_instance = _x_instance_idle
fakeaws_ec2.INSTANCE_FILTERS["root-device-type"] = \
    lambda i: [i.get("root_device_type", "ebs")]

_terminate = ACTIONS["ec2"]["TerminateInstances"].fn


def _terminate_idle(ctx):
    """As AWS: the instance's DeleteOnTermination volumes go with it, the
    others are detached (available)."""
    out = _terminate(ctx)
    ids = set(str(v) for v in ctx.lst("InstanceId"))
    for vid, v in list(ctx.reg.volumes.items()):
        mine = [a for a in v["attachments"] if a["instance_id"] in ids]
        if not mine:
            continue
        if any(a["delete_on_termination"] for a in mine):
            del ctx.reg.volumes[vid]
        else:
            v["attachments"] = []
            v["status"] = "available"
    return out


ACTIONS["ec2"]["TerminateInstances"].fn = _terminate_idle


@action("ec2", "DescribeInstanceAttribute", ("InstanceId", "Attribute"),
        ("InstanceId", "Attribute"))
def describe_instance_attribute(ctx):
    i = fakeaws_ec2._instance(ctx, ctx.str("InstanceId"))
    attr = ctx.str("Attribute")
    if attr != "disableApiTermination":
        raise AWSError("InvalidParameterValue", "fakeaws models only "
                       "disableApiTermination, not %r" % attr)
    return [el("instanceId", i["id"]), el(
        "disableApiTermination",
        el("value", bool(i.get("disable_api_termination"))))]


# ---- images and launches (the undo) -----------------------------------------

def _images(reg):
    if not hasattr(reg, "images"):
        reg.images = {}
    return reg.images



@action("ec2", "RegisterImage",
        ("Name", "Description", "Architecture", "RootDeviceName",
         "VirtualizationType", "EnaSupport", "BlockDeviceMapping",
         "BootMode", "SriovNetSupport"), ("Name",))
def register_image(ctx):
    reg = ctx.reg
    name = ctx.str("Name")
    if any(m["name"] == name for m in _images(reg).values()):
        raise AWSError("InvalidAMIName.Duplicate", "AMI name %s is already "
                       "in use by AMI" % name)
    root = ctx.str("RootDeviceName")
    maps = []
    for m in ctx.lst("BlockDeviceMapping"):
        ebs = m.get("Ebs") or {}
        sid = ebs.get("SnapshotId")
        s = fakeaws_ec2._get(ctx, reg.snapshots, sid, "snap")
        if s["status"] != "completed":
            raise AWSError("IncorrectState", "Snapshot %s is not "
                           "completed" % sid)
        maps.append({"device": m.get("DeviceName"), "snapshot_id": sid,
                     "size": int(ebs.get("VolumeSize") or s["size"]),
                     "volume_type": ebs.get("VolumeType") or "gp2",
                     "iops": int(ebs["Iops"]) if ebs.get("Iops") else None,
                     "delete_on_termination":
                         ebs.get("DeleteOnTermination") == "true"})
    if not root or root not in [m["device"] for m in maps]:
        raise AWSError("InvalidBlockDeviceMapping", "The root device %r "
                       "has no snapshot in the mapping" % root)
    ami = reg._id("ami-")
    _images(reg)[ami] = fakeaws_images.image_record(
        ami, name, root=root, architecture=ctx.str("Architecture", "x86_64"),
        mappings=maps, description=ctx.str("Description", ""))
    return [el("imageId", ami)]


@action("ec2", "RunInstances",
        ("ImageId", "InstanceType", "MinCount", "MaxCount", "SubnetId",
         "SecurityGroupId", "IamInstanceProfile", "KeyName", "ClientToken",
         "EbsOptimized", "TagSpecification", "BlockDeviceMapping",
         "MetadataOptions"),
        ("ImageId", "MinCount", "MaxCount"))
def run_instances(ctx):
    reg = ctx.reg
    tokens = reg.__dict__.setdefault("run_tokens", {})
    tok = ctx.str("ClientToken")
    if tok and tok in tokens:
        iid = tokens[tok]
    else:
        img = _images(reg).get(ctx.str("ImageId"))
        if img is None:
            raise AWSError("InvalidAMIID.NotFound", "The image id '[%s]' "
                           "does not exist" % ctx.str("ImageId"))
        if ctx.int("MinCount") != 1 or ctx.int("MaxCount") != 1:
            raise AWSError("InvalidParameterValue", "fakeaws launches one "
                           "instance at a time")
        tags = fakeaws_ec2._tag_specs(ctx, "instance")
        prof = (ctx.get("IamInstanceProfile") or {}).get("Arn")
        iid = reg.add_instance(
            instance_type=ctx.str("InstanceType", "m1.small"),
            image_id=img["id"], subnet_id=ctx.str("SubnetId"),
            groups=[str(g) for g in ctx.lst("SecurityGroupId")] or None,
            tags=tags, key_name=ctx.str("KeyName"),
            root_device_name=img["root"],
            architecture=img["architecture"],
            instance_profile={"arn": prof} if prof else None,
            launch_time=ctx.fake.now())
        md = ctx.get("MetadataOptions") or {}
        meta = reg.instances[iid]["metadata"]
        if md.get("HttpTokens"):
            meta["http_tokens"] = md["HttpTokens"]
        if md.get("HttpEndpoint"):
            meta["http_endpoint"] = md["HttpEndpoint"]
        if md.get("HttpPutResponseHopLimit"):
            meta["hop_limit"] = int(md["HttpPutResponseHopLimit"])
        for m in img["mappings"]:
            reg.add_volume(size=m["size"], volume_type=m["volume_type"],
                           iops=m["iops"], snapshot_id=m["snapshot_id"],
                           attached_to=iid, device=m["device"],
                           az=reg.instances[iid]["az"],
                           delete_on_termination=m["delete_on_termination"])
        if tok:
            tokens[tok] = iid
    i = reg.instances[iid]
    return [el("reservationId", i["reservation_id"]),
            el("ownerId", ctx.acct.id),
            items("instancesSet", [[el("instanceId", iid),
                                    el("imageId", i["image_id"]),
                                    el("instanceType", i["type"])]])]


# ---- Compute Optimizer (JSON 1.0) -------------------------------------------

def _optimizer(reg):
    if not hasattr(reg, "optimizer"):
        reg.optimizer = {"enrolled": False, "recommendations": {}}
    return reg.optimizer


def seed_optimizer(reg, enrolled=True, recommendations=None):
    """Compute Optimizer in reg: opted in or not, and its recommended
    types per instance id ({iid: ["t3.small", ...]}, best first)."""
    o = _optimizer(reg)
    o["enrolled"] = bool(enrolled)
    o["recommendations"].update(recommendations or {})
    return o


@action("compute-optimizer", "GetEC2InstanceRecommendations",
        ("instanceArns", "nextToken", "maxResults", "filters", "accountIds",
         "recommendationPreferences"))
def get_ec2_instance_recommendations(ctx):
    o = _optimizer(ctx.reg)
    if not o["enrolled"]:
        raise AWSError("OptInRequiredException", "The account is not "
                       "opted in to AWS Compute Optimizer.")
    arns = ctx.json.get("instanceArns") or []
    out = []
    for arn in arns:
        iid = str(arn).rsplit("/", 1)[-1]
        recs = o["recommendations"].get(iid)
        i = ctx.reg.instances.get(iid)
        if recs is None or i is None:
            continue
        out.append({
            "instanceArn": arn, "accountId": ctx.acct.id,
            "currentInstanceType": i["type"], "finding": "OVER_PROVISIONED",
            "recommendationOptions": [
                {"instanceType": t, "rank": n + 1,
                 "performanceRisk": 1.0}
                for n, t in enumerate(recs)]})
    page, token = paginate(ctx, out, ctx.json.get("maxResults"),
                           ctx.json.get("nextToken"),
                           "InvalidParameterValueException")
    ans = {"instanceRecommendations": page, "errors": []}
    if token:
        ans["nextToken"] = token
    return ans


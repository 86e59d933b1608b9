"""fakeaws_imds.py - what imdsv1-everywhere reads and changes, for
fakeaws.py: EC2 launch templates and images, EC2 Auto Scaling (Query
2011-01-01, signed "autoscaling") and EKS managed node groups (REST-JSON,
signed "eks"). Standard library only.

State, per Region (created on first use; plain dicts):
  launch_templates       {id: {id, name, create_time, default_version,
                         latest_version, tags, versions {n: {number,
                         description, create_time, data {image_id,
                         instance_type, metadata {http_tokens,
                         http_endpoint, hop_limit}, raw {LaunchTemplateData
                         as sent}}}}}}
  images                 {id: {id, name, state, creation_date,
                         imds_support, tags}}
  launch_configurations  {name: {name, arn, image_id, instance_type,
                         created, metadata {...}, extra {Key: value}}}
  auto_scaling_groups    {name: {name, arn, created, status, lc, lt
                         {id, version} | None, mixed (bool), tags}}
  eks_clusters           {name: {name, nodegroups {name: {name, arn,
                         cluster, created, status, lt {id, version} |
                         None, tags, updates {id: {...}}}}}}

Seeds (REGION_SEEDS gets these keys, in this order): launch_templates
(add_launch_template), images (add_image), launch_configurations
(add_launch_configuration), auto_scaling_groups (add_auto_scaling_group:
returns the ARN), eks_nodegroups (add_eks_nodegroup: returns the ARN).

EKS errors are REST-JSON: HTTP status, x-amzn-ErrorType: CODE, body
{"message": TEXT}. Paging: ListClusters/ListNodegroups (nextToken),
DescribeAutoScalingGroups/DescribeLaunchConfigurations (NextToken),
DescribeLaunchTemplates/DescribeImages (NextToken), all capped by
FakeAWS.set_page_size.
"""

import json
import re

import fakeaws_ec2
import fakeaws_images
import fakeaws_state
from fakeaws_ec2 import OK, _ids, _next, _page
from fakeaws_proto import (ACTIONS, SERVICES, AWSError, action, as_list,
                           ec2_tags, el, items, opt, paginate, route)
from fakeaws_state import DEFAULT_TIME, Region, iso, locked, parse_time, \
    tag_dict

SERVICES["autoscaling"] = ("query", "2011-01-01",
                           "http://autoscaling.amazonaws.com/doc/2011-01-01/")
SERVICES["eks"] = ("rest", "2017-11-01", None)


# ---- state -------------------------------------------------------------

def _st(reg, name):
    return reg.__dict__.setdefault(name, {})


def _t(v):
    return DEFAULT_TIME if v is None else parse_time(v)


def _md(http_tokens=None, http_endpoint=None, hop_limit=None):
    return {"http_tokens": http_tokens, "http_endpoint": http_endpoint,
            "hop_limit": hop_limit}


@locked
def add_launch_template(self, name=None, template_id=None,
                        http_tokens="optional", http_endpoint=None,
                        hop_limit=None, created=None, tags=None,
                        versions=(), default_version=1,
                        image_id="ami-0fa4e0000000000001",
                        instance_type="t3.micro"):
    """A template whose version 1 has these metadata options
    (http_tokens None: unset, which AWS reads as optional); versions:
    more versions' {http_tokens, http_endpoint, hop_limit}."""
    lid = template_id or self._id("lt-")
    t = _t(created)
    vers = {}
    for n, md in enumerate([{"http_tokens": http_tokens,
                             "http_endpoint": http_endpoint,
                             "hop_limit": hop_limit}] + list(versions), 1):
        vers[str(n)] = {"number": n, "description": None, "create_time": t,
                   "data": {"image_id": image_id,
                            "instance_type": instance_type,
                            "metadata": _md(**md), "raw": {}}}
    _st(self, "launch_templates")[lid] = {
        "id": lid, "name": name or "lt-" + lid[3:11], "create_time": t,
        "default_version": int(default_version),
        "latest_version": len(vers), "tags": tag_dict(tags),
        "versions": vers}
    return lid


@locked
def add_launch_configuration(self, name, http_tokens=None,
                             http_endpoint=None, hop_limit=None,
                             created=None, image_id="ami-0fa4e0000000000001",
                             instance_type="t3.micro", security_groups=(),
                             extra=None):
    _st(self, "launch_configurations")[name] = {
        "name": name, "image_id": image_id, "instance_type": instance_type,
        "arn": "arn:aws:autoscaling:%s:%s:launchConfiguration:%s:"
               "launchConfigurationName/%s" % (
                   self.name, self.account.id, self._id("", 8), name),
        "created": _t(created), "security_groups": list(security_groups),
        "metadata": _md(http_tokens, http_endpoint, hop_limit),
        "extra": dict(extra or {})}
    return name


@locked
def add_auto_scaling_group(self, name, launch_configuration=None,
                           launch_template=None, version=None, mixed=False,
                           created=None, tags=None, status=None):
    arn = ("arn:aws:autoscaling:%s:%s:autoScalingGroup:%s:"
           "autoScalingGroupName/%s" % (self.name, self.account.id,
                                        self._id("", 8), name))
    _st(self, "auto_scaling_groups")[name] = {
        "name": name, "arn": arn, "created": _t(created), "status": status,
        "lc": launch_configuration,
        "lt": {"id": launch_template, "version": version}
        if launch_template else None,
        "mixed": bool(mixed), "tags": tag_dict(tags)}
    return arn


@locked
def add_eks_nodegroup(self, cluster, name, launch_template=None,
                      version=None, created=None, status="ACTIVE",
                      tags=None):
    c = _st(self, "eks_clusters").setdefault(
        cluster, {"name": cluster, "nodegroups": {}})
    arn = "arn:aws:eks:%s:%s:nodegroup/%s/%s/%s" % (
        self.name, self.account.id, cluster, name, self._id("", 8))
    c["nodegroups"][name] = {
        "name": name, "arn": arn, "cluster": cluster,
        "created": _t(created), "status": status,
        "lt": {"id": launch_template, "version": str(version)}
        if launch_template else None,
        "tags": tag_dict(tags), "updates": {}}
    return arn


for _fn in (add_launch_template, add_launch_configuration,
            add_auto_scaling_group, add_eks_nodegroup):
    setattr(Region, _fn.__name__, _fn)
for _k in ("launch_templates", "launch_configurations",
           "auto_scaling_groups", "eks_clusters"):
    setattr(Region, _k, property(lambda self, k=_k: _st(self, k)))
fakeaws_state.REGION_SEEDS = fakeaws_state.REGION_SEEDS + (
    ("launch_templates", "add_launch_template"),
    ("launch_configurations", "add_launch_configuration"),
    ("auto_scaling_groups", "add_auto_scaling_group"),
    ("eks_nodegroups", "add_eks_nodegroup"))


# ---- EC2: launch templates ---------------------------------------------

LT_DATA_PARAMS = ("LaunchTemplateData",)


def _lt(ctx, lid=None, name=None):
    lts = ctx.reg.launch_templates
    if lid is not None:
        if not re.match(r"^lt-[0-9a-f]", str(lid)):
            raise AWSError("InvalidLaunchTemplateId.Malformed",
                           "The launch template ID '%s' is malformed." % lid)
        if lid not in lts:
            raise AWSError("InvalidLaunchTemplateId.NotFound",
                           "The specified launch template, with template ID "
                           "%s, does not exist." % lid)
        return lts[lid]
    for t in lts.values():
        if t["name"] == name:
            return t
    raise AWSError("InvalidLaunchTemplateName.NotFoundException",
                   "The specified launch template, with template name %s, "
                   "does not exist." % name)


def _lt_of(ctx):
    lid, name = ctx.str("LaunchTemplateId"), ctx.str("LaunchTemplateName")
    if (lid is None) == (name is None):
        raise AWSError("MissingParameter", "The request must contain the "
                       "parameter LaunchTemplateName or LaunchTemplateId")
    return _lt(ctx, lid, name)


def _x_lt(t):
    return [el("launchTemplateId", t["id"]),
            el("launchTemplateName", t["name"]),
            el("createTime", iso(t["create_time"])),
            el("createdBy", "arn:aws:iam::123456789012:root"),
            el("defaultVersionNumber", t["default_version"]),
            el("latestVersionNumber", t["latest_version"]),
            ec2_tags(t["tags"])]


@action("ec2", "DescribeLaunchTemplates",
        ("LaunchTemplateId", "LaunchTemplateName", "Filter", "MaxResults",
         "NextToken"))
def describe_launch_templates(ctx):
    ids = _ids(ctx, "LaunchTemplateId")
    names = _ids(ctx, "LaunchTemplateName")
    if (ids or names) and ctx.get("MaxResults") is not None:
        raise AWSError("InvalidParameterCombination", "MaxResults cannot be "
                       "used with LaunchTemplateIds or LaunchTemplateNames")
    objs = [_lt(ctx, i) for i in ids] + [_lt(ctx, None, n) for n in names]
    if not ids and not names:
        objs = list(ctx.reg.launch_templates.values())
    page, token = _page(ctx, objs, 1, 200)
    return [items("launchTemplates", [_x_lt(t) for t in page]),
            _next(token)]


def _resolve(ctx, t, v):
    if v in ("$Default", None):
        n = t["default_version"]
    elif v == "$Latest":
        n = t["latest_version"]
    else:
        try:
            n = int(v)
        except ValueError:
            raise AWSError("InvalidLaunchTemplateId.VersionNotFound",
                           "Could not find launch template version %s" % v)
    if str(n) not in t["versions"]:
        raise AWSError("InvalidLaunchTemplateId.VersionNotFound",
                       "Could not find launch template version %s" % v)
    return t["versions"][str(n)]


def _x_version(t, v):
    d, md = v["data"], v["data"]["metadata"]
    mo = [opt("httpTokens", md["http_tokens"]),
          opt("httpPutResponseHopLimit", md["hop_limit"]),
          opt("httpEndpoint", md["http_endpoint"])]
    return [el("launchTemplateId", t["id"]),
            el("launchTemplateName", t["name"]),
            el("versionNumber", v["number"]),
            opt("versionDescription", v["description"]),
            el("createTime", iso(v["create_time"])),
            el("defaultVersion", v["number"] == t["default_version"]),
            el("launchTemplateData", opt("imageId", d["image_id"]),
               opt("instanceType", d["instance_type"]),
               el("metadataOptions", el("state", "applied"), mo)
               if any(x is not None for x in mo) else None)]


@action("ec2", "DescribeLaunchTemplateVersions",
        ("LaunchTemplateId", "LaunchTemplateName", "LaunchTemplateVersion",
         "MinVersion", "MaxVersion", "Filter", "MaxResults", "NextToken",
         "ResolveAlias"))
def describe_launch_template_versions(ctx):
    t = _lt_of(ctx)
    want = [str(v) for v in ctx.lst("LaunchTemplateVersion")]
    vers = [_resolve(ctx, t, v) for v in want] if want else \
        list(t["versions"].values())
    page, token = _page(ctx, vers, 1, 200)
    return [items("launchTemplateVersionSet",
                  [_x_version(t, v) for v in page]), _next(token)]


def _data_from(ctx, base):
    """The version data of LaunchTemplateData over base (MetadataOptions,
    when given, replaces the whole structure, as AWS does)."""
    raw = ctx.get("LaunchTemplateData") or {}
    if not isinstance(raw, dict):
        raise AWSError("InvalidParameterValue", "LaunchTemplateData")
    d = {"image_id": base.get("image_id"),
         "instance_type": base.get("instance_type"),
         "metadata": dict(base.get("metadata") or _md()), "raw": raw}
    if "ImageId" in raw:
        d["image_id"] = raw["ImageId"]
    if "InstanceType" in raw:
        d["instance_type"] = raw["InstanceType"]
    mo = raw.get("MetadataOptions")
    if mo is not None:
        if not isinstance(mo, dict):
            raise AWSError("InvalidParameterValue", "MetadataOptions")
        tok = mo.get("HttpTokens")
        if tok not in (None, "optional", "required"):
            raise AWSError("InvalidParameterValue", "HttpTokens %r" % tok)
        d["metadata"] = _md(tok, mo.get("HttpEndpoint"),
                            mo.get("HttpPutResponseHopLimit"))
    return d


@action("ec2", "CreateLaunchTemplateVersion",
        ("LaunchTemplateId", "LaunchTemplateName", "SourceVersion",
         "VersionDescription", "LaunchTemplateData", "ClientToken",
         "ResolveAlias"), ("LaunchTemplateData",))
def create_launch_template_version(ctx):
    t = _lt_of(ctx)
    src = ctx.str("SourceVersion")
    base = _resolve(ctx, t, src)["data"] if src else {}
    n = t["latest_version"] + 1
    t["versions"][str(n)] = {"number": n,
                        "description": ctx.str("VersionDescription"),
                             "create_time": ctx.fake.now(),
                             "data": _data_from(ctx, base)}
    t["latest_version"] = n
    return [el("launchTemplateVersion",
               _x_version(t, t["versions"][str(n)]))]


@action("ec2", "ModifyLaunchTemplate",
        ("LaunchTemplateId", "LaunchTemplateName", "SetDefaultVersion",
         "ClientToken"))
def modify_launch_template(ctx):
    t = _lt_of(ctx)
    v = ctx.str("SetDefaultVersion")
    if v is not None:
        t["default_version"] = _resolve(ctx, t, v)["number"]
    return [el("launchTemplate", _x_lt(t))]


@action("ec2", "CreateLaunchTemplate",
        ("LaunchTemplateName", "VersionDescription", "LaunchTemplateData",
         "TagSpecification", "ClientToken"),
        ("LaunchTemplateName", "LaunchTemplateData"))
def create_launch_template(ctx):
    name = ctx.str("LaunchTemplateName")
    if not re.fullmatch(r"[a-zA-Z0-9().\-/_]{3,128}", name):
        raise AWSError("InvalidLaunchTemplateName.MalformedException",
                       "Launch template name %r is malformed" % name)
    if any(t["name"] == name for t in ctx.reg.launch_templates.values()):
        raise AWSError("InvalidLaunchTemplateName.AlreadyExistsException",
                       "Launch template name already in use.")
    lid = ctx.reg._id("lt-")
    now = ctx.fake.now()
    t = {"id": lid, "name": name, "create_time": now, "default_version": 1,
         "latest_version": 1,
         "tags": fakeaws_ec2._tag_specs(ctx, "launch-template"),
         "versions": {"1": {"number": 1,
                          "description": ctx.str("VersionDescription"),
                          "create_time": now,
                          "data": _data_from(ctx, {})}}}
    ctx.reg.launch_templates[lid] = t
    return [el("launchTemplate", _x_lt(t))]


# ---- EC2: images -----------------------------------------------------------

_image = fakeaws_images.find_image   # DescribeImages: fakeaws_images.py


@action("ec2", "ModifyImageAttribute",
        ("ImageId", "Attribute", "Value", "ImdsSupport", "Description",
         "LaunchPermission", "OperationType", "UserId", "UserGroup",
         "ProductCode"), ("ImageId",))
def modify_image_attribute(ctx):
    img = _image(ctx, ctx.str("ImageId"))
    v = (ctx.get("ImdsSupport") or {}).get("Value") \
        if isinstance(ctx.get("ImdsSupport"), dict) else None
    if ctx.str("Attribute") == "imdsSupport":
        v = ctx.str("Value")
    if v is None:
        raise AWSError("InvalidParameterCombination", "fakeaws: only "
                       "ImdsSupport is implemented")
    if v != "v2.0":
        raise AWSError("InvalidParameterValue", "ImdsSupport can only be "
                       "set to v2.0; it cannot be unset")
    img["imds_support"] = "v2.0"
    return [OK]


# CreateTags also tags launch templates and images
_create_tags = ACTIONS["ec2"]["CreateTags"].fn


def _create_tags_too(ctx):
    ids = _ids(ctx, "ResourceId")
    mine = [r for r in ids if r.startswith(("lt-", "ami-"))]
    if not mine:
        return _create_tags(ctx)
    if len(mine) != len(ids):
        raise AWSError("InvalidParameterCombination", "fakeaws: tag launch "
                       "templates and images apart from other resources")
    tags = fakeaws_ec2._tag_list(ctx)
    for r in mine:
        o = _lt(ctx, r) if r.startswith("lt-") else _image(ctx, r)
        for t in tags:
            o["tags"][t["Key"]] = t.get("Value", "")
    return [OK]


ACTIONS["ec2"]["CreateTags"].fn = _create_tags_too


# ---- Auto Scaling -------------------------------------------------------

def _asg_page(ctx, seq):
    size = ctx.int("MaxRecords", None, 1, 100)
    return paginate(ctx, seq, size, ctx.str("NextToken"), "InvalidNextToken")


def _x_asg(g):
    lt = g["lt"]
    spec = [el("LaunchTemplateId", lt["id"]),
            opt("Version", lt["version"])] if lt else None
    return el("member", [
        el("AutoScalingGroupName", g["name"]),
        el("AutoScalingGroupARN", g["arn"]),
        opt("LaunchConfigurationName", g["lc"]),
        el("LaunchTemplate", spec) if lt and not g["mixed"] else None,
        el("MixedInstancesPolicy", el("LaunchTemplate", el(
            "LaunchTemplateSpecification", spec))) if lt and g["mixed"]
        else None,
        el("MinSize", 0), el("MaxSize", 2), el("DesiredCapacity", 1),
        el("CreatedTime", iso(g["created"])), opt("Status", g["status"]),
        el("Tags", [el("member", el("ResourceId", g["name"]),
                       el("ResourceType", "auto-scaling-group"),
                       el("Key", k), el("Value", v),
                       el("PropagateAtLaunch", False))
                    for k, v in g["tags"].items()])])


@action("autoscaling", "DescribeAutoScalingGroups",
        ("AutoScalingGroupNames", "MaxRecords", "NextToken", "Filters",
         "IncludeInstances"))
def describe_auto_scaling_groups(ctx):
    names = [str(n) for n in as_list(ctx.get("AutoScalingGroupNames"))]
    groups = ctx.reg.auto_scaling_groups
    objs = [groups[n] for n in names if n in groups] if names else \
        list(groups.values())
    page, token = _asg_page(ctx, objs)
    return [el("AutoScalingGroups", [_x_asg(g) for g in page]),
            opt("NextToken", token)]


@action("autoscaling", "DescribeLaunchConfigurations",
        ("LaunchConfigurationNames", "MaxRecords", "NextToken"))
def describe_launch_configurations(ctx):
    names = [str(n) for n in as_list(ctx.get("LaunchConfigurationNames"))]
    lcs = ctx.reg.launch_configurations
    objs = [lcs[n] for n in names if n in lcs] if names else \
        list(lcs.values())
    page, token = _asg_page(ctx, objs)
    out = []
    for c in page:
        md = c["metadata"]
        mo = [opt("HttpTokens", md["http_tokens"]),
              opt("HttpPutResponseHopLimit", md["hop_limit"]),
              opt("HttpEndpoint", md["http_endpoint"])]
        out.append(el("member", [
            el("LaunchConfigurationName", c["name"]),
            el("LaunchConfigurationARN", c["arn"]),
            el("ImageId", c["image_id"]),
            el("InstanceType", c["instance_type"]),
            el("SecurityGroups", [el("member", s)
                                  for s in c["security_groups"]]),
            el("CreatedTime", iso(c["created"])),
            el("MetadataOptions", mo) if any(x is not None for x in mo)
            else None] + [el(k, v) for k, v in c["extra"].items()]))
    return [el("LaunchConfigurations", out), opt("NextToken", token)]


def _asg(ctx, name):
    g = ctx.reg.auto_scaling_groups.get(name)
    if g is None:
        raise AWSError("ValidationError", "AutoScalingGroup name not found "
                       "- AutoScalingGroup %s not found" % name)
    return g


@action("autoscaling", "UpdateAutoScalingGroup",
        ("AutoScalingGroupName", "LaunchConfigurationName", "LaunchTemplate",
         "MixedInstancesPolicy", "MinSize", "MaxSize", "DesiredCapacity"),
        ("AutoScalingGroupName",))
def update_auto_scaling_group(ctx):
    g = _asg(ctx, ctx.str("AutoScalingGroupName"))
    lc = ctx.str("LaunchConfigurationName")
    lt = ctx.get("LaunchTemplate")
    mixed = ctx.get("MixedInstancesPolicy")
    if sum(x is not None for x in (lc, lt, mixed)) > 1:
        raise AWSError("ValidationError", "Specify only one of "
                       "LaunchConfigurationName, LaunchTemplate or "
                       "MixedInstancesPolicy")
    if lc is not None:
        if lc not in ctx.reg.launch_configurations:
            raise AWSError("ValidationError", "Launch configuration name "
                           "not found - %s" % lc)
        g.update(lc=lc, lt=None, mixed=False)
    spec = lt
    if mixed is not None:
        spec = ((mixed.get("LaunchTemplate") or {}).get(
            "LaunchTemplateSpecification") or {}) \
            if isinstance(mixed, dict) else {}
    if spec is not None:
        if not isinstance(spec, dict) or not spec.get("LaunchTemplateId"):
            raise AWSError("ValidationError", "LaunchTemplateId required")
        t = _lt(ctx, spec["LaunchTemplateId"])
        _resolve(ctx, t, spec.get("Version"))
        g.update(lc=None, lt={"id": t["id"], "version": spec.get("Version")},
                 mixed=mixed is not None)
    return None


@action("autoscaling", "CreateOrUpdateTags", ("Tags",), ("Tags",))
def create_or_update_tags(ctx):
    for t in as_list(ctx.get("Tags")):
        if not isinstance(t, dict) or not t.get("Key") or \
                t.get("ResourceType") != "auto-scaling-group":
            raise AWSError("ValidationError", "a tag needs ResourceId, "
                           "ResourceType auto-scaling-group and Key")
        _asg(ctx, t.get("ResourceId"))["tags"][t["Key"]] = \
            t.get("Value", "")
    return None


# ---- EKS (REST-JSON) ------------------------------------------------------

def eks_route(method, pattern, name):
    """A REST-JSON EKS handler: returns a dict (200) or raises AWSError,
    answered as EKS does (x-amzn-ErrorType, {"message"})."""
    def deco(fn):
        def handler(ctx):
            try:
                out = fn(ctx)
            except AWSError as e:
                ctx.call.error, ctx.call.message = e.code, e.message
                return (e.status, json.dumps({"message": e.message}),
                        [("x-amzn-ErrorType", e.code)])
            return 200, json.dumps(out), [("Content-Type",
                                           "application/json")]
        route("eks", method, pattern, name)(handler)
        return fn
    return deco


def _eks_page(ctx, seq):
    size = ctx.query.get("maxResults")
    try:
        size = int(size) if size is not None else None
    except ValueError:
        raise AWSError("InvalidParameterException", "maxResults")
    return paginate(ctx, seq, size, ctx.query.get("nextToken"),
                    "InvalidParameterException")


def _cluster(ctx):
    c = ctx.reg.eks_clusters.get(ctx.match["cluster"])
    if c is None:
        raise AWSError("ResourceNotFoundException", "No cluster found for "
                       "name: %s." % ctx.match["cluster"], 404)
    return c


def _nodegroup(ctx):
    ng = _cluster(ctx)["nodegroups"].get(ctx.match["ng"])
    if ng is None:
        raise AWSError("ResourceNotFoundException", "No node group found "
                       "for name: %s." % ctx.match["ng"], 404)
    return ng


def _body(ctx):
    try:
        b = json.loads((ctx.body or b"{}").decode())
    except ValueError:
        raise AWSError("InvalidRequestException", "body is not JSON")
    if not isinstance(b, dict):
        raise AWSError("InvalidRequestException", "body is not an object")
    return b


@eks_route("GET", r"/clusters", "ListClusters")
def list_clusters(ctx):
    page, token = _eks_page(ctx, list(ctx.reg.eks_clusters))
    return {"clusters": page, "nextToken": token}


@eks_route("GET", r"/clusters/(?P<cluster>[^/]+)/node-groups",
           "ListNodegroups")
def list_nodegroups(ctx):
    page, token = _eks_page(ctx, list(_cluster(ctx)["nodegroups"]))
    return {"nodegroups": page, "nextToken": token}


def _x_ng(ng):
    out = {"nodegroupName": ng["name"], "nodegroupArn": ng["arn"],
           "clusterName": ng["cluster"], "createdAt": ng["created"],
           "status": ng["status"], "tags": ng["tags"],
           "amiType": "AL2_x86_64"}
    if ng["lt"]:
        out["launchTemplate"] = dict(ng["lt"])
    return out


@eks_route("GET", r"/clusters/(?P<cluster>[^/]+)/node-groups/(?P<ng>[^/]+)",
           "DescribeNodegroup")
def describe_nodegroup(ctx):
    return {"nodegroup": _x_ng(_nodegroup(ctx))}


@eks_route("POST", r"/clusters/(?P<cluster>[^/]+)/node-groups/(?P<ng>[^/]+)"
           r"/update-version", "UpdateNodegroupVersion")
def update_nodegroup_version(ctx):
    ng = _nodegroup(ctx)
    b = _body(ctx)
    lt = b.get("launchTemplate")
    if set(b) - {"launchTemplate", "version", "releaseVersion", "force",
                 "clientRequestToken"}:
        raise AWSError("InvalidParameterException", "unknown field")
    if not isinstance(lt, dict) or not lt.get("id") or \
            not isinstance(lt.get("version"), str):
        raise AWSError("InvalidParameterException", "launchTemplate "
                       "{id, version (a string)} expected")
    if not ng["lt"]:
        raise AWSError("InvalidParameterException", "the node group has no "
                       "custom launch template")
    if ng["status"] != "ACTIVE":
        raise AWSError("ResourceInUseException", "node group is %s"
                       % ng["status"], 409)
    t = _lt(ctx, lt["id"])
    _resolve(ctx, t, lt["version"])
    uid = ctx.reg._id("", 8) + "-fake-update"
    ng["lt"] = {"id": t["id"], "version": lt["version"],
                "name": t["name"]}
    upd = {"id": uid, "status": "Successful", "type": "VersionUpdate",
           "params": [{"type": "LaunchTemplateVersion",
                       "value": lt["version"]}]}
    ng["updates"][uid] = upd
    return {"update": upd}


@eks_route("GET", r"/clusters/(?P<cluster>[^/]+)/updates/(?P<uid>[^/]+)",
           "DescribeUpdate")
def describe_update(ctx):
    ng = _cluster(ctx)["nodegroups"].get(ctx.query.get("nodegroupName"))
    upd = ng and ng["updates"].get(ctx.match["uid"])
    if not upd:
        raise AWSError("ResourceNotFoundException", "No update found", 404)
    return {"update": upd}


@eks_route("POST", r"/tags/(?P<arn>.+)", "TagResource")
def tag_resource(ctx):
    import urllib.parse
    arn = urllib.parse.unquote(ctx.match["arn"])
    tags = _body(ctx).get("tags")
    if not isinstance(tags, dict) or not tags:
        raise AWSError("BadRequestException", "tags expected")
    for c in ctx.reg.eks_clusters.values():
        for ng in c["nodegroups"].values():
            if ng["arn"] == arn:
                ng["tags"].update({str(k): str(v) for k, v in tags.items()})
                return {}
    raise AWSError("NotFoundException", "resource %s not found" % arn, 404)

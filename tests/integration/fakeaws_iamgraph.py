"""fakeaws_iamgraph.py - the IAM of iam-admin-paths for fakeaws.py:
GetAccountAuthorizationDetails (paged, Filter), managed policies and
their versions (CreatePolicy, DeletePolicy, CreatePolicyVersion,
GetPolicyVersion, ListPolicyVersions, DeletePolicyVersion,
SetDefaultPolicyVersion) and the action-level last-accessed report
(GenerateServiceLastAccessedDetails, GetServiceLastAccessedDetails: the
first read of a job answers IN_PROGRESS). Standard library only; the
requests are signed for "iam" and checked like every other (fakeaws.py).

State, kept on the Account (fakeaws_state.py) under keys of its own:
  acct.iam_policies   {arn: {name, arn, id, path, create_time, default,
                      versions [{id, doc (JSON text), create_time}]}}
  role["trust"]       the role's trust policy (JSON text; default: EC2)
  role["tags"]        {key: value}
  role["boundary"]    a permissions boundary ARN or None
  role["last_access"] {"iam:PutRolePolicy": epoch seconds}
  acct.iam_jobs       {job id: {arn, reads}}

Seeding (tests): add_policy(acct, name, doc, aws=False, versions=()),
set_trust(acct, role, doc), set_last_access(acct, role, action, when),
attached_names(acct, role).
"""

import json
import time
import urllib.parse
import uuid

from fakeaws_proto import AWSError, action, el, items, opt, paginate
from fakeaws_services import TRUST, _role
from fakeaws_state import iso

# the IAM actions whose last access the fake tracks (as IAM does for
# IAM's management actions)
TRACKED = ("AttachRolePolicy", "AttachUserPolicy", "AttachGroupPolicy",
           "PutRolePolicy", "PutUserPolicy", "PutGroupPolicy",
           "CreatePolicyVersion", "SetDefaultPolicyVersion", "CreatePolicy",
           "CreateUser", "CreateAccessKey", "CreateLoginProfile",
           "UpdateLoginProfile", "UpdateAssumeRolePolicy", "AddUserToGroup",
           "GetRole", "ListRoles")
FILTERS = ("User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy")
MAX_VERSIONS = 5


def _enc(doc):
    return urllib.parse.quote(doc, safe="-_.~")


def _pols(acct):
    if not hasattr(acct, "iam_policies"):
        acct.iam_policies = {}
    return acct.iam_policies


def _jobs(acct):
    if not hasattr(acct, "iam_jobs"):
        acct.iam_jobs = {}
    return acct.iam_jobs


def _text(doc):
    return doc if isinstance(doc, str) else json.dumps(doc)


# ---- seeding ----------------------------------------------------------------

def add_policy(acct, name, doc, aws=False, versions=()):
    """A managed policy whose default version is doc; versions: older
    documents (non-default, oldest first). Returns its ARN."""
    arn = ("arn:aws:iam::aws:policy/%s" % name if aws else
           "arn:aws:iam::%s:policy/%s" % (acct.id, name))
    docs = list(versions) + [doc]
    t0 = time.time() - 800 * 86400
    p = {"name": name, "arn": arn, "path": "/", "id": "ANPA" +
         uuid.uuid4().hex[:17].upper(), "create_time": t0,
         "versions": [{"id": "v%d" % (i + 1), "doc": _text(d),
                       "create_time": t0 + i * 86400}
                      for i, d in enumerate(docs)]}
    p["default"] = "v%d" % len(docs)
    _pols(acct)[arn] = p
    return arn


def set_trust(acct, role, doc):
    acct.roles[role]["trust"] = _text(doc)


def set_last_access(acct, role, act, when):
    acct.roles[role].setdefault("last_access", {})[act] = when


def policy_doc(acct, arn, version=None):
    """The document (dict) of a policy's default version (or version)."""
    p = _pols(acct)[arn]
    v = version or p["default"]
    return json.loads([x for x in p["versions"] if x["id"] == v][0]["doc"])


def _attachments(acct, arn):
    return sum(1 for r in acct.roles.values() if arn in r["attached"])


# ---- GetAccountAuthorizationDetails -----------------------------------------

def _x_tags(tags):
    if not tags:
        return None
    return items("Tags", [[el("Key", k), el("Value", v)]
                          for k, v in tags.items()], "member")


def _x_role_detail(acct, r):
    profiles = [p for p in acct.instance_profiles.values()
                if r["name"] in p["roles"]]
    pols = _pols(acct)
    return [
        el("Path", r["path"]), el("RoleName", r["name"]),
        el("RoleId", r["id"]), el("Arn", r["arn"]),
        el("CreateDate", iso(r["create_time"])),
        el("AssumeRolePolicyDocument", _enc(r.get("trust") or TRUST)),
        items("InstanceProfileList", [[
            el("Path", p["path"]), el("InstanceProfileName", p["name"]),
            el("InstanceProfileId", p["id"]), el("Arn", p["arn"]),
            el("CreateDate", iso(p["create_time"])),
            items("Roles", [], "member")] for p in profiles], "member"),
        items("RolePolicyList", [[el("PolicyName", n),
                                  el("PolicyDocument", _enc(d))]
                                 for n, d in r["policies"].items()],
              "member"),
        items("AttachedManagedPolicies", [[
            el("PolicyName", pols[a]["name"] if a in pols
               else a.rsplit("/", 1)[-1]),
            el("PolicyArn", a)] for a in r["attached"]], "member"),
        None if not r.get("boundary") else el(
            "PermissionsBoundary",
            el("PermissionsBoundaryType", "Policy"),
            el("PermissionsBoundaryArn", r["boundary"])),
        _x_tags(r.get("tags")),
    ]


def _x_policy_detail(acct, p):
    return [
        el("PolicyName", p["name"]), el("PolicyId", p["id"]),
        el("Arn", p["arn"]), el("Path", p["path"]),
        el("DefaultVersionId", p["default"]),
        el("AttachmentCount", _attachments(acct, p["arn"])),
        el("PermissionsBoundaryUsageCount", 0),
        el("IsAttachable", True),
        el("CreateDate", iso(p["create_time"])),
        el("UpdateDate", iso(p["versions"][-1]["create_time"])),
        items("PolicyVersionList", [[
            el("Document", _enc(v["doc"])), el("VersionId", v["id"]),
            el("IsDefaultVersion", v["id"] == p["default"]),
            el("CreateDate", iso(v["create_time"]))]
            for v in p["versions"]], "member"),
    ]


@action("iam", "GetAccountAuthorizationDetails",
        ("Filter", "MaxItems", "Marker"))
def get_account_authorization_details(ctx):
    flt = ctx.lst("Filter") or list(FILTERS)
    for f in flt:
        if f not in FILTERS:
            raise AWSError("ValidationError", "1 validation error "
                           "detected: Value '%s' at 'filter' failed to "
                           "satisfy constraint" % f)
    seq = []
    if "Role" in flt:
        seq += [("role", n) for n in sorted(ctx.acct.roles)]
    for arn in sorted(_pols(ctx.acct)):
        aws = arn.startswith("arn:aws:iam::aws:")
        if ("AWSManagedPolicy" if aws else "LocalManagedPolicy") in flt:
            seq.append(("policy", arn))
    size = ctx.int("MaxItems", 100, 1, 1000)
    page, token = paginate(ctx, seq, size, ctx.str("Marker"), "InvalidInput")
    roles = [_x_role_detail(ctx.acct, ctx.acct.roles[k])
             for t, k in page if t == "role"]
    pols = [_x_policy_detail(ctx.acct, _pols(ctx.acct)[k])
            for t, k in page if t == "policy"]
    return [items("UserDetailList", [], "member"),
            items("GroupDetailList", [], "member"),
            items("RoleDetailList", roles, "member"),
            items("Policies", pols, "member"),
            el("IsTruncated", token is not None), opt("Marker", token)]


# ---- managed policies ---------------------------------------------------------

def _pol(ctx, arn=None):
    arn = arn or ctx.str("PolicyArn")
    p = _pols(ctx.acct).get(arn)
    if p is None:
        raise AWSError("NoSuchEntity", "Policy %s does not exist or is not "
                       "attachable." % arn, 404)
    return p


def _check_doc(doc):
    try:
        d = json.loads(doc)
        if not isinstance(d, dict) or "Statement" not in d:
            raise ValueError
    except ValueError:
        raise AWSError("MalformedPolicyDocument", "Syntax errors in policy.")


def _x_version(v, default):
    return [el("Document", _enc(v["doc"])), el("VersionId", v["id"]),
            el("IsDefaultVersion", v["id"] == default),
            el("CreateDate", iso(v["create_time"]))]


@action("iam", "CreatePolicy", ("PolicyName", "PolicyDocument", "Path",
                                "Description", "Tags"),
        ("PolicyName", "PolicyDocument"))
def create_policy(ctx):
    name, doc = ctx.str("PolicyName"), ctx.str("PolicyDocument")
    _check_doc(doc)
    arn = "arn:aws:iam::%s:policy/%s" % (ctx.acct.id, name)
    if arn in _pols(ctx.acct):
        raise AWSError("EntityAlreadyExists", "A policy called %s already "
                       "exists." % name, 409)
    add_policy(ctx.acct, name, doc)
    p = _pols(ctx.acct)[arn]
    p["create_time"] = p["versions"][0]["create_time"] = time.time()
    return [el("Policy", el("PolicyName", name), el("PolicyId", p["id"]),
               el("Arn", arn), el("Path", "/"),
               el("DefaultVersionId", "v1"), el("AttachmentCount", 0),
               el("IsAttachable", True),
               el("CreateDate", iso(p["create_time"])))]


@action("iam", "DeletePolicy", ("PolicyArn",), ("PolicyArn",))
def delete_policy(ctx):
    p = _pol(ctx)
    if _attachments(ctx.acct, p["arn"]):
        raise AWSError("DeleteConflict", "Cannot delete a policy attached "
                       "to entities.", 409)
    if len(p["versions"]) > 1:
        raise AWSError("DeleteConflict", "This policy has more than one "
                       "version. Before you delete a policy, you must "
                       "delete the policy's versions.", 409)
    del _pols(ctx.acct)[p["arn"]]
    return None


@action("iam", "CreatePolicyVersion", ("PolicyArn", "PolicyDocument",
                                       "SetAsDefault"),
        ("PolicyArn", "PolicyDocument"))
def create_policy_version(ctx):
    p = _pol(ctx)
    doc = ctx.str("PolicyDocument")
    _check_doc(doc)
    if len(p["versions"]) >= MAX_VERSIONS:
        raise AWSError("LimitExceeded", "A managed policy can have up to 5 "
                       "versions. Before you create a new version, you "
                       "must delete an existing version.", 409)
    n = max(int(v["id"][1:]) for v in p["versions"]) + 1
    v = {"id": "v%d" % n, "doc": doc, "create_time": time.time()}
    p["versions"].append(v)
    if ctx.bool("SetAsDefault"):
        p["default"] = v["id"]
    return [el("PolicyVersion", _x_version(v, p["default"]))]


def _version(ctx, p):
    vid = ctx.str("VersionId")
    for v in p["versions"]:
        if v["id"] == vid:
            return v
    raise AWSError("NoSuchEntity", "Policy %s version %s does not exist."
                   % (p["arn"], vid), 404)


@action("iam", "GetPolicyVersion", ("PolicyArn", "VersionId"),
        ("PolicyArn", "VersionId"))
def get_policy_version(ctx):
    p = _pol(ctx)
    return [el("PolicyVersion", _x_version(_version(ctx, p), p["default"]))]


@action("iam", "ListPolicyVersions", ("PolicyArn", "Marker", "MaxItems"),
        ("PolicyArn",))
def list_policy_versions(ctx):
    p = _pol(ctx)
    seq = sorted(p["versions"], key=lambda v: -v["create_time"])
    page, token = paginate(ctx, seq, ctx.int("MaxItems", 100, 1, 1000),
                           ctx.str("Marker"), "InvalidInput")
    return [items("Versions", [
        [el("VersionId", v["id"]), el("IsDefaultVersion",
                                      v["id"] == p["default"]),
         el("CreateDate", iso(v["create_time"]))] for v in page], "member"),
        el("IsTruncated", token is not None), opt("Marker", token)]


@action("iam", "DeletePolicyVersion", ("PolicyArn", "VersionId"),
        ("PolicyArn", "VersionId"))
def delete_policy_version(ctx):
    p = _pol(ctx)
    v = _version(ctx, p)
    if v["id"] == p["default"]:
        raise AWSError("DeleteConflict", "Cannot delete the default version "
                       "of a policy.", 409)
    p["versions"].remove(v)
    return None


@action("iam", "SetDefaultPolicyVersion", ("PolicyArn", "VersionId"),
        ("PolicyArn", "VersionId"))
def set_default_policy_version(ctx):
    p = _pol(ctx)
    p["default"] = _version(ctx, p)["id"]
    return None


# ---- last accessed ------------------------------------------------------------

@action("iam", "GenerateServiceLastAccessedDetails", ("Arn", "Granularity"),
        ("Arn",))
def generate_service_last_accessed_details(ctx):
    arn = ctx.str("Arn")
    ctx.choice("Granularity", ("SERVICE_LEVEL", "ACTION_LEVEL"))
    name = arn.rsplit("/", 1)[-1]
    if ":role/" not in arn or name not in ctx.acct.roles:
        raise AWSError("NoSuchEntity", "The entity %s does not exist." % arn,
                       404)
    job = str(uuid.uuid4())
    _jobs(ctx.acct)[job] = {"role": name, "reads": 0,
                            "level": ctx.str("Granularity", "SERVICE_LEVEL")}
    return [el("JobId", job)]


@action("iam", "GetServiceLastAccessedDetails", ("JobId", "MaxItems",
                                                 "Marker"), ("JobId",))
def get_service_last_accessed_details(ctx):
    job = _jobs(ctx.acct).get(ctx.str("JobId"))
    if job is None:
        raise AWSError("NoSuchEntity", "Job %s not found." % ctx.str("JobId"),
                       404)
    job["reads"] += 1
    head = [el("JobType", job["level"]),
            el("JobCreationDate", iso(time.time()))]
    if job["reads"] == 1:
        return head + [el("JobStatus", "IN_PROGRESS"),
                       items("ServicesLastAccessed", [], "member"),
                       el("IsTruncated", False)]
    role = ctx.acct.roles[job["role"]]
    last = role.get("last_access", {})
    tracked = []
    for a in TRACKED:
        t = last.get("iam:" + a)
        tracked.append([el("ActionName", a),
                        opt("LastAccessedTime", iso(t) if t else None),
                        opt("LastAccessedEntity", role["arn"] if t else None),
                        opt("LastAccessedRegion", "us-east-1" if t else None)])
    svcs = [("sts", "AWS Security Token Service", None),
            ("iam", "AWS Identity and Access Management", tracked),
            ("s3", "Amazon S3", None)]
    page, token = paginate(ctx, svcs, ctx.int("MaxItems", 100, 1, 1000),
                           ctx.str("Marker"), "InvalidInput")
    out = []
    for ns, name, tr in page:
        out.append([el("ServiceName", name), el("ServiceNamespace", ns),
                    el("TotalAuthenticatedEntities", 0),
                    None if tr is None or job["level"] != "ACTION_LEVEL"
                    else items("TrackedActionsLastAccessed", tr, "member")])
    return head + [el("JobStatus", "COMPLETED"),
                   el("JobCompletionDate", iso(time.time())),
                   items("ServicesLastAccessed", out, "member"),
                   el("IsTruncated", token is not None),
                   opt("Marker", token)]

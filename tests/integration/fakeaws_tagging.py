"""fakeaws_tagging.py - what tagging-standard reads and changes, for
fakeaws.py. Standard library only.

S3 (REST-XML, signed "s3"; path- and virtual-hosted style):
  ListBuckets            GET /  (max-buckets, continuation-token; pages
                         by the fake's set_page_size("ListBuckets"))
  GetBucketLocation      GET /BUCKET?location
  GetBucketTagging       GET /BUCKET?tagging (NoSuchTagSet when none)
  PutBucketTagging       PUT /BUCKET?tagging (replaces the whole set;
                         Content-MD5 required, as S3 does)
  DeleteBucketTagging    DELETE /BUCKET?tagging
  GetBucketPolicyStatus  GET /BUCKET?policyStatus (NoSuchBucketPolicy)
  GetBucketAcl           GET /BUCKET?acl
  GetPublicAccessBlock   GET /BUCKET?publicAccessBlock
                         (NoSuchPublicAccessBlockConfiguration)
One GET route serves a bucket's subresources: the operation is named by
the query (the fake records it so, for iamcheck).

EC2: DescribeInstances answers ipAddress for an instance with a
"public_ip" (fakeaws_ec2's instance XML, extended here).

State, on the bucket dicts of Account.buckets (add_bucket, then these):
  tags          {key: value} or None (no tag set)
  policy_public True / False / None (no bucket policy)
  acl_all_users [permission, ...] granted to AllUsers
  block         {BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy,
                RestrictPublicBuckets: bool} or None (none configured)
  deny          operations its bucket policy denies (AccessDenied)
Helper: add_bucket(acct, name, region, tags, policy_public, acl_all_users,
block).
"""

import base64
import hashlib
import re

import fakeaws_ec2
from fakeaws_proto import AWSError, el, paginate, route
from fakeaws_s3elb import find_bucket

S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def add_bucket(acct, name, region="us-east-1", tags=None, policy_public=None,
               acl_all_users=(), block=None):
    """A bucket with what tagging-standard reads; returns its dict."""
    acct.add_bucket(name, region)
    b = acct.buckets[name]
    b["tags"] = dict(tags) if tags is not None else None
    b["policy_public"] = policy_public
    b["acl_all_users"] = list(acl_all_users)
    b["block"] = dict(block) if block is not None else None
    return b


def _doc(root, *content):
    body = str(el(root, *content))
    body = body.replace("<%s>" % root, '<%s xmlns="%s">' % (root, S3_NS), 1)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body


def _own(ctx):
    name = ctx.match["bucket"]
    acct, b = find_bucket(ctx.fake, name)
    if b is None:
        raise AWSError("NoSuchBucket", "The specified bucket does not "
                       "exist", 404)
    if acct.id != ctx.acct.id:
        raise AWSError("AccessDenied", "Access Denied", 403)
    return b


@route("s3", "GET", r"/", "ListBuckets")
def list_buckets(ctx):
    mine = sorted(ctx.acct.buckets.values(), key=lambda b: b["name"])
    size = ctx.query.get("max-buckets")
    page, token = paginate(ctx, mine, int(size) if size else None,
                           ctx.query.get("continuation-token"),
                           "InvalidArgument")
    return 200, _doc("ListAllMyBucketsResult",
                     el("Owner", el("ID", "owner" + ctx.acct.id)),
                     el("Buckets", [el("Bucket", el("Name", b["name"]),
                                       el("CreationDate",
                                          "2024-01-01T00:00:00.000Z"),
                                       el("BucketRegion", b["region"]))
                                    for b in page]),
                     el("ContinuationToken", token) if token else None)


def _tagging(ctx, b):
    if b.get("tags") is None:
        raise AWSError("NoSuchTagSet", "The TagSet does not exist", 404)
    return 200, _doc("Tagging", el("TagSet", [
        el("Tag", el("Key", k), el("Value", v))
        for k, v in sorted(b["tags"].items())]))


def _policy_status(ctx, b):
    if b.get("policy_public") is None:
        raise AWSError("NoSuchBucketPolicy", "The bucket policy does not "
                       "exist", 404)
    return 200, _doc("PolicyStatus", el("IsPublic", bool(b["policy_public"])))


def _acl(ctx, b):
    grants = [el("Grant", el("Grantee", el("ID", "owner" + ctx.acct.id)),
                 el("Permission", "FULL_CONTROL"))]
    grants += [el("Grant", el("Grantee", el("URI", ALL_USERS)),
                  el("Permission", p)) for p in b.get("acl_all_users", ())]
    return 200, _doc("AccessControlPolicy",
                     el("Owner", el("ID", "owner" + ctx.acct.id)),
                     el("AccessControlList", grants))


def _block(ctx, b):
    blk = b.get("block")
    if blk is None:
        raise AWSError("NoSuchPublicAccessBlockConfiguration", "The public "
                       "access block configuration was not found", 404)
    return 200, _doc("PublicAccessBlockConfiguration", [
        el(k, bool(blk.get(k, False))) for k in (
            "BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
            "RestrictPublicBuckets")])


def _location(ctx, b):
    loc = "" if b["region"] == "us-east-1" else b["region"]
    return 200, _doc("LocationConstraint", loc)


GETS = {"tagging": ("GetBucketTagging", _tagging),
        "policyStatus": ("GetBucketPolicyStatus", _policy_status),
        "acl": ("GetBucketAcl", _acl),
        "publicAccessBlock": ("GetPublicAccessBlock", _block),
        "location": ("GetBucketLocation", _location)}


@route("s3", "GET", r"/(?P<bucket>[^/]+)/?", "GetBucket")
def get_bucket(ctx):
    for q, (op, fn) in GETS.items():
        if q in ctx.query:
            ctx.call.operation = op
            b = _own(ctx)
            if op in b.get("deny", ()):
                raise AWSError("AccessDenied", "Access Denied", 403)
            return fn(ctx, b)
    raise AWSError("NotImplemented", "fakeaws: GET bucket needs one of %s"
                   % sorted(GETS), 501)


@route("s3", "PUT", r"/(?P<bucket>[^/]+)/?", "PutBucket")
def put_bucket(ctx):
    if "tagging" not in ctx.query:
        raise AWSError("NotImplemented", "fakeaws: PUT bucket?tagging only",
                       501)
    ctx.call.operation = "PutBucketTagging"
    b = _own(ctx)
    md5 = ctx.call.header("Content-MD5")
    if md5 is None:
        raise AWSError("InvalidRequest", "Missing required header for this "
                       "request: Content-MD5")
    if md5 != base64.b64encode(hashlib.md5(ctx.body or b"").digest()
                               ).decode():
        raise AWSError("BadDigest", "The Content-MD5 you specified did not "
                       "match what we received.")
    text = ctx.call.xml or ""
    pairs = re.findall(r"<Tag>\s*<Key>([^<]*)</Key>\s*<Value>([^<]*)"
                       r"</Value>\s*</Tag>", text)
    if "<Tagging" not in text or len(pairs) != text.count("<Tag>"):
        raise AWSError("MalformedXML", "The XML you provided was not "
                       "well-formed", 400)
    if len(pairs) > 50:
        raise AWSError("InvalidTag", "Object tags cannot be greater than 50")
    b["tags"] = {k: v for k, v in pairs}
    return 200, ""


_x_instance = fakeaws_ec2._x_instance


def _x_instance_ip(ctx, i):
    out = _x_instance(ctx, i)
    if i.get("public_ip"):
        out = list(out) + [el("ipAddress", i["public_ip"])]
    return out


fakeaws_ec2._x_instance = _x_instance_ip


@route("s3", "DELETE", r"/(?P<bucket>[^/]+)/?", "DeleteBucket")
def delete_bucket(ctx):
    if "tagging" not in ctx.query:
        raise AWSError("NotImplemented", "fakeaws: DELETE bucket?tagging "
                       "only", 501)
    ctx.call.operation = "DeleteBucketTagging"
    _own(ctx)["tags"] = None
    return 204, ""

"""fakeaws_honeypot.py - the IAM users of honeypot-key for fakeaws.py:
GetUser, PutUserPolicy, GetUserPolicy, DeleteUserPolicy, as IAM answers
them (Query protocol, Version 2010-05-08; NoSuchEntity 404 for a user or
policy that is not there). Standard library only; the requests are signed
for "iam" and checked like every other (fakeaws.py).

State, kept on the Account (fakeaws_state.py) under a key of its own:
  acct.iam_users  {name: {name, id, arn, path, create_time,
                   policies {name: JSON text}}}

Seeding (tests): add_user(acct, name) -> the user dict.
"""

import json
import re
import time
import urllib.parse
import uuid

from fakeaws_proto import AWSError, action, el
from fakeaws_state import iso

POLICY_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")


def _users(acct):
    if not hasattr(acct, "iam_users"):
        acct.iam_users = {}
    return acct.iam_users


def add_user(acct, name, path="/"):
    u = {"name": name, "path": path, "create_time": time.time() - 86400,
         "id": "AIDA" + uuid.uuid4().hex[:17].upper(),
         "arn": "arn:aws:iam::%s:user%s%s" % (acct.id, path, name),
         "policies": {}}
    _users(acct)[name] = u
    return u


def _user(ctx):
    name = ctx.str("UserName")
    u = _users(ctx.acct).get(name)
    if u is None:
        raise AWSError("NoSuchEntity", "The user with name %s cannot be "
                       "found." % name, 404)
    return u


@action("iam", "GetUser", ("UserName",), ("UserName",))
def get_user(ctx):
    u = _user(ctx)
    return [el("User", el("Path", u["path"]), el("UserName", u["name"]),
               el("UserId", u["id"]), el("Arn", u["arn"]),
               el("CreateDate", iso(u["create_time"])))]


@action("iam", "PutUserPolicy", ("UserName", "PolicyName", "PolicyDocument"),
        ("UserName", "PolicyName", "PolicyDocument"))
def put_user_policy(ctx):
    u = _user(ctx)
    name, doc = ctx.str("PolicyName"), ctx.str("PolicyDocument")
    if not POLICY_NAME.match(name):
        raise AWSError("ValidationError", "The specified value for "
                       "policyName is invalid.")
    try:
        if not isinstance(json.loads(doc), dict):
            raise ValueError
    except ValueError:
        raise AWSError("MalformedPolicyDocument", "Syntax errors in policy.")
    u["policies"][name] = doc
    return None


def _policy(ctx, u):
    name = ctx.str("PolicyName")
    if name not in u["policies"]:
        raise AWSError("NoSuchEntity", "The user policy with name %s cannot "
                       "be found." % name, 404)
    return name


@action("iam", "GetUserPolicy", ("UserName", "PolicyName"),
        ("UserName", "PolicyName"))
def get_user_policy(ctx):
    u = _user(ctx)
    name = _policy(ctx, u)
    return [el("UserName", u["name"]), el("PolicyName", name),
            el("PolicyDocument",
               urllib.parse.quote(u["policies"][name], safe="-_.~"))]


@action("iam", "DeleteUserPolicy", ("UserName", "PolicyName"),
        ("UserName", "PolicyName"))
def delete_user_policy(ctx):
    u = _user(ctx)
    del u["policies"][_policy(ctx, u)]
    return None

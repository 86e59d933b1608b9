"""fakeaws_iamx.py - the Lambda of iam-admin-paths for fakeaws.py:
ListFunctions (REST-JSON, GET /2015-03-31/functions/, signed "lambda",
MaxItems / Marker -> NextMarker, capped by FakeAWS.set_page_size).
Standard library only.

State, per Region (created on first use):
  lambda_functions  [{"FunctionName", "FunctionArn", "Role", "Runtime"}]
  lambda_deny       True: every call answers AccessDeniedException

Seeding (tests): add_function(reg, name, role_arn), deny_lambda(reg).
Errors are REST-JSON as Lambda sends them: HTTP status,
x-amzn-ErrorType: CODE, body {"Type": "User", "message": TEXT}.
"""

import json

from fakeaws_proto import SERVICES, AWSError, paginate, route

SERVICES["lambda"] = ("rest", "2015-03-31", None)


def _fns(reg):
    return reg.__dict__.setdefault("lambda_functions", [])


def add_function(reg, name, role_arn):
    """A function in reg that runs as role_arn."""
    _fns(reg).append({
        "FunctionName": name,
        "FunctionArn": "arn:aws:lambda:%s:%s:function:%s"
        % (reg.name, reg.account.id, name),
        "Role": role_arn, "Runtime": "python3.12"})


def deny_lambda(reg):
    reg.lambda_deny = True


def _answer(fn):
    def handler(ctx):
        try:
            out = fn(ctx)
        except AWSError as e:
            ctx.call.error, ctx.call.message = e.code, e.message
            return (e.status, json.dumps({"Type": "User",
                                          "message": e.message}),
                    [("x-amzn-ErrorType", e.code)])
        return 200, json.dumps(out), [("Content-Type", "application/json")]
    return handler


def list_functions(ctx):
    if getattr(ctx.reg, "lambda_deny", False):
        raise AWSError("AccessDeniedException", "not authorized to perform "
                       "lambda:ListFunctions", status=403)
    size = ctx.query.get("MaxItems")
    try:
        size = int(size) if size is not None else 50
    except ValueError:
        raise AWSError("InvalidParameterValueException", "MaxItems")
    if not 1 <= size <= 10000:
        raise AWSError("InvalidParameterValueException", "MaxItems")
    page, nxt = paginate(ctx, _fns(ctx.reg), size, ctx.query.get("Marker"),
                         "InvalidParameterValueException")
    out = {"Functions": page}
    if nxt:
        out["NextMarker"] = nxt
    return out


route("lambda", "GET", r"/2015-03-31/functions/?", "ListFunctions")(
    _answer(list_functions))

"""iamcheck.py - every request fixitd sent to the fake AWS was allowed to
the role that signed it, by the policies deploy/iam/gen_policies.py writes
from deploy/iam/permissions.json (issue 15).

harness.Env runs it when an Env with aws=True shuts down, so every
integration test against the fake AWS checks, at run time, what
tests/check_iam.py checks statically: the operation (service and name as
the fake records them) is declared for the role that signed it
(fixit-auditor, fixit-tagger, fixit-remediator; any other signer is the
hub identity, which may only assume roles), and the policy of that role
allows the IAM actions it needs. Conditions (tag keys, CreateAction) are
the tests' own checks (pbtest.check_only_fixit_tagging).
"""

import os
import sys

ROLE_OF = {"fixit-auditor": "auditor", "fixit-tagger": "tagger",
           "fixit-remediator": "remediator"}
_cache = {}


def _model(src):
    if src not in _cache:
        sys.path.insert(0, os.path.join(src, "deploy", "iam"))
        try:
            import gen_policies as gp
        finally:
            sys.path.pop(0)
        d = gp.load(os.path.join(src, "deploy", "iam", "permissions.json"))
        _cache[src] = (gp.call_index(d), gp.allowed(d))
    return _cache[src]


def _seen(service, op, role):
    """FIXIT_IAM_SEEN=FILE: append what was sent, to see which declared
    calls a test run exercised"""
    path = os.environ.get("FIXIT_IAM_SEEN")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write("%s %s %s\n" % (service, op, role))


def problems(calls, src):
    """sentences, one per (role, operation) not allowed; [] when all were"""
    index, allowed = _model(src)
    out = []
    for c in calls:
        if c.service in (None, "imds", "ecs") or c.signature_ok is None:
            continue        # not SigV4: credentials plumbing, web identity
        role = ROLE_OF.get(c.role, "hub")
        op = c.operation or c.action
        _seen(c.service, op, role)
        need = index.get((c.service, op), {}).get(role)
        if need is None:
            s = "%s %s as %s (%s) is not declared in " \
                "deploy/iam/permissions.json" % (c.service, op, role,
                                                 c.role or "base keys")
        elif not set(need) <= allowed[role]:
            s = "%s %s as %s needs %s, its policy lacks %s" % (
                c.service, op, role, need,
                sorted(set(need) - allowed[role]))
        else:
            continue
        if s not in out:
            out.append(s)
    return out

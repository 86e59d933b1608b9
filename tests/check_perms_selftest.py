#!/usr/bin/env python3
"""check_perms_selftest.py SRC - check_iam.py and check_slack_scopes.py
catch the drift they are for: each case copies the tree's sources and
deploy/ to a temp dir, makes one change, and expects the checker to fail
with the expected sentence (and both to pass on the unchanged copy).

Cases: a playbook call no declaration has; a declaration nothing calls
(rds:ListTagsForResource again); an operation through an unknown wrapper
(fail closed); a role passed down that no caller names; a hand-edited
policy; a README table out of date; a Slack method without its scope; a
manifest scope nothing needs; a scope missing; a /fixit verb missing
from the usage hint.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
COPY = ("aws", "remediation", "events", "server", "slack", "db", "common",
        "deploy", "README.md")


def run(tool, root):
    p = subprocess.run([sys.executable, os.path.join(HERE, tool), root],
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


def edit(root, rel, old, new):
    path = os.path.join(root, rel)
    with open(path, encoding="utf-8") as f:
        t = f.read()
    if old not in t:
        raise SystemExit("selftest: %r not in %s (update the case)"
                         % (old, rel))
    with open(path, "w", encoding="utf-8") as f:
        f.write(t.replace(old, new, 1))


def edit_json(root, rel, fn):
    path = os.path.join(root, rel)
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    fn(d)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(d, f, indent=2)


def drop_call(name, role):
    def fn(d):
        d["calls"] = [c for c in d["calls"]
                      if (c["call"], c["role"]) != (name, role)]
    return fn


def add_call(c):
    return lambda d: d["calls"].append(c)


PB = "remediation/playbooks/pb_ec2_quarantine.c"
CASES = [
    ("check_iam.py", "an undeclared call",
     lambda r: edit_json(r, "deploy/iam/permissions.json",
                         drop_call("ec2 RevokeSecurityGroupEgress",
                                   "remediator")),
     "ec2 RevokeSecurityGroupEgress as remediator"),
    ("check_iam.py", "a declaration nothing calls",
     lambda r: edit_json(r, "deploy/iam/permissions.json", add_call(
         {"call": "rds ListTagsForResource", "role": "auditor",
          "sid": "FixitReadOnly", "playbooks": ["rds-idle"]})),
     "rds ListTagsForResource as auditor is declared"),
    ("check_iam.py", "the same call as another role",
     lambda r: edit(r, PB, 'pb_query(x, PB_AUDITOR, AWS_EC2, '
                    '"DescribeSecurityGroups"',
                    'pb_query(x, PB_REMEDIATOR, AWS_EC2, '
                    '"DescribeSecurityGroups"'),
     "ec2 DescribeSecurityGroups as remediator"),
    ("check_iam.py", "an operation through an unknown wrapper",
     lambda r: edit(r, PB, 'pb_query(x, PB_AUDITOR, AWS_EC2, '
                    '"DescribeSecurityGroups"',
                    'pb_query(x, PB_AUDITOR, AWS_EC2, q_op(x)'),
     "pb_query with operation 'q_op(x)'"),
    ("check_iam.py", "a role nobody names",
     lambda r: edit(r, "remediation/playbooks/pb_ec2_util.c",
                    "pb_ec2_util_instance(x, PB_AUDITOR, *id",
                    "pb_ec2_util_instance(x, q_role, *id"),
     "cannot tell the role 'q_role'"),
    ("check_iam.py", "a hand-edited policy",
     lambda r: edit(r, "deploy/iam/auditor-policy.json",
                    '"ec2:DescribeInstances",',
                    '"ec2:DescribeInstances", "rds:ListTagsForResource",'),
     "deploy/iam/auditor-policy.json differs"),
    ("check_iam.py", "a README table out of date",
     lambda r: edit(r, "deploy/iam/README.md", "`ec2:ReleaseAddress`",
                    "`ec2:ReleaseAddresses`"),
     "deploy/iam/README.md differs"),
    ("check_slack_scopes.py", "a method without its declaration",
     lambda r: edit(r, "server/home.c",
                    'slack_api_call(h->api, "views.publish"',
                    'slack_api_call(h->api, "reactions.add"'),
     "reactions.add (server/home.c"),
    ("check_slack_scopes.py", "a scope nothing needs",
     lambda r: edit(r, "deploy/slack-app-manifest.yaml",
                    "      - commands ",
                    "      - channels:read\n      - commands "),
     "bot scope channels:read, which no method"),
    ("check_slack_scopes.py", "a scope missing",
     lambda r: edit(r, "deploy/slack-app-manifest.yaml",
                    "      - users:read          ", "      # "),
     "lacks bot scope users:read"),
    ("check_slack_scopes.py", "a verb missing from the usage hint",
     lambda r: edit(r, "deploy/slack-app-manifest.yaml", " | scan", ""),
     "usage_hint lacks 'scan'"),
]


def copy(src, dst):
    for n in COPY:
        s = os.path.join(src, n)
        if os.path.isdir(s):
            shutil.copytree(s, os.path.join(dst, n))
        else:
            shutil.copy(s, os.path.join(dst, n))


def main(argv):
    src = os.path.abspath(argv[1] if len(argv) > 1 else ".")
    bad = []
    with tempfile.TemporaryDirectory(prefix="fixit-perms-") as tmp:
        base = os.path.join(tmp, "base")
        os.mkdir(base)
        copy(src, base)
        for tool in ("check_iam.py", "check_slack_scopes.py"):
            rc, out = run(tool, base)
            if rc != 0:
                bad.append("%s fails on the unchanged tree: %s" % (tool, out))
        for i, (tool, what, change, want) in enumerate(CASES):
            root = os.path.join(tmp, "case%d" % i)
            os.mkdir(root)
            copy(src, root)
            change(root)
            rc, out = run(tool, root)
            ok = rc == 1 and want in out
            print("%s %s: %s" % ("ok  " if ok else "FAIL", tool, what))
            if not ok:
                bad.append("%s did not catch %s (rc %d, want %r): %s"
                           % (tool, what, rc, want, out))
            shutil.rmtree(root)
    for b in bad:
        print("check_perms_selftest: " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

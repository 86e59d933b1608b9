#!/usr/bin/env python3
"""test_pb_cloudshell.py - cloudshell-secrets through the real fixitd: a
secret value read from a CloudShell session (Secrets Manager
GetSecretValue, SSM GetParameter with decryption; the user agent names
CloudShell), POSTed to /v1/events:

  - notify (the default): the admins get a message per read with the
    actor, the secret and the time; one finding per session (its
    temporary key); nothing is changed in AWS;
  - enforce: the role's sessions issued before the fix are revoked (a
    dated deny, fixit-cloudshell-revoke), undone by /fixit undo;
  - the same reads from a laptop's CLI, a failed read and an SSM read
    without decryption are nothing.

Sample events: tests/data/cloudshell.
"""

import datetime
import json
import os
import time

import harness as h
import test_events as te

SESSION = "ASIAIOSFODNN7EXAMPLE"
ACTOR = "alice@example.com"


def cs_env(name, **kw):
    pbs = [h.aws_playbook("cloudshell-secrets", **kw)]
    env = h.Env(name, aws=True, start=False, playbooks=pbs)
    env.config["events"] = {"employee_pattern": "*@example.com"}
    env.write_config()
    env.proc_env["FIXIT_EVENTS_API_KEY"] = te.API_KEY
    return env


def sample(name):
    return te.sample(os.path.join("..", "cloudshell", name))


def read_secret(secret="prod/db/master"):
    ev = sample("secretsmanager-getsecretvalue-cloudshell.json")
    ui = ev["detail"]["userIdentity"]
    ui["arn"] = "arn:aws:sts::%s:assumed-role/AdminRole/%s" % (h.PROD, ACTOR)
    ui["sessionContext"]["sessionIssuer"]["arn"] = \
        "arn:aws:iam::%s:role/AdminRole" % h.PROD
    ev["detail"]["requestParameters"]["secretId"] = secret
    return ev


def admin_reads(env):
    return [json.dumps(c.body) for c in env.fake.delivered("chat.postMessage")
            if c.body.get("channel") == h.ADMIN_CHANNEL and
            "CloudShell" in json.dumps(c.body)]


def test_secret_read_told_to_admins():
    with cs_env("cs-notify", mode="notify") as env:
        env.start()
        ev = read_secret()
        te.post_ok(env, ev)
        env.fake.wait(lambda: admin_reads(env), 10, "the admins told")
        text = admin_reads(env)[0]
        for want in (ACTOR, "prod/db/master", "GetSecretValue",
                     "AdminRole", ev["time"][:16]):
            h.check(want in text, "%s not in the message: %s", want, text)
        [f] = env.findings(playbook="cloudshell-secrets")
        h.check(f["resource_id"] == "cloudshell:" + SESSION and
                f["details"]["secret"] == "prod/db/master" and
                f["details"]["actor"] == ACTOR, "finding: %r", f)
        # the same session reads a parameter: one finding, two messages
        ssm = sample("ssm-getparameter-decrypt-cloudshell.json")
        ssm["detail"]["userIdentity"] = ev["detail"]["userIdentity"]
        te.post_ok(env, ssm)
        env.fake.wait(lambda: len(admin_reads(env)) >= 2, 10,
                      "the second read told")
        h.check("/prod/api/token" in admin_reads(env)[1],
                "the parameter: %s", admin_reads(env)[1])
        te.processed(env, ssm)
        [f] = env.findings(playbook="cloudshell-secrets")
        h.check(f["details"]["secrets"] == ["prod/db/master",
                                            "/prod/api/token"],
                "the session's secrets: %r", f["details"])
        # not CloudShell, failed, not decrypted: nothing
        laptop = read_secret("prod/other")
        laptop["detail"]["userAgent"] = "aws-cli/2.15.30 Python/3.11.8 " \
            "Darwin/23.4.0 exe/x86_64 prompt/off"
        failed = read_secret("prod/failed")
        failed["detail"]["errorCode"] = "AccessDeniedException"
        plain = sample("ssm-getparameter-decrypt-cloudshell.json")
        plain["detail"]["requestParameters"]["withDecryption"] = False
        for e in (laptop, failed, plain):
            te.post_ok(env, e)
            te.processed(env, e)
        time.sleep(1)
        h.check(len(admin_reads(env)) == 2, "told about a non-read: %r",
                admin_reads(env))
        h.check(env.aws.mutating_calls() == [], "AWS changed in notify: %r",
                env.aws.mutating_calls())


def test_enforce_revokes_sessions():
    with cs_env("cs-enforce", mode="enforce") as env:
        acct = env.aws.account(h.PROD)
        acct.add_role("AdminRole")
        env.start()
        t0 = time.time()
        te.post_ok(env, read_secret())
        env.aws.wait(lambda: env.aws.calls(action="PutRolePolicy", ok=True),
                     10, "the role's sessions revoked")
        [f] = env.findings(playbook="cloudshell-secrets")
        env.wait_state(f["id"], "fixed", timeout=10)
        doc = json.loads(acct.roles["AdminRole"]["policies"][
            "fixit-cloudshell-revoke"])
        st = doc["Statement"][0]
        before = datetime.datetime.strptime(
            st["Condition"]["DateLessThan"]["aws:TokenIssueTime"],
            "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        h.check(st["Effect"] == "Deny" and abs(before - t0) < 60,
                "not a dated deny: %r", doc)
        text = env.fixit("undo %d" % f["id"])
        h.check("queued" in text, "/fixit undo answered %r", text)
        env.wait_state(f["id"], "rolled_back", timeout=20)
        h.check("fixit-cloudshell-revoke" not in
                acct.roles["AdminRole"]["policies"], "kept after undo")


if __name__ == "__main__":
    h.run_tests(test_secret_read_told_to_admins,
                test_enforce_revokes_sessions)

#!/usr/bin/env python3
"""test_aws_core.py - fixitd's AWS client against the fake AWS endpoint:
roles assumed per account (ExternalId, session names, cache), SigV4 on
every call, retries, AWS errors on the finding, scans that never resolve
after a failure, every base credential source, no secret in the logs.

The fake verifies every signature itself (fakeaws.py): a call it answered
with 2xx had a valid SigV4 signature for its service and region.
"""

import json
import os
import time

import harness as h

PB = "ec2-imdsv1"
FAST = {"verify_polls": 2, "verify_interval_ms": 50}


def imds_env(**kw):
    kw.setdefault("params", FAST)
    return h.Env(kw.pop("name", "aws-core"), aws=True, start=False,
                 playbooks=[h.aws_playbook(PB, **kw)])


def seed(env, account=h.NONPROD, tokens="optional"):
    return env.aws.account(account).region(h.REGION).add_instance(
        http_tokens=tokens)


def test_roles_signing_and_cache():
    with imds_env(approval="owner") as env:
        bad = seed(env)
        seed(env, tokens="required")
        seed(env, h.PROD, tokens="required")
        env.start()
        rows = env.scan()
        h.check(all(r["ok"] == 1 for r in rows), "scan rows %r", rows)
        assumes = env.aws.calls(action="AssumeRole")
        arns = sorted(c.params["RoleArn"] for c in assumes)
        h.check(arns == ["arn:aws:iam::%s:role/fixit-auditor" % a
                         for a in sorted((h.NONPROD, h.PROD))],
                "one auditor AssumeRole per account, got %r", arns)
        for c in assumes:
            h.check(c.params.get("ExternalId") == h.EXTERNAL_ID and
                    c.params.get("RoleSessionName") == "fixit-scan" and
                    c.account == h.SELF_ACCOUNT,
                    "AssumeRole params %r as %s", c.params, c.account)
        described = env.aws.calls(action="DescribeInstances")
        h.check(sorted(c.account for c in described) ==
                sorted((h.NONPROD, h.PROD)), "each account described "
                "with its own role: %r", [c.account for c in described])
        for c in env.aws.calls():
            if c.service == "sts":
                continue
            h.check(c.signature_ok is True and c.service == "ec2" and
                    c.region == h.REGION and c.role == "fixit-auditor",
                    "signed for ec2/%s as the auditor: %s", h.REGION,
                    c.summary())
            for name in ("host", "x-amz-date", "x-amz-security-token"):
                h.check(name in c.signed_headers, "%s not signed in %s",
                        name, c.summary())
        fs = env.findings(playbook=PB)
        h.check([f["resource_id"] for f in fs] == [bad],
                "exactly the IMDSv1 instance found: %r", fs)
        # a second scan reuses the cached role credentials
        env.scan()
        h.check(len(env.aws.calls(action="AssumeRole")) == 2,
                "roles re-assumed within their lifetime: %d AssumeRole",
                len(env.aws.calls(action="AssumeRole")))
        h.check(len(env.findings(playbook=PB)) == 1, "rescan duplicated")
        text = env.fixit("status")
        h.check("Last scans" in text and "dev-sandbox" in text and
                "complete" in text, "status shows the scans: %s", text)


def test_throttling_retried():
    with imds_env() as env:
        seed(env)
        env.start()
        env.aws.fail_next(2, "throttle", action="DescribeInstances")
        rows = env.scan()
        h.check(all(r["ok"] == 1 for r in rows), "throttled scan did not "
                "complete: %r", rows)
        calls = env.aws.calls(action="DescribeInstances")
        faults = [c for c in calls if c.fault == "throttle"]
        h.check(len(faults) == 2 and all(c.status == 503 and
                c.error == "RequestLimitExceeded" for c in faults),
                "the fake throttled twice: %r", faults)
        h.check(len(calls) == 4, "2 throttled + 2 answered DescribeInstances"
                ", got %d", len(calls))
        [f] = env.findings(playbook=PB)
        env.wait_state(f["id"], "fixed", timeout=20)


def test_error_on_the_finding():
    with imds_env(max_attempts=1) as env:
        iid = seed(env)
        env.start()
        env.aws.fail_next(10, "denied", action="ModifyInstanceMetadataOptions")
        env.scan()
        [f] = env.findings(playbook=PB)
        env.wait_state(f["id"], "failed", timeout=20)
        err = env.finding(f["id"])["last_error"]
        denied = env.aws.calls(action="ModifyInstanceMetadataOptions")
        h.check(len(denied) == 1, "a permanent error is not retried: %d "
                "calls", len(denied))
        h.check("UnauthorizedOperation" in err and "request id" in err and
                denied[0].request_id in err,
                "last_error names code, message and request id: %r", err)
        inst = env.aws.account(h.NONPROD).region(h.REGION).instances[iid]
        h.check(inst["metadata"]["http_tokens"] == "optional",
                "instance changed despite the error")


def test_iac_owned_resource_only_notified():
    with imds_env(name="iac") as env:
        env.config["events"] = {"iac_tags": ["terraform:stack"]}
        env.write_config()
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        cfn = reg.add_instance(http_tokens="optional", tags={
            "aws:cloudformation:stack-name": "web-prod",
            "owner": "dana@example.com"})
        tf = reg.add_instance(http_tokens="optional",
                              tags={"terraform:stack": "infra/web"})
        plain = seed(env)
        env.start()
        env.scan()
        fs = {f["resource_id"]: f for f in env.findings(playbook=PB)}
        env.wait_state(fs[plain]["id"], "fixed", timeout=20)
        for iid, owner in ((cfn, "aws:cloudformation:stack-name=web-prod"),
                           (tf, "terraform:stack=infra/web")):
            f = fs[iid]
            h.check(f["notify_only"] is True and
                    f["details"].get("iac_owner") == owner,
                    "IaC-owned %s: %r", iid, f)
            env.wait_state(f["id"], "notified")
        h.check(fs[cfn]["owner_email"] == "dana@example.com",
                "owner tag not used: %r", fs[cfn])
        time.sleep(1.5)
        touched = [c.params.get("InstanceId") for c in
                   env.aws.calls(action="ModifyInstanceMetadataOptions")]
        h.check(touched == [plain], "an IaC-owned instance was changed: %r",
                touched)


def test_failed_scan_never_resolves():
    with imds_env(approval="owner") as env:
        iid = seed(env)
        env.start()
        env.scan()
        [f] = env.findings(playbook=PB)
        env.wait_state(f["id"], "notified")
        # fixed by hand meanwhile; then a scan that cannot read NONPROD
        reg = env.aws.account(h.NONPROD).region(h.REGION)
        reg.instances[iid]["metadata"]["http_tokens"] = "required"
        env.aws.fail_next(20, "denied", action="DescribeInstances")
        rows = {r["account_id"]: r for r in env.scan()}
        h.check(rows[h.NONPROD]["ok"] == 0 and "UnauthorizedOperation" in
                (rows[h.NONPROD]["error"] or ""), "the failed scan is "
                "recorded with its reason: %r", rows[h.NONPROD])
        h.check(env.state(f["id"]) == "notified", "a failed scan resolved "
                "the finding: %s", env.state(f["id"]))
        text = env.fixit("status")
        h.check("incomplete" in text, "status hides the failure: %s", text)
        env.aws.clear_faults()
        rows = {r["account_id"]: r for r in env.scan()}
        h.check(rows[h.NONPROD]["ok"] == 1 and
                rows[h.NONPROD]["resolved"] == 1, "complete scan: %r",
                rows[h.NONPROD])
        env.wait_state(f["id"], "resolved")


def test_dry_run_sends_nothing():
    """A dry run is a rehearsal: rehearsed (never fixed), the plan in the
    history, no prior state; the undo has nothing to undo."""
    with imds_env(dry_run=True) as env:
        iid = seed(env)
        env.start()
        env.scan()
        [f] = env.findings(playbook=PB)
        env.wait_state(f["id"], "rehearsed", timeout=20)
        h.check(env.finding(f["id"])["prior_state"] is None,
                "a rehearsal keeps a prior state")
        [row] = [r for r in env.audit(f["id"])
                 if r["to_state"] == "rehearsed"]
        plan = json.loads(row["data"])["plan"]
        h.check(plan.get("dry_run") is True and
                [p["action"] for p in plan.get("planned", [])] ==
                ["CreateTags", "ModifyInstanceMetadataOptions"],
                "the plan is in the history: %r", plan)
        h.check(env.aws.mutating_calls() == [], "dry run sent %r",
                env.aws.mutating_calls())
        inst = env.aws.account(h.NONPROD).region(h.REGION).instances[iid]
        h.check(inst["metadata"]["http_tokens"] == "optional", "changed")
        text = env.fixit("undo %d" % f["id"])
        h.check("nothing to undo" in text, "undo answered %r", text)
        h.check(env.state(f["id"]) == "rehearsed", "the undo changed it")
        h.check(env.aws.mutating_calls() == [], "dry-run undo sent calls")


def run_with_source(env, what):
    """scan with fixitd's own credentials from `what`; the AssumeRole
    calls and the Creds they were signed with."""
    seed(env)
    env.start()
    rows = env.scan()
    h.check(all(r["ok"] == 1 for r in rows), "%s: scan failed: %r", what,
            rows)
    assumes = [c for c in env.aws.calls(action="AssumeRole")
               if c.params["RoleArn"].endswith("role/fixit-auditor")]
    h.check(len(assumes) == 2, "%s: %d auditor AssumeRole", what,
            len(assumes))
    return assumes


def no_keys(env):
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        env.proc_env.pop(k, None)


def test_credentials_imds():
    with imds_env(name="creds-imds") as env:
        no_keys(env)
        env.proc_env.pop("AWS_EC2_METADATA_DISABLED")
        env.proc_env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = env.aws.endpoint
        env.aws.configure_imds(account=h.SELF_ACCOUNT)
        assumes = run_with_source(env, "IMDS")
        h.check(all(c.credential_kind == "imds" for c in assumes),
                "signed with instance-role keys: %r",
                [c.credential_kind for c in assumes])
        imds = [c for c in env.aws.calls() if c.service == "imds"]
        h.check(imds and imds[0].method == "PUT" and
                imds[0].path == "/latest/api/token", "IMDSv2 token first: %r",
                imds[:3])
        h.check(all(c.ok for c in imds), "IMDS refused: %r", imds)


def test_credentials_ecs():
    with imds_env(name="creds-ecs") as env:
        no_keys(env)
        env.proc_env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = env.aws.ecs_uri
        env.proc_env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = env.aws.ecs_token
        env.aws.ecs_account = h.SELF_ACCOUNT
        assumes = run_with_source(env, "ECS")
        h.check(all(c.credential_kind == "ecs" for c in assumes),
                "signed with container keys: %r",
                [c.credential_kind for c in assumes])


def test_credentials_web_identity():
    with imds_env(name="creds-web") as env:
        no_keys(env)
        tok = "eyJ.fixit-test-web-identity.token"
        env.aws.web_identity_tokens.add(tok)
        env.aws.account(h.SELF_ACCOUNT).add_role("fixit-hub")
        path = os.path.join(env.tmp, "token")
        with open(path, "w") as f:
            f.write(tok + "\n")
        env.proc_env["AWS_WEB_IDENTITY_TOKEN_FILE"] = path
        env.proc_env["AWS_ROLE_ARN"] = \
            "arn:aws:iam::%s:role/fixit-hub" % h.SELF_ACCOUNT
        assumes = run_with_source(env, "web identity")
        web = env.aws.calls(action="AssumeRoleWithWebIdentity")
        h.check(len(web) == 1 and web[0].signature_ok is None,
                "one unsigned AssumeRoleWithWebIdentity: %r", web)
        h.check(all(c.role == "fixit-hub" for c in assumes),
                "account roles assumed as the hub role: %r",
                [c.role for c in assumes])


def test_credentials_profile_role_chain():
    with imds_env(name="creds-profile") as env:
        no_keys(env)
        env.aws.account(h.SELF_ACCOUNT).add_role("fixit-hub",
                                                 external_id="hub-ext")
        os.makedirs(os.path.join(env.tmp, ".aws"))
        with open(os.path.join(env.tmp, ".aws", "credentials"), "w") as f:
            f.write("[base]\naws_access_key_id = %s\n"
                    "aws_secret_access_key = %s\n" % (h.BASE_KEY,
                                                      h.BASE_SECRET))
        with open(os.path.join(env.tmp, ".aws", "config"), "w") as f:
            f.write("[profile fixit]\nrole_arn = arn:aws:iam::%s:role/"
                    "fixit-hub\nsource_profile = base\nexternal_id = "
                    "hub-ext\nrole_session_name = fixitd-hub\n"
                    % h.SELF_ACCOUNT)
        env.proc_env["AWS_PROFILE"] = "fixit"
        assumes = run_with_source(env, "profile")
        hub = [c for c in env.aws.calls(action="AssumeRole")
               if c.params["RoleArn"].endswith("role/fixit-hub")]
        h.check(len(hub) == 1 and hub[0].params.get("ExternalId") ==
                "hub-ext" and hub[0].params["RoleSessionName"] ==
                "fixitd-hub", "the profile's role assumed once: %r", hub)
        h.check(all(c.role == "fixit-hub" for c in assumes),
                "account roles assumed with the profile's role: %r",
                [c.role for c in assumes])


def test_scan_at_start_and_concurrency_bound():
    with imds_env(name="at-start") as env:
        env.config["aws"]["scan"] = {"hour": -1, "concurrency": 1,
                                     "at_start": True}
        env.write_config()
        seed(env)
        env.aws.set_delay(0.05)
        env.start()
        h.wait_until(lambda: (env.q1("SELECT count(*) FROM scans") or 0)
                     >= 2, 20, what="the start-up scan")
        calls = env.aws.calls(action="DescribeInstances")
        # concurrency 1: the second account starts after the first ended
        h.check(len(calls) == 2 and calls[1].at - calls[0].at >= 0.05,
                "pairs overlapped with concurrency 1: %r", calls)
        h.check(len(env.findings(playbook=PB)) == 1, "no finding")


def test_credentials_refreshed_before_expiry():
    with imds_env(name="refresh", approval="owner") as env:
        # roles are assumed for 3600 s; renewing 3596 s before expiry
        # makes them due for renewal four seconds after each AssumeRole
        env.config["aws"]["credentials_refresh"] = "3596s"
        env.write_config()
        seed(env)
        env.start()

        def scan_assumes():
            return len([c for c in env.aws.calls(action="AssumeRole")
                        if c.params["RoleSessionName"] == "fixit-scan"])
        env.scan()
        h.check(scan_assumes() == 2, "first scan: %d AssumeRole",
                scan_assumes())
        env.scan()
        h.check(scan_assumes() == 2, "renewed although still fresh: %d",
                scan_assumes())
        time.sleep(4.5)
        env.scan()
        h.check(scan_assumes() == 4, "not renewed before expiry: %d "
                "AssumeRole", scan_assumes())


def test_no_secret_in_logs():
    with imds_env(name="secrets") as env:
        seed(env)
        env.start()
        env.scan()
        [f] = env.findings(playbook=PB)
        env.wait_state(f["id"], "fixed", timeout=20)
        env.fixit("undo %d" % f["id"])
        env.wait_state(f["id"], "rolled_back", timeout=20)
        logs = env.fixitd.stderr_text() + "\n".join(env.fixitd.stdout_lines)
        secrets = [h.BASE_SECRET, h.EXTERNAL_ID]
        for c in env.aws.issued():
            secrets += [c.secret, c.token]
        for s in secrets:
            h.check(s and s not in logs, "a secret reached the log: %s...",
                    s[:6])
        h.check(h.EXTERNAL_ID not in open(env.config_path).read(),
                "external id in the config file")


def test_html_5xx_reported_as_status():
    """A proxy's 502 (an HTML page, no AWS error body) is reported as
    that HTTP status on the finding, not as a transport error."""
    with imds_env(max_attempts=1) as env:
        env.config["aws"]["backoff_base_ms"] = 0
        env.config["log_level"] = "debug"
        env.write_config()
        seed(env)
        env.start()
        env.aws.fail_next(10, "502html",
                          action="ModifyInstanceMetadataOptions")
        env.scan()
        [f] = env.findings(playbook=PB)
        env.wait_state(f["id"], "failed", timeout=20)
        err = env.finding(f["id"])["last_error"]
        calls = env.aws.calls(action="ModifyInstanceMetadataOptions")
        h.check(calls and all(c.status == 502 for c in calls),
                "the fake answered 502: %r", calls)
        h.check("HTTP 502" in err and "transport" not in err,
                "last_error names the status: %r", err)
        retries = [ln for ln in env.fixitd.stderr_text().splitlines()
                   if "ModifyInstanceMetadataOptions" in ln and
                   "retrying" in ln]
        h.check(len(calls) > 1 and len(retries) == len(calls) - 1 and
                all("HTTP 502" in ln and "transport" not in ln
                    for ln in retries),
                "each retry logged as HTTP 502: %r", retries)


def test_one_assume_role_per_account_and_role():
    """Scan workers of one account (several regions) start together: they
    share one AssumeRole instead of each calling STS."""
    regions = ["eu-west-1", "us-east-1", "eu-central-1", "us-west-2"]
    with imds_env(name="singleflight") as env:
        env.config["aws"]["regions"] = regions
        env.config["aws"]["scan"] = {"hour": -1, "concurrency": 8,
                                     "at_start": False}
        env.write_config()
        for r in regions:
            env.aws.account(h.NONPROD).region(r).add_instance(
                http_tokens="required")
        env.aws.set_delay(0.2)
        env.start()
        env.scan()
        assumes = env.aws.calls(action="AssumeRole")
        per = {}
        for c in assumes:
            per[c.params["RoleArn"]] = per.get(c.params["RoleArn"], 0) + 1
        h.check(per and all(n == 1 for n in per.values()),
                "one AssumeRole per account and role: %r", per)


if __name__ == "__main__":
    h.run_tests(test_roles_signing_and_cache, test_throttling_retried,
                test_error_on_the_finding, test_iac_owned_resource_only_notified,
                test_failed_scan_never_resolves,
                test_dry_run_sends_nothing, test_credentials_imds,
                test_credentials_ecs, test_credentials_web_identity,
                test_credentials_profile_role_chain,
                test_scan_at_start_and_concurrency_bound,
                test_credentials_refreshed_before_expiry,
                test_no_secret_in_logs, test_html_5xx_reported_as_status,
                test_one_assume_role_per_account_and_role)

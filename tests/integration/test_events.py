#!/usr/bin/env python3
"""test_events.py - POST /v1/events as an EventBridge API destination
delivers CloudTrail events: manual actions quarantined, automation
ignored, batch launches only notified, deleted buckets' DNS fixed, new IAM
users reported, creators tagged; bad input refused and nothing stored;
each event processed once, also across a crash after the acknowledgement.

Sample events: tests/data/events (rewritten here to the test
accounts and region).
"""

import copy
import json
import os
import time
import uuid

import harness as h

API_KEY = "events-api-key-for-tests"
HEADER = "X-Fixit-Api-Key"
ALICE = "alice@example.com"
ALICE_UID = "U0ALICE01"
EVENTS = os.path.join(h.DATA, "events")


def sample(name, account=h.PROD, region=h.REGION):
    with open(os.path.join(EVENTS, name)) as f:
        ev = json.load(f)
    ev["id"] = str(uuid.uuid4())
    ev["account"] = account
    ev["region"] = region
    d = ev["detail"]
    d["recipientAccountId"] = account
    d["awsRegion"] = region
    d["userIdentity"]["accountId"] = account
    d["eventTime"] = ev["time"] = h.iso_now()
    return ev


def launch(instance_id, actor=ALICE, account=h.PROD):
    ev = sample("ec2-runinstances-assumedrole.json", account)
    ui = ev["detail"]["userIdentity"]
    ui["principalId"] = "AROAIDPPEZS35WEXAMPLE:" + actor
    ui["arn"] = "arn:aws:sts::%s:assumed-role/AdminRole/%s" % (account,
                                                              actor)
    items = ev["detail"]["responseElements"]["instancesSet"]["items"]
    items[0]["instanceId"] = instance_id
    return ev


def events_env(name, **kw):
    pbs = [h.aws_playbook("ec2-quarantine"),
           h.aws_playbook("dangling-dns"),
           h.aws_playbook("ec2-imdsv1", approval="owner")]
    env = h.Env(name, aws=True, start=False, playbooks=pbs,
                users={ALICE: ALICE_UID}, **kw)
    env.config["events"] = {
        "employee_pattern": "*@example.com",
        "automation": ["deploy-*"],
        "launch_batch": 5,
        "launch_window": "15m",
        "securityhub": {"EC2.8": "ec2-imdsv1"},
        "custodian": {"ec2-require-imdsv2": "ec2-imdsv1"},
    }
    env.write_config()
    env.proc_env["FIXIT_EVENTS_API_KEY"] = API_KEY
    return env


def post(env, ev, key=API_KEY, raw=None, path="/v1/events",
         ctype="application/json; charset=utf-8", headers=None):
    body = raw if raw is not None else json.dumps(ev).encode()
    hs = [("Content-Type", ctype)] if ctype else []
    if key is not None:
        hs.append((HEADER, key))
    hs.extend(headers or [])
    return env.request("POST", path, body, hs)


def post_ok(env, ev):
    r = post(env, ev)
    h.check(r.status == 202 and r.json().get("status") == "accepted",
            "event answered %r", r)
    return r


def processed(env, ev, timeout=15):
    h.wait_until(lambda: env.q1("SELECT state FROM events WHERE id = ?",
                                ev["id"]) not in (None, "pending"),
                 timeout, what="event %s processed" % ev["id"])
    return env.q("SELECT * FROM events WHERE id = ?", ev["id"])[0]


def finding_of(env, resource, playbook="ec2-quarantine"):
    fs = [f for f in env.findings(playbook=playbook)
          if f["resource_id"] == resource]
    return fs[0] if fs else None


def seed_instance(env, iid, account=h.PROD, **kw):
    return env.aws.account(account).region(h.REGION).add_instance(
        instance_id=iid, **kw)


def test_manual_launch_quarantined():
    with events_env("ev-launch") as env:
        iid = "i-0a1b2c3d4e5f60001"
        seed_instance(env, iid, instance_profile="app-profile")
        env.start()
        t0 = time.time()
        post_ok(env, launch(iid))
        h.wait_until(lambda: finding_of(env, iid), 10,
                     what="a quarantine finding")
        f = finding_of(env, iid)
        h.check(f["owner_email"] == ALICE and
                f["details"]["actor"] == ALICE,
                "owned by the person who launched it: %r", f)
        env.wait_state(f["id"], "fixed", timeout=30)
        inst = env.aws.account(h.PROD).region(h.REGION).instances[iid]
        h.check(len(inst["groups"]) == 1, "not isolated: %r",
                inst["groups"])
        tags = env.aws.calls(action="CreateTags")
        h.check(any(c.params.get("Tag.1.Key") == "fixit:creator" and
                    c.params.get("Tag.1.Value") == ALICE and
                    c.params.get("ResourceId.1") == iid and
                    c.role == "fixit-tagger" for c in tags),
                "creator not tagged: %r", tags)
        # the owner hears about it in Slack, the history has every step
        env.fake.wait(lambda: [c for c in env.fake.delivered(
            "chat.postMessage") if "Fixed by fixit" in json.dumps(c.body)],
            10, "the owner told about the quarantine")
        opens = env.fake.delivered("conversations.open")
        h.check(any(c.body.get("users") == ALICE_UID for c in opens),
                "not a DM to alice: %r", opens)
        steps = [(a["from_state"], a["to_state"]) for a in env.q(
            "SELECT * FROM audit WHERE finding_id = ? ORDER BY id",
            f["id"])]
        h.check((None, "open") in steps and ("open", "fixing") in steps
                and ("fixing", "fixed") in steps, "history: %r", steps)
        h.log("manual launch -> fixed in %.2fs" % (time.time() - t0))


def test_autoscaling_launch_ignored():
    with events_env("ev-asg") as env:
        env.start()
        ev = sample("ec2-runinstances-autoscaling-service.json")
        post_ok(env, ev)
        row = processed(env, ev)
        res = json.loads(row["result"])
        h.check(row["state"] == "done" and res["verdict"] == "aws-service",
                "autoscaling launch: %r", row)
        h.check(env.findings(playbook="ec2-quarantine") == [],
                "an automated launch was quarantined")
        h.check(env.aws.mutating_calls() == [], "AWS touched: %r",
                env.aws.mutating_calls())


def test_automation_role_and_non_employee_ignored():
    with events_env("ev-auto") as env:
        env.start()
        ev = launch("i-0a1b2c3d4e5f60002")
        ev["detail"]["userIdentity"]["sessionContext"]["sessionIssuer"][
            "userName"] = "deploy-pipeline"
        post_ok(env, ev)
        h.check(json.loads(processed(env, ev)["result"])["verdict"] ==
                "automation", "deploy role not automation")
        ev2 = launch("i-0a1b2c3d4e5f60003", actor="mallory@elsewhere.org")
        post_ok(env, ev2)
        h.check(json.loads(processed(env, ev2)["result"])["verdict"] ==
                "not-employee", "outsider counted as a person")
        h.check(env.findings(playbook="ec2-quarantine") == [], "quarantined")


def test_nonprod_launch_not_quarantined():
    with events_env("ev-nonprod") as env:
        env.start()
        ev = launch("i-0a1b2c3d4e5f60004", account=h.NONPROD)
        post_ok(env, ev)
        processed(env, ev)
        h.check(env.findings(playbook="ec2-quarantine") == [],
                "non-production launch quarantined")


def test_sixth_launch_only_notified():
    with events_env("ev-batch") as env:
        ids = ["i-0a1b2c3d4e5f6%04d" % n for n in range(6)]
        for iid in ids:
            seed_instance(env, iid)
        env.start()
        evs = []
        for iid in ids:
            evs.append(launch(iid))
            post_ok(env, evs[-1])
        for ev in evs:
            processed(env, ev)
        fs = {iid: finding_of(env, iid) for iid in ids}
        for iid in ids[:5]:
            env.wait_state(fs[iid]["id"], "fixed", timeout=30)
        sixth = fs[ids[5]]
        h.check(sixth["notify_only"] is True and
                "batch" in sixth["details"], "sixth launch: %r", sixth)
        env.wait_state(sixth["id"], "notified")
        time.sleep(2)
        h.check(env.state(sixth["id"]) == "notified", "batch work fixed")
        inst = env.aws.account(h.PROD).region(h.REGION).instances[ids[5]]
        h.check(len(env.aws.calls(action="ModifyInstanceAttribute")) == 5
                and "fixit-quarantine" not in json.dumps(inst["groups"]),
                "the sixth instance was touched")
        post = env.wait_notify(sixth["id"])
        h.check("will not change" in json.dumps(post.body) and
                not any(a == "fixit_fix_now" for a, _, _ in
                        h.fakeslack.buttons(post.body.get("blocks"))),
                "notify-only message offers a fix: %r", post.body)


def test_bad_input_refused_nothing_stored():
    with events_env("ev-bad") as env:
        env.start()
        good = launch("i-0a1b2c3d4e5f60010")
        cases = [
            (post(env, good, raw=b"{not json"), 400),
            (post(env, good, raw=b"[1,2]"), 400),
            (post(env, dict(good, id="")), 400),
            (post(env, dict(good, account="12345")), 400),
            (post(env, dict(good, detail="x")), 400),
            (post(env, dict(good, **{"detail-type": "EC2 Instance State-"
                                                    "change Notification"})),
             400),
            (post(env, good, ctype="text/plain"), 415),
            (post(env, good, raw=b"x" * (300 * 1024)), 413),
            (post(env, good, key=None), 401),
            (post(env, good, key="wrong-key"), 401),
            (post(env, good, key=API_KEY + "x"), 401),
            (post(env, good, headers=[(HEADER, API_KEY)]), 401),
        ]
        for i, (r, want) in enumerate(cases):
            h.check(r.status == want, "case %d: %r, want %d", i, r, want)
            if want == 400:
                h.check(r.json().get("error"), "case %d: no reason", i)
        h.check(env.q1("SELECT count(*) FROM events") == 0,
                "a refused event was stored")
        r = post(env, dict(good, account="12345"))
        h.check("account" in r.json()["error"], "400 does not name the "
                "field: %r", r.json())
        h.check(env.healthz(), "fixitd unhealthy after bad input")


def test_repeated_event_processed_once():
    with events_env("ev-dup") as env:
        iid = "i-0a1b2c3d4e5f60020"
        seed_instance(env, iid)
        env.start()
        ev = launch(iid)
        post_ok(env, ev)
        r = post(env, ev)
        h.check(r.status == 200 and r.json()["status"] == "duplicate",
                "second delivery: %r", r)
        processed(env, ev)
        r = post(env, ev)
        h.check(r.status == 200, "third delivery: %r", r)
        h.check(env.q1("SELECT count(*) FROM events") == 1, "stored twice")
        f = finding_of(env, iid)
        env.wait_state(f["id"], "fixed", timeout=30)
        h.check(env.q1("SELECT count(*) FROM audit WHERE finding_id = ? "
                       "AND to_state = 'open' AND from_state IS NULL",
                       f["id"]) == 1, "finding created twice")


def test_killed_after_ack_processed_once_after_restart():
    with events_env("ev-crash") as env:
        iid = "i-0a1b2c3d4e5f60030"
        seed_instance(env, iid)
        env.start()
        env.aws.set_delay(3.0)      # the creator tag call hangs
        ev = launch(iid)
        post_ok(env, ev)
        # acknowledged and stored; processing is stuck in the AWS call
        time.sleep(0.5)
        h.check(env.q1("SELECT state FROM events WHERE id = ?", ev["id"])
                == "pending" and finding_of(env, iid) is None,
                "processing was not in flight")
        env.restart(crash=True)     # SIGKILL before processing finished
        h.check(env.q1("SELECT state FROM events WHERE id = ?",
                       ev["id"]) == "pending", "event lost or half done")
        env.aws.set_delay(0)
        row = processed(env, ev, timeout=30)
        h.check(row["state"] == "done", "after restart: %r", row)
        f = finding_of(env, iid)
        h.check(f is not None, "no finding after the restart")
        env.wait_state(f["id"], "fixed", timeout=30)
        h.check(len(env.findings(playbook="ec2-quarantine")) == 1 and
                env.q1("SELECT count(*) FROM audit WHERE finding_id = ? "
                       "AND from_state IS NULL", f["id"]) == 1,
                "processed twice")


def test_deleted_bucket_dns_fixed():
    with events_env("ev-bucket") as env:
        acct = env.aws.account(h.NONPROD)
        zid = acct.add_zone("example-bucket.com")
        target = "www.example-bucket.com.s3-website-%s.amazonaws.com" \
            % h.REGION
        acct.add_record(zid, "www.example-bucket.com", "CNAME", [target])
        env.start()
        ev = sample("s3-deletebucket-iamuser.json", h.NONPROD)
        post_ok(env, ev)
        rid = "s3:www.example-bucket.com"
        h.wait_until(lambda: finding_of(env, rid, "dangling-dns"), 10,
                     what="a dangling-dns finding")
        f = finding_of(env, rid, "dangling-dns")
        env.wait_state(f["id"], "fixed", timeout=30)
        h.check(acct.find_record(zid, "www.example-bucket.com", "CNAME")
                is None, "the dangling CNAME is still there")


def test_new_iam_user_reported():
    with events_env("ev-user") as env:
        env.start()
        ev = sample("iam-createuser-iamuser.json")
        ui = ev["detail"]["userIdentity"]
        ui["type"] = "AssumedRole"
        ui["arn"] = "arn:aws:sts::%s:assumed-role/AdminRole/%s" % (h.PROD,
                                                                   ALICE)
        ui["sessionContext"] = {"sessionIssuer": {
            "type": "Role", "userName": "AdminRole",
            "arn": "arn:aws:iam::%s:role/AdminRole" % h.PROD}}
        post_ok(env, ev)
        processed(env, ev)
        env.fake.wait(lambda: [c for c in env.fake.delivered(
            "chat.postMessage") if c.body.get("channel") ==
            h.ADMIN_CHANNEL and "Bob" in json.dumps(c.body)], 10,
            "the admins told about the new user")
        env.fake.wait(lambda: [c for c in env.fake.delivered(
            "conversations.open") if c.body.get("users") == ALICE_UID],
            10, "a DM to the actor")


def evmap_sample(name):
    with open(os.path.join(h.DATA, "ev-map", "samples", name)) as f:
        return json.load(f)


def securityhub(finding_index=0, **changes):
    ev = evmap_sample("securityhub_imported.json")
    f = copy.deepcopy(ev["detail"]["findings"][finding_index])
    for k, v in changes.items():
        f[k] = v
    ev["detail"]["findings"] = [f]
    ev["id"] = str(uuid.uuid4())
    return ev


def test_securityhub_findings_and_iac():
    with events_env("ev-sechub") as env:
        env.start()
        ev = securityhub(0)
        res = ev["detail"]["findings"][0]["Resources"][0]
        iid = res["Id"].rsplit("/", 1)[1]
        post_ok(env, ev)
        processed(env, ev)
        f = finding_of(env, iid, "ec2-imdsv1")
        h.check(f is not None and f["owner_email"] == ALICE and
                f["details"]["source"] == "securityhub" and
                f["details"]["rule"] == "EC2.8", "mapped finding: %r", f)
        env.wait_state(f["id"], "notified")
        # the control passes later: the finding is resolved
        ok = securityhub(0, Compliance={"Status": "PASSED",
                                        "SecurityControlId": "EC2.8"})
        post_ok(env, ok)
        processed(env, ok)
        env.wait_state(f["id"], "resolved")
        # an instance owned by a CloudFormation stack: notify only
        iac = securityhub(0)
        r = iac["detail"]["findings"][0]["Resources"][0]
        r["Id"] = r["Id"].rsplit("/", 1)[0] + "/i-0a1b2c3d4e5f69999"
        r["Tags"] = {"aws:cloudformation:stack-name": "web-prod",
                     "owner": ALICE}
        post_ok(env, iac)
        processed(env, iac)
        g = finding_of(env, "i-0a1b2c3d4e5f69999", "ec2-imdsv1")
        h.check(g["notify_only"] is True and g["details"]["iac_owner"] ==
                "aws:cloudformation:stack-name=web-prod", "IaC: %r", g)
        msg = env.wait_notify(g["id"])
        h.check("web-prod" in json.dumps(msg.body) and not any(
            a == "fixit_fix_now" for a, _, _ in
            h.fakeslack.buttons(msg.body.get("blocks"))),
            "the message does not name the stack: %r", msg.body)
        bad = securityhub(0)
        bad["detail"]["findings"] = "x"
        r = post(env, bad)
        h.check(r.status == 400 and "findings" in r.json()["error"],
                "bad ASFF: %r", r)


def test_custodian_webhook():
    with events_env("ev-custodian") as env:
        env.start()
        payload = evmap_sample("custodian_ec2.json")
        hs = [("Authorization", "Bearer " + h.INGEST_TOKEN)]
        r = post(env, payload, key=None, path="/v1/custodian", headers=hs)
        h.check(r.status == 202, "custodian post: %r", r)
        r2 = post(env, payload, key=None, path="/v1/custodian", headers=hs)
        h.check(r2.status == 200 and r2.json()["status"] == "duplicate",
                "same payload twice: %r", r2)
        r3 = post(env, payload, key=None, path="/v1/custodian")
        h.check(r3.status == 401, "no token: %r", r3)
        h.wait_until(lambda: len(env.findings(playbook="ec2-imdsv1")) == 2,
                     10, what="two custodian findings")
        fs = {f["resource_id"]: f for f in env.findings(playbook="ec2-imdsv1")}
        h.check(fs["i-0a1b2c3d4e5f60718"]["owner_email"] == ALICE and
                fs["i-0a1b2c3d4e5f60718"]["details"]["policy"] ==
                "ec2-require-imdsv2", "custodian finding: %r", fs)
        bad = dict(payload, account_id="nope")
        r4 = post(env, bad, key=None, path="/v1/custodian", headers=hs)
        h.check(r4.status == 400, "bad custodian payload: %r", r4)


if __name__ == "__main__":
    h.run_tests(test_manual_launch_quarantined,
                test_autoscaling_launch_ignored,
                test_automation_role_and_non_employee_ignored,
                test_nonprod_launch_not_quarantined,
                test_sixth_launch_only_notified,
                test_bad_input_refused_nothing_stored,
                test_repeated_event_processed_once,
                test_killed_after_ack_processed_once_after_restart,
                test_deleted_bucket_dns_fixed,
                test_new_iam_user_reported,
                test_securityhub_findings_and_iac,
                test_custodian_webhook)

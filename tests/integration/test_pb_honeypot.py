#!/usr/bin/env python3
"""test_pb_honeypot.py - honeypot-key through the real fixitd: a CloudTrail
event signed with a decoy access key (events.honeypot_keys), POSTed to
/v1/events, cuts its caller off at once - no grace, no owner, no scan -
and pages the admin channel with the event:

  - an IAM user's decoy key, even on a read-only call: the user gets the
    inline deny fixit-honeypot-deny; the same key in 50 events is one
    finding, one PutUserPolicy and one page; fixitd's own processing,
    from the event's receipt (events.received_at) to the last AWS call
    (the fake's timestamp), stays under a second; the undo deletes it;
  - an instance profile's session (its name is the instance id): the
    instance is quarantined (isolation group, the per-instance deny);
  - another role's session: the role's sessions issued before the fix
    are revoked (Deny with DateLessThan aws:TokenIssueTime).

Sample events: tests/data/honeypot.
"""

import datetime
import json
import os
import time
import uuid

import harness as h
import fakeaws_honeypot
import test_events as te

DECOY = "AKIAI44QH8DHBEXAMPLE"
DECOY_SESSION = "ASIAI44QH8DHBEXAMPLE"
USER = "backup-svc"


def hp_env(name, **kw):
    pbs = [h.aws_playbook("honeypot-key", **kw)]
    env = h.Env(name, aws=True, start=False, playbooks=pbs)
    env.config["events"] = {"honeypot_keys": [DECOY, DECOY_SESSION]}
    env.write_config()
    env.proc_env["FIXIT_EVENTS_API_KEY"] = te.API_KEY
    return env


def sample(name):
    """a tests/data/honeypot event, rewritten like test_events' samples"""
    ev = te.sample(os.path.join("..", "honeypot", name))
    return ev


def user_event():
    ev = sample("s3-listbuckets-decoykey-iamuser.json")
    ev["detail"]["userIdentity"]["arn"] = \
        "arn:aws:iam::%s:user/%s" % (h.PROD, USER)
    return ev


def session_event(role, session):
    ev = sample("sts-getcalleridentity-decoykey-instance.json")
    ui = ev["detail"]["userIdentity"]
    ui["arn"] = "arn:aws:sts::%s:assumed-role/%s/%s" % (h.PROD, role,
                                                         session)
    ui["principalId"] = "AROAJ2UCCR6DPCEXAMPLE:" + session
    ui["sessionContext"]["sessionIssuer"]["userName"] = role
    ui["sessionContext"]["sessionIssuer"]["arn"] = \
        "arn:aws:iam::%s:role/%s" % (h.PROD, role)
    return ev


def pages(env):
    return [c for c in env.fake.delivered("chat.postMessage")
            if c.body.get("channel") == h.ADMIN_CHANNEL and
            "Decoy access key" in json.dumps(c.body)]


def test_decoy_user_key_denied_at_once():
    with hp_env("hp-user") as env:
        acct = env.aws.account(h.PROD)
        user = fakeaws_honeypot.add_user(acct, USER)
        env.start()
        ev = user_event()
        te.post_ok(env, ev)
        env.aws.wait(lambda: env.aws.calls(action="PutUserPolicy", ok=True),
                     10, "the decoy key's user denied")
        [f] = env.findings(playbook="honeypot-key")
        env.wait_state(f["id"], "fixed", timeout=10)
        received = env.q1("SELECT received_at FROM events WHERE id = ?",
                          ev["id"]) / 1000.0
        last = max(c.at for c in env.aws.calls())
        took = last - received
        h.log("decoy key: receipt -> last AWS call %.3f s" % took)
        h.check(took < 1.0, "took %.3f s of fixitd's processing", took)
        doc = json.loads(user["policies"]["fixit-honeypot-deny"])
        st = doc["Statement"][0]
        h.check(st["Effect"] == "Deny" and st["Action"] == "*" and
                st["Resource"] == "*" and "Condition" not in st,
                "not a deny-all: %r", doc)
        h.check(f["resource_id"] == DECOY and
                f["details"]["target"] == "user" and
                f["details"]["source_ip"] == "203.0.113.77",
                "finding: %r", f)
        env.wait_state(f["id"], "fixed", timeout=10)
        # the page: time, key, principal, source IP, event name, region
        env.fake.wait(lambda: pages(env), 10, "the admins paged")
        text = json.dumps(pages(env)[0].body)
        for want in (DECOY, "user/" + USER, "203.0.113.77", "ListBuckets",
                     h.REGION, "s3.amazonaws.com"):
            h.check(want in text, "%s not in the page: %s", want, text)
        # the same key in 49 more events: one finding, one fix, one page
        evs = [user_event() for _ in range(49)]
        for e in evs:
            te.post_ok(env, e)
        for e in evs:
            te.processed(env, e)
        h.check(len(env.findings(playbook="honeypot-key")) == 1,
                "more than one finding")
        h.check(len(env.aws.calls(action="PutUserPolicy")) == 1,
                "denied more than once: %r",
                env.aws.calls(action="PutUserPolicy"))
        time.sleep(1.5)
        h.check(len(pages(env)) == 1, "paged %d times", len(pages(env)))
        steps = [(a["from_state"], a["to_state"]) for a in env.q(
            "SELECT * FROM audit WHERE finding_id = ? ORDER BY id",
            f["id"])]
        h.check(steps.count(("open", "fixing")) == 1, "history: %r", steps)
        # recorded for undo: the undo deletes exactly that policy
        text = env.fixit("undo %d" % f["id"])
        h.check("queued" in text, "/fixit undo answered %r", text)
        env.wait_state(f["id"], "rolled_back", timeout=20)
        h.check("fixit-honeypot-deny" not in user["policies"],
                "the deny survived the undo: %r", user["policies"])


def test_decoy_instance_session_quarantined():
    with hp_env("hp-inst") as env:
        acct = env.aws.account(h.PROD)
        reg = acct.region(h.REGION)
        acct.add_instance_profile("app-profile", roles=["app-role"])
        iid = reg.add_instance(instance_profile="app-profile")
        env.start()
        ev = session_event("app-role", iid)
        te.post_ok(env, ev)
        env.aws.wait(lambda: env.aws.calls(action="PutRolePolicy", ok=True),
                     10, "the instance's deny")
        received = env.q1("SELECT received_at FROM events WHERE id = ?",
                          ev["id"]) / 1000.0
        [f] = env.findings(playbook="honeypot-key")
        env.wait_state(f["id"], "fixed", timeout=10)
        took = max(c.at for c in env.aws.calls()) - received
        h.log("decoy session on %s: receipt -> last AWS call %.3f s" %
              (iid, took))
        h.check(took < 1.0, "took %.3f s of fixitd's processing", took)
        h.check(f["details"]["target"] == "instance" and
                f["details"]["instance"] == iid, "finding: %r", f)
        inst = reg.instances[iid]
        [sg] = inst["groups"]
        h.check(reg.security_groups[sg]["name"] == "fixit-quarantine",
                "not isolated: %r", inst["groups"])
        pol = json.loads(acct.roles["app-role"]["policies"][
            "fixit-quarantine-" + iid])
        h.check(pol["Statement"][0]["Condition"]["ArnEquals"][
            "ec2:SourceInstanceARN"].endswith("instance/" + iid),
            "deny not scoped to the instance: %r", pol)
        env.fake.wait(lambda: pages(env), 10, "the admins paged")


def test_decoy_role_session_revoked():
    with hp_env("hp-role") as env:
        acct = env.aws.account(h.PROD)
        acct.add_role("ci-deployer")
        env.start()
        t0 = time.time()
        te.post_ok(env, session_event("ci-deployer", "build-4711"))
        env.aws.wait(lambda: env.aws.calls(action="PutRolePolicy", ok=True),
                     10, "the role's sessions revoked")
        doc = json.loads(acct.roles["ci-deployer"]["policies"][
            "fixit-honeypot-deny"])
        cond = doc["Statement"][0]["Condition"]["DateLessThan"]
        before = datetime.datetime.strptime(
            cond["aws:TokenIssueTime"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        h.check(doc["Statement"][0]["Effect"] == "Deny" and
                abs(before - t0) < 60,
                "not a dated deny: %r", doc)
        [f] = env.findings(playbook="honeypot-key")
        h.check(f["details"]["target"] == "role", "finding: %r", f)


def test_guardduty_finding_names_decoy():
    """a GuardDuty finding (through Security Hub) naming the decoy key:
    the same finding and fix as the call itself"""
    with hp_env("hp-gd") as env:
        acct = env.aws.account(h.PROD)
        user = fakeaws_honeypot.add_user(acct, USER)
        env.start()
        with open(os.path.join(h.DATA, "honeypot",
                               "securityhub-guardduty-decoykey.json")) as f:
            ev = json.load(f)
        ev["id"] = str(uuid.uuid4())
        ev["account"] = h.PROD
        ev["region"] = h.REGION
        gd = ev["detail"]["findings"][0]
        gd["AwsAccountId"] = h.PROD
        gd["Region"] = gd["Resources"][0]["Region"] = h.REGION
        gd["UpdatedAt"] = h.iso_now()
        te.post_ok(env, ev)
        env.aws.wait(lambda: env.aws.calls(action="PutUserPolicy", ok=True),
                     10, "the user denied")
        [f] = env.findings(playbook="honeypot-key")
        h.check(f["resource_id"] == DECOY and f["details"]["user"] == USER
                and f["details"]["event_source"] == "GuardDuty",
                "finding: %r", f)
        h.check("fixit-honeypot-deny" in user["policies"], "no deny")
        env.fake.wait(lambda: pages(env), 10, "the admins paged")
        h.check("203.0.113.77" in json.dumps(pages(env)[0].body),
                "the page has no source IP")
        # then the call itself: the same finding, nothing more
        ev2 = user_event()
        te.post_ok(env, ev2)
        te.processed(env, ev2)
        h.check(len(env.findings(playbook="honeypot-key")) == 1 and
                len(env.aws.calls(action="PutUserPolicy")) == 1,
                "a second finding or fix")


def test_guardduty_event_names_decoy():
    """a GuardDuty Finding event (EventBridge, not through Security Hub)
    naming the decoy key: the user denied and the admins paged; a finding
    naming another key is stored and changes nothing"""
    with hp_env("hp-gd-direct") as env:
        acct = env.aws.account(h.PROD)
        user = fakeaws_honeypot.add_user(acct, USER)
        env.start()
        with open(os.path.join(h.DATA, "honeypot",
                               "guardduty-finding-decoykey.json")) as f:
            base = json.load(f)
        other = json.loads(json.dumps(base))
        for ev in (base, other):
            ev["id"] = str(uuid.uuid4())
            ev["account"] = ev["detail"]["accountId"] = h.PROD
            ev["region"] = ev["detail"]["region"] = h.REGION
        other["detail"]["resource"]["accessKeyDetails"]["accessKeyId"] = \
            "AKIAIOSFODNN7EXAMPLE"
        te.post_ok(env, other)
        row = te.processed(env, other)
        h.check(row["state"] == "done" and not env.findings(
            playbook="honeypot-key"), "another key acted on: %r", row)
        te.post_ok(env, base)
        env.aws.wait(lambda: env.aws.calls(action="PutUserPolicy", ok=True),
                     10, "the user denied")
        [f] = env.findings(playbook="honeypot-key")
        h.check(f["details"]["event_name"] == "ListBuckets" and
                f["details"]["source_ip"] == "203.0.113.77", "finding %r", f)
        h.check("fixit-honeypot-deny" in user["policies"], "no deny")
        env.fake.wait(lambda: pages(env), 10, "the admins paged")
        # malformed: refused at the door
        bad = json.loads(json.dumps(base))
        bad["id"] = str(uuid.uuid4())
        bad["detail"] = "x"
        r = te.post(env, bad)
        h.check(r.status == 400, "a malformed GuardDuty event: %r", r)


def test_dry_run_changes_nothing():
    """dry run: the plan is recorded (rehearsed), no mutating call sent;
    the admins are still paged"""
    with hp_env("hp-dry", dry_run=True) as env:
        acct = env.aws.account(h.PROD)
        user = fakeaws_honeypot.add_user(acct, USER)
        env.start()
        te.post_ok(env, user_event())
        h.wait_until(lambda: env.findings(playbook="honeypot-key"), 10,
                     what="the finding")
        [f] = env.findings(playbook="honeypot-key")
        env.wait_state(f["id"], "rehearsed", timeout=10)
        h.check(env.aws.mutating_calls() == [], "sent: %r",
                env.aws.mutating_calls())
        h.check(user["policies"] == {}, "changed: %r", user["policies"])
        env.fake.wait(lambda: pages(env), 10, "the admins paged")


if __name__ == "__main__":
    h.run_tests(test_decoy_user_key_denied_at_once,
                test_decoy_instance_session_quarantined,
                test_decoy_role_session_revoked,
                test_guardduty_finding_names_decoy,
                test_guardduty_event_names_decoy,
                test_dry_run_changes_nothing)

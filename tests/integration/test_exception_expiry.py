"""test_exception_expiry.py - an exception lapses and the finding is raised
again.

Needs the playbook key `exception_durations: {1m: 4s, 1y: 8s}` (a testing
override of the 30 / 365 day lengths; struct playbook.exc_duration).

A 1-month exception (non-production, owner) and a 1-year one (production,
approved by an admin) are granted; each lasts its configured length, then
the finding goes excepted -> open -> notified (a fresh notify message), the
exception row becomes expired and the owner is told.
"""

import json
import time

import fakeslack
import harness as h
from harness import check

PLAYBOOKS = [h.playbook("imds-slow",
                        exception_durations={"1m": "4s", "1y": "8s"})]


def grant(env, fid, post, kind, reason):
    """Click Exception KIND as the owner and submit the modal."""
    r = env.click(h.OWNER, "fixit_exc_" + kind, fid, msg=post)
    check(r.status == 200, "click answered %r", r)
    view = env.fake.wait(lambda: env.views(r.trigger_id), 5,
                         "views.open for %s" % kind)[0].body["view"]
    if isinstance(view, str):
        view = json.loads(view)
    r = env.submit_exception(h.OWNER, fid, kind, reason, view=view)
    check(r.status == 200 and (not r.body.strip() or
                               "errors" not in r.json()),
          "submit answered %r", r)


def approval_post(env, fid):
    def find():
        for c in env.fake.delivered("chat.postMessage"):
            if c.body.get("channel") != h.ADMIN_CHANNEL:
                continue
            bs = fakeslack.buttons(c.body.get("blocks"))
            if any(a == "fixit_exc_approve" for a, _, _ in bs):
                return c
        return None
    return env.fake.wait(find, 8, "the approval request for %s" % fid)


def test_exceptions_expire():
    with h.Env("expiry", playbooks=PLAYBOOKS) as env:
        r1, r2 = "i-0expiry01month", "i-0expiry01year"
        f1, f2 = env.ingest_ok([h.item("imds-slow", h.NONPROD, r1),
                                h.item("imds-slow", h.PROD, r2)])
        p1, p2 = env.wait_notify(f1), env.wait_notify(f2)

        grant(env, f1, p1, "1m", "trial of the expiry path")
        env.wait_state(f1, "excepted")
        grant(env, f2, p2, "1y", "vendor appliance, cannot change")
        appr = approval_post(env, f2)
        exc_id = [v for a, v, _ in fakeslack.buttons(appr.body["blocks"])
                  if a == "fixit_exc_approve"][0]
        r = env.click(h.ADMIN, "fixit_exc_approve", exc_id, msg=appr)
        check(r.status == 200, "approve answered %r", r)
        env.wait_state(f2, "excepted")

        e1 = env.q("SELECT * FROM exceptions WHERE finding_id = ?", f1)[0]
        check(e1["until"] - e1["requested_at"] in (3, 4, 5),
              "1m exception lasts %ss, config says 4s",
              e1["until"] - e1["requested_at"])
        e2 = env.q("SELECT * FROM exceptions WHERE finding_id = ?", f2)[0]
        start2 = e2.get("decided_at") or e2["requested_at"]
        check(7 <= e2["until"] - start2 <= 9, "1y exception lasts %ss "
              "from approval, config says 8s", e2["until"] - start2)

        # the 1-month one lapses: raised again with a fresh message
        env.fake.wait(lambda: len(env.notify_posts(f1)) == 2, 10,
                      "a second notify message for %s after expiry" % f1)
        check(env.state(f1) == "notified", "state %s", env.state(f1))
        check(env.path(f1) == ["notified", "excepted", "open", "notified"],
              "path %r", env.path(f1))
        lapse = [a for a in env.audit(f1) if a["from_state"] == "excepted"
                 and a["to_state"] == "open"][0]
        check(lapse["at"] >= e1["until"], "lapsed at %s before until %s",
              lapse["at"], e1["until"])
        e1 = env.q("SELECT * FROM exceptions WHERE finding_id = ?", f1)[0]
        check(e1["status"] == "expired", "1m exception is %r",
              e1["status"])
        check(env.state(f2) == "excepted", "the 1y exception lapsed early")
        env.fake.wait(lambda: [
            c for c in env.fake.delivered("chat.postMessage")
            if c.body.get("channel") == "D" + h.OWNER and
            c.at >= lapse["at"] and c not in env.notify_posts(f1)], 5,
            "the owner told that the exception lapsed")

        # the 1-year one lapses after 8 s
        env.fake.wait(lambda: len(env.notify_posts(f2)) == 2, 14,
                      "a second notify message for %s after expiry" % f2)
        check(env.path(f2) == ["notified", "excepted", "open", "notified"],
              "path %r", env.path(f2))
        e2 = env.q("SELECT * FROM exceptions WHERE finding_id = ?", f2)[0]
        check(e2["status"] == "expired", "1y exception is %r", e2["status"])
        check(not env.fix_log(), "something was fixed: %r", env.fix_log())


if __name__ == "__main__":
    h.run_tests(test_exceptions_expire)

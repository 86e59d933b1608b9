"""test_slack_owner.py - owners help themselves (issue 12, deliverable 7).

1. Not mine: a non-owner's click is refused; the owner's click opens a
   form with a users_select; passing it to oneself is refused under the
   field; passing it to OWNER2 updates the old card, asks OWNER2 afresh
   in their DM with a fresh deadline (the playbook's grace from the
   submission) and tells them who passed it on; the old owner's later
   click is refused; a non-owner's submission is refused.
2. False positive: the form needs a reason; the report is an approval
   request in the admin channel worded as a false-positive report; the
   owner's card says it awaits an admin; an admin approves -> excepted
   for a year with the reason, the owner told, /fixit status and
   /metrics count it for the playbook. An admin's own report cannot be
   approved by them (four eyes); another admin can. A denied report
   leaves the finding asked, says so on both cards and to the owner,
   and is not counted.
3. A report nobody decides lapses after approval_timeout: the owner's
   card says so, a reminder brings the buttons back, the owner is told.
Every signed request is answered 200; no message carries raw markup
from a user's text.
"""

import json
import time

import fakeslack
import harness as h
import test_slack_home
from harness import check

GRACE = 3600        # imds-slow's grace


def view_of(env, r, what):
    view = env.fake.wait(lambda: env.views(r.trigger_id), 5,
                         "views.open (%s)" % what)[0].body["view"]
    return json.loads(view) if isinstance(view, str) else view


def submit(env, user, view, values):
    """A view_submission of `view` (as fixitd opened it) by user."""
    p = h.view_submission(user, 0, view=view)
    p["view"]["state"] = {"values": values}
    r = env.action(p)
    check(r.status == 200, "submission answered %r", r)
    return r


def pick(user, note=None):
    v = {"owner": {"owner": {"type": "users_select",
                             "selected_user": user}}}
    if note is not None:
        v["reason"] = {"reason": {"type": "plain_text_input",
                                  "value": note}}
    return v


def reason(text):
    return {"reason": {"reason": {"type": "plain_text_input",
                                  "value": text}}}


def accepted(r):
    check(not r.body.strip() or "errors" not in r.json(),
          "the form was refused: %r", r)


def field_error(r, block):
    j = r.json()
    check(j.get("response_action") == "errors" and
          isinstance(j.get("errors", {}).get(block), str) and
          j["errors"][block], "no error under %s: %r", block, j)
    check("<@" not in j["errors"][block] and "*" not in
          j["errors"][block], "markup in a plain-text error: %r", j)
    return j["errors"][block]


def refused_click(env, user, action, fid, post):
    """A click that must be refused: an ephemeral to user, no form."""
    since = time.time()
    r = env.click(user, action, fid, msg=post)
    check(r.status == 200 and not r.body.strip(), "click answered %r", r)
    env.wait_ephemeral(user, since)
    time.sleep(0.5)
    check(not env.views(r.trigger_id), "a form opened for %s" % user)


def posts_to(env, channel, since, contains=()):
    return [c for c in env.fake.delivered("chat.postMessage")
            if c.body.get("channel") == channel and c.at >= since and
            all(s in fakeslack.all_text(c.body) for s in contains)]


def test_not_mine():
    with h.Env("owner-reassign") as env:
        (fid,) = env.ingest_ok([h.item("imds-slow", h.PROD,
                                       "i-0notmine0")])
        post = env.wait_notify(fid)
        ids = {a for a, v, _ in fakeslack.buttons(post.body["blocks"])
               if str(v) == str(fid)}
        check(h.OWNER_ACTIONS <= ids, "owner buttons missing: %r", ids)

        refused_click(env, h.OTHER, "fixit_not_mine", fid, post)

        r = env.click(h.OWNER, "fixit_not_mine", fid, msg=post)
        check(r.status == 200, "Not mine answered %r", r)
        view = view_of(env, r, "Not mine")
        check(view.get("callback_id") == "fixit_reassign", "callback %r",
              view.get("callback_id"))
        check(json.loads(view.get("private_metadata")) == {"f": fid},
              "private_metadata %r", view.get("private_metadata"))
        sel = [b for b in view["blocks"] if b.get("block_id") == "owner"]
        check(sel and sel[0]["element"]["type"] == "users_select" and
              sel[0]["element"]["action_id"] == "owner",
              "no users_select in %r", view["blocks"])

        snap = env.settled_snapshot(quiet=1.0)
        field_error(submit(env, h.OWNER, view, pick(h.OWNER)), "owner")
        field_error(submit(env, h.OTHER, view, pick(h.OWNER2)), "owner")
        field_error(submit(env, h.OWNER, view, {}), "owner")
        time.sleep(0.5)
        check(env.snapshot() == snap, "a refused form changed the database")

        test_slack_home.home_opened(env, h.OWNER)
        test_slack_home.wait_home(env, h.OWNER)
        t_sub = time.time()
        note = "The <data> team runs it & knows"
        accepted(submit(env, h.OWNER, view, pick(h.OWNER2, note)))
        h.wait_until(lambda: env.q1("SELECT owner_slack_id FROM findings "
                                    "WHERE id = ?", fid) == h.OWNER2, 5,
                     what="the finding passed to OWNER2")
        # the deadline starts once the new owner was told (sm.h)
        h.wait_until(lambda: env.q1("SELECT deadline FROM findings "
                                    "WHERE id = ?", fid), 5,
                     what="the new owner told: a deadline")
        f = env.q("SELECT * FROM findings WHERE id = ?", fid)[0]
        check(f["state"] == "notified", "state %s", f["state"])
        check(f["deadline"] >= int(t_sub) + GRACE - 1,
              "deadline %s is not a grace after the submission %s",
              f["deadline"], int(t_sub))
        ev = [a for a in env.audit(fid) if a["event"] == "reassigned"]
        check(len(ev) == 1 and ev[0]["actor"] == h.OWNER, "audit %r", ev)
        data = json.loads(ev[0]["data"]) if isinstance(ev[0]["data"], str) \
            else ev[0]["data"]
        check(data.get("from") == h.OWNER and data.get("to") == h.OWNER2,
              "audit data %r", data)
        check("<@" not in (ev[0]["reason"] or ""), "markup in the audit")

        # OWNER2 is asked afresh, in their own DM, with the buttons
        new = env.fake.wait(lambda: [
            c for c in env.notify_posts(fid) if c.at >= t_sub], 10,
            "the notify to OWNER2")[0]
        check(new.body.get("channel") == "D" + h.OWNER2,
              "asked in %r, not OWNER2's DM", new.body.get("channel"))
        check(h.OWNER_ACTIONS <= {a for a, _, _ in
                                  fakeslack.buttons(new.body["blocks"])},
              "the new card has no owner buttons")
        told = env.fake.wait(lambda: posts_to(env, "D" + h.OWNER2, t_sub,
                                              ("data",)), 10,
                             "OWNER2 told who passed it on")[0]
        text = fakeslack.all_text(told.body)
        check(h.OWNER in text and "<data>" not in text,
              "OWNER2's note %r", text)

        # the old owner's open App Home no longer offers it
        view = test_slack_home.wait_home(env, h.OWNER, t_sub)
        check(not test_slack_home.buttons_of(view["blocks"], fid),
              "the old owner's home still offers the finding")

        # the old card says who passed it to whom, without buttons
        upd = env.wait_update(post.response["channel"], post.response["ts"],
                              since=t_sub, contains=(h.OWNER2,))
        check(not fakeslack.buttons(upd.body.get("blocks")),
              "buttons left on the old card")

        # the old owner can no longer decide; the new one can
        refused_click(env, h.OWNER, "fixit_exc_1m", fid, post)
        r = env.click(h.OWNER2, "fixit_not_mine", fid, msg=new)
        view_of(env, r, "Not mine by OWNER2")


def approval_posts(env, since):
    return [c for c in env.fake.delivered("chat.postMessage")
            if c.body.get("channel") == h.ADMIN_CHANNEL and c.at >= since
            and any(a == "fixit_exc_approve" for a, _, _ in
                    fakeslack.buttons(c.body.get("blocks")))]


def report(env, user, fid, post, why):
    """False positive -> the form -> submitted; the approval request."""
    r = env.click(user, "fixit_false_positive", fid, msg=post)
    view = view_of(env, r, "False positive")
    check(view.get("callback_id") == "fixit_false_positive", "callback %r",
          view.get("callback_id"))
    field_error(submit(env, user, view, reason("   ")), "reason")
    t = time.time()
    accepted(submit(env, user, view, reason(why)))
    appr = env.fake.wait(lambda: approval_posts(env, t), 8,
                         "the false-positive request")[0]
    text = fakeslack.all_text(appr.body).lower()
    check("false positive" in text or "false-positive" in text,
          "the request does not say false positive: %r", text)
    exc = int([v for a, v, _ in fakeslack.buttons(appr.body["blocks"])
               if a == "fixit_exc_approve"][0])
    return appr, exc, t


def test_false_positive():
    with h.Env("owner-fp") as env:
        fa, fb, fc = env.ingest_ok([
            h.item("imds-slow", h.PROD, "i-0falsepos0a"),
            h.item("imds-slow", h.PROD, "i-0falsepos0b"),
            h.item("imds-slow", h.PROD, "i-0falsepos0c")])
        pa, pb, pc = (env.wait_notify(fa), env.wait_notify(fb),
                      env.wait_notify(fc))

        why = "The scanner reads a stale tag: IMDSv2 is required"
        appr, exc, t = report(env, h.OWNER, fa, pa, why)
        e = env.q("SELECT * FROM exceptions WHERE id = ?", exc)[0]
        check(e["status"] == "pending" and e["fp"] == 1 and
              e["kind"] == "1y" and e["finding_id"] == fa and
              why in e["reason"], "exception row %r", e)
        env.wait_update(pa.response["channel"], pa.response["ts"], since=t,
                        contains=("false positive",))

        # the owner, not an admin, cannot approve their report
        refused_click(env, h.OWNER, "fixit_exc_approve", exc, appr)
        t_ok = time.time()
        r = env.click(h.ADMIN, "fixit_exc_approve", exc, msg=appr)
        check(r.status == 200, "approve answered %r", r)
        env.wait_state(fa, "excepted")
        e = env.q("SELECT * FROM exceptions WHERE id = ?", exc)[0]
        check(e["status"] == "active" and e["fp"] == 2 and
              e["decided_by"] == h.ADMIN, "approved row %r", e)
        until = env.q1("SELECT excepted_until FROM findings WHERE id = ?",
                       fa)
        check(abs(until - int(t_ok) - 365 * 86400) <= 5, "excepted until %s",
              until)
        ev = [a for a in env.audit(fa) if a["event"] == "false_positive"]
        check(len(ev) == 1 and why in (ev[0]["reason"] or ""),
              "audit %r", ev)
        env.fake.wait(lambda: posts_to(env, "D" + h.OWNER, t_ok,
                                       ("stale tag",)), 10,
                      "the owner told, with the reason")
        env.wait_update(appr.response["channel"], appr.response["ts"],
                        since=t_ok, contains=(h.ADMIN,))
        check("`imds-slow` 1" in env.fixit("status"),
              "status: %r", env.fixit("status"))

        # an admin's own report: four eyes
        appr2, exc2, _ = report(env, h.ADMIN, fb, pb, "a test instance")
        refused_click(env, h.ADMIN, "fixit_exc_approve", exc2, appr2)
        check(env.state(fb) == "notified", "self-approved")
        r = env.click(h.ADMIN2, "fixit_exc_approve", exc2, msg=appr2)
        check(r.status == 200, "approve answered %r", r)
        env.wait_state(fb, "excepted")
        status = env.fixit("status")
        check("`imds-slow` 2" in status, "status: %r", status)

        # denied: as a denied exception, the owner told, not counted
        appr3, exc3, _ = report(env, h.OWNER, fc, pc, "surely wrong")
        t_no = time.time()
        r = env.deny(h.ADMIN, exc3, appr3, "the bucket is public <!here>")
        check(r.status == 200 and not r.body, "deny submit answered %r", r)
        h.wait_until(lambda: env.q1("SELECT status FROM exceptions WHERE "
                                    "id = ?", exc3) == "denied", 5,
                     what="the report denied")
        check(env.state(fc) == "notified" and not env.q1(
            "SELECT exc_pending FROM findings WHERE id = ?", fc),
            "after the denial: %r", env.finding(fc))
        env.wait_update(pc.response["channel"], pc.response["ts"],
                        since=t_no, contains=("denied", h.ADMIN))
        env.wait_update(appr3.response["channel"], appr3.response["ts"],
                        since=t_no, contains=("denied", h.ADMIN))
        env.fake.wait(lambda: posts_to(env, "D" + h.OWNER, t_no,
                                       ("did not confirm",
                                        "the bucket is public &lt;!here&gt;")),
                      10, "the owner told it was denied, and why")
        check("`imds-slow` 2" in env.fixit("status"), "a denial counted")
        ms = env.metrics()
        check(h.metric(ms, "fixit_false_positives",
                       playbook="imds-slow") == 2, "metrics %r",
              ms.get("fixit_false_positives"))
        check(not env.fix_log(), "something ran: %r", env.fix_log())


def test_false_positive_lapses():
    with h.Env("owner-fp-lapse", config={"approval_timeout": "3s",
                                         "approval_grace": "1h"}) as env:
        (fid,) = env.ingest_ok([h.item("imds-slow", h.PROD,
                                       "i-0fplapse0")])
        post = env.wait_notify(fid)
        _, exc, t = report(env, h.OWNER, fid, post, "nobody will look")
        env.fake.wait(lambda: env.q1("SELECT status FROM exceptions WHERE "
                                     "id = ?", exc) == "expired", 15,
                      "the report to lapse")
        check(env.state(fid) == "notified", "state %s", env.state(fid))
        upd = env.wait_update(post.response["channel"], post.response["ts"],
                              since=t, contains=("not decided",))
        check(not fakeslack.buttons(upd.body.get("blocks")),
              "buttons on a decided card")
        rem = env.fake.wait(lambda: [
            c for c in env.fake.delivered("chat.postMessage")
            if c.at >= t and c.body.get("thread_ts") == post.response["ts"]
            and h.OWNER_ACTIONS <= {a for a, _, _ in fakeslack.buttons(
                c.body.get("blocks"))}], 10, "a reminder with the buttons")
        check(rem, "no reminder")
        env.fake.wait(lambda: posts_to(env, "D" + h.OWNER, t,
                                       ("has lapsed",)), 10,
                      "the owner told it lapsed")


if __name__ == "__main__":
    h.run_tests(test_not_mine, test_false_positive,
                test_false_positive_lapses)

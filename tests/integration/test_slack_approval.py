"""test_slack_approval.py - the approval flow of an exception request
(issue 12 deliverable 5).

- Deny asks the reason: the click opens the deny modal (views.open,
  callback fixit_deny), its submit denies the request; the owner is told
  who denied it and why, the finding's card gets its buttons back and
  says so, and a later click of the owner works (a new request).
- The admin channel's request message keeps the justification after a
  decision (approve and deny), the decision in place of its buttons.
- A request that waits is reminded in its thread after approval_remind
  and escalated to the admin channel after approval_escalate, once each,
  with the buttons; a decision takes the buttons off every one of them.
- The requester cannot approve their own request (four eyes).
- A request nobody decides lapses: its admin message says so without
  buttons, the owner is told, the deadline at least approval_grace ahead
  (also test_buttons.py test_pending_request_lapses).
- No text shows raw markup entities twice escaped.
"""

import time

import fakeslack
import harness as h
from harness import check

import test_buttons as tb

GRACE = 600


def request_1y(env, fid, post, reason, user=h.OWNER):
    """Ask a 1-year exception as user; the admin message and its id."""
    t0 = time.time()
    tb.open_and_submit(env, user, fid, post, "1y", reason)
    appr = tb.approval_post(env, fid, t0)
    exc = int([v for a, v, _ in fakeslack.buttons(appr.body["blocks"])
               if a == "fixit_exc_deny"][0])
    return appr, exc


def no_raw_markup(texts):
    for t in texts:
        check("&amp;lt;" not in t and "&amp;amp;" not in t,
              "text escaped twice: %r", t)


def owner_posts(env, since):
    return [c for c in env.fake.delivered("chat.postMessage")
            if c.at >= since and c.body.get("channel") != h.ADMIN_CHANNEL]


def test_deny_with_reason_gives_the_options_back():
    with h.Env("approval-deny",
               config={"approval_grace": "%ds" % GRACE}) as env:
        (fid,) = env.ingest_ok([h.item("imds-slow", h.PROD,
                                       "i-0approval0deny")])
        post = env.wait_notify(fid)
        ch, ts = post.response["channel"], post.response["ts"]
        just = "Vendor <appliance> & its image; replacement ordered"
        appr, exc = request_1y(env, fid, post, just)

        # a non-admin's Deny is refused at the click: no modal
        since = time.time()
        r = env.click(h.OWNER, "fixit_exc_deny", exc, msg=appr)
        check(r.status == 200, "owner's deny answered %r", r)
        env.wait_ephemeral(h.OWNER, since)
        check(not env.views(r.trigger_id), "a modal opened for the owner")

        t_deny = time.time()
        reason = "Replace it within the month <please> & tell us"
        r = env.deny(h.ADMIN2, exc, appr, reason)
        check(r.status == 200 and not r.body.strip(),
              "deny submit answered %r", r)
        h.wait_until(lambda: env.q1("SELECT status FROM exceptions WHERE "
                                    "id = ?", exc) == "denied", 5,
                     what="exception denied")
        e = env.q("SELECT * FROM exceptions WHERE id = ?", exc)[0]
        check(e["decided_by"] == h.ADMIN2 and e["decided_at"],
              "decided %r", e)
        den = [a for a in env.audit(fid) if a["event"] == "exception_denied"]
        check(len(den) == 1, "audit %r", den)
        check(reason in (den[0]["reason"] or "") and
              "<@" not in den[0]["reason"] and "&lt;" not in den[0]["reason"],
              "audit reason %r", den[0]["reason"])
        check(env.q1("SELECT deadline FROM findings WHERE id = ?", fid) >=
              int(t_deny) + GRACE - 2, "deadline not a grace ahead")

        # the owner is told who and why
        def told():
            for c in owner_posts(env, t_deny):
                t = fakeslack.all_text(c.body)
                if "denied your 1 year exception" in t:
                    return c
            return None
        msg = env.fake.wait(told, 8, "the owner told of the denial")
        t = fakeslack.all_text(msg.body)
        check("<@%s>" % h.ADMIN2 in t and
              "Replace it within the month &lt;please&gt; &amp; tell us" in t,
              "owner told %r", t)

        # the owner's card has its buttons back, and says why
        upd = env.wait_update(ch, ts, since=t_deny, contains=(h.ADMIN2,))
        vals = {a for a, v, _ in fakeslack.buttons(upd.body.get("blocks"))
                if str(v) == str(fid)}
        check("fixit_exc_1m" in vals and "fixit_exc_1y" in vals,
              "buttons after the denial: %r", vals)
        check("&lt;please&gt;" in fakeslack.all_text(upd.body),
              "the card does not say why: %r", fakeslack.all_text(upd.body))

        # the admin message keeps the justification, its buttons gone
        au = env.wait_update(appr.response["channel"], appr.response["ts"],
                             since=t_deny, contains=(h.ADMIN2,))
        at = fakeslack.all_text(au.body)
        check("Vendor &lt;appliance&gt; &amp; its image" in at,
              "justification lost: %r", at)
        check("denied" in at and "&lt;please&gt;" in at,
              "no decision on the admin message: %r", at)
        check(not fakeslack.buttons(au.body.get("blocks")),
              "buttons left on the admin message")
        no_raw_markup([t, fakeslack.all_text(upd.body), at])

        # a later click of the owner works: a new request
        appr2, exc2 = request_1y(env, fid, upd, "second try, shorter")
        check(exc2 != exc, "no new request")
        check(env.q1("SELECT exc_pending FROM findings WHERE id = ?", fid)
              == exc2, "the new request is not pending")


def test_admin_message_keeps_the_justification_after_approve():
    with h.Env("approval-approve") as env:
        (fid,) = env.ingest_ok([h.item("imds-slow", h.PROD,
                                       "i-0approval0ok")])
        post = env.wait_notify(fid)
        appr, exc = request_1y(env, fid, post, "Payment <terminal> vendor")
        t1 = time.time()
        r = env.click(h.ADMIN, "fixit_exc_approve", exc, msg=appr)
        check(r.status == 200, "approve answered %r", r)
        env.wait_state(fid, "excepted")
        au = env.wait_update(appr.response["channel"], appr.response["ts"],
                             since=t1, contains=(h.ADMIN,))
        at = fakeslack.all_text(au.body)
        check("Payment &lt;terminal&gt; vendor" in at and "approved" in at,
              "admin message after approval: %r", at)
        check("<@%s>" % h.OWNER in at, "requester gone: %r", at)
        check(not fakeslack.buttons(au.body.get("blocks")),
              "buttons left on the admin message")
        no_raw_markup([at])


def test_requester_may_withdraw_but_not_approve():
    with h.Env("approval-self") as env:
        (fid,) = env.ingest_ok([h.item("imds-slow", h.PROD,
                                       "i-0approval0self")])
        post = env.wait_notify(fid)
        appr, exc = request_1y(env, fid, post, "admin's own", user=h.ADMIN)
        since = time.time()
        r = env.click(h.ADMIN, "fixit_exc_approve", exc, msg=appr)
        check(r.status == 200, "self-approval answered %r", r)
        eph = env.wait_ephemeral(h.ADMIN, since)
        check("another fixit admin" in fakeslack.all_text(eph.body),
              "refusal %r", fakeslack.all_text(eph.body))
        check(env.q1("SELECT status FROM exceptions WHERE id = ?", exc)
              == "pending", "self-approval changed the request")
        r = env.deny(h.ADMIN, exc, appr, "withdrawn")
        check(r.status == 200 and not r.body.strip(), "withdraw %r", r)
        h.wait_until(lambda: env.q1("SELECT status FROM exceptions WHERE "
                                    "id = ?", exc) == "denied", 5,
                     what="request withdrawn")


def test_deny_submit_rechecks():
    """A Deny modal submitted after the request was decided elsewhere is
    refused with a plain-text modal error; nothing changes."""
    with h.Env("approval-recheck") as env:
        (fid,) = env.ingest_ok([h.item("imds-slow", h.PROD,
                                       "i-0approval0late")])
        post = env.wait_notify(fid)
        appr, exc = request_1y(env, fid, post, "late")
        r = env.click(h.ADMIN, "fixit_exc_deny", exc, msg=appr)
        view = env.fake.wait(lambda: env.views(r.trigger_id), 5,
                             "the deny modal")[0].body["view"]
        r2 = env.click(h.ADMIN2, "fixit_exc_approve", exc, msg=appr)
        check(r2.status == 200, "approve answered %r", r2)
        env.wait_state(fid, "excepted")
        r = env.submit_exception(h.ADMIN, 0, reason="too late", view=view)
        check(r.status == 200, "late submit answered %r", r)
        err = r.json().get("errors", {}).get("reason", "")
        check("already handled" in err and "<" not in err and "&" not in err,
              "modal error %r", err)
        check(env.q1("SELECT status FROM exceptions WHERE id = ?", exc)
              == "active", "a late deny changed the request")


def test_reminder_then_escalation():
    """approval_remind 2s: a reply in the request's thread with the
    buttons; approval_escalate 4s: the request again in the admin channel;
    each once. Approving from the escalation takes the buttons off all
    three messages, the justification kept."""
    with h.Env("approval-nudge",
               config={"approval_remind": "2s", "approval_escalate": "4s",
                       "approval_timeout": "60s"}) as env:
        (fid,) = env.ingest_ok([h.item("imds-slow", h.PROD,
                                       "i-0approval0nudge")])
        post = env.wait_notify(fid)
        t0 = time.time()
        appr, exc = request_1y(env, fid, post, "Vendor <box>, see ticket")
        ats = appr.response["ts"]

        def admin_posts(thread):
            out = []
            for c in env.fake.delivered("chat.postMessage"):
                if c.body.get("channel") != h.ADMIN_CHANNEL or c.at < t0 \
                        or c is appr:
                    continue
                if bool(c.body.get("thread_ts")) != thread:
                    continue
                if thread and str(c.body["thread_ts"]) != str(ats):
                    continue
                vals = {v for a, v, _ in
                        fakeslack.buttons(c.body.get("blocks"))
                        if a == "fixit_exc_approve"}
                if str(exc) in vals:
                    out.append(c)
            return out
        rem = env.fake.wait(lambda: admin_posts(True), 8,
                            "the reminder in the request's thread")[0]
        check(rem.at - appr.at >= 1.5, "reminded after %.1fs",
              rem.at - appr.at)
        check("still waits" in fakeslack.all_text(rem.body),
              "reminder %r", fakeslack.all_text(rem.body))
        esc = env.fake.wait(lambda: admin_posts(False), 8,
                            "the escalation in the admin channel")[0]
        et = fakeslack.all_text(esc.body)
        check("has waited" in et and "Vendor &lt;box&gt;" in et,
              "escalation %r", et)
        check(esc.at - appr.at >= 3.5, "escalated after %.1fs",
              esc.at - appr.at)
        time.sleep(2.5)
        check(len(admin_posts(True)) == 1 and len(admin_posts(False)) == 1,
              "nudged more than once: %d reminders, %d escalations",
              len(admin_posts(True)), len(admin_posts(False)))
        row = env.q("SELECT * FROM exceptions WHERE id = ?", exc)[0]
        check(row["reminded_at"] and row["escalated_at"] and
              row["admin_ts"] == str(ats) and row["remind_ts"] and
              row["escalate_ts"], "exception row %r", row)
        ev = [a["event"] for a in env.audit(fid)]
        check(ev.count("approval_reminded") == 1 and
              ev.count("approval_escalated") == 1, "audit %r", ev)

        t1 = time.time()
        r = env.click(h.ADMIN, "fixit_exc_approve", exc, msg=esc)
        check(r.status == 200, "approve answered %r", r)
        env.wait_state(fid, "excepted")
        for m, what in ((appr, "request"), (rem, "reminder"),
                        (esc, "escalation")):
            u = env.wait_update(m.response["channel"], m.response["ts"],
                                since=t1, contains=(h.ADMIN,))
            check(not fakeslack.buttons(u.body.get("blocks")),
                  "buttons left on the %s", what)
            check("Vendor &lt;box&gt;" in fakeslack.all_text(u.body),
                  "the %s lost the justification", what)


def test_lapse_takes_the_buttons_off_the_admin_message():
    """approval_timeout 3s (the default nudges, longer, are off): the
    request lapses, its admin message says so without buttons; the
    owner is told and has a grace before the deadline."""
    with h.Env("approval-lapse",
               config={"approval_timeout": "3s",
                       "approval_grace": "%ds" % GRACE}) as env:
        (fid,) = env.ingest_ok([h.item("imds-slow", h.PROD,
                                       "i-0approval0lapse")])
        post = env.wait_notify(fid)
        appr, exc = request_1y(env, fid, post, "nobody <answers>")
        u = env.wait_update(appr.response["channel"], appr.response["ts"],
                            since=appr.at, contains=("lapsed",))
        t = time.time()
        check(not fakeslack.buttons(u.body.get("blocks")),
              "buttons left on the lapsed request")
        check("nobody &lt;answers&gt;" in fakeslack.all_text(u.body),
              "justification lost: %r", fakeslack.all_text(u.body))
        check(env.q1("SELECT status FROM exceptions WHERE id = ?", exc)
              == "expired", "request not expired")
        check(env.q1("SELECT deadline FROM findings WHERE id = ?", fid) >=
              int(t) + GRACE - 5, "deadline not a grace ahead")
        env.fake.wait(lambda: [c for c in owner_posts(env, 0) if
                               "has lapsed" in fakeslack.all_text(c.body)],
                      8, "the owner told of the lapse")


if __name__ == "__main__":
    h.run_tests(test_deny_with_reason_gives_the_options_back,
                test_admin_message_keeps_the_justification_after_approve,
                test_requester_may_withdraw_but_not_approve,
                test_deny_submit_rechecks,
                test_reminder_then_escalation,
                test_lapse_takes_the_buttons_off_the_admin_message)

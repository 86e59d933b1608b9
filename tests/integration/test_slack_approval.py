"""test_slack_approval.py - the approval flow of an exception request
(issue 12 deliverable 5).

- Deny asks the reason: the click opens the deny modal (views.open,
  callback fixit_deny), its submit denies the request; the owner is told
  who denied it and why, the finding's card gets its buttons back and
  says so, and a later click of the owner works (a new request).
- The admin channel's request message keeps the justification after a
  decision (approve and deny), the decision in place of its buttons.
- The requester cannot approve their own request (four eyes).
- (A request nobody decides lapses: test_buttons.py
  test_pending_request_lapses.)
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


if __name__ == "__main__":
    h.run_tests(test_deny_with_reason_gives_the_options_back,
                test_admin_message_keeps_the_justification_after_approve,
                test_requester_may_withdraw_but_not_approve,
                test_deny_submit_rechecks)

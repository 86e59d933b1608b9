"""test_buttons.py - the buttons each environment gets and what they do.

- production: Exception: 1 month + Exception: 1 year, no Fix now;
  non-production: Fix now + Exception: 1 month, no 1 year.
- Fix now (owner) -> fixing -> fixed by the executor within seconds; the
  message is updated to say who decided, buttons removed.
- Exception: 1 year (exceptions_need_approval: [1y]) -> pending, the
  deadline held; approval_request in the admin channel with Approve/Deny
  -> a non-admin's Approve is refused (ephemeral, nothing changes) -> an
  admin approves -> excepted for a year; both messages updated.
- Deny -> the reason's modal -> exception denied, finding stays
  notified, no longer pending.
"""

import json
import time

import fakeslack
import harness as h
from harness import check


def ids(post, fid):
    return {a for a, v, _ in fakeslack.buttons(post.body.get("blocks"))
            if str(v) == str(fid)}


def labels(post):
    return " | ".join(l for _, _, l in
                      fakeslack.buttons(post.body.get("blocks"))).lower()


def open_and_submit(env, user, fid, post, kind, reason):
    r = env.click(user, "fixit_exc_" + kind, fid, msg=post)
    check(r.status == 200, "click answered %r", r)
    view = env.fake.wait(lambda: env.views(r.trigger_id), 5,
                         "views.open (%s)" % kind)[0].body["view"]
    if isinstance(view, str):
        view = json.loads(view)
    md = json.loads(view.get("private_metadata") or "{}")
    check(md == {"f": fid, "k": kind}, "private_metadata %r", md)
    r = env.submit_exception(user, fid, kind, reason, view=view)
    check(r.status == 200 and (not r.body.strip() or
                               "errors" not in r.json()),
          "submit answered %r", r)


def approval_post(env, fid, since):
    """The approval_request message in the admin channel for finding fid
    (its Approve value is an exception of that finding); checks that it
    names the resource."""
    res = [k for k, v in env.ids.items() if v == fid][0]

    def find():
        for c in env.fake.delivered("chat.postMessage"):
            if c.body.get("channel") != h.ADMIN_CHANNEL or c.at < since:
                continue
            vals = {a: v for a, v, _ in
                    fakeslack.buttons(c.body.get("blocks"))}
            if "fixit_exc_approve" not in vals or "fixit_exc_deny" not in vals:
                continue
            try:
                owner = env.q1("SELECT finding_id FROM exceptions WHERE "
                               "id = ?", int(vals["fixit_exc_approve"]))
            except ValueError:
                continue
            if owner == fid:
                return c
        return None
    c = env.fake.wait(find, 8, "approval_request for finding %s" % fid)
    check(res in fakeslack.all_text(c.body), "the approval request does "
          "not name the resource %s: %r", res, fakeslack.all_text(c.body))
    return c


def test_buttons_by_environment_and_fix_now():
    with h.Env("buttons-env") as env:
        fp, fn = env.ingest_ok([
            h.item("imds-slow", h.PROD, "i-0buttons0prod"),
            h.item("imds-slow", h.NONPROD, "i-0buttons0dev")])
        pp, pn = env.wait_notify(fp), env.wait_notify(fn)
        check(ids(pp, fp) == {"fixit_exc_1m", "fixit_exc_1y"} |
              h.OWNER_ACTIONS,
              "production buttons %r", fakeslack.buttons(pp.body["blocks"]))
        check("1 month" in labels(pp) and "1 year" in labels(pp) and
              "fix now" not in labels(pp), "production labels %s",
              labels(pp))
        check(ids(pn, fn) == {"fixit_fix_now", "fixit_exc_1m"} |
              h.OWNER_ACTIONS,
              "non-production buttons %r",
              fakeslack.buttons(pn.body["blocks"]))
        check("fix now" in labels(pn) and "1 year" not in labels(pn),
              "non-production labels %s", labels(pn))

        t0 = time.time()
        r = env.click(h.OWNER, "fixit_fix_now", fn, msg=pn)
        check(r.status == 200 and not r.body.strip(), "fix now: %r", r)
        env.wait_state(fn, "fixed", timeout=6)
        check(time.time() - t0 < 6, "Fix now took %.1fs", time.time() - t0)
        check(len(env.runs("i-0buttons0dev", "fix")) == 1, "runs %r",
              env.runs("i-0buttons0dev"))
        check(env.path(fn) == ["notified", "fixing", "fixed"], "path %r",
              env.path(fn))
        row = [a for a in env.audit(fn) if a["to_state"] == "fixing"][0]
        check(row["actor"] == h.OWNER, "fixing by %r", row["actor"])
        upd = env.wait_update(pn.response["channel"], pn.response["ts"],
                              since=t0, contains=(h.OWNER,))
        check(not fakeslack.buttons(upd.body.get("blocks")),
              "buttons left after Fix now")
        check(env.state(fp) == "notified", "production finding %s",
              env.state(fp))


def test_one_year_needs_admin_approval():
    with h.Env("buttons-1y") as env:
        fa, fd = env.ingest_ok([
            h.item("imds-slow", h.PROD, "i-0buttons0approve"),
            h.item("imds-slow", h.PROD, "i-0buttons0deny")])
        pa, pd = env.wait_notify(fa), env.wait_notify(fd)

        t0 = time.time()
        reason = "Appliance image from the vendor; replacement ordered"
        open_and_submit(env, h.OWNER, fa, pa, "1y", reason)
        appr = approval_post(env, fa, t0)
        vals = {a: v for a, v, _ in fakeslack.buttons(appr.body["blocks"])}
        check(vals["fixit_exc_approve"] == vals["fixit_exc_deny"],
              "approve/deny values differ: %r", vals)
        exc_id = int(vals["fixit_exc_approve"])
        exc = env.q("SELECT * FROM exceptions WHERE id = ?", exc_id)
        check(exc and exc[0]["finding_id"] == fa and
              exc[0]["status"] == "pending" and exc[0]["kind"] == "1y" and
              exc[0]["reason"] == reason and
              exc[0]["requested_by"] == h.OWNER, "exception row %r", exc)
        check(env.state(fa) == "notified", "pending: state %s",
              env.state(fa))
        check(env.q1("SELECT exc_pending FROM findings WHERE id = ?", fa)
              == exc_id, "findings.exc_pending not set")

        # a non-admin (even the owner) cannot approve
        snap = env.settled_snapshot(quiet=1.0)
        since = time.time()
        r = env.click(h.OWNER, "fixit_exc_approve", exc_id, msg=appr)
        check(r.status == 200, "approve by owner answered %r", r)
        eph = env.wait_ephemeral(h.OWNER, since)
        check(eph.body.get("channel") == h.ADMIN_CHANNEL,
              "refusal sent to %r", eph.body.get("channel"))
        time.sleep(1.0)
        check(env.snapshot() == snap, "a refused approval changed the "
              "database")

        # an admin approves
        t_appr = time.time()
        r = env.click(h.ADMIN, "fixit_exc_approve", exc_id, msg=appr)
        check(r.status == 200, "approve answered %r", r)
        env.wait_state(fa, "excepted")
        e = env.q("SELECT * FROM exceptions WHERE id = ?", exc_id)[0]
        check(e["status"] == "active" and e["decided_by"] == h.ADMIN,
              "approved exception row %r", e)
        check(abs(e["until"] - (e["decided_at"] or e["requested_at"]) -
                  365 * 86400) <= 5, "1 year lasts %ss",
              e["until"] - e["requested_at"])
        env.wait_update(appr.response["channel"], appr.response["ts"],
                        since=t_appr, contains=(h.ADMIN,))
        env.wait_update(pa.response["channel"], pa.response["ts"],
                        since=t_appr)
        check(env.path(fa) == ["notified", "excepted"], "path %r",
              env.path(fa))
        check(not env.q1("SELECT exc_pending FROM findings WHERE id = ?",
                         fa), "exc_pending still set")

        # deny the other one
        t1 = time.time()
        open_and_submit(env, h.OWNER, fd, pd, "1y", "please")
        appr2 = approval_post(env, fd, t1)
        exc2 = int([v for a, v, _ in fakeslack.buttons(appr2.body["blocks"])
                    if a == "fixit_exc_deny"][0])
        t_deny = time.time()
        r = env.deny(h.ADMIN2, exc2, appr2, "not for a year")
        check(r.status == 200 and not r.body.strip(), "deny answered %r", r)
        h.wait_until(lambda: env.q1("SELECT status FROM exceptions WHERE "
                                    "id = ?", exc2) == "denied", 5,
                     what="exception %d denied" % exc2)
        e2 = env.q("SELECT * FROM exceptions WHERE id = ?", exc2)[0]
        check(e2["decided_by"] == h.ADMIN2, "denied by %r", e2["decided_by"])
        check(env.state(fd) == "notified", "denied: state %s",
              env.state(fd))
        check(not env.q1("SELECT exc_pending FROM findings WHERE id = ?",
                         fd), "exc_pending still set after deny")
        env.wait_update(appr2.response["channel"], appr2.response["ts"],
                        since=t_deny, contains=(h.ADMIN2,))
        check(not env.fix_log(), "something ran: %r", env.fix_log())


def test_requester_does_not_approve_own_request():
    """Issue 12 F: an admin who asked for a 1-year production exception
    cannot approve it (four eyes); another admin can."""
    with h.Env("buttons-self") as env:
        (fid,) = env.ingest_ok([h.item("imds-slow", h.PROD, "i-0self0ask")])
        post = env.wait_notify(fid)
        t0 = time.time()
        open_and_submit(env, h.ADMIN, fid, post, "1y", "admin's own ask")
        appr = approval_post(env, fid, t0)
        exc_id = int([v for a, v, _ in fakeslack.buttons(appr.body["blocks"])
                      if a == "fixit_exc_approve"][0])
        check(env.q1("SELECT requested_by FROM exceptions WHERE id = ?",
                     exc_id) == h.ADMIN, "requester is not the admin")

        snap = env.settled_snapshot(quiet=1.0)
        since = time.time()
        r = env.click(h.ADMIN, "fixit_exc_approve", exc_id, msg=appr)
        check(r.status == 200, "self-approval answered %r", r)
        eph = env.wait_ephemeral(h.ADMIN, since)
        check("another fixit admin" in fakeslack.all_text(eph.body),
              "refusal says %r", fakeslack.all_text(eph.body))
        time.sleep(1.0)
        check(env.snapshot() == snap, "a refused self-approval changed "
              "the database")
        check(env.state(fid) == "notified", "state %s", env.state(fid))

        r = env.click(h.ADMIN2, "fixit_exc_approve", exc_id, msg=appr)
        check(r.status == 200, "approve by the other admin answered %r", r)
        env.wait_state(fid, "excepted")
        check(env.q1("SELECT decided_by FROM exceptions WHERE id = ?",
                     exc_id) == h.ADMIN2, "decided_by is not ADMIN2")


def test_pending_request_lapses():
    """Issue 12 G: a request nobody decides lapses after approval_timeout:
    the exception row expires, the owner is told, the deadline is put
    approval_grace ahead, and the fix then runs (never frozen)."""
    with h.Env("buttons-lapse", config={"approval_timeout": "3s",
                                        "approval_grace": "4s"}) as env:
        # imds-fast: a 3 s grace, so that the deadline passes while the
        # request is pending (frozen until it lapses)
        (fid,) = env.ingest_ok([h.item("imds-fast", h.PROD, "i-0lapse")])
        post = env.wait_notify(fid)
        t0 = time.time()
        open_and_submit(env, h.OWNER, fid, post, "1y", "nobody answers")
        approval_post(env, fid, t0)
        exc_id = env.q1("SELECT exc_pending FROM findings WHERE id = ?", fid)
        check(exc_id, "no pending request")
        env.fake.wait(lambda: env.q1("SELECT status FROM exceptions WHERE "
                                     "id = ?", exc_id) == "expired", 15,
                      "the pending request to lapse")
        lapsed = time.time()
        check(lapsed - t0 >= 2.5, "lapsed after %.1fs, before the timeout",
              lapsed - t0)
        check(not env.q1("SELECT exc_pending FROM findings WHERE id = ?",
                         fid), "exc_pending still set")
        dl = env.q1("SELECT deadline FROM findings WHERE id = ?", fid)
        check(dl >= int(lapsed) + 2, "deadline %s not a grace ahead of %s",
              dl, int(lapsed))
        check(env.state(fid) == "notified", "state %s before the new "
              "deadline", env.state(fid))
        env.fake.wait(lambda: [c for c in env.fake.delivered(
            "chat.postMessage") if "has lapsed" in
            fakeslack.all_text(c.body)], 10, "the owner told it lapsed")
        env.wait_state(fid, "fixed", timeout=30)


if __name__ == "__main__":
    h.run_tests(test_buttons_by_environment_and_fix_now,
                test_one_year_needs_admin_approval,
                test_requester_does_not_approve_own_request,
                test_pending_request_lapses)


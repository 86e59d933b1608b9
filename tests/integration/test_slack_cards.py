"""test_slack_cards.py - cards tell the truth at every state (issue 12).

- A reminder in the finding's thread, then Fix now: the card and the
  reminder are both updated without buttons; the reminder says
  "Decided: see above" and the card says Fixed, never the deadline.
- A 1-year exception: its button and modal say an admin must approve;
  while pending the card says it awaits an admin's approval (no
  buttons, no deadline); once approved it says Excepted until.
- A reminder Slack no longer has (deleted): the decision is still
  delivered once, not retried for ever.
- An owner users.lookupByEmail cannot find: the message goes to the
  account's channel and says "owner not found (...): posted here
  instead".
"""

import json
import time

import fakeslack
import harness as h
from harness import check

STALE = "unless an exception is granted"


def thread_replies(env, post):
    return [c for c in env.fake.delivered("chat.postMessage")
            if str(c.body.get("thread_ts")) == str(post.response["ts"])]


def last_update(env, post, contains):
    return env.wait_update(post.response["channel"], post.response["ts"],
                           contains=contains)


def test_reminder_and_card_after_fix_now():
    pbs = [h.playbook("imds-remind", grace="8s", reminder_before="6s")]
    with h.Env("cards-remind", playbooks=pbs) as env:
        (fid,) = env.ingest_ok([h.item("imds-remind", h.NONPROD,
                                       "i-0cards0remind")])
        post = env.wait_notify(fid)
        check(STALE in fakeslack.all_text(post.body), "the question has "
              "no deadline: %s", fakeslack.all_text(post.body))
        rem = env.fake.wait(lambda: thread_replies(env, post), 10,
                            "the reminder in the thread")[0]
        check(fakeslack.buttons(rem.body.get("blocks")), "the reminder "
              "has no buttons")
        h.wait_until(lambda: env.q1("SELECT slack_reminder_ts FROM "
                                    "findings WHERE id = ?", fid) ==
                     rem.response["ts"], 5, what="the reminder recorded")

        r = env.click(h.OWNER, "fixit_fix_now", fid, msg=post)
        check(r.status == 200, "fix now answered %r", r)
        env.wait_state(fid, "fixed", timeout=8)
        card = last_update(env, post, ("Fixed",))
        text = fakeslack.all_text(card.body)
        check(STALE not in text, "the fixed card keeps the deadline: %s",
              text)
        check(not fakeslack.buttons(card.body.get("blocks")),
              "the fixed card has buttons")
        upd = env.wait_update(rem.response["channel"], rem.response["ts"],
                              contains=("Decided", "Fixed"))
        check(not fakeslack.buttons(upd.body.get("blocks")),
              "the reminder keeps its buttons after the decision")
        for c in env.updates(rem.response["channel"], rem.response["ts"]):
            check(not fakeslack.buttons(c.body.get("blocks")),
                  "a reminder update with buttons: %r", c.body)


def test_deleted_reminder_does_not_hold_the_decision():
    pbs = [h.playbook("imds-remind", grace="8s", reminder_before="6s")]
    with h.Env("cards-deleted", playbooks=pbs) as env:
        (fid,) = env.ingest_ok([h.item("imds-remind", h.NONPROD,
                                       "i-0cards0gone")])
        post = env.wait_notify(fid)
        rem = env.fake.wait(lambda: thread_replies(env, post), 10,
                            "the reminder in the thread")[0]
        h.wait_until(lambda: env.q1("SELECT slack_reminder_ts FROM "
                                    "findings WHERE id = ?", fid), 5,
                     what="the reminder recorded")
        with env.fake._lock:    # somebody deleted the reminder
            env.fake._messages.pop((rem.response["channel"],
                                    str(rem.response["ts"])), None)
        r = env.click(h.OWNER, "fixit_fix_now", fid, msg=post)
        check(r.status == 200, "fix now answered %r", r)
        env.wait_state(fid, "fixed", timeout=8)
        last_update(env, post, ("Fixed",))
        h.wait_until(lambda: not env.q("SELECT id FROM outbox WHERE "
                                       "finding_id = ? AND state != "
                                       "'sent'", fid), 8,
                     what="every row of the finding sent")
        gone = [c for c in env.fake.failed("chat.update")
                if str(c.body.get("ts")) == str(rem.response["ts"])]
        decisions = env.q1("SELECT count(*) FROM outbox WHERE "
                           "finding_id = ? AND kind = 'decision'", fid)
        check(1 <= len(gone) <= decisions, "the deleted reminder was "
              "tried %d times for %d decisions", len(gone), decisions)


def test_one_year_says_it_needs_approval():
    with h.Env("cards-1y") as env:
        (fid,) = env.ingest_ok([h.item("imds-slow", h.PROD,
                                       "i-0cards0year")])
        post = env.wait_notify(fid)
        labels = {a: l for a, _, l in fakeslack.buttons(
            post.body.get("blocks"))}
        check(labels.get("fixit_exc_1y") ==
              "Exception: 1 year (needs approval)", "1-year label %r",
              labels)
        check(labels.get("fixit_exc_1m") == "Exception: 1 month",
              "1-month label %r", labels)

        r = env.click(h.OWNER, "fixit_exc_1y", fid, msg=post)
        check(r.status == 200, "click answered %r", r)
        view = env.fake.wait(lambda: env.views(r.trigger_id), 5,
                             "views.open")[0].body["view"]
        if isinstance(view, str):
            view = json.loads(view)
        vtext = fakeslack.all_text({"blocks": view.get("blocks")})
        check("An admin must approve" in vtext and "waits" in vtext,
              "the modal does not say it needs approval: %s", vtext)
        r = env.submit_exception(h.OWNER, fid, "1y", "vendor appliance",
                                 view=view)
        check(r.status == 200, "submit answered %r", r)
        card = last_update(env, post, ("awaits an admin",))
        text = fakeslack.all_text(card.body)
        check(STALE not in text, "a pending card keeps the deadline: %s",
              text)
        check(not fakeslack.buttons(card.body.get("blocks")),
              "a pending card has buttons")

        exc = h.wait_until(lambda: env.q1("SELECT exc_pending FROM "
                                          "findings WHERE id = ?", fid),
                           5, what="the pending exception")
        appr = env.fake.wait(lambda: [
            c for c in env.fake.delivered("chat.postMessage")
            if c.body.get("channel") == h.ADMIN_CHANNEL and
            ("fixit_exc_approve", str(exc)) in
            [(a, str(v)) for a, v, _ in
             fakeslack.buttons(c.body.get("blocks"))]], 8,
            "the approval request")[0]
        r = env.click(h.ADMIN, "fixit_exc_approve", exc, msg=appr)
        check(r.status == 200, "approve answered %r", r)
        env.wait_state(fid, "excepted")
        card = last_update(env, post, ("Excepted",))
        text = fakeslack.all_text(card.body)
        check(STALE not in text, "the excepted card keeps the deadline: "
              "%s", text)
        check("until" in text, "no end date: %s", text)


def test_owner_not_found_is_said():
    with h.Env("cards-lost") as env:
        (fid,) = env.ingest_ok([h.item("imds-slow", h.NONPROD,
                                       "i-0cards0lost", owner=None,
                                       owner_email="ghost@example.com")])
        post = env.wait_notify(fid)
        check(env.fake.failed("users.lookupByEmail") or
              env.fake.delivered("users.lookupByEmail"),
              "no lookup was made")
        check(post.body.get("channel") == h.NONPROD_CHANNEL,
              "posted to %r", post.body.get("channel"))
        text = fakeslack.all_text(post.body)
        check("owner not found (ghost@example.com): posted here instead"
              in text, "the card does not say the owner was not found: "
              "%s", text)


if __name__ == "__main__":
    h.run_tests(test_reminder_and_card_after_fix_now,
                test_deleted_reminder_does_not_hold_the_decision,
                test_one_year_says_it_needs_approval,
                test_owner_not_found_is_said)

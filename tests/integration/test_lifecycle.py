"""test_lifecycle.py - a finding's whole life through the real interfaces.

1. exception: ingest (non-production, owner_slack_id) -> the owner gets a
   DM (conversations.open + chat.postMessage) with Fix now and Exception:
   1 month (no 1 year) -> the owner clicks Exception: 1 month -> views.open
   with the click's trigger_id -> the modal is submitted with a reason ->
   excepted; chat.update of the message says who and why; the exceptions
   row and the audit log record it.
2. deadline: ingest -> notified -> reminder in the thread -> the deadline
   (grace 3 s) passes -> the exec executor fixes it (fake_fix.py gets the
   finding JSON) -> fixed with its prior state -> `/fixit undo ID` by an
   admin -> the undo runs with the prior state -> rolled_back; the audit
   log has each transition.
"""

import json
import time

import fakeslack
import harness as h
from harness import check


def button_ids(post, fid):
    return {a for a, v, _ in fakeslack.buttons(post.body.get("blocks"))
            if str(v) == str(fid)}


def test_exception_one_month():
    with h.Env("lifecycle-exc") as env:
        res = "i-0lifecycle0exc"
        [fid] = env.ingest_ok([h.item("imds-slow", h.NONPROD, res)])
        post = env.wait_notify(fid)

        # the owner's DM, opened with conversations.open
        opens = [c for c in env.fake.delivered("conversations.open")
                 if c.body.get("users") == h.OWNER]
        check(opens, "no conversations.open for %s: %s", h.OWNER,
              env.fake.dump())
        check(opens[0].at <= post.at, "conversations.open after the post")
        check(post.body.get("channel") == "D" + h.OWNER,
              "notify posted to %r, not the owner's DM", post.body.get(
                  "channel"))
        check(button_ids(post, fid) == {"fixit_fix_now", "fixit_exc_1m"} |
              h.OWNER_ACTIONS,
              "non-production buttons: %r", fakeslack.buttons(
                  post.body.get("blocks")))
        labels = " | ".join(l for _, _, l in fakeslack.buttons(
            post.body.get("blocks"))).lower()
        check("fix now" in labels and "1 month" in labels and
              "1 year" not in labels, "button labels: %s", labels)
        check(post.header("Authorization") == "Bearer " + h.BOT_TOKEN,
              "bot token not sent")
        check(env.state(fid) == "notified", "state %s", env.state(fid))

        # Exception: 1 month -> the justification modal
        r = env.click(h.OWNER, "fixit_exc_1m", fid, msg=post)
        check(r.status == 200 and not r.body.strip(),
              "block_actions answer: %r", r)
        views = env.fake.wait(lambda: env.views(r.trigger_id), 5,
                              "views.open with the click's trigger_id")
        view = views[0].body.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        check(view.get("callback_id") == "fixit_exception",
              "modal callback_id %r", view.get("callback_id"))
        md = json.loads(view.get("private_metadata") or "{}")
        check(md == {"f": fid, "k": "1m"}, "private_metadata %r", md)
        inputs = [(b.get("block_id"), (b.get("element") or {}).get(
            "action_id")) for b in view.get("blocks", [])
            if b.get("type") == "input"]
        check(("reason", "reason") in inputs, "no reason input: %r", inputs)
        check(env.state(fid) == "notified", "opening the modal changed "
              "the state to %s", env.state(fid))

        # submit it
        reason = "Legacy AMI; moving to IMDSv2 with the Q1 rebuild"
        t_submit = time.time()
        r = env.submit_exception(h.OWNER, fid, "1m", reason, view=view)
        check(r.status == 200, "view_submission answered %r", r)
        check(not r.body.strip() or "errors" not in r.json(),
              "view_submission refused: %r", r)
        env.wait_state(fid, "excepted")

        upd = env.wait_update(post.response["channel"], post.response["ts"],
                              since=t_submit, contains=(h.OWNER,))
        text = fakeslack.all_text(upd.body)
        check(reason in text, "chat.update does not say why: %r", text)
        check(not fakeslack.buttons(upd.body.get("blocks")),
              "buttons left on the decided message: %r",
              fakeslack.buttons(upd.body.get("blocks")))

        exc = env.q("SELECT * FROM exceptions WHERE finding_id = ?", fid)
        check(len(exc) == 1, "exceptions rows: %r", exc)
        e = exc[0]
        check(e["kind"] == "1m" and e["status"] == "active" and
              e["requested_by"] == h.OWNER and e["reason"] == reason,
              "exception row %r", e)
        span = e["until"] - e["requested_at"]
        check(abs(span - 30 * 86400) <= 5, "1 month lasts %ss", span)

        check(env.path(fid) == ["notified", "excepted"], "path %r",
              env.path(fid))
        row = [a for a in env.audit(fid) if a["to_state"] == "excepted"][0]
        check(row["actor"] == h.OWNER and reason in (row["reason"] or ""),
              "excepted audit row %r", row)
        check(len(env.notify_posts(fid)) == 1, "notify posted %d times",
              len(env.notify_posts(fid)))


def test_deadline_fix_and_undo():
    with h.Env("lifecycle-fix") as env:
        res = "i-0lifecycle0fix"
        t_ingest = time.time()
        [fid] = env.ingest_ok([h.item("imds-fast", h.NONPROD, res)])
        post = env.wait_notify(fid)
        check(button_ids(post, fid) == {"fixit_fix_now", "fixit_exc_1m"} |
              h.OWNER_ACTIONS,
              "buttons %r", fakeslack.buttons(post.body.get("blocks")))

        # reminder_before 2s of grace 3s: a thread reply before the deadline
        rem = env.fake.wait(lambda: [
            c for c in env.fake.delivered("chat.postMessage")
            if str(c.body.get("thread_ts")) == post.response["ts"]], 8,
            "the reminder in the notify message's thread")
        check(rem[0].body.get("channel") == post.response["channel"],
              "reminder in channel %r", rem[0].body.get("channel"))
        check(rem[0].at < t_ingest + 4.5, "reminder %.1fs after ingest: "
              "after the deadline", rem[0].at - t_ingest)

        # the deadline passes: fixed by the exec executor
        env.wait_state(fid, "fixed", timeout=15)
        fixes = env.runs(res, "fix")
        check(len(fixes) == 1, "executor ran %d times", len(fixes))
        fx = fixes[0]
        check(fx["t"] >= t_ingest + 2.5, "fixed %.1fs after ingest, before "
              "the 3s deadline", fx["t"] - t_ingest)
        fin = fx["stdin"]
        check(fin.get("resource_id") == res and
              fin.get("account_id") == h.NONPROD and
              fin.get("playbook") == "imds-fast", "executor stdin: %r", fin)
        check("--undo" not in fx["argv"], "fix ran with --undo")
        prior = env.q1("SELECT prior_state FROM findings WHERE id = ?", fid)
        check(prior and json.loads(prior) == {"HttpTokens": "optional"},
              "prior state %r", prior)
        check(not [n for n in fx["env_names"] if "SLACK" in n or
                   "INGEST" in n], "secrets leaked into the executor's "
              "environment: %r", fx["env_names"])

        # the owner is told (message or update in the owner's DM)
        t_fix = fx["t"]
        env.fake.wait(lambda: [
            c for c in env.fake.delivered()
            if c.method in ("chat.postMessage", "chat.update") and
            c.body.get("channel") == post.response["channel"] and
            c.at > t_fix and "fix" in fakeslack.all_text(c.body).lower()],
            8, "a message to the owner that the finding was fixed")

        # undo by an admin
        text = env.fixit("undo %d" % fid)
        env.wait_state(fid, "rolled_back", timeout=10)
        undos = env.runs(res, "undo")
        check(len(undos) == 1, "undo ran %d times", len(undos))
        u = undos[0]
        check(u["argv"][-1] == "--undo", "undo argv %r", u["argv"])
        check(u["stdin"].get("prior_state") == {"HttpTokens": "optional"},
              "undo got prior_state %r", u["stdin"].get("prior_state"))
        check(u["stdin"]["finding"].get("resource_id") == res,
              "undo got finding %r", u["stdin"]["finding"])
        check(len(env.runs(res, "fix")) == 1, "fix ran again")

        # the audit log has each transition, in order
        check(env.path(fid) == ["notified", "fixing", "fixed",
                                "rolled_back"], "path %r", env.path(fid))
        check(any(a["actor"] == h.ADMIN for a in env.audit(fid)),
              "no audit row by the admin who asked for the undo: %r",
              env.audit(fid))

        # /fixit show gives the finding with its history
        show = env.fixit("show %d" % fid)
        check(res in show and "rolled_back" in show.replace(" ", "_"),
              "/fixit show %d: %r", fid, show)


if __name__ == "__main__":
    h.run_tests(test_exception_one_month, test_deadline_fix_and_undo)

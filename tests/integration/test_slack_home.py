"""test_slack_home.py - the App Home and /fixit mine (issue 12, items 7
and 8).

1. POST /slack/events: url_verification answered with the challenge; a
   bad signature refused (401) and counted; an unknown event answered
   200 and counted; the Messages tab publishes nothing.
2. app_home_opened -> views.publish of the user's home: their findings
   with the buttons of the card, nobody else's.
3. An admin's home: the status summary and the pending 1-year request
   with Approve / Deny (value the exception id).
4. A click in the home (container view, view.type home) acts like one
   on the card, and the home is published again afterwards.
5. /fixit mine for a non-admin: their findings with buttons, in the
   ephemeral reply; admin verbs stay refused.
6. An opened home stays fresh: a decision made on the card (not in the
   home) publishes the owner's home again, without its buttons; a user
   who never opened their home gets no publish.
"""

import json
import time

import fakeslack
import harness as h
from harness import check


def events_post(env, obj, **kw):
    body = json.dumps(obj, separators=(",", ":")).encode()
    return env.slack_post("/slack/events", body,
                          content_type="application/json", **kw)


def home_opened(env, user, tab="home", retry=None):
    ev = {"token": "XXXXXXXXXXXXXXXXXXXXXXXX", "team_id": "T0123ABCD",
          "api_app_id": "A0FIXITAPP", "type": "event_callback",
          "event_id": "Ev%08d" % int(time.time() * 1000 % 1e8),
          "event_time": int(time.time()),
          "event": {"type": "app_home_opened", "user": user,
                    "channel": "D" + user, "tab": tab,
                    "event_ts": "%.6f" % time.time()}}
    hs = (("X-Slack-Retry-Num", str(retry)),
          ("X-Slack-Retry-Reason", "http_timeout")) if retry else ()
    r = events_post(env, ev, extra_headers=hs)
    check(r.status == 200, "app_home_opened answered %r", r)
    return r


def publishes(env, user, since=0.0):
    return [c for c in env.fake.delivered("views.publish")
            if c.body.get("user_id") == user and c.at >= since]


def wait_home(env, user, since=0.0):
    c = env.fake.wait(lambda: publishes(env, user, since), 8,
                      "views.publish of %s's home" % user)[-1]
    view = c.body["view"]
    if isinstance(view, str):
        view = json.loads(view)
    check(view.get("type") == "home", "view type %r", view.get("type"))
    check(len(view["blocks"]) <= 100, "%d blocks", len(view["blocks"]))
    return view


def buttons_of(blocks, value):
    return {a for a, v, _ in fakeslack.buttons(blocks) if str(v) == str(value)}


def home_click(user, action_id, value, view=None):
    """A block_actions payload from a button in the App Home; view: the
    published home, which Slack sends back whole."""
    p = h.block_actions(user, action_id, value)
    p["container"] = {"type": "view", "view_id": "V0HOME0001"}
    p["view"] = {"id": "V0HOME0001", "type": "home",
                 "blocks": (view or {}).get("blocks") or [],
                 "callback_id": "", "private_metadata": "",
                 "state": {"values": {}}, "hash": "1767139320.AbCd",
                 "title": {"type": "plain_text", "text": "View Title",
                           "emoji": True}, "clear_on_close": False,
                 "notify_on_close": False, "close": None, "submit": None,
                 "previous_view_id": None, "root_view_id": "V0HOME0001",
                 "app_id": "A0FIXITAPP", "external_id": "",
                 "app_installed_team_id": "T0123ABCD", "bot_id": "B0FIXIT"}
    for k in ("channel", "message", "response_url"):
        p.pop(k, None)
    return p


def rejected(env, reason):
    return h.metric(env.metrics(), "fixit_slack_rejected_total",
                    reason=reason) or 0


def test_events_endpoint():
    with h.Env("home-events") as env:
        r = events_post(env, {"token": "x", "challenge": "3eZbrw1aBm2rZgRN"
                              "FdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                              "type": "url_verification"})
        check(r.status == 200, "url_verification answered %r", r)
        check(r.json().get("challenge") == "3eZbrw1aBm2rZgRNFdxV2595E9CY3"
              "gmdALWMmHkvFXO7tYXAYM8P", "challenge %r", r.text)

        before = rejected(env, "signature")
        r = events_post(env, {"type": "url_verification", "challenge": "x"},
                        secret="not-the-signing-secret")
        check(r.status == 401, "bad signature answered %r", r)
        check("challenge" not in r.text, "challenge echoed unsigned")
        check(rejected(env, "signature") == before + 1, "not counted")
        r = env.slack_post("/slack/events", b'{"type":"url_verification"}',
                           content_type="application/json",
                           omit=("x-slack-signature",))
        check(r.status == 401, "unsigned answered %r", r)

        before = rejected(env, "event")
        r = events_post(env, {"type": "event_callback",
                              "event": {"type": "message", "user": h.OWNER}})
        check(r.status == 200, "unknown event answered %r", r)
        check(rejected(env, "event") == before + 1, "unknown not counted")
        r = events_post(env, {"type": "app_rate_limited"})
        check(r.status == 200, "unknown type answered %r", r)

        home_opened(env, h.OTHER, tab="messages")
        home_opened(env, h.OWNER)
        wait_home(env, h.OWNER)
        time.sleep(0.5)
        check(not publishes(env, h.OTHER), "the Messages tab published")


def test_home_and_mine():
    with h.Env("home") as env:
        fa, fp, fo = env.ingest_ok([
            h.item("imds-slow", h.NONPROD, "i-0home0nonprod"),
            h.item("imds-slow", h.PROD, "i-0home0prod"),
            h.item("imds-slow", h.NONPROD, "i-0home0other", owner=h.OTHER)])
        pa, pp = env.wait_notify(fa), env.wait_notify(fp)
        env.wait_notify(fo)

        # the owner's home: both findings, the card's buttons, not fo
        t0 = time.time()
        home_opened(env, h.OWNER)
        home_opened(env, h.OWNER, retry=1)  # a retry: at most a re-publish
        view = wait_home(env, h.OWNER, t0)
        text = fakeslack.all_text(view)
        check("i-0home0nonprod" in text and "i-0home0prod" in text,
              "home lacks the owner's findings: %s", text)
        check("i-0home0other" not in text, "another user's finding shown")
        check(buttons_of(view["blocks"], fa) == buttons_of(
            pa.body["blocks"], fa), "home buttons %r vs card %r",
            buttons_of(view["blocks"], fa), buttons_of(pa.body["blocks"], fa))
        check(not buttons_of(view["blocks"], fo), "fo's buttons shown")
        check("fixit status" not in text, "a non-admin sees the status")
        time.sleep(1.0)
        check(len(publishes(env, h.OWNER, t0)) <= 2, "retry duplicated work")

        # a 1-year request on the prod finding: pending, for the admins
        r = env.click(h.OWNER, "fixit_exc_1y", fp, msg=pp)
        v = env.fake.wait(lambda: env.views(r.trigger_id), 5,
                          "views.open")[0].body["view"]
        r = env.submit_exception(h.OWNER, fp, "1y", "vendor <!channel> box",
                                 view=v)
        check(r.status == 200, "submit answered %r", r)
        exc_id = h.wait_until(lambda: env.q1(
            "SELECT exc_pending FROM findings WHERE id = ?", fp), 5,
            what="the pending request")

        t1 = time.time()
        home_opened(env, h.ADMIN)
        view = wait_home(env, h.ADMIN, t1)
        text = fakeslack.all_text(view)
        check("fixit status" in text and "notified" in text,
              "admin home lacks the summary: %s", text)
        check(buttons_of(view["blocks"], exc_id) ==
              {"fixit_exc_approve", "fixit_exc_deny"},
              "approve/deny %r", fakeslack.buttons(view["blocks"]))
        check("<!channel>" not in text and "&lt;!channel&gt;" in text,
              "the reason is not escaped: %s", text)

        # a click in the home: acts, then the home is published again
        t2 = time.time()
        r = env.action(home_click(h.OWNER, "fixit_fix_now", fa))
        check(r.status == 200, "home click answered %r", r)
        h.wait_until(lambda: env.state(fa) in ("fixing", "fixed"), 10,
                     what="the fix from the home")
        wait_home(env, h.OWNER, t2)

        t3 = time.time()
        r = env.action(home_click(h.ADMIN, "fixit_exc_approve", exc_id))
        check(r.status == 200, "approve from the home answered %r", r)
        env.wait_state(fp, "excepted")
        view = wait_home(env, h.ADMIN, t3)
        check(not buttons_of(view["blocks"], exc_id),
              "the decided request is still offered")

        # /fixit mine for everyone, with buttons; admin verbs refused
        r = env.command(h.OTHER, "mine")
        check(r.status == 200, "/fixit mine answered %r", r)
        j = r.json()
        check(j.get("response_type") == "ephemeral", "not ephemeral: %r", j)
        check(buttons_of(j.get("blocks"), fo) >= {"fixit_exc_1m"},
              "mine lacks fo's buttons: %r", j)
        check("i-0home0nonprod" not in fakeslack.all_text(j),
              "mine shows another owner's finding")
        for verb in ("status", "show %d" % fa, "pause all"):
            t = env.fixit(verb, user=h.OTHER)
            check("for fixit admins" in t, "%s by a non-admin: %r", verb, t)
        check("mine" in env.fixit("help", user=h.OTHER), "help lacks mine")
        check("mine" in env.fixit("help"), "admin help lacks mine")


def test_full_home_click_fits():
    """60 open findings: the home shows what fits and counts the rest,
    and a click in it (Slack sends the whole view back, form-encoded)
    stays within fixitd's body limit."""
    with h.Env("home-full") as env:
        ids = env.ingest_ok([h.item("imds-slow", h.NONPROD,
                                    "i-0home0full%03d" % i)
                             for i in range(60)])
        h.wait_until(lambda: env.q1("SELECT count(*) FROM findings WHERE "
                                    "state = 'notified'") == 60, 20,
                     what="60 notified findings")
        t0 = time.time()
        home_opened(env, h.OWNER)
        view = wait_home(env, h.OWNER, t0)
        shown = [i for i in ids if buttons_of(view["blocks"], i)]
        text = fakeslack.all_text(view)
        check(10 <= len(shown) < 60, "%d findings shown", len(shown))
        check("And %d more: use `/fixit mine`." % (60 - len(shown)) in text,
              "no 'and N more' line: %s", text[-300:])
        p = home_click(h.OWNER, "fixit_fix_now", shown[0], view=view)
        size = len(h.payload_form(p))
        h.log("home of %d findings: click body %d bytes" % (len(shown),
                                                             size))
        r = env.action(p)
        check(r.status == 200, "click in a full home answered %r", r)
        h.wait_until(lambda: env.state(shown[0]) in ("fixing", "fixed"), 10,
                     what="the fix from the full home")


def test_opened_home_stays_fresh():
    with h.Env("home-fresh") as env:
        fa, fo = env.ingest_ok([
            h.item("imds-slow", h.NONPROD, "i-0home0fresh"),
            h.item("imds-slow", h.NONPROD, "i-0home0fresh2", owner=h.OTHER)])
        pa, po = env.wait_notify(fa), env.wait_notify(fo)
        t0 = time.time()
        home_opened(env, h.OWNER)
        view = wait_home(env, h.OWNER, t0)
        check(buttons_of(view["blocks"], fa), "no buttons before")
        # Fix now on the card in the DM, not in the home
        t1 = time.time()
        r = env.click(h.OWNER, "fixit_fix_now", fa, msg=pa)
        check(r.status == 200, "click answered %r", r)
        view = wait_home(env, h.OWNER, t1)
        check(not buttons_of(view["blocks"], fa),
              "the refreshed home still offers the decided finding")
        r = env.click(h.OTHER, "fixit_fix_now", fo, msg=po)
        check(r.status == 200, "click answered %r", r)
        env.wait_state(fo, "fixed")
        time.sleep(1.0)
        check(not publishes(env, h.OTHER),
              "a home nobody opened was published")


if __name__ == "__main__":
    h.run_tests(test_events_endpoint, test_home_and_mine,
                test_full_home_click_fits, test_opened_home_stays_fresh)

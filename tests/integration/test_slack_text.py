"""test_slack_text.py - issue 12 B and E: one presentation layer.

B: the state machine writes facts, slack/ writes the sentences. After
Approve, Deny, a self-taken exception, Fix now and a fix, every message
the fake Slack recorded (chat.update, chat.postMessage) has well-formed
date tokens and mentions, never an escaped one ("&lt;!date", "&lt;@");
the audit log holds plain text: no "<@", "<!date", "*".

E: /fixit show N after an exception lists it with its id, kind, status,
requester (a mention) and dates, and the history has "<@U…>" mentions,
no "&lt;@".
"""

import re
import time

import fakeslack
import harness as h
from harness import check

from test_buttons import approval_post, open_and_submit

DATE = re.compile(r"<!date\^(\d+)\^\{date_short_pretty\} at \{time\}\|"
                  r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)>")


HOSTILE = "needs <b> & *care*"


def texts(env, since=0.0):
    """The text of every message fixitd sent (posts and updates)."""
    return [fakeslack.all_text(c.body) for m in ("chat.postMessage",
                                                 "chat.update")
            for c in env.fake.delivered(m) if c.at >= since]


def line_with(t, phrase):
    """The line of message text t that holds phrase (the decision)."""
    for line in t.split("\n"):
        if phrase in line:
            return line
    check(False, "no line with %r in %r", phrase, t)


def check_markup(t, what):
    check("&lt;!date" not in t and "&lt;@" not in t,
          "%s: escaped markup in %r", what, t)
    n = t.count("<!date")
    check(len(DATE.findall(t)) == n, "%s: a malformed date token in %r",
          what, t)


def check_audit_plain(env, raw=()):
    """No markup in the audit log's reasons, but for the users' own raw
    words (raw: kept as typed, plain text)."""
    for r in env.q("SELECT finding_id, event, reason FROM audit"):
        reason = r["reason"] or ""
        for w in raw:
            reason = reason.replace(w, "")
        check("<@" not in reason and "<!date" not in reason and
              "*" not in reason and "&lt;" not in reason,
              "audit row of #%s (%s) holds markup: %r", r["finding_id"],
              r["event"], reason)


def test_decisions_and_show():
    with h.Env("slack-text") as env:
        fa, fd, fe, fn = env.ingest_ok([
            h.item("imds-slow", h.PROD, "i-0text0approve"),
            h.item("imds-slow", h.PROD, "i-0text0deny"),
            h.item("imds-slow", h.NONPROD, "i-0text0self"),
            h.item("imds-slow", h.NONPROD, "i-0text0fixnow")])
        pa, pd = env.wait_notify(fa), env.wait_notify(fd)
        pe, pn = env.wait_notify(fe), env.wait_notify(fn)

        # fix now, then fixed by the executor
        t0 = time.time()
        r = env.click(h.OWNER, "fixit_fix_now", fn, msg=pn)
        check(r.status == 200, "fix now answered %r", r)
        env.wait_state(fn, "fixed", timeout=8)
        upd = env.wait_update(pn.response["channel"], pn.response["ts"],
                              since=t0, contains=("Fixed by fixit",))
        check_markup(fakeslack.all_text(upd.body), "fixed")

        # a 1-month exception taken without approval: a date token
        t1 = time.time()
        open_and_submit(env, h.OWNER, fe, pe, "1m", HOSTILE)
        env.wait_state(fe, "excepted")
        upd = env.wait_update(pe.response["channel"], pe.response["ts"],
                              since=t1, contains=("took an exception",))
        t = line_with(fakeslack.all_text(upd.body), "took an exception")
        check_markup(t, "self-taken exception")
        check("<@%s>" % h.OWNER in t, "no mention of the owner in %r", t)
        check(len(DATE.findall(t)) == 1, "not one date token in %r", t)
        check("needs &lt;b&gt; &amp; *care*" in t,
              "the reason not escaped once in %r", t)

        # a 1-year request approved by an admin
        t2 = time.time()
        open_and_submit(env, h.OWNER, fa, pa, "1y", "vendor appliance")
        appr = approval_post(env, fa, t2)
        exc_id = int([v for a, v, _ in fakeslack.buttons(
            appr.body["blocks"]) if a == "fixit_exc_approve"][0])
        t3 = time.time()
        r = env.click(h.ADMIN, "fixit_exc_approve", exc_id, msg=appr)
        check(r.status == 200, "approve answered %r", r)
        env.wait_state(fa, "excepted")
        upd = env.wait_update(pa.response["channel"], pa.response["ts"],
                              since=t3, contains=("approved by",))
        t = line_with(fakeslack.all_text(upd.body), "approved by")
        check_markup(t, "approved")
        check("<@%s>" % h.ADMIN in t and len(DATE.findall(t)) == 1,
              "approved: mention or date missing in %r", t)
        upd = env.wait_update(appr.response["channel"], appr.response["ts"],
                              since=t3, contains=("approved by",))
        check_markup(fakeslack.all_text(upd.body), "the request approved")

        # a 1-year request denied: fixit fixes it after the deadline
        t4 = time.time()
        open_and_submit(env, h.OWNER, fd, pd, "1y", "please")
        appr2 = approval_post(env, fd, t4)
        exc2 = int([v for a, v, _ in fakeslack.buttons(
            appr2.body["blocks"]) if a == "fixit_exc_deny"][0])
        t5 = time.time()
        r = env.deny(h.ADMIN2, exc2, appr2, "no: " + HOSTILE)
        check(r.status == 200 and not r.body.strip(), "deny answered %r", r)
        upd = env.wait_update(pd.response["channel"], pd.response["ts"],
                              since=t5, contains=("denied by",))
        t = line_with(fakeslack.all_text(upd.body), "denied by")
        check_markup(t, "denied")
        check("fixit fixes it after <!date^" in t, "denied: no deadline "
              "token in %r", t)

        time.sleep(1.0)
        for t in texts(env):
            check_markup(t, "a message")
        check_audit_plain(env, raw=(HOSTILE,))
        check(any(HOSTILE in (r["reason"] or "") for r in env.audit(fe)),
              "the audit log does not keep the reason as typed")

        # E: /fixit show lists the finding's exception and mentions
        show = env.fixit("show %d" % fa)
        check("&lt;@" not in show, "show escapes a mention: %r", show)
        want = ("#%d 1 year *active* for #%d, by <@%s>, asked "
                % (exc_id, fa, h.OWNER))
        check(want in show, "show lacks %r: %r", want, show)
        check(re.search(r"until \d{4}-\d\d-\d\dT[\d:]+Z \(in ", show),
              "show: no until date in %r", show)
        check("decided by <@%s>" % h.ADMIN in show,
              "show: the approver missing in %r", show)
        check("#0 `-`" not in show, "show: empty exception fields %r", show)
        check("<@%s> notified -> excepted" % h.ADMIN in show,
              "show: the history's actor is not a mention: %r", show)
        show = env.fixit("show %d" % fe)
        check("needs &lt;b&gt; &amp; *care*" in show and "&amp;amp;"
              not in show, "show: the reason not escaped once: %r", show)
        lst = env.fixit("exceptions")
        check("&lt;@" not in lst and "by <@%s>" % h.OWNER in lst,
              "exceptions: %r", lst)


if __name__ == "__main__":
    h.run_tests(test_decisions_and_show)

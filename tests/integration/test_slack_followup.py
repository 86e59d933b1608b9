"""test_slack_followup.py - a /fixit answer that misses the HTTP deadline
follows through the command's response_url (server/cmdq.h, followup.h).

slack.command_deadline 0 makes every command "slow" without a test-only
code path: the worker finds the deadline passed before it runs the
command, so the HTTP answer is always "Working on it" and the report
goes to the response_url. The fake Slack serves response_urls under
/hooks/ (slack.hooks_base) and records each POST.

  - fast path: the default deadline answers inline, nothing is posted;
  - slow path: 200 at once saying the answer follows, then the full
    report (ephemeral, no bot token) at the response_url;
  - a 429 with Retry-After is waited out, a 500 retried;
  - with both workers held and the queue full, a command is answered
    "busy" at once;
  - a response_url that is not under slack.hooks_base is never
    contacted (a listener of our own sees no request), and counted.
"""

import http.server
import threading
import time

import harness as h
from harness import check

SLOW = {"command_deadline": "0"}


def _finding(env, resource):
    (fid,) = env.ingest_ok([h.item("imds-fast", h.NONPROD, resource)])
    return fid


def _hooks(env, n=1):
    return env.fake.wait(lambda: (len(env.fake.calls("response_url")) >= n
                                  and env.fake.calls("response_url")),
                         15, "%d POSTs to the response_url" % n)


def test_fast_answers_inline():
    with h.Env("followup-fast") as env:
        fid = _finding(env, "i-0fast0inline")
        text = env.fixit("show %d" % fid)
        check("i-0fast0inline" in text, "show answered %r", text)
        check("Working on it" not in text, "fast show deferred: %r", text)
        ms = env.metrics()
        check(h.metric(ms, "fixit_slack_command_answers_total",
                       answer="inline") >= 1, "no inline answer counted")
        time.sleep(0.5)
        check(not env.fake.calls("response_url"),
              "a fast answer was also posted: %r",
              env.fake.calls("response_url"))


def test_slow_answer_follows():
    with h.Env("followup-slow", slack=SLOW) as env:
        fid = _finding(env, "i-0slow0report")
        t0 = time.time()
        r = env.command(h.ADMIN, "show %d" % fid)
        took = time.time() - t0
        check(r.status == 200, "slow command answered %r", r)
        j = r.json()
        check(j.get("response_type") == "ephemeral", "answer %r", j)
        check("answer follows" in j.get("text", ""), "answer %r", j)
        # Slack's limit is 3 s; generous on a busy machine
        check(took < 3.0, "the HTTP answer took %.2f s", took)
        (call,) = _hooks(env)
        check(call.ok, "follow-up not delivered: %r", call)
        check(call.path == "/hooks/commands/T0123ABCD/1/s3cr3tXYZ",
              "follow-up went to %r", call.path)
        check(call.header("Authorization") is None,
              "the bot token went to the response_url")
        check(call.body.get("response_type") == "ephemeral",
              "follow-up %r", call.body)
        text = call.body.get("text", "")
        check("i-0slow0report" in text and "imds-fast" in text,
              "follow-up is not the report: %r", text)
        # mine: its blocks follow too
        env.command(h.ADMIN, "mine")
        calls = _hooks(env, 2)
        check(calls[1].ok and "text" in calls[1].body,
              "mine follow-up %r", calls[1])
        # counted just after the fake answered
        h.wait_until(lambda: h.metric(
            env.metrics(), "fixit_slack_followups_total",
            outcome="sent") == 2, 5, what="2 follow-ups counted sent")
        ms = env.metrics()
        check(h.metric(ms, "fixit_slack_command_answers_total",
                       answer="delayed") == 2, "delayed count")
        check(h.metric(ms, "fixit_slack_followups_total",
                       outcome="failed") == 0, "failed count")


def test_retry_after_and_5xx():
    with h.Env("followup-retry", slack=SLOW) as env:
        env.fake.fail_next(1, "429", method="response_url", retry_after=2)
        r = env.command(h.ADMIN, "status")
        check(r.status == 200 and "answer follows" in r.json()["text"],
              "status answered %r", r)
        calls = _hooks(env, 2)
        check(calls[0].fault == "429" and calls[1].ok,
              "429 then delivered: %r", calls)
        gap = calls[1].at - calls[0].at
        check(gap >= 1.9, "Retry-After 2 not honoured: retried after "
              "%.2f s", gap)
        env.fake.reset()
        env.fake.fail_next(2, "500", method="response_url")
        env.command(h.ADMIN, "help")
        calls = _hooks(env, 3)
        check([c.status for c in calls] == [500, 500, 200],
              "5xx retries: %r", calls)
        check("status" in calls[2].body.get("text", ""),
              "help follow-up %r", calls[2].body)
        h.wait_until(lambda: h.metric(
            env.metrics(), "fixit_slack_followups_total",
            outcome="sent") == 2, 5, what="2 follow-ups counted sent")


def test_busy_when_queue_full():
    """Both workers held (a pause waits for the writer, which another
    process's lock holds for its 5 s busy timeout), the queue filled:
    the next command is answered "busy" at once, every other one within
    the deadline, and each queued one's answer follows."""
    with h.Env("followup-busy") as env:
        locked, release = threading.Event(), threading.Event()
        t = threading.Thread(target=h.hold_db_lock,
                             args=(env.db_path, locked, release))
        t.start()
        answers = []
        lock = threading.Lock()

        def send(text, n):
            t0 = time.time()
            r = env.command(h.ADMIN, text,
                            response_url=env.fake.response_url(n))
            with lock:
                answers.append((text, n, r.status, r.json().get("text", ""),
                                time.time() - t0))
        try:
            check(locked.wait(5), "the database was not locked")
            held = [threading.Thread(target=send, args=("pause all", i))
                    for i in (1, 2)]
            for th in held:
                th.start()
            time.sleep(0.5)         # both taken by the workers
            more = [threading.Thread(target=send, args=("status", i))
                    for i in range(3, 3 + 17)]
            for th in more:
                th.start()
            for th in held + more:
                th.join(20)
        finally:
            release.set()
            t.join()
        check(len(answers) == 19, "answers: %r", answers)
        busy = [a for a in answers if "busy" in a[3]]
        late = [a for a in answers if "answer follows" in a[3]]
        check(1 <= len(busy) <= 3, "busy answers: %r", answers)
        check(len(busy) + len(late) == 19, "answers: %r", answers)
        check(all(a[2] == 200 for a in answers), "answers %r", answers)
        # generous bounds: busy at once, the others at the 2 s deadline
        check(all(a[4] < 1.5 for a in busy), "busy was slow: %r", busy)
        check(all(a[4] < 6.0 for a in late), "late was slow: %r", late)
        h.wait_until(lambda: h.metric(
            env.metrics(), "fixit_slack_followups_total",
            outcome="sent") == len(late), 30,
            what="%d late answers sent" % len(late))
        got = sorted(int(c.path.split("/")[-2])
                     for c in env.fake.delivered("response_url"))
        check(got == sorted(a[1] for a in late), "follow-ups to %r, late "
              "ones %r", got, late)
        check(h.metric(env.metrics(), "fixit_slack_command_answers_total",
                       answer="busy") == len(busy), "busy count")


class _Trap(http.server.BaseHTTPRequestHandler):
    hits = []

    def log_message(self, *a):
        pass

    def do_POST(self):
        _Trap.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST


def test_foreign_url_never_contacted():
    trap = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Trap)
    threading.Thread(target=trap.serve_forever, daemon=True).start()
    tport = trap.server_address[1]
    try:
        with h.Env("followup-ssrf", slack=SLOW) as env:
            base = env.fake.hooks_base
            bad = [
                "http://127.0.0.1:%d/hooks/commands/T0123ABCD/1/x" % tport,
                "http://127.0.0.1:%d/commands/T0123ABCD/1/x" % tport,
                base + "commands/../../api/chat.postMessage",
                base + "commands/T0123ABCD/1/x?u=http://127.0.0.1:%d/"
                % tport,
                "http://127.0.0.1:%d@127.0.0.1:%d/hooks/commands/T/1/x"
                % (env.fake.port, tport),
                base + "commands/T0123ABCD/1/x%2f..",
                "https://hooks.slack.com/commands/T0123ABCD/1/x",
                "file:///etc/passwd",
            ]
            for url in bad:
                r = env.command(h.ADMIN, "status", response_url=url)
                check(r.status == 200, "%s: answered %r", url, r)
                check("cannot send the answer later" in r.json()["text"],
                      "%s: answered %r", url, r.json())
            h.wait_until(lambda: h.metric(
                env.metrics(), "fixit_slack_followups_total",
                outcome="refused") >= len(bad), 15,
                what="every foreign response_url refused")
            # a good one after them: the queue is past the bad ones
            env.command(h.ADMIN, "status")
            _hooks(env, 1)
            check(len(env.fake.calls("response_url")) == 1,
                  "the fake got %r", env.fake.calls("response_url"))
            check(_Trap.hits == [], "foreign URL contacted: %r",
                  _Trap.hits)
            check("s3cr3t" not in env.fixitd.stderr_text(),
                  "a response_url was logged")
    finally:
        trap.shutdown()
        trap.server_close()


if __name__ == "__main__":
    h.run_tests(test_fast_answers_inline, test_slow_answer_follows,
                test_retry_after_and_5xx, test_busy_when_queue_full,
                test_foreign_url_never_contacted)

"""test_metrics.py - /healthz and /metrics.

/metrics (Prometheus text) must have, with these types:
  fixit_http_requests_total{route,status}  counter
  fixit_findings{state}                    gauge
  fixit_fixes_total{result}                counter
  fixit_outbox_pending                     gauge
  fixit_slack_api_errors_total             counter
  fixit_outbox_dropped_total               counter  (test_told_first.py)
  fixit_outbox_oldest_pending_seconds      gauge    (test_told_first.py)
and they must follow what happened: requests by route and status,
findings by state, successful and failed fixes (a failed fix also alerts
the admin channel), the outbox depth during a Slack outage and after it,
Slack API errors.
"""

import time

import harness as h
from harness import check

TYPES = {"fixit_http_requests_total": "counter", "fixit_findings": "gauge",
         "fixit_fixes_total": "counter", "fixit_outbox_pending": "gauge",
         "fixit_slack_api_errors_total": "counter",
         "fixit_outbox_dropped_total": "counter",
         "fixit_outbox_oldest_pending_seconds": "gauge"}
OK_RESULTS = ("ok", "success", "fixed")


def http_count(ms, route_part, status):
    return sum(v for lb, v in ms.get("fixit_http_requests_total", [])
               if route_part in lb.get("route", "") and
               lb.get("status") == str(status))


def fixes(ms, ok):
    return sum(v for lb, v in ms.get("fixit_fixes_total", [])
               if (lb.get("result") in OK_RESULTS) == ok)


def test_healthz_and_metrics():
    with h.Env("metrics") as env:
        r = env.request("GET", "/healthz")
        check(r.status == 200 and r.json() == {"status": "ok"},
              "/healthz answered %r", r)
        check((r.header("Content-Type") or "").startswith(
            "application/json"), "/healthz content type %r",
            r.header("Content-Type"))

        r = env.request("GET", "/metrics")
        check(r.status == 200, "/metrics answered %r", r)
        check((r.header("Content-Type") or "").startswith("text/plain"),
              "/metrics content type %r", r.header("Content-Type"))
        ms = env.metrics()
        for name, typ in TYPES.items():
            check(ms["#TYPE"].get(name) == typ, "# TYPE %s is %r, want %s",
                  name, ms["#TYPE"].get(name), typ)
        reqs = ms.get("fixit_http_requests_total") or [({}, 0)]
        check(all("route" in lb and "status" in lb for lb, _ in reqs),
              "fixit_http_requests_total labels: %r", reqs)

        # requests by route and status
        for _ in range(2):
            check(env.ingest([], token="nope").status == 401, "401")
        ra, rb, rc = "i-0metrics0a", "i-0metrics0b", "i-0metrics0auto"
        fa, fb, fc = env.ingest_ok([h.item("imds-slow", h.NONPROD, ra),
                                    h.item("imds-slow", h.NONPROD, rb),
                                    h.item("imds-auto", h.NONPROD, rc)])
        env.findings()
        env.request("GET", "/no-such-route")
        env.wait_notify(fa)
        env.wait_notify(fb)
        env.wait_state(fc, "fixed")
        ms = env.metrics()
        check(http_count(ms, "findings", 401) >= 2,
              "401s on /v1/findings: %r", ms["fixit_http_requests_total"])
        check(http_count(ms, "findings", 200) >= 2,
              "200s on /v1/findings: %r", ms["fixit_http_requests_total"])
        check(http_count(ms, "healthz", 200) >= 1, "200 on /healthz: %r",
              ms["fixit_http_requests_total"])
        check(h.metric(ms, "fixit_http_requests_total", status=404) >= 1,
              "404: %r", ms["fixit_http_requests_total"])
        check(h.metric(ms, "fixit_findings", state="notified") == 2 and
              h.metric(ms, "fixit_findings", state="fixed") == 1,
              "findings by state: %r", ms["fixit_findings"])
        check(fixes(ms, True) == 1 and fixes(ms, False) == 0,
              "fixes: %r", ms["fixit_fixes_total"])

        # a failing fix: two attempts (max_attempts 2), then failed
        env.set_fix(fail=True)
        post = env.wait_notify(fb)
        t0 = time.time()
        r = env.click(h.OWNER, "fixit_fix_now", fb, msg=post)
        check(r.status == 200, "fix now: %r", r)
        env.wait_state(fb, "failed", timeout=12)
        runs = env.runs(rb, "fix")
        check(len(runs) == 2, "%d attempts, max_attempts is 2", len(runs))
        check(runs[1]["t"] - runs[0]["t"] >= 0.9, "retry after %.1fs, "
              "retry_backoff is 1s", runs[1]["t"] - runs[0]["t"])
        env.fake.wait(lambda: [
            c for c in env.fake.delivered("chat.postMessage")
            if c.body.get("channel") == h.ADMIN_CHANNEL and c.at > t0 and
            rb in (c.body.get("text") or "") + str(c.body.get("blocks"))],
            8, "the admin channel alerted about the failed fix")
        ms = env.metrics()
        check(fixes(ms, False) >= 1, "failed fixes: %r",
              ms["fixit_fixes_total"])
        check(h.metric(ms, "fixit_findings", state="failed") == 1 and
              h.metric(ms, "fixit_findings", state="notified") == 1,
              "findings by state: %r", ms["fixit_findings"])

        # Slack down: the outbox grows, errors are counted; then it drains
        h.wait_until(lambda: h.metric(env.metrics(),
                                      "fixit_outbox_pending") == 0, 10,
                     what="an empty outbox before the outage")
        errors0 = h.metric(ms, "fixit_slack_api_errors_total")
        env.fake.outage("500")
        ids = env.ingest_ok([h.item("imds-slow", h.NONPROD,
                                    "i-0metrics0out%d" % i)
                             for i in range(3)])
        h.wait_until(lambda: h.metric(env.metrics(),
                                      "fixit_outbox_pending") >= 3, 8,
                     what="fixit_outbox_pending >= 3")
        h.wait_until(lambda: h.metric(env.metrics(),
                                      "fixit_slack_api_errors_total") >
                     errors0, 8, what="fixit_slack_api_errors_total to grow")
        env.fake.clear_faults()
        for f in ids:
            env.wait_notify(f, timeout=15)
        h.wait_until(lambda: h.metric(env.metrics(),
                                      "fixit_outbox_pending") == 0, 10,
                     what="fixit_outbox_pending back to 0")
        ms2 = env.metrics()
        check(h.metric(ms2, "fixit_http_requests_total") >
              h.metric(ms, "fixit_http_requests_total"),
              "request counter did not grow")


if __name__ == "__main__":
    h.run_tests(test_healthz_and_metrics)

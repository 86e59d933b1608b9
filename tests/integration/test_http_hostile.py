"""test_http_hostile.py - slow and hostile clients are cheap (issue 13).

Item 2 (one client blocked everyone): a slowloris head is cut at
http.head_timeout however often it sends a byte; a body at
http.body_timeout; one address gets http.per_address connections; near
http.max_connections the oldest idle connections are shed, so a normal
request is still served.
Item 3 (bodies buffered before credentials): an unauthenticated ingest,
events or Slack request is answered 401 from its head alone, its body
never read: 50 unauthenticated 4 MiB uploads leave fixitd's RSS flat;
bodies in memory at once are bounded by http.body_memory (503).
Item 6 (half-closed connections): chunked POSTs whose client shut its
sending side are counted out; SIGTERM does not wait for them.
Item 8 (lenient framing): Transfer-Encoding with Content-Length, two
Content-Lengths, a folded header, a space before the colon, no Host,
/healthz%00 and 600 query parameters are all 400, at once.
Never a 5xx for any of it; /healthz is fine afterwards.
"""

import json
import select
import socket
import time

import harness as h
from harness import check


def connect(env, src="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.connect((env.fixitd.host, env.fixitd.port))
    return s


def status_of(s, timeout=5.0):
    """The status code of the answer on s, None when closed without one,
    'timeout' when nothing came."""
    s.settimeout(timeout)
    data = b""
    try:
        while b"\r\n" not in data:
            b = s.recv(4096)
            if not b:
                break
            data += b
    except socket.timeout:
        return "timeout"
    except (ConnectionResetError, BrokenPipeError):
        return None
    if not data:
        return None
    return int(data.split(b" ")[1])


def raw(env, data, timeout=5.0):
    s = connect(env)
    try:
        s.sendall(data)
        return status_of(s, timeout)
    finally:
        s.close()


def closed_within(s, secs):
    """True when the server closes s within secs (no answer needed)."""
    s.settimeout(secs)
    try:
        while True:
            b = s.recv(4096)
            if not b:
                return True
    except socket.timeout:
        return False
    except (ConnectionResetError, BrokenPipeError):
        return True


def count_closed(socks, secs):
    """How many of socks the server closes within secs (all watched at
    once; the ones it keeps send nothing and stay open)."""
    open_ = list(socks)
    closed = 0
    end = time.time() + secs
    while open_ and time.time() < end:
        ready, _, _ = select.select(open_, [], [], max(0.0, end - time.time()))
        for s in ready:
            try:
                b = s.recv(4096)
            except (ConnectionResetError, BrokenPipeError):
                b = b""
            if not b:
                closed += 1
                open_.remove(s)
    return closed


def rss_kb(env):
    with open("/proc/%d/status" % env.fixitd.proc.pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def refused(env, reason):
    for labels, v in env.metrics().get("fixit_http_refused_total", []):
        if labels.get("reason") == reason:
            return int(v)
    return -1


def healthy(env):
    r = env.request("GET", "/healthz")
    check(r.status == 200, "healthz after the attack: %r", r)


FRAMING = [
    ("Transfer-Encoding with Content-Length",
     b"POST /v1/findings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
     b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
     % h.INGEST_TOKEN.encode()),
    ("two Content-Lengths",
     b"POST /v1/findings HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
     b"Content-Length: 3\r\n\r\n{}x"),
    ("a folded header",
     b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n"),
    ("a folded header, tab",
     b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tb\r\n\r\n"),
    ("a space before the colon",
     b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A : a\r\n\r\n"),
    ("a tab before the colon",
     b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A\t: a\r\n\r\n"),
    ("no Host", b"GET /healthz HTTP/1.1\r\n\r\n"),
    ("two Hosts", b"GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"),
    ("/healthz%00", b"GET /healthz%00 HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("/healthz%0a", b"GET /healthz%0a HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("Transfer-Encoding gzip",
     b"POST /v1/findings HTTP/1.1\r\nHost: x\r\n"
     b"Transfer-Encoding: gzip\r\n\r\n"),
    ("Content-Length not a number",
     b"POST /v1/findings HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n"),
    ("600 query parameters",
     b"GET /healthz?" + b"&".join(b"a%d=1" % i for i in range(600)) +
     b" HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("600 short query parameters",
     b"GET /v1/findings?" + b"&".join(b"a=1" for i in range(600)) +
     b" HTTP/1.1\r\nHost: x\r\n\r\n"),
]


def test_framing_is_strict():
    """item 8: every lenient framing is a 400, answered at once."""
    with h.Env("hostile-framing") as env:
        for what, data in FRAMING:
            t0 = time.time()
            st = raw(env, data, timeout=5.0)
            check(st == 400, "%s answered %r", what, st)
            check(time.time() - t0 < 2.0, "%s took %.1fs", what,
                  time.time() - t0)
        # what stays accepted: HTTP/1.0 without Host, an empty header
        # value, a short query, plain headers with blanks in the value
        ok = [b"GET /healthz HTTP/1.0\r\n\r\n",
              b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Empty:\r\n\r\n",
              b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A:  a  b \r\n\r\n",
              b"GET /healthz?a=1&b=2 HTTP/1.1\r\nHost: x\r\n\r\n"]
        for data in ok:
            st = raw(env, data)
            check(st == 200, "%r answered %r", data[:40], st)
        # heads past libmicrohttpd's 32 KiB pool: 431 at once, no hang
        for what, data in [
                ("1,000 headers", b"GET /healthz HTTP/1.1\r\nHost: x\r\n" +
                 b"".join(b"X-%d: y\r\n" % i for i in range(1000)) +
                 b"\r\n"),
                ("a 40 KB header", b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                 b"X-A: " + b"y" * 40000 + b"\r\n\r\n")]:
            st = raw(env, data, timeout=5.0)
            check(st == 431, "%s answered %r", what, st)
        check(refused(env, "framing") >= 9, "framing refusals counted")
        check(refused(env, "query") >= 2, "query refusals counted")
        healthy(env)


def test_credentials_before_body():
    """item 3: no valid credential in the head -> 401 before any body
    byte is read; 50 unauthenticated 4 MiB uploads leave RSS flat."""
    with h.Env("hostile-unauth") as env:
        base = rss_kb(env)
        heads = [
            b"POST /v1/findings HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\n"
            b"Content-Length: 4000000\r\n\r\n",
            b"POST /v1/custodian HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer wrong\r\nContent-Length: 4000000\r\n\r\n",
            b"POST /v1/events HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: 200000\r\n\r\n",
            b"POST /slack/actions HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: 60000\r\n\r\n",
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\n"
            b"X-Slack-Signature: v0=00\r\n"
            b"X-Slack-Request-Timestamp: 1000\r\n"
            b"Content-Length: 60000\r\n\r\n",
            b"POST /slack/commands HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: 60000\r\n\r\n",
        ]
        for head in heads:
            st = raw(env, head)          # the head alone: no body sent
            check(st == 401, "%r answered %r", head[:30], st)
        socks = []
        chunk = b"x" * (256 * 1024)
        for i in range(50):
            s = connect(env)
            s.sendall(heads[0])
            socks.append(s)
        for s in socks:
            check(status_of(s) == 401, "unauthenticated upload not 401")
            try:                         # the rest of the body is not read
                for _ in range(16):
                    s.sendall(chunk)
            except OSError:
                pass
            s.close()
        grown = rss_kb(env) - base
        h.log("RSS %d kB -> %d kB after 50 x 4 MiB unauthenticated"
              % (base, base + grown))
        check(grown < 20 * 1024, "RSS grew by %d kB", grown)
        check(refused(env, "credentials") >= 56, "credentials counted")
        # ssl_check stays answered (unsigned, tiny)
        r = env.request("POST", "/slack/commands",
                        body=b"token=x&ssl_check=1", headers=[
                            ("Content-Type",
                             "application/x-www-form-urlencoded")])
        check(r.status == 200, "ssl_check answered %r", r)
        healthy(env)


def test_body_budget():
    """item 3: authenticated bodies in memory at once are bounded by
    http.body_memory: past it a request is answered 503, not buffered."""
    with h.Env("hostile-budget", config={"http": {"body_memory": 8}}) as env:
        socks = []
        part = b"[" + b" " * (3 * 1024 * 1024)
        for i in range(3):
            s = connect(env)
            s.sendall(b"POST /v1/findings HTTP/1.1\r\nHost: x\r\n"
                      b"Authorization: Bearer %s\r\n"
                      b"Content-Type: application/json\r\n"
                      b"Content-Length: 4000000\r\n\r\n"
                      % h.INGEST_TOKEN.encode())
            try:
                s.sendall(part)
            except OSError:
                pass
            socks.append(s)
        h.wait_until(lambda: refused(env, "body_budget") >= 1, timeout=5,
                     what="a body refused for the budget")
        # the refused one is answered 503 and closed at once (the client
        # may see only the reset: its unsent body was never read); the
        # others still wait for the rest of their bodies
        sts = [status_of(s, 2) for s in socks]
        # 3 x 3 MiB against 8 MiB: at least one refused (503, or the
        # reset of its unread body), never all three buffered; on a
        # loaded machine the order the bytes arrive in decides which
        check(sts.count(503) + sts.count(None) >= 1 and
              sts.count("timeout") <= 2 and
              all(x in ("timeout", 503, None) for x in sts),
              "bodies over the budget answered %r", sts)
        m = env.metrics().get("fixit_http_requests_total", [])
        h.log("503s: %r" % [v for l, v in m if l.get("status") == "503"])
        for s in socks:
            s.close()
        healthy(env)


def test_slowloris_head_deadline():
    """item 2: a head sent a byte at a time is cut at head_timeout; a
    slow body at body_timeout; normal requests are served meanwhile."""
    cfg = {"http": {"head_timeout": "2s", "body_timeout": "2s",
                    "idle_timeout": "30s"}}
    with h.Env("hostile-slow", config=cfg) as env:
        slow = connect(env)
        head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
        t0 = time.time()
        closed = False
        for b in head:
            try:
                slow.send(bytes([b]))
            except OSError:
                closed = True
                break
            slow.settimeout(0.3)
            try:
                if slow.recv(1) == b"":
                    closed = True
                    break
            except socket.timeout:
                pass
            except OSError:
                closed = True
                break
            if time.time() - t0 > 8:
                break
        took = time.time() - t0
        check(closed and took < 4.5,
              "slowloris head kept %.1fs (closed=%s)", took, closed)
        slow.close()
        # an idle connection (no byte at all) is cut too
        idle = connect(env)
        check(closed_within(idle, 4.5), "idle connection not cut")
        idle.close()
        # a slow body: authenticated, 10 bytes a second
        body = connect(env)
        body.sendall(b"POST /v1/findings HTTP/1.1\r\nHost: x\r\n"
                     b"Authorization: Bearer %s\r\n"
                     b"Content-Type: application/json\r\n"
                     b"Content-Length: 1000\r\n\r\n" % h.INGEST_TOKEN.encode())
        t0 = time.time()
        cut = False
        while time.time() - t0 < 8:
            try:
                body.send(b"          ")
            except OSError:
                cut = True
                break
            body.settimeout(0.5)
            try:
                if body.recv(1) == b"":
                    cut = True
                    break
            except socket.timeout:
                pass
            except OSError:
                cut = True
                break
        check(cut and time.time() - t0 < 4.5, "slow body kept %.1fs",
              time.time() - t0)
        body.close()
        check(refused(env, "head_timeout") >= 2, "head timeouts counted")
        check(refused(env, "body_timeout") >= 1, "body timeouts counted")
        healthy(env)


def test_per_address_and_shedding():
    """item 2: one address gets per_address connections; with the total
    near max_connections the oldest idle ones are shed and a normal
    request from another address is served."""
    cfg = {"http": {"per_address": 8, "max_connections": 64}}
    with h.Env("hostile-conns", config=cfg) as env:
        mine = [connect(env) for _ in range(20)]
        # MHD's worker threads may start connections out of accept
        # order, so which 8 stay is not fixed: exactly 12 are cut
        cut = count_closed(mine, 2.0)
        check(cut == 12, "%d of 20 cut, want the 12 over the per-address "
              "limit", cut)
        for s in mine:
            s.close()
        time.sleep(0.3)
        check(refused(env, "per_address") >= 12, "per-address counted")
        # 60 idle connections from 60 addresses: near the total of 64
        many = [connect(env, "127.0.1.%d" % (i + 1)) for i in range(60)]
        time.sleep(0.5)
        t0 = time.time()
        r = env.request("GET", "/healthz")
        check(r.status == 200 and time.time() - t0 < 2.0,
              "healthz near the limit: %r in %.1fs", r, time.time() - t0)
        for s in many:
            s.close()
        time.sleep(0.3)
        check(refused(env, "shed") >= 1, "shedding counted")
        healthy(env)


def test_half_closed_counted_out():
    """item 6: chunked POSTs whose client shuts its sending side: stored
    or not, none is left waiting, and SIGTERM is quick."""
    with h.Env("hostile-halfclose") as env:
        socks = []
        for i in range(40):
            body = json.dumps([
                h.item("imds-slow", h.NONPROD, "i-halfclose%03d" % i)])
            body = body.encode()
            s = connect(env)
            s.sendall(b"POST /v1/findings HTTP/1.1\r\nHost: x\r\n"
                      b"Authorization: Bearer %s\r\n"
                      b"Content-Type: application/json\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n"
                      b"%x\r\n%s\r\n0\r\n\r\n"
                      % (h.INGEST_TOKEN.encode(), len(body), body))
            s.shutdown(socket.SHUT_WR)
            socks.append(s)
        for s in socks:
            st = status_of(s, 5)
            check(st in (200, None), "half-closed POST answered %r", st)
            s.close()
        healthy(env)
        rc, secs, killed = env.fixitd.stop(timeout=8.0)
        check(not killed and rc == 0 and secs < 3.0,
              "SIGTERM took %.1fs (rc %s, killed %s)", secs, rc, killed)
        err = env.fixitd.stderr_text()
        check("still waiting" not in err, "requests left waiting")


if __name__ == "__main__":
    h.run_tests(test_framing_is_strict, test_credentials_before_body,
                test_body_budget, test_slowloris_head_deadline,
                test_per_address_and_shedding, test_half_closed_counted_out)

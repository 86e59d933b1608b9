#!/usr/bin/env python3
"""hostile.py - normal requests while 2,000 hostile connections are open
(issue 13), and RSS under 300 unauthenticated 4 MiB bodies.

Starts the real fixitd (tests/integration/harness.py: fake Slack, the
default http limits) and runs, on the same machine:

  1. baseline: RSS, and the latency of N normal requests (GET /healthz
     and an authenticated POST /v1/findings of one finding, each on a
     fresh connection from 127.0.0.1);
  2. hostile: 2,000 connections kept open from 100 addresses
     (127.0.2.1 - 127.0.2.100, 20 each): a third slowloris (a header
     byte every second), a third idle (nothing sent), a third big
     unauthenticated bodies (a 4 MiB Content-Length, then body bytes
     as fast as they are taken); each one closed is reopened at once.
     After WARMUP seconds the normal requests are measured again, with
     RSS sampled;
  3. bodies: 300 connections each send an unauthenticated 4 MiB body at
     once; peak RSS.

  tests/bench/hostile.py [-n 200] [-d 30] [--bodies-only]
  (FIXITD=... picks the binary; default build/fixitd)
"""

import argparse
import errno
import json
import os
import selectors
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness as h  # noqa: E402


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, int(len(xs) * p / 100.0))]


TIMEOUT = 30.0  # seconds a normal request may take (-t)


def one(env, method, path, body=None, headers=()):
    t0 = time.perf_counter()
    try:
        r = h.http_request(env.fixitd.host, env.fixitd.port, method, path,
                           body=body, headers=headers, timeout=TIMEOUT)
        st = r.status
    except OSError as e:
        st = "error %s" % e.__class__.__name__
    return (time.perf_counter() - t0) * 1000.0, st


def normal(env, n, tag):
    lat, bad = [], {}
    for i in range(n):
        if i % 2 == 0:
            ms, st = one(env, "GET", "/healthz")
        else:
            item = h.item("imds-slow", h.NONPROD, "i-%s%06d" % (tag, i))
            ms, st = one(env, "POST", "/v1/findings",
                         json.dumps([item]).encode(),
                         [("Authorization", "Bearer " + h.INGEST_TOKEN),
                          ("Content-Type", "application/json")])
        lat.append(ms)
        if st not in (200, 201, 202):
            bad[st] = bad.get(st, 0) + 1
    return lat, bad


class Hostile:
    """2,000 hostile connections kept open by one selector thread."""

    KINDS = ("slowloris", "idle", "body")

    def __init__(self, env, n=2000, addrs=100):
        self.addr = (env.fixitd.host, env.fixitd.port)
        self.n, self.addrs = n, addrs
        self.sel = selectors.DefaultSelector()
        self.stop = threading.Event()
        self.opened = self.closed = 0
        self.open_now = 0
        self.chunk = b"x" * 65536
        self.thread = threading.Thread(target=self.run, daemon=True)

    def open(self, slot):
        kind = self.KINDS[slot % 3]
        s = socket.socket()
        s.setblocking(False)
        s.bind(("127.0.2.%d" % (slot % self.addrs + 1), 0))
        try:
            s.connect(self.addr)
        except BlockingIOError:
            pass
        st = {"slot": slot, "kind": kind, "next": time.time() + 1,
              "sent": 0}
        ev = selectors.EVENT_READ
        if kind == "body":
            st["out"] = (b"POST /v1/findings HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Type: application/json\r\n"
                         b"Content-Length: 4194304\r\n\r\n")
            ev |= selectors.EVENT_WRITE
        elif kind == "slowloris":
            st["out"] = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + \
                b"a" * 4000
        self.sel.register(s, ev, st)
        self.opened += 1
        self.open_now += 1

    def drop(self, s):
        st = self.sel.get_key(s).data
        self.sel.unregister(s)
        s.close()
        self.closed += 1
        self.open_now -= 1
        self.open(st["slot"])

    def run(self):
        for i in range(self.n):
            self.open(i)
        while not self.stop.is_set():
            now = time.time()
            for key, ev in self.sel.select(timeout=0.2):
                s, st = key.fileobj, key.data
                if ev & selectors.EVENT_READ:
                    try:
                        if not s.recv(65536):
                            self.drop(s)
                            continue
                    except BlockingIOError:
                        pass
                    except OSError:
                        self.drop(s)
                        continue
                if ev & selectors.EVENT_WRITE and st["kind"] == "body":
                    try:
                        if st["out"]:
                            k = s.send(st["out"])
                            st["out"] = st["out"][k:]
                        else:
                            s.send(self.chunk)
                    except BlockingIOError:
                        pass
                    except OSError:
                        self.drop(s)
            # slowloris: one byte a second each
            for key in list(self.sel.get_map().values()):
                st = key.data
                if st["kind"] == "slowloris" and st["next"] <= now:
                    st["next"] = now + 1
                    try:
                        key.fileobj.send(st["out"][st["sent"]:
                                                   st["sent"] + 1])
                        st["sent"] += 1
                    except BlockingIOError:
                        pass
                    except OSError as e:
                        if e.errno != errno.EAGAIN:
                            self.drop(key.fileobj)
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()


def bodies(env, n=300):
    """n unauthenticated 4 MiB bodies at once; the peak RSS."""
    pid = env.fixitd.proc.pid
    peak = [rss_kb(pid)]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kb(pid))
            time.sleep(0.05)

    def send(i):
        try:
            s = socket.create_connection((env.fixitd.host, env.fixitd.port))
            s.sendall(b"POST /v1/findings HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Type: application/json\r\n"
                      b"Content-Length: 4194304\r\n\r\n")
            chunk = b"x" * 65536
            for _ in range(64):
                s.sendall(chunk)
            s.recv(100)
            s.close()
        except OSError:
            pass

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    ts = [threading.Thread(target=send, args=(i,)) for i in range(n)]
    for x in ts:
        x.start()
    for x in ts:
        x.join(120)
    time.sleep(0.5)
    done.set()
    t.join()
    return peak[0]


def show(what, lat, bad):
    print("%-34s n=%d p50 %.1f ms  p99 %.1f ms  max %.1f ms  non-2xx %r"
          % (what, len(lat), pct(lat, 50), pct(lat, 99), max(lat), bad),
          flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=200, help="normal requests")
    ap.add_argument("-d", type=int, default=30, help="hostile seconds")
    ap.add_argument("-c", type=int, default=2000, help="hostile conns")
    ap.add_argument("-t", type=float, default=30.0,
                    help="seconds a normal request may take")
    ap.add_argument("--bodies-only", action="store_true",
                    help="only step 3 (for a build without the limits)")
    a = ap.parse_args()
    global TIMEOUT
    TIMEOUT = a.t
    with h.Env("bench-hostile", config={"log_level": "warn"}) as env:
        pid = env.fixitd.proc.pid
        print("binary %s" % h.FIXITD)
        print("idle RSS %d kB" % rss_kb(pid), flush=True)
        if a.bodies_only:
            peak = bodies(env, 300)
            print("300 x 4 MiB unauthenticated bodies: peak RSS %d kB"
                  % peak, flush=True)
            return
        lat, bad = normal(env, a.n, "base")
        show("normal, alone:", lat, bad)
        host = Hostile(env, a.c)
        host.thread.start()
        warm = min(12, a.d // 2)
        time.sleep(warm)
        rss = []
        t_end = time.time() + a.d - warm
        lat, bad = [], {}
        while time.time() < t_end:
            l, b = normal(env, 10, "hostile%d" % len(lat))
            lat += l
            for k, v in b.items():
                bad[k] = bad.get(k, 0) + v
            rss.append(rss_kb(pid))
        show("normal, %d hostile open:" % a.c, lat, bad)
        print("hostile: %d opened, %d cut by fixitd, %d open at the end; "
              "RSS during %d - %d kB" % (host.opened, host.closed,
                                        host.open_now, min(rss), max(rss)))
        host.stop.set()
        host.thread.join()
        time.sleep(1)
        m = env.metrics().get("fixit_http_refused_total", [])
        print("refused: %s" % ", ".join("%s %d" % (l["reason"], v)
                                         for l, v in m if v))
        before = rss_kb(pid)
        peak = bodies(env, 300)
        print("300 x 4 MiB unauthenticated bodies: RSS %d kB before, "
              "peak %d kB" % (before, peak), flush=True)


if __name__ == "__main__":
    main()

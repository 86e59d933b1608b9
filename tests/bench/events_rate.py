#!/usr/bin/env python3
"""events_rate.py - send EventBridge events to fixitd at a fixed rate and
report the time from acknowledgement to the finding being recorded.

    events_rate.py URL TEMPLATE KEY DB RATE SECONDS

Each event is distinct (id and instance id from a counter). After the last
one, waits until every event is processed, then reads from fixitd's SQLite
file, per event, processed_at - received_at (milliseconds; the event's
findings and its "done" mark are one transaction, so processed_at is when
its finding was recorded) and prints the distribution. Standard library.
"""

import http.client
import sqlite3
import sys
import threading
import time
import urllib.parse


def main():
    url, template, key, db, rate, secs = sys.argv[1:7]
    rate, secs = int(rate), float(secs)
    tpl = open(template).read()
    u = urllib.parse.urlsplit(url)
    nthreads = 8
    per = rate / nthreads
    sent = [0] * nthreads
    bad = [0] * nthreads
    ack_ms = []

    def worker(k):
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        t0 = time.monotonic()
        i = 0
        while True:
            due = t0 + i / per
            now = time.monotonic()
            if due - t0 >= secs:
                break
            if due > now:
                time.sleep(due - now)
            body = tpl.replace("@@ID@@", "rate-%d-%d" % (k, i)).replace(
                "@@IID@@", "i-%x%07x" % (0x100 + k, i)).replace(
                "@@ACTOR@@", "r%d-%d@example.com" % (k, i))
            s = time.monotonic()
            conn.request("POST", "/v1/events", body.encode(),
                         {"Content-Type": "application/json",
                          "X-Fixit-Api-Key": key})
            r = conn.getresponse()
            r.read()
            ack_ms.append((time.monotonic() - s) * 1000)
            if r.status != 202:
                bad[k] += 1
            sent[k] += 1
            i += 1

    ths = [threading.Thread(target=worker, args=(k,))
           for k in range(nthreads)]
    start = time.monotonic()
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    took = time.monotonic() - start
    total = sum(sent)
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    deadline = time.time() + 60
    while time.time() < deadline:
        pending = con.execute("SELECT count(*) FROM events WHERE state = "
                              "'pending'").fetchone()[0]
        if pending == 0:
            break
        time.sleep(0.2)
    lat = sorted(r[0] for r in con.execute(
        "SELECT processed_at - received_at FROM events WHERE id LIKE "
        "'rate-%' AND state = 'done'"))
    findings = con.execute("SELECT count(*) FROM findings WHERE resource_id "
                           "LIKE 'i-1%'").fetchone()[0]
    con.close()
    ack_ms.sort()

    def pct(v, p):
        return v[min(len(v) - 1, int(len(v) * p / 100))] if v else -1
    print("RATE sent=%d in %.1fs (%.0f/s) non202=%d processed=%d "
          "findings=%d" % (total, took, total / took, sum(bad), len(lat),
                           findings))
    print("RATE ack_ms p50=%.2f p99=%.2f" % (pct(ack_ms, 50),
                                             pct(ack_ms, 99)))
    print("RATE ack_to_recorded_ms p50=%d p99=%d max=%d" % (
        pct(lat, 50), pct(lat, 99), lat[-1] if lat else -1))
    return 0 if sum(bad) == 0 and len(lat) == total else 1


if __name__ == "__main__":
    sys.exit(main())

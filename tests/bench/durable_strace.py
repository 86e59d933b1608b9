#!/usr/bin/env python3
"""durable_strace.py - watch fixitd's system calls and check that no
answer claiming a stored change leaves before its WAL was synced.

Not a CTest test (strace and ptrace are not available everywhere); run by
hand or from CI where strace is installed:

    FIXITD=build/fixitd python3 tests/bench/durable_strace.py [-n 20]

It starts fixitd through tests/integration/harness.py, attaches
`strace -f -tt -y` to every thread, then sends N ingests (POST
/v1/findings, each creating a finding) and N signed "Fix now" clicks,
one at a time. In the trace, for each 2xx answer written to a socket it
looks for the request read on that socket just before, and requires an
fdatasync/fsync of the database's -wal file between the two (read ->
sync -> answer). Exit status 0 when every answer had its sync, 1 when
one did not (printed with its trace lines), 2 when strace is missing.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness as h  # noqa: E402
from harness import check  # noqa: E402

LINE = re.compile(r"^(?:\[pid\s+)?(\d+)\]?\s+(\d+):(\d+):([\d.]+)\s+(.*)$")
CALL = re.compile(r"^(\w+)\((.*)$")
RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>(.*)$")
FD = re.compile(r"^(\d+)<([^>]*)>")


def parse(path):
    """[(seconds, syscall, fd, fdname, text)] of complete calls, at the
    time each returned (an interrupted call is joined to its resumption)."""
    out, pending = [], {}
    with open(path, errors="replace") as f:
        for raw in f:
            m = LINE.match(raw.rstrip("\n"))
            if not m:
                continue
            pid = m.group(1)
            t = int(m.group(2)) * 3600 + int(m.group(3)) * 60 + \
                float(m.group(4))
            rest = m.group(5)
            r = RESUMED.match(rest)
            if r:
                if pid not in pending:
                    continue
                call, args = pending.pop(pid)
                rest = args + r.group(2)
            else:
                c = CALL.match(rest)
                if not c:
                    continue
                call, rest = c.group(1), c.group(2)
                if "<unfinished" in rest:
                    pending[pid] = (call, rest.split("<unfinished")[0])
                    continue
            fm = FD.match(rest)
            fd, name = (int(fm.group(1)), fm.group(2)) if fm else (-1, "")
            out.append((t, call, fd, name, rest))
    return out


def check_trace(calls):
    reads = ("read", "recvfrom", "recvmsg", "readv")
    writes = ("write", "writev", "sendto", "sendmsg", "send")
    last_req = {}   # socket fd -> index of its last request read
    answers = bad = 0
    for i, (t, call, fd, name, rest) in enumerate(calls):
        if not name.startswith(("TCP", "socket")):
            continue
        if call in reads and ("POST " in rest):
            last_req[fd] = i
        elif call in writes and "HTTP/1.1 2" in rest and fd in last_req:
            answers += 1
            j = last_req.pop(fd)
            synced = any(c[1] in ("fdatasync", "fsync") and
                         c[3].endswith("-wal") and "= 0" in c[4]
                         for c in calls[j:i])
            if not synced:
                bad += 1
                print("answer without a WAL sync since its request:")
                for c in calls[j:i + 1]:
                    print("   %.6f %s(%s" % (c[0], c[1], c[4][:100]))
    return answers, bad


def main():
    n = 20
    if len(sys.argv) > 2 and sys.argv[1] == "-n":
        n = int(sys.argv[2])
    if shutil.which("strace") is None:
        print("durable_strace: strace not installed (apt-get install "
              "strace)")
        return 2
    with h.Env("strace") as env:
        keep = os.environ.get("DEBUG_TRACE")
        trace = os.path.join(env.tmp, "strace.out")
        st = subprocess.Popen(
            ["strace", "-f", "-tt", "-y", "-s", "64", "-o", trace,
             "-e", "trace=read,recvfrom,recvmsg,readv,write,writev,"
             "sendto,sendmsg,fdatasync,fsync",
             "-p", str(env.fixitd.proc.pid)],
            stderr=subprocess.DEVNULL)
        time.sleep(1.0)     # attached to every thread
        ids = []
        for i in range(n):
            ids += env.ingest_ok([h.item("imds-slow", h.NONPROD,
                                         "i-0strace%04d" % i)])
        for fid in ids:
            msg = env.wait_notify(fid)
            r = env.click(h.OWNER, "fixit_fix_now", fid, msg=msg)
            check(r.status == 200, "click answered %r", r)
        time.sleep(0.5)
        st.send_signal(signal.SIGINT)
        st.wait(10)
        answers, bad = check_trace(parse(trace))
        if keep:
            shutil.copy(trace, keep)
    print("durable_strace: %d answers to POSTs, %d without a WAL sync "
          "between the request and the answer" % (answers, bad))
    if answers < 2 * n:
        print("durable_strace: expected at least %d answers in the trace"
              % (2 * n))
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

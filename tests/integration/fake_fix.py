"""fake_fix.py - an `exec` executor for fixit's integration tests.

fixitd runs it as   [sys.executable, fake_fix.py, LOGFILE]          (fix)
             and    [sys.executable, fake_fix.py, LOGFILE, --undo]  (undo)
with the finding JSON (fix) or {"finding":...,"prior_state":...} (undo) on
stdin (remediation/executor.h).

Every invocation appends one JSON line to LOGFILE, written when it starts:
  {"mode":"fix"|"undo","pid":N,"t":epoch,"argv":[...],"stdin":<JSON or
   {"_raw": text} when not JSON>,"env":{FIXIT_* variables}}

Fix: prints {"HttpTokens":"optional"} (the prior state) and exits 0.
Undo: prints a message and exits 0.

Controls, files next to LOGFILE (the test creates/removes them at any time):
  LOGFILE.sleep      a number: sleep that many seconds before answering
  LOGFILE.fail       exists: the fix fails (message on stdout, exit 1)
  LOGFILE.fail_undo  exists: the undo fails
"""

import json
import os
import sys
import time

PRIOR_STATE = {"HttpTokens": "optional"}


def main():
    args = sys.argv[1:]
    undo = "--undo" in args
    rest = [a for a in args if a != "--undo"]
    if not rest:
        print("usage: fake_fix.py LOGFILE [--undo]", file=sys.stderr)
        return 2
    log = rest[0]
    raw = sys.stdin.read()
    try:
        data = json.loads(raw)
    except ValueError:
        data = {"_raw": raw}
    rec = {"mode": "undo" if undo else "fix", "pid": os.getpid(),
           "t": time.time(), "argv": sys.argv,
           "stdin": data,
           "env": {k: v for k, v in os.environ.items()
                   if k.startswith("FIXIT_")},
           "env_names": sorted(os.environ)}
    line = (json.dumps(rec, sort_keys=True) + "\n").encode()
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)

    try:
        with open(log + ".sleep") as f:
            time.sleep(float(f.read().strip() or 0))
    except FileNotFoundError:
        pass

    if undo:
        if os.path.exists(log + ".fail_undo"):
            print("fake_fix: undo failed on purpose")
            return 1
        print("fake_fix: restored %s" % json.dumps(
            data.get("prior_state") if isinstance(data, dict) else None))
        return 0
    if os.path.exists(log + ".fail"):
        print("fake_fix: fix failed on purpose")
        return 1
    print(json.dumps(PRIOR_STATE))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""check_eventbridge_setup.py ROOT - deploy/eventbridge/setup.sh, offline,
against a fake `aws` on PATH that records its arguments and the files
they name:

- the API key (from a file, from stdin) never appears on a command line
  and reaches `aws cloudformation deploy` in a parameters file (JSON,
  mode 0600, removed afterwards), intact even with , } " \\ in it;
- the deploy is re-runnable (--no-fail-on-empty-changeset, the same
  command twice; no create-* call that fails the second time), with
  -r and -e passed as --region and --endpoint-url;
- FIXIT_URL is handed over as given: the template joins the path
  (check_cfn.py checks both forms give URL/v1/events);
- usage errors: no URL, an http:// URL, no key, both -k and -s, the key
  in FIXIT_EVENTS_API_KEY (refused: environment, not a file).
"""

import json
import os
import stat
import subprocess
import sys
import tempfile

ROOT = sys.argv[1] if len(sys.argv) > 1 else "."
SETUP = os.path.join(ROOT, "deploy", "eventbridge", "setup.sh")
failures = []
checks = 0

FAKE_AWS = r"""#!/usr/bin/env python3
import json, os, stat, sys
rec = {"argv": sys.argv[1:], "files": {}}
for a in sys.argv[1:]:
    if a.startswith("file://"):
        p = a[7:]
        st = os.stat(p)
        rec["files"][p] = {"mode": stat.S_IMODE(st.st_mode),
                           "text": open(p).read()}
with open(os.environ["FAKE_AWS_LOG"], "a") as f:
    f.write(json.dumps(rec) + "\n")
if "describe-stacks" in sys.argv:
    print("Endpoint\thttps://fixit.example.com/v1/events")
"""


def check(ok, what):
    global checks
    checks += 1
    if not ok:
        failures.append(what)
        print("FAIL:", what)


class Env:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="fixit-setup-")
        os.mkdir(os.path.join(self.dir, "bin"))
        aws = os.path.join(self.dir, "bin", "aws")
        with open(aws, "w") as f:
            f.write(FAKE_AWS)
        os.chmod(aws, 0o755)
        self.log = os.path.join(self.dir, "log")
        self.tmp = os.path.join(self.dir, "tmp")
        os.mkdir(self.tmp)

    def run(self, args, stdin=None, **env):
        e = {"PATH": os.path.join(self.dir, "bin") + ":" +
             os.environ.get("PATH", "/usr/bin:/bin"),
             "FAKE_AWS_LOG": self.log, "TMPDIR": self.tmp, "HOME": self.dir}
        e.update(env)
        if os.path.exists(self.log):
            os.unlink(self.log)
        p = subprocess.run(["sh", SETUP] + args, input=stdin, env=e,
                           capture_output=True, text=True, timeout=60)
        calls = []
        if os.path.exists(self.log):
            with open(self.log) as f:
                calls = [json.loads(x) for x in f if x.strip()]
        return p, calls

    def keyfile(self, key, name="key"):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(key + "\n")
        os.chmod(path, 0o600)
        return path


def params_of(calls):
    dep = [c for c in calls if "deploy" in c["argv"]]
    if len(dep) != 1:
        return None, None
    (path, f), = dep[0]["files"].items()
    return dict(x.split("=", 1) for x in json.loads(f["text"])), f["mode"]


def test_key_never_on_argv():
    env = Env()
    key = 'k3y,with}"odd\\chars=and spaces'
    url = "https://fixit.example.com/"
    for how in ("file", "stdin"):
        args = ["-u", url, "-r", "eu-central-1", "-e",
                "https://cloudformation.example.test"]
        if how == "file":
            p, calls = env.run(args + ["-k", env.keyfile(key)])
        else:
            p, calls = env.run(args + ["-k", "-"], stdin=key + "\n")
        check(p.returncode == 0, "%s: exit %d: %s" % (how, p.returncode,
                                                       p.stderr))
        check(all(key not in a and "k3y" not in a
                  for c in calls for a in c["argv"]),
              "%s: the key is on a command line" % how)
        params, mode = params_of(calls)
        check(params is not None and params["ApiKey"] == key,
              "%s: the key in the parameters file: %r" % (how, params))
        check(mode == 0o600, "%s: parameters file mode %o" % (how, mode
                                                              or 0))
        check(params and params["FixitUrl"] == url and
              params["GlobalServiceRule"] == "auto" and
              params["SecurityHub"] == "true",
              "%s: parameters %r" % (how, params))
        dep = [c for c in calls if "deploy" in c["argv"]][0]["argv"]
        for want in ("--region", "eu-central-1", "--endpoint-url",
                     "https://cloudformation.example.test",
                     "--no-fail-on-empty-changeset", "CAPABILITY_IAM"):
            check(want in dep, "%s: deploy without %s" % (how, want))
        check(os.listdir(env.tmp) == [], "%s: parameters file left: %s" %
              (how, os.listdir(env.tmp)))
        check(not [c for c in calls if any(a.startswith("create-")
                                           for a in c["argv"])],
              "%s: a create-* call (fails when re-run)" % how)


def test_rerun_same():
    env = Env()
    kf = env.keyfile("abc")
    runs = [env.run(["-u", "https://f.example", "-k", kf, "-g", "include",
                     "-c", "EC2.8,EC2.12"]) for _ in range(2)]
    check(all(p.returncode == 0 for p, _ in runs), "re-run fails")
    strip = [[c["argv"] for c in calls] for _, calls in runs]
    norm = [[[a if not a.startswith("file://") else "file://X" for a in c]
             for c in s] for s in strip]
    check(norm[0] == norm[1], "a second run differs: %s" % norm)
    params, _ = params_of(runs[0][1])
    check(params and params["GlobalServiceRule"] == "include" and
          params["SecurityHubRuleKeys"] == "EC2.8,EC2.12",
          "-g and -c: %r" % params)
    p, calls = env.run(["-u", "https://f.example", "-k", kf, "-H",
                        "AKIAI44QH8DHBEXAMPLE,ASIAI44QH8DHBEXAMPLE"])
    params, _ = params_of(calls)
    check(p.returncode == 0 and params and params["HoneypotKeys"] ==
          "AKIAI44QH8DHBEXAMPLE,ASIAI44QH8DHBEXAMPLE" and
          params_of(runs[0][1])[0]["HoneypotKeys"] == "",
          "-H: %r" % params)
    p, calls = env.run(["-u", "https://f.example", "-k", kf, "-H",
                        "AKIA;rm"])
    check(p.returncode == 2 and not calls, "-H with a bad key ran")
    p, calls = env.run(["-u", "https://f.example", "-s",
                        "arn:aws:secretsmanager:eu-west-1:111122223333:"
                        "secret:fixit", "-S"])
    params, _ = params_of(calls)
    check(p.returncode == 0 and params and params["ApiKey"] == "" and
          params["ApiKeySecretArn"].endswith(":secret:fixit") and
          params["SecurityHub"] == "false", "-s and -S: %r" % params)


def test_usage_errors():
    env = Env()
    kf = env.keyfile("abc")
    for args, envs, stdin, what in (
            (["-k", kf], {}, None, "no URL"),
            (["-u", "http://f.example", "-k", kf], {}, None, "http URL"),
            (["-u", "https://f.example"], {}, None, "no key"),
            (["-u", "https://f.example", "-k", kf, "-s", "arn:x"], {}, None,
             "both -k and -s"),
            (["-u", "https://f.example", "-k", kf],
             {"FIXIT_EVENTS_API_KEY": "abc"}, None, "key in environment"),
            (["-u", "https://f.example", "-k", "-"], {}, "\n", "empty key"),
            (["-u", "https://f.example", "-k", kf, "extra"], {}, None,
             "an extra argument")):
        p, calls = env.run(args, stdin=stdin, **envs)
        check(p.returncode == 2 and not calls,
              "%s: exit %d, %d aws calls" % (what, p.returncode, len(calls)))
    p, _ = env.run(["-u", "https://f.example", "-k", kf],
                   FIXIT_URL="https://ignored.example")
    check(p.returncode == 0, "-u with FIXIT_URL set")
    mode = stat.S_IMODE(os.stat(SETUP).st_mode)
    check(mode & 0o111, "setup.sh is not executable")


def main():
    for t in (test_key_never_on_argv, test_rerun_same, test_usage_errors):
        t()
    print("%d checks, %d failed" % (checks, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

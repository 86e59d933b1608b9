"""test_secrets.py - secrets stay secret on the host (issue 13, item 9).

- Secrets given in the environment (FIXIT_SLACK_SIGNING_SECRET,
  FIXIT_SLACK_BOT_TOKEN, FIXIT_INGEST_TOKENS, FIXIT_EVENTS_API_KEY) are
  read once and then gone: neither their names nor their values are in
  /proc/PID/environ of the running fixitd, while the rest of its
  environment is, and the secrets still work (a signed /fixit command,
  the ingest token).
- A secret file that group or others may read is refused at start and by
  `fixitd -n`, naming the file and its mode, never echoing the secret;
  chmod 600 makes the same config good.
- Secrets as systemd credentials (LoadCredential=): with nothing in the
  environment but CREDENTIALS_DIRECTORY, a live fixitd takes all of them
  from the files there (0400, as systemd makes them) and they work; a
  credential group or others may read is refused by `fixitd -n`, naming
  the credential, never echoing it.
"""

import os
import subprocess

import harness as h
from harness import check

EVENTS_KEY = "events-key-for-tests-zzz"


def test_secrets_leave_the_environment():
    with h.Env("secret-env", start=False) as env:
        env.fixitd.env = env.make_env(FIXIT_EVENTS_API_KEY=EVENTS_KEY,
                                      FIXIT_TEST_MARKER="still-here")
        env.start()
        pid = env.fixitd.proc.pid
        with open("/proc/%d/environ" % pid, "rb") as f:
            environ = f.read()
        check(b"FIXIT_TEST_MARKER=still-here" in environ,
              "the rest of the environment is gone too: %r", environ[:300])
        for what in (h.SIGNING_SECRET, h.BOT_TOKEN, h.INGEST_TOKEN,
                     "second-token", EVENTS_KEY,
                     "FIXIT_SLACK_SIGNING_SECRET", "FIXIT_SLACK_BOT_TOKEN",
                     "FIXIT_INGEST_TOKENS", "FIXIT_EVENTS_API_KEY"):
            check(what.encode() not in environ,
                  "%s is still in /proc/%d/environ", what, pid)
        # read before they were wiped: they still work
        r = env.ingest([h.item("imds-slow", h.NONPROD, "i-0secret01")])
        check(r.status == 200, "ingest with the token answered %r", r)
        check("/fixit" in env.fixit("help"), "/fixit help did not answer")
        r = env.request("POST", "/v1/events", b"{}", [
            ("X-Fixit-Api-Key", EVENTS_KEY),
            ("Content-Type", "application/json")])
        check(r.status != 401, "the events key was lost: %r", r)


def run(args, env, cwd):
    p = subprocess.run([h.FIXITD] + args, cwd=cwd, env=env,
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=10)
    return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")


def test_secret_file_modes():
    env = h.Env("secret-mode", start=False)
    try:
        path = os.path.join(env.tmp, "signing-secret")
        with open(path, "w") as f:
            f.write(h.SIGNING_SECRET + "\n")
        env.config["slack"]["signing_secret_file"] = path
        env.write_config()
        penv = {k: v for k, v in env.proc_env.items()
                if k != "FIXIT_SLACK_SIGNING_SECRET"}
        for mode in (0o644, 0o640, 0o604, 0o660, 0o602):
            os.chmod(path, mode)
            for args in (["-n", "-c", env.config_path],
                         ["-c", env.config_path]):
                rc, out = run(args, penv, env.tmp)
                check(rc == 1, "mode %o, %r: exit %d\n%s", mode, args, rc,
                      out)
                want = "secret file %s has mode %04o" % (path, mode)
                check(want in out and "chmod 600" in out,
                      "mode %o: %r not in\n%s", mode, want, out)
                check(h.SIGNING_SECRET not in out,
                      "the secret was echoed:\n%s", out)
        os.chmod(path, 0o600)
        rc, out = run(["-n", "-c", env.config_path], penv, env.tmp)
        check(rc == 0, "mode 600: exit %d\n%s", rc, out)
    finally:
        env.__exit__(None, None, None)


def make_creds(env, mode=0o400):
    """a credentials directory as systemd lays it out: one file a secret"""
    d = os.path.join(env.tmp, "credentials")
    os.makedirs(d, mode=0o700, exist_ok=True)
    for name, text in (("slack-signing-secret", h.SIGNING_SECRET),
                       ("slack-bot-token", h.BOT_TOKEN),
                       ("ingest-tokens", "# one a line\n%s\nsecond-token"
                        % h.INGEST_TOKEN),
                       ("events-api-key", EVENTS_KEY)):
        path = os.path.join(d, name)
        if os.path.exists(path):
            os.chmod(path, 0o600)
        with open(path, "w") as f:
            f.write(text + "\n")
        os.chmod(path, mode)
    return d


def cred_env(env, creds):
    e = {k: v for k, v in env.make_env().items()
         if k not in ("FIXIT_SLACK_SIGNING_SECRET", "FIXIT_SLACK_BOT_TOKEN",
                      "FIXIT_INGEST_TOKENS", "FIXIT_EVENTS_API_KEY")}
    e["CREDENTIALS_DIRECTORY"] = creds
    return e


def test_credentials_directory():
    with h.Env("secret-cred", start=False) as env:
        creds = make_creds(env)
        env.fixitd.env = cred_env(env, creds)
        env.start()
        with open("/proc/%d/environ" % env.fixitd.proc.pid, "rb") as f:
            environ = f.read()
        check(b"FIXIT_SLACK" not in environ and
              b"FIXIT_INGEST_TOKENS" not in environ,
              "secrets in the environment: the test proves nothing")
        r = env.ingest([h.item("imds-slow", h.NONPROD, "i-0cred0001")])
        check(r.status == 200, "ingest with the credential's token: %r", r)
        check("/fixit" in env.fixit("help"),
              "/fixit help, signed with the credential's secret: no answer")
        r = env.request("POST", "/v1/events", b"{}", [
            ("X-Fixit-Api-Key", EVENTS_KEY),
            ("Content-Type", "application/json")])
        check(r.status != 401, "the credential's events key: %r", r)
        r = env.request("POST", "/v1/events", b"{}", [
            ("X-Fixit-Api-Key", "not-the-key"),
            ("Content-Type", "application/json")])
        check(r.status == 401, "a wrong events key: %r", r)


def test_credential_modes():
    env = h.Env("secret-cred-mode", start=False)
    try:
        for mode in (0o440, 0o404, 0o644):
            creds = make_creds(env, mode)
            rc, out = run(["-n", "-c", env.config_path],
                          cred_env(env, creds), env.tmp)
            want = ("credential slack-signing-secret: secret file "
                    "%s/slack-signing-secret has mode %04o" % (creds, mode))
            check(rc == 1 and want in out, "mode %o: exit %d\n%s", mode,
                  rc, out)
            check(h.SIGNING_SECRET not in out, "echoed:\n%s", out)
        creds = make_creds(env, 0o400)
        rc, out = run(["-n", "-c", env.config_path], cred_env(env, creds),
                      env.tmp)
        check(rc == 0, "mode 400: exit %d\n%s", rc, out)
    finally:
        env.__exit__(None, None, None)


if __name__ == "__main__":
    h.run_tests(test_secrets_leave_the_environment, test_secret_file_modes,
                test_credentials_directory, test_credential_modes)

"""test_deploy.py - what deploy/ promises (issue 13, item 9).

- `fixitd --healthcheck URL`, the container's HEALTHCHECK: exit 0 on a
  200 from a running fixitd, 1 on a 404, a refused connection, a server
  that never answers (within its 5 s) and a URL it cannot use;
- deploy/Containerfile runs that probe; deploy/fixitd.service sets
  MemoryMax= and lets SCHED_BATCH and the checkpointer's I/O class through
  its system-call filter (sched_setscheduler and ioprio_set re-allowed
  after ~@resources), and, where systemd-analyze is installed, its
  offline `security` exposure is at most 1.5;
- the unit agrees with the install rules and the package (issue 15):
  ExecStart= and ExecStartPre= run the path cmake/Install.cmake installs
  fixitd to in the package (/usr/sbin), as the user the package's
  postinst creates (User=fixit, no DynamicUser=); it loads every
  credential fixitd reads (the CRED_* names of server/config.h) by name
  from the credential store, documents every secret's environment
  variable (ENV_SECRETS), keeps PrivateUsers=, NoNewPrivileges=,
  ProtectSystem=strict and an empty CapabilityBoundingSet=, and says why
  IPAddressDeny= is not set;
- the Containerfile runs as a non-root user with the database on a
  volume, and both ignore files keep .git and build folders out.
"""

import os
import re
import shutil
import socket
import subprocess
import threading
import time

import harness as h
from harness import check

DEPLOY = os.path.join(h.SRC, "deploy")


def probe(url=None):
    args = [h.FIXITD, "--healthcheck"] + ([url] if url else [])
    t0 = time.time()
    p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=20)
    return p.returncode, p.stderr.decode("utf-8", "replace"), time.time() - t0


def test_healthcheck():
    with h.Env("healthcheck") as env:
        base = "http://127.0.0.1:%d" % env.fixitd.port
        rc, err, _ = probe(base + "/healthz")
        check(rc == 0, "a healthy fixitd: exit %d %s", rc, err)
        rc, err, _ = probe("http://localhost:%d/healthz" % env.fixitd.port)
        check(rc == 0, "by name: exit %d %s", rc, err)
        rc, err, _ = probe(base + "/nope")
        check(rc == 1 and "404" in err, "a 404: exit %d %s", rc, err)
    # nothing listening any more
    rc, err, _ = probe(base + "/healthz")
    check(rc == 1 and err, "refused: exit %d %s", rc, err)
    for bad in ("https://127.0.0.1/healthz", "127.0.0.1:8080", "http://",
                "http://h:99999999/", "http://h:x/", "http://a b/"):
        rc, err, _ = probe(bad)
        check(rc == 1 and "not an http" in err, "%r: exit %d %s", bad, rc,
              err)
    # a server that accepts and never answers: 1 after its 5 s
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(4)
    held = []
    t = threading.Thread(target=lambda: held.append(ls.accept()),
                         daemon=True)
    t.start()
    try:
        rc, err, secs = probe("http://127.0.0.1:%d/healthz"
                              % ls.getsockname()[1])
        check(rc == 1 and 4.5 <= secs < 9, "silent server: exit %d after "
              "%.1fs %s", rc, secs, err)
    finally:
        for c, _ in held:
            c.close()
        ls.close()


def unit_lines():
    with open(os.path.join(DEPLOY, "fixitd.service")) as f:
        return [ln.strip() for ln in f if ln.strip() and
                not ln.lstrip().startswith("#")]


def test_deploy_files():
    with open(os.path.join(DEPLOY, "Containerfile")) as f:
        cf = f.read()
    check(re.search(r"^HEALTHCHECK .*\n?.*--healthcheck", cf, re.M),
          "the Containerfile has no HEALTHCHECK running fixitd "
          "--healthcheck")
    lines = unit_lines()
    check(any(re.match(r"MemoryMax=\d+[KMG]$", ln) for ln in lines),
          "no MemoryMax= in fixitd.service")
    # SystemCallFilter= lines apply in order: what the last mention of a
    # call says is what holds
    filt = [ln.split("=", 1)[1] for ln in lines
            if ln.startswith("SystemCallFilter=")]
    for call in ("sched_setscheduler", "ioprio_set"):
        last = None
        for val in filt:
            neg = val.startswith("~")
            names = val.lstrip("~").split()
            if call in names or "@resources" in names:
                last = not neg
        check(last is True, "%s is not allowed by %r", call, filt)
    sa = shutil.which("systemd-analyze")
    if sa is None:
        h.log("systemd-analyze not installed: exposure not measured")
        return
    p = subprocess.run([sa, "security", "--offline=true", "--no-pager",
                        os.path.join(DEPLOY, "fixitd.service")],
                       capture_output=True, timeout=60)
    out = p.stdout.decode("utf-8", "replace")
    m = re.search(r"Overall exposure level for \S+: ([\d.]+)", out)
    check(m is not None, "no exposure level in:\n%s%s", out,
          p.stderr.decode("utf-8", "replace"))
    h.log("systemd-analyze security: exposure %s" % m.group(1))
    check(float(m.group(1)) <= 1.5, "exposure %s:\n%s", m.group(1), out)


def header_names(prefix):
    """the string values of server/config.h's #define PREFIX* lines"""
    with open(os.path.join(h.SRC, "server", "config.h")) as f:
        return dict(re.findall(r'^#define (%s\w+)\s+"([^"]+)"' % prefix,
                               f.read(), re.M))


def test_unit_install():
    lines = unit_lines()
    with open(os.path.join(DEPLOY, "fixitd.service")) as f:
        text = f.read()
    with open(os.path.join(h.SRC, "cmake", "Install.cmake")) as f:
        inst = f.read()
    with open(os.path.join(DEPLOY, "debian", "postinst")) as f:
        postinst = f.read().replace("\\\n", " ")
    check("install(TARGETS fixitd RUNTIME DESTINATION "
          "${CMAKE_INSTALL_SBINDIR})" in inst and
          re.search(r"CPACK_PACKAGING_INSTALL_PREFIX /usr\)", inst),
          "the package no longer puts fixitd in /usr/sbin")
    starts = [ln for ln in lines if ln.startswith("ExecStart")]
    check(starts == ["ExecStartPre=/usr/sbin/fixitd -n -c "
                     "/etc/fixit/fixit.yaml",
                     "ExecStart=/usr/sbin/fixitd -c /etc/fixit/fixit.yaml"],
          "ExecStart lines: %r", starts)
    check("User=fixit" in lines and "Group=fixit" in lines,
          "not User=fixit / Group=fixit")
    check(not any(ln.startswith("DynamicUser=") for ln in lines),
          "DynamicUser= and the package's static user")
    check(re.search(r"adduser [^\n]*--system[^\n]* fixit$",
                    postinst, re.M), "postinst does not make the user fixit")
    creds = header_names("CRED_")
    creds.pop("CRED_DIR_ENV", None)
    check(len(creds) == 5, "config.h's credentials: %r", creds)
    loaded = [ln.split("=", 1)[1] for ln in lines
              if ln.startswith("LoadCredential=")]
    check(sorted(loaded) == sorted(creds.values()),
          "LoadCredential= %r, fixitd reads %r", loaded,
          sorted(creds.values()))
    for name in creds.values():
        check(re.search(r"^#\s+%s\s" % re.escape(name), text, re.M),
              "the credential %s is not described in the unit", name)
    envs = [v for k, v in header_names("ENV_").items()
            if k != "ENV_SECRETS"]
    check(len(envs) == 5, "config.h's variables: %r", envs)
    for var in envs:
        check(re.search(r"^#\s+%s=" % var, text, re.M),
              "the environment file example lacks %s", var)
    for want in ("PrivateUsers=yes", "NoNewPrivileges=yes",
                 "ProtectSystem=strict", "CapabilityBoundingSet=",
                 "StateDirectory=fixit", "StateDirectoryMode=0700"):
        check(want in lines, "no %s in fixitd.service", want)
    check(not any(ln.startswith("IPAddressDeny=") for ln in lines) and
          re.search(r"^# Network: IPAddressDeny= is not set", text, re.M),
          "IPAddressDeny=: set, or not set without saying why")


def test_container_files():
    with open(os.path.join(DEPLOY, "Containerfile")) as f:
        cf = f.read()
    users = re.findall(r"^USER (\S+)", cf, re.M)
    check(users and users[-1].split(":")[0] not in ("0", "root"),
          "the image runs as root: USER %r", users)
    check(re.search(r'^VOLUME \["/var/lib/fixit"\]', cf, re.M),
          "no volume for the database")
    check(not re.search(r"\.\./", cf), "the Containerfile reaches "
          "outside its build context")
    for name in (".containerignore", ".dockerignore"):
        path = os.path.join(h.SRC, name)
        check(os.path.exists(path), "no %s", name)
        if not os.path.exists(path):
            continue
        with open(path) as f:
            pats = [ln.strip() for ln in f
                    if ln.strip() and not ln.startswith("#")]
        for want in (".git", "build*"):
            check(want in pats, "%s does not exclude %s", name, want)


if __name__ == "__main__":
    h.run_tests(test_healthcheck, test_deploy_files, test_unit_install,
                test_container_files)

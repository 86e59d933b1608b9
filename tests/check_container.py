#!/usr/bin/env python3
"""check_container.py SRC - deploy/Containerfile builds from a clean tree.

With a working builder (podman, docker or buildah that answers, and the
base images already pulled: this machine reaches no image registry), the
image is built for real from SRC. Otherwise its steps are replayed on
this host, which is the Containerfile's base (Debian 12):

- the build context is a copy of SRC made with .containerignore (or
  .dockerignore) applied, so a step that reads something the ignore file
  leaves out (or anything outside the context: a sibling folder) fails;
- each stage gets a root of its own: a copy of /etc, the host's /usr
  under an overlay (what the stage writes there stays in the stage), a
  fresh /tmp, /var and /root; each RUN runs there with chroot in a mount
  namespace, as the stage's USER, in its WORKDIR, with its ENV;
- an `apt-get install` step is checked instead of run: its packages must
  be installed on the host (installed with apt-get when missing and this
  is CI), and the rest of that RUN (useradd, install -d ...) runs;
- COPY and COPY --from copy into the stage's root;
- then the image is started as the Containerfile says (ENTRYPOINT, CMD,
  USER, WORKDIR) in a network namespace of its own, its HEALTHCHECK must
  pass, and it must have made its database in the VOLUME.

Needs root (mount namespaces, chroot); otherwise says so and skips.
Prints "check_container: N passed, N failed".
"""

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SRC = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
CF = os.path.join(SRC, "deploy", "Containerfile")
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
passed = failed = 0


def ok(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s" % what)
        if detail:
            print("    " + detail.rstrip().replace("\n", "\n    ")[-4000:])
    return cond


def finish():
    print("check_container: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


# ---- the Containerfile ---------------------------------------------------

def parse(path):
    """[{name, base, steps: [(OP, text)]}] in order"""
    stages, cur, buf = [], None, ""
    with open(path) as f:
        lines = f.read().split("\n")
    for ln in lines:
        s = ln.strip()
        if s.startswith("#") or (not s and not buf):
            continue
        if s.endswith("\\"):
            buf += s[:-1] + " "
            continue
        s = (buf + s).strip()
        buf = ""
        if not s:
            continue
        op, _, rest = s.partition(" ")
        op = op.upper()
        rest = rest.strip()
        if op == "FROM":
            m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?$", rest, re.I)
            cur = {"base": m.group(1), "name": m.group(2) or str(len(stages)),
                   "steps": []}
            stages.append(cur)
        else:
            cur["steps"].append((op, rest))
    return stages


def exec_form(text):
    """a JSON exec form, else a shell form"""
    if text.startswith("["):
        return json.loads(text)
    return ["/bin/sh", "-c", text]


# ---- the build context -----------------------------------------------------

def ignore_rules(src):
    for name in (".containerignore", ".dockerignore"):
        p = os.path.join(src, name)
        if os.path.exists(p):
            with open(p) as f:
                pats = [ln.strip() for ln in f
                        if ln.strip() and not ln.strip().startswith("#")]
            return name, [compile_pattern(p) for p in pats]
    return None, []


def compile_pattern(pat):
    """Docker's rules: filepath.Match on the path from the context's root
    (* and ? stop at /), ** any number of folders, ! an exception"""
    neg = pat.startswith("!")
    pat = os.path.normpath(pat.lstrip("!").strip("/"))
    rx, i = "", 0
    while i < len(pat):
        if pat.startswith("**/", i):
            rx += "(?:.*/)?"
            i += 3
        elif pat.startswith("**", i):
            rx += ".*"
            i += 2
        elif pat[i] == "*":
            rx += "[^/]*"
            i += 1
        elif pat[i] == "?":
            rx += "[^/]"
            i += 1
        else:
            rx += re.escape(pat[i])
            i += 1
    return neg, re.compile(rx + "$")


def excluded(rel, rules):
    """rel or a folder above it matched; the last matching rule wins"""
    parts = rel.split("/")
    out = False
    for neg, rx in rules:
        for k in range(1, len(parts) + 1):
            if rx.match("/".join(parts[:k])):
                out = not neg
                break
    return out


def make_context(src, dst, rules):
    n = 0
    for top, dirs, files in os.walk(src):
        rel_top = os.path.relpath(top, src)
        rel_top = "" if rel_top == "." else rel_top + "/"
        dirs[:] = [d for d in dirs if not excluded(rel_top + d, rules)]
        os.makedirs(os.path.join(dst, rel_top), exist_ok=True)
        for d in dirs:
            os.makedirs(os.path.join(dst, rel_top + d), exist_ok=True)
        for f in files:
            rel = rel_top + f
            if excluded(rel, rules):
                continue
            s, d = os.path.join(src, rel), os.path.join(dst, rel)
            if os.path.islink(s):
                os.symlink(os.readlink(s), d)
            else:
                shutil.copy2(s, d)
            n += 1
    return n


# ---- a stage's root --------------------------------------------------------

class Root:
    def __init__(self, tmp, name):
        self.dir = os.path.join(tmp, "stage-" + name)
        self.up = os.path.join(tmp, "stage-" + name + ".usr-up")
        self.work = os.path.join(tmp, "stage-" + name + ".usr-work")
        for d in (self.dir, self.up, self.work):
            os.makedirs(d)
        shutil.copytree("/etc", os.path.join(self.dir, "etc"), symlinks=True)
        for d in ("usr", "dev", "proc", "tmp", "var/tmp", "root", "run"):
            os.makedirs(os.path.join(self.dir, d), exist_ok=True)
        os.chmod(os.path.join(self.dir, "tmp"), 0o1777)
        for d in ("bin", "lib", "lib32", "lib64", "sbin"):
            if os.path.islink("/" + d):
                os.symlink(os.readlink("/" + d), os.path.join(self.dir, d))
        self.env = {"PATH": PATH, "HOME": "/root"}
        self.user = "0:0"
        self.workdir = "/"

    def host(self, path):
        """where path of the stage is on the host (under /usr: the overlay's
        upper layer)"""
        path = os.path.normpath("/" + path)
        if path == "/usr" or path.startswith("/usr/"):
            return os.path.join(self.up, path[len("/usr/"):])
        return os.path.join(self.dir, path.lstrip("/"))

    def script(self, argv, net=False):
        """the sh script that mounts this root in a new namespace and runs
        argv in it"""
        r = shlex.quote(self.dir)
        mounts = [
            "mount -t overlay overlay -o lowerdir=/usr,upperdir=%s,"
            "workdir=%s %s/usr" % (shlex.quote(self.up),
                                   shlex.quote(self.work), r),
            "mount --rbind /dev %s/dev" % r,
            "mount -t proc proc %s/proc" % r,
        ]
        if net:
            mounts.append("ip link set lo up")
        env = ["%s=%s" % kv for kv in sorted(self.env.items())]
        cmd = ["chroot", "--userspec=" + self.user, self.dir, "env", "-i"] \
            + env + ["/bin/sh", "-c",
                     'cd "$0" && exec "$@"', self.workdir] + argv
        return "set -e\n" + "\n".join(mounts) + "\nexec " + \
            " ".join(shlex.quote(c) for c in cmd) + "\n"

    def run(self, argv, net=False, **kw):
        ns = ["unshare", "-m", "-n"] if net else ["unshare", "-m"]
        return subprocess.run(ns + ["sh", "-c", self.script(argv, net)],
                              stdin=subprocess.DEVNULL, **kw)


# ---- replaying the steps ---------------------------------------------------

def apt_packages(text):
    """the packages of an `apt-get install` in a RUN, and the rest of the
    && chain without the apt-get and apt lists steps"""
    pkgs, rest = [], []
    for part in text.split("&&"):
        p = part.strip()
        words = p.split()
        if words[:1] == ["apt-get"]:
            if "install" in words:
                pkgs += [w for w in words[words.index("install") + 1:]
                         if not w.startswith("-")]
            continue
        if p.startswith("rm -rf /var/lib/apt/lists"):
            continue
        rest.append(p)
    return pkgs, " && ".join(rest)


def not_installed(pkgs):
    return [p for p in pkgs if "install ok installed" not in
            subprocess.run(["dpkg-query", "-W", "-f=${Status}", p],
                           capture_output=True, text=True).stdout]


def ensure_packages(pkgs):
    """the packages not installed here (installed first when this is CI)"""
    missing = not_installed(pkgs)
    if missing and os.environ.get("CI"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq",
                        "--no-install-recommends"] + missing, env=env)
        missing = not_installed(missing)
    return missing


def copy_into(root, src, dest):
    """COPY src dest, src a host path"""
    if os.path.isdir(src):
        # entry by entry: what goes under /usr goes to the overlay's upper
        # layer
        os.makedirs(root.host(dest), exist_ok=True)
        for e in os.listdir(src):
            s = os.path.join(src, e)
            d = os.path.join(dest, e)
            if os.path.isdir(s) and not os.path.islink(s):
                copy_into(root, s, d)
            else:
                copy_into(root, s, os.path.dirname(d) + "/")
        return
    d = root.host(dest)
    if dest.endswith("/") or os.path.isdir(d):
        d = os.path.join(d, os.path.basename(src))
    os.makedirs(os.path.dirname(d), exist_ok=True)
    shutil.copy2(src, d)


def replay_stage(st, roots, ctx, tmp):
    root = Root(tmp, st["name"])
    roots[st["name"]] = root
    meta = {"user": "0:0", "healthcheck": None, "entrypoint": [],
            "cmd": [], "volumes": []}
    for op, text in st["steps"]:
        if op == "RUN":
            pkgs, rest = apt_packages(text)
            if pkgs:
                missing = ensure_packages(pkgs)
                ok(not missing, "%s: packages of the apt-get step not "
                   "installed here: %s" % (st["name"], " ".join(missing)))
                text = rest
            if not text:
                continue
            t0 = time.time()
            p = root.run(["/bin/sh", "-c", text], capture_output=True,
                         text=True, timeout=3000)
            ok(p.returncode == 0, "%s: RUN %s" % (st["name"], text[:200]),
               p.stdout[-3000:] + p.stderr[-3000:])
            print("check_container: %s: RUN %s... exit %d in %.0f s" % (
                st["name"], text[:50], p.returncode, time.time() - t0))
            if p.returncode != 0:
                return None
        elif op == "WORKDIR":
            root.workdir = os.path.join(root.workdir, text)
            os.makedirs(root.host(root.workdir), exist_ok=True)
        elif op == "ENV":
            k, _, v = text.partition("=")
            root.env[k.strip()] = v.strip()
        elif op == "USER":
            u, _, g = text.partition(":")
            root.user = "%s:%s" % (u, g or u)
        elif op == "COPY":
            args = shlex.split(text)
            frm = None
            while args[0].startswith("--"):
                if args[0].startswith("--from="):
                    frm = args[0].split("=", 1)[1]
                args.pop(0)
            *srcs, dest = args
            dest = os.path.normpath(os.path.join(root.workdir, dest))
            for s in srcs:
                if frm is None:
                    host = os.path.normpath(os.path.join(ctx, s))
                    ok(host.startswith(ctx), "COPY %s: outside the context"
                       % s)
                else:
                    host = roots[frm].host(s)
                ok(os.path.exists(host), "%s: COPY %s: not there" % (
                    st["name"], s))
                if os.path.exists(host):
                    copy_into(root, host,
                              dest + ("/" if os.path.isdir(host) else ""))
        elif op == "HEALTHCHECK":
            m = re.search(r"\bCMD\s+(.*)$", text)
            meta["healthcheck"] = exec_form(m.group(1)) if m else None
        elif op == "ENTRYPOINT":
            meta["entrypoint"] = exec_form(text)
        elif op == "CMD":
            meta["cmd"] = exec_form(text)
        elif op == "VOLUME":
            meta["volumes"] = exec_form(text) if text.startswith("[") \
                else text.split()
    return meta


def run_image(root, meta):
    """start it as the Containerfile says, in a network namespace; its
    HEALTHCHECK passes; its database is in the volume"""
    ok(meta["healthcheck"] is not None, "no HEALTHCHECK CMD")
    ok(root.user.split(":")[0] not in ("0", "root"), "the image runs as "
       "root")
    argv = meta["entrypoint"] + meta["cmd"]
    hc = meta["healthcheck"] or ["true"]
    # one namespace for both: the server in the background, the probe
    # retried until it answers (at most 30 s), then SIGTERM and wait
    inner = ("%s >/tmp/fixitd.log 2>&1 &\npid=$!\n"
             "i=0\nuntil %s; do i=$((i+1)); "
             "[ $i -lt 30 ] || { echo probe never passed; kill $pid; "
             "cat /tmp/fixitd.log; exit 1; }; sleep 1; done\n"
             "kill -TERM $pid\nwait $pid\necho fixitd exit $?\n") % (
                 " ".join(shlex.quote(a) for a in argv),
                 " ".join(shlex.quote(a) for a in hc))
    p = root.run(["/bin/sh", "-c", inner], net=True, capture_output=True,
                 text=True, timeout=120)
    ok(p.returncode == 0 and "fixitd exit 0" in p.stdout,
       "the image's fixitd with its HEALTHCHECK", p.stdout + p.stderr)
    vol = (meta["volumes"] or ["/nonexistent"])[0]
    db = root.host(os.path.join(vol, "fixit.db"))
    ok(os.path.exists(db), "no database in the volume %s" % vol)
    if os.path.exists(db):
        uid = root.user.split(":")[0]
        ok(str(os.stat(db).st_uid) == uid, "the database is not owned by "
           "the image's user %s" % uid)


# ---- a real builder --------------------------------------------------------

def builder():
    """a builder that answers and has the base images, or None"""
    bases = [st["base"] for st in parse(CF)]
    for tool in ("podman", "docker", "buildah"):
        exe = shutil.which(tool)
        if exe is None:
            continue
        info = subprocess.run([exe, "info"], capture_output=True,
                              timeout=60)
        if info.returncode != 0:
            print("check_container: %s does not answer" % tool)
            continue
        inspect = [exe, "image", "inspect"] if tool != "buildah" else \
            [exe, "inspect", "--type", "image"]
        have = all(subprocess.run(inspect + [b], capture_output=True,
                                  timeout=60).returncode == 0 for b in bases)
        if not have:
            print("check_container: %s lacks a base image (%s) and no "
                  "registry is reachable" % (tool, " ".join(bases)))
            continue
        return tool, exe
    return None


def build_for_real(tool, exe):
    argv = [exe, "build", "-f", CF, "-t", "fixit-ci", SRC]
    if tool in ("podman", "buildah"):
        argv[2:2] = ["--format", "docker"]
        if tool == "buildah":
            argv[1] = "bud"
    t0 = time.time()
    p = subprocess.run(argv, capture_output=True, text=True, timeout=3000)
    ok(p.returncode == 0, "%s build" % tool, p.stdout[-3000:] +
       p.stderr[-3000:])
    print("check_container: %s build: exit %d in %.0f s" % (
        tool, p.returncode, time.time() - t0))


def main():
    stages = parse(CF)
    ok(len(stages) >= 2, "a build stage and a runtime stage")
    b = builder()
    if b is not None:
        build_for_real(*b)
        finish()
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        print("check_container: no builder, and replaying needs root and "
              "unshare: skipped")
        finish()
    tmp = tempfile.mkdtemp(prefix="fixit-container-")
    try:
        ctx = os.path.join(tmp, "context")
        name, rules = ignore_rules(SRC)
        ok(name is not None, "no .containerignore or .dockerignore")
        n = make_context(SRC, ctx, rules)
        ok(not os.path.exists(os.path.join(ctx, ".git")),
           "the context has .git")
        ok(not any(d.startswith("build") for d in os.listdir(ctx)),
           "the context has a build folder")
        print("check_container: replaying %s (%d stages) on a context of "
              "%d files (%s applied)" % (CF, len(stages), n, name))
        roots, meta = {}, None
        for st in stages:
            meta = replay_stage(st, roots, ctx, tmp)
            if meta is None:
                break
        if meta is not None:
            run_image(roots[stages[-1]["name"]], meta)
    finally:
        subprocess.run(["rm", "-rf", tmp])
    finish()


if __name__ == "__main__":
    main()

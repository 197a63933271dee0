#!/usr/bin/env python3
"""The installed tree: `meson install --destdir` into a temporary directory holds the binaries,
both systemd units, the three man pages, the bash completion, the German catalogue and the data
files; the installed servent runs and speaks German from its installed catalogue; and
`systemd-analyze verify` accepts the installed system unit (when systemd-analyze is installed).
Usage: test-install.py BUILD_ROOT"""
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    build = sys.argv[1]
    failures = []

    def check(ok, what):
        if not ok:
            failures.append(what)

    dest = tempfile.mkdtemp(prefix="sv-install-")
    try:
        res = subprocess.run(["meson", "install", "-C", build, "--no-rebuild", "--quiet", "--destdir", dest],
                             capture_output=True, text=True, timeout=300)
        check(res.returncode == 0, f"meson install: {res.returncode} {res.stderr[-800:]!r}")
        intro = subprocess.run(["meson", "introspect", "--buildoptions", build], capture_output=True,
                               text=True, timeout=60)
        import json
        opts = {o["name"]: o["value"] for o in json.loads(intro.stdout)}
        prefix = dest + opts["prefix"]

        def under(rel):
            return os.path.join(prefix, rel)
        want = [
            (os.path.join(opts["bindir"], "servent"), True),
            (os.path.join(opts["sbindir"], "serventd"), True),
            ("lib/systemd/user/serventd.service", False),
            ("lib/systemd/system/serventd.service", False),
            (os.path.join(opts["mandir"], "man1/servent.1"), False),
            (os.path.join(opts["mandir"], "man8/serventd.8"), False),
            (os.path.join(opts["mandir"], "man5/servent.conf.5"), False),
            (os.path.join(opts["localedir"], "de/LC_MESSAGES/servent.mo"), False),
            (os.path.join(opts["datadir"], "servent/bootstrap.txt"), False),
            (os.path.join(opts["datadir"], "servent/hostiles.txt"), False),
        ]
        for rel, exe in want:
            p = under(rel)
            check(os.path.isfile(p) and (not exe or os.access(p, os.X_OK)), f"installed: {p}")
        comps = [os.path.join(r, f) for r, _, fs in os.walk(dest) for f in fs
                 if r.endswith("completions") and f == "servent"]
        check(len(comps) == 1, f"bash completion installed once: {comps}")
        with open(under(os.path.join(opts["mandir"], "man1/servent.1")), errors="replace") as f:
            man = f.read()
        check("sync add" in man and "EXIT STATUS" in man, "servent(1) covers sync and the exit statuses")

        servent = under(os.path.join(opts["bindir"], "servent"))
        env = dict(os.environ, LANGUAGE="de", LC_ALL="C.UTF-8",
                   SERVENT_LOCALEDIR=under(opts["localedir"]))
        res = subprocess.run([servent, "--help"], capture_output=True, text=True, env=env, timeout=30)
        check(res.returncode == 0 and res.stdout.startswith("Aufruf: servent"), f"installed servent in German: {res.stdout[:60]!r}")
        res = subprocess.run([servent, "--version"], capture_output=True, text=True, timeout=30)
        check(res.returncode == 0 and res.stdout.startswith("servent "), f"--version: {res.stdout!r}")

        if shutil.which("systemd-analyze") is None:
            print("systemd-analyze is not installed: the unit is not verified")
        else:
            # The unit as installed, with its paths pointed into the temporary tree (nothing is
            # installed under the real prefix), and its man pages found there.
            with open(under("lib/systemd/system/serventd.service")) as f:
                text = f.read().replace(opts["prefix"] + "/", prefix + "/")
            unit_dir = os.path.join(dest, "verify")
            os.makedirs(unit_dir)
            unit = os.path.join(unit_dir, "serventd.service")
            with open(unit, "w") as f:
                f.write(text)
            venv = dict(os.environ, MANPATH=under(opts["mandir"]))
            res = subprocess.run(["systemd-analyze", "verify", unit], capture_output=True, text=True,
                                 timeout=60, env=venv)
            check(res.returncode == 0 and not res.stderr.strip(),
                  f"systemd-analyze verify: {res.returncode} {res.stdout} {res.stderr}")
    finally:
        shutil.rmtree(dest, ignore_errors=True)
    for f in failures:
        print("FAIL:", f)
    print(f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The German catalogue built from po/de.po: servent's help and errors come out in German with
LANGUAGE=de, the exit statuses stay as documented, and what is data (decode's message lines,
protocol tokens) is never translated. Usage: test-i18n.py SERVENT LOCALEDIR FIXTURE"""
import os
import subprocess
import sys


def run(servent, args, lang, localedir):
    env = dict(os.environ, LC_ALL="C.UTF-8", SERVENT_LOCALEDIR=localedir)
    env.pop("LANG", None)
    if lang:
        env["LANGUAGE"] = lang
    else:
        env.pop("LANGUAGE", None)
    return subprocess.run([servent] + args, capture_output=True, text=True, env=env, timeout=30)


def main():
    servent, localedir, fixture = sys.argv[1:4]
    failures = []

    def check(ok, what):
        if not ok:
            failures.append(what)

    mo = os.path.join(localedir, "de", "LC_MESSAGES", "servent.mo")
    check(os.path.exists(mo), f"the build made no {mo}")
    de = run(servent, ["--help"], "de", localedir)
    en = run(servent, ["--help"], None, localedir)
    check(de.returncode == 0 and de.stdout.startswith("Aufruf: servent BEFEHL"), f"German help: {de.stdout[:80]!r}")
    check(en.stdout.startswith("Usage: servent COMMAND"), f"English help: {en.stdout[:80]!r}")
    # Subcommand names stay as they are typed.
    check(" search " in de.stdout and " downloads " in de.stdout, "command names translated in the help")
    res = run(servent, ["status", "--runtime-dir", "/nonexistent-servent"], "de", localedir)
    check(res.returncode == 4 and "kein Daemon unter /nonexistent-servent/control.sock" in res.stderr,
          f"German 'no daemon': {res.returncode} {res.stderr!r}")
    res = run(servent, ["get", "x y"], "de", localedir)
    check(res.returncode == 2 and "servent get --help" in res.stderr, f"German usage error: {res.returncode} {res.stderr!r}")
    # Data is not translated: decode prints the same lines in any language.
    a = run(servent, ["decode", fixture], "de", localedir)
    b = run(servent, ["decode", fixture], None, localedir)
    check(a.returncode == b.returncode and a.stdout == b.stdout and a.stdout, "decode output differs under LANGUAGE=de")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

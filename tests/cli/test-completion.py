#!/usr/bin/env python3
"""The bash completion shipped in data/: subcommands, a subcommand's options (read from the
built servent's --help), the actions of `servent downloads`, and an unknown word completing to
nothing. Usage: test-completion.py SERVENT"""
import os
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data",
                      "servent.bash-completion")


def complete(servent, words):
    """COMPREPLY for the command line @words (the last one being completed)."""
    line = " ".join(f"'{w}'" for w in words)
    prog = (f"source '{SCRIPT}'\n"
            f"COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}\n"
            "_servent\n"
            "printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    env = dict(os.environ, PATH=os.path.dirname(os.path.abspath(servent)) + os.pathsep + os.environ["PATH"])
    res = subprocess.run(["bash", "--norc", "--noprofile", "-c", prog], capture_output=True, text=True,
                         env=env, timeout=30)
    if res.returncode != 0:
        raise SystemExit(f"bash failed: {res.stderr}")
    return sorted(l for l in res.stdout.splitlines() if l)


def main():
    servent = sys.argv[1]
    failures = []
    cases = [
        (["servent", "se"], ["search"]),
        (["servent", "d"], ["decode", "downloads"]),
        (["servent", "search", "--ti"], ["--timeout"]),
        (["servent", "--runtime-dir", "/tmp", "get", "--no"], ["--no-wait"]),
        (["servent", "downloads", "pa"], ["pause"]),
        (["servent", "downloads", ""], ["cancel", "pause", "resume"]),
        (["servent", "status", "--j"], ["--json"]),
        (["servent", "share", "re"], ["remove", "rescan"]),
        (["servent", "sy"], ["sync"]),
        (["servent", "sync", ""], ["add", "list", "now", "remove"]),
        (["servent", "sync", "--de"], ["--delete"]),
        (["servent", "r"], ["results"]),
        (["servent", "zz"], []),
    ]
    for words, want in cases:
        got = complete(servent, words)
        if got != want:
            failures.append(f"{' '.join(words)!r}: {got}, expected {want}")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(cases) - len(failures)} of {len(cases)} completions right")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The control socket as a user meets it: a second serventd on a live daemon's runtime directory
refuses to start with one line and exit 1, before it joins the network; `servent status` on a
killed daemon's directory says there is no daemon (exit 4); the stale socket a killed daemon
left is replaced when it starts again; a hundred `servent` runs leave no descriptor behind in the
daemon."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def body(run):
    up = run.daemon("up", "ultrapeer", config={"network": {"ultrapeers": 2}})
    first = up.status()

    ip, port = run.new_endpoint()
    second = subprocess.run([run.serventd, "--config", up.config_path, "--state-dir",
                             os.path.join(run.dir, "second-state"), "--runtime-dir", up.runtime_dir,
                             "--listen", f"{ip}:{port}", "--lan", "--ultrapeer"],
                            capture_output=True, text=True, timeout=60, env=up.env)
    lines = second.stderr.strip().splitlines()
    run.check(second.returncode == 1, f"second daemon on a live control socket: exit {second.returncode}")
    run.check(len(lines) == 1 and lines[0].startswith("serventd: ") and up.runtime_dir in lines[0],
              f"second daemon on a live control socket: stderr {second.stderr!r}, expected one line "
              f"naming the socket")
    run.check(up.status()["guid"] == first["guid"], "the first daemon lost its control socket")

    # Every `servent` run opens its own control connection; none may stay open in the daemon.
    def fds():
        return len(os.listdir(f"/proc/{up.proc.pid}/fd"))
    up.status()
    before = fds()
    for i in range(100):
        run.cli(up, ["status"] if i % 2 else ["peers", "--json"])
    run.wait_for("the daemon's descriptors back to what they were",
                 lambda: fds() <= before, deadline=10, fatal=False)
    run.check(fds() <= before, f"100 servent runs left {fds() - before} descriptors open in the daemon")

    up.kill()
    res = run.cli(up, ["status"])
    run.check(res.returncode == 4, f"status of a killed daemon: exit {res.returncode}")
    run.check(res.stderr.startswith("servent: no daemon at ") and len(res.stderr.strip().splitlines()) == 1,
              f"status of a killed daemon: stderr {res.stderr!r}")
    run.check(os.path.exists(os.path.join(up.runtime_dir, "control.sock")),
              "the killed daemon left no socket (the stale-socket case is not exercised)")
    up.start()
    again = up.status()
    run.check(again["guid"] == first["guid"], f"the servent GUID changed across a restart: "
              f"{first['guid']} -> {again['guid']}")


if __name__ == "__main__":
    harness.Run("control").main(body)

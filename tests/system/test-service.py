#!/usr/bin/env python3
"""serventd as a service: under a service manager's $NOTIFY_SOCKET it says READY=1 (with its
MAINPID) only once its control socket answers and its port is bound, and STOPPING=1 on SIGTERM,
after which it sends Bye to its peers and exits 0; SIGHUP rescans the shared folders. The
system unit that meson builds passes `systemd-analyze security` with a low exposure (when
systemd-analyze is installed)."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

MAX_EXPOSURE = 2.0


def body(run):
    notify_path = os.path.join(run.dir, "notify.sock")
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ns.bind(notify_path)
    ns.settimeout(30)

    d = run.daemon("svc", "ultrapeer", start=False, shares=[("first tune.txt", os.urandom(500))],
                   config={"shares": {"watch": "false"}})
    d.env["NOTIFY_SOCKET"] = notify_path
    d.start(wait=False)
    msg = ns.recv(4096).decode()
    fields = dict(line.split("=", 1) for line in msg.splitlines() if "=" in line)
    run.check(fields.get("READY") == "1", f"first notice is not READY=1: {msg!r}")
    run.check(fields.get("MAINPID") == str(d.proc.pid), f"MAINPID {fields.get('MAINPID')}, pid {d.proc.pid}")
    # Ready means ready: the control socket and the Gnutella port answer at once.
    st = d.status(quiet=True)
    run.check(st is not None and st["port"] == d.port, f"status right after READY=1: {st}")
    with socket.create_connection((d.ip, d.port), timeout=5):
        pass
    d.wait_shares(1)

    # SIGHUP: the shares are rescanned (the folder is not watched here).
    d.add_file("second tune.txt", os.urandom(600))
    time.sleep(1)
    run.check(d.shares()["files"] == 1, "the unwatched folder changed the index before SIGHUP")
    d.proc.send_signal(signal.SIGHUP)
    d.wait_shares(2)

    # SIGTERM: STOPPING=1, Bye to a linked peer, exit 0.
    peer = harness.RawPeer(run, d)
    line, _ = peer.handshake(ultrapeer=True)
    run.check(line is not None and " 200" in line, f"raw peer accepted: {line}")
    time.sleep(0.5)
    d.proc.send_signal(signal.SIGTERM)
    msg = ns.recv(4096).decode()
    run.check("STOPPING=1" in msg, f"no STOPPING=1 on SIGTERM: {msg!r}")
    head, payload = peer.read_message(0x02, deadline=10)
    run.check(head is not None, "no Bye reached the peer on SIGTERM")
    if payload is not None:
        code = int.from_bytes(payload[:2], "little")
        run.check(200 <= code < 300, f"Bye code {code} on a clean stop")
    try:
        rc = d.proc.wait(20)
    except subprocess.TimeoutExpired:
        rc = None
    d.expected_exit = True
    run.check(rc == 0, f"exit status after SIGTERM: {rc}")
    peer.close()
    ns.close()

    # The hardened system unit.
    unit = os.path.join(os.path.dirname(os.path.abspath(run.serventd)), "..", "..", "data",
                        "serventd-system.service")
    run.check(os.path.exists(unit), f"the build made no system unit at {unit}")
    if shutil.which("systemd-analyze") is None:
        run.log("systemd-analyze is not installed: the unit's exposure is not measured")
        return
    tmp = os.path.join(run.dir, "unit")
    os.makedirs(tmp)
    shutil.copy(unit, os.path.join(tmp, "serventd.service"))
    res = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--no-pager", "serventd.service"],
                         cwd=tmp, capture_output=True, text=True, timeout=60)
    last = [l for l in res.stdout.splitlines() if "Overall exposure level" in l]
    run.check(last, f"systemd-analyze security printed no exposure: {res.stdout[-500:]!r} {res.stderr!r}")
    if last:
        level = float(last[0].split(":")[1].split()[0])
        run.log(last[0].strip())
        run.check(level <= MAX_EXPOSURE, f"the system unit's exposure is {level}, over {MAX_EXPOSURE}")


if __name__ == "__main__":
    harness.Run("service").main(body)

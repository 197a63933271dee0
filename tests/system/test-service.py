#!/usr/bin/env python3
"""serventd as a service: under a service manager's $NOTIFY_SOCKET it says READY=1 (with its
MAINPID) only once its control socket answers and its port is bound, and STOPPING=1 on SIGTERM,
after which it sends Bye to its peers and exits 0; SIGHUP rescans the shared folders and reads
servent.conf again (a broken one changes nothing). The
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

    # Its shared folder comes from servent.conf (no --share), so that SIGHUP can change it.
    conf_share = os.path.join(run.dir, "conf-share")
    os.makedirs(conf_share)
    with open(os.path.join(conf_share, "first tune.txt"), "wb") as f:
        f.write(os.urandom(500))
    d = run.daemon("svc", "ultrapeer", start=False,
                   config={"shares": {"watch": "false", "folders": conf_share}})
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
    with open(os.path.join(conf_share, "second tune.txt"), "wb") as f:
        f.write(os.urandom(600))
    time.sleep(1)
    run.check(d.shares()["files"] == 1, "the unwatched folder changed the index before SIGHUP")
    d.proc.send_signal(signal.SIGHUP)
    d.wait_shares(2)

    # SIGHUP also reads servent.conf again: a folder added to [shares] folders is shared, and a
    # broken file changes nothing (the daemon keeps running with what it has).
    extra = os.path.join(run.dir, "from-config")
    os.makedirs(extra)
    with open(os.path.join(extra, "third tune.txt"), "wb") as f:
        f.write(os.urandom(700))
    d.config["shares"]["folders"] = f"{conf_share};{extra}"
    d.write_config()
    d.proc.send_signal(signal.SIGHUP)
    run.wait_for("the folder named in servent.conf shared after SIGHUP",
                 lambda: os.path.realpath(extra) in d.shares()["folders"] and d.shares()["files"] == 3
                 and not d.shares()["scanning"], deadline=30)
    with open(d.config_path, "a") as f:
        f.write("[network]\nleaves=not-a-number\n")
    d.proc.send_signal(signal.SIGHUP)
    time.sleep(1)
    run.check(d.proc.poll() is None and d.status(quiet=True) is not None,
              "a broken servent.conf on SIGHUP stopped the daemon")
    with open(d.log_path, errors="replace") as f:
        log = f.read()
    run.check("the settings in use are kept" in log, "no warning about the broken servent.conf")
    d.write_config()

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

"""test-progress.py: the progress lines of `servent get` and `servent sync now --wait` are drawn
on standard error only when it is a terminal (a pseudo-terminal here), at most about ten times a
second, with percentage, rate and time left; in a pipe there is none and standard output still
says where the file went. The source is slowed by upload-rate so that there is progress to show.
"""
import base64
import hashlib
import os
import pty
import select
import subprocess
import time

import harness


def magnet(data, name, addr):
    urn = "urn:sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()
    return f"magnet:?xt={urn}&dn={name}&xl={len(data)}&xs=http://{addr}/uri-res/N2R?{urn}"


def under_pty(run, d, args, timeout=120):
    """Runs `servent ARGS` with stderr on a pseudo-terminal. Returns (exit, stdout, stderr, s)."""
    master, slave = pty.openpty()
    cmd = [run.servent, "--runtime-dir", d.runtime_dir] + args
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=slave, env=d.env)
    os.close(slave)
    err = b""
    end = t0 + timeout
    while time.monotonic() < end:
        r, _, _ = select.select([master], [], [], 0.5)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            err += chunk
        elif p.poll() is not None:
            break
    out = p.stdout.read().decode()
    p.wait(timeout=10)
    os.close(master)
    return p.returncode, out, err.decode(errors="replace"), time.monotonic() - t0


def body(run):
    data = os.urandom(2_000_000)
    s = run.daemon("S", role=None, shares=[("slow river.bin", data)],
                   config={"transfers": {"upload-rate": "256"}})
    d = run.daemon("D", role=None)
    s.wait_shares(1)
    code, out, err, secs = under_pty(run, d, ["get", magnet(data, "slow river.bin", s.addr)])
    run.check(code == 0 and out.strip().endswith("slow river.bin"), f"get under a pty: {code} {out!r} {err[-300:]!r}")
    draws = err.count("% of")
    run.log(f"get: {draws} redraws in {secs:.1f} s")
    run.check(draws >= 3 and "%" in err and "/s" in err and "ETA" in err, f"a progress bar on the terminal: {err[-400:]!r}")
    run.check(draws <= secs * 11 + 5, f"at most about ten redraws a second: {draws} in {secs:.1f} s")

    res = run.cli(d, ["get", magnet(data, "slow river again.bin", s.addr)], timeout=120)
    run.check(res.returncode == 0 and res.stdout.strip().endswith(".bin"), f"get in a pipe: {res.returncode} {res.stdout!r}")
    run.check("\r" not in res.stderr and "ETA" not in res.stderr, f"no progress bar in a pipe: {res.stderr[-300:]!r}")

    mirror = os.path.join(d.home, "mirror")
    res = run.cli(d, ["sync", "add", s.addr, mirror])
    run.check(res.returncode == 0, f"sync add: {res.stderr}")
    code, out, err, secs = under_pty(run, d, ["sync", "now", "1", "--wait"])
    run.check(code == 0 and "mirror" in out, f"sync now --wait under a pty: {code} {out!r}")
    run.check("syncing:" in err and "ETA" in err and "/s" in err and "%" in err,
              f"a progress bar while the mirror fetches: {err[-300:]!r}")
    run.check(err.count("\r") <= secs * 11 + 5, f"sync redraws: {err.count(chr(13))} in {secs:.1f} s")
    res = run.cli(d, ["sync", "now", "1", "--wait"], timeout=120)
    run.check(res.returncode == 0 and "syncing:" not in res.stderr and "\r" not in res.stderr,
              f"no progress line in a pipe: {res.stderr!r}")


if __name__ == "__main__":
    harness.Run("progress").main(body)

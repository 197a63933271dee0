"""test-sync.py: `servent sync`, a folder kept a mirror of another servent's share, with shipped
defaults (interval and all) except where a check needs a slow source.

Checked with real daemons on loopback:
  - `servent sync add HOST:PORT DIR` mirrors the source: every file arrives whole (SHA-1 checked
    here), a local file of the user's under a source file's name is kept and the source's copy
    placed beside it as NAME.sync-conflict-XXXXXXXX.EXT, reported in `sync list --json`;
    a user file the source does not have is never touched; nothing is left staged;
  - a file renamed at the source is renamed in the mirror and not fetched again (the source's
    upload byte counter barely moves);
  - without --delete a file the source dropped stays; with --delete it goes, and a file the user
    put in the mirror stays; a source that shares nothing at all deletes nothing;
  - a sync killed with SIGKILL mid-fetch finishes after a restart: the file completes, the bytes
    already here are not fetched again, and files placed before the kill are not fetched again;
    a second source file under a name already taken is left out and reported;
  - errors: a bad source, a second sync of one folder, an unknown sync number or action, a
    missing folder, `results` with no search, no daemon running; each with its documented exit
    status.
"""
import base64
import hashlib
import json
import os
import signal
import socket
import time

import harness


def sha1(data):
    return hashlib.sha1(data).digest()


def conflict_name(name, data):
    stem, dot, ext = name.rpartition(".")
    tag = base64.b32encode(sha1(data)).decode()[:8]
    return f"{stem}.sync-conflict-{tag}.{ext}"


def read(path):
    with open(path, "rb") as f:
        return f.read()


def syncs(run, d):
    p = run.cli(d, ["sync", "list", "--json"])
    run.check(p.returncode == 0, f"sync list --json: {p.returncode} {p.stderr}")
    return {s["id"]: s for s in json.loads(p.stdout)}


def wait_run(run, d, sid, runs_before, deadline=90):
    def done():
        s = syncs(run, d).get(sid)
        return s if s and s["runs"] > runs_before and s["state"] == "idle" else None
    return run.wait_for(f"sync {sid} on {d.name} to finish a run", done, deadline=deadline)


def sync_now(run, d, sid):
    p = run.cli(d, ["sync", "now", str(sid), "--wait"], timeout=120)
    run.check(p.returncode == 0, f"sync now {sid} --wait: {p.returncode} {p.stdout} {p.stderr}")
    return syncs(run, d)[sid]


def browse(d):
    """The raw browse-host answer of @d (its QueryHits)."""
    with socket.create_connection((d.ip, d.port), timeout=10) as c:
        c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nAccept: application/x-gnutella-packets\r\n"
                  b"Connection: close\r\n\r\n")
        data = b""
        while True:
            chunk = c.recv(65536)
            if not chunk:
                return data
            data += chunk


def upload_bytes(d):
    return d.status()["transfers"]["upload_bytes"]


def body(run):
    alpha = os.urandom(300_000)
    beta = os.urandom(60_000)
    gamma = os.urandom(40_000)
    mine = b"the user's own beta\n"
    s = run.daemon("S", role=None, shares=[("alpha.bin", alpha), ("beta.bin", beta),
                                          ("sub/gamma.bin", gamma)])
    m = run.daemon("M", role=None)
    s.wait_shares(3)

    # The mirror folder already holds the user's files.
    mirror = os.path.join(m.home, "mirror")
    os.makedirs(mirror)
    with open(os.path.join(mirror, "beta.bin"), "wb") as f:
        f.write(mine)
    with open(os.path.join(mirror, "notes.txt"), "wb") as f:
        f.write(b"keep me\n")

    p = run.cli(m, ["sync", "add", s.addr, mirror])
    run.check(p.returncode == 0 and mirror in p.stdout, f"sync add: {p.returncode} {p.stdout} {p.stderr}")
    sid = max(syncs(run, m))
    st = wait_run(run, m, sid, 0)
    run.check(read(os.path.join(mirror, "alpha.bin")) == alpha, "alpha mirrored whole")
    run.check(read(os.path.join(mirror, "gamma.bin")) == gamma, "gamma (in a subfolder at the source) mirrored")
    run.check(read(os.path.join(mirror, "beta.bin")) == mine, "the user's beta.bin is kept")
    cpath = os.path.join(mirror, conflict_name("beta.bin", beta))
    run.check(os.path.exists(cpath) and read(cpath) == beta, f"the source's beta is beside it as {cpath}")
    run.check(read(os.path.join(mirror, "notes.txt")) == b"keep me\n", "a file the source lacks stays")
    run.check(st["conflicts"] == 1 and st["pending"] == 0 and st["last_error"] is None
              and st["files"] == 3 and st["interval_s"] == 300, f"sync list after the first run: {st}")
    staged = os.path.join(mirror, ".servent-sync")
    run.check(not os.path.isdir(staged) or os.listdir(staged) == [], f"nothing left staged: {staged}")
    p = run.cli(m, ["sync", "list"])
    run.check(p.returncode == 0 and "1 conflicts" in p.stdout and s.addr in p.stdout,
              f"sync list (text): {p.stdout}")
    p = run.cli(m, ["downloads", "--json"])
    run.check(p.returncode == 0 and json.loads(p.stdout)["downloads"] == [],
              f"the mirror's downloads are forgotten once placed: {p.stdout}")

    # A rename at the source is a rename here.
    before = upload_bytes(s)
    os.rename(os.path.join(s.share_dir, "alpha.bin"), os.path.join(s.share_dir, "alpha renamed.bin"))
    run.wait_for("S to index the rename", lambda: b"alpha renamed.bin" in browse(s), deadline=30)
    st = sync_now(run, m, sid)
    run.check(os.path.exists(os.path.join(mirror, "alpha renamed.bin"))
              and not os.path.exists(os.path.join(mirror, "alpha.bin")),
              f"renamed in the mirror: {sorted(os.listdir(mirror))}")
    run.check(read(os.path.join(mirror, "alpha renamed.bin")) == alpha, "the renamed file is alpha")
    sent = upload_bytes(s) - before
    run.check(sent < len(alpha) // 2, f"the rename fetched nothing again: {sent} bytes sent")

    # Without --delete a dropped file stays.
    os.unlink(os.path.join(s.share_dir, "sub", "gamma.bin"))
    run.wait_for("S to drop gamma", lambda: b"gamma.bin" not in browse(s), deadline=30)
    st = sync_now(run, m, sid)
    run.check(os.path.exists(os.path.join(mirror, "gamma.bin")), "without --delete gamma stays")

    # With --delete it goes; the user's own file stays.
    mirror2 = os.path.join(m.home, "mirror2")
    p = run.cli(m, ["sync", "add", "--delete", s.addr, mirror2])
    run.check(p.returncode == 0, f"sync add --delete: {p.stderr}")
    sid2 = max(syncs(run, m))
    wait_run(run, m, sid2, 0)
    with open(os.path.join(mirror2, "mine.txt"), "wb") as f:
        f.write(b"mine\n")
    run.check(read(os.path.join(mirror2, "beta.bin")) == beta, "mirror2 has beta")
    os.unlink(os.path.join(s.share_dir, "beta.bin"))
    run.wait_for("S to drop beta", lambda: b"beta.bin" not in browse(s), deadline=30)
    sync_now(run, m, sid2)
    run.check(not os.path.exists(os.path.join(mirror2, "beta.bin")), "with --delete beta is gone")
    run.check(os.path.exists(os.path.join(mirror2, "mine.txt")), "with --delete the user's file stays")
    # A source that shares nothing at all (one starting up, say) deletes nothing.
    os.unlink(os.path.join(s.share_dir, "alpha renamed.bin"))
    run.wait_for("S to share nothing", lambda: b"alpha" not in browse(s), deadline=30)
    p = run.cli(m, ["sync", "now", str(sid2), "--wait"], timeout=120)
    run.check(p.returncode == 5 and "shares no file" in p.stdout, f"empty source: {p.returncode} {p.stdout}")
    run.check(os.path.exists(os.path.join(mirror2, "alpha renamed.bin")), "an empty source deleted nothing")

    # Errors.
    p = run.cli(m, ["sync", "add", "not a source", mirror2 + "x"])
    run.check(p.returncode == 6 and "host:port" in p.stderr, f"bad source: {p.returncode} {p.stderr}")
    p = run.cli(m, ["sync", "add", s.addr, mirror2])
    run.check(p.returncode == 6 and "already" in p.stderr, f"folder mirrored twice: {p.returncode} {p.stderr}")
    p = run.cli(m, ["sync", "remove", "999"])
    run.check(p.returncode == 3 and "999" in p.stderr, f"unknown sync: {p.returncode} {p.stderr}")
    p = run.cli(m, ["sync", "now", "999"])
    run.check(p.returncode == 3, f"sync now unknown: {p.returncode} {p.stderr}")
    p = run.cli(m, ["results"])
    run.check(p.returncode == 3 and "no search" in p.stderr, f"results with no search: {p.returncode} {p.stderr}")
    p = run.cli(m, ["results", "extra"])
    run.check(p.returncode == 2, f"results with an argument: {p.returncode} {p.stderr}")
    p = run.cli(m, ["sync", "frobnicate"])
    run.check(p.returncode == 2 and "sync --help" in p.stderr, f"unknown sync action: {p.returncode} {p.stderr}")
    p = run.cli(m, ["sync", "add", s.addr])
    run.check(p.returncode == 2, f"sync add without a folder: {p.returncode} {p.stderr}")
    p = run.cli(m, ["sync", "remove", str(sid2)])
    run.check(p.returncode == 0 and sid2 not in syncs(run, m), f"sync remove: {p.stderr}")
    run.check(os.path.exists(os.path.join(mirror2, "mine.txt")), "remove leaves the folder's files")

    # SIGKILL mid-fetch, then a restart: the run completes without fetching again.
    big = os.urandom(6 * 1024 * 1024)
    small = os.urandom(20_000)
    slow = run.daemon("SLOW", role=None, shares=[("big.bin", big), ("small.bin", small),
                                                ("again/small.bin", small)],
                      config={"transfers": {"upload-rate": "256"}})
    slow.wait_shares(3)
    mirror3 = os.path.join(m.home, "mirror3")
    p = run.cli(m, ["sync", "add", slow.addr, mirror3])
    run.check(p.returncode == 0, f"sync add (slow source): {p.stderr}")
    sid3 = max(syncs(run, m))
    run.wait_for("small.bin placed", lambda: os.path.exists(os.path.join(mirror3, "small.bin")), deadline=60)

    def some_big():
        p = run.cli(m, ["downloads", "--json"])
        ds = json.loads(p.stdout)["downloads"] if p.returncode == 0 else []
        return any(d["size"] == len(big) and d["done"] >= 1024 * 1024 for d in ds)
    run.wait_for("1 MiB of big.bin here", some_big, deadline=60)
    m.stop(sig=signal.SIGKILL)
    before = upload_bytes(slow)
    m.start()
    run.wait_for("big.bin placed after the restart",
                 lambda: os.path.exists(os.path.join(mirror3, "big.bin")), deadline=90)
    run.check(read(os.path.join(mirror3, "big.bin")) == big, "big.bin whole after the kill")
    run.check(read(os.path.join(mirror3, "small.bin")) == small, "small.bin still there")
    sent = upload_bytes(slow) - before
    run.check(sent < len(big) - 512 * 1024,
              f"after the restart only what was missing came: {sent} of {len(big)} bytes")
    st = run.wait_for("the resumed run to end clean",
                      lambda: (lambda x: x if x["state"] == "idle" and x["pending"] == 0 and x["runs"] >= 1 else None)(syncs(run, m)[sid3]),
                      deadline=60)
    run.check(st["last_error"] is None and st["files"] == 2 and st["skipped"] == 1,
              f"resumed run (a second small.bin left out): {st}")
    p = run.cli(m, ["sync", "list"])
    run.check("1 source files left out" in p.stdout, f"sync list says what was left out: {p.stdout}")

    m.stop()
    p = run.cli(m, ["sync", "list"])
    run.check(p.returncode == 4, f"sync list without a daemon: {p.returncode} {p.stderr}")


if __name__ == "__main__":
    harness.Run("sync").main(body)

#!/usr/bin/env python3
"""`servent share` against a real daemon: a folder added at run time is indexed, watched and
served; a configured folder removed at run time stops being served; the changes survive a
restart while servent.conf stays untouched; and every mistake gets its exit status (already
shared, not a folder, the state directory, not shared, no daemon)."""
import base64
import hashlib
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def urn_of(data):
    return "urn:sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def fetch_status(d, data):
    """The HTTP status of GET by URN for @data on @d's port."""
    with socket.create_connection((d.ip, d.port), timeout=10) as c:
        c.sendall(f"GET /uri-res/N2R?{urn_of(data)} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        head = b""
        while b"\r\n" not in head:
            chunk = c.recv(4096)
            if not chunk:
                break
            head += chunk
    return int(head.split()[1]) if head else None


def body(run):
    apple, banana, cherry = os.urandom(1500), os.urandom(1600), os.urandom(1700)
    s = run.daemon("S", role=None, shares=[("apple configured.txt", apple)])
    s.wait_shares(1)
    with open(s.config_path, "rb") as f:
        config_before = f.read()
    added = os.path.join(run.dir, "added")
    os.makedirs(added)
    with open(os.path.join(added, "banana added.txt"), "wb") as f:
        f.write(banana)

    def share(*args):
        return run.cli(s, ["share"] + list(args))

    def folders():
        return s.shares()["folders"]

    res = share("add", added)
    run.check(res.returncode == 0 and "sharing" in res.stdout, f"share add: {res.returncode} {res.stderr!r}")
    run.check(os.path.realpath(added) in folders(), f"added folder not listed: {folders()}")
    s.wait_shares(2)
    run.wait_for("the added folder's file served", lambda: fetch_status(s, banana) == 200, deadline=20)
    # Watched like the others: a new file in it is indexed without a rescan.
    with open(os.path.join(added, ".incoming"), "wb") as f:
        f.write(cherry)
    os.rename(os.path.join(added, ".incoming"), os.path.join(added, "cherry live.txt"))
    s.n_files += 1
    s.wait_shares(3)

    # Mistakes.
    res = share("add", added)
    run.check(res.returncode == 6 and "already shared" in res.stderr, f"add twice: {res.returncode} {res.stderr!r}")
    res = share("add", os.path.join(run.dir, "no-such-folder"))
    run.check(res.returncode == 6 and "not a folder" in res.stderr, f"add missing: {res.returncode} {res.stderr!r}")
    res = share("add", s.state_dir)
    run.check(res.returncode == 6 and "state directory" in res.stderr, f"add state dir: {res.returncode} {res.stderr!r}")
    res = share("frobnicate")
    run.check(res.returncode == 2 and "servent share --help" in res.stderr, f"share frobnicate: {res.returncode}")
    res = share("add")
    run.check(res.returncode == 2, f"share add without a folder: {res.returncode}")

    # Removing the configured folder.
    res = share("remove", s.share_dir)
    run.check(res.returncode == 0, f"share remove: {res.returncode} {res.stderr!r}")
    run.wait_for("the removed folder's file no longer indexed", lambda: s.shares()["files"] == 2
                 and not s.shares()["scanning"], deadline=30)
    run.check(fetch_status(s, apple) == 404, "a file of the removed folder is still served")
    res = share("remove", s.share_dir)
    run.check(res.returncode == 3 and "not shared" in res.stderr, f"remove twice: {res.returncode} {res.stderr!r}")

    # Across a restart: the run-time changes hold, servent.conf is untouched.
    s.stop()
    s.start()
    run.check(sorted(folders()) == [os.path.realpath(added)], f"folders after a restart: {folders()}")
    with open(s.config_path, "rb") as f:
        run.check(f.read() == config_before, "servent.conf was rewritten")
    run.check(os.path.exists(os.path.join(s.state_dir, "shares.ini")), "no shares.ini in the state directory")
    run.wait_for("banana served after the restart", lambda: fetch_status(s, banana) == 200, deadline=20)
    run.check(fetch_status(s, apple) == 404, "the removed folder came back after a restart")

    # Back again, then a rescan that waits; list as JSON.
    res = share("add", s.share_dir)
    run.check(res.returncode == 0, f"share add back: {res.returncode} {res.stderr!r}")
    res = share("rescan", "--wait")
    run.check(res.returncode == 0 and "3 files shared" in res.stdout, f"rescan --wait: {res.returncode} {res.stdout!r}")
    run.check(fetch_status(s, apple) == 200, "the configured folder added back is not served")
    res = share("list", "--json")
    run.check(res.returncode == 0 and '"folders"' in res.stdout, f"share list --json: {res.returncode}")

    s.stop()
    res = share("list")
    run.check(res.returncode == 4, f"share list with no daemon: {res.returncode}")


if __name__ == "__main__":
    harness.Run("share").main(body)

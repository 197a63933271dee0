#!/usr/bin/env python3
"""Reconnecting sanely: a leaf (default role) whose only ultrapeer goes away for a while and comes
back is linked to it again within 30 s of the restart, and its attempts while the ultrapeer is
down stay spaced (jittered, never more than a few a minute). An ultrapeer that refuses with 503
(full) is retried as a busy host: the leaf links once a place frees up."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

DOWN_SECONDS = 45
RELINK_WITHIN = 30


def connects_logged(d):
    """The number of attempts the daemon logged as failed connections so far."""
    with open(d.log_path, errors="replace") as f:
        return sum(1 for line in f if "connection to " in line and " failed" in line)


def body(run):
    up = run.daemon("up", "ultrapeer", shares=[("comeback pear.txt", os.urandom(900))])
    leaf = run.daemon("leaf", "auto", peers=[up], shares=[("comeback plum.txt", os.urandom(800))])
    run.wait_connected(leaf, up)

    # The ultrapeer goes away for DOWN_SECONDS, then comes back at the same address.
    up.stop()
    failed_before = connects_logged(leaf)
    time.sleep(DOWN_SECONDS)
    attempts = connects_logged(leaf) - failed_before
    run.log(f"the leaf logged {attempts} failed attempts in {DOWN_SECONDS} s")
    run.check(attempts >= 2, f"the leaf tried its only ultrapeer {attempts} times in {DOWN_SECONDS} s")
    run.check(attempts <= DOWN_SECONDS // 5,
              f"the leaf hammered its only ultrapeer: {attempts} attempts in {DOWN_SECONDS} s")
    # It comes back without its host cache, so that it cannot dial the leaf itself: the link
    # that forms is the leaf's own attempt.
    for name in os.listdir(up.state_dir):
        if name.startswith("hosts.db"):
            os.unlink(os.path.join(up.state_dir, name))
    restarted = time.monotonic()
    up.start()
    run.wait_for("the leaf linked to the restarted ultrapeer",
                 lambda: leaf.linked_to(up) is not None, deadline=RELINK_WITHIN + 10, fatal=False)
    took = time.monotonic() - restarted
    run.log(f"linked again {took:.1f} s after the restart")
    run.check(leaf.linked_to(up) is not None and took <= RELINK_WITHIN,
              f"the leaf took {took:.1f} s to link again, more than {RELINK_WITHIN} s")
    p = up.linked_to(leaf)
    run.check(p is not None and p.get("direction") == "in",
              f"the new link was not the leaf's attempt: {p}")
    code, hits, _ = leaf.search("comeback pear", timeout=6)
    run.check(code == 0 and any(h.get("address") == up.addr for h in hits),
              f"after relinking, the leaf's search did not find the ultrapeer's file: {hits}")

    # A full ultrapeer: the newcomer is refused (503) and retried as busy, soon.
    full = run.daemon("full", "ultrapeer", config={"network": {"leaves": 1}})
    first = run.daemon("first", "leaf", peers=[full])
    run.wait_connected(first, full)
    second = run.daemon("second", "leaf", peers=[full])
    run.wait_for("the second leaf refused as busy at least once",
                 lambda: second.status()["admission"]["retries_busy"] >= 1, deadline=30)
    first.stop()
    freed = time.monotonic()
    run.wait_for("the second leaf taking the freed place", lambda: second.linked_to(full) is not None,
                 deadline=RELINK_WITHIN + 10)
    run.log(f"the busy leaf linked {time.monotonic() - freed:.1f} s after a place freed up")


if __name__ == "__main__":
    harness.Run("reconnect").main(body)

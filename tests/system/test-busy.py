#!/usr/bin/env python3
"""Finding other hosts: a full ultrapeer answers 503 with X-Try-Ultrapeers and a newcomer seeded
with it alone ends up on a host from that list; a leaf whose ultrapeer dies moves to another one
from its host cache; a daemon restarted without --peer reconnects from its persisted host cache."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def try_hosts(headers):
    v = headers.get("x-try-ultrapeers", "")
    return [h.strip() for h in v.split(",") if h.strip()]


def body(run):
    # --- 503 and X-Try-Ultrapeers ---
    full = run.daemon("full", "ultrapeer", config={"network": {"ultrapeers": 1, "leaves": 1}})
    other = run.daemon("other", "ultrapeer", peers=[full], config={"network": {"ultrapeers": 2, "leaves": 4}})
    run.wait_connected(full, other)
    leaf = run.daemon("leaf0", "leaf", peers=[full], config={"network": {"leaf-ultrapeers": 1}})
    run.wait_connected(full, leaf)

    def full_counts():
        p = full.status()["peers"]
        return p["ultrapeers"] == 1 and p["leaves"] == 1
    run.wait_for("full ultrapeer holding one ultrapeer and one leaf", full_counts)

    busy_before = full.counters()["refused_busy"]
    for as_up in (True, False):
        raw = harness.RawPeer(run, full)
        status, headers = raw.handshake(ultrapeer=as_up)
        kind = "ultrapeer" if as_up else "leaf"
        run.check(status is not None and status.startswith("GNUTELLA/0.6 503"),
                  f"full ultrapeer answered a {kind} with {status!r}, expected 503")
        hosts = try_hosts(headers)
        run.check("x-try-ultrapeers" in headers, f"503 to a {kind} without X-Try-Ultrapeers: {headers}")
        run.check(other.addr in hosts, f"X-Try-Ultrapeers {hosts} does not name {other.addr}")
        run.check(full.addr not in hosts, f"X-Try-Ultrapeers {hosts} names the busy host itself")
        run.check(raw.closed_by_peer(30), f"full ultrapeer kept the refused {kind} connection open")
        raw.close()
    run.wait_for("refused_busy counted", lambda: full.counters()["refused_busy"] >= busy_before + 2,
                 fatal=False)

    newcomer = run.daemon("newcomer", "leaf", peers=[full], config={"network": {"leaf-ultrapeers": 1}})
    run.wait_for("the newcomer connected to a host the busy one named",
                 lambda: newcomer.linked_to(other), deadline=90)
    run.check(full.linked_to(newcomer) is None, "the full ultrapeer took the newcomer anyway")
    run.check(full.counters()["refused_busy"] >= busy_before + 3, "the newcomer's 503 not counted")

    # --- a dead ultrapeer is replaced from the host cache ---
    u1 = run.daemon("u1", "ultrapeer", config={"network": {"ultrapeers": 4, "leaves": 4}})
    u2 = run.daemon("u2", "ultrapeer", peers=[u1], config={"network": {"ultrapeers": 4, "leaves": 4}})
    run.wait_connected(u1, u2)
    mover = run.daemon("mover", "leaf", peers=[u1], config={"network": {"leaf-ultrapeers": 1}})
    run.wait_connected(mover, u1)
    run.wait_for("the leaf knowing at least 2 hosts", lambda: mover.status()["host_cache"] >= 2)
    if mover.linked_to(u2) is None:
        u1.kill()
        res = run.cli(u1, ["status"])
        run.check(res.returncode == 4 and "no daemon at" in res.stderr,
                  f"status of a killed daemon: exit {res.returncode}, stderr {res.stderr!r}")
        run.wait_for("the leaf moved to the other ultrapeer", lambda: mover.linked_to(u2), deadline=90)
        run.check(mover.linked_to(u1) is None, "the leaf still lists the killed ultrapeer")
    else:
        run.check(False, f"the leaf with leaf-ultrapeers=1 holds two ultrapeers: {mover.peer_addrs()}")
        u1.kill()

    # --- the host cache survives a restart ---
    run.check(mover.stop() == 0, "the leaf did not exit 0 on SIGTERM")
    run.check(os.path.exists(os.path.join(mover.state_dir, "hosts.db")), "no hosts.db in the state dir")
    mover.start(peers=[])
    run.check(mover.status()["host_cache"] >= 1, "the restarted leaf has an empty host cache")
    run.wait_for("the restarted leaf reconnecting from its host cache",
                 lambda: mover.linked_to(u2), deadline=90)


if __name__ == "__main__":
    harness.Run("busy").main(body)

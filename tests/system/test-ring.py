#!/usr/bin/env python3
"""Five ultrapeers in a ring: one search floods both ways round; every servent handles the query
exactly once, the copies that come round the other way are counted as duplicates, and each
servent answers once."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

N = 5


def body(run):
    ring = []
    # Each keeps exactly two ultrapeer links and is started with its successor as seed. The
    # addresses learnt from pongs and X-Try-Ultrapeers would let chords form while the ring is
    # incomplete (ultrapeers= sets both the minimum and the maximum), so each daemon's hostile
    # list names the two servents that are not its neighbours: only the ring's links can form.
    # (The hits of those two are then dropped by the searcher: only its neighbours' come back.)
    for i in range(N):
        ring.append(run.daemon(f"r{i}", "ultrapeer", shares=[(f"common ring{i} file.txt", os.urandom(500 + i))],
                               config={"network": {"ultrapeers": 2, "leaves": 4}}, start=False))
    for i, d in enumerate(ring):
        d.peers = [ring[(i + 1) % N]]
        d.hostiles = [ring[(i + k) % N].ip for k in (2, 3)]
    for d in ring:
        d.start(wait=False)
    for d in ring:
        run.wait_for(f"{d.name} answering", lambda d=d: d.status(quiet=True))
        d.wait_shares(1)

    def ring_formed():
        lists = [d.peer_list() for d in ring]
        return all(len(l) == 2 and all(p.get("role") == "ultrapeer" for p in l) for l in lists)
    run.wait_for("every servent with two ultrapeer links", ring_formed, deadline=90)
    run.wait_for("QRP tables between the ultrapeers", lambda: all(
        all(p.get("qrp_table") for p in d.peer_list()) for d in ring), fatal=False)

    before = [d.counters() for d in ring]
    code, hits, res = ring[0].search("common", ttl=4, timeout=8)
    after = [d.counters() for d in ring]
    run.check(code == 0, f"search exit {code}: {res.stderr.strip()!r}")
    for i, d in enumerate(ring[1:], start=1):
        delta = after[i]["queries_handled"] - before[i]["queries_handled"]
        run.check(delta == 1, f"{d.name} handled the query {delta} times, expected once")
        run.check(after[i]["queries_received"] - before[i]["queries_received"] >= 1,
                  f"{d.name} received no query")
    own = after[0]["queries_handled"] - before[0]["queries_handled"]
    run.check(own <= 1, f"the searching servent handled its own query {own} times")
    dups = sum(after[i]["queries_duplicate"] - before[i]["queries_duplicate"] for i in range(N))
    run.check(dups > 0, "no servent counted a duplicate copy of the query that went round the ring")
    dropped_dups = sum(after[i]["dropped"].get("duplicate", 0) - before[i]["dropped"].get("duplicate", 0)
                       for i in range(N))
    run.check(dropped_dups > 0, f"dropped{{duplicate}} did not move: {[a['dropped'] for a in after]}")
    got = sorted(h["address"] for h in hits)
    expect = sorted([ring[1].addr, ring[N - 1].addr])
    run.check(got == expect, f"hits from {got}, expected one from each neighbour {expect}")
    for i in (1, N - 1):
        run.check(ring[i].linked_to(ring[0]) is not None, f"{ring[i].name} not linked to r0")
    run.check(ring_formed(), "the ring lost a link during the search")


if __name__ == "__main__":
    harness.Run("ring").main(body)

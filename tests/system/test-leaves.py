#!/usr/bin/env python3
"""One ultrapeer with three leaves sharing different files. The ultrapeer only passes a query to
the leaves whose QRP table admits it; a leaf finds another leaf's file through the ultrapeer; a
file dropped later into a leaf's share folder becomes findable once its table update went up."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def body(run):
    # The ultrapeer starts once the leaves have indexed their files, so that the first QRP table
    # each leaf sends already holds its file (the later updates are the live-sync part below).
    up = run.daemon("up", "ultrapeer", config={"network": {"ultrapeers": 2, "leaves": 8}}, start=False)
    files = {
        "l1": [("aardvark burrow.txt", os.urandom(1200))],
        "l2": [("bumblebee hive.txt", os.urandom(1300))],
        "l3": [("chinchilla fur.txt", os.urandom(1400))],
    }
    leaves = []
    for name in ("l1", "l2", "l3"):
        leaves.append(run.daemon(name, "leaf", peers=[up], shares=files[name],
                                 config={"network": {"leaf-ultrapeers": 1}}))
    l1, l2, l3 = leaves
    for leaf in leaves:
        leaf.wait_shares(1)
    up.start()
    for leaf in leaves:
        run.wait_connected(leaf, up, deadline=90)
        run.check(leaf.status()["role"] == "leaf", f"{leaf.name} is not a leaf")
    run.check(up.status()["role"] == "ultrapeer", "up is not an ultrapeer")

    def tables_in():
        ps = up.peer_list()
        return len(ps) == 3 and all(p["role"] == "leaf" and p["qrp_table"] for p in ps)
    run.wait_for("the QRP tables of the three leaves at the ultrapeer", tables_in)
    run.check(up.counters()["qrp_tables_received"] >= 3, "qrp_tables_received below 3")
    for leaf in leaves:
        run.check(leaf.counters()["qrp_tables_sent"] >= 1, f"{leaf.name} sent no QRP table")

    # A query that matches only leaf 1's file, from the ultrapeer.
    before = {d.name: d.counters() for d in leaves + [up]}
    code, hits, res = up.search("aardvark", timeout=8)
    after = {d.name: d.counters() for d in leaves + [up]}
    run.check(code == 0, f"aardvark from the ultrapeer: exit {code}: {res.stderr.strip()!r}")
    run.check([h["address"] for h in hits] == [l1.addr], f"aardvark hits {hits}")
    rx = {n: after[n]["queries_received"] - before[n]["queries_received"] for n in ("l1", "l2", "l3")}
    run.check(rx["l1"] >= 1, f"leaf 1 did not receive the query: {rx}")
    run.check(rx["l2"] == 0 and rx["l3"] == 0, f"the query reached leaves whose table refuses it: {rx}")
    blocked = after["up"]["queries_qrp_blocked"] - before["up"]["queries_qrp_blocked"]
    run.check(blocked >= 2, f"queries_qrp_blocked went up by {blocked}, expected 2 (leaves 2 and 3)")

    # From leaf 3 through the ultrapeer.
    before = {d.name: d.counters() for d in leaves + [up]}
    code, hits, res = l3.search("aardvark", timeout=8)
    after = {d.name: d.counters() for d in leaves + [up]}
    run.check(code == 0, f"aardvark from leaf 3: exit {code}: {res.stderr.strip()!r}")
    run.check(len(hits) == 1 and hits[0]["address"] == l1.addr and hits[0]["name"] == "aardvark burrow.txt",
              f"aardvark from leaf 3: hits {hits}")
    run.check(after["l2"]["queries_received"] == before["l2"]["queries_received"],
              "leaf 2 got leaf 3's aardvark query")
    run.check(after["l1"]["hits_sent"] > before["l1"]["hits_sent"], "leaf 1 hits_sent did not move")
    run.check(after["up"]["hits_routed"] > before["up"]["hits_routed"], "up hits_routed did not move")
    run.check(after["l3"]["hits_received"] > before["l3"]["hits_received"], "leaf 3 hits_received did not move")

    # Live sync: a new file at leaf 2 becomes findable after its table update reaches the UP.
    code, hits, res = l3.search("dromedary", timeout=5)
    run.check(code == 3 and hits == [], f"dromedary before it exists: exit {code} hits {hits}")
    tables_before = up.counters()["qrp_tables_received"]
    l2.add_file("dromedary hump.txt", os.urandom(1500))
    l2.wait_shares(2)
    run.wait_for("leaf 2's table update at the ultrapeer",
                 lambda: up.counters()["qrp_tables_received"] > tables_before, fatal=False)
    found = []

    def findable():
        code, hits, _ = l3.search("dromedary", timeout=5)
        found[:] = hits
        return code == 0 and hits
    run.wait_for("the new file at leaf 2 found from leaf 3", findable, deadline=90)
    run.check([h["address"] for h in found] == [l2.addr] and found[0]["name"] == "dromedary hump.txt",
              f"dromedary hits {found}")
    # Leaf 1 still sees none of these.
    before_l1 = l1.counters()["queries_received"]
    l3.search("dromedary", timeout=4)
    time.sleep(1)
    run.check(l1.counters()["queries_received"] == before_l1, "leaf 1 got the dromedary query")


if __name__ == "__main__":
    harness.Run("leaves").main(body)

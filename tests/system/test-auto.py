#!/usr/bin/env python3
"""Roles decided by the servents themselves (role=auto, the default): no --ultrapeer, no --leaf.

1. A line of three, as a new user starts it, with the shipped thresholds: A alone, B with A as its
   only --peer, C with B as its only --peer. They form one overlay and search each other's files.
2. Twelve servents, each started with one --peer naming an earlier one: within 60 s every leaf has
   an ultrapeer, the ultrapeers are linked to each other, and a search from each servent finds the
   file of every other one. Then the ultrapeers are killed one at a time (six of them, each one of
   the ultrapeers of the moment): after each kill the rest re-form and the searches still find
   every remaining file. (promote-after is shortened to 3 s
   here so that each re-forming takes seconds, not minutes.)
Every role change is logged with its reason."""
import concurrent.futures
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

FORM_DEADLINE = 60
SEARCH_ROUNDS = 4
MAX_KILLS = 6


def file_name(d):
    return f"common {d.name} notes.txt"


def roles(run, daemons):
    """{daemon: (role, [peer entries])} for the daemons still running."""
    out = {}
    for d in daemons:
        st = d.status()
        out[d] = (st["role"], d.peer_list())
    return out


def formed(run, daemons):
    """One overlay: at least one ultrapeer; every leaf linked to an ultrapeer; the ultrapeers
    connected to each other (one component over ultrapeer-ultrapeer links). Returns the
    ultrapeers, or None."""
    view = roles(run, daemons)
    by_addr = {d.addr: d for d in daemons}
    ups = [d for d, (role, _) in view.items() if role == "ultrapeer"]
    if not ups:
        return None
    for d, (role, peers) in view.items():
        if role == "leaf" and not any(p["role"] == "ultrapeer" for p in peers):
            return None
    # Ultrapeer graph: edges from each ultrapeer's links to other running ultrapeers.
    edges = {u: set() for u in ups}
    for u in ups:
        for p in view[u][1]:
            other = by_addr.get(p.get("listen")) or by_addr.get(p.get("address"))
            if other in edges and p["role"] == "ultrapeer":
                edges[u].add(other)
                edges[other].add(u)
    seen, todo = {ups[0]}, [ups[0]]
    while todo:
        for v in edges[todo.pop()]:
            if v not in seen:
                seen.add(v)
                todo.append(v)
    return ups if len(seen) == len(ups) else None


def search_all(run, daemons, what):
    """A search from each daemon must find every other daemon's file (repeated a few times for
    the daemons that miss some, while tables and links settle)."""
    expect = {d: {file_name(o) for o in daemons if o is not d} for d in daemons}
    missing = dict(expect)

    def one(d):
        code, hits, res = d.search("common notes", timeout=8, max_results=len(daemons) - 1)
        return d, {h["name"] for h in hits}

    for rnd in range(SEARCH_ROUNDS):
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            for d, got in pool.map(one, list(missing)):
                missing[d] = missing[d] - got
        missing = {d: m for d, m in missing.items() if m}
        if not missing:
            break
        run.log(f"{what}: round {rnd + 1}: still missing "
                f"{ {d.name: sorted(m) for d, m in missing.items()} }")
    for d, m in missing.items():
        run.check(False, f"{what}: a search from {d.name} did not find {sorted(m)}")


def role_changes_logged(run, d):
    with open(d.log_path, errors="replace") as f:
        text = f.read()
    return [l for l in text.splitlines() if "role: " in l]


def line_of_three(run):
    a = run.daemon("a3", "auto", shares=[("common a3 notes.txt", os.urandom(500))])
    b = run.daemon("b3", "auto", peers=[a], shares=[("common b3 notes.txt", os.urandom(501))])
    c = run.daemon("c3", "auto", peers=[b], shares=[("common c3 notes.txt", os.urandom(502))])
    line = [a, b, c]
    for d in line:
        d.wait_shares()
    ups = run.wait_for("the line of three forms one overlay", lambda: formed(run, line),
                       deadline=FORM_DEADLINE)
    run.log(f"line of three: ultrapeers {[u.name for u in ups]}")
    for u in ups:
        run.check(any("ultrapeer (" in l for l in role_changes_logged(run, u)),
                  f"{u.name} became an ultrapeer without logging why")
    search_all(run, line, "line of three")
    for d in line:
        d.stop()


def twelve(run):
    rnd = random.Random(8)
    config = {"network": {"promote-after": 3}}
    ds = []
    for i in range(12):
        peers = [rnd.choice(ds)] if ds else []
        d = run.daemon(f"s{i:02d}", "auto", peers=peers, config=config,
                       shares=[(f"common s{i:02d} notes.txt", os.urandom(600 + i))])
        d.wait_shares()
        ds.append(d)
    ups = run.wait_for("twelve servents form one overlay", lambda: formed(run, ds),
                       deadline=FORM_DEADLINE)
    run.log(f"twelve: ultrapeers {[u.name for u in ups]}")
    search_all(run, ds, "twelve")

    # Kill the ultrapeers one at a time, each time one of those the overlay has now, until
    # MAX_KILLS are gone or too few servents are left to call it an overlay.
    alive = list(ds)
    killed = []
    while len(killed) < MAX_KILLS and len(alive) > 4:
        u = ups[0]
        run.log(f"killing ultrapeer {u.name}")
        u.kill()
        alive.remove(u)
        killed.append(u.name)
        ups = run.wait_for(f"the {len(alive)} left re-form after {u.name} is killed",
                           lambda: formed(run, alive), deadline=FORM_DEADLINE)
        run.log(f"re-formed: ultrapeers {[x.name for x in ups]}")
        search_all(run, alive, f"after killing {u.name}")
    run.check(len(killed) == MAX_KILLS, f"killed {killed}, expected {MAX_KILLS} ultrapeers")


def body(run):
    line_of_three(run)
    twelve(run)


if __name__ == "__main__":
    harness.Run("auto").main(body)

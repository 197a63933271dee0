"""nattest.py: what the NAT tests share: a serventd started in a namespace of the lab, what it
says of its reachability, a search repeated until hits come, and the skip when no lab can be
built here (exit 77)."""
import shutil
import sys

import natlab

PORT = 6346


def skip_unless_possible(run, tools=()):
    """Exits 77 (skipped) when no lab can be built here, or one of @tools is missing."""
    why = natlab.available()
    missing = [t for t in tools if shutil.which(t) is None]
    if why is None and missing:
        why = f"{missing[0]} is missing"
    if why is not None:
        print(f"skipped: {why}")
        run.close()
        sys.exit(77)


def servent(run, lab, name, ns, ip, role=None, peers=(), shares=None, hostiles=(), config=None,
            ip6=None):
    """Starts serventd @name in namespace @ns, listening on @ip:PORT, and on [@ip6]:PORT too
    when given (shipped defaults, --lan, and @config: {section: {key: value}})."""
    d = run.daemon(name, role=role, peers=peers, shares=shares, config=config, start=False,
                   prefix=lab.exec_prefix(ns))
    if ip6 is not None:
        d.extra_args = list(d.extra_args) + ["--listen", f"[{ip6}]:{PORT}"]
        d.ip6 = ip6
    d.ip, d.port, d.addr = ip, PORT, f"{ip}:{PORT}"
    d.ns = ns
    d.hostiles = list(hostiles)
    d.start()
    return d


def reach(d):
    return d.status()["reachability"]


def transfers(d):
    return d.status()["transfers"]


def search(run, d, words, want=1, deadline=30):
    """Searches until @want hits came; returns them (JSON objects)."""
    def attempt():
        code, hits, _ = d.search(words, timeout=6, max_results=want)
        return hits if code == 0 and len(hits) >= want else None
    return run.wait_for(f"{d.name} finding '{words}'", attempt, deadline=deadline)

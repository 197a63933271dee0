#!/usr/bin/env python3
"""test-reach.py: the reach matrix: every kind of host downloads from every other kind, in a lab
of real masquerading NATs and firewalls (network namespaces, nftables).

Kinds: P public; W public behind a stateful host firewall (no NAT); F behind a port-preserving
NAT whose gateway drops unsolicited packets; R the same with a gateway that answers them with RST;
X behind a NAT that picks a random port for every connection; M behind a port-preserving NAT
whose gateway runs miniupnpd (UPnP IGD and NAT-PMP); V and Y, each dual stack: IPv4 behind a
port-preserving NAT, IPv6 routed by the gateway behind a stateful firewall that drops unsolicited
packets. A public dual-stack servent U links them
(it becomes their ultrapeer by its own choice, as shipped).
Every servent runs with --lan and shipped defaults otherwise; none is told how it is reached.
For every ordered pair: the file arrives, SHA-1 checked, by the method the two allow and no
other: direct from P and from M (its gateway forwards its port); by PUSH to P, and to M through its
forwarded port ("mapped"); by simultaneous open between two firewalled hosts whose NATs
keep ports; by relay only where one side picks ports at random and the other cannot accept a
connection; V and Y reach each other by simultaneous open over IPv6. Each host's status says how
it is reached. The test prints the matrix with the time to first byte.
Needs root; exits 77 (skipped) without it.

Usage: python3 test-reach.py SERVENTD SERVENT
"""
import hashlib
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "system"))
import harness  # noqa: E402
import natlab  # noqa: E402
from nattest import reach, servent, skip_unless_possible  # noqa: E402

KINDS = {   # name: (how made, what its status must say)
    "P": ("public", "public"),
    "W": ("public, host firewall", "firewall"),
    "F": ("NAT, keeps ports, drops", "port-preserving-nat"),
    "R": ("NAT, keeps ports, RST", "port-preserving-nat"),
    "X": ("NAT, random ports", "port-randomising-nat"),
    "M": ("NAT, miniupnpd", "mapped"),
    "V": ("IPv6 stateful fw", "port-preserving-nat"),
    "Y": ("IPv6 stateful fw", "port-preserving-nat"),
}
IPV6 = ("V", "Y")


def expected_method(dl, up):
    if up in ("P", "M"):
        return "direct"
    if dl == "P":
        return "push"
    if dl == "M":
        return "mapped"
    if "X" in (dl, up):
        return "relay"
    return "simultaneous-open"


def body(run):
    skip_unless_possible(run, tools=("miniupnpd", "stund"))
    lab = natlab.NatLab()
    u_ns, u_ip, u_ip6 = lab.public_host("up", ipv6=True)
    where = {"P": lab.public_host("p"), "W": lab.public_host("w", firewall=True)}
    for name, inbound, mapping in (("F", "drop", "preserve"), ("R", "reset", "preserve"),
                                   ("X", "drop", "random")):
        ns, ip, _gw, _wan = lab.natted_host(name.lower(), inbound=inbound, mapping=mapping)
        where[name] = (ns, ip)
    m_ns, m_ip, _gw, _wan = lab.natted_host("m", upnp=True)
    where["M"] = (m_ns, m_ip)
    ip6 = {}
    for name in IPV6:
        ns, ip, _gw, _wan, ip6[name] = lab.natted_host(name.lower(), ipv6=True)
        where[name] = (ns, ip)
    # The lab's IPv6 firewalls hold: nothing reaches V or Y over IPv6 unasked.
    for name in IPV6:
        probe = natlab.sh(*lab.exec_prefix(u_ns), sys.executable, "-c",
                          "import socket,sys\ntry:\n socket.create_connection((sys.argv[1], 6346), 2)\n"
                          " print('open')\nexcept OSError:\n print('closed')", ip6[name])
        run.check(probe.stdout.strip() == "closed",
                  f"{name}'s IPv6 port answers from outside: {probe.stdout.strip()}")
    names = list(KINDS)
    files = {up: {dl: (f"{up.lower()}to{dl.lower()} map.bin",
                       random.Random(f"{up}{dl}").randbytes(500_000))
                  for dl in names if dl != up} for up in names}

    up = servent(run, lab, "U", u_ns, u_ip, ip6=u_ip6)
    hosts = {n: servent(run, lab, n, where[n][0], where[n][1], peers=[up],
                        shares=list(files[n].values()), ip6=ip6.get(n)) for n in names}
    for h in hosts.values():
        run.wait_connected(h, up)
        h.wait_shares(len(names) - 1)
    for n, h in hosts.items():
        want = KINDS[n][1]
        r = run.wait_for(f"{n} knowing how it is reached",
                         lambda: (lambda v: v if v["nat"] == want else None)(reach(h)), deadline=45,
                         fatal=False)
        run.check(r is not None, f"{n} ({KINDS[n][0]}) says {reach(h)['nat']}: "
                  f"{reach(h)['nat_evidence']}; expected {want}")

    rows = []
    for dl in names:
        for upn in names:
            if dl == upn:
                continue
            x = hosts[dl]
            name, data = files[upn][dl]

            def hit():
                code, hits, _ = x.search(name.split()[0], timeout=6, max_results=1)
                return hits if code == 0 and hits else None
            run.wait_for(f"{dl} finding {upn}'s file", hit, deadline=30)
            t0 = time.monotonic()
            res = run.cli(x, ["get", "1"], timeout=90)
            took = time.monotonic() - t0
            ok = res.returncode == 0 and hashlib.sha1(open(res.stdout.strip(), "rb").read()).hexdigest() \
                == hashlib.sha1(data).hexdigest()
            run.check(ok, f"{dl} <- {upn}: exit {res.returncode}, stderr {res.stderr.strip()!r}")
            dlinfo = [y for y in x.json_cmd("downloads")["downloads"] if y["name"] == name]
            method = dlinfo[0]["method"] if dlinfo else None
            first = dlinfo[0]["first_byte_ms"] if dlinfo else 0
            want = expected_method(dl, upn)
            run.check(method == want, f"{dl} <- {upn} came by {method}, expected {want}")
            run.check(first > 0, f"{dl} <- {upn}: no time to first byte")
            came_from = dlinfo[0].get("from") or "" if dlinfo else ""
            over6 = dl in IPV6 and upn in IPV6
            run.check(came_from.startswith("[") == over6,
                      f"{dl} <- {upn} came from {came_from}, expected IPv{6 if over6 else 4}")
            if over6:
                method += " (IPv6)"
            rows.append((dl, upn, "ok" if ok else "FAILED", method, first, took))
    run.log("reach matrix: downloader <- uploader: result, method, time to first byte, time of "
            "`servent get`")
    for dl, upn, res, method, first, took in rows:
        run.log(f"  {dl} ({KINDS[dl][0]}) <- {upn} ({KINDS[upn][0]}): {res}, {method}, "
                f"{first} ms, {took:.2f} s")
    relays = up.status()["transfers"]["rendezvous_relays"]
    want_relays = sum(1 for dl, upn, *_ in rows if expected_method(dl, upn) == "relay")
    run.check(relays == want_relays, f"U relayed {relays} transfers, expected {want_relays}")
    lab.close()


if __name__ == "__main__":
    harness.Run("nat-reach").main(body)

#!/usr/bin/env python3
"""test-rendezvous.py: transfers where both sides are firewalled, across two real masquerading
NATs (network namespaces, nftables).

The lab: a public servent U (an ultrapeer by its own choice, as shipped); uploaders F and R and
downloaders G and H, each behind its own port-preserving NAT, and a downloader X behind a NAT
that picks a random port for every connection (nftables "fully-random"), which no punch gets
through: U relays for it. F's and G's gateways drop unsolicited packets; R's and H's answer an
unsolicited SYN with RST (the Linux default), which fails the early side's connect() and deletes
its own mapping. Every servent runs with --lan and shipped defaults otherwise; none is told it is
firewalled. An uploader's hits name U as its push proxy; a downloader meets it there (GET
/gnutella/rendezvous, SVNT/1 to the uploader) and the two open the connection by TCP
simultaneous open. For each of the four pairs, TRIALS files: each arrives, SHA-1 checked, and
`servent downloads --json` says "simultaneous-open"; X's files arrive too, relayed (U set to
relay one transfer at a time within relay-rate: none goes faster, and of two at once one is
refused and comes back later), and U relayed nothing else; U counts the meetings; the test
prints a table of the times. Each servent's status says how it is reached (U public, X behind a
port-randomising NAT, the others behind port-preserving ones), from what U saw. Abuse: rendezvous and relay calls for a host that is
not U's leaf, with a token nobody waits for, with a malformed token or none are refused and
counted, and nothing is relayed. Needs root; exits 77 (skipped) without it.

Usage: python3 test-rendezvous.py SERVENTD SERVENT
"""
import hashlib
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "system"))
import harness  # noqa: E402
import natlab  # noqa: E402
from nattest import PORT, reach, search, servent, skip_unless_possible, transfers  # noqa: E402

TRIALS = 10
RELAY_TRIALS = 2
RELAY_KIB = 400


def raw_call(lab, ns, ip, target):
    """Sends one HTTP request to U from namespace @ns; returns the status line."""
    code = ("import socket,sys\n"
            f"s=socket.create_connection(('{ip}',{PORT}),timeout=15)\n"
            f"s.sendall(b'GET {target} HTTP/1.1\\r\\nHost: {ip}\\r\\n\\r\\n')\n"
            "print(s.recv(4096).split(b'\\r\\n')[0].decode())\n")
    res = natlab.sh(*lab.exec_prefix(ns), sys.executable, "-c", code, check=False)
    return res.stdout.strip()


def body(run):
    skip_unless_possible(run)
    lab = natlab.NatLab()
    u_ns, u_ip = lab.public_host("up")
    hosts = {}
    for name, inbound, mapping in (("F", "drop", "preserve"), ("R", "reset", "preserve"),
                                   ("G", "drop", "preserve"), ("H", "reset", "preserve"),
                                   ("X", "drop", "random")):
        ns, ip, gw, wan = lab.natted_host(name.lower(), inbound=inbound, mapping=mapping)
        hosts[name] = (ns, ip, wan, inbound if mapping == "preserve" else f"{inbound}, random ports")
    run.log(f"lab {lab.tag}: U {u_ip}; " + ", ".join(f"{n} behind {h[2]} ({h[3]})"
                                                     for n, h in hosts.items()))
    files = {}
    for up_name in ("F", "R"):
        files[up_name] = [(f"{up_name.lower()}{dl.lower()}{i} notes.bin",
                           random.Random(f"{up_name}{dl}{i}").randbytes(1_000_000))
                          for dl in ("G", "H", "X") for i in range(TRIALS)]

    # U relays one transfer at a time, at most RELAY_KIB KiB/s (the caps servent.conf sets).
    up = servent(run, lab, "U", u_ns, u_ip,
                 config={"transfers": {"relay-streams": 1, "relay-rate": RELAY_KIB}})
    peers = {}
    for name, (ns, ip, wan, inbound) in hosts.items():
        peers[name] = servent(run, lab, name, ns, ip, peers=[up], shares=files.get(name))
    for x in peers.values():
        run.wait_connected(x, up)
    for name in ("F", "R"):
        peers[name].wait_shares(3 * TRIALS)
    for name, x in peers.items():
        r = run.wait_for(f"{name} known firewalled",
                         lambda: (lambda v: v if v["verdict"] != "unknown" else None)(reach(x)),
                         deadline=30)
        run.check(r["verdict"] == "firewalled-nat", f"{name} reachability {r}")
    # How each is reached, from evidence: U's probe answers say where each call came from.
    for name, x in peers.items():
        want = "port-randomising-nat" if name == "X" else "port-preserving-nat"
        r = run.wait_for(f"{name} knowing its NAT", lambda: (lambda v: v if v["nat"] not in
                                                            ("unknown", "nat") else None)(reach(x)),
                         deadline=30)
        run.check(r["nat"] == want, f"{name} says it is reached as {r['nat']} ({r['nat_evidence']}), "
                  f"expected {want}")
    run.check(reach(up)["nat"] == "public", f"U is public: {reach(up)}")
    text = run.cli(peers["X"], ["status"]).stdout
    run.check("port-randomising-nat" in text, f"`servent status` says how X is reached: {text!r}")

    table = []
    for up_name, dl_name, trials, method in [(u, d, TRIALS, "simultaneous-open") for u in ("F", "R")
                                              for d in ("G", "H")] + [("F", "X", RELAY_TRIALS, "relay")]:
        if True:
            x = peers[dl_name]
            times = []
            for i in range(trials):
                name, data = [(n, d) for n, d in files[up_name]
                              if n == f"{up_name.lower()}{dl_name.lower()}{i} notes.bin"][0]
                hits = search(run, x, name.split()[0])
                run.check(hits[0]["firewalled"] is True, f"{up_name}'s hit is firewalled: {hits[0]}")
                met_before = transfers(up)["rendezvous_met"]
                t0 = time.monotonic()
                res = run.cli(x, ["get", "1"], timeout=90)
                took = time.monotonic() - t0
                ok = res.returncode == 0
                run.check(ok, f"{dl_name} get {name}: exit {res.returncode}, "
                          f"stderr {res.stderr.strip()!r}")
                if ok:
                    got = hashlib.sha1(open(res.stdout.strip(), "rb").read()).hexdigest()
                    ok = got == hashlib.sha1(data).hexdigest()
                    run.check(ok, f"{name} arrived whole at {dl_name}")
                dl = [y for y in x.json_cmd("downloads")["downloads"] if y["name"] == name]
                run.check(dl and dl[0]["method"] == method, f"{name} came by {method}: {dl}")
                run.check(transfers(up)["rendezvous_met"] > met_before,
                          f"U brokered the meeting: {transfers(up)}")
                if ok:
                    times.append(took)
            table.append((dl_name, hosts[dl_name][3], up_name, hosts[up_name][3], len(times), trials,
                          method, times))
    run.log("downloader <- uploader (gateways): files arrived, by what, get time")
    for dl_name, dl_in, up_name, up_in, n, trials, method, times in table:
        spread = f"median {sorted(times)[len(times) // 2]:.2f} s, max {max(times):.2f} s" if times else "-"
        run.log(f"  {dl_name} ({dl_in}) <- {up_name} ({up_in}): {n} of {trials} by {method}, {spread}")
    answered = sum(transfers(peers[n])["rendezvous_answered"] for n in ("F", "R"))
    run.check(answered >= 4 * TRIALS + RELAY_TRIALS, f"the uploaders answered {answered} meetings")
    relays = transfers(up)["rendezvous_relays"]
    run.check(relays == RELAY_TRIALS, f"U relayed {relays} transfers: only those to X")
    listing = run.cli(peers["X"], ["downloads"]).stdout
    run.check("\trelay\t" in listing, f"`servent downloads` names the relay: {listing!r}")
    slowest = min(table[-1][-1])
    run.check(slowest >= 1_000_000 / (RELAY_KIB * 1024) * 0.8,
              f"a relayed MB took {slowest:.2f} s: faster than relay-rate={RELAY_KIB} allows")
    g_ns = hosts["G"][0]

    # The relay's cap: X fetches two of F's files at once; U relays one, refuses the other
    # (503), whose download comes back to it once the first is done.
    before = transfers(up)
    names = [n for n, _ in files["F"] if n.startswith("fx")][RELAY_TRIALS:RELAY_TRIALS + 2]
    urns = [search(run, peers["X"], n.split()[0])[0]["urn"] for n in names]
    for n, urn in zip(names, urns):
        res = run.cli(peers["X"], ["get", "--no-wait", urn])
        run.check(res.returncode == 0, f"get --no-wait {n}: {res.returncode} {res.stderr!r}")

    def both_done():
        dls = [y for y in peers["X"].json_cmd("downloads")["downloads"] if y["name"] in names]
        return dls if len(dls) == 2 and all(y["state"] in ("complete", "failed") for y in dls) else None
    dls = run.wait_for("X's two relayed downloads", both_done, deadline=120)
    run.check(all(y["state"] == "complete" and y["method"] == "relay" for y in dls),
              f"both arrived, relayed: {dls}")
    after = transfers(up)
    run.check(after["rendezvous_relays_refused"] > before["rendezvous_relays_refused"],
              f"U refused a relay over its cap of one: {after}")
    run.check(after["rendezvous_relays"] == before["rendezvous_relays"] + 2, f"then relayed both: {after}")

    # Abuse: U brokers only for its own leaves and only known tokens.
    other = "ef" * 16   # a servent GUID (hex) that is no leaf of U's
    line = raw_call(lab, g_ns, u_ip, f"/gnutella/rendezvous?ServerId={other}&token={'ab' * 16}")
    run.check(" 404 " in line + " ", f"a meeting with no such leaf: {line!r}")
    line = raw_call(lab, g_ns, u_ip, f"/gnutella/rendezvous?token={'cd' * 16}")
    run.check(" 404 " in line + " ", f"a call with a token nobody waits for: {line!r}")
    line = raw_call(lab, g_ns, u_ip, "/gnutella/rendezvous?token=xyz")
    run.check(" 400 " in line + " ", f"a malformed token: {line!r}")
    line = raw_call(lab, g_ns, u_ip, f"/gnutella/relay?ServerId={other}")
    run.check(" 400 " in line + " ", f"a relay call without a token: {line!r}")
    line = raw_call(lab, g_ns, u_ip, f"/gnutella/relay?token={'cd' * 16}")
    run.check(" 404 " in line + " ", f"a relay call with a token nobody waits for: {line!r}")
    run.check(transfers(up)["rendezvous_refused"] >= 3, f"U counted the refusals: {transfers(up)}")
    run.check(transfers(up)["rendezvous_relays"] == RELAY_TRIALS + 2,
              f"and relayed nothing more: {transfers(up)}")
    lab.close()


if __name__ == "__main__":
    harness.Run("nat-rendezvous").main(body)

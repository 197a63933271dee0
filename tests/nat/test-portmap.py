#!/usr/bin/env python3
"""test-portmap.py: port forwarding asked of a real miniupnpd (Debian's miniupnpd-nftables) on
the NAT gateways of the lab, as shipped (upnp and natpmp on by default).

The lab: a public ultrapeer U and a public host P; M behind a gateway running miniupnpd with UPnP
IGD and NAT-PMP; N behind one running NAT-PMP alone; G behind a gateway where a device answers
UPnP discovery and NAT-PMP with garbage. Checked:
  - M's port is forwarded by UPnP IGD, N's by NAT-PMP (the fallback), each at its gateway's
    address and port 6346, each in the gateway's rules; both say they are reached as "mapped";
  - P fetches M's and N's files directly (both announce their gateway's address, not firewalled);
  - M fetches G's file by PUSH answered through M's forwarded port (method "mapped");
  - G's servent refuses what the garbage device says (counted, the error in status), goes on as
    a firewalled host, and its file still reaches M and P;
  - M killed (SIGKILL: its mapping is left behind) and started again asks again and is granted
    the same port, the gateway keeping one rule for it (the request a renewal makes);
  - when M and N stop, their gateways' rules no longer forward the port.
Needs root, miniupnpd and stund; exits 77 (skipped) without them.

Usage: python3 test-portmap.py SERVENTD SERVENT
"""
import hashlib
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "system"))
import harness  # noqa: E402
import natlab  # noqa: E402
from nattest import PORT, reach, servent, skip_unless_possible  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def fetch(run, x, name, data, want_method):
    def hit():
        code, hits, _ = x.search(name.split()[0], timeout=6, max_results=1)
        return hits if code == 0 and hits else None
    run.wait_for(f"{x.name} finding {name}", hit, deadline=30)
    res = run.cli(x, ["get", "1"], timeout=90)
    ok = res.returncode == 0 and hashlib.sha1(open(res.stdout.strip(), "rb").read()).digest() \
        == hashlib.sha1(data).digest()
    run.check(ok, f"{x.name} fetching {name}: exit {res.returncode}, {res.stderr.strip()!r}")
    got = [y for y in x.json_cmd("downloads")["downloads"] if y["name"] == name]
    method = got[0]["method"] if got else None
    run.check(method == want_method, f"{x.name} fetched {name} by {method}, expected {want_method}")
    run.log(f"{x.name} fetched {name}: {method}")


def body(run):
    skip_unless_possible(run, tools=("miniupnpd", "stund"))
    lab = natlab.NatLab()
    u_ns, u_ip = lab.public_host("up")
    p_ns, p_ip = lab.public_host("p")
    m_ns, m_ip, m_gw, m_wan = lab.natted_host("m", upnp=True)
    n_ns, n_ip, n_gw, n_wan = lab.natted_host("n", natpmp_only=True)
    g_ns, g_ip, g_gw, _g_wan = lab.natted_host("g")
    lab.spawn(g_gw, [sys.executable, os.path.join(HERE, "garbage-gateway.py"), g_ip.rsplit(".", 1)[0] + ".1"])
    files = {n: (f"{n.lower()}file portmap.bin", random.Random(n).randbytes(300_000)) for n in "MNG"}

    up = servent(run, lab, "U", u_ns, u_ip)
    p = servent(run, lab, "P", p_ns, p_ip, peers=[up])
    m = servent(run, lab, "M", m_ns, m_ip, peers=[up], shares=[files["M"]])
    n = servent(run, lab, "N", n_ns, n_ip, peers=[up], shares=[files["N"]])
    g = servent(run, lab, "G", g_ns, g_ip, peers=[up], shares=[files["G"]])
    for h in (p, m, n, g):
        run.wait_connected(h, up)

    for h, gw, wan, proto in ((m, m_gw, m_wan, "UPnP IGD"), (n, n_gw, n_wan, "NAT-PMP")):
        r = run.wait_for(f"{h.name} reached as mapped",
                         lambda: (lambda v: v if v["nat"] == "mapped" else None)(reach(h)), deadline=45,
                         fatal=False)
        run.check(r is not None, f"{h.name} says {reach(h)['nat']}: {reach(h)['nat_evidence']}")
        pm = reach(h)["port_map"]
        run.log(f"{h.name}: {pm}; {reach(h)['nat_evidence']}")
        run.check(pm["protocol"] == proto, f"{h.name}'s port forwarded by {pm['protocol']}, expected {proto}")
        run.check(pm["external"] == f"{wan}:{PORT}", f"{h.name} forwarded at {pm['external']}")
        run.check(pm["lease_s"] > 0, f"{h.name}'s lease {pm['lease_s']}")
        run.check(reach(h)["announced"] == f"{wan}:{PORT}", f"{h.name} announces {reach(h)['announced']}")
        run.check(f"dport {PORT}" in lab.port_forwards(gw), f"{gw} forwards nothing: {lab.port_forwards(gw)}")

    def garbage_refused():
        pm = reach(g)["port_map"]
        return pm if pm["refused"] >= 1 and pm["error"] else None
    pm = run.wait_for("G refusing the garbage device", garbage_refused, deadline=30)
    run.log(f"G: {pm}")
    run.check(pm["protocol"] == "none" and pm["external"] == "", f"G believed the device: {pm}")
    run.check(reach(g)["nat"] != "mapped", f"G says {reach(g)['nat']}")

    fetch(run, p, files["M"][0], files["M"][1], "direct")
    fetch(run, p, files["N"][0], files["N"][1], "direct")
    fetch(run, m, files["G"][0], files["G"][1], "mapped")
    fetch(run, p, files["G"][0], files["G"][1], "push")

    m.kill()
    run.check(f"dport {PORT}" in lab.port_forwards(m_gw), "M's mapping went away with SIGKILL")
    m.start()
    run.wait_connected(m, up)
    # (Reachable at once through the mapping left behind; the port map is asked for anew.)
    r = run.wait_for("M's port forwarded again after a restart",
                     lambda: (lambda v: v if v["port_map"]["protocol"] != "none"
                              and v["nat"] == "mapped" else None)(reach(m)),
                     deadline=45, fatal=False)
    run.check(r is not None, f"M restarted says {reach(m)['nat']}: {reach(m)['nat_evidence']}")
    pm = reach(m)["port_map"]
    run.check(pm["protocol"] == "UPnP IGD" and pm["external"] == f"{m_wan}:{PORT}",
              f"M restarted: {pm}")
    rules = lab.port_forwards(m_gw)
    run.check(rules.count("dport") == 2 and rules.count(f"dport {PORT}") == 2,
              f"{m_gw} after M's restart, not one TCP and one UDP rule: {rules}")
    run.log(f"{m_gw} after M's restart: {rules.strip()}")

    for h, gw in ((m, m_gw), (n, n_gw)):
        h.stop()
        rules = lab.port_forwards(gw)
        run.check(f"dport {PORT}" not in rules, f"{gw} still forwards after {h.name} stopped: {rules}")
    lab.close()


if __name__ == "__main__":
    harness.Run("nat-portmap").main(body)

"""bench-push.py: time to first byte of a download through PUSH against a direct one, on the NAT
lab (tests/nat/natlab.py: network namespaces, a masquerading nftables gateway), with a one-way
delay of DELAY ms on every host's link (tc netem), so that round trips are those of a network.

A public ultrapeer U, a public downloader D, a public uploader P and an uploader F behind a NAT
each share a 64 KiB file; D fetches P's (direct) and F's (PUSH along U, GIV back) RUNS times each.
Reported: the time from `servent get --no-wait` to the first byte written (the control API polled
every 2 ms), and the overlay round trip D-U-F-U-D the PUSH adds. Goal: PUSH under 2x direct plus
one overlay round trip. Needs root.
Usage: bench-push.py SERVENTD SERVENT [--runs N] [--delay MS]
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "system"))
sys.path.insert(0, os.path.join(HERE, "..", "nat"))
import harness  # noqa: E402
import natlab  # noqa: E402


def control_get(d, path):
    """GET @path on @d's control socket (no CLI process in the measured time)."""
    import socket as so
    s = so.socket(so.AF_UNIX, so.SOCK_STREAM)
    s.connect(os.path.join(d.runtime_dir, "control.sock"))
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    if b"chunked" in head.lower():
        out, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            n = int(size_line, 16)
            if n == 0:
                break
            out += rest[:n]
            rest = rest[n + 2:]
        body = out
    return json.loads(body)


def measure_overlay_rtt(lab, hosts, f_ns):
    """Without an added delay: twice the ping round trip D-U plus twice U-F (median of 5)."""
    def ping(ns, ip):
        """The median TCP connect time to @ip:6346 from @ns: one round trip."""
        code = ("import socket,time,statistics\nt=[]\nfor _ in range(5):\n s=time.monotonic()\n"
                f" c=socket.create_connection(('{ip}',6346),timeout=5)\n t.append(time.monotonic()-s)\n"
                " c.close()\nprint(statistics.median(t))")
        out = natlab.sh("ip", "netns", "exec", ns, "python3", "-c", code, check=False).stdout
        try:
            return float(out.strip())
        except ValueError:
            return 0.0
    return ping(hosts["dl"][0], hosts["up"][1]) + ping(f_ns, hosts["up"][1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("serventd")
    ap.add_argument("servent")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--delay", type=int, default=10)
    args = ap.parse_args()
    why = natlab.available()
    if why is not None:
        sys.exit(f"bench-push needs the NAT lab: {why}")
    run = harness.Run("bench-push", [sys.argv[0], args.serventd, args.servent])
    lab = natlab.NatLab()
    try:
        hosts = {}
        for name in ("up", "dl", "pub"):
            hosts[name] = lab.public_host(name)
        f_ns, f_ip, f_gw, f_wan = lab.natted_host("fw")
        for ns, ifname in [(hosts[n][0], "wan") for n in hosts] + [(f_gw, "wan")]:
            res = natlab.sh("ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", ifname, "root",
                            "netem", "delay", f"{args.delay}ms", check=False)
            if res.returncode != 0 and args.delay:
                print(f"netem is not available here ({res.stderr.strip()}): no delay added")
                args.delay = 0

        def servent(name, ns, ip, role=None, peers=(), shares=None):
            d = run.daemon(name, role=role, peers=peers, shares=shares, start=False,
                           prefix=lab.exec_prefix(ns))
            d.ip, d.port, d.addr = ip, 6346, f"{ip}:6346"
            d.start()
            return d
        up = servent("U", *hosts["up"], role="ultrapeer")
        files = {}
        for i in range(args.runs):
            files[f"fox{i}.bin"] = random.randbytes(65536)
            files[f"owl{i}.bin"] = random.randbytes(65536)
        f = servent("F", f_ns, f_ip, peers=[up], shares=[(k, v) for k, v in files.items() if k.startswith("fox")])
        p = servent("P", *hosts["pub"], peers=[up], shares=[(k, v) for k, v in files.items() if k.startswith("owl")])
        d = servent("D", *hosts["dl"], peers=[up])
        for x in (f, p, d):
            run.wait_connected(x, up)
        f.wait_shares(args.runs)
        p.wait_shares(args.runs)
        run.wait_for("D reachable", lambda: d.status()["reachability"]["verdict"] == "reachable")

        times = {"direct": [], "push": []}
        for i in range(args.runs):
            for kind, word in (("direct", f"owl{i}"), ("push", f"fox{i}")):
                def found():
                    code, hits, _ = d.search(word, timeout=6, max_results=1)
                    return hits if code == 0 and hits else None
                run.wait_for(f"{word} found", found, deadline=30)
                t0 = time.monotonic()
                res = run.cli(d, ["get", "--no-wait", "--json", "1"], timeout=60)
                if res.returncode != 0:
                    run.fatal(f"get {word}: {res.returncode} {res.stderr}")
                did = json.loads(res.stdout)["id"]
                while True:
                    x = control_get(d, f"/v1/downloads/{did}")
                    if x["done"] > 0 or x["state"] in ("complete", "failed"):
                        break
                    time.sleep(0.002)
                times[kind].append(time.monotonic() - t0)
        rtt = 4 * args.delay / 1000.0   # D->U->F->U->D at DELAY ms one way per link
        if rtt == 0:
            rtt = measure_overlay_rtt(lab, hosts, f_ns)
        dm, pm = statistics.median(times["direct"]), statistics.median(times["push"])
        print(f"\n{args.runs} runs, {args.delay} ms one-way delay per link, 64 KiB files")
        print(f"   direct    median {dm * 1000:7.1f} ms   ({', '.join(f'{t * 1000:.0f}' for t in times['direct'])})")
        print(f"   push      median {pm * 1000:7.1f} ms   ({', '.join(f'{t * 1000:.0f}' for t in times['push'])})")
        print(f"   overlay round trip {rtt * 1000:.2f} ms; goal: push < 2 x direct + round trip = "
              f"{(2 * dm + rtt) * 1000:.0f} ms: {'met' if pm < 2 * dm + rtt else 'NOT met'}")
    finally:
        lab.close()
        for x in run.daemons:
            x.stop(quiet=True)
        run.close()


if __name__ == "__main__":
    main()

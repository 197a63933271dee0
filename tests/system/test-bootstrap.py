#!/usr/bin/env python3
"""Joining from nothing: a servent with an empty host cache and no --peer finds hosts through a
GWebCache and a UDP host cache.

1. Clients: a GWebCache (HTTP, on 127.B.C.x) and a UDP host cache (on localhost, reached by name
   through the system resolver) served by this test. Each names one servent; the newcomer, pointed
   only at them, links to both and finds their files. The cache sees a GWebCache v2 request
   (get=1, net=gnutella, our vendor code) and the host cache a ping asking for ultrapeers (SCP).
2. The shipped list stays home: serventd with its shipped bootstrap list (servent.conf without a
   `bootstrap` key, no --no-bootstrap) runs inside a network namespace made for the test that has
   nothing but loopback. It asks the shipped sources (its log says so) and gets nowhere; nftables
   counters in that namespace see no packet leave for anything but loopback. Needs root, ip and
   nft; without them this part is skipped, and says so.
"""
import http.server
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

class Gwc:
    """A GWebCache v2 on loopback answering every GET with `H|` lines for @hosts."""

    def __init__(self, ip, hosts):
        self.requests = []
        gwc = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                gwc.requests.append(self.path)
                body = "I|pong|servent-test-cache|gnutella\r\n"
                body += "".join(f"H|{h}|30\r\n" for h in hosts)
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer((ip, 0), Handler)
        self.url = f"http://{ip}:{self.server.server_address[1]}/gwc.php"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Uhc:
    """A UDP host cache on localhost (127.0.0.1 and ::1, one port): answers a ping with a pong of
    the same MUID whose GGEP IPP lists @host."""

    def __init__(self, host):
        self.pings = []
        self.stop = False
        self.socks = []
        ip, port = host.rsplit(":", 1)
        self.ipp = socket.inet_aton(ip) + struct.pack("<H", int(port))
        for _ in range(50):
            port = random.randint(20000, 60999)
            try:
                s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s4.bind(("127.0.0.1", port))
            except OSError:
                continue
            self.socks = [s4]
            try:
                s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
                s6.bind(("::1", port))
                self.socks.append(s6)
            except OSError:
                pass   # no IPv6 loopback here: the resolver's IPv4 answer is used
            break
        self.port = port
        for s in self.socks:
            s.settimeout(0.2)
            threading.Thread(target=self.serve, args=(s,), daemon=True).start()

    def serve(self, s):
        while not self.stop:
            try:
                data, peer = s.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            if len(data) < 23 or data[16] != 0x00:
                continue
            self.pings.append(data)
            ggep = b"\xc3" + bytes([0x80 | 3]) + b"IPP" + bytes([0x40 | len(self.ipp)]) + self.ipp
            payload = self.ipp[4:6] + self.ipp[:4] + struct.pack("<II", 0, 0) + ggep
            s.sendto(harness.message(0x01, 1, 0, payload, guid=data[:16]), peer)

    def close(self):
        self.stop = True
        for s in self.socks:
            s.close()


def clients(run):
    x = run.daemon("x", "auto", shares=[("bootstrap via cache xray.txt", os.urandom(700))])
    y = run.daemon("y", "auto", shares=[("bootstrap via uhc yankee.txt", os.urandom(701))])
    gwc = Gwc(run.new_ip(), [x.addr])
    uhc = Uhc(y.addr)
    try:
        # A fresh state directory: no hosts.db, no --peer.
        n = run.daemon("n", "auto", config={"network": {
            "bootstrap": f"{gwc.url};uhc:localhost:{uhc.port}"}})
        run.wait_for("the newcomer linked to the servent the GWebCache named", lambda: n.linked_to(x))
        run.wait_for("the newcomer linked to the servent the UDP host cache named",
                     lambda: n.linked_to(y))
        run.check(len(gwc.requests) >= 1, "the GWebCache was never asked")
        for r in gwc.requests:
            q = r.split("?", 1)[1] if "?" in r else ""
            fields = dict(kv.split("=", 1) for kv in q.split("&") if "=" in kv)
            run.check(r.startswith("/gwc.php?") and fields.get("get") == "1"
                      and fields.get("net") == "gnutella" and fields.get("client") == "SVNT"
                      and fields.get("version"), f"GWebCache request {r!r}")
        run.check(len(uhc.pings) >= 1, "the UDP host cache was never pinged")
        run.check(all(b"SCP" in p[23:] for p in uhc.pings),
                  "a ping to the UDP host cache did not ask for ultrapeers (GGEP SCP)")
        x.wait_shares()
        y.wait_shares()
        for want, d in (("xray", x), ("yankee", y)):
            def found():
                code, hits, _ = n.search(f"bootstrap {want}", timeout=6, max_results=1)
                return [h for h in hits if want in h["name"]]
            hits = run.wait_for(f"a search from the newcomer finding {d.name}'s file", found,
                                deadline=40)
            run.check(hits and hits[0]["address"] == d.addr, f"{want} found at {hits}")
        with open(n.log_path, errors="replace") as f:
            log = f.read()
        run.check(f"bootstrap: asking {gwc.url}" in log, "the GWebCache request is not logged")
        run.check(f"bootstrap: asking uhc:localhost:{uhc.port}" in log,
                  "the UDP host cache request is not logged")
    finally:
        gwc.close()
        uhc.close()
    for d in (n, x, y):
        d.stop()


def sh(*args, check=True):
    return subprocess.run(list(args), capture_output=True, text=True, check=check)


def shipped_list_stays_home(run):
    if os.geteuid() != 0 or shutil.which("ip") is None or shutil.which("nft") is None:
        run.log("not root or no ip/nft: the namespace part is skipped")
        return False
    ns = f"svboot-{os.getpid()}-{random.randint(0, 1 << 30):x}"
    sh("ip", "netns", "add", ns)
    try:
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        links = sh("ip", "-n", ns, "-o", "link", "show").stdout.split("\n")
        names = [l.split(":")[1].strip() for l in links if l.strip()]
        run.check(names == ["lo"], f"the test namespace has interfaces {names}, not just lo")
        # Count every packet that leaves for anything but loopback.
        rules = ("table inet svtest {\n"
                 " chain out { type filter hook output priority 0; policy accept;\n"
                 "  oifname != \"lo\" counter\n"
                 "  ip daddr != 127.0.0.0/8 counter\n"
                 "  ip6 daddr != ::1 counter\n"
                 " }\n}\n")
        subprocess.run(["ip", "netns", "exec", ns, "nft", "-f", "-"], input=rules, text=True,
                       check=True, capture_output=True)
        d = run.daemon("shipped", "auto", config={"network": {"bootstrap": None}},
                       prefix=["ip", "netns", "exec", ns])
        # Every shipped source is asked once, one each SV_BOOTSTRAP_GAP (2 s).
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data",
                               "bootstrap.txt")) as f:
            shipped = [l.split("#")[0].strip() for l in f if l.split("#")[0].strip()]

        def asked_all():
            with open(d.log_path, errors="replace") as f:
                log = f.read()
            return all(f"bootstrap: asking {e}" in log for e in shipped)
        run.wait_for("serventd asking every shipped bootstrap source", asked_all,
                     deadline=len(shipped) * 2 + 30)
        time.sleep(3)
        st = d.status()
        run.check(st["peers"]["ultrapeers"] == 0 and st["peers"]["leaves"] == 0,
                  f"linked to someone: {st}")
        run.check(st["host_cache"] == 0, f"learnt hosts with no network: {st}")
        d.stop()
        out = sh("ip", "netns", "exec", ns, "nft", "list", "table", "inet", "svtest").stdout
        counters = [int(tok) for line in out.splitlines() if "counter" in line
                    for tok in [line.split("packets")[1].split()[0]]]
        run.check(len(counters) == 3, f"nft counters not read: {out!r}")
        run.check(all(c == 0 for c in counters),
                  f"packets left the namespace for something but loopback: {out}")
        return True
    finally:
        sh("ip", "netns", "del", ns, check=False)


def body(run):
    clients(run)
    shipped_list_stays_home(run)


if __name__ == "__main__":
    harness.Run("bootstrap").main(body)

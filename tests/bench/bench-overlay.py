#!/usr/bin/env python3
"""bench-overlay.py: serventd as an ultrapeer under load, measured from outside.

Three figures, each from a fresh serventd on loopback (--lan, --ultrapeer):
  1. routing: K peers handshake as ultrapeers; one of them feeds distinct queries as fast as the
     daemon reads them, the others drain what the daemon forwards. Reported: queries received
     per CPU-second of the daemon (utime + stime from /proc), and forwarded copies per CPU-second.
     Run with link compression on and off.
  2. memory per connection: N leaves connect (deflate on, then a new daemon with deflate off);
     (RSS with N leaves - RSS before) / N.
  3. idle leaves: 2,000 leaves (deflate on) held for a while, answering keep-alive pings; the
     daemon's CPU use over the hold and its RSS.

Every client comes from its own loopback source address (127.x.y.z), as real peers would, so the
per-address connect throttle is not what is measured. Usage:
  bench-overlay.py SERVENTD [--peers K] [--queries Q] [--leaves N] [--idle-leaves M] [--hold S]
"""

import argparse
import json
import os
import random
import resource
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib

HEADER = struct.Struct("<16sBBBI")
PING, PONG, BYE, QUERY, QUERYHIT = 0x00, 0x01, 0x02, 0x80, 0x81
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def guid():
    g = bytearray(os.urandom(16))
    g[8] = 0xFF  # modern servent mark
    g[15] = 0x00
    return bytes(g)


def message(mtype, payload, ttl=1, hops=0, muid=None):
    return HEADER.pack(muid or guid(), mtype, ttl, hops, len(payload)) + payload


def query(words, ttl):
    return message(QUERY, b"\x00\x00" + words.encode() + b"\x00", ttl=ttl)


class Daemon:
    """One serventd with its own state, runtime dir and config; stopped on close()."""

    def __init__(self, serventd, workdir, name, addr, config):
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir)
        conf = os.path.join(self.dir, "servent.conf")
        with open(conf, "w") as f:
            f.write(config)
        self.log = open(os.path.join(self.dir, "log"), "w")
        self.port = free_port(addr)
        self.addr = addr

        def raise_fd_limit():
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

        self.proc = subprocess.Popen(
            [serventd, "--config", conf, "--state-dir", os.path.join(self.dir, "state"),
             "--runtime-dir", os.path.join(self.dir, "run"),
             "--listen", "%s:%d" % (addr, self.port), "--lan", "--ultrapeer", "--no-bootstrap",
             "--log-level", os.environ.get("SV_BENCH_LOG_LEVEL", "warning")],
            stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=raise_fd_limit)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("serventd exited early; see %s" % self.log.name)
            try:
                socket.create_connection((addr, self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("serventd did not listen within 30 s")

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def rss_bytes(self):
        with open("/proc/%d/statm" % self.proc.pid) as f:
            return int(f.read().split()[1]) * PAGE

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def free_port(addr):
    with socket.socket() as s:
        s.bind((addr, 0))
        return s.getsockname()[1]


class Link:
    """A raw Gnutella 0.6 link from one loopback source address, with optional deflate."""

    def __init__(self, daemon, source, ultrapeer, deflate):
        self.sock = socket.socket()
        self.sock.bind((source, 0))
        self.sock.settimeout(20)
        self.sock.connect((daemon.addr, daemon.port))
        hdrs = ["GNUTELLA CONNECT/0.6", "User-Agent: bench-overlay/1.0",
                "X-Ultrapeer: %s" % ("True" if ultrapeer else "False"),
                "Listen-IP: %s:%d" % (source, 6346), "GGEP: 0.5", "Pong-Caching: 0.1",
                "X-Query-Routing: 0.2", "X-Ultrapeer-Query-Routing: 0.1", "X-Degree: 32",
                "X-Max-TTL: 4", "Vendor-Message: 0.2"]
        if deflate:
            hdrs.append("Accept-Encoding: deflate")
        self.sock.sendall(("\r\n".join(hdrs) + "\r\n\r\n").encode())
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            reply += chunk
            if len(reply) > 65536:
                raise ConnectionError("handshake reply too long")
        head, rest = reply.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        if not lines[0].startswith("GNUTELLA/0.6 200"):
            raise ConnectionError("refused: " + lines[0])
        headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip()
                   for l in lines[1:] if ":" in l}
        self.inflate = None
        self.deflate = None
        final = ["GNUTELLA/0.6 200 OK"]
        if deflate and headers.get("content-encoding", "").lower() == "deflate":
            self.inflate = zlib.decompressobj()
        if deflate and "deflate" in headers.get("accept-encoding", "").lower():
            final.append("Content-Encoding: deflate")
            self.deflate = zlib.compressobj()
        self.sock.sendall(("\r\n".join(final) + "\r\n\r\n").encode())
        self.sock.setblocking(False)
        self.inbuf = bytearray()
        self.raw_pending = rest
        self.outbuf = bytearray()
        self.msgs_in = {}
        self.closed = False

    def queue(self, data):
        if self.deflate:
            data = self.deflate.compress(data) + self.deflate.flush(zlib.Z_SYNC_FLUSH)
        self.outbuf += data

    def flush(self):
        while self.outbuf:
            try:
                n = self.sock.send(self.outbuf)
            except BlockingIOError:
                return False
            del self.outbuf[:n]
        return True

    def read(self):
        """Reads what is there; returns the whole messages (type, header bytes, payload)."""
        data = self.raw_pending
        self.raw_pending = b""
        while True:
            try:
                chunk = self.sock.recv(1 << 18)
            except BlockingIOError:
                break
            if not chunk:
                self.closed = True
                break
            data += chunk
            if len(chunk) < (1 << 18):
                break
        if data:
            self.inbuf += self.inflate.decompress(data) if self.inflate else data
        out = []
        while len(self.inbuf) >= HEADER.size:
            muid, mtype, ttl, hops, length = HEADER.unpack_from(self.inbuf)
            if len(self.inbuf) < HEADER.size + length:
                break
            payload = bytes(self.inbuf[HEADER.size:HEADER.size + length])
            del self.inbuf[:HEADER.size + length]
            self.msgs_in[mtype] = self.msgs_in.get(mtype, 0) + 1
            out.append((mtype, muid, ttl, hops, payload))
        return out

    def answer_pings(self, msgs):
        for mtype, muid, ttl, hops, payload in msgs:
            if mtype == PING:
                self.queue(message(PONG, struct.pack("<H4sII", 6346, b"\x7f\x00\x00\x01", 0, 0),
                                   ttl=max(hops, 1), muid=muid))
        self.flush()

    def close(self):
        self.sock.close()


def sources(n, salt):
    """n distinct loopback source addresses, none equal to the daemon's."""
    base = 10 + salt * 20
    return ["127.%d.%d.%d" % (base + i // 62500, (i // 250) % 250 + 1, i % 250 + 2) for i in range(n)]


def connect_many(daemon, addrs, ultrapeer, deflate, batch=40):
    links = []
    for i in range(0, len(addrs), batch):
        for a in addrs[i:i + batch]:
            links.append(Link(daemon, a, ultrapeer, deflate))
    return links


def status(daemon, servent):
    out = subprocess.run([servent, "--runtime-dir", os.path.join(daemon.dir, "run"), "status", "--json"],
                         capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise SystemExit("servent status failed: " + out.stderr.strip())
    return json.loads(out.stdout)


def wait_peers(daemon, servent, key, n, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        st = status(daemon, servent)
        if st["peers"][key] >= n:
            return st
        time.sleep(0.5)
    raise SystemExit("daemon has %d %s, wanted %d" % (st["peers"][key], key, n))


def bench_routing(args, workdir, deflate):
    d = Daemon(args.serventd, workdir, "route-%s" % ("z" if deflate else "plain"), "127.0.0.9",
               "[network]\nultrapeers=%d\nleaves=10\naccept-per-ip=8\ndeflate=%s\n"
               % (args.peers + 4, "true" if deflate else "false"))
    try:
        links = connect_many(d, sources(args.peers, 1), True, deflate)
        wait_peers(d, args.servent, "ultrapeers", args.peers)
        feeder, drains = links[0], links[1:]
        sel = selectors.DefaultSelector()
        for link in links:
            sel.register(link.sock, selectors.EVENT_READ, link)
        # Whole messages per chunk: the feeder also answers pings, and a pong must never land
        # in the middle of a query.
        per_chunk = 1500
        chunks = [b"".join(query("bench word%d" % (i % 997), ttl=3)
                           for i in range(start, min(start + per_chunk, args.queries)))
                  for start in range(0, args.queries, per_chunk)]
        chunk = 64 * 1024
        pos = 0
        forwarded = 0
        last_chunk = 0.0
        time.sleep(1)
        cpu0, t0 = d.cpu_seconds(), time.monotonic()
        deadline = t0 + 120
        idle_since = None
        while time.monotonic() < deadline:
            # Paced by the drains: the next chunk goes once the copies of the previous ones
            # arrived (or 200 ms passed), so that what is measured is routing, not the daemon
            # shedding queries that a slow reader could not take.
            caught_up = forwarded >= 0.9 * min(pos * per_chunk, args.queries) * len(drains)
            if (pos < len(chunks) and len(feeder.outbuf) < chunk
                    and (caught_up or time.monotonic() - last_chunk > 0.2)):
                feeder.queue(chunks[pos])
                pos += 1
                last_chunk = time.monotonic()
            feeder.flush()
            events = sel.select(timeout=0.05)
            for key, _ in events:
                link = key.data
                msgs = link.read()
                if link is not feeder:
                    forwarded += sum(1 for m in msgs if m[0] == QUERY)
                link.answer_pings(msgs)
            if pos >= len(chunks) and not feeder.outbuf:
                if events:
                    idle_since = None
                elif idle_since is None:
                    idle_since = time.monotonic()
                elif time.monotonic() - idle_since > 1.0:
                    break
        cpu = d.cpu_seconds() - cpu0
        wall = time.monotonic() - t0
        st = status(d, args.servent)
        c = st["counters"]
        for link in links:
            link.close()
        return {"deflate": deflate, "peers": args.peers, "queries_sent": args.queries,
                "queries_received": c["queries_received"], "copies_forwarded": forwarded,
                "daemon_queries_forwarded": c["queries_forwarded"],
                "daemon_cpu_s": round(cpu, 3), "wall_s": round(wall, 3),
                "queries_per_cpu_s": round(c["queries_received"] / cpu) if cpu else None,
                "copies_per_cpu_s": round(forwarded / cpu) if cpu else None,
                "dropped": c.get("dropped", {})}
    finally:
        d.close()


def bench_memory(args, workdir, deflate, n):
    d = Daemon(args.serventd, workdir, "mem-%s" % ("z" if deflate else "plain"), "127.0.0.9",
               "[network]\nleaves=%d\nultrapeers=4\naccept-per-ip=8\ndeflate=%s\n"
               % (n + 10, "true" if deflate else "false"))
    try:
        time.sleep(1)
        base = d.rss_bytes()
        links = connect_many(d, sources(n, 2), False, deflate)
        wait_peers(d, args.servent, "leaves", n)
        time.sleep(1)
        rss = d.rss_bytes()
        for link in links:
            link.close()
        return {"deflate": deflate, "leaves": n, "rss_before_mib": round(base / 2**20, 1),
                "rss_after_mib": round(rss / 2**20, 1),
                "bytes_per_connection": round((rss - base) / n)}
    finally:
        d.close()


def bench_idle(args, workdir):
    n = args.idle_leaves
    d = Daemon(args.serventd, workdir, "idle", "127.0.0.9",
               "[network]\nleaves=%d\nultrapeers=4\naccept-per-ip=8\nidle-ping=20\n" % (n + 10))
    try:
        links = connect_many(d, sources(n, 3), False, True)
        wait_peers(d, args.servent, "leaves", n, timeout=120)
        sel = selectors.DefaultSelector()
        for link in links:
            sel.register(link.sock, selectors.EVENT_READ, link)
        cpu0, t0 = d.cpu_seconds(), time.monotonic()
        pings = 0
        while time.monotonic() - t0 < args.hold:
            for key, _ in sel.select(timeout=0.5):
                msgs = key.data.read()
                pings += sum(1 for m in msgs if m[0] == PING)
                key.data.answer_pings(msgs)
        cpu = d.cpu_seconds() - cpu0
        wall = time.monotonic() - t0
        st = status(d, args.servent)
        alive = sum(1 for link in links if not link.closed)
        rss = d.rss_bytes()
        for link in links:
            link.close()
        return {"leaves": n, "hold_s": round(wall, 1), "still_connected": st["peers"]["leaves"],
                "client_side_open": alive, "keepalive_pings": pings,
                "daemon_cpu_s": round(cpu, 3), "cpu_percent": round(100 * cpu / wall, 2),
                "rss_mib": round(rss / 2**20, 1)}
    finally:
        d.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("serventd")
    p.add_argument("servent")
    p.add_argument("--peers", type=int, default=16)
    p.add_argument("--queries", type=int, default=200000)
    p.add_argument("--leaves", type=int, default=1000)
    p.add_argument("--idle-leaves", type=int, default=2000)
    p.add_argument("--hold", type=float, default=60)
    args = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    workdir = tempfile.mkdtemp(prefix="svbench-overlay-")
    try:
        results = {}
        for deflate in (False, True):
            r = bench_routing(args, workdir, deflate)
            results["routing_deflate" if deflate else "routing_plain"] = r
            print("routing (%d peers, deflate %s): %d queries in %.2f CPU-s = %s queries/CPU-s; "
                  "%d copies forwarded = %s copies/CPU-s (wall %.2f s)"
                  % (r["peers"], "on" if deflate else "off", r["queries_received"], r["daemon_cpu_s"],
                     r["queries_per_cpu_s"], r["copies_forwarded"], r["copies_per_cpu_s"], r["wall_s"]),
                  flush=True)
        for deflate in (False, True):
            r = bench_memory(args, workdir, deflate, args.leaves)
            results["memory_deflate" if deflate else "memory_plain"] = r
            print("memory (%d leaves, deflate %s): RSS %.1f -> %.1f MiB = %d bytes per connection"
                  % (r["leaves"], "on" if deflate else "off", r["rss_before_mib"], r["rss_after_mib"],
                     r["bytes_per_connection"]), flush=True)
        r = bench_idle(args, workdir)
        results["idle"] = r
        print("idle leaves: %d held %.0f s (%d still connected, %d keep-alive pings answered): "
              "daemon CPU %.2f s = %.2f%%, RSS %.1f MiB"
              % (r["leaves"], r["hold_s"], r["still_connected"], r["keepalive_pings"],
                 r["daemon_cpu_s"], r["cpu_percent"], r["rss_mib"]), flush=True)
        print(json.dumps(results))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

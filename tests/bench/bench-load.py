#!/usr/bin/env python3
"""bench-load.py: a serventd ultrapeer under the Gnutella load generator, as routing is measured.

Runs gnutella-load.py (standard Gnutella 0.6 leaves and one flooding ultrapeer link; its --help
says what it does) against a fresh serventd on loopback (--lan --ultrapeer --no-bootstrap):
  - 10, 50 and 200 leaves, each deflated both ways with its own 64Ki-slot QRP table, one link
    flooding unique TTL-2 queries as fast as the daemon drains it, half matching one leaf
    (-L N --window 20): queries routed per CPU-second of the daemon, RSS per leaf, delivery;
  - a hold of 10,000 leaves (leaves=10000 in the config; -L 10000 --fanout 2 --words 4 --no-flood
    --window 60): leaves held, the daemon's CPU while idle, RSS.
Delivery is exact when every matching query reached its leaf and no query reached another leaf
(the tool's deliveries_total == matching_total, unexpected == foreign == 0).

Usage: bench-load.py SERVENTD LOAD_TOOL [--leaves 10,50,200] [--window S] [--hold N] [--hold-window S]
"""

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time

START_TIMEOUT_S = 10
RUN_TIMEOUT_S = 900


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    """One serventd ultrapeer with its own state and config, stopped by stop()."""

    def __init__(self, serventd, leaves):
        self.dir = tempfile.mkdtemp(prefix="svload-", dir=os.environ.get("SV_BENCH_DIR", "/dev/shm"))
        self.port = free_port()
        conf = os.path.join(self.dir, "servent.conf")
        with open(conf, "w") as f:
            f.write("[network]\nleaves=%d\n" % leaves)
        for sub in ("state", "run"):
            os.mkdir(os.path.join(self.dir, sub))
        self.log = open(os.path.join(self.dir, "serventd.log"), "w")
        self.proc = subprocess.Popen(
            [serventd, "-c", conf, "--lan", "--ultrapeer", "--no-bootstrap",
             "--listen", "127.0.0.1:%d" % self.port,
             "--state-dir", os.path.join(self.dir, "state"),
             "--runtime-dir", os.path.join(self.dir, "run")],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("serventd exited at start; log in " + self.log.name)
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("serventd did not listen within %d s" % START_TIMEOUT_S)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_tool(tool, serventd, leaves, args):
    d = Daemon(serventd, leaves)
    try:
        out = subprocess.run(
            [sys.executable, tool, "127.0.0.1", str(d.port), "--pid", str(d.proc.pid),
             "-L", str(leaves)] + args,
            capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    finally:
        d.stop()
    lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
    if out.returncode != 0 or not lines:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit("gnutella-load.py failed (exit %d)" % out.returncode)
    return json.loads(lines[-1])


def exact(r):
    return (r.get("deliveries_total") == r.get("matching_total")
            and r.get("deliveries_unexpected") == 0 and r.get("deliveries_foreign") == 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("serventd")
    ap.add_argument("tool")
    ap.add_argument("--leaves", default="10,50,200")
    ap.add_argument("--window", type=float, default=20)
    ap.add_argument("--hold", type=int, default=10000)
    ap.add_argument("--hold-window", type=float, default=60)
    a = ap.parse_args()
    if not os.path.exists(a.tool):
        raise SystemExit("load tool not found: %s (set SV_LOAD_TOOL to gnutella-load.py)" % a.tool)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))   # the leaves' sockets, inherited

    print("routing: -L N --window %g (a flooding ultrapeer link, half the queries match one leaf)"
          % a.window)
    print("%7s %14s %10s %9s %13s %s" % ("leaves", "queries/CPU-s", "CPU", "RSS/leaf",
                                         "delivered", "exact"))
    ok = True
    for n in [int(x) for x in a.leaves.split(",") if x]:
        r = run_tool(a.tool, a.serventd, n, ["--window", str(a.window)])
        ok = ok and exact(r)
        print("%7d %14.0f %9.0f%% %6.1f kB %6d/%-6d %s" % (
            r["leaves_connected"], r["queries_per_up_cpu_s"] or 0, 100 * r["up_cpu_util"],
            r["rss_per_leaf_kb"], r["deliveries_total"], r["matching_total"],
            "yes" if exact(r) else "NO (unexpected %d, foreign %d)" % (
                r["deliveries_unexpected"], r["deliveries_foreign"])), flush=True)
    if a.hold > 0:
        r = run_tool(a.tool, a.serventd, a.hold,
                     ["--fanout", "2", "--words", "4", "--no-flood", "--window", str(a.hold_window)])
        rss = r["up_rss_kb"]
        print("hold: %d of %d leaves held (%d refused), idle CPU %.1f%% of a core over %g s, "
              "RSS %.0f MiB (%.1f kB per leaf), connecting took %.1f CPU-s" % (
                  r["leaves_connected"], r["leaves_requested"], r["leaves_refused"],
                  100 * r["up_cpu_util"], a.hold_window, rss["end"] / 1024, r["rss_per_leaf_kb"],
                  r["up_cpu_s_connecting"]), flush=True)
        for why, count in sorted(r.get("refusals", {}).items()):
            print("    %d x %s" % (count, why))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

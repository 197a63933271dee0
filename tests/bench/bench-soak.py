#!/usr/bin/env python3
"""bench-soak.py: a long soak of one serventd ultrapeer (shipped defaults, --lan, no bootstrap).

200 real serventd leaves (forced leaf role) link to it; every minute a tenth of them leave and come
back (stopped with SIGTERM or SIGKILL, restarted a little later). Another leaf searches every
second for the file of one of 20 leaves that never leave (such a search must hit) and, in turn,
for the file of one churning leaf (counted, not required). Three bursts of 3,000 slow handshakes
from distinct 127.3.x.y addresses hit the ultrapeer along the way. Each minute the ultrapeer's
RSS, descriptors, CPU share, leaves and the searches of that minute are sampled; the table is
printed at the end, with an SVG plot of RSS and descriptors written beside it (--svg).

Before the hour, a warm-up burst runs the flood code paths once; the baseline is the first
minute's sample after it. Verdicts printed at the end: no search that should hit missed; RSS and
descriptors at the end within 5% of the baseline. The daemon's heap in use (mallinfo through gdb,
when gdb is installed) is printed at the start and the end too: RSS alone mixes what is in use
with what the allocator keeps.

Usage: bench-soak.py SERVENTD SERVENT [--minutes 60] [--leaves 200] [--svg FILE]
Not part of the test suite; `tests/bench/run BUILD soak` runs it.
"""
import argparse
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "system"))
import harness  # noqa: E402

STABLE = 20
SLOW_HELLO = b"GNUTELLA CONNECT/0.6\r\nUser-Agent: x"
FLOOD_SIZE = 3000


def proc_sample(pid):
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return rss, len(os.listdir(f"/proc/{pid}/fd")), ticks / os.sysconf("SC_CLK_TCK")


def heap_in_use(daemon):
    """The daemon's heap bytes in use (glibc malloc_stats, asked through gdb), or None."""
    if shutil.which("gdb") is None:
        return None
    subprocess.run(["gdb", "-p", str(daemon.proc.pid), "-batch", "-ex", "call (int) malloc_stats()"],
                   capture_output=True, timeout=60)
    time.sleep(0.5)
    with open(daemon.log_path, errors="replace") as f:
        tail = f.read()[-4000:]
    at = tail.rfind("Total (incl. mmap):")
    if at < 0:
        return None
    for line in tail[at:].splitlines():
        if line.startswith("in use bytes"):
            return int(line.split("=")[1])
    return None


class Searches:
    """One search a second from @searcher, alternating a stable leaf's word and a churning one's."""

    def __init__(self, run, searcher, stable, churning):
        self.run, self.searcher = run, searcher
        self.stable, self.churning = stable, churning
        self.lock = threading.Lock()
        self.minute = {"must": 0, "missed": 0, "other": 0, "other_hit": 0}
        self.total = dict(self.minute)
        self.misses = []
        self.stop = threading.Event()
        self.threads = []

    def one(self, leaf, must):
        word = leaf.soak_word
        res = self.run.cli(self.searcher, ["search", "--json", "--timeout", "4", "--max-results", "1",
                                           word], timeout=30)
        hit = res.returncode == 0 and leaf.addr in res.stdout
        with self.lock:
            for d in (self.minute, self.total):
                if must:
                    d["must"] += 1
                    d["missed"] += 0 if hit else 1
                else:
                    d["other"] += 1
                    d["other_hit"] += 1 if hit else 0
            if must and not hit:
                self.misses.append((time.strftime("%H:%M:%S"), word, res.returncode))

    def loop(self):
        n = 0
        while not self.stop.is_set():
            t0 = time.monotonic()
            must = n % 2 == 0
            leaf = random.choice(self.stable if must else self.churning)
            th = threading.Thread(target=self.one, args=(leaf, must), daemon=True)
            th.start()
            self.threads = [t for t in self.threads if t.is_alive()] + [th]
            n += 1
            self.stop.wait(max(0.0, 1.0 - (time.monotonic() - t0)))

    def take_minute(self):
        with self.lock:
            m = self.minute
            self.minute = {k: 0 for k in m}
        return m


def svg_plot(path, rows):
    """RSS (MiB) and descriptors per minute, two polylines on one chart."""
    w, h, pad = 720, 320, 40
    mins = [r["minute"] for r in rows]
    series = [("RSS MiB", [r["rss"] / 1024 for r in rows], "#c33"), ("descriptors", [r["fds"] for r in rows], "#36c")]
    top = max(max(v) for _, v, _ in series) * 1.1 or 1
    xmax = max(mins) or 1
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<line x1="{pad}" y1="{h - pad}" x2="{w - 10}" y2="{h - pad}" stroke="black"/>',
           f'<line x1="{pad}" y1="10" x2="{pad}" y2="{h - pad}" stroke="black"/>',
           f'<text x="{w // 2}" y="{h - 8}">minute (0..{xmax})</text>',
           f'<text x="4" y="20">{top:.0f}</text>']
    for i, (name, vals, color) in enumerate(series):
        pts = " ".join(f"{pad + (w - pad - 10) * m / xmax:.1f},{h - pad - (h - pad - 10) * v / top:.1f}"
                       for m, v in zip(mins, vals))
        out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{pts}"/>')
        out.append(f'<text x="{w - 160}" y="{24 + 16 * i}" fill="{color}">{name}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def body(run, args):
    up = run.daemon("up", "ultrapeer", config={"network": {"accept-per-ip": None, "handshake-timeout": None}})
    leaves = []
    for i in range(args.leaves):
        word = f"soakfile{i:03d}x{random.randint(0, 1 << 30):x}"
        # The leaves' folders never change: no inotify instance each (200 of them would use up
        # the default per-user limit of 128 and starve everything else on the machine).
        d = run.daemon(f"l{i:03d}", "leaf", peers=[up], start=False, shares=[(f"{word}.txt", os.urandom(600))],
                       config={"shares": {"watch": "false"}})
        d.soak_word = word
        leaves.append(d)
    searcher = run.daemon("searcher", "leaf", peers=[up])
    for n, d in enumerate(leaves):
        d.start(wait=False)
        if n % 10 == 9:
            time.sleep(1)
    run.wait_for("every leaf linked", lambda: up.status()["peers"]["leaves"] >= args.leaves + 1,
                 deadline=300)
    time.sleep(20)   # QRP tables in
    # Warm-up: one burst before the hour, so that what a first flood costs once (code paths run
    # for the first time, the allocator's first high-water mark) is in the baseline and the
    # hour measures drift.
    warm = harness.HandshakeFlood([(socket.AF_INET, f"127.3.{200 + i // 250}.{i % 250 + 1}")
                                   for i in range(FLOOD_SIZE)],
                                  {socket.AF_INET: (up.ip, up.port)}, SLOW_HELLO, 15, 20)
    warm.start()
    warm.done.wait(120)
    time.sleep(70)   # its handshakes timed out, its accept records expired
    keep = min(STABLE, len(leaves) // 2)
    stable, churning = leaves[:keep], leaves[keep:]
    searches = Searches(run, searcher, stable, churning)
    st = threading.Thread(target=searches.loop, daemon=True)
    st.start()

    heap_start = heap_in_use(up)
    flood_at = {max(1, args.minutes * k // 6) for k in (1, 3, 5)}
    rows = []
    last_cpu = proc_sample(up.proc.pid)[2]
    start = time.monotonic()
    down = []   # (due monotonic, daemon)
    floods = []
    for minute in range(1, args.minutes + 1):
        if minute in flood_at:
            srcs = [(socket.AF_INET, f"127.3.{(i // 250) + 20 * len(floods)}.{i % 250 + 1}")
                    for i in range(FLOOD_SIZE)]
            fl = harness.HandshakeFlood(srcs, {socket.AF_INET: (up.ip, up.port)}, SLOW_HELLO, 15, 20)
            fl.start()
            floods.append((minute, fl))
        # A tenth of the churning leaves leave now; each comes back 5 to 40 s later.
        for d in random.sample(churning, min(len(churning), max(1, len(leaves) // 10))):
            if d.proc is not None and d.proc.poll() is None and all(d is not x for _, x in down):
                d.stop(sig=random.choice([signal.SIGTERM, signal.SIGKILL]), quiet=True)
                down.append((time.monotonic() + random.uniform(5, 40), d))
        minute_end = start + minute * 60
        while time.monotonic() < minute_end:
            for item in list(down):
                if item[0] <= time.monotonic():
                    item[1].start(wait=False)
                    down.remove(item)
            time.sleep(0.5)
        rss, fds, cpu = proc_sample(up.proc.pid)
        s = searches.take_minute()
        status = up.status(quiet=True) or {"peers": {"leaves": -1}}
        rows.append({"minute": minute, "rss": rss, "fds": fds, "cpu": 100 * (cpu - last_cpu) / 60,
                     "leaves": status["peers"]["leaves"], "routes": status.get("route_entries", -1), **s,
                     "flood": "yes" if minute in flood_at else ""})
        last_cpu = cpu
        r = rows[-1]
        run.log(f"min {minute:3d}: RSS {rss} KiB, fds {fds}, CPU {r['cpu']:.1f}%, leaves {r['leaves']}, "
                f"routes {r['routes']}, "
                f"must-hit {s['must']} missed {s['missed']}, other {s['other_hit']}/{s['other']}"
                f"{', flood' if r['flood'] else ''}")
    searches.stop.set()
    for t in searches.threads:
        t.join(40)

    print("\nminute  RSS KiB  fds  CPU %  leaves  routes  must-hit  missed  churn hit/asked  flood")
    for r in rows:
        print(f"{r['minute']:6d} {r['rss']:8d} {r['fds']:4d} {r['cpu']:6.1f} {r['leaves']:7d} {r['routes']:7d} "
              f"{r['must']:9d} {r['missed']:7d} {r['other_hit']:8d}/{r['other']:<6d} {r['flood']:>5s}")
    t = searches.total
    print(f"\nsearches that must hit: {t['must']}, missed {t['missed']}; searches for churning leaves: "
          f"{t['other_hit']} of {t['other']} hit")
    for m, fl in floods:
        print(f"flood at minute {m}: {fl.opened[socket.AF_INET]} slow handshakes opened, "
              f"{fl.failed[socket.AF_INET]} refused at connect")
    first, lastr = rows[0], rows[-1]
    rss_ok = lastr["rss"] <= first["rss"] * 1.05
    fds_ok = lastr["fds"] <= first["fds"] * 1.05 + 1
    print(f"RSS first {first['rss']} KiB, last {lastr['rss']} KiB: {'within' if rss_ok else 'NOT within'} 5%")
    print(f"descriptors first {first['fds']}, last {lastr['fds']}: {'within' if fds_ok else 'NOT within'} 5%")
    heap_end = heap_in_use(up)
    if heap_start is not None and heap_end is not None:
        print(f"heap in use (malloc_stats): {heap_start} bytes at the start, {heap_end} at the end")
    if searches.misses:
        print("missed: " + ", ".join(f"{w} at {when} (exit {c})" for when, w, c in searches.misses[:20]))
    if args.svg:
        svg_plot(args.svg, rows)
        print(f"plot: {args.svg}")
    run.check(t["missed"] == 0, f"{t['missed']} searches that should hit missed")
    run.check(rss_ok and fds_ok, "RSS or descriptors did not end within 5% of the first sample")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("serventd")
    ap.add_argument("servent")
    ap.add_argument("--minutes", type=int, default=60)
    ap.add_argument("--leaves", type=int, default=200)
    ap.add_argument("--svg", default=None)
    args = ap.parse_args()
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 16384)), hard))
    harness.Run("soak", argv=[sys.argv[0], args.serventd, args.servent]).main(lambda run: body(run, args))


if __name__ == "__main__":
    main()

"""test-push.py: downloads across a real masquerading NAT (network namespaces, nftables).

The lab: a public ultrapeer (U), a public downloader (D), an uploader behind a NAT (F), a second
host behind another NAT (G) and two public uploaders (P, Q). Every servent runs with --lan (the
documentation ranges are not routable) and shipped defaults otherwise; none is told whether it is
firewalled. Checked:
  - F finds out that it is firewalled (behind a NAT), D that it is reachable;
  - D finds F's file, the hit says firewalled, and `servent get 1` fetches it through PUSH and
    GIV, SHA-1 checked;
  - `servent sync add F-GUID DIR` on D mirrors firewalled F's whole share: browsed on the
    connection a PUSH makes F open, each file fetched by PUSH, SHA-1 checked;
  - the same through F's push proxy (its ultrapeer, named in its hit) when the downloader has no
    route left for a PUSH;
  - G (behind a NAT) fetches a file P and Q both share directly, from both at once;
  - G (behind a NAT too) fetches F's file by simultaneous open, meeting F at its push proxy;
  - F's daemon is killed in the middle of a transfer and started again: the download resumes and
    completes;
  - D is killed in the middle of a download and started again: it resumes from what it stored;
  - F's NAT forgets its connections in the middle of a transfer: the file still arrives whole.
Needs root; exits 77 (skipped) without it.

Usage: python3 test-push.py SERVENTD SERVENT
"""
import hashlib
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "system"))
import harness  # noqa: E402
import natlab  # noqa: E402
from nattest import reach, search, servent, skip_unless_possible, transfers  # noqa: E402


def payload(n, seed):
    return random.Random(seed).randbytes(n)


def download_path(d, name):
    return os.path.join(d.home, "Downloads", name)


def sha1_of(path):
    with open(path, "rb") as f:
        return hashlib.sha1(f.read()).hexdigest()


def get(run, d, what, timeout=120):
    res = run.cli(d, ["get", str(what)], timeout=timeout)
    return res.returncode, res.stdout.strip(), res.stderr.strip()


def downloads(d):
    return d.json_cmd("downloads")["downloads"]


def body(run):
    skip_unless_possible(run)
    lab = natlab.NatLab()
    u_ns, u_ip = lab.public_host("up")
    d_ns, d_ip = lab.public_host("dl")
    p_ns, p_ip = lab.public_host("pub")
    q_ns, q_ip = lab.public_host("pub2")
    u2_ns, u2_ip = lab.public_host("up2")
    d2_ns, d2_ip = lab.public_host("dl2")
    f_ns, f_ip, f_gw, f_wan = lab.natted_host("fw")
    g_ns, g_ip, g_gw, g_wan = lab.natted_host("fw2")
    run.log(f"lab {lab.tag}: U {u_ip}, D {d_ip}, P {p_ip}, F {f_ip} behind {f_wan}, "
            f"G {g_ip} behind {g_wan}")

    zebra = payload(3_000_000, 1)
    gnu = payload(6_000_000, 2)
    yak_data = payload(6_000_000, 3)
    okapi = payload(2_000_000, 4)
    wolf = payload(12_000_000, 5)
    ibex = payload(1_000_000, 6)

    up = servent(run, lab, "U", u_ns, u_ip, role="ultrapeer")
    f = servent(run, lab, "F", f_ns, f_ip, peers=[up],
                shares=[("zebra crossing.bin", zebra), ("gnu migration.bin", gnu),
                        ("yak herd.bin", yak_data), ("wolf pack.bin", wolf),
                        ("ibex ridge.bin", ibex)])
    d = servent(run, lab, "D", d_ns, d_ip, peers=[up])
    p = servent(run, lab, "P", p_ns, p_ip, peers=[up], shares=[("okapi forest.bin", okapi)])
    q = servent(run, lab, "Q", q_ns, q_ip, peers=[up], shares=[("okapi forest.bin", okapi)])
    g = servent(run, lab, "G", g_ns, g_ip, peers=[up])
    for x in (f, d, p, q, g):
        run.wait_connected(x, up)
    f.wait_shares(5)
    p.wait_shares(1)
    q.wait_shares(1)

    # Reachability, from evidence only.
    run.wait_for("D proven reachable", lambda: reach(d)["verdict"] == "reachable", deadline=30)
    # UDP too: the public D got its connect-back ping; behind its NAT, F's never arrives.
    run.wait_for("D's UDP connect-back ping arriving",
                 lambda: "UDP: a connect-back ping from" in reach(d)["evidence"], deadline=30)
    run.check(reach(up)["connect_backs_udp"] >= 1, f"U answered no UDP connect-back: {reach(up)}")
    run.wait_for("P proven reachable", lambda: reach(p)["verdict"] == "reachable", deadline=30)
    for x, wan in ((f, f_wan), (g, g_wan)):
        # "unknown" until a connect-back request went unanswered for 10 s.
        r = run.wait_for(f"{x.name} known firewalled", lambda: (lambda v: v if v["verdict"] != "unknown"
                                                                 else None)(reach(x)), deadline=30)
        run.check(r["verdict"] == "firewalled-nat", f"{x.name} reachability {r}")
        run.check("UDP: not proven" in r["evidence"], f"{x.name}: a UDP ping crossed its NAT: {r}")
        run.check(r["announced"].startswith(wan + ":"), f"{x.name} announces {r['announced']}, "
                  f"its NAT's address is {wan}")

    # D fetches F's file through PUSH and GIV.
    hits = search(run, d, "zebra")
    run.check(hits[0]["firewalled"] is True, f"F's hit is marked firewalled: {hits[0]}")
    t0 = time.monotonic()
    code, out, err = get(run, d, 1)
    run.log(f"zebra via PUSH in {time.monotonic() - t0:.2f} s")
    run.check(code == 0, f"get zebra: exit {code}, stderr {err!r}")
    path = download_path(d, "zebra crossing.bin")
    run.check(out == path, f"get zebra printed {out!r}, expected {path}")
    if os.path.exists(path):
        run.check(sha1_of(path) == hashlib.sha1(zebra).hexdigest(), "zebra arrived whole")
    dl = [x for x in downloads(d) if x["name"] == "zebra crossing.bin"]
    run.check(dl and dl[0]["method"] == "push" and dl[0]["pushes_answered"] >= 1,
              f"zebra came by push: {dl}")
    run.check(transfers(f)["pushes_honoured"] >= 1, f"F honoured the push: {transfers(f)}")

    # D mirrors F's whole share by F's servent GUID: F is firewalled, so the browse comes over
    # the connection F opens after a PUSH, and so does each file.
    f_guid = f.status()["guid"]
    mirror = os.path.join(d.home, "mirror of F")
    t0 = time.monotonic()
    res = run.cli(d, ["sync", "add", f_guid, mirror])
    run.check(res.returncode == 0, f"sync add {f_guid}: {res.returncode} {res.stderr!r}")

    def mirrored():
        res = run.cli(d, ["sync", "list", "--json"])
        s = json.loads(res.stdout)[0] if res.returncode == 0 and res.stdout.strip() != "[]" else None
        return s if s and s["runs"] >= 1 and s["state"] == "idle" else None
    st = run.wait_for("D's mirror of F", mirrored, deadline=180)
    run.log(f"F's share (5 files, 28 MB) mirrored through PUSHes in {time.monotonic() - t0:.2f} s")
    run.check(st["last_error"] is None and st["files"] == 5 and st["pending"] == 0,
              f"the mirror of firewalled F: {st}")
    for name, data in (("zebra crossing.bin", zebra), ("gnu migration.bin", gnu), ("yak herd.bin", yak_data),
                       ("wolf pack.bin", wolf), ("ibex ridge.bin", ibex)):
        p = os.path.join(mirror, name)
        run.check(os.path.exists(p) and sha1_of(p) == hashlib.sha1(data).hexdigest(), f"{name} mirrored whole")
    res = run.cli(d, ["sync", "remove", str(st["id"])])
    run.check(res.returncode == 0, f"sync remove: {res.stderr!r}")

    # Through a push proxy: D2 found F's file through a second ultrapeer U2, which then goes
    # away; with no route left for a PUSH, D2 asks F's push proxy (U, named in F's hit) over HTTP.
    # U is on D2's hostile list, so that D2 cannot link to it once U2 is gone (it would at once:
    # it knows U from U2 and retries its few hosts quickly) and leave a route for the PUSH.
    up2 = servent(run, lab, "U2", u2_ns, u2_ip, role="ultrapeer", peers=[up])
    d2 = servent(run, lab, "D2", d2_ns, d2_ip, peers=[up2], hostiles=[u_ip])
    run.wait_connected(d2, up2)
    run.wait_connected(up2, up)
    run.wait_for("D2 proven reachable", lambda: reach(d2)["verdict"] == "reachable", deadline=30)
    hits = search(run, d2, "ibex")
    run.check(hits[0]["firewalled"] is True, f"F's ibex hit is firewalled: {hits[0]}")
    up2.stop()
    run.wait_for("D2 without links", lambda: d2.status()["peers"]["ultrapeers"] == 0, deadline=30)
    code, out, err = get(run, d2, 1, timeout=60)
    run.check(code == 0, f"get ibex through the push proxy: exit {code}, stderr {err!r}")
    if code == 0:
        run.check(sha1_of(out) == hashlib.sha1(ibex).hexdigest(), "ibex arrived whole")
    run.check(transfers(up)["proxy_pushes"] >= 1, f"U relayed the push as F's proxy: {transfers(up)}")
    d2.stop()

    # G, behind its own NAT, fetches the file P and Q share directly, from both at once.
    hits = search(run, g, "okapi", want=2)
    run.check(hits[0]["firewalled"] is False, f"P's hit is not firewalled: {hits[0]}")
    code, out, err = get(run, g, 1)
    run.check(code == 0, f"get okapi: exit {code}, stderr {err!r}")
    if code == 0:
        run.check(sha1_of(out) == hashlib.sha1(okapi).hexdigest(), "okapi arrived whole")
    dl = [x for x in downloads(g) if x["name"] == "okapi forest.bin"]
    run.check(dl and dl[0]["method"] == "direct", f"okapi came directly: {dl}")
    run.check(dl and dl[0]["sources_used"] == 2, f"okapi came from both sources: {dl}")

    # Both firewalled: G meets F at F's push proxy U and the two open the connection by
    # simultaneous open (tests/nat/test-rendezvous.py tries every kind of gateway).
    search(run, g, "zebra")
    code, out, err = get(run, g, 1, timeout=60)
    run.check(code == 0, f"G get zebra: exit {code}, stderr {err!r}")
    if code == 0:
        run.check(sha1_of(out) == hashlib.sha1(zebra).hexdigest(), "zebra arrived whole at G")
    dl = [x for x in downloads(g) if x["name"] == "zebra crossing.bin"]
    run.check(dl and dl[0]["method"] == "simultaneous-open", f"zebra came to G by simultaneous open: {dl}")

    # F is killed mid-transfer and started again: the download resumes. (F's uplink is slowed
    # to 16 Mbit/s from here on, so that there is a middle to interrupt.)
    lab.limit_rate(f_gw, "wan", "16mbit")
    search(run, d, "yak")
    res = run.cli(d, ["get", "--no-wait", "1"])
    run.check(res.returncode == 0, f"get --no-wait yak: {res.returncode} {res.stderr!r}")

    def yak():
        x = [y for y in downloads(d) if y["name"] == "yak herd.bin"]
        return x[0] if x else None
    run.wait_for("yak under way", lambda: (yak() or {}).get("done", 0) >= 1_000_000, deadline=30)
    before = yak()["done"]
    f.kill()
    run.log(f"killed F with {before} bytes of yak here")
    time.sleep(1)
    f.start()
    run.wait_connected(f, up)
    final = run.wait_for("yak complete", lambda: (lambda x: x if x and x["state"] in ("complete", "failed")
                                                   else None)(yak()), deadline=150)
    run.check(final["state"] == "complete", f"yak after F's restart: {final}")
    path = download_path(d, "yak herd.bin")
    run.check(os.path.exists(path) and sha1_of(path) == hashlib.sha1(yak_data).hexdigest(),
              "yak arrived whole after F restarted")
    # D is killed mid-download and started again: it resumes from what it had stored.
    search(run, d, "wolf")
    res = run.cli(d, ["get", "--no-wait", "1"])
    run.check(res.returncode == 0, f"get --no-wait wolf: {res.returncode} {res.stderr!r}")

    def wolf_dl():
        x = [y for y in downloads(d) if y["name"] == "wolf pack.bin"]
        return x[0] if x else None
    run.wait_for("wolf half here", lambda: (wolf_dl() or {}).get("done", 0) >= 6_000_000, deadline=60)
    d.kill()
    d.start()
    resumed = wolf_dl()
    run.log(f"D restarted with {resumed['done']} bytes of wolf stored")
    run.check(resumed["done"] >= 1_000_000 and resumed["state"] == "active",
              f"wolf resumed from stored progress: {resumed}")
    final = run.wait_for("wolf complete", lambda: (lambda x: x if x and x["state"] in ("complete", "failed")
                                                    else None)(wolf_dl()), deadline=120)
    run.check(final["state"] == "complete", f"wolf after D's restart: {final}")
    path = download_path(d, "wolf pack.bin")
    run.check(os.path.exists(path) and sha1_of(path) == hashlib.sha1(wolf).hexdigest(),
              "wolf arrived whole after D restarted")

    # Last: after the flush, F's overlay link stays dead until F next sends on it.
    # F's NAT forgets every connection mid-transfer: the file still arrives whole.
    search(run, d, "gnu")
    res = run.cli(d, ["get", "--no-wait", "1"])
    run.check(res.returncode == 0, f"get --no-wait gnu: {res.returncode} {res.stderr!r}")

    def gnu_progress(min_done):
        def ok():
            x = [y for y in downloads(d) if y["name"] == "gnu migration.bin"]
            return x and (x[0]["done"] >= min_done or x[0]["state"] in ("complete", "failed")) and x[0]
        return ok
    run.wait_for("gnu under way", gnu_progress(500_000), deadline=30)
    run.log(f"flushing {f_gw}'s connection table: {lab.flush_conntrack(f_gw)}")
    final = run.wait_for("gnu complete", lambda: (lambda x: x if x["state"] in ("complete", "failed")
                                                   else None)(gnu_progress(0)()), deadline=120)
    run.check(final["state"] == "complete", f"gnu after the flush: {final}")
    path = download_path(d, "gnu migration.bin")
    run.check(os.path.exists(path) and sha1_of(path) == hashlib.sha1(gnu).hexdigest(),
              "gnu arrived whole after the NAT forgot its connections")


    lab.close()


if __name__ == "__main__":
    run = harness.Run("nat-push")
    run.main(body)

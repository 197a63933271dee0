#!/usr/bin/env python3
"""Dual stack: a servent that also listens on an IPv6 address says so in its hits (GGEP "6", on
the port they name), and a downloader asks it there first: the file comes over IPv6 (`from` in
the download's JSON), SHA-1 checked, with the IPv4 address kept as a second source. A servent
listening on IPv4 only sends no IPv6 address, and is fetched over IPv4. A dual-stack servent that
connects over IPv6 names its IPv6 address in the handshake (Listen-IP), and a servent reached
over both families keeps one link with it (the GUID header tells). Loopback only (::1);
skipped when this machine has no IPv6 loopback."""
import hashlib
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def v6_port_free(port):
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET6, kind)
        try:
            s.bind(("::1", port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def dual_stack(run, name, **kwargs):
    """A daemon listening on 127.x.y.z:port and [::1]:port (a port free on both)."""
    d = run.daemon(name, role=None, start=False, **kwargs)
    for _ in range(50):
        if v6_port_free(d.port):
            break
        d.ip, d.port = run.new_endpoint()
        d.addr = f"{d.ip}:{d.port}"
    d.extra_args = list(d.extra_args) + ["--listen", f"[::1]:{d.port}"]
    return d


def body(run):
    try:
        socket.socket(socket.AF_INET6, socket.SOCK_STREAM).bind(("::1", 0))
    except OSError as e:
        print(f"skipped: no IPv6 loopback ({e})")
        run.close()
        sys.exit(77)
    both = os.urandom(300_000)
    v4only = os.urandom(200_000)
    a = dual_stack(run, "a", shares=[("dual stack.bin", both)])
    a.start()
    c = run.daemon("c", role=None, shares=[("only four.bin", v4only)])
    b = run.daemon("b", role=None, peers=[a, c])
    run.wait_connected(b, a)
    run.wait_connected(b, c)
    a.wait_shares()
    c.wait_shares()

    for words, data, want_from in (("dual", both, f"[::1]:{a.port}"), ("four", v4only, c.addr)):
        def found():
            code, hits, _ = b.search(words, timeout=6, max_results=1)
            return hits if code == 0 and hits else None
        run.wait_for(f"b finding '{words}'", found)
        res = run.cli(b, ["get", "1"])
        run.check(res.returncode == 0, f"get {words}: exit {res.returncode} {res.stderr!r}")
        if res.returncode != 0:
            continue
        path = res.stdout.strip()
        run.check(hashlib.sha1(open(path, "rb").read()).digest() == hashlib.sha1(data).digest(),
                  f"{words} arrived whole")
        dl = [x for x in b.json_cmd("downloads")["downloads"] if x["path"] == path]
        run.check(dl and dl[0]["from"] == want_from and dl[0]["method"] == "direct",
                  f"{words} came from {dl[0]['from'] if dl else None}, expected {want_from}")
        run.check(dl and dl[0]["sources"] == (2 if words == "dual" else 1),
                  f"{words}: sources {dl[0]['sources'] if dl else None}")

    # Over IPv6, the handshake names the IPv6 address.
    d = dual_stack(run, "d")
    d.extra_args += ["--peer", f"[::1]:{a.port}"]
    d.start()

    def linked6():
        return [p for p in a.peer_list() if p.get("direction") == "in"
                and p.get("address", "").startswith("[::1]:") and p.get("listen") == f"[::1]:{d.port}"] or None
    got = run.wait_for("a linked with d over IPv6", linked6, fatal=False)
    run.check(got is not None, f"a's peers: {a.peer_list()}")

    # b, c and d learn a's IPv6 address from its pongs, a theirs: one link each all the same.
    def one_each():
        peers = a.peer_list()
        return peers if len(peers) == 3 else None
    got = run.wait_for("a with one link per servent", one_each, deadline=30, fatal=False)
    run.check(got is not None, f"a's links: {[(p['address'], p['listen']) for p in a.peer_list()]}")
    dups = sum(x.status()["admission"]["duplicate_links"] for x in (a, b, c, d))
    run.log(f"duplicate links closed: {dups}")


if __name__ == "__main__":
    harness.Run("ipv6").main(body)

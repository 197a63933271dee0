#!/usr/bin/env python3
"""Dual stack: a servent that also listens on an IPv6 address says so in its hits (GGEP "6", on
the port they name), and a downloader asks it there first: the file comes over IPv6 (`from` in
the download's JSON), SHA-1 checked, with the IPv4 address kept as a second source. A servent
listening on IPv4 only sends no IPv6 address, and is fetched over IPv4. Loopback only (::1);
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


def body(run):
    try:
        socket.socket(socket.AF_INET6, socket.SOCK_STREAM).bind(("::1", 0))
    except OSError as e:
        print(f"skipped: no IPv6 loopback ({e})")
        run.close()
        sys.exit(77)
    both = os.urandom(300_000)
    v4only = os.urandom(200_000)
    a = run.daemon("a", role=None, shares=[("dual stack.bin", both)], start=False)
    for _ in range(50):
        if v6_port_free(a.port):
            break
        a.ip, a.port = run.new_endpoint()
        a.addr = f"{a.ip}:{a.port}"
    a.extra_args = list(a.extra_args) + ["--listen", f"[::1]:{a.port}"]
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


if __name__ == "__main__":
    harness.Run("ipv6").main(body)

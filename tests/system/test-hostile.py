#!/usr/bin/env python3
"""A misbehaving peer against an ultrapeer that also has two good serventd peers. Each kind of
abuse (oversize payload, TTL 255, hops + TTL over 15, a garbage handshake, a handshake trickled
one byte a second, a flood of connects from one address, a deflate bomb) gets that connection
closed and counted, while the good links stay up and a search across them still finds
everything."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import MSG_QUERY, message, msg_header, query_payload  # noqa: E402

HANDSHAKE_TIMEOUT = 3
ACCEPT_PER_IP = 3
FLOOD = 8


def total(d):
    return sum(d.values())


def body(run):
    h = run.daemon("h", "ultrapeer", shares=[("common h sample.txt", os.urandom(700))],
                   config={"network": {"ultrapeers": 4, "leaves": 16,
                                       "handshake-timeout": HANDSHAKE_TIMEOUT,
                                       "accept-per-ip": ACCEPT_PER_IP}}, filler=True)
    g1 = run.daemon("g1", "ultrapeer", peers=[h], shares=[("common g1 sample.txt", os.urandom(800))],
                    config={"network": {"ultrapeers": 4, "leaves": 4}}, filler=True)
    g2 = run.daemon("g2", "ultrapeer", peers=[h], shares=[("common g2 sample.txt", os.urandom(900))],
                    config={"network": {"ultrapeers": 4, "leaves": 4}}, filler=True)
    for d in (h, g1, g2):
        d.wait_shares()
    run.wait_connected(h, g1)
    run.wait_connected(h, g2)
    h.wait_table_from(g2)  # the search below reaches g2 as h's last hop
    good_ids = sorted(p["id"] for p in h.peer_list())
    run.check(len(good_ids) == 2, f"h has {len(good_ids)} links before the abuse, expected 2")

    def search_finds_all(when):
        code, hits, res = g1.search("common", ttl=2, timeout=8)
        got = sorted(x["address"] for x in hits)
        run.check(code == 0 and got == sorted([h.addr, g2.addr]),
                  f"{when}: search from g1 exit {code}, hits from {got}, expected {sorted([h.addr, g2.addr])}")
    search_finds_all("before the abuse")

    def abuse(what, action, closed_reason=None, kicked=True, dropped_reason=None, min_dropped=1):
        """Runs @action (given a fresh RawPeer-making function); then checks that h closed the
        link and counted it."""
        before = h.counters()
        closed = action()
        run.check(closed, f"{what}: h did not close the connection")

        def counted():
            c = h.counters()
            ok = total(c["closed"]) > total(before["closed"])
            if kicked:
                ok = ok and c["peers_kicked"] > before["peers_kicked"]
            if closed_reason:
                ok = ok and c["closed"].get(closed_reason, 0) > before["closed"].get(closed_reason, 0)
            if dropped_reason:
                ok = ok and c["dropped"].get(dropped_reason, 0) >= \
                    before["dropped"].get(dropped_reason, 0) + min_dropped
            return ok
        if not run.wait_for(f"{what}: counted", counted, deadline=30, fatal=False):
            c = h.counters()
            run.log(f"{what}: counters before {before} after {c}")
        run.check(h.status(quiet=True) is not None, f"{what}: h stopped answering")

    def leaf_link(**kw):
        raw = harness.RawPeer(run, h)
        status, headers = raw.handshake(ultrapeer=False, **kw)
        if not run.check(status is not None and " 200" in status,
                         f"h refused a well-formed leaf handshake: {status!r}"):
            raw.close()
            raise harness.TestFailure("handshake refused")
        time.sleep(0.5)
        return raw, headers

    # 1. A Query header announcing a payload over the 1024-byte Query cap.
    def oversize():
        raw, _ = leaf_link()
        raw.send(msg_header(MSG_QUERY, 2, 0, 1025) + b"\x80\x00oversize")
        r = raw.closed_by_peer(30)
        raw.close()
        return r
    abuse("oversize payload", oversize, closed_reason="oversize")

    # 2. Queries with TTL 255: each dropped, and the sender kicked after ten of them.
    def ttl255():
        raw, _ = leaf_link()
        for _ in range(20):
            if not raw.send(message(MSG_QUERY, 255, 0, query_payload("common"))):
                break
            time.sleep(0.05)
        r = raw.closed_by_peer(30)
        raw.close()
        return r
    abuse("TTL 255 queries", ttl255, dropped_reason="ttl-limit", min_dropped=11)

    # 3. Queries whose hops + TTL is 16.
    def hops_ttl():
        raw, _ = leaf_link()
        for _ in range(20):
            if not raw.send(message(MSG_QUERY, 10, 6, query_payload("common"))):
                break
            time.sleep(0.05)
        r = raw.closed_by_peer(30)
        raw.close()
        return r
    abuse("hops + TTL over 15", hops_ttl, dropped_reason="ttl-limit", min_dropped=11)

    # 4. A handshake with a header line that is not a header.
    def garbage():
        raw = harness.RawPeer(run, h)
        raw.send(b"GNUTELLA CONNECT/0.6\r\nthis line has no colon\r\n\x00\xff\xfe\x01garbage\r\n\r\n")
        r = raw.closed_by_peer(30)
        raw.close()
        return r
    abuse("garbage handshake", garbage, closed_reason="handshake")

    # 5. A handshake trickled one byte a second outlives handshake-timeout.
    def trickle():
        raw = harness.RawPeer(run, h)
        raw.send(b"GNUTELLA CONNECT/0.6\r\n")
        rest = b"User-Agent: slowpoke/1.0\r\nX-Ultrapeer: False\r\nX-Query-Routing: 0.1\r\n\r\n"
        start = time.monotonic()
        for i in range(len(rest)):
            if not raw.send(rest[i:i + 1]):
                break
            if raw.closed_by_peer(1.0):
                break
        elapsed = time.monotonic() - start
        r = raw.closed_by_peer(5)
        raw.close()
        run.check(elapsed < len(rest) * 1.5, f"trickle: the link lived {elapsed:.0f} s")
        return r
    abuse("handshake one byte a second", trickle, closed_reason="timeout")

    # 6. Connects hammered from one address: past accept-per-ip they are closed unanswered.
    before = h.counters()
    flood_ip = run.new_ip()
    answered = []
    for i in range(FLOOD):
        raw = harness.RawPeer(run, h, source_ip=flood_ip)
        raw.send(b"GNUTELLA CONNECT/0.6\r\nUser-Agent: flood/1.0\r\nX-Ultrapeer: False\r\n\r\n")
        block = raw.read_block()
        answered.append(block.startswith(b"GNUTELLA/0.6"))
        raw.close()
    run.check(answered[:ACCEPT_PER_IP] == [True] * ACCEPT_PER_IP,
              f"flood: the first {ACCEPT_PER_IP} connects were not answered: {answered}")
    run.check(answered[ACCEPT_PER_IP:] == [False] * (FLOOD - ACCEPT_PER_IP),
              f"flood: connects past accept-per-ip={ACCEPT_PER_IP} were answered: {answered}")
    run.wait_for("flood: accept_rejected counted", lambda: h.counters()["accept_rejected"]
                 >= before["accept_rejected"] + FLOOD - ACCEPT_PER_IP, deadline=20, fatal=False)
    # The ban is per address: another address still gets in.
    raw, _ = leaf_link()
    raw.close()

    # 7. A deflate bomb after a handshake that agreed on compression both ways.
    def bomb():
        raw, headers = leaf_link(deflate=True)
        run.check(headers.get("accept-encoding", "").lower() == "deflate",
                  f"bomb: h does not accept deflate: {headers}")
        data, inflated = harness.deflate_bomb(64 * 1024 * 1024)
        run.log(f"bomb: {len(data)} bytes inflating to {inflated}")
        for i in range(0, len(data), 4096):
            if not raw.send(data[i:i + 4096]):
                break
        r = raw.closed_by_peer(30)
        raw.close()
        return r
    abuse("deflate bomb", bomb, closed_reason="inflate")

    # The good peers kept their links, and the overlay still works.
    run.check(sorted(p["id"] for p in h.peer_list() if p["id"] in good_ids) == good_ids,
              f"h lost a good peer: {h.peer_addrs()}")
    run.check(h.linked_to(g1) is not None and h.linked_to(g2) is not None,
              f"good peers gone from h: {h.peer_addrs()}")
    run.check(len(h.peer_list()) == 2, f"h keeps links from the abuse: {h.peer_addrs()}")
    search_finds_all("after the abuse")
    c = h.counters()
    run.log(f"h: kicked {c['peers_kicked']} rejected {c['accept_rejected']} closed {c['closed']} "
            f"dropped {c['dropped']}")


if __name__ == "__main__":
    harness.Run("hostile").main(body)

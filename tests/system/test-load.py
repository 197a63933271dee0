#!/usr/bin/env python3
"""Delivery under load: an ultrapeer with 30 deflated leaves (pairs of leaves share a keyword in
their QRP tables) takes a flood of distinct queries from an ultrapeer link, sent as fast as it
reads them, half of them matching one pair. Every matching query reaches both leaves of its pair
exactly once, no query reaches a leaf whose table refuses it, and queries sent again under the
same MUID are not delivered again."""
import os
import selectors
import socket
import struct
import sys
import threading
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

GROUPS = 15                # pairs of leaves
QUERIES = 6000             # distinct MUIDs, half matching one pair
RESENT = 100               # matching queries sent again under their MUID (under the 200 that get a
                           # link dropped for duplicates)
QRP_BITS = 16
QRP_INFINITY = 7
SETTLE_S = 2.0             # no delivery for this long after the flood: done
FLOOD_DEADLINE_S = 120


def qrp_hash(word, bits=QRP_BITS):
    """The Gnutella QRP hash of an ASCII keyword."""
    x, shift = 0, 0
    for c in word.lower().encode():
        x ^= c << shift
        shift = (shift + 8) & 24
    return ((x * 0x4F1BBCDC) & 0xFFFFFFFF) >> (32 - bits)


def qrp_messages(slots):
    """RESET then one zlib-compressed 8-bit PATCH marking @slots present."""
    reset = struct.pack("<BIB", 0, 1 << QRP_BITS, QRP_INFINITY)
    table = bytearray(1 << QRP_BITS)
    for s in slots:
        table[s] = (-(QRP_INFINITY - 1)) & 0xFF
    patch = struct.pack("<BBBBB", 1, 1, 1, 1, 8) + zlib.compress(bytes(table))
    return [harness.message(harness.MSG_QRP, 1, 0, reset), harness.message(harness.MSG_QRP, 1, 0, patch)]


class Leaf:
    """A raw leaf: deflate both ways when the daemon agrees; counts the queries it receives."""

    def __init__(self, run, up, word):
        self.peer = harness.RawPeer(run, up)
        status, hdrs = self.peer.handshake(ultrapeer=False, deflate=True)
        run.check(status is not None and " 200" in status, f"leaf handshake accepted ({status})")
        self.inflate = zlib.decompressobj() if hdrs.get("content-encoding") == "deflate" else None
        self.deflate = zlib.compressobj()
        self.inbuf = self.peer.buf
        if self.inflate is not None and self.inbuf:
            self.inbuf = self.inflate.decompress(self.inbuf)
        self.got = {}
        self.last_rx = time.monotonic()
        self.send(b"".join(qrp_messages([qrp_hash(word)])))
        self.peer.sock.setblocking(False)

    def send(self, data):
        self.peer.send(self.deflate.compress(data) + self.deflate.flush(zlib.Z_SYNC_FLUSH))

    def on_readable(self):
        try:
            chunk = self.peer.sock.recv(65536)
        except BlockingIOError:
            return True
        except OSError:
            return False
        if not chunk:
            return False
        if self.inflate is not None:
            chunk = self.inflate.decompress(chunk)
        self.inbuf += chunk
        while len(self.inbuf) >= 23:
            muid, ptype, ttl, hops, length = struct.unpack_from("<16sBBBI", self.inbuf)
            if len(self.inbuf) < 23 + length:
                break
            self.inbuf = self.inbuf[23 + length:]
            if ptype == harness.MSG_QUERY:
                self.got[muid] = self.got.get(muid, 0) + 1
                self.last_rx = time.monotonic()
            elif ptype == harness.MSG_PING:   # keep-alive: answer as a live leaf would
                pong = struct.pack("<H4sII", 6346, socket.inet_aton(self.peer.source_ip), 0, 0)
                self.peer.sock.setblocking(True)
                self.send(harness.message(harness.MSG_PONG, hops + 1, 0, pong, guid=muid))
                self.peer.sock.setblocking(False)
        return True


def unused_word(n, taken):
    """A keyword whose QRP slot no leaf's table holds."""
    while True:
        w = f"nomatch{n}q"
        if qrp_hash(w) not in taken:
            return w
        n += 7919


def body(run):
    up = run.daemon("up", "ultrapeer")
    words, slots = [], set()
    g = 0
    while len(words) < GROUPS:   # one keyword per pair, in distinct table slots
        w = f"loadword{g}x"
        g += 1
        if qrp_hash(w) not in slots:
            words.append(w)
            slots.add(qrp_hash(w))
    leaves = [Leaf(run, up, words[i // 2]) for i in range(2 * GROUPS)]
    run.wait_for("every leaf's QRP table in",
                 lambda: sum(1 for p in up.peer_list() if p.get("qrp_table")) >= 2 * GROUPS)

    flood = harness.RawPeer(run, up)
    status, _ = flood.handshake(ultrapeer=True)
    run.check(status is not None and " 200" in status, f"flooding ultrapeer link accepted ({status})")
    expected = {}             # MUID -> group (None: matches no leaf)
    msgs = []
    for n in range(QUERIES):
        muid = os.urandom(16)
        if n % 2 == 0:
            grp = (n // 2) % GROUPS
            text = words[grp]
        else:
            grp = None
            text = unused_word(n, slots)
        expected[muid] = grp
        msgs.append(harness.message(harness.MSG_QUERY, 2, 0, harness.query_payload(text), guid=muid))
    resent = msgs[0:2 * RESENT:2]   # matching ones
    wire = b"".join(msgs + resent)

    def pump():
        try:
            flood.sock.settimeout(FLOOD_DEADLINE_S)
            flood.sock.sendall(wire)
        except OSError as e:
            run.log(f"flood send ended: {e}")

    def drain_flood():   # what the daemon sends the flooding link (pings, its table) is read
        flood.sock.settimeout(0.5)
        while not done.is_set():
            try:
                if not flood.sock.recv(65536):
                    return
            except socket.timeout:
                continue
            except OSError:
                return

    done = threading.Event()
    sender = threading.Thread(target=pump, daemon=True)
    reader = threading.Thread(target=drain_flood, daemon=True)
    sel = selectors.DefaultSelector()
    for leaf in leaves:
        sel.register(leaf.peer.sock, selectors.EVENT_READ, leaf)
    t0 = time.monotonic()
    sender.start()
    reader.start()
    alive = set(leaves)
    end = t0 + FLOOD_DEADLINE_S
    while time.monotonic() < end and alive:
        for key, _ in sel.select(timeout=0.2):
            if not key.data.on_readable():
                sel.unregister(key.fileobj)
                alive.discard(key.data)
        last = max(leaf.last_rx for leaf in leaves)
        if not sender.is_alive() and time.monotonic() - last > SETTLE_S:
            break
    sent_s = time.monotonic() - t0
    done.set()
    run.check(len(alive) == len(leaves), f"every leaf stays linked under the flood "
              f"({len(leaves) - len(alive)} dropped)")
    run.check(not sender.is_alive(), "the daemon read the whole flood")

    missing = extra = foreign = 0
    for i, leaf in enumerate(leaves):
        grp = i // 2
        for muid, want in expected.items():
            n = leaf.got.get(muid, 0)
            if want == grp:
                missing += n == 0
                extra += max(0, n - 1)
        foreign += sum(1 for m in leaf.got if m not in expected or expected[m] != grp)
    delivered = sum(sum(leaf.got.values()) for leaf in leaves)
    run.log(f"{QUERIES + RESENT} queries in {sent_s:.1f} s; {delivered} deliveries to "
            f"{len(leaves)} leaves; missing {missing}, twice {extra}, to a wrong leaf {foreign}")
    run.check(missing == 0, f"every matching query reaches both leaves of its pair ({missing} missing)")
    run.check(extra == 0, f"no leaf receives a query twice, resent MUIDs included ({extra})")
    run.check(foreign == 0, f"no query reaches a leaf whose table refuses it ({foreign})")
    dups = up.counters()["queries_duplicate"]
    run.check(dups == RESENT, f"the resent MUIDs are counted as duplicates ({dups} of {RESENT})")
    for leaf in leaves:
        leaf.peer.close()
    flood.close()


if __name__ == "__main__":
    harness.Run("load").main(body)

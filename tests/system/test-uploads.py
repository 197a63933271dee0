"""test-uploads.py: the upload side of the Gnutella port, as a downloader (or an attacker) sees it.

One servent with shipped defaults shares three files. Checked on real sockets:
  - GET by SHA-1 and by index, HEAD, keep-alive, Range (206), past the end (416);
  - browse host, plain and deflated: every file as QueryHit messages;
  - Range abuse (inverted, 64-bit overflow, thousands of ranges) refused with 416, a Range that
    does not parse with 400;
  - path traversal in every spelling never serves anything but a 400 or 404;
  - request lines and header blocks over their caps (414, 431);
  - a client sending one byte per second is cut by the head deadline while others are served;
  - a shared file swapped for a symbolic link out of the share after indexing, and a file changed
    after indexing, are not served under their old hash (the changed one is hashed again);
  - a GIV for no download and a GIV flood are refused and counted, and the daemon serves on;
  - PUSHes for S from a link none of its hits went out on (reflection) are refused and counted;
  - upload-rate in servent.conf caps the upload speed, and a small file asked for during a big
    transfer is not starved by it;
  - a download whose only source is busy learns another from its X-Alt and completes;
  - a source that sends wrong bytes under the right URN is caught by the SHA-1 check and
    dropped, and the file completes from an honest source;
  - `servent get` errors: nothing known for a URN, a result number out of range, a bad argument.
"""
import base64
import hashlib
import json
import os
import socket
import threading
import time
import zlib

import harness


def urn_of(data):
    return "urn:sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def http(d, request, read_body=True, timeout=10.0):
    """Sends @request (bytes) on a fresh connection; returns (status, headers, body)."""
    s = socket.create_connection((d.ip, d.port), timeout=timeout)
    try:
        s.sendall(request)
        return read_response(s, read_body)
    finally:
        s.close()


def read_response(s, read_body=True):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            return None, {}, buf
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    length = int(headers.get("content-length", "0"))
    body = rest
    while read_body and len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body[:length] if read_body else b""


def get(target, extra=""):
    return f"GET {target} HTTP/1.1\r\nHost: x\r\n{extra}\r\n".encode()


def body(run):
    alpha = os.urandom(300_000)
    beta = os.urandom(50_000)
    gamma = os.urandom(40_000)
    s = run.daemon("S", role=None, shares=[("alpha song.bin", alpha), ("sub/beta.bin", beta),
                                          ("gamma.bin", gamma)])
    s.wait_shares(3)
    t = lambda: s.status()["transfers"]  # noqa: E731

    # By SHA-1, by index, HEAD, keep-alive.
    st, h, b = http(s, get(f"/uri-res/N2R?{urn_of(alpha)}"))
    run.check(st == 200 and b == alpha, f"GET by urn: {st}, {len(b)} bytes")
    run.check(h.get("x-gnutella-content-urn") == urn_of(alpha), f"content URN header: {h}")
    index = {}
    for i in range(1, 8):
        st, h, _ = http(s, f"HEAD /get/{i}/x HTTP/1.1\r\nHost: x\r\n\r\n".encode(), read_body=False)
        if st == 200:
            index[h.get("x-gnutella-content-urn")] = i
    run.check(urn_of(beta) in index, f"beta found by index: {index}")
    conn = socket.create_connection((s.ip, s.port), timeout=10)
    conn.sendall(get(f"/get/{index.get(urn_of(beta), 0)}/beta.bin"))
    st, h, b = read_response(conn)
    run.check(st == 200 and b == beta, f"GET by index: {st} {len(b)}")
    conn.sendall(f"HEAD /uri-res/N2R?{urn_of(alpha)} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    st, h, b = read_response(conn, read_body=False)
    run.check(st == 200 and h.get("content-length") == str(len(alpha)), f"HEAD on the same connection: {st} {h}")
    conn.sendall(get(f"/uri-res/N2R?{urn_of(alpha)}", "Range: bytes=100-199\r\n"))
    st, h, b = read_response(conn)
    run.check(st == 206 and b == alpha[100:200] and h.get("content-range") == f"bytes 100-199/{len(alpha)}",
              f"Range on the same connection: {st} {h.get('content-range')} {len(b)}")
    conn.close()

    # Browse host: every shared file as QueryHits, deflated when asked.
    for deflate in (False, True):
        st, h, b = http(s, b"GET / HTTP/1.1\r\nHost: x\r\nAccept: application/x-gnutella-packets\r\n" +
                        (b"Accept-Encoding: deflate\r\n" if deflate else b"") + b"\r\n")
        run.check(st == 200 and h.get("content-type") == "application/x-gnutella-packets",
                  f"browse host (deflate {deflate}): {st} {h}")
        run.check((h.get("content-encoding") == "deflate") == deflate, f"browse Content-Encoding: {h}")
        if deflate and st == 200:
            b = zlib.decompress(b)
        names, off = [], 0
        while off + 23 <= len(b):
            ptype, length = b[off + 16], int.from_bytes(b[off + 19:off + 23], "little")
            run.check(ptype == 0x81, f"browse message type {ptype:#x}")
            names.append(b[off + 23:off + 23 + length])
            off += 23 + length
        run.check(off == len(b), f"browse body frames exactly: {off} of {len(b)}")
        joined = b"".join(names)
        run.check(b"alpha song.bin" in joined and b"beta.bin" in joined and b"gamma.bin" in joined,
                  f"browse lists the three files ({len(names)} hit(s))")
        run.check(urn_of(alpha).encode() in joined, "browse hits carry the files' URNs")

    # Range abuse.
    cases = [("bytes=300000-", 416), ("bytes=500-100", 416), ("bytes=0-99999999999999999999999", 416),
             ("bytes=" + ",".join(f"{i}-{i}" for i in range(200)), 416),
             ("bytes=" + ",".join(f"{i}-{i}" for i in range(4000)), 431), ("bytes=abc", 400),
             ("items=0-5", 200)]
    for value, want in cases:
        st, h, b = http(s, get(f"/uri-res/N2R?{urn_of(alpha)}", f"Range: {value}\r\n"))
        run.check(st == want, f"Range {value[:40]!r}: {st}, expected {want}")
        if want == 416:
            run.check(h.get("content-range") == f"bytes */{len(alpha)}", f"416 Content-Range {h}")

    # Path traversal, in every spelling: nothing but 400 or 404.
    for target in ["/get/1/../../../../etc/passwd", "/get/1/%2e%2e/%2e%2e/etc/passwd",
                   "/%2e%2e/%2e%2e/etc/passwd", "/get/1/%252e%252e/%252e%252e/etc/passwd",
                   "/etc/passwd", "//etc/passwd", "/get/1/..\\..\\etc\\passwd", "/get/1/%00/etc/passwd",
                   "/get/1/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", "/get/99999999999999999999/x",
                   "/uri-res/N2R?urn:sha1:../../etc/passwd", "/get/-1/x", "/../etc/passwd"]:
        st, h, b = http(s, get(target))
        run.check(st in (400, 404) and b"root:" not in b, f"{target}: {st}")

    # Caps on the request line and the header block.
    st, _, _ = http(s, get("/get/1/" + "a" * 3000))
    run.check(st == 414, f"a 3000-byte request line: {st}")
    st, _, _ = http(s, get("/get/1/x", "".join(f"X-Pad-{i}: {'b' * 100}\r\n" for i in range(200))))
    run.check(st == 431, f"a 20 KB header block: {st}")

    # One byte per second: cut by the head deadline; others are served meanwhile.
    slow = socket.create_connection((s.ip, s.port), timeout=40)
    started = time.monotonic()
    closed = {}

    def dribble():
        for ch in get("/get/1/x", "X-Slow: " + "z" * 100 + "\r\n"):
            try:
                slow.sendall(bytes([ch]))
            except OSError:
                break
            time.sleep(1)
            if time.monotonic() - started > 40:
                break
        closed["at"] = time.monotonic() - started
    th = threading.Thread(target=dribble, daemon=True)
    th.start()
    time.sleep(2)
    st, _, b = http(s, get(f"/uri-res/N2R?{urn_of(gamma)}"))
    run.check(st == 200 and b == gamma, f"served while a slow client dribbles: {st}")
    th.join(45)
    run.check("at" in closed and closed["at"] < 30, f"the slow client was cut after {closed.get('at')} s")

    # A file swapped for a link out of the share, and a file changed, after indexing.
    beta_path = os.path.join(s.share_dir, "sub", "beta.bin")
    os.unlink(beta_path)
    os.symlink("/etc/passwd", beta_path)
    st, _, b = http(s, get(f"/uri-res/N2R?{urn_of(beta)}"))
    run.check(st == 404 and b"root:" not in b, f"beta swapped for a link to /etc/passwd: {st}")
    gamma_path = os.path.join(s.share_dir, "gamma.bin")
    gamma2 = os.urandom(len(gamma))
    with open(gamma_path, "r+b") as f:
        f.write(gamma2)
    os.utime(gamma_path, (time.time() + 5, time.time() + 5))
    st, _, b = http(s, get(f"/uri-res/N2R?{urn_of(gamma)}"))
    run.check(st == 404, f"gamma changed since indexing is not served under its old hash: {st}")

    def new_gamma():
        st2, _, b2 = http(s, get(f"/uri-res/N2R?{urn_of(gamma2)}"))
        return st2 == 200 and b2 == gamma2
    run.wait_for("gamma served under its new hash", new_gamma, deadline=30)
    run.check(t()["upload_changed"] >= 1 or t()["upload_outside_share"] >= 1, f"counted: {t()}")

    # GIVs: for no download, and a flood of silent ones.
    before = s.status()["transfers"]["giv_unmatched"]
    g = socket.create_connection((s.ip, s.port), timeout=10)
    g.sendall(b"GIV 0:" + b"ab" * 16 + b"/file\n\n")
    g.settimeout(10)
    try:
        eof = g.recv(100) == b""
    except OSError:
        eof = True
    run.check(eof, "a GIV for no download is closed")
    run.wait_for("the unmatched GIV counted",
                 lambda: s.status()["transfers"]["giv_unmatched"] == before + 1, deadline=10)
    flood = []
    for _ in range(150):
        try:
            c = socket.create_connection((s.ip, s.port), timeout=5)
            c.sendall(b"GIV 0:")
            flood.append(c)
        except OSError:
            break
    st, _, b = http(s, get(f"/uri-res/N2R?{urn_of(alpha)}"))
    run.check(st == 200 and b == alpha, f"served during a GIV flood of {len(flood)}: {st}")
    for c in flood:
        c.close()

    # PUSHes for S from a peer none of S's hits went to: a reflection attempt (S would connect
    # to a host that never searched), refused and counted; nothing connects to the target.
    peer = harness.RawPeer(run, s)
    status_line, _ = peer.handshake(ultrapeer=True)
    run.check(status_line is not None and " 200" in status_line, f"raw ultrapeer accepted: {status_line}")
    guid = bytes.fromhex(s.status()["guid"])
    target_ip = socket.inet_aton(peer.source_ip)
    sink = socket.socket()
    sink.bind((peer.source_ip, 0))
    sink.listen(64)
    port = sink.getsockname()[1]
    before = s.status()["transfers"]["pushes_unsolicited"]
    for i in range(40):
        payload = guid + i.to_bytes(4, "little") + target_ip + port.to_bytes(2, "little")
        peer.send(harness.message(0x40, 3, 0, payload))
    run.wait_for("the PUSH flood counted",
                 lambda: s.status()["transfers"]["pushes_unsolicited"] >= before + 40, deadline=15)
    run.check(t()["pushes_honoured"] == 0, f"no call-back made: {t()}")
    sink.settimeout(2)
    got = 0
    try:
        while True:
            c, _ = sink.accept()
            got += 1
            c.close()
    except OSError:
        pass
    run.check(got == 0, f"connections to the PUSH target: {got}")
    peer.close()
    sink.close()

    # PUSHes on a link our hit did go out on: call-backs to one target are capped (16 per 10 s),
    # the rest refused and counted.
    def hit_link(d, words):
        """A raw ultrapeer link to @d on which @d sent a hit of its own."""
        p = harness.RawPeer(run, d)
        line, _ = p.handshake(ultrapeer=True)
        run.check(line is not None and " 200" in line, f"raw ultrapeer accepted by {d.name}: {line}")
        time.sleep(0.5)
        p.send(harness.message(0x80, 2, 0, harness.query_payload(words)))
        head, _ = p.read_message(0x81, deadline=10)
        run.check(head is not None, f"{d.name} sent no hit for {words!r}")
        return p
    peer = hit_link(s, "alpha song")
    sink = socket.socket()
    sink.bind((peer.source_ip, 0))
    sink.listen(128)
    port = sink.getsockname()[1]
    before = t()
    for i in range(24):
        payload = guid + i.to_bytes(4, "little") + socket.inet_aton(peer.source_ip) + port.to_bytes(2, "little")
        peer.send(harness.message(0x40, 3, 0, payload))
    run.wait_for("the PUSHes over the per-target cap counted",
                 lambda: t()["pushes_refused"] >= before["pushes_refused"] + 8, deadline=15, fatal=False)
    sink.settimeout(3)
    gives = 0
    try:
        while True:
            c, _ = sink.accept()
            c.settimeout(5)
            if c.recv(64).startswith(b"GIV "):
                gives += 1
            c.close()
    except OSError:
        pass
    after = t()
    run.log(f"24 PUSHes to one target: {gives} GIV call-backs, {after['pushes_refused'] - before['pushes_refused']} refused")
    run.check(gives == 16, f"call-backs to one target within 10 s: {gives}, expected the cap of 16")
    run.check(after["pushes_refused"] - before["pushes_refused"] == 8,
              f"PUSHes refused over the cap: {after['pushes_refused'] - before['pushes_refused']}")
    peer.close()
    sink.close()

    # Without --lan, a PUSH naming a private or loopback target is refused and counted, even on
    # a link our hit went out on.
    wan_data = os.urandom(3000)
    wan = run.daemon("WAN", role=None, shares=[("wan sample.bin", wan_data)],
                     config={"network": {"lan": "false"}})
    wan.wait_shares(1)
    peer = hit_link(wan, "wan sample")
    wan_guid = bytes.fromhex(wan.status()["guid"])
    wt = lambda: wan.status()["transfers"]  # noqa: E731
    before = wt()
    for i, target in enumerate(["10.1.2.3", peer.source_ip, "192.168.7.7", "224.0.0.9"]):
        payload = wan_guid + i.to_bytes(4, "little") + socket.inet_aton(target) + (6346).to_bytes(2, "little")
        peer.send(harness.message(0x40, 3, 0, payload))
    run.wait_for("the PUSHes to private targets refused and counted",
                 lambda: wt()["pushes_refused"] >= before["pushes_refused"] + 4, deadline=15, fatal=False)
    run.check(wt()["pushes_refused"] == before["pushes_refused"] + 4 and wt()["pushes_honoured"] == 0,
              f"PUSHes to private targets without --lan: {wt()}")
    peer.close()

    # upload-rate in servent.conf caps what all uploads send together.
    slow_data = os.urandom(1 << 20)
    small_data = os.urandom(20_000)
    lim = run.daemon("L", role=None, shares=[("limited.bin", slow_data), ("small.bin", small_data)],
                     config={"transfers": {"upload-rate": "256"}})
    lim.wait_shares(2)
    big = {}

    def fetch_big():
        t0 = time.monotonic()
        big["reply"] = http(lim, get(f"/uri-res/N2R?{urn_of(slow_data)}"), timeout=60)
        big["took"] = time.monotonic() - t0
        big["done"] = time.monotonic()
    th = threading.Thread(target=fetch_big)
    th.start()
    time.sleep(0.5)   # the big transfer has the line
    st2, _, b2 = http(lim, get(f"/uri-res/N2R?{urn_of(small_data)}"), timeout=60)
    small_done = time.monotonic()
    th.join(90)
    st, _, b = big.get("reply", (None, None, b""))
    took = big.get("took", 0.0)
    run.log(f"1 MiB at upload-rate=256 KiB/s took {took:.2f} s; 20 kB asked for meanwhile came "
            f"{big.get('done', small_done) - small_done:.2f} s before it ended")
    run.check(st == 200 and b == slow_data, f"limited upload: {st} {len(b)}")
    run.check(took >= 3.5, f"1 MiB at 256 KiB/s came in {took:.2f} s (at least 3.5 s expected)")
    run.check(st2 == 200 and b2 == small_data and small_done < big.get("done", 0),
              f"a small file asked for during a big transfer under upload-rate waited for it: {st2}")

    # A busy source's X-Alt names another that has the file: the download learns it and
    # completes from there (a magnet whose only exact source is the busy one).
    busy = socket.socket()
    busy.bind((run.new_ip(), 0))
    busy.listen(8)
    busy_addr = "%s:%d" % busy.getsockname()

    def busy_server():
        busy.settimeout(60)
        try:
            while True:
                c, _ = busy.accept()
                c.settimeout(5)
                try:
                    c.recv(65536)
                    c.sendall(f"HTTP/1.1 503 Busy\r\nRetry-After: 600\r\nX-Alt: {s.addr}\r\n"
                              "Content-Length: 0\r\nConnection: close\r\n\r\n".encode())
                except OSError:
                    pass
                c.close()
        except OSError:
            pass
    threading.Thread(target=busy_server, daemon=True).start()
    d = run.daemon("D", role=None)
    magnet = f"magnet:?xt={urn_of(alpha)}&xl={len(alpha)}&dn=alpha.bin&xs=http://{busy_addr}/"
    res = run.cli(d, ["get", magnet], timeout=90)
    run.check(res.returncode == 0, f"get via an X-Alt of a busy source: {res.returncode} {res.stderr!r}")
    got = os.path.join(d.home, "Downloads", "alpha.bin")
    run.check(os.path.exists(got) and open(got, "rb").read() == alpha, "alpha arrived from the alternate location")
    busy.close()

    # A source that lies: it claims alpha's URN and sends other bytes. With an honest source
    # beside it, the SHA-1 check fails, the next round goes one source at a time, the liar is
    # dropped and the file comes whole from the honest one.
    liar = socket.socket()
    liar.bind((run.new_ip(), 0))
    liar.listen(8)
    liar_addr = "%s:%d" % liar.getsockname()

    def liar_server():
        liar.settimeout(90)
        try:
            while True:
                c, _ = liar.accept()
                c.settimeout(5)
                try:
                    req = c.recv(65536).decode("latin-1")
                    first, last = 0, len(alpha) - 1
                    for line in req.split("\r\n"):
                        if line.lower().startswith("range: bytes="):
                            a, _, b2 = line.split("=", 1)[1].partition("-")
                            first, last = int(a), int(b2) if b2 else len(alpha) - 1
                    body_bytes = os.urandom(last - first + 1)
                    c.sendall(f"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {first}-{last}/{len(alpha)}\r\n"
                              f"Content-Length: {len(body_bytes)}\r\nX-Gnutella-Content-URN: {urn_of(alpha)}\r\n"
                              "Connection: close\r\n\r\n".encode() + body_bytes)
                except OSError:
                    pass
                c.close()
        except OSError:
            pass
    threading.Thread(target=liar_server, daemon=True).start()
    magnet = (f"magnet:?xt={urn_of(alpha)}&xl={len(alpha)}&dn=alpha-again.bin"
              f"&xs=http://{liar_addr}/&xs=http://{s.addr}/")
    res = run.cli(d, ["get", magnet], timeout=120)
    run.check(res.returncode == 0, f"get with a lying source: {res.returncode} {res.stderr!r}")
    if res.returncode == 0:
        run.check(open(res.stdout.strip(), "rb").read() == alpha, "alpha arrived whole despite the liar")
    again = [x for x in d.json_cmd("downloads")["downloads"] if x["name"] == "alpha-again.bin"]
    run.check(again and again[0]["mismatches"] >= 1 and again[0]["sources_alive"] == 1,
              f"the liar was caught and dropped: {again}")
    liar.close()

    # gtk-gnutella's own request, as captured (tests/data/.../http.txt), for one of our files:
    # answered the way it reads answers.
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "gtk-gnutella",
                           "run-3peers-push", "http.txt"), encoding="latin-1") as f:
        captured = f.read()
    at = captured.index("GET /uri-res/N2R?urn:sha1:SWFS3GUKNT72ASOX6ABLF2LSKPMQIZHQ")
    gtkg_head = captured[at:captured.index("\n\n", at)].replace("\n", "\r\n") + "\r\n\r\n"
    gtkg_head = gtkg_head.replace("urn:sha1:SWFS3GUKNT72ASOX6ABLF2LSKPMQIZHQ", urn_of(alpha))
    st, h, b = http(s, gtkg_head.encode("latin-1"))
    run.check(st == 200 and b == alpha, f"gtk-gnutella's captured GET: {st}, {len(b)} bytes")
    run.check(h.get("x-gnutella-content-urn") == urn_of(alpha) and "browse/1.0" in h.get("x-features", "")
              and h.get("content-length") == str(len(alpha)), f"headers gtk-gnutella reads: {h}")

    # X-Alt: the hosts a requester names become alternate locations offered to the next
    # requesters, never to the host itself.
    a_ip, b_ip = run.new_ip(), run.new_ip()

    def http_from(src, request):
        c = socket.create_connection((s.ip, s.port), timeout=10, source_address=(src, 0))
        try:
            c.sendall(request)
            return read_response(c)
        finally:
            c.close()
    st, h, _ = http_from(a_ip, get(f"/uri-res/N2R?{urn_of(alpha)}", f"X-Alt: 203.0.113.77:6346, {a_ip}:5555\r\n"))
    run.check(st == 200, f"GET with X-Alt: {st}")
    st, h, _ = http_from(b_ip, get(f"/uri-res/N2R?{urn_of(alpha)}"))
    alts = [x.strip() for x in h.get("x-alt", "").split(",") if x.strip()]
    run.check("203.0.113.77:6346" in alts and f"{a_ip}:5555" in alts, f"X-Alt offered to another host: {h}")
    st, h, _ = http_from(a_ip, get(f"/uri-res/N2R?{urn_of(alpha)}"))
    alts = [x.strip() for x in h.get("x-alt", "").split(",") if x.strip()]
    run.check("203.0.113.77:6346" in alts and not any(x.startswith(a_ip + ":") for x in alts),
              f"X-Alt offered to the host it names: {h}")
    run.check("x-fw-node-info" not in h, f"S is reachable, yet says it is firewalled: {h}")

    # Firewalled (no other host has reached its port; asked from its own address): answers say
    # how to reach it by PUSH (gtk-gnutella's X-FW-Node-Info: GUID; port:IP).
    fw_data = os.urandom(2000)
    fw = run.daemon("FW", role=None, shares=[("fw.bin", fw_data)])
    fw.wait_shares(1)
    c = socket.create_connection((fw.ip, fw.port), timeout=10, source_address=(fw.ip, 0))
    c.sendall(get(f"/uri-res/N2R?{urn_of(fw_data)}"))
    st, h, b = read_response(c)
    c.close()
    info = h.get("x-fw-node-info", "")
    run.check(st == 200 and info.upper().startswith(fw.status()["guid"].upper() + ";")
              and f";{fw.port}:" in info, f"a firewalled servent's X-FW-Node-Info: {st} {h}")

    # The queue: one slot, held by a reader that does not read; the next requesters are queued,
    # told their place in PARQ terms (X-Queue 1.0, gtk-gnutella) or LimeWire's (X-Queue: 0.1).
    big = os.urandom(8 << 20)
    q = run.daemon("Q", role=None, shares=[("big.bin", big)],
                   config={"transfers": {"upload-slots": "1", "upload-slots-per-address": "1"}})
    q.wait_shares(1)
    holder = socket.create_connection((q.ip, q.port), timeout=10, source_address=(run.new_ip(), 0))
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    holder.sendall(get(f"/uri-res/N2R?{urn_of(big)}"))
    time.sleep(1)

    def ask(extra):
        c = socket.create_connection((q.ip, q.port), timeout=10, source_address=(run.new_ip(), 0))
        try:
            c.sendall(get(f"/uri-res/N2R?{urn_of(big)}", extra))
            return read_response(c)
        finally:
            c.close()
    st, h, _ = ask("X-Queue: 1.1\r\n")
    run.check(st == 503 and h.get("x-queue") == "1.0" and "position=" in h.get("x-queued", "")
              and h.get("retry-after", "").isdigit(), f"PARQ answer while the slot is held: {st} {h}")
    st, h, _ = ask("X-Queue: 0.1\r\nUser-Agent: LimeWire/4.18.8\r\n")
    lw = h.get("x-queue", "")
    run.check(st == 503 and "position=" in lw and "pollMin=" in lw and "pollMax=" in lw
              and "limit=1" in lw, f"LimeWire's active queue answer: {st} {h}")
    holder.close()

    # servent get: what a user gets wrong.
    res = run.cli(s, ["get", "urn:sha1:" + "A" * 32])
    run.check(res.returncode == 3 and "search for it first" in res.stderr, f"get unknown URN: {res.returncode} {res.stderr!r}")
    res = run.cli(s, ["get", "7"])
    run.check(res.returncode == 3, f"get 7 with no search: {res.returncode} {res.stderr!r}")
    res = run.cli(s, ["get", "something"])
    run.check(res.returncode == 2 and "servent get --help" in res.stderr, f"get something: {res.returncode} {res.stderr!r}")
    res = run.cli(s, ["uploads", "--json"])
    run.check(res.returncode == 0 and '"uploads"' in res.stdout, f"uploads --json: {res.returncode}")
    res = run.cli(s, ["downloads"])
    run.check(res.returncode == 0 and "no downloads" in res.stdout, f"downloads: {res.stdout!r}")

    # Pausing, resuming and cancelling a download (from the rate-limited L: 1 MiB at 256 KiB/s).
    magnet = f"magnet:?xt={urn_of(slow_data)}&xl={len(slow_data)}&dn=slow.bin&xs=http://{lim.addr}/"
    res = run.cli(d, ["get", "--no-wait", "--json", magnet])
    run.check(res.returncode == 0, f"get --no-wait: {res.returncode} {res.stderr!r}")
    dl_id = json.loads(res.stdout)["id"] if res.returncode == 0 else 0
    state = lambda: next((x for x in d.json_cmd("downloads")["downloads"] if x["id"] == dl_id), {})  # noqa: E731
    res = run.cli(d, ["downloads", "pause", str(dl_id)])
    run.check(res.returncode == 0 and "paused" in res.stdout, f"downloads pause: {res.returncode} {res.stdout!r}")
    run.check(state().get("state") == "paused", f"after pause: {state()}")
    done_at_pause = state().get("done", 0)
    time.sleep(2)
    run.check(state().get("done", 0) == done_at_pause, f"a paused download moved on: {state()}")
    res = run.cli(d, ["downloads", "resume", str(dl_id)])
    run.check(res.returncode == 0 and "resumed" in res.stdout, f"downloads resume: {res.returncode}")
    run.wait_for("the resumed download complete", lambda: state().get("state") == "complete", deadline=60)
    res = run.cli(d, ["downloads", "cancel", str(dl_id)])
    run.check(res.returncode == 0, f"downloads cancel: {res.returncode} {res.stderr!r}")
    run.check(state() == {}, f"a cancelled download is still listed: {state()}")
    res = run.cli(d, ["downloads", "cancel", "999999"])
    run.check(res.returncode == 3 and "no download 999999" in res.stderr, f"cancel 999999: {res.returncode} {res.stderr!r}")
    res = run.cli(d, ["downloads", "pause", "x"])
    run.check(res.returncode == 2 and "servent downloads --help" in res.stderr, f"pause x: {res.returncode} {res.stderr!r}")


if __name__ == "__main__":
    run = harness.Run("uploads")
    run.main(body)

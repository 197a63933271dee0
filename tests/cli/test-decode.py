#!/usr/bin/env python3
"""`servent decode` on the captured gtk-gnutella streams: every message of every direction comes out,
in order, with the GUID, TTL, hops and length that messages.txt (decoded independently from the
same capture) names; malformed input gets a verdict, an offset and exit status 1."""
import json
import os
import re
import subprocess
import sys

servent = sys.argv[1]
data = os.environ["SV_TEST_DATA"]
failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)


def expected_messages():
    """Maps 'src_port-dst_port' to the list of (type, guid, ttl, hops, len) in messages.txt."""
    flows = {}
    current = None
    text = open(os.path.join(data, "gtk-gnutella/run-3peers-push/messages.txt"), encoding="latin-1").read()
    for line in text.splitlines():
        m = re.match(r"===== conn\d+ (\S+):(\d+) -> (\S+):(\d+) (A->B|B->A) ", line)
        if m:
            a = f"{m.group(1)}_{m.group(2)}"
            b = f"{m.group(3)}_{m.group(4)}"
            current = flows.setdefault(f"{a}-{b}" if m.group(5) == "A->B" else f"{b}-{a}", [])
            continue
        m = re.match(r"-- (\w+) guid=([0-9a-f]{32}) ttl=(\d+) hops=(\d+) len=(\d+)", line)
        if m and current is not None:
            kind = {"hsep": "unknown"}.get(m.group(1), m.group(1))
            current.append((kind, m.group(2), int(m.group(3)), int(m.group(4)), int(m.group(5))))
    return flows


def run(args, stdin=None):
    return subprocess.run([servent, "decode"] + args, input=stdin, capture_output=True, timeout=60)


flows = expected_messages()
check(len(flows) == 4, f"messages.txt names 4 directions, found {len(flows)}")
total = 0
for name, expected in sorted(flows.items()):
    path = os.path.join(data, "streams", name + ".raw")
    res = run(["--json", path])
    check(res.returncode == 0, f"{name}: exit {res.returncode}: {res.stdout[-300:]!r}")
    lines = [json.loads(l) for l in res.stdout.decode().splitlines()]
    msgs = [l for l in lines if l["type"] != "handshake"]
    got = [(m["type"], m["guid"], m["ttl"], m["hops"], m["length"]) for m in msgs]
    check(got == expected, f"{name}: decoded {got} expected {expected}")
    check(any(l["type"] == "handshake" for l in lines), f"{name}: handshake block not shown")
    check(all("verdict" not in m for m in msgs), f"{name}: a verdict on a good message")
    total += len(msgs)
    text = run([path])
    check(text.returncode == 0 and len(text.stdout.decode().splitlines()) == len(lines),
          f"{name}: text mode prints one line per message")
check(total == 49, f"49 messages in the capture, decoded {total}")


def decoded(name):
    path = os.path.join(data, "streams", name + ".raw")
    return [json.loads(l) for l in run(["--json", path]).stdout.decode().splitlines()]


# The fields a person debugging interop looks at, cross-checked with the capture's story
# (gtk-gnutella/README.md) and with the HTTP side (http.txt).
up2_to_leafa = decoded("127.0.0.1_16348-127.0.0.3_41065")
hits = [m for m in up2_to_leafa if m["type"] == "queryhit"]
check(len(hits) == 2, "two hits reach leafA")
by_guid = {h["servent_guid"]: h for h in hits}
leafb = by_guid.get("7a80310213277edcf7378b115cdf03f5")
up2 = by_guid.get("00c23102f2a6f92f81d79880195fd7a4")
check(leafb is not None and up2 is not None, "hits from leafB and up2, keyed by servent GUID")
if leafb and up2:
    check("firewalled" in leafb["trailer"]["flags"], "leafB's hit is marked firewalled")
    check("firewalled" not in up2["trailer"]["flags"], "up2's hit is not firewalled")
    check(leafb["trailer"]["vendor"] == "GTKG", "vendor code GTKG")
    names = sorted(r["name"] for r in leafb["results"])
    check(names == [f"leafB_zebrafile_{i}.bin" for i in (1, 2, 3)], f"leafB names {names}")
    sizes = {r["name"]: r["size"] for r in leafb["results"]}
    check(sizes.get("leafB_zebrafile_2.bin") == 80000, "leafB file 2 is 80000 bytes")
    http = open(os.path.join(data, "gtk-gnutella/run-3peers-push/http.txt"), encoding="latin-1").read()
    pushed = [r["urn"] for r in leafb["results"] if r["name"] == "leafB_zebrafile_2.bin"]
    check(pushed and pushed[0] in http, "the URN fetched after the PUSH is the one leafB's hit announced")
    check(up2["ip"] == "127.0.0.1" and up2["port"] == 16348, "up2's hit carries its address")
pongs = [m for m in up2_to_leafa if m["type"] == "pong"]
check(pongs and pongs[0]["port"] == 16348 and pongs[0]["ip"] == "127.0.0.1", "pong address")
leafa_to_up2 = decoded("127.0.0.3_41065-127.0.0.1_16348")
query = [m for m in leafa_to_up2 if m["type"] == "query"]
check(query and query[0]["criteria"] == "zebrafile", "leafA searched zebrafile")
pushes = [m for m in leafa_to_up2 if m["type"] == "push"]
check(pushes and all(p["servent_guid"] == "7a80310213277edcf7378b115cdf03f5" for p in pushes),
      "leafA's pushes name leafB's servent GUID")
byes = [m for m in leafa_to_up2 if m["type"] == "bye"]
check(byes and byes[0]["code"] == 200, "bye 200 at shutdown")

# Malformed: a stream cut inside a message payload.
raw = open(os.path.join(data, "gtk-gnutella/run-3peers-push/msg_queryhit_1.bin"), "rb").read()
res = run(["--json", "-"], stdin=raw[:-5])
check(res.returncode == 1, f"truncated message: exit {res.returncode}")
last = json.loads(res.stdout.decode().splitlines()[-1])
check(last["type"] == "malformed" and last["verdict"] == "truncated" and last["offset"] == 0,
      f"truncated message reported as {last}")

# Malformed: an oversize length is refused from the header alone.
res = run(["-"], stdin=bytes(16) + bytes([0x80, 1, 0]) + (2000).to_bytes(4, "little"))
check(res.returncode == 1 and b"too-big" in res.stdout, f"oversize query: {res.stdout!r}")

# An unknown type that is well framed is not an error.
res = run(["--json", "-"], stdin=bytes(16) + bytes([0xCD, 1, 0]) + (3).to_bytes(4, "little") + b"abc")
check(res.returncode == 0 and json.loads(res.stdout)["type"] == "unknown", f"unknown type: {res.stdout!r}")

# Usage and I/O errors: one line on stderr, documented exit codes.
res = run(["--no-such-option"])
check(res.returncode == 2 and len(res.stderr.decode().strip().splitlines()) == 1, "usage error exit 2")
res = run(["/nonexistent/stream"])
check(res.returncode == 7 and len(res.stderr.decode().strip().splitlines()) == 1, "missing file exit 7")

for f in failures:
    print("FAIL:", f)
print(f"{checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)

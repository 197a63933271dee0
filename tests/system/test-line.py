#!/usr/bin/env python3
"""Five ultrapeers in a line A-B-C-D-E: a search from A with TTL t reaches exactly the servents
within t hops, a file shared only at E is found with TTL 4 and not with TTL 3, and E's hit comes
back to A along the path (B, C and D relay it)."""
import base64
import hashlib
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

NAMES = ["a", "b", "c", "d", "e"]


def body(run):
    zebra = os.urandom(3000)
    line = []
    for i, name in enumerate(NAMES):
        files = [(f"common {name} notes.txt", os.urandom(1000 + i))]
        if name == "e":
            files.append(("zebra stripes.bin", zebra))
        # The ends keep one ultrapeer link, the middle two: everyone is full once the line
        # stands, so the addresses learnt from pongs and X-Try-Ultrapeers add no link.
        want = 1 if i in (0, len(NAMES) - 1) else 2
        d = run.daemon(name, "ultrapeer", peers=line[-1:], shares=files, filler=True,
                       config={"network": {"ultrapeers": want, "leaves": 4}})
        if line:
            run.wait_connected(d, line[-1])
            run.wait_connected(line[-1], d)
        line.append(d)
    for d in line:
        d.wait_shares()

    def shape():
        return [len(d.peer_list()) for d in line] == [1, 2, 2, 2, 1]
    run.wait_for("the line A-B-C-D-E", shape)
    for x, y in zip(line, line[1:]):
        run.check(x.linked_to(y) is not None, f"{x.name} not linked to {y.name}: {x.peer_addrs()}")
    # The last hop of each search goes through the QRP table of the servent it reaches: wait
    # until every table holds its sender's files (a link made before a scan ended starts empty).
    for x, y in zip(line, line[1:]):
        x.wait_table_from(y)
        y.wait_table_from(x)

    a = line[0]
    for ttl in (1, 2, 3, 4):
        before = [d.counters()["queries_handled"] for d in line]
        code, hits, res = a.search("common", ttl=ttl, timeout=8)
        after = [d.counters()["queries_handled"] for d in line]
        run.check(code == 0, f"ttl {ttl}: search exit {code}, stderr {res.stderr.strip()!r}")
        for dist, d in enumerate(line[1:], start=1):
            delta = after[dist] - before[dist]
            want = 1 if dist <= ttl else 0
            run.check(delta == want, f"ttl {ttl}: {d.name} ({dist} hops) queries_handled went up by "
                      f"{delta}, expected {want}")
        run.check(after[0] - before[0] <= 1, f"ttl {ttl}: A handled its own query "
                  f"{after[0] - before[0]} times")
        got = sorted(h["address"] for h in hits)
        expect = sorted(d.addr for d in line[1:ttl + 1])
        run.check(got == expect, f"ttl {ttl}: hits from {got}, expected one from each of {expect}")
        for h in hits:
            src = [d for d in line if d.addr == h["address"]]
            if src:
                dist = line.index(src[0])
                # hops: the responder's distance in links, as gtk-gnutella shows it.
                run.check(h["hops"] == dist, f"ttl {ttl}: hit from {src[0].name} says hops "
                          f"{h['hops']}, expected {dist}")
                run.check(h["name"] == f"common {src[0].name} notes.txt",
                          f"ttl {ttl}: hit name {h['name']!r} from {src[0].name}")

    # Only E has the zebra: TTL 3 stops at D.
    code, lines, res = a.search("zebra", ttl=3, timeout=8, json_out=False)
    run.check(code == 3, f"zebra ttl 3: exit {code}, expected 3 (no hit); stderr {res.stderr!r}")
    run.check(res.stdout == "", f"zebra ttl 3: printed {res.stdout!r}")

    routed_before = [d.counters()["hits_routed"] for d in line]
    code, hits, res = a.search("zebra", ttl=4, timeout=8)
    routed_after = [d.counters()["hits_routed"] for d in line]
    run.check(code == 0, f"zebra ttl 4: exit {code}, stderr {res.stderr.strip()!r}")
    run.check(len(hits) == 1, f"zebra ttl 4: {len(hits)} hits: {hits}")
    sha1 = "urn:sha1:" + base64.b32encode(hashlib.sha1(zebra).digest()).decode()
    for h in hits:
        run.check(h["address"] == line[4].addr, f"zebra hit address {h['address']}, E listens on "
                  f"{line[4].addr}")
        run.check(h["name"] == "zebra stripes.bin" and h["size"] == len(zebra),
                  f"zebra hit {h['name']!r} size {h['size']}")
        run.check(h["urn"] == sha1, f"zebra hit urn {h['urn']}, expected {sha1}")
        run.check(h["hops"] == 4, f"zebra hit hops {h['hops']}, expected 4 (E, relayed by D, C, B)")
        run.check(h["firewalled"] is False, f"zebra hit firewalled {h['firewalled']}")
    for i in (1, 2, 3):
        run.check(routed_after[i] > routed_before[i], f"{line[i].name} hits_routed "
                  f"{routed_before[i]} -> {routed_after[i]}: E's hit did not come back through it")
    run.check(routed_after[4] == routed_before[4], f"E relayed hits: {routed_before[4]} -> "
              f"{routed_after[4]}")

    # The human form, once: RESULT \t NAME \t SIZE \t URN \t ADDRESS \t direct|firewalled.
    code, lines, res = a.search("zebra", ttl=4, timeout=8, json_out=False)
    run.check(code == 0, f"zebra human: exit {code}")
    run.check(len(lines) == 1, f"zebra human: {len(lines)} lines: {lines}")
    if lines:
        fields = lines[0].split("\t")
        run.check(fields == ["1", "zebra stripes.bin", str(len(zebra)), sha1, line[4].addr, "direct"],
                  f"zebra human line {lines[0]!r}")

    # `servent results` prints the last search's hits again; bash completes `servent get` with
    # their numbers.
    res = run.cli(a, ["results"])
    run.check(res.returncode == 0 and res.stdout.splitlines() == lines, f"results: {res.returncode} {res.stdout!r}")
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "servent.bash-completion")
    prog = (f"source '{script}'\nCOMP_WORDS=(servent --runtime-dir '{a.runtime_dir}' get ''); COMP_CWORD=4\n"
            "_servent\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    env = dict(a.env, PATH=os.path.dirname(run.servent) + os.pathsep + os.environ["PATH"])
    comp = subprocess.run(["bash", "--norc", "--noprofile", "-c", prog], capture_output=True, text=True,
                          env=env, timeout=30)
    run.check(comp.stdout.split() == ["1"], f"completion of 'servent get ': {comp.stdout!r} {comp.stderr!r}")

    # Nobody dropped the line's links along the way.
    run.check(shape(), f"line changed: {[d.peer_addrs() for d in line]}")


if __name__ == "__main__":
    harness.Run("line").main(body)

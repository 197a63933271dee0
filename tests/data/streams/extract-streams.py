#!/usr/bin/env python3
"""Reassembles the TCP byte streams of a classic pcap (Ethernet or loopback, IPv4) into one file per
direction: <out>/<src-ip>_<src-port>-<dst-ip>_<dst-port>.raw. Used once to turn the gtk-gnutella
captures into fixtures for `servent decode` tests; not needed at build or test time."""
import os
import struct
import sys


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        yield linktype, data[off:off + incl]
        off += incl


def main():
    pcap, out = sys.argv[1], sys.argv[2]
    flows = {}
    for linktype, frame in packets(pcap):
        if linktype == 1:
            if struct.unpack(">H", frame[12:14])[0] != 0x0800:
                continue
            ip = frame[14:]
        elif linktype == 0:
            ip = frame[4:]
        else:
            continue
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] != 6:
            continue
        total = struct.unpack(">H", ip[2:4])[0]
        src, dst = ".".join(map(str, ip[12:16])), ".".join(map(str, ip[16:20]))
        tcp = ip[ihl:total]
        sport, dport, seq = struct.unpack(">HHI", tcp[:8])
        flags = tcp[13]
        doff = (tcp[12] >> 4) * 4
        payload = tcp[doff:]
        key = (src, sport, dst, dport)
        flow = flows.setdefault(key, {"isn": None, "segs": {}})
        if flags & 0x02:
            flow["isn"] = seq + 1
        if payload:
            flow["segs"].setdefault(seq, payload)
    os.makedirs(out, exist_ok=True)
    for (src, sport, dst, dport), flow in flows.items():
        if not flow["segs"] or flow["isn"] is None:
            continue
        stream = bytearray()
        expect = flow["isn"]
        for seq in sorted(flow["segs"]):
            seg = flow["segs"][seq]
            rel = (seq - expect) & 0xFFFFFFFF
            if rel > len(seg) and seq != expect:
                break  # gap: stop at the last contiguous byte
            if seq < expect:
                seg = seg[expect - seq:]
            stream += seg
            expect += len(seg)
        name = f"{src}_{sport}-{dst}_{dport}.raw"
        with open(os.path.join(out, name), "wb") as f:
            f.write(stream)
        print(name, len(stream))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""garbage-gateway.py: a device on a lab LAN that answers UPnP discovery and NAT-PMP with
garbage: an SSDP answer pointing at a description that is no XML, SOAP answers of random bytes,
and NAT-PMP answers that are random bytes, truncated headers or a result code for another
request. Runs until killed (the lab kills it when it closes).

Usage: python3 garbage-gateway.py LAN_IP
"""
import http.server
import random
import socket
import struct
import sys
import threading

LAN_IP = sys.argv[1]
rng = random.Random(7)


class Garbage(http.server.BaseHTTPRequestHandler):
    def answer(self):
        body = b"<root><device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1" \
            + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = answer
    do_POST = answer

    def log_message(self, *args):
        pass


def ssdp(http_port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", 1900))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 socket.inet_aton("239.255.255.250") + socket.inet_aton(LAN_IP))
    while True:
        data, peer = s.recvfrom(2048)
        if not data.startswith(b"M-SEARCH"):
            continue
        st = b"urn:schemas-upnp-org:device:InternetGatewayDevice:1"
        for line in data.split(b"\r\n"):
            if line.lower().startswith(b"st:"):
                st = line[3:].strip()
        s.sendto(b"HTTP/1.1 200 OK\r\nST: " + st + b"\r\nUSN: uuid:00000000-0000-0000-0000-000000000000::"
                 + st + b"\r\nLOCATION: http://" + LAN_IP.encode() + b":%d/desc.xml\r\n\r\n" % http_port,
                 peer)


def natpmp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((LAN_IP, 5351))
    answers = [
        lambda req: bytes(rng.randrange(256) for _ in range(rng.randrange(0, 40))),
        lambda req: b"\x00",                                                # truncated
        lambda req: struct.pack("!BBHI", 0, 128 + 7, 0, 1),                 # another opcode
        lambda req: struct.pack("!BBHI", 1, 128 + req[1], 0, 1) + b"\x00" * 8,  # wrong version
        lambda req: struct.pack("!BBHI", 0, 128 + req[1], 5, 1) + b"\x00" * 8,  # result 5
    ]
    i = 0
    while True:
        req, peer = s.recvfrom(64)
        if len(req) < 2:
            continue
        s.sendto(answers[i % len(answers)](req), peer)
        i += 1


server = http.server.ThreadingHTTPServer((LAN_IP, 0), Garbage)
threading.Thread(target=ssdp, args=(server.server_address[1],), daemon=True).start()
threading.Thread(target=natpmp, daemon=True).start()
server.serve_forever()

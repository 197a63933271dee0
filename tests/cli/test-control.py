#!/usr/bin/env python3
"""`servent search|status|peers|shares` as a user runs them: exit 4 with one line when no daemon
listens (missing or stale socket, --runtime-dir before or after the command, $SERVENT_RUNTIME_DIR),
exit 2 with one line on a command-line mistake, and, against a small stand-in for serventd's
control socket, hits printed as they arrive, the search stopped with DELETE, exit 3 without hits."""
import json
import os
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler

servent = sys.argv[1]
failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)


def run(args, env=None, timeout=30):
    full_env = dict(os.environ)
    for k in ("SERVENT_RUNTIME_DIR", "RUNTIME_DIRECTORY"):
        full_env.pop(k, None)
    full_env.update(env or {})
    return subprocess.run([servent] + args, capture_output=True, timeout=timeout, env=full_env)


def one_line(res):
    lines = res.stderr.decode().splitlines()
    return len(lines) == 1 and lines[0].startswith("servent")


tmp = tempfile.mkdtemp(prefix="sv-cli-")

# --- No daemon: a missing socket, a stale one, both spellings of --runtime-dir, the env var ---
missing = os.path.join(tmp, "missing")
for args in (["status"], ["peers", "--json"], ["shares"], ["search", "word"]):
    res = run(args + ["--runtime-dir", missing])
    check(res.returncode == 4, f"{args} no daemon: exit {res.returncode}")
    check(one_line(res), f"{args} no daemon: stderr {res.stderr!r}")
    check(os.path.join(missing, "control.sock").encode() in res.stderr,
          f"{args}: the message names the socket: {res.stderr!r}")
    check(res.stdout == b"", f"{args}: nothing on stdout")

res = run(["--runtime-dir", missing, "status"])
check(res.returncode == 4 and one_line(res), f"--runtime-dir before the command: {res.returncode} {res.stderr!r}")
res = run([f"--runtime-dir={missing}", "search", "a", "b"])
check(res.returncode == 4 and one_line(res), f"--runtime-dir=DIR before the command: {res.returncode}")
res = run(["status"], env={"SERVENT_RUNTIME_DIR": missing})
check(res.returncode == 4 and missing.encode() in res.stderr, f"$SERVENT_RUNTIME_DIR is used: {res.stderr!r}")
res = run(["status", "--runtime-dir", missing], env={"SERVENT_RUNTIME_DIR": "/nonexistent/elsewhere"})
check(missing.encode() in res.stderr, f"--runtime-dir wins over the environment: {res.stderr!r}")
res = run(["status"], env={"XDG_RUNTIME_DIR": missing})
check(os.path.join(missing, "servent", "control.sock").encode() in res.stderr,
      f"$XDG_RUNTIME_DIR/servent by default: {res.stderr!r}")

stale_dir = os.path.join(tmp, "stale")
os.mkdir(stale_dir, 0o700)
stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
stale.bind(os.path.join(stale_dir, "control.sock"))
stale.close()  # the file stays, nobody listens: what a crashed daemon leaves
for args in (["status"], ["search", "--timeout", "2", "x"]):
    res = run(["--runtime-dir", stale_dir] + args)
    check(res.returncode == 4 and one_line(res), f"stale socket {args}: {res.returncode} {res.stderr!r}")

# --- Command-line mistakes: exit 2, one line ---
for args in (["search"], ["search", "--timeout", "0", "x"], ["search", "--timeout", "abc", "x"],
             ["search", "--max-results", "-1", "x"], ["search", "--ttl", "9", "x"], ["status", "extra"],
             ["peers", "--bogus"], ["shares", "--runtime-dir"], ["--runtime-dir"], ["--runtime-dir", "d"],
             ["nosuchcommand"]):
    res = run(args)
    check(res.returncode == 2, f"{args}: exit {res.returncode}")
    check(one_line(res), f"{args}: one line on stderr: {res.stderr!r}")

# --- A stand-in for serventd's control socket ---
HITS = [
    {"name": "free song.mp3", "size": 4096, "urn": "urn:sha1:PLSTHIPQGSSZTS5FJUPAKUZWUGYQYPFB",
     "address": "10.0.0.5:6346", "firewalled": False, "servent": "00" * 16, "vendor": "GTKG", "index": 3,
     "hops": 1, "result": 1},
    {"name": "tab\tin name.ogg", "size": 77, "urn": None, "address": "10.0.0.6:6346", "firewalled": True,
     "servent": "11" * 16, "vendor": "", "index": 9, "hops": 2, "result": 2},
]


class State:
    def __init__(self):
        self.hits = []           # what the results stream sends
        self.gap = 0.0           # seconds between hits
        self.linger = 0.0        # seconds the stream stays open after the hits
        self.requests = []       # (method, path, body)
        self.deleted = []


state = State()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def address_string(self):
        return "local"

    def reply(self, status, obj=None):
        body = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(status)
        if obj is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        state.requests.append(("GET", self.path, None))
        if self.path == "/v1/status":
            self.reply(200, {"version": "0.1.0", "guid": "ab" * 16, "role": "leaf", "port": 6346,
                             "uptime_s": 3725, "peers": {"ultrapeers": 3, "leaves": 0, "connecting": 1},
                             "host_cache": 50, "shares": {"files": 12, "bytes": 123456, "scanning": False},
                             "searches": 1,
                             "counters": {"queries_received": 5, "hits_received": 2,
                                          "dropped": {"duplicate": 4, "ttl": 0}, "closed": {"eof": 1}}})
        elif self.path == "/v1/peers":
            self.reply(200, {"peers": [
                {"id": 1, "address": "10.0.0.1:6346", "listen": "10.0.0.1:6346", "direction": "out",
                 "role": "ultrapeer", "user_agent": "gtk-gnutella/1.2.2", "connected_s": 65,
                 "deflate_in": True, "deflate_out": True, "bytes_in": 2048, "bytes_out": 100},
                {"id": 2, "address": "192.168.100.200:40000", "listen": None, "direction": "in",
                 "role": "leaf", "user_agent": "servent/0.1.0", "connected_s": 5, "deflate_in": False,
                 "deflate_out": False, "bytes_in": 1, "bytes_out": 2}]})
        elif self.path == "/v1/shares":
            self.reply(200, {"folders": ["/srv/music"], "files": 12, "bytes": 123456, "scanning": True,
                             "files_hashed": 10, "bytes_hashed": 100000, "unreadable": 1,
                             "qrp_fill_permille": 25})
        elif self.path == "/v1/searches/7/results?follow=1":
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for hit in state.hits:
                    line = (json.dumps(hit) + "\n").encode()
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                    self.wfile.flush()
                    time.sleep(state.gap)
                deadline = time.time() + state.linger
                while time.time() < deadline and not state.deleted:
                    time.sleep(0.05)
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
        else:
            self.reply(404, {"error": "no such resource: " + self.path})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        state.requests.append(("POST", self.path, json.loads(body) if body else None))
        if self.path == "/v1/searches":
            self.reply(201, {"id": 7, "muid": "cd" * 16, "query": json.loads(body)["query"]})
        else:
            self.reply(404, {"error": "no such resource"})

    def do_DELETE(self):
        state.requests.append(("DELETE", self.path, None))
        state.deleted.append(self.path)
        self.reply(204)


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


live_dir = os.path.join(tmp, "live")
os.mkdir(live_dir, 0o700)
server = Server(os.path.join(live_dir, "control.sock"), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()


def reset(hits, gap=0.0, linger=0.0):
    state.hits, state.gap, state.linger = hits, gap, linger
    state.requests.clear()
    state.deleted.clear()


# Hits as text, the search stopped at the end of the stream (timeout here).
reset(HITS, linger=30)
start = time.time()
res = run(["--runtime-dir", live_dir, "search", "--timeout", "2", "free", "song"])
took = time.time() - start
check(res.returncode == 0, f"search with hits: exit {res.returncode} {res.stderr!r}")
lines = res.stdout.decode().splitlines()
check(lines == ["1\tfree song.mp3\t4096\turn:sha1:PLSTHIPQGSSZTS5FJUPAKUZWUGYQYPFB\t10.0.0.5:6346\tdirect",
                "2\ttab in name.ogg\t77\t-\t10.0.0.6:6346\tfirewalled"], f"search text lines: {lines}")
check(1.5 < took < 15, f"--timeout 2 ends the search in about 2 s, took {took:.1f}")
posts = [r for r in state.requests if r[0] == "POST"]
check(len(posts) == 1 and posts[0][2] == {"query": "free song"}, f"POST body: {posts}")
check(state.deleted == ["/v1/searches/7"], f"the search is stopped: {state.deleted}")

# --json prints the objects as received; --max-results stops early and is passed on.
reset(HITS * 3, gap=0.05, linger=30)
start = time.time()
res = run(["search", "--json", "--max-results", "3", "--ttl", "4", "--runtime-dir", live_dir, "x"])
took = time.time() - start
check(res.returncode == 0, f"--max-results: exit {res.returncode}")
objs = [json.loads(l) for l in res.stdout.decode().splitlines()]
check(objs == (HITS * 3)[:3], f"--json objects: {objs}")
check(took < 10, f"--max-results stops before the timeout: {took:.1f}")
posts = [r for r in state.requests if r[0] == "POST"]
check(posts and posts[0][2] == {"query": "x", "ttl": 4, "max_results": 3}, f"POST body: {posts}")
check(state.deleted == ["/v1/searches/7"], f"stopped after max-results: {state.deleted}")

# Hits arrive one by one: the first is printed before the stream ends.
reset(HITS, gap=1.5, linger=0)
proc = subprocess.Popen([servent, "search", "--runtime-dir", live_dir, "--timeout", "20", "slow"],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
first = proc.stdout.readline()
check(first.startswith(b"1\tfree song.mp3\t"), f"first hit printed as it arrives: {first!r}")
check(proc.poll() is None, "still running while the stream is open")
rest, _ = proc.communicate(timeout=20)
check(proc.returncode == 0 and rest.startswith(b"2\ttab in name.ogg"), f"the rest: {proc.returncode} {rest!r}")

# SIGINT stops the search and exits with what was found.
reset(HITS[:1], linger=60)
proc = subprocess.Popen([servent, "search", "--runtime-dir", live_dir, "--timeout", "60", "int"],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
first = proc.stdout.readline()
proc.send_signal(2)
out, err = proc.communicate(timeout=20)
check(proc.returncode == 0, f"SIGINT after a hit: exit {proc.returncode} {err!r}")
check(state.deleted == ["/v1/searches/7"], f"SIGINT stops the search: {state.deleted}")

# No hit: exit 3.
reset([], linger=30)
res = run(["search", "--runtime-dir", live_dir, "--timeout", "1", "nothing"])
check(res.returncode == 3 and res.stdout == b"", f"no hit: exit {res.returncode} {res.stdout!r}")

# status / peers / shares: readable text, and --json passes the object through.
res = run(["status", "--runtime-dir", live_dir])
text = res.stdout.decode()
check(res.returncode == 0, f"status: exit {res.returncode} {res.stderr!r}")
for want in ("ab" * 16, "leaf", "6346", "1h02m", "3 ultrapeers", "duplicate=4", "eof=1"):
    check(want in text, f"status shows {want!r}: {text}")
check("ttl=0" not in text, "status hides zero drop counters")
res = run(["status", "--json", "--runtime-dir", live_dir])
check(res.returncode == 0 and json.loads(res.stdout)["guid"] == "ab" * 16, "status --json")

res = run(["peers", "--runtime-dir", live_dir])
rows = res.stdout.decode().splitlines()
check(res.returncode == 0 and len(rows) == 3, f"peers: a header and one line per peer: {rows}")
if len(rows) == 3:
    check(rows[1].split()[:4] == ["10.0.0.1:6346", "out", "ultrapeer", "1m05s"], f"peer row: {rows[1]}")
    check("gtk-gnutella/1.2.2" in rows[1] and "in+out" in rows[1], f"peer row: {rows[1]}")
    check(rows[1].index("out") == rows[2].index("in"), f"columns aligned: {rows}")
res = run(["peers", "--json", "--runtime-dir", live_dir])
check(len(json.loads(res.stdout)["peers"]) == 2, "peers --json")

res = run(["shares", "--runtime-dir", live_dir])
text = res.stdout.decode()
check(res.returncode == 0 and "/srv/music" in text and "scanning" in text and "2.5%" in text,
      f"shares: {text}")

server.shutdown()
print(f"{checks} checks, {len(failures)} failures")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)

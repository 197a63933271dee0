"""harness.py: runs real serventd processes on private loopback addresses for the system tests.

A test makes one Run, starts daemons with Run.daemon(...), drives them through the `servent` CLI
(status/peers/shares/search, --json) and waits for conditions with bounded polling. Every run gets
its own temporary directory and its own 127.B.C.x addresses; every daemon is stopped (TERM, then
KILL) when the test exits, however it exits, and the daemons' logs are shown when a check failed.

Also here: a tiny raw Gnutella 0.6 client (handshake text and 23-byte-header messages built by
hand) for the tests that play a misbehaving peer.

Usage from a test: `python3 test-x.py SERVENTD SERVENT`. Python standard library only.
"""
import atexit
import ctypes
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

# Generous: the tests run on loaded 2-core machines next to builds.
DEFAULT_DEADLINE = float(os.environ.get("SV_SYSTEM_DEADLINE", "60"))
LOG_LEVEL = os.environ.get("SV_SYSTEM_LOG_LEVEL", "info")
POLL_INTERVAL = 0.25
# A daemon log holding one of these fails the test.
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "-CRITICAL **",
                   "-ERROR **")

_runs = []


def _cleanup_all():
    for run in list(_runs):
        run.close()


def _on_signal(signum, frame):
    _cleanup_all()
    os._exit(128 + signum)


atexit.register(_cleanup_all)
for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(_sig, _on_signal)


def _die_with_parent():
    """Runs in the child before exec: the daemon gets SIGKILL should the test itself be killed."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def _port_free(ip, port):
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.bind((ip, port))
        except OSError:
            return False
        finally:
            s.close()
    return True


class TestFailure(Exception):
    pass


class Run:
    """One test run: a temp dir, an address block, daemons, and a list of failed checks."""

    def __init__(self, name, argv=None):
        argv = argv if argv is not None else sys.argv
        if len(argv) < 3:
            sys.stderr.write(f"usage: {argv[0]} SERVENTD SERVENT\n")
            sys.exit(2)
        self.name = name
        self.serventd = os.path.abspath(argv[1])
        self.servent = os.path.abspath(argv[2])
        self.dir = tempfile.mkdtemp(prefix=f"sv-{name}-")
        # One random /16 inside 127/8 for the run: 127.B.C.x, B in 20..250.
        self.net_b = random.randint(20, 250)
        self.net_c = random.randint(1, 250)
        self.next_host = 10
        self.daemons = []
        self.failures = []
        self.checks = 0
        self.closed = False
        _runs.append(self)
        self.log(f"run dir {self.dir}, addresses 127.{self.net_b}.{self.net_c}.*")

    # --- addresses ---

    def new_ip(self):
        """A loopback address no other host of this run uses."""
        if self.next_host > 250:
            raise RuntimeError("address block exhausted")
        ip = f"127.{self.net_b}.{self.net_c}.{self.next_host}"
        self.next_host += 1
        return ip

    def new_endpoint(self):
        """(ip, port) with the port free for TCP and UDP on that ip."""
        ip = self.new_ip()
        for _ in range(200):
            port = random.randint(20000, 60999)
            if _port_free(ip, port):
                return ip, port
        raise RuntimeError(f"no free port on {ip}")

    # --- reporting ---

    def log(self, text):
        sys.stdout.write(f"[{time.strftime('%H:%M:%S')}] {text}\n")
        sys.stdout.flush()

    def check(self, cond, what):
        self.checks += 1
        if not cond:
            self.failures.append(what)
            self.log(f"FAIL: {what}")
        return cond

    def fatal(self, what):
        self.failures.append(what)
        self.log(f"FATAL: {what}")
        raise TestFailure(what)

    def finish(self):
        """Stops every daemon (each must exit 0 on SIGTERM, with no sanitizer or GLib critical
        report in its log), prints the verdict (with logs on failure) and exits."""
        for d in self.daemons:
            if d.proc is not None and d.proc.poll() is not None and not d.expected_exit:
                self.failures.append(f"{d.name} died with exit status {d.proc.returncode}")
            d.stop()
            try:
                with open(d.log_path, errors="replace") as f:
                    text = f.read()
            except OSError:
                text = ""
            for mark in SANITIZER_MARKS:
                if mark in text:
                    self.failures.append(f"{d.name}: '{mark}' in {d.log_path}")
        if self.failures:
            self.dump_logs()
            print(f"{len(self.failures)} of {self.checks} checks failed:")
            for f in self.failures:
                print(f"  - {f}")
            self.close()
            sys.exit(1)
        print(f"all {self.checks} checks passed")
        self.close()
        sys.exit(0)

    def dump_logs(self, tail_lines=150):
        for d in self.daemons:
            print(f"===== {d.name} ({d.ip}:{d.port}) log {d.log_path} (last {tail_lines} lines) =====")
            try:
                with open(d.log_path, errors="replace") as f:
                    lines = f.readlines()
                sys.stdout.write("".join(lines[-tail_lines:]))
            except OSError as e:
                print(f"(no log: {e})")
        sys.stdout.flush()

    def main(self, body):
        """Runs body(self); a TestFailure or an unexpected exception is a failed test."""
        try:
            body(self)
        except TestFailure:
            pass
        except Exception as e:
            import traceback
            traceback.print_exc()
            self.failures.append(f"exception: {e!r}")
        self.finish()

    # --- daemons ---

    def daemon(self, name, role="ultrapeer", peers=(), shares=None, config=None, start=True,
               extra_args=(), filler=False, prefix=()):
        """Makes (and by default starts) a daemon. @peers: Daemon objects or "ip:port" strings.
        @shares: list of (relative name, bytes) files to create in its share folder (None: no
        share folder). @config: {section: {key: value}} merged over the defaults below.
        @filler: also share filler_files(), so that the QRP table this daemon sends shows a
        non-zero fill once it holds the files (see Daemon.wait_table_from). A config value of None
        removes the key. @prefix: a command the daemon runs under (e.g. `ip netns exec NS`)."""
        d = Daemon(self, name, role, peers, shares, config, extra_args, filler, prefix)
        self.daemons.append(d)
        if start:
            d.start()
        return d

    def close(self):
        if self.closed:
            return
        self.closed = True
        for d in self.daemons:
            d.stop(quiet=True)
        if os.environ.get("SV_SYSTEM_KEEP"):
            print(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        if self in _runs:
            _runs.remove(self)

    # --- CLI ---

    def cli(self, daemon, args, timeout=60):
        """Runs `servent --runtime-dir D ARGS`; returns the CompletedProcess (text)."""
        cmd = [self.servent, "--runtime-dir", daemon.runtime_dir] + list(args)
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  env=daemon.env)
        except subprocess.TimeoutExpired as e:
            self.fatal(f"`{' '.join(cmd)}` did not end within {timeout} s "
                       f"(stdout {e.stdout!r} stderr {e.stderr!r})")

    def wait_for(self, what, cond, deadline=DEFAULT_DEADLINE, fatal=True):
        """Polls cond() (a value, truthy when met) until it is met or @deadline seconds passed."""
        end = time.monotonic() + deadline
        last_exc = None
        polls = 0
        while True:
            polls += 1
            try:
                v = cond()
                if v:
                    return v
            except TestFailure:
                raise
            except Exception as e:
                last_exc = e
            for d in self.daemons:
                if d.proc is not None and not d.expected_exit and d.proc.poll() is not None:
                    self.fatal(f"{d.name} died (exit {d.proc.returncode}) while waiting for {what}")
            if time.monotonic() >= end or polls > deadline / POLL_INTERVAL + 100:
                break
            time.sleep(POLL_INTERVAL)
        msg = f"timed out after {deadline:.0f} s waiting for {what}"
        if last_exc is not None:
            msg += f" (last error: {last_exc!r})"
        if fatal:
            self.fatal(msg)
        self.check(False, msg)
        return None

    def wait_connected(self, a, b, deadline=DEFAULT_DEADLINE):
        """Waits until @a lists a link with @b (either direction, by listen address or socket)."""
        return self.wait_for(f"{a.name} linked to {b.name}", lambda: a.linked_to(b), deadline)


class Daemon:
    def __init__(self, run, name, role, peers, shares, config, extra_args, filler=False,
                 prefix=()):
        self.run = run
        self.name = name
        self.role = role
        self.peers = list(peers)
        self.ip, self.port = run.new_endpoint()
        self.addr = f"{self.ip}:{self.port}"
        self.home = os.path.join(run.dir, name)
        self.state_dir = os.path.join(self.home, "state")
        self.runtime_dir = os.path.join(self.home, "run")
        self.share_dir = os.path.join(self.home, "share") if shares is not None else None
        self.config_path = os.path.join(self.home, "servent.conf")
        self.log_path = os.path.join(self.home, "serventd.log")
        self.extra_args = list(extra_args)
        self.prefix = list(prefix)
        self.proc = None
        self.expected_exit = False
        self.starts = 0
        os.makedirs(self.home)
        os.makedirs(os.path.join(self.home, "xdg-config"))
        os.makedirs(os.path.join(self.home, "xdg-state"))
        self.hostiles = []  # addresses (ip) written to its hostile-address list at start
        self.n_files = 0
        if self.share_dir is not None:
            os.makedirs(self.share_dir)
            for rel, data in list(shares) + (filler_files() if filler else []):
                self.add_file(rel, data)
        self.config = {
            "network": {
                "lan": "true",
                "accept-per-ip": "8",
                "handshake-timeout": "20",
                "hostile-file": os.path.join(self.home, "hostiles.txt"),
                # Never the shipped list: a test talks to loopback only (test-bootstrap checks
                # the shipped list inside a namespace with nothing but loopback).
                "bootstrap": "",
            },
            "shares": {"watch": "true", "debounce-ms": "200"},
        }
        for section, keys in (config or {}).items():
            group = self.config.setdefault(section, {})
            for k, v in keys.items():
                if v is None:
                    group.pop(k, None)
                else:
                    group[k] = str(v)
        self.env = dict(os.environ)
        self.env.pop("XDG_DOWNLOAD_DIR", None)
        self.env.update({
            "HOME": self.home,   # the default download folder is ~/Downloads
            "XDG_CONFIG_HOME": os.path.join(self.home, "xdg-config"),
            "XDG_STATE_HOME": os.path.join(self.home, "xdg-state"),
            "XDG_RUNTIME_DIR": self.runtime_dir,
            "SERVENT_RUNTIME_DIR": self.runtime_dir,
        })

    def add_file(self, rel, data):
        self.n_files += 1
        path = os.path.join(self.share_dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = os.path.join(self.home, ".incoming")
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, path)  # appears whole in the watched folder
        return path

    def write_config(self):
        with open(os.path.join(self.home, "hostiles.txt"), "w") as f:
            f.write("".join(f"{ip}\n" for ip in self.hostiles))
        with open(self.config_path, "w") as f:
            for section, keys in self.config.items():
                f.write(f"[{section}]\n")
                for k, v in keys.items():
                    f.write(f"{k}={v}\n")
                f.write("\n")

    def argv(self, peers=None):
        args = self.prefix + [self.run.serventd, "--config", self.config_path, "--state-dir", self.state_dir,
                "--runtime-dir", self.runtime_dir, "--listen", self.addr] + \
            (["--lan"] if self.config["network"].get("lan") == "true" else []) + ["--log-level", LOG_LEVEL]
        for p in (self.peers if peers is None else peers):
            args += ["--peer", p.addr if isinstance(p, Daemon) else p]
        if self.share_dir is not None:
            args += ["--share", self.share_dir]
        if self.role == "ultrapeer":
            args.append("--ultrapeer")
        elif self.role == "leaf":
            args.append("--leaf")
        return args + self.extra_args

    def start(self, peers=None, wait=True):
        """Starts serventd (again, after stop()); @peers overrides the seeds for this start."""
        assert self.proc is None or self.proc.poll() is not None
        self.write_config()
        self.starts += 1
        self.expected_exit = False
        log = open(self.log_path, "a")
        argv = self.argv(peers)
        log.write(f"=== start #{self.starts}: {' '.join(argv)}\n")
        log.flush()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     env=self.env, preexec_fn=_die_with_parent)
        log.close()
        self.run.log(f"started {self.name} {self.role} at {self.addr} pid {self.proc.pid}")
        if wait:
            self.run.wait_for(f"{self.name} answering status", lambda: self.status(quiet=True),
                              deadline=DEFAULT_DEADLINE)
        return self

    def stop(self, sig=signal.SIGTERM, quiet=False, grace=10.0):
        """Stops the daemon: @sig, then SIGKILL after @grace seconds. Returns the exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.expected_exit = True
        try:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            if not quiet:
                self.run.check(False, f"{self.name} still running {grace:.0f} s after signal {sig}")
            self.proc.kill()
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass
        if sig == signal.SIGTERM and not quiet:
            self.run.check(self.proc.returncode == 0,
                           f"{self.name} exited with status {self.proc.returncode} on SIGTERM")
        return self.proc.returncode

    def kill(self):
        return self.stop(sig=signal.SIGKILL)

    # --- control API through the CLI ---

    def json_cmd(self, *args, quiet=False):
        res = self.run.cli(self, list(args) + ["--json"])
        if res.returncode != 0:
            if quiet:
                return None
            self.run.fatal(f"{self.name}: `servent {' '.join(args)} --json` exit {res.returncode}: "
                           f"{res.stderr.strip()}")
        try:
            return json.loads(res.stdout)
        except ValueError:
            if quiet:
                return None
            self.run.fatal(f"{self.name}: `servent {' '.join(args)} --json` printed no JSON: "
                           f"{res.stdout[:300]!r}")

    def status(self, quiet=False):
        return self.json_cmd("status", quiet=quiet)

    def counters(self):
        return self.status()["counters"]

    def peer_list(self):
        v = self.json_cmd("peers")
        if isinstance(v, dict):
            v = v.get("peers", [])
        return v

    def shares(self):
        return self.json_cmd("shares")

    def linked_to(self, other):
        """The peer entry of @other in our list (matched on its listen address, or, for a link it
        opened to us, its socket address), else None."""
        for p in self.peer_list():
            if p.get("listen") == other.addr or p.get("address") == other.addr:
                return p
            if p.get("listen") is None and p.get("address", "").split(":")[0] == other.ip:
                return p
        return None

    def peer_addrs(self):
        return sorted(p.get("listen") or p.get("address") for p in self.peer_list())

    def wait_table_from(self, other, deadline=DEFAULT_DEADLINE):
        """Waits until the QRP table @other sent us holds its files (@other made with filler:
        the table's fill is then at least 1 permille; a table sent before @other's first scan
        ended is empty)."""
        def ok():
            p = self.linked_to(other)
            return p is not None and p.get("qrp_table") and p.get("qrp_fill_permille", 0) >= 1
        return self.run.wait_for(f"{self.name} holding {other.name}'s QRP table with its files", ok, deadline)

    def wait_shares(self, files=None, deadline=DEFAULT_DEADLINE):
        """Waits until the library is idle with @files (default: every file written) indexed."""
        files = self.n_files if files is None else files

        def ok():
            s = self.shares()
            return not s["scanning"] and s["files"] == files and s.get("files_hashed", files) >= files
        return self.run.wait_for(f"{self.name} sharing {files} files", ok, deadline)

    def search(self, words, ttl=None, timeout=8, max_results=None, json_out=True):
        """Runs `servent search`; returns (exit status, list of hits (json) or lines (human))."""
        args = ["search", "--timeout", str(timeout)]
        if json_out:
            args.append("--json")
        if ttl is not None:
            args += ["--ttl", str(ttl)]
        if max_results is not None:
            args += ["--max-results", str(max_results)]
        res = self.run.cli(self, args + words.split(), timeout=timeout + 60)
        lines = [l for l in res.stdout.splitlines() if l.strip()]
        if json_out:
            hits = []
            for l in lines:
                try:
                    hits.append(json.loads(l))
                except ValueError:
                    self.run.check(False, f"{self.name}: search output line is not JSON: {l!r}")
            return res.returncode, hits, res
        return res.returncode, lines, res


class HandshakeFlood:
    """Opens slow connections at a steady pace from many source addresses, each sending @hello
    and then nothing, holds each @hold seconds (the daemon may close it first), then closes it.
    @sources: [(family, source ip)]; @targets: {family: (ip, port)}. Runs in a thread: start(),
    then wait on `done`. `opened` / `failed` count per family."""

    def __init__(self, sources, targets, hello, spread, hold):
        self.sources = list(sources)
        self.targets = targets
        self.hello = hello
        self.spread = spread
        self.hold = hold
        self.opened = {f: 0 for f in targets}
        self.failed = {f: 0 for f in targets}
        self.held = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.started = None

    def start(self):
        self.started = time.monotonic()
        self.thread.start()

    def _expire(self):
        while self.held and time.monotonic() - self.held[0][0] > self.hold:
            self.held.pop(0)[1].close()

    def _run(self):
        gap = self.spread / max(1, len(self.sources))
        for n, (family, src) in enumerate(self.sources):
            due = self.started + n * gap
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            s = socket.socket(family, socket.SOCK_STREAM)
            try:
                s.settimeout(3)
                s.bind((src, 0))
                s.connect(self.targets[family])
                s.sendall(self.hello)
                self.opened[family] += 1
                self.held.append((time.monotonic(), s))
            except OSError:
                self.failed[family] += 1
                s.close()
            self._expire()
        while self.held:
            left = self.hold - (time.monotonic() - self.held[0][0])
            if left > 0:
                time.sleep(min(left, 1))
            self._expire()
        self.done.set()


def filler_files(words=200):
    """A few shared files whose names hold @words random 9-letter words (no query of the tests
    matches them): about 3 slots per 1000 of a 64 Ki-slot QRP table."""
    rnd = random.Random()
    letters = "bcdfghjklmnpqrstvwxz"
    names = ["".join(rnd.choice(letters) for _ in range(9)) for _ in range(words)]
    return [(" ".join(names[i:i + 20]) + ".dat", os.urandom(64)) for i in range(0, words, 20)]


# --- a raw Gnutella 0.6 peer, by hand ---

MSG_PING, MSG_PONG, MSG_BYE, MSG_QRP, MSG_VENDOR, MSG_QUERY, MSG_QUERYHIT = \
    0x00, 0x01, 0x02, 0x30, 0x31, 0x80, 0x81


def msg_header(ptype, ttl, hops, length, guid=None):
    """The 23-byte header: MUID(16) type(1) TTL(1) hops(1) payload length (LE u32)."""
    guid = guid if guid is not None else os.urandom(16)
    return guid + struct.pack("<BBBI", ptype, ttl, hops, length)


def message(ptype, ttl, hops, payload, guid=None):
    return msg_header(ptype, ttl, hops, len(payload), guid) + payload


def query_payload(words):
    """Flags word (BE, bit 15 set: flags; bit 11: understands GGEP H), the words, NUL."""
    return struct.pack(">H", 0x8000 | 0x0800) + words.encode() + b"\0"


def parse_headers(block):
    """'GNUTELLA/0.6 503 Busy\\r\\nA: b\\r\\n...' -> (status line, {lowercase name: value})."""
    lines = block.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return lines[0], headers


class RawPeer:
    """A hand-driven TCP connection to a daemon, from its own loopback source address."""

    def __init__(self, run, target, source_ip=None, timeout=10.0):
        self.run = run
        self.source_ip = source_ip or run.new_ip()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.bind((self.source_ip, 0))
        self.sock.connect((target.ip, target.port))
        self.buf = b""

    def send(self, data):
        """Returns False when the daemon already closed the connection."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def read_block(self, limit=65536):
        """Reads a handshake block up to the blank line. Returns bytes (b'' on EOF)."""
        while b"\r\n\r\n" not in self.buf and len(self.buf) < limit:
            try:
                chunk = self.sock.recv(4096)
            except OSError:
                chunk = b""
            if not chunk:
                break
            self.buf += chunk
        if b"\r\n\r\n" not in self.buf:
            block, self.buf = self.buf, b""
            return block
        block, self.buf = self.buf.split(b"\r\n\r\n", 1)
        return block + b"\r\n\r\n"

    def handshake(self, ultrapeer=False, headers=(), deflate=False):
        """Runs the three steps as the initiator. Returns (status line, headers) of the answer;
        on 200 the link is established (with our direction deflated if @deflate and accepted)."""
        req = ["GNUTELLA CONNECT/0.6",
               "User-Agent: syscheck/0.1",
               f"X-Ultrapeer: {'True' if ultrapeer else 'False'}",
               "X-Query-Routing: 0.1",
               f"Node: {self.source_ip}:6346"]
        if deflate:
            req.append("Accept-Encoding: deflate")
        req += list(headers)
        self.send(("\r\n".join(req) + "\r\n\r\n").encode())
        block = self.read_block()
        if not block:
            return None, {}
        status, hdrs = parse_headers(block)
        if " 200" in status:
            final = ["GNUTELLA/0.6 200 OK"]
            if deflate:
                final.append("Content-Encoding: deflate")
            self.send(("\r\n".join(final) + "\r\n\r\n").encode())
        return status, hdrs

    def closed_by_peer(self, deadline=30.0):
        """Reads (and discards) until EOF or a reset. True if the daemon closed the link within
        @deadline seconds."""
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            self.sock.settimeout(max(0.1, min(1.0, end - time.monotonic())))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return True
            if not chunk:
                return True
        return False

    def read_message(self, want_type, deadline=10.0):
        """Reads framed messages until one of @want_type arrives within @deadline seconds.
        Returns (header, payload) bytes, or (None, None)."""
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            while len(self.buf) >= 23:
                length = struct.unpack("<I", self.buf[19:23])[0]
                if len(self.buf) < 23 + length:
                    break
                head, payload = self.buf[:23], self.buf[23:23 + length]
                self.buf = self.buf[23 + length:]
                if head[16] == want_type:
                    return head, payload
            self.sock.settimeout(max(0.1, min(1.0, end - time.monotonic())))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return None, None
            if not chunk:
                return None, None
            self.buf += chunk
        return None, None

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def deflate_bomb(inflated_bytes):
    """A zlib stream that inflates to @inflated_bytes of Gnutella messages (vendor messages of
    40000 zero bytes each, under every size cap) while staying tiny compressed."""
    one = msg_header(MSG_VENDOR, 1, 0, 40000, guid=b"\0" * 16) + b"\0" * 40000
    z = zlib.compressobj(9)
    out = []
    n = max(1, inflated_bytes // len(one))
    for _ in range(n):
        out.append(z.compress(one))
    out.append(z.flush(zlib.Z_SYNC_FLUSH))
    return b"".join(out), n * len(one)

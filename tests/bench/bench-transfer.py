"""bench-transfer.py: transfer speed of serventd against nginx and curl, side by side in one run.

  1. One file (default 1 GiB) served to curl by serventd and by nginx (sendfile both): MB/s and
     the ratio (goal: serventd at least 0.9 of nginx).
  2. 16 concurrent Range streams over the same file from each server.
  3. The same file fetched by serventd's download path (libcurl multi on the main loop, written
     to the partial file, SHA-1 checked, moved into place) from nginx and from another serventd,
     against curl alone writing the same file (goal: at least 0.9 of curl alone). The transfer
     and the whole download (with the SHA-1 check and the rename) are timed apart.
Every server listens on loopback only; serventd runs with the bootstrap list emptied.
Usage: bench-transfer.py SERVENTD SERVENT [--mib N] [--runs N] [--dir SCRATCH]
"""
import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import base64


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, deadline=20):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


class Daemon:
    def __init__(self, args, name, base, share=None, download_dir=None):
        self.home = os.path.join(base, name)
        os.makedirs(self.home)
        self.port = free_port()
        self.run_dir = os.path.join(self.home, "run")
        conf = os.path.join(self.home, "servent.conf")
        with open(conf, "w") as f:
            f.write("[network]\nbootstrap=\nlan=true\n[transfers]\nupload-slots=32\n"
                    "upload-slots-per-address=32\n")
            if download_dir:
                f.write(f"download-dir={download_dir}\n")
        argv = [args.serventd, "--config", conf, "--state-dir", os.path.join(self.home, "state"),
                "--runtime-dir", self.run_dir, "--listen", f"127.0.0.1:{self.port}", "--no-bootstrap",
                "--log-level", "warning"]
        if share:
            argv += ["--share", share]
        self.cli_path = args.servent
        self.log = open(os.path.join(self.home, "log"), "w")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=self.log)
        if not wait_port(self.port):
            sys.exit(f"{name} did not start")

    def cli(self, *argv):
        res = subprocess.run([self.cli_path, "--runtime-dir", self.run_dir] + list(argv),
                             capture_output=True, text=True, timeout=600)
        return res

    def json(self, *argv):
        res = self.cli(*argv, "--json")
        return json.loads(res.stdout) if res.returncode == 0 else None

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def curl_once(url, out="/dev/null", rng=None):
    cmd = ["curl", "-s", "-f", "-o", out, "-w", "%{size_download} %{time_total}", url]
    if rng:
        cmd[1:1] = ["-r", rng]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    size, total = res.stdout.split()
    return int(float(size)), float(total)


def best_rate(fn, runs):
    rates = []
    for _ in range(runs):
        size, secs = fn()
        rates.append(size / secs / 1e6)
    return max(rates), sorted(rates)[len(rates) // 2]


def ranges(url, size, streams=16):
    per = size // streams
    t0 = time.monotonic()
    procs = []
    for i in range(streams):
        first = i * per
        last = size - 1 if i == streams - 1 else first + per - 1
        procs.append(subprocess.Popen(["curl", "-s", "-o", "/dev/null", "-w", "%{size_download}",
                                       "-r", f"{first}-{last}", url], stdout=subprocess.PIPE, text=True))
    total = sum(int(float(p.communicate()[0])) for p in procs)
    return total, time.monotonic() - t0


def nginx(base, root, file_path, port):
    conf = os.path.join(base, "nginx.conf")
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        os.makedirs(os.path.join(base, "ngx-" + d), exist_ok=True)
    with open(conf, "w") as f:
        f.write(f"""worker_processes 1; daemon off; pid {base}/nginx.pid; error_log stderr warn;
events {{ worker_connections 256; }}
http {{ access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;
  client_body_temp_path {base}/ngx-body; proxy_temp_path {base}/ngx-proxy;
  fastcgi_temp_path {base}/ngx-fastcgi; uwsgi_temp_path {base}/ngx-uwsgi; scgi_temp_path {base}/ngx-scgi;
  server {{ listen 127.0.0.1:{port}; root {root};
    location = /uri-res/N2R {{ default_type application/octet-stream; alias {file_path}; }} }} }}
""")
    proc = subprocess.Popen(["nginx", "-c", conf, "-p", base], stderr=subprocess.DEVNULL)
    if not wait_port(port):
        sys.exit("nginx did not start")
    return proc


def servent_download(dl, magnet, size, name, dest_dir):
    """Starts a download; returns (transfer seconds, total seconds)."""
    t0 = time.monotonic()
    res = dl.cli("get", "--no-wait", "--json", magnet)
    if res.returncode != 0:
        sys.exit(f"get failed: {res.stderr}")
    did = json.loads(res.stdout)["id"]
    transfer = None
    while True:
        d = dl.json("downloads")
        x = [y for y in d["downloads"] if y["id"] == did][0]
        now = time.monotonic() - t0
        if transfer is None and x["done"] >= size:
            transfer = now
        if x["state"] in ("complete", "failed"):
            break
        time.sleep(0.02)
    if x["state"] != "complete":
        sys.exit(f"download failed: {x}")
    os.unlink(os.path.join(dest_dir, name))
    # Forget it, so that the next run starts afresh (DELETE /v1/downloads/ID).
    subprocess.run(["curl", "-s", "--unix-socket", os.path.join(dl.run_dir, "control.sock"), "-X", "DELETE",
                    f"http://x/v1/downloads/{did}"], capture_output=True)
    return transfer if transfer is not None else now, now


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("serventd")
    ap.add_argument("servent")
    ap.add_argument("--mib", type=int, default=1024)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default=os.environ.get("SV_BENCH_DIR", "/dev/shm"))
    args = ap.parse_args()
    if shutil.which("nginx") is None or shutil.which("curl") is None:
        sys.exit("bench-transfer needs nginx (nginx-light) and curl")
    base = tempfile.mkdtemp(prefix="svbench-transfer-", dir=args.dir)
    os.chmod(base, 0o755)   # nginx's workers run as another user
    daemons, procs = [], []
    try:
        share = os.path.join(base, "share")
        os.makedirs(share)
        path = os.path.join(share, "bench.bin")
        block = os.urandom(1 << 20)
        h = hashlib.sha1()
        with open(path, "wb") as f:
            for _ in range(args.mib):
                f.write(block)
                h.update(block)
        os.chmod(path, 0o644)
        size = args.mib << 20
        urn = "urn:sha1:" + base64.b32encode(h.digest()).decode()
        print(f"file: {args.mib} MiB in {base}; {os.cpu_count()} cores")

        s = Daemon(args, "S", base, share=share)
        daemons.append(s)
        end = time.monotonic() + 120
        while time.monotonic() < end:
            st = s.json("shares")
            if st and st["files_hashed"] >= 1 and not st["scanning"]:
                break
            time.sleep(0.2)
        ngx_port = free_port()
        procs.append(nginx(base, share, path, ngx_port))
        s_url = f"http://127.0.0.1:{s.port}/uri-res/N2R?{urn}"
        n_url = f"http://127.0.0.1:{ngx_port}/uri-res/N2R?{urn}"

        print("\n1. one stream to curl (-o /dev/null), best and median of", args.runs)
        sb, sm = best_rate(lambda: curl_once(s_url), args.runs)
        nb, nm = best_rate(lambda: curl_once(n_url), args.runs)
        print(f"   serventd {sb:8.0f} MB/s (median {sm:.0f})")
        print(f"   nginx    {nb:8.0f} MB/s (median {nm:.0f})")
        print(f"   ratio    {sb / nb:8.2f}   (goal >= 0.9)")

        print("\n2. 16 concurrent Range streams, best of", args.runs)
        sr, _ = best_rate(lambda: ranges(s_url, size), args.runs)
        nr, _ = best_rate(lambda: ranges(n_url, size), args.runs)
        print(f"   serventd {sr:8.0f} MB/s   nginx {nr:8.0f} MB/s   ratio {sr / nr:.2f}")

        print("\n3. the download path, to a file in", args.dir)
        dest = os.path.join(base, "downloads")
        os.makedirs(dest)
        dl = Daemon(args, "D", base, download_dir=dest)
        daemons.append(dl)
        out = os.path.join(base, "curl.out")
        cb, _ = best_rate(lambda: curl_once(n_url, out=out), args.runs)
        cs, _ = best_rate(lambda: curl_once(s_url, out=out), args.runs)
        os.unlink(out)
        for label, port, curl_rate in (("from nginx", ngx_port, cb), ("from serventd", s.port, cs)):
            mag = f"magnet:?xt={urn}&xl={size}&dn=bench.bin&xs=http://127.0.0.1:{port}/"
            results = [servent_download(dl, mag, size, "bench.bin", dest) for _ in range(args.runs)]
            t_best = min(r[0] for r in results)
            w_best = min(r[1] for r in results)
            print(f"   {label:14s} curl alone {curl_rate:6.0f} MB/s | servent transfer "
                  f"{size / t_best / 1e6:6.0f} MB/s (ratio {size / t_best / 1e6 / curl_rate:.2f}), "
                  f"with SHA-1 check and rename {size / w_best / 1e6:6.0f} MB/s")
    finally:
        for d in daemons:
            d.stop()
        for p in procs:
            p.terminate()
            p.wait()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()

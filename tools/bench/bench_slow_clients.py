#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench_slow_clients: /api/v1/health p50/p99 of `cunxin run` with 0 and with N slow clients.

    tools/bench/bench_slow_clients.py [CUNXIN_BINARY] [--slow N] [--duration S] [--config JSON]

Starts the daemon (no modems, an empty data directory in /tmp) on 127.0.0.1, then measures
health requests from 127.0.0.1 (a fresh connection each, one every 20 ms, 3 s timeout: a
timeout counts as 3000 ms) for --duration seconds: first with nothing else open, then while N
connections from 127.0.0.2 are held (half send nothing, half send one header line every 2.5 s;
a connection the server closes is opened again at once). Not a test: prints figures. Issue 12
item 2; the httplib server (before) answered nothing while 4 such clients were open.
"""
import argparse
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def health_once(port, timeout=3.0):
    t0 = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        s.settimeout(max(0.01, timeout - (time.monotonic() - t0)))
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            left = timeout - (time.monotonic() - t0)
            if left <= 0:
                break
            s.settimeout(left)
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        ok = data.startswith(b"HTTP/1.1 200")
    except OSError:
        ok = False
    took = (time.monotonic() - t0) * 1000.0
    return ok, took if ok else timeout * 1000.0


def measure(port, duration):
    lat, failed = [], 0
    end = time.monotonic() + duration
    while time.monotonic() < end:
        ok, ms = health_once(port)
        lat.append(ms)
        failed += 0 if ok else 1
        time.sleep(0.02)
    lat.sort()
    pick = lambda p: lat[min(len(lat) - 1, int(p / 100.0 * (len(lat) - 1) + 0.5))] if lat else 0.0
    return {"requests": len(lat), "failed": failed, "p50_ms": round(pick(50), 1),
            "p99_ms": round(pick(99), 1), "max_ms": round(lat[-1] if lat else 0.0, 1)}


class Crowd(threading.Thread):
    def __init__(self, port, n):
        super().__init__(daemon=True)
        self.port, self.n, self.stop, self.reopened = port, n, False, 0

    def connect(self):
        s = socket.socket()
        try:
            s.bind(("127.0.0.2", 0))
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", self.port))
        except OSError:
            s.close()
            return None
        return s

    def run(self):
        conns = [None] * self.n
        lines = [0] * self.n
        nxt = [time.monotonic() + i * 2.5 / self.n for i in range(self.n)]
        while not self.stop:
            now = time.monotonic()
            for i in range(self.n):
                s = conns[i]
                if s is not None:
                    r, _, _ = select.select([s], [], [], 0)
                    if r:
                        try:
                            gone = s.recv(4096) == b""
                        except (BlockingIOError, InterruptedError):
                            gone = False
                        except OSError:
                            gone = True
                        if gone:
                            s.close()
                            conns[i] = s = None
                            self.reopened += 1
                if s is None:
                    conns[i] = s = self.connect()
                    lines[i] = 0
                    if s is None:
                        continue
                if i % 2 == 1 and now >= nxt[i]:
                    line = (b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n" if lines[i] == 0
                            else b"X-Slow-%d: a\r\n" % lines[i])
                    try:
                        s.send(line)
                        lines[i] += 1
                    except OSError:
                        pass
                    nxt[i] = now + 2.5
            time.sleep(0.05)
        for s in conns:
            if s is not None:
                s.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cunxin", nargs="?", default=os.path.join(ROOT, "build/firmware/app/cunxin"))
    ap.add_argument("--slow", type=int, default=200)
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--config", default="{}", help="extra config keys (JSON object)")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="cunxin-bench-slow-")
    cfg = {"log_level": "warn"}
    cfg.update(json.loads(a.config))
    with open(os.path.join(work, "config.json"), "w") as f:
        json.dump(cfg, f)
    port = free_port()
    log = open(os.path.join(work, "daemon.log"), "w")
    daemon = subprocess.Popen([a.cunxin, "run", "--config", os.path.join(work, "config.json"),
                               "--data-dir", work, "--listen", "127.0.0.1:%d" % port],
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(150):
            if health_once(port, 0.5)[0]:
                break
            time.sleep(0.1)
        else:
            sys.exit("bench_slow_clients: daemon did not answer; see " + log.name)
        quiet = measure(port, a.duration)
        print("health, nothing else open:        %s" % json.dumps(quiet))
        crowd = Crowd(port, a.slow)
        crowd.start()
        time.sleep(1.0)
        loaded = measure(port, a.duration)
        crowd.stop = True
        crowd.join()
        print("health, %d slow clients (127.0.0.2): %s  reconnects %d" % (a.slow, json.dumps(loaded), crowd.reopened))
    finally:
        daemon.terminate()
        try:
            daemon.wait(10)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
        log.close()


if __name__ == "__main__":
    main()

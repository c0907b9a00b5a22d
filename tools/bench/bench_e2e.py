#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench_e2e: the appliance end to end on simulated modems, with a flush-latency model, beside a
bare AT loop on the same simulated modems measured in the same run (the floor). Issue 13.

    tools/bench/bench_e2e.py [--build DIR] [--quick] [--smoke] [--only send,receive,bytes]
                             [--keep] [--idle] [--json FILE] [--tmp DIR] [--bytes-tmp DIR]

What is measured (every wait bounded; the full run takes about 5 minutes and never more than
its printed bound):
  send     `cunxin run` (real SQLite in WAL mode, synchronous=FULL, in a fresh data directory)
           on N simulated modems (cunxin-modemsim, each AT+CMGS answered L after its PDU), one
           broadcast POSTed over HTTP (POST /api/v1/messages, K recipients per modem: several L
           per modem). Every fsync/fdatasync of the daemon takes F ms longer (LD_PRELOAD
           libcunxin_fsync_delay.so, CUNXIN_FSYNC_DELAY_MS); the data directory is on /dev/shm
           (--tmp), so a flush costs F and nothing else, whatever this machine's disk is doing
           ("fast disk": F = 0). Figure: the steady sending rate as a
           % of N/L. Steady: per modem, from its first +CMGS answer to its last (the simulator's
           clock), (sends - 1) / span, summed over modems; the time before each modem's first
           answer (HTTP, queueing, first pick-up) is start-up and left out. "whole" is the same
           sends from the POST to the last answer.
  receive  the simulated network delivers one single-part SMS to every modem each L (control
           command "stream"); figure: the rate at which the appliance takes them off the SIM
           (delivered - still on the SIM; an incoming part is deleted only once stored) over a
           window that starts after a warm-up, as a % of the delivery limit N/L.
  floor    before the appliance opens them, the same modems driven by this script directly: N
           ptys, select(), AT+CMGS / PDU / OK (send), +CMTI / AT+CMGR / AT+CMGD (receive), no
           store, no parser, no HTTP; figure computed the same way. The ratio appliance / floor
           is what the appliance costs apart from what this machine's ptys and scheduler cost.
  bytes    a 400-recipient broadcast over 4 modems and 400 single-part incoming replies over 4
           modems: flushes (fsync + fdatasync) and bytes written to regular files per message,
           from the shim's counters (CUNXIN_FSYNC_STATS) over the whole job (until the store is
           quiet), and write_bytes of /proc/PID/io (what reached the block layer).

--quick runs a smaller set in under ~2 minutes; --smoke (with --quick: N = 1, a tiny broadcast)
only checks that everything runs and the table is sane (ctest bench_e2e_smoke). While it runs
the cores are kept out of deep idle (/dev/cpu_dma_latency = 0, as bench_pool does) unless --idle.
"""
import argparse
import collections
import datetime
import http.client
import json
import os
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import time
import tty

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOTICE = "【镇政府】通知：明天上午9点在村委会召开党员大会，请准时参加。"  # one UCS2 segment
REPLY = "村口路灯坏了，请派人来看看"  # no reply-menu code: no automatic acknowledgement


class BenchError(Exception):
    pass


def log(msg):
    print("bench_e2e: " + msg, file=sys.stderr, flush=True)


def recipient(i):
    return "+86139%08d" % i


def parse_time(iso):
    # "2026-12-06T15:05:01.123Z" (the simulator's clock, UTC)
    d = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return d.timestamp()


# ------------------------------------------------------------------------- the simulated modems
class Sim:
    """cunxin-modemsim as a child process, with its JSON-lines control port."""

    def __init__(self, build, work, n, latency_ms):
        self.work = work
        binary = os.path.join(build, "tools/modemsim/cunxin-modemsim")
        self.log = open(os.path.join(work, "modemsim.log"), "w")
        self.proc = subprocess.Popen([binary, "--modems", str(n), "--latency-ms", str(latency_ms),
                                      "--control", "127.0.0.1:0", "--link-dir", os.path.join(work, "modems"),
                                      "--profile", "ec25"],
                                     stdout=subprocess.PIPE, stderr=self.log)
        line = b""
        end = time.monotonic() + 10
        while not line.endswith(b"\n") and time.monotonic() < end:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                line += chunk
        if not line.endswith(b"\n"):
            self.stop()
            raise BenchError("cunxin-modemsim did not start; see " + self.log.name)
        ready = json.loads(line)
        self.modems = ready["modems"]
        host, port = ready["control"].rsplit(":", 1)
        self.ctl = socket.create_connection((host, int(port)), timeout=10)
        self.buf = b""

    def ask(self, req):
        self.ctl.sendall((json.dumps(req) + "\n").encode())
        while b"\n" not in self.buf:
            chunk = self.ctl.recv(1 << 20)
            if not chunk:
                raise BenchError("cunxin-modemsim closed its control port")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        reply = json.loads(line)
        if not reply.get("ok"):
            raise BenchError("modemsim %s: %s" % (req.get("cmd"), reply.get("error")))
        return reply

    def sent_count(self):
        return self.ask({"cmd": "status"})["sent"]

    def sent_since(self, since):
        return self.ask({"cmd": "sent", "since": since})["sent"]

    def taken_off_sim(self):
        """Incoming messages delivered to the SIMs and deleted from them again (sum over modems)."""
        st = self.ask({"cmd": "status"})["modems"]
        return sum(m["delivered_parts"] - m["sm_used"] for m in st)

    def stop(self):
        try:
            self.ctl.close()
        except Exception:
            pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# ------------------------------------------------------------------------------------ the floor
def open_raw(path):
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    tty.setraw(fd, termios.TCSANOW)
    return fd


def floor_command(fd, line, want, bound):
    os.write(fd, line.encode())
    got = b""
    end = time.monotonic() + bound
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                got += os.read(fd, 4096)
            except BlockingIOError:
                pass
            if want.encode() in got:
                return True
    return False


def floor_open(sim):
    fds = []
    for m in sim.modems:
        fd = open_raw(m["path"])
        ok = floor_command(fd, "ATE0\r", "OK\r\n", 5)
        end = time.monotonic() + 10
        while ok and not floor_command(fd, "AT+CREG?\r", ",1\r\n", 0.2):
            if time.monotonic() > end:
                ok = False
        if not ok:
            for f in fds + [fd]:
                os.close(f)
            raise BenchError("the floor's modems did not answer")
        fds.append(fd)
    return fds


def submit_pdu(i):
    """SMS-SUBMIT in UCS2 to recipient(i), "bench i" (TS 23.040 §9.2.2.2); returns (hex, tpdu octets)."""
    digits = recipient(i)[1:] + "F"
    da = "".join(digits[k + 1] + digits[k] for k in range(0, len(digits) - 1, 2))
    ud = "".join("%04X" % ord(c) for c in "bench %d" % i)
    tpdu = "11000D91" + da + "0008AA" + "%02X" % (len(ud) // 2) + ud
    return "00" + tpdu, len(tpdu) // 2


def floor_send(sim, per_modem, latency_s):
    """Each modem sends per_modem messages back to back; returns the simulator's sent entries."""
    fds = floor_open(sim)
    since = sim.sent_count()
    state = {fd: {"buf": b"", "prompted": False, "left": per_modem, "pdu": ""} for fd in fds}
    seq = [0]

    def start(fd):
        seq[0] += 1
        pdu, octets = submit_pdu(900000 + seq[0])
        s = state[fd]
        s.update(buf=b"", prompted=False, pdu=pdu + "\x1a")
        s["left"] -= 1
        os.write(fd, b"AT+CMGS=%d\r" % octets)

    for fd in fds:
        start(fd)
    active = set(fds)
    end = time.monotonic() + per_modem * latency_s * 3 + 20
    while active and time.monotonic() < end:
        r, _, _ = select.select(list(active), [], [], 0.1)
        for fd in r:
            s = state[fd]
            try:
                s["buf"] += os.read(fd, 4096)
            except BlockingIOError:
                continue
            if not s["prompted"]:
                if b"> " in s["buf"]:
                    s["prompted"], s["buf"] = True, b""
                    os.write(fd, s["pdu"].encode())
            elif b"OK\r\n" in s["buf"] or b"ERROR" in s["buf"]:
                if s["left"] > 0:
                    start(fd)
                else:
                    active.discard(fd)
    for fd in fds:
        os.close(fd)
    if active:
        raise BenchError("the floor did not finish its sends in time")
    return sim.sent_since(since)


def stream_window(sim, every_ms, warm_s, window_s, wait):
    """Starts a stream to every modem and counts what is taken off the SIMs over a window of whole
    delivery periods, from halfway between two deliveries (after warm_s) to halfway between two
    others: a store that keeps up counts exactly N per period. wait(t) passes time until t.
    Returns messages per second."""
    l = every_ms / 1000.0
    k0 = int(warm_s / l) + 1
    m = max(1, int(round(window_s / l)))
    sim.ask({"cmd": "stream", "every_ms": every_ms, "count": k0 + m + int(5 / l) + 2, "from": "+8613700000000",
             "text": REPLY})
    t_stream = time.monotonic()
    wait(t_stream + (k0 + 0.5) * l)
    n0 = sim.taken_off_sim()
    wait(t_stream + (k0 + m + 0.5) * l)
    n1 = sim.taken_off_sim()
    sim.ask({"cmd": "stream", "stop": True})
    return (n1 - n0) / (m * l)


def floor_receive(sim, every_ms, warm_s, window_s):
    """Reads and deletes what the stream delivers (+CMTI, AT+CMGR, AT+CMGD); returns the rate."""
    fds = floor_open(sim)
    state = {fd: {"buf": b"", "pending": collections.deque(), "busy": None} for fd in fds}

    def pump(fd):
        s = state[fd]
        while True:
            nl = s["buf"].find(b"\r\n")
            if nl < 0:
                break
            line, s["buf"] = s["buf"][:nl], s["buf"][nl + 2:]
            if line.startswith(b"+CMTI:"):
                s["pending"].append(int(line.rsplit(b",", 1)[1]))
            elif s["busy"] is not None and (line == b"OK" or b"ERROR" in line):
                if s["busy"][0] == "read":
                    s["busy"] = ("delete", s["busy"][1])
                    os.write(fd, b"AT+CMGD=%d\r" % s["busy"][1])
                else:
                    s["busy"] = None
        if s["busy"] is None and s["pending"]:
            idx = s["pending"].popleft()
            s["busy"] = ("read", idx)
            os.write(fd, b"AT+CMGR=%d\r" % idx)

    def run(until, probe=None):
        while time.monotonic() < until:
            r, _, _ = select.select(fds, [], [], 0.05)
            for fd in r:
                try:
                    state[fd]["buf"] += os.read(fd, 4096)
                except BlockingIOError:
                    continue
                pump(fd)

    rate = stream_window(sim, every_ms, warm_s, window_s, run)
    run(time.monotonic() + 1.0)  # drain what is left on the SIMs
    for fd in fds:
        os.close(fd)
    return rate


# -------------------------------------------------------------------------------- the appliance
class Appliance:
    """`cunxin run` on the simulator's modems, under the flush-latency shim, in a fresh data dir."""

    def __init__(self, build, work, sim, flush_ms):
        self.work = os.path.join(work, "data")
        os.makedirs(self.work)
        cunxin = os.path.join(build, "firmware/app/cunxin")
        out = subprocess.run([cunxin, "token", "create", "--data-dir", self.work, "--name", "bench", "--role", "admin"],
                             capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise BenchError("token create failed: " + out.stderr)
        self.token = [l for l in out.stdout.splitlines() if l.strip()][-1].strip()
        with open(os.path.join(self.work, "config.json"), "w") as f:
            json.dump({"sim_limits": {"per_minute": 0, "per_hour": 0, "per_day": 0}, "log_level": "warn"}, f)
        self.stats_path = os.path.join(work, "fsync-stats.bin")
        with open(self.stats_path, "wb") as f:
            f.write(bytes(32))
        shim = os.path.join(build, "tools/bench/libcunxin_fsync_delay.so")
        if not os.path.exists(shim):
            raise BenchError("no %s (cmake --build %s --target cunxin_fsync_delay)" % (shim, build))
        env = dict(os.environ, LD_PRELOAD=shim, CUNXIN_FSYNC_DELAY_MS=str(flush_ms),
                   CUNXIN_FSYNC_STATS=self.stats_path)
        self.port = free_port()
        argv = [cunxin, "run", "--config", os.path.join(self.work, "config.json"), "--data-dir", self.work,
                "--listen", "127.0.0.1:%d" % self.port]
        for m in sim.modems:
            argv += ["--modem", m["link"] or m["path"]]
        self.log = open(os.path.join(work, "daemon.log"), "w")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        end = time.monotonic() + 60
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise BenchError("cunxin run exited; see " + self.log.name)
            try:
                status, body = self.request("GET", "/api/v1/health", timeout=2)
                if status == 200 and json.loads(body).get("modems") == len(sim.modems):
                    return
            except (OSError, http.client.HTTPException, ValueError):
                pass
            time.sleep(0.1)
        self.stop()
        raise BenchError("cunxin run: modems not ready within 60 s; see " + self.log.name)

    def request(self, method, target, body=None, timeout=30):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Authorization": "Bearer " + self.token}
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            c.request(method, target, body=data, headers=headers)
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def counters(self):
        """(flushes, bytes written to regular files, write_bytes of /proc/PID/io or None)."""
        with open(self.stats_path, "rb") as f:
            fsyncs, fdatasyncs, written, _writes = struct.unpack("<4Q", f.read(32))
        io = None
        try:
            with open("/proc/%d/io" % self.proc.pid) as f:
                for line in f:
                    if line.startswith("write_bytes:"):
                        io = int(line.split()[1])
        except OSError:
            pass
        return fsyncs + fdatasyncs, written, io

    def messages(self, direction, status=None):
        """Number of messages of a direction (and status), following cursors."""
        n, cursor = 0, None
        for _ in range(1000):
            target = "/api/v1/messages?direction=%s&limit=200" % direction
            if status:
                target += "&status=" + status
            if cursor is not None:
                target += "&cursor=%s" % cursor
            code, body = self.request("GET", target)
            if code != 200:
                raise BenchError("GET %s -> %d" % (target, code))
            j = json.loads(body)
            n += len(j["items"])
            cursor = j.get("next_cursor")
            if cursor is None:
                break
        return n

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ------------------------------------------------------------------------------------- figures
def steady_rate(sent, n):
    """Sum over modems of (sends - 1) / (last answer - first answer): start-up left out."""
    by = collections.defaultdict(list)
    for s in sent:
        by[s["modem"]].append(parse_time(s["time"]))
    rate = 0.0
    for ts in by.values():
        if len(ts) >= 2 and max(ts) > min(ts):
            rate += (len(ts) - 1) / (max(ts) - min(ts))
    return rate if len(by) == n else rate * len(by) / n  # a modem that sent nothing counts as 0


def broadcast(app, sim, count, bound_s):
    """POSTs one broadcast of `count` recipients; returns (its sends, seconds from POST to last),
    once every recipient got one (a second send to the same recipient would be among them)."""
    since = sim.sent_count()
    t_post = time.time()
    code, body = app.request("POST", "/api/v1/messages",
                             {"to": [recipient(i) for i in range(1, count + 1)], "text": NOTICE})
    if code != 202:
        raise BenchError("POST /api/v1/messages -> %d %s" % (code, body[:200]))
    ours = set(recipient(i) for i in range(1, count + 1))
    end = time.monotonic() + bound_s
    while time.monotonic() < end:
        if sim.sent_count() - since >= count:
            sent = [s for s in sim.sent_since(since) if s["recipient"] in ours]
            if len(set(s["recipient"] for s in sent)) >= count:
                break
        time.sleep(0.05)
    else:
        raise BenchError("broadcast of %d not sent within %.0f s" % (count, bound_s))
    return sent, max(parse_time(s["time"]) for s in sent) - t_post


def wait_quiet(app, bound_s, still_s=1.0):
    """Waits until the shim's counters stood still for still_s (no API request meanwhile: every
    request with a token is a write of its own, last_used_at)."""
    end = time.monotonic() + bound_s
    last, since = app.counters()[:2], time.monotonic()
    while time.monotonic() < end:
        time.sleep(0.1)
        now = app.counters()[:2]
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= still_s:
            return
    raise BenchError("the store did not go quiet within %.0f s" % bound_s)


# --------------------------------------------------------------------------------------- cases
class Case:
    def __init__(self, kind, n, latency_ms, flush_ms, per_modem=0, target=None, warm_s=0, window_s=0):
        self.kind, self.n, self.latency_ms, self.flush_ms = kind, n, latency_ms, flush_ms
        self.per_modem, self.target, self.warm_s, self.window_s = per_modem, target, warm_s, window_s

    def name(self):
        what = {"send": "send", "receive": "receive"}[self.kind]
        return "%-7s N=%-2d L=%4d ms  flush %s" % (what, self.n, self.latency_ms,
                                                  "+%d ms" % self.flush_ms if self.flush_ms else "none")

    def bound_s(self):
        l = self.latency_ms / 1000.0
        if self.kind == "send":
            return 2 * (self.per_modem * l * 4 + 30) + 70
        return 2 * (self.warm_s + self.window_s) + 90


def run_send(build, case, keep, tmp):
    work = tempfile.mkdtemp(prefix="cunxin-bench-e2e-", dir=tmp)
    sim = app = None
    try:
        sim = Sim(build, work, case.n, case.latency_ms)
        l = case.latency_ms / 1000.0
        limit = case.n / l
        floor_sent = floor_send(sim, case.per_modem, l)
        floor = steady_rate(floor_sent, case.n) / limit
        app = Appliance(build, work, sim, case.flush_ms)
        time.sleep(1.0)  # start-up work (SIM reads, balance, clock) out of the way
        c0 = app.counters()
        count = case.n * case.per_modem
        sent, whole_s = broadcast(app, sim, count, case.per_modem * l * 4 + 30)
        c1 = app.counters()
        e2e = steady_rate(sent, case.n) / limit
        twice = len(sent) - count
        return {"note": "%d recipients got it twice" % twice if twice else None, "twice": twice,"case": case.name(), "kind": "send", "n": case.n, "latency_ms": case.latency_ms,
                "flush_ms": case.flush_ms, "messages": count, "appliance": e2e, "floor": floor,
                "whole": count / whole_s / limit, "target": case.target,
                "flushes_per_msg": (c1[0] - c0[0]) / count, "kb_per_msg": (c1[1] - c0[1]) / count / 1024.0}
    finally:
        if app:
            app.stop()
        if sim:
            sim.stop()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def run_receive(build, case, keep, tmp):
    work = tempfile.mkdtemp(prefix="cunxin-bench-e2e-", dir=tmp)
    sim = app = None
    try:
        sim = Sim(build, work, case.n, 50)
        l = case.latency_ms / 1000.0
        limit = case.n / l
        floor = floor_receive(sim, case.latency_ms, case.warm_s, case.window_s) / limit
        app = Appliance(build, work, sim, case.flush_ms)
        time.sleep(1.0)
        stored0 = app.messages("in")  # what the floor left on the SIMs, read at start-up
        streamed0 = sim.ask({"cmd": "status"})["streamed"]
        counters = []

        def wait(t):  # sleeps; notes the shim's counters at each end of the window
            time.sleep(max(0.0, t - time.monotonic()))
            counters.append((sim.taken_off_sim(), app.counters()))

        e2e = stream_window(sim, case.latency_ms, case.warm_s, case.window_s, wait) / limit
        (n0, c0), (n1, c1) = counters
        taken = n1 - n0
        # Afterwards (requests write): every message delivered in this phase is in the store.
        streamed = sim.ask({"cmd": "status"})["streamed"] - streamed0
        end = time.monotonic() + 60
        while time.monotonic() < end:
            st = sim.ask({"cmd": "status"})["modems"]
            if all(m["sm_used"] == 0 and m["network_queue"] == 0 for m in st):
                break
            time.sleep(0.2)
        stored = app.messages("in") - stored0
        return {"case": case.name(), "kind": "receive", "n": case.n, "latency_ms": case.latency_ms,
                "flush_ms": case.flush_ms, "messages": taken, "appliance": e2e, "floor": floor, "whole": None,
                "target": case.target, "flushes_per_msg": (c1[0] - c0[0]) / max(1, taken),
                "kb_per_msg": (c1[1] - c0[1]) / max(1, taken) / 1024.0,
                "note": "stored %d of the %d delivered" % (stored, streamed), "stored": stored, "streamed": streamed}
    finally:
        if app:
            app.stop()
        if sim:
            sim.stop()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def run_bytes(build, kind, n, count, latency_ms, flush_ms, keep, tmp):
    """Flushes and bytes per message for one job: a broadcast of `count` or `count` replies."""
    work = tempfile.mkdtemp(prefix="cunxin-bench-e2e-", dir=tmp)
    sim = app = None
    try:
        sim = Sim(build, work, n, latency_ms)
        app = Appliance(build, work, sim, flush_ms)
        time.sleep(1.0)
        wait_quiet(app, 30)
        c0 = app.counters()
        if kind == "send":
            broadcast(app, sim, count, count / n * latency_ms / 1000.0 * 10 + 60)
        else:
            per_modem = count // n
            every_ms = 100
            sim.ask({"cmd": "stream", "every_ms": every_ms, "count": per_modem, "from": "+8613700000000",
                     "text": REPLY})
            end = time.monotonic() + per_modem * every_ms / 1000.0 * 10 + 60
            while sim.taken_off_sim() < per_modem * n:
                if time.monotonic() > end:
                    raise BenchError("%d replies not taken off the SIMs in time" % (per_modem * n))
                time.sleep(0.1)
            count = per_modem * n
        wait_quiet(app, 60)
        c1 = app.counters()
        io = (c1[2] - c0[2]) / count / 1024.0 if c0[2] is not None and c1[2] is not None else None
        return {"job": "%d-recipient broadcast over %d modems (L=%d ms)" % (count, n, latency_ms) if kind == "send"
                else "%d single-part replies over %d modems (one per modem every 100 ms)" % (count, n),
                "kind": kind, "messages": count, "flush_ms": flush_ms,
                "flushes_per_msg": (c1[0] - c0[0]) / count, "kb_per_msg": (c1[1] - c0[1]) / count / 1024.0,
                "io_kb_per_msg": io}
    finally:
        if app:
            app.stop()
        if sim:
            sim.stop()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def pct(x):
    return "—" if x is None else "%.1f %%" % (100.0 * x)


def print_tables(rows, jobs):
    head = ("| work | appliance (end to end) | floor (bare AT loop) | appliance / floor | target "
            "| whole run | flushes/msg | KB written/msg |")
    print(head)
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        ratio = r["appliance"] / r["floor"] if r["floor"] else None
        print("| %s | **%s** | %s | %s | %s | %s | %.2f | %.1f |" % (
            r["case"], pct(r["appliance"]), pct(r["floor"]), pct(ratio),
            "≥ %d %%" % r["target"] if r["target"] else "—", pct(r["whole"]), r["flushes_per_msg"], r["kb_per_msg"]))
    for r in rows:
        if r.get("note"):
            print("  %s: %s" % (r["case"].strip(), r["note"]))
    if jobs:
        print()
        print("| job | flush | flushes/msg | KB written/msg (shim) | KB/msg (/proc/PID/io write_bytes) |")
        print("|---|---|---|---|---|")
        for j in jobs:
            print("| %s | %s | %.2f | %.1f | %s |" % (
                j["job"], "+%d ms" % j["flush_ms"] if j["flush_ms"] else "none", j["flushes_per_msg"], j["kb_per_msg"],
                "—" if j["io_kb_per_msg"] is None else "%.1f" % j["io_kb_per_msg"]))


def plan(quick, smoke):
    """(send/receive cases, bytes jobs as (kind, N, count, L ms, flush ms))."""
    if smoke:
        return ([Case("send", 1, 50, 15, per_modem=4), Case("receive", 1, 200, 15, warm_s=0.5, window_s=1.5)],
                [("send", 1, 5, 50, 15), ("receive", 1, 5, 50, 15)])
    if quick:
        return ([Case("send", 1, 1000, 15, per_modem=4, target=97), Case("send", 4, 1000, 15, per_modem=4, target=97),
                 Case("send", 4, 50, 0, per_modem=40, target=95),
                 Case("receive", 16, 500, 40, target=95, warm_s=2, window_s=6)],
                [("send", 4, 100, 50, 15), ("receive", 4, 100, 50, 15)])
    sends = [Case("send", n, 1000, 15, per_modem=8, target=97) for n in (1, 4, 8, 16)]
    sends.append(Case("send", 16, 1000, 40, per_modem=8, target=90))
    sends += [Case("send", n, 50, 0, per_modem=60, target=95) for n in (1, 4)]
    sends.append(Case("receive", 16, 500, 40, target=95, warm_s=4, window_s=20))
    return sends, [("send", 4, 400, 50, 15), ("receive", 4, 400, 50, 15)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="build directory (default: ./build)")
    ap.add_argument("--quick", action="store_true", help="a smaller set, under ~2 minutes")
    ap.add_argument("--smoke", action="store_true", help="N = 1, tiny jobs: checks it runs and the table is sane")
    ap.add_argument("--only", default="send,receive,bytes", help="comma-separated: send, receive, bytes")
    ap.add_argument("--keep", action="store_true", help="keep the work directories (logs, databases)")
    ap.add_argument("--idle", action="store_true", help="leave the cores' idle states alone")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--tmp", default="/dev/shm" if os.access("/dev/shm", os.W_OK) else None,
                    help="data directories of the rate cases (default /dev/shm: a flush costs what the "
                         "model adds and nothing more, whatever the machine's disk is doing)")
    ap.add_argument("--bytes-tmp", default=None,
                    help="data directories of the bytes jobs (default: the system's temp dir, on a disk, "
                         "so that /proc/PID/io write_bytes means something)")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    only = set(a.only.split(","))
    cases, jobs = plan(a.quick, a.smoke)
    cases = [c for c in cases if c.kind in only]
    jobs = [j for j in jobs if "bytes" in only]
    bound = sum(c.bound_s() for c in cases) + sum(2 * (j[2] / j[1] * (j[3] if j[0] == "send" else 100) / 1000.0 * 10 + 150)
                                                  for j in jobs)
    qos = None
    if not a.idle:
        try:
            qos = open("/dev/cpu_dma_latency", "wb", buffering=0)
            qos.write(struct.pack("<i", 0))
        except OSError:
            qos = None
    load = os.getloadavg()
    print("bench_e2e: %d cases, %d byte jobs; bounded by %.0f s; load average %.2f %.2f %.2f%s; data in %s, %s" % (
        len(cases), len(jobs), bound, load[0], load[1], load[2], "" if qos or a.idle else " (cores may idle)",
        a.tmp or tempfile.gettempdir(), a.bytes_tmp or tempfile.gettempdir()), flush=True)
    t_start = time.monotonic()
    rows, done_jobs, failed = [], [], []
    for c in cases:
        log("%s ..." % c.name().strip())
        try:
            r = run_send(build, c, a.keep, a.tmp) if c.kind == "send" else run_receive(build, c, a.keep, a.tmp)
            rows.append(r)
            log("  appliance %s, floor %s" % (pct(r["appliance"]), pct(r["floor"])))
        except BenchError as e:
            failed.append("%s: %s" % (c.name().strip(), e))
            log("  FAILED: %s" % e)
    for kind, n, count, latency_ms, flush_ms in jobs:
        log("bytes: %s, %d ..." % (kind, count))
        try:
            done_jobs.append(run_bytes(build, kind, n, count, latency_ms, flush_ms, a.keep, a.bytes_tmp))
        except BenchError as e:
            failed.append("bytes %s %d: %s" % (kind, count, e))
            log("  FAILED: %s" % e)
    print()
    print_tables(rows, done_jobs)
    print()
    print("took %.0f s; load average now %.2f %.2f %.2f" % ((time.monotonic() - t_start,) + os.getloadavg()))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"cases": rows, "jobs": done_jobs, "failed": failed}, f, indent=1, ensure_ascii=False)
    for f in failed:
        print("FAILED: " + f)
    if failed:
        return 1
    if a.smoke:
        # Sane: every figure a fraction of its limit, every job counted something.
        bad = [r["case"] for r in rows if not (0.05 < r["appliance"] <= 1.2 and 0.05 < r["floor"] <= 1.2)]
        bad += [r["case"] for r in rows if r["kind"] == "receive" and r["stored"] != r["streamed"]]
        bad += [r["case"] for r in rows if r["kind"] == "send" and r["twice"]]
        bad += [j["job"] for j in done_jobs if not (j["flushes_per_msg"] > 0 and j["kb_per_msg"] > 0)]
        if bad or len(rows) != len(cases) or len(done_jobs) != len(jobs):
            print("bench_e2e: table not sane: %s" % ", ".join(bad))
            return 1
        print("bench_e2e: smoke ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())

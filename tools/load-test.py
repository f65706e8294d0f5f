#!/usr/bin/env python3
"""Load and fault test of the server programs, on loopback only.

Starts each tuned receiver (tests/receivers, kore-webhook-receiver-<server>) built under --build
(or, with --programs examples, each copyable example, which has no control route), drives it with wrk (tools/load/kore.lua) with genuine,
refused, duplicate and mixed KORE callbacks, and prints one Markdown table: requests per second,
p50 and p99 latency, wrong verdicts and resident memory before and after. Where an example offers
the control route (KORE_WEBHOOK_CONTROL_PATH: the same server answering 204 without verifying),
the same load is sent there too and the cost of verification reads as a ratio.

With --faults, a fault side runs beside a genuine sender that measures its own latency: clients
sending one byte a second, truncated bodies, declared-oversize bodies, connections dropped
mid-body, and a flood of forged callbacks.

Every request goes to 127.0.0.1; every loop is bounded in time. Not part of the test command:
it measures, it does not judge. See docs/performance.md for the table and how to read it.

  python3 tools/load-test.py [--build build/gcc] [--servers httplib,beast] [--duration 10]
                             [--connections 16] [--repeat 3] [--faults] [--soak-requests 1000000]
  python3 tools/load-test.py --availability [--build build/gcc] [--servers ...]
                             [--known-limit SERVER:CHECK ...]

  python3 tools/load-test.py --gateway [--build build/gcc] [--duration 10] [--connections 16]
  python3 tools/load-test.py --with-gateway [...]   # the programs' table, then the gateway's, one run

--gateway measures `kore-webhook serve` (issue 17) instead of the examples: a redis-server and a
minimal Node upstream started here, the gateway's stream output (XADD) and its forward each
driven with distinct genuine callbacks; after each run, every 204 must be in the stream (or at
the upstream) exactly once: it prints the rate, p50/p99, and the lost and duplicated counts, and
exits 1 when one is not 0.

--availability runs issue #9's three checks per example (slow: a genuine callback within 3 s
beside 16 one-byte-a-second clients; idle: the same beside 500 idle connections; chunked: an
endless chunked body refused or cut within 5 s) and exits 1 when one fails. --known-limit
httplib:idle excuses one check of one server, for a limit its server cannot meet and
docs/servers.md documents (with the proxy setting that covers it); the excused failure is still
printed, and a known limit that was met is reported so that it can be dropped. ctest
e2e.availability runs this.
"""

import argparse
import hashlib
import json
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

SECRET = "kore-load-secret"
REGISTERED_URL = "https://hooks.example.com/kore/callback"
ROUTE = "/kore/callback"
CONTROL_ROUTE = "/control"
# Distinct genuine callbacks, sent in rotation: more than the examples' in-memory replay guard
# remembers (100,000), so that a callback comes round again only after the guard has evicted it
# and every one is answered as new (204), not as a duplicate (200).
GENUINE_DISTINCT = 200000
MIXED_DISTINCT = 50000
HERE = os.path.dirname(os.path.abspath(__file__))


def sign(method, body):
    """KORE's signature: lowercase hex SHA-256(secret || METHOD || URL || body)."""
    return hashlib.sha256((SECRET + method + REGISTERED_URL).encode() + body).hexdigest()


def callback_body(i):
    # A 60-byte-ish JSON SIM update, distinct per i so that each genuine callback is new.
    return ('{"sim_sid":"HS%032x","status":"active","n":%d}' % (i, i)).encode()


def write_requests(path, rows):
    with open(path, "w") as f:
        for method, target, signature, body in rows:
            f.write("%s\t%s\t%s\t%s\n" % (method, target, signature, body.decode()))


def make_request_files(directory, distinct):
    genuine = [("POST", ROUTE, sign("POST", callback_body(i)), callback_body(i)) for i in range(distinct)]
    # The genuine requests with a signature that does not match: a forged flood of distinct
    # callbacks, and as many requests for wrk to walk through as the genuine class and the control.
    refused = [("POST", ROUTE, "0" * 64, body) for _, _, _, body in genuine]
    replayed = callback_body(10**9)
    duplicate = [("POST", ROUTE, sign("POST", replayed), replayed)] * 1000
    mixed = []
    for i in range(min(distinct, MIXED_DISTINCT)):
        mixed.append(genuine[i])
        mixed.append(refused[i % len(refused)])
        mixed.append(duplicate[0])
    # The control gets the genuine class's requests, all of them, kore-signature included, only
    # on its own path: the server reads and parses the same bytes and wrk walks the same request
    # table (200,000 requests cost wrk about 3 % more than 1,000 on this machine), so the ratio
    # isolates what verifying them costs.
    control = [("POST", CONTROL_ROUTE, signature, body) for _, _, signature, body in genuine]
    files = {}
    for name, rows in (("genuine", genuine), ("refused", refused), ("duplicate", duplicate), ("mixed", mixed),
                       ("control", control)):
        files[name] = os.path.join(directory, name + ".txt")
        write_requests(files[name], rows)
    return files


# What each class must be answered with; anything else is a wrong verdict. A duplicate is
# accepted once (204) and acknowledged afterwards (200 "duplicate" where the example has a replay
# guard, 204 where it has none); 423 tells KORE to come back while the first delivery is in work.
# A genuine run longer than its distinct callbacks sends some again, and the guard answers those 200.
EXPECTED = {
    "genuine": {200, 204},
    "refused": {401},
    "duplicate": {200, 204, 423},
    "mixed": {200, 204, 401, 423},
    "control": {204},
}


class Example:
    def __init__(self, name, path, log_dir, extra_env):
        self.name = name
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG")}
        env.update({"KORE_WEBHOOK_SECRET": SECRET, "KORE_WEBHOOK_URL": REGISTERED_URL, "PORT": "0",
                    "KORE_WEBHOOK_CONTROL_PATH": CONTROL_ROUTE})
        env.update(extra_env)
        self.log_path = os.path.join(log_dir, name + ".log")
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen([path], env=env, stdout=subprocess.PIPE, stderr=self.log)
        deadline = time.time() + 10
        self.port = None
        while time.time() < deadline:
            line = self.process.stdout.readline().decode(errors="replace")
            match = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            if match:
                self.port = int(match.group(1))
                break
            if not line and self.process.poll() is not None:
                break
        if self.port is None:
            self.stop()
            raise RuntimeError("%s did not start (see %s)" % (name, self.log_path))

    def rss_kib(self):
        with open("/proc/%d/status" % self.process.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def run_wrk(port, requests_file, duration, connections, threads):
    command = ["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % duration, "--latency", "--timeout", "10s",
               "-s", os.path.join(HERE, "load", "kore.lua"), "http://127.0.0.1:%d/" % port, "--", requests_file,
               str(threads)]
    output = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60).stdout
    match = re.search(r"KORE-LOAD (.*)", output)
    if not match:
        raise RuntimeError("wrk printed no summary:\n" + output)
    fields = dict(item.split("=", 1) for item in match.group(1).split())
    statuses = {}
    if fields["statuses"]:
        for pair in fields["statuses"].split(","):
            status, count = pair.split("=")
            statuses[int(status)] = int(count)
    # The rate over the time every wrk thread was sending (tools/load/kore.lua says why), or wrk's
    # own when there was no such time (a server too slow to answer every thread).
    if int(fields["window_us"]) > 0:
        rps = int(fields["window_requests"]) / (int(fields["window_us"]) / 1e6)
    else:
        rps = int(fields["requests"]) / (int(fields["duration_us"]) / 1e6)
    errors = sum(int(fields[k]) for k in ("errors_connect", "errors_read", "errors_write", "errors_timeout"))
    return {"requests": int(fields["requests"]), "rps": rps,
            "p50_ms": int(fields["p50_us"]) / 1000, "p99_ms": int(fields["p99_us"]) / 1000,
            "statuses": statuses, "socket_errors": errors}


def probe_status(port, target):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
            s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}" % target)
                      .encode())
            data = s.recv(64).decode(errors="replace")
            return int(data.split()[1]) if data.startswith("HTTP/") else None
    except (OSError, ValueError, IndexError):
        return None


class FaultSide:
    """Slow, truncated, oversize and dropped requests, each in its own thread, until stop()."""

    def __init__(self, port, slow_clients=16):
        self.port = port
        self.stopping = threading.Event()
        self.counts = {"slow_open": 0, "truncated": 0, "oversize_413": 0, "oversize_reset": 0, "dropped": 0}
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.slow_client, daemon=True) for _ in range(slow_clients)]
        self.threads += [threading.Thread(target=f, daemon=True) for f in (self.truncated, self.oversize,
                                                                           self.dropped)]

    def add(self, key):
        with self.lock:
            self.counts[key] += 1

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=5)

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)

    def slow_client(self):
        request = ("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" % ROUTE).encode() + b"x" * 1000
        while not self.stopping.is_set():
            try:
                with self.connect() as s:
                    self.add("slow_open")
                    for byte in request:
                        if self.stopping.wait(1.0):
                            return
                        s.sendall(bytes([byte]))
            except OSError:
                self.stopping.wait(0.2)

    def truncated(self):
        while not self.stopping.is_set():
            try:
                with self.connect() as s:
                    s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nkore-signature: %s\r\nContent-Length: 100\r\n\r\n"
                               % (ROUTE, "0" * 64)).encode() + b"0123456789")
                    s.shutdown(socket.SHUT_WR)
                    s.recv(256)
                    self.add("truncated")
            except OSError:
                pass
            self.stopping.wait(0.05)

    def oversize(self):
        body = b"x" * (3 << 20)
        while not self.stopping.is_set():
            try:
                with self.connect() as s:
                    s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nkore-signature: %s\r\nContent-Length: %d\r\n\r\n"
                               % (ROUTE, "0" * 64, len(body))).encode())
                    s.sendall(body)
                    answer = s.recv(64)
                    self.add("oversize_413" if b" 413 " in answer else "oversize_reset")
            except OSError:
                self.add("oversize_reset")
            self.stopping.wait(0.2)

    def dropped(self):
        while not self.stopping.is_set():
            try:
                s = self.connect()
                s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" % ROUTE).encode() + b"y" * 100)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                s.close()  # RST mid-body
                self.add("dropped")
            except OSError:
                pass
            self.stopping.wait(0.05)


def genuine_latency(port, timeout):
    """Sends one genuine callback on a new connection; returns (seconds, status) or (None, None)."""
    body = callback_body(random.randrange(10**12))
    request = ("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nkore-signature: %s\r\n"
               "kore-idempotency-token: probe\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
               % (ROUTE, sign("POST", body), len(body))).encode() + body
    started = time.time()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(max(0.1, timeout - (time.time() - started)))
            s.sendall(request)
            answer = s.recv(64)
            if answer.startswith(b"HTTP/"):
                return time.time() - started, int(answer.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None, None


def endless_chunked(port, limit_seconds):
    """Sends well-framed chunks forever; returns (seconds until the server answered or closed, what it did)."""
    started = time.time()
    chunk = b"1000\r\n" + b"z" * 4096 + b"\r\n"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nkore-signature: %s\r\nTransfer-Encoding: chunked\r\n\r\n"
                       % (ROUTE, "0" * 64)).encode())
            s.setblocking(False)
            pending = b""
            while time.time() - started < limit_seconds + 5:
                try:
                    data = s.recv(64)
                    return time.time() - started, data[:12] or b"closed"  # an answer, or a close
                except BlockingIOError:
                    pass
                if not pending:
                    pending = chunk
                try:
                    pending = pending[s.send(pending):]  # the rest goes next: the framing stays whole
                except BlockingIOError:
                    time.sleep(0.01)  # the server stopped reading; keep waiting for its answer
    except OSError as error:
        return time.time() - started, ("closed: %s" % error.__class__.__name__).encode()
    return None, b""


AVAILABILITY_CHECKS = ("slow", "idle", "chunked")


def availability(example, slow=16, idle=500):
    """The three availability checks of the examples: rows of (key, check, seconds, limit, ok, detail),
    key one of AVAILABILITY_CHECKS."""
    rows = []
    faults = FaultSide(example.port, slow_clients=slow)
    faults.threads = faults.threads[:slow]  # slow clients only
    faults.start()
    time.sleep(2)  # let them take their connections
    seconds, status = genuine_latency(example.port, 6)
    faults.stop()
    rows.append(("slow", "genuine beside %d one-byte-a-second clients" % slow, seconds, 3.0, status == 204, status))
    sockets = []
    try:
        for _ in range(idle):
            try:
                sockets.append(socket.create_connection(("127.0.0.1", example.port), timeout=2))
            except OSError:
                break
        time.sleep(1)
        seconds, status = genuine_latency(example.port, 6)
        rows.append(("idle", "genuine beside %d idle connections (%d opened)" % (idle, len(sockets)), seconds, 3.0,
                     status == 204, status))
    finally:
        for s in sockets:
            s.close()
    seconds, answer = endless_chunked(example.port, 5.0)
    rows.append(("chunked", "endless chunked body refused or cut", seconds, 5.0, seconds is not None, answer))
    return rows


def wrong(cls, statuses):
    return sum(n for status, n in statuses.items() if status not in EXPECTED[cls])


GATEWAY_STREAM_URL = "https://hooks.example.com/kore/stream"
GATEWAY_FORWARD_URL = "https://hooks.example.com/kore/forward"
# The gateway test's minimal upstream: answers every forward 204 and counts them by webhook-id.
GATEWAY_UPSTREAM_JS = r"""
const http = require("http");
const seen = new Map();
const server = http.createServer((req, res) => {
  if (req.url === "/__seen") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(Object.fromEntries(seen)));
    return;
  }
  req.resume();
  req.on("end", () => {
    const id = req.headers["webhook-id"] || "";
    seen.set(id, (seen.get(id) || 0) + 1);
    res.writeHead(204);
    res.end();
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write("listening on 127.0.0.1:" + server.address().port + "\n"));
"""


def gateway_sign(url, body):
    return hashlib.sha256((SECRET + "POST" + url).encode() + body).hexdigest()


def start_announcing(argv, log, lines=1, env=None):
    """Starts a process that prints "... on 127.0.0.1:PORT" lines when ready; returns (process, ports)."""
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, env=env)
    ports = []
    deadline = time.time() + 20
    while len(ports) < lines and time.time() < deadline:
        line = process.stdout.readline().decode(errors="replace")
        match = re.search(r" on 127\.0\.0\.1:(\d+)", line)
        if match:
            ports.append(int(match.group(1)))
        elif not line:
            break
    if len(ports) < lines:
        process.kill()
        raise RuntimeError("%s did not start" % argv[0])
    return process, ports


def gateway_load(args, work):
    """--gateway: the gateway's stream output and forward under load; every 204 handed off once."""
    import redis  # Debian: python3-redis; only this mode needs it

    cli = os.path.join(args.build, "tools", "kore-webhook", "kore-webhook")
    log = open(os.path.join(work, "gateway.log"), "wb")
    redis_port = free_port()
    redis_server = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                     "--appendonly", "no", "--dir", work], stdout=log, stderr=log)
    client = redis.Redis(host="127.0.0.1", port=redis_port)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    upstream_js = os.path.join(work, "upstream.js")
    with open(upstream_js, "w") as f:
        f.write(GATEWAY_UPSTREAM_JS)
    processes = [redis_server]
    exit_status = 0
    try:
        upstream, (upstream_port,) = start_announcing(["node", upstream_js], log)
        processes.append(upstream)
        with open(os.path.join(work, "secret"), "w") as f:
            f.write(SECRET + "\n")
        with open(os.path.join(work, "whsec"), "w") as f:
            f.write("whsec_a29yZS1sb2FkLXRlc3QtdXBzdHJlYW0ta2V5\n")
        config = os.path.join(work, "gateway.toml")
        with open(config, "w") as f:
            f.write('listen = "127.0.0.1:0"\nadmin_listen = "127.0.0.1:0"\n[redis]\naddress = "127.0.0.1:%d"\n'
                    '[[route]]\npath = "/kore/stream"\nregistered_url = "%s"\nsecret_files = ["%s/secret"]\n'
                    '[route.stream]\nkey = "kore:load"\nmaxlen = 100000000\n'
                    '[[route]]\npath = "/kore/forward"\nregistered_url = "%s"\nsecret_files = ["%s/secret"]\n'
                    '[route.forward]\nurl = "http://127.0.0.1:%d/kore"\nsigning_secret_file = "%s/whsec"\n'
                    % (redis_port, GATEWAY_STREAM_URL, work, GATEWAY_FORWARD_URL, work, upstream_port, work))
        gateway, (port, admin_port) = start_announcing([cli, "serve", "--config", config], log, lines=2)
        processes.append(gateway)
        print("# kore-webhook serve under load: %s, %d cores; wrk -t%d -c%d -d%ds on 127.0.0.1, Redis %s" %
              (platform.node(), os.cpu_count(), args.threads, args.connections, args.duration,
               client.info()["redis_version"]))
        print()
        print("| output | req/s | p50 ms | p99 ms | 204 | other answers | handed off | lost | duplicated | socket errors |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for output, path, url in (("stream (XADD)", "/kore/stream", GATEWAY_STREAM_URL),
                                  ("forward (HTTP)", "/kore/forward", GATEWAY_FORWARD_URL)):
            # Distinct callbacks, so that every one is new; a run sending more than these would
            # send some again and be answered 200 (duplicate), which the table shows.
            bodies = [callback_body(i) + path.encode() for i in range(args.distinct)]
            requests_file = os.path.join(work, "gateway-%s.txt" % path.strip("/").replace("/", "-"))
            write_requests(requests_file, [("POST", path, gateway_sign(url, b), b) for b in bodies])
            r = run_wrk(port, requests_file, args.duration, args.connections, args.threads)
            if path == "/kore/stream":
                ids = [fields[b"id"].decode() for _, fields in client.xrange("kore:load", count=10**8)]
            else:
                seen = json.loads(urllib.request.urlopen("http://127.0.0.1:%d/__seen" % upstream_port).read())
                ids = [i for i, n in seen.items() for _ in range(n)]
            counts = {}
            for i in ids:
                counts[i] = counts.get(i, 0) + 1
            duplicated = sum(n - 1 for n in counts.values())
            # Every 204 is one distinct callback; wrk stops with some answers unread, so the output
            # may hold a few more than the 204s counted, never fewer.
            answered = r["statuses"].get(204, 0)
            lost = max(0, answered - len(counts))
            other = sum(n for status, n in r["statuses"].items() if status != 204)
            exit_status |= 1 if lost or duplicated else 0
            forward_rps = r["rps"]
            print("| %s | %.0f | %.2f | %.2f | %d | %d | %d | %d | %d | %d |" %
                  (output, r["rps"], r["p50_ms"], r["p99_ms"], answered, other, len(ids), lost, duplicated,
                   r["socket_errors"]))
            sys.stdout.flush()
        # The control: the same forward requests sent straight to the upstream, as the app would
        # take them without the gateway. A shipped gateway has no route that skips verification,
        # so this is the closest no-verify control: the ratio is the gateway's whole cost (read,
        # verify, claim in Redis, re-sign, forward, commit), of which verifying is a part.
        r = run_wrk(upstream_port, requests_file, args.duration, args.connections, args.threads)
        print("| control: the upstream alone | %.0f | %.2f | %.2f | %d | %d | | | | %d |" %
              (r["rps"], r["p50_ms"], r["p99_ms"], r["statuses"].get(204, 0),
               sum(n for status, n in r["statuses"].items() if status != 204), r["socket_errors"]))
        print()
        print("forward vs its control (the upstream alone): %.2f" % (forward_rps / r["rps"] if r["rps"] else 0))
        sys.stdout.flush()
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        log.close()
    return exit_status


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build/gcc", help="build tree with the examples (default build/gcc)")
    parser.add_argument("--programs", choices=("receivers", "examples"), default="receivers",
                        help="the tuned receivers (default) or the copyable examples")
    parser.add_argument("--servers", default="", help="comma-separated subset (default: every built example)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement (default 10)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--distinct", type=int, default=GENUINE_DISTINCT,
                        help="distinct genuine callbacks, sent in rotation (default %d)"
                        % GENUINE_DISTINCT)
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure every traffic class this many times, in rounds, and print the median run "
                             "and the median ratio to the control of the same round (default 1)")
    parser.add_argument("--faults", action="store_true", help="also run the fault side beside a genuine sender")
    parser.add_argument("--soak-requests", type=int, default=0,
                        help="finally send this many mixed requests and report resident memory before and after")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for every example (repeatable)")
    parser.add_argument("--availability", action="store_true",
                        help="only the availability checks: a genuine callback answered within 3 s beside 16 slow "
                             "clients and beside 500 idle connections, an endless chunked body ended within 5 s; "
                             "exits 1 when one fails")
    parser.add_argument("--known-limit", action="append", default=[], metavar="SERVER:CHECK",
                        help="with --availability: a documented limit of one server, CHECK one of %s; its failure "
                             "is printed but not counted (repeatable)" % ", ".join(AVAILABILITY_CHECKS))
    parser.add_argument("--gateway", action="store_true",
                        help="measure `kore-webhook serve` (stream output and forward) instead of the examples")
    parser.add_argument("--with-gateway", action="store_true",
                        help="measure the programs, then `kore-webhook serve` in the same run (one table each)")
    args = parser.parse_args()
    if args.gateway:
        return gateway_load(args, tempfile.mkdtemp(prefix="kore-load-gateway-"))
    if args.repeat < 1:
        parser.error("--repeat: at least 1")
    known_limits = set()
    for item in args.known_limit:
        server, _, check = item.partition(":")
        if not server or check not in AVAILABILITY_CHECKS:
            parser.error("--known-limit %s: expected SERVER:CHECK with CHECK one of %s" %
                         (item, ", ".join(AVAILABILITY_CHECKS)))
        known_limits.add((server, check))

    listing = os.path.join(args.build, "kore-webhook-%s.txt" % args.programs)
    examples = dict(line.strip().split("=", 1) for line in open(listing) if "=" in line)
    wanted = [s for s in args.servers.split(",") if s] or sorted(examples)
    extra_env = dict(item.split("=", 1) for item in args.env)

    work = tempfile.mkdtemp(prefix="kore-load-")
    if args.availability:
        failed = 0
        excused = 0
        for server, check in sorted(known_limits):
            if server not in wanted:
                print("--known-limit %s:%s names a server that is not tested here" % (server, check))
                failed += 1
        for name in wanted:
            if name not in examples:
                print("%-10s kore-webhook-%s-%s was not built" % (name, args.programs[:-1], name))
                failed += 1
                continue
            example = Example(name, examples[name], work, extra_env)
            try:
                for key, check, seconds, limit, ok, detail in availability(example):
                    ok = ok and seconds is not None and seconds <= limit
                    known = (name, key) in known_limits
                    if ok:
                        verdict = "ok (a known limit, met this time: drop it if it keeps passing)" if known else "ok"
                    elif known:
                        verdict = "FAILED, a known limit (docs/servers.md)"
                        excused += 1
                    else:
                        verdict = "FAILED"
                        failed += 1
                    print("%-10s %-7s %-55s %s (%s s, limit %.0f s; %s)" % (name, key, check, verdict,
                          "-" if seconds is None else "%.3f" % seconds, limit, detail))
                    sys.stdout.flush()
            finally:
                example.stop()
        print("availability: %d checks failed, %d known limits" % (failed, excused))
        return 1 if failed else 0
    files = make_request_files(work, args.distinct)
    print("# kore-webhook load test: %s, %d cores, %s; wrk -t%d -c%d -d%ds on 127.0.0.1%s" %
          (platform.node(), os.cpu_count(), platform.processor() or platform.machine(), args.threads,
           args.connections, args.duration, ", median of %d runs" % args.repeat if args.repeat > 1 else ""))
    print()
    print("| example | traffic | req/s | vs control | p50 ms | p99 ms | wrong verdicts | socket errors | RSS KiB before -> after |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    exit_status = 0
    for name in wanted:
        try:
            example = Example(name, examples[name], work, extra_env)
        except (RuntimeError, KeyError) as error:
            print("| %s | could not start: %s |" % (name, error))
            exit_status = 1
            continue
        try:
            has_control = probe_status(example.port, CONTROL_ROUTE) == 204
            classes = (["control"] if has_control else []) + ["genuine", "refused", "duplicate", "mixed"]
            # Rounds: every class once per round, the control first, so that each class's ratio
            # to the control is taken against the control of its own round (the machine's pace
            # drifts between rounds); the row shows the median run and the median ratio.
            runs = {cls: [] for cls in classes}
            ratios = {cls: [] for cls in classes}
            rss = {cls: [] for cls in classes}
            for _ in range(args.repeat):
                control_rps = None
                for cls in classes:
                    before = example.rss_kib()
                    run = run_wrk(example.port, files[cls], args.duration, args.connections, args.threads)
                    rss[cls].append((before, example.rss_kib()))
                    runs[cls].append(run)
                    if cls == "control":
                        control_rps = run["rps"]
                    elif control_rps:
                        ratios[cls].append(run["rps"] / control_rps)
            for cls in classes:
                r = sorted(runs[cls], key=lambda run: run["rps"])[len(runs[cls]) // 2]  # the median run
                statuses = {status: sum(run["statuses"].get(status, 0) for run in runs[cls])
                            for status in set().union(*(run["statuses"] for run in runs[cls]))}
                ratio = "%.2f" % sorted(ratios[cls])[len(ratios[cls]) // 2] if ratios[cls] else ""
                bad = wrong(cls, statuses)
                exit_status |= 1 if bad else 0
                label = cls
                if cls == "genuine":  # how many were new: the rest were sent again, duplicates
                    label += " (%d x 204, %d x 200)" % (statuses.get(204, 0), statuses.get(200, 0))
                print("| %s | %s | %.0f | %s | %.2f | %.2f | %d | %d | %d -> %d |" %
                      (name, label, r["rps"], ratio, r["p50_ms"], r["p99_ms"], bad,
                       sum(run["socket_errors"] for run in runs[cls]), rss[cls][0][0], rss[cls][-1][1]))
                sys.stdout.flush()
            if args.faults:
                faults = FaultSide(example.port)
                faults.start()
                flood = {}
                flood_thread = threading.Thread(target=lambda: flood.update(
                    run_wrk(example.port, files["refused"], args.duration, max(1, args.connections // 2), 1)))
                flood_thread.start()
                r = run_wrk(example.port, files["genuine"], args.duration, max(1, args.connections // 2), 1)
                flood_thread.join()
                faults.stop()
                bad = wrong("genuine", r["statuses"]) + wrong("refused", flood.get("statuses", {}))
                exit_status |= 1 if bad else 0
                print("| %s | genuine under faults (%s; forged flood %.0f req/s) | %.0f | | %.2f | %.2f | %d | %d | %d |" %
                      (name, ", ".join("%s %d" % kv for kv in sorted(faults.counts.items())), flood.get("rps", 0),
                       r["rps"], r["p50_ms"], r["p99_ms"], bad, r["socket_errors"], example.rss_kib()))
            if args.soak_requests:
                before = example.rss_kib()
                sent = 0
                started = time.time()
                while sent < args.soak_requests and time.time() - started < 600:
                    sent += run_wrk(example.port, files["mixed"], args.duration, args.connections,
                                    args.threads)["requests"]
                print("| %s | soak: %d mixed requests | | | | | | | %d -> %d |" %
                      (name, sent, before, example.rss_kib()))
        finally:
            example.stop()
        log = open(example.log_path, errors="replace").read()
        verified = log.count(" verified")
        refused = log.count(" refused")
        print("| %s | server log: %d verified, %d refused lines | | | | | | | |" % (name, verified, refused))
    if args.with_gateway:
        print()
        exit_status |= gateway_load(args, tempfile.mkdtemp(prefix="kore-load-gateway-"))
    return exit_status


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""gateway.e2e: `kore-webhook serve` end to end (issue 17).

A real redis-server, two gateways sharing it (a fleet), and an upstream in Node that verifies
every forward with the `standardwebhooks` npm package (upstream/upstream.js). Genuine callbacks
are signed here as KORE signs them; forged ones are made by the CLI's own `send --tamper` (its
length-extension forge included). Every server is started on 127.0.0.1 on a free port and
stopped by the test. One test method per behaviour.

ctest runs: gateway_e2e.py --cli K --redis-server R --node N --upstream U [--openssl O]
"""

import argparse
import base64
import hashlib
import http.client
import json
import os
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

import redis

ARGS = None
REGISTERED = "https://hooks.example.com/kore/sims"
EVENTS_REGISTERED = "https://hooks.example.com/kore/events"
SECRET = "kore-e2e-gateway-secret"
WHSEC = "whsec_" + base64.b64encode(b"gateway-e2e-upstream-key-32bytes").decode()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kore_signature(secret, method, url, body):
    signed_url = url.split("?")[0].split("#")[0]
    return hashlib.sha256(secret.encode() + method.encode() + signed_url.encode() + body).hexdigest()


def webhook_id(signature_hex):
    return "msg_" + signature_hex[:32]


class Process:
    """A child process whose first stdout lines announce it ("listening on 127.0.0.1:PORT")."""

    def __init__(self, argv, lines=1, env=None, cwd=None):
        self.log = tempfile.NamedTemporaryFile(prefix="kore-gateway-e2e-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.log, env=env, cwd=cwd)
        self.lines = []
        deadline = time.time() + 20
        buffered = b""
        while len(self.lines) < lines:
            left = deadline - time.time()
            ready, _, _ = select.select([self.proc.stdout], [], [], max(left, 0))
            if not ready:
                self.kill()
                raise RuntimeError(f"{argv[0]}: no ready line within 20 s; stderr: {self.stderr()}")
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"{argv[0]}: exited before its ready line; stderr: {self.stderr()}")
            buffered += chunk
            while b"\n" in buffered and len(self.lines) < lines:
                line, buffered = buffered.split(b"\n", 1)
                self.lines.append(line.decode())

    def port(self, index=0):
        return int(self.lines[index].rsplit(":", 1)[1])

    def stderr(self):
        with open(self.log.name, "r", errors="replace") as f:
            return f.read()

    def terminate(self, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def close(self):
        self.terminate()
        self.proc.stdout.close()
        self.log.close()
        os.unlink(self.log.name)


class RedisServer:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="kore-gateway-redis-")
        self.port = free_port()
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            [ARGS.redis_server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.dir, "--logfile", os.path.join(self.dir, "redis.log")])
        client = redis.Redis(host="127.0.0.1", port=self.port)
        for _ in range(200):
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Upstream:
    def __init__(self, secret_file, port=0, tls=None, keep_alive_ms=None):
        env = dict(os.environ, PORT=str(port))
        if keep_alive_ms:
            env["KEEP_ALIVE_MS"] = str(keep_alive_ms)
        if tls:
            env.update(TLS_CERT=tls[0], TLS_KEY=tls[1])
        self.process = Process([ARGS.node, ARGS.upstream, secret_file], env=env)
        self.port = self.process.port()
        self.tls = ssl.create_default_context(cafile=tls[0]) if tls else None

    def received(self):
        return json.loads(request(self.port, "GET", "/__received", tls=self.tls)[1])

    def set_status(self, status):
        request(self.port, "POST", f"/__status/{status}", tls=self.tls)

    def close(self):
        self.process.close()


def request(port, method, target, body=b"", headers=None, timeout=20, tls=None):
    if tls is not None:
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=tls)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, target, body=body if (body or method != "GET") else None, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Fixture:
    """A directory of secret and configuration files, and the processes started from them."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="kore-gateway-e2e-")
        self.write("kore-active", SECRET + "\n")
        self.write("upstream-whsec", WHSEC + "\n")
        self.closers = []

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def path(self, name):
        return os.path.join(self.dir, name)

    def config(self, name, upstream_port, redis_port=None, secret_files=("kore-active",), timeout_ms=3000,
               tls=None, stream=True, scheme="http"):
        files = ", ".join(f'"{self.path(f)}"' for f in secret_files)
        text = 'listen = "127.0.0.1:0"\nadmin_listen = "127.0.0.1:0"\n'
        if tls:
            text += f'[tls]\ncert_file = "{tls[0]}"\nkey_file = "{tls[1]}"\n'
        if redis_port:
            text += f'[redis]\naddress = "127.0.0.1:{redis_port}"\n'
        text += (f'[[route]]\npath = "/kore/sims"\nregistered_url = "{REGISTERED}"\nsecret_files = [{files}]\n'
                 f'[route.forward]\nurl = "{scheme}://127.0.0.1:{upstream_port}/kore"\n'
                 f'signing_secret_file = "{self.path("upstream-whsec")}"\ntimeout_ms = {timeout_ms}\n')
        if redis_port and stream:
            text += (f'[[route]]\npath = "/kore/events"\nregistered_url = "{EVENTS_REGISTERED}"\n'
                     f'secret_files = [{files}]\n[route.stream]\nkey = "kore:events"\nmaxlen = 100000\n')
        return self.write(name, text)

    def gateway(self, config_path, env=None):
        g = Process([ARGS.cli, "serve", "--config", config_path], lines=2, env=env)

        def stop():
            # Every gateway must exit 0 on SIGTERM (under ASan: without a leak or an error).
            status = g.terminate()
            log = g.stderr()
            g.close()
            if status != 0:
                raise AssertionError(f"gateway exited {status} after SIGTERM; stderr: {log[-2000:]}")

        self.closers.append(stop)
        return g

    def upstream(self, port=0, tls=None, keep_alive_ms=None):
        u = Upstream(self.path("upstream-whsec"), port, tls, keep_alive_ms)
        self.closers.append(u.close)
        return u

    def close(self):
        problems = []
        for close in reversed(self.closers):
            try:
                close()
            except AssertionError as e:
                problems.append(str(e))
        shutil.rmtree(self.dir, ignore_errors=True)
        if problems:
            raise AssertionError("\n".join(problems))


def callback(port, path="/kore/sims", registered=REGISTERED, body=None, method="POST", secret=SECRET, token=None,
             content_type="application/json", target=None, tls=None):
    """Sends a genuine callback (KORE's signature); returns (status, body, signature)."""
    if body is None:
        body = json.dumps({"event": "sim.status", "id": str(uuid.uuid4())}).encode()
    signature = kore_signature(secret, method, registered, body)
    headers = {"kore-signature": signature, "kore-idempotency-token": token or str(uuid.uuid4()),
               "date": "Mon, 07 Dec 2026 16:00:00 GMT"}
    if method != "GET":
        headers["Content-Type"] = content_type
    status, answer = request(port, method, target or path, body, headers, tls=tls)
    return status, answer, signature


def metric(admin_port, name, **labels):
    text = request(admin_port, "GET", "/metrics")[1].decode()
    want = name + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"
    for line in text.splitlines():
        if line.startswith(want + " "):
            return int(float(line.split()[-1]))
    return 0


def wait_for(predicate, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


class Fleet(unittest.TestCase):
    """Two gateways on one Redis, forwarding to one Node upstream (and streaming /kore/events)."""

    @classmethod
    def setUpClass(cls):
        cls.f = Fixture()
        cls.redis = RedisServer()
        cls.f.closers.append(cls.redis.close)
        cls.up = cls.f.upstream()
        config = cls.f.config("fleet.toml", cls.up.port, cls.redis.port)
        cls.a = cls.f.gateway(config)
        cls.b = cls.f.gateway(config)

    @classmethod
    def tearDownClass(cls):
        cls.f.close()

    def setUp(self):
        self.up.set_status(204)

    def forwards_of(self, signature):
        return [r for r in self.up.received() if r["id"] == webhook_id(signature)]

    def test_genuine_callbacks_reach_the_upstream_once_verified_and_identical(self):
        bodies = [json.dumps({"n": i, "text": "ünïcode ✓"}).encode() for i in range(4)]
        bodies.append(b"SimSid=HS1&SimStatus=active&x=%26")  # a form body: not JSON
        for i, body in enumerate(bodies):
            gateway = self.a if i % 2 == 0 else self.b
            ctype = "application/x-www-form-urlencoded" if body.startswith(b"Sim") else "application/json"
            token = f"token-{uuid.uuid4()}"
            status, _, signature = callback(gateway.port(), body=body, content_type=ctype, token=token)
            self.assertEqual(status, 204)
            got = self.forwards_of(signature)
            self.assertEqual(len(got), 1, got)
            self.assertTrue(got[0]["verified"], got[0]["problem"])
            self.assertEqual(base64.b64decode(got[0]["body_b64"]), body)
            self.assertEqual(got[0]["content_type"], ctype)
            self.assertEqual(got[0]["idempotency_token"], token)
            self.assertEqual(got[0]["date"], "Mon, 07 Dec 2026 16:00:00 GMT")
            self.assertEqual(got[0]["method"], "POST")

    def test_get_callbacks_are_forwarded_as_get_with_an_empty_signed_payload(self):
        status, _, signature = callback(self.a.port(), method="GET", body=b"")
        self.assertEqual(status, 204)
        got = self.forwards_of(signature)
        self.assertGreaterEqual(len(got), 1)
        self.assertEqual(got[-1]["method"], "GET")
        self.assertTrue(got[-1]["verified"], got[-1]["problem"])

    def test_forged_and_broken_callbacks_never_reach_the_upstream(self):
        before = len(self.up.received())
        secret_file = self.f.path("kore-active")
        for tamper in ["body", "signature", "unsigned", "missing", "length-extension", "wrong-url"]:
            run = subprocess.run([ARGS.cli, "send", "--secret-file", secret_file, "--url", REGISTERED, "--connect",
                                  f"127.0.0.1:{self.a.port()}", "--tamper", tamper, "--retries", "0"],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(run.returncode, 1, f"{tamper}: {run.stdout} {run.stderr}")
            self.assertRegex(run.stdout, r"^(400|401) ", tamper)
        # An added query: the signature is genuine, the query is not signed.
        status, answer, _ = callback(self.a.port(), target="/kore/sims?admin=true")
        self.assertEqual((status, answer), (401, b"query_not_signed"))
        # Signed with another secret.
        status, _, _ = callback(self.b.port(), secret="not-the-secret")
        self.assertEqual(status, 401)
        self.assertEqual(len(self.up.received()), before)
        # The upstream refuses a forward whose body was changed (its library, not the gateway).
        genuine = self.up.received()[-1] if before else None
        if genuine:
            headers = {"webhook-id": genuine["id"], "webhook-timestamp": genuine["timestamp"],
                       "webhook-signature": genuine["signature"]}
            status, _ = request(self.up.port, "POST", "/kore", base64.b64decode(genuine["body_b64"]) + b" ", headers)
            self.assertEqual(status, 401)

    def test_a_duplicate_sent_to_the_other_gateway_is_not_forwarded(self):
        body = json.dumps({"dup": str(uuid.uuid4())}).encode()
        status, _, signature = callback(self.a.port(), body=body)
        self.assertEqual(status, 204)
        status, answer, _ = callback(self.b.port(), body=body)  # a replay with another token
        self.assertEqual((status, answer), (200, b"duplicate"))
        self.assertEqual(len(self.forwards_of(signature)), 1)

    def test_upstream_500_answers_503_and_the_retry_is_forwarded_once(self):
        body = json.dumps({"retry": str(uuid.uuid4())}).encode()
        self.up.set_status(500)
        status, answer, signature = callback(self.a.port(), body=body)
        self.assertEqual((status, answer), (503, b"handoff_failed"))
        self.up.set_status(204)
        status, _, _ = callback(self.b.port(), body=body)
        self.assertEqual(status, 204)
        status, _, _ = callback(self.a.port(), body=body)
        self.assertEqual(status, 200)
        self.assertEqual([r["answered"] for r in self.forwards_of(signature)], ["500", "204"])

    def test_an_upstream_4xx_is_final_and_passed_on(self):
        body = json.dumps({"final": str(uuid.uuid4())}).encode()
        self.up.set_status(422)
        status, _, signature = callback(self.a.port(), body=body)
        self.assertEqual(status, 422)
        self.up.set_status(204)
        status, _, _ = callback(self.b.port(), body=body)
        self.assertEqual(status, 200)
        self.assertEqual(len(self.forwards_of(signature)), 1)

    def test_a_callback_in_work_answers_423_elsewhere(self):
        body = json.dumps({"busy": str(uuid.uuid4())}).encode()
        self.up.set_status("hang")
        first = {}
        t = threading.Thread(target=lambda: first.update(s=callback(self.a.port(), body=body)[0]))
        t.start()
        try:
            wait_for(lambda: any(r["answered"] == "hang" for r in self.up.received()))
            status, answer, _ = callback(self.b.port(), body=body)
            self.assertEqual((status, answer), (423, b"in_progress"))
        finally:
            t.join()
        self.assertEqual(first["s"], 503)  # the upstream timed out: released, KORE retries
        self.up.set_status(204)
        self.assertEqual(callback(self.b.port(), body=body)[0], 204)

    def test_the_stream_is_read_back_by_a_consumer_group_each_callback_once(self):
        sent = {}
        for i in range(6):
            body = json.dumps({"stream": i, "u": str(uuid.uuid4())}).encode()
            status, _, signature = callback((self.a if i % 2 else self.b).port(), path="/kore/events",
                                            registered=EVENTS_REGISTERED, body=body)
            self.assertEqual(status, 204)
            sent[webhook_id(signature)] = body
            # Every delivery after the first is a duplicate, on either gateway.
            self.assertEqual(callback(self.a.port(), path="/kore/events", registered=EVENTS_REGISTERED,
                                      body=body)[0], 200)
        consumer = os.path.join(self.f.dir, "consumer.py")
        with open(consumer, "w") as out:
            out.write(docs_consumer())
        env = dict(os.environ, REDIS_PORT=str(self.redis.port), KORE_STREAM="kore:events",
                   KORE_CONSUMER_EXIT_WHEN_IDLE="1")
        run = subprocess.run([sys.executable, consumer], capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        seen = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
        self.assertEqual(sorted(e["id"] for e in seen), sorted(sent))
        for e in seen:
            self.assertEqual(e["bytes"], len(sent[e["id"]]))
            self.assertEqual(e["route"], "/kore/events")

    def test_readyz_and_healthz_answer_on_the_admin_listener(self):
        self.assertEqual(request(self.a.port(1), "GET", "/healthz")[0], 200)
        self.assertEqual(request(self.a.port(1), "GET", "/readyz")[0], 200)
        self.assertEqual(request(self.a.port(1), "GET", "/nope")[0], 404)
        self.assertEqual(request(self.a.port(), "GET", "/metrics")[0], 404)  # never on listen


def docs_consumer():
    """The consumer-group reader of docs/gateway.md, as published there."""
    docs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "gateway.md")
    with open(docs) as f:
        text = f.read()
    start = text.index("```python\n# consumer.py")
    return text[start + len("```python\n"):text.index("```", start + 10)]


class Counting(unittest.TestCase):
    """One gateway whose /metrics must count exactly what was sent."""

    def test_metrics_count_what_was_sent(self):
        f = Fixture()
        try:
            up = f.upstream()
            g = f.gateway(f.config("count.toml", up.port))
            for _ in range(3):
                self.assertEqual(callback(g.port())[0], 204)
            body = b'{"same": 1}'
            self.assertEqual(callback(g.port(), body=body)[0], 204)
            self.assertEqual(callback(g.port(), body=body)[0], 200)
            self.assertEqual(callback(g.port(), secret="wrong")[0], 401)
            self.assertEqual(callback(g.port(), target="/kore/sims?x=1")[0], 401)
            admin = g.port(1)
            self.assertEqual(metric(admin, "kore_gateway_callbacks_total", route="/kore/sims", outcome="forwarded"), 4)
            self.assertEqual(metric(admin, "kore_gateway_callbacks_total", route="/kore/sims", outcome="duplicate"), 1)
            self.assertEqual(metric(admin, "kore_gateway_callbacks_total", route="/kore/sims", outcome="refused"), 2)
            self.assertEqual(metric(admin, "kore_gateway_refused_total", route="/kore/sims",
                                    reason="signature_mismatch"), 1)
            self.assertEqual(metric(admin, "kore_gateway_refused_total", route="/kore/sims",
                                    reason="query_not_signed"), 1)
            text = request(admin, "GET", "/metrics")[1].decode()
            self.assertIn('kore_gateway_handoff_seconds_count 4', text)
            self.assertIn('kore_gateway_request_seconds_count 7', text)
            self.assertEqual(len(up.received()), 4)
            log = [json.loads(line) for line in g.stderr().splitlines() if '"route"' in line]
            self.assertEqual(len(log), 7)
            self.assertNotIn(SECRET, g.stderr())
            self.assertNotIn('"same"', g.stderr())  # no body in the log
        finally:
            f.close()


class Faults(unittest.TestCase):
    def test_upstream_down_answers_503_and_the_retry_is_forwarded_once(self):
        f = Fixture()
        try:
            port = free_port()
            g = f.gateway(f.config("down.toml", port))
            body = json.dumps({"down": str(uuid.uuid4())}).encode()
            self.assertEqual(callback(g.port(), body=body)[0], 503)
            up = f.upstream(port)
            status, _, signature = callback(g.port(), body=body)
            self.assertEqual(status, 204)
            self.assertEqual(callback(g.port(), body=body)[0], 200)
            self.assertEqual([r["id"] for r in up.received()], [webhook_id(signature)])
        finally:
            f.close()

    def test_a_kept_alive_connection_the_upstream_closed_is_replaced(self):
        f = Fixture()
        try:
            up = f.upstream(keep_alive_ms=100)
            g = f.gateway(f.config("keep.toml", up.port))
            sent = []
            for _ in range(2):
                status, _, signature = callback(g.port())
                self.assertEqual(status, 204)
                sent.append(webhook_id(signature))
                # The upstream closes the idle connection the gateway keeps (Node waits about a
                # second more than keepAliveTimeout).
                time.sleep(1.5)
            self.assertEqual([r["id"] for r in up.received()], sent)
        finally:
            f.close()

    def test_redis_down_answers_503_and_nothing_is_forwarded(self):
        f = Fixture()
        try:
            r = RedisServer()
            f.closers.append(r.close)
            up = f.upstream()
            g = f.gateway(f.config("redis.toml", up.port, r.port))
            self.assertEqual(callback(g.port())[0], 204)
            r.stop()
            status, answer, _ = callback(g.port())
            self.assertEqual((status, answer), (503, b"store_unavailable"))
            status, _, _ = callback(g.port(), path="/kore/events", registered=EVENTS_REGISTERED)
            self.assertEqual(status, 503)
            self.assertEqual(request(g.port(1), "GET", "/readyz")[0], 503)
            self.assertEqual(len(up.received()), 1)
        finally:
            f.close()


class Operations(unittest.TestCase):
    def test_check_accepts_a_good_file_and_names_the_key_of_a_bad_one(self):
        f = Fixture()
        try:
            good = f.config("good.toml", 3000)
            run = subprocess.run([ARGS.cli, "serve", "--config", good, "--check"], capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, run.stderr)
            with open(good) as text:
                bad = f.write("bad.toml", text.read().replace("timeout_ms", "timeout"))
            run = subprocess.run([ARGS.cli, "serve", "--config", bad, "--check"], capture_output=True, text=True)
            self.assertEqual(run.returncode, 2)
            self.assertEqual(run.stderr, "kore-webhook serve: route[0].forward.timeout: unknown key\n")
            run = subprocess.run([ARGS.cli, "serve", "--config", bad], capture_output=True, text=True)
            self.assertEqual(run.returncode, 2)  # refused at start too
        finally:
            f.close()

    def test_sighup_rotates_secrets_and_a_broken_config_keeps_the_old(self):
        f = Fixture()
        try:
            f.write("kore-next", "kore-next-secret\n")
            up = f.upstream()
            config = f.config("rot.toml", up.port)
            g = f.gateway(config)
            self.assertEqual(callback(g.port(), secret="kore-next-secret")[0], 401)
            f.config("rot.toml", up.port, secret_files=("kore-next",))
            g.proc.send_signal(signal.SIGHUP)
            self.assertTrue(wait_for(lambda: '"event":"reload","outcome":"ok"' in g.stderr()))
            self.assertEqual(callback(g.port(), secret="kore-next-secret")[0], 204)
            self.assertEqual(callback(g.port())[0], 401)  # the removed secret
            f.write("rot.toml", "listen = 1\n")
            g.proc.send_signal(signal.SIGHUP)
            self.assertTrue(wait_for(lambda: '"event":"reload","outcome":"refused"' in g.stderr()))
            self.assertEqual(callback(g.port(), secret="kore-next-secret")[0], 204)
        finally:
            f.close()

    def test_sigterm_finishes_what_is_in_flight_then_exits_0(self):
        f = Fixture()
        try:
            up = f.upstream()
            up.set_status("slow")
            g = f.gateway(f.config("term.toml", up.port))
            result = {}
            t = threading.Thread(target=lambda: result.update(s=callback(g.port())[0]))
            t.start()
            self.assertTrue(wait_for(lambda: len(up.received()) == 1))
            g.proc.send_signal(signal.SIGTERM)
            t.join()
            self.assertEqual(result["s"], 204)
            self.assertEqual(g.proc.wait(15), 0)
            with self.assertRaises(OSError):
                request(g.port(), "GET", "/kore/sims", timeout=2)
        finally:
            f.close()

    def certificate(self, f):
        if not ARGS.openssl:
            self.skipTest("the openssl command-line tool is not installed (Debian: openssl)")
        cert, key = f.path("cert.pem"), f.path("key.pem")
        subprocess.run([ARGS.openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True)
        return cert, key

    def test_https_forward_checks_the_upstream_certificate(self):
        f = Fixture()
        try:
            cert, key = self.certificate(f)
            up = f.upstream(tls=(cert, key))
            config = f.config("https-up.toml", up.port, scheme="https")
            # OpenSSL's default trust store, pointed at the test's certificate for this gateway.
            trusting = f.gateway(config, env=dict(os.environ, SSL_CERT_FILE=cert))
            status, _, signature = callback(trusting.port())
            self.assertEqual(status, 204)
            self.assertEqual([r["id"] for r in up.received()], [webhook_id(signature)])
            self.assertTrue(up.received()[0]["verified"])
            # A gateway that does not trust it never sends the callback.
            doubting = f.gateway(config, env=dict(os.environ, SSL_CERT_FILE=f.path("upstream-whsec")))
            status, answer, _ = callback(doubting.port())
            self.assertEqual((status, answer), (503, b"handoff_failed"))
            self.assertEqual(len(up.received()), 1)
        finally:
            f.close()

    def test_https_on_listen(self):
        f = Fixture()
        try:
            cert, key = self.certificate(f)
            up = f.upstream()
            g = f.gateway(f.config("tls.toml", up.port, tls=(cert, key)))
            tls = ssl.create_default_context(cafile=cert)
            status, _, signature = callback(g.port(), tls=tls)
            self.assertEqual(status, 204)
            self.assertEqual([r["id"] for r in up.received()], [webhook_id(signature)])
            with self.assertRaises((OSError, http.client.HTTPException)):
                request(g.port(), "POST", "/kore/sims", b"{}", timeout=3)  # plain HTTP is not spoken
        finally:
            f.close()


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    for option in ["--cli", "--redis-server", "--node", "--upstream"]:
        parser.add_argument(option, required=True)
    parser.add_argument("--openssl", default="")
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v"] + rest)


if __name__ == "__main__":
    main()

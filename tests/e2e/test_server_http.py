#!/usr/bin/env python3
"""HTTP protocol behaviour of `varpulis server` (spec/state-and-server.md §6.1–§6.3, §6.8–§6.10)
through the real binary, on 127.0.0.1 with ephemeral ports:

- 404 for unknown paths (no trailing-slash variants), 405 with an Allow header;
- 413 before the body when Content-Length is over --max-body, and mid-body for chunked uploads;
  events-batch takes --max-batch-body;
- 415 for a non-JSON Content-Type, 431 for a header block over 16 KiB;
- invalid_json with the byte offset, unknown_field / missing_field with the JSON path;
- 401 missing/invalid API key, missing/invalid admin key, 403 admin_disabled, /metrics auth;
- --rate-limit: X-RateLimit-* on allowed responses, 429 with Retry-After and retry_after_seconds;
- keep-alive: many requests on one connection, an early 401 keeps it open, Expect: 100-continue;
- --metrics --metrics-port: an open listener serving only /metrics;
- options: config file (TOML/YAML) with CLI override, unknown config key, exclusive and
  unsupported options → exit 2;
- SIGTERM and SIGINT: exit 0; a burst of garbage on raw sockets leaves /health at 200;
- --tls-cert/--tls-key: HTTPS with TLS 1.2 and 1.3 (keep-alive), TLS 1.1 and plain HTTP refused.

Usage: test_server_http.py --bin PATH --shared PATH
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import warnings

HOST = "127.0.0.1"
KEY = "http-test-key-0123456789abcdef"
ADMIN = "http-test-admin-0123456789abcdef"
LISTEN_RE = re.compile(r"listening on https?://127\.0\.0\.1:(\d+)")
METRICS_RE = re.compile(r"metrics on https?://127\.0\.0\.1:(\d+)/metrics")
PROGRAM = "stream Big = Tx\n    .where(amount > 1000)\n    .emit(amount: amount)\n"
FAILURES = []


def check(cond, what, detail=None):
    if cond:
        print(f"ok   {what}", flush=True)
    else:
        print(f"FAIL {what}" + (f"\n     {detail!r}"[:600] if detail is not None else ""),
              flush=True)
        FAILURES.append(what)
    return bool(cond)


class Server:
    """The binary on --port 0; reads the port from stderr; always killed on exit."""

    def __init__(self, binary, *args, env=None, wait_ready=True):
        self.cmd = [binary, "server", "--port", "0", "--bind", HOST, "--threads", "2"] + list(args)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("VARPULIS_")}
        self.env.update(env or {})
        self.wait_ready = wait_ready
        self.lines = []
        self.port = None
        self.metrics_port = None
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=self.env)
        got = threading.Event()

        def read():
            for raw in self.proc.stderr:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                self.lines.append(line)
                m = METRICS_RE.search(line)
                if m:
                    self.metrics_port = int(m.group(1))
                m = LISTEN_RE.search(line)
                if m and self.port is None:
                    self.port = int(m.group(1))
                if "ready" == line.rsplit(": ", 1)[-1]:
                    got.set()
            got.set()

        threading.Thread(target=read, daemon=True).start()
        if not got.wait(30) or self.port is None:
            self.kill()
            raise RuntimeError(f"server did not start: {self.cmd}\n" + "\n".join(self.lines))
        return self

    def __exit__(self, *exc):
        self.kill()
        return False

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def conn(self, port=None):
        return http.client.HTTPConnection(HOST, port or self.port, timeout=15)

    def request(self, method, path, body=None, headers=None, port=None):
        c = self.conn(port)
        try:
            return send(c, method, path, body, headers)
        finally:
            c.close()


class Reply:
    def __init__(self, resp):
        self.status = resp.status
        self.headers = {k.lower(): v for k, v in resp.getheaders()}
        self.raw = resp.read()
        try:
            self.json = json.loads(self.raw) if self.raw else None
        except ValueError:
            self.json = None

    def code(self):
        return ((self.json or {}).get("error") or {}).get("code")

    def __repr__(self):
        return f"<{self.status} {self.headers} {self.raw[:300]!r}>"


def send(c, method, path, body=None, headers=None):
    hdrs = dict(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    c.request(method, path, body=body, headers=hdrs)
    return Reply(c.getresponse())


def tenant(extra=None):
    h = {"X-API-Key": KEY}
    h.update(extra or {})
    return h


def raw_exchange(port, data, timeout=5.0):
    """Sends raw bytes, half-closes, returns everything the server answered."""
    s = socket.create_connection((HOST, port), timeout=timeout)
    try:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        return out
    finally:
        s.close()


def status_of(raw):
    m = re.match(rb"HTTP/1\.1 (\d{3})", raw)
    return int(m.group(1)) if m else None


def body_of(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    try:
        return json.loads(body)
    except ValueError:
        return None


def deploy(srv):
    r = srv.request("POST", "/api/v1/pipelines", {"name": "p", "source": PROGRAM}, tenant())
    check(r.status == 201, "deploy a pipeline", r)
    return (r.json or {}).get("id", "missing")


def test_routes_and_bodies(binary):
    with Server(binary, "--api-key", KEY, "--admin-key", ADMIN, "--max-body", "4096",
                "--max-batch-body", "65536") as srv:
        pid = deploy(srv)
        for path in ("/nope", "/health/", "/api/v1/pipelines/", f"/api/v1/pipelines/{pid}/",
                     "/api/v1/pipelines//events", "/api/v2/usage"):
            r = srv.request("GET", path, headers=tenant())
            check(r.status == 404 and r.code() == "not_found", f"GET {path} → 404 not_found", r)
        r = srv.request("PUT", f"/api/v1/pipelines/{pid}", headers=tenant())
        check(r.status == 405 and r.code() == "method_not_allowed"
              and r.headers.get("allow") == "GET, DELETE", "PUT on a pipeline → 405, Allow", r)
        r = srv.request("GET", f"/api/v1/pipelines/{pid}/events", headers=tenant())
        check(r.status == 405 and r.headers.get("allow") == "POST", "GET on …/events → 405", r)
        # Route before auth: a 404/405 even without a key.
        r = srv.request("DELETE", "/api/v1/usage")
        check(r.status == 405, "405 comes before authentication", r)

        # 413 before the body: Content-Length over --max-body; the server does not wait for it.
        head = (f"POST /api/v1/pipelines HTTP/1.1\r\nHost: x\r\nX-API-Key: {KEY}\r\n"
                "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n").encode()
        raw = raw_exchange(srv.port, head)
        check(status_of(raw) == 413 and (body_of(raw) or {}).get("error", {}).get("code")
              == "payload_too_large", "Content-Length over --max-body → 413 at once", raw[:200])
        # events-batch takes --max-batch-body: 5000 bytes are fine there.
        events = [{"event_type": "Tx", "fields": {"amount": i, "pad": "x" * 20}} for i in range(80)]
        body = json.dumps({"events": events}).encode()
        check(4096 < len(body) < 65536, "batch body between the two limits")
        r = srv.request("POST", f"/api/v1/pipelines/{pid}/events-batch", body,
                        tenant({"Content-Type": "application/json"}))
        check(r.status == 200 and (r.json or {}).get("accepted") == 80,
              "events-batch over --max-body but under --max-batch-body → 200", r)
        # Chunked: 413 once the chunks cross the limit.
        chunk = b"x" * 1024
        data = (f"POST /api/v1/pipelines HTTP/1.1\r\nHost: x\r\nX-API-Key: {KEY}\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
        data += b"".join(b"400\r\n" + chunk + b"\r\n" for _ in range(8)) + b"0\r\n\r\n"
        raw = raw_exchange(srv.port, data)
        check(status_of(raw) == 413, "chunked body crossing --max-body → 413", raw[:200])
        # A small chunked body is read whole.
        payload = json.dumps({"event_type": "Tx", "fields": {"amount": 5000}}).encode()
        data = (f"POST /api/v1/pipelines/{pid}/events HTTP/1.1\r\nHost: x\r\nX-API-Key: {KEY}\r\n"
                "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
        data += b"%x\r\n" % len(payload) + payload + b"\r\n0\r\n\r\n"
        raw = raw_exchange(srv.port, data)
        check(status_of(raw) == 200 and (body_of(raw) or {}).get("output_events", [{}])[0]
              .get("fields") == {"amount": 5000}, "small chunked event → 200 with its output",
              raw[:300])

        r = srv.request("POST", "/api/v1/pipelines", b'{"name":"a","source":"x"}',
                        tenant({"Content-Type": "text/plain"}))
        check(r.status == 415 and r.code() == "unsupported_media_type", "text/plain → 415", r)
        r = srv.request("POST", f"/api/v1/pipelines/{pid}/events",
                        b'{"event_type":"Tx","fields":{}}',
                        tenant({"Content-Type": "Application/JSON; charset=utf-8"}))
        check(r.status == 200, "application/json with parameters, any case → accepted", r)

        big = (f"GET /health HTTP/1.1\r\nHost: x\r\nX-Filler: {'a' * 17000}\r\n\r\n").encode()
        raw = raw_exchange(srv.port, big)
        check(status_of(raw) == 431 and (body_of(raw) or {}).get("error", {}).get("code")
              == "headers_too_large", "header block over 16 KiB → 431", raw[:200])

        bad = b'{"name": "x", "source": ]'
        r = srv.request("POST", "/api/v1/pipelines", bad, tenant({"Content-Type": "application/json"}))
        check(r.status == 400 and r.code() == "invalid_json"
              and (r.json or {}).get("error", {}).get("offset") == bad.index(b"]") == 24
              and "byte 24" in (r.json or {}).get("error", {}).get("message", ""),
              "malformed JSON → invalid_json with the byte offset (24)", r)
        bad = b'{"events": [{"event_type": "Tx"}, {"event_type": "Tx", "fields": {"a": 1,]}}'
        r = srv.request("POST", f"/api/v1/pipelines/{pid}/events-batch", bad,
                        tenant({"Content-Type": "application/json"}))
        check(r.status == 400 and r.code() == "invalid_json"
              and (r.json or {}).get("error", {}).get("offset") == bad.index(b"]"),
              "malformed batch (simdjson path) → invalid_json at the offset of the ']'", r)
        r = srv.request("POST", "/api/v1/pipelines", {"name": "x", "sorce": PROGRAM}, tenant())
        err = (r.json or {}).get("error", {})
        check(r.status == 400 and r.code() in ("unknown_field", "missing_field")
              and err.get("path") in ("$.sorce", "$.source"), "typo'd field → 400 with its path", r)
        r = srv.request("POST", "/api/v1/pipelines",
                        {"name": "x", "source": PROGRAM, "extra": 1}, tenant())
        check(r.status == 400 and r.code() == "unknown_field"
              and (r.json or {}).get("error", {}).get("path") == "$.extra"
              and "$.extra" in (r.json or {}).get("error", {}).get("message", ""),
              "unknown field → unknown_field naming $.extra", r)
        r = srv.request("POST", f"/api/v1/pipelines/{pid}/events-batch",
                        {"events": [{"event_type": "Tx", "fields": {}},
                                    {"event_type": "Tx", "fields": {}, "sorce": 1}]}, tenant())
        check(r.status == 400 and r.code() == "unknown_field"
              and (r.json or {}).get("error", {}).get("path") == "$.events[1].sorce",
              "batch: unknown field → $.events[1].sorce", r)
        r = srv.request("POST", f"/api/v1/pipelines/{pid}/events-batch",
                        {"events": [{"event_type": "Tx", "fields": []}]}, tenant())
        check(r.status == 400 and r.code() == "invalid_field"
              and (r.json or {}).get("error", {}).get("path") == "$.events[0].fields",
              "batch: fields not an object → invalid_field at $.events[0].fields", r)
        r = srv.request("GET", "/api/v1/pipelines?limit=1001", headers=tenant())
        check(r.status == 400 and r.code() == "invalid_limit", "limit 1001 → invalid_limit", r)
        r = srv.request("GET", "/api/v1/pipelines?limit=0", headers=tenant())
        check(r.status == 400 and r.code() == "invalid_query", "limit 0 → invalid_query", r)
        r = srv.request("GET", "/api/v1/pipelines?offset=-1", headers=tenant())
        check(r.status == 400 and r.code() == "invalid_query", "offset -1 → invalid_query", r)
        r = srv.request("POST", f"/api/v1/pipelines/{pid}/restore",
                        {"checkpoint": {"format": "varpulis-checkpoint", "version": 1,
                                        "encoding": "base64", "data": "not base64!"}}, tenant())
        check(r.status == 400 and r.code() == "invalid_checkpoint", "bad base64 → invalid_checkpoint", r)
        r = srv.request("POST", f"/api/v1/pipelines/{pid}/restore",
                        {"checkpoint": {"format": "varpulis-checkpoint", "version": 2,
                                        "encoding": "base64", "data": ""}}, tenant())
        check(r.status == 400 and r.code() == "incompatible_checkpoint",
              "envelope version 2 → incompatible_checkpoint", r)


def test_auth(binary):
    with Server(binary, "--api-key", KEY, "--admin-key", ADMIN) as srv:
        r = srv.request("GET", "/api/v1/pipelines")
        check(r.status == 401 and r.code() == "missing_api_key", "no X-API-Key → 401 missing_api_key", r)
        r = srv.request("GET", "/api/v1/pipelines", headers={"X-API-Key": "wrong"})
        check(r.status == 401 and r.code() == "invalid_api_key", "wrong key → 401 invalid_api_key", r)
        r = srv.request("GET", "/api/v1/pipelines", headers={"X-API-Key": ADMIN})
        check(r.status == 401 and r.code() == "invalid_api_key",
              "the admin key is not a tenant key here → 401", r)
        r = srv.request("GET", "/api/v1/tenants", headers={"X-API-Key": KEY})
        check(r.status == 401 and r.code() == "missing_admin_key",
              "a tenant key never opens admin routes → 401 missing_admin_key", r)
        r = srv.request("GET", "/api/v1/tenants", headers={"X-Admin-Key": KEY})
        check(r.status == 401 and r.code() == "invalid_admin_key", "wrong admin key → 401", r)
        r = srv.request("GET", "/api/v1/tenants", headers={"X-Admin-Key": ADMIN})
        check(r.status == 200 and (r.json or {}).get("total") == 1, "admin key → 200", r)
        r = srv.request("GET", "/metrics")
        check(r.status == 401 and r.code() == "missing_admin_key", "/metrics needs the admin key", r)
        r = srv.request("GET", "/metrics", headers={"Authorization": "Bearer nope"})
        check(r.status == 401 and r.code() == "invalid_admin_key", "/metrics with a wrong bearer", r)
        r = srv.request("GET", "/metrics", headers={"Authorization": f"Bearer {ADMIN}"})
        text = r.raw.decode()
        check(r.status == 200 and r.headers.get("content-type", "").startswith("text/plain; version=0.0.4")
              and 'varpulis_http_requests_total{method="GET",route="/api/v1/tenants",code="401"} 2' in text
              and 'varpulis_rate_limited_total{scope="requests"} 0' in text
              and "varpulis_http_request_duration_seconds_bucket{route=\"/metrics\"" in text
              and KEY not in text and ADMIN not in text,
              "/metrics with Bearer: Prometheus text, route templates, no keys", text[:400])
        r = srv.request("GET", "/health")
        check(r.status == 200 and (r.json or {}).get("status") == "healthy", "/health open", r)
    with Server(binary) as srv:  # no keys at all
        r = srv.request("GET", "/api/v1/tenants", headers={"X-Admin-Key": "x"})
        check(r.status == 403 and r.code() == "admin_disabled", "no admin key → 403 admin_disabled", r)
        r = srv.request("GET", "/metrics")
        check(r.status == 200, "no admin key → /metrics is open", r)


def test_rate_limit(binary):
    with Server(binary, "--api-key", KEY, "--rate-limit", "2") as srv:
        c = srv.conn()
        statuses = []
        first = None
        limited = None
        for _ in range(12):
            r = send(c, "GET", "/api/v1/usage", headers=tenant())
            statuses.append(r.status)
            first = first or r
            if r.status == 429:
                limited = r
                break
        c.close()
        check(first.status == 200 and first.headers.get("x-ratelimit-limit") == "4"
              and first.headers.get("x-ratelimit-remaining") == "3"
              and int(first.headers.get("x-ratelimit-reset", "-1")) >= 1,
              "allowed response carries X-RateLimit-Limit 4 / Remaining 3 / Reset", first)
        check(limited is not None and statuses.count(200) >= 4 and limited.code() == "rate_limited"
              and limited.json["error"].get("retry_after_seconds", 0) >= 1
              and int(limited.headers.get("retry-after", "0")) >= 1,
              "burst over 2R → 429 rate_limited with Retry-After", (statuses, limited))
        # Health and readiness are never limited.
        check(all(srv.request("GET", "/health").status == 200 for _ in range(10)),
              "/health is not rate limited")
        # Unauthenticated requests are limited per IP, apart from the tenant's bucket.
        s2 = [srv.request("GET", "/api/v1/usage", headers={"X-API-Key": "guess"}).status
              for _ in range(8)]
        check(401 in s2 and 429 in s2, "failed-auth requests are limited per client IP", s2)
        r = srv.request("GET", "/metrics", headers={"X-Admin-Key": KEY})
        check('varpulis_rate_limited_total{scope="requests"}' in r.raw.decode()
              and 'varpulis_rate_limited_total{scope="requests"} 0' not in r.raw.decode(),
              "varpulis_rate_limited_total{scope=requests} counts the refusals", r.raw[-300:])


def test_keep_alive(binary):
    with Server(binary, "--api-key", KEY) as srv:
        pid = deploy(srv)
        c = srv.conn()
        ok = True
        for i in range(50):
            r = send(c, "POST", f"/api/v1/pipelines/{pid}/events",
                     {"event_type": "Tx", "fields": {"amount": 2000 + i}}, tenant())
            ok = ok and r.status == 200 and r.json["output_events"][0]["fields"]["amount"] == 2000 + i
        check(ok, "50 requests on one keep-alive connection")
        # An early 401 with a small body keeps the connection usable.
        r = send(c, "POST", f"/api/v1/pipelines/{pid}/events",
                 {"event_type": "Tx", "fields": {"amount": 1}}, {"X-API-Key": "bad"})
        check(r.status == 401 and r.headers.get("connection", "").lower() != "close",
              "early 401 with a body: connection kept", r)
        r = send(c, "GET", "/api/v1/usage", headers=tenant())
        check(r.status == 200 and (r.json or {}).get("events_processed") == 50,
              "… and the next request on it works", r)
        c.close()
        # Expect: 100-continue gets its interim response, then the body is read.
        s = socket.create_connection((HOST, srv.port), timeout=10)
        payload = json.dumps({"event_type": "Tx", "fields": {"amount": 3000}}).encode()
        s.sendall((f"POST /api/v1/pipelines/{pid}/events HTTP/1.1\r\nHost: x\r\nX-API-Key: {KEY}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
                   "Expect: 100-continue\r\n\r\n").encode())
        interim = s.recv(4096)
        s.sendall(payload)
        rest = b""
        while b"\r\n\r\n" not in rest or not rest.rstrip().endswith(b"}"):
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
        s.close()
        check(interim.startswith(b"HTTP/1.1 100") and status_of(rest) == 200,
              "Expect: 100-continue → 100, then 200", (interim, rest[:100]))
        # Refused before the body: the final answer comes at once instead of 100, and closes.
        s = socket.create_connection((HOST, srv.port), timeout=10)
        s.sendall((f"POST /api/v1/pipelines/{pid}/events HTTP/1.1\r\nHost: x\r\nX-API-Key: bad\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
                   "Expect: 100-continue\r\n\r\n").encode())
        answer = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            answer += chunk
        s.close()
        check(status_of(answer) == 401 and b"connection: close" in answer.lower(),
              "Expect: 100-continue with a bad key → 401 without 100, connection closed",
              answer[:200])


def test_metrics_port(binary):
    with Server(binary, "--api-key", KEY, "--metrics", "--metrics-port", "0") as srv:
        check(srv.metrics_port is not None and srv.metrics_port != srv.port,
              "--metrics-port 0 prints its own port", srv.lines)
        r = srv.request("GET", "/metrics", port=srv.metrics_port)
        check(r.status == 200 and b"varpulis_http_requests_total" in r.raw,
              "metrics listener: /metrics without a key", r)
        r = srv.request("GET", "/health", port=srv.metrics_port)
        check(r.status == 404, "metrics listener serves nothing else", r)
        r = srv.request("GET", "/metrics")
        check(r.status == 401, "main port still wants the admin key", r)


def run_exit(binary, *args, env=None, timeout=30):
    envd = {k: v for k, v in os.environ.items() if not k.startswith("VARPULIS_")}
    envd.update(env or {})
    p = subprocess.run([binary, "server", "--port", "0", "--bind", HOST] + list(args),
                       capture_output=True, text=True, timeout=timeout, env=envd,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stderr


def test_options(binary, tmp):
    toml = os.path.join(tmp, "v.toml")
    with open(toml, "w") as f:
        f.write(f'[server]\nport = 1\napi_key = "{KEY}"\nrate_limit = 1000\n')
    # The config's port 1 is overridden by --port 0 on the command line.
    with Server(binary, "-c", toml) as srv:
        r = srv.request("GET", "/api/v1/usage", headers=tenant())
        check(r.status == 200 and r.headers.get("x-ratelimit-limit") == "2000",
              "TOML config: api_key and rate_limit apply, --port overrides port", r)
    yaml = os.path.join(tmp, "v.yaml")
    with open(yaml, "w") as f:
        f.write(f"server:\n  api-key: \"{KEY}\"\n")
    with Server(binary, "-c", yaml, env={"VARPULIS_API_KEY": "env-key-0123456789abcdef"}) as srv:
        check(srv.request("GET", "/api/v1/usage", headers={"X-API-Key": "env-key-0123456789abcdef"})
              .status == 200, "environment beats the config file")
    with Server(binary, "-c", yaml, "--api-key", "cli-key-0123456789abcdef",
                env={"VARPULIS_API_KEY": "env-key-0123456789abcdef"}) as srv:
        check(srv.request("GET", "/api/v1/usage", headers={"X-API-Key": "cli-key-0123456789abcdef"})
              .status == 200, "the command line beats the environment")
    # --state on the command line beats VARPULIS_STATE_DIR (one setting, two spellings).
    blocked = os.path.join(tmp, "not-a-dir")
    with open(blocked, "w") as f:
        f.write("a file where a state directory would go")
    with Server(binary, "--api-key", KEY, "--state", "memory:",
                env={"VARPULIS_STATE_DIR": blocked}) as srv:
        check(any("store memory:" in l for l in srv.lines),
              "--state on the command line beats VARPULIS_STATE_DIR", srv.lines)
    bad = os.path.join(tmp, "bad.toml")
    with open(bad, "w") as f:
        f.write("[server]\nport = 0\nprot = 9000\n")
    rc, err = run_exit(binary, "-c", bad)
    check(rc == 2 and "bad.toml:3" in err and "prot" in err, "unknown config key → exit 2 naming line 3", err)
    for what, args, env, needle in (
            ("--state-dir and --state", ["--state-dir", tmp, "--state", "memory:"], None, "exclusive"),
            ("VARPULIS_STATE_DIR and VARPULIS_STATE", [],
             {"VARPULIS_STATE_DIR": tmp, "VARPULIS_STATE": "memory:"}, "exclusive"),
            ("s3 checkpoint store", [], {"VARPULIS_CHECKPOINT_STORE": "s3://b/p"}, "not supported"),
            ("cluster option", ["--coordinator", "http://x"], None, "not supported"),
            ("--tls-cert alone", ["--tls-cert", "/x.pem"], None, "both"),
            ("VARPULIS_TLS_KEY alone", [], {"VARPULIS_TLS_KEY": "/x.pem"}, "both"),
            ("bad --rate-limit", ["--rate-limit", "fast"], None, "rate-limit"),
            ("unusable state dir", ["--state-dir", "/proc/varpulis-no"], None, "state store")):
        rc, err = run_exit(binary, *args, env=env)
        check(rc == 2 and needle in err, f"{what} → exit 2 ({needle})", (rc, err[-300:]))
    rc, err = run_exit(binary, "--api-key", "short", "--bogus-flag")
    check(rc == 2, "an unknown option → exit 2", err[-200:])


def test_shutdown_and_garbage(binary, tmp):
    for sig in (signal.SIGTERM, signal.SIGINT):
        state = tempfile.mkdtemp(dir=tmp)
        with Server(binary, "--api-key", KEY, "--state-dir", state) as srv:
            pid = deploy(srv)
            if sig == signal.SIGTERM:
                garbage = [b"\x00\x01\x02garbage\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                           b"POST /api/v1/pipelines HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                           b"POST /api/v1/pipelines HTTP/1.1\r\nContent-Length: 10\r\n\r\n{",
                           b"GET /health HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                           b"\r\n" * 1000, b"G" * 70000, os.urandom(4096),
                           b"GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"]
                answered = 0
                for data in garbage * 5:
                    raw = raw_exchange(srv.port, data, timeout=5)
                    st = status_of(raw)
                    answered += st is None or 400 <= st < 500
                check(answered == len(garbage) * 5, "garbage gets a 4xx or a closed connection")
                check(srv.request("GET", "/health").status == 200, "after the garbage /health is 200")
                r = srv.request("POST", f"/api/v1/pipelines/{pid}/events",
                                {"event_type": "Tx", "fields": {"amount": 5000}}, tenant())
                check(r.status == 200 and len(r.json["output_events"]) == 1,
                      "… and the API still works", r)
            srv.proc.send_signal(sig)
            try:
                rc = srv.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                rc = None
            check(rc == 0, f"{sig.name}: graceful shutdown exits 0", (rc, srv.lines[-5:]))
        with Server(binary, "--api-key", KEY, "--state-dir", state) as srv:
            r = srv.request("GET", f"/api/v1/pipelines/{pid}", headers=tenant())
            check(r.status == 200, f"{sig.name}: the pipeline survives the restart", r)


def test_tls(binary, tmp):
    if shutil.which("openssl") is None:
        check(False, "openssl CLI needed to make a test certificate")
        return
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj",
                    "/CN=127.0.0.1", "-days", "2", "-keyout", key, "-out", cert],
                   check=True, capture_output=True, timeout=60)
    with Server(binary, "--api-key", KEY, "--tls-cert", cert, "--tls-key", key) as srv:
        check(any("listening on https://127.0.0.1:" in l for l in srv.lines),
              "TLS: the listening line says https", srv.lines)
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.load_verify_locations(cert)
            ctx.minimum_version = ctx.maximum_version = version
            c = http.client.HTTPSConnection(HOST, srv.port, timeout=15, context=ctx)
            statuses = [send(c, "GET", "/api/v1/usage", headers=tenant()).status for _ in range(5)]
            proto = c.sock.version() if c.sock else None
            c.close()
            check(statuses == [200] * 5 and proto == version.name.replace("_", "."),
                  f"TLS: {version.name} with keep-alive (5 requests on one connection)",
                  (statuses, proto))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.0/1.1 on purpose
        try:
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.maximum_version = ssl.TLSVersion.TLSv1_1
            ctx.set_ciphers("ALL:@SECLEVEL=0")
            refused = False
            try:
                c = http.client.HTTPSConnection(HOST, srv.port, timeout=10, context=ctx)
                send(c, "GET", "/health")
            except (ssl.SSLError, OSError):
                refused = True
            check(refused, "TLS: a TLS 1.1 client is refused")
        except (ValueError, ssl.SSLError):
            print("note TLS 1.1 client not available in this Python/OpenSSL; not tested")
        raw = raw_exchange(srv.port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        check(status_of(raw) is None, "TLS: plain HTTP on the TLS port gets no HTTP answer", raw[:80])
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.load_verify_locations(cert)
        c = http.client.HTTPSConnection(HOST, srv.port, timeout=15, context=ctx)
        check(send(c, "GET", "/health").status == 200, "TLS: /health after the refused clients")
        c.close()
    rc, err = run_exit(binary, "--tls-cert", cert, "--tls-key", os.path.join(tmp, "missing.pem"))
    check(rc == 2 and "--tls-key" in err and "missing.pem" in err,
          "TLS: an unreadable key → exit 2 naming it", err[-200:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--shared", required=False)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="vp-http-") as tmp:
        for test in (test_routes_and_bodies, test_auth, test_rate_limit, test_keep_alive,
                     test_metrics_port):
            try:
                test(args.bin)
            except Exception as e:  # a crash of one group is a failure, the rest still run
                check(False, f"{test.__name__} raised {type(e).__name__}: {e}")
        for test in (test_options, test_shutdown_and_garbage, test_tls):
            try:
                test(args.bin, tmp)
            except Exception as e:
                check(False, f"{test.__name__} raised {type(e).__name__}: {e}")
    if FAILURES:
        print(f"test_server_http: {len(FAILURES)} failure(s)")
        for f in FAILURES:
            print(f"  - {f}")
        return 1
    print("test_server_http: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Shared code for the black-box tests of `varpulis server` (spec/state-and-server.md §5, §6).

Not a test itself (CTest registers only test_*.py). Python 3 stdlib only.

    with Server(binary, api_key=KEY, admin_key=ADMIN) as srv:     # --port 0 --bind 127.0.0.1
        r = srv.api("POST", "/api/v1/pipelines", {"name": "p", "source": SRC})
        check(r.status == 201, "deploy answers 201")
    sys.exit(finish("test_api"))

The server is started on port 0; the port is read from the `listening on http://127.0.0.1:PORT`
line on stderr, then `/ready` is polled until 200, both within a bounded time. Leaving the
`with` block always kills the process. Every network call has a timeout and goes to 127.0.0.1.
"""
import argparse
import base64
import http.client
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HOST = "127.0.0.1"
START_TIMEOUT_S = 30.0
REQUEST_TIMEOUT_S = 15.0
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
RFC3339_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
LISTENING_RE = re.compile(r"listening on https?://127\.0\.0\.1:(\d+)")

FAILURES = []


def check(cond, what, detail=None):
    """Records one assertion; prints ok/FAIL with `detail` (e.g. the response) on failure."""
    if cond:
        print(f"ok   {what}", flush=True)
    else:
        extra = f"\n     {detail}" if detail is not None else ""
        print(f"FAIL {what}{extra}", flush=True)
        FAILURES.append(what)
    return bool(cond)


def finish(name):
    if FAILURES:
        print(f"{name}: {len(FAILURES)} failure(s):", flush=True)
        for f in FAILURES:
            print(f"  - {f}", flush=True)
        return 1
    print(f"{name}: all passed", flush=True)
    return 0


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--keep", action="store_true", help="keep temporary directories")
    return ap.parse_args()


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body
        try:
            self.json = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError):
            self.json = None

    def header(self, name):
        return self.headers.get(name.lower())

    def error(self):
        """The `error` object of a §6.4 error body, or None."""
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"]
        return None

    def code(self):
        e = self.error()
        return e.get("code") if e else None

    def __repr__(self):
        text = self.body[:600].decode("utf-8", "replace")
        return f"<{self.status} {text}>"


def check_error(r, status, code, what):
    """Asserts a §6.4 error: the status, a JSON body `{"error": {"code", "message", ...}}` and
    the code (one string, or a set of acceptable ones where the spec leaves the choice open)."""
    ok = check(r.status == status, f"{what}: status {status}", r)
    e = r.error()
    shape = (e is not None and isinstance(r.json, dict) and set(r.json) == {"error"}
             and isinstance(e.get("code"), str) and isinstance(e.get("message"), str)
             and e.get("message") != "")
    ok &= check(shape, f"{what}: body is {{\"error\": {{\"code\", \"message\"}}}}", r)
    ctype = r.header("content-type") or ""
    ok &= check(ctype.startswith("application/json"), f"{what}: JSON content type", ctype)
    codes = {code} if isinstance(code, str) else set(code)
    ok &= check(r.code() in codes, f"{what}: code {'/'.join(sorted(codes))}", r)
    return ok


def http_request(port, method, path, body=None, headers=None, raw=None, timeout=REQUEST_TIMEOUT_S):
    """One request on a fresh connection. `body` is JSON-encoded; `raw` is sent as is."""
    hdrs = dict(headers or {})
    data = None
    if raw is not None:
        data = raw
    elif body is not None:
        data = json.dumps(body).encode("utf-8")
        hdrs.setdefault("Content-Type", "application/json")
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        payload = resp.read()
        return Response(resp.status, resp.getheaders(), payload)
    finally:
        conn.close()


def raw_exchange(port, data, timeout=5.0, half_close=True):
    """Sends raw bytes and reads until the server closes or `timeout` passes without data.
    Returns the bytes received (b"" when the server closed without answering)."""
    s = socket.create_connection((HOST, port), timeout=timeout)
    try:
        if data:
            s.sendall(data)
        if half_close:
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                c = s.recv(65536)
            except socket.timeout:
                break
            except OSError:
                break
            if not c:
                break
            chunks.append(c)
        return b"".join(chunks)
    finally:
        s.close()


def parse_raw_response(data):
    """Parses the first HTTP/1.1 response in `data` → Response, or None."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"HTTP/1."):
        return None
    lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split(" ")[1])
    except (IndexError, ValueError):
        return None
    headers = []
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.append((k.strip(), v.strip()))
    hmap = {k.lower(): v for k, v in headers}
    body = rest
    if "content-length" in hmap:
        body = rest[: int(hmap["content-length"])]
    elif hmap.get("transfer-encoding", "").lower() == "chunked":
        out, buf = b"", rest
        while True:
            size_line, _, buf = buf.partition(b"\r\n")
            try:
                n = int(size_line.split(b";")[0], 16)
            except ValueError:
                break
            if n == 0:
                break
            out += buf[:n]
            buf = buf[n + 2:]
        body = out
    return Response(status, headers, body)


class Server:
    """A `varpulis server` process on 127.0.0.1:<ephemeral port>."""

    def __init__(self, binary, args=(), api_key=None, admin_key=None, env=None, cwd=None,
                 start_timeout=START_TIMEOUT_S, expect_ready=True):
        self.binary = binary
        self.api_key = api_key
        self.admin_key = admin_key if admin_key is not None else api_key
        self.cmd = [binary, "server", "--port", "0", "--bind", HOST]
        if api_key is not None:
            self.cmd += ["--api-key", api_key]
        if admin_key is not None:
            self.cmd += ["--admin-key", admin_key]
        self.cmd += list(args)
        self.env = dict(os.environ)
        for k in ("VARPULIS_API_KEY", "VARPULIS_ADMIN_KEY", "VARPULIS_STATE_DIR", "VARPULIS_STATE",
                  "VARPULIS_RATE_LIMIT", "VARPULIS_CHECKPOINT_STORE"):
            self.env.pop(k, None)
        self.env.update(env or {})
        self._own_cwd = cwd is None
        self.cwd = cwd or tempfile.mkdtemp(prefix="vp-srv-cwd-")
        self.start_timeout = start_timeout
        self.expect_ready = expect_ready
        self.proc = None
        self.port = None
        self.log_lines = []
        self._lock = threading.Lock()
        self._listening = threading.Event()
        self._reader = None

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.kill()
        if self._own_cwd:
            shutil.rmtree(self.cwd, ignore_errors=True)
        return False

    def _read_stderr(self):
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._lock:
                self.log_lines.append(line)
            m = LISTENING_RE.search(line)
            if m and self.port is None:
                self.port = int(m.group(1))
                self._listening.set()
        self._listening.set()  # EOF: wake the waiter (the process is gone)

    def start(self):
        self.port = None
        self._listening.clear()
        self.proc = subprocess.Popen(self.cmd, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        if not self._listening.wait(self.start_timeout) or self.port is None:
            try:
                rc = self.proc.wait(timeout=5)
                why = f"exited with {rc} before printing 'listening on'"
            except subprocess.TimeoutExpired:
                why = f"did not print 'listening on' within {self.start_timeout}s"
            self.kill()
            raise RuntimeError(f"server {why}: {' '.join(self.cmd)}\n{self.log_tail()}")
        if self.expect_ready:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=None):
        deadline = time.monotonic() + (timeout or self.start_timeout)
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                last = self.get("/ready", timeout=2.0)
                if last.status == 200:
                    return last
            except OSError as e:
                last = e
            time.sleep(0.02)  # polling interval of a bounded readiness wait
        raise RuntimeError(f"/ready not 200 within the timeout (last: {last!r}, exit "
                           f"{self.proc.poll()})\n{self.log_tail()}")

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=30.0):
        """Sends `sig` and waits; returns the exit code (None if it had to be killed)."""
        if not self.running():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        if self._reader:
            self._reader.join(timeout=5)
        return rc

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if self._reader:
            self._reader.join(timeout=5)

    def log(self):
        with self._lock:
            return "\n".join(self.log_lines)

    def log_tail(self, n=25):
        with self._lock:
            return "\n".join(self.log_lines[-n:])

    # -- requests --------------------------------------------------------------------------
    def request(self, method, path, body=None, key=None, admin=None, headers=None, raw=None,
                timeout=REQUEST_TIMEOUT_S):
        hdrs = dict(headers or {})
        if key is not None:
            hdrs["X-API-Key"] = key
        if admin is not None:
            hdrs["X-Admin-Key"] = admin
        return http_request(self.port, method, path, body=body, headers=hdrs, raw=raw,
                            timeout=timeout)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def api(self, method, path, body=None, key=None, **kw):
        """A tenant request, with the server's --api-key unless `key` is given."""
        return self.request(method, path, body=body, key=key or self.api_key, **kw)

    def admin(self, method, path, body=None, **kw):
        return self.request(method, path, body=body, admin=self.admin_key, **kw)

    def raw(self, data, timeout=5.0, half_close=True):
        return raw_exchange(self.port, data, timeout=timeout, half_close=half_close)


def outs(r):
    """The response's output_events, each reduced to the spec's members (stream, event_type, ts,
    fields), so that exact comparisons ignore members a later version may add (§6.6)."""
    evs = (r.json or {}).get("output_events") if isinstance(r.json, dict) else None
    if not isinstance(evs, list):
        return evs
    return [{k: o.get(k) for k in ("stream", "event_type", "ts", "fields")}
            if isinstance(o, dict) else o for o in evs]


def sub(d, expected):
    """True when the object `d` has every member of `expected` with that value (clients ignore
    unknown response members, §6.6)."""
    return isinstance(d, dict) and all(k in d and d[k] == v for k, v in expected.items())


# -- helpers for common calls -------------------------------------------------------------
def deploy(srv, name, source, key=None):
    return srv.api("POST", "/api/v1/pipelines", {"name": name, "source": source}, key=key)


def event(event_type, fields, ts=None):
    e = {"event_type": event_type, "fields": fields}
    if ts is not None:
        e["timestamp"] = ts
    return e


def inject(srv, pid, ev, key=None):
    return srv.api("POST", f"/api/v1/pipelines/{pid}/events", ev, key=key)


def inject_batch(srv, pid, events, key=None):
    return srv.api("POST", f"/api/v1/pipelines/{pid}/events-batch", {"events": events}, key=key)


def create_tenant(srv, body):
    return srv.admin("POST", "/api/v1/tenants", body)


# -- checkpoint blobs (§4.3) --------------------------------------------------------------
def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def verify_blob(blob):
    """Checks a §4.3 checkpoint blob; returns (ok, reason, checkpoint_id)."""
    if len(blob) < 40:
        return False, f"length {len(blob)} < 40", None
    if blob[:4] != b"VPCK":
        return False, f"magic {blob[:4]!r}", None
    version, flags, cid, _ts, n = struct.unpack_from("<HHQqQ", blob, 4)
    (hcrc,) = struct.unpack_from("<I", blob, 32)
    if hcrc != crc32c(blob[:32]):
        return False, "header CRC", cid
    if version != 1 or flags != 0:
        return False, f"version {version} flags {flags}", cid
    if len(blob) != 40 + n:
        return False, f"length {len(blob)} != 40 + {n}", cid
    (pcrc,) = struct.unpack_from("<I", blob, 36 + n)
    if pcrc != crc32c(blob[36:36 + n]):
        return False, "payload CRC", cid
    return True, "ok", cid


def blob_of(checkpoint_json):
    return base64.b64decode(checkpoint_json["data"], validate=True)


def wrap_blob(blob):
    return {"format": "varpulis-checkpoint", "version": 1, "encoding": "base64",
            "data": base64.b64encode(blob).decode("ascii")}


def with_header_version(blob, version):
    """The same blob with another format_version and a recomputed header CRC (so only the
    version check can refuse it)."""
    b = bytearray(blob)
    struct.pack_into("<H", b, 4, version)
    struct.pack_into("<I", b, 32, crc32c(bytes(b[:32])))
    return bytes(b)


# -- Prometheus text (§6.9) ---------------------------------------------------------------
SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$')
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_prometheus(text):
    """→ (samples [(name, {label: value}, float)], bad lines)."""
    samples, bad = [], []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = SAMPLE_RE.match(line)
        if not m:
            bad.append(line)
            continue
        labels = dict(LABEL_RE.findall(m.group(3) or ""))
        try:
            value = float(m.group(4))
        except ValueError:
            bad.append(line)
            continue
        samples.append((m.group(1), labels, value))
    return samples, bad


def tempdir(prefix):
    return tempfile.mkdtemp(prefix=prefix)


def section(fn, *args, **kw):
    """Runs one part of a test; an exception there is recorded as a failure and the next part
    still runs. Returns fn's result, or None after an exception."""
    try:
        return fn(*args, **kw)
    except Exception as e:  # noqa: BLE001 - report and go on
        import traceback
        traceback.print_exc()
        what = f"{fn.__name__} raised {type(e).__name__}: {e}".splitlines()[0][:300]
        print(f"FAIL {what}", flush=True)
        FAILURES.append(what)
        return None


def run_main(name, body):
    """Runs `body(args)` and exits with the summary; an exception is one failure, not a crash
    without a report."""
    args = parse_args()
    args.bin = os.path.abspath(args.bin)
    started = time.monotonic()
    try:
        body(args)
    except Exception as e:  # noqa: BLE001 - report and fail, never hang
        import traceback
        traceback.print_exc()
        FAILURES.append(f"exception: {type(e).__name__}: {e}".splitlines()[0])
    print(f"{name}: {time.monotonic() - started:.1f}s", flush=True)
    sys.exit(finish(name))

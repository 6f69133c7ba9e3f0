#!/usr/bin/env python3
"""Command line, environment and config file of `varpulis server` (spec/state-and-server.md §6.1,
§6.2, §6.9, §4.1), black-box.

- precedence: command line > environment > config file (TOML `[server]`, YAML `server:`);
- bad usage → exit 2 with a message: cluster options ("not supported"), --tls-cert without
  --tls-key, a port out of range, --max-checkpoints 0, --state-dir with --state;
- a short --api-key → a warning on stderr;
- --max-body / --max-batch-body change the 413 limits;
- --metrics --metrics-port N: an extra unauthenticated /metrics listener;
- --key-prefix P: everything stored under P;
- --max-checkpoints N: retention of a pipeline's checkpoints;
- --checkpoint-store URI apart from the state store: checkpoints go there and are restored;
- --tls-cert/--tls-key: HTTPS with TLS ≥ 1.2 (certificate made with the openssl tool).

Usage: test_options.py --bin PATH --shared PATH
"""
import glob
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import warnings

from server_harness import (HOST, Server, check, check_error, deploy, event, inject, run_main,
                            section, tempdir)

KEY = "owner-key-options-0123456789abcdef"
T0 = 1767225600000
TOTALS = """\
stream Totals = Tx
    .window(10s)
    .aggregate(n: count(), total: sum(amount))
    .emit()
"""


def run_briefly(cmd, timeout=20, env=None):
    e = dict(os.environ)
    for k in list(e):
        if k.startswith("VARPULIS_"):
            e.pop(k)
    e.update(env or {})
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, env=e)
    try:
        _, err = p.communicate(timeout=timeout)
        return p.returncode, err
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
        return None, err


def test_precedence(binary, root):
    toml = os.path.join(root, "server.toml")
    yaml = os.path.join(root, "server.yaml")
    cfg_key, env_key = "config-key-0123456789abcdefghij", "environ-key-0123456789abcdefghi"
    with open(toml, "w") as f:
        f.write(f'[server]\napi_key = "{cfg_key}"\nport = 1\n')
    with open(yaml, "w") as f:
        f.write(f'server:\n  api-key: "{cfg_key}"\n  rate-limit: 0\n')
    for path in (toml, yaml):
        kind = os.path.splitext(path)[1]
        with Server(binary, args=["-c", path]) as srv:
            check(srv.api("GET", "/api/v1/usage", key=cfg_key).status == 200,
                  f"{kind} config file: its api key is the default tenant's")
        with Server(binary, args=["-c", path], env={"VARPULIS_API_KEY": env_key}) as srv:
            check(srv.api("GET", "/api/v1/usage", key=env_key).status == 200,
                  f"{kind}: the environment wins over the config file")
            check_error(srv.api("GET", "/api/v1/usage", key=cfg_key), 401, "invalid_api_key",
                        f"{kind}: the config file's key is overridden")
        with Server(binary, args=["-c", path], api_key=KEY,
                    env={"VARPULIS_API_KEY": env_key}) as srv:
            check(srv.api("GET", "/api/v1/usage", key=KEY).status == 200,
                  f"{kind}: the command line wins over both (also --port 0 over port = 1)")
            check_error(srv.api("GET", "/api/v1/usage", key=env_key), 401, "invalid_api_key",
                        f"{kind}: the environment's key is overridden")


def test_bad_usage(binary, root):
    base = [binary, "server", "--port", "0", "--bind", HOST]
    cases = [
        ("--coordinator", base + ["--coordinator", "http://x:9100"], "not supported"),
        ("--worker-id", base + ["--worker-id", "w1"], "not supported"),
        ("--tls-cert alone", base + ["--tls-cert", os.path.join(root, "c.pem")], "tls"),
        ("--port 70000", [binary, "server", "--port", "70000"], "port"),
        ("--max-checkpoints 0", base + ["--max-checkpoints", "0"], "max-checkpoints"),
        ("--rate-limit abc", base + ["--rate-limit", "abc"], "rate-limit"),
        ("--checkpoint-interval 5 parsecs", base + ["--checkpoint-interval", "5parsecs"],
         "checkpoint-interval"),
        ("--state-dir with --state", base + ["--state-dir", os.path.join(root, "a"), "--state",
                                             "rocksdb:" + os.path.join(root, "b")], "state"),
        ("--state nosuch:", base + ["--state", "nosuch:/x"], "nosuch"),
        ("unknown option", base + ["--no-such-option"], "no-such-option"),
    ]
    for what, cmd, needle in cases:
        rc, err = run_briefly(cmd)
        check(rc == 2 and needle.lower() in err.lower(),
              f"{what} → exit 2, message names '{needle}'", (rc, err[-300:]))
    with Server(binary, api_key="Zq9xK2") as srv:
        log = srv.log().lower()
        check("warn" in log and "16" in log, "an --api-key under 16 characters → a warning",
              srv.log_tail())
        check("Zq9xK2" not in srv.log(), "… which does not print the key")


def test_body_limits(binary):
    with Server(binary, args=["--max-body", "2000", "--max-batch-body", "5000"],
                api_key=KEY) as srv:
        pid = (deploy(srv, "t", TOTALS).json or {}).get("id", "missing")
        r = deploy(srv, "big", TOTALS + "// " + "x" * 2100 + "\n")
        check_error(r, 413, "payload_too_large", "--max-body 2000: a 2.1 kB deploy")
        ev = [event("Tx", {"amount": 1, "pad": "p" * 100}, T0)] * 20  # ~3 kB
        r = srv.api("POST", f"/api/v1/pipelines/{pid}/events-batch", {"events": ev})
        check(r.status == 200, "--max-batch-body 5000: a 3 kB batch passes", r)
        r = srv.api("POST", f"/api/v1/pipelines/{pid}/events-batch", {"events": ev * 2})
        check_error(r, 413, "payload_too_large", "--max-batch-body 5000: a 6 kB batch")
        r = inject(srv, pid, event("Tx", {"amount": 1, "pad": "p" * 2500}, T0))
        check_error(r, 413, "payload_too_large", "a single event is under --max-body")
        # A restore body falls under --max-batch-body: grow a window until its checkpoint is
        # over --max-body (2000) but under --max-batch-body (5000).
        p2 = (deploy(srv, "grow", "stream W = Tx\n    .window(1000)\n    .emit()\n").json
              or {}).get("id", "missing")
        body = None
        for i in range(200):
            inject(srv, p2, event("Tx", {"amount": i, "pad": f"{i:03d}" * 20}, T0 + i))
            cp = (srv.api("POST", f"/api/v1/pipelines/{p2}/checkpoint", {}).json or {}).get(
                "checkpoint")
            size = len(json.dumps({"checkpoint": cp}))
            if size > 2100:
                body = {"checkpoint": cp}
                break
        if check(body is not None and size < 5000,
                 f"a checkpoint body of {size} bytes (between the two limits)"):
            r = srv.api("POST", f"/api/v1/pipelines/{p2}/restore", body)
            check(r.status == 200, "restore takes --max-batch-body, not --max-body", r)


def test_metrics_port(binary):
    with Server(binary, args=["--metrics", "--metrics-port", "0"], api_key=KEY) as srv:
        m = re.search(r"metrics on http://127\.0\.0\.1:(\d+)", srv.log())
        if not check(m is not None, "--metrics-port 0: the metrics address is printed",
                     srv.log_tail()):
            return
        conn = http.client.HTTPConnection(HOST, int(m.group(1)), timeout=10)
        try:
            conn.request("GET", "/metrics")
            r = conn.getresponse()
            text = r.read().decode("utf-8", "replace")
        finally:
            conn.close()
        check(r.status == 200 and "varpulis_tenants" in text,
              "the metrics listener answers /metrics without a key", r.status)
        check_error(srv.get("/metrics"), 401, "missing_admin_key",
                    "the main port's /metrics still needs the admin key")


def store_files(root):
    return [os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "**", "*.v"),
                                                         recursive=True)]


def test_prefix_and_retention(binary, root):
    state = os.path.join(root, "prefixed")
    with Server(binary, args=["--state-dir", state, "--key-prefix", "acme",
                              "--max-checkpoints", "2"], api_key=KEY) as srv:
        pid = (deploy(srv, "t", TOTALS).json or {}).get("id", "missing")
        ids = []
        for i in range(5):
            inject(srv, pid, event("Tx", {"amount": i}, T0 + i))
            ids.append((srv.api("POST", f"/api/v1/pipelines/{pid}/checkpoint", {}).json
                        or {}).get("checkpoint_id"))
        files = store_files(state)
        check(files and all(f.startswith("acme" + os.sep) for f in files),
              "--key-prefix acme: every key under acme/", files[:5])
        cps = sorted(f for f in files if f"{os.sep}checkpoint{os.sep}" in f and pid in f)
        newest = [f"{i:020d}.v" for i in ids[-2:] if isinstance(i, int)]
        check([os.path.basename(f) for f in cps] == newest,
              "--max-checkpoints 2: only the two newest checkpoints are kept", (cps, ids))
        check(srv.stop() == 0, "SIGTERM → exit 0")
    with Server(binary, args=["--state-dir", state, "--key-prefix", "acme"],
                api_key=KEY) as srv:
        r = srv.api("GET", f"/api/v1/pipelines/{pid}")
        check(r.status == 200, "restart with the same prefix finds the pipeline", r)
    with Server(binary, args=["--state-dir", state], api_key=KEY) as srv:
        check_error(srv.api("GET", f"/api/v1/pipelines/{pid}"), 404, "pipeline_not_found",
                    "the default prefix does not see acme's keys")


def test_checkpoint_store(binary, root):
    state = os.path.join(root, "main-state")
    cps = os.path.join(root, "cp-store")
    args = ["--state-dir", state, "--checkpoint-store", f"file:{cps}"]
    with Server(binary, args=args, api_key=KEY) as srv:
        pid = (deploy(srv, "t", TOTALS).json or {}).get("id", "missing")
        inject(srv, pid, event("Tx", {"amount": 5}, T0))
        r = srv.api("POST", f"/api/v1/pipelines/{pid}/checkpoint", {})
        check(r.status == 200, "checkpoint with a separate --checkpoint-store", r)
        check(srv.stop() == 0, "SIGTERM → exit 0")
    in_cps = [f for f in store_files(cps) if f"{os.sep}checkpoint{os.sep}" in f]
    in_state = [f for f in store_files(state) if f"{os.sep}checkpoint{os.sep}" in f]
    check(in_cps and not in_state, "checkpoints live in the --checkpoint-store, not the state "
          "store", (in_cps[:3], in_state[:3]))
    with Server(binary, args=args, api_key=KEY) as srv:
        m = srv.api("GET", f"/api/v1/pipelines/{pid}/metrics").json or {}
        check(m.get("events_processed") == 1, "restored from the --checkpoint-store", m)


def make_cert(root):
    cert, key = os.path.join(root, "cert.pem"), os.path.join(root, "key.pem")
    if shutil.which("openssl") is None:
        return None, None
    p = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"],
                       capture_output=True, timeout=60)
    return (cert, key) if p.returncode == 0 else (None, None)


def test_tls(binary, root):
    cert, key = make_cert(root)
    if cert is None:
        print("note: openssl not available; TLS not tested", flush=True)
        return
    srv = Server(binary, args=["--tls-cert", cert, "--tls-key", key], api_key=KEY,
                 expect_ready=False)
    try:
        srv.start()
    except RuntimeError as e:
        check(False, "--tls-cert/--tls-key: the server starts with TLS", str(e)[-400:])
        return
    with srv:
        ctx = ssl.create_default_context(cafile=cert)
        conn = http.client.HTTPSConnection(HOST, srv.port, timeout=10, context=ctx)
        try:
            conn.request("GET", "/health")
            r = conn.getresponse()
            body = json.loads(r.read() or b"{}")
            check(r.status == 200 and body.get("status") == "healthy", "HTTPS /health", body)
            conn.request("GET", "/api/v1/usage", headers={"X-API-Key": KEY})
            r = conn.getresponse()
            r.read()
            check(r.status == 200, "HTTPS tenant request (keep-alive)", r.status)
        except (OSError, ssl.SSLError, http.client.HTTPException) as e:
            check(False, "HTTPS requests succeed", repr(e))
        finally:
            conn.close()
        def handshake(version):
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                try:
                    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # let the client offer old versions
                    ctx.minimum_version = version
                    ctx.maximum_version = version
                except (ssl.SSLError, ValueError):
                    return None  # this client cannot speak `version` at all
            try:
                with socket.create_connection((HOST, srv.port), timeout=10) as raw:
                    with ctx.wrap_socket(raw) as tls:
                        return tls.version()
            except (OSError, ssl.SSLError):
                return "refused"

        check(handshake(ssl.TLSVersion.TLSv1_2) == "TLSv1.2", "a TLS 1.2 handshake succeeds")
        old = handshake(ssl.TLSVersion.TLSv1_1)
        check(old in ("refused", None), "a TLS 1.1 handshake is refused (TLS ≥ 1.2)", old)
        if old is None:
            print("note: this Python/OpenSSL cannot offer TLS 1.1; the refusal is untested")


def body(args):
    root = tempdir("vp-srv-options-")
    try:
        section(test_precedence, args.bin, root)
        section(test_bad_usage, args.bin, root)
        section(test_body_limits, args.bin)
        section(test_metrics_port, args.bin)
        section(test_prefix_and_retention, args.bin, root)
        section(test_checkpoint_store, args.bin, root)
        section(test_tls, args.bin, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    run_main("test_options", body)

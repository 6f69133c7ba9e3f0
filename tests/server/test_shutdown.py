#!/usr/bin/env python3
"""Graceful shutdown of `varpulis server` (spec/state-and-server.md §6.10), black-box.

- SIGTERM with idle keep-alive and stalled (half-sent) connections open: the server does not
  hang on slow clients — it exits 0 within --shutdown-timeout plus a margin;
- once SIGTERM arrived, a request on an already open connection gets 503 shutting_down with
  `Connection: close` (or the connection is closed), never a normal answer;
- the shutdown checkpoint holds every acknowledged event: after a restart the pipeline's window
  closes with all of them;
- SIGINT behaves the same (exit 0).

Usage: test_shutdown.py --bin PATH --shared PATH
"""
import os
import shutil
import signal
import socket
import time

from server_harness import (HOST, Server, check, deploy, event, inject, inject_batch, outs,
                            parse_raw_response, run_main, section, tempdir)

API_KEY = "owner-key-shutdown-0123456789abcd"
T0 = 1767225600000
TOTALS = """\
stream Totals = Tx
    .window(10s)
    .aggregate(n: count(), total: sum(amount))
    .emit()
"""


def tx(amount, ms):
    return event("Tx", {"amount": amount}, T0 + ms)


def recv_some(s, timeout):
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            data += c
            r = parse_raw_response(data)
            if r is not None and (r.header("content-length") is None
                                  or len(r.body) >= int(r.header("content-length"))):
                break
    except OSError:
        pass
    return data


def wait_refused(port, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
        except OSError:
            return True
        time.sleep(0.01)  # polling interval of a bounded wait for the listener to close
    return False


def test_sigterm_with_slow_clients(binary, root, sig):
    state = os.path.join(root, f"state-{sig.name}")
    args = ["--state-dir", state, "--shutdown-timeout", "2s"]
    name = sig.name
    with Server(binary, args=args, api_key=API_KEY) as srv:
        pid = (deploy(srv, "totals", TOTALS).json or {}).get("id", "missing")
        r = inject_batch(srv, pid, [tx(1, 0), tx(2, 1000), tx(3, 2000)])
        check(r.status == 200 and (r.json or {}).get("accepted") == 3, f"[{name}] inject 3", r)

        idle = socket.create_connection((HOST, srv.port), timeout=5)
        idle.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = parse_raw_response(recv_some(idle, 5))
        check(first is not None and first.status == 200, f"[{name}] keep-alive connection open",
              first)
        stalled = []
        for i in range(4):
            s = socket.create_connection((HOST, srv.port), timeout=5)
            s.sendall(("POST /api/v1/pipelines HTTP/1.1\r\nHost: x\r\nX-API-Key: " + API_KEY +
                       "\r\nContent-Length: 500\r\n\r\n{\"na").encode() if i % 2 else
                      b"GET /health HTTP/1.1\r\nHo")
            stalled.append(s)
        try:
            started = time.monotonic()
            srv.proc.send_signal(sig)
            # The signal is handled asynchronously; shutdown has begun once the listener
            # refuses new connections ("stop accepting connections").
            refused = wait_refused(srv.port, timeout=5)
            check(refused, f"[{name}] new connections are refused after the signal")
            # A request on the connection that was open before the signal.
            try:
                idle.sendall(b"GET /api/v1/pipelines HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: "
                             + API_KEY.encode() + b"\r\n\r\n")
                data = recv_some(idle, 5)
            except OSError:
                data = b""
            r = parse_raw_response(data)
            if r is None:
                check(True, f"[{name}] the open connection was closed at shutdown")
            else:
                check(r.status == 503 and r.code() == "shutting_down"
                      and (r.header("connection") or "").lower() == "close",
                      f"[{name}] a request on an open connection → 503 shutting_down, "
                      f"Connection: close", r)
            try:
                rc = srv.proc.wait(timeout=20)
            except Exception:  # noqa: BLE001 - subprocess.TimeoutExpired
                rc = None
            elapsed = time.monotonic() - started
            check(rc == 0, f"[{name}] exit 0 with slow clients connected", (rc, srv.log_tail()))
            check(elapsed < 2 + 8, f"[{name}] shutdown bounded by --shutdown-timeout 2s "
                  f"(took {elapsed:.1f}s)")
        finally:
            idle.close()
            for s in stalled:
                s.close()

    with Server(binary, args=args, api_key=API_KEY) as srv:
        m = srv.api("GET", f"/api/v1/pipelines/{pid}/metrics").json or {}
        check(m.get("events_processed") == 3, f"[{name}] the shutdown checkpoint holds 3 events",
              m)
        r = inject(srv, pid, tx(0, 12000))
        check(outs(r) == [{"stream": "Totals", "event_type": "Totals", "ts": T0 + 10000,
                           "fields": {"n": 3, "total": 6.0}}],
              f"[{name}] the window closes with the 3 events acknowledged before the signal", r)


def body(args):
    root = tempdir("vp-srv-shutdown-")
    try:
        section(test_sigterm_with_slow_clients, args.bin, root, signal.SIGTERM)
        section(test_sigterm_with_slow_clients, args.bin, root, signal.SIGINT)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    run_main("test_shutdown", body)

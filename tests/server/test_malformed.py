#!/usr/bin/env python3
"""Malformed requests to `varpulis server` (spec/state-and-server.md §6.2, §6.4): each gets the
right JSON error `{"error": {"code", "message"}}` and none harms the server — afterwards /health
is 200 and a normal deploy + inject still works.

Covered: bad JSON (with offset), a non-object body, wrong types, missing and unknown fields
(message or `path` names the JSON path), bodies over --max-body (by Content-Length and by a
chunked stream), a Content-Length past --max-batch-body, a wrong Content-Type, a header block
over 16 KiB, event limits (fields, depth, string and array sizes), invalid timestamps, deeply
nested JSON, non-UTF-8 bytes, invalid VPL, bad query strings, garbage bytes and truncated
requests on raw sockets, and idle connections that must not block others.

Usage: test_malformed.py --bin PATH --shared PATH
"""
import json
import select
import socket
import time

from server_harness import (HOST, Server, check, check_error, deploy, event, inject, outs,
                            parse_raw_response, run_main, section)

API_KEY = "owner-key-malformed-0123456789abc"
T0 = 1767225600000

BIG = """\
stream Big = Tx
    .where(amount > 1000)
    .emit(amount: amount)
"""

REQ = ("POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + API_KEY +
       "\r\nContent-Type: application/json\r\n")


def raw_json_error(srv, data, status, code, what, timeout=10.0):
    out = srv.raw(data, timeout=timeout)
    r = parse_raw_response(out)
    if not check(r is not None, f"{what}: an HTTP response", out[:200]):
        return None
    check_error(r, status, code, what)
    return r


def test_bodies(srv, pid):
    post = "/api/v1/pipelines"

    def send(raw, path=post, ctype="application/json"):
        return srv.api("POST", path, raw=raw, headers={"Content-Type": ctype} if ctype else {})

    r = send(b'{"name": "x", "source": ')
    check_error(r, 400, "invalid_json", "truncated JSON")
    r = send(b'{"name": "x" "source": "y"}')
    check_error(r, 400, "invalid_json", "missing comma")
    check(any(ch.isdigit() for ch in (r.error() or {}).get("message", "")),
          "invalid_json message gives a byte offset", r)
    check_error(send(b""), 400, {"invalid_json", "missing_field"}, "empty deploy body")
    check_error(send(b"[1, 2]"), 400, {"invalid_json", "invalid_field"}, "a JSON array body")
    check_error(send(b'"just a string"'), 400, {"invalid_json", "invalid_field"},
                "a JSON string body")
    check_error(send(b'{"name": "a", "source": "b"} trailing'), 400, "invalid_json",
                "trailing bytes after the object")

    def named(r, path, what):
        e = r.error() or {}
        check(path in e.get("message", "") or e.get("path") == path, f"{what}: names {path}", r)

    r = deploy(srv, 5, BIG)
    check_error(r, 400, "invalid_field", "name is a number")
    named(r, "$.name", "name is a number")
    r = srv.api("POST", post, {"name": "x", "source": ["stream"]})
    check_error(r, 400, "invalid_field", "source is an array")
    named(r, "$.source", "source is an array")
    r = srv.api("POST", post, {"name": "x"})
    check_error(r, 400, "missing_field", "deploy without source")
    named(r, "$.source", "deploy without source")
    r = srv.api("POST", post, {"name": "x", "sorce": BIG, "source": BIG})
    check_error(r, 400, "unknown_field", "deploy with a typo'd field")
    named(r, "$.sorce", "unknown field")
    r = srv.api("POST", post, {"name": None, "source": BIG})
    check_error(r, 400, {"invalid_field", "missing_field"}, "name null")

    r = send(json.dumps({"name": "x", "source": BIG}).encode(), ctype="text/plain")
    check_error(r, 415, "unsupported_media_type", "Content-Type text/plain")
    r = send(json.dumps({"name": "ctype-ok", "source": BIG}).encode(),
             ctype="application/json; charset=utf-8")
    check(r.status == 201, "application/json with parameters is accepted", r)
    r = send(json.dumps({"name": "no-ctype", "source": BIG}).encode(), ctype=None)
    check(r.status == 201, "an absent Content-Type is taken as JSON", r)

    # Non-UTF-8 bytes inside a JSON string, and a lone surrogate escape.
    r = send(b'{"name": "\xff\xfe\xfd", "source": "stream A = Tx\\n"}')
    check_error(r, 400, "invalid_json", "non-UTF-8 bytes in the body")
    r = send(b'\xc3\x28{"name":"x"}')
    check_error(r, 400, "invalid_json", "invalid UTF-8 before the object")

    # Invalid VPL.
    r = deploy(srv, "vpl", "stream Broken = Tx\n    .where(\n")
    check_error(r, 400, "parse_error", "invalid VPL")
    d = ((r.error() or {}).get("diagnostics") or [{}])[0]
    check(isinstance(d.get("line"), int) and isinstance(d.get("column"), int)
          and d.get("severity") == "error" and d.get("message"),
          "parse_error diagnostics {line, column, severity, message}", r)
    r = deploy(srv, "vpl2", "\u0000\u0001 not a program \u00e9\u4e2d")
    check_error(r, 400, "parse_error", "binary junk as VPL")
    r = deploy(srv, "empty", "")
    check(r.status in (201, 400), "an empty program: deployed or 400, never 5xx", r)
    if r.status == 201:
        srv.api("DELETE", f"/api/v1/pipelines/{(r.json or {}).get('id')}")

    # Events.
    ev_path = f"/api/v1/pipelines/{pid}/events"
    cases = [
        ("fields not an object", {"event_type": "Tx", "fields": [1, 2]}, "invalid_field",
         "$.fields"),
        ("event_type a number", {"event_type": 7, "fields": {}}, "invalid_field",
         "$.event_type"),
        ("event_type missing", {"fields": {"amount": 1}}, "missing_field", "$.event_type"),
        ("unknown member", {"event_type": "Tx", "fields": {}, "data": {}}, "unknown_field",
         "$.data"),
        ("timestamp a word", {"event_type": "Tx", "fields": {}, "timestamp": "yesterday"},
         {"invalid_field", "invalid_event"}, "$.timestamp"),
        ("timestamp a float", {"event_type": "Tx", "fields": {}, "timestamp": 1.5},
         {"invalid_field", "invalid_event"}, "$.timestamp"),
        ("timestamp a bool", {"event_type": "Tx", "fields": {}, "timestamp": True},
         {"invalid_field", "invalid_event"}, "$.timestamp"),
        ("timestamp not RFC 3339", {"event_type": "Tx", "fields": {},
                                    "timestamp": "2026-13-45T99:00:00Z"},
         {"invalid_field", "invalid_event"}, "$.timestamp"),
    ]
    for what, payload, code, path in cases:
        r = srv.api("POST", ev_path, payload)
        check_error(r, 400, code, f"inject: {what}")
        named(r, path, f"inject: {what}")

    many = {f"f{i}": i for i in range(1025)}
    check_error(inject(srv, pid, event("Tx", many, T0)), 400, "invalid_event",
                "an event with 1025 fields")
    ok = inject(srv, pid, event("Tx", {f"f{i}": i for i in range(1024)}, T0))
    check(ok.status == 200, "an event with 1024 fields is accepted", ok)
    nested = 1
    for _ in range(40):
        nested = {"a": nested}
    check_error(inject(srv, pid, event("Tx", {"deep": nested}, T0)), 400, "invalid_event",
                "an event nested 40 deep")
    check_error(inject(srv, pid, event("Tx", {"s": "x" * (256 * 1024 + 1)}, T0)), 400,
                "invalid_event", "a string over 256 KiB")
    check_error(inject(srv, pid, event("Tx", {"a": list(range(10001))}, T0)), 400,
                "invalid_event", "an array of 10 001 elements")
    deep = b'{"event_type":"Tx","fields":{"a":' + b"[" * 200000 + b"]" * 200000 + b"}}"
    r = srv.api("POST", ev_path, raw=deep, headers={"Content-Type": "application/json"},
                timeout=30)
    check(r.status in (400, 413), "JSON nested 200 000 deep → 400 (or 413), no crash", r)
    if r.status == 400:
        check_error(r, 400, {"invalid_json", "invalid_event"}, "JSON nested 200 000 deep")
    check(srv.running(), "the server survived deep nesting")

    # Batches.
    b_path = f"/api/v1/pipelines/{pid}/events-batch"
    r = srv.api("POST", b_path, {"events": [event("Tx", {"amount": 1}, T0)] * 3
                                 + [{"event_type": "Tx", "fields": "no"}]})
    check_error(r, 400, "invalid_field", "batch with events[3] bad")
    named(r, "$.events[3].fields", "batch with events[3] bad")
    check_error(srv.api("POST", b_path, {"events": {"event_type": "Tx"}}), 400, "invalid_field",
                "events not an array")
    check_error(srv.api("POST", b_path, {}), 400, "missing_field", "batch without events")
    check_error(srv.api("POST", b_path, {"events": [], "extra": 1}), 400,
                {"unknown_field", "invalid_field"}, "batch with an unknown member")
    check_error(srv.api("POST", b_path, {"events": [event("Tx", {}, T0)] * 100001}, timeout=60),
                400, {"invalid_field", "invalid_event"}, "batch of 100 001 events")

    # Other bodies.
    check_error(srv.api("POST", f"/api/v1/pipelines/{pid}/reload", {"source": 42}), 400,
                "invalid_field", "reload source a number")
    check_error(srv.api("POST", f"/api/v1/pipelines/{pid}/checkpoint", {"now": True}), 400,
                "unknown_field", "checkpoint with an unknown member")
    check_error(srv.api("POST", f"/api/v1/pipelines/{pid}/restore", {"checkpoint": "abc"}), 400,
                {"invalid_field", "invalid_checkpoint"}, "restore checkpoint a string")
    check_error(srv.api("POST", f"/api/v1/pipelines/{pid}/restore",
                        {"checkpoint": {"format": "varpulis-checkpoint", "version": 1,
                                        "encoding": "base64"}}), 400,
                {"missing_field", "invalid_checkpoint"}, "restore without data")
    check_error(srv.admin("POST", "/api/v1/tenants", {"name": ["x"]}), 400, "invalid_field",
                "tenant name an array")
    check_error(srv.admin("POST", "/api/v1/tenants", {"name": "x", "quota": {
        "max_pipelines": -1}}), 400, "invalid_field", "negative quota")

    # Queries.
    for q in ("limit=%zz", "limit=", "offset=99999999999999999999999"):
        r = srv.api("GET", f"/api/v1/pipelines?{q}")
        check_error(r, 400, "invalid_query", f"query {q!r}")


def test_sizes(srv, pid):
    # Content-Length past --max-body (1 MiB): answered before the body is read.
    head = (REQ.format(path="/api/v1/pipelines") + "Content-Length: 1100000\r\n\r\n").encode()
    raw_json_error(srv, head, 413, "payload_too_large", "Content-Length 1.1 MB on deploy")
    # Events-batch allows more than --max-body: a 2 MB batch is fine.
    batch = [event("Tx", {"amount": 1, "pad": "p" * 1000}, T0)] * 2000
    r = srv.api("POST", f"/api/v1/pipelines/{pid}/events-batch", {"events": batch}, timeout=60)
    check(r.status == 200 and (r.json or {}).get("accepted") == 2000,
          "a 2 MB events-batch is within --max-batch-body", r)

    # Content-Length past --max-batch-body: answered before the body is sent.
    head = (REQ.format(path=f"/api/v1/pipelines/{pid}/events-batch") +
            "Content-Length: 20000000\r\n\r\n").encode()
    raw_json_error(srv, head, 413, "payload_too_large",
                   "Content-Length 20 MB on events-batch, no body sent")

    # A chunked body that crosses --max-body.
    s = socket.create_connection((HOST, srv.port), timeout=10)
    try:
        s.sendall((REQ.format(path="/api/v1/pipelines") +
                   "Transfer-Encoding: chunked\r\n\r\n").encode())
        chunk = b"x" * 65536
        sent = 0
        try:
            while sent < 64 * 1024 * 1024:
                # Stop sending as soon as the server answers, so its reply is not lost to a
                # reset caused by unread data.
                if select.select([s], [], [], 0)[0]:
                    break
                s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
        except OSError:
            pass  # the server answered and closed
        data = b""
        s.settimeout(10)
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    break
                data += c
                if b"\r\n\r\n" in data and parse_raw_response(data) and len(
                        parse_raw_response(data).body) > 0:
                    break
        except OSError:
            pass
        r = parse_raw_response(data)
        check(r is not None and r.status == 413 and r.code() == "payload_too_large",
              f"a chunked deploy body crossing 1 MiB → 413 (after {sent} bytes)", data[:300])
        # Kernel buffers hold a few MiB; a server that kept reading would take all 64 MiB.
        check(sent < 16 * 1024 * 1024, "the server stops reading a chunked body past the limit",
              sent)
    finally:
        s.close()

    # Header block over 16 KiB.
    data = ("GET /api/v1/pipelines HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: " + API_KEY +
            "\r\nX-Filler: " + "a" * 20000 + "\r\n\r\n").encode()
    raw_json_error(srv, data, 431, "headers_too_large", "a 20 KiB header block")


def test_raw_sockets(srv):
    for what, data in [
            ("garbage bytes", b"\x00\xff\xfe garbage \x01\x02\r\n\r\n"),
            ("random binary", bytes(range(256)) * 8),
            ("HTTP/0.9 style line", b"GET /\r\n\r\n"),
            ("bad version", b"GET /health HTTP/9.9\r\nHost: x\r\n\r\n"),
            ("header without colon", b"GET /health HTTP/1.1\r\nHost x\r\n\r\n"),
            ("bad Content-Length", b"POST /api/v1/pipelines HTTP/1.1\r\nHost: x\r\n"
                                   b"Content-Length: -5\r\n\r\n"),
            ("two Content-Lengths", b"POST /api/v1/pipelines HTTP/1.1\r\nHost: x\r\n"
                                    b"Content-Length: 5\r\nContent-Length: 7\r\n\r\nabcde"),
            ("bad chunk size", b"POST /api/v1/pipelines HTTP/1.1\r\nHost: x\r\n"
                               b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
    ]:
        out = srv.raw(data, timeout=5)
        r = parse_raw_response(out)
        if r is None:
            check(out == b"", f"raw {what}: closed without a reply (or a 400)", out[:120])
        else:
            check(400 <= r.status < 500 or r.status == 505, f"raw {what}: a 4xx (or 505) answer",
                  r)
            if r.body:
                check(r.error() is not None, f"raw {what}: the body is a JSON error", r)
        check(srv.get("/health").status == 200, f"/health after raw {what}")

    # Truncated request: Content-Length 100, 10 bytes sent, then half-close.
    head = (REQ.format(path="/api/v1/pipelines") + "Content-Length: 100\r\n\r\n").encode()
    started = time.monotonic()
    out = srv.raw(head + b'{"name": "', timeout=15)
    r = parse_raw_response(out)
    check(r is None or r.status == 400, "truncated body: no reply or 400", out[:200])
    check(time.monotonic() - started < 15, "truncated body: the server does not hang the socket")

    # Idle and half-sent connections must not block anyone else.
    held = []
    try:
        for i in range(16):
            s = socket.create_connection((HOST, srv.port), timeout=5)
            if i % 2:
                s.sendall(head + b'{"na')  # a request stuck mid-body
            else:
                s.sendall(b"GET /health HTTP/1.1\r\nHo")  # stuck mid-header
            held.append(s)
        t = time.monotonic()
        r = srv.get("/health", timeout=5)
        check(r.status == 200 and time.monotonic() - t < 2,
              "16 stalled connections do not delay /health", r)
        r = srv.api("GET", "/api/v1/pipelines", timeout=5)
        check(r.status == 200, "… nor a tenant request", r)
    finally:
        for s in held:
            s.close()

    # Keep-alive: two requests on one connection, the first an error.
    s = socket.create_connection((HOST, srv.port), timeout=10)
    try:
        bad = (REQ.format(path="/api/v1/pipelines") + "Content-Length: 1\r\n\r\n{").encode()
        good = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        s.sendall(bad + good)
        data = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and data.count(b"HTTP/1.1 ") < 2:
            try:
                c = s.recv(65536)
            except OSError:
                break
            if not c:
                break
            data += c
        first = parse_raw_response(data)
        check(first is not None and first.status == 400 and first.code() == "invalid_json",
              "pipelined: the first request gets 400 invalid_json", data[:300])
        check(data.count(b"HTTP/1.1 200") == 1,
              "pipelined: the next request on the same connection is answered 200", data[-300:])
    finally:
        s.close()


def test_hostile_programs(srv):
    """A tenant's program must not take the server down: unbounded recursion and endless loops
    are capped at run time (null / iteration cap, vpl.md §3.4), absurd nesting is a parse_error."""
    deep = """\
fn deep(n: int) -> int:
    return deep(n + 1)

fn spin() -> int:
    var i = 0
    while true:
        i := i + 1
    return i

stream S = T
    .emit(d: deep(0), n: spin())
"""
    r = deploy(srv, "hostile", deep)
    check(r.status == 201, "a program with unbounded recursion and an endless loop deploys", r)
    pid = (r.json or {}).get("id", "missing")
    r = inject(srv, pid, event("T", {}, T0), )
    fields = ((outs(r) or [{}])[0]).get("fields") or {}
    check(r.status == 200 and fields.get("d") is None and isinstance(fields.get("n"), int),
          "recursion ends in null, the loop at its cap; the request returns", r)
    for what, expr in [("parentheses", "(" * 100000 + "1" + ")" * 100000),
                       ("arrays", "[" * 100000 + "]" * 100000)]:
        r = deploy(srv, "nested", f"stream S = T\n    .emit(x: {expr})\n")
        check_error(r, 400, "parse_error", f"{what} nested 100 000 deep in VPL")
    check(srv.running(), "the server survived hostile programs")


def test_valid_framings(srv):
    """Positive controls: a chunked body, Expect: 100-continue (curl sends it for bodies over
    1 KiB) and HTTP/1.0 are served normally."""
    body = json.dumps({"name": "chunked", "source": BIG}).encode()
    chunks = b"".join(b"%x\r\n" % len(body[i:i + 10]) + body[i:i + 10] + b"\r\n"
                      for i in range(0, len(body), 10)) + b"0\r\n\r\n"
    head = (REQ.format(path="/api/v1/pipelines") + "Transfer-Encoding: chunked\r\n\r\n").encode()
    r = parse_raw_response(srv.raw(head + chunks))
    check(r is not None and r.status == 201, "a valid chunked body deploys", r)

    s = socket.create_connection((HOST, srv.port), timeout=10)
    try:
        s.sendall((REQ.format(path="/api/v1/pipelines") + "Expect: 100-continue\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode())
        s.settimeout(5)
        try:
            interim = s.recv(65536)
        except OSError:
            interim = b""
        check(interim.startswith(b"HTTP/1.1 100"), "Expect: 100-continue gets 100 Continue",
              interim[:80])
        s.sendall(body)
        data = b""
        while b"\r\n\r\n" not in data or parse_raw_response(data) is None or len(
                parse_raw_response(data).body) < int(parse_raw_response(data).header(
                    "content-length") or 0):
            c = s.recv(65536)
            if not c:
                break
            data += c
        r = parse_raw_response(data)
        check(r is not None and r.status == 201, "… and then the body deploys", data[:200])
    except OSError as e:
        check(False, "Expect: 100-continue exchange", repr(e))
    finally:
        s.close()
    r = parse_raw_response(srv.raw(b"GET /health HTTP/1.0\r\n\r\n"))
    check(r is not None and r.status == 200, "an HTTP/1.0 request is answered", r)


def test_still_works(srv):
    r = srv.get("/health")
    check(r.status == 200, "after all that /health is 200", r)
    r = deploy(srv, "after", BIG)
    check(r.status == 201, "after all that a deploy works", r)
    pid = (r.json or {}).get("id", "missing")
    r = inject(srv, pid, event("Tx", {"amount": 5000}, T0))
    check(r.status == 200 and outs(r) == [
        {"stream": "Big", "event_type": "Big", "ts": T0, "fields": {"amount": 5000}}],
          "after all that an inject works", r)
    check(srv.running(), "the process is still running")


def body(args):
    with Server(args.bin, api_key=API_KEY) as srv:
        r = deploy(srv, "target", BIG)
        check(r.status == 201, "deploy the target pipeline", r)
        pid = (r.json or {}).get("id", "missing")
        section(test_bodies, srv, pid)
        section(test_sizes, srv, pid)
        section(test_raw_sockets, srv)
        section(test_hostile_programs, srv)
        section(test_valid_framings, srv)
        section(test_still_works, srv)
        m = srv.api("GET", f"/api/v1/pipelines/{pid}/metrics").json or {}
        check(m.get("events_processed") == 2001,
              "only the valid events (1024 fields; the 2 MB batch) reached the pipeline", m)


if __name__ == "__main__":
    run_main("test_malformed", body)

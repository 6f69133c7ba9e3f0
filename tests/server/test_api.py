#!/usr/bin/env python3
"""The REST API of `varpulis server`, black-box through the real binary on loopback, with the
exact JSON shapes and status codes of spec/state-and-server.md §4.9, §5, §6.

- /health, /ready, /metrics (Prometheus text; admin key when one is configured);
- pipelines: deploy, list with pagination, get, delete, inject (RFC 3339 and epoch-ms
  timestamps), events-batch (all-or-nothing validation, proved with a window count),
  checkpoint (§4.9 blob verified byte by byte), restore, metrics, reload (kept/reset streams,
  a failed reload leaves the old program running), usage;
- admin: create tenant by tier and by explicit quota, list and get (hint only, never the key),
  delete (its key then 401), invalid tier/name, missing/invalid admin key, admin disabled;
- routing: unknown path 404, wrong method 405 with Allow.

Usage: test_api.py --bin PATH --shared PATH
"""
import base64
import re
import struct
import time

from server_harness import (RFC3339_RE, crc32c, UUID_RE, Server, blob_of, check, check_error,
                            create_tenant, deploy, event, inject, inject_batch, parse_prometheus,
                            outs, run_main, section, sub, verify_blob, with_header_version, wrap_blob)

API_KEY = "owner-key-0123456789abcdefghijkl"
ADMIN_KEY = "admin-key-abcdefghij0123456789xyz"

BIG = """\
stream Big = Tx
    .where(amount > 1000)
    .emit(amount: amount, card: card)
"""

TOTALS = """\
stream Totals = Tx
    .window(10s)
    .aggregate(n: count(), total: sum(amount))
    .emit()
"""

TWO_STREAMS = """\
stream Big = Tx
    .where(amount > 1000)
    .emit(amount: amount)

stream Totals = Tx
    .window(10s)
    .aggregate(n: count(), total: sum(amount))
    .emit()
"""

TWO_STREAMS_BIG_CHANGED = TWO_STREAMS.replace("amount > 1000", "amount > 500")
TWO_STREAMS_TOTALS_CHANGED = TWO_STREAMS_BIG_CHANGED.replace(
    "total: sum(amount))", "total: sum(amount), hi: max(amount))")

# E021 at line 4, column 12: `amout` is not a field of the declared event.
TYPO = """\
event Tx:
    amount: int
stream Big = Tx
    .where(amout > 1000)
    .emit(amount: amount)
"""

T0 = 1767225600000  # 2026-01-01T00:00:00Z in ms


class Totals:
    """What this test sent and received for the default tenant, to check /usage."""
    accepted = 0
    outputs = 0
    big_pid = None


def count_accepted(r):
    if r.status == 200 and isinstance(r.json, dict):
        acc = r.json.get("accepted")
        Totals.accepted += 1 if acc is True else (acc if isinstance(acc, int) else 0)
        Totals.outputs += len(r.json.get("output_events") or [])


def tx(amount, ms, card="c-1"):
    return event("Tx", {"amount": amount, "card": card}, T0 + ms)


def test_health_ready(srv):
    r = srv.get("/health")
    check(r.status == 200, "/health 200", r)
    j = r.json or {}
    check(j.get("status") == "healthy", "/health status healthy", r)
    check(isinstance(j.get("uptime_seconds"), (int, float)) and j["uptime_seconds"] >= 0,
          "/health uptime_seconds is a number", r)
    check(isinstance(j.get("version"), str) and j["version"] != "", "/health version", r)
    r = srv.get("/ready")
    check(r.status == 200 and sub(r.json, {"status": "ready"}), "/ready 200 {status: ready}", r)


def test_routing(srv):
    check_error(srv.api("GET", "/api/v1/nothing-here"), 404, "not_found", "unknown path")
    check_error(srv.api("GET", "/api/v1/pipelines/"), 404, "not_found",
                "trailing slash is another path")
    r = srv.api("PUT", "/api/v1/pipelines", {"name": "x", "source": BIG})
    check_error(r, 405, "method_not_allowed", "PUT /api/v1/pipelines")
    allow = (r.header("allow") or "").upper()
    check("GET" in allow and "POST" in allow, "405 carries Allow: GET, POST", r.headers)
    # Order of checks (§6.8): route (404/405) before authentication.
    check_error(srv.request("GET", "/api/v1/nothing-here"), 404, "not_found",
                "unknown path without a key → 404, not 401")
    check_error(srv.request("PATCH", "/api/v1/pipelines"), 405, "method_not_allowed",
                "wrong method without a key → 405, not 401")
    check_error(srv.request("POST", "/api/v1/pipelines", raw=b"{not json"), 401,
                "missing_api_key", "authentication before the body is parsed")
    r = srv.get("/health", headers={"X-API-Key": API_KEY})
    check(r.status == 200, "/health ignores a key", r)
    r = srv.request("POST", "/health", raw=b"")
    check_error(r, 405, "method_not_allowed", "POST /health")


def test_deploy_get_list(srv):
    r = deploy(srv, "fraud", BIG)
    check(r.status == 201, "deploy → 201", r)
    j = r.json or {}
    check(isinstance(j.get("id"), str) and UUID_RE.match(j["id"]) is not None,
          "deploy id is a lowercase UUID v4", r)
    check(j.get("name") == "fraud" and j.get("status") == "running",
          "deploy body {id, name: fraud, status: running}", r)
    check((r.header("content-type") or "").startswith("application/json"),
          "deploy answers application/json", r.headers)
    pid = j.get("id", "missing")

    r = srv.api("GET", f"/api/v1/pipelines/{pid}")
    g = r.json or {}
    check(r.status == 200, "get pipeline → 200", r)
    check(g.get("id") == pid and g.get("name") == "fraud" and g.get("status") == "running",
          "get: id, name, status", r)
    check("error" in g and g["error"] is None, "get: error is null while running", r)
    check(g.get("source") == BIG, "get: source exactly as deployed", r)
    check(isinstance(g.get("uptime_secs"), int) and g["uptime_secs"] >= 0, "get: uptime_secs", r)
    check(isinstance(g.get("created_at"), str) and RFC3339_RE.match(g["created_at"]) is not None,
          "get: created_at is RFC 3339", r)

    # Duplicate names are allowed (§5.1).
    r2 = deploy(srv, "fraud", BIG)
    check(r2.status == 201 and (r2.json or {}).get("id") != pid,
          "a second pipeline with the same name gets its own id", r2)
    r3 = deploy(srv, "totals", TOTALS)
    check(r3.status == 201, "deploy totals → 201", r3)
    ids = [pid, (r2.json or {}).get("id"), (r3.json or {}).get("id")]

    r = srv.api("GET", "/api/v1/pipelines")
    j = r.json or {}
    check(r.status == 200, "list → 200", r)
    check(j.get("total") == 3 and sub(j.get("pagination"), {"total": 3, "limit": 50, "offset": 0,
                                                            "has_more": False}),
          "list: total 3, default pagination limit 50 offset 0 has_more false", r)
    listed = [p.get("id") for p in j.get("pipelines", [])]
    check(sorted(map(str, listed)) == sorted(map(str, ids)), "list: exactly the deployed pipelines", r)
    created = [str(p.get("created_at")) for p in j.get("pipelines", [])]
    check(created == sorted(created), "list: ordered by created_at", created)
    again = [p.get("id") for p in (srv.api("GET", "/api/v1/pipelines").json or {}).get(
        "pipelines", [])]
    check(again == listed, "list order is stable between calls", (listed, again))
    first = (j.get("pipelines") or [{}])[0]
    check(set(first) >= {"id", "name", "status", "error", "source", "uptime_secs", "created_at"},
          "list items carry id, name, status, error, source, uptime_secs, created_at", first)

    page1 = srv.api("GET", "/api/v1/pipelines?limit=2&offset=0").json or {}
    page2 = srv.api("GET", "/api/v1/pipelines?limit=2&offset=2").json or {}
    check(sub(page1.get("pagination"), {"total": 3, "limit": 2, "offset": 0, "has_more": True}),
          "page 1: limit 2 offset 0 has_more true", page1.get("pagination"))
    check(sub(page2.get("pagination"), {"total": 3, "limit": 2, "offset": 2, "has_more": False}),
          "page 2: limit 2 offset 2 has_more false", page2.get("pagination"))
    paged = [p.get("id") for p in page1.get("pipelines", []) + page2.get("pipelines", [])]
    check(paged == listed, "two pages give every pipeline once, in the list's order", paged)
    r = srv.api("GET", "/api/v1/pipelines?offset=10")
    check(r.status == 200 and (r.json or {}).get("pipelines") == []
          and (r.json or {}).get("pagination", {}).get("has_more") is False,
          "offset past the end → empty page", r)
    r = srv.api("GET", "/api/v1/pipelines?limit=1000")
    check(r.status == 200, "limit=1000 is allowed", r)
    check_error(srv.api("GET", "/api/v1/pipelines?limit=1001"), 400, "invalid_limit", "limit=1001")
    for q in ("limit=0", "limit=abc", "offset=-1", "limit=-5", "offset=x", "limit=1.5"):
        check_error(srv.api("GET", f"/api/v1/pipelines?{q}"), 400, "invalid_query", q)
    return ids


def test_inject_single(srv, pid):
    Totals.big_pid = pid
    r = inject(srv, pid, event("Tx", {"amount": 1500, "card": "c-1"}, "2026-01-01T00:00:01Z"))
    count_accepted(r)
    check(r.status == 200, "inject → 200", r)
    want = {"accepted": True, "output_events": [
        {"stream": "Big", "event_type": "Big", "ts": 1767225601000,
         "fields": {"amount": 1500, "card": "c-1"}}]}
    j = r.json or {}
    check(j.get("accepted") is True and outs(r) == want["output_events"],
          "inject with an RFC 3339 timestamp: exact output_events", r)
    first = (j.get("output_events") or [{}])[0]
    check(list(first.get("fields", {})) == ["amount", "card"],
          "output fields keep the .emit order", first)

    r = inject(srv, pid, event("Tx", {"amount": 2000, "card": "c-2"}, 1767225602500))
    count_accepted(r)
    check(r.status == 200 and outs(r) == [
        {"stream": "Big", "event_type": "Big", "ts": 1767225602500,
         "fields": {"amount": 2000, "card": "c-2"}}],
          "inject with an epoch-ms timestamp: ts is that integer", r)

    r = inject(srv, pid, event("Tx", {"amount": 5, "card": "c-3"}, "2026-01-01T00:00:03.250Z"))
    count_accepted(r)
    check(r.status == 200 and outs(r) == [] and (r.json or {}).get("accepted") is True,
          "a filtered event: accepted, no output", r)

    r = inject(srv, pid, event("Tx", {"amount": 4000, "card": "c-4"}, "2026-01-01T01:00:00+01:00"))
    count_accepted(r)
    first = (r.json or {}).get("output_events") or [{}]
    check(r.status == 200 and first[0].get("ts") == T0,
          "an RFC 3339 offset is honoured (01:00+01:00 = 00:00Z)", r)

    before = int(time.time() * 1000)
    r = inject(srv, pid, event("Tx", {"amount": 3000, "card": "c-5"}))
    after = int(time.time() * 1000)
    count_accepted(r)
    first = (r.json or {}).get("output_events") or [{}]
    ts = first[0].get("ts")
    check(r.status == 200 and isinstance(ts, int) and before - 1000 <= ts <= after + 1000,
          "no timestamp → time of receipt", r)

    r = srv.api("GET", f"/api/v1/pipelines/{pid}/metrics")
    m = r.json or {}
    check(r.status == 200 and m.get("pipeline_id") == pid, "pipeline metrics → 200", r)
    check(m.get("events_processed") == 5 and m.get("output_events_emitted") == 4
          and m.get("late_events_dropped") == 0,
          "pipeline metrics: 5 processed, 4 emitted, 0 late", r)
    check("last_checkpoint_id" in m and "last_checkpoint_at" in m,
          "pipeline metrics carry last_checkpoint_id and last_checkpoint_at", r)


def window_close(srv, pid, at_ms):
    """Injects an event at `at_ms` that crosses the open 10 s window; returns the Totals rows."""
    r = inject(srv, pid, tx(0, at_ms))
    count_accepted(r)
    return [o for o in (outs(r) or []) if o.get("stream") == "Totals"], r


def test_batch(srv):
    pid = (deploy(srv, "batch", TOTALS).json or {}).get("id", "missing")
    r = inject_batch(srv, pid, [tx(1, 0), tx(2, 1000), tx(3, 2000)])
    count_accepted(r)
    j = r.json or {}
    check(r.status == 200 and j.get("accepted") == 3 and j.get("rejected") == 0
          and outs(r) == [],
          "batch of 3 → accepted 3, rejected 0, no output yet", r)
    check(isinstance(j.get("processing_time_us"), int) and j["processing_time_us"] >= 0,
          "batch: processing_time_us is an integer", r)

    # One bad event (fields not an object) anywhere in the batch: 400, nothing processed.
    bad = [tx(100, 3000), {"event_type": "Tx", "fields": 5, "timestamp": T0 + 4000}, tx(7, 5000)]
    r = inject_batch(srv, pid, bad)
    check_error(r, 400, {"invalid_field", "invalid_event"}, "batch with one bad event")
    e = r.error() or {}
    check("$.events[1]" in (e.get("message", "") + str(e.get("path", ""))),
          "the error names $.events[1]", r)
    r = inject_batch(srv, pid, [tx(100, 3000), {"fields": {"amount": 1}}])
    check_error(r, 400, "missing_field", "batch event without event_type")
    check_error(inject_batch(srv, pid, []), 400,
                {"invalid_field", "missing_field", "invalid_event"},
                "empty batch (1–100 000 events)")

    rows, r = window_close(srv, pid, 12000)
    check(rows == [{"stream": "Totals", "event_type": "Totals", "ts": T0 + 10000,
                    "fields": {"n": 3, "total": 6.0}}],
          "the window holds only the 3 good events: rejected batches processed nothing", r)

    # Outputs of a batch: every output of every event, in order.
    pid2 = (deploy(srv, "batch2", TOTALS).json or {}).get("id", "missing")
    r = inject_batch(srv, pid2, [tx(1, 0), tx(2, 5000), tx(4, 11000), tx(8, 12000), tx(16, 22000)])
    count_accepted(r)
    check(r.status == 200 and (r.json or {}).get("accepted") == 5
          and outs(r) == [
              {"stream": "Totals", "event_type": "Totals", "ts": T0 + 10000,
               "fields": {"n": 2, "total": 3.0}},
              {"stream": "Totals", "event_type": "Totals", "ts": T0 + 21000,
               "fields": {"n": 2, "total": 12.0}}],
          "a batch returns each window it closed, in order", r)
    return pid


def test_checkpoint_restore(srv):
    pid = (deploy(srv, "cp", TOTALS).json or {}).get("id", "missing")
    count_accepted(inject_batch(srv, pid, [tx(1, 0), tx(2, 1000), tx(3, 2000)]))

    r = srv.api("POST", f"/api/v1/pipelines/{pid}/checkpoint", raw=b"")
    j = r.json or {}
    check(r.status == 200, "checkpoint with an empty body → 200", r)
    check(j.get("pipeline_id") == pid and isinstance(j.get("checkpoint_id"), int)
          and j["checkpoint_id"] >= 1 and j.get("events_processed") == 3,
          "checkpoint: pipeline_id, checkpoint_id ≥ 1, events_processed 3", r)
    cp = j.get("checkpoint") or {}
    check(cp.get("format") == "varpulis-checkpoint" and cp.get("version") == 1
          and cp.get("encoding") == "base64" and isinstance(cp.get("data"), str),
          "checkpoint: §4.9 {format, version, encoding, data}", cp)
    blob = b""
    try:
        blob = blob_of(cp)
    except (KeyError, ValueError, TypeError):
        pass
    ok, why, cid = verify_blob(blob)
    check(ok, f"checkpoint data is a valid §4.3 blob ({why})", blob[:48])
    check(cid == j.get("checkpoint_id"), "the blob's id equals checkpoint_id", (cid, j))
    first_id = j.get("checkpoint_id") or 0

    r = srv.api("POST", f"/api/v1/pipelines/{pid}/checkpoint", {})
    check(r.status == 200 and (r.json or {}).get("checkpoint_id", 0) > first_id,
          "checkpoint with {} → 200, a higher id", r)
    last_id = (r.json or {}).get("checkpoint_id")
    m = srv.api("GET", f"/api/v1/pipelines/{pid}/metrics").json or {}
    check(m.get("last_checkpoint_id") == last_id, "metrics: last_checkpoint_id", m)
    check(isinstance(m.get("last_checkpoint_at"), str)
          and RFC3339_RE.match(m["last_checkpoint_at"]) is not None,
          "metrics: last_checkpoint_at is RFC 3339", m)

    # Two more events after the checkpoint, then restore: the window is back to 3 events.
    count_accepted(inject_batch(srv, pid, [tx(10, 3000), tx(20, 4000)]))
    r = srv.api("POST", f"/api/v1/pipelines/{pid}/restore", {"checkpoint": cp})
    j = r.json or {}
    check(r.status == 200 and j.get("pipeline_id") == pid and j.get("restored") is True
          and j.get("events_restored") == 3,
          "restore → 200 {pipeline_id, restored: true, events_restored: 3}", r)
    check(isinstance(j.get("operators_restored"), int) and j["operators_restored"] >= 1
          and j.get("operators_reset") == 0,
          "restore: operators_restored ≥ 1, operators_reset 0", r)
    m = srv.api("GET", f"/api/v1/pipelines/{pid}/metrics").json or {}
    check(m.get("events_processed") == 3, "after restore the pipeline counts 3 events", m)
    check(isinstance(m.get("last_checkpoint_id"), int) and m["last_checkpoint_id"] > last_id,
          "restore writes a new checkpoint at once", m)
    rows, r = window_close(srv, pid, 12000)
    check(rows == [{"stream": "Totals", "event_type": "Totals", "ts": T0 + 10000,
                    "fields": {"n": 3, "total": 6.0}}],
          "after restore the window holds the checkpointed 3 events", r)

    for what, body in [
            ("garbage base64", {"checkpoint": dict(cp, data="!!!not base64***")}),
            ("valid base64, not a blob", {"checkpoint": dict(cp, data=base64.b64encode(
                b"hello world, this is not a checkpoint at all").decode())}),
            ("one payload byte flipped", {"checkpoint": wrap_blob(
                blob[:40] + bytes([blob[40] ^ 1]) + blob[41:] if len(blob) > 41 else b"x")}),
            ("truncated blob", {"checkpoint": wrap_blob(blob[:-3])}),
            ("format not varpulis-checkpoint", {"checkpoint": dict(cp, format="json")}),
    ]:
        check_error(srv.api("POST", f"/api/v1/pipelines/{pid}/restore", body), 400,
                    "invalid_checkpoint", f"restore, {what}")
    if len(blob) >= 40:
        check_error(srv.api("POST", f"/api/v1/pipelines/{pid}/restore",
                            {"checkpoint": wrap_blob(with_header_version(blob, 2))}),
                    400, "incompatible_checkpoint", "restore of a format_version 2 blob")
    if len(blob) >= 41:
        flagged = bytearray(blob)
        struct.pack_into("<H", flagged, 6, 1)
        struct.pack_into("<I", flagged, 32, crc32c(bytes(flagged[:32])))
        check_error(srv.api("POST", f"/api/v1/pipelines/{pid}/restore",
                            {"checkpoint": wrap_blob(bytes(flagged))}),
                    400, "incompatible_checkpoint", "restore of a blob with a flag bit set")
        # A newer payload schema_version (the payload's first varint), checksums intact.
        newer = bytearray(blob)
        (n,) = struct.unpack_from("<Q", newer, 24)
        newer[36] = 0x02
        struct.pack_into("<I", newer, 36 + n, crc32c(bytes(newer[36:36 + n])))
        r = srv.api("POST", f"/api/v1/pipelines/{pid}/restore", {"checkpoint": wrap_blob(
            bytes(newer))})
        check_error(r, 400, "incompatible_checkpoint", "restore of a newer payload schema")
    check_error(srv.api("POST", f"/api/v1/pipelines/{pid}/restore",
                        {"checkpoint": dict(cp, version=2)}), 400,
                {"invalid_checkpoint", "incompatible_checkpoint"},
                "restore of an envelope with version 2")
    check_error(srv.api("POST", f"/api/v1/pipelines/{pid}/restore",
                        {"checkpoint": dict(cp, encoding="hex")}), 400, "invalid_checkpoint",
                "restore of an envelope with encoding hex")
    check_error(srv.api("POST", f"/api/v1/pipelines/{pid}/restore", {}), 400, "missing_field",
                "restore without checkpoint")
    rows, r = window_close(srv, pid, 25000)
    check(rows == [{"stream": "Totals", "event_type": "Totals", "ts": T0 + 22000,
                    "fields": {"n": 1, "total": 0.0}}],
          "failed restores left the pipeline untouched", r)


def test_restore_changed_program(srv):
    """§4.7 step 4 through REST: a checkpoint of TWO_STREAMS restored into a pipeline whose
    Totals changed — Big's operators restored, Totals' reset (its window starts empty)."""
    p1 = (deploy(srv, "two", TWO_STREAMS).json or {}).get("id", "missing")
    count_accepted(inject_batch(srv, p1, [tx(1, 0), tx(2, 1000)]))
    cp = (srv.api("POST", f"/api/v1/pipelines/{p1}/checkpoint", {}).json or {}).get("checkpoint")
    only_totals_changed = TWO_STREAMS.replace("total: sum(amount))",
                                              "total: sum(amount), hi: max(amount))")
    p2 = (deploy(srv, "changed", only_totals_changed).json or {}).get("id", "missing")
    r = srv.api("POST", f"/api/v1/pipelines/{p2}/restore", {"checkpoint": cp})
    j = r.json or {}
    check(r.status == 200 and j.get("restored") is True and j.get("operators_reset", 0) >= 1
          and j.get("operators_restored", 0) >= 1,
          "restore into a changed program: some operators restored, the changed ones reset", r)
    count_accepted(inject(srv, p2, tx(4, 2000)))
    rows, r = window_close(srv, p2, 12000)
    check([o.get("fields") for o in rows] == [{"n": 1, "total": 4.0, "hi": 4}],
          "the changed window started empty after the restore", r)


def test_reload(srv):
    pid = (deploy(srv, "reload", TWO_STREAMS).json or {}).get("id", "missing")
    count_accepted(inject_batch(srv, pid, [tx(1, 0), tx(2, 1000)]))

    cp_before = (srv.api("GET", f"/api/v1/pipelines/{pid}/metrics").json or {}).get(
        "last_checkpoint_id") or 0
    r = srv.api("POST", f"/api/v1/pipelines/{pid}/reload", {"source": TWO_STREAMS_BIG_CHANGED})
    j = r.json or {}
    cp_after = (srv.api("GET", f"/api/v1/pipelines/{pid}/metrics").json or {}).get(
        "last_checkpoint_id") or 0
    check(cp_after > cp_before, "a reload is checkpointed (§6.6: persist; checkpoint)",
          (cp_before, cp_after))
    check(r.status == 200 and j.get("reloaded") is True, "reload → 200 reloaded true", r)
    check(sorted(j.get("streams_kept") or []) == ["Totals"]
          and sorted(j.get("streams_reset") or []) == ["Big"],
          "reload: Totals kept, Big reset", r)
    g = srv.api("GET", f"/api/v1/pipelines/{pid}").json or {}
    check(g.get("source") == TWO_STREAMS_BIG_CHANGED and g.get("status") == "running",
          "get after reload shows the new source, running", g)

    r = inject(srv, pid, tx(700, 2000))
    count_accepted(r)
    check([o.get("stream") for o in (r.json or {}).get("output_events", [])] == ["Big"],
          "the reloaded filter (> 500) is in effect", r)
    rows, r = window_close(srv, pid, 12000)
    check(rows == [{"stream": "Totals", "event_type": "Totals", "ts": T0 + 10000,
                    "fields": {"n": 3, "total": 703.0}}],
          "the kept window carries the events from before the reload", r)

    r = srv.api("POST", f"/api/v1/pipelines/{pid}/reload", {"source": TWO_STREAMS_TOTALS_CHANGED})
    j = r.json or {}
    check(r.status == 200 and sorted(j.get("streams_kept") or []) == ["Big"]
          and sorted(j.get("streams_reset") or []) == ["Totals"],
          "reload with Totals changed: Big kept, Totals reset", r)

    r = srv.api("POST", f"/api/v1/pipelines/{pid}/reload", {"source": TYPO})
    check_error(r, 400, "parse_error", "reload with an invalid program")
    diags = (r.error() or {}).get("diagnostics")
    check(isinstance(diags, list) and len(diags) >= 1, "parse_error carries diagnostics", r)
    d = (diags or [{}])[0]
    check(d.get("line") == 4 and d.get("column") == 12 and d.get("severity") == "error"
          and "amout" in d.get("message", ""),
          "diagnostic {line: 4, column: 12, severity: error, message names 'amout'}", d)
    g = srv.api("GET", f"/api/v1/pipelines/{pid}").json or {}
    check(g.get("source") == TWO_STREAMS_TOTALS_CHANGED and g.get("status") == "running",
          "after a failed reload the previous source is still deployed", g)
    r = inject(srv, pid, tx(600, 13000))
    count_accepted(r)
    check([o.get("stream") for o in (r.json or {}).get("output_events", [])] == ["Big"],
          "after a failed reload the previous program still runs", r)
    check_error(srv.api("POST", f"/api/v1/pipelines/{pid}/reload", {}), 400, "missing_field",
                "reload without source")


def test_deploy_errors(srv):
    r = deploy(srv, "typo", TYPO)
    check_error(r, 400, "parse_error", "deploy of an invalid program")
    d = ((r.error() or {}).get("diagnostics") or [{}])[0]
    check(d.get("line") == 4 and d.get("column") == 12 and d.get("severity") == "error",
          "deploy diagnostic at 4:12", r)
    check("hint" not in d or "amount" in str(d.get("hint")), "hint suggests 'amount'", d)
    r = deploy(srv, "syntax", "stream = Tx\n")
    check_error(r, 400, "parse_error", "deploy of a syntax error")
    check_error(deploy(srv, "", BIG), 400, "invalid_name", "deploy with an empty name")
    check_error(deploy(srv, "x" * 129, BIG), 400, "invalid_name", "deploy with a 129-char name")
    check_error(deploy(srv, "bell\u0007", BIG), 400, "invalid_name",
                "deploy with a control character in the name")
    r = deploy(srv, "y" * 128, BIG)
    check(r.status == 201, "a 128-character name is accepted", r)
    listed = srv.api("GET", "/api/v1/pipelines?limit=1000").json or {}
    names = [p.get("name") for p in listed.get("pipelines", [])]
    check("typo" not in names and "syntax" not in names and "" not in names,
          "failed deploys left no pipeline behind", names)
    return (r.json or {}).get("id")


def test_delete(srv, pid):
    r = srv.api("DELETE", f"/api/v1/pipelines/{pid}")
    check(r.status == 200 and sub(r.json, {"deleted": True}), "delete → 200 {deleted: true}", r)
    r = srv.api("GET", f"/api/v1/pipelines/{pid}")
    check_error(r, 404, "pipeline_not_found", "get after delete")
    check((r.error() or {}).get("message") == f"pipeline '{pid}' not found",
          "message: pipeline '<id>' not found", r)
    check_error(srv.api("DELETE", f"/api/v1/pipelines/{pid}"), 404, "pipeline_not_found",
                "delete twice")
    check_error(inject(srv, pid, tx(1, 0)), 404, "pipeline_not_found", "inject after delete")
    check_error(inject_batch(srv, pid, [tx(1, 0)]), 404, "pipeline_not_found",
                "batch after delete")
    check_error(srv.api("GET", f"/api/v1/pipelines/{pid}/metrics"), 404, "pipeline_not_found",
                "metrics after delete")


def test_usage(srv):
    pipelines = srv.api("GET", "/api/v1/pipelines?limit=1000").json or {}
    r = srv.api("GET", "/api/v1/usage")
    u = r.json or {}
    check(r.status == 200 and u.get("tenant_id") == "default" and u.get("tier") == "owner",
          "usage of the --api-key tenant: tenant_id default, tier owner", r)
    check(u.get("quota") == {"max_pipelines": 1000, "max_events_per_second": 0,
                             "max_streams_per_pipeline": 500},
          "owner quota 1000 / unlimited / 500", r)
    check(u.get("events_processed") == Totals.accepted,
          f"usage events_processed == {Totals.accepted} accepted events", r)
    check(u.get("events_rejected") == 0, "usage events_rejected 0", r)
    check(u.get("output_events_emitted") == Totals.outputs,
          f"usage output_events_emitted == {Totals.outputs} outputs returned", r)
    check(u.get("active_pipelines") == pipelines.get("total"),
          "usage active_pipelines == listed pipelines", (u, pipelines.get("total")))
    check_error(srv.request("GET", "/api/v1/usage"), 401, "missing_api_key", "usage without a key")
    check_error(srv.api("GET", "/api/v1/usage", key="not-a-key-at-all-000000000000000"), 401,
                "invalid_api_key", "usage with an unknown key")


def test_metrics(srv):
    r = srv.get("/metrics")
    check_error(r, 401, {"missing_admin_key"}, "/metrics without the admin key")
    check_error(srv.get("/metrics", headers={"X-Admin-Key": "wrong"}), 401, "invalid_admin_key",
                "/metrics with a wrong admin key")
    check_error(srv.get("/metrics", headers={"X-API-Key": API_KEY}), 401, "missing_admin_key",
                "/metrics with a tenant key only")
    r = srv.get("/metrics", headers={"X-Admin-Key": ADMIN_KEY})
    check(r.status == 200, "/metrics with X-Admin-Key → 200", r)
    ctype = r.header("content-type") or ""
    check(ctype.startswith("text/plain") and "version=0.0.4" in ctype,
          "/metrics content type text/plain; version=0.0.4", ctype)
    text = r.body.decode("utf-8", "replace")
    samples, bad = parse_prometheus(text)
    check(not bad, "every /metrics line parses as Prometheus text", bad[:5])
    names = {s[0] for s in samples}
    for family in ("varpulis_http_requests_total", "varpulis_tenants", "varpulis_pipelines",
                   "varpulis_events_total", "varpulis_output_events_total"):
        check(family in names or f"# TYPE {family}" in text, f"/metrics has {family}")
    reqs = [s for s in samples if s[0] == "varpulis_http_requests_total"]
    check(all({"method", "route", "code"} <= set(s[1]) for s in reqs) and reqs,
          "varpulis_http_requests_total{method,route,code}", reqs[:3])
    check(not any(re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", s[1].get("route", "")) for s in reqs),
          "route labels are templates, not ids", [s[1].get("route") for s in reqs][:10])
    tenants = [s[2] for s in samples if s[0] == "varpulis_tenants"]
    check(tenants and tenants[0] >= 1, "varpulis_tenants ≥ 1", tenants)
    check(API_KEY not in text and ADMIN_KEY not in text, "no key appears in /metrics")

    # Per-stream series carry the pipeline id (§6.9).
    running = [p for p in (srv.api("GET", "/api/v1/pipelines?limit=1000").json or {}).get(
        "pipelines", []) if p.get("status") == "running"]
    big_pid = Totals.big_pid
    processed = [v for n, lab, v in samples if n == "varpulis_events_processed"
                 and lab.get("pipeline") == big_pid and lab.get("stream") == "Big"]
    check(processed == [5.0], "varpulis_events_processed{pipeline,stream=Big} = 5", processed)
    emitted = [v for n, lab, v in samples if n == "varpulis_output_events_total"
               and lab.get("pipeline") == big_pid and lab.get("stream") == "Big"
               and lab.get("event_type") == "Big"]
    check(emitted == [4.0], "varpulis_output_events_total{pipeline,stream,event_type} = 4", emitted)
    gauge = [v for n, lab, v in samples if n == "varpulis_pipelines"
             and lab.get("status") == "running"]
    check(gauge == [float(len(running))] or not running,
          f"varpulis_pipelines{{status=running}} = {len(running)} (one tenant here)", gauge)
    cps = [v for n, lab, v in samples if n == "varpulis_checkpoints_total"
           and lab.get("result") == "ok"]
    check(cps and cps[0] >= 4, "varpulis_checkpoints_total{result=ok} counts the checkpoints",
          cps)
    lat = [lab for n, lab, v in samples if n == "varpulis_processing_latency_seconds_bucket"]
    check(lat and all("stream" in lab for lab in lat),
          "varpulis_processing_latency_seconds carries the stream label (§6.9 table)", lat[:2])
    les = sorted({float(lab["le"]) for lab in lat if lab.get("le") not in (None, "+Inf")})
    check(les == [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0],
          "latency histogram buckets 0.0001 … 1", les)
    routes = {lab.get("route") for n, lab, v in samples if n == "varpulis_http_requests_total"}
    check({"/api/v1/pipelines/{id}/events", "/api/v1/pipelines"} <= routes,
          "http request routes are templates like /api/v1/pipelines/{id}/events", routes)
    r = srv.get("/metrics", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    check(r.status == 200, "/metrics with Authorization: Bearer <admin key> → 200", r)


def test_admin(srv):
    check_error(srv.request("GET", "/api/v1/tenants"), 401, "missing_admin_key",
                "list tenants without X-Admin-Key")
    check_error(srv.request("GET", "/api/v1/tenants", admin="wrong-admin-key"), 401,
                "invalid_admin_key", "list tenants with a wrong admin key")
    check_error(srv.request("GET", "/api/v1/tenants", key=API_KEY), 401, "missing_admin_key",
                "a tenant key does not open admin routes")
    check_error(srv.request("GET", "/api/v1/tenants", admin=API_KEY), 401, "invalid_admin_key",
                "the tenant key as X-Admin-Key")
    check_error(srv.api("GET", "/api/v1/pipelines", key=ADMIN_KEY), 401, "invalid_api_key",
                "a separate admin key is not a tenant key")

    tiers = {
        "free": {"max_pipelines": 2, "max_events_per_second": 100, "max_streams_per_pipeline": 5},
        "standard": {"max_pipelines": 10, "max_events_per_second": 10000,
                     "max_streams_per_pipeline": 50},
        "pro": {"max_pipelines": 20, "max_events_per_second": 50000,
                "max_streams_per_pipeline": 100},
        "enterprise": {"max_pipelines": 1000, "max_events_per_second": 500000,
                       "max_streams_per_pipeline": 500},
    }
    created = {}
    for tier, quota in tiers.items():
        r = create_tenant(srv, {"name": f"T-{tier}", "quota_tier": tier})
        j = r.json or {}
        check(r.status == 201, f"create tenant tier {tier} → 201", r)
        check(UUID_RE.match(str(j.get("id"))) is not None and j.get("name") == f"T-{tier}"
              and j.get("tier") == tier and j.get("quota") == quota,
              f"tenant {tier}: id, name, tier, quota {quota}", r)
        key = j.get("api_key")
        check(isinstance(key, str) and re.fullmatch(r"[A-Za-z0-9]{32}", key) is not None,
              f"tenant {tier}: api_key is 32 characters [A-Za-z0-9]", r)
        created[tier] = j
    r = create_tenant(srv, {"name": "NoTier"})
    check(r.status == 201 and (r.json or {}).get("tier") == "standard"
          and (r.json or {}).get("quota") == tiers["standard"],
          "no tier → standard", r)
    created["none"] = r.json or {}
    r = create_tenant(srv, {"name": "Bench", "quota": {"max_events_per_second": 0}})
    check(r.status == 201 and (r.json or {}).get("tier") == "custom"
          and (r.json or {}).get("quota") == {"max_pipelines": 10, "max_events_per_second": 0,
                                              "max_streams_per_pipeline": 50},
          "explicit quota → tier custom, unnamed fields take standard values", r)
    created["custom"] = r.json or {}
    keys = {j.get("api_key") for j in created.values()}
    check(len(keys) == len(created), "every tenant gets its own key")

    check_error(create_tenant(srv, {"name": "Gold", "quota_tier": "gold"}), 400, "invalid_tier",
                "unknown tier")
    check_error(create_tenant(srv, {"name": "", "quota_tier": "pro"}), 400, "invalid_name",
                "empty tenant name")
    check_error(create_tenant(srv, {"name": "n" * 129}), 400, "invalid_name",
                "129-character tenant name")
    check_error(create_tenant(srv, {"name": "tab\there"}), 400, "invalid_name",
                "control character in tenant name")
    check_error(create_tenant(srv, {"quota_tier": "pro"}), 400, "missing_field",
                "tenant without name")
    check_error(create_tenant(srv, {"name": "X", "quota": {"max_pipelinez": 3}}), 400,
                "unknown_field", "unknown quota field")
    check_error(create_tenant(srv, {"name": "X", "quota": {"max_pipelines": "three"}}), 400,
                "invalid_field", "quota field of the wrong type")
    check_error(srv.request("POST", "/api/v1/tenants", {"name": "X"}), 401, "missing_admin_key",
                "create tenant without the admin key")

    # The new tenant's key works on tenant routes.
    pro = created["pro"]
    pro_key = pro.get("api_key", "missing")
    r = deploy(srv, "acme-pipe", BIG, key=pro_key)
    check(r.status == 201, "the pro tenant deploys with its key", r)
    pro_pid = (r.json or {}).get("id", "missing")
    r = inject_batch(srv, pro_pid, [event("Tx", {"amount": 5000, "card": "a"}, T0),
                                    event("Tx", {"amount": 1, "card": "b"}, T0 + 1)], key=pro_key)
    check(r.status == 200 and (r.json or {}).get("accepted") == 2, "pro tenant injects 2", r)
    u = srv.api("GET", "/api/v1/usage", key=pro_key).json or {}
    check(u.get("tenant_id") == pro.get("id") and u.get("tier") == "pro"
          and u.get("events_processed") == 2 and u.get("output_events_emitted") == 1
          and u.get("active_pipelines") == 1 and u.get("quota") == tiers["pro"],
          "pro tenant's usage", u)

    r = srv.admin("GET", "/api/v1/tenants")
    j = r.json or {}
    check(r.status == 200, "list tenants → 200", r)
    body = r.body.decode("utf-8", "replace")
    check(not any(k and k in body for k in keys | {API_KEY}), "no key appears in the tenant list")
    items = j.get("tenants") or []
    check(all("api_key" not in t for t in items), "list items have no api_key member", items[:2])
    by_id = {t.get("id"): t for t in items}
    for name, c in created.items():
        t = by_id.get(c.get("id")) or {}
        check(t.get("name") == c.get("name") and t.get("tier") == c.get("tier")
              and t.get("quota") == c.get("quota")
              and t.get("api_key_hint") == (c.get("api_key") or "")[-4:]
              and RFC3339_RE.match(str(t.get("created_at"))) is not None,
              f"list shows {name}: name, tier, quota, api_key_hint = last 4, created_at", t)
    check(j.get("total") == len(items) and (j.get("pagination") or {}).get("total") == len(items),
          "tenant list: total and pagination", {k: j.get(k) for k in ("total", "pagination")})
    check("default" in by_id and by_id["default"].get("tier") == "owner",
          "the --api-key tenant is listed as default, tier owner", by_id.get("default"))
    order = [str(t.get("created_at")) for t in items]
    check(order == sorted(order), "tenants ordered by created_at", order)
    r = srv.admin("GET", "/api/v1/tenants?limit=2&offset=1")
    check(r.status == 200 and len((r.json or {}).get("tenants", [])) == 2
          and (r.json or {}).get("pagination", {}).get("offset") == 1,
          "tenant list paginates", r)
    check_error(srv.admin("GET", "/api/v1/tenants?limit=5000"), 400, "invalid_limit",
                "tenant list limit=5000")

    r = srv.admin("GET", f"/api/v1/tenants/{pro.get('id')}")
    t = r.json or {}
    check(r.status == 200 and t.get("id") == pro.get("id") and t.get("name") == "T-pro"
          and t.get("tier") == "pro" and t.get("api_key_hint") == pro_key[-4:]
          and t.get("quota") == tiers["pro"] and t.get("pipeline_count") == 1
          and RFC3339_RE.match(str(t.get("created_at"))) is not None,
          "get tenant: id, name, tier, hint, quota, pipeline_count, created_at", r)
    check(sub(t.get("usage"), {"events_processed": 2, "events_rejected": 0,
                               "output_events_emitted": 1, "active_pipelines": 1}),
          "get tenant: usage", t.get("usage"))
    check(pro_key not in r.body.decode("utf-8", "replace"), "get tenant does not show the key")
    missing = "00000000-0000-4000-8000-000000000000"
    check_error(srv.admin("GET", f"/api/v1/tenants/{missing}"), 404, "tenant_not_found",
                "get unknown tenant")

    unknown = srv.api("GET", "/api/v1/pipelines", key="Zz" * 16)
    check_error(unknown, 401, "invalid_api_key", "an unknown key")
    r = srv.admin("DELETE", f"/api/v1/tenants/{pro.get('id')}")
    check(r.status == 200 and sub(r.json, {"deleted": True}), "delete tenant → {deleted: true}",
          r)
    gone = srv.api("GET", "/api/v1/pipelines", key=pro_key)
    check_error(gone, 401, "invalid_api_key", "a deleted tenant's key")
    check(gone.body == unknown.body, "deleted key and unknown key get the same body",
          (gone.body, unknown.body))
    check_error(srv.admin("GET", f"/api/v1/tenants/{pro.get('id')}"), 404, "tenant_not_found",
                "get deleted tenant")
    check_error(srv.admin("DELETE", f"/api/v1/tenants/{pro.get('id')}"), 404, "tenant_not_found",
                "delete deleted tenant")
    listed = {t.get("id") for t in (srv.admin("GET", "/api/v1/tenants").json or {}).get("tenants",
                                                                                          [])}
    check(pro.get("id") not in listed, "deleted tenant no longer listed")


def test_admin_disabled(binary):
    """Without --api-key and --admin-key there is no admin key: admin routes 403, /metrics open,
    and no default tenant."""
    with Server(binary) as srv:
        check_error(srv.request("GET", "/api/v1/tenants", admin="anything"), 403,
                    "admin_disabled", "admin route without a configured admin key")
        check_error(srv.request("POST", "/api/v1/tenants", {"name": "x"}), 403,
                    "admin_disabled", "create tenant without a configured admin key")
        r = srv.get("/metrics")
        check(r.status == 200, "/metrics is open without an admin key", r)
        check_error(srv.api("GET", "/api/v1/pipelines", key="some-key-00000000000000000000000"),
                    401, "invalid_api_key", "no default tenant without --api-key")
    with Server(binary, api_key=API_KEY) as srv:
        r = srv.request("GET", "/api/v1/tenants", admin=API_KEY)
        check(r.status == 200, "--admin-key defaults to --api-key", r)
        r = srv.api("GET", "/api/v1/pipelines")
        check(r.status == 200, "the --api-key is the default tenant's key", r)


def test_environment(binary):
    """VARPULIS_API_KEY configures the default tenant; the command line wins over it (§6.1)."""
    env_key = "env-key-0123456789abcdefghijklmno"
    with Server(binary, env={"VARPULIS_API_KEY": env_key}) as srv:
        r = srv.api("GET", "/api/v1/usage", key=env_key)
        check(r.status == 200 and (r.json or {}).get("tenant_id") == "default",
              "VARPULIS_API_KEY is the default tenant's key", r)
        check(srv.request("GET", "/api/v1/tenants", admin=env_key).status == 200,
              "… and, without --admin-key, the admin key")
    with Server(binary, api_key=API_KEY, env={"VARPULIS_API_KEY": env_key}) as srv:
        check(srv.api("GET", "/api/v1/usage").status == 200, "--api-key wins over the environment")
        check_error(srv.api("GET", "/api/v1/usage", key=env_key), 401, "invalid_api_key",
                    "the environment's key is not used when --api-key is given")


def body(args):
    with Server(args.bin, api_key=API_KEY, admin_key=ADMIN_KEY) as srv:
        section(test_health_ready, srv)
        section(test_routing, srv)
        ids = section(test_deploy_get_list, srv) or ["missing-0", "missing-1", "missing-2"]
        section(test_inject_single, srv, ids[0])
        section(test_batch, srv)
        section(test_checkpoint_restore, srv)
        section(test_reload, srv)
        section(test_restore_changed_program, srv)
        long_name_pid = section(test_deploy_errors, srv)
        section(test_delete, srv, ids[1])
        if long_name_pid:
            srv.api("DELETE", f"/api/v1/pipelines/{long_name_pid}")
        section(test_usage, srv)
        section(test_admin, srv)
        section(test_metrics, srv)
        check(srv.running(), "the server is still running")
        check(API_KEY not in srv.log() and ADMIN_KEY not in srv.log(), "keys are never logged")
    section(test_admin_disabled, args.bin)
    section(test_environment, args.bin)


if __name__ == "__main__":
    run_main("test_api", body)

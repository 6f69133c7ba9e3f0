#!/usr/bin/env python3
"""Values, limits and boundaries of `varpulis server` (spec/state-and-server.md §5.1, §6.2, §6.6;
spec/vpl.md §8, §11), black-box.

- event JSON → values → output JSON: ints, big integers (→ float), floats, strings with any
  Unicode, null, bools, arrays, maps with key order kept, duration and timestamp literals;
- limits exactly at the boundary pass (1 024 fields, 256 KiB strings, 10 000-element arrays,
  100 000-event batches) and one past them fails;
- names are counted in characters: 128 multi-byte characters pass, 129 fail;
- default page size 50 with more pipelines; has_more;
- late events with .watermark/.allowed_lateness: accepted, dropped for the stream, counted in
  late_events_dropped;
- patterns across requests: the match is returned by the request that completes it.

Usage: test_values.py --bin PATH --shared PATH
"""
from server_harness import (Server, check, check_error, create_tenant, deploy, event, inject,
                            inject_batch, outs, run_main, section)

API_KEY = "owner-key-values-0123456789abcdefg"
T0 = 1767225600000

COPY = """\
stream Copy = Rec
    .emit()
"""


def test_value_round_trip(srv):
    pid = (deploy(srv, "copy", COPY).json or {}).get("id", "missing")
    fields = {
        "i": -42, "zero": 0, "max": 9223372036854775807, "min": -9223372036854775808,
        "f": 1.5, "tiny": 5e-324, "neg_f": -0.25,
        "s": "héllo ✓ 🚀 \u2028 \"quoted\" \\ \t", "empty": "", "nul": None, "yes": True,
        "no": False, "arr": [1, "two", None, 3.5, [4, {"k": "v"}]],
        "obj": {"zeta": 1, "alpha": {"nested": [True]}, "mid": None},
    }
    r = inject(srv, pid, event("Rec", fields, T0))
    o = (outs(r) or [{}])[0]
    got = o.get("fields") or {}
    check(r.status == 200 and list(got) == list(fields), "every field comes back, in order", r)
    for k, v in fields.items():
        check(got.get(k) == v and type(got.get(k)) is type(v),
              f"value {k}: {v!r} round-trips as {type(v).__name__}", got.get(k))
    check(list((got.get("obj") or {}).keys()) == ["zeta", "alpha", "mid"],
          "map key order is kept", got.get("obj"))

    # §6.2: "an integer fitting i64 → int, any other number → float".
    for text in ("9223372036854775808", "18446744073709551615", "18446744073709551616",
                 "-9223372036854775809", "123456789012345678901234567890"):
        r = srv.api("POST", f"/api/v1/pipelines/{pid}/events",
                    raw=('{"event_type": "Rec", "fields": {"v": %s}, "timestamp": %d}'
                         % (text, T0)).encode(), headers={"Content-Type": "application/json"})
        v = (((outs(r) or [{}])[0]).get("fields") or {}).get("v")
        check(r.status == 200 and isinstance(v, float) and v == float(int(text)),
              f"the integer {text} (outside i64) becomes the float {float(int(text))!r}", r)

    lits = """\
stream Lits = Rec
    .emit(d: 1500ms, m: 2m, t: @2026-01-01T00:00:01Z, up: upper(s), n: len(arr), half: i / 2)
"""
    pid2 = (deploy(srv, "lits", lits).json or {}).get("id", "missing")
    r = inject(srv, pid2, event("Rec", {"s": "abc", "arr": [1, 2, 3], "i": 7}, T0))
    check(outs(r) == [{"stream": "Lits", "event_type": "Lits", "ts": T0,
                       "fields": {"d": 1500, "m": 120000, "t": 1767225601000, "up": "ABC",
                                  "n": 3, "half": 3}}],
          "durations render as ms, timestamps as epoch ms, expressions evaluate", r)


def test_limits(srv):
    pid = (deploy(srv, "copy", COPY).json or {}).get("id", "missing")
    r = inject(srv, pid, event("Rec", {"s": "x" * (256 * 1024)}, T0))
    check(r.status == 200, "a string of exactly 256 KiB passes", r)
    check_error(inject(srv, pid, event("Rec", {"s": "x" * (256 * 1024 + 1)}, T0)), 400,
                "invalid_event", "a string of 256 KiB + 1")
    r = inject(srv, pid, event("Rec", {"a": list(range(10000))}, T0))
    check(r.status == 200, "an array of exactly 10 000 elements passes", r)
    check_error(inject(srv, pid, event("Rec", {"a": list(range(10001))}, T0)), 400,
                "invalid_event", "an array of 10 001 elements")
    r = inject(srv, pid, event("Rec", {f"f{i}": i for i in range(1024)}, T0))
    check(r.status == 200, "exactly 1 024 fields pass", r)
    check_error(inject(srv, pid, event("Rec", {f"f{i}": i for i in range(1025)}, T0)), 400,
                "invalid_event", "1 025 fields")
    shallow, deep = 1, 1
    for _ in range(20):
        shallow = [shallow]
    for _ in range(100):
        deep = [deep]
    check(inject(srv, pid, event("Rec", {"d": shallow}, T0)).status == 200,
          "nesting 20 deep passes")
    check_error(inject(srv, pid, event("Rec", {"d": deep}, T0)), 400, "invalid_event",
                "nesting 100 deep")

    quiet = (deploy(srv, "quiet", "stream Q = Rec\n    .where(false)\n").json or {}).get("id")
    batch = [event("Rec", {"i": i}, T0 + i) for i in range(100000)]
    r = inject_batch(srv, quiet, batch)
    check(r.status == 200 and (r.json or {}).get("accepted") == 100000,
          "a batch of exactly 100 000 events passes", r)
    check_error(inject_batch(srv, quiet, batch + [event("Rec", {}, T0)]), 400,
                {"invalid_field", "invalid_event"}, "a batch of 100 001 events")


def test_unicode_names(srv):
    name128 = "é" * 64 + "🚀" * 64
    r = deploy(srv, name128, COPY)
    check(r.status == 201 and (r.json or {}).get("name") == name128,
          "a pipeline name of 128 multi-byte characters is accepted and returned intact", r)
    check_error(deploy(srv, name128 + "x", COPY), 400, "invalid_name",
                "129 characters are too many")
    check_error(deploy(srv, "line\nbreak", COPY), 400, "invalid_name", "a newline in a name")
    check_error(deploy(srv, "del\u007f", COPY), 400, "invalid_name", "DEL in a name")
    r = create_tenant(srv, {"name": "租户" * 64})
    check(r.status == 201 and (r.json or {}).get("name") == "租户" * 64,
          "a tenant name of 128 CJK characters", r)
    check_error(create_tenant(srv, {"name": "租户" * 64 + "!"}), 400, "invalid_name",
                "a tenant name of 129 characters")


def test_pagination_default(srv):
    for i in range(20):  # several tenants within the same milliseconds
        create_tenant(srv, {"name": f"burst-{i}"})
    key = (create_tenant(srv, {"name": "many", "quota_tier": "enterprise"}).json or {}).get(
        "api_key", "missing")
    ids = []
    for i in range(57):
        ids.append((deploy(srv, f"p{i:02d}", COPY, key=key).json or {}).get("id"))
    r = srv.api("GET", "/api/v1/pipelines", key=key)
    j = r.json or {}
    check(r.status == 200 and len(j.get("pipelines", [])) == 50 and j.get("total") == 57
          and (j.get("pagination") or {}).get("has_more") is True
          and (j.get("pagination") or {}).get("limit") == 50,
          "57 pipelines: the default page holds 50, has_more true", j.get("pagination"))
    r2 = srv.api("GET", "/api/v1/pipelines?offset=50", key=key).json or {}
    all_ids = [p.get("id") for p in j.get("pipelines", []) + r2.get("pipelines", [])]
    check(sorted(map(str, all_ids)) == sorted(map(str, ids)) and len(set(all_ids)) == 57
          and (r2.get("pagination") or {}).get("has_more") is False,
          "the second page holds the other 7", r2.get("pagination"))
    pages = []
    for off in range(0, 57, 10):
        pages += [p.get("id") for p in (srv.api("GET", f"/api/v1/pipelines?limit=10&offset={off}",
                                                key=key).json or {}).get("pipelines", [])]
    check(pages == all_ids, "pages of 10 give the same order as pages of 50")

    # Order: created_at, then id (§6.2). created_at has millisecond resolution, so items with
    # the same created_at string were created in the same millisecond and must be id-ordered.
    items = (srv.api("GET", "/api/v1/pipelines?limit=1000", key=key).json or {}).get(
        "pipelines", [])
    keys = [(str(p.get("created_at")), str(p.get("id"))) for p in items]
    check(keys == sorted(keys), "pipelines ordered by (created_at, id)", keys[:6])
    tenants = (srv.admin("GET", "/api/v1/tenants?limit=1000").json or {}).get("tenants", [])
    tkeys = [(str(t.get("created_at")), str(t.get("id"))) for t in tenants]
    check(tkeys == sorted(tkeys), "tenants ordered by (created_at, id)", tkeys[:6])


def test_late_events(srv):
    prog = """\
stream Totals = Tx
    .watermark(out_of_order: 2s)
    .allowed_lateness(1s)
    .window(10s)
    .aggregate(n: count(), total: sum(amount))
    .emit()

stream All = Tx
    .emit(amount: amount)
"""
    pid = (deploy(srv, "late", prog).json or {}).get("id", "missing")
    r = inject(srv, pid, event("Tx", {"amount": 1}, T0 + 10000))
    check(r.status == 200, "event at 10 s", r)
    r = inject(srv, pid, event("Tx", {"amount": 2}, T0 + 6500))
    streams = [o.get("stream") for o in outs(r) or []]
    check(r.status == 200 and (r.json or {}).get("accepted") is True and streams == ["All"],
          "a late event (6.5 s < W 8 s − 1 s) is accepted, dropped for Totals only", r)
    r = inject(srv, pid, event("Tx", {"amount": 4}, T0 + 7000))
    check(r.status == 200, "an event at 7 s is not late", r)
    m = srv.api("GET", f"/api/v1/pipelines/{pid}/metrics").json or {}
    check(m.get("events_processed") == 3 and m.get("late_events_dropped") == 1,
          "metrics: 3 processed (late ones included), 1 late dropped", m)
    r = inject(srv, pid, event("Tx", {"amount": 0}, T0 + 30000))
    rows = [o for o in outs(r) or [] if o.get("stream") == "Totals"]
    check(rows == [{"stream": "Totals", "event_type": "Totals", "ts": T0 + 20000,
                    "fields": {"n": 2, "total": 5.0}}],
          "the window holds the 10 s and 7 s events, not the dropped one", r)


def test_pattern_across_requests(srv):
    prog = """\
stream Paid = Order as o
    -> Pay where amount >= o.total as p
    .partition_by(id)
    .within(30s)
    .emit(id: o.id, total: o.total, paid: p.amount)
"""
    pid = (deploy(srv, "pattern", prog).json or {}).get("id", "missing")
    r1 = inject(srv, pid, event("Order", {"id": "a", "total": 50}, T0))
    r2 = inject(srv, pid, event("Pay", {"id": "b", "amount": 99}, T0 + 1000))
    r3 = inject(srv, pid, event("Pay", {"id": "a", "amount": 10}, T0 + 2000))
    r4 = inject(srv, pid, event("Pay", {"id": "a", "amount": 60}, T0 + 3000))
    check(outs(r1) == [] and outs(r2) == [] and outs(r3) == [],
          "no match before the completing event", (r1, r2, r3))
    check(outs(r4) == [{"stream": "Paid", "event_type": "Paid", "ts": T0 + 3000,
                        "fields": {"id": "a", "total": 50, "paid": 60}}],
          "the request that completes the pattern returns the match", r4)
    inject(srv, pid, event("Order", {"id": "c", "total": 5}, T0 + 4000))
    r = inject(srv, pid, event("Pay", {"id": "c", "amount": 5}, T0 + 40000))
    check(outs(r) == [], "past .within(30s) there is no match", r)


def body(args):
    with Server(args.bin, api_key=API_KEY) as srv:
        section(test_value_round_trip, srv)
        section(test_limits, srv)
        section(test_unicode_names, srv)
        section(test_pagination_default, srv)
        section(test_late_events, srv)
        section(test_pattern_across_requests, srv)
        check(srv.running(), "the server is still running")


if __name__ == "__main__":
    run_main("test_values", body)

#!/usr/bin/env python3
"""Quotas and rate limits of `varpulis server` (spec/state-and-server.md §5.2, §5.3, §6.8).

- free tier: the third pipeline → 429 quota_exceeded {quota: max_pipelines, limit: 2};
- stream quota (free: 5 `stream` declarations) on deploy and on reload (old program kept);
- event rate (free: 100/s, fixed one-second windows per tenant): a batch of 150 → accepted
  ~100, the rest rejected; a single event over the quota → 429 rate_limited with Retry-After;
  a batch with nothing accepted → 429; usage counts accepted and rejected apart;
- owner and custom quota 0: no event-rate cap;
- `--rate-limit 5`: per-tenant token bucket (capacity 10) → 429 rate_limited with
  retry_after_seconds and Retry-After; allowed responses carry X-RateLimit-*; /health,
  /ready, /metrics never limited; failed authentication is limited per client IP.

Usage: test_quotas.py --bin PATH --shared PATH
"""
import time

from server_harness import (Server, check, check_error, create_tenant, deploy, event, inject,
                            inject_batch, run_main, section)

API_KEY = "owner-key-quotas-0123456789abcdefg"
ADMIN_KEY = "admin-key-quotas-0123456789abcdefg"
T0 = 1767225600000

ONE = """\
stream Big = Tx
    .where(amount > 10)
    .emit(amount: amount)
"""


def streams(n):
    return "".join(f"stream S{i} = Tx\n    .where(amount > {i})\n    .emit(amount: amount)\n\n"
                   for i in range(n))


def tx(amount, ms):
    return event("Tx", {"amount": amount}, T0 + ms)


def check_rate_limited(r, what):
    check_error(r, 429, "rate_limited", what)
    ra = r.header("retry-after")
    check(ra is not None and ra.isdigit() and int(ra) >= 1, f"{what}: Retry-After ≥ 1", r.headers)


def test_pipeline_and_stream_quota(srv):
    r = create_tenant(srv, {"name": "freebie", "quota_tier": "free"})
    key = (r.json or {}).get("api_key", "missing")
    p1 = deploy(srv, "one", ONE, key=key)
    p2 = deploy(srv, "two", streams(5), key=key)
    check(p1.status == 201 and p2.status == 201, "free tier: two pipelines (5 streams ok)",
          (p1, p2))
    r = deploy(srv, "three", ONE, key=key)
    check_error(r, 429, "quota_exceeded", "free tier: third deploy")
    e = r.error() or {}
    check(e.get("quota") == "max_pipelines" and e.get("limit") == 2,
          "quota_exceeded names quota max_pipelines, limit 2", r)
    listed = (srv.api("GET", "/api/v1/pipelines", key=key).json or {}).get("total")
    check(listed == 2, "the refused deploy left no pipeline", listed)

    pid1 = (p1.json or {}).get("id", "missing")
    r = srv.api("DELETE", f"/api/v1/pipelines/{pid1}", key=key)
    check(r.status == 200, "delete one", r)
    r = deploy(srv, "six-streams", streams(6), key=key)
    check_error(r, 429, "quota_exceeded", "free tier: deploy with 6 streams")
    e = r.error() or {}
    check(e.get("quota") == "max_streams_per_pipeline" and e.get("limit") == 5,
          "quota_exceeded names max_streams_per_pipeline, limit 5", r)
    r = deploy(srv, "again", ONE, key=key)
    check(r.status == 201, "after a delete the slot is free again", r)
    pid = (r.json or {}).get("id", "missing")

    r = srv.api("POST", f"/api/v1/pipelines/{pid}/reload", {"source": streams(6)}, key=key)
    check_error(r, 429, "quota_exceeded", "free tier: reload to 6 streams")
    check((r.error() or {}).get("quota") == "max_streams_per_pipeline",
          "reload refusal names max_streams_per_pipeline", r)
    g = srv.api("GET", f"/api/v1/pipelines/{pid}", key=key).json or {}
    check(g.get("source") == ONE and g.get("status") == "running",
          "after the refused reload the old program is deployed", g)
    r = srv.api("POST", f"/api/v1/pipelines/{pid}/reload", {"source": streams(5)}, key=key)
    check(r.status == 200, "reload to exactly 5 streams is allowed", r)


def test_event_rate(srv):
    r = create_tenant(srv, {"name": "rated", "quota_tier": "free"})
    key = (r.json or {}).get("api_key", "missing")
    pid = (deploy(srv, "rated", ONE, key=key).json or {}).get("id", "missing")
    accepted = rejected = 0
    tested_single = tested_batch = False
    for attempt in range(3):
        started = time.monotonic()
        r = inject_batch(srv, pid, [tx(i, i) for i in range(150)], key=key)
        j = r.json or {}
        acc, rej = j.get("accepted", 0), j.get("rejected", 0)
        if r.status == 200:
            accepted += acc
            rejected += rej
        if attempt == 0:
            check(r.status == 200 and acc + rej == 150 and rej >= 1 and 100 <= acc <= 150,
                  "free tier: a batch of 150 → accepted ≥ 100, rejected ≥ 1, sum 150", r)
            check(len(j.get("output_events", [])) == sum(1 for i in range(acc) if i > 10),
                  "outputs only of the accepted (first) events", (acc, len(j.get("output_events",
                                                                                    []))))
        # Still inside the same one-second window (the batch took well under a second)?
        r1 = inject(srv, pid, tx(500, 200), key=key)
        r2 = inject_batch(srv, pid, [tx(1, 300), tx(2, 301)], key=key)
        elapsed = time.monotonic() - started
        for r_ in (r1, r2):
            if r_.status == 200:
                j_ = r_.json or {}
                accepted += 1 if j_.get("accepted") is True else j_.get("accepted", 0)
                rejected += j_.get("rejected", 0)
            elif r_.status == 429 and r_.code() == "rate_limited":
                rejected += 1 if r_ is r1 else 2
        if elapsed < 0.8:
            check_rate_limited(r1, "a single event over the event-rate quota")
            check_rate_limited(r2, "a batch with nothing accepted")
            tested_single = tested_batch = True
            break
        print(f"note: attempt {attempt} took {elapsed:.2f}s, crossing a one-second window; retry")
    check(tested_single and tested_batch, "event-rate refusals observed within one window")

    u = srv.api("GET", "/api/v1/usage", key=key).json or {}
    check(u.get("events_processed") == accepted and u.get("events_rejected") == rejected,
          f"usage: events_processed {accepted}, events_rejected {rejected}", u)
    m = srv.api("GET", f"/api/v1/pipelines/{pid}/metrics", key=key).json or {}
    check(m.get("events_processed") == accepted, "pipeline counts only accepted events", m)

    # A pro tenant in the same second is not affected by the free tenant's window.
    r = create_tenant(srv, {"name": "other", "quota_tier": "pro"})
    okey = (r.json or {}).get("api_key", "missing")
    opid = (deploy(srv, "o", ONE, key=okey).json or {}).get("id", "missing")
    r = inject_batch(srv, opid, [tx(i, i) for i in range(150)], key=okey)
    check(r.status == 200 and (r.json or {}).get("accepted") == 150,
          "another tenant's event-rate window is its own", r)

    # No cap: the owner tier and an explicit quota of 0.
    pid_owner = (deploy(srv, "owner", ONE).json or {}).get("id", "missing")
    r = inject_batch(srv, pid_owner, [tx(i, i) for i in range(3000)])
    check(r.status == 200 and (r.json or {}).get("accepted") == 3000
          and (r.json or {}).get("rejected") == 0, "owner tier: 3000 events, none rejected", r)
    r = create_tenant(srv, {"name": "unlimited", "quota": {"max_events_per_second": 0}})
    ukey = (r.json or {}).get("api_key", "missing")
    upid = (deploy(srv, "u", ONE, key=ukey).json or {}).get("id", "missing")
    r = inject_batch(srv, upid, [tx(i, i) for i in range(20000)], key=ukey)
    check(r.status == 200 and (r.json or {}).get("accepted") == 20000,
          "custom quota max_events_per_second 0: 20000 events, none rejected", r)
    r = create_tenant(srv, {"name": "tiny", "quota": {"max_events_per_second": 3}})
    tkey = (r.json or {}).get("api_key", "missing")
    tpid = (deploy(srv, "t", ONE, key=tkey).json or {}).get("id", "missing")
    r = inject_batch(srv, tpid, [tx(i, i) for i in range(10)], key=tkey)
    check(r.status == 200 and (r.json or {}).get("accepted") in (3, 6, 9)
          and (r.json or {}).get("accepted", 0) + (r.json or {}).get("rejected", 0) == 10,
          "custom quota 3/s: a batch of 10 → 3 accepted per window", r)


def test_request_rate_limit(binary):
    with Server(binary, args=["--rate-limit", "5"], api_key=API_KEY,
                admin_key=ADMIN_KEY) as srv:
        for i in range(30):
            r = srv.get("/health")
            if r.status != 200:
                break
        check(r.status == 200, "/health is never rate limited (30 quick requests)", r)
        for path in ("/ready", "/metrics"):
            statuses = {srv.get(path, admin=ADMIN_KEY).status for _ in range(25)}
            check(statuses == {200}, f"{path} is never rate limited", statuses)

        first = srv.api("GET", "/api/v1/pipelines")
        check(first.status == 200, "first request allowed", first)
        for h in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
            v = first.header(h)
            check(v is not None and v.strip().isdigit(), f"allowed response carries {h}",
                  first.headers)
        remaining = [int(first.header("x-ratelimit-remaining") or -1)]
        limited = None
        burst_started = time.monotonic()
        for _ in range(40):
            r = srv.api("GET", "/api/v1/pipelines")
            if r.status == 429:
                limited = r
                break
            remaining.append(int(r.header("x-ratelimit-remaining") or -1))
        check(limited is not None, "--rate-limit 5: a burst gets 429 within 40 requests",
              remaining)
        burst_s = time.monotonic() - burst_started
        check(len(remaining) >= 2 and remaining[-1] < remaining[0],
              "X-RateLimit-Remaining decreases over the burst", remaining)
        # Capacity 2R = 10, plus what refilled (R = 5 per second) while the burst ran.
        check(9 <= len(remaining) <= 10 + 5 * burst_s + 1,
              f"burst capacity 2R = 10 (+ refill over {burst_s:.2f}s)", len(remaining))
        if limited is not None:
            check_rate_limited(limited, "over --rate-limit")
            e = limited.error() or {}
            check(e.get("message") == "too many requests"
                  and isinstance(e.get("retry_after_seconds"), int)
                  and e["retry_after_seconds"] >= 1,
                  "429 body: message 'too many requests', retry_after_seconds ≥ 1", limited)

        # Other tenants have their own bucket.
        r = create_tenant(srv, {"name": "fresh"})
        check(r.status == 201, "admin route still answers (admin is not the tenant's bucket)", r)
        fkey = (r.json or {}).get("api_key", "missing")
        r = srv.api("GET", "/api/v1/pipelines", key=fkey)
        check(r.status == 200, "another tenant's bucket is full", r)

        # Failed authentication is limited per client IP: a guessing burst turns into 429.
        codes = []
        for i in range(40):
            r = srv.api("GET", "/api/v1/pipelines", key=f"guess-{i:027d}")
            codes.append(r.code())
            if r.status == 429:
                break
        check(codes[0] == "invalid_api_key" and codes[-1] == "rate_limited",
              "key guessing is rate limited per IP (401s, then 429)", codes)
        # Admin routes are limited too ("every route except /health, /ready, /metrics").
        admin_codes = [srv.admin("GET", "/api/v1/tenants").status for _ in range(40)]
        check(429 in admin_codes, "admin routes are rate limited as well", admin_codes)
        # Order of checks (§6.8): route (404/405) before the rate limit.
        check_error(srv.api("GET", "/api/v1/no-such-route", key="guess-x"), 404, "not_found",
                    "an unknown route is 404 even with the IP's bucket empty")
        check_error(srv.api("PUT", "/api/v1/usage", key="guess-x"), 405, "method_not_allowed",
                    "a wrong method is 405 even with the IP's bucket empty")


def body(args):
    with Server(args.bin, api_key=API_KEY, admin_key=ADMIN_KEY) as srv:
        section(test_pipeline_and_stream_quota, srv)
        section(test_event_rate, srv)
        check(srv.running(), "the server is still running")
    section(test_request_rate_limit, args.bin)


if __name__ == "__main__":
    run_main("test_quotas", body)

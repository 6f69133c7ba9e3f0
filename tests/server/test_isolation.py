#!/usr/bin/env python3
"""Tenant isolation of `varpulis server` (spec/state-and-server.md §6.7), black-box.

Two tenants A and B, created through the admin API. For every pipeline endpoint, B naming A's
pipeline gets 404 pipeline_not_found with a body byte-identical to the one for a random missing
id (after substituting the id), and A's pipeline is left exactly as it was. B's list and usage
show only B's pipelines and counters; no response to B holds A's tenant id, pipeline id,
pipeline name or key.

Usage: test_isolation.py --bin PATH --shared PATH
"""
import uuid

from server_harness import (Server, check, check_error, create_tenant, deploy, event, inject,
                            inject_batch, outs, run_main)

ADMIN_KEY = "admin-key-isolation-0123456789abc"
API_KEY = "owner-key-isolation-0123456789abc"

SOURCE_A = """\
stream SecretAlphaStream = Tx
    .window(10s)
    .aggregate(n: count(), total: sum(amount))
    .emit()
"""
SOURCE_B = """\
stream BetaStream = Tx
    .window(10s)
    .aggregate(n: count(), total: sum(amount))
    .emit()
"""
T0 = 1767225600000


def tx(amount, ms):
    return event("Tx", {"amount": amount}, T0 + ms)


def body(args):
    with Server(args.bin, api_key=API_KEY, admin_key=ADMIN_KEY) as srv:
        ra = create_tenant(srv, {"name": "alpha-corp-secret", "quota_tier": "pro"})
        rb = create_tenant(srv, {"name": "beta-corp", "quota_tier": "pro"})
        check(ra.status == 201 and rb.status == 201, "two tenants created", (ra, rb))
        a, b = ra.json or {}, rb.json or {}
        key_a, key_b = a.get("api_key", "missing-a"), b.get("api_key", "missing-b")

        r = deploy(srv, "alpha-pipeline-name", SOURCE_A, key=key_a)
        check(r.status == 201, "A deploys", r)
        pid_a = (r.json or {}).get("id", "missing")
        r = deploy(srv, "beta-pipeline", SOURCE_B, key=key_b)
        check(r.status == 201, "B deploys", r)
        pid_b = (r.json or {}).get("id", "missing")

        r = inject_batch(srv, pid_a, [tx(1, 0), tx(2, 1000), tx(3, 2000)], key=key_a)
        check(r.status == 200 and (r.json or {}).get("accepted") == 3, "A injects 3", r)
        r = inject_batch(srv, pid_b, [tx(50, 0)], key=key_b)
        check(r.status == 200 and (r.json or {}).get("accepted") == 1, "B injects 1", r)
        cp_b = (srv.api("POST", f"/api/v1/pipelines/{pid_b}/checkpoint", {}, key=key_b).json
                or {}).get("checkpoint")
        cp_a = (srv.api("POST", f"/api/v1/pipelines/{pid_a}/checkpoint", {}, key=key_a).json
                or {}).get("checkpoint")
        check(isinstance(cp_a, dict) and isinstance(cp_b, dict), "both tenants checkpoint")
        metrics_a_before = srv.api("GET", f"/api/v1/pipelines/{pid_a}/metrics", key=key_a).json

        forbidden = [a.get("id"), pid_a, "alpha-pipeline-name", "alpha-corp-secret", key_a,
                     "SecretAlphaStream"]
        forbidden = [f for f in forbidden if f]
        b_responses = []

        def as_b(method, path, payload=None, raw=None):
            r = srv.request(method, path, body=payload, raw=raw, key=key_b)
            b_responses.append((f"{method} {path}", r))
            return r

        endpoints = [
            ("GET", "", None),
            ("GET", "/metrics", None),
            ("POST", "/events", tx(100, 3000)),
            ("POST", "/events-batch", {"events": [tx(100, 3000), tx(200, 4000)]}),
            ("POST", "/checkpoint", {}),
            ("POST", "/restore", {"checkpoint": cp_b}),
            ("POST", "/reload", {"source": SOURCE_B}),
            ("DELETE", "", None),
        ]
        for method, suffix, payload in endpoints:
            missing = str(uuid.uuid4())
            ra = as_b(method, f"/api/v1/pipelines/{pid_a}{suffix}", payload)
            rm = as_b(method, f"/api/v1/pipelines/{missing}{suffix}", payload)
            what = f"B: {method} …/{{A's id}}{suffix}"
            check_error(ra, 404, "pipeline_not_found", what)
            check((ra.error() or {}).get("message") == f"pipeline '{pid_a}' not found",
                  f"{what}: message names the id from the path", ra)
            check(ra.body.replace(pid_a.encode(), missing.encode()) == rm.body,
                  f"{what}: body byte-identical to a missing id's", (ra.body, rm.body))
            same_headers = ({k: v for k, v in ra.headers.items() if k not in ("date",)} ==
                            {k: v for k, v in rm.headers.items() if k not in ("date",)})
            check(same_headers, f"{what}: same headers as a missing id's",
                  (ra.headers, rm.headers))

        # A's pipeline is untouched by all of that.
        r = srv.api("GET", f"/api/v1/pipelines/{pid_a}", key=key_a)
        check(r.status == 200 and (r.json or {}).get("source") == SOURCE_A
              and (r.json or {}).get("status") == "running",
              "A's pipeline still exists with its own source", r)
        m = srv.api("GET", f"/api/v1/pipelines/{pid_a}/metrics", key=key_a).json or {}
        check(m.get("events_processed") == 3
              and m.get("last_checkpoint_id") == (metrics_a_before or {}).get("last_checkpoint_id"),
              "A's pipeline counters and checkpoints unchanged", (m, metrics_a_before))
        r = inject(srv, pid_a, tx(0, 12000), key=key_a)
        check(outs(r) == [
            {"stream": "SecretAlphaStream", "event_type": "SecretAlphaStream", "ts": T0 + 10000,
             "fields": {"n": 3, "total": 6.0}}],
              "A's window holds only A's 3 events", r)

        # B restoring A's checkpoint blob into B's own pipeline touches only B's pipeline.
        # (Not leak-checked: B holds A's blob here, so echoing its contents is no leak.)
        r = srv.api("POST", f"/api/v1/pipelines/{pid_b}/restore", {"checkpoint": cp_a}, key=key_b)
        check(r.status in (200, 400), "B restoring a foreign blob into its own pipeline: 200 or 400",
              r)
        m2 = srv.api("GET", f"/api/v1/pipelines/{pid_a}/metrics", key=key_a).json or {}
        check(m2.get("events_processed") == 4, "A's pipeline unaffected by B's restore", m2)

        # Lists, usage, tenant identity.
        r = as_b("GET", "/api/v1/pipelines")
        ids = [p.get("id") for p in (r.json or {}).get("pipelines", [])]
        check(r.status == 200 and ids == [pid_b] and (r.json or {}).get("total") == 1,
              "B lists only its own pipeline", r)
        r = srv.api("GET", "/api/v1/pipelines", key=key_a)
        ids = [p.get("id") for p in (r.json or {}).get("pipelines", [])]
        check(ids == [pid_a], "A lists only its own pipeline", r)
        r = srv.api("GET", "/api/v1/pipelines", key=API_KEY)
        check(r.status == 200 and (r.json or {}).get("pipelines") == [],
              "the default tenant sees neither", r)

        ub = as_b("GET", "/api/v1/usage").json or {}
        check(ub.get("tenant_id") == b.get("id") and ub.get("active_pipelines") == 1,
              "B's usage names B, 1 pipeline", ub)
        check(ub.get("events_processed") == 1 and ub.get("events_rejected") == 0
              and ub.get("output_events_emitted") == 0,
              "B's usage counts only B's 1 accepted event (none sent to A's id)", ub)
        ua = srv.api("GET", "/api/v1/usage", key=key_a).json or {}
        check(ua.get("tenant_id") == a.get("id") and ua.get("events_processed") == 4
              and ua.get("output_events_emitted") == 1,
              "A's usage counts only A's 4 events and 1 output", ua)

        # No response to B contained anything of A's.
        # (The id B itself put in the path may be echoed: "pipeline '<id>' not found".)
        leaks = [(what, f) for what, r in b_responses for f in forbidden
                 if f not in what
                 and (f.encode() in r.body or any(f in v for v in r.headers.values()))]
        check(not leaks, "no response to B holds A's tenant id, pipeline id, names or key "
              "(beyond the id B sent)", leaks)

        # Deleting tenant A removes its pipelines; B is unaffected.
        r = srv.admin("DELETE", f"/api/v1/tenants/{a.get('id')}")
        check(r.status == 200, "admin deletes A", r)
        check_error(srv.api("GET", f"/api/v1/pipelines/{pid_a}", key=key_a), 401,
                    "invalid_api_key", "A's key after A's deletion")
        r = as_b("GET", f"/api/v1/pipelines/{pid_b}")
        check(r.status == 200, "B's pipeline survives A's deletion", r)
        r = srv.admin("GET", f"/api/v1/tenants/{b.get('id')}")
        check(r.status == 200 and (r.json or {}).get("pipeline_count") == 1,
              "B still has its pipeline", r)


if __name__ == "__main__":
    run_main("test_isolation", body)

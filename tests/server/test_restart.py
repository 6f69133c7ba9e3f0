#!/usr/bin/env python3
"""Restarts of `varpulis server` with a persistent store (spec/state-and-server.md §4.7, §5.3,
§5.5–§5.7, §6.10), once with `--state-dir DIR` (FileStore) and once with `--state rocksdb:DIR`.

1. SIGTERM: a tenant and a tumbling-window pipeline with half a window injected; the server
   exits 0; after a restart on the same store the tenant's key works, the pipeline is listed
   with the same id, name, source and created_at, usage counters are kept, and the rest of the
   window plus an event past its end yields one aggregate over the events of both runs.
2. SIGKILL with `--checkpoint-interval 1s`: once a periodic checkpoint has completed after the
   injections (polled through the pipeline metrics' last_checkpoint_id), kill -9; the restart comes up ready, the
   state is the checkpoint's, everything acknowledged before is there.
3. `--api-key` rotation: restart with another key; the default tenant keeps its pipelines under
   the new key, the old key is 401 invalid_api_key.

Usage: test_restart.py --bin PATH --shared PATH
"""
import shutil
import signal
import subprocess
import time

from server_harness import (Server, check, check_error, create_tenant, deploy, event, inject,
                            inject_batch, outs, run_main, section, tempdir)

API_KEY = "owner-key-restart-0123456789abcdef"
API_KEY_2 = "owner-key-rotated-fedcba9876543210"
ADMIN_KEY = "admin-key-restart-0123456789abcdef"
T0 = 1767225600000

TOTALS = """\
stream Totals = Tx
    .window(10s)
    .aggregate(n: count(), total: sum(amount))
    .emit()
"""


def tx(amount, ms):
    return event("Tx", {"amount": amount}, T0 + ms)


def totals_rows(r):
    return [o for o in (outs(r) or []) if o.get("stream") == "Totals"]


def metrics(srv, pid, key):
    return srv.api("GET", f"/api/v1/pipelines/{pid}/metrics", key=key).json or {}


def wait_checkpoint_covering(srv, pid, key, before_id, since, timeout=15.0):
    """Polls the pipeline metrics until a checkpoint newer than `before_id` has completed and
    two --checkpoint-interval periods (1 s) have passed since `since` (the end of an inject):
    by then a periodic checkpoint taken after the inject has completed, whether or not the
    server skips checkpoints of an unchanged pipeline. Returns the last checkpoint id seen."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = metrics(srv, pid, key).get("last_checkpoint_id")
        if (isinstance(last, int) and last > before_id
                and time.monotonic() - since >= 2.2):
            return last
        time.sleep(0.1)  # polling interval of a bounded wait for the periodic checkpoint
    return last


def run_backend(binary, backend, root):
    state = f"{root}/{backend}-state"
    opt = ["--state-dir", state] if backend == "file" else ["--state", f"rocksdb:{state}"]
    tag = f"[{backend}]"
    keys = [API_KEY, API_KEY_2, ADMIN_KEY]

    # --- run 1: create, deploy, half a window; SIGTERM ------------------------------------
    srv = Server(binary, args=opt, api_key=API_KEY, admin_key=ADMIN_KEY)
    with srv:
        r = create_tenant(srv, {"name": "persisted", "quota_tier": "pro"})
        check(r.status == 201, f"{tag} tenant created", r)
        tenant = r.json or {}
        tkey = tenant.get("api_key", "missing")
        keys.append(tkey)
        r = create_tenant(srv, {"name": "custom", "quota": {"max_pipelines": 1,
                                                             "max_events_per_second": 7}})
        check(r.status == 201, f"{tag} custom-quota tenant created", r)
        custom = r.json or {}
        r = deploy(srv, "totals", TOTALS, key=tkey)
        check(r.status == 201, f"{tag} tenant deploys", r)
        pid = (r.json or {}).get("id", "missing")
        r = deploy(srv, "owner-pipe", TOTALS)
        check(r.status == 201, f"{tag} default tenant deploys", r)
        owner_pid = (r.json or {}).get("id", "missing")
        r = inject_batch(srv, pid, [tx(1, 0), tx(2, 1000), tx(3, 2000)], key=tkey)
        check(r.status == 200 and (r.json or {}).get("accepted") == 3 and totals_rows(r) == [],
              f"{tag} half a window injected", r)
        r = inject_batch(srv, owner_pid, [tx(100, 0)])
        check(r.status == 200, f"{tag} default tenant injects", r)
        before = srv.api("GET", f"/api/v1/pipelines/{pid}", key=tkey).json or {}
        tenant_before = srv.admin("GET", f"/api/v1/tenants/{tenant.get('id')}").json or {}
        rc = srv.stop(signal.SIGTERM)
        check(rc == 0, f"{tag} SIGTERM → exit 0", (rc, srv.log_tail()))
        log1 = srv.log()

    # --- run 2: everything is back; finish the window; deploy another; SIGKILL -----------
    srv = Server(binary, args=opt + ["--checkpoint-interval", "1s"], api_key=API_KEY,
                 admin_key=ADMIN_KEY)
    with srv:
        r = srv.api("GET", "/api/v1/pipelines", key=tkey)
        check(r.status == 200, f"{tag} the tenant's key works after restart", r)
        listed = (r.json or {}).get("pipelines") or [{}]
        p = listed[0]
        check(len(listed) == 1 and p.get("id") == pid and p.get("name") == "totals"
              and p.get("source") == TOTALS and p.get("created_at") == before.get("created_at")
              and p.get("status") == "running",
              f"{tag} pipeline listed with the same id, name, source, created_at", (p, before))
        t = srv.admin("GET", f"/api/v1/tenants/{tenant.get('id')}").json or {}
        check(t.get("name") == "persisted" and t.get("tier") == "pro"
              and t.get("created_at") == tenant_before.get("created_at")
              and t.get("api_key_hint") == tkey[-4:],
              f"{tag} tenant record kept (name, tier, created_at, hint)", (t, tenant_before))
        u = srv.api("GET", "/api/v1/usage", key=tkey).json or {}
        check(u.get("events_processed") == 3 and u.get("output_events_emitted") == 0
              and u.get("active_pipelines") == 1,
              f"{tag} usage counters kept across SIGTERM", u)
        c = srv.api("GET", "/api/v1/usage", key=custom.get("api_key", "missing")).json or {}
        check(c.get("tier") == "custom" and c.get("quota") == {
            "max_pipelines": 1, "max_events_per_second": 7, "max_streams_per_pipeline": 50},
              f"{tag} a custom quota is kept across restarts", c)
        m = metrics(srv, pid, tkey)
        check(m.get("events_processed") == 3, f"{tag} pipeline counters restored", m)
        r = srv.api("GET", "/api/v1/pipelines")
        check([q.get("id") for q in (r.json or {}).get("pipelines", [])] == [owner_pid],
              f"{tag} default tenant's pipeline kept", r)

        r = inject(srv, pid, tx(4, 5000), key=tkey)
        check(r.status == 200 and totals_rows(r) == [], f"{tag} rest of the window", r)
        r = inject(srv, pid, tx(0, 12000), key=tkey)
        check(totals_rows(r) == [{"stream": "Totals", "event_type": "Totals", "ts": T0 + 10000,
                                  "fields": {"n": 4, "total": 10.0}}],
              f"{tag} the aggregate covers events from both runs (n 4, total 10)", r)

        # A pipeline deployed now, with half a window, then a checkpoint past it, then kill -9.
        r = deploy(srv, "killed", TOTALS, key=tkey)
        check(r.status == 201, f"{tag} deploy before the kill", r)
        kpid = (r.json or {}).get("id", "missing")
        r = inject_batch(srv, kpid, [tx(10, 0), tx(20, 1000)], key=tkey)
        since = time.monotonic()
        check(r.status == 200 and (r.json or {}).get("accepted") == 2, f"{tag} inject 2", r)
        after = metrics(srv, kpid, tkey).get("last_checkpoint_id") or 0
        cp1 = wait_checkpoint_covering(srv, kpid, tkey, after, since)
        check(isinstance(cp1, int) and cp1 > after,
              f"{tag} a periodic checkpoint follows the inject (--checkpoint-interval 1s)",
              (after, cp1))
        r = inject(srv, kpid, tx(30, 2000), key=tkey)
        since = time.monotonic()
        check(r.status == 200, f"{tag} inject a third", r)
        cp2 = wait_checkpoint_covering(srv, kpid, tkey, cp1 or 0, since)
        check(isinstance(cp2, int) and isinstance(cp1, int) and cp2 > cp1,
              f"{tag} periodic checkpoints go on after new events", (cp1, cp2))
        reloaded = TOTALS.replace("total: sum(amount))", "total: sum(amount), hi: max(amount))")
        r = srv.api("POST", f"/api/v1/pipelines/{owner_pid}/reload", {"source": reloaded})
        check(r.status == 200, f"{tag} reload acknowledged before the kill", r)
        usage_before_kill = srv.api("GET", "/api/v1/usage", key=tkey).json or {}
        rc = srv.stop(signal.SIGKILL)
        check(rc == -signal.SIGKILL, f"{tag} SIGKILL", rc)
        log2 = srv.log()

    # --- run 3: after SIGKILL; rotate --api-key ------------------------------------------
    srv = Server(binary, args=opt + ["--checkpoint-interval", "1s"], api_key=API_KEY_2,
                 admin_key=ADMIN_KEY)
    with srv:
        check(srv.get("/ready").status == 200, f"{tag} ready after SIGKILL", srv.log_tail())
        r = srv.api("GET", "/api/v1/pipelines", key=tkey)
        ids = [q.get("id") for q in (r.json or {}).get("pipelines", [])]
        check(r.status == 200 and ids == [pid, kpid],
              f"{tag} both pipelines survive the kill (deploy was acknowledged)", r)
        m = metrics(srv, kpid, tkey)
        check(m.get("events_processed") == 3, f"{tag} killed pipeline: state of the checkpoint",
              m)
        r = inject(srv, kpid, tx(0, 12000), key=tkey)
        check(totals_rows(r) == [{"stream": "Totals", "event_type": "Totals", "ts": T0 + 10000,
                                  "fields": {"n": 3, "total": 60.0}}],
              f"{tag} the window checkpointed before SIGKILL closes with its 3 events", r)
        u = srv.api("GET", "/api/v1/usage", key=tkey).json or {}
        check(isinstance(u.get("events_processed"), int)
              and 3 + 1 <= u["events_processed"]
              <= usage_before_kill.get("events_processed", 0) + 1,
              f"{tag} usage after SIGKILL: at least the 3 persisted at SIGTERM, at most what was "
              f"counted before the kill (+1 just now; counters may lag up to 10 s)",
              (u, usage_before_kill))

        # --api-key rotation: the default tenant keeps its pipeline under the new key.
        r = srv.api("GET", "/api/v1/pipelines", key=API_KEY_2)
        check(r.status == 200
              and [q.get("id") for q in (r.json or {}).get("pipelines", [])] == [owner_pid],
              f"{tag} rotated --api-key: default tenant keeps its pipeline", r)
        u = srv.api("GET", "/api/v1/usage", key=API_KEY_2).json or {}
        check(u.get("tenant_id") == "default" and u.get("events_processed") == 1,
              f"{tag} rotated key: same default tenant and counters", u)
        g = srv.api("GET", f"/api/v1/pipelines/{owner_pid}", key=API_KEY_2).json or {}
        check(g.get("source") == reloaded and g.get("status") == "running",
              f"{tag} the source reloaded before SIGKILL is the one recovered", g)
        check_error(srv.api("GET", "/api/v1/pipelines", key=API_KEY), 401, "invalid_api_key",
                    f"{tag} the old --api-key after rotation")
        tenants = (srv.admin("GET", "/api/v1/tenants").json or {}).get("tenants", [])
        check(sum(1 for t in tenants if t.get("id") == "default") == 1
              and len(tenants) == 3,
              f"{tag} one default tenant, no second one on rotation", tenants)
        rc = srv.stop(signal.SIGTERM)
        check(rc == 0, f"{tag} SIGTERM → exit 0", rc)
        log3 = srv.log()

    # --- run 4: a clean restart after the rotation; the tenant deleted before --------------
    srv = Server(binary, args=opt, api_key=API_KEY_2, admin_key=ADMIN_KEY)
    with srv:
        r = srv.admin("DELETE", f"/api/v1/tenants/{tenant.get('id')}")
        check(r.status == 200, f"{tag} delete the tenant", r)
        rc = srv.stop(signal.SIGTERM)
        check(rc == 0, f"{tag} SIGTERM → exit 0", rc)
        log4 = srv.log()
    srv = Server(binary, args=opt, api_key=API_KEY_2, admin_key=ADMIN_KEY)
    with srv:
        check_error(srv.api("GET", "/api/v1/pipelines", key=tkey), 401, "invalid_api_key",
                    f"{tag} a deleted tenant stays deleted after restart")
        r = srv.api("GET", "/api/v1/pipelines", key=API_KEY_2)
        check(r.status == 200 and len((r.json or {}).get("pipelines", [])) == 1,
              f"{tag} default tenant intact", r)
        log5 = srv.log()

    logs = "\n".join([log1, log2, log3, log4, log5])
    check(not any(k in logs for k in keys), f"{tag} no key ever appears in the server's log")


def test_bad_store(binary, root):
    """An unusable state store: exit 2 with a message, before listening."""
    path = f"{root}/not-a-dir"
    with open(path, "w") as f:
        f.write("x")
    rc, err = run_briefly([binary, "server", "--port", "0", "--bind", "127.0.0.1",
                           "--state-dir", path])
    check(rc == 2 and "not-a-dir" in err, "--state-dir on a file → exit 2 naming it",
          (rc, err[-400:]))
    rc, err = run_briefly([binary, "server", "--port", "0", "--bind", "127.0.0.1",
                           "--state-dir", root, "--state", f"rocksdb:{root}/r"])
    check(rc == 2, "--state-dir together with --state → exit 2", (rc, err[-400:]))


def run_briefly(cmd, timeout=20):
    """Runs a command that must exit by itself; → (exit code or None if it kept running,
    stderr)."""
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    try:
        _, err = p.communicate(timeout=timeout)
        return p.returncode, err
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
        return None, err


def body(args):
    root = tempdir("vp-srv-restart-")
    try:
        for backend in ("file", "rocksdb"):
            section(run_backend, args.bin, backend, root)
        section(test_bad_store, args.bin, root)
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    run_main("test_restart", body)

#!/usr/bin/env python3
"""Startup recovery of `varpulis server` over a damaged FileStore (spec/state-and-server.md §2.2,
§3, §4.7, §5.5, §5.6). The store's files are edited between runs exactly as a disk fault, an
old binary or an operator would leave them; the key → file mapping is the one §2.2 specifies
(`varpulis:tenant:<tid>:pipeline:<pid>` → `varpulis/tenant/<tid>/pipeline/<pid>.v`).

- a pipeline whose saved source no longer compiles is kept with status `error`, its source and
  checkpoints untouched; inject, batch, checkpoint and restore answer 409 pipeline_not_running;
  a reload that compiles makes it `running` again;
- the newest checkpoint flipped or torn → skipped with a warning, the previous one restored
  (`varpulis_checkpoint_restores_total{result="skipped"}` counts it);
- a tenant record that does not parse → skipped with an error naming the key, everyone else
  served; its pipelines are orphans, ignored;
- a record of an unknown `record` version → skipped and never rewritten;
- foreign files in the state directory → ignored;
- `P:meta` with a newer layout → the server refuses to start (exit 2).

Usage: test_recovery.py --bin PATH --shared PATH
"""
import glob
import json
import os
import shutil
import signal
import subprocess
import time

from server_harness import (Server, check, check_error, create_tenant, deploy, event, inject,
                            inject_batch, outs, parse_prometheus, run_main, section, tempdir)

API_KEY = "owner-key-recovery-0123456789abcd"
ADMIN_KEY = "admin-key-recovery-0123456789abcd"
T0 = 1767225600000

TOTALS = """\
stream Totals = Tx
    .window(10s)
    .aggregate(n: count(), total: sum(amount))
    .emit()
"""
BROKEN = "stream Totals = Tx\n    .where(\n"


def tx(amount, ms):
    return event("Tx", {"amount": amount}, T0 + ms)


def start(binary, state, **kw):
    return Server(binary, args=["--state-dir", state], api_key=API_KEY, admin_key=ADMIN_KEY, **kw)


def pipeline_file(state, tid, pid):
    return os.path.join(state, "varpulis", "tenant", tid, "pipeline", f"{pid}.v")


def tenant_file(state, tid):
    return os.path.join(state, "varpulis", "tenant", f"{tid}.v")


def checkpoint_files(state, tid, pid):
    return sorted(glob.glob(os.path.join(state, "varpulis", "tenant", tid, "pipeline", pid,
                                         "checkpoint", "*.v")))


def read_json(path):
    with open(path, "rb") as f:
        return json.loads(f.read().decode("utf-8"))


def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)


def test_uncompilable_and_corrupt(binary, root):
    state = os.path.join(root, "state")
    with start(binary, state) as srv:
        t = create_tenant(srv, {"name": "rec", "quota_tier": "pro"}).json or {}
        tid, key = t.get("id", "missing"), t.get("api_key", "missing")
        broken_pid = (deploy(srv, "will-break", TOTALS, key=key).json or {}).get("id", "missing")
        cp_pid = (deploy(srv, "corrupt-cp", TOTALS, key=key).json or {}).get("id", "missing")
        torn_pid = (deploy(srv, "torn-cp", TOTALS, key=key).json or {}).get("id", "missing")
        inject_batch(srv, broken_pid, [tx(1, 0)], key=key)
        r = srv.api("POST", f"/api/v1/pipelines/{broken_pid}/checkpoint", {}, key=key)
        check(r.status == 200, "checkpoint the pipeline that will break", r)
        good_ids = {}
        for pid in (cp_pid, torn_pid):
            inject(srv, pid, tx(1, 0), key=key)
            a = srv.api("POST", f"/api/v1/pipelines/{pid}/checkpoint", {}, key=key).json or {}
            inject(srv, pid, tx(2, 1000), key=key)
            b = srv.api("POST", f"/api/v1/pipelines/{pid}/checkpoint", {}, key=key).json or {}
            check(a.get("events_processed") == 1 and b.get("events_processed") == 2,
                  "two explicit checkpoints, after 1 and 2 events", (a, b))
            good_ids[pid] = (a.get("checkpoint_id"), b.get("checkpoint_id"))
        rc = srv.stop(signal.SIGKILL)  # no shutdown checkpoint: the newest is the explicit one
        check(rc == -signal.SIGKILL, "SIGKILL", rc)

    # Damage the store.
    pfile = pipeline_file(state, tid, broken_pid)
    check(os.path.isfile(pfile), "pipeline record at varpulis/tenant/<tid>/pipeline/<pid>.v",
          pfile)
    record = {}
    try:
        record = read_json(pfile)
    except (OSError, ValueError) as e:
        check(False, "pipeline record is JSON", e)
    check(record.get("record") == 1 and record.get("id") == broken_pid
          and record.get("tenant_id") == tid and record.get("source") == TOTALS,
          "pipeline record {record: 1, id, tenant_id, source} (§5.5)", record)
    record["source"] = BROKEN
    write_bytes(pfile, json.dumps(record).encode())
    broken_cps_before = checkpoint_files(state, tid, broken_pid)
    check(broken_cps_before, "the broken pipeline has checkpoint files", broken_cps_before)

    damaged = {}
    for pid, how in ((cp_pid, "flip"), (torn_pid, "torn")):
        files = checkpoint_files(state, tid, pid)
        newest_id = good_ids[pid][1]
        newest = [f for f in files if os.path.basename(f) == f"{newest_id:020d}.v"] \
            if isinstance(newest_id, int) else []
        if not check(len(newest) == 1, f"checkpoint file <id20>.v for id {newest_id}", files):
            continue
        data = bytearray(open(newest[0], "rb").read())
        if how == "flip":
            data[len(data) // 2] ^= 0x10
        else:
            data = data[: len(data) // 2]
        write_bytes(newest[0], bytes(data))
        damaged[pid] = newest_id
    foreign = os.path.join(state, "README.txt")
    write_bytes(foreign, b"an operator's note\n")

    with start(binary, state) as srv:
        check(srv.get("/ready").status == 200, "ready after the damage", srv.log_tail())
        r = srv.api("GET", f"/api/v1/pipelines/{broken_pid}", key=key)
        g = r.json or {}
        check(r.status == 200 and g.get("status") == "error"
              and isinstance(g.get("error"), str) and g["error"] != "",
              "an uncompilable pipeline is kept with status error and a message", r)
        check(g.get("source") == BROKEN, "its source is untouched", g.get("source"))
        check(checkpoint_files(state, tid, broken_pid) == broken_cps_before,
              "its checkpoints are untouched")
        listed = srv.api("GET", "/api/v1/pipelines", key=key).json or {}
        check(sorted(p.get("id") for p in listed.get("pipelines", []))
              == sorted([broken_pid, cp_pid, torn_pid]), "all three pipelines listed", listed)
        for what, r in [
                ("inject", inject(srv, broken_pid, tx(5, 2000), key=key)),
                ("batch", inject_batch(srv, broken_pid, [tx(5, 2000)], key=key)),
                ("checkpoint", srv.api("POST", f"/api/v1/pipelines/{broken_pid}/checkpoint", {},
                                       key=key)),
        ]:
            check_error(r, 409, "pipeline_not_running", f"{what} into a pipeline in error")
        cp = (srv.api("POST", f"/api/v1/pipelines/{cp_pid}/checkpoint", {}, key=key).json
              or {}).get("checkpoint")
        r = srv.api("POST", f"/api/v1/pipelines/{broken_pid}/restore", {"checkpoint": cp},
                    key=key)
        check_error(r, 409, "pipeline_not_running", "restore into a pipeline in error")
        m = srv.api("GET", f"/api/v1/pipelines/{broken_pid}/metrics", key=key)
        check(m.status == 200, "metrics of a pipeline in error → 200", m)

        r = srv.api("POST", f"/api/v1/pipelines/{broken_pid}/reload", {"source": TOTALS},
                    key=key)
        check(r.status == 200 and (r.json or {}).get("reloaded") is True,
              "a reload that compiles → 200", r)
        g = srv.api("GET", f"/api/v1/pipelines/{broken_pid}", key=key).json or {}
        check(g.get("status") == "running" and g.get("error") is None,
              "… and the pipeline is running again", g)
        r = inject(srv, broken_pid, tx(5, 2000), key=key)
        check(r.status == 200, "inject after the repairing reload", r)

        for pid, bad_id in damaged.items():
            m = srv.api("GET", f"/api/v1/pipelines/{pid}/metrics", key=key).json or {}
            check(m.get("events_processed") == 1,
                  f"damaged newest checkpoint {bad_id} skipped: the previous one (1 event) "
                  f"restored", m)
            r = inject(srv, pid, tx(0, 12000), key=key)
            check(outs(r) == [{"stream": "Totals", "event_type": "Totals", "ts": T0 + 10000,
                               "fields": {"n": 1, "total": 1.0}}],
                  "the restored window holds the first event only", r)
        log = srv.log().lower()
        check(all(str(i) in log or f"{i:020d}" in log for i in damaged.values())
              and ("skip" in log or "corrupt" in log or "invalid" in log),
              "the log warns about each skipped checkpoint, naming its id", srv.log_tail(40))
        text = srv.get("/metrics", admin=ADMIN_KEY).body.decode("utf-8", "replace")
        samples, _ = parse_prometheus(text)
        skipped = sum(v for n, lab, v in samples if n == "varpulis_checkpoint_restores_total"
                      and lab.get("result") == "skipped")
        check(skipped >= len(damaged),
              f"varpulis_checkpoint_restores_total{{result=\"skipped\"}} ≥ {len(damaged)}",
              skipped)
        check(os.path.exists(foreign), "a foreign file in the state directory is left alone")
        srv.stop()


def test_bad_records(binary, root):
    state = os.path.join(root, "state2")
    with start(binary, state) as srv:
        good = create_tenant(srv, {"name": "good"}).json or {}
        bad = create_tenant(srv, {"name": "bad"}).json or {}
        future = create_tenant(srv, {"name": "future"}).json or {}
        gpid = (deploy(srv, "g", TOTALS, key=good.get("api_key")).json or {}).get("id")
        bpid = (deploy(srv, "b", TOTALS, key=bad.get("api_key")).json or {}).get("id")
        check(bool(gpid and bpid), "deploys before the damage")
        check(srv.stop() == 0, "SIGTERM → exit 0")

    bad_file = tenant_file(state, bad.get("id", "missing"))
    check(os.path.isfile(bad_file), "tenant record at varpulis/tenant/<tid>.v", bad_file)
    write_bytes(bad_file, b'{"record": 1, "id": "')
    fut_file = tenant_file(state, future.get("id", "missing"))
    rec = {}
    try:
        rec = read_json(fut_file)
    except (OSError, ValueError) as e:
        check(False, "tenant record is JSON", e)
    check(rec.get("record") == 1 and "api_key" not in rec
          and isinstance(rec.get("api_key_sha256"), str) and len(rec["api_key_sha256"]) == 64
          and rec.get("api_key_hint") == (future.get("api_key") or "")[-4:],
          "tenant record: record 1, SHA-256 digest and hint, never the key (§5.5)",
          {k: v for k, v in rec.items() if k != "api_key"})
    check(future.get("api_key", "-") not in open(fut_file, encoding="utf-8",
                                                 errors="replace").read(),
          "the key itself is not stored")
    rec["record"] = 99
    fut_bytes = json.dumps(rec).encode()
    write_bytes(fut_file, fut_bytes)

    with start(binary, state) as srv:
        check(srv.get("/ready").status == 200, "ready despite the bad records", srv.log_tail())
        r = srv.api("GET", "/api/v1/pipelines", key=good.get("api_key"))
        check(r.status == 200 and [p.get("id") for p in (r.json or {}).get("pipelines", [])]
              == [gpid], "an intact tenant is served with its pipeline", r)
        check_error(srv.api("GET", "/api/v1/pipelines", key=bad.get("api_key")), 401,
                    "invalid_api_key", "the unparsable tenant record is skipped")
        check_error(srv.api("GET", "/api/v1/pipelines", key=future.get("api_key")), 401,
                    "invalid_api_key", "a record of an unknown version is skipped")
        log = srv.log()
        check(bad.get("id", "-") in log, "the log names the unparsable tenant record's key",
              srv.log_tail(30))
        ids = {t.get("id") for t in (srv.admin("GET", "/api/v1/tenants").json or {}).get(
            "tenants", [])}
        check(good.get("id") in ids and bad.get("id") not in ids and future.get("id") not in ids,
              "the admin list shows only the tenants that loaded", ids)
        check(srv.stop() == 0, "SIGTERM → exit 0")
    check(open(fut_file, "rb").read() == fut_bytes,
          "the unknown-version record was never rewritten")


def test_deletes_remove_data(binary, root):
    """§6.6 delete pipeline: record and checkpoints; §6.7: deleting a tenant deletes every key
    under P:tenant:<tid>."""
    state = os.path.join(root, "state4")
    with start(binary, state) as srv:
        t = create_tenant(srv, {"name": "doomed"}).json or {}
        tid, key = t.get("id", "missing"), t.get("api_key", "missing")
        p1 = (deploy(srv, "a", TOTALS, key=key).json or {}).get("id", "missing")
        p2 = (deploy(srv, "b", TOTALS, key=key).json or {}).get("id", "missing")
        for pid in (p1, p2):
            inject(srv, pid, tx(1, 0), key=key)
            srv.api("POST", f"/api/v1/pipelines/{pid}/checkpoint", {}, key=key)
        check(os.path.isfile(pipeline_file(state, tid, p1)) and checkpoint_files(state, tid, p1),
              "pipeline record and checkpoints on disk")
        r = srv.api("DELETE", f"/api/v1/pipelines/{p1}", key=key)
        check(r.status == 200, "delete a pipeline", r)
        check(not os.path.exists(pipeline_file(state, tid, p1))
              and not checkpoint_files(state, tid, p1),
              "deleting a pipeline removes its record and checkpoints",
              [f for f in glob.glob(os.path.join(state, "**", "*.v"), recursive=True)
               if p1 in f])
        r = srv.admin("DELETE", f"/api/v1/tenants/{tid}")
        check(r.status == 200, "delete the tenant", r)
        left = [f for f in glob.glob(os.path.join(state, "**", "*.v"), recursive=True)
                if tid in f]
        check(not left, "deleting a tenant removes every key under P:tenant:<tid>", left)
        check(srv.stop() == 0, "SIGTERM → exit 0")
    with start(binary, state) as srv:
        check_error(srv.api("GET", "/api/v1/pipelines", key=key), 401, "invalid_api_key",
                    "the deleted tenant stays deleted")


def test_not_ready_while_recovering(binary, root):
    """§6.9/§5.6: the listener may open before recovery ends; meanwhile /ready is 503
    {"status": "not_ready", "reason": "recovering"}, tenant routes 503 not_ready, /health 200.
    150 pipelines with 900 buffered events each make recovery long enough to observe."""
    state = os.path.join(root, "state5")
    prog = "stream W = Tx\n    .window(1000)\n    .emit()\n"
    with start(binary, state) as srv:
        for i in range(150):
            pid = (deploy(srv, f"p{i}", prog).json or {}).get("id", "missing")
            inject_batch(srv, pid, [event("Tx", {"a": j, "pad": "x" * 50}, T0 + j)
                                    for j in range(900)])
        check(srv.stop() == 0, "SIGTERM → exit 0 (150 pipelines checkpointed)")
    srv = start(binary, state, expect_ready=False)
    with srv:
        first = srv.get("/ready")
        if first.status == 503:
            tenant = srv.api("GET", "/api/v1/usage", key=API_KEY)
            health = srv.get("/health")
            check(first.json == {"status": "not_ready", "reason": "recovering"},
                  "/ready during recovery: 503 {status: not_ready, reason: recovering}", first)
            if tenant.status == 503:
                check_error(tenant, 503, "not_ready", "a tenant route during recovery")
            else:
                check(tenant.status == 200, "a tenant route right after recovery", tenant)
            check(health.status == 200, "/health is 200 during recovery", health)
        else:
            print("note: recovery finished before the first /ready; not_ready not observed",
                  flush=True)
            check(first.status == 200, "/ready 200", first)
        srv.wait_ready()
        u = srv.api("GET", "/api/v1/usage", key=API_KEY).json or {}
        check(u.get("active_pipelines") == 150 and u.get("events_processed") == 135000,
              "after recovery: 150 pipelines, 135 000 events", u)


def test_counters_persist_periodically(binary, root):
    """§5.3: usage counters are persisted with the checkpoint rounds, at most every 10 s while
    they change — not only at shutdown. Polls the tenant record (§5.5) until it shows the
    injected events (bounded at 20 s), then SIGKILL: the restart reports them."""
    state = os.path.join(root, "state6")
    args = ["--checkpoint-interval", "1s"]
    with Server(binary, args=["--state-dir", state] + args, api_key=API_KEY,
                admin_key=ADMIN_KEY) as srv:
        t = create_tenant(srv, {"name": "counted"}).json or {}
        tid, key = t.get("id", "missing"), t.get("api_key", "missing")
        pid = (deploy(srv, "c", TOTALS, key=key).json or {}).get("id", "missing")
        r = inject_batch(srv, pid, [tx(i, i) for i in range(5)], key=key)
        check(r.status == 200, "inject 5", r)
        path = tenant_file(state, tid)
        deadline = time.monotonic() + 20
        stored = None
        while time.monotonic() < deadline:
            try:
                stored = read_json(path).get("events_processed")
            except (OSError, ValueError):
                stored = None
            if stored == 5:
                break
            time.sleep(0.2)  # polling interval of a bounded wait for the periodic persist
        check(stored == 5, "within ~10 s the tenant record holds events_processed 5", stored)
        check(srv.stop(signal.SIGKILL) == -signal.SIGKILL, "SIGKILL")
    with Server(binary, args=["--state-dir", state] + args, api_key=API_KEY,
                admin_key=ADMIN_KEY) as srv:
        u = srv.api("GET", "/api/v1/usage", key=key).json or {}
        check(u.get("events_processed") == 5, "after SIGKILL the usage counters are back", u)


def test_newer_layout(binary, root):
    state = os.path.join(root, "state3")
    with start(binary, state) as srv:
        check(srv.stop() == 0, "a fresh store: SIGTERM → exit 0")
    meta = os.path.join(state, "varpulis", "meta.v")
    check(os.path.isfile(meta), "P:meta at varpulis/meta.v", meta)
    try:
        m = read_json(meta)
    except (OSError, ValueError):
        m = {}
    check(m.get("layout") == 1, "P:meta says layout 1", m)
    write_bytes(meta, json.dumps({"layout": 2, "written_by": "varpulis 9.0.0"}).encode())
    p = subprocess.Popen([binary, "server", "--port", "0", "--bind", "127.0.0.1",
                          "--state-dir", state], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _, err = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    check(p.returncode == 2 and "layout" in err,
          "a newer P:meta layout → exit 2 with a message", (p.returncode, err[-400:]))


def body(args):
    root = tempdir("vp-srv-recovery-")
    try:
        section(test_uncompilable_and_corrupt, args.bin, root)
        section(test_bad_records, args.bin, root)
        section(test_deletes_remove_data, args.bin, root)
        section(test_not_ready_while_recovering, args.bin, root)
        section(test_counters_persist_periodically, args.bin, root)
        section(test_newer_layout, args.bin, root)
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    run_main("test_recovery", body)

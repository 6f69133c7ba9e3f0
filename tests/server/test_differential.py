#!/usr/bin/env python3
"""The server computes what `varpulis simulate` computes (spec/state-and-server.md §6.2, §6.6;
spec/vpl.md §11): a program mixing a filter with string functions, a partitioned tumbling
window with aggregates, a partitioned SASE pattern with `.within`, `.distinct`, `.limit` and
array/map values runs over generated events (seed printed) once through `simulate --output
jsonl` and once through the REST API in batches of random sizes; each stream's outputs must be
equal (stream, ts, fields with their values and order).

Then the same with the run cut in the middle:
- POST …/checkpoint, a fresh pipeline with the same source, POST …/restore into it, the second
  half injected there;
- a restart with SIGTERM (shutdown checkpoint) on --state-dir;
- SIGKILL right after an explicit checkpoint, on --state rocksdb:DIR.
Every variant must still produce exactly simulate's outputs.

Usage: test_differential.py --bin PATH --shared PATH [--seed S]
"""
import json
import os
import random
import shutil
import signal
import subprocess

from server_harness import (Server, check, deploy, run_main, section, tempdir)

API_KEY = "owner-key-differential-0123456789"
EVENTS = 1500

PROGRAM = """\
stream Big = Reading
    .where(value > 90)
    .emit(sensor: sensor, value: value, tag: upper(sensor) + "!")

stream PerSensor = Reading
    .partition_by(sensor)
    .window(5s)
    .aggregate(n: count(), total: sum(value), hi: max(value), mean: avg(value))
    .emit()

stream Paid = Order as o
    -> Pay where amount >= o.total as p
    .partition_by(id)
    .within(30s)
    .emit(id: o.id, total: o.total, paid: p.amount)

stream FirstSeen = Reading
    .distinct(sensor)
    .emit(sensor: sensor, first: value)

stream FirstThree = Order
    .limit(3)
    .emit(id: id, items: items, meta: meta)
"""


TYPED = """\
event Reading:
    sensor: str
    value: float

stream Quarters = Reading
    .emit(sensor: sensor, q: value / 4, kind: type_of(value))

stream Copies = Reading
    .where(sensor == "s0")
    .emit()

stream Stats = Reading
    .partition_by(sensor)
    .window(3s)
    .aggregate(n: count(), s: sum(value), lo: min(value), hi: max(value))
    .having(n > 1)
    .emit()
"""


def generate_typed(seed, n):
    """Declared-event input with ints for a float field (widened), strings and nulls in its
    place, missing and extra fields."""
    rng = random.Random(seed ^ 0x5EED)
    t = 1767225600000
    out = []
    for _ in range(n):
        t += rng.randrange(0, 700)
        fields = {"sensor": f"s{rng.randrange(4)}"}
        k = rng.random()
        if k < 0.4:
            fields["value"] = rng.randrange(-50, 50)
        elif k < 0.8:
            fields["value"] = round(rng.uniform(-50, 50), 2)
        elif k < 0.88:
            fields["value"] = "n/a"
        elif k < 0.94:
            fields["value"] = None
        if rng.random() < 0.2:
            fields["extra"] = [rng.randrange(5), {"x": "y"}]
        out.append({"event_type": "Reading", "ts": t, "fields": fields})
    return out


def generate(seed, n):
    rng = random.Random(seed)
    t = 1767225600000
    out = []
    for _ in range(n):
        t += rng.randrange(0, 400)
        k = rng.random()
        if k < 0.7:
            v = rng.choice([rng.randrange(0, 100), round(rng.uniform(0, 100), 3)])
            e = {"event_type": "Reading", "ts": t,
                 "fields": {"sensor": f"s{rng.randrange(5)}", "value": v}}
        elif k < 0.85:
            e = {"event_type": "Order", "ts": t,
                 "fields": {"id": f"o{rng.randrange(20)}", "total": rng.randrange(10, 100),
                            "items": [1, "two", None, 3.5, rng.randrange(9)],
                            "meta": {"z": rng.randrange(3), "a": [True, False], "s": "é✓"}}}
        else:
            e = {"event_type": "Pay", "ts": t,
                 "fields": {"id": f"o{rng.randrange(20)}", "amount": rng.randrange(0, 120)}}
        out.append(e)
    return out


def rest_event(e):
    return {"event_type": e["event_type"], "fields": e["fields"], "timestamp": e["ts"]}


def by_stream(rows):
    d = {}
    for r in rows:
        d.setdefault(r.get("stream"), []).append((r.get("ts"), r.get("fields")))
    return d


def simulate(binary, work, events, program=PROGRAM):
    prog = os.path.join(work, "mix.vpl")
    evs = os.path.join(work, "mix.jsonl")
    with open(prog, "w", encoding="utf-8") as f:
        f.write(program)
    with open(evs, "w", encoding="utf-8") as f:
        for e in events:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
    p = subprocess.run([binary, "simulate", "-p", prog, "-e", evs, "--immediate", "--output",
                        "jsonl"], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"simulate failed ({p.returncode}): {p.stderr[-500:]}")
    return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]


def feed(srv, pid, events, rng):
    """Injects `events` in batches of random sizes (some single); returns (outputs, problems)."""
    rows, problems = [], []
    i = 0
    while i < len(events):
        size = rng.choice([1, 1, 2, 5, 17, 60])
        chunk = events[i:i + size]
        if size == 1:
            r = srv.api("POST", f"/api/v1/pipelines/{pid}/events", rest_event(chunk[0]))
            ok = r.status == 200 and (r.json or {}).get("accepted") is True
        else:
            r = srv.api("POST", f"/api/v1/pipelines/{pid}/events-batch",
                        {"events": [rest_event(e) for e in chunk]})
            ok = r.status == 200 and (r.json or {}).get("accepted") == len(chunk)
        if not ok:
            problems.append((i, r))
        rows.extend((r.json or {}).get("output_events") or [])
        i += size
    return rows, problems


def compare(got, want, what, types_are_streams=True):
    g, w = by_stream(got), by_stream(want)
    check(sorted(g) == sorted(w), f"{what}: the same streams emit", (sorted(g), sorted(w)))
    for stream in sorted(w):
        a, b = g.get(stream, []), w[stream]
        first_diff = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), None)
        check(a == b, f"{what}: stream {stream}: {len(b)} outputs equal simulate's",
              None if a == b else {"got": len(a), "want": len(b), "first_diff": first_diff,
                                   "got_row": a[first_diff] if first_diff is not None else None,
                                   "want_row": b[first_diff] if first_diff is not None else None})
    if types_are_streams:  # every stream here builds its records (no bare .emit())
        bad_type = [r for r in got if r.get("event_type") != r.get("stream")]
        check(not bad_type, f"{what}: event_type is the stream name", bad_type[:2])


def body(args):
    seed = int(os.environ.get("VARPULIS_DIFF_SEED", random.randrange(1 << 30)))
    print(f"test_differential: seed {seed} (VARPULIS_DIFF_SEED to repeat)", flush=True)
    rng = random.Random(seed)
    events = generate(seed, EVENTS)
    work = tempdir("vp-srv-diff-")
    try:
        want = simulate(args.bin, work, events)
        print(f"simulate: {len(want)} outputs over {len(events)} events", flush=True)
        check(len(want) > 50, "the generated run produces outputs in every stream",
              sorted(by_stream(want)))
        half = len(events) // 2

        def whole():
            with Server(args.bin, api_key=API_KEY) as srv:
                pid = (deploy(srv, "mix", PROGRAM).json or {}).get("id", "missing")
                got, problems = feed(srv, pid, events, rng)
                check(not problems, "whole run: every request accepted", problems[:2])
                compare(got, want, "whole run")

        def restore_elsewhere():
            with Server(args.bin, api_key=API_KEY) as srv:
                p1 = (deploy(srv, "first", PROGRAM).json or {}).get("id", "missing")
                got1, pr1 = feed(srv, p1, events[:half], rng)
                cp = srv.api("POST", f"/api/v1/pipelines/{p1}/checkpoint", {}).json or {}
                p2 = (deploy(srv, "second", PROGRAM).json or {}).get("id", "missing")
                r = srv.api("POST", f"/api/v1/pipelines/{p2}/restore",
                            {"checkpoint": cp.get("checkpoint")})
                check(r.status == 200 and (r.json or {}).get("events_restored") == half
                      and (r.json or {}).get("operators_reset") == 0,
                      "restore into a fresh pipeline: all operators restored", r)
                got2, pr2 = feed(srv, p2, events[half:], rng)
                check(not pr1 and not pr2, "checkpoint → restore elsewhere: every request "
                      "accepted", (pr1 + pr2)[:2])
                compare(got1 + got2, want, "checkpoint → restore into another pipeline")

        def restart(backend, sig):
            state = os.path.join(work, f"state-{backend}-{sig.name}")
            opt = ["--state-dir", state] if backend == "file" else ["--state",
                                                                    f"rocksdb:{state}"]
            what = f"{backend} restart after {sig.name}"
            with Server(args.bin, args=opt, api_key=API_KEY) as srv:
                pid = (deploy(srv, "mix", PROGRAM).json or {}).get("id", "missing")
                got1, pr1 = feed(srv, pid, events[:half], rng)
                if sig == signal.SIGKILL:
                    r = srv.api("POST", f"/api/v1/pipelines/{pid}/checkpoint", {})
                    check(r.status == 200, f"{what}: explicit checkpoint", r)
                rc = srv.stop(sig)
                check(rc == (0 if sig != signal.SIGKILL else -signal.SIGKILL),
                      f"{what}: exit status", rc)
            with Server(args.bin, args=opt, api_key=API_KEY) as srv:
                got2, pr2 = feed(srv, pid, events[half:], rng)
                check(not pr1 and not pr2, f"{what}: every request accepted", (pr1 + pr2)[:2])
                compare(got1 + got2, want, what)

        def typed():
            tevents = generate_typed(seed, 800)
            twant = simulate(args.bin, work, tevents, TYPED)
            check(len(twant) > 100, "the typed run produces outputs", len(twant))
            with Server(args.bin, api_key=API_KEY) as srv:
                pid = (deploy(srv, "typed", TYPED).json or {}).get("id", "missing")
                got, problems = feed(srv, pid, tevents, rng)
                check(not problems, "typed run: every request accepted", problems[:2])
                compare(got, twant, "declared event (int→float widening, mismatched values)",
                        types_are_streams=False)

        section(whole)
        section(typed)
        section(restore_elsewhere)
        section(restart, "file", signal.SIGTERM)
        section(restart, "rocksdb", signal.SIGKILL)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    run_main("test_differential", body)

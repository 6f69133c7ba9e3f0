#!/usr/bin/env python3
"""Kill test: SIGKILL `varpulis simulate` at random moments, restart it until it finishes, and
require the exactly-once output file to be byte-identical to an uninterrupted run's.

The input mixes every stateful operator the checkpoint must carry: partitioned tumbling, sliding,
session and count windows, a watermark with allowed lateness (late drops), a partitioned 3-step
pattern with `.within`, `.distinct` and a `var` updated by a function.

Each iteration runs, in a fresh state directory,
    varpulis simulate -p mix.vpl -e mix.evt --immediate --state-dir D (or --state rocksdb:D)
        --checkpoint-every 5000 --output-file out.jsonl
kills it with SIGKILL after a random delay, restarts the same command, and repeats until one
run exits 0. The corrupt-newest variant damages the newest checkpoint file (bit flip, torn
write or empty file) after each kill: recovery must skip it with a warning and fall back to the
previous checkpoint (or start fresh), still ending with identical output.

Knobs: --iterations N / VARPULIS_KILL_ITERATIONS (per backend; default 3),
--corrupt-iterations N / VARPULIS_KILL_CORRUPT_ITERATIONS (default 1), --events N
(default 500000), --seed S / VARPULIS_KILL_SEED (printed either way).

Usage: test_kill_recovery.py --bin PATH --shared PATH
"""
import argparse
import filecmp
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PROGRAM = """\
var big_orders = 0

fn count_big() -> int:
    big_orders := big_orders + 1
    return big_orders

stream SensorTumbling = Reading
    .watermark(out_of_order: 2s)
    .allowed_lateness(1s)
    .partition_by(sensor)
    .window(1m)
    .aggregate(n: count(), total: sum(value), peak: max(value))
    .emit()

stream SensorSliding = Reading
    .partition_by(sensor)
    .window(2m, sliding: 1m)
    .aggregate(n: count(), avg_v: avg(value))
    .emit()

stream UserSessions = Click
    .partition_by(user)
    .window(session: 30s)
    .aggregate(clicks: count(), first_page: first(page), last_page: last(page))
    .emit()

stream Hundreds = Reading
    .partition_by(sensor)
    .window(100)
    .aggregate(n: count(), lo: min(value), hi: max(value))
    .emit()

stream Fulfilled = Order as o
    -> Pay where amount >= o.total as p
    -> Ship as s
    .partition_by(order_id)
    .within(5m)
    .emit(order_id: o.order_id, total: o.total, paid: p.amount, carrier: s.carrier)

stream BigOrders = Order
    .where(total > 990.0)
    .emit(order_id: order_id, nth: count_big())

stream FirstCarriers = Ship
    .distinct(carrier)
    .emit(carrier: carrier)
"""

CARRIERS = ["dhl", "ups", "fedex", "tnt", "gls", "dpd", "usps", "laposte"]
RUN_TIMEOUT_S = 300
MAX_KILLS_PER_ITERATION = 12


def generate_events(path, count, seed):
    """Writes `count` events; deterministic for a seed. Times mostly increase, with jitter."""
    rng = random.Random(seed)
    t = 0
    next_order = 1
    open_orders = []  # (order_id, total, created_ms)
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(count):
            t += rng.randint(0, 40)
            r = rng.random()
            if r < 0.55:
                ts = t
                if rng.random() < 0.1:
                    ts = max(0, t - rng.randint(0, 4000))  # out of order; some beyond lateness
                value = rng.randint(0, 100000)
                f.write(f'@{ts}ms Reading {{ sensor: "s{rng.randint(0, 99):03d}", '
                        f'value: {value // 100}.{value % 100:02d} }}\n')
            elif r < 0.80:
                f.write(f'@{t}ms Click {{ user: "u{rng.randint(0, 199):03d}", '
                        f'page: "p{rng.randint(0, 9)}" }}\n')
            elif r < 0.88 or not open_orders:
                total = rng.randint(100, 100000)
                oid = next_order
                next_order += 1
                open_orders.append((oid, total, t))
                f.write(f'@{t}ms Order {{ order_id: {oid}, '
                        f'total: {total // 100}.{total % 100:02d} }}\n')
            else:
                oid, total, created = open_orders[rng.randrange(len(open_orders))]
                if r < 0.94:
                    paid = total + rng.randint(-2000, 3000)
                    paid = max(paid, 0)
                    f.write(f'@{t}ms Pay {{ order_id: {oid}, '
                            f'amount: {paid // 100}.{paid % 100:02d} }}\n')
                else:
                    f.write(f'@{t}ms Ship {{ order_id: {oid}, '
                            f'carrier: "{rng.choice(CARRIERS)}" }}\n')
                if rng.random() < 0.3 or t - created > 400000:
                    open_orders = [o for o in open_orders if o[0] != oid]
            if len(open_orders) > 300:
                open_orders.pop(0)


class Runner:
    def __init__(self, binary, program, events, work):
        self.binary = binary
        self.program = program
        self.events = events
        self.work = work

    def command(self, backend, state_dir, out_file):
        cmd = [self.binary, "simulate", "-p", self.program, "-e", self.events, "--immediate"]
        if backend == "file":
            cmd += ["--state-dir", state_dir]
        elif backend == "rocksdb":
            cmd += ["--state", "rocksdb:" + state_dir]
        cmd += ["--checkpoint-every", "5000", "--output-file", out_file]
        return cmd

    def start(self, cmd, log_path):
        log = open(log_path, "ab")
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log)
        log.close()
        return p


def tail(path, n=15):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def newest_checkpoint_file(state_dir):
    d = os.path.join(state_dir, "varpulis", "checkpoint")
    if not os.path.isdir(d):
        return None
    names = sorted(n for n in os.listdir(d) if n.endswith(".v") and n[:-2].isdigit())
    return os.path.join(d, names[-1]) if names else None


def corrupt(path, rng):
    """Damages a checkpoint file the way a torn or flipped write would. Returns the mode."""
    size = os.path.getsize(path)
    mode = rng.choice(["flip", "torn", "empty"])
    if mode == "flip" and size > 0:
        pos = rng.randrange(size)
        with open(path, "r+b") as f:
            f.seek(pos)
            b = f.read(1)
            f.seek(pos)
            f.write(bytes([b[0] ^ (1 << rng.randrange(8))]))
        return f"flip@{pos}"
    if mode == "torn" and size > 1:
        keep = rng.randrange(1, size)
        os.truncate(path, keep)
        return f"torn@{keep}/{size}"
    os.truncate(path, 0)
    return "empty"


def run_to_completion(runner, cmd, log):
    p = runner.start(cmd, log)
    try:
        rc = p.wait(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise SystemExit(f"FAIL: run exceeded {RUN_TIMEOUT_S}s: {' '.join(cmd)}\n{tail(log)}")
    if rc != 0:
        raise SystemExit(f"FAIL: exit {rc}: {' '.join(cmd)}\n{tail(log)}")


def kill_iteration(runner, backend, rng, timing, baseline, name, corrupt_newest):
    """One kill/restart sequence with at least one SIGKILL mid-run. Returns (kills, corruptions)
    on success; exits on failure. `timing["full"]` is the shortest uninterrupted run seen; kill
    delays are drawn below it, so most attempts die mid-way and some during a checkpoint."""
    for redo in range(6):
        d = os.path.join(runner.work, f"{name}-{redo}")
        state_dir = os.path.join(d, "state")
        out_file = os.path.join(d, "out.jsonl")
        log = os.path.join(d, "stderr.log")
        os.makedirs(d)
        cmd = runner.command(backend, state_dir, out_file)
        kills = 0
        corruptions = []
        for attempt in range(MAX_KILLS_PER_ITERATION + 1):
            started = time.monotonic()
            p = runner.start(cmd, log)
            if attempt == MAX_KILLS_PER_ITERATION:
                delay = RUN_TIMEOUT_S  # enough kills: let the last run finish
            else:
                delay = rng.uniform(0.0, timing["full"])
            try:
                rc = p.wait(timeout=delay)  # the kill timer: returns early when the run ends
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGKILL)
                p.wait()
                kills += 1
                if corrupt_newest:
                    cp = newest_checkpoint_file(state_dir)
                    if cp is not None:
                        corruptions.append(f"{os.path.basename(cp)}:{corrupt(cp, rng)}")
                continue
            if rc != 0:
                raise SystemExit(f"FAIL {name}: attempt {attempt + 1} exited {rc}\n{tail(log)}")
            if attempt == 0:
                # Finished before the timer: a fresh full run, so a better estimate of its length.
                timing["full"] = min(timing["full"], time.monotonic() - started)
            break
        if not filecmp.cmp(out_file, baseline, shallow=False):
            shutil.copy(out_file, out_file + ".kept")
            raise SystemExit(
                f"FAIL {name}: output differs from the uninterrupted run after {kills} kills "
                f"(corruptions: {corruptions}); kept {out_file}.kept, log {log}\n{tail(log)}")
        if corruptions:
            with open(log, encoding="utf-8", errors="replace") as f:
                text = f.read().lower()
            if "skip" not in text:
                raise SystemExit(f"FAIL {name}: corrupted {corruptions} but no skip warning on "
                                 f"stderr\n{tail(log)}")
        if kills > 0 and (not corrupt_newest or corruptions):
            return kills, corruptions
        shutil.rmtree(d, ignore_errors=True)  # nothing was tested: draw again
    raise SystemExit(f"FAIL {name}: never killed mid-run in 6 tries (full run "
                     f"{timing['full']:.2f}s)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--iterations", type=int,
                    default=int(os.environ.get("VARPULIS_KILL_ITERATIONS", "3")))
    ap.add_argument("--corrupt-iterations", type=int,
                    default=int(os.environ.get("VARPULIS_KILL_CORRUPT_ITERATIONS", "1")))
    ap.add_argument("--events", type=int, default=500000)
    ap.add_argument("--seed", type=int,
                    default=int(os.environ.get("VARPULIS_KILL_SEED", str(int(time.time())))))
    ap.add_argument("--backends", default="file,rocksdb")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()
    print(f"kill test: seed {a.seed}, {a.events} events, {a.iterations} iterations per backend, "
          f"{a.corrupt_iterations} corrupt-newest iterations", flush=True)
    work = tempfile.mkdtemp(prefix="vp-kill-")
    try:
        program = os.path.join(work, "mix.vpl")
        with open(program, "w", encoding="utf-8") as f:
            f.write(PROGRAM)
        events = os.path.join(work, "mix.evt")
        generate_events(events, a.events, a.seed)
        runner = Runner(os.path.abspath(a.bin), program, events, work)
        rng = random.Random(a.seed)

        # Reference 1: plain stdout without any state option.
        plain = os.path.join(work, "plain.jsonl")
        with open(plain, "wb") as out:
            p = subprocess.run([runner.binary, "simulate", "-p", program, "-e", events,
                                "--immediate", "--output", "jsonl"],
                               stdout=out, stderr=subprocess.PIPE, timeout=RUN_TIMEOUT_S)
        if p.returncode != 0:
            raise SystemExit(f"FAIL: plain run exited {p.returncode}: {p.stderr[-2000:]}")

        total_kills = 0
        for backend in a.backends.split(","):
            # Reference 2: the same command, uninterrupted, in a fresh state directory.
            d = os.path.join(work, f"baseline-{backend}")
            os.makedirs(d)
            baseline = os.path.join(d, "out.jsonl")
            cmd = runner.command(backend, os.path.join(d, "state"), baseline)
            started = time.monotonic()
            run_to_completion(runner, cmd, os.path.join(d, "stderr.log"))
            timing = {"full": time.monotonic() - started}
            full_seconds = timing["full"]
            size = os.path.getsize(baseline)
            with open(baseline, "rb") as f:
                lines = sum(1 for _ in f)
            print(f"[{backend}] uninterrupted run: {full_seconds:.2f}s, {lines} output lines, "
                  f"{size} bytes", flush=True)
            if lines < 1000:
                raise SystemExit(f"FAIL: the mixed program produced only {lines} lines")
            if not filecmp.cmp(baseline, plain, shallow=False):
                raise SystemExit(f"FAIL [{backend}]: --output-file differs from --output jsonl "
                                 f"on stdout ({baseline} vs {plain})")
            # Running the finished command again resumes at the end of the same input: nothing
            # is processed twice, the output file is unchanged.
            run_to_completion(runner, cmd, os.path.join(d, "stderr.log"))
            if not filecmp.cmp(baseline, plain, shallow=False):
                raise SystemExit(f"FAIL [{backend}]: re-running a finished command changed "
                                 f"the output file")

            variants = [(False, a.iterations)]
            if backend == "file":
                variants.append((True, a.corrupt_iterations))
            for corrupt_newest, n in variants:
                for i in range(n):
                    name = f"{backend}-{'corrupt' if corrupt_newest else 'kill'}-{i}"
                    kills, corruptions = kill_iteration(runner, backend, rng, timing,
                                                        baseline, name, corrupt_newest)
                    total_kills += kills
                    extra = f", corrupted {corruptions}" if corrupt_newest else ""
                    print(f"ok {name}: {kills} kills{extra}", flush=True)
        print(f"kill test: passed, {total_kills} kills in total (seed {a.seed})")
        return 0
    finally:
        if a.keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

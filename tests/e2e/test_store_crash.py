#!/usr/bin/env python3
"""Crash test for the durable state stores (FileStore, RocksDbStore).

For each backend, ITERATIONS times: start store_crash_child in write mode on one store directory,
let it acknowledge writes, SIGKILL it at a random moment (during open and recovery, or in the
middle of a step), then reopen the store in a fresh process (verify mode) and check that every
acknowledged write is present and intact, that acknowledged removals stayed removed, that nothing
is torn, and for rocksdb that batches are all-or-nothing. A fresh directory is started every
RESET iterations so the store stays small.

ITERATIONS: $VARPULIS_CRASH_ITERATIONS (default 20 per backend; the nightly-style run uses 200).
Seed: $VARPULIS_CRASH_SEED (default: random), printed so a failure can be replayed.
Usage: test_store_crash.py --bin BUILD/varpulis [--shared DIR] [--backend file|rocksdb]...
"""
import argparse
import os
import pathlib
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

RESET = 25
# Upper bound of the random delay before the kill, per backend (a FileStore step costs several
# fsyncs; a rocksdb step only WAL appends).
MAX_DELAY_S = {"file": 0.5, "rocksdb": 0.03}


def run_iteration(child, uri, workdir, ranges, first, rng, backend):
    proc = subprocess.Popen([str(child), "write", uri, str(first)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    last_acked = first - 1
    buf = b""
    # One kill in five lands while the store opens (and recovers the previous crash); the others
    # a random time after it opened, in the middle of the write loop.
    during_open = rng.random() < 0.2
    delay = rng.uniform(0, MAX_DELAY_S[backend])
    deadline = time.monotonic() + (rng.uniform(0, 0.02) if during_open else 30.0)
    opened = False
    fd = proc.stdout.fileno()
    while True:
        timeout = deadline - time.monotonic()
        if timeout <= 0:
            break
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break  # the child exited on its own: an error, reported below
        buf += chunk
        if not opened and b"open\n" in buf:
            opened = True
            if not during_open:
                deadline = time.monotonic() + delay
    proc.send_signal(signal.SIGKILL)
    rest, err = proc.communicate()
    buf += rest
    if proc.returncode != -signal.SIGKILL:
        sys.exit(f"writer exited by itself with {proc.returncode}: {err.decode(errors='replace')}")
    for line in buf.decode().splitlines():
        if line.startswith("ack "):
            step = int(line[4:])
            if step != last_acked + 1:
                sys.exit(f"acks out of order: {step} after {last_acked}")
            last_acked = step
    ranges.append((first, last_acked))
    ranges_file = workdir / "ranges.txt"
    ranges_file.write_text("".join(f"{a} {b}\n" for a, b in ranges))
    check = subprocess.run([str(child), "verify", uri, str(ranges_file)], capture_output=True,
                           text=True)
    if check.returncode != 0:
        sys.exit(f"verify failed after kill (run {first}..{last_acked}):\n{check.stderr}")
    next_step = int(check.stdout.split()[1])
    return last_acked - first + 1, max(next_step, last_acked + 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--shared")
    ap.add_argument("--backend", action="append", choices=["file", "rocksdb"])
    args = ap.parse_args()
    child = pathlib.Path(args.bin).resolve().parent / "varpulis_store_crash_child"
    if not child.exists():
        sys.exit(f"{child} not built (target varpulis_store_crash_child)")
    iterations = int(os.environ.get("VARPULIS_CRASH_ITERATIONS", "20"))
    seed = int(os.environ.get("VARPULIS_CRASH_SEED", str(random.randrange(1 << 31))))
    print(f"seed {seed} (VARPULIS_CRASH_SEED), {iterations} kills per backend")
    rng = random.Random(seed)
    base = pathlib.Path(tempfile.mkdtemp(prefix="varpulis-crash-"))
    try:
        for backend in args.backend or ["file", "rocksdb"]:
            start = time.monotonic()
            acked_total = 0
            ranges = []
            first = 0
            store_dir = None
            for i in range(iterations):
                if i % RESET == 0:
                    store_dir = base / f"{backend}-{i}"
                    ranges = []
                uri = f"{backend}:{store_dir}"
                acked, first = run_iteration(child, uri, base, ranges, first, rng, backend)
                acked_total += acked
            print(f"{backend}: {iterations} kills, {acked_total} acknowledged steps, all present "
                  f"and intact after each kill ({time.monotonic() - start:.1f} s)")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

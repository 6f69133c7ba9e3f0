#!/usr/bin/env python3
"""Throughput of `varpulis simulate` with a 1 s checkpoint interval, as a fraction of the same
run without checkpoints (issue 6 target: >= 0.9), and the longest checkpoint pause it reports.

Input: the kill test's mixed program (partitioned tumbling/sliding/session/count windows, a
watermark, a partitioned 3-step pattern, distinct, a var) over N generated events.
Runs alternate (plain, FileStore, RocksDB) for R rounds; the best of each is reported.

Usage: checkpoint_throughput.py --bin build/varpulis [--events 3000000] [--rounds 3]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import test_kill_recovery as mix  # noqa: E402


def run(cmd):
    started = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    secs = time.monotonic() - started
    if p.returncode != 0:
        raise SystemExit(f"exit {p.returncode}: {p.stderr[-500:]}")
    m = re.search(r"checkpoints: (\d+) written.*longest pause ([0-9.]+) ms; last (\d+) bytes",
                  p.stderr)
    return secs, (int(m.group(1)), float(m.group(2)), int(m.group(3))) if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--events", type=int, default=3000000)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="vp-tput-")
    try:
        prog = os.path.join(work, "mix.vpl")
        with open(prog, "w", encoding="utf-8") as f:
            f.write(mix.PROGRAM)
        ev = os.path.join(work, "mix.evt")
        mix.generate_events(ev, a.events, 1)
        base = [os.path.abspath(a.bin), "simulate", "-p", prog, "-e", ev, "--immediate",
                "--output-file", os.path.join(work, "out.jsonl")]
        best = {}
        pauses = {}
        for _ in range(a.rounds):
            for name, extra in (("none", []),
                                ("file", ["--state-dir", os.path.join(work, "s-file"),
                                          "--checkpoint-interval", "1s"]),
                                ("rocksdb", ["--state", "rocksdb:" + os.path.join(work, "s-rdb"),
                                             "--checkpoint-interval", "1s"])):
                for d in ("s-file", "s-rdb"):
                    shutil.rmtree(os.path.join(work, d), ignore_errors=True)
                secs, ck = run(base + extra)
                if name not in best or secs < best[name]:
                    best[name] = secs
                if ck:
                    prev = pauses.get(name, (0, 0.0, 0))
                    pauses[name] = (ck[0], max(prev[1], ck[1]), ck[2])
        none = a.events / best["none"]
        print(f"{a.events} events, best of {a.rounds}: no checkpoints {none / 1e6:.3f} M ev/s")
        for name in ("file", "rocksdb"):
            rate = a.events / best[name]
            n, pause, size = pauses[name]
            print(f"  {name}, 1 s interval: {rate / 1e6:.3f} M ev/s = {rate / none:.3f} of it "
                  f"(target >= 0.9); {n} checkpoints in the best run, longest pause over all "
                  f"runs {pause:.1f} ms, last checkpoint {size / 1e6:.2f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

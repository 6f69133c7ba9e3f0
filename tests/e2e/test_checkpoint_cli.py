#!/usr/bin/env python3
"""The state options of `varpulis simulate` through the real binary (spec/state-and-server.md §4).

- option errors and store errors exit 2 with a message naming the option or directory;
- a second process on a locked state directory exits 2 while the first keeps running;
- SIGTERM and SIGINT mid-run: exit 0 after a final checkpoint; the restart resumes the same file
  from the recorded position and the output file equals an uninterrupted run's;
- re-running a finished command on the same file processes nothing;
- the two-phase checkpoint cases also pass on RocksDB (--state rocksdb:DIR);
- an edited program keeps the state of unchanged streams and resets (and reports) changed ones;
- a store whose only checkpoint is corrupt: warning, fresh start.

Usage: test_checkpoint_cli.py --bin PATH --shared PATH
"""
import argparse
import filecmp
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

FAILURES = []


def check(cond, what):
    if cond:
        print(f"ok   {what}", flush=True)
    else:
        print(f"FAIL {what}", flush=True)
        FAILURES.append(what)
    return cond


def simulate(binary, program, events, *extra, timeout=120, stdin=None):
    cmd = [binary, "simulate", "-p", program, "-e", events, "--immediate", "--output", "jsonl"]
    cmd += list(extra)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, stdin=stdin)


def output_rows(stdout):
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


TOTALS_AND_QUADS = """\
stream Totals = Sale
    .window(10s)
    .aggregate(n: count(), total: sum(amount))
    .emit()

stream Quads = Sale
    .window(4)
    .aggregate(q: count(), qsum: sum(amount))
    .emit()
"""

# Quads changed (a window of 3): its state must be reset; Totals is unchanged and keeps its state.
TOTALS_AND_TRIPLES = TOTALS_AND_QUADS.replace(".window(4)", ".window(3)")


def test_option_errors(binary, work):
    prog = os.path.join(work, "p.vpl")
    write(prog, TOTALS_AND_QUADS)
    ev = os.path.join(work, "e.evt")
    write(ev, "@0s Sale { amount: 1 }\n")
    d = os.path.join(work, "opt-state")
    cases = [
        (["--state-dir", d, "--state", "rocksdb:" + d], "--state"),
        (["--state", "nosuch:" + d], "nosuch"),
        (["--state-dir", d, "--max-checkpoints", "0"], "--max-checkpoints"),
        (["--state-dir", d, "--checkpoint-interval", "5x"], "--checkpoint-interval"),
    ]
    for extra, needle in cases:
        p = simulate(binary, prog, ev, *extra)
        check(p.returncode == 2 and needle in p.stderr,
              f"exit 2 naming {needle!r} for {' '.join(extra)} (got {p.returncode}: "
              f"{p.stderr.strip()[-200:]})")


def test_locked_directory(binary, work):
    prog = os.path.join(work, "lock.vpl")
    write(prog, TOTALS_AND_QUADS)
    d = os.path.join(work, "lock-state")
    # The first process reads stdin, so it holds the store open until stdin closes.
    first = subprocess.Popen([binary, "simulate", "-p", prog, "-e", "-", "--immediate",
                              "--output", "jsonl", "--state-dir", d],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        # It reports its recovery on stderr once the store is open (a blocking read, no sleep).
        line = first.stderr.readline()
        check("starting fresh" in line or "restored" in line,
              f"first process reports its recovery ({line.strip()!r})")
        ev = os.path.join(work, "lock.evt")
        write(ev, "@0s Sale { amount: 1 }\n")
        second = simulate(binary, prog, ev, "--state-dir", d)
        check(second.returncode == 2 and "in use" in second.stderr,
              f"second process on a locked directory exits 2 'in use' (got {second.returncode}: "
              f"{second.stderr.strip()[-200:]})")
        out, err = first.communicate("@0s Sale { amount: 5 }\n@1s Sale { amount: 7 }\n",
                                     timeout=60)
        check(first.returncode == 0, f"first process still finishes with 0 (got "
                                     f"{first.returncode}: {err.strip()[-200:]})")
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()


def test_program_change(binary, work):
    d = os.path.join(work, "change-state")
    p1 = os.path.join(work, "change1.vpl")
    p2 = os.path.join(work, "change2.vpl")
    write(p1, TOTALS_AND_QUADS)
    write(p2, TOTALS_AND_TRIPLES)
    e1 = os.path.join(work, "change1.evt")
    e2 = os.path.join(work, "change2.evt")
    write(e1, "@0s Sale { amount: 1 }\n@1s Sale { amount: 2 }\n@2s Sale { amount: 3 }\n")
    write(e2, "@3s Sale { amount: 4 }\n@4s Sale { amount: 5 }\n@5s Sale { amount: 6 }\n"
              "@12s Sale { amount: 7 }\n")
    a = simulate(binary, p1, e1, "--state-dir", d)
    check(a.returncode == 0, f"phase 1 of the program-change case ({a.stderr.strip()[-200:]})")
    b = simulate(binary, p2, e2, "--state-dir", d)
    check(b.returncode == 0, f"phase 2 with an edited program runs ({b.stderr.strip()[-200:]})")
    rows = output_rows(b.stdout)
    totals = [r for r in rows if r["stream"] == "Totals"]
    quads = [r for r in rows if r["stream"] == "Quads"]
    # Totals kept {1,2,3}: at 12s it releases {1..6} (n 6, total 21).
    check(len(totals) == 1 and totals[0]["fields"]["n"] == 6
          and totals[0]["fields"]["total"] == 21,
          f"the unchanged stream keeps its state across the edit ({totals})")
    # Quads (now windows of 3) starts empty: releases {4,5,6} then waits; not {1,2,3}+...
    check(len(quads) == 1 and quads[0]["fields"]["q"] == 3 and quads[0]["fields"]["qsum"] == 15,
          f"the changed stream starts empty ({quads})")
    check("Quads" in b.stderr and "reset" in b.stderr,
          f"the reset is reported on stderr ({b.stderr.strip()[-300:]})")
    check("Totals: state reset" not in b.stderr, "the unchanged stream is not reported as reset")


def test_rerun_same_file(binary, work):
    d = os.path.join(work, "rerun-state")
    prog = os.path.join(work, "rerun.vpl")
    write(prog, TOTALS_AND_QUADS)
    ev = os.path.join(work, "rerun.evt")
    write(ev, "".join(f"@{i}s Sale {{ amount: {i} }}\n" for i in range(40)))
    a = simulate(binary, prog, ev, "--state-dir", d)
    b = simulate(binary, prog, ev, "--state-dir", d)
    check(a.returncode == 0 and b.returncode == 0 and len(output_rows(a.stdout)) > 0
          and output_rows(b.stdout) == [],
          f"re-running on the same file processes nothing (second stdout: {b.stdout[:200]!r})")
    # Appending events resumes after the old ones: only the new window closes.
    with open(ev, "a", encoding="utf-8") as f:
        f.write("@50s Sale { amount: 100 }\n")
    c = simulate(binary, prog, ev, "--state-dir", d)
    rows = output_rows(c.stdout)
    check([r["fields"] for r in rows if r["stream"] == "Totals"] == [{"n": 10, "total": 345}],
          f"an appended file resumes at the recorded offset ({rows})")


def test_run_command(binary, work):
    """`varpulis run` reads stdin (not resumable) and carries its state across runs."""
    d = os.path.join(work, "run-state")
    prog = os.path.join(work, "run.vpl")
    write(prog, TOTALS_AND_QUADS)
    out = os.path.join(work, "run-out.jsonl")
    cmd = [binary, "run", "-f", prog, "--state-dir", d, "--output-file", out]
    a = subprocess.run(cmd, input="@0s Sale { amount: 1 }\n@1s Sale { amount: 2 }\n"
                       "@2s Sale { amount: 3 }\n", capture_output=True, text=True, timeout=60)
    b = subprocess.run(cmd, input="@3s Sale { amount: 4 }\n", capture_output=True, text=True,
                       timeout=60)
    with open(out, encoding="utf-8") as f:
        rows = output_rows(f.read())
    check(a.returncode == 0 and b.returncode == 0 and a.stdout == "" and
          rows == [{"stream": "Quads", "ts": 3000, "fields": {"q": 4, "qsum": 10.0}}],
          f"run: the second run completes the restored window into --output-file only ({rows}, "
          f"stdout {a.stdout!r}, {b.stderr.strip()[-200:]})")


def test_corrupt_only_checkpoint(binary, work):
    d = os.path.join(work, "corrupt-state")
    prog = os.path.join(work, "corrupt.vpl")
    write(prog, TOTALS_AND_QUADS)
    e1 = os.path.join(work, "corrupt1.evt")
    e2 = os.path.join(work, "corrupt2.evt")
    write(e1, "@0s Sale { amount: 1 }\n@1s Sale { amount: 2 }\n@2s Sale { amount: 3 }\n")
    write(e2, "@3s Sale { amount: 4 }\n")
    a = simulate(binary, prog, e1, "--state-dir", d, "--max-checkpoints", "1")
    cpdir = os.path.join(d, "varpulis", "checkpoint")
    files = sorted(os.listdir(cpdir)) if os.path.isdir(cpdir) else []
    check(a.returncode == 0 and len(files) == 1, f"one checkpoint kept ({files})")
    if not files:
        return
    path = os.path.join(cpdir, files[0])
    with open(path, "r+b") as f:
        f.seek(os.path.getsize(path) - 1)
        last = f.read(1)
        f.seek(os.path.getsize(path) - 1)
        f.write(bytes([last[0] ^ 0xFF]))
    b = simulate(binary, prog, e2, "--state-dir", d)
    check(b.returncode == 0, f"a corrupt only checkpoint does not stop the start ({b.stderr[-200:]})")
    check("skipped" in b.stderr and "starting fresh" in b.stderr,
          f"it is skipped with a warning and the run starts fresh ({b.stderr.strip()[-300:]})")
    check(output_rows(b.stdout) == [], "fresh state: the 4-count window is not completed")


def test_signals(binary, shared, work, seed):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import test_kill_recovery as kill  # the same mixed input and program
    prog = os.path.join(work, "mix.vpl")
    write(prog, kill.PROGRAM)
    ev = os.path.join(work, "mix.evt")
    kill.generate_events(ev, 300000, seed)
    base_dir = os.path.join(work, "sig-base")
    os.makedirs(base_dir)
    baseline = os.path.join(base_dir, "out.jsonl")
    cmd_base = [binary, "simulate", "-p", prog, "-e", ev, "--immediate", "--state-dir",
                os.path.join(base_dir, "state"), "--output-file", baseline]
    started = time.monotonic()
    p = subprocess.run(cmd_base, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)
    full = time.monotonic() - started
    if not check(p.returncode == 0, f"baseline run for the signal test ({p.stderr[-200:]!r})"):
        return
    rng = random.Random(seed)
    for signo, name in ((signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT")):
        d = os.path.join(work, f"sig-{name}")
        os.makedirs(d)
        out = os.path.join(d, "out.jsonl")
        cmd = [binary, "simulate", "-p", prog, "-e", ev, "--immediate", "--state-dir",
               os.path.join(d, "state"), "--output-file", out]
        interrupted = False
        # The signal timer is a fraction of the baseline's duration. The machine's load moves
        # run times a lot (a baseline measured while busy can be several times a later run), so
        # a run that finished before the signal makes the next attempt's timer half as long
        # (down to a quarter).
        scale = 1.0
        for _ in range(8):
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    text=True)
            try:
                proc.wait(timeout=rng.uniform(0.2, 0.6) * full * scale)  # the signal timer
            except subprocess.TimeoutExpired:
                proc.send_signal(signo)
                interrupted = True
            _, err = proc.communicate(timeout=120)
            if interrupted:
                break
            scale = max(scale / 2, 0.25)  # not below: a signal before the handlers would kill it
            shutil.rmtree(os.path.join(d, "state"))
        if not check(interrupted, f"{name} arrived while the run was busy"):
            continue
        check(proc.returncode == 0, f"{name}: exit 0 after the final checkpoint (got "
                                    f"{proc.returncode}: {err.strip()[-200:]})")
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           timeout=300)
        check(r.returncode == 0 and "resuming input" in r.stderr,
              f"{name}: the restart resumes the same file ({r.stderr.strip()[-300:]})")
        check(filecmp.cmp(out, baseline, shallow=False),
              f"{name}: output file equals the uninterrupted run's")


def test_rocksdb_two_phase(binary, shared):
    sys.path.insert(0, os.path.join(shared, "conformance"))
    import run as conformance
    here = os.path.dirname(os.path.abspath(__file__))
    roots = [os.path.join(here, "..", "checkpoint", "public"),
             os.path.join(here, "..", "checkpoint", "cases")]
    for case in conformance.find_cases(roots):
        extra = []
        args_file = os.path.join(case, "args")
        if os.path.exists(args_file):
            with open(args_file, encoding="utf-8") as f:
                extra = f.read().split()
        d = tempfile.mkdtemp(prefix="vp-rocks-")
        msg = None
        try:
            for n in (1, 2):
                rows, err = conformance.run_phase(binary, case, f"phase{n}.evt", None,
                                                  extra + ["--state", "rocksdb:" + d], 60)
                if err:
                    msg = f"phase {n}: {err}"
                    break
                msg = conformance.compare(
                    conformance.load_expected(os.path.join(case, f"expected{n}.jsonl")), rows)
                if msg:
                    msg = f"phase {n}: {msg}"
                    break
        finally:
            shutil.rmtree(d, ignore_errors=True)
        check(msg is None, f"rocksdb two-phase {os.path.basename(case)}"
                           + (f": {msg}" if msg else ""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    print(f"checkpoint CLI test: seed {a.seed}")
    work = tempfile.mkdtemp(prefix="vp-ckpt-cli-")
    try:
        test_option_errors(binary, work)
        test_locked_directory(binary, work)
        test_program_change(binary, work)
        test_rerun_same_file(binary, work)
        test_corrupt_only_checkpoint(binary, work)
        test_run_command(binary, work)
        test_rocksdb_two_phase(binary, a.shared)
        test_signals(binary, a.shared, work, a.seed)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if FAILURES:
        print(f"checkpoint CLI test: {len(FAILURES)} failed")
        return 1
    print("checkpoint CLI test: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

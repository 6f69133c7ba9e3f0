#!/usr/bin/env python3
"""`simulate --immediate` reads and processes its input in chunks (Runtime::ProcessEvents with
look-ahead); paced `simulate` goes event by event. Chunking is not switchable from the command
line, so paced mode is the reference: over generated inputs whose timestamps span a fraction of
a second (pacing costs little), both must give byte-identical stdout, the same stderr apart from
the timing in the summary (so `.print` lines and skipped-line reports interleave identically),
and the same exit code. Covers a bad line in the middle of stdin (events before it processed
first, then `<stdin>:N: error:`), --skip-bad-events, a file, --drain, and checkpoints taken
between chunks (a checkpoint covers exactly the events processed: a rerun resumes without loss
or duplicates).

Usage: test_simulate_chunks.py --bin PATH --shared PATH
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile

FAILURES = []

# A partitioned sliding window after a filter (the operator that takes look-ahead hints), a
# watermark with late drops, a stream reading that stream, a pattern, and .print on stderr.
PROGRAM = """\
stream Sliding = Reading
    .watermark(out_of_order: 20ms)
    .allowed_lateness(5ms)
    .where(v > 5)
    .partition_by(sensor)
    .window(40ms, sliding: 10ms)
    .aggregate(n: count(), avg_v: avg(v), hi: max(v))
    .emit()

stream Busy = Sliding
    .where(n > 3)
    .emit(sensor: sensor, n: n)

stream Pair = Alarm as a
    -> Reading where sensor == a.sensor and v > 90 as r
    .within(30ms)
    .emit(sensor: a.sensor, v: r.v)

stream Loud = Alarm
    .where(level > 8)
    .print(sensor, level)
"""


def check(cond, what):
    if cond:
        print(f"ok   {what}", flush=True)
    else:
        print(f"FAIL {what}", flush=True)
        FAILURES.append(what)
    return cond


def gen_lines(seed, n, bad_at=(), base_ms=0):
    """n event lines (JSON and .evt mixed) over ~300 ms of event time from base_ms; malformed
    lines at the 0-based indexes in `bad_at` (inserted before that event)."""
    r = random.Random(seed)
    lines = []
    ts = base_ms
    bad_kinds = ['{"event_type": "Reading", "ts": 5, "fields": {',
                 "@1s Reading { v: }",
                 '{"event_type": 7}']
    for i in range(n):
        if i in bad_at:
            lines.append(bad_kinds[i % len(bad_kinds)])
        ts += r.randrange(3) if r.random() < 0.15 else 0
        t = ts - r.randrange(40) if r.random() < 0.1 else ts
        t = max(t, base_ms)
        sensor = f"s{r.randrange(50)}"
        if r.random() < 0.15:
            level = r.randrange(10)
            if r.random() < 0.5:
                lines.append(f'@{t}ms Alarm {{ sensor: "{sensor}", level: {level} }}')
            else:
                lines.append(json.dumps({"event_type": "Alarm", "ts": t,
                                         "fields": {"sensor": sensor, "level": level}}))
        else:
            lines.append(json.dumps({"event_type": "Reading", "ts": t,
                                     "fields": {"sensor": sensor, "v": r.randrange(100)}}))
    return "".join(line + "\n" for line in lines)


def run(binary, args, stdin_text=None):
    return subprocess.run([binary, "simulate", *args], input=stdin_text, capture_output=True,
                          text=True, timeout=120)


TIMING = re.compile(r", [0-9.]+ s, [0-9]+ events/s$", re.M)


def comparable_stderr(stderr):
    return TIMING.sub(", <time>", stderr)


def compare(binary, name, args, stdin_text=None, expect_rc=0):
    chunked = run(binary, [*args, "--immediate"], stdin_text)
    paced = run(binary, args, stdin_text)
    check(chunked.returncode == expect_rc and paced.returncode == expect_rc,
          f"{name}: exit {expect_rc} (chunked {chunked.returncode}, paced {paced.returncode}; "
          f"stderr {chunked.stderr[-300:]!r})")
    check(chunked.stdout == paced.stdout,
          f"{name}: stdout byte-identical to the event-by-event run")
    check(comparable_stderr(chunked.stderr) == comparable_stderr(paced.stderr),
          f"{name}: stderr identical apart from timing")
    return chunked


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--shared", required=True)
    a = ap.parse_args()
    binary = a.bin
    seed = random.randrange(1 << 30)
    print(f"seed {seed}", flush=True)
    work = tempfile.mkdtemp(prefix="vpl-chunks-")
    prog = os.path.join(work, "p.vpl")
    with open(prog, "w", encoding="utf-8") as f:
        f.write(PROGRAM)

    n = 3000
    clean = gen_lines(seed, n)
    clean_path = os.path.join(work, "clean.evt")
    with open(clean_path, "w", encoding="utf-8") as f:
        f.write(clean)
    p = compare(binary, "file, --drain", ["-p", prog, "-e", clean_path, "--drain", "--output",
                                           "jsonl"])
    rows = [json.loads(line)["stream"] for line in p.stdout.splitlines()]
    check(all(s in rows for s in ("Sliding", "Busy", "Pair")) and "[print] Loud:" in p.stderr
          and re.search(r"[1-9][0-9]* late events dropped", p.stderr) is not None,
          "the program exercises windows, a stream of a stream, a pattern, .print, late drops")
    compare(binary, "stdin, text output", ["-p", prog, "-e", "-"], clean)

    # One bad line in the middle, on stdin (streamed): the events before it are processed and
    # their outputs written, then the error, exit 1.
    bad_at = 1234
    bad = gen_lines(seed, n, bad_at={bad_at})
    p = compare(binary, "stdin, bad line", ["-p", prog, "-e", "-", "--output", "jsonl"], bad,
                expect_rc=1)
    check(re.search(rf"^<stdin>:{bad_at + 1}:([0-9]+:)? error: ", p.stderr, re.M) is not None,
          "stdin, bad line: file:line: error:")
    check(f"{bad_at} events processed" in p.stderr,
          "stdin, bad line: exactly the events before it processed")
    prefix = "".join(bad.splitlines(keepends=True)[:bad_at])
    q = run(binary, ["-p", prog, "-e", "-", "--output", "jsonl", "--immediate"], prefix)
    check(q.returncode == 0 and q.stdout == p.stdout and len(q.stdout) > 0,
          "stdin, bad line: outputs are those of the input before the bad line")
    # The same file (under 64 MB): validated first, nothing processed.
    bad_path = os.path.join(work, "bad.evt")
    with open(bad_path, "w", encoding="utf-8") as f:
        f.write(bad)
    p = compare(binary, "file, bad line", ["-p", prog, "-e", bad_path], expect_rc=1)
    check(p.stdout == "" and re.search(rf"bad\.evt:{bad_at + 1}:([0-9]+:)? error: ", p.stderr)
          and "events processed" not in p.stderr,
          "file, bad line: nothing processed, error names the line")

    # --skip-bad-events: bad lines first, last, consecutive and scattered; reports interleave with
    # the .print lines exactly as event by event.
    skips = {0, 1, 700, 701, 702, 1500, 2999} | {random.Random(seed).randrange(n) for _ in range(5)}
    skipping = gen_lines(seed + 1, n, bad_at=skips)
    skip_path = os.path.join(work, "skip.evt")
    with open(skip_path, "w", encoding="utf-8") as f:
        f.write(skipping)
    for name, events, stdin_text in (("file", skip_path, None), ("stdin", "-", skipping)):
        p = compare(binary, f"{name}, --skip-bad-events",
                    ["-p", prog, "-e", events, "--skip-bad-events", "--drain", "--output",
                     "jsonl"], stdin_text)
        check(f"{len(skips)} bad events skipped" in p.stderr
              and p.stderr.count("(skipped)") == len(skips),
              f"{name}, --skip-bad-events: every bad line reported and counted")

    # Checkpoints between chunks. Phase 1 checkpoints every 37 events and takes no final one;
    # phase 2 resumes from the last periodic checkpoint. The output file then holds exactly the
    # uninterrupted run's output: a checkpoint covering events it had not processed would lose
    # outputs, one behind its position would duplicate them.
    expected_file = os.path.join(work, "expected.jsonl")
    p = run(binary, ["-p", prog, "-e", skip_path, "--immediate", "--skip-bad-events",
                     "--state-dir", os.path.join(work, "state0"), "--output-file",
                     expected_file])
    check(p.returncode == 0, f"checkpointed run: exit 0 ({p.stderr[-300:]!r})")
    with open(expected_file, encoding="utf-8") as f:
        expected = f.read()
    state = os.path.join(work, "state1")
    out_file = os.path.join(work, "out.jsonl")
    p = run(binary, ["-p", prog, "-e", skip_path, "--immediate", "--skip-bad-events",
                     "--state-dir", state, "--checkpoint-every", "37", "--no-shutdown-checkpoint",
                     "--output-file", out_file])
    check(p.returncode == 0 and re.search(r"checkpoints: [1-9][0-9]* written", p.stderr),
          f"phase 1: periodic checkpoints written ({p.stderr[-300:]!r})")
    p = run(binary, ["-p", prog, "-e", skip_path, "--immediate", "--skip-bad-events",
                     "--state-dir", state, "--output-file", out_file])
    with open(out_file, encoding="utf-8") as f:
        got = f.read()
    check(p.returncode == 0 and got == expected and len(expected) > 0,
          "phase 2: resumed output file equals the uninterrupted run's")
    # Appending to the input resumes after the final checkpoint (taken at the end of input).
    with open(skip_path, "a", encoding="utf-8") as f:
        f.write(gen_lines(seed + 2, 500, base_ms=10000))
    p = run(binary, ["-p", prog, "-e", skip_path, "--immediate", "--skip-bad-events",
                     "--state-dir", state, "--output-file", out_file])
    q = run(binary, ["-p", prog, "-e", skip_path, "--immediate", "--skip-bad-events",
                     "--state-dir", os.path.join(work, "state2"), "--output-file",
                     os.path.join(work, "whole.jsonl")])
    with open(out_file, encoding="utf-8") as f:
        got = f.read()
    with open(os.path.join(work, "whole.jsonl"), encoding="utf-8") as f:
        whole = f.read()
    check(p.returncode == 0 and q.returncode == 0 and got == whole and len(whole) > len(expected),
          "appended input: resumed output equals one run over the whole file")

    if FAILURES:
        print(f"{len(FAILURES)} failure(s) (seed {seed})")
        return 1
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

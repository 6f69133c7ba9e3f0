#!/usr/bin/env python3
"""End-to-end checks of `varpulis simulate` and `varpulis run` through the real binary:
exit codes, stdout purity, bad event lines, --skip-bad-events, stdin input, and `run`'s
line-by-line flushing and clean stop on SIGTERM / EOF.

Usage: test_simulate_and_run.py --bin PATH --shared PATH
"""
import argparse
import json
import os
import select
import signal
import subprocess
import sys
import tempfile

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print(f"FAIL {what}")
    else:
        print(f"ok   {what}")


def write(dirname, name, text):
    path = os.path.join(dirname, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def read_line(proc, timeout=10.0):
    """One stdout line from a running process, or None after `timeout` seconds."""
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    if not ready:
        return None
    return proc.stdout.readline()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--shared", required=True)
    a = ap.parse_args()
    binary = a.bin
    tmp = tempfile.mkdtemp(prefix="vpl-cli-")
    prog = write(tmp, "p.vpl", "stream S = R\n    .where(v > 1)\n    .emit(v: v)\n")
    good = write(tmp, "good.evt", "@0s R { v: 1 }\n@1s R { v: 2 }\n")
    bad = write(tmp, "bad.evt", "@0s R { v: 5 }\n@1s R { v: \n@2s R { v: 7 }\n")

    def simulate(*args, stdin=None):
        return subprocess.run([binary, "simulate", *args], input=stdin, capture_output=True,
                              text=True, timeout=60)

    p = simulate("-p", prog, "-e", good, "--immediate", "--output", "jsonl")
    check(p.returncode == 0, "simulate: exit 0 on success")
    lines = [json.loads(l) for l in p.stdout.splitlines()]
    check(lines == [{"stream": "S", "ts": 1000, "fields": {"v": 2}}],
          "simulate: stdout carries exactly the output events")
    check("2 events processed" in p.stderr and "1 outputs emitted" in p.stderr,
          "simulate: closing summary on stderr")

    p = simulate("-p", prog, "-e", bad, "--immediate", "--output", "jsonl")
    check(p.returncode == 1, "simulate: bad event line exits 1")
    check(p.stdout == "", "simulate: nothing processed before a bad line of a file")
    check("bad.evt:2:" in p.stderr and "error" in p.stderr,
          "simulate: bad line reported as file:line: error")

    p = simulate("-p", prog, "-e", bad, "--immediate", "--output", "jsonl", "--skip-bad-events")
    check(p.returncode == 0, "simulate --skip-bad-events: exit 0")
    check([json.loads(l)["fields"]["v"] for l in p.stdout.splitlines()] == [5, 7],
          "simulate --skip-bad-events: good lines processed")
    check("1 bad events skipped" in p.stderr, "simulate --skip-bad-events: bad line counted")

    broken = write(tmp, "broken.vpl", "stream S = R\n    .emit(v: uper(v))\n")
    p = simulate("-p", broken, "-e", good, "--immediate")
    check(p.returncode == 1 and p.stdout == "" and "E050" in p.stderr,
          "simulate: checker error exits 1 and runs nothing")

    syntax = write(tmp, "syntax.vpl", "stream S = R\n    .where(\n")
    p = simulate("-p", syntax, "-e", good, "--immediate")
    check(p.returncode == 1 and "E100" in p.stderr, "simulate: syntax error exits 1")

    p = simulate("-p", os.path.join(tmp, "missing.vpl"), "-e", good, "--immediate")
    check(p.returncode == 1, "simulate: unreadable program exits 1")
    p = simulate("-p", prog, "-e", os.path.join(tmp, "missing.evt"), "--immediate")
    check(p.returncode == 1, "simulate: unreadable events exits 1")

    p = simulate("-p", prog, "-e", "-", "--immediate", "--output", "jsonl",
                 stdin='{"event_type": "R", "ts": 5, "fields": {"v": 9}}\n')
    check(p.returncode == 0 and json.loads(p.stdout)["fields"] == {"v": 9},
          "simulate -e - reads stdin")

    # run: each input event's output is written and flushed before the next event arrives.
    proc = subprocess.Popen([binary, "run", "--file", prog], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
    proc.stdin.write('{"event_type": "R", "ts": 1, "fields": {"v": 10}}\n')
    proc.stdin.flush()
    first = read_line(proc)
    check(first is not None and json.loads(first)["fields"] == {"v": 10},
          "run: output of the first event arrives while stdin stays open")
    proc.stdin.write('{"event_type": "R", "ts": 2, "fields": {"v": 11}}\n')
    proc.stdin.flush()
    second = read_line(proc)
    check(second is not None and json.loads(second)["fields"] == {"v": 11},
          "run: output of the second event arrives")
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = None
    err = proc.stderr.read()
    check(rc == 0, "run: SIGTERM ends the run with exit 0")
    check("2 events processed" in err, "run: summary after SIGTERM")

    p = subprocess.run([binary, "run", "--code", "stream S = R\n    .emit(v: v)\n"],
                       input='{"event_type": "R", "ts": 1, "fields": {"v": 1}}\nnot json {\n',
                       capture_output=True, text=True, timeout=60)
    check(p.returncode == 1 and "<stdin>:2:" in p.stderr,
          "run: malformed line stops with <stdin>:line and exit 1")
    check(json.loads(p.stdout.splitlines()[0])["fields"] == {"v": 1},
          "run: events before the bad line were processed (live stream)")

    p = subprocess.run([binary, "run", "--code", "stream S = R\n    .emit(v: v)\n"],
                       input="", capture_output=True, text=True, timeout=60)
    check(p.returncode == 0 and p.stdout == "", "run: EOF on an empty stdin exits 0")

    print(f"cli: {len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""`varpulis parse`: AST JSON on stdout, syntax errors on stderr (exit 1), unreadable file exit 2."""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(binary, *args):
    return subprocess.run([binary, "parse", *args], capture_output=True, text=True, timeout=60)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--shared", required=True)
    opts = ap.parse_args()
    binary = opts.bin

    programs = sorted(pathlib.Path(opts.shared, "conformance", "cases").glob("*/program.vpl"))
    check(len(programs) >= 30, f"found only {len(programs)} conformance programs")
    for program in programs:
        r = run(binary, str(program))
        check(r.returncode == 0, f"{program}: exit {r.returncode}: {r.stderr}")
        if r.returncode == 0:
            tree = json.loads(r.stdout)
            check(tree["kind"] == "program", f"{program}: root kind {tree['kind']}")
            check(len(tree["statements"]) >= 1, f"{program}: no statements")
            check(r.stderr == "", f"{program}: unexpected stderr {r.stderr!r}")

    r = run(binary, "--code", "stream S = A\n    .where(x > 1)\n    .emit(y: x)\n")
    check(r.returncode == 0, f"--code: exit {r.returncode}")
    tree = json.loads(r.stdout)
    stream = tree["statements"][0]
    check(stream["kind"] == "stream" and stream["name"] == "S", "--code: stream S")
    check(stream["span"] == {"line": 1, "col": 1, "end_line": 3, "end_col": 16},
          f"--code: stream span {stream['span']}")
    check([op["name"] for op in stream["ops"]] == ["where", "emit"], "--code: ops")

    r = run(binary, "--code", "stream S = Reading\n    .where value > 1\n")
    check(r.returncode == 1, f"syntax error: exit {r.returncode}")
    check(r.stdout == "", "syntax error: stdout must be empty")
    check(r.stderr == "<code>:2:12: error[E100]: expected '(' after 'where', found 'value'\n"
                      "    .where value > 1\n"
                      "           ^^^^^\n"
                      "  hint: write '.where(condition)'\n", f"syntax error: stderr {r.stderr!r}")

    with tempfile.TemporaryDirectory() as tmp:
        bad = pathlib.Path(tmp, "bad.vpl")
        bad.write_text("event A:\n    x: int\n  y: int\n")
        r = run(binary, str(bad))
        check(r.returncode == 1, f"E101: exit {r.returncode}")
        check(r.stderr.startswith(f"{bad}:3:3: error[E101]: "), f"E101: stderr {r.stderr!r}")

        r = run(binary, str(pathlib.Path(tmp, "missing.vpl")))
        check(r.returncode == 2, f"missing file: exit {r.returncode}")
        check("cannot read" in r.stderr and "missing.vpl" in r.stderr,
              f"missing file: stderr {r.stderr!r}")
        r = run(binary, tmp)
        check(r.returncode == 2, f"directory: exit {r.returncode}")

    r = run(binary)
    check(r.returncode == 2, f"no argument: exit {r.returncode}")
    r = run(binary, "--help")
    check(r.returncode == 0 and "JSON" in r.stdout, "parse --help describes the command")

    if FAILURES:
        print(f"{len(FAILURES)} failure(s)", file=sys.stderr)
        return 1
    print(f"parse command: {len(programs)} conformance programs and error cases OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Runs `varpulis check` over the diagnostics corpus and the valid programs.

1. Every tests/lang/cases/<name>.vpl must produce exactly the diagnostic lines of
   <name>.expected (the `LINE:COL: severity[CODE]: message` lines, without the file prefix, and
   their `  hint:` lines) on stderr, in that order, and exit 1 when one of them is an error, 0
   (with `Syntax OK`) when they are all warnings.
2. Every program.vpl under <shared>/conformance/cases/ and examples/ must pass: exit 0, stdout
   `Syntax OK` then `   Statements: N`, and no error on stderr.
3. Every ```vpl block of docs/language.md must pass `check`.
4. A missing file exits 2 with a message naming it; `--code` checks inline source.

Usage: test_diagnostics.py --bin build/varpulis --shared ../shared
"""
import argparse
import pathlib
import re
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
HEADER = re.compile(r"^(?P<file>.*?):(?P<line>\d+):(?P<col>\d+): (?P<rest>(error|warning)\[[EW]\d{3}\]: .*)$")


class Runner:
    def __init__(self, binary):
        self.binary = binary
        self.passed = 0
        self.failed = 0

    def run(self, *args):
        return subprocess.run([self.binary, "check", *args], capture_output=True, text=True,
                              timeout=60)

    def ok(self, name):
        self.passed += 1

    def fail(self, name, why):
        self.failed += 1
        print(f"FAIL {name}: {why}")


def diagnostic_lines(stderr, path):
    """The header lines (file prefix removed) and hint lines of a check's stderr."""
    out = []
    for line in stderr.splitlines():
        m = HEADER.match(line)
        if m and m.group("file") == path:
            out.append(f"{m.group('line')}:{m.group('col')}: {m.group('rest')}")
        elif line.startswith("  hint: "):
            out.append(line)
    return out


def check_corpus(r):
    cases = sorted((HERE / "cases").glob("*.vpl"))
    if len(cases) < 60:
        r.fail("corpus", f"only {len(cases)} cases")
    for vpl in cases:
        name = f"case {vpl.stem}"
        expected_file = vpl.with_suffix(".expected")
        if not expected_file.exists():
            r.fail(name, "no .expected file")
            continue
        expected = expected_file.read_text().splitlines()
        res = r.run(str(vpl))
        got = diagnostic_lines(res.stderr, str(vpl))
        has_error = any(re.match(r"^\d+:\d+: error\[", line) for line in expected)
        want_rc = 1 if has_error else 0
        if got != expected:
            r.fail(name, "diagnostics differ\n  expected:\n    " + "\n    ".join(expected) +
                   "\n  got:\n    " + "\n    ".join(got))
        elif res.returncode != want_rc:
            r.fail(name, f"exit {res.returncode}, expected {want_rc}")
        elif not has_error and not res.stdout.startswith("Syntax OK\n"):
            r.fail(name, f"warnings only, but stdout is {res.stdout!r}")
        elif has_error and res.stdout:
            r.fail(name, f"stdout must be empty on error, got {res.stdout!r}")
        else:
            r.ok(name)


def count_statements(text):
    """Top-level statements: lines starting a declaration at column 1 (the valid programs here
    keep one statement per such line)."""
    keywords = ("event ", "type ", "let ", "var ", "const ", "fn ", "connector ", "stream ",
                "pattern ")
    return sum(1 for line in text.splitlines() if line.startswith(keywords))


def check_valid_programs(r, shared):
    programs = sorted((shared / "conformance" / "cases").glob("*/program.vpl"))
    programs += sorted((ROOT / "examples").glob("**/program.vpl"))
    if not programs:
        r.fail("valid programs", "none found")
    for program in programs:
        name = f"valid {program.relative_to(program.parents[2])}"
        res = r.run(str(program))
        want = f"Syntax OK\n   Statements: {count_statements(program.read_text())}\n"
        if res.returncode != 0:
            r.fail(name, f"exit {res.returncode}\n{res.stderr}")
        elif res.stdout != want:
            r.fail(name, f"stdout {res.stdout!r}, expected {want!r}")
        elif "error[" in res.stderr:
            r.fail(name, f"errors on stderr:\n{res.stderr}")
        else:
            r.ok(name)


def check_doc_examples(r):
    doc = ROOT / "docs" / "language.md"
    blocks = re.findall(r"^```vpl\n(.*?)^```", doc.read_text(), flags=re.S | re.M)
    if not blocks:
        r.fail("docs/language.md", "no ```vpl examples")
    for i, block in enumerate(blocks, 1):
        res = r.run("--code", block)
        if res.returncode == 0 and res.stdout.startswith("Syntax OK") and not res.stderr:
            r.ok(f"doc example {i}")
        else:
            r.fail(f"doc example {i}", f"exit {res.returncode}\n{res.stderr}")


def check_cli(r, tmp):
    missing = tmp / "does-not-exist.vpl"
    res = r.run(str(missing))
    if res.returncode == 2 and str(missing) in res.stderr and not res.stdout:
        r.ok("missing file")
    else:
        r.fail("missing file", f"exit {res.returncode}, stderr {res.stderr!r}")

    res = r.run(str(tmp))
    if res.returncode == 2 and str(tmp) in res.stderr and not res.stdout:
        r.ok("directory")
    else:
        r.fail("directory", f"exit {res.returncode}, stdout {res.stdout!r}, stderr {res.stderr!r}")

    res = r.run("--code", "stream S = Reading.where(value > 1).emit()")
    if res.returncode == 0 and res.stdout == "Syntax OK\n   Statements: 1\n":
        r.ok("--code valid")
    else:
        r.fail("--code valid", f"exit {res.returncode}, {res.stdout!r} {res.stderr!r}")

    res = r.run("--code", "let a = 1\nstream S = Reading.emit(x: uper(a))")
    if (res.returncode == 1 and "<code>:2:28: error[E050]: unknown function 'uper'" in res.stderr
            and "  hint: did you mean 'upper'?" in res.stderr):
        r.ok("--code error")
    else:
        r.fail("--code error", f"exit {res.returncode}, stderr {res.stderr!r}")

    # The caret line underlines the offending token in the original line (§12.1).
    res = r.run("--code", "stream S = Reading\n\t.emit(name: uper(name))")
    want = ("<code>:2:14: error[E050]: unknown function 'uper'\n"
            "\t.emit(name: uper(name))\n"
            "\t            ^^^^\n"
            "  hint: did you mean 'upper'?\n")
    if res.returncode == 1 and res.stderr == want:
        r.ok("caret rendering")
    else:
        r.fail("caret rendering", f"stderr {res.stderr!r}")

    # Warnings alone keep the program valid and still reach stderr.
    res = r.run("--code", "stream S = Reading.allowed_lateness(1s).emit()")
    if (res.returncode == 0 and res.stdout.startswith("Syntax OK") and "warning[W001]"
            in res.stderr):
        r.ok("warning only")
    else:
        r.fail("warning only", f"exit {res.returncode}, {res.stdout!r} {res.stderr!r}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--shared", required=True)
    args = parser.parse_args()
    r = Runner(args.bin)
    check_corpus(r)
    check_valid_programs(r, pathlib.Path(args.shared))
    check_doc_examples(r)
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        check_cli(r, pathlib.Path(tmp))
    print(f"{r.passed} passed, {r.failed} failed")
    return 0 if r.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Runs every pattern case under tests/patterns/ (the public pattern_* conformance cases except
the checkpoint one, plus our own, two of which are two-phase --state-dir cases) through the real binary with the shared conformance runner
(<shared>/conformance/run.py). Fails when any case fails.

Usage: test_patterns.py --bin PATH --shared PATH
"""
import argparse
import os
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--shared", required=True)
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    runner = os.path.join(a.shared, "conformance", "run.py")
    p = subprocess.run([sys.executable, runner, "--bin", a.bin, "--verbose", here])
    return p.returncode


if __name__ == "__main__":
    sys.exit(main())

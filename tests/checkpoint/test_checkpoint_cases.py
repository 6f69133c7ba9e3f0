#!/usr/bin/env python3
"""Two-phase checkpoint/restore conformance cases, run through the varpulis binary.

public/ holds copies of the shared two-phase cases (checkpoint_*, pattern_checkpoint_basic);
cases/ holds ours (every window kind restored mid-window, partitions, var values, limit and
distinct, watermark continuity, patterns restored mid-run, --drain after a restore).
Each case runs phase1.evt then phase2.evt with one fresh --state-dir, via the shared runner.

Usage: test_checkpoint_cases.py --bin PATH --shared PATH
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
    roots = [os.path.join(here, "public"), os.path.join(here, "cases")]
    p = subprocess.run([sys.executable, runner, "--bin", a.bin, "--verbose"] + roots)
    return p.returncode


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# End-to-end throughput of `varpulis simulate --immediate` over a generated JSON-lines file:
# read + parse + filter + emit + format, output to /dev/null. The summary line on stderr carries
# events/s; the baseline is `cat` of the same file to /dev/null (the I/O floor) and the runtime
# in-process numbers come from engine_bench.
#
# Usage: bench/simulate_bench.sh [BUILD_DIR] [EVENTS]     (defaults: build, 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
n="${2:-1000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$n" > "$work/events.jsonl" <<'PY'
import random, sys
n = int(sys.argv[1])
r = random.Random(42)
out = sys.stdout
for i in range(n):
    out.write('{"event_type":"Reading","ts":%d,"fields":{"sensor":"s%d","value":%.2f}}\n'
              % (i, r.randrange(100), r.randrange(5000) / 100))
PY
cat > "$work/program.vpl" <<'VPL'
stream Hot = Reading
    .where(value > 30.0)
    .emit(sensor: sensor, value: value)
VPL
runs=()
for i in 1 2 3 4 5; do
  line=$("$build/varpulis" simulate -p "$work/program.vpl" -e "$work/events.jsonl" --immediate \
           --output jsonl 2>&1 >/dev/null | grep 'events processed')
  runs+=("$(sed -E 's/.* ([0-9]+) events\/s$/\1/' <<<"$line")")
  echo "run $i: $line"
done
median=$(printf '%s\n' "${runs[@]}" | sort -n | sed -n 3p)
start=$(date +%s.%N); cat "$work/events.jsonl" > /dev/null; end=$(date +%s.%N)
echo "simulate --immediate end-to-end: median $median events/s over $n JSON lines (target 2000000)"
python3 -c "import sys; n=$n; t=$end-$start; print(f'baseline cat to /dev/null: {n/t:.0f} lines/s; simulate is {int(\"$median\")/(n/t):.3f} of it')"

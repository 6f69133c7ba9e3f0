#!/usr/bin/env bash
# End-to-end throughput of `varpulis simulate --immediate` over a generated JSON-lines file:
# read + parse + filter + emit + format, output to /dev/null. The summary line on stderr carries
# events/s; the baseline is `cat` of the same file to /dev/null (the I/O floor) and the runtime
# in-process numbers come from engine_bench.
#
# Usage: bench/simulate_bench.sh [BUILD_DIR] [EVENTS] [CASE]   (defaults: build, 1000000, filter)
#   CASE filter:  100 sensors, `.where(value > 30.0).emit(...)` (target 2 M/s)
#   CASE sliding: 10 000 sensors, 10 events/ms, `.partition_by(sensor).window(10s, sliding: 5s)
#                 .aggregate(...)` — the keyed-state case where --immediate's look-ahead counts
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
n="${2:-1000000}"
case_name="${3:-filter}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
case "$case_name" in
  filter) keys=100; per_ms=1 ;;
  sliding) keys=10000; per_ms=10 ;;
  *) echo "unknown case '$case_name' (filter or sliding)" >&2; exit 2 ;;
esac
python3 - "$n" "$keys" "$per_ms" > "$work/events.jsonl" <<'PY'
import random, sys
n, keys, per_ms = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
r = random.Random(42)
out = sys.stdout
for i in range(n):
    out.write('{"event_type":"Reading","ts":%d,"fields":{"sensor":"s%d","value":%.2f}}\n'
              % (i // per_ms, r.randrange(keys), r.randrange(5000) / 100))
PY
if [ "$case_name" = filter ]; then
  cat > "$work/program.vpl" <<'VPL'
stream Hot = Reading
    .where(value > 30.0)
    .emit(sensor: sensor, value: value)
VPL
else
  cat > "$work/program.vpl" <<'VPL'
stream P = Reading
    .partition_by(sensor)
    .window(10s, sliding: 5s)
    .aggregate(n: count(), avg_v: avg(value))
    .emit()
VPL
fi
runs=()
for i in 1 2 3 4 5; do
  line=$("$build/varpulis" simulate -p "$work/program.vpl" -e "$work/events.jsonl" --immediate \
           --output jsonl 2>&1 >/dev/null | grep 'events processed')
  runs+=("$(sed -E 's/.* ([0-9]+) events\/s$/\1/' <<<"$line")")
  echo "run $i: $line"
done
median=$(printf '%s\n' "${runs[@]}" | sort -n | sed -n 3p)
start=$(date +%s.%N); cat "$work/events.jsonl" > /dev/null; end=$(date +%s.%N)
echo "simulate --immediate end-to-end ($case_name): median $median events/s over $n JSON lines (target 2000000)"
python3 -c "import sys; n=$n; t=$end-$start; print(f'baseline cat to /dev/null: {n/t:.0f} lines/s; simulate is {int(\"$median\")/(n/t):.3f} of it')"

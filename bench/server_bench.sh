#!/usr/bin/env bash
# Load benchmark of `varpulis server` with wrk (spec/state-and-server.md §6; issue #7 target:
# ≥ 1 M events/s through events-batch with batches of 1 000 on loopback).
#
#   bench/server_bench.sh [BIN] [DURATION_S] [CONNECTIONS]     (defaults: build/varpulis 10 8)
#
# Starts the server on an ephemeral port with --api-key (tier owner: no event-rate quota),
# deploys a filter pipeline, then runs wrk with keep-alive:
#   1. single-event POST …/events                     → requests/s, p99
#   2. POST …/events-batch with 1 000 events per body → events/s = requests/s × 1000, p99
# and prints a table with the server's RSS (VmRSS) after the runs (≥ 10 M events in total
# when the batch run keeps up). Needs wrk and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-build/varpulis}"
DURATION="${2:-10}"
CONNS="${3:-8}"
THREADS="${SERVER_THREADS:-2}"
KEY="bench-key-0123456789abcdefghij"
command -v wrk >/dev/null || { echo "server_bench: wrk not found" >&2; exit 2; }

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$BIN" server --port 0 --bind 127.0.0.1 --api-key "$KEY" --threads "$THREADS" \
  2>"$work/server.log" &
server_pid=$!
port=""
for _ in $(seq 1 200); do
  port="$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/server.log" | grep -o '[0-9]*$' || true)"
  if [ -n "$port" ] && grep -q ': ready$' "$work/server.log"; then break; fi
  sleep 0.05
done
[ -n "$port" ] || { echo "server_bench: server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
base="http://127.0.0.1:$port"

source='stream Big = Tx\n    .where(amount > 990)\n    .emit(amount: amount, card: card)\n'
pid="$(curl -sf -H "X-API-Key: $KEY" -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench\",\"source\":\"$source\"}" "$base/api/v1/pipelines" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"

# Bodies: one event; 1 000 events (amount 0..999, so 1 % match and produce an output).
python3 - "$work" "$KEY" "$pid" <<'PY'
import json, sys
work, key, pid = sys.argv[1:4]
single = json.dumps({"event_type": "Tx", "fields": {"amount": 5, "card": "c-17", "ok": True}})
batch = json.dumps({"events": [{"event_type": "Tx", "fields": {"amount": i, "card": f"c-{i % 50}",
                                                                "ok": True}} for i in range(1000)]})
def lua(name, path, body):
    with open(f"{work}/{name}.lua", "w") as f:
        f.write('wrk.method = "POST"\n')
        f.write(f'wrk.path = "{path}"\n')
        f.write(f'wrk.headers["X-API-Key"] = "{key}"\n')
        f.write('wrk.headers["Content-Type"] = "application/json"\n')
        f.write(f"wrk.body = [==[{body}]==]\n")
        f.write('done = function(summary, latency, requests)\n'
                '  io.write(string.format("RESULT %d %d %.1f %d\\n", summary.requests, '
                'summary.errors.status + summary.errors.connect + summary.errors.read + '
                'summary.errors.write + summary.errors.timeout, latency:percentile(99), '
                'summary.duration))\nend\n')
lua("single", f"/api/v1/pipelines/{pid}/events", single)
lua("batch", f"/api/v1/pipelines/{pid}/events-batch", batch)
print(f"batch body: {len(batch)} bytes", file=sys.stderr)
PY

run() {  # name → "requests errors p99_us duration_us"
  wrk -t2 -c"$CONNS" -d"${DURATION}s" -s "$work/$1.lua" "$base" | grep '^RESULT' | cut -d' ' -f2-
}
read -r s_req s_err s_p99 s_dur <<<"$(run single)"
read -r b_req b_err b_p99 b_dur <<<"$(run batch)"
rss_kb="$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")"
processed="$(curl -sf -H "X-API-Key: $KEY" "$base/api/v1/pipelines/$pid/metrics" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["events_processed"])')"

python3 - "$s_req" "$s_err" "$s_p99" "$s_dur" "$b_req" "$b_err" "$b_p99" "$b_dur" "$rss_kb" \
  "$processed" "$CONNS" "$THREADS" <<'PY'
import sys
s_req, s_err, s_p99, s_dur, b_req, b_err, b_p99, b_dur, rss, processed, conns, threads = map(float, sys.argv[1:])
s_rps = s_req / (s_dur / 1e6)
b_rps = b_req / (b_dur / 1e6)
print(f"varpulis server bench: wrk -t2 -c{int(conns)}, server --threads {int(threads)}, loopback")
print(f"{'scenario':<34} {'req/s':>10} {'events/s':>12} {'p99':>10} {'errors':>7}")
print(f"{'single event POST …/events':<34} {s_rps:>10.0f} {s_rps:>12.0f} {s_p99/1000:>8.2f}ms {int(s_err):>7}")
print(f"{'events-batch, 1000 events/request':<34} {b_rps:>10.0f} {b_rps*1000:>12.0f} {b_p99/1000:>8.2f}ms {int(b_err):>7}")
print(f"events processed by the pipeline: {int(processed)}; server VmRSS after: {rss/1024:.1f} MiB")
PY

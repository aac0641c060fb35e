#!/usr/bin/env bash
# Load figures of the admin API's status and counts endpoints while accelerated generation runs (issues 7 and 21):
# the admin API and the generator worker (Release builds) against the embedded PostgreSQL, a development-scale dataset,
# keys from 'hcp keys create', accelerated generation started through the API; then, over loopback and for a bounded time:
#   1. simulated days appended in <seconds> with no load (the generation's own speed);
#   2. the same window under wrk on GET /api/admin/data/counts and GET /api/admin/generation/status at once, each paced
#      to <rate>/2 requests/s (wrk's delay() hook: each of <connections> connections waits before its next request; plain
#      wrk has no -R, so the achieved rate is printed), and the days appended meanwhile;
#   3. the endpoints' ceiling: status, unpaced, for 5 s (the earlier figure of this script).
# Usage: bash bench/status-load.sh [seconds=30] [rate=440] [connections per endpoint=4] [seconds-per-simulated-day=0.5]
# (rate is both endpoints together; the default paces each to about 200 requests/s achieved, the issue's bar)
# Needs wrk (apt-get install -y wrk) and the PostgreSQL server binaries (apt-get install -y postgresql).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-30}
rate=${2:-440}
connections=${3:-4}
speed=${4:-0.5}
out=bench/out/status-load
mkdir -p "$out"
export HCP_DATA_DIR=${HCP_BENCH_DATA_DIR:-/tmp/hcp-bench-status/postgres}
export HCP_PG_PORT=${HCP_BENCH_PORT:-54343}
unset ConnectionStrings__hcpdb
port=${HCP_BENCH_API_PORT:-5095}
base="http://127.0.0.1:$port"

command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }

if [ -z "${HCP_BENCH_SKIP_BUILD:-}" ]; then # set it to reuse the previous build in bench/out/status-load
  echo "building (Release)…"
  for p in src/HcpPlatform.Cli src/HcpPlatform.AdminApi src/HcpPlatform.Generator; do
    dotnet build "$p" -c Release -o "$out/$(basename "$p")" >"$out/build.log" 2>&1 || { tail -n 20 "$out/build.log"; exit 1; }
  done
fi
hcp() { dotnet "$out/HcpPlatform.Cli/HcpPlatform.Cli.dll" "$@"; }

cs=$(hcp db start)
export ConnectionStrings__hcpdb="$cs"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "dataset: development scale (2,000 HCPs × 12 months, seed 42)…"
hcp generate --scenario=development --seed=42 --as-of=2026-06-30 --wipe --yes >"$out/generate.log" 2>&1
read_key=$(hcp keys create --name "status-load bench (read)" --scope read --expires-days 1 2>/dev/null)
admin_key=$(hcp keys create --name "status-load bench (admin)" --scope admin --expires-days 1 2>/dev/null)

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  hcp keys revoke "${read_key:0:12}" >/dev/null 2>&1 || true
  hcp keys revoke "${admin_key:0:12}" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# The rate limiter is per key (600 requests a minute by default); this measures the endpoint, so it is lifted here.
AdminApi__RateLimit__PermitLimit=1000000000 Logging__LogLevel__Default=Warning \
  dotnet "$out/HcpPlatform.AdminApi/HcpPlatform.AdminApi.dll" --urls "$base" --contentRoot "$PWD/$out/HcpPlatform.AdminApi" >"$out/api.log" 2>&1 &
pids+=($!)
Logging__LogLevel__Default=Warning Generator__WorkerId=bench-worker \
  dotnet "$out/HcpPlatform.Generator/HcpPlatform.Generator.dll" --urls "http://127.0.0.1:0" --contentRoot "$PWD/$out/HcpPlatform.Generator" >"$out/worker.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 120); do curl -sf "$base/alive" >/dev/null && break; sleep 0.5; done
curl -sf "$base/alive" >/dev/null || { echo "the admin API did not start:" >&2; tail -n 20 "$out/api.log" >&2; exit 1; }
curl -sf -X POST -H "X-Api-Key: $admin_key" -H 'Content-Type: application/json' \
  -d "{\"secondsPerSimulatedDay\": $speed}" "$base/api/admin/generation/start" >/dev/null
status() { curl -sf -H "X-Api-Key: $read_key" "$base/api/admin/generation/status"; }
for _ in $(seq 1 120); do
  status | python3 -c "import json,sys; s=json.load(sys.stdin); sys.exit(0 if s['worker']['alive'] and s['mode']=='running' else 1)" && break
  sleep 0.5
done
through() { status | python3 -c "import json,sys; print(json.load(sys.stdin)['simulatedThrough'])"; }
days_between() { python3 -c "from datetime import date; print((date.fromisoformat('$2') - date.fromisoformat('$1')).days)"; }
echo "generation: running, one simulated day every ${speed} s (worker observed: $(status | python3 -c "import json,sys; print(json.load(sys.stdin)['mode'])"))"

# 1. The generation's speed with nothing else asking.
idle_from=$(through); sleep "$duration"; idle_to=$(through)
idle_days=$(days_between "$idle_from" "$idle_to")

# 2. The same window with counts and status polled, each at rate/2 requests/s at most.
per_endpoint=$((rate / 2))
delay_ms=$((1000 * connections / per_endpoint))
cat >"$out/paced.lua" <<LUA
function delay() return $delay_ms end
LUA
echo "wrk: ${duration} s, GET counts and GET status at once, ${connections} connections each, ${delay_ms} ms between a connection's requests (≤ ${per_endpoint} requests/s each)"
load_from=$(through)
wrk -t1 -c"$connections" -d"${duration}s" --latency -s "$out/paced.lua" -H "X-Api-Key: $read_key" "$base/api/admin/data/counts" >"$out/wrk-counts.txt" &
counts_pid=$!
wrk -t1 -c"$connections" -d"${duration}s" --latency -s "$out/paced.lua" -H "X-Api-Key: $read_key" "$base/api/admin/generation/status" >"$out/wrk-status.txt"
wait "$counts_pid"
load_to=$(through)
load_days=$(days_between "$load_from" "$load_to")

# 3. Ceiling: the liveness probe (no key, no database) and status unpaced, 5 s each.
wrk -t2 -c"$connections" -d5s --latency "$base/alive" >"$out/wrk-alive.txt"
wrk -t2 -c"$connections" -d5s --latency -H "X-Api-Key: $read_key" "$base/api/admin/generation/status" >"$out/wrk-status-unpaced.txt"
curl -sf -X POST -H "X-Api-Key: $admin_key" "$base/api/admin/generation/pause" >/dev/null

summary() { # file label
  local rps p50 p99 non2xx socket
  rps=$(awk '/Requests\/sec/ {print $2}' "$1"); p50=$(awk '$1 == "50%" {print $2}' "$1"); p99=$(awk '$1 == "99%" {print $2}' "$1")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$1"); socket=$(grep -o 'Socket errors:.*' "$1" || true)
  echo "$2: ${rps} requests/s, p50 ${p50}, p99 ${p99}, errors: non-2xx ${non2xx:-0}${socket:+, $socket}"
}
echo "---"
summary "$out/wrk-counts.txt" "GET /api/admin/data/counts (paced)"
summary "$out/wrk-status.txt" "GET /api/admin/generation/status (paced)"
echo "generation: ${idle_days} simulated days in ${duration} s without load ($idle_from → $idle_to), ${load_days} with load ($load_from → $load_to); configured: $(python3 -c "print(round($duration / $speed))") at most"
summary "$out/wrk-alive.txt" "ceiling, GET /alive (5 s, unpaced)"
summary "$out/wrk-status-unpaced.txt" "ceiling, GET /api/admin/generation/status (5 s, unpaced)"

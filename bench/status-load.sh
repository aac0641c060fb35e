#!/usr/bin/env bash
# Load figure of the admin API's status endpoint while accelerated generation runs (issue 7):
# the admin API and the generator worker (Release builds) against the embedded PostgreSQL, a development-scale
# dataset, a read key from 'hcp keys create', accelerated generation started through the API, then wrk on
# GET /api/admin/generation/status over loopback for a bounded time. Prints requests/s, p99 latency and errors.
# Usage: bash bench/status-load.sh [seconds=15] [connections=4] [seconds-per-simulated-day=0.5]
# Needs wrk (apt-get install -y wrk) and the PostgreSQL server binaries (apt-get install -y postgresql).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-15}
connections=${2:-4}
speed=${3:-0.5}
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
before=$(status | python3 -c "import json,sys; print(json.load(sys.stdin)['simulatedThrough'])")
echo "generation: running, one simulated day every ${speed} s (worker observed: $(status | python3 -c "import json,sys; print(json.load(sys.stdin)['mode'])"))"

# Ceiling of this machine right now: the same server's liveness probe (no key, no database), 5 s.
wrk -t2 -c"$connections" -d5s --latency "$base/alive" >"$out/wrk-alive.txt"
echo "baseline: GET /alive (no key, no database) $(awk '/Requests\/sec/ {print $2}' "$out/wrk-alive.txt") requests/s, p99 $(awk '$1 == "99%" {print $2}' "$out/wrk-alive.txt")"
echo "wrk: ${duration} s, ${connections} connections, 2 threads, GET /api/admin/generation/status with a read key"
wrk -t2 -c"$connections" -d"${duration}s" --latency -H "X-Api-Key: $read_key" "$base/api/admin/generation/status" | tee "$out/wrk.txt"
after=$(status | python3 -c "import json,sys; print(json.load(sys.stdin)['simulatedThrough'])")
curl -sf -X POST -H "X-Api-Key: $admin_key" "$base/api/admin/generation/pause" >/dev/null

rps=$(awk '/Requests\/sec/ {print $2}' "$out/wrk.txt")
p99=$(awk '$1 == "99%" {print $2}' "$out/wrk.txt")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$out/wrk.txt")
socket=$(grep -o 'Socket errors:.*' "$out/wrk.txt" || true)
days=$(python3 -c "from datetime import date; print((date.fromisoformat('$after') - date.fromisoformat('$before')).days)")
echo "---"
echo "status endpoint under load: ${rps} requests/s, p99 ${p99}, errors: non-2xx ${non2xx:-0}${socket:+, $socket}"
echo "while generating: ${days} simulated days appended during the run ($before → $after)"

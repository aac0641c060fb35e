#!/usr/bin/env bash
# Times the Aspire AppHost: (1) `dotnet run --project HcpPlatform.AppHost` (already built) until every resource is
# healthy — PostgreSQL accepting connections, the migration worker finished, the generator, validation service and
# admin API answering /health (they start only after the migrations) — three times; (2) the AppHost test suite.
# The AppHost runs in its default mode (local binaries on a machine without a container runtime) with its own data
# folder and port, so the user's persistent folder is left alone; the first start includes initdb and is printed apart.
set -euo pipefail
cd "$(dirname "$0")/.."

data=/tmp/hcp-bench-apphost
port=54338
dotnet build HcpPlatform.sln -c Release -warnaserror -v quiet -nologo >/dev/null
rm -rf "$data"

healthy() {
  pg_isready -q -h 127.0.0.1 -p "$port" \
    && curl -sf -o /dev/null http://localhost:5187/health \
    && curl -sf -o /dev/null http://localhost:5182/health \
    && curl -sf -o /dev/null http://127.0.0.1:5080/health
}

for run in 1 2 3; do
  start=$(date +%s.%N)
  dotnet run --project HcpPlatform.AppHost -c Release --no-build -- \
    "Postgres:DataDirectory=$data/pg" "Postgres:Port=$port" > "/tmp/hcp-bench-apphost-$run.log" 2>&1 &
  apphost=$!
  deadline=$((SECONDS + 300))
  until healthy; do
    if [ $SECONDS -gt $deadline ] || ! kill -0 "$apphost" 2>/dev/null; then
      echo "run $run: not healthy within 300 s (log: /tmp/hcp-bench-apphost-$run.log)"; kill "$apphost" 2>/dev/null || true; exit 1
    fi
    sleep 0.2
  done
  end=$(date +%s.%N)
  note=""; [ "$run" = 1 ] && note=" (first start: initdb of a new data folder)"
  printf 'dotnet run --project HcpPlatform.AppHost to every resource healthy, run %s: %.1f s%s\n' "$run" "$(echo "$end - $start" | bc)" "$note"
  kill -TERM "$apphost"; wait "$apphost" 2>/dev/null || true
  # The next run starts once this one's PostgreSQL has stopped.
  while pg_isready -q -h 127.0.0.1 -p "$port"; do sleep 0.2; done
done
rm -rf "$data"

start=$(date +%s.%N)
dotnet test tests/HcpPlatform.AppHost.Tests -c Release --no-build 2>&1 | grep -E '^(Passed|Failed)!' || true
end=$(date +%s.%N)
printf 'AppHost test suite (dotnet test tests/HcpPlatform.AppHost.Tests, built): %.1f s\n' "$(echo "$end - $start" | bc)"

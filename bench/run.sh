#!/usr/bin/env bash
# Measures the figures in bench/README.md on this machine: the built hcp command (publish profile Release:
# self-contained, application and runtime compiled ahead of time into one composite image) against the embedded PostgreSQL (default durable settings: fsync on, synchronous_commit on),
# wall time, rows/s and peak RSS per scale, the 500-row multi-row INSERT baseline, engine throughput,
# validate-only time and daily increments (in one process, and one process per day).
# Usage: bash bench/run.sh [development analytics load_test]
set -euo pipefail
cd "$(dirname "$0")/.."
scales=("${@:-development analytics load_test}")
out=bench/out
export HCP_DATA_DIR=${HCP_BENCH_DATA_DIR:-/tmp/hcp-bench/postgres}
export HCP_PG_PORT=${HCP_BENCH_PORT:-54339}
unset ConnectionStrings__hcpdb
asof=2026-06-30

echo "building (publish profile Release: self-contained, ReadyToRun composite; a few minutes)…"
dotnet publish src/HcpPlatform.Cli -p:PublishProfile=Release -o "$out/cli" >/dev/null
dotnet build bench/HcpPlatform.Bench -c Release -o "$out/bench" >/dev/null
hcp="$out/cli/HcpPlatform.Cli"
cs=$("$hcp" db start)

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(date -u +%Y-%m-%d)"
# Not measured: leaves a small dataset in place, so the first measured run does not pay for dropping a
# large one left by an earlier run.
"$hcp" generate --scenario=demo --seed=42 --as-of=$asof --wipe --yes >/dev/null 2>&1

# One generate: process wall time (what a user waits for), the loader's own total, rows/s on the wall
# time, peak RSS, and the loader's stages.
measure() {
  local scale=$1 run=$2
  /usr/bin/time -f "%e %M" -o "$out/time.txt" "$hcp" generate --scenario="$scale" --seed=42 --as-of=$asof --wipe --yes --json > "$out/$scale.json" 2> "$out/$scale.log"
  read -r wall rss < "$out/time.txt"
  python3 - "$out/$scale.json" "$scale" "$run" "$wall" "$rss" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); scale, run, wall, rss = sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]) // 1024
rows = sum(d['counts'].values())
print(f"{scale:<12} {run:>3} {rows:>10} {wall:>8.2f} {d['totalSeconds']:>8.2f} {round(rows / wall):>10} {rss:>8}")
print('  stages:', ', '.join(f'{k} {v}s' for k, v in d['stageSeconds'].items()))
PY
}

printf '%-12s %3s %10s %8s %8s %10s %8s\n' scale run rows wall_s loader_s rows/s rss_MB
for scale in ${scales[@]}; do
  if [ "$scale" = development ]; then
    # Short enough to repeat: three runs show the spread on a shared machine.
    for run in 1 2 3; do measure "$scale" "$run"; done
  else
    measure "$scale" 1
  fi
done

echo "development-scale comparisons:"
"$hcp" generate --scenario=development --seed=42 --as-of=$asof --wipe --yes >/dev/null 2>&1
for run in 1 2 3; do
  /usr/bin/time -f "  validate-only (hcp validate, whole process) wall %e s" "$hcp" validate > /dev/null 2> "$out/validate.log" || true
  tail -n 1 "$out/validate.log"
done
dotnet "$out/bench/HcpPlatform.Bench.dll" increment "$cs" | sed 's/^/  /'
# The same as a user runs it: one process per day, start-up included.
for run in 1 2 3; do
  /usr/bin/time -f "  hcp increment --days=1 (whole process) wall %e s" "$hcp" increment --days=1 > /dev/null 2> "$out/increment.log" || true
  tail -n 1 "$out/increment.log"
done
dotnet "$out/bench/HcpPlatform.Bench.dll" insert 2000 "$cs" | sed 's/^/  /'
dotnet "$out/bench/HcpPlatform.Bench.dll" engine 20000 | sed 's/^/  /'

#!/usr/bin/env bash
# Measures the figures in bench/README.md on this machine: a Release (ReadyToRun) build of the hcp
# command against the embedded PostgreSQL (default durable settings: fsync on, synchronous_commit on),
# wall time, rows/s and peak RSS per scale, the 500-row multi-row INSERT baseline, engine throughput,
# validate-only time and one daily increment.
# Usage: bash bench/run.sh [development analytics load_test]
set -euo pipefail
cd "$(dirname "$0")/.."
scales=("${@:-development analytics load_test}")
out=bench/out
export HCP_DATA_DIR=${HCP_BENCH_DATA_DIR:-/tmp/hcp-bench/postgres}
export HCP_PG_PORT=${HCP_BENCH_PORT:-54339}
unset ConnectionStrings__hcpdb
asof=2026-06-30

echo "building (Release, ReadyToRun)…"
dotnet publish src/HcpPlatform.Cli -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$out/cli" >/dev/null
dotnet build bench/HcpPlatform.Bench -c Release -o "$out/bench" >/dev/null
hcp="$out/cli/HcpPlatform.Cli"
cs=$("$hcp" db start)

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(date -u +%Y-%m-%d)"
printf '%-12s %10s %10s %12s %10s\n' scale rows seconds rows/s peak_rss_MB
for scale in ${scales[@]}; do
  /usr/bin/time -f "%M" -o "$out/rss.txt" "$hcp" generate --scenario="$scale" --seed=42 --as-of=$asof --wipe --yes --json > "$out/$scale.json" 2> "$out/$scale.log"
  rows=$(python3 -c "import json;d=json.load(open('$out/$scale.json'));print(sum(d['counts'].values()))")
  secs=$(python3 -c "import json;d=json.load(open('$out/$scale.json'));print(d['totalSeconds'])")
  rss=$(( $(tail -n 1 "$out/rss.txt") / 1024 ))
  printf '%-12s %10s %10s %12s %10s\n' "$scale" "$rows" "$secs" "$(python3 -c "print(round($rows/$secs))")" "$rss"
  python3 -c "import json;d=json.load(open('$out/$scale.json'));print('  stages:', ', '.join(f'{k} {v}s' for k,v in d['stageSeconds'].items()))"
done

echo "development-scale comparisons:"
"$hcp" generate --scenario=development --seed=42 --as-of=$asof --wipe --yes >/dev/null 2>&1
/usr/bin/time -f "  validate-only wall %e s" "$hcp" validate > /dev/null 2> "$out/validate.log" || true
tail -n 1 "$out/validate.log"
dotnet "$out/bench/HcpPlatform.Bench.dll" increment "$cs" | sed 's/^/  /'
dotnet "$out/bench/HcpPlatform.Bench.dll" insert 2000 "$cs" | sed 's/^/  /'
dotnet "$out/bench/HcpPlatform.Bench.dll" engine 20000 | sed 's/^/  /'

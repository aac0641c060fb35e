#!/usr/bin/env bash
# Parquet figures for bench/README.md, with the built hcp command (publish profile Release, as bench/run.sh):
#   1. at one scale (default load_test, 100,000 HCPs × 12 months), in the same run: the PostgreSQL backfill, Parquet
#      generation in one process, two shards side by side (1/2 and 2/2 at once, one engine thread each), and the Parquet
#      export of the PostgreSQL dataset: wall time, rows/s and peak RSS;
#   2. with "million": 1,000,000 HCPs × 12 months as N shards (default 8) run one after another on this machine, each
#      timed alone, so the wall time on N machines is the slowest shard's (plus copying the files where they are read).
# Usage: bash bench/parquet.sh [scale] [million [N]]
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-load_test}
out=bench/out
data=${HCP_BENCH_PARQUET_DIR:-/tmp/hcp-bench/parquet}
export HCP_DATA_DIR=${HCP_BENCH_DATA_DIR:-/tmp/hcp-bench/postgres}
export HCP_PG_PORT=${HCP_BENCH_PORT:-54339}
unset ConnectionStrings__hcpdb
asof=2026-06-30

echo "building (publish profile Release: self-contained, ReadyToRun composite; a few minutes)…"
dotnet publish src/HcpPlatform.Cli -p:PublishProfile=Release -o "$out/cli" >/dev/null
hcp="$out/cli/HcpPlatform.Cli"
"$hcp" db start >/dev/null
mkdir -p "$data"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(date -u +%Y-%m-%d), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# One row of the table: what, rows, wall seconds, rows/s on the wall time, peak RSS; from a --json result and /usr/bin/time.
report() {
  python3 - "$@" <<'PY'
import json, sys
what, wall = sys.argv[1], float(sys.argv[2])
rows, rss = 0, []
for json_file, rss_kb in zip(sys.argv[3::2], sys.argv[4::2]):
    rows += sum(json.load(open(json_file))['counts'].values())
    rss.append(str(int(rss_kb) // 1024))
print(f"{what:<44} {rows:>11,} {wall:>8.2f} {round(rows / wall):>10,} {'+'.join(rss):>10}")
PY
}
timed() { # timed NAME COMMAND…: runs it with its --json on NAME.json, wall and peak RSS on NAME.time
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$out/$name.time" "$@" --json > "$out/$name.json" 2> "$out/$name.log"
}
printf '%-44s %11s %8s %10s %10s\n' "" rows wall_s rows/s rss_MB

rm -rf "$data/single" "$data/export" "$data/shard-1" "$data/shard-2"
timed backfill "$hcp" generate --scenario="$scale" --seed=42 --as-of=$asof --wipe --yes
read -r wall rss < "$out/backfill.time"; report "PostgreSQL backfill ($scale)" "$wall" "$out/backfill.json" "$rss"

timed single "$hcp" generate --format=parquet --out="$data/single" --scenario="$scale" --seed=42 --as-of=$asof
read -r wall rss < "$out/single.time"; report "Parquet, one process" "$wall" "$out/single.json" "$rss"

start=$(date +%s.%N)
for i in 1 2; do
  timed "shard-$i" "$hcp" generate --format=parquet --out="$data/shard-$i" --shard=$i/2 --parallelism=1 --scenario="$scale" --seed=42 --as-of=$asof &
done
wait
wall=$(python3 -c "import time; print(round(time.time() - $start, 2))")
read -r _ rss1 < "$out/shard-1.time"; read -r _ rss2 < "$out/shard-2.time"
report "Parquet, shards 1/2 and 2/2 side by side" "$wall" "$out/shard-1.json" "$rss1" "$out/shard-2.json" "$rss2"

timed export "$hcp" export --format=parquet --out="$data/export"
read -r wall rss < "$out/export.time"; report "Parquet export of the PostgreSQL dataset" "$wall" "$out/export.json" "$rss"
echo "  sizes: $(du -sh "$data/single" | cut -f1) Parquet (one process), $(du -sh "$data/export" | cut -f1) (export)"
rm -rf "$data/single" "$data/export" "$data/shard-1" "$data/shard-2"

if [ "${2:-}" = million ]; then
  shards=${3:-8}
  echo "1,000,000 HCPs × 12 months as $shards shards, one after another (each with both cores):"
  rm -rf "$data/million"
  mkdir -p "$data/million"
  slowest=0
  total_start=$(date +%s.%N)
  for i in $(seq 1 "$shards"); do
    timed "million-$i" "$hcp" generate --format=parquet --out="$data/million/shard-$i" --shard="$i/$shards" --hcps=1000000 --months=12 --seed=42 --as-of=$asof
    read -r wall rss < "$out/million-$i.time"
    report "  shard $i/$shards" "$wall" "$out/million-$i.json" "$rss"
    slowest=$(python3 -c "print(max($slowest, $wall))")
  done
  total=$(python3 -c "import time; print(round(time.time() - $total_start, 2))")
  rows=$(python3 -c "import json; print(sum(sum(json.load(open('$out/million-%d.json' % i))['counts'].values()) for i in range(1, $shards + 1)))")
  echo "  all shards on this machine: $rows rows in $total s ($(python3 -c "print(round($rows / $total))") rows/s), $(du -sh "$data/million" | cut -f1)"
  echo "  on $shards machines like this one: the slowest shard, $slowest s"
fi

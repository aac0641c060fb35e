#!/usr/bin/env bash
# Compares this work tree's `hcp` with another commit's (default: main) on the same machine in the same period: both
# built with the Release publish profile, then run in alternating pairs (A B, B A, ...) against one embedded PostgreSQL,
# so a busy spell on a shared machine weighs on both. Per pair: `hcp generate` wall time at each scale (development
# three pairs, other scales two), then at development scale `hcp validate` and `hcp increment --days=1` (three pairs
# each), every figure a whole process under /usr/bin/time.
# Usage: bash bench/compare.sh [REF] [development load_test ...]
set -euo pipefail
cd "$(dirname "$0")/.."
ref=${1:-main}
shift || true
scales=("${@:-development load_test}")
out=bench/out/compare
export HCP_DATA_DIR=${HCP_BENCH_DATA_DIR:-/tmp/hcp-bench/postgres}
export HCP_PG_PORT=${HCP_BENCH_PORT:-54339}
unset ConnectionStrings__hcpdb
asof=2026-06-30
mkdir -p "$out"

echo "building $ref and this work tree (publish profile Release; several minutes each)…"
other=$(mktemp -d)
trap 'rm -rf "$other"' EXIT
git archive "$ref" | tar -x -C "$other"
dotnet publish "$other/src/HcpPlatform.Cli" -p:PublishProfile=Release -o "$out/ref" >/dev/null
dotnet publish src/HcpPlatform.Cli -p:PublishProfile=Release -o "$out/this" >/dev/null
declare -A hcp=([ref]="$out/ref/HcpPlatform.Cli" [this]="$out/this/HcpPlatform.Cli")
"${hcp[this]}" db start >/dev/null
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(date -u +%Y-%m-%dT%H:%MZ); ref = $ref ($(git rev-parse --short "$ref")), this = $(git rev-parse --short HEAD)$(git diff --quiet || echo ' + changes')"
# Not measured: a small dataset in place, so the first measured run does not pay for dropping a large one.
"${hcp[this]}" generate --scenario=demo --seed=42 --as-of=$asof --wipe --yes >/dev/null 2>&1

# One whole process of build $1, the command after it; prints its wall time ("!" after it when it exited non-zero, e.g.
# a timed query check of `hcp validate` over its threshold on a busy machine).
timed() {
  local build=$1 status=0
  shift
  /usr/bin/time -f "%e" -o "$out/time.txt" "${hcp[$build]}" "$@" > /dev/null 2> "$out/run.log" || status=$?
  printf '%s%s' "$(tail -n 1 "$out/time.txt")" "$([ $status -eq 0 ] || echo '!')"
}

# Pairs of runs in alternating order; prints one line per build with its times.
pairs() {
  local label=$1 count=$2
  shift 2
  local -A times=([ref]="" [this]="")
  for ((i = 0; i < count; i++)); do
    local order=(ref this)
    ((i % 2 == 1)) && order=(this ref)
    for build in "${order[@]}"; do times[$build]+=" $(timed "$build" "$@")"; done
  done
  printf '%-26s %-5s %s\n' "$label" ref "${times[ref]}"
  printf '%-26s %-5s %s\n' "$label" this "${times[this]}"
}

for scale in ${scales[@]}; do
  count=2
  [ "$scale" = development ] && count=3
  pairs "generate $scale" $count generate --scenario="$scale" --seed=42 --as-of=$asof --wipe --yes
done
"${hcp[this]}" generate --scenario=development --seed=42 --as-of=$asof --wipe --yes >/dev/null 2>&1
pairs "validate (development)" 3 validate
pairs "increment --days=1" 3 increment --days=1

#!/usr/bin/env bash
# Builds the whole solution (the Aspire AppHost included) with warnings as errors, runs every test project
# (the AppHost's Aspire.Hosting.Testing tests too), then prints one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."

# PostgreSQL server binaries: the tests start throwaway clusters, the CLI an embedded one.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  echo "Installing PostgreSQL server binaries (apt-get install postgresql)…"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive sudo apt-get install -y -qq postgresql >/dev/null
  fi
fi

# Debian's Chromium for the browser tests of the admin page and the Aspire dashboard (Playwright drives it; no
# browser is downloaded). Without it those tests report themselves skipped.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ]; then
  echo "Installing chromium for the browser test (apt-get install chromium)…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "chromium could not be installed: the browser tests will be skipped"
fi

results=$(mktemp -d)
build_log=$(mktemp)
dotnet build HcpPlatform.sln -c Release -warnaserror > "$build_log" 2>&1
build=$?
grep -E ' (error|warning) [A-Z]+[0-9]+' "$build_log" | sort -u
tail -n 3 "$build_log"
if [ "$build" -ne 0 ]; then
  echo "build failed"
  exit "$build"
fi
dotnet test HcpPlatform.sln -c Release --no-build --logger "trx" --results-directory "$results" "$@" 2>&1 | grep -v '^\s*$'
status=${PIPESTATUS[0]}

# One closing line for people and CI: the totals over every test assembly.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p'); f=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  n=$(echo "$counters" | sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
done
rm -rf "$results"
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"

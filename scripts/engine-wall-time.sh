#!/usr/bin/env bash
# The README's batch-size sweep timed on three engines: local with 1 and 2 runs at a time, and Spark local[2].
# Writes docs/results/engine-wall-time/wall-time.csv (one line per engine) and checks that the three results.csv
# hold the same rows, timing columns aside. Extra arguments go to every sweep (e.g. --limit-train 10000).
# Usage: scripts/engine-wall-time.sh [--limit-train N ...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
results="$here/docs/results/engine-wall-time"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$results"
sweep=(sweep --vary batch-size=2,8,32,128 --norms batch_norm,group_norm --epochs 3 --seeds 3 --no-progress "$@")

# Builds both jars first, so no build lands inside a timing.
"$here/normkit" list >/dev/null
"$here/normkit" list --engine spark >/dev/null 2>&1 || true

run() {
  local name="$1"; shift
  local start end
  start=$(date +%s.%N)
  "$here/normkit" "${sweep[@]}" --out "$work/$name" "$@" >"$work/$name.log" 2>&1
  end=$(date +%s.%N)
  local runs seconds
  runs=$(tail -n +2 "$work/$name/results.csv" | cut -d, -f1-8 | sort -u | wc -l)
  seconds=$(tail -n +2 "$work/$name/results.csv" | awk -F, '{s += $14} END {printf "%.1f", s}')
  printf '%s,%s,%.1f,%s\n' "$name" "$runs" "$(echo "$end - $start" | bc)" "$seconds" >>"$work/wall-time.csv"
  echo "$name: $(tail -n 1 "$work/wall-time.csv")" >&2
}

echo "engine,runs,wall_seconds,training_seconds_summed" >"$work/wall-time.csv"
run local-1 --engine local --parallel 1
run local-2 --engine local --parallel 2
run spark-local-2 --engine spark --master 'local[2]'

strip() { tail -n +2 "$1/results.csv" | awk -F, -v OFS=, '{$14 = ""; $15 = ""; print}' | sort; }
for other in local-2 spark-local-2; do
  if ! diff -q <(strip "$work/local-1") <(strip "$work/$other") >/dev/null; then
    echo "engine-wall-time: $other's rows differ from local-1's (timing columns aside)" >&2
    exit 1
  fi
done
{
  echo "# $(date -u +%Y-%m-%d) on $(nproc) cores, shared with other jobs; arguments: ${sweep[*]}"
  cat "$work/wall-time.csv"
} >"$results/wall-time.csv"
cp "$work/local-1/results.csv" "$results/results-local-1.csv"
echo "the three engines gave the same rows (timing columns aside); $results/wall-time.csv written" >&2

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

# Builds both jars first and times copies of them, so no build (nor a rebuild in the source tree) lands inside a
# timing; the java lines are ./normkit's.
"$here/normkit" list >/dev/null
"$here/normkit" list --engine spark >/dev/null 2>&1 || true
cp "$here/bn-cli/target/normkit.jar" "$here/bn-spark/target/normkit-spark.jar" "$here/bn-spark/spark-java17.args" \
  "$here/bn-spark/log4j2-normkit.properties" "$work/"
spark_classpath="$(cat "$here/bn-spark/target/spark.classpath")"
export OPENBLAS_NUM_THREADS=1
normkit() {
  java --add-modules=jdk.incubator.vector -Djava.awt.headless=true -jar "$work/normkit.jar" "$@"
}
normkit_spark() {
  java --add-modules=jdk.incubator.vector -Djava.awt.headless=true @"$work/spark-java17.args" \
    -Dlog4j2.configurationFile="$work/log4j2-normkit.properties" -cp "$work/normkit-spark.jar:$spark_classpath" \
    org.normkit.cli.Normkit "$@"
}

run() {
  local name="$1" launcher="$2"; shift 2
  local start end
  start=$(date +%s.%N)
  "$launcher" "${sweep[@]}" --out "$work/$name" "$@" >"$work/$name.log" 2>&1
  end=$(date +%s.%N)
  local runs seconds
  runs=$(tail -n +2 "$work/$name/results.csv" | cut -d, -f1-8 | sort -u | wc -l)
  seconds=$(tail -n +2 "$work/$name/results.csv" | awk -F, '{s += $14} END {printf "%.1f", s}')
  printf '%s,%s,%.1f,%s\n' "$name" "$runs" "$(echo "$end - $start" | bc)" "$seconds" >>"$work/wall-time.csv"
  echo "$name: $(tail -n 1 "$work/wall-time.csv")" >&2
}

echo "engine,runs,wall_seconds,training_seconds_summed" >"$work/wall-time.csv"
run local-1 normkit --engine local --parallel 1
run local-2 normkit --engine local --parallel 2
run spark-local-2 normkit_spark --engine spark --master 'local[2]'

strip() { tail -n +2 "$1/results.csv" | awk -F, -v OFS=, '{$14 = ""; $15 = ""; $21 = ""; $22 = ""; print}' | sort; }
for other in local-2 spark-local-2; do
  if ! diff -q <(strip "$work/local-1") <(strip "$work/$other") >/dev/null; then
    echo "engine-wall-time: $other's rows differ from local-1's (timing columns aside)" >&2
    exit 1
  fi
done
{
  echo "# $(date -u +%Y-%m-%d) on $(nproc) cores (load average $(cut -d" " -f1-3 /proc/loadavg) at the end); arguments: ${sweep[*]}"
  cat "$work/wall-time.csv"
} >"$results/wall-time.csv"
cp "$work/local-1/results.csv" "$results/results-local-1.csv"
echo "the three engines gave the same rows (timing columns aside); $results/wall-time.csv written" >&2

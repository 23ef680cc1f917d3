#!/usr/bin/env bash
# Fault injection: kills a normkit experiment with SIGKILL at random moments and resumes it each time; the final
# results.csv must equal that of an uninterrupted run, apart from the timing columns (seconds, samples_per_second).
#
# Usage: scripts/fault-injection.sh [KILLS]        (default 10 kills)
# Environment:
#   NORMKIT     the command to run (default: ./normkit of this repository)
#   FAULT_ARGS  the experiment's options (default: a small Fashion-MNIST run, about a minute uninterrupted)
#   FAULT_SEED  seed of the kill moments (default: random; printed, so a failure can be replayed)
# Exit code 0 when the results agree, 1 when they differ (the difference is printed), 2 on a usage error.
# The test suite runs a short version (2 kills on tiny data): FaultInjectionTest in bn-cli.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kills="${1:-10}"
if ! [[ "$kills" =~ ^[0-9]+$ ]]; then
  echo "fault-injection: KILLS must be a whole number, got '$kills'" >&2
  exit 2
fi
read -r -a normkit <<< "${NORMKIT:-$here/normkit}"
read -r -a args <<< "${FAULT_ARGS:---norms none,batch_norm --epochs 2 --seeds 2 --limit-train 6000 --limit-test 1000}"
seed="${FAULT_SEED:-$RANDOM}"
RANDOM=$seed
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

run() { "${normkit[@]}" experiment "${args[@]}" --no-progress --out "$1"; }
now_ms() { date +%s%3N; }
# results.csv without the timing columns 14 and 15, which measure the machine, not the training.
untimed() { cut -d, -f1-13,16 "$1/results.csv"; }

echo "fault-injection: uninterrupted reference run (kill moments from seed $seed)"
start=$(now_ms)
run "$work/reference" > "$work/reference.log" 2>&1 || { cat "$work/reference.log" >&2; exit 1; }
duration=$(( $(now_ms) - start ))
echo "fault-injection: reference took ${duration} ms"

landed=0
for ((k = 1; k <= kills; k++)); do
  delay=$(( (RANDOM * 32768 + RANDOM) % duration ))
  # exec, so that $! is the normkit JVM itself: killing a subshell would leave the run going, holding the lock.
  (exec "${normkit[@]}" experiment "${args[@]}" --no-progress --out "$work/killed") >> "$work/killed.log" 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  if kill -KILL "$pid" 2>/dev/null; then
    landed=$((landed + 1))
    echo "fault-injection: kill $k of $kills at ${delay} ms: SIGKILL sent"
  else
    echo "fault-injection: kill $k of $kills at ${delay} ms: the run had already ended"
  fi
  wait "$pid" 2>/dev/null || true
done

echo "fault-injection: final resume"
run "$work/killed" >> "$work/killed.log" 2>&1 || { tail -20 "$work/killed.log" >&2; exit 1; }
if diff <(untimed "$work/reference") <(untimed "$work/killed") > "$work/diff"; then
  echo "fault-injection: OK: $landed of $kills kills landed mid-run; results.csv equals the uninterrupted run's" \
    "($(($(wc -l < "$work/reference/results.csv") - 1)) rows, timing columns aside)"
else
  echo "fault-injection: FAILED: results.csv differs from the uninterrupted run's (seed $seed):" >&2
  head -40 "$work/diff" >&2
  exit 1
fi

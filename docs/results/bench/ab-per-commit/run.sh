#!/usr/bin/env bash
# Per-commit A/B of the forward rows that got slower between a6ae754 and 36a898e (issue 12).
set -uo pipefail
export OPENBLAS_NUM_THREADS=1
# Each commit is built first in its own detached worktree: git worktree add --detach tree-C C && (cd tree-C && mvn -B -q -o -P pytorch package -DskipTests)
out=$(cd "$(dirname "$0")" && pwd); log=$out/run.log; : > $log
sel=(--peer pytorch-2.10 --norms layer_norm,batch_norm2d,group_norm --passes train_forward,eval_forward --threads 1,2 --rounds 3)
order=(a6ae754 d051a9f 5db0dfb d144931 afb1920 36a898e 36a898e afb1920 d144931 5db0dfb d051a9f a6ae754)
i=0
for c in "${order[@]}"; do
  i=$((i+1))
  echo "=== bench $i $c $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" >>$log
  (cd "${TREES:-.}/tree-$c" && ./normkit bench "${sel[@]}" --json $out/$i-$c.json --markdown $out/$i-$c.md >>$log 2>&1) || echo "BENCH FAILED $c" >>$log
done
echo "=== done $(date -u +%T)" >>$log

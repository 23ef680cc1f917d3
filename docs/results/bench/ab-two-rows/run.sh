#!/usr/bin/env bash
# Many-round A/B of the forward rows flagged slower in two A/Bs (issue 12): a6ae754 against main, old/new alternating.
set -uo pipefail
export OPENBLAS_NUM_THREADS=1
out=$(cd "$(dirname "$0")" && pwd); log=$out/run.log; : > $log
sel=(--peer pytorch-2.10 --norms layer_norm,group_norm --passes train_forward,eval_forward --threads 1,2 --rounds 5)
order=(old new new old old new new old)
i=0
for s in "${order[@]}"; do
  i=$((i+1)); if [ $s = old ]; then d=/work/ab/tree-a6ae754; else d=/work/ab/tree-main; fi
  echo "=== bench $i $s $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" >>$log
  (cd $d && ./normkit bench "${sel[@]}" --json $out/$i-$s.json --markdown $out/$i-$s.md >>$log 2>&1) || echo "BENCH FAILED $s" >>$log
done
echo "=== done $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" >>$log

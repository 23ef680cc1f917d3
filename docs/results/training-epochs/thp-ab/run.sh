#!/usr/bin/env bash
# THP A/B on mlp + BatchNorm epochs (eighth session, closing): 5 rounds, order alternating.
cd /work/main
export OPENBLAS_NUM_THREADS=1
for r in 1 2 3 4 5; do
  for v in on off; do
    [[ $((r % 2)) == 0 ]] && v=$([[ $v == on ]] && echo off || echo on)
    out=$(mktemp -d)
    if [[ $v == off ]]; then opts="-XX:-UseTransparentHugePages"; else opts=""; fi
    s=$(date +%s.%N)
    NORMKIT_JAVA_OPTS="$opts" ./normkit experiment --net mlp --norms batch_norm --epochs 3 --seeds 1 --batch-size 128 --threads 1 --no-progress --out $out > /dev/null 2>&1
    e=$(date +%s.%N)
    ep=$(awk -F, 'NR>1 {printf "%s ", $14}' $out/results.csv)
    echo "round $r thp $v epochs $ep whole $(echo "$e - $s" | bc) load $(cut -d' ' -f1 /proc/loadavg)"
    rm -rf $out
  done
done

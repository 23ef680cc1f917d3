#!/bin/sh
# The normkit side of docs/sequence.md, from the repository root (measured at commit 2070600 on 2026-12-02).
export OPENBLAS_NUM_THREADS=1
./normkit experiment --net transformer --norms none,batch_norm,layer_norm,power_norm,dyt --epochs 2 --seeds 2 \
  --limit-train 1000 --limit-test 500 --out docs/results/sequence/transformer-fashion --no-progress
./normkit experiment --net lstm --norms none,batch_norm,batch_norm:per_step=true,layer_norm --epochs 2 --seeds 2 \
  --limit-train 1000 --limit-test 500 --out docs/results/sequence/lstm-fashion --no-progress
# Not finished in the session (about 5 minutes per epoch of 600 documents on the loaded machine):
# ./normkit experiment --net transformer --text --norms batch_norm,batch_norm:masked=false,layer_norm,dyt \
#   --epochs 2 --seeds 2 --limit-train 600 --limit-test 300 --out docs/results/sequence/transformer-text

#!/bin/sh
# The PyTorch side of docs/sequence.md, from the repository root.
for n in none batch_norm layer_norm power_norm dyt; do
  /usr/bin/python3 scripts/pytorch/train_sequence_reference.py --net transformer --norm $n --epochs 2 \
    --seeds 0,1 --limit-train 1000 --limit-test 500 --threads 1
done > docs/results/sequence/pytorch-transformer-fashion.jsonl
/usr/bin/python3 scripts/pytorch/summarize_sequence_reference.py docs/results/sequence/pytorch-transformer-fashion.jsonl

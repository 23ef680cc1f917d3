#!/usr/bin/env bash
# The batch-statistics probe's image runs behind docs/sequence.md and the README's sequence block (the text probe
# is the normkit side of run-parity.sh transformer-text); small runs, see docs/sequence.md for the sizes and the
# machine. From the repository root:
#   docs/results/sequence/run-probe.sh          (NORMKIT=path/to/normkit to use another launcher)
set -euo pipefail
nk=(${NORMKIT:-./normkit})
out=docs/results/sequence
common=(--epochs 2 --threads 1 --no-progress)
"${nk[@]}" experiment --net mlp --norms batch_norm --seeds 1 --limit-train 2000 --limit-test 500 "${common[@]}" --out "$out/probe-mlp"
"${nk[@]}" experiment --net lenet --init xavier --norms batch_norm --seeds 1 --limit-train 2000 --limit-test 500 "${common[@]}" --out "$out/probe-lenet"
"${nk[@]}" experiment --net transformer --norms batch_norm --seeds 1 --limit-train 1000 --limit-test 500 "${common[@]}" --out "$out/probe-transformer"
"${nk[@]}" experiment --net lstm --norms batch_norm,batch_norm:per_step=true --seeds 1 --limit-train 1000 --limit-test 500 "${common[@]}" --out "$out/probe-lstm"

#!/usr/bin/env bash
# Quality parity with PyTorch (issue 13): normkit and scripts/pytorch/train_sequence_reference.py train the same
# Transformer and LSTM on the same data, sizes and seeds; docs/sequence.md and the README's sequence-parity block read
# the files this writes into docs/results/sequence/parity/. From the repository root:
#   docs/results/sequence/run-parity.sh [SIDE [RUN...]]
#     SIDE: normkit, pytorch or both (the default); RUN: transformer-fashion, lstm-fashion, transformer-text (all
#     three by default). NORMKIT=... runs another launcher (e.g. java -jar a copied normkit.jar); NORMS=a,b runs only
#     those norms of the run (the files are then rewritten with those norms only).
# Sizes, nets and norms: parity-settings.sh (shared with run-parity-paired.sh); seeds 0-4. Initial weights and batch
# order come from each framework's own generator, so the comparison is of means over seeds.
set -euo pipefail
source "$(dirname "$0")/parity-settings.sh"
out=docs/results/sequence/parity
side=${1:-both}
shift || true
runs=("$@")
[[ ${#runs[@]} -gt 0 ]] || runs=("${all_runs[@]}")
seeds=5

[[ $side == normkit || $side == pytorch || $side == both ]] || { echo "run-parity.sh: unknown side '$side': use normkit, pytorch or both" >&2; exit 2; }
mkdir -p "$out"
for run in "${runs[@]}"; do
  setting "$run"
  if [[ $side == normkit || $side == both ]]; then
    "${nk[@]}" experiment --net "$net" --norms "$(IFS=,; echo "${norms[*]}")" "${options[@]}" --seeds "$seeds" \
      --threads 1 --no-progress --out "$out/normkit-$run"
  fi
  if [[ $side == pytorch || $side == both ]]; then
    for n in "${norms[@]}"; do
      "${py[@]}" --net "$net" --norm "$n" "${options[@]}" --seeds "$(seq -s, 0 $((seeds - 1)))"
    done > "$out/pytorch-$run.jsonl"
  fi
done

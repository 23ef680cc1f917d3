#!/usr/bin/env bash
# Paired quality parity with PyTorch (issue 13): normkit exports each run's initial weights and batch order
# (experiment --export-init), and scripts/pytorch/train_sequence_reference.py trains the same runs from them
# (--init-from), so that a seed's two results differ only by the arithmetic. docs/sequence.md and the README's
# sequence-parity-paired block read what this writes into docs/results/sequence/parity-paired/. From the repository
# root:
#   docs/results/sequence/run-parity-paired.sh [SIDE [RUN...]]
#     SIDE: normkit, pytorch or both (the default; pytorch needs normkit's export in $STARTS); RUN:
#     transformer-fashion, lstm-fashion, transformer-text (all three by default). NORMKIT=... runs another launcher;
#     SEEDS=K (default 5); STARTS=DIR holds the exported starts (default /tmp/normkit-parity-paired; not committed:
#     a few MB of weights that the normkit command remakes bit for bit).
# Sizes as run-parity.sh (both sides alike, one thread, Adam 1e-3, float32, no dropout): row-sequential
# Fashion-MNIST, the first 2000 (transformer) or 1000 (LSTM) training images and the first 1000 test images, batch 32,
# 3 epochs; the transformer as a character language model on the first 300 training / 150 held-out fortunes, batch
# 16, 2 epochs.
set -euo pipefail
export OPENBLAS_NUM_THREADS=1
out=docs/results/sequence/parity-paired
starts=${STARTS:-/tmp/normkit-parity-paired}
side=${1:-both}
shift || true
runs=("$@")
[[ ${#runs[@]} -gt 0 ]] || runs=(transformer-fashion lstm-fashion transformer-text)
nk=(${NORMKIT:-./normkit})
py=(/usr/bin/python3 scripts/pytorch/train_sequence_reference.py --threads 1)
seeds=${SEEDS:-5}
images=(--epochs 3 --batch-size 32 --limit-test 1000)
text=(--text --epochs 2 --batch-size 16 --limit-train 300 --limit-test 150)

setting() {
  case $1 in
    transformer-fashion) net=transformer; norms=(none batch_norm layer_norm power_norm:algorithm=vanilla dyt); options=("${images[@]}" --limit-train 2000) ;;
    lstm-fashion) net=lstm; norms=(none batch_norm batch_norm:per_step=true layer_norm); options=("${images[@]}" --limit-train 1000) ;;
    transformer-text) net=transformer; norms=(batch_norm batch_norm:masked=false layer_norm); options=("${text[@]}") ;;
    *) echo "run-parity-paired.sh: unknown run '$1': use transformer-fashion, lstm-fashion or transformer-text" >&2; exit 2 ;;
  esac
}

[[ $side == normkit || $side == pytorch || $side == both ]] || { echo "run-parity-paired.sh: unknown side '$side'" >&2; exit 2; }
mkdir -p "$out"
for run in "${runs[@]}"; do
  setting "$run"
  if [[ $side == normkit || $side == both ]]; then
    "${nk[@]}" experiment --net "$net" --norms "$(IFS=,; echo "${norms[*]}")" "${options[@]}" --seeds "$seeds" \
      --threads 1 --no-progress --export-init "$starts/$run" --out "$out/normkit-$run"
  fi
  if [[ $side == pytorch || $side == both ]]; then
    for n in "${norms[@]}"; do
      "${py[@]}" --net "$net" --norm "$n" "${options[@]}" --seeds "$(seq -s, 0 $((seeds - 1)))" --init-from "$starts/$run"
    done > "$out/pytorch-$run.jsonl"
  fi
done

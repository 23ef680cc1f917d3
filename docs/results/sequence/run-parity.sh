#!/usr/bin/env bash
# Quality parity with PyTorch (issue 13): normkit and scripts/pytorch/train_sequence_reference.py train the same
# Transformer and LSTM on the same data, sizes and seeds; docs/sequence.md and the README's sequence-parity block read
# the files this writes into docs/results/sequence/parity/. From the repository root:
#   docs/results/sequence/run-parity.sh [SIDE [RUN...]]
#     SIDE: normkit, pytorch or both (the default); RUN: transformer-fashion, lstm-fashion, transformer-text (all
#     three by default). NORMKIT=... runs another launcher (e.g. java -jar a copied normkit.jar).
# Sizes (both sides alike, one thread, Adam 1e-3, seeds 0-4): row-sequential Fashion-MNIST, the first 2000 (transformer)
# or 1000 (LSTM) training images and the first 1000 test images, batch 32, 3 epochs; the Transformer as a character
# language model on the first 300 training / 150 held-out fortunes, batch 16, 2 epochs.
set -euo pipefail
export OPENBLAS_NUM_THREADS=1
out=docs/results/sequence/parity
side=${1:-both}
shift || true
runs=("$@")
[[ ${#runs[@]} -gt 0 ]] || runs=(transformer-fashion lstm-fashion transformer-text)
nk=(${NORMKIT:-./normkit})
py=(/usr/bin/python3 scripts/pytorch/train_sequence_reference.py --threads 1)
seeds=5
images=(--epochs 3 --batch-size 32 --limit-test 1000)
text=(--text --epochs 2 --batch-size 16 --limit-train 300 --limit-test 150)

# One run: its net, its norms, its options.
setting() {
  case $1 in
    transformer-fashion) net=transformer; norms=(none batch_norm layer_norm power_norm dyt); options=("${images[@]}" --limit-train 2000) ;;
    lstm-fashion) net=lstm; norms=(none batch_norm batch_norm:per_step=true layer_norm); options=("${images[@]}" --limit-train 1000) ;;
    transformer-text) net=transformer; norms=(batch_norm batch_norm:masked=false layer_norm); options=("${text[@]}") ;;
    *) echo "run-parity.sh: unknown run '$1': use transformer-fashion, lstm-fashion or transformer-text" >&2; exit 2 ;;
  esac
}

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
  [[ $side == normkit || $side == pytorch || $side == both ]] || { echo "run-parity.sh: unknown side '$side'" >&2; exit 2; }
done

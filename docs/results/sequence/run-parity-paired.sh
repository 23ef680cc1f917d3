#!/usr/bin/env bash
# Paired quality parity with PyTorch (issue 13): normkit exports each run's initial weights and batch order
# (experiment --export-init), and scripts/pytorch/train_sequence_reference.py trains the same runs from them
# (--init-from), so that a seed's two results differ only by the arithmetic. docs/sequence.md and the README's
# sequence-parity-paired block read what this writes into docs/results/sequence/parity-paired/. From the repository
# root:
#   docs/results/sequence/run-parity-paired.sh [SIDE [RUN...]]
#     SIDE: normkit, pytorch, float64 or both (normkit then pytorch, the default). pytorch and float64 need normkit's
#     export in $STARTS; float64 trains PyTorch's side in float64 (--float64) into pytorch64-RUN.jsonl: how far
#     float32 rounding alone moves a paired run. RUN: transformer-fashion, lstm-fashion, transformer-text (all three
#     by default). NORMKIT=... runs another launcher; SEEDS=K (default 5); NORMS=a,b runs only those norms of the
#     run (normkit: into normkit-RUN/ beside the other norms' rows, skipping the runs its results.csv already holds;
#     PyTorch: the norm's lines in its .jsonl are replaced, the other norms' kept); STARTS=DIR holds the
#     exported starts (default /tmp/normkit-parity-paired; not committed: a few MB of weights that the normkit
#     command remakes bit for bit).
# Sizes, nets and norms: parity-settings.sh (shared with run-parity.sh).
set -euo pipefail
source "$(dirname "$0")/parity-settings.sh"
out=docs/results/sequence/parity-paired
starts=${STARTS:-/tmp/normkit-parity-paired}
side=${1:-both}
shift || true
runs=("$@")
[[ ${#runs[@]} -gt 0 ]] || runs=("${all_runs[@]}")
seeds=${SEEDS:-5}

case $side in
  normkit | pytorch | float64 | both) ;;
  *) echo "run-parity-paired.sh: unknown side '$side': use normkit, pytorch, float64 or both" >&2; exit 2 ;;
esac
mkdir -p "$out"
for run in "${runs[@]}"; do
  setting "$run"
  if [[ $side == normkit || $side == both ]]; then
    for n in "${norms[@]}"; do
      "${nk[@]}" experiment --net "$net" --norms "$n" "${options[@]}" --seeds "$seeds" \
        --threads 1 --no-progress --export-init "$starts/$run" --out "$out/normkit-$run"
    done
  fi
  if [[ $side == pytorch || $side == both || $side == float64 ]]; then
    file=$out/pytorch-$run.jsonl
    extra=()
    if [[ $side == float64 ]]; then
      file=$out/pytorch64-$run.jsonl
      extra=(--float64)
    fi
    touch "$file"
    for n in "${norms[@]}"; do
      # A norm's earlier lines go (a rerun replaces them); the other norms' stay.
      /usr/bin/python3 -c 'import json, sys; f, n = sys.argv[1:]; keep = [l for l in open(f) if json.loads(l)["norm"] != n]; open(f, "w").writelines(keep)' "$file" "$n"
      "${py[@]}" --net "$net" --norm "$n" "${options[@]}" --seeds "$(seq -s, 0 $((seeds - 1)))" \
        --init-from "$starts/$run" "${extra[@]}" >> "$file"
    done
  fi
done

#!/usr/bin/env bash
# Paired quality parity with PyTorch (issue 13): normkit exports each run's initial weights and batch order
# (experiment --export-init), and scripts/pytorch/train_sequence_reference.py trains the same runs from them
# (--init-from), so that a seed's two results differ only by the arithmetic. docs/sequence.md and the README's
# sequence-parity-paired block read what this writes into docs/results/sequence/parity-paired/. From the repository
# root:
#   docs/results/sequence/run-parity-paired.sh [SIDE [RUN...]]
#     SIDE: normkit, pytorch or both (normkit then pytorch, the default), all float32; or in float64: normkit64
#     (experiment --dtype float64 into normkit64-RUN/, exporting its starts into $STARTS/float64), pytorch64
#     (--float64 from that export into pytorch64-RUN.jsonl) or float64 (normkit64 then pytorch64): whether the two
#     frameworks compute the same thing once float32 rounding is out of the way. A float64 run starts from the float32
#     run's initial values, widened, so pytorch64 - pytorch is also how far float32 rounding alone moves a paired run
#     in one framework. pytorch and pytorch64 need normkit's export in $STARTS. RUN: transformer-fashion,
#     lstm-fashion, transformer-text (all three by default). NORMKIT=... runs another launcher; SEEDS=K (default 5);
#     NORMS=a,b runs only those norms of the run (normkit: into normkit-RUN/ beside the other norms' rows, skipping
#     the runs its results.csv already holds; PyTorch: the norm's lines in its .jsonl are replaced, the other norms'
#     kept); FROM_SEED=F (PyTorch: train only seeds F..K-1, keeping the norm's lines of seeds below F: adding seeds
#     in steps); STARTS=DIR holds the exported starts (default /tmp/normkit-parity-paired; not committed: a few MB of
#     weights that the normkit command remakes bit for bit).
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
from_seed=${FROM_SEED:-0}

case $side in
  normkit | pytorch | both | normkit64 | pytorch64 | float64) ;;
  *) echo "run-parity-paired.sh: unknown side '$side': use normkit, pytorch, both, normkit64, pytorch64 or float64" >&2
     exit 2 ;;
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
  if [[ $side == normkit64 || $side == float64 ]]; then
    for n in "${norms[@]}"; do
      "${nk[@]}" experiment --net "$net" --norms "$n" "${options[@]}" --seeds "$seeds" --dtype float64 \
        --threads 1 --no-progress --export-init "$starts/float64/$run" --out "$out/normkit64-$run"
    done
  fi
  if [[ $side == pytorch || $side == both || $side == pytorch64 || $side == float64 ]]; then
    file=$out/pytorch-$run.jsonl
    from=$starts/$run
    extra=()
    if [[ $side == pytorch64 || $side == float64 ]]; then
      file=$out/pytorch64-$run.jsonl
      from=$starts/float64/$run
      extra=(--float64)
    fi
    touch "$file"
    for n in "${norms[@]}"; do
      # A norm's earlier lines of the seeds trained now go (a rerun replaces them); the other lines stay.
      /usr/bin/python3 -c 'import json, sys; f, n, s = sys.argv[1:]; keep = [l for l in open(f) if json.loads(l)["norm"] != n or json.loads(l)["seed"] < int(s)]; open(f, "w").writelines(keep)' "$file" "$n" "$from_seed"
      "${py[@]}" --net "$net" --norm "$n" "${options[@]}" --seeds "$(seq -s, "$from_seed" $((seeds - 1)))" \
        --init-from "$from" "${extra[@]}" >> "$file"
    done
  fi
done

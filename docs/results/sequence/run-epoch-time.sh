#!/usr/bin/env bash
# minutes: at most 3 (the measuring is cut at 170 s; 3 rounds of 2 epochs took 108 s in the quiet window of 2026-12-02
# 13:44 UTC, so a round of 4 epochs takes about 45 s: 3 or 4 rounds finish).
# Run from the repository root: docs/results/sequence/run-epoch-time.sh
# seq (issue 13): epoch time of the sequence nets, normkit against PyTorch 1.13 (scripts/pytorch/
# train_sequence_reference.py) on the same net, data, batch size and one thread: the transformer (2000 images) and the
# LSTM (1000 images) on row-sequential Fashion-MNIST with layer_norm, batch 32, and the transformer as a character
# language model on 150 fortunes with batch_norm (masked), batch 16; 4 epochs each, every run a fresh process, up to 4
# rounds (as many as finish in 170 s), the side that goes first alternating run by run and round by round. Why 4 epochs: both sides'
# first epochs pay a warm-up (normkit's JIT; PyTorch's too: its text epochs went 0.77 s, then 0.49 s), so one later
# epoch compared alone flatters whichever side happened to settle first; the README block compares each side's
# median over rounds of its mean of epochs 3-4 (SequenceEpochTimeFigure), and shows epoch 1 beside it.
# Writes docs/results/sequence/epoch-time/epoch-times.csv (the README block results:sequence-epoch-time renders it;
# the quiet window runs it through /work/quiet/seq.sh, then `./normkit readme --write`). On a timeout the rounds
# finished are kept; with none finished, or on a failure, the previous file stays.
# Trial on a tiny setting (not the README figure): SEQ_REPO=<checkout> SEQ_OUT=<dir> SEQ_TINY=1 bash run-epoch-time.sh
# (on a loaded machine add SEQ_TIMEOUT=600: the cut of the measuring, in seconds, 170 unless given).
set -euo pipefail
repo="${SEQ_REPO:-.}"
out="${SEQ_OUT:-docs/results/sequence/epoch-time}"
cd "$repo"
export OPENBLAS_NUM_THREADS=1
rounds=4; fashion_t=2000; fashion_l=1000; docs=150; epochs=4
if [[ -n "${SEQ_TINY:-}" ]]; then rounds=2; fashion_t=64; fashion_l=64; docs=16; epochs=2; fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "run-epoch-time.sh: start $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)"

# name|net|norm|batch|training rows|data options (both sides take the same flags)
runs=("transformer-fashion|transformer|layer_norm|32|$fashion_t|"
      "lstm-fashion|lstm|layer_norm|32|$fashion_l|"
      "transformer-text|transformer|batch_norm|16|$docs|--text")
normkit_run() {  # round, run
  IFS='|' read -r name net norm batch rows data <<<"$2"
  ./normkit experiment --net "$net" --norms "$norm" --batch-size "$batch" --limit-train "$rows" --limit-test 16 \
    --epochs "$epochs" --seeds 1 --threads 1 --no-progress $data --out "$work/normkit-$name-$1" >/dev/null
}
pytorch_run() {
  IFS='|' read -r name net norm batch rows data <<<"$2"
  /usr/bin/python3 scripts/pytorch/train_sequence_reference.py --net "$net" --norm "$norm" --batch-size "$batch" \
    --limit-train "$rows" --limit-test 16 --epochs "$epochs" --seeds 0 --threads 1 $data > "$work/pytorch-$name-$1.jsonl"
}
measure() {
  for ((r = 1; r <= rounds; r++)); do
    local i=0
    for run in "${runs[@]}"; do
      # Who goes first alternates from run to run and from round to round: two rounds are balanced.
      if (((r + i) % 2)); then normkit_run "$r" "$run"; pytorch_run "$r" "$run"; else pytorch_run "$r" "$run"; normkit_run "$r" "$run"; fi
      i=$((i + 1))
    done
    touch "$work/round-$r.done"
    echo "run-epoch-time.sh: round $r done $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)"
  done
}
export -f normkit_run pytorch_run measure
export work epochs rounds
runs_joined="$(printf '%s\n' "${runs[@]}")"
# A round cut by the timeout is left out; the rounds finished before it are kept (at least one is needed).
timeout "${SEQ_TIMEOUT:-170}" bash -c 'set -euo pipefail; mapfile -t runs <<<"$0"; measure' "$runs_joined" \
  || echo "run-epoch-time.sh: measuring stopped early (exit $?); keeping the finished rounds"


# One CSV of every epoch of every run: framework, version, name, net, data, norm, batch, rows, round, epoch, seconds.
# normkit's seconds are results.csv's (the whole training epoch); PyTorch's are epoch_seconds (the same span).
/usr/bin/python3 - "$work" "$rounds" "$(printf '%s\n' "${runs[@]}")" > "$work/epoch-times.csv" <<'PY'
import csv, json, os, subprocess, sys
import torch
work, rounds, runs = sys.argv[1], int(sys.argv[2]), [r.split("|") for r in sys.argv[3].splitlines()]
version = "commit " + subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["framework", "version", "run", "net", "data", "norm", "batch_size", "training_rows", "round", "epoch",
            "seconds"])
done = [r for r in range(1, rounds + 1) if os.path.isfile(os.path.join(work, f"round-{r}.done"))]
if not done:
    sys.exit("run-epoch-time.sh: no round finished: nothing written")
for r in done:
    for name, net, norm, batch, rows, data in runs:
        kind = "text" if data else "fashion-rows"
        for row in csv.DictReader(open(os.path.join(work, f"normkit-{name}-{r}", "results.csv"))):
            w.writerow(["normkit", version, name, net, kind, norm, batch, rows, r, row["epoch"], row["seconds"]])
        for line in open(os.path.join(work, f"pytorch-{name}-{r}.jsonl")):
            j = json.loads(line)
            w.writerow(["pytorch", "torch " + torch.__version__, name, net, kind, norm, batch, rows, r, j["epoch"],
                        j["epoch_seconds"]])
PY
mkdir -p "$out"
mv "$work/epoch-times.csv" "$out/epoch-times.csv"
echo "run-epoch-time.sh: wrote $out/epoch-times.csv, end $(date -u +%H:%M:%S)"

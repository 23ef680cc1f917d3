# Sourced by run-parity.sh and run-parity-paired.sh (issue 13's quality comparison with PyTorch): the launchers, the
# sizes and, per run, the net, its norms and its options, in one place so that the paired and the independent runs
# stay alike. Both sides: one thread, Adam 1e-3, float32, no dropout; row-sequential Fashion-MNIST, the first 2000
# (transformer) or 1000 (LSTM) training images and the first 1000 test images, batch 32, 3 epochs; the transformer as a
# character language model on the first 300 training / 150 held-out fortunes, batch 16, 2 epochs. PowerNorm is the
# vanilla form (relaxed zero-mean, running quadratic mean), the one the PyTorch script has: normkit's plain
# `power_norm` is the full algorithm (running statistics in the training forward, approximate backward).
export OPENBLAS_NUM_THREADS=1
nk=(${NORMKIT:-./normkit})
py=(/usr/bin/python3 scripts/pytorch/train_sequence_reference.py --threads 1)
images=(--epochs 3 --batch-size 32 --limit-test 1000)
text=(--text --epochs 2 --batch-size 16 --limit-train 300 --limit-test 150)
all_runs=(transformer-fashion lstm-fashion transformer-text)

# One run: its net, its norms (NORMS=a,b,... narrows them for a partial rerun), its options.
setting() {
  case $1 in
    transformer-fashion) net=transformer; norms=(none batch_norm layer_norm power_norm:algorithm=vanilla dyt); options=("${images[@]}" --limit-train 2000) ;;
    lstm-fashion) net=lstm; norms=(none batch_norm batch_norm:per_step=true layer_norm); options=("${images[@]}" --limit-train 1000) ;;
    transformer-text) net=transformer; norms=(batch_norm batch_norm:masked=false layer_norm); options=("${text[@]}") ;;
    *) echo "$(basename "$0"): unknown run '$1': use transformer-fashion, lstm-fashion or transformer-text" >&2; exit 2 ;;
  esac
  if [[ -n ${NORMS:-} ]]; then
    IFS=, read -r -a norms <<< "$NORMS"
  fi
}

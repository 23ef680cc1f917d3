#!/usr/bin/env bash
# Every speed figure of the README from one full run, then the README's blocks rendered from the files it wrote.
# Usage, from anywhere (about 50 minutes on 2 cores; run it on a quiet machine, nothing else running):
#   bash scripts/performance-run.sh
# Environment:
#   STEPS="kernels epochs ..."  only these steps (default: all, in the order below)
#   FORKS=N                     fresh JVMs per kernel case, rounds pooled (default 2: the same kernel call can compile
#                               to a slower form in one JVM than in another, docs/performance.md "Limits")
#   NORMKIT_ALLOW_DIRTY=1       run on a working tree with uncommitted changes (the files then name a commit whose
#                               code is not what ran: for trials only, never for figures that are committed)
# Steps and the files they write (each producer replaces its file only when it finished, so a failed or timed-out
# step leaves the previous file and the run goes on to the next step; the exit status says which failed):
#   kernels           docs/results/bench/versus.{json,md}           README "bench-kernels", "performance-targets"
#   training-threads  docs/results/bench/training-threads.{json,md} docs/performance.md, one and two threads
#   epochs            docs/results/training-epochs/results.json     README "training-epochs", "performance-targets"
#   sequence          docs/results/sequence/epoch-time/epoch-times.csv  README "sequence-epoch-time"
#   training-bench    docs/results/bench/training.{json,md}         README "bench-training"
#   grad-penalty      docs/results/grad-penalty/results.json        README "grad-penalty"
#   masked            docs/results/bench/masked.{json,md}           docs/performance.md, masked kernels
# Needs, beside Java 17 and Maven: Debian's python3-torch (PyTorch 1.13, the second peer and the epoch scripts) and
# libopenblas0-pthread (both sides' matrix products); run as root, the script installs them with apt-get. PyTorch
# 2.10 comes from Maven Central (the bn-pytorch module, about 90 MB, downloaded once by the build below).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

all_steps="kernels training-threads epochs sequence training-bench grad-penalty masked"
steps="${STEPS:-$all_steps}"
for s in $steps; do
  case " $all_steps " in *" $s "*) ;; *)
    echo "performance-run.sh: unknown step '$s' in STEPS; the steps are: $all_steps" >&2; exit 2 ;;
  esac
done
forks="${FORKS:-2}"
if ! [[ "$forks" =~ ^[1-9][0-9]*$ ]]; then
  echo "performance-run.sh: FORKS must be a whole number of at least 1, not '$forks'" >&2; exit 2
fi
if [[ -z "${NORMKIT_ALLOW_DIRTY:-}" && -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
  echo "performance-run.sh: the working tree has uncommitted changes, and the result files would name a commit" \
    "whose code did not run; commit or stash them (or set NORMKIT_ALLOW_DIRTY=1 for a trial)" >&2
  exit 2
fi

missing=()
/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || missing+=(python3-torch)
ls /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas*.so* >/dev/null 2>&1 || missing+=(libopenblas0-pthread)
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "performance-run.sh: installing ${missing[*]} with apt-get"
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
      || { echo "performance-run.sh: apt-get could not install ${missing[*]}" >&2; exit 2; }
  else
    echo "performance-run.sh: needs the Debian packages ${missing[*]}; install them with" \
      "'sudo apt-get install ${missing[*]}' and run again" >&2
    exit 2
  fi
fi

failed=()
step() { echo "=== $1: start $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"; }
run() {  # name, timeout in seconds, command...
  local name="$1" limit="$2"; shift 2
  [[ " $steps " == *" $name "* ]] || return 0
  step "$name"
  timeout "$limit" "$@" || { echo "=== $name: FAILED (exit $?)"; failed+=("$name"); }
}

step build
if ! mvn -B -q -P pytorch package -DskipTests; then
  echo "performance-run.sh: the build with -P pytorch failed (above); nothing was measured" >&2; exit 1
fi
# The kernel runs set libtorch's malloc settings in their own JVMs (Versus); one arena for every step is how the
# quiet windows since the fourth session ran them. OpenBLAS on one thread: the rows compare one and two kernel threads.
export MALLOC_ARENA_MAX=1 OPENBLAS_NUM_THREADS=1
norms=batch_norm2d,batch_norm1d,layer_norm,group_norm,instance_norm2d

run kernels $((1200 * forks)) ./normkit bench --peer pytorch-2.10,pytorch --forks "$forks" --norms "$norms" \
  --threads 1,2 --json docs/results/bench/versus.json --markdown docs/results/bench/versus.md
run training-threads 300 ./normkit bench --training --nets mlp,lenet --norms batch_norm --faces fused --threads 1,2 \
  --warmup 6 --iterations 3 --json docs/results/bench/training-threads.json \
  --markdown docs/results/bench/training-threads.md
run epochs 600 /usr/bin/python3 scripts/pytorch/epoch_times.py --rounds 3 --out docs/results/training-epochs/results.json
run sequence 240 bash docs/results/sequence/run-epoch-time.sh
run training-bench 420 ./normkit bench --training --norms none,batch_norm,layer_norm,group_norm \
  --json docs/results/bench/training.json --markdown docs/results/bench/training.md
run grad-penalty 240 /usr/bin/python3 scripts/pytorch/grad_penalty.py --rounds 3 --rows 6400 \
  --out docs/results/grad-penalty/results.json
run masked 600 ./normkit bench --peer pytorch-2.10 --masks none,padded --norms batch_norm1d,group_norm \
  --dtypes float32 --rounds 3 --threads 1 --json docs/results/bench/masked.json --markdown docs/results/bench/masked.md

step readme
./normkit readme --write || failed+=(readme)
step done
if ((${#failed[@]})); then
  echo "performance-run.sh: failed: ${failed[*]} (their previous result files are unchanged)" >&2
  exit 1
fi

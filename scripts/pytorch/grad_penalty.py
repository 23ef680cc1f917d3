#!/usr/bin/python3
"""Cost per training step of a gradient penalty, PyTorch against normkit, measured in one session in rounds.

OPTIONAL: normkit does not need Python; this only produces the figures of docs/grad-penalty.md.

The step (the same on both sides; normkit's is `normkit experiment --grad-penalty LAMBDA`):
    net       mlp: Flatten -> Linear(784,256) -> NORM -> ReLU -> Linear(256,10), float32, Adam lr 1e-3
              NORM: none, batch_norm = BatchNorm1d(256), layer_norm = LayerNorm(256),
                    group_norm = GroupNorm(32, 256) (normkit's default of 32 groups)
    loss      cross-entropy over the batch (mean)
    objective loss + LAMBDA * ||d loss / d x||^2, the squared norm of the loss's gradient with respect to the input
              batch, built with torch.autograd.grad(loss, x, create_graph=True): a step differentiates a gradient
    batch     128 Fashion-MNIST training images (pixels / 255), the first --rows rows, batches in a seeded shuffle

Timing: each side reports its last epoch over the same rows, after warm-up: PyTorch trains two epochs (the first
warms up its allocator), normkit three, in one JVM for all norms, in an order that turns every round (its JIT is
still compiling during the first two epochs of the JVM's first run: measured at epoch 2 of 2, whichever norm ran
first looked 5x slow, 11.5 ms per step for "none" against ~2 ms once warm). Milliseconds per step = 1000 * 128 /
(samples per second), where a step is gathering the batch, forward, the penalty's first backward (create_graph),
the backward of the objective, and the optimizer step. normkit's figure is the "samples/s" of its experiment output
for its last epoch (training only; the test pass after each epoch is not in it). Both sides run with one thread (torch.set_num_threads(1) and OpenBLAS's pool;
`normkit --threads 1` and OPENBLAS_NUM_THREADS=1).

Rounds: --rounds R alternates the two sides R times (normkit then PyTorch, for LAMBDA and for 0) in this one session,
so that a machine shared with other work slows both alike; the result file keeps every round and the median.

    /usr/bin/python3 scripts/pytorch/grad_penalty.py --rounds 3 --out docs/results/grad-penalty/results.json
    /usr/bin/python3 scripts/pytorch/grad_penalty.py --pytorch-only --norm batch_norm   # one PyTorch measurement
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from train_reference import read_idx, set_threads  # noqa: E402  (the same thread setup and IDX reader)
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"
BATCH = 128
NORMS = ["none", "batch_norm", "layer_norm", "group_norm"]


def load(data_dir, rows):
    images = os.path.join(data_dir, "train-images-idx3-ubyte.gz")
    labels = os.path.join(data_dir, "train-labels-idx1-ubyte.gz")
    if not (os.path.exists(images) and os.path.exists(labels)):
        raise SystemExit(f"{data_dir}: no Fashion-MNIST training files (train-images-idx3-ubyte.gz, "
                         f"train-labels-idx1-ubyte.gz); install dataset-fashion-mnist or pass --data")
    x = torch.from_numpy(read_idx(images)[:rows].astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    y = torch.from_numpy(read_idx(labels)[:rows].astype(np.int64))
    return x, y


def build(norm):
    layer = {"none": lambda: nn.Identity(), "batch_norm": lambda: nn.BatchNorm1d(256),
             "layer_norm": lambda: nn.LayerNorm(256), "group_norm": lambda: nn.GroupNorm(32, 256)}
    if norm not in layer:
        raise SystemExit(f"--norm {norm}: one of {', '.join(layer)}")
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), layer[norm](), nn.ReLU(), nn.Linear(256, 10))
    return model, torch.optim.Adam(model.parameters(), lr=1e-3)


def pytorch_ms_per_step(norm, lam, x, y, seed=0):
    """Trains two epochs; returns the milliseconds per step of the second."""
    torch.manual_seed(seed)
    model, opt = build(norm)
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(seed)
    rows = x.shape[0]
    per_epoch = []
    for _ in range(2):
        order = torch.randperm(rows, generator=generator)
        steps = 0
        start = time.perf_counter()
        for i in range(0, rows - BATCH + 1, BATCH):
            idx = order[i:i + BATCH]
            xb = x[idx].requires_grad_(lam > 0)
            yb = y[idx]
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            objective = loss
            if lam > 0:
                (gx,) = torch.autograd.grad(loss, xb, create_graph=True)
                objective = loss + lam * gx.pow(2).sum()
            objective.backward()
            opt.step()
            steps += 1
        per_epoch.append(1000.0 * (time.perf_counter() - start) / steps)
    return per_epoch[1]


NORMKIT_EPOCHS = 3


def normkit_ms_per_step(norms, lam, rows, data):
    """Runs `normkit experiment` once for all norms, in the order given; returns {norm: ms per step of the last
    epoch}."""
    with tempfile.TemporaryDirectory(prefix="normkit-grad-penalty-") as out:
        cmd = [os.path.join(ROOT, "normkit"), "experiment", "--net", "mlp", "--norms", ",".join(norms),
               "--epochs", str(NORMKIT_EPOCHS), "--seeds", "1", "--batch-size", str(BATCH), "--limit-train", str(rows),
               "--limit-test", "1000", "--threads", "1", "--no-progress", "--out", out,
               "--grad-penalty", repr(lam)]
        if data != DEFAULT_DATA:
            cmd += ["--data", data]
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
        done = subprocess.run(cmd, capture_output=True, text=True, env=env)
        found = {}
        for line in done.stdout.splitlines():
            m = re.match(rf"mlp/(\w+)/.* epoch {NORMKIT_EPOCHS}/{NORMKIT_EPOCHS}: .*, ([\d,]+) samples/s", line)
            if m:
                found[m.group(1)] = 1000.0 * BATCH / float(m.group(2).replace(",", ""))
        missing = [n for n in norms if n not in found]
        if missing:
            raise SystemExit(f"no last-epoch throughput for {missing} in normkit's output (exit code "
                             f"{done.returncode}):\n{done.stdout}{done.stderr}")
        return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lambda", dest="lam", type=float, default=0.1, help="the penalty's weight (default 0.1)")
    ap.add_argument("--rounds", type=int, default=3, help="alternated rounds (default 3); each round records the "
                    "1-minute load average, since a busy machine slows both sides unevenly")
    ap.add_argument("--rows", type=int, default=12800, help="training rows (default 12800: 100 steps an epoch)")
    ap.add_argument("--norms", default=",".join(NORMS))
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--out", help="result file (JSON), written atomically")
    ap.add_argument("--pytorch-only", action="store_true", help="time PyTorch once, for --norm")
    ap.add_argument("--norm", default="batch_norm")
    args = ap.parse_args()
    if args.lam <= 0:
        raise SystemExit(f"--lambda {args.lam}: a penalty needs a weight > 0 (the runs without one are made too)")
    if args.rows < BATCH:
        raise SystemExit(f"--rows {args.rows}: at least one batch of {BATCH}")
    blas = set_threads(1)
    x, y = load(args.data, args.rows)
    if args.pytorch_only:
        for lam in (args.lam, 0.0):
            print(f"pytorch {args.norm} lambda={lam}: {pytorch_ms_per_step(args.norm, lam, x, y):.3f} ms/step")
        return
    norms = [n.strip() for n in args.norms.split(",") if n.strip()]
    rounds = []
    for r in range(args.rounds):
        row = {}
        turned = norms[r % len(norms):] + norms[:r % len(norms)]  # no norm always meets the cold JIT
        for lam in (args.lam, 0.0):
            nk = normkit_ms_per_step(turned, lam, args.rows, args.data)
            for norm in norms:
                row[f"normkit {norm} lambda={lam}"] = nk[norm]
                row[f"pytorch {norm} lambda={lam}"] = pytorch_ms_per_step(norm, lam, x, y)
        row["load average"] = os.getloadavg()[0]
        rounds.append(row)
        print(f"round {r + 1}/{args.rounds}: " + ", ".join(f"{k} {v:.2f}" for k, v in row.items()), flush=True)
    median = {k: statistics.median(r[k] for r in rounds) for k in rounds[0] if k != "load average"}
    print(f"\nms per step, median of {args.rounds} rounds (batch {BATCH}, one thread, lambda {args.lam}):")
    print(f"{'norm':<12} {'normkit':>9} {'pytorch':>9} {'normkit no penalty':>19} {'pytorch no penalty':>19}")
    for norm in norms:
        cells = [median[f"{side} {norm} lambda={lam}"] for lam in (args.lam, 0.0) for side in ("normkit", "pytorch")]
        print(f"{norm:<12} {cells[0]:>9.2f} {cells[1]:>9.2f} {cells[2]:>19.2f} {cells[3]:>19.2f}")
    if args.out:
        doc = {"lambda": args.lam, "batch": BATCH, "rows": args.rows, "rounds": rounds, "median": median,
               "norms": norms, "unit": f"ms per step (normkit: epoch {NORMKIT_EPOCHS} of {NORMKIT_EPOCHS}, "
                                                            "PyTorch: epoch 2 of 2)",
               "machine": {"python": platform.python_version(), "torch": torch.__version__,
                           "cpu": platform.processor() or platform.machine(), "openblasThreads": blas,
                           "date": time.strftime("%Y-%m-%d", time.gmtime())}}
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        tmp = args.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=2, sort_keys=False)
            f.write("\n")
        os.replace(tmp, args.out)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

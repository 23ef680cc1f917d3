#!/usr/bin/python3
"""PyTorch reference runs of normkit's experiment nets on Fashion-MNIST (accuracy and training throughput).

OPTIONAL: normkit does not need Python; this only produces figures to compare with the Java experiments.

Data: the gzip'd IDX files in /usr/share/datasets/fashion-mnist (train-images-idx3-ubyte.gz,
train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz; --data to change);
pixels scaled to [0, 1], nothing else (no mean/std normalisation, no augmentation).
Training: batch 128, reshuffled every epoch (torch.randperm with a generator seeded by the run's seed; the
last, partial batch of 96 is kept), cross-entropy loss, PyTorch default initialisation (torch.manual_seed(seed)
before the model is built), float32, torch.set_num_threads(--threads).

Nets (--net, --norm):
  mlp    Flatten -> Linear(784,256) -> NORM -> ReLU -> Linear(256,10); Adam lr 1e-3.
         NORM: batch_norm = BatchNorm1d(256), none, layer_norm = LayerNorm(256), group_norm = GroupNorm(8, 256)
  lenet  (Dive into Deep Learning, BatchNorm chapter) Conv2d(1,6,5) -> BN2d(6) -> Sigmoid -> AvgPool2d(2,2)
         -> Conv2d(6,16,5) -> BN2d(16) -> Sigmoid -> AvgPool2d(2,2) -> Flatten -> Linear(256,120) -> BN1d(120)
         -> Sigmoid -> Linear(120,84) -> BN1d(84) -> Sigmoid -> Linear(84,10); SGD lr 1.0 (0.9 with --norm none,
         where the BN layers are left out).

Reported per epoch: test accuracy (model.eval(), no_grad, all 10,000 test images) and training throughput =
samples / total time of the full steps (forward + backward + optimizer step; zero_grad included; gathering the
batch from the in-memory tensors is not timed), and epochSeconds, the wall time of the epoch's whole training loop
(gathering included: what normkit's results.csv calls `seconds`, compared by scripts/pytorch/epoch_times.py). --threads sets both torch.set_num_threads and OpenBLAS's own
thread pool (Debian's torch does its matrix products in OpenBLAS, which ignores torch.set_num_threads).
--throughput-steps N: instead of epochs, time N steps (after 20 warm-up steps) and report samples/s only.
--init-from DIR (a paired run): the initial weights and the batch order of normkit's run of the same norm and seed,
as `normkit experiment --export-init DIR` wrote them (DIR/NORM/seed-S/init.state and batches.json, read by
normkit_start.py; the Sequential's indices are normkit's, so names map one to one). No dropout on either side.

Examples:
    /usr/bin/python3 scripts/pytorch/train_reference.py --net mlp --norm batch_norm --epochs 3 --seeds 0,1
    /usr/bin/python3 scripts/pytorch/train_reference.py --net lenet --norm batch_norm --throughput-steps 300
"""
import argparse
import gzip
import json
import os
import platform
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

import normkit_start

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"
BATCH = 128


def set_threads(n):
    """torch.set_num_threads(n) covers ATen's OpenMP pool only. Debian's torch does its matrix products in
    the system BLAS (OpenBLAS, pthread build), which keeps its own pool sized to all cores: without this call
    a "1 thread" run still multiplies matrices on 2 threads. Returns OpenBLAS's thread count (None if absent)."""
    torch.set_num_threads(n)
    try:
        import ctypes
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_set_num_threads(n)
        return int(lib.openblas_get_num_threads())
    except (OSError, AttributeError):
        return None


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {data.size} bytes of data for dims {dims}")
    return data.reshape(dims)


def load(data_dir):
    def images(name):
        a = read_idx(os.path.join(data_dir, name))
        return torch.from_numpy(a.astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)

    def labels(name):
        return torch.from_numpy(read_idx(os.path.join(data_dir, name)).astype(np.int64))

    return (images("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz"),
            images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz"))


def build(net, norm):
    if net == "mlp":
        # No module for "none" (not nn.Identity): the Sequential's indices are then normkit's, which --init-from needs.
        layer = {"batch_norm": lambda: nn.BatchNorm1d(256), "none": lambda: None,
                 "layer_norm": lambda: nn.LayerNorm(256), "group_norm": lambda: nn.GroupNorm(8, 256)}
        if norm not in layer:
            raise SystemExit(f"--norm {norm}: mlp supports {', '.join(layer)}")
        model = nn.Sequential(*[m for m in (nn.Flatten(), nn.Linear(784, 256), layer[norm](), nn.ReLU(),
                                            nn.Linear(256, 10)) if m is not None])
        return model, torch.optim.Adam(model.parameters(), lr=1e-3)
    if net == "lenet":
        if norm not in ("batch_norm", "none"):
            raise SystemExit(f"--norm {norm}: lenet supports batch_norm, none")
        bn = norm == "batch_norm"
        N = (lambda mod: [mod]) if bn else (lambda mod: [])
        layers = ([nn.Conv2d(1, 6, kernel_size=5)] + N(nn.BatchNorm2d(6)) + [nn.Sigmoid(), nn.AvgPool2d(2, 2),
                  nn.Conv2d(6, 16, kernel_size=5)] + N(nn.BatchNorm2d(16)) + [nn.Sigmoid(), nn.AvgPool2d(2, 2),
                  nn.Flatten(), nn.Linear(256, 120)] + N(nn.BatchNorm1d(120)) + [nn.Sigmoid(),
                  nn.Linear(120, 84)] + N(nn.BatchNorm1d(84)) + [nn.Sigmoid(), nn.Linear(84, 10)])
        model = nn.Sequential(*layers)
        return model, torch.optim.SGD(model.parameters(), lr=1.0 if bn else 0.9)
    raise SystemExit(f"--net {net}: one of mlp, lenet")


def step_fn(model, opt, loss_fn):
    def step(xb, yb):
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss
    return step


def evaluate(model, X, Y):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, X.shape[0], 1000):
            correct += (model(X[i:i + 1000]).argmax(1) == Y[i:i + 1000]).sum().item()
    model.train()
    return correct / X.shape[0]


def run_epochs(args, seed, data):
    Xtr, Ytr, Xte, Yte = data
    torch.manual_seed(seed)
    model, opt = build(args.net, args.norm)
    model.train()
    step = step_fn(model, opt, nn.CrossEntropyLoss())
    gen = torch.Generator().manual_seed(seed)
    paired = None
    if args.init_from:
        start = normkit_start.folder(args.init_from, args.norm, seed)
        loaded = normkit_start.load_into(model, normkit_start.read_state(
            os.path.join(start, normkit_start.STATE_FILE)), lambda name: name)
        paired = normkit_start.read_order(os.path.join(start, normkit_start.ORDER_FILE), Xtr.shape[0], BATCH,
                                          args.epochs)
        print(f"# {args.norm} seed {seed}: {loaded} from {start}", flush=True)
    rows = []
    for epoch in range(1, args.epochs + 1):
        if paired is None:
            perm = torch.randperm(Xtr.shape[0], generator=gen)
            batches = [perm[i:i + BATCH] for i in range(0, Xtr.shape[0], BATCH)]
        else:
            batches = paired[epoch - 1]
        t_steps, n, loss_sum = 0.0, 0, 0.0
        epoch_start = time.perf_counter()
        for idx in batches:
            xb, yb = Xtr[idx], Ytr[idx]
            t0 = time.perf_counter()
            loss = step(xb, yb)
            t_steps += time.perf_counter() - t0
            n += xb.shape[0]
            loss_sum += loss.item() * xb.shape[0]
        epoch_seconds = time.perf_counter() - epoch_start
        acc = evaluate(model, Xte, Yte)
        row = {"seed": seed, "epoch": epoch, "trainLoss": loss_sum / n, "testAccuracy": acc,
               "samplesPerSecond": n / t_steps, "epochSeconds": epoch_seconds}
        rows.append(row)
        print(f"{args.net:<6} {args.norm:<11} seed {seed:<3} epoch {epoch:<3} train loss {row['trainLoss']:.4f}  "
              f"test acc {acc:.4f}  {row['samplesPerSecond']:9.0f} samples/s", flush=True)
    return rows


def run_throughput(args, seed, data):
    Xtr, Ytr = data[0], data[1]
    torch.manual_seed(seed)
    model, opt = build(args.net, args.norm)
    model.train()
    step = step_fn(model, opt, nn.CrossEntropyLoss())
    gen = torch.Generator().manual_seed(seed)
    perm = torch.randperm(Xtr.shape[0], generator=gen)
    nb = Xtr.shape[0] // BATCH  # full batches only
    batches = lambda k: perm[(k % nb) * BATCH:(k % nb + 1) * BATCH]
    for k in range(20):  # warm-up
        idx = batches(k)
        step(Xtr[idx], Ytr[idx])
    t_steps = 0.0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for k in range(20, 20 + args.throughput_steps):
        idx = batches(k)
        xb, yb = Xtr[idx], Ytr[idx]
        t0 = time.perf_counter()
        step(xb, yb)
        t_steps += time.perf_counter() - t0
    cpu_per_wall = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    sps = args.throughput_steps * BATCH / t_steps
    print(f"{args.net:<6} {args.norm:<11} seed {seed:<3} {args.throughput_steps} steps of {BATCH}: "
          f"{sps:9.0f} samples/s ({1e3 * t_steps / args.throughput_steps:.3f} ms/step, "
          f"process CPU time / wall time {cpu_per_wall:.2f})", flush=True)
    return [{"seed": seed, "steps": args.throughput_steps, "samplesPerSecond": sps,
             "msPerStep": 1e3 * t_steps / args.throughput_steps, "cpuPerWall": cpu_per_wall}]


def main():
    ap = argparse.ArgumentParser(description="PyTorch reference training on Fashion-MNIST")
    ap.add_argument("--net", choices=["mlp", "lenet"], default="mlp")
    ap.add_argument("--norm", default="batch_norm", help="batch_norm | none | layer_norm | group_norm (mlp only)")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--seeds", default="0", help="comma list of seeds, e.g. 0,1")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    ap.add_argument("--throughput-steps", type=int, default=0,
                    help="only measure training throughput over this many steps (no accuracy)")
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--limit-train", type=int, default=0,
                    help="train on the first N images only (a quick check; normkit's --limit-train)")
    ap.add_argument("--out", help="also write the figures as JSON here")
    ap.add_argument("--init-from", metavar="DIR", help="start from normkit's exported weights and batch order "
                    "(normkit experiment --export-init DIR): a paired run")
    args = ap.parse_args()
    if args.limit_train < 0:
        raise SystemExit(f"--limit-train {args.limit_train}: a number of images >= 1, or 0 for all")
    blas_threads = set_threads(args.threads)
    seeds = [int(s) for s in args.seeds.split(",") if s != ""]
    data = load(args.data)
    if args.limit_train:
        data = (data[0][:args.limit_train], data[1][:args.limit_train], data[2], data[3])
    print(f"# PyTorch {torch.__version__}, Python {platform.python_version()}, threads {torch.get_num_threads()} (OpenBLAS {blas_threads}), "
          f"train {tuple(data[0].shape)}, test {tuple(data[2].shape)}", flush=True)
    rows = []
    for seed in seeds:
        rows += run_throughput(args, seed, data) if args.throughput_steps else run_epochs(args, seed, data)
    if args.out:
        doc = {"net": args.net, "norm": args.norm, "threads": args.threads, "openblasThreads": blas_threads,
               "batch": BATCH,
               "torch": torch.__version__, "argv": sys.argv, "initFrom": args.init_from, "rows": rows}
        tmp = args.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=1)
        os.replace(tmp, args.out)


if __name__ == "__main__":
    main()

"""Reads the start of a normkit run (normkit experiment --export-init DIR) for a paired PyTorch run.

OPTIONAL tooling, used by train_sequence_reference.py and train_reference.py (--init-from DIR). Per run,
DIR/NORM/seed-S/ holds (bn-experiments' RunStart):
  init.state    the net's state dict before the first step, normkit-state/1 (StateDicts): little-endian,
                "NKSTATE1", int32 count, then per entry: int32 name length, UTF-8 name, uint8 dtype (0 float32,
                1 float64), int32 rank, rank x int32 sizes, row-major values
  batches.json  {"format": "normkit-batches/1", "seed", "rows", "batch_size", "skip_batches_shorter_than",
                 "epochs": [[row, ...], ...]}: per epoch every training row once, in the order normkit trains on;
                batch i is rows [i*B, (i+1)*B) of the epoch's list, a last batch shorter than the skip size skipped
Needs NumPy and torch only.
"""
import json
import os
import re
import struct

import numpy as np
import torch

STATE_FILE, ORDER_FILE = "init.state", "batches.json"
# Buffers that start at the same values on both sides (running statistics and their counters); a name of normkit's
# that PyTorch's module does not have is allowed only among these.
RUNNING = ("running_mean", "running_var", "running_mean_square", "running_nu", "num_batches_tracked")


def folder(root, norm, seed):
    path = os.path.join(root, norm, "seed-%d" % seed)
    if not os.path.isdir(path):
        raise SystemExit("--init-from %s: no %s; export it with ./normkit experiment ... --export-init %s (the same "
                         "--norms and --seeds)" % (root, path, root))
    return path


def read_state(path):
    """name -> NumPy array, in file order."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"NKSTATE1":
        raise SystemExit("%s is not a normkit-state/1 file (it does not start with NKSTATE1)" % path)
    at = 8
    (count,) = struct.unpack_from("<i", data, at)
    at += 4
    state = {}
    for _ in range(count):
        (length,) = struct.unpack_from("<i", data, at)
        at += 4
        name = data[at:at + length].decode("utf-8")
        at += length
        dtype = {0: "<f4", 1: "<f8"}[data[at]]
        at += 1
        (rank,) = struct.unpack_from("<i", data, at)
        at += 4
        shape = struct.unpack_from("<%di" % rank, data, at)
        at += 4 * rank
        n = int(np.prod(shape)) if rank else 1
        state[name] = np.frombuffer(data, dtype=dtype, count=n, offset=at).reshape(shape).copy()
        at += n * np.dtype(dtype).itemsize
    if at != len(data):
        raise SystemExit("%s: %d bytes after the last entry; the file is corrupt" % (path, len(data) - at))
    return state


def read_order(path, rows, batch_size, epochs):
    """Per epoch, the list of batches (row index tensors) normkit trains on, after checking the run's sizes."""
    with open(path) as f:
        doc = json.load(f)
    if doc.get("format") != "normkit-batches/1":
        raise SystemExit("%s is not a normkit-batches/1 file" % path)
    if doc["rows"] != rows or doc["batch_size"] != batch_size or len(doc["epochs"]) < epochs:
        raise SystemExit("%s: normkit's run has %d rows, batch %d, %d epochs; this run %d rows, batch %d, %d epochs: "
                         "export with the same --limit-train, --batch-size and --epochs"
                         % (path, doc["rows"], doc["batch_size"], len(doc["epochs"]), rows, batch_size, epochs))
    skip = doc["skip_batches_shorter_than"]
    out = []
    for order in doc["epochs"][:epochs]:
        order = torch.tensor(order, dtype=torch.long)
        out.append([order[s:s + batch_size] for s in range(0, rows, batch_size)
                    if min(batch_size, rows - s) >= skip])
    return out


def load_into(model, state, rename):
    """Copies normkit's state into model, names mapped by rename(name) -> PyTorch name. Every parameter of the model
    must be given; a normkit entry without a place in the model must be a running statistic (left at its start,
    which is the same on both sides). Returns a one-line summary."""
    own = model.state_dict()
    params = dict(model.named_parameters())
    loaded, unused = set(), []
    with torch.no_grad():
        for name, value in state.items():
            target = rename(name)
            if target not in own:
                unused.append(name)
                continue
            tensor = own[target]
            if tensor.numel() == 1 and value.size == 1:  # a counter: PyTorch's has shape (), normkit's (1)
                value = value.reshape(tuple(tensor.shape))
            if tuple(tensor.shape) != value.shape:
                raise SystemExit("normkit's %s has shape %s, PyTorch's %s %s" % (name, value.shape, target,
                                                                                tuple(tensor.shape)))
            tensor.copy_(torch.from_numpy(value).to(tensor.dtype))
            loaded.add(target)
    missing = [p for p in params if p not in loaded]
    stray = [n for n in unused if n.rsplit(".", 1)[-1] not in RUNNING]
    if missing or stray:
        raise SystemExit("the state does not fit the PyTorch net: parameters not given %s; normkit entries without "
                         "a place %s" % (missing, stray))
    return "%d tensors loaded (%d parameters), %d running statistics left at their start" % (
        len(loaded), len(params), len(unused))


def sequence_name(name):
    """normkit's SequenceNets names -> train_sequence_reference.py's modules."""
    name = re.sub(r"^layer(\d+)\.", r"layers.\1.", name)
    name = re.sub(r"(^|\.)(norm\d?)\.norm\.", r"\1\2.", name)        # TokenNorm wraps the norm
    m = re.match(r"^lstm\.norm_(ih|hh|c)(?:\.(\d+))?\.(.*)$", name)  # LSTM slots, shared or per step
    if m:
        return "norms.%s.%d.%s" % (m.group(2) or "0", ("ih", "hh", "c").index(m.group(1)), m.group(3))
    name = re.sub(r"^lstm\.", "", name)
    return {"running_mean_square": "running_var"}.get(name, name.replace(".running_mean_square", ".running_var"))

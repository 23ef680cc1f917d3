#!/usr/bin/python3
"""PyTorch reference runs of normkit's sequence nets (transformer, lstm), for the quality and epoch-time comparison.

OPTIONAL: normkit does not need Python; this only produces the PyTorch side of docs/results/sequence/.

The nets are those of bn-experiments' SequenceNets, layer for layer:
  transformer  pre-norm encoder, d_model 64, 2 layers, 4 heads (nn.MultiheadAttention, batch_first), feed-forward
               128 with ReLU, no dropout; NORM before attention, before the FFN and at the end; learned position
               embeddings (nn.Embedding, N(0, 1)). Images: rows through Linear(28, 64), mean over the 28 positions,
               Linear(64, 10). Text: nn.Embedding(V, 64), causal and key-padding masks, Linear(64, V) per position.
  lstm         one LSTM layer of 128 units written out as a cell (gate order i, f, g, o as torch.nn.LSTM) so the
               norms can sit on the gate pre-activations: NORM(W_ih x) + NORM(W_hh h) + b_ih + b_hh, and
               h = o * tanh(NORM(c)). Images: last hidden state, Linear(128, 10). Text: Embedding(V, 64), Linear(128, V).
NORM (--norm): none; batch_norm (BatchNorm1d over the B*T tokens, per feature; with padding, over the valid tokens
only, by index-select and index-copy: the masked statistics; batch_norm:masked=false keeps the padding in);
layer_norm (LayerNorm(d)); power_norm (the vanilla form, relaxed zero-mean with the batch's quadratic mean:
x / sqrt(mean(x^2) + eps), a running one in evaluation; normkit's twin is power_norm:algorithm=vanilla, its plain
power_norm being the full algorithm); dyt (gamma * tanh(alpha * x) + beta, alpha 0.5). batch_norm:per_step=true gives
the lstm one norm per time step (the name before the first colon picks the norm, the rest picks these options).
Adam lr 1e-3, batch 128, float32 (--float64: float64), torch.manual_seed(seed) before the model is built; batches
reshuffled every epoch with a generator seeded by the seed (not normkit's order: the comparison is of means over
seeds). No dropout anywhere (nn.MultiheadAttention's dropout is 0), on either side.

--init-from DIR (a paired run): the initial weights and the batch order of normkit's run of the same norm and seed,
as `normkit experiment --export-init DIR` wrote them (DIR/NORM/seed-S/init.state and batches.json; read by
normkit_start.py, names mapped onto these modules: layerL.normK.norm.* -> layers.L.normK.*, lstm.norm_ih.* ->
norms.0.0.*, lstm.weight_ih -> weight_ih, ...). Both sides then start from the same weights and see the same batches,
so their curves differ only by floating-point rounding and the order of operations. --step-losses adds each training
step's loss to the epoch's line, to find where paired curves part.

Data: Fashion-MNIST's first --limit-train training and --limit-test test images (28 rows of 28 pixels), or --text:
the fortunes in /usr/share/games/fortunes cut and split exactly as normkit's TextCorpus does (documents between '%'
lines, stripped, cut to 127 characters at spaces, shuffled with java.util.Random(13) as Collections.shuffle does,
every tenth held out), the first --limit-train training and --limit-test held-out documents. Loss over the valid
positions only; bits per character = loss / ln 2. The text nets' output bias starts at the log unigram frequencies
of the training targets (counts + 1/2), as normkit's UnigramPrior.

Prints one JSON line per epoch: test accuracy, test loss, bits per character (text), the seconds of the training
steps (train_seconds: forward, backward, optimizer) and of the whole training epoch (epoch_seconds: batches assembled
too, what normkit's results.csv records as seconds).
    /usr/bin/python3 scripts/pytorch/train_sequence_reference.py --net transformer --norm layer_norm --epochs 3 \
        --seeds 0,1 --limit-train 4000 --limit-test 2000 --threads 2
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

import normkit_start

WIDTH, LAYERS, HEADS, FF, HIDDEN, ROWS, MAX_STEPS, MAX_CHARS = 64, 2, 4, 128, 128, 28, 128, 127
PAD, BEGIN, END, UNKNOWN, SPECIAL = 0, 1, 2, 3, 4


def set_threads(n):
    torch.set_num_threads(n)
    try:
        import ctypes
        ctypes.CDLL("libopenblas.so.0").openblas_set_num_threads(n)
    except (OSError, AttributeError):
        pass


# ***** data *****

def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    dims = [struct.unpack(">I", data[4 + 4 * i:8 + 4 * i])[0] for i in range(magic & 0xFF)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def fashion(folder, limit_train, limit_test):
    def load(prefix, n):
        x = idx(os.path.join(folder, prefix + "-images-idx3-ubyte.gz"))[:n].astype(np.float32) / 255.0
        y = idx(os.path.join(folder, prefix + "-labels-idx1-ubyte.gz"))[:n].astype(np.int64)
        return torch.from_numpy(x.copy()), torch.from_numpy(y.copy())
    return load("train", limit_train), load("t10k", limit_test)


class JavaRandom:
    """java.util.Random: the 48-bit LCG and nextInt(bound), so the held-out split equals normkit's."""
    def __init__(self, seed):
        self.seed = (seed ^ 0x5DEECE66D) & ((1 << 48) - 1)

    def next(self, bits):
        self.seed = (self.seed * 0x5DEECE66D + 0xB) & ((1 << 48) - 1)
        r = self.seed >> (48 - bits)
        return r - (1 << 32) if r >= (1 << 31) else r

    def next_int(self, bound):
        if bound & (-bound) == bound:
            return (bound * self.next(31)) >> 31
        while True:
            bits = self.next(31)
            val = bits % bound
            if bits - val + (bound - 1) < (1 << 31):
                return val


def documents(text):
    text = text.replace("\r\n", "\n")
    import re
    parts = re.split(r"(?m)^%$", text) if any(l == "%" for l in text.split("\n")) else re.split(r"\n\s*\n", text)
    out = []
    for doc in parts:
        d = doc.strip()
        while len(d) > MAX_CHARS:
            cut = d.rfind(" ", 0, MAX_CHARS + 1)
            cut = MAX_CHARS if cut <= MAX_CHARS // 2 else cut
            out.append(d[:cut].strip())
            d = d[cut:].strip()
        if d:
            out.append(d)
    return out


def fortunes(folder, limit_train, limit_test):
    docs = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if name.startswith(".") or name.endswith(".dat") or name.endswith(".u8") or not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            docs.extend(documents(f.read().decode("utf-8", errors="replace")))
    rnd = JavaRandom(13)
    for i in range(len(docs) - 1, 0, -1):
        j = rnd.next_int(i + 1)
        docs[i], docs[j] = docs[j], docs[i]
    train = [d for i, d in enumerate(docs) if i % 10 != 9][:limit_train]
    test = [d for i, d in enumerate(docs) if i % 10 == 9][:limit_test]
    chars = sorted(set("".join(train)))
    ids = {c: SPECIAL + i for i, c in enumerate(chars)}
    encode = lambda s: [ids.get(c, UNKNOWN) for c in s]
    return [encode(d) for d in train], [encode(d) for d in test], SPECIAL + len(chars)


def unigram_prior(documents, vocabulary):
    """log p(k) of every token among the training targets (characters and one END per document), counts + 1/2:
    the output bias the text nets start from, as normkit's UnigramPrior."""
    counts = torch.full((vocabulary,), 0.5, dtype=torch.float64)
    for d in documents:
        counts += torch.bincount(torch.tensor(d, dtype=torch.long), minlength=vocabulary).double()
    counts[END] += len(documents)
    return (counts / counts.sum()).log().float()


def token_batch(encoded):
    steps = max(len(s) + 1 for s in encoded)
    inputs = torch.zeros(len(encoded), steps, dtype=torch.long)
    targets = torch.zeros(len(encoded), steps, dtype=torch.long)
    lengths = torch.tensor([len(s) + 1 for s in encoded])
    for b, s in enumerate(encoded):
        inputs[b, 0] = BEGIN
        inputs[b, 1:len(s) + 1] = torch.tensor(s, dtype=torch.long)
        targets[b, :len(s)] = torch.tensor(s, dtype=torch.long)
        targets[b, len(s)] = END
    return inputs, targets, lengths


# ***** norms *****

class PowerNorm(nn.Module):
    def __init__(self, c, eps=1e-5, momentum=0.1):
        super().__init__()
        self.weight, self.bias = nn.Parameter(torch.ones(c)), nn.Parameter(torch.zeros(c))
        self.register_buffer("running_var", torch.ones(c))
        self.eps, self.momentum = eps, momentum

    def forward(self, x):
        if self.training:
            qm = (x * x).mean(0)
            with torch.no_grad():
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * qm)
        else:
            qm = self.running_var
        return x / (qm + self.eps).sqrt() * self.weight + self.bias


class DyT(nn.Module):
    def __init__(self, c, alpha=0.5):
        super().__init__()
        self.alpha = nn.Parameter(torch.tensor([alpha]))
        self.weight, self.bias = nn.Parameter(torch.ones(c)), nn.Parameter(torch.zeros(c))

    def forward(self, x):
        return self.weight * torch.tanh(self.alpha * x) + self.bias


def make_norm(label, c):
    name = label.split(":")[0]
    if name == "none":
        return None
    return {"batch_norm": lambda: nn.BatchNorm1d(c), "layer_norm": lambda: nn.LayerNorm(c),
            "power_norm": lambda: PowerNorm(c), "dyt": lambda: DyT(c)}[name]()


def rows_norm(norm, rows, valid):
    """norm over (N, F) rows; with valid row indices, only those enter (and leave) the norm."""
    if norm is None:
        return rows
    if valid is None or valid.numel() == rows.shape[0]:
        return norm(rows)
    return rows.index_copy(0, valid, norm(rows.index_select(0, valid)))


# ***** nets *****

class Block(nn.Module):
    def __init__(self, label):
        super().__init__()
        self.norm1, self.norm2 = make_norm(label, WIDTH), make_norm(label, WIDTH)
        self.attention = nn.MultiheadAttention(WIDTH, HEADS, batch_first=True)
        nn.init.zeros_(self.attention.out_proj.bias)
        self.linear1, self.linear2 = nn.Linear(WIDTH, FF), nn.Linear(FF, WIDTH)

    def tokens(self, norm, x, valid):
        b, t, d = x.shape
        return rows_norm(norm, x.reshape(b * t, d), valid).reshape(b, t, d)

    def forward(self, x, mask, padding, valid):
        a = self.tokens(self.norm1, x, valid)
        x = x + self.attention(a, a, a, attn_mask=mask, key_padding_mask=padding, need_weights=False)[0]
        f = self.tokens(self.norm2, x, valid)
        return x + self.linear2(torch.relu(self.linear1(f)))


class Transformer(nn.Module):
    def __init__(self, label, vocabulary):
        super().__init__()
        self.masked = "masked=false" not in label
        self.input = nn.Linear(ROWS, WIDTH) if vocabulary == 0 else nn.Embedding(vocabulary, WIDTH)
        self.positions = nn.Embedding(ROWS if vocabulary == 0 else MAX_STEPS, WIDTH)
        self.layers = nn.ModuleList([Block(label) for _ in range(LAYERS)])
        self.norm = make_norm(label, WIDTH)
        self.head = nn.Linear(WIDTH, 10 if vocabulary == 0 else vocabulary)

    def encode(self, x, mask=None, padding=None, valid=None):
        for layer in self.layers:
            x = layer(x, mask, padding, valid)
        b, t, d = x.shape
        return rows_norm(self.norm, x.reshape(b * t, d), valid).reshape(b, t, d)

    def forward(self, images):
        x = self.input(images.reshape(-1, ROWS, ROWS)) + self.positions.weight
        return self.head(self.encode(x).mean(1))

    def logits(self, inputs, lengths):
        b, t = inputs.shape
        x = self.input(inputs) + self.positions.weight[:t]
        padding = torch.arange(t)[None, :] >= lengths[:, None]
        causal = torch.triu(torch.ones(t, t, dtype=torch.bool), 1)
        valid = (~padding).reshape(-1).nonzero().squeeze(1) if self.masked else None
        return self.head(self.encode(x, causal, padding, valid)).reshape(b * t, -1)


class Recurrent(nn.Module):
    def __init__(self, label, vocabulary):
        super().__init__()
        self.masked = "masked=false" not in label
        steps = (ROWS if vocabulary == 0 else MAX_STEPS) if "per_step=true" in label else 1
        self.input = None if vocabulary == 0 else nn.Embedding(vocabulary, WIDTH)
        inputs = ROWS if vocabulary == 0 else WIDTH
        bound = 1 / math.sqrt(HIDDEN)
        u = lambda *s: nn.Parameter(torch.empty(*s).uniform_(-bound, bound))
        self.weight_ih, self.weight_hh = u(4 * HIDDEN, inputs), u(4 * HIDDEN, HIDDEN)
        self.bias_ih, self.bias_hh = u(4 * HIDDEN), u(4 * HIDDEN)
        self.norms = nn.ModuleList([nn.ModuleList([m for m in (make_norm(label, 4 * HIDDEN),
                                                               make_norm(label, 4 * HIDDEN),
                                                               make_norm(label, HIDDEN)) if m is not None])
                                    for _ in range(steps)])
        self.has_norms = make_norm(label, 1) is not None
        self.head = nn.Linear(HIDDEN, 10 if vocabulary == 0 else vocabulary)

    def run(self, x, lengths=None):
        b, t, _ = x.shape
        projected = x @ self.weight_ih.t()
        h = x.new_zeros(b, HIDDEN)
        c = x.new_zeros(b, HIDDEN)
        outputs = []
        for s in range(t):
            norms = self.norms[min(s, len(self.norms) - 1)] if self.has_norms else [None, None, None]
            valid = None
            if lengths is not None and self.masked:
                valid = (lengths > s).nonzero().squeeze(1)
                valid = None if valid.numel() < 2 else valid
            gates = (rows_norm(norms[0], projected[:, s], valid) + rows_norm(norms[1], h @ self.weight_hh.t(), valid)
                     + self.bias_ih + self.bias_hh)
            i, f, g, o = gates.chunk(4, 1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(rows_norm(norms[2], c, valid))
            outputs.append(h)
        return torch.stack(outputs, 1), h

    def forward(self, images):
        return self.head(self.run(images.reshape(-1, ROWS, ROWS))[1])

    def logits(self, inputs, lengths):
        b, t = inputs.shape
        return self.head(self.run(self.input(inputs), lengths)[0]).reshape(b * t, -1)


# ***** training *****

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--net", choices=["transformer", "lstm"], required=True)
    p.add_argument("--norm", default="layer_norm")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--seeds", default="0,1")
    p.add_argument("--limit-train", type=int, default=4000)
    p.add_argument("--limit-test", type=int, default=2000)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--text", action="store_true", help="character language model on the fortunes")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--fortunes", default="/usr/share/games/fortunes")
    p.add_argument("--init-from", metavar="DIR", help="start from normkit's exported weights and batch order "
                   "(normkit experiment --export-init DIR): a paired run")
    p.add_argument("--step-losses", action="store_true", help="add every training step's loss to the epoch's line")
    p.add_argument("--float64", action="store_true", help="train and test in float64: with --init-from, how far "
                   "float32 rounding alone moves a paired run, and the twin of normkit experiment --dtype float64")
    a = p.parse_args()
    set_threads(a.threads)
    if a.text:
        train, test, vocabulary = fortunes(a.fortunes, a.limit_train, a.limit_test)
    else:
        (xtr, ytr), (xte, yte) = fashion(a.data, a.limit_train, a.limit_test)
        if a.float64:
            xtr, xte = xtr.double(), xte.double()
        vocabulary = 0
    for seed in [int(s) for s in a.seeds.split(",")]:
        torch.manual_seed(seed)
        model = (Transformer if a.net == "transformer" else Recurrent)(a.norm, vocabulary)
        if a.text:
            with torch.no_grad():
                model.head.bias.copy_(unigram_prior(train, vocabulary))
        rows = len(train) if a.text else xtr.shape[0]
        paired = None
        if a.float64:
            # Before the start is loaded, so that a float64 export (normkit experiment --dtype float64) is read
            # without rounding; a float32 export is widened exactly.
            model.double()
        if a.init_from:
            start_folder = normkit_start.folder(a.init_from, a.norm, seed)
            loaded = normkit_start.load_into(model, normkit_start.read_state(
                os.path.join(start_folder, normkit_start.STATE_FILE)), normkit_start.sequence_name)
            paired = normkit_start.read_order(os.path.join(start_folder, normkit_start.ORDER_FILE), rows,
                                              a.batch_size, a.epochs)
            print("# %s seed %d: %s from %s" % (a.norm, seed, loaded, start_folder), file=sys.stderr, flush=True)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        gen = torch.Generator().manual_seed(seed)
        for epoch in range(1, a.epochs + 1):
            model.train()
            if paired is None:
                order = torch.randperm(rows, generator=gen)
                batches = [order[s:s + a.batch_size] for s in range(0, rows, a.batch_size)
                           if not (rows - s == 1 and a.batch_size > 1)]
            else:
                batches = paired[epoch - 1]
            seconds = 0.0
            step_losses = []
            epoch_start = time.perf_counter()
            for picked in batches:
                if a.text:
                    inputs, targets, lengths = token_batch([train[i] for i in picked])
                t0 = time.perf_counter()
                if a.text:
                    valid = (torch.arange(inputs.shape[1])[None, :] < lengths[:, None]).reshape(-1)
                    loss = nn.functional.cross_entropy(model.logits(inputs, lengths)[valid], targets.reshape(-1)[valid])
                else:
                    loss = nn.functional.cross_entropy(model(xtr[picked]), ytr[picked])
                opt.zero_grad()
                loss.backward()
                opt.step()
                seconds += time.perf_counter() - t0
                if a.step_losses:
                    step_losses.append(loss.item())
            epoch_seconds = time.perf_counter() - epoch_start
            model.eval()
            with torch.no_grad():
                if a.text:
                    total, correct, count = 0.0, 0, 0
                    for start in range(0, len(test), 64):
                        inputs, targets, lengths = token_batch(test[start:start + 64])
                        valid = (torch.arange(inputs.shape[1])[None, :] < lengths[:, None]).reshape(-1)
                        logits = model.logits(inputs, lengths)[valid]
                        t = targets.reshape(-1)[valid]
                        total += nn.functional.cross_entropy(logits, t, reduction="sum").item()
                        correct += (logits.argmax(1) == t).sum().item()
                        count += t.numel()
                    loss, accuracy = total / count, correct / count
                else:
                    logits = model(xte)
                    loss = nn.functional.cross_entropy(logits, yte).item()
                    accuracy = (logits.argmax(1) == yte).float().mean().item()
            row = {"net": a.net, "norm": a.norm, "data": "text" if a.text else "fashion-rows", "seed": seed,
                   "epoch": epoch, "test_loss": loss, "test_accuracy": accuracy, "train_seconds": seconds,
                   "epoch_seconds": epoch_seconds,
                   "threads": a.threads, "torch": torch.__version__}
            if a.float64:
                row["dtype"] = "float64"
            if paired is not None:
                row["init_from"] = a.init_from
            if a.step_losses:
                row["step_losses"] = step_losses
            if a.text:
                row["bits_per_character"] = loss / math.log(2)
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()

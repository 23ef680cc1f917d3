#!/usr/bin/python3
"""Why masked BatchNorm trailed unmasked BatchNorm on padded text (docs/sequence.md): the transformer language model
of train_sequence_reference.py, 300 training / 150 held-out fortunes, batch 16, 2 epochs, seed 0, one thread, once
with the output bias as Linear initialises it (uniform within ±1/8: the nets before the fix) and once at the log
unigram frequencies (UnigramPrior).
Prints the held-out bits per character of the unigram distribution itself, then per norm and start: bits per
character after each epoch and, over epoch 2's batches, |mean of the final features over the valid tokens| / |their
standard deviation| (exactly 0 in training for masked BatchNorm: the head sees no shared direction to learn the
character frequencies with).
    /usr/bin/python3 scripts/pytorch/text_prior_diagnosis.py batch_norm batch_norm:masked=false layer_norm
"""
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_sequence_reference as R  # noqa: E402
from torch import nn  # noqa: E402
torch.set_num_threads(1)
train, test, V = R.fortunes("/usr/share/games/fortunes", 300, 150)
p = R.unigram_prior(train, V).double().exp()
tc = torch.zeros(V)
for d in test:
    for c in d: tc[c] += 1
tc[R.END] += len(test)
print("unigram bpc on held-out (training frequencies):", round((-(tc * p.log2()).sum() / tc.sum()).item(), 3), "uniform:", round(math.log2(V), 3))
def bpc(model, docs):
    model.eval(); tot=cnt=0
    with torch.no_grad():
        for s in range(0, len(docs), 64):
            i,t,l = R.token_batch(docs[s:s+64]); v=(torch.arange(i.shape[1])[None,:]<l[:,None]).reshape(-1)
            tot += nn.functional.cross_entropy(model.logits(i,l)[v], t.reshape(-1)[v], reduction="sum").item(); cnt += v.sum().item()
    return tot/cnt/math.log(2)
for label, prior in [(a, b) for b in (False, True) for a in sys.argv[1:]]:
    torch.manual_seed(0)
    model = R.Transformer(label, V)
    if prior:
        with torch.no_grad(): model.head.bias.copy_(R.unigram_prior(train, V))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(0)
    out = []
    for epoch in range(2):
        model.train(); offsets = []
        for idx in torch.randperm(len(train), generator=gen).split(16):
            i,t,l = R.token_batch([train[k] for k in idx]); v=(torch.arange(i.shape[1])[None,:]<l[:,None]).reshape(-1)
            # mean over the valid tokens of the final norm's output, in units of its spread: 0 for masked BN
            b_, t_ = i.shape
            h = model.encode(model.input(i) + model.positions.weight[:t_], torch.triu(torch.ones(t_, t_, dtype=torch.bool), 1),
                             torch.arange(t_)[None,:] >= l[:,None],
                             (~(torch.arange(t_)[None,:] >= l[:,None])).reshape(-1).nonzero().squeeze(1) if model.masked else None)
            hv = h.reshape(-1, h.shape[-1])[v]
            offsets.append((hv.mean(0).norm() / hv.std(0).norm()).item())
            loss = nn.functional.cross_entropy(model.head(h).reshape(b_ * t_, -1)[v], t.reshape(-1)[v])
            opt.zero_grad(); loss.backward(); opt.step()
        out.append(round(bpc(model, test), 3))
    print(json.dumps({"norm": label, "head bias = log unigram": prior, "held-out bpc by epoch": out,
                      "|mean of final features over valid tokens| / |std|, epoch 2": round(sum(offsets)/len(offsets), 3)}), flush=True)

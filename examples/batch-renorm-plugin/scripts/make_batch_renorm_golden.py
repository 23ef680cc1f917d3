#!/usr/bin/python3
"""Golden vectors for the Batch Renormalization example plugin, in the `bn-conformance/1` format with
"norm": "batch_renorm".

OPTIONAL: the plugin builds and tests without Python; this script only (re)produces the committed file
    examples/batch-renorm-plugin/src/test/resources/batch-renorm-cases.json
Run with the Debian PyTorch 1.13 interpreter (PyTorch has no Batch Renormalization; the reference is below):
    /usr/bin/python3 examples/batch-renorm-plugin/scripts/make_batch_renorm_golden.py

Batch Renormalization (Ioffe 2017), per channel c over the batch and every position, in training:
    mu_B, var_B (biased)      sigma_B = sqrt(var_B + eps)      sigma = sqrt(running_var + eps)
    r = clip(sigma_B / sigma, 1/r_max, r_max)      d = clip((mu_B - running_mean) / sigma, -d_max, d_max)
    y = ((x - mu_B) / sigma_B * r + d) * gamma + beta         (r, d detached: no gradient through them)
    running_mean <- (1 - m) running_mean + m mu_B
    sigma_new = (1 - m) sigma + m sigma_B;  running_var <- sigma_new^2 - eps    (the paper averages sigma)
    num_batches_tracked += 1
in evaluation: y = (x - running_mean) / sigma * gamma + beta.
r_max(t) = 1 + (rmax - 1) ramp(t, rmax_ramp), d_max(t) = dmax ramp(t, dmax_ramp), ramp = clamp((t - warmup)/steps,
0, 1), t = num_batches_tracked before the call; the plugin's defaults (rmax 3, dmax 5, warmup 5000, ramps 35000 and
20000). The cases choose t through state.numBatchesTracked: in the warm-up (r = 1, d = 0), half-way up the ramps, and
past them with running statistics far from the batch's, so that r and d are clipped.

Differences from FORMAT.md's batch cases a reader must expect: "norm" is "batch_renorm"; running_var is updated as
above (biased, averaged as a standard deviation) instead of with the unbiased variance. Gradients come from
torch.autograd in float64; float32 cases are computed in float64 from binary32 inputs and rounded (tolerance abs
1e-5, rel 1e-4). The written file is re-read and the forward pass and state recomputed with NumPy.
"""
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "pytorch"))
import bnconf  # noqa: E402

OUT = os.path.join(ROOT, "examples/batch-renorm-plugin/src/test/resources/batch-renorm-cases.json")
DT = {"float64": torch.float64, "float32": torch.float32}
RMAX, DMAX, WARMUP, RMAX_RAMP, DMAX_RAMP = 3.0, 5.0, 5000, 35000, 20000


def ramp(t, steps):
    if t < WARMUP:
        return 0.0
    return 1.0 if steps == 0 else min(1.0, (t - WARMUP) / steps)


def limits(t):
    return 1 + (RMAX - 1) * ramp(t, RMAX_RAMP), DMAX * ramp(t, DMAX_RAMP)


def batch_renorm(x, weight, bias, running_mean, running_var, t, training, momentum, eps):
    """The reference: returns y and the running statistics after the call (float64 tensors)."""
    axes = [a for a in range(x.dim()) if a != 1]
    view = [1, x.shape[1]] + [1] * (x.dim() - 2)
    sigma = torch.sqrt(running_var + eps)
    if not training:
        y = (x - running_mean.view(view)) / sigma.view(view)
        new_mean, new_var, new_t = running_mean, running_var, t
    else:
        mean = x.mean(dim=axes, keepdim=True)
        var = x.var(dim=axes, unbiased=False, keepdim=True)
        sigma_b = torch.sqrt(var + eps)
        rmax, dmax = limits(t)
        r = torch.clamp(sigma_b.detach() / sigma.view(view), 1 / rmax, rmax)
        d = torch.clamp((mean.detach() - running_mean.view(view)) / sigma.view(view), -dmax, dmax)
        y = (x - mean) / sigma_b * r + d
        new_mean = (1 - momentum) * running_mean + momentum * mean.detach().view(-1)
        new_sigma = (1 - momentum) * sigma + momentum * sigma_b.detach().view(-1)
        new_var = new_sigma ** 2 - eps
        new_t = t + 1
    if weight is not None:
        y = y * weight.view(view) + bias.view(view)
    return y, new_mean, new_var, new_t


def C(name, mode, dtype, shape, t, what, affine=True, momentum=0.1, eps=1e-5, far=False, grad=True):
    return dict(name=name, mode=mode, dtype=dtype, shape=shape, t=t, what=what, affine=affine, momentum=momentum,
                eps=eps, far=far, grad=grad)


CASES = [
    C("brn-warmup-rank2", "train", "float64", (6, 3), 0, "warm-up (t = 0): r = 1, d = 0, BatchNorm's output"),
    C("brn-midramp-rank3-float32", "train", "float32", (4, 3, 5), 22500,
      "t = 22500: r_max = 2, d_max = 4.375, half-way and near the end of their ramps"),
    C("brn-clipped-rank4", "train", "float64", (4, 3, 2, 2), 100000,
      "past the ramps with running statistics far from the batch's: r and d clipped at 3 and 5", far=True),
    C("brn-clipped-rank4-no-affine", "train", "float64", (3, 2, 3, 2), 100000,
      "no gamma, beta; r and d clipped", affine=False, far=True, momentum=0.3),
    C("brn-eval-rank4", "eval", "float64", (3, 3, 2, 2), 100000, "evaluation: BatchNorm's with the running statistics"),
]


def make_case(s):
    dt = DT[s["dtype"]]
    gen = torch.Generator().manual_seed(bnconf.case_seed(s["name"]))
    shape = s["shape"]
    c = shape[1]
    x = (torch.randn(shape, generator=gen, dtype=torch.float64) * 1.7 + 0.4).to(dt)
    w = (1 + 0.3 * torch.randn(c, generator=gen, dtype=torch.float64)).to(dt) if s["affine"] else None
    b = (0.2 * torch.randn(c, generator=gen, dtype=torch.float64)).to(dt) if s["affine"] else None
    if s["far"]:
        rm = (torch.randn(c, generator=gen, dtype=torch.float64) * 20).to(dt)
        rv = (torch.rand(c, generator=gen, dtype=torch.float64) * 0.01 + 0.001).to(dt)
    else:
        rm = (0.3 * torch.randn(c, generator=gen, dtype=torch.float64)).to(dt)
        rv = (0.5 + torch.rand(c, generator=gen, dtype=torch.float64)).to(dt)
    g = torch.randn(shape, generator=gen, dtype=torch.float64).to(dt) if s["grad"] else None

    x64 = x.to(torch.float64).clone().requires_grad_(g is not None)
    w64 = w.to(torch.float64).clone().requires_grad_(g is not None) if w is not None else None
    b64 = b.to(torch.float64).clone().requires_grad_(g is not None) if b is not None else None
    y, nm, nv, nt = batch_renorm(x64, w64, b64, rm.to(torch.float64), rv.to(torch.float64), s["t"],
                                 s["mode"] == "train", s["momentum"], s["eps"])
    if g is not None:
        y.backward(g.to(torch.float64))
    tj = lambda t: bnconf.tensor_json(t.detach().to(dt))
    tol = bnconf.TOL_F32 if s["dtype"] == "float32" else bnconf.TOL_F64
    return {
        "name": s["name"], "norm": "batch_renorm", "mode": s["mode"], "dtype": s["dtype"],
        "description": f"Batch Renormalization (Ioffe 2017), {c} channels, momentum {s['momentum']}, eps {s['eps']}, "
                       f"affine={s['affine']}, t = {s['t']}: {s['what']} (reference in "
                       f"examples/batch-renorm-plugin/scripts/make_batch_renorm_golden.py)",
        "params": {"eps": float(s["eps"]), "affine": s["affine"], "trackRunningStats": True,
                   "momentum": float(s["momentum"])},
        "input": tj(x),
        "weight": tj(w) if w is not None else None,
        "bias": tj(b) if b is not None else None,
        "state": {"runningMean": tj(rm), "runningVar": tj(rv), "numBatchesTracked": s["t"]},
        "gradOutput": tj(g) if g is not None else None,
        "expected": {
            "output": tj(y),
            "gradInput": tj(x64.grad) if g is not None else None,
            "gradWeight": tj(w64.grad) if (g is not None and w64 is not None) else None,
            "gradBias": tj(b64.grad) if (g is not None and b64 is not None) else None,
            "state": {"runningMean": tj(nm), "runningVar": tj(nv), "numBatchesTracked": nt},
        },
        "tolerance": dict(tol),
    }


def arr(t):
    return np.array(t["data"], dtype=np.float64).reshape(t["shape"])


def recheck(case):
    """NumPy recomputation of the forward pass and the state, independent of the torch code above."""
    x = arr(case["input"])
    p = case["params"]
    eps, m = p["eps"], p["momentum"]
    rm, rv, t = arr(case["state"]["runningMean"]), arr(case["state"]["runningVar"]), case["state"]["numBatchesTracked"]
    axes = tuple(a for a in range(x.ndim) if a != 1)
    view = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    sigma = np.sqrt(rv + eps)
    if case["mode"] == "eval":
        y = (x - rm.reshape(view)) / sigma.reshape(view)
        state = (rm, rv, t)
    else:
        mu = x.mean(axis=axes)
        sb = np.sqrt(x.var(axis=axes) + eps)
        rmax, dmax = limits(t)
        r = np.clip(sb / sigma, 1 / rmax, rmax)
        d = np.clip((mu - rm) / sigma, -dmax, dmax)
        y = ((x - mu.reshape(view)) / sb.reshape(view)) * r.reshape(view) + d.reshape(view)
        state = ((1 - m) * rm + m * mu, ((1 - m) * sigma + m * sb) ** 2 - eps, t + 1)
    if case["weight"] is not None:
        y = y * arr(case["weight"]).reshape(view) + arr(case["bias"]).reshape(view)
    e = case["expected"]
    tol = case["tolerance"]
    for name, a, b in [("output", y, arr(e["output"])), ("runningMean", state[0], arr(e["state"]["runningMean"])),
                       ("runningVar", state[1], arr(e["state"]["runningVar"]))]:
        assert np.all(np.abs(a - b) <= tol["abs"] + tol["rel"] * np.abs(b)), (case["name"], name)
    assert state[2] == e["state"]["numBatchesTracked"], case["name"]


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    gen_text = (f"PyTorch {torch.__version__} (Debian python3-torch 1.13.1), float64 ops + autograd, CPU, 1 thread, "
                f"examples/batch-renorm-plugin/scripts/make_batch_renorm_golden.py")
    cases = [make_case(s) for s in CASES]
    n = bnconf.write_cases(OUT, gen_text, cases)
    print(f"wrote {os.path.relpath(OUT, ROOT)}: {len(cases)} cases, {n} bytes")
    with open(OUT, encoding="utf-8") as f:
        doc = json.load(f)
    assert bnconf.dumps_cases(doc["generator"], doc["cases"]) == open(OUT, encoding="utf-8").read()
    for c in doc["cases"]:
        recheck(c)
    print("NumPy recomputation agrees on every case")


if __name__ == "__main__":
    main()

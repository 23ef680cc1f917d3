#!/usr/bin/python3
"""Generate normkit's own golden conformance files (format `bn-conformance/1`) with PyTorch.

OPTIONAL: normkit builds, tests and runs without Python. This script only (re)produces the committed
JSON files below; run it with the Debian PyTorch 1.13 interpreter:

    /usr/bin/python3 scripts/pytorch/make_golden.py            # write the file, then validate it
    /usr/bin/python3 scripts/pytorch/make_golden.py --check    # only validate the committed file

Output (path relative to the repository root):
    bn-variants/src/test/resources/conformance/variant-cases.json LayerNorm, InstanceNorm, GroupNorm
The BatchNorm file (bn-core/src/test/resources/conformance/batch-cases.json) is made by the generic
golden.py from its spec, scripts/pytorch/norms/batch_norm.py.

How the numbers are made (docs/conformance-format.md section 6):
  * expected values are those of the torch.nn modules (LayerNorm, InstanceNorm1d/2d/3d, GroupNorm), CPU, torch.set_num_threads(1), torch.use_deterministic_algorithms(True), computed in the
    case's dtype: one forward call, then y.backward(gradOutput) when gradOutput is not null;
  * inputs come from a torch.Generator seeded with the CRC-32 of the case name, so each case is
    reproducible on its own and adding/removing cases does not change the others;
  * tolerances: float64 abs 1e-9 rel 1e-7, float32 abs 1e-5 rel 1e-4, the large-offset case abs = rel = 1e-5.

After writing, each file is re-parsed and every member checked per docs/conformance-format.md section 3, and every expected
value is compared with an independent float64 NumPy recomputation of docs/conformance-format.md section 4 (must be within the
case tolerance) and, for information, with a 60-digit decimal recomputation (the fraction of the tolerance
PyTorch's value uses is printed).
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bnconf  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
VARIANT_FILE = os.path.join(ROOT, "bn-variants/src/test/resources/conformance/variant-cases.json")
DT = {"float64": torch.float64, "float32": torch.float32}


def generator_text():
    return f"PyTorch {torch.__version__} (Debian python3-torch 1.13.1), CPU, 1 thread, scripts/pytorch/make_golden.py"


def C(name, norm, mode, dtype, shape, what="", eps=1e-5, affine=True, track=None, momentum=0.1, nbt=0,
      grad=True, groups=None, nshape=None, const=None, offset=None, tol=None):
    """One case spec. const=(index, value): make channel (batch/instance/group) or row (layer) `index`
    constant. offset=(mean, std): input = mean + std * randn."""
    if track is None:
        track = norm in ("batch",)
    return dict(name=name, norm=norm, mode=mode, dtype=dtype, shape=list(shape), what=what, eps=eps,
                affine=affine, track=track, momentum=momentum, nbt=nbt, grad=grad, groups=groups,
                nshape=nshape, const=const, offset=offset, tol=tol)


VARIANT_CASES = [
    # LayerNorm
    C("nk-ln-rank2-1dim-affine", "layer", "train", "float64", (5, 8), nshape=[8]),
    C("nk-ln-rank3-1dim-no-affine", "layer", "train", "float64", (2, 3, 6), nshape=[6], affine=False),
    C("nk-ln-rank4-2dim-affine", "layer", "train", "float64", (2, 3, 4, 5), nshape=[4, 5],
      what="normalizedShape of 2 dims on a rank-4 input: 6 rows of 20 elements"),
    C("nk-ln-rank3-2dim-no-affine-float32", "layer", "train", "float32", (3, 4, 5), nshape=[4, 5], affine=False),
    C("nk-ln-rank2-constant-row-eps-1e-3", "layer", "train", "float64", (4, 6), nshape=[6], eps=1e-3,
      const=(2, 0.7), what="row 2 is constant (zero variance, output = bias), eps 1e-3"),
    C("nk-ln-rank4-1dim-eval-forward-only", "layer", "eval", "float64", (2, 2, 3, 7), nshape=[7], grad=False,
      what="eval equals train for LayerNorm; gradOutput null"),
    # InstanceNorm
    C("nk-in1d-affine-track-train-momentum-0.3", "instance", "train", "float64", (3, 2, 6), track=True,
      momentum=0.3, nbt=2, what="running statistics move by 0.3 towards the batch average of the per-instance "
                                "mean and unbiased variance; numBatchesTracked unchanged"),
    C("nk-in1d-noaffine-notrack-eval", "instance", "eval", "float64", (3, 4, 5), affine=False, track=False,
      what="trackRunningStats false: eval mode uses the per-instance statistics, as train does"),
    C("nk-in2d-affine-track-eval", "instance", "eval", "float64", (2, 3, 3, 4), track=True, nbt=0,
      what="eval with tracking: the running statistics normalise and are constants for the gradient"),
    C("nk-in2d-noaffine-notrack-train-float32", "instance", "train", "float32", (2, 3, 4, 4), affine=False,
      track=False, what="PyTorch's InstanceNorm2d defaults, float32"),
    C("nk-in2d-noaffine-track-train-momentum-1.0", "instance", "train", "float64", (4, 2, 2, 3), affine=False,
      track=True, momentum=1.0, nbt=0, what="momentum 1.0: the running statistics become the batch averages"),
    C("nk-in3d-affine-notrack-train", "instance", "train", "float64", (2, 2, 3, 3, 3), track=False),
    C("nk-in3d-noaffine-track-train", "instance", "train", "float64", (2, 3, 2, 2, 3), affine=False, track=True,
      nbt=3),
    C("nk-in3d-affine-track-eval-float32", "instance", "eval", "float32", (2, 2, 2, 2, 3), track=True, nbt=1),
    # GroupNorm
    C("nk-gn-g1-c4-rank3", "group", "train", "float64", (3, 4, 5), groups=1,
      what="G=1: statistics over (C,L) per sample"),
    C("nk-gn-gc-c4-rank5", "group", "train", "float64", (2, 4, 2, 2, 3), groups=4,
      what="G=C on a rank-5 input: statistics per (sample, channel)"),
    C("nk-gn-g2-c6-rank4-no-affine", "group", "train", "float64", (2, 6, 3, 3), groups=2, affine=False,
      what="intermediate G, no affine parameters"),
    C("nk-gn-g3-c12-rank2-float32", "group", "train", "float32", (3, 12), groups=3,
      what="(N,C) input in float32: each group is 4 channels of one sample"),
    C("nk-gn-g3-c9-rank5-float32-no-affine", "group", "train", "float32", (2, 9, 2, 2, 2), groups=3,
      affine=False),
    C("nk-gn-g2-c4-rank3-eval-constant-channel", "group", "eval", "float64", (2, 4, 5), groups=2,
      const=(1, 2.25), what="eval equals train for GroupNorm; channel 1 is constant but its group (channels 0,1) is not"),
]


def module_call(s):
    """The equivalent PyTorch module call, as text, and the module."""
    norm, eps, affine, track, mom = s["norm"], s["eps"], s["affine"], s["track"], s["momentum"]
    rank = len(s["shape"])
    dt = DT[s["dtype"]]
    if norm == "instance":
        cls = {3: "InstanceNorm1d", 4: "InstanceNorm2d", 5: "InstanceNorm3d"}[rank]
        C = s["shape"][1]
        text = f"torch.nn.{cls}({C}, eps={eps!r}, momentum={mom!r}, affine={affine}, track_running_stats={track})"
        mod = getattr(torch.nn, cls)(C, eps=eps, momentum=mom, affine=affine, track_running_stats=track, dtype=dt)
    elif norm == "group":
        C = s["shape"][1]
        text = f"torch.nn.GroupNorm({s['groups']}, {C}, eps={eps!r}, affine={affine})"
        mod = torch.nn.GroupNorm(s["groups"], C, eps=eps, affine=affine, dtype=dt)
    elif norm == "layer":
        text = f"torch.nn.LayerNorm({s['nshape']!r}, eps={eps!r}, elementwise_affine={affine})"
        mod = torch.nn.LayerNorm(s["nshape"], eps=eps, elementwise_affine=affine, dtype=dt)
    else:
        raise ValueError(norm)
    text += ".train()" if s["mode"] == "train" else ".eval()"
    return text, mod


def make_case(s):
    name, norm, dtype = s["name"], s["norm"], s["dtype"]
    dt = DT[dtype]
    gen = torch.Generator().manual_seed(bnconf.case_seed(name))
    shape = s["shape"]
    # Draws, always in this order (only those that apply): input, weight, bias, running mean, running var, gradOutput.
    x = torch.randn(shape, generator=gen, dtype=torch.float64)
    if s["offset"] is not None:
        mean, std = s["offset"]
        x = mean + std * x
    if s["const"] is not None:
        idx, val = s["const"]
        if norm == "layer":
            lead = len(shape) - len(s["nshape"])
            x.view(-1, *shape[lead:])[idx] = val  # row idx of the flattened leading dims
        else:
            x[:, idx] = val
    x = x.to(dt)
    text, mod = module_call(s)
    aff_shape = s["nshape"] if norm == "layer" else [shape[1]]
    w = b = None
    if s["affine"]:
        w = (1.0 + 0.3 * torch.randn(aff_shape, generator=gen, dtype=torch.float64)).to(dt)
        b = (0.5 * torch.randn(aff_shape, generator=gen, dtype=torch.float64)).to(dt)
    state = None
    if norm in ("batch", "instance") and s["track"]:
        C = shape[1]
        rm = (0.5 * torch.randn([C], generator=gen, dtype=torch.float64)).to(dt)
        rv = (0.5 + torch.rand([C], generator=gen, dtype=torch.float64) * 1.5).to(dt)
        if s["offset"] is not None:  # running statistics of the same order as the data
            rm = (s["offset"][0] + rm).to(dt)
            rv = (s["offset"][1] ** 2 * rv).to(dt)
        state = {"runningMean": rm, "runningVar": rv, "numBatchesTracked": s["nbt"]}
    g = torch.randn(shape, generator=gen, dtype=torch.float64).to(dt) if s["grad"] else None

    with torch.no_grad():
        if w is not None:
            mod.weight.copy_(w)
            mod.bias.copy_(b)
        if state is not None:
            mod.running_mean.copy_(state["runningMean"])
            mod.running_var.copy_(state["runningVar"])
            mod.num_batches_tracked.fill_(state["numBatchesTracked"])
    mod.train(s["mode"] == "train")
    xin = x.clone().requires_grad_(g is not None)
    y = mod(xin)
    if g is not None:
        y.backward(g)
    exp_state = None
    if state is not None:
        exp_state = {"runningMean": bnconf.tensor_json(mod.running_mean.detach()),
                     "runningVar": bnconf.tensor_json(mod.running_var.detach()),
                     "numBatchesTracked": int(mod.num_batches_tracked.item())}
    params = {"eps": float(s["eps"]), "affine": s["affine"]}
    if norm in ("batch", "instance"):
        params["momentum"] = None if s["momentum"] is None else float(s["momentum"])
    params["trackRunningStats"] = bool(s["track"]) if norm in ("batch", "instance") else False
    if norm == "group":
        params["numGroups"] = s["groups"]
    if norm == "layer":
        params["normalizedShape"] = list(s["nshape"])
    desc = text + (": " + s["what"] if s["what"] else "")
    tol = s["tol"] or (bnconf.TOL_F32 if dtype == "float32" else bnconf.TOL_F64)
    tj = bnconf.tensor_json
    return {
        "name": name, "norm": norm, "mode": s["mode"], "dtype": dtype, "description": desc,
        "params": params,
        "input": tj(x),
        "weight": tj(w) if w is not None else None,
        "bias": tj(b) if b is not None else None,
        "state": None if state is None else {"runningMean": tj(state["runningMean"]),
                                             "runningVar": tj(state["runningVar"]),
                                             "numBatchesTracked": state["numBatchesTracked"]},
        "gradOutput": tj(g) if g is not None else None,
        "expected": {
            "output": tj(y.detach()),
            "gradInput": tj(xin.grad) if g is not None else None,
            "gradWeight": tj(mod.weight.grad) if (g is not None and w is not None) else None,
            "gradBias": tj(mod.bias.grad) if (g is not None and b is not None) else None,
            "state": exp_state,
        },
        "tolerance": {"abs": float(tol["abs"]), "rel": float(tol["rel"])},
    }


def check(path, prefix="nk-"):
    doc, text = bnconf.validate_file(path)
    assert bnconf.dumps_cases(doc["generator"], doc["cases"]) == text, f"{path}: not in canonical layout"
    for c in doc["cases"]:
        assert c["name"].startswith(prefix), c["name"]
    print(f"{os.path.relpath(path, ROOT)}: {len(doc['cases'])} cases, {len(text.encode())} bytes, structure ok")
    bnconf.check_against_reference(doc)
    return doc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="only validate the existing files")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    if not args.check:
        for path, specs in ((VARIANT_FILE, VARIANT_CASES),):
            cases = [make_case(s) for s in specs]
            n = bnconf.write_cases(path, generator_text(), cases)
            print(f"wrote {os.path.relpath(path, ROOT)}: {len(cases)} cases, {n} bytes")
    check(VARIANT_FILE)
    print("all checks passed")


if __name__ == "__main__":
    main()

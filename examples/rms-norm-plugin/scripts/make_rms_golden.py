#!/usr/bin/python3
"""Golden vectors for the RMSNorm example plugin, in the `bn-conformance/1` format with "norm": "rms_norm".

OPTIONAL: the plugin builds and tests without Python; this script only (re)produces the committed file
    examples/rms-norm-plugin/src/test/resources/rms-norm-cases.json
Run from anywhere with the Debian PyTorch 1.13 interpreter:
    /usr/bin/python3 examples/rms-norm-plugin/scripts/make_rms_golden.py           # write, then validate
    /usr/bin/python3 examples/rms-norm-plugin/scripts/make_rms_golden.py --check   # validate only

RMSNorm (Zhang & Sennrich 2019, "Root Mean Square Layer Normalization"): over the trailing
normalizedShape dimensions, with M = prod(normalizedShape),

    rms = sqrt( (1/M) * sum(x^2) + eps )        (no mean is subtracted: the input is not centred)
    y   = x / rms * gamma                        (gamma elementwise, of shape normalizedShape)

Differences from the LayerNorm cases of the format, which a reader of this file must expect:
  * there is NO bias (no beta): `bias` is always null, and `expected.gradBias` is always null,
    even when gradOutput is given and `params.affine` is true;
  * `weight` (gamma) is present exactly when params.affine is true; expected.gradWeight likewise when
    gradOutput is present;
  * there are no running statistics: `state` and `expected.state` are null, params.trackRunningStats is
    false, and there is no `momentum` member; the mode (train/eval) makes no difference;
  * params: eps, affine, trackRunningStats (false), normalizedShape.
  Backward, with r = 1/rms, x^ = x*r, g^ = gamma*g (or g without affine), mean over the same M elements:
      gradInput  = r * ( g^ - x^ * mean(g^ * x^) )
      gradWeight = sum over the leading dimensions of g * x^

How the numbers are made: PyTorch 1.13 has no RMSNorm module, so the forward is composed from torch ops
(x * torch.rsqrt(x.pow(2).mean(dims, keepdim=True) + eps) * weight), always in float64, and the gradients
come from torch.autograd (y.backward(gradOutput)). For a float32 case the inputs are binary32 values, the
computation is done in float64 on them and the results are rounded to binary32; the float32 tolerance
(abs 1e-5, rel 1e-4) applies. Inputs come from a torch.Generator seeded with the CRC-32 of the case name.
The written file is re-parsed, checked member by member, and every expected value compared with an
independent NumPy recomputation of the formulas above (shared helpers: scripts/pytorch/bnconf.py).
"""
import argparse
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "pytorch"))
import bnconf  # noqa: E402

# The shared tooling knows only docs/conformance-format.md's four norms; declare this plugin's norm and the properties the
# validator and the reference recomputation need: statistics over the trailing normalizedShape dimensions,
# no centring (mean of squares; no mean(g^) term in the backward), no bias.
bnconf.register_plugin_norm("rms_norm", trailing=True, centered=False, has_bias=False)

OUT = os.path.join(ROOT, "examples/rms-norm-plugin/src/test/resources/rms-norm-cases.json")
DT = {"float64": torch.float64, "float32": torch.float32}


def R(name, mode, dtype, shape, nshape, eps, affine, grad=True, what="", shift=0.0, zero_row=None):
    return dict(name=name, mode=mode, dtype=dtype, shape=list(shape), nshape=list(nshape), eps=eps,
                affine=affine, grad=grad, what=what, shift=shift, zero_row=zero_row)


CASES = [
    R("nk-rms-rank2-affine-eps-1e-6", "train", "float64", (4, 8), [8], 1e-6, True, shift=1.5,
      what="inputs have mean ~1.5: RMSNorm does not centre, so the output keeps a non-zero mean"),
    R("nk-rms-rank3-no-affine-eps-1e-5", "train", "float64", (2, 3, 6), [6], 1e-5, False),
    R("nk-rms-rank4-2dim-affine-eps-1e-5", "train", "float64", (2, 3, 4, 5), [4, 5], 1e-5, True,
      what="normalizedShape of 2 dims: 6 rows of 20 elements"),
    R("nk-rms-rank3-affine-float32-eps-1e-6", "train", "float32", (3, 4, 8), [8], 1e-6, True),
    R("nk-rms-rank4-no-affine-float32-eps-1e-5", "train", "float32", (2, 2, 3, 6), [6], 1e-5, False),
    R("nk-rms-rank2-zero-row-affine-eps-1e-6", "train", "float64", (4, 6), [6], 1e-6, True, zero_row=1,
      what="row 1 is all zeros: rms = sqrt(eps), output 0 there, gradInput = gamma*g/sqrt(eps)"),
    R("nk-rms-rank3-eval-forward-only", "eval", "float64", (2, 3, 5), [5], 1e-5, True, grad=False,
      what="eval computes exactly what train does; gradOutput null"),
]


def describe(s):
    dims = tuple(range(-len(s["nshape"]), 0))
    formula = f"x * torch.rsqrt(x.pow(2).mean(dim={dims}, keepdim=True) + {s['eps']!r})"
    if s["affine"]:
        formula += " * weight"
    eq = f"torch.nn.RMSNorm({s['nshape']!r}, eps={s['eps']!r}, elementwise_affine={s['affine']})"
    d = (f"{formula}, composed torch ops in float64 (PyTorch 1.13 has no RMSNorm; the same as {eq}"
         f".{s['mode']}() of PyTorch >= 2.4); no bias")
    return d + (": " + s["what"] if s["what"] else "")


def make_case(s):
    dt = DT[s["dtype"]]
    gen = torch.Generator().manual_seed(bnconf.case_seed(s["name"]))
    shape, nshape = s["shape"], s["nshape"]
    x = torch.randn(shape, generator=gen, dtype=torch.float64) + s["shift"]
    if s["zero_row"] is not None:
        x.view(-1, *nshape)[s["zero_row"]] = 0.0
    x = x.to(dt)
    w = (1.0 + 0.3 * torch.randn(nshape, generator=gen, dtype=torch.float64)).to(dt) if s["affine"] else None
    g = torch.randn(shape, generator=gen, dtype=torch.float64).to(dt) if s["grad"] else None

    # compute in float64 from the (possibly binary32) values
    x64 = x.to(torch.float64).clone().requires_grad_(g is not None)
    w64 = w.to(torch.float64).clone().requires_grad_(g is not None) if w is not None else None
    dims = tuple(range(-len(nshape), 0))
    y64 = x64 * torch.rsqrt(x64.pow(2).mean(dim=dims, keepdim=True) + s["eps"])
    if w64 is not None:
        y64 = y64 * w64
    if g is not None:
        y64.backward(g.to(torch.float64))
    tj = lambda t: bnconf.tensor_json(t.detach().to(dt))  # round to the case dtype
    tol = bnconf.TOL_F32 if s["dtype"] == "float32" else bnconf.TOL_F64
    return {
        "name": s["name"], "norm": "rms_norm", "mode": s["mode"], "dtype": s["dtype"],
        "description": describe(s),
        "params": {"eps": float(s["eps"]), "affine": s["affine"], "trackRunningStats": False,
                   "normalizedShape": list(nshape)},
        "input": tj(x),
        "weight": tj(w) if w is not None else None,
        "bias": None,
        "state": None,
        "gradOutput": tj(g) if g is not None else None,
        "expected": {
            "output": tj(y64),
            "gradInput": tj(x64.grad) if g is not None else None,
            "gradWeight": tj(w64.grad) if (g is not None and w64 is not None) else None,
            "gradBias": None,
            "state": None,
        },
        "tolerance": dict(tol),
    }


def main():
    ap = argparse.ArgumentParser(description="RMSNorm golden vectors (bn-conformance/1, norm rms_norm)")
    ap.add_argument("--check", action="store_true", help="only validate the existing file")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    if not args.check:
        gen_text = (f"PyTorch {torch.__version__} (Debian python3-torch 1.13.1), composed float64 ops + autograd, "
                    f"CPU, 1 thread, examples/rms-norm-plugin/scripts/make_rms_golden.py")
        cases = [make_case(s) for s in CASES]
        n = bnconf.write_cases(OUT, gen_text, cases)
        print(f"wrote {os.path.relpath(OUT, ROOT)}: {len(cases)} cases, {n} bytes")
    doc, text = bnconf.validate_file(OUT, norms=("rms_norm",))
    assert bnconf.dumps_cases(doc["generator"], doc["cases"]) == text
    for c in doc["cases"]:
        assert c["bias"] is None and c["expected"]["gradBias"] is None and c["state"] is None
    print(f"{os.path.relpath(OUT, ROOT)}: {len(doc['cases'])} cases, structure ok")
    bnconf.check_against_reference(doc)
    print("all checks passed")


if __name__ == "__main__":
    main()

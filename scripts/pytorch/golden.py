#!/usr/bin/python3
"""Golden conformance files (`bn-conformance/1`, docs/conformance-format.md) for ANY norm, from a short spec.

OPTIONAL: normkit builds, tests and runs without Python. Run with the Debian PyTorch 1.13 interpreter:

    /usr/bin/python3 scripts/pytorch/golden.py SPEC.py            # write the spec's file, then check it
    /usr/bin/python3 scripts/pytorch/golden.py SPEC.py --check    # only check the committed file
    /usr/bin/python3 scripts/pytorch/golden.py --masked           # masked statistics (padded inputs), see below

A spec is a Python file with these members (scripts/pytorch/norms/batch_norm.py is a complete one):

    NORM      the case's "norm": batch, layer, instance, group, or the norm's registry name (rms_norm, ...)
    OUT       the file to write, relative to the repository root (or absolute)
    CASES     a list of golden.Case(...)
    reference(case) -> (module, description)
              the PyTorch reference for one case: a torch.nn.Module built in the case's dtype (a torch.nn norm, or
              golden.FunctionNorm around a function of torch ops), and the text of the equivalent PyTorch call.
              Its state_dict names decide what the case holds: `weight` -> a weight, `bias` -> a bias,
              `running_mean`/`running_var`/`num_batches_tracked` -> running statistics (before and after).
    PREFIX    optional: every case name must start with it

A norm PyTorch lacks is a few lines with FunctionNorm. For example a BatchNorm-like norm that scales by the root
mean square over the batch and positions, keeping a running mean of squares (Keras-like update):

    def rms_batch(layer, x):
        axes = [0] + list(range(2, x.dim()))
        if layer.training or layer.running_var is None:
            ms = x.pow(2).mean(axes)
            if layer.training and layer.running_var is not None:
                with torch.no_grad():
                    layer.num_batches_tracked += 1
                    layer.running_var.mul_(1 - layer.momentum).add_(layer.momentum * ms)
        else:
            ms = layer.running_var
        shape = [1, -1] + [1] * (x.dim() - 2)
        y = x * torch.rsqrt(ms + layer.eps).reshape(shape)
        return y * layer.weight.reshape(shape) if layer.weight is not None else y

    def reference(case):
        C = case.shape[1]
        return (golden.FunctionNorm(rms_batch, case, weight_shape=[C], bias=False, running=C),
                f"rms_batch_norm({C}, eps={case.eps!r})")

How the numbers are made (docs/conformance-format.md section 6): inputs from a torch.Generator seeded with the CRC-32
of the case name, drawn in float64 in the order input, weight (1 + 0.3·randn), bias (0.5·randn), running mean
(0.5·randn), running variance (0.5 + 1.5·rand), gradOutput (randn), skipping what the module lacks, then cast to the
case's dtype; one forward call in the case's mode, then y.backward(gradOutput); CPU, one thread, deterministic
algorithms. After writing, the file is read back and checked: its canonical layout, the structure of every member,
the presence rules of docs/conformance-format.md section 3 against the module's state, every case replayed through
the reference from the parsed numbers (it must reproduce them within the case's tolerance), and, for the four
built-in norms or a norm declared with bnconf.register_plugin_norm, the independent recomputation in bnconf.
"""
import argparse
import importlib.util
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import bnconf  # noqa: E402

DT = {"float64": torch.float64, "float32": torch.float32}
ABSENT = object()  # a params member the case leaves out (momentum of a norm without running statistics)


class Case:
    """One case to generate. `const=(index, value)` makes channel `index` (or, with `nshape`, row `index` of the
    flattened leading dimensions) constant; `offset=(mean, std)` draws the input as mean + std·randn (and the
    running statistics at the same scale); `options` are the norm's own options (params.options)."""

    def __init__(self, name, mode, dtype, shape, what="", eps=1e-5, affine=True, track=False, momentum=ABSENT,
                 nbt=0, grad=True, groups=None, nshape=None, options=None, const=None, offset=None, tol=None):
        self.name, self.mode, self.dtype, self.shape, self.what = name, mode, dtype, list(shape), what
        self.eps, self.affine, self.track, self.momentum, self.nbt = eps, affine, track, momentum, nbt
        self.grad, self.groups, self.nshape, self.options = grad, groups, nshape, dict(options or {})
        self.const, self.offset, self.tol = const, offset, tol

    @property
    def torch_dtype(self):
        return DT[self.dtype]


class FunctionNorm(torch.nn.Module):
    """A norm written as `fn(layer, x)` with torch ops, for norms PyTorch lacks. The layer carries PyTorch's names:
    `weight` (ones) and `bias` (zeros) when affine, `running_mean` (zeros), `running_var` (ones) and
    `num_batches_tracked` when `running` (the channel count) is given and the case tracks statistics, plus `eps`,
    `momentum`, `options` and `training`. The function updates the running statistics itself (under no_grad), as
    a PyTorch module does."""

    def __init__(self, fn, case, weight_shape=None, bias=True, running=None):
        super().__init__()
        self.fn, self.eps, self.options = fn, case.eps, case.options
        self.momentum = None if case.momentum is ABSENT else case.momentum
        dt = case.torch_dtype
        affine = case.affine and weight_shape is not None
        self.weight = torch.nn.Parameter(torch.ones(weight_shape, dtype=dt)) if affine else None
        self.bias = torch.nn.Parameter(torch.zeros(weight_shape, dtype=dt)) if affine and bias else None
        if running is not None and case.track:
            self.register_buffer("running_mean", torch.zeros(running, dtype=dt))
            self.register_buffer("running_var", torch.ones(running, dtype=dt))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def forward(self, x):
        return self.fn(self, x)


def load_spec(path):
    spec = importlib.util.spec_from_file_location("golden_spec", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["golden"] = sys.modules[__name__]
    spec.loader.exec_module(module)
    for member in ("NORM", "OUT", "CASES", "reference"):
        if not hasattr(module, member):
            sys.exit(f"{path}: the spec must define {member} (see the header of {__file__})")
    return module


def out_path(spec):
    return spec.OUT if os.path.isabs(spec.OUT) else os.path.join(ROOT, spec.OUT)


def _member(module, name):
    value = getattr(module, name, None)
    return value if isinstance(value, torch.Tensor) else None


def _draw_input(case, gen):
    x = torch.randn(case.shape, generator=gen, dtype=torch.float64)
    if case.offset is not None:
        mean, std = case.offset
        x = mean + std * x
    if case.const is not None:
        index, value = case.const
        if case.nshape:
            lead = len(case.shape) - len(case.nshape)
            x.view(-1, *case.shape[lead:])[index] = value
        else:
            x[:, index] = value
    return x.to(case.torch_dtype)


def make_case(spec, case):
    dt = case.torch_dtype
    gen = torch.Generator().manual_seed(bnconf.case_seed(case.name))
    x = _draw_input(case, gen)
    module, text = spec.reference(case)
    weight, bias = _member(module, "weight"), _member(module, "bias")
    running_mean = _member(module, "running_mean")
    w = (1.0 + 0.3 * torch.randn(list(weight.shape), generator=gen, dtype=torch.float64)).to(dt) \
        if weight is not None else None
    b = (0.5 * torch.randn(list(bias.shape), generator=gen, dtype=torch.float64)).to(dt) if bias is not None else None
    state = None
    if running_mean is not None:
        C = list(running_mean.shape)
        rm = (0.5 * torch.randn(C, generator=gen, dtype=torch.float64)).to(dt)
        rv = (0.5 + torch.rand(C, generator=gen, dtype=torch.float64) * 1.5).to(dt)
        if case.offset is not None:  # running statistics of the data's scale
            rm = (case.offset[0] + rm).to(dt)
            rv = (case.offset[1] ** 2 * rv).to(dt)
        state = {"runningMean": rm, "runningVar": rv, "numBatchesTracked": case.nbt}
    g = torch.randn(case.shape, generator=gen, dtype=torch.float64).to(dt) if case.grad else None
    expected = run_reference(module, case.mode, x, w, b, state, g)

    tj = bnconf.tensor_json
    params = {"eps": float(case.eps), "affine": case.affine}
    if case.momentum is not ABSENT:
        params["momentum"] = None if case.momentum is None else float(case.momentum)
    params["trackRunningStats"] = bool(case.track)
    if case.groups is not None:
        params["numGroups"] = case.groups
    if case.nshape is not None:
        params["normalizedShape"] = list(case.nshape)
    if case.options:
        params["options"] = {k: str(v) for k, v in case.options.items()}
    text += ".train()" if case.mode == "train" else ".eval()"
    tol = case.tol or (bnconf.TOL_F32 if case.dtype == "float32" else bnconf.TOL_F64)
    return {
        "name": case.name, "norm": spec.NORM, "mode": case.mode, "dtype": case.dtype,
        "description": text + (": " + case.what if case.what else ""),
        "params": params,
        "input": tj(x),
        "weight": tj(w) if w is not None else None,
        "bias": tj(b) if b is not None else None,
        "state": None if state is None else {"runningMean": tj(state["runningMean"]),
                                             "runningVar": tj(state["runningVar"]),
                                             "numBatchesTracked": state["numBatchesTracked"]},
        "gradOutput": tj(g) if g is not None else None,
        "expected": {k: (tj(v) if isinstance(v, torch.Tensor) else v) for k, v in expected.items()},
        "tolerance": {"abs": float(tol["abs"]), "rel": float(tol["rel"])},
    }


def run_reference(module, mode, x, w, b, state, g):
    """Loads γ, β and the running statistics, runs one forward (and backward) call; returns `expected`."""
    with torch.no_grad():
        if w is not None:
            module.weight.copy_(w)
        if b is not None:
            module.bias.copy_(b)
        if state is not None:
            module.running_mean.copy_(state["runningMean"])
            module.running_var.copy_(state["runningVar"])
            module.num_batches_tracked.fill_(state["numBatchesTracked"])
    module.train(mode == "train")
    xin = x.clone().requires_grad_(g is not None)
    y = module(xin)
    if g is not None:
        y.backward(g)
    weight, bias = _member(module, "weight"), _member(module, "bias")
    after = None
    if state is not None:
        after = {"runningMean": bnconf.tensor_json(module.running_mean.detach()),
                 "runningVar": bnconf.tensor_json(module.running_var.detach()),
                 "numBatchesTracked": int(module.num_batches_tracked.item())}
    return {
        "output": y.detach(),
        "gradInput": xin.grad if g is not None else None,
        "gradWeight": weight.grad if (g is not None and weight is not None) else None,
        "gradBias": bias.grad if (g is not None and bias is not None) else None,
        "state": after,
    }


# ----------------------------------------------------------------------------------------------
# Checking a written file
# ----------------------------------------------------------------------------------------------

def _tensor(t, where, dtype):
    bnconf._check_tensor(t, where, dtype)
    return torch.tensor(t["data"], dtype=DT[dtype]).reshape(t["shape"])


def _close(actual, expected, tol, where):
    if expected is None or actual is None:
        bnconf._req(expected is None and actual is None, where, "present on one side only")
        return 0.0
    bnconf._req(list(actual.shape) == expected["shape"], where, f"shape {list(actual.shape)} vs {expected['shape']}")
    e = torch.tensor(expected["data"], dtype=torch.float64).reshape(expected["shape"])
    error = (actual.double() - e).abs()
    allowed = tol["abs"] + tol["rel"] * e.abs()
    bnconf._req(bool((error <= allowed).all()), where, f"replay differs by {float(error.max())}")
    return float((error / allowed).max())


def check(spec, path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    doc = json.loads(text)
    bnconf._req(doc.get("format") == bnconf.FORMAT, path, f"format {doc.get('format')!r}")
    bnconf._req(bnconf.dumps_cases(doc["generator"], doc["cases"]) == text, path, "not in canonical layout")
    names = [c["name"] for c in doc["cases"]]
    bnconf._req(len(names) == len(set(names)), path, "case names repeat")
    by_name = {c.name: c for c in spec.CASES}
    worst = 0.0
    for c in doc["cases"]:
        where = f"{os.path.relpath(path, ROOT)}: case {c['name']!r}"
        bnconf._req(c["name"].startswith(getattr(spec, "PREFIX", "")), where, "name lacks the spec's prefix")
        bnconf._req(c["name"] in by_name, where, "not among the spec's CASES")
        for k in bnconf.CASE_KEYS:
            bnconf._req(k in c, where, f"member {k} missing")
        dtype, tol = c["dtype"], c["tolerance"]
        x = _tensor(c["input"], where + ".input", dtype)
        w = _tensor(c["weight"], where + ".weight", dtype) if c["weight"] else None
        b = _tensor(c["bias"], where + ".bias", dtype) if c["bias"] else None
        g = _tensor(c["gradOutput"], where + ".gradOutput", dtype) if c["gradOutput"] else None
        state = None
        if c["state"]:
            state = {"runningMean": _tensor(c["state"]["runningMean"], where + ".state", dtype),
                     "runningVar": _tensor(c["state"]["runningVar"], where + ".state", dtype),
                     "numBatchesTracked": c["state"]["numBatchesTracked"]}
        module, _ = spec.reference(by_name[c["name"]])
        # Presence rules (docs/conformance-format.md section 3): what the file holds is what the layer has.
        for member, held in (("weight", w), ("bias", b), ("running_mean", state)):
            bnconf._req((_member(module, member) is not None) == (held is not None), where,
                        f"{member}: the file and the reference layer disagree on its presence")
        replay = run_reference(module, c["mode"], x, w, b, state, g)
        exp = c["expected"]
        for key in ("output", "gradInput", "gradWeight", "gradBias"):
            worst = max(worst, _close(replay[key], exp[key], tol, f"{where}.expected.{key}"))
        if exp["state"] is not None or replay["state"] is not None:
            bnconf._req(exp["state"] is not None and replay["state"] is not None, where, "state on one side only")
            for key in ("runningMean", "runningVar"):
                actual = torch.tensor(replay["state"][key]["data"], dtype=torch.float64)
                worst = max(worst, _close(actual, exp["state"][key], tol, f"{where}.expected.state.{key}"))
            bnconf._req(replay["state"]["numBatchesTracked"] == exp["state"]["numBatchesTracked"], where,
                        "numBatchesTracked differs")
    print(f"{os.path.relpath(path, ROOT)}: {len(names)} cases, structure ok, replay through the reference ok "
          f"(worst {worst:.2g} of the tolerance)")
    if spec.NORM in bnconf.NORMS or spec.NORM in bnconf.PLUGIN_NORMS:
        bnconf.validate_file(path)
        bnconf.check_against_reference(doc)

# ----------------------------------------------------------------------------------------------
# Masked statistics (padded sequences): golden.py --masked
# ----------------------------------------------------------------------------------------------

MASKED_OUT = "bn-variants/src/test/resources/golden/masked-norms.json"


def masked_norm(kind, x, valid, weight, bias, eps, groups=None, running=None, momentum=0.1, training=True):
    """BatchNorm, InstanceNorm or GroupNorm of x (N, C, S) over the positions where `valid` (N, S) is 1 only: the
    masked PyTorch reference normkit's faces are held against. Statistics are sums over the valid elements divided
    by their count (at least 1, so an all-padding sample stays finite); the output is 0 at invalid positions; the
    running statistics (momentum rule, unbiased variance) take each set's own count, and InstanceNorm's average only
    the samples that have a valid position."""
    N, C, S = x.shape
    m = valid.reshape(N, 1, S).to(x.dtype)
    if kind == "batch":
        view, mv, axes = x, m.expand(N, C, S), (0, 2)
    elif kind == "instance":
        view, mv, axes = x, m.expand(N, C, S), (2,)
    else:
        view, mv, axes = x.reshape(N, groups, C // groups, S), m.reshape(N, 1, 1, S).expand(N, groups, C // groups, S), (2, 3)
    if training or running is None:
        count = mv.sum(axes, keepdim=True)
        k = count.clamp(min=1)
        mean = (view * mv).sum(axes, keepdim=True) / k
        var = (((view - mean) * mv) ** 2).sum(axes, keepdim=True) / k
        xhat = ((view - mean) * mv * torch.rsqrt(var + eps)).reshape(N, C, S)
        if training and running is not None:
            with torch.no_grad():
                c = count.reshape(-1)
                present = c > 0
                mu = mean.reshape(-1)[present]
                unbiased = (var.reshape(-1) * c / (c - 1))[present]
                if kind == "instance":
                    mu = mean.reshape(N, C)[present.reshape(N, C)[:, 0]].mean(0)
                    unbiased = (var.reshape(N, C) * c.reshape(N, C) / (c.reshape(N, C) - 1))[
                        present.reshape(N, C)[:, 0]].mean(0)
                running[0].mul_(1 - momentum).add_(momentum * mu)
                running[1].mul_(1 - momentum).add_(momentum * unbiased)
    else:
        xhat = (x - running[0].reshape(1, C, 1)) * torch.rsqrt(running[1].reshape(1, C, 1) + eps)
    y = xhat
    if weight is not None:
        y = y * weight.reshape(1, C, 1) + bias.reshape(1, C, 1)
    return y * m


MASKED_CASES = [
    # name, registry name, kind, shape (N, C, S), lengths per sample, groups, mode
    ("batch_norm1d/padded_sequences", "batch_norm1d", "batch", (3, 4, 5), [5, 2, 3], None, "train"),
    ("batch_norm1d/padded_token_rows", "batch_norm1d", "batch", (6, 3, 1), [1, 1, 0, 1, 0, 1], None, "train"),
    ("batch_norm1d/eval_running", "batch_norm1d", "batch", (2, 3, 4), [4, 1], None, "eval"),
    ("instance_norm1d/padded_with_empty_sample", "instance_norm1d", "instance", (3, 4, 5), [5, 3, 0], None, "train"),
    ("group_norm/padded_sequences", "group_norm", "group", (2, 4, 6), [6, 4], 2, "train"),
]


def make_masked_case(name, norm, kind, shape, lengths, groups, mode):
    gen = torch.Generator().manual_seed(bnconf.case_seed(name))
    N, C, S = shape
    x = torch.randn(shape, generator=gen, dtype=torch.float64)
    valid = torch.zeros(N, S, dtype=torch.float64)
    for n, length in enumerate(lengths):
        valid[n, :length] = 1
    x = x + 100.0 * (1 - valid).reshape(N, 1, S)  # padding far off: any leak into the statistics shows
    w = 1.0 + 0.3 * torch.randn(C, generator=gen, dtype=torch.float64)
    b = 0.5 * torch.randn(C, generator=gen, dtype=torch.float64)
    running = None
    if kind != "group":
        running = [0.5 * torch.randn(C, generator=gen, dtype=torch.float64),
                   0.5 + 1.5 * torch.rand(C, generator=gen, dtype=torch.float64)]
    before = None if running is None else [t.clone() for t in running]
    g = torch.randn(shape, generator=gen, dtype=torch.float64)
    xin, win, bin_ = x.clone().requires_grad_(), w.clone().requires_grad_(), b.clone().requires_grad_()
    y = masked_norm(kind, xin, valid, win, bin_, 1e-5, groups, running, 0.1, mode == "train")
    y.backward(g)
    flat = lambda t: [float(v) for v in t.reshape(-1).tolist()]
    return {
        "name": name, "norm": norm, "mode": mode, "shape": list(shape), "lengths": list(lengths),
        "groups": groups, "eps": 1e-5, "momentum": 0.1,
        "input": flat(x), "weight": flat(w), "bias": flat(b), "gradOutput": flat(g),
        "runningMean": None if before is None else flat(before[0]),
        "runningVar": None if before is None else flat(before[1]),
        "expected": {
            "output": flat(y.detach()), "gradInput": flat(xin.grad), "gradWeight": flat(win.grad),
            "gradBias": flat(bin_.grad),
            "runningMean": None if running is None else flat(running[0]),
            "runningVar": None if running is None else flat(running[1]),
        },
    }


def write_masked():
    cases = [make_masked_case(*c) for c in MASKED_CASES]
    doc = {"format": "normkit-masked-golden/1",
           "generator": f"PyTorch {torch.__version__}, CPU, 1 thread, scripts/pytorch/golden.py --masked",
           "cases": cases}
    path = os.path.join(ROOT, MASKED_OUT)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)
    # Replaying must reproduce the file: the numbers depend on the case names and the reference alone.
    with open(path, encoding="utf-8") as f:
        assert json.load(f)["cases"] == json.loads(json.dumps(cases)), "the written file does not read back"
    print(f"wrote {MASKED_OUT}: {len(cases)} masked cases")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("spec", nargs="?", help="the spec file (see this script's header)")
    ap.add_argument("--check", action="store_true", help="only check the committed file")
    ap.add_argument("--masked", action="store_true", help="write " + MASKED_OUT + ": BatchNorm, InstanceNorm and "
                    "GroupNorm over the valid positions of padded inputs (masked_norm)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    if args.masked:
        write_masked()
        return
    if args.spec is None:
        ap.error("give a spec file, or --masked")
    spec = load_spec(args.spec)
    path = out_path(spec)
    if not args.check:
        cases = [make_case(spec, c) for c in spec.CASES]
        generator = (f"PyTorch {torch.__version__} (Debian python3-torch 1.13.1), CPU, 1 thread, "
                     f"scripts/pytorch/{getattr(spec, 'GENERATOR', 'golden.py')}")
        n = bnconf.write_cases(path, generator, cases)
        print(f"wrote {os.path.relpath(path, ROOT)}: {len(cases)} cases, {n} bytes")
    check(spec, path)
    print("all checks passed")


if __name__ == "__main__":
    main()

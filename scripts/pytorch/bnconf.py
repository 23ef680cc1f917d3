"""Shared helpers for the optional PyTorch scripts: writing, checking and recomputing
conformance files in the `bn-conformance/1` format (specified in docs/conformance-format.md;
section numbers below refer to it).

Nothing here is needed to build, test or run normkit; the Java project only reads the committed
JSON files these scripts produce.

Contents
  register_plugin_norm        declare a norm that is not one of docs/conformance-format.md's four (a plugin's own norm) and
                              the properties the validator and the reference need to know about it
  tensor_json / write_cases   serialise cases exactly like the public sample (one case per line,
                              numbers as Python repr of binary64, atomic write)
  validate_file               structural check of every member required by docs/conformance-format.md section 3
  reference                   an independent recomputation of docs/conformance-format.md section 4 from the JSON alone,
                              in float64 NumPy or in 60-digit decimal arithmetic
  check_against_reference     asserts every expected value is within the case tolerance of the
                              float64 recomputation; reports the fraction of tolerance used
"""
import decimal
import json
import math
import os
import re
import struct
import tempfile
import zlib

import numpy as np

FORMAT = "bn-conformance/1"
CASE_KEYS = ["name", "norm", "mode", "dtype", "description", "params", "input", "weight", "bias",
             "state", "gradOutput", "expected", "tolerance"]
EXPECTED_KEYS = ["output", "gradInput", "gradWeight", "gradBias", "state"]
TOL_F64 = {"abs": 1e-9, "rel": 1e-7}
TOL_F32 = {"abs": 1e-5, "rel": 1e-4}
NORMS = ("batch", "layer", "instance", "group")


# ----------------------------------------------------------------------------------------------
# Plugin norms
# ----------------------------------------------------------------------------------------------

class PluginNorm:
    """Properties of a norm outside docs/conformance-format.md's four, as its golden script declares them.

    trailing  statistics over the trailing params.normalizedShape dimensions, as for "layer" (the only
              layout supported: the case's params are then eps, affine, trackRunningStats (false) and
              normalizedShape, and there are no running statistics)
    centered  True: the mean is subtracted (var = mean((x - mean)^2)) and the backward has the mean(g^)
              term, as for "layer"; False: no centring (var = mean(x^2), x^ = x / sqrt(var + eps)) and
              gradInput = r * (g^ - x^ * mean(g^ * x^))
    has_bias  False: `bias` and `expected.gradBias` are always null, whatever params.affine says
    """
    __slots__ = ("name", "trailing", "centered", "has_bias")

    def __init__(self, name, trailing, centered, has_bias):
        self.name, self.trailing, self.centered, self.has_bias = name, trailing, centered, has_bias

    def _key(self):
        return (self.name, self.trailing, self.centered, self.has_bias)

    def __eq__(self, other):
        return isinstance(other, PluginNorm) and self._key() == other._key()

    def __repr__(self):
        return "PluginNorm(%r, trailing=%r, centered=%r, has_bias=%r)" % self._key()


PLUGIN_NORMS = {}


def register_plugin_norm(name, trailing=True, centered=False, has_bias=False):
    """Declare the norm `name` (the value of a case's "norm" member) with its properties (see PluginNorm),
    so that validate_case/validate_file (given it in `norms`) and reference() handle it. Registering the
    same name again with the same properties is a no-op; with other properties it is an error."""
    _req(isinstance(name, str) and name, "register_plugin_norm", "name must be a non-empty string")
    _req(name not in NORMS, "register_plugin_norm", f"{name!r} is one of docs/conformance-format.md's own norms")
    _req(trailing is True, "register_plugin_norm",
         f"{name!r}: only norms over the trailing normalizedShape dimensions are supported")
    spec = PluginNorm(name, bool(trailing), bool(centered), bool(has_bias))
    old = PLUGIN_NORMS.get(name)
    _req(old is None or old == spec, "register_plugin_norm", f"{name!r} already registered as {old!r}")
    PLUGIN_NORMS[name] = spec
    return spec


def _trailing(norm):
    """Statistics over the trailing normalizedShape dimensions ("layer" and trailing plugin norms)."""
    return norm == "layer" or (norm in PLUGIN_NORMS and PLUGIN_NORMS[norm].trailing)


def _centered(norm):
    return norm not in PLUGIN_NORMS or PLUGIN_NORMS[norm].centered


def _has_bias(norm):
    return norm not in PLUGIN_NORMS or PLUGIN_NORMS[norm].has_bias


def case_seed(name):
    """Seed of a case: the CRC-32 of its name (docs/conformance-format.md section 6)."""
    return zlib.crc32(name.encode("utf-8"))


# ----------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------

def tensor_json(t):
    """A torch tensor (or numpy array) as {"shape": [...], "data": [...]}, data as Python floats
    (so json writes them as repr of binary64; float32 values widen exactly)."""
    shape = [int(s) for s in t.shape]
    data = [float(v) for v in t.reshape(-1).tolist()]
    return {"shape": shape, "data": data}


def dumps_cases(generator, cases):
    head = '{"format": "' + FORMAT + '", "generator": ' + json.dumps(generator) + ', "cases": [\n'
    body = ",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in cases)
    return head + body + "\n]}\n"


def write_atomic(path, text):
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_cases(path, generator, cases):
    text = dumps_cases(generator, cases)
    write_atomic(path, text)
    return len(text.encode("utf-8"))


# ----------------------------------------------------------------------------------------------
# Structural validation (docs/conformance-format.md sections 1-3)
# ----------------------------------------------------------------------------------------------

class FormatError(AssertionError):
    pass


def _req(cond, where, msg):
    if not cond:
        raise FormatError(f"{where}: {msg}")


def _is_f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0] == v


def _prod(xs):
    p = 1
    for x in xs:
        p *= x
    return p


def _check_tensor(t, where, dtype, shape=None):
    _req(isinstance(t, dict), where, "tensor must be an object")
    _req(set(t.keys()) >= {"shape", "data"}, where, "tensor needs shape and data")
    s, d = t["shape"], t["data"]
    _req(isinstance(s, list) and len(s) >= 1, where, "shape must be a non-empty list")
    _req(all(type(v) is int and v >= 1 for v in s), where, "sizes must be integers >= 1")
    _req(isinstance(d, list) and len(d) == _prod(s), where, f"data length {len(d)} != prod{s}")
    _req(all(type(v) is float for v in d), where, "every element must be written as a float (e.g. 1.0)")
    _req(all(math.isfinite(v) for v in d), where, "NaN or infinity")
    if dtype == "float32":
        _req(all(_is_f32(v) for v in d), where, "float32 case holds a value not representable in binary32")
    if shape is not None:
        _req(list(s) == list(shape), where, f"shape {s}, expected {list(shape)}")


def _check_state(st, where, dtype, C):
    _req(isinstance(st, dict), where, "state must be an object")
    _req(set(st.keys()) >= {"runningMean", "runningVar", "numBatchesTracked"}, where, "state members")
    _check_tensor(st["runningMean"], where + ".runningMean", dtype, [C])
    _check_tensor(st["runningVar"], where + ".runningVar", dtype, [C])
    _req(type(st["numBatchesTracked"]) is int and st["numBatchesTracked"] >= 0, where,
         "numBatchesTracked must be an integer >= 0")


def validate_case(c, norms=NORMS, check_tolerance=True):
    name = c.get("name")
    where = f"case {name!r}"
    _req(isinstance(name, str) and re.fullmatch(r"[a-z0-9][a-z0-9.]*(-[a-z0-9.]+)*", name), where, "name not kebab-case")
    for k in CASE_KEYS:
        _req(k in c, where, f"member {k} missing")
    norm, mode, dtype, p = c["norm"], c["mode"], c["dtype"], c["params"]
    _req(norm in norms, where, f"norm {norm!r}")
    _req(norm in NORMS or norm in PLUGIN_NORMS, where,
         f"norm {norm!r} is not one of {NORMS} and was not declared with register_plugin_norm")
    _req(mode in ("train", "eval"), where, f"mode {mode!r}")
    _req(dtype in ("float64", "float32"), where, f"dtype {dtype!r}")
    _req(isinstance(c["description"], str) and c["description"], where, "description")
    _req(isinstance(p, dict), where, "params must be an object")
    # params: exactly the applicable members
    keys = {"eps", "affine", "trackRunningStats"}
    if norm in ("batch", "instance"):
        keys.add("momentum")
    if norm == "group":
        keys.add("numGroups")
    if _trailing(norm):
        keys.add("normalizedShape")
    _req(set(p.keys()) == keys, where, f"params members {sorted(p.keys())}, expected {sorted(keys)}")
    _req(type(p["eps"]) is float and p["eps"] > 0, where, "eps")
    _req(type(p["affine"]) is bool, where, "affine must be boolean")
    _req(type(p["trackRunningStats"]) is bool, where, "trackRunningStats must be boolean")
    if norm not in ("batch", "instance"):
        _req(p["trackRunningStats"] is False, where, "trackRunningStats must be false")
    if "momentum" in p:
        m = p["momentum"]
        _req(m is None or (type(m) is float and 0.0 <= m <= 1.0), where, "momentum")
        if norm == "instance":
            _req(m is not None, where, "InstanceNorm momentum must be a number")
    _check_tensor(c["input"], where + ".input", dtype)
    shape = c["input"]["shape"]
    rank = len(shape)
    if norm == "batch":
        _req(2 <= rank <= 5, where, "batch input rank 2..5")
    elif norm == "instance":
        _req(3 <= rank <= 5, where, "instance input rank 3..5")
    elif norm == "group":
        _req(rank >= 2, where, "group input rank >= 2")
    if _trailing(norm):
        ns = p["normalizedShape"]
        _req(isinstance(ns, list) and len(ns) >= 1 and all(type(v) is int and v >= 1 for v in ns), where, "normalizedShape")
        _req(len(ns) <= rank and shape[rank - len(ns):] == ns, where, "normalizedShape is not the tail of the input shape")
        aff_shape = ns
    else:
        C = shape[1]
        aff_shape = [C]
    if norm == "group":
        G = p["numGroups"]
        _req(type(G) is int and G >= 1 and shape[1] % G == 0, where, "numGroups must divide C")
    # rejected inputs are not cases (section 4.5)
    L = _prod(shape[2:]) if rank > 2 else 1
    if norm == "batch" and (mode == "train" or not p["trackRunningStats"]):
        _req(shape[0] * L > 1, where, "BatchNorm with batch statistics needs more than 1 value per channel")
    if norm == "instance" and (mode == "train" or not p["trackRunningStats"]):
        _req(L > 1, where, "InstanceNorm with instance statistics needs more than 1 spatial element")
    affine = p["affine"]
    for k in ("weight", "bias"):
        if k == "bias" and not _has_bias(norm):
            _req(c[k] is None, where, f"{norm} has no bias")
        elif affine:
            _check_tensor(c[k], f"{where}.{k}", dtype, aff_shape)
        else:
            _req(c[k] is None, where, f"{k} must be null without affine")
    has_state = norm in ("batch", "instance") and p["trackRunningStats"]
    if has_state:
        _check_state(c["state"], where + ".state", dtype, shape[1])
    else:
        _req(c["state"] is None, where, "state must be null")
    has_grad = c["gradOutput"] is not None
    if has_grad:
        _check_tensor(c["gradOutput"], where + ".gradOutput", dtype, shape)
    e = c["expected"]
    _req(isinstance(e, dict), where, "expected must be an object")
    for k in EXPECTED_KEYS:
        _req(k in e, where, f"expected.{k} missing")
    _check_tensor(e["output"], where + ".expected.output", dtype, shape)
    if has_grad:
        _check_tensor(e["gradInput"], where + ".expected.gradInput", dtype, shape)
    else:
        _req(e["gradInput"] is None, where, "expected.gradInput must be null")
    for k, pk in (("gradWeight", "weight"), ("gradBias", "bias")):
        if has_grad and c[pk] is not None:
            _check_tensor(e[k], f"{where}.expected.{k}", dtype, aff_shape)
        else:
            _req(e[k] is None, where, f"expected.{k} must be null")
    if has_state:
        _check_state(e["state"], where + ".expected.state", dtype, shape[1])
        n0, n1 = c["state"]["numBatchesTracked"], e["state"]["numBatchesTracked"]
        if mode == "eval":
            # Values are compared to the input state within tolerance by check_against_reference:
            # PyTorch's InstanceNorm writes back the mean of N copies of the running statistics even
            # in eval mode, which can move them by an ulp (seen in the public sample).
            _req(n1 == n0, where, "eval mode must leave numBatchesTracked unchanged")
        elif norm == "batch":
            _req(n1 == n0 + 1, where, "BatchNorm training call increments numBatchesTracked")
        else:
            _req(n1 == n0, where, "InstanceNorm never changes numBatchesTracked")
    else:
        _req(e["state"] is None, where, "expected.state must be null")
    t = c["tolerance"]
    _req(isinstance(t, dict) and set(t.keys()) >= {"abs", "rel"}, where, "tolerance")
    _req(type(t["abs"]) is float and type(t["rel"]) is float and t["abs"] >= 0 and t["rel"] >= 0, where, "tolerance values")
    if check_tolerance:
        allowed = [TOL_F32] if dtype == "float32" else [TOL_F64, {"abs": 1e-6, "rel": 1e-6}, {"abs": 1e-5, "rel": 1e-5}]
        _req({"abs": t["abs"], "rel": t["rel"]} in allowed, where, f"tolerance {t} not one of {allowed}")


def validate_file(path, norms=NORMS, check_tolerance=True):
    """Parse `path` and check every member per docs/conformance-format.md sections 1-3; also that the text is exactly
    what dumps_cases writes (which pins numbers as Python repr). Returns the parsed object."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    doc = json.loads(text)
    _req(isinstance(doc, dict), path, "top level must be an object")
    _req(list(doc.keys()) == ["format", "generator", "cases"], path, f"top-level members {list(doc.keys())}")
    _req(doc["format"] == FORMAT, path, "format")
    _req(isinstance(doc["generator"], str), path, "generator")
    _req(isinstance(doc["cases"], list) and doc["cases"], path, "cases")
    names = [c.get("name") for c in doc["cases"]]
    _req(len(set(names)) == len(names), path, "case names not unique")
    for c in doc["cases"]:
        _req(list(c.keys()) == CASE_KEYS, path, f"case {c.get('name')}: member order {list(c.keys())}")
        validate_case(c, norms=norms, check_tolerance=check_tolerance)
    return doc, text


# ----------------------------------------------------------------------------------------------
# Independent recomputation of docs/conformance-format.md section 4
# ----------------------------------------------------------------------------------------------

class _F64:
    name = "float64"

    @staticmethod
    def arr(t):
        return np.array(t["data"], dtype=np.float64).reshape(t["shape"])

    @staticmethod
    def num(v):
        return np.float64(v)

    @staticmethod
    def sqrt(a):
        return np.sqrt(a)


class _Dec:
    """60 significant digits, from the exact binary values in the file."""
    name = "decimal60"
    ctx = decimal.Context(prec=60)

    @classmethod
    def arr(cls, t):
        a = np.empty(len(t["data"]), dtype=object)
        for i, v in enumerate(t["data"]):
            a[i] = decimal.Decimal(v)
        return a.reshape(t["shape"])

    @staticmethod
    def num(v):
        return decimal.Decimal(v)

    @classmethod
    def sqrt(cls, a):
        f = np.vectorize(lambda d: d.sqrt(cls.ctx), otypes=[object])
        return f(a)


def _sum(a, axes):
    return np.sum(a, axis=axes, keepdims=True)


def reference(c, prec="float64"):
    """Recompute `expected` of case `c` from its inputs following docs/conformance-format.md section 4 (for a registered
    plugin norm, the same with its declared properties: see PluginNorm). Returns a dict of numpy arrays /
    state dicts."""
    B = _F64 if prec == "float64" else _Dec
    if B is _Dec:
        decimal.setcontext(_Dec.ctx)
    norm, mode, p = c["norm"], c["mode"], c["params"]
    if norm not in NORMS and norm not in PLUGIN_NORMS:
        raise ValueError(f"norm {norm!r} was not declared with register_plugin_norm")
    centered = _centered(norm)
    x = B.arr(c["input"])
    shape = list(x.shape)
    eps = B.num(p["eps"])
    track = p["trackRunningStats"]
    w = B.arr(c["weight"]) if c["weight"] is not None else None
    b = B.arr(c["bias"]) if c["bias"] is not None else None
    g = B.arr(c["gradOutput"]) if c["gradOutput"] is not None else None

    if _trailing(norm):
        M = _prod(p["normalizedShape"])
        A = _prod(shape) // M
        to_set = lambda a: a.reshape(A, M)
        set_axes = (1,)
        to_aff = lambda a: a.reshape(A, M)
        aff_axes = (0,)
        wa = w.reshape(1, M) if w is not None else None
        ba = b.reshape(1, M) if b is not None else None
        m = M
    else:
        N, C = shape[0], shape[1]
        L = _prod(shape[2:]) if len(shape) > 2 else 1
        to_aff = lambda a: a.reshape(N, C, L)
        aff_axes = (0, 2)
        wa = w.reshape(1, C, 1) if w is not None else None
        ba = b.reshape(1, C, 1) if b is not None else None
        if norm == "batch":
            to_set, set_axes, m = to_aff, (0, 2), N * L
        elif norm == "instance":
            to_set, set_axes, m = to_aff, (2,), L
        elif norm == "group":
            G = p["numGroups"]
            to_set = lambda a: a.reshape(N, G, (C // G) * L)
            set_axes, m = (2,), (C // G) * L
        else:
            raise ValueError(norm)

    xs = to_set(x)
    use_running = norm in ("batch", "instance") and mode == "eval" and track
    if not centered:
        mu = None
        var = _sum(xs * xs, set_axes) / m          # mean of squares, no centring
        xc = xs
    elif use_running:
        rm = B.arr(c["state"]["runningMean"]).reshape(1, -1, 1)
        rv = B.arr(c["state"]["runningVar"]).reshape(1, -1, 1)
        mu, var = rm, rv
        xc = xs - mu
    else:
        mu = _sum(xs, set_axes) / m
        xc = xs - mu
        var = _sum(xc * xc, set_axes) / m
    r = 1 / B.sqrt(var + eps)
    xhat = xc * r
    xhat_a = to_aff(xhat.reshape(shape))
    y = xhat_a * wa if wa is not None else xhat_a
    if ba is not None:
        y = y + ba
    out = {"output": y.reshape(shape), "gradInput": None, "gradWeight": None, "gradBias": None, "state": None}

    if g is not None:
        ga = to_aff(g)
        ghat = ga * wa if wa is not None else ga
        gs = to_set(ghat.reshape(shape))
        if use_running:
            gi = r * gs
        elif not centered:
            gi = r * (gs - xhat * (_sum(gs * xhat, set_axes) / m))
        else:
            gi = r * (gs - _sum(gs, set_axes) / m - xhat * (_sum(gs * xhat, set_axes) / m))
        out["gradInput"] = gi.reshape(shape)
        if w is not None:
            out["gradWeight"] = np.sum(ga * xhat_a, axis=aff_axes).reshape(w.shape)
        if b is not None:
            out["gradBias"] = np.sum(ga, axis=aff_axes).reshape(b.shape)

    if norm in ("batch", "instance") and track:
        st = c["state"]
        rm = B.arr(st["runningMean"])
        rv = B.arr(st["runningVar"])
        nbt = st["numBatchesTracked"]
        if mode == "train":
            if norm == "batch":
                nbt += 1
                f = B.num(1) / nbt if p["momentum"] is None else B.num(p["momentum"])
                obs_mean = mu.reshape(-1)
                obs_var = var.reshape(-1) * m / (m - 1)
            else:
                f = B.num(p["momentum"])
                Nn = shape[0]
                obs_mean = np.sum(mu.reshape(Nn, -1), axis=0) / Nn
                obs_var = np.sum(var.reshape(Nn, -1) * m / (m - 1), axis=0) / Nn
            rm = (1 - f) * rm + f * obs_mean
            rv = (1 - f) * rv + f * obs_var
        out["state"] = {"runningMean": rm, "runningVar": rv, "numBatchesTracked": nbt}
    return out


def _pairs(c, ref):
    e = c["expected"]
    for k in ("output", "gradInput", "gradWeight", "gradBias"):
        yield k, e[k], ref[k]
    if e["state"] is not None or ref["state"] is not None:
        yield "state.runningMean", e["state"] and e["state"]["runningMean"], ref["state"] and ref["state"]["runningMean"]
        yield "state.runningVar", e["state"] and e["state"]["runningVar"], ref["state"] and ref["state"]["runningVar"]


def tolerance_used(c, ref):
    """max over all expected elements of |ref - e| / (abs + rel*|e|); also checks nulls, shapes and
    numBatchesTracked. A value <= 1 means the recomputation matches within the case tolerance."""
    ta, tr = c["tolerance"]["abs"], c["tolerance"]["rel"]
    worst, worst_at = 0.0, None
    for k, et, rt in _pairs(c, ref):
        if et is None or rt is None:
            if (et is None) != (rt is None):
                raise FormatError(f"case {c['name']}: {k} null mismatch (file {et is None}, reference {rt is None})")
            continue
        ev = np.array(et["data"], dtype=np.float64)
        rv = np.asarray(rt).reshape(-1)
        if list(np.asarray(rt).shape) != list(et["shape"]):
            raise FormatError(f"case {c['name']}: {k} shape {et['shape']} vs reference {list(np.asarray(rt).shape)}")
        if rv.dtype == object:
            dev = np.array([float(abs(decimal.Decimal(a) - b)) for a, b in zip(ev.tolist(), rv.tolist())])
        else:
            dev = np.abs(rv.astype(np.float64) - ev)
        frac = dev / (ta + tr * np.abs(ev))
        i = int(np.argmax(frac))
        if frac[i] > worst:
            worst, worst_at = float(frac[i]), f"{k}[{i}]"
    if c["expected"]["state"] is not None:
        if c["expected"]["state"]["numBatchesTracked"] != ref["state"]["numBatchesTracked"]:
            raise FormatError(f"case {c['name']}: numBatchesTracked {c['expected']['state']['numBatchesTracked']} "
                              f"vs reference {ref['state']['numBatchesTracked']}")
    return worst, worst_at


def check_against_reference(doc, exact=True, verbose=True):
    """Assert that every case's expected values are within tolerance of the float64 recomputation;
    with exact=True also report the deviation from the 60-digit recomputation (informative)."""
    rows = []
    for c in doc["cases"]:
        f64, at64 = tolerance_used(c, reference(c, "float64"))
        if f64 > 1.0:
            raise FormatError(f"case {c['name']}: expected value {at64} is {f64:.3g} tolerances away "
                              f"from the float64 recomputation of docs/conformance-format.md section 4")
        row = [c["name"], f64, at64]
        if exact:
            fx, atx = tolerance_used(c, reference(c, "decimal60"))
            row += [fx, atx]
        rows.append(row)
        if verbose:
            msg = f"  ok {c['name']:<44} file vs float64 ref: {f64:9.2e} of tol ({at64})"
            if exact:
                msg += f"   file vs exact: {row[3]:9.2e} of tol ({row[4]})"
            print(msg)
    return rows

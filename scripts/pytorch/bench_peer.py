#!/usr/bin/python3
"""Peer measurement: time PyTorch's CPU normalization kernels on normkit's benchmark set.

OPTIONAL: normkit does not need Python. This writes the same JSON schema as the Java benchmark, with
"face": "pytorch", so the two can be put side by side:

  {"machine": {"cpu", "cores", "runtime", "flags", "date"},
   "results": [{"norm", "shape", "dtype", "pass", "face", "threads", "ms", "copyMs", "ratioToCopy"}, ...]}

Benchmark set (norm name -> shapes), module as PyTorch defaults unless noted:
  batch_norm2d    32x64x56x56, 8x256x14x14   torch.nn.BatchNorm2d(C)            (affine, running stats)
  batch_norm1d    256x1024                   torch.nn.BatchNorm1d(C)
  group_norm      32x64x56x56                torch.nn.GroupNorm(32, C)          (affine)
  instance_norm2d 32x64x56x56                torch.nn.InstanceNorm2d(C)         (affine=False, no running stats)
  layer_norm      32x128x768                 torch.nn.LayerNorm(768)            (over the last dim, affine)
dtypes float32, float64; threads 1 and 2 (torch.set_num_threads); passes:
  train_forward           module.train(), y = m(x) under torch.no_grad() (BN updates its running stats)
  eval_forward            module.eval(),  y = m(x) under torch.no_grad() (BN uses the running stats; LN/GN/IN
                          compute the same as in train mode)
  train_forward_backward  module.train(), x.requires_grad; y = m(x); y.backward(g); gradients are reset to None
                          before each call (as zero_grad(set_to_none=True) does), so nothing accumulates
Memory: unless --malloc-default, glibc is told to keep freed memory (see tune_malloc), so the outputs PyTorch
allocates on every call do not page-fault afresh; otherwise large float64 outputs cost more in page faults
than in arithmetic, and the timings swing by 5x between runs.
Copy baseline: dst.copy_(src) into a preallocated tensor of the same numel and dtype. Each norm sample is
followed by a copy sample (interleaved), after warm-up; a sample repeats the call k times (k chosen so a
sample lasts at least --min-sample-ms) and yields time/k; "ms" and "copyMs" are medians over the repetitions,
"ratioToCopy" = ms / copyMs.

Run with the Debian PyTorch 1.13 interpreter:
    /usr/bin/python3 scripts/pytorch/bench_peer.py --quick --out /tmp/peer.json
    /usr/bin/python3 scripts/pytorch/bench_peer.py --norms batch_norm2d,layer_norm --dtypes float32 --threads 1
"""
import argparse
import datetime
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time

import torch

BENCH = {
    "batch_norm2d": ["32x64x56x56", "8x256x14x14"],
    "batch_norm1d": ["256x1024"],
    "group_norm": ["32x64x56x56"],
    "instance_norm2d": ["32x64x56x56"],
    "layer_norm": ["32x128x768"],
}
PASSES = ["train_forward", "eval_forward", "train_forward_backward"]
DT = {"float32": torch.float32, "float64": torch.float64}


def set_threads(n):
    """torch.set_num_threads for ATen's OpenMP pool, and the same for OpenBLAS's own pool (Debian's torch links
    the system OpenBLAS, which ignores torch.set_num_threads; the norm kernels do not use BLAS, but keep it
    consistent)."""
    torch.set_num_threads(n)
    try:
        import ctypes
        ctypes.CDLL("libopenblas.so.0").openblas_set_num_threads(n)
    except (OSError, AttributeError):
        pass


def tune_malloc():
    """Make glibc reuse freed memory instead of returning it to the OS.

    PyTorch's CPU allocator is plain malloc. By default glibc serves blocks above its mmap threshold (at most
    32 MiB) with a fresh mmap and unmaps them on free, so every call that allocates a large output (a float64
    32x64x56x56 tensor is 51 MiB) page-faults all of it again: measured here, ~12,500 minor faults and ~20 ms of
    system time per call, which swamps a ~5 ms kernel and varies from run to run. Disabling mmap and raising
    the trim threshold keeps freed blocks in the heap, so after warm-up no call page-faults and the timings
    reflect the kernels. Returns True when both settings were accepted."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_MAX = -1, -4
        return bool(libc.mallopt(M_MMAP_MAX, 0)) and bool(libc.mallopt(M_TRIM_THRESHOLD, 1 << 30))
    except (OSError, AttributeError):
        return False


def make_module(norm, shape, dtype):
    C = shape[1]
    if norm == "batch_norm2d":
        return torch.nn.BatchNorm2d(C, dtype=dtype)
    if norm == "batch_norm1d":
        return torch.nn.BatchNorm1d(C, dtype=dtype)
    if norm == "group_norm":
        return torch.nn.GroupNorm(32, C, dtype=dtype)
    if norm == "instance_norm2d":
        return torch.nn.InstanceNorm2d(C, dtype=dtype)
    if norm == "layer_norm":
        return torch.nn.LayerNorm(shape[-1], dtype=dtype)
    raise ValueError(f"unknown norm {norm!r}; known: {', '.join(BENCH)}")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info(malloc_note):
    cfg = torch.__config__.show()
    cap = re.search(r"CPU capability usage: (\S+)", cfg)
    ver = re.match(r"\d+\.\d+\.\d+", torch.__version__).group(0)
    flags = (f"torch {torch.__version__} (Debian python3-torch build), ATen parallel backend OpenMP, "
             f"CPU capability {cap.group(1) if cap else '?'}, mkldnn={torch.backends.mkldnn.is_available()}, "
             f"OpenBLAS threads = torch threads, {malloc_note}, "
             f"forward passes under torch.no_grad(), grads reset to None per call")
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "runtime": f"PyTorch {ver} / Python {sys.version_info.major}.{sys.version_info.minor}",
        "flags": flags,
        "date": datetime.datetime.now(datetime.timezone.utc).astimezone().isoformat(timespec="seconds"),
    }


def timed(fn, k):
    t0 = time.perf_counter_ns()
    for _ in range(k):
        fn()
    return (time.perf_counter_ns() - t0) / 1e6 / k


def calibrate(fn, min_ms):
    """Number of calls per sample so that a sample lasts at least min_ms."""
    one = timed(fn, 1)
    return max(1, int(min_ms / max(one, 1e-3)) + 1) if one < min_ms else 1


def calls(norm, shape_s, dtype_s, pss, cache):
    """The timed call of a combination and the copy of the same tensor, as two functions."""
    shape = [int(s) for s in shape_s.split("x")]
    key = (norm, shape_s, dtype_s)
    if key not in cache:
        cache.clear()  # keep at most one set of big tensors alive
        dt = DT[dtype_s]
        gen = torch.Generator().manual_seed(12345)
        x = torch.randn(shape, generator=gen, dtype=dt)
        g = torch.randn(shape, generator=gen, dtype=dt)
        m = make_module(norm, shape, dt)
        cache[key] = (x, g, m, torch.empty_like(x))
    x, g, m, dst = cache[key]

    if pss == "train_forward_backward":
        m.train()
        xg = x.detach().clone().requires_grad_(True)

        def step():
            xg.grad = None
            for p in m.parameters():
                p.grad = None
            y = m(xg)
            y.backward(g)
    else:
        m.train(pss == "train_forward")

        def step():
            with torch.no_grad():
                m(x)

    def copy():
        dst.copy_(x)

    return step, copy


def measure(norm, shape_s, dtype_s, pss, threads, reps, warmup, min_ms, cache):
    step, copy = calls(norm, shape_s, dtype_s, pss, cache)
    set_threads(threads)
    for _ in range(warmup):
        step()
        copy()
    k_n = calibrate(step, min_ms)
    k_c = calibrate(copy, min_ms)
    ns, cs = [], []
    for _ in range(reps):  # interleaved: norm sample, then copy sample
        ns.append(timed(step, k_n))
        cs.append(timed(copy, k_c))
    ms, copy_ms = statistics.median(ns), statistics.median(cs)
    return {"norm": norm, "shape": shape_s, "dtype": dtype_s, "pass": pss, "face": "pytorch",
            "threads": threads, "ms": ms, "copyMs": copy_ms, "ratioToCopy": ms / copy_ms}


class Session:
    """The --serve mode: one case at a time, timed sample by sample as the JVM asks, so that normkit's samples and
    these alternate within one session (the head-to-head comparison; see HeadToHead in bn-bench).

    Protocol, one JSON object a line on stdin, one answer a line on stdout:
      {"op": "info"}                                          -> the machine record (as in the --out file)
      {"op": "prepare", "norm", "shape", "dtype", "pass"}    -> {"ok": true} or {"error": "..."}
      {"op": "sample", "what": "call"|"copy", "threads": t, "minMs": m}
                                                              -> {"ms": time of one call, mean over k calls}
      {"op": "quit"}
    k is chosen on the first sample of each (what, threads) of a case so that a sample lasts at least minMs."""

    def __init__(self, machine):
        self.machine = machine
        self.cache = {}
        self.fns = None
        self.calls = {}

    def answer(self, request):
        op = request.get("op")
        if op == "info":
            return self.machine
        if op == "prepare":
            return self.prepare(request)
        if op == "sample":
            if self.fns is None:
                return {"error": "sample before prepare"}
            what, threads = request["what"], int(request["threads"])
            fn = self.fns[0] if what == "call" else self.fns[1]
            set_threads(threads)
            key = (what, threads)
            if key not in self.calls:
                fn()
                self.calls[key] = calibrate(fn, float(request["minMs"]))
            return {"ms": timed(fn, self.calls[key])}
        return {"error": f"unknown op {op!r}"}

    def prepare(self, r):
        norm, shape_s, dtype_s, pss = r["norm"], r["shape"], r["dtype"], r["pass"]
        if norm not in BENCH:
            return {"error": f"unknown norm {norm!r}; known: {', '.join(BENCH)}"}
        if dtype_s not in DT or pss not in PASSES:
            return {"error": f"unknown dtype {dtype_s!r} or pass {pss!r}"}
        self.fns = calls(norm, shape_s, dtype_s, pss, self.cache)
        self.calls = {}
        return {"ok": True}


def serve(machine):
    session = Session(machine)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        if request.get("op") == "quit":
            break
        try:
            reply = session.answer(request)
        except Exception as e:  # the JVM shows the reason and goes on without this case
            reply = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(reply), flush=True)


def write_atomic(path, text):
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=d)
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


def main():
    ap = argparse.ArgumentParser(description="Time PyTorch CPU normalization kernels (peer of the normkit bench).")
    ap.add_argument("--quick", action="store_true", help="few repetitions, short samples (a smoke run)")
    ap.add_argument("--out", help="write the JSON here (atomically: temp file + os.replace)")
    ap.add_argument("--norms", default=",".join(BENCH), help=f"comma list of {','.join(BENCH)}")
    ap.add_argument("--dtypes", default="float32,float64")
    ap.add_argument("--threads", default="1,2", help="comma list of thread counts")
    ap.add_argument("--passes", default=",".join(PASSES))
    ap.add_argument("--reps", type=int, help="repetitions per measurement (default 9, --quick 3)")
    ap.add_argument("--malloc-default", action="store_true",
                    help="keep glibc's default malloc (large outputs are mmapped and page-faulted on every call)")
    ap.add_argument("--serve", action="store_true",
                    help="answer timing requests on stdin, one JSON line each (see Session); for the JVM's "
                         "head-to-head comparison")
    args = ap.parse_args()

    norms = [n for n in args.norms.split(",") if n]
    for n in norms:
        if n not in BENCH:
            ap.error(f"unknown norm {n!r}; known: {', '.join(BENCH)}")
    dtypes = [d for d in args.dtypes.split(",") if d]
    for d in dtypes:
        if d not in DT:
            ap.error(f"unknown dtype {d!r}")
    passes = [p for p in args.passes.split(",") if p]
    for p in passes:
        if p not in PASSES:
            ap.error(f"unknown pass {p!r}")
    threads = [int(t) for t in args.threads.split(",") if t]
    reps = args.reps or (3 if args.quick else 9)
    warmup = 2 if args.quick else 3
    min_ms = 10.0 if args.quick else 50.0

    if args.malloc_default:
        malloc_note = "glibc malloc defaults"
    elif tune_malloc():
        malloc_note = "glibc malloc: mmap off, trim threshold 1 GiB (freed blocks reused, no per-call page faults)"
    else:
        malloc_note = "glibc malloc defaults (mallopt failed)"
    machine = machine_info(malloc_note)
    if args.serve:
        serve(machine)
        return
    results = []
    cache = {}
    hdr = f"{'norm':<16} {'shape':<13} {'dtype':<8} {'pass':<23} {'thr':>3} {'ms':>10} {'copyMs':>9} {'ratio':>7}"
    print(f"# {machine['cpu']}, {machine['cores']} cores, {machine['runtime']}, reps {reps}")
    print(hdr)
    print("-" * len(hdr))
    for norm in norms:
        for shape in BENCH[norm]:
            for dt in dtypes:
                for pss in passes:
                    for t in threads:
                        r = measure(norm, shape, dt, pss, t, reps, warmup, min_ms, cache)
                        results.append(r)
                        print(f"{norm:<16} {shape:<13} {dt:<8} {pss:<23} {t:>3} {r['ms']:>10.3f} "
                              f"{r['copyMs']:>9.3f} {r['ratioToCopy']:>7.2f}", flush=True)
    cache.clear()
    if args.out:
        write_atomic(args.out, json.dumps({"machine": machine, "results": results}, indent=1) + "\n")
        print(f"wrote {args.out} ({len(results)} results)")


if __name__ == "__main__":
    main()

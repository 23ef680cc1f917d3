"""golden.py spec of normkit's own BatchNorm file: bn-core/src/test/resources/conformance/batch-cases.json.

    /usr/bin/python3 scripts/pytorch/golden.py scripts/pytorch/norms/batch_norm.py [--check]

The reference is torch.nn.BatchNorm1d/2d/3d (by input rank) with PyTorch's running statistics.
"""
import torch

import golden

NORM = "batch"
OUT = "bn-core/src/test/resources/conformance/batch-cases.json"
PREFIX = "nk-"
GENERATOR = "golden.py norms/batch_norm.py"


def reference(case):
    cls = {2: "BatchNorm1d", 3: "BatchNorm1d", 4: "BatchNorm2d", 5: "BatchNorm3d"}[len(case.shape)]
    C = case.shape[1]
    text = (f"torch.nn.{cls}({C}, eps={case.eps!r}, momentum={case.momentum!r}, affine={case.affine}, "
            f"track_running_stats={case.track})")
    return getattr(torch.nn, cls)(C, eps=case.eps, momentum=case.momentum, affine=case.affine,
                                  track_running_stats=case.track, dtype=case.torch_dtype), text


def C(name, norm, mode, dtype, shape, what="", track=True, momentum=0.1, **rest):
    """make_golden.py's case form: BatchNorm tracks running statistics with momentum 0.1 unless told otherwise."""
    assert norm == "batch", name
    return golden.Case(name, mode, dtype, shape, what=what, track=track, momentum=momentum, **rest)


CASES = [
    C("nk-bn1d-nc-train-momentum-0.3", "batch", "train", "float64", (5, 4), momentum=0.3, nbt=2,
      what="(N,C) input, momentum 0.3"),
    C("nk-bn1d-nc-train-n2", "batch", "train", "float64", (2, 3), nbt=7,
      what="smallest legal training batch: 2 values per channel, so the unbiased running variance is twice the biased one"),
    C("nk-bn1d-ncl-train-cumulative-3", "batch", "train", "float64", (3, 4, 5), momentum=None, nbt=3,
      what="momentum null (cumulative average), numBatchesTracked 3 -> 4: factor 1/4"),
    C("nk-bn1d-ncl-train-c1", "batch", "train", "float64", (4, 1, 6), nbt=1,
      what="C=1: a single channel"),
    C("nk-bn2d-train-momentum-1.0", "batch", "train", "float64", (2, 3, 3, 4), momentum=1.0, nbt=5,
      what="momentum 1.0: the running statistics are replaced by the batch mean and unbiased batch variance"),
    C("nk-bn2d-train-momentum-0.0", "batch", "train", "float64", (2, 3, 3, 3), momentum=0.0, nbt=5,
      what="momentum 0.0: running statistics unchanged, numBatchesTracked still incremented"),
    C("nk-bn2d-train-spatial-1x1", "batch", "train", "float64", (5, 3, 1, 1), nbt=0,
      what="spatial size 1x1 with N=5: statistics over the batch only"),
    C("nk-bn2d-train-constant-channel", "batch", "train", "float64", (3, 3, 2, 3), nbt=4, const=(1, -1.3),
      what="channel 1 is constant: zero variance, output = bias there, finite gradients"),
    C("nk-bn2d-eval-n1", "batch", "eval", "float64", (1, 3, 3, 3), nbt=9,
      what="N=1 in eval: legal, the running statistics normalise"),
    C("nk-bn2d-eval-no-track-eps-1e-3", "batch", "eval", "float64", (3, 3, 2, 4), track=False, eps=1e-3,
      what="trackRunningStats false and eps 1e-3: eval mode normalises with the batch statistics and differentiates through them"),
    C("nk-bn2d-eval-no-affine-forward-only", "batch", "eval", "float64", (2, 4, 3, 3), affine=False, nbt=12,
      grad=False, what="gradOutput null: only the forward result is checked"),
    C("nk-bn2d-train-large-offset", "batch", "train", "float64", (4, 2, 3, 3), nbt=0, offset=(1e6, 1e-2),
      tol={"abs": 1e-5, "rel": 1e-5},
      what="large offset: input mean 1e6, standard deviation 1e-2; about 8 digits cancel in x - mean, so the "
           "moments must be computed stably (the one-pass E[x^2]-E[x]^2 fails); tolerance abs = rel = 1e-5"),
    C("nk-bn3d-train-no-affine", "batch", "train", "float64", (2, 2, 2, 3, 3), affine=False, nbt=1,
      what="(N,C,D,H,W), no affine parameters"),
    C("nk-bn3d-eval-float32", "batch", "eval", "float32", (2, 3, 2, 2, 3), nbt=6,
      what="float32, eval with running statistics"),
    C("nk-bn3d-train-cumulative-float32-forward-only", "batch", "train", "float32", (2, 2, 2, 2, 3),
      momentum=None, nbt=3, grad=False,
      what="float32, momentum null with numBatchesTracked 3 -> 4, gradOutput null"),
    C("nk-bn1d-nc-train-no-track-no-affine-float32", "batch", "train", "float32", (6, 5), track=False,
      affine=False, what="float32, no running statistics, no affine parameters"),
    C("nk-bn1d-nc-eval-no-track-float32", "batch", "eval", "float32", (8, 3), track=False,
      what="float32, trackRunningStats false: eval mode uses the batch statistics"),
]

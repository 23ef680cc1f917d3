"""Golden values for PowerNorm and DyT (bn-variants PowerNormTest, DynamicTanhTest), from small PyTorch references
written after the papers: PowerNorm's relaxed zero-mean with a running quadratic mean (Shen et al. 2020; no Bessel
correction, momentum 0.1, running quadratic mean starting at 1), and DyT, gamma * tanh(alpha * x) + beta (Zhu et al.
2025). Inputs, parameters and the upstream gradient are 0.5*sin(0.37*i + offset) (offset 10 for x, 20 for the
gradient, 1 for gamma, 2 for beta) in row-major order, so the Java tests rebuild them without a file. float64.

Run: /usr/bin/python3 scripts/pytorch/golden_new_norms.py   and paste the printed lists into the tests.

PowerNorm's full algorithm (the paper's Algorithm 1: running quadratic mean in training after a warm-up, approximate
backward with the running gradient statistic nu) is a PyTorch reference too, power_norm_full below, written from the
paper; its golden file holds several training steps across the warm-up switch and one evaluation:

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/pytorch/golden_new_norms.py --write-power
        writes bn-variants/src/test/resources/golden/power-norm.json (read by PowerNormTest)"""
import json
import math
import os
import sys
import zlib

import torch

torch.set_default_dtype(torch.float64)


def sines(offset, *shape):
    n = 1
    for d in shape:
        n *= d
    return torch.tensor([0.5 * math.sin(0.37 * i + offset) for i in range(n)]).reshape(shape)


def power_norm(x, gamma, beta, running, eps=1e-5, momentum=0.1, training=True):
    axes = [0] + list(range(2, x.dim()))
    shape = [1, x.shape[1]] + [1] * (x.dim() - 2)
    if training:
        qm = (x * x).mean(dim=axes)
        with torch.no_grad():
            running.mul_(1 - momentum).add_(momentum * qm)
    else:
        qm = running
    return x / (qm.reshape(shape) + eps).sqrt() * gamma.reshape(shape) + beta.reshape(shape)


def dyt(x, alpha, gamma, beta):
    return gamma * torch.tanh(alpha * x) + beta


def show(name, t):
    print(name, [round(v, 15) for v in t.detach().flatten().tolist()])


class PowerBackward(torch.autograd.Function):
    """Algorithm 1's step with psi held: forward (gamma*xhat + beta)*valid, xhat = x/sqrt(psi2 + eps); backward
    dx = (ghat - nu*xhat)/sqrt(psi2 + eps)*valid with ghat = gamma*dy*valid, then
    nu <- nu*(1 - (1-alpha)*Gamma) + (1-alpha)*Lambda, Gamma = mean(xhat^2), Lambda = mean(ghat*xhat) per channel over
    the valid elements (nu read and updated in the backward)."""

    @staticmethod
    def forward(ctx, x, weight, bias, psi2, nu, alpha, eps, valid):
        shape = [1, x.shape[1]] + [1] * (x.dim() - 2)
        r = (psi2 + eps).rsqrt().reshape(shape)
        xhat = x * r
        ctx.save_for_backward(xhat, r, weight, valid)
        ctx.nu, ctx.alpha, ctx.shape = nu, alpha, shape
        return (xhat * weight.reshape(shape) + bias.reshape(shape)) * valid

    @staticmethod
    def backward(ctx, dy):
        xhat, r, weight, valid = ctx.saved_tensors
        shape, nu, alpha = ctx.shape, ctx.nu, ctx.alpha
        axes = [0] + list(range(2, dy.dim()))
        count = valid.sum(axes).clamp(min=1)
        dy = dy * valid
        ghat = dy * weight.reshape(shape)
        dx = (ghat - nu.reshape(shape) * xhat) * r * valid
        big_gamma = (xhat * xhat * valid).sum(axes) / count
        big_lambda = (ghat * xhat).sum(axes) / count
        nu.mul_(1 - (1 - alpha) * big_gamma).add_((1 - alpha) * big_lambda)
        return dx, (dy * xhat).sum(axes), dy.sum(axes), None, None, None, None, None


class PowerNormFull:
    """The paper's PowerNorm layer: training normalises with the batch's quadratic mean for the first warmup steps,
    then with the running one (before this step's update); the running quadratic mean is the momentum average of the
    batch's from the first step; the backward of every training step is PowerBackward's. With a mask of valid
    elements (1/0, x's shape), padding enters no statistic and the output is 0 there."""

    def __init__(self, weight, bias, eps=1e-5, momentum=0.1, warmup=1000, alpha=0.9):
        c = weight.shape[0]
        self.weight, self.bias = weight, bias
        self.running = torch.ones(c)
        self.nu = torch.zeros(c)
        self.steps = 0
        self.eps, self.momentum, self.warmup, self.alpha = eps, momentum, warmup, alpha

    def train_step(self, x, valid):
        axes = [0] + list(range(2, x.dim()))
        batch = (x.detach() * x.detach() * valid).sum(axes) / valid.sum(axes).clamp(min=1)
        psi2 = batch if self.steps < self.warmup else self.running.clone()
        y = PowerBackward.apply(x, self.weight, self.bias, psi2, self.nu, self.alpha, self.eps, valid)
        self.running.mul_(1 - self.momentum).add_(self.momentum * batch)
        self.steps += 1
        return y

    def evaluate(self, x, valid):
        shape = [1, x.shape[1]] + [1] * (x.dim() - 2)
        return (x / (self.running.reshape(shape) + self.eps).sqrt() * self.weight.reshape(shape)
                + self.bias.reshape(shape)) * valid


POWER_OUT = "bn-variants/src/test/resources/golden/power-norm.json"


def power_case(name, shape, steps, warmup, alpha, lengths=None, momentum=0.1, eps=1e-5):
    """Several training steps of PowerNormFull (inputs scaled differently per step, so the running and the batch's
    quadratic means differ) and an evaluation; inputs from a generator seeded with the CRC-32 of the name. With
    lengths (one per sample, shape (N, C, L)), the positions at and after a sample's length are padding, holding
    large values that must change nothing."""
    gen = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    c = shape[1]
    valid = torch.ones(shape)
    if lengths is not None:
        for n, length in enumerate(lengths):
            valid[n, :, length:] = 0
    weight = (1.0 + 0.3 * torch.randn(c, generator=gen)).requires_grad_()
    bias = (0.5 * torch.randn(c, generator=gen)).requires_grad_()
    layer = PowerNormFull(weight, bias, eps, momentum, warmup, alpha)
    records = []
    for step in range(steps):
        x = (0.5 + step) * torch.randn(shape, generator=gen) + 100 * (1 - valid)
        x.requires_grad_()
        dy = torch.randn(shape, generator=gen)
        weight.grad = None
        bias.grad = None
        y = layer.train_step(x, valid)
        y.backward(dy)
        records.append({"input": x.detach().flatten().tolist(), "gradOutput": dy.flatten().tolist(),
                        "output": y.detach().flatten().tolist(), "gradInput": x.grad.flatten().tolist(),
                        "gradWeight": weight.grad.flatten().tolist(), "gradBias": bias.grad.flatten().tolist(),
                        "running_mean_square": layer.running.tolist(), "running_nu": layer.nu.tolist(),
                        "num_batches_tracked": layer.steps})
    x_eval = torch.randn(shape, generator=gen)
    return {"name": name, "shape": list(shape), "lengths": lengths, "eps": eps, "momentum": momentum,
            "warmup_steps": warmup, "alpha": alpha, "weight": weight.detach().tolist(),
            "bias": bias.detach().tolist(), "steps": records, "evalInput": x_eval.flatten().tolist(),
            "evalOutput": layer.evaluate(x_eval, valid).detach().flatten().tolist()}


def write_power_golden():
    torch.set_num_threads(1)
    cases = [power_case("power_norm/tokens_warmup2", (6, 3), steps=5, warmup=2, alpha=0.8),
             power_case("power_norm/sequence_warmup1", (3, 2, 4), steps=4, warmup=1, alpha=0.9),
             power_case("power_norm/no_warmup", (5, 2), steps=3, warmup=0, alpha=0.5),
             power_case("power_norm/padded_sequences", (3, 2, 5), steps=4, warmup=2, alpha=0.8, lengths=[5, 2, 3])]
    doc = {"format": "normkit-power-golden/1",
           "generator": f"PyTorch {torch.__version__}, CPU, 1 thread, scripts/pytorch/golden_new_norms.py --write-power",
           "cases": cases}
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, POWER_OUT), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("wrote", POWER_OUT, "with", len(cases), "cases")


if "--write-power" in sys.argv:
    write_power_golden()
    sys.exit(0)

x = sines(10, 3, 2, 4).requires_grad_()
gamma = (1 + sines(1, 2)).requires_grad_()
beta = sines(2, 2).requires_grad_()
running = torch.ones(2)
y = power_norm(x, gamma, beta, running)
y.backward(sines(20, 3, 2, 4))
show("power_norm y", y)
show("power_norm dx", x.grad)
show("power_norm dgamma", gamma.grad)
show("power_norm dbeta", beta.grad)
show("power_norm running_mean_square", running)
show("power_norm eval y", power_norm(x.detach(), gamma.detach(), beta.detach(), running, training=False))

x = sines(10, 2, 3, 4).requires_grad_()
alpha = torch.tensor([0.5]).requires_grad_()
gamma = (1 + sines(1, 4)).requires_grad_()
beta = sines(2, 4).requires_grad_()
y = dyt(x, alpha, gamma, beta)
y.backward(sines(20, 2, 3, 4))
show("dyt y", y)
show("dyt dx", x.grad)
show("dyt dalpha", alpha.grad)
show("dyt dgamma", gamma.grad)
show("dyt dbeta", beta.grad)

"""Golden values for PowerNorm and DyT (bn-variants PowerNormTest, DynamicTanhTest), from small PyTorch references
written after the papers: PowerNorm's relaxed zero-mean with a running quadratic mean (Shen et al. 2020; no Bessel
correction, momentum 0.1, running quadratic mean starting at 1), and DyT, gamma * tanh(alpha * x) + beta (Zhu et al.
2025). Inputs, parameters and the upstream gradient are 0.5*sin(0.37*i + offset) (offset 10 for x, 20 for the
gradient, 1 for gamma, 2 for beta) in row-major order, so the Java tests rebuild them without a file. float64.

Run: /usr/bin/python3 scripts/pytorch/golden_new_norms.py   and paste the printed lists into the tests."""
import math
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

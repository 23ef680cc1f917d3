package org.normkit.autograd.nn;

import org.normkit.autograd.tensor.Tensor;

/** Elementwise max(x, 0); at x = 0 the gradient is 0, as torch.relu gives; {@code torch.nn.ReLU}. No parameters. */
public final class ReLU extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }

    @Override
    public String toString() {
        return "ReLU";
    }
}

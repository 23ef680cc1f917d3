package org.normkit.autograd.nn;

import org.normkit.autograd.tensor.Tensor;

/** Elementwise max(x, 0); where x = 0 the gradient is split evenly between x and 0, as torch.maximum does (so x = 0 gets half; torch.relu gives 0); {@code torch.nn.ReLU}. No parameters. */
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

package org.normkit.autograd.nn;

import org.normkit.autograd.tensor.Tensor;

/** Elementwise the hyperbolic tangent, computed as 2·sigmoid(2x) − 1; {@code torch.nn.Tanh}. No parameters. */
public final class Tanh extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }

    @Override
    public String toString() {
        return "Tanh";
    }
}

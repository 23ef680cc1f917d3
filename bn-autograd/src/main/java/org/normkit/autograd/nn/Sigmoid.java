package org.normkit.autograd.nn;

import org.normkit.autograd.tensor.Tensor;

/** Elementwise 1 / (1 + e^(−x)); {@code torch.nn.Sigmoid}. No parameters. */
public final class Sigmoid extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }

    @Override
    public String toString() {
        return "Sigmoid";
    }
}

package org.normkit.autograd.nn;

import org.normkit.autograd.tensor.Tensor;

/** Elementwise the exact GELU x·Φ(x), PyTorch's default (approximate='none'); {@code torch.nn.GELU}. No parameters. */
public final class GELU extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.gelu();
    }

    @Override
    public String toString() {
        return "GELU";
    }
}

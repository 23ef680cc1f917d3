package org.normkit.autograd.nn;

import org.normkit.autograd.tensor.Tensor;

/** Collapses every axis from {@code startDim} on into one, {@code torch.nn.Flatten}: (N, C, H, W) -> (N, C·H·W). */
public final class Flatten extends Module {
    private final int startDim;

    /** From axis 1: keeps the batch axis, as PyTorch's default. */
    public Flatten() {
        this(1);
    }

    public Flatten(int startDim) {
        this.startDim = startDim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.flatten(startDim);
    }

    @Override
    public String toString() {
        return "Flatten(from " + startDim + ")";
    }
}

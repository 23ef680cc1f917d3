package org.normkit.autograd.nn;

import org.normkit.autograd.tensor.Tensor;

/** Max pooling over square windows, {@code torch.nn.MaxPool2d} (see {@link org.normkit.autograd.ops.Pooling}). */
public final class MaxPool2d extends Module {
    private final int kernel;
    private final int stride;
    private final int padding;

    /** Non-overlapping windows: stride = kernel, as PyTorch's default. */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public MaxPool2d(int kernel, int stride, int padding) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.maxPool2d(kernel, stride, padding);
    }

    @Override
    public String toString() {
        return "MaxPool2d(kernel " + kernel + ", stride " + stride + ", padding " + padding + ")";
    }
}

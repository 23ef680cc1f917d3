package org.normkit.autograd.nn;

import org.normkit.autograd.ops.Pooling;
import org.normkit.autograd.tensor.Tensor;

/**
 * Average pooling over square windows, {@code torch.nn.AvgPool2d}: by default the padding counts as zeros in the
 * mean ({@code count_include_pad=True}); see {@link Pooling}.
 */
public final class AvgPool2d extends Module {
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean countIncludePad;

    /** Non-overlapping windows: stride = kernel, as PyTorch's default. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0, true);
    }

    public AvgPool2d(int kernel, int stride, int padding) {
        this(kernel, stride, padding, true);
    }

    public AvgPool2d(int kernel, int stride, int padding, boolean countIncludePad) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.countIncludePad = countIncludePad;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Pooling.avgPool2d(x, kernel, stride, padding, countIncludePad);
    }

    @Override
    public String toString() {
        return "AvgPool2d(kernel " + kernel + ", stride " + stride + ", padding " + padding
                + (countIncludePad ? "" : ", padding not counted") + ")";
    }
}

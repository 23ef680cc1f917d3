package org.normkit.autograd.loops;

import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;

/**
 * Where a 2-d sliding window (a convolution kernel or a pooling window) lands on an (N, C, H, W) input: output
 * size {@code floor((H + 2·padding − kernel) / stride) + 1} per spatial axis, PyTorch's rule with dilation 1 and
 * ceil_mode off. Window (oh, ow) covers input rows {@code oh·stride − padding + [0, kernelH)} and likewise columns;
 * positions outside the input are padding.
 */
public record Window2d(int kernelH, int kernelW, int stride, int padding, int inH, int inW, int outH, int outW) {

    /** Checks the geometry of {@code op} on {@code input} (already known to be 4-d), naming the values and a fix. */
    public static Window2d of(String op, Shape input, int kernelH, int kernelW, int stride, int padding) {
        if (kernelH < 1 || kernelW < 1) {
            throw new IllegalArgumentException(op + ": kernel size must be >= 1, got " + kernelH + "x" + kernelW);
        }
        if (stride < 1) {
            throw new IllegalArgumentException(op + ": stride must be >= 1, got " + stride);
        }
        if (padding < 0) {
            throw new IllegalArgumentException(op + ": padding must be >= 0, got " + padding);
        }
        int h = input.dim(2);
        int w = input.dim(3);
        if (h + 2 * padding < kernelH || w + 2 * padding < kernelW) {
            throw new ShapeException(op + ": the " + kernelH + "x" + kernelW + " window does not fit the input "
                    + input + " padded by " + padding + " to " + (h + 2 * padding) + "x" + (w + 2 * padding)
                    + "; use a larger input, more padding or a smaller kernel");
        }
        return new Window2d(kernelH, kernelW, stride, padding, h, w,
                (h + 2 * padding - kernelH) / stride + 1, (w + 2 * padding - kernelW) / stride + 1);
    }

    /** Pooling also needs every window to hold at least one input element, as PyTorch requires. */
    public static Window2d forPooling(String op, Shape input, int kernel, int stride, int padding) {
        if (kernel >= 1 && padding > kernel / 2) {
            throw new IllegalArgumentException(op + ": padding " + padding + " is more than half the kernel size "
                    + kernel + "; PyTorch allows at most kernel / 2 = " + (kernel / 2) + " so that no window is all "
                    + "padding");
        }
        return of(op, input, kernel, kernel, stride, padding);
    }

    int outPlane() {
        return outH * outW;
    }

    int inPlane() {
        return inH * inW;
    }
}

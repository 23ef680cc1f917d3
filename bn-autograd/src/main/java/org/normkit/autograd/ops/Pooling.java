package org.normkit.autograd.ops;

import org.normkit.autograd.graph.Node;
import org.normkit.autograd.loops.Elementwise;
import org.normkit.autograd.loops.PoolingLoops;
import org.normkit.autograd.loops.Window2d;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * 2-d max and average pooling over (N, C, H, W), square windows, PyTorch semantics ({@code F.max_pool2d},
 * {@code F.avg_pool2d}; dilation 1, ceil_mode off). Padding may be at most half the kernel, so every window holds an
 * input element.
 *
 * <p>Max pooling remembers, for every output, the flat input index of its window's maximum (the first one in
 * row-major order on ties; a NaN wins, as in PyTorch), and its backward routes each gradient entirely to that
 * element. Average pooling divides each window's sum by kernel² when the padding counts (PyTorch's default
 * {@code count_include_pad=True}), or by the number of input elements in the window otherwise; its backward spreads
 * each gradient evenly over the same elements with the same divisor.
 */
public final class Pooling {
    private Pooling() {}

    /** Max over each {@code kernel}×{@code kernel} window, moved by {@code stride}, on an input padded with −∞. */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        x.shape().requireRank("maxPool2d", "(N, C, H, W)", 4);
        Window2d g = Window2d.forPooling("maxPool2d", x.shape(), kernel, stride, padding);
        Shape outShape = Shape.of(x.dim(0), x.dim(1), g.outH(), g.outW());
        int[] argmax = new PoolingLoops(g).argmax(x);
        // An all −∞ window keeps its first element, whose value is −∞ too: gathering at argmax is the output.
        Tensor out = Elementwise.gather(x, outShape, argmax, 0);
        Shape inShape = x.shape();
        return Node.record(out, "maxPool2d", (grad, needs) -> {
            Tensor gx = Tensor.zeros(grad.dtype(), inShape);
            Elementwise.scatterAdd(grad, gx, argmax, 0);
            return new Tensor[] {gx};
        }, x);
    }

    /** Mean over each window with PyTorch's default {@code count_include_pad=True}: padding counts as zeros. */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        return avgPool2d(x, kernel, stride, padding, true);
    }

    /**
     * Mean over each {@code kernel}×{@code kernel} window; {@code countIncludePad} chooses the divisor: kernel²
     * (padding counts as zeros) or the number of input elements the window covers.
     */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding, boolean countIncludePad) {
        x.shape().requireRank("avgPool2d", "(N, C, H, W)", 4);
        Window2d g = Window2d.forPooling("avgPool2d", x.shape(), kernel, stride, padding);
        PoolingLoops loops = new PoolingLoops(g);
        Tensor out = Tensor.zeros(x.dtype(), Shape.of(x.dim(0), x.dim(1), g.outH(), g.outW()));
        loops.average(x, out, countIncludePad);
        Shape inShape = x.shape();
        return Node.record(out, "avgPool2d", (grad, needs) -> {
            Tensor gx = Tensor.zeros(grad.dtype(), inShape);
            loops.spreadAverage(grad, gx, countIncludePad);
            return new Tensor[] {gx};
        }, x);
    }
}

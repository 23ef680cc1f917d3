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
 * each gradient evenly over the same elements with the same divisor. Both are linear, so each backward is recorded
 * as an op whose own backward is the forward again: gradients of any order.
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
        return gatherAt(x, argmax, outShape, "maxPool2d");
    }

    /**
     * The elements of {@code x} at {@code indices}, in a tensor of {@code shape}. Linear; its backward scatters the
     * gradient back to those indices ({@link #scatterTo}), whose backward gathers again: any order.
     */
    private static Tensor gatherAt(Tensor x, int[] indices, Shape shape, String op) {
        Tensor out = Elementwise.gather(x, shape, indices, 0);
        Shape inShape = x.shape();
        return Node.record(out, op, (grad, needs) -> new Tensor[] {scatterTo(grad, indices, inShape)}, x);
    }

    /** The adjoint of {@link #gatherAt}: each element of {@code grad} added at its index of zeros of {@code shape}. */
    private static Tensor scatterTo(Tensor grad, int[] indices, Shape shape) {
        Tensor gx = Tensor.zeros(grad.dtype(), shape);
        Elementwise.scatterAdd(grad, gx, indices, 0);
        Shape outShape = grad.shape();
        return Node.record(gx, "maxPool2dBackward", (gg, needs) -> new Tensor[] {
            gatherAt(gg, indices, outShape, "maxPool2d")}, grad);
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
        return average(x, new PoolingLoops(g), countIncludePad);
    }

    /** Window means; linear, so its backward is the spread ({@link #spread}) whose backward is this again. */
    private static Tensor average(Tensor x, PoolingLoops loops, boolean countIncludePad) {
        Window2d g = loops.window();
        Tensor out = Tensor.zeros(x.dtype(), Shape.of(x.dim(0), x.dim(1), g.outH(), g.outW()));
        loops.average(x, out, countIncludePad);
        Shape inShape = x.shape();
        return Node.record(out, "avgPool2d", (grad, needs) -> new Tensor[] {
            spread(grad, inShape, loops, countIncludePad)}, x);
    }

    /** The adjoint of {@link #average}: each gradient spread evenly over its window. */
    private static Tensor spread(Tensor grad, Shape inShape, PoolingLoops loops, boolean countIncludePad) {
        Tensor gx = Tensor.zeros(grad.dtype(), inShape);
        loops.spreadAverage(grad, gx, countIncludePad);
        return Node.record(gx, "avgPool2dBackward", (gg, needs) -> new Tensor[] {
            average(gg, loops, countIncludePad)}, grad);
    }
}

package org.normkit.autograd.ops;

import org.normkit.autograd.graph.BackwardFunction;
import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.graph.Node;
import org.normkit.autograd.loops.ConvolutionLoops;
import org.normkit.autograd.loops.Window2d;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * 2-d convolution (cross-correlation, as in every deep learning library) of an (N, C, H, W) input with an
 * (O, C, kh, kw) weight and an optional (O) bias; dilation 1, one group. PyTorch's {@code F.conv2d}.
 *
 * <p>The loops ({@link ConvolutionLoops}): im2col and a matrix product per image, or shifted planes for float32
 * with stride 1; only the gradients the graph needs are computed.
 *
 * <p>Higher orders: the two gradients are bilinear, dx = Bx(g, W) and dW = Bw(x, g), and their adjoints are the
 * convolution and each other: for an upstream U on dx, ∂/∂g = conv(U, W) and ∂/∂W = Bw(U, g); for V on dW,
 * ∂/∂x = Bx(g, V) and ∂/∂g = conv(x, V). So in a backward pass that builds a graph ({@code createGraph}) each is
 * recorded as a node of its own whose backward is made of the three, to any order.
 */
public final class Convolution {
    private Convolution() {}

    /**
     * Convolves {@code x} (N, C, H, W) with {@code weight} (O, C, kh, kw), adds {@code bias} (O) when it is not
     * null, with the same stride and zero padding on both spatial axes; the result is (N, O, outH, outW).
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        x.shape().requireRank("conv2d", "(N, C, H, W)", 4);
        if (weight.rank() != 4) {
            throw new ShapeException("conv2d: the weight must be 4-d (out_channels, in_channels, kH, kW), got shape "
                    + weight.shape());
        }
        int batch = x.dim(0);
        int channels = x.dim(1);
        int outChannels = weight.dim(0);
        if (weight.dim(1) != channels) {
            throw new ShapeException("conv2d: input has " + channels + " channels but the weight expects "
                    + weight.dim(1) + " (weight shape " + weight.shape() + ", input shape " + x.shape()
                    + "); the weight's second dimension must equal the input's channel count");
        }
        if (bias != null && !bias.shape().equals(Shape.of(outChannels))) {
            throw new ShapeException("conv2d: the bias has shape " + bias.shape() + " but the weight " + weight.shape()
                    + " has " + outChannels + " output channels; pass a bias of shape (" + outChannels + ") or null");
        }
        Window2d g = Window2d.of("conv2d", x.shape(), weight.dim(2), weight.dim(3), stride, padding);
        DType dtype = DType.promote(x.dtype(), bias == null ? weight.dtype() : DType.promote(weight.dtype(), bias.dtype()));
        Tensor in = x.to(dtype);
        Tensor w = weight.to(dtype);
        Tensor b = bias == null ? null : bias.to(dtype);
        ConvolutionLoops loops = new ConvolutionLoops(batch, channels, outChannels, g);

        Tensor out = Tensor.zeros(dtype, Shape.of(batch, outChannels, g.outH(), g.outW()));
        loops.forward(in, w, b, out);
        BackwardFunction backward = (grad, needs) -> {
            Tensor gx;
            Tensor gw;
            if (GradMode.isEnabled()) {
                gx = needs[0] ? inputGradient(grad, w, in.shape(), loops) : null;
                gw = needs[1] ? weightGradient(in, grad, w.shape(), loops) : null;
            } else {
                gx = needs[0] ? Tensor.zeros(dtype, in.shape()) : null;
                gw = needs[1] ? Tensor.zeros(dtype, w.shape()) : null;
                if (gx != null || gw != null) {
                    loops.gradients(in, w, grad, gx, gw);
                }
            }
            Tensor gb = needs.length > 2 && needs[2] ? Reduce.sum(grad, new int[] {0, 2, 3}, false) : null;
            return b == null ? new Tensor[] {gx, gw} : new Tensor[] {gx, gw, gb};
        };
        return b == null ? Node.record(out, "conv2d", backward, in, w) : Node.record(out, "conv2d", backward, in, w, b);
    }

    /** dx = Bx(g, W), recorded with its own backward (see the class comment). */
    private static Tensor inputGradient(Tensor g, Tensor w, Shape inputShape, ConvolutionLoops loops) {
        Tensor gx = Tensor.zeros(g.dtype(), inputShape);
        // The input is read only for the weight gradient, which is not asked for: gx stands in for it.
        loops.gradients(gx, w, g, gx, null);
        Window2d window = loops.window();
        return Node.record(gx, "conv2dInputGradient", (u, needs) -> new Tensor[] {
            needs[0] ? conv2d(u, w, null, window.stride(), window.padding()) : null,
            needs[1] ? weightGradient(u, g, w.shape(), loops) : null}, g, w);
    }

    /** dW = Bw(x, g), recorded with its own backward (see the class comment). */
    private static Tensor weightGradient(Tensor x, Tensor g, Shape weightShape, ConvolutionLoops loops) {
        Tensor gw = Tensor.zeros(g.dtype(), weightShape);
        // The weight is read only for the input gradient, which is not asked for: gw stands in for it.
        loops.gradients(x, gw, g, null, gw);
        Window2d window = loops.window();
        return Node.record(gw, "conv2dWeightGradient", (v, needs) -> new Tensor[] {
            needs[0] ? inputGradient(g, v, x.shape(), loops) : null,
            needs[1] ? conv2d(x, v, null, window.stride(), window.padding()) : null}, x, g);
    }
}

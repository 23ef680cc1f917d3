package org.normkit.autograd.ops;

import org.normkit.autograd.graph.BackwardFunction;
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
            Tensor gx = needs[0] ? Tensor.zeros(dtype, in.shape()) : null;
            Tensor gw = needs[1] ? Tensor.zeros(dtype, w.shape()) : null;
            Tensor gb = needs.length > 2 && needs[2] ? Reduce.sum(grad, new int[] {0, 2, 3}, false) : null;
            if (gx != null || gw != null) {
                loops.gradients(in.detach(), w.detach(), grad, gx, gw);
            }
            return b == null ? new Tensor[] {gx, gw} : new Tensor[] {gx, gw, gb};
        };
        return b == null ? Node.record(out, "conv2d", backward, in, w) : Node.record(out, "conv2d", backward, in, w, b);
    }
}

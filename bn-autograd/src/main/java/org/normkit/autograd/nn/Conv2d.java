package org.normkit.autograd.nn;

import java.util.SplittableRandom;

import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * A 2-d convolution layer, {@code torch.nn.Conv2d} with square kernels, one stride and one zero padding for both
 * axes, dilation 1 and one group: weight (out, in, k, k), bias (out). Inputs (N, in, H, W) give
 * (N, out, ⌊(H + 2·padding − k) / stride⌋ + 1, ...). Initialised as PyTorch does ({@link Init}), fan_in = in·k².
 *
 * <pre>{@code
 * Conv2d conv = new Conv2d(1, 6, 5, new SplittableRandom(0));   // stride 1, no padding
 * Tensor y = conv.forward(images);                            // (128, 1, 28, 28) -> (128, 6, 24, 24)
 * }</pre>
 */
public final class Conv2d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int kernelSize;
    private final int stride;
    private final int padding;
    private final Parameter weight;
    private final Parameter bias;

    /** Stride 1, no padding, with a bias, float32. */
    public Conv2d(int inChannels, int outChannels, int kernelSize, SplittableRandom random) {
        this(inChannels, outChannels, kernelSize, 1, 0, true, DType.FLOAT32, random);
    }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, SplittableRandom random) {
        this(inChannels, outChannels, kernelSize, stride, padding, true, DType.FLOAT32, random);
    }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, boolean bias,
                  DType dtype, SplittableRandom random) {
        if (inChannels < 1 || outChannels < 1 || kernelSize < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("Conv2d(in=" + inChannels + ", out=" + outChannels + ", kernel="
                    + kernelSize + ", stride=" + stride + ", padding=" + padding + "): channels, kernel size and "
                    + "stride must be >= 1 and padding >= 0");
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        int fanIn = inChannels * kernelSize * kernelSize;
        this.weight = registerParameter("weight", Init.defaultUniform(
                Shape.of(outChannels, inChannels, kernelSize, kernelSize), fanIn, dtype, random));
        this.bias = bias ? registerParameter("bias", Init.defaultUniform(Shape.of(outChannels), fanIn, dtype, random))
                : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.conv2d(weight.value(), bias == null ? null : bias.value(), stride, padding);
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null for a layer built without one. */
    public Parameter bias() {
        return bias;
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    public int kernelSize() {
        return kernelSize;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    @Override
    public String toString() {
        return "Conv2d(" + inChannels + " -> " + outChannels + ", kernel " + kernelSize + ", stride " + stride
                + ", padding " + padding + (bias == null ? ", no bias" : "") + ")";
    }
}

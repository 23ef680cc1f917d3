package org.normkit.autograd.ops;

import org.normkit.autograd.graph.BackwardFunction;
import org.normkit.autograd.graph.Node;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * 2-d convolution (cross-correlation, as in every deep learning library) of an (N, C, H, W) input with an
 * (O, C, kh, kw) weight and an optional (O) bias; dilation 1, one group. PyTorch's {@code F.conv2d}.
 *
 * <p>Forward, per image: {@code out[n] (O × L) = W (O × K) · im2col(x[n]) (K × L)}, K = C·kh·kw taps and L =
 * outH·outW positions, then the bias along each row. One image at a time keeps the column matrix in a reused
 * per-thread buffer small enough for the cache ({@link Scratch}); the product is BLAS ({@link Gemm}).
 *
 * <p>Backward, per image: {@code dW += g[n] · colsᵀ} (im2col recomputed: cheaper than keeping N column matrices
 * alive between forward and backward), {@code dx[n] = col2im(Wᵀ · g[n])}, {@code db = Σ g} over N, H, W. Only the
 * gradients the graph needs are computed. A 1×1 kernel with stride 1 and no padding needs no im2col at all: the
 * image is its own column matrix.
 *
 * <p>float32 with stride 1 (every convolution of the experiment nets) takes {@link ShiftedConvolution} instead: the
 * same products over column matrices built from whole shifted planes, a few images per product. float64 (the
 * gradient checks) stays on the im2col loops here, so the tests hold the two against each other.
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
        Geometry geo = new Geometry(batch, channels, outChannels, g);

        Tensor out = Tensor.zeros(dtype, Shape.of(batch, outChannels, g.outH(), g.outW()));
        forward(in, w, b, out, geo);
        BackwardFunction backward = (grad, needs) -> {
            Tensor gx = needs[0] ? Tensor.zeros(dtype, in.shape()) : null;
            Tensor gw = needs[1] ? Tensor.zeros(dtype, w.shape()) : null;
            Tensor gb = needs.length > 2 && needs[2] ? Reduce.sum(grad, new int[] {0, 2, 3}, false) : null;
            if (gx != null || gw != null) {
                inputAndWeightGradients(in.detach(), w.detach(), grad, gx, gw, geo);
            }
            return b == null ? new Tensor[] {gx, gw} : new Tensor[] {gx, gw, gb};
        };
        return b == null ? Node.record(out, "conv2d", backward, in, w) : Node.record(out, "conv2d", backward, in, w, b);
    }

    /** Sizes shared by the forward and backward loops. */
    private record Geometry(int batch, int channels, int outChannels, Window2d window) {
        int taps() {
            return channels * window.kernelH() * window.kernelW();
        }

        int positions() {
            return window.outPlane();
        }

        int imageSize() {
            return channels * window.inPlane();
        }

        /** A 1×1, stride-1, unpadded kernel reads each image as its own column matrix. */
        boolean pointwise() {
            return window.kernelH() == 1 && window.kernelW() == 1 && window.stride() == 1 && window.padding() == 0;
        }

        /** float32 with stride 1 (and more than a 1×1 kernel) runs over shifted planes: {@link ShiftedConvolution}. */
        boolean shifted(DType dtype) {
            return dtype == DType.FLOAT32 && !pointwise() && ShiftedConvolution.fits(window);
        }
    }

    private static void forward(Tensor x, Tensor w, Tensor b, Tensor out, Geometry geo) {
        if (geo.shifted(x.dtype())) {
            new ShiftedConvolution(geo.batch(), geo.channels(), geo.outChannels(), geo.window()).forward(x.floatData(),
                    w.floatData(), b == null ? null : b.floatData(), out.floatData());
            return;
        }
        int k = geo.taps();
        int l = geo.positions();
        int o = geo.outChannels();
        if (x.dtype() == DType.FLOAT32) {
            float[] xs = x.floatData();
            float[] ws = w.floatData();
            float[] os = out.floatData();
            float[] cols = geo.pointwise() ? xs : Scratch.floats(Scratch.COLUMNS, k * l);
            for (int n = 0; n < geo.batch(); n++) {
                int image = n * geo.imageSize();
                if (!geo.pointwise()) {
                    columns(xs, image, geo, cols);
                }
                Gemm.sgemm(false, false, o, l, k, ws, 0, cols, geo.pointwise() ? image : 0, 0f, os, n * o * l);
                if (b != null) {
                    float[] bs = b.floatData();
                    for (int c = 0; c < o; c++) {
                        float bias = bs[c];
                        int row = (n * o + c) * l;
                        for (int j = 0; j < l; j++) {
                            os[row + j] += bias;
                        }
                    }
                }
            }
        } else {
            double[] xs = x.doubleData();
            double[] ws = w.doubleData();
            double[] os = out.doubleData();
            double[] cols = geo.pointwise() ? xs : Scratch.doubles(Scratch.COLUMNS, k * l);
            for (int n = 0; n < geo.batch(); n++) {
                int image = n * geo.imageSize();
                if (!geo.pointwise()) {
                    columns(xs, image, geo, cols);
                }
                Gemm.dgemm(false, false, o, l, k, ws, 0, cols, geo.pointwise() ? image : 0, 0.0, os, n * o * l);
                if (b != null) {
                    double[] bs = b.doubleData();
                    for (int c = 0; c < o; c++) {
                        double bias = bs[c];
                        int row = (n * o + c) * l;
                        for (int j = 0; j < l; j++) {
                            os[row + j] += bias;
                        }
                    }
                }
            }
        }
    }

    /** dW = Σₙ g[n]·colsₙᵀ and dx[n] = col2im(Wᵀ·g[n]); either output may be null (not needed). */
    private static void inputAndWeightGradients(Tensor x, Tensor w, Tensor grad, Tensor gx, Tensor gw, Geometry geo) {
        if (geo.shifted(x.dtype())) {
            new ShiftedConvolution(geo.batch(), geo.channels(), geo.outChannels(), geo.window()).gradients(
                    x.floatData(), w.floatData(), grad.floatData(), gx == null ? null : gx.floatData(),
                    gw == null ? null : gw.floatData());
            return;
        }
        int k = geo.taps();
        int l = geo.positions();
        int o = geo.outChannels();
        if (x.dtype() == DType.FLOAT32) {
            float[] xs = x.floatData();
            float[] ws = w.floatData();
            float[] gs = grad.floatData();
            float[] cols = geo.pointwise() ? xs : Scratch.floats(Scratch.COLUMNS, k * l);
            float[] gradCols = gx == null ? null
                    : geo.pointwise() ? gx.floatData() : Scratch.floats(Scratch.GRADIENT_COLUMNS, k * l);
            for (int n = 0; n < geo.batch(); n++) {
                int image = n * geo.imageSize();
                int colsOffset = geo.pointwise() ? image : 0;
                if (gw != null) {
                    if (!geo.pointwise()) {
                        columns(xs, image, geo, cols);
                    }
                    Gemm.sgemm(false, true, o, k, l, gs, n * o * l, cols, colsOffset, n == 0 ? 0f : 1f,
                            gw.floatData(), 0);
                }
                if (gx != null) {
                    Gemm.sgemm(true, false, k, l, o, ws, 0, gs, n * o * l, 0f, gradCols, colsOffset);
                    if (!geo.pointwise()) {
                        addColumns(gradCols, geo, gx.floatData(), image);
                    }
                }
            }
        } else {
            double[] xs = x.doubleData();
            double[] ws = w.doubleData();
            double[] gs = grad.doubleData();
            double[] cols = geo.pointwise() ? xs : Scratch.doubles(Scratch.COLUMNS, k * l);
            double[] gradCols = gx == null ? null
                    : geo.pointwise() ? gx.doubleData() : Scratch.doubles(Scratch.GRADIENT_COLUMNS, k * l);
            for (int n = 0; n < geo.batch(); n++) {
                int image = n * geo.imageSize();
                int colsOffset = geo.pointwise() ? image : 0;
                if (gw != null) {
                    if (!geo.pointwise()) {
                        columns(xs, image, geo, cols);
                    }
                    Gemm.dgemm(false, true, o, k, l, gs, n * o * l, cols, colsOffset, n == 0 ? 0.0 : 1.0,
                            gw.doubleData(), 0);
                }
                if (gx != null) {
                    Gemm.dgemm(true, false, k, l, o, ws, 0, gs, n * o * l, 0.0, gradCols, colsOffset);
                    if (!geo.pointwise()) {
                        addColumns(gradCols, geo, gx.doubleData(), image);
                    }
                }
            }
        }
    }

    /** im2col of one image, through a zero-bordered copy when there is padding. */
    private static void columns(float[] xs, int image, Geometry geo, float[] cols) {
        Window2d g = geo.window();
        int p = g.padding();
        if (p == 0) {
            Im2Col.im2col(xs, image, g.inH(), g.inW(), geo.channels(), g, cols);
        } else {
            float[] padded = Scratch.floats(Scratch.PADDED, Im2Col.paddedSize(geo.channels(), g));
            Im2Col.pad(xs, image, geo.channels(), g, padded);
            Im2Col.im2col(padded, 0, g.inH() + 2 * p, g.inW() + 2 * p, geo.channels(), g, cols);
        }
    }

    private static void columns(double[] xs, int image, Geometry geo, double[] cols) {
        Window2d g = geo.window();
        int p = g.padding();
        if (p == 0) {
            Im2Col.im2col(xs, image, g.inH(), g.inW(), geo.channels(), g, cols);
        } else {
            double[] padded = Scratch.doubles(Scratch.PADDED, Im2Col.paddedSize(geo.channels(), g));
            Im2Col.pad(xs, image, geo.channels(), g, padded);
            Im2Col.im2col(padded, 0, g.inH() + 2 * p, g.inW() + 2 * p, geo.channels(), g, cols);
        }
    }

    /** col2im of one image's column gradient into {@code gx}, through a zero-bordered buffer when there is padding. */
    private static void addColumns(float[] gradCols, Geometry geo, float[] gx, int image) {
        Window2d g = geo.window();
        int p = g.padding();
        if (p == 0) {
            Im2Col.col2im(gradCols, g.inH(), g.inW(), geo.channels(), g, gx, image);
        } else {
            int size = Im2Col.paddedSize(geo.channels(), g);
            float[] padded = Scratch.floats(Scratch.PADDED, size);
            java.util.Arrays.fill(padded, 0, size, 0f);
            Im2Col.col2im(gradCols, g.inH() + 2 * p, g.inW() + 2 * p, geo.channels(), g, padded, 0);
            Im2Col.unpadAdd(padded, geo.channels(), g, gx, image);
        }
    }

    private static void addColumns(double[] gradCols, Geometry geo, double[] gx, int image) {
        Window2d g = geo.window();
        int p = g.padding();
        if (p == 0) {
            Im2Col.col2im(gradCols, g.inH(), g.inW(), geo.channels(), g, gx, image);
        } else {
            int size = Im2Col.paddedSize(geo.channels(), g);
            double[] padded = Scratch.doubles(Scratch.PADDED, size);
            java.util.Arrays.fill(padded, 0, size, 0.0);
            Im2Col.col2im(gradCols, g.inH() + 2 * p, g.inW() + 2 * p, geo.channels(), g, padded, 0);
            Im2Col.unpadAdd(padded, geo.channels(), g, gx, image);
        }
    }
}

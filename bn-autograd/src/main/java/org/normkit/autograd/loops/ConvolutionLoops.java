package org.normkit.autograd.loops;

import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/**
 * The loops of a 2-d convolution of {@code batch} images of {@code channels} channels into {@code outChannels}
 * channels over {@code window}; PyTorch's {@code F.conv2d} with dilation 1 and one group.
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
public record ConvolutionLoops(int batch, int channels, int outChannels, Window2d window) {
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

    /** {@code out = conv(x, w) (+ b)}; every tensor in the same dtype, {@code b} may be null. */
    public void forward(Tensor x, Tensor w, Tensor b, Tensor out) {
        if (shifted(x.dtype())) {
            new ShiftedConvolution(batch(), channels(), outChannels(), window()).forward(x.floatData(),
                    w.floatData(), b == null ? null : b.floatData(), out.floatData());
            return;
        }
        int k = taps();
        int l = positions();
        int o = outChannels();
        if (x.dtype() == DType.FLOAT32) {
            float[] xs = x.floatData();
            float[] ws = w.floatData();
            float[] os = out.floatData();
            float[] cols = pointwise() ? xs : Scratch.floats(Scratch.COLUMNS, k * l);
            for (int n = 0; n < batch(); n++) {
                int image = n * imageSize();
                if (!pointwise()) {
                    columns(xs, image, cols);
                }
                Gemm.sgemm(false, false, o, l, k, ws, 0, cols, pointwise() ? image : 0, 0f, os, n * o * l);
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
            double[] cols = pointwise() ? xs : Scratch.doubles(Scratch.COLUMNS, k * l);
            for (int n = 0; n < batch(); n++) {
                int image = n * imageSize();
                if (!pointwise()) {
                    columns(xs, image, cols);
                }
                Gemm.dgemm(false, false, o, l, k, ws, 0, cols, pointwise() ? image : 0, 0.0, os, n * o * l);
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
    public void gradients(Tensor x, Tensor w, Tensor grad, Tensor gx, Tensor gw) {
        if (shifted(x.dtype())) {
            new ShiftedConvolution(batch(), channels(), outChannels(), window()).gradients(
                    x.floatData(), w.floatData(), grad.floatData(), gx == null ? null : gx.floatData(),
                    gw == null ? null : gw.floatData());
            return;
        }
        int k = taps();
        int l = positions();
        int o = outChannels();
        if (x.dtype() == DType.FLOAT32) {
            float[] xs = x.floatData();
            float[] ws = w.floatData();
            float[] gs = grad.floatData();
            float[] cols = pointwise() ? xs : Scratch.floats(Scratch.COLUMNS, k * l);
            float[] gradCols = gx == null ? null
                    : pointwise() ? gx.floatData() : Scratch.floats(Scratch.GRADIENT_COLUMNS, k * l);
            for (int n = 0; n < batch(); n++) {
                int image = n * imageSize();
                int colsOffset = pointwise() ? image : 0;
                if (gw != null) {
                    if (!pointwise()) {
                        columns(xs, image, cols);
                    }
                    Gemm.sgemm(false, true, o, k, l, gs, n * o * l, cols, colsOffset, n == 0 ? 0f : 1f,
                            gw.floatData(), 0);
                }
                if (gx != null) {
                    Gemm.sgemm(true, false, k, l, o, ws, 0, gs, n * o * l, 0f, gradCols, colsOffset);
                    if (!pointwise()) {
                        addColumns(gradCols, gx.floatData(), image);
                    }
                }
            }
        } else {
            double[] xs = x.doubleData();
            double[] ws = w.doubleData();
            double[] gs = grad.doubleData();
            double[] cols = pointwise() ? xs : Scratch.doubles(Scratch.COLUMNS, k * l);
            double[] gradCols = gx == null ? null
                    : pointwise() ? gx.doubleData() : Scratch.doubles(Scratch.GRADIENT_COLUMNS, k * l);
            for (int n = 0; n < batch(); n++) {
                int image = n * imageSize();
                int colsOffset = pointwise() ? image : 0;
                if (gw != null) {
                    if (!pointwise()) {
                        columns(xs, image, cols);
                    }
                    Gemm.dgemm(false, true, o, k, l, gs, n * o * l, cols, colsOffset, n == 0 ? 0.0 : 1.0,
                            gw.doubleData(), 0);
                }
                if (gx != null) {
                    Gemm.dgemm(true, false, k, l, o, ws, 0, gs, n * o * l, 0.0, gradCols, colsOffset);
                    if (!pointwise()) {
                        addColumns(gradCols, gx.doubleData(), image);
                    }
                }
            }
        }
    }

    /** im2col of one image, through a zero-bordered copy when there is padding. */
    private void columns(float[] xs, int image, float[] cols) {
        Window2d g = window;
        int p = g.padding();
        if (p == 0) {
            Im2Col.im2col(xs, image, g.inH(), g.inW(), channels(), g, cols);
        } else {
            float[] padded = Scratch.floats(Scratch.PADDED, Im2Col.paddedSize(channels(), g));
            Im2Col.pad(xs, image, channels(), g, padded);
            Im2Col.im2col(padded, 0, g.inH() + 2 * p, g.inW() + 2 * p, channels(), g, cols);
        }
    }

    private void columns(double[] xs, int image, double[] cols) {
        Window2d g = window;
        int p = g.padding();
        if (p == 0) {
            Im2Col.im2col(xs, image, g.inH(), g.inW(), channels(), g, cols);
        } else {
            double[] padded = Scratch.doubles(Scratch.PADDED, Im2Col.paddedSize(channels(), g));
            Im2Col.pad(xs, image, channels(), g, padded);
            Im2Col.im2col(padded, 0, g.inH() + 2 * p, g.inW() + 2 * p, channels(), g, cols);
        }
    }

    /** col2im of one image's column gradient into {@code gx}, through a zero-bordered buffer when there is padding. */
    private void addColumns(float[] gradCols, float[] gx, int image) {
        Window2d g = window;
        int p = g.padding();
        if (p == 0) {
            Im2Col.col2im(gradCols, g.inH(), g.inW(), channels(), g, gx, image);
        } else {
            int size = Im2Col.paddedSize(channels(), g);
            float[] padded = Scratch.floats(Scratch.PADDED, size);
            java.util.Arrays.fill(padded, 0, size, 0f);
            Im2Col.col2im(gradCols, g.inH() + 2 * p, g.inW() + 2 * p, channels(), g, padded, 0);
            Im2Col.unpadAdd(padded, channels(), g, gx, image);
        }
    }

    private void addColumns(double[] gradCols, double[] gx, int image) {
        Window2d g = window;
        int p = g.padding();
        if (p == 0) {
            Im2Col.col2im(gradCols, g.inH(), g.inW(), channels(), g, gx, image);
        } else {
            int size = Im2Col.paddedSize(channels(), g);
            double[] padded = Scratch.doubles(Scratch.PADDED, size);
            java.util.Arrays.fill(padded, 0, size, 0.0);
            Im2Col.col2im(gradCols, g.inH() + 2 * p, g.inW() + 2 * p, channels(), g, padded, 0);
            Im2Col.unpadAdd(padded, channels(), g, gx, image);
        }
    }
}

package org.normkit.autograd.loops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.normkit.autograd.parallel.KernelThreads;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * The convolution loops of both dtypes (im2col with and without padding and stride, a non-square kernel, the
 * pointwise 1×1 case, float32's shifted planes) against the definition written out as nested loops here: the output
 * with and without a bias, and each gradient alone or together (∂L/∂x, ∂L/∂W), over several images, on the caller
 * and shared over the pool.
 */
class ConvolutionLoopsOracleTest {
    private int threadsBefore;

    @BeforeEach
    void remember() {
        threadsBefore = KernelThreads.get();
    }

    @AfterEach
    void restore() {
        KernelThreads.set(threadsBefore);
        KernelThreads.shareEveryCall(false);
        ImageChunks.poolEvenWithAThreadedBlas(false);
    }

    /** The geometry of one case. */
    private record Case(int batch, int channels, int outChannels, int h, int w, int kh, int kw, int stride,
                        int padding) {
        Window2d window() {
            return Window2d.of("conv2d", Shape.of(batch, channels, h, w), kh, kw, stride, padding);
        }

        /** The input element read at output (oh, ow) through tap (ki, kj), or 0 in the padding. */
        double input(Tensor x, int n, int c, int oh, int ow, int ki, int kj) {
            int ih = oh * stride + ki - padding;
            int iw = ow * stride + kj - padding;
            return ih < 0 || iw < 0 || ih >= h || iw >= w ? 0 : x.get(((n * channels + c) * h + ih) * w + iw);
        }
    }

    private static double[] naiveForward(Case k, Window2d g, Tensor x, Tensor w, Tensor b) {
        double[] out = new double[k.batch * k.outChannels * g.outH() * g.outW()];
        int i = 0;
        for (int n = 0; n < k.batch; n++) {
            for (int o = 0; o < k.outChannels; o++) {
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++, i++) {
                        double s = b == null ? 0 : b.get(o);
                        for (int c = 0; c < k.channels; c++) {
                            for (int ki = 0; ki < k.kh; ki++) {
                                for (int kj = 0; kj < k.kw; kj++) {
                                    s += w.get(((o * k.channels + c) * k.kh + ki) * k.kw + kj)
                                            * k.input(x, n, c, oh, ow, ki, kj);
                                }
                            }
                        }
                        out[i] = s;
                    }
                }
            }
        }
        return out;
    }

    /** ∂L/∂x and ∂L/∂W of L = Σ grad · conv(x, w), accumulated tap by tap from the definition. */
    private static double[][] naiveGradients(Case k, Window2d g, Tensor x, Tensor w, Tensor grad) {
        double[] gx = new double[x.numel()];
        double[] gw = new double[w.numel()];
        for (int n = 0; n < k.batch; n++) {
            for (int o = 0; o < k.outChannels; o++) {
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++) {
                        double go = grad.get(((n * k.outChannels + o) * g.outH() + oh) * g.outW() + ow);
                        for (int c = 0; c < k.channels; c++) {
                            for (int ki = 0; ki < k.kh; ki++) {
                                for (int kj = 0; kj < k.kw; kj++) {
                                    int tap = ((o * k.channels + c) * k.kh + ki) * k.kw + kj;
                                    gw[tap] += go * k.input(x, n, c, oh, ow, ki, kj);
                                    int ih = oh * k.stride + ki - k.padding;
                                    int iw = ow * k.stride + kj - k.padding;
                                    if (ih >= 0 && iw >= 0 && ih < k.h && iw < k.w) {
                                        gx[((n * k.channels + c) * k.h + ih) * k.w + iw] += go * w.get(tap);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][] {gx, gw};
    }

    /**
     * Within float32's rounding of a sum of {@code terms} products, which grows with the square root of their count
     * (the weight gradient sums over every image and output position; BLAS builds add in their own order).
     */
    private static void assertClose(double[] expected, Tensor actual, String what, int terms) {
        double tolerance = actual.dtype() == DType.FLOAT32 ? 2e-5 * Math.sqrt(Math.max(1, terms / 64.0)) : 1e-12;
        assertEquals(expected.length, actual.numel(), what + ": element count");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual.get(i), tolerance * Math.max(1, Math.abs(expected[i])),
                    what + ": element " + i);
        }
    }

    private static void check(Case k, DType dtype, String mode) {
        Window2d g = k.window();
        int tapsPerOutput = k.channels * k.kh * k.kw;
        int tapsPerInput = k.outChannels * k.kh * k.kw;
        int outputsPerTap = k.batch * g.outH() * g.outW();
        ConvolutionLoops loops = new ConvolutionLoops(k.batch, k.channels, k.outChannels, g);
        Tensor x = Tensor.uniform(dtype, Shape.of(k.batch, k.channels, k.h, k.w), -1, 1, 1);
        Tensor w = Tensor.uniform(dtype, Shape.of(k.outChannels, k.channels, k.kh, k.kw), -1, 1, 2);
        Tensor b = Tensor.uniform(dtype, Shape.of(k.outChannels), -1, 1, 3);
        Shape outShape = Shape.of(k.batch, k.outChannels, g.outH(), g.outW());
        String what = k + " " + dtype + " " + mode;

        Tensor out = Tensor.full(dtype, outShape, 99);
        loops.forward(x, w, b, out);
        assertClose(naiveForward(k, g, x, w, b), out, what + " output", tapsPerOutput);
        Tensor noBias = Tensor.full(dtype, outShape, 99);
        loops.forward(x, w, null, noBias);
        assertClose(naiveForward(k, g, x, w, null), noBias, what + " output without a bias", tapsPerOutput);

        Tensor grad = Tensor.uniform(dtype, outShape, -1, 1, 4);
        double[][] expected = naiveGradients(k, g, x, w, grad);
        Tensor gx = Tensor.zeros(dtype, x.shape());
        Tensor gw = Tensor.full(dtype, w.shape(), 99);
        loops.gradients(x, w, grad, gx, gw);
        assertClose(expected[0], gx, what + " input gradient", tapsPerInput);
        assertClose(expected[1], gw, what + " weight gradient", outputsPerTap);

        Tensor gxAlone = Tensor.zeros(dtype, x.shape());
        loops.gradients(x, w, grad, gxAlone, null);
        assertClose(expected[0], gxAlone, what + " input gradient alone", tapsPerInput);
        Tensor gwAlone = Tensor.full(dtype, w.shape(), 99);
        loops.gradients(x, w, grad, null, gwAlone);
        assertClose(expected[1], gwAlone, what + " weight gradient alone", outputsPerTap);
    }

    private static final String[] DTYPES = {"FLOAT32", "FLOAT64"};

    @ParameterizedTest(name = "{0} images {1}->{2} on {3}x{4}, kernel {5}x{6}, stride {7}, padding {8}")
    @CsvSource({
        "3, 2, 3, 6, 5, 3, 3, 1, 1",   // float32: shifted planes; float64: im2col through a padded copy
        "3, 2, 3, 6, 5, 3, 3, 1, 0",   // no padding
        "3, 2, 3, 5, 6, 2, 3, 1, 1",   // a non-square kernel: im2col in both dtypes
        "2, 2, 2, 5, 6, 2, 3, 1, 0",
        "3, 2, 3, 7, 6, 3, 3, 2, 1",   // stride 2 with padding
        "3, 3, 2, 6, 6, 2, 2, 2, 0",   // stride 2 without
        "3, 4, 3, 4, 5, 1, 1, 1, 0",   // pointwise: each image is its own column matrix
        "3, 2, 3, 5, 5, 1, 1, 2, 0",   // 1x1 with stride 2 is not pointwise
        "3, 2, 2, 40, 40, 3, 3, 1, 1", // float32: two images per block of shifted planes, the last block short
        "3, 4, 2, 40, 40, 3, 3, 1, 0", // float32: one image per block
        "1, 2, 2, 4, 4, 3, 3, 1, 1"})  // one image
    void theLoopsComputeTheDefinitionOnTheCallerAndOverThePool(int batch, int channels, int outChannels, int h, int w,
                                                               int kh, int kw, int stride, int padding) {
        Case k = new Case(batch, channels, outChannels, h, w, kh, kw, stride, padding);
        for (String dtype : DTYPES) {
            check(k, DType.valueOf(dtype), "on the caller");
        }
        KernelThreads.set(3);
        KernelThreads.shareEveryCall(true);
        ImageChunks.poolEvenWithAThreadedBlas(true);
        for (String dtype : DTYPES) {
            check(k, DType.valueOf(dtype), "over the pool");
        }
    }
}

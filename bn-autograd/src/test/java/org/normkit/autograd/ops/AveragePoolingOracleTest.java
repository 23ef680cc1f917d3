package org.normkit.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * Average pooling of both dtypes, forward and backward, over several planes, against the definition written out
 * here: the 2×2 tiles of float32 (rows and columns past the last whole window left out), general windows with
 * padding counted or not; and max pooling's choice in a window of −∞ only (its first element).
 */
class AveragePoolingOracleTest {

    private static void assertClose(double[] expected, Tensor actual, String what) {
        double tolerance = actual.dtype() == DType.FLOAT32 ? 1e-6 : 1e-13;
        assertEquals(expected.length, actual.numel(), what + ": element count");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual.get(i), tolerance * Math.max(1, Math.abs(expected[i])),
                    what + ": element " + i);
        }
    }

    @ParameterizedTest(name = "{0}x{1} planes of {2}x{3}, kernel {4}, stride {5}, padding {6}, padding counted {7}")
    @CsvSource({
        "2, 3, 6, 6, 2, 2, 0, true",    // float32: the 2x2 tiles
        "2, 3, 5, 7, 2, 2, 0, true",    // tiles with a row and a column left over
        "2, 2, 5, 5, 3, 2, 1, true",
        "2, 2, 5, 5, 3, 2, 1, false",
        "1, 3, 4, 5, 2, 1, 0, true"})
    void averagePoolingAndItsGradientFollowTheDefinition(int batch, int channels, int h, int w, int kernel, int stride,
                                                         int padding, boolean countPadding) {
        int outH = (h + 2 * padding - kernel) / stride + 1;
        int outW = (w + 2 * padding - kernel) / stride + 1;
        int planes = batch * channels;
        for (DType dtype : DType.values()) {
            String what = dtype + " kernel " + kernel + " stride " + stride + " padding " + padding;
            Tensor x = Tensor.uniform(dtype, Shape.of(batch, channels, h, w), -1, 1, 5).requiresGrad(true);
            Tensor grad = Tensor.uniform(dtype, Shape.of(batch, channels, outH, outW), -1, 1, 6);
            double[] out = new double[planes * outH * outW];
            double[] gx = new double[x.numel()];
            for (int p = 0, o = 0; p < planes; p++) {
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++, o++) {
                        double sum = 0;
                        int inside = 0;
                        for (int ki = 0; ki < kernel; ki++) {
                            for (int kj = 0; kj < kernel; kj++) {
                                int ih = oh * stride + ki - padding;
                                int iw = ow * stride + kj - padding;
                                if (ih >= 0 && iw >= 0 && ih < h && iw < w) {
                                    sum += x.get((p * h + ih) * w + iw);
                                    inside++;
                                }
                            }
                        }
                        double divisor = countPadding ? kernel * kernel : inside;
                        out[o] = sum / divisor;
                        for (int ki = 0; ki < kernel; ki++) {
                            for (int kj = 0; kj < kernel; kj++) {
                                int ih = oh * stride + ki - padding;
                                int iw = ow * stride + kj - padding;
                                if (ih >= 0 && iw >= 0 && ih < h && iw < w) {
                                    gx[(p * h + ih) * w + iw] += grad.get(o) / divisor;
                                }
                            }
                        }
                    }
                }
            }

            Tensor y = Pooling.avgPool2d(x, kernel, stride, padding, countPadding);
            assertClose(out, y, what + " output");
            y.backward(grad);
            assertClose(gx, x.grad(), what + " input gradient");
        }
    }

    @Test
    void maxPoolingOfAWindowOfMinusInfinityOnlyPicksItsFirstElement() {
        for (DType dtype : DType.values()) {
            double inf = Double.NEGATIVE_INFINITY;
            // Two planes of 2x4; the second plane's right window is all −∞.
            Tensor x = Tensor.of(dtype, new double[] {1, 2, 3, 4, 5, 6, 7, 8,
                8, 7, inf, inf, 6, 5, inf, inf}, Shape.of(1, 2, 2, 4)).requiresGrad(true);

            Tensor y = x.maxPool2d(2, 2, 0);
            y.backward(Tensor.of(dtype, new double[] {1, 2, 3, 4}, Shape.of(1, 2, 1, 2)));

            assertEquals(Double.NEGATIVE_INFINITY, y.get(3));
            double[] expected = {0, 0, 0, 0, 0, 1, 0, 2, 3, 0, 4, 0, 0, 0, 0, 0};
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], x.grad().get(i), dtype + " gradient at " + i);
            }
        }
    }
}

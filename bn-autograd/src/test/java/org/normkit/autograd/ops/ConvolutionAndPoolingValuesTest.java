package org.normkit.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.normkit.autograd.TestTensors.assertValues;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * Forward values of conv2d and the pools, two ways: against the obvious nested loops written here (every geometry,
 * both dtypes), and against numbers PyTorch 1.13 printed for one fixed case.
 */
class ConvolutionAndPoolingValuesTest {

    /** out[n,o,oh,ow] = b[o] + Σ x[n,c,oh·s−p+i,ow·s−p+j]·w[o,c,i,j] over taps inside the input. */
    static Tensor naiveConv(Tensor x, Tensor w, Tensor b, int s, int p) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3), o = w.dim(0), kh = w.dim(2), kw = w.dim(3);
        int oh = (h + 2 * p - kh) / s + 1, ow = (wd + 2 * p - kw) / s + 1;
        Tensor out = Tensor.zeros(DType.FLOAT64, n, o, oh, ow);
        int flat = 0;
        for (int in = 0; in < n; in++) {
            for (int io = 0; io < o; io++) {
                for (int y = 0; y < oh; y++) {
                    for (int z = 0; z < ow; z++) {
                        double sum = b == null ? 0 : b.get(io);
                        for (int ic = 0; ic < c; ic++) {
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    int r = y * s - p + i, q = z * s - p + j;
                                    if (r >= 0 && r < h && q >= 0 && q < wd) {
                                        sum += x.at(in, ic, r, q) * w.at(io, ic, i, j);
                                    }
                                }
                            }
                        }
                        out.set(flat++, sum);
                    }
                }
            }
        }
        return out;
    }

    static Tensor naivePool(Tensor x, int k, int s, int p, boolean max, boolean countIncludePad) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        int oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
        Tensor out = Tensor.zeros(DType.FLOAT64, n, c, oh, ow);
        int flat = 0;
        for (int in = 0; in < n; in++) {
            for (int ic = 0; ic < c; ic++) {
                for (int y = 0; y < oh; y++) {
                    for (int z = 0; z < ow; z++) {
                        double best = Double.NEGATIVE_INFINITY;
                        double sum = 0;
                        int count = 0;
                        for (int i = 0; i < k; i++) {
                            for (int j = 0; j < k; j++) {
                                int r = y * s - p + i, q = z * s - p + j;
                                if (r >= 0 && r < h && q >= 0 && q < w) {
                                    best = Math.max(best, x.at(in, ic, r, q));
                                    sum += x.at(in, ic, r, q);
                                    count++;
                                }
                            }
                        }
                        out.set(flat++, max ? best : sum / (countIncludePad ? k * k : count));
                    }
                }
            }
        }
        return out;
    }

    @Nested
    class AgainstNaiveLoops {
        @ParameterizedTest(name = "{4}: input {0}, weight {1}, stride {2}, padding {3}")
        @CsvSource(delimiter = ';', value = {
            "2x3x7x6; 4x3x3x3; 1; 0; float64", "2x3x7x6; 4x3x3x3; 1; 1; float32", "3x2x9x9; 5x2x5x5; 1; 2; float32",
            "2x1x8x7; 3x1x3x2; 2; 1; float64", "1x2x10x10; 2x2x4x4; 3; 2; float32", "2x4x5x5; 3x4x1x1; 1; 0; float32",
            "2x4x5x5; 3x4x1x1; 2; 0; float64", "1x1x28x28; 6x1x5x5; 1; 2; float32"})
        void conv2d(String input, String weight, int stride, int padding, String dtype) {
            DType t = DType.parse(dtype);
            Shape ws = Shape.parse(weight);
            Tensor x = Tensor.randn(t, Shape.parse(input), 1);
            Tensor w = Tensor.randn(t, ws, 2);
            Tensor b = Tensor.randn(t, Shape.of(ws.dim(0)), 3);
            Tensor y = x.conv2d(w, b, stride, padding);
            assertEquals(t, y.dtype());
            assertValues(naiveConv(x, w, b, stride, padding), y, t == DType.FLOAT32 ? 1e-5 : 1e-12);
            assertValues(naiveConv(x, w, null, stride, padding), x.conv2d(w, null, stride, padding),
                    t == DType.FLOAT32 ? 1e-5 : 1e-12);
        }

        @ParameterizedTest(name = "{0}x{0} windows, stride {1}, padding {2}, {3}")
        @CsvSource({"2, 2, 0, float32", "2, 2, 0, float64", "3, 2, 1, float64", "3, 1, 1, float32", "2, 1, 1, float64",
            "4, 3, 2, float32"})
        void pools(int kernel, int stride, int padding, String dtype) {
            DType t = DType.parse(dtype);
            Tensor x = Tensor.randn(t, Shape.of(2, 3, 7, 8), 4);
            double tol = t == DType.FLOAT32 ? 1e-6 : 1e-14;
            assertValues(naivePool(x, kernel, stride, padding, true, true), x.maxPool2d(kernel, stride, padding), tol);
            assertValues(naivePool(x, kernel, stride, padding, false, true), x.avgPool2d(kernel, stride, padding), tol);
            assertValues(naivePool(x, kernel, stride, padding, false, false),
                    Pooling.avgPool2d(x, kernel, stride, padding, false), tol);
        }

        /**
         * float32 stride-1 convolutions run over shifted planes in blocks of images ({@link ShiftedConvolution}),
         * float64 ones through im2col: the two agree, output and every gradient, with a batch of several blocks and
         * a partial last one (LeNet's first layer takes 3 images per block).
         */
        @ParameterizedTest(name = "input {0}, weight {1}, padding {2}")
        @CsvSource(delimiter = ';', value = {"7x1x28x28; 6x1x5x5; 0", "5x6x12x12; 16x6x5x5; 0", "3x2x9x7; 4x2x3x3; 1",
            "2x3x6x6; 2x3x5x5; 2"})
        void shiftedPlanesAgreeWithIm2col(String input, String weight, int padding) {
            Tensor[] float32 = convolutionAndGradients(DType.FLOAT32, input, weight, padding);
            Tensor[] float64 = convolutionAndGradients(DType.FLOAT64, input, weight, padding);
            for (int i = 0; i < float32.length; i++) {
                assertValues(float64[i], float32[i], 1e-5 * Math.max(1, maxAbs(float64[i])));
            }
        }

        private Tensor[] convolutionAndGradients(DType dtype, String input, String weight, int padding) {
            Tensor x = Tensor.randn(DType.FLOAT64, Shape.parse(input), 7).to(dtype).requiresGrad(true);
            Tensor w = Tensor.randn(DType.FLOAT64, Shape.parse(weight), 8).to(dtype).requiresGrad(true);
            Tensor b = Tensor.randn(DType.FLOAT64, Shape.of(w.dim(0)), 9).to(dtype).requiresGrad(true);
            Tensor y = x.conv2d(w, b, 1, padding);
            y.backward(Tensor.randn(DType.FLOAT64, y.shape(), 10).to(dtype));
            return new Tensor[] {y, x.grad(), w.grad(), b.grad()};
        }

        private double maxAbs(Tensor t) {
            double m = 0;
            for (int i = 0; i < t.numel(); i++) {
                m = Math.max(m, Math.abs(t.get(i)));
            }
            return m;
        }

        /** The float32 2×2 tiling (LeNet's pooling) has loops of its own, backward too; odd sizes leave an edge. */
        @Test
        void averagePoolingBackwardSpreadsAQuarterOverEachTile() {
            Tensor x = Tensor.randn(DType.FLOAT32, Shape.of(2, 3, 7, 8), 5).requiresGrad(true);
            Tensor g = Tensor.randn(DType.FLOAT32, Shape.of(2, 3, 3, 4), 6);
            x.avgPool2d(2, 2, 0).backward(g);
            Tensor expected = Tensor.zeros(DType.FLOAT64, 2, 3, 7, 8);
            int flat = 0;
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 3; c++) {
                    for (int i = 0; i < 7; i++) {
                        for (int j = 0; j < 8; j++, flat++) {
                            expected.set(flat, i < 6 ? g.at(n, c, i / 2, j / 2) / 4 : 0);
                        }
                    }
                }
            }
            assertValues(expected, x.grad(), 0);
        }
    }

    /**
     * x = y² − 2y for y = arange(150)·0.1 − 3 as (2, 3, 5, 5); w = arange(108)·0.05 − 1 as (4, 3, 3, 3);
     * b = (0.5, −0.5, 1, 2); stride 2, padding 1; the loss Σ out·(arange·0.01). Values printed by PyTorch 1.13
     * ({@code F.conv2d}, {@code F.max_pool2d(x, 3, 2, 1)}, {@code F.avg_pool2d(x, 3, 2, 1)}) in float64.
     */
    @Nested
    class AgainstPyTorch {
        private Tensor input() {
            Tensor y = Tensor.arange(DType.FLOAT64, 0, 150, 1).mul(0.1).sub(3.0).reshape(2, 3, 5, 5);
            return y.mul(y).sub(y.mul(2.0)).detach().requiresGrad(true);
        }

        @Test
        void conv2dForwardAndGradients() {
            Tensor x = input();
            Tensor w = Tensor.arange(DType.FLOAT64, 0, 108, 1).mul(0.05).sub(1.0).reshape(4, 3, 3, 3).detach()
                    .requiresGrad(true);
            Tensor b = Tensor.of(new double[] {0.5, -0.5, 1, 2}, 4).requiresGrad(true);
            Tensor out = x.conv2d(w, b, 2, 1);
            assertEquals(Shape.of(2, 4, 3, 3), out.shape());
            assertEquals(64401.32500000001, out.sum().item(), 1e-9);
            assertEquals(2613.4570000000003, out.at(1, 2, 1, 2), 1e-10);
            assertEquals(153.03300000000007, out.at(0, 3, 2, 0), 1e-10);
            out.mul(Tensor.arange(DType.FLOAT64, 0, out.numel(), 1).mul(0.01).reshape(out.shape())).sum().backward();
            assertEquals(876.2040000000002, x.grad().sum().item(), 1e-9);
            assertEquals(8.449000000000002, x.grad().at(1, 1, 2, 3), 1e-12);
            assertEquals(120.43960000000003, w.grad().at(2, 1, 0, 2), 1e-10);
            assertEquals(8.82, b.grad().at(3), 1e-12);
        }

        @Test
        void pools() {
            Tensor x = input().detach();
            assertEquals(1798.98, x.maxPool2d(3, 2, 1).sum().item(), 1e-9);
            Tensor avg = x.avgPool2d(3, 2, 1);
            assertEquals(966.1944444444445, avg.sum().item(), 1e-9);
            assertEquals(34.00222222222223, avg.at(1, 2, 0, 0), 1e-12);
        }
    }

    @Nested
    class Errors {
        @Test
        void channelMismatchNamesBothCountsAndTheWeightShape() {
            Tensor x = Tensor.zeros(DType.FLOAT32, 2, 3, 8, 8);
            Tensor w = Tensor.zeros(DType.FLOAT32, 8, 4, 5, 5);
            ShapeException e = assertThrows(ShapeException.class, () -> x.conv2d(w, null, 1, 0));
            assertTrue(e.getMessage().startsWith("conv2d: input has 3 channels but the weight expects 4 (weight shape "
                    + "(8, 4, 5, 5)"), e.getMessage());
        }

        @Test
        void kernelLargerThanPaddedInputSaysSo() {
            Tensor x = Tensor.zeros(DType.FLOAT32, 1, 1, 3, 3);
            ShapeException e = assertThrows(ShapeException.class,
                    () -> x.conv2d(Tensor.zeros(DType.FLOAT32, 1, 1, 5, 5), null, 1, 0));
            assertTrue(e.getMessage().contains("5x5 window does not fit the input (1, 1, 3, 3)"), e.getMessage());
        }

        @Test
        void biasOfTheWrongSizeNamesTheOutputChannels() {
            Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 4, 4);
            ShapeException e = assertThrows(ShapeException.class, () -> x.conv2d(
                    Tensor.zeros(DType.FLOAT32, 3, 2, 3, 3), Tensor.zeros(DType.FLOAT32, 2), 1, 0));
            assertTrue(e.getMessage().contains("has 3 output channels"), e.getMessage());
        }

        @Test
        void inputMustBeFourDimensional() {
            ShapeException e = assertThrows(ShapeException.class,
                    () -> Tensor.zeros(DType.FLOAT32, 3, 8, 8).maxPool2d(2, 2, 0));
            assertTrue(e.getMessage().startsWith("maxPool2d: expected a 4-d input (N, C, H, W)"), e.getMessage());
        }

        @Test
        void poolingPaddingAboveHalfTheKernelIsRejected() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.zeros(DType.FLOAT32, 1, 1, 8, 8).avgPool2d(2, 2, 2));
            assertTrue(e.getMessage().startsWith("avgPool2d: padding 2 is more than half the kernel size 2"),
                    e.getMessage());
        }

        @Test
        void strideMustBePositive() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.zeros(DType.FLOAT32, 1, 1, 8, 8).conv2d(Tensor.zeros(DType.FLOAT32, 1, 1, 3, 3), null, 0, 0));
            assertEquals("conv2d: stride must be >= 1, got 0", e.getMessage());
        }
    }

    @Test
    void maxPoolingPicksNaNAndRoutesTheWholeGradientToOneElement() {
        Tensor x = Tensor.of(new double[] {1, 5, 5, 2, Double.NaN, 0, 3, 4}, 1, 2, 2, 2).requiresGrad(true);
        Tensor y = x.maxPool2d(2, 2, 0);
        assertEquals(5, y.get(0));
        assertTrue(Double.isNaN(y.get(1)));
        y.sum().backward();
        // The first of the tied maxima takes all of the gradient, as in PyTorch.
        assertValues(new double[] {0, 1, 0, 0, 1, 0, 0, 0}, x.grad(), 0);
    }
}

package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Vector API sums against plain double loops written out here, on float32 data and on the same values as
 * float64: the reductions agree to double rounding, the per-element accumulations down rows exactly, and the row
 * gradient sums that run in float lanes to well within float32 rounding. Lengths around the vector widths exercise
 * the scalar tails.
 */
class VectorReductionsTest {
    private static final double RELATIVE = 1e-13;

    @Nested
    class Reductions {
        @ParameterizedTest(name = "length {0}")
        @ValueSource(ints = {1, 3, 7, 8, 9, 16, 17, 31, 33, 63, 576, 1031})
        void agreeWithPlainDoubleLoops(int length) {
            assertTrue(Elements.VECTOR_API, "surefire runs with the Vector API module");
            int off = 5;
            float[] x = values(off + length, 1, 3.0f);
            float[] g = values(off + length, 2, 0.5f);
            double[] wx = widen(x);
            double[] wg = widen(g);
            double squares = 0;
            double deviations = 0;
            double sumG = 0;
            double sumGX = 0;
            for (int i = off; i < off + length; i++) {
                squares += (wx[i] - 2.9) * (wx[i] - 2.9);
                deviations += wx[i] - 2.9;
                sumG += wg[i];
                sumGX += wg[i] * (wx[i] - 2.9);
            }
            double[] actual = new double[2];
            VectorReductions.deviations(x, off, length, 2.9, actual);
            close(squares, actual[0]);
            close(deviations, actual[1]);
            VectorReductions.deviations(wx, off, length, 2.9, actual);
            close(squares, actual[0]);
            close(deviations, actual[1]);

            VectorReductions.gradSums(x, g, off, length, 2.9, actual);
            close(sumG, actual[0]);
            close(sumGX, actual[1]);
            VectorReductions.gradSums(wx, wg, off, length, 2.9, actual);
            close(sumG, actual[0]);
            close(sumGX, actual[1]);
        }
    }

    @Nested
    class AccumulationsDownRows {
        @ParameterizedTest(name = "length {0}")
        @ValueSource(ints = {1, 7, 8, 9, 16, 17, 256, 261})
        void areExact(int length) {
            int off = 3;
            int a = 2;
            int rows = 5;
            int stride = length + 4;
            float[] x = values(off + rows * stride, 3, 1.0f);
            float[] g = values(off + rows * stride, 4, 1.0f);
            double[] center = widen(values(a + length, 5, 0.2f));
            double[] m2 = widen(values(a + length, 7, 1.0f));
            double[] corr = widen(values(a + length, 8, 1.0f));
            double[] sumG = widen(values(a + length, 9, 1.0f));
            double[] sumGX = widen(values(a + length, 10, 1.0f));
            double[] m2v = m2.clone();
            double[] corrv = corr.clone();
            double[] sumGv = sumG.clone();
            double[] sumGXv = sumGX.clone();
            double[] m2d = m2.clone();
            double[] corrd = corr.clone();
            double[] sumGd = sumG.clone();
            double[] sumGXd = sumGX.clone();
            for (int n = 0; n < rows; n++) {
                for (int i = 0; i < length; i++) {
                    int at = off + n * stride + i;
                    double v = (double) x[at] - center[a + i];
                    m2[a + i] += v * v;
                    corr[a + i] += v;
                    sumG[a + i] += g[at];
                    sumGX[a + i] += g[at] * ((double) x[at] - center[a + i]);
                }
            }
            VectorReductions.accumulateDeviations(x, m2v, corrv, center, a, off, stride, rows, length);
            VectorReductions.accumulateGradAcross(x, g, off, stride, rows, length, center, sumGv, sumGXv, a);
            VectorReductions.accumulateDeviations(widen(x), m2d, corrd, center, a, off, stride, rows, length);
            VectorReductions.accumulateGradAcross(widen(x), widen(g), off, stride, rows, length, center, sumGd,
                    sumGXd, a);
            assertArrayEquals(m2, m2v);
            assertArrayEquals(corr, corrv);
            assertArrayEquals(sumG, sumGv);
            assertArrayEquals(sumGX, sumGXv);
            assertArrayEquals(m2, m2d);
            assertArrayEquals(corr, corrd);
            assertArrayEquals(sumG, sumGd);
            assertArrayEquals(sumGX, sumGXd);
        }
    }

    @Nested
    class RowGradientSumsInFloatLanes {
        @ParameterizedTest(name = "length {0}")
        @ValueSource(ints = {1, 15, 16, 17, 255, 256, 257, 768, 1031})
        void stayWithinFloatRoundingOfTheDoubleSums(int length) {
            int off = 7;
            int a = 1;
            float[] x = values(off + length, 11, 4.0f);
            float[] g = values(off + length, 12, 0.0f);
            float[] gamma = values(a + length, 13, 1.0f);
            float mean = 4.0f;
            float rstd = 1.7f;
            double sg = 0;
            double sgx = 0;
            double scale = 0;
            for (int i = 0; i < length; i++) {
                double scaled = (double) g[off + i] * gamma[a + i];
                sg += scaled;
                sgx += scaled * (x[off + i] - mean);
                scale += Math.abs(scaled) * (1 + Math.abs(x[off + i] - mean));
            }
            float[] sumG = new float[a + length];
            float[] sumGXhat = new float[a + length];
            double[] out = new double[2];
            VectorReductions.accumulateGradRow(x, g, off, length, mean, rstd, gamma, sumG, sumGXhat, a, out);
            // A float lane sums at most FLOAT_RUN products before moving into double: its error is bounded by that
            // many roundings of the terms' magnitudes.
            double bound = (VectorReductions.FLOAT_RUN + 2) * 0x1p-24 * scale;
            assertEquals(sg, out[0], bound);
            assertEquals(sgx, out[1], bound);
            for (int i = 0; i < length; i++) {
                assertEquals(g[off + i], sumG[a + i]);
                assertEquals(g[off + i] * (x[off + i] - mean) * rstd, sumGXhat[a + i], 1e-6);
            }

            VectorReductions.accumulateGradRow(x, g, off, length, mean, rstd, gamma, null, null, a, out);
            assertEquals(sg, out[0], bound);
            assertEquals(sgx, out[1], bound);
        }
    }

    private static void close(double expected, double actual) {
        assertEquals(expected, actual, RELATIVE * Math.max(1, Math.abs(expected)));
    }

    /** Gaussian values around {@code mean}, so sums of deviations do not cancel to nothing. */
    private static float[] values(int n, long seed, float mean) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = mean + (float) (random.nextDouble() * 2 - 1);
        }
        return v;
    }

    private static double[] widen(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}

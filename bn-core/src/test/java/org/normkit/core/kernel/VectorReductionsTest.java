package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Vector API sums of float32 data against the scalar loops of {@link Elements.F64} on the same values widened to
 * double (what {@link Elements.F32} computes without the module): the reductions agree to double rounding, the
 * per-element accumulations exactly. Lengths around the vector width exercise the scalar tails.
 */
class VectorReductionsTest {
    private static final double RELATIVE = 1e-13;

    @ParameterizedTest(name = "length {0}")
    @ValueSource(ints = {1, 3, 7, 8, 9, 16, 17, 63, 576, 1031})
    void reductionsAgreeWithTheScalarLoops(int length) {
        assertTrue(Elements.VECTOR_API, "surefire runs with the Vector API module");
        int off = 5;
        float[] x = values(off + length, 1, 3.0f);
        float[] g = values(off + length, 2, 0.5f);
        Elements.F64 wx = new Elements.F64(widen(x));
        Elements.F64 wg = new Elements.F64(widen(g));

        close(wx.sum(off, length), VectorReductions.sum(x, off, length));

        double[] expected = new double[2];
        double[] actual = new double[2];
        wx.deviations(off, length, 2.9, expected);
        VectorReductions.deviations(x, off, length, 2.9, actual);
        close(expected[0], actual[0]);
        close(expected[1], actual[1]);

        wx.gradSums(wg, off, length, 2.9, expected);
        VectorReductions.gradSums(x, g, off, length, 2.9, actual);
        close(expected[0], actual[0]);
        close(expected[1], actual[1]);
    }

    @ParameterizedTest(name = "length {0}")
    @ValueSource(ints = {1, 7, 8, 9, 256, 261})
    void perElementAccumulationsAreExact(int length) {
        int off = 3;
        int a = 2;
        float[] x = values(off + length, 3, 1.0f);
        float[] g = values(off + length, 4, 1.0f);
        double[] center = widen(values(a + length, 5, 0.2f));
        Elements.F64 wx = new Elements.F64(widen(x));
        Elements.F64 wg = new Elements.F64(widen(g));

        double[] expected = widen(values(a + length, 6, 1.0f));
        double[] actual = expected.clone();
        wx.accumulate(expected, a, off, length);
        VectorReductions.accumulate(x, actual, a, off, length);
        assertArrayEquals(expected, actual);

        double[] m2 = widen(values(a + length, 7, 1.0f));
        double[] corr = widen(values(a + length, 8, 1.0f));
        double[] m2v = m2.clone();
        double[] corrv = corr.clone();
        wx.accumulateDeviations(m2, corr, center, a, off, length);
        VectorReductions.accumulateDeviations(x, m2v, corrv, center, a, off, length);
        assertArrayEquals(m2, m2v);
        assertArrayEquals(corr, corrv);

        double[] sumG = new double[a + length];
        double[] sumGX = new double[a + length];
        double[] sumGv = new double[a + length];
        double[] sumGXv = new double[a + length];
        wx.accumulateGradAcross(wg, off, length, center, sumG, sumGX, a);
        VectorReductions.accumulateGradAcross(x, g, off, length, center, sumGv, sumGXv, a);
        assertArrayEquals(sumG, sumGv);
        assertArrayEquals(sumGX, sumGXv);
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

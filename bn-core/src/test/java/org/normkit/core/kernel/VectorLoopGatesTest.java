package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Why {@link VectorLoopGates} may switch a kernel from its scalar loop to its vector loop in the middle of a run:
 * each loop of {@link VectorLoops} gives the bits of the scalar loop in {@link Elements}, for both dtypes, at every
 * length modulo the vector width (tails), at offsets into the data and the coefficients, with special values.
 */
class VectorLoopGatesTest {
    private static final int[] LENGTHS = {1, 3, 8, 15, 16, 17, 33, 259};
    private boolean vectorApi;

    @BeforeEach
    void remember() {
        vectorApi = Elements.VECTOR_API;
    }

    @AfterEach
    void restore() {
        Elements.VECTOR_API = vectorApi;
    }

    private static double[] values(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] special = {Double.NaN, Double.POSITIVE_INFINITY, -0.0, 0.0, Double.MIN_VALUE, 1e-40, 3e38, -1e300};
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextInt(10) == 0 ? special[random.nextInt(special.length)] : random.nextDouble(-8, 8);
        }
        return v;
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** Runs {@code loop} with the scalar loops, then calls {@code vector}; both write into a fresh output each. */
    private static void assertSameBits32(int n, Consumer<Elements.OfFloat> scalar, Consumer<float[]> vector) {
        float[] viaScalar = new float[n + 5];
        float[] viaVector = new float[n + 5];
        Elements.VECTOR_API = false;
        scalar.accept(new Elements.OfFloat(viaScalar));
        vector.accept(viaVector);
        int[] a = new int[n + 5];
        int[] b = new int[n + 5];
        for (int i = 0; i < n + 5; i++) {
            a[i] = Float.floatToRawIntBits(viaScalar[i]);
            b[i] = Float.floatToRawIntBits(viaVector[i]);
        }
        assertArrayEquals(a, b, "float32, length " + n);
    }

    private static void assertSameBits64(int n, Consumer<Elements.OfDouble> scalar, Consumer<double[]> vector) {
        double[] viaScalar = new double[n + 5];
        double[] viaVector = new double[n + 5];
        Elements.VECTOR_API = false;
        scalar.accept(new Elements.OfDouble(viaScalar));
        vector.accept(viaVector);
        long[] a = new long[n + 5];
        long[] b = new long[n + 5];
        for (int i = 0; i < n + 5; i++) {
            a[i] = Double.doubleToRawLongBits(viaScalar[i]);
            b[i] = Double.doubleToRawLongBits(viaVector[i]);
        }
        assertArrayEquals(a, b, "float64, length " + n);
    }

    @Test
    void normalizeAcrossGivesTheScalarLoopsBits() {
        for (int n : LENGTHS) {
            double[] x = values(n + 5, n);
            Coefficients m = Coefficients.of(values(n + 2, n + 1), true);
            Coefficients sc = Coefficients.of(values(n + 2, n + 2), true);
            Coefficients sh = Coefficients.of(values(n + 2, n + 3), true);
            float[] xf = floats(x);
            assertSameBits32(n, out -> new Elements.OfFloat(xf).normalizeAcross(out, 3, n, m, sc, sh, 2),
                    out -> VectorLoops.normalizeAcross(xf, out, 3, n, m.f, sc.f, sh.f, 2));
            assertSameBits64(n, out -> new Elements.OfDouble(x).normalizeAcross(out, 3, n, m, sc, sh, 2),
                    out -> VectorLoops.normalizeAcross(x, out, 3, n, m.d, sc.d, sh.d, 2));
        }
    }

    @Test
    void normalizeRowGivesTheScalarLoopsBits() {
        for (int n : LENGTHS) {
            double[] x = values(n + 5, n);
            Coefficients gamma = Coefficients.of(values(n + 2, n + 1), true);
            Coefficients beta = Coefficients.of(values(n + 2, n + 2), true);
            float[] xf = floats(x);
            assertSameBits32(n, out -> new Elements.OfFloat(xf).normalizeRow(out, 3, n, 0.37, 1.9, gamma, beta, 1),
                    out -> VectorLoops.normalizeRow(xf, out, 3, n, 0.37f, 1.9f, gamma.f, beta.f, 1));
            assertSameBits64(n, out -> new Elements.OfDouble(x).normalizeRow(out, 3, n, 0.37, 1.9, gamma, beta, 1),
                    out -> VectorLoops.normalizeRow(x, out, 3, n, 0.37, 1.9, gamma.d, beta.d, 1));
        }
    }

    @Test
    void gradInputAcrossGivesTheScalarLoopsBits() {
        for (int n : LENGTHS) {
            double[] x = values(n + 5, n);
            double[] g = values(n + 5, n + 9);
            Coefficients m = Coefficients.of(values(n + 2, n + 1), true);
            Coefficients a = Coefficients.of(values(n + 2, n + 2), true);
            Coefficients b = Coefficients.of(values(n + 2, n + 3), true);
            Coefficients c = Coefficients.of(values(n + 2, n + 4), true);
            float[] xf = floats(x);
            float[] gf = floats(g);
            assertSameBits32(n, out -> new Elements.OfFloat(xf).gradInputAcross(new Elements.OfFloat(gf), out, 3, n, m, a, b,
                            c, 2),
                    out -> VectorLoops.gradInputAcross(xf, gf, out, 3, n, m.f, a.f, b.f, c.f, 2));
            assertSameBits64(n, out -> new Elements.OfDouble(x).gradInputAcross(new Elements.OfDouble(g), out, 3, n, m, a, b,
                            c, 2),
                    out -> VectorLoops.gradInputAcross(x, g, out, 3, n, m.d, a.d, b.d, c.d, 2));
        }
    }

    @Test
    void gradInputRowGivesTheScalarLoopsBits() {
        for (int n : LENGTHS) {
            double[] x = values(n + 5, n);
            double[] g = values(n + 5, n + 9);
            Coefficients gamma = Coefficients.of(values(n + 2, n + 1), true);
            float[] xf = floats(x);
            float[] gf = floats(g);
            assertSameBits32(n, out -> new Elements.OfFloat(xf).gradInputRow(new Elements.OfFloat(gf), out, 3, n, 0.37, 1.9,
                            gamma, 2, -0.8, 0.05),
                    out -> VectorLoops.gradInputRow(xf, gf, out, 3, n, 0.37f, 1.9f, gamma.f, 2, -0.8f, 0.05f));
            assertSameBits64(n, out -> new Elements.OfDouble(x).gradInputRow(new Elements.OfDouble(g), out, 3, n, 0.37, 1.9,
                            gamma, 2, -0.8, 0.05),
                    out -> VectorLoops.gradInputRow(x, g, out, 3, n, 0.37, 1.9, gamma.d, 2, -0.8, 0.05));
        }
    }
}

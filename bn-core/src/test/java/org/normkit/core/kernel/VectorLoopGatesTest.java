package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Why {@link VectorLoopGates} may switch a kernel from its scalar loop to its vector loop in the middle of a run:
 * each loop of {@link VectorLoops} and the strip sums of {@link VectorReductions} give the bits of the scalar loop in
 * {@link Elements}, and the run and row sums of {@code VectorReductions} the bits of their lane-by-lane twins, for
 * both dtypes, at every length modulo the vector width (tails), at offsets into the data and the coefficients, with
 * special values. The sums are compared over thousands of calls, so the vector loops' compiled code is held against
 * the twins as well as their interpreted code (the JIT compiles a loop after some thousands of iterations).
 */
class VectorLoopGatesTest {
    private static final int[] LENGTHS = {1, 3, 8, 15, 16, 17, 33, 85, 259};
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

    /** Rows of the strip loops ("Across"): one row, and several with columns left between them untouched. */
    private static final int[] ROWS = {1, 4};

    @Test
    void normalizeAcrossGivesTheScalarLoopsBits() {
        for (int rows : ROWS) {
            for (int n : LENGTHS) {
                int stride = n + 7;
                int size = 3 + rows * stride;
                double[] x = values(size + 5, n);
                Coefficients m = Coefficients.of(values(n + 2, n + 1), true);
                Coefficients sc = Coefficients.of(values(n + 2, n + 2), true);
                Coefficients sh = Coefficients.of(values(n + 2, n + 3), true);
                float[] xf = floats(x);
                assertSameBits32(size, out -> new Elements.OfFloat(xf).normalizeAcross(out, 3, stride, rows, n, m, sc,
                                sh, 2),
                        out -> VectorLoops.normalizeAcross(xf, out, 3, stride, rows, n, m.f, sc.f, sh.f, 2));
                assertSameBits64(size, out -> new Elements.OfDouble(x).normalizeAcross(out, 3, stride, rows, n, m, sc,
                                sh, 2),
                        out -> VectorLoops.normalizeAcross(x, out, 3, stride, rows, n, m.d, sc.d, sh.d, 2));
            }
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
        for (int rows : ROWS) {
            for (int n : LENGTHS) {
                int stride = n + 7;
                int size = 3 + rows * stride;
                double[] x = values(size + 5, n);
                double[] g = values(size + 5, n + 9);
                Coefficients m = Coefficients.of(values(n + 2, n + 1), true);
                Coefficients a = Coefficients.of(values(n + 2, n + 2), true);
                Coefficients b = Coefficients.of(values(n + 2, n + 3), true);
                Coefficients c = Coefficients.of(values(n + 2, n + 4), true);
                float[] xf = floats(x);
                float[] gf = floats(g);
                assertSameBits32(size, out -> new Elements.OfFloat(xf).gradInputAcross(new Elements.OfFloat(gf), out, 3,
                                stride, rows, n, m, a, b, c, 2),
                        out -> VectorLoops.gradInputAcross(xf, gf, out, 3, stride, rows, n, m.f, a.f, b.f, c.f, 2));
                assertSameBits64(size, out -> new Elements.OfDouble(x).gradInputAcross(new Elements.OfDouble(g), out,
                                3, stride, rows, n, m, a, b, c, 2),
                        out -> VectorLoops.gradInputAcross(x, g, out, 3, stride, rows, n, m.d, a.d, b.d, c.d, 2));
            }
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

    private static final int[] SUM_LENGTHS = {1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 47, 64, 65, 259, 576};
    /** Calls of each sum per length: enough iterations for the JIT to compile the vector loops during the test. */
    private static final int REPEATS = 60;

    /**
     * Values for the sums: every tenth repeat with special values (which make most sums NaN or infinite), the others
     * finite, of magnitudes spread over six decades so that the order of the additions shows in the rounding.
     */
    private static double[] sumValues(int n, long seed, int repeat) {
        if (repeat % 10 == 0) {
            return values(n, seed);
        }
        SplittableRandom random = new SplittableRandom(seed * 31 + repeat);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextDouble(-8, 8) * Math.pow(10, random.nextInt(-3, 4));
        }
        return v;
    }

    /** Bits of a double, NaNs collapsed: which NaN a sum of NaNs returns is not specified. */
    private static long bits(double v) {
        return Double.doubleToLongBits(v);
    }

    private static void assertSameSums(double[] expected, double[] actual, String what) {
        assertEquals(bits(expected[0]), bits(actual[0]), what + ": first sum " + expected[0] + " vs " + actual[0]);
        assertEquals(bits(expected[1]), bits(actual[1]), what + ": second sum " + expected[1] + " vs " + actual[1]);
    }

    @Test
    void runSumsInLanesGiveTheVectorLoopsBits() {
        assertTrue(Elements.VECTOR_API, "surefire runs with the Vector API module");
        double[] viaVector = new double[2];
        double[] viaLanes = new double[2];
        for (int repeat = 0; repeat < REPEATS; repeat++) {
            for (int n : SUM_LENGTHS) {
                double[] x = sumValues(n + 5, n, repeat);
                double[] g = sumValues(n + 5, n + 9, repeat);
                float[] xf = floats(x);
                float[] gf = floats(g);
                String what = "length " + n + ", repeat " + repeat;
                VectorReductions.deviations(xf, 3, n, 0.37, viaVector);
                VectorReductions.deviationsInLanes(xf, 3, n, 0.37, viaLanes);
                assertSameSums(viaVector, viaLanes, "deviations float32, " + what);
                VectorReductions.deviations(x, 3, n, 0.37, viaVector);
                VectorReductions.deviationsInLanes(x, 3, n, 0.37, viaLanes);
                assertSameSums(viaVector, viaLanes, "deviations float64, " + what);
                VectorReductions.gradSums(xf, gf, 3, n, -1.3, viaVector);
                VectorReductions.gradSumsInLanes(xf, gf, 3, n, -1.3, viaLanes);
                assertSameSums(viaVector, viaLanes, "gradSums float32, " + what);
                VectorReductions.gradSums(x, g, 3, n, -1.3, viaVector);
                VectorReductions.gradSumsInLanes(x, g, 3, n, -1.3, viaLanes);
                assertSameSums(viaVector, viaLanes, "gradSums float64, " + what);
            }
        }
    }

    @Test
    void rowSumsInLanesGiveTheVectorLoopsBits() {
        assertTrue(Elements.VECTOR_API, "surefire runs with the Vector API module");
        double[] viaVector = new double[2];
        double[] viaLanes = new double[2];
        for (int repeat = 0; repeat < REPEATS; repeat++) {
            for (int n : SUM_LENGTHS) {
                double[] x = sumValues(n + 5, n, repeat);
                double[] g = sumValues(n + 5, n + 9, repeat);
                Coefficients gamma = Coefficients.of(sumValues(n + 2, n + 1, repeat), true);
                float[] xf = floats(x);
                float[] gf = floats(g);
                String what = "length " + n + ", repeat " + repeat;
                float[] gVector = floats(sumValues(n + 2, 40 + n, repeat));
                float[] gxVector = floats(sumValues(n + 2, 41 + n, repeat));
                float[] gLanes = gVector.clone();
                float[] gxLanes = gxVector.clone();
                VectorReductions.accumulateGradRow(xf, gf, 3, n, 0.37f, 1.9f, gamma.f, null, null, 2, viaVector);
                VectorReductions.accumulateGradRowInLanes(xf, gf, 3, n, 0.37f, 1.9f, gamma.f, null, null, 2, viaLanes);
                assertSameSums(viaVector, viaLanes, "accumulateGradRow float32, " + what);
                VectorReductions.accumulateGradRow(xf, gf, 3, n, 0.37f, 1.9f, gamma.f, gVector, gxVector, 2,
                        viaVector);
                VectorReductions.accumulateGradRowInLanes(xf, gf, 3, n, 0.37f, 1.9f, gamma.f, gLanes, gxLanes, 2,
                        viaLanes);
                assertSameSums(viaVector, viaLanes, "accumulateGradRow float32 with partials, " + what);
                for (int i = 0; i < gVector.length; i++) {
                    assertEquals(Float.floatToIntBits(gVector[i]), Float.floatToIntBits(gLanes[i]), what + " Σg " + i);
                    assertEquals(Float.floatToIntBits(gxVector[i]), Float.floatToIntBits(gxLanes[i]),
                            what + " Σg·x̂ " + i);
                }
                double[] dVector = sumValues(n + 2, 40 + n, repeat);
                double[] dxVector = sumValues(n + 2, 41 + n, repeat);
                double[] dLanes = dVector.clone();
                double[] dxLanes = dxVector.clone();
                VectorReductions.accumulateGradRow(x, g, 3, n, 0.37, 1.9, gamma.d, null, null, 2, viaVector);
                VectorReductions.accumulateGradRowInLanes(x, g, 3, n, 0.37, 1.9, gamma.d, null, null, 2, viaLanes);
                assertSameSums(viaVector, viaLanes, "accumulateGradRow float64, " + what);
                VectorReductions.accumulateGradRow(x, g, 3, n, 0.37, 1.9, gamma.d, dVector, dxVector, 2, viaVector);
                VectorReductions.accumulateGradRowInLanes(x, g, 3, n, 0.37, 1.9, gamma.d, dLanes, dxLanes, 2,
                        viaLanes);
                assertSameSums(viaVector, viaLanes, "accumulateGradRow float64 with partials, " + what);
                for (int i = 0; i < dVector.length; i++) {
                    assertEquals(bits(dVector[i]), bits(dLanes[i]), what + " Σg " + i);
                    assertEquals(bits(dxVector[i]), bits(dxLanes[i]), what + " Σg·x̂ " + i);
                }
            }
        }
    }

    @Test
    void stripSumsGiveTheScalarLoopsBits() {
        assertTrue(Elements.VECTOR_API, "surefire runs with the Vector API module");
        int rows = 6;
        for (int repeat = 0; repeat < REPEATS; repeat++) {
            for (int n : SUM_LENGTHS) {
                int stride = n + 3;
                double[] x = sumValues(3 + rows * stride, n, repeat);
                double[] g = sumValues(3 + rows * stride, n + 9, repeat);
                double[] center = sumValues(n + 2, n + 1, repeat);
                float[] xf = floats(x);
                float[] gf = floats(g);
                double[][] vector = {sumValues(n + 2, n + 20, repeat), sumValues(n + 2, n + 21, repeat)};
                double[][] scalar = {vector[0].clone(), vector[1].clone()};
                VectorReductions.accumulateDeviations(xf, vector[0], vector[1], center, 2, 3, stride, rows, n);
                Elements.VECTOR_API = false;
                new Elements.OfFloat(xf).accumulateDeviations(scalar[0], scalar[1], center, 2, 3, stride, rows, n);
                Elements.VECTOR_API = vectorApi;
                assertSameColumns(scalar, vector, "accumulateDeviations float32, length " + n);
                VectorReductions.accumulateDeviations(x, vector[0], vector[1], center, 2, 3, stride, rows, n);
                Elements.VECTOR_API = false;
                new Elements.OfDouble(x).accumulateDeviations(scalar[0], scalar[1], center, 2, 3, stride, rows, n);
                Elements.VECTOR_API = vectorApi;
                assertSameColumns(scalar, vector, "accumulateDeviations float64, length " + n);
                VectorReductions.accumulateGradAcross(xf, gf, 3, stride, rows, n, center, vector[0], vector[1], 2);
                Elements.VECTOR_API = false;
                new Elements.OfFloat(xf).accumulateGradAcross(new Elements.OfFloat(gf), 3, stride, rows, n, center,
                        scalar[0], scalar[1], 2);
                Elements.VECTOR_API = vectorApi;
                assertSameColumns(scalar, vector, "accumulateGradAcross float32, length " + n);
                VectorReductions.accumulateGradAcross(x, g, 3, stride, rows, n, center, vector[0], vector[1], 2);
                Elements.VECTOR_API = false;
                new Elements.OfDouble(x).accumulateGradAcross(new Elements.OfDouble(g), 3, stride, rows, n, center,
                        scalar[0], scalar[1], 2);
                Elements.VECTOR_API = vectorApi;
                assertSameColumns(scalar, vector, "accumulateGradAcross float64, length " + n);
            }
        }
    }

    private static void assertSameColumns(double[][] expected, double[][] actual, String what) {
        for (int k = 0; k < 2; k++) {
            for (int i = 0; i < expected[k].length; i++) {
                assertEquals(bits(expected[k][i]), bits(actual[k][i]), what + ", sum " + k + ", column " + i);
            }
        }
    }
}

package org.normkit.autograd.loops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.parallel.KernelThreads;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The row-major mapping of {@link Gemm} through every BLAS implementation netlib may pick, against a naive triple
 * loop: the one loaded here (JNIBLAS where the system BLAS loads), {@code JavaBLAS.getInstance()} (VectorBLAS under
 * surefire's {@code --add-modules=jdk.incubator.vector}, else Java11BLAS), and the plain-Java Java11BLAS and
 * F2jBLAS fallbacks, reached by reflection since netlib keeps those classes package-private.
 */
class GemmTest {

    static Stream<Arguments> implementations() {
        return Stream.of("default", "JavaBLAS", "dev.ludovic.netlib.blas.Java11BLAS", "dev.ludovic.netlib.blas.F2jBLAS")
                .map(name -> Arguments.of(name, blas(name)));
    }

    private static BLAS blas(String name) {
        if (name.equals("default")) {
            return BLAS.getInstance();
        }
        if (name.equals("JavaBLAS")) {
            return JavaBLAS.getInstance();
        }
        try {
            Method getInstance = Class.forName(name).getDeclaredMethod("getInstance");
            getInstance.setAccessible(true);
            return (BLAS) getInstance.invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot reach " + name + " in this netlib version", e);
        }
    }

    private static final List<int[]> SIZES = List.of(
            new int[] {1, 1, 1}, new int[] {2, 3, 4}, new int[] {5, 1, 3}, new int[] {3, 7, 1}, new int[] {6, 25, 13},
            new int[] {17, 9, 33});

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void productsMatchATripleLoopInEveryTransposeAndOffset(String name, BLAS blas) {
        SplittableRandom random = new SplittableRandom(7);
        for (int[] size : SIZES) {
            int m = size[0], n = size[1], k = size[2];
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (double beta : new double[] {0, 1}) {
                        double[] a = random(random, 3 + m * k);
                        double[] b = random(random, 2 + k * n);
                        double[] c = random(random, 5 + m * n);
                        double[] expected = c.clone();
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                double s = 0;
                                for (int q = 0; q < k; q++) {
                                    s += a[3 + (ta ? q * m + i : i * k + q)] * b[2 + (tb ? j * k + q : q * n + j)];
                                }
                                expected[5 + i * n + j] = s + beta * c[5 + i * n + j];
                            }
                        }
                        float[] cf = toFloat(c);
                        double[] cd = c.clone();
                        Gemm.dgemm(blas, ta, tb, m, n, k, a, 3, b, 2, beta, cd, 5);
                        Gemm.sgemm(blas, ta, tb, m, n, k, toFloat(a), 3, toFloat(b), 2, (float) beta, cf, 5);
                        String what = name + " " + m + "x" + n + "x" + k + " transA=" + ta + " transB=" + tb
                                + " beta=" + beta;
                        for (int i = 0; i < c.length; i++) {
                            assertEquals(expected[i], cd[i], 1e-12, what + " (float64) at " + i);
                            assertEquals(expected[i], cf[i], 1e-4, what + " (float32) at " + i);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void productsCutIntoRowBlocksMatchATripleLoopWithTheSameBitsOnOneAndThreeThreads(String name, BLAS blas) {
        int threadsBefore = KernelThreads.get();
        Gemm.setSplitWork(0);
        KernelThreads.shareEveryCall(true);
        Gemm.poolEvenWithAThreadedBlas(true);
        try {
            SplittableRandom random = new SplittableRandom(11);
            // 2 to 4 blocks of uneven rows; n and k odd.
            for (int[] size : List.of(new int[] {131, 5, 7}, new int[] {263, 3, 9}, new int[] {300, 1, 2})) {
                int m = size[0], n = size[1], k = size[2];
                assertTrue(Gemm.rowBlocks(m, n, k) > 1, "cut into blocks: " + m + "x" + n + "x" + k);
                for (boolean ta : new boolean[] {false, true}) {
                    for (boolean tb : new boolean[] {false, true}) {
                        double[] a = random(random, 3 + m * k);
                        double[] b = random(random, 2 + k * n);
                        String what = name + " " + m + "x" + n + "x" + k + " transA=" + ta + " transB=" + tb;
                        double[][] byThreads = new double[2][];
                        float[][] byThreadsF = new float[2][];
                        for (int t = 0; t < 2; t++) {
                            KernelThreads.set(t == 0 ? 1 : 3);
                            byThreads[t] = new double[5 + m * n];
                            byThreadsF[t] = new float[5 + m * n];
                            Gemm.dgemmOverRows(blas, ta, tb, m, n, k, a, 3, b, 2, byThreads[t], 5);
                            Gemm.sgemmOverRows(blas, ta, tb, m, n, k, toFloat(a), 3, toFloat(b), 2,
                                    byThreadsF[t], 5);
                        }
                        assertArrayEquals(byThreads[0], byThreads[1], what + " (float64): 1 and 3 threads");
                        assertArrayEquals(byThreadsF[0], byThreadsF[1], what + " (float32): 1 and 3 threads");
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                double s = 0;
                                for (int q = 0; q < k; q++) {
                                    s += a[3 + (ta ? q * m + i : i * k + q)] * b[2 + (tb ? j * k + q : q * n + j)];
                                }
                                assertEquals(s, byThreads[0][5 + i * n + j], 1e-12, what + " (float64) at " + i
                                        + "," + j);
                                assertEquals(s, byThreadsF[0][5 + i * n + j], 1e-4, what + " (float32) at " + i
                                        + "," + j);
                            }
                        }
                    }
                }
            }
        } finally {
            KernelThreads.set(threadsBefore);
            KernelThreads.shareEveryCall(false);
            Gemm.setSplitWork(Gemm.SPLIT_WORK);
            Gemm.poolEvenWithAThreadedBlas(false);
        }
    }

    @Test
    void aProductIsCutByItsSizeOnly() {
        assertEquals(1, Gemm.rowBlocks(128, 10, 256), "the mlp's last layer: too small to cut");
        assertEquals(2, Gemm.rowBlocks(128, 256, 784), "the mlp's first layer, forward");
        assertEquals(4, Gemm.rowBlocks(256, 784, 128), "the mlp's first layer, weight gradient");
        assertEquals(1, Gemm.rowBlocks(128, 120, 256), "LeNet's first linear layer, forward");
        assertEquals(1, Gemm.rowBlocks(120, 256, 128), "LeNet's first linear layer, weight gradient");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void stridedSlicesEndingAtTheArraysEndMatchATripleLoop(String name, BLAS blas) {
        // Each operand's last row ends exactly at its array's end, less than a row stride after its start: netlib's
        // bounds check counts a whole stride for that row (as for the last sequence's keys in attention's packed
        // projection), so this is the case that must not reach it in place. Rows of C lie apart; the gaps between
        // them must stay as they were.
        SplittableRandom random = new SplittableRandom(11);
        for (int[] size : SIZES) {
            int m = size[0], n = size[1], k = size[2];
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (double beta : new double[] {0, 1}) {
                        int aRows = ta ? k : m, aWidth = ta ? m : k, lda = aWidth + 3, aOffset = 2;
                        int bRows = tb ? n : k, bWidth = tb ? k : n, ldb = bWidth + 5, bOffset = 1;
                        int ldc = n + 4, cOffset = 3;
                        double[] a = random(random, aOffset + (aRows - 1) * lda + aWidth);
                        double[] b = random(random, bOffset + (bRows - 1) * ldb + bWidth);
                        double[] c = random(random, cOffset + (m - 1) * ldc + n);
                        double alpha = 0.25;
                        double[] expected = c.clone();
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                double s = 0;
                                for (int q = 0; q < k; q++) {
                                    s += a[aOffset + (ta ? q * lda + i : i * lda + q)]
                                            * b[bOffset + (tb ? j * ldb + q : q * ldb + j)];
                                }
                                int at = cOffset + i * ldc + j;
                                expected[at] = alpha * s + beta * c[at];
                            }
                        }
                        double[] cd = c.clone();
                        float[] cf = toFloat(c);
                        Gemm.dgemm(blas, ta, tb, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, cd, cOffset,
                                ldc);
                        Gemm.sgemm(blas, ta, tb, m, n, k, (float) alpha, toFloat(a), aOffset, lda, toFloat(b),
                                bOffset, ldb, (float) beta, cf, cOffset, ldc);
                        String what = name + " " + m + "x" + n + "x" + k + " transA=" + ta + " transB=" + tb
                                + " beta=" + beta;
                        for (int i = 0; i < c.length; i++) {
                            assertEquals(expected[i], cd[i], 1e-12, what + " (float64) at " + i);
                            assertEquals(expected[i], cf[i], 1e-4, what + " (float32) at " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void aStridedSliceReachingPastTheArrayIsStillRefused() {
        // Packing serves slices that lie inside their array; one that does not is netlib's error, not a copy.
        double[] a = new double[9];  // 3 rows of 2 at stride 4 reach index 9
        assertThrows(IndexOutOfBoundsException.class, () -> Gemm.dgemm(false, false, 3, 1, 2, 1, a, 0, 4,
                new double[2], 0, 1, 0, new double[3], 0, 1));
    }

    @Test
    void anEmptyInnerDimensionScalesOrClearsTheOutput() {
        double[] c = {Double.NaN, 2};
        Gemm.dgemm(false, false, 1, 2, 0, new double[0], 0, new double[0], 0, 0.0, c, 0);
        assertEquals(0, c[0]);
        assertEquals(0, c[1]);
    }

    @Test
    void theImplementationInUseHasAName() {
        assertTrue(List.of("JNIBLAS", "VectorBLAS", "Java11BLAS", "Java8BLAS").contains(Gemm.implementation()),
                Gemm.implementation());
    }

    private static double[] random(SplittableRandom random, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextDouble(-1, 1);
        }
        return v;
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}

package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * LayerNorm's training forward walks a block's rows in one method ({@link VectorReductions#forwardRows}) with the
 * bits of the row-by-row path it replaces ({@link RowsKernel#rowMoments}, {@code rstd = 1/sqrt(variance + eps)},
 * {@link RowsKernel#normalizeRow}): mean, rstd and every output element, for both dtypes, at row lengths around the
 * vector widths (every tail) up to one moment piece ({@link NormKernel#CHUNK}), for blocks that start after row 0,
 * with a large offset against the spread and constant rows. The whole kernel gives the same bits whichever path it
 * takes, and layouts the walk does not cover (other γ layouts, rows longer than a piece) keep going row by row.
 */
class RowsForwardWalkTest {
    private static final double EPS = 1e-5;
    private boolean vectorApi;

    @BeforeEach
    void remember() {
        vectorApi = Elements.VECTOR_API;
    }

    @AfterEach
    void restore() {
        Elements.VECTOR_API = vectorApi;
    }

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int length : new int[] {1, 3, 7, 8, 15, 16, 17, 31, 33, 85, 259, 768, NormKernel.CHUNK}) {
                for (double offset : new double[] {0, 1e3}) {
                    b.add(Arguments.of(dtype, length, offset));
                }
            }
        }
        return b.build();
    }

    private static Tensor values(DType dtype, int rows, int length, double offset, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[rows * length];
        for (int i = 0; i < v.length; i++) {
            // row 1 constant: variance 0, rstd 1/sqrt(eps)
            v[i] = i / length == 1 ? offset + 0.5 : offset + random.nextDouble(-3, 3);
        }
        Tensor t = Tensor.wrap(v, Shape.of(rows, length));
        return dtype == DType.FLOAT32 ? t.to(DType.FLOAT32) : t;
    }

    private static double[] coefficients(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextDouble(-2, 2);
        }
        return v;
    }

    private static void walk(Tensor x, Tensor y, int length, int first, int end, Coefficients gamma,
                             Coefficients beta, double[] mean, double[] rstd) {
        if (x.dtype() == DType.FLOAT32) {
            VectorReductions.forwardRows(x.floatData(), y.floatData(), length, first, end, EPS, gamma.floats(),
                    beta.floats(), mean, rstd);
        } else {
            VectorReductions.forwardRows(x.doubleData(), y.doubleData(), length, first, end, EPS, gamma.doubles(),
                    beta.doubles(), mean, rstd);
        }
    }

    private static double[] bits(Tensor t) {
        return t.dtype() == DType.FLOAT32 ? t.to(DType.FLOAT64).doubleData() : t.doubleData();
    }

    @ParameterizedTest(name = "{0}, rows of {1}, offset {2}")
    @MethodSource("cases")
    void theWalkGivesTheBitsOfTheRowByRowPath(DType dtype, int length, double offset) {
        int rows = 5;
        Tensor x = values(dtype, rows, length, offset, 17 + length);
        Coefficients gamma = Coefficients.of(coefficients(length, 3), true);
        Coefficients beta = Coefficients.of(coefficients(length, 4), true);
        RowsKernel k = new RowsKernel((Layout.Rows) Layout.rows(rows, length));
        assertTrue(k.forwardInOneWalk());
        for (int first : new int[] {0, 2}) {
            Tensor expectedY = Tensor.zeros(dtype, x.shape());
            double[] expectedMean = new double[rows];
            double[] expectedRstd = new double[rows];
            Elements ex = Elements.of(x);
            Elements ey = Elements.of(expectedY);
            double[] pair = new double[2];
            double[] meanVariance = new double[2];
            for (int r = first; r < rows; r++) {
                k.rowMoments(ex, true, r, pair, meanVariance);
                expectedMean[r] = meanVariance[0];
                expectedRstd[r] = 1.0 / Math.sqrt(meanVariance[1] + EPS);
                k.normalizeRow(ex, ey, r, expectedMean[r], expectedRstd[r], gamma, beta);
            }
            Tensor y = Tensor.zeros(dtype, x.shape());
            double[] mean = new double[rows];
            double[] rstd = new double[rows];
            walk(x, y, length, first, rows, gamma, beta, mean, rstd);
            assertArrayEquals(expectedMean, mean, 0.0, "mean from row " + first);
            assertArrayEquals(expectedRstd, rstd, 0.0, "rstd from row " + first);
            assertArrayEquals(bits(expectedY), bits(y), 0.0, "y from row " + first);
        }
    }

    /**
     * The kernel's LayerNorm training forward, over enough rows for several blocks, against the row-by-row path
     * computed here; repeated for a while so that calls before and after the walk's gate opens (and before and after
     * its loop is compiled) are compared; either way the bits must be the same.
     */
    @Test
    void theKernelGivesTheBitsOfTheRowByRowPathBeforeAndAfterTheWalksGateOpens() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            int rows = 200;
            int length = 96;
            Tensor x = values(dtype, rows, length, 10, 5);
            double[] g = coefficients(length, 6);
            double[] b = coefficients(length, 7);
            Tensor gamma = Tensor.wrap(g, Shape.of(length));
            Tensor beta = Tensor.wrap(b, Shape.of(length));
            if (dtype == DType.FLOAT32) {
                gamma = gamma.to(DType.FLOAT32);
                beta = beta.to(DType.FLOAT32);
            }
            Layout layout = Layout.rows(rows, length);
            RowsKernel k = new RowsKernel((Layout.Rows) layout);
            Tensor expectedY = Tensor.zeros(dtype, x.shape());
            double[] expectedMean = new double[rows];
            double[] expectedRstd = new double[rows];
            Elements ex = Elements.of(x);
            Elements ey = Elements.of(expectedY);
            Coefficients cg = Coefficients.of(g, true);
            Coefficients cb = Coefficients.of(b, true);
            double[] pair = new double[2];
            double[] meanVariance = new double[2];
            for (int r = 0; r < rows; r++) {
                k.rowMoments(ex, true, r, pair, meanVariance);
                expectedMean[r] = meanVariance[0];
                expectedRstd[r] = 1.0 / Math.sqrt(meanVariance[1] + EPS);
                k.normalizeRow(ex, ey, r, expectedMean[r], expectedRstd[r], cg, cb);
            }
            long until = System.nanoTime() + 3_000_000_000L;
            int calls = 0;
            boolean open = false;
            while (calls < 50 || (!open && System.nanoTime() < until)) {
                open = dtype == DType.FLOAT32 ? VectorLoopGates.FORWARD_ROWS_FLOAT32.vectorReady()
                        : VectorLoopGates.FORWARD_ROWS_FLOAT64.vectorReady();
                Tensor y = Tensor.zeros(dtype, x.shape());
                var saved = NormKernel.forward(layout, Centering.CENTERED, EPS, x, gamma, beta, Statistics.batch(), y);
                assertArrayEquals(bits(expectedY), bits(y), 0.0, dtype + " y, call " + calls + ", gate open " + open);
                assertArrayEquals(expectedMean, saved.mean().doubleData(), 0.0, dtype + " mean, call " + calls);
                assertArrayEquals(expectedRstd, saved.rstd().doubleData(), 0.0, dtype + " rstd, call " + calls);
                calls++;
            }
        }
    }

    @Test
    void layoutsTheWalkDoesNotCoverGoRowByRow() {
        assertFalse(new RowsKernel((Layout.Rows) Layout.rows(4, NormKernel.CHUNK + 1)).forwardInOneWalk(),
                "rows longer than one moment piece");
        assertTrue(new RowsKernel((Layout.Rows) Layout.rows(4, NormKernel.CHUNK)).forwardInOneWalk());
        Elements.VECTOR_API = false;
        double[] mean = new double[1];
        assertFalse(Elements.of(Tensor.zeros(DType.FLOAT64, Shape.of(1, 8))).forwardRows(
                Elements.of(Tensor.zeros(DType.FLOAT64, Shape.of(1, 8))), 8, 0, 1, EPS,
                Coefficients.of(new double[8], true), Coefficients.of(new double[8], true), mean, new double[1]));
        assertEquals(0.0, mean[0], "nothing written when the walk declines");
    }
}

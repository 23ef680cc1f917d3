package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
 * GroupNorm's and InstanceNorm's training forward walks a block's rows in one method ({@link RunRows#forward}) with
 * the bits of the row-by-row path it replaces ({@link RowsKernel#rowMoments}, {@code rstd = 1/sqrt(variance + eps)},
 * {@link RowsKernel#normalizeRow} with γ, β per run of {@code spatial} elements): mean, rstd and every output element,
 * for both dtypes, runs around the vector widths (every tail), rows of one moment piece and of several (a run
 * crossing a piece's edge, a short last piece), one to three channels a group, one to four groups a sample, blocks
 * that start after row 0, a large offset against the spread and constant rows. The whole kernel gives the same bits
 * whichever path it takes, and layouts the walk does not cover keep going row by row.
 */
class RunRowsWalkTest {
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
            for (int spatial : new int[] {2, 7, 16, 17, 33, 259, 1037, NormKernel.CHUNK, 3136}) {
                for (int channels : new int[] {1, 2, 3}) {
                    b.add(Arguments.of(dtype, spatial, channels, channels == 2 ? 4 : 2, spatial == 33 ? 1e3 : 0));
                }
            }
        }
        return b.build();
    }

    /** {@code rows} rows of {@code length}, row 1 constant (variance 0, rstd 1/sqrt(eps)). */
    private static Tensor values(DType dtype, int rows, int length, double offset, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[rows * length];
        for (int i = 0; i < v.length; i++) {
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

    private static double[] bits(Tensor t) {
        return t.dtype() == DType.FLOAT32 ? t.to(DType.FLOAT64).doubleData() : t.doubleData();
    }

    /** The row-by-row path over rows {@code [first, rows)}. */
    private static Tensor rowByRow(RowsKernel k, Tensor x, int first, int rows, Coefficients gamma,
                                   Coefficients beta, double[] mean, double[] rstd) {
        Tensor y = Tensor.zeros(x.dtype(), x.shape());
        Elements ex = Elements.of(x);
        Elements ey = Elements.of(y);
        double[] pair = new double[2];
        double[] meanVariance = new double[2];
        for (int r = first; r < rows; r++) {
            k.rowMoments(ex, true, r, pair, meanVariance);
            mean[r] = meanVariance[0];
            rstd[r] = 1.0 / Math.sqrt(meanVariance[1] + EPS);
            k.normalizeRow(ex, ey, r, mean[r], rstd[r], gamma, beta);
        }
        return y;
    }

    @ParameterizedTest(name = "{0}, runs of {1}, {2} channels a group, {3} groups, offset {4}")
    @MethodSource("cases")
    void theWalkGivesTheBitsOfTheRowByRowPath(DType dtype, int spatial, int channels, int groups, double offset) {
        int rows = 2 * groups;
        int length = channels * spatial;
        Tensor x = values(dtype, rows, length, offset, 17L * spatial + channels);
        Coefficients gamma = Coefficients.of(coefficients(groups * channels, 3), true);
        Coefficients beta = Coefficients.of(coefficients(groups * channels, 4), true);
        RowsKernel k = new RowsKernel((Layout.Rows) Layout.rows(rows, length, groups, channels, spatial));
        for (int first : new int[] {0, 2}) {
            double[] expectedMean = new double[rows];
            double[] expectedRstd = new double[rows];
            Tensor expectedY = rowByRow(k, x, first, rows, gamma, beta, expectedMean, expectedRstd);
            Tensor y = Tensor.zeros(dtype, x.shape());
            double[] mean = new double[rows];
            double[] rstd = new double[rows];
            if (dtype == DType.FLOAT32) {
                RunRows.forward(x.floatData(), y.floatData(), length, first, rows, EPS, groups, channels, spatial,
                        gamma.d, beta.d, mean, rstd);
            } else {
                RunRows.forward(x.doubleData(), y.doubleData(), length, first, rows, EPS, groups, channels, spatial,
                        gamma.d, beta.d, mean, rstd);
            }
            assertArrayEquals(expectedMean, mean, 0.0, "mean from row " + first);
            assertArrayEquals(expectedRstd, rstd, 0.0, "rstd from row " + first);
            assertArrayEquals(bits(expectedY), bits(y), 0.0, "y from row " + first);
        }
    }

    /**
     * The kernel's GroupNorm training forward (2 channels of 3136 a group, 4 groups, several blocks), against the
     * row-by-row path computed here; repeated for a while so that calls before and after the walk's gate opens (and
     * before and after its loop is compiled) are compared: either way the bits must be the same.
     */
    @Test
    void theKernelGivesTheBitsOfTheRowByRowPathBeforeAndAfterTheWalksGateOpens() {
        int groups = 4;
        int channels = 2;
        int spatial = 3136;
        int rows = 3 * groups;
        int length = channels * spatial;
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = values(dtype, rows, length, 10, 5);
            double[] g = coefficients(groups * channels, 6);
            double[] b = coefficients(groups * channels, 7);
            Tensor gamma = Tensor.wrap(g, Shape.of(groups * channels));
            Tensor beta = Tensor.wrap(b, Shape.of(groups * channels));
            if (dtype == DType.FLOAT32) {
                gamma = gamma.to(DType.FLOAT32);
                beta = beta.to(DType.FLOAT32);
            }
            Layout layout = Layout.rows(rows, length, groups, channels, spatial);
            RowsKernel k = new RowsKernel((Layout.Rows) layout);
            assertTrue(k.forwardInRuns());
            double[] expectedMean = new double[rows];
            double[] expectedRstd = new double[rows];
            // γ and β as the kernel reads them: a float32 tensor's values, widened.
            Tensor expectedY = rowByRow(k, x, 0, rows, Coefficients.of(gamma.toDoubleArray(), true),
                    Coefficients.of(beta.toDoubleArray(), true), expectedMean, expectedRstd);
            long until = System.nanoTime() + 3_000_000_000L;
            int calls = 0;
            boolean open = false;
            while (calls < 20 || (!open && System.nanoTime() < until)) {
                open = dtype == DType.FLOAT32 ? RunRows.FORWARD_FLOAT32.vectorReady()
                        : RunRows.FORWARD_FLOAT64.vectorReady();
                Tensor y = Tensor.zeros(dtype, x.shape());
                var saved = NormKernel.forward(layout, Centering.CENTERED, EPS, x, gamma, beta, Statistics.batch(), y);
                assertArrayEquals(bits(expectedY), bits(y), 0.0, dtype + " y, call " + calls + ", gate open " + open);
                assertArrayEquals(expectedMean, saved.mean().doubleData(), 0.0, dtype + " mean, call " + calls);
                assertArrayEquals(expectedRstd, saved.rstd().doubleData(), 0.0, dtype + " rstd, call " + calls);
                calls++;
            }
        }
    }

    static Stream<Arguments> planeCases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int spatial : new int[] {2, 7, 17, 259, NormKernel.CHUNK, NormKernel.CHUNK + 9, 3136}) {
                for (boolean centered : new boolean[] {true, false}) {
                    b.add(Arguments.of(dtype, spatial, centered));
                }
            }
        }
        return b.build();
    }

    /**
     * BatchNorm's streaming moments ({@link RunRows#planePieces}) give each piece's sums and center with the bits of
     * the piece-by-piece calls through {@link Elements} they replace, for planes from the first and from a later one.
     */
    @ParameterizedTest(name = "{0}, planes of {1}, centered {2}")
    @MethodSource("planeCases")
    void thePlaneWalkGivesTheBitsOfThePieceByPiecePath(DType dtype, int spatial, boolean centered) {
        int planes = 6;
        int per = (spatial + NormKernel.CHUNK - 1) / NormKernel.CHUNK;
        Tensor x = values(dtype, planes, spatial, centered ? 0 : 1e3, 31L + spatial);
        Elements ex = Elements.of(x);
        for (int p0 : new int[] {0, 3}) {
            double[] squares = new double[planes * per];
            double[] correction = new double[planes * per];
            double[] center = new double[planes * per];
            double[] expectedSquares = new double[planes * per];
            double[] expectedCorrection = new double[planes * per];
            double[] expectedCenter = new double[planes * per];
            double[] pair = new double[2];
            for (int p = p0; p < planes; p++) {
                for (int k = 0, s0 = 0; s0 < spatial; k++, s0 += NormKernel.CHUNK) {
                    double c = centered ? ex.get(p * spatial + s0) : 0.0;
                    ex.deviations(p * spatial + s0, Math.min(NormKernel.CHUNK, spatial - s0), c, pair);
                    expectedSquares[p * per + k] = pair[0];
                    expectedCorrection[p * per + k] = pair[1];
                    expectedCenter[p * per + k] = c;
                }
            }
            if (dtype == DType.FLOAT32) {
                RunRows.planePieces(x.floatData(), centered, p0, planes, spatial, squares, correction, center);
            } else {
                RunRows.planePieces(x.doubleData(), centered, p0, planes, spatial, squares, correction, center);
            }
            assertArrayEquals(expectedSquares, squares, 0.0, "squares from plane " + p0);
            assertArrayEquals(expectedCorrection, correction, 0.0, "corrections from plane " + p0);
            assertArrayEquals(expectedCenter, center, 0.0, "centers from plane " + p0);
        }
    }

    static Stream<Arguments> backwardCases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int spatial : new int[] {2, 7, 17, 259, 3136}) {
                for (int channels : new int[] {1, 2, 3}) {
                    b.add(Arguments.of(dtype, spatial, channels, channels == 2 ? 4 : 2));
                }
            }
        }
        return b.build();
    }

    /**
     * The backward walk ({@link RunRows#backward}) gives the row path's bits ({@link RowsKernel#rowGradSums}, then
     * the input gradient of {@link RowsKernel#rowGradInput} with NormKernel's coefficients): the input gradient and
     * the per-channel partials of dγ, dβ, with batch statistics (centered or not) and constant ones, with and
     * without the partials, with and without the input gradient, for blocks from the first row and a later one.
     */
    @ParameterizedTest(name = "{0}, runs of {1}, {2} channels a group, {3} groups")
    @MethodSource("backwardCases")
    void theBackwardWalkGivesTheBitsOfTheRowByRowPath(DType dtype, int spatial, int channels, int groups) {
        int rows = 2 * groups;
        int length = channels * spatial;
        int affine = groups * channels;
        Tensor x = values(dtype, rows, length, 0.5, 7L * spatial + channels);
        Tensor g = values(dtype, rows, length, -0.25, 11L * spatial + channels);
        Coefficients gamma = Coefficients.of(coefficients(affine, 8), true);
        double[] mean = coefficients(rows, 9);
        double[] rstd = new double[rows];
        for (int r = 0; r < rows; r++) {
            rstd[r] = 0.5 + Math.abs(mean[r]);
        }
        RowsKernel k = new RowsKernel((Layout.Rows) Layout.rows(rows, length, groups, channels, spatial));
        double m = length;
        for (boolean fromBatch : new boolean[] {true, false}) {
            for (boolean centered : new boolean[] {true, false}) {
                for (boolean withPartials : new boolean[] {true, false}) {
                    for (boolean withDx : new boolean[] {true, false}) {
                        for (int first : new int[] {0, 2}) {
                            String what = "batch " + fromBatch + ", centered " + centered + ", partials "
                                    + withPartials + ", dx " + withDx + ", from row " + first;
                            AffinePartials expected = new AffinePartials(affine, false);
                            Tensor expectedDx = Tensor.zeros(dtype, x.shape());
                            Elements ex = Elements.of(x);
                            Elements eg = Elements.of(g);
                            double[] pair = new double[2];
                            double[] sums = new double[2];
                            for (int r = first; r < rows; r++) {
                                k.rowGradSums(ex, eg, r, mean[r], rstd[r], gamma, withPartials ? expected : null,
                                        pair, sums);
                                if (withDx) {
                                    double rs = rstd[r];
                                    double b = fromBatch ? -rs * rs * rs * sums[1] / m : 0.0;
                                    double c = fromBatch && centered ? -rs * sums[0] / m : 0.0;
                                    k.rowGradInput(ex, eg, Elements.of(expectedDx), r, mean[r], rs, gamma, b, c);
                                }
                            }
                            AffinePartials actual = new AffinePartials(affine, false);
                            Tensor dx = Tensor.zeros(dtype, x.shape());
                            if (dtype == DType.FLOAT32) {
                                RunRows.backward(x.floatData(), g.floatData(), withDx ? dx.floatData() : null, length,
                                        first, rows, groups, channels, spatial, mean, rstd, gamma.d,
                                        withPartials ? actual.sumG : null, withPartials ? actual.sumGXhat : null,
                                        fromBatch, centered, m);
                            } else {
                                RunRows.backward(x.doubleData(), g.doubleData(), withDx ? dx.doubleData() : null,
                                        length, first, rows, groups, channels, spatial, mean, rstd, gamma.d,
                                        withPartials ? actual.sumG : null, withPartials ? actual.sumGXhat : null,
                                        fromBatch, centered, m);
                            }
                            assertArrayEquals(bits(expectedDx), bits(dx), 0.0, "dx, " + what);
                            assertArrayEquals(expected.sumG, actual.sumG, 0.0, "Σg, " + what);
                            assertArrayEquals(expected.sumGXhat, actual.sumGXhat, 0.0, "Σg·x̂, " + what);
                        }
                    }
                }
            }
        }
    }

    /**
     * The kernel's GroupNorm backward (input gradient, dγ, dβ) over several blocks gives the same bits before and
     * after the backward walk's gate opens: the first call's result (the gate closed until a call reaches it) against
     * every later one's.
     */
    @Test
    void theKernelsBackwardGivesTheSameBitsBeforeAndAfterTheWalksGateOpens() {
        int groups = 4;
        int channels = 2;
        int spatial = 3136;
        int rows = 3 * groups;
        int length = channels * spatial;
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = values(dtype, rows, length, 10, 15);
            Tensor gy = values(dtype, rows, length, 0, 16);
            Tensor gamma = Tensor.wrap(coefficients(groups * channels, 17), Shape.of(groups * channels));
            Tensor beta = Tensor.wrap(coefficients(groups * channels, 18), Shape.of(groups * channels));
            if (dtype == DType.FLOAT32) {
                gamma = gamma.to(DType.FLOAT32);
                beta = beta.to(DType.FLOAT32);
            }
            Layout layout = Layout.rows(rows, length, groups, channels, spatial);
            var saved = NormKernel.forward(layout, Centering.CENTERED, EPS, x, gamma, beta, Statistics.batch(),
                    Tensor.zeros(dtype, x.shape()));
            org.normkit.autograd.spi.FusedNorm.GradMask all = new org.normkit.autograd.spi.FusedNorm.GradMask(true,
                    true, true);
            boolean openAtFirst = dtype == DType.FLOAT32 ? RunRows.BACKWARD_FLOAT32.vectorReady()
                    : RunRows.BACKWARD_FLOAT64.vectorReady();
            var first = NormKernel.backward(layout, Centering.CENTERED, gy, x, saved, gamma, all,
                    Tensor.zeros(dtype, x.shape()));
            long until = System.nanoTime() + 3_000_000_000L;
            int calls = 0;
            boolean open = false;
            while (calls < 20 || (!open && System.nanoTime() < until)) {
                open = dtype == DType.FLOAT32 ? RunRows.BACKWARD_FLOAT32.vectorReady()
                        : RunRows.BACKWARD_FLOAT64.vectorReady();
                var later = NormKernel.backward(layout, Centering.CENTERED, gy, x, saved, gamma, all,
                        Tensor.zeros(dtype, x.shape()));
                String what = dtype + ", call " + calls + ", gate open at first " + openAtFirst + ", now " + open;
                assertArrayEquals(bits(first.input()), bits(later.input()), 0.0, "dx, " + what);
                assertArrayEquals(bits(first.weight()), bits(later.weight()), 0.0, "dγ, " + what);
                assertArrayEquals(bits(first.bias()), bits(later.bias()), 0.0, "dβ, " + what);
                calls++;
            }
        }
    }

    @Test
    void layoutsTheWalkDoesNotCoverGoRowByRow() {
        assertFalse(new RowsKernel((Layout.Rows) Layout.rows(4, 64)).forwardInRuns(),
                "γ per element of the row (LayerNorm)");
        assertTrue(new RowsKernel((Layout.Rows) Layout.rows(8, 2 * 49, 4, 2, 49)).forwardInRuns());
        Elements.VECTOR_API = false;
        assertFalse(new RowsKernel((Layout.Rows) Layout.rows(8, 2 * 49, 4, 2, 49)).forwardInRuns(),
                "without the Vector API module");
    }
}

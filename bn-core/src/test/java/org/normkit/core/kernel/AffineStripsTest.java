package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.FusedNorm.GradMask;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * LayerNorm's partials of dγ and dβ summed down strips of columns after a block's rows
 * ({@link VectorReductions#accumulateAffineRows}) are bit for bit those the row sums' pass gave when it added each
 * row into {@link AffinePartials} ({@link VectorReductions#accumulateGradRow} with the partials, {@code rowDone}
 * between rows, {@code flush} at the end), for float32's float sums flushed every 16 rows and float64's double ones;
 * and the lane-by-lane twin that runs before the vector loop is compiled gives the same bits. Row lengths around the
 * strip (four vectors) and vector widths exercise every tail; blocks that start after row 0 and row counts around
 * the flush interval exercise the float32 grouping. The same bits come from the partials added in the walk that
 * forms dx ({@link VectorReductions#gradInputRowThenSums} with the partials, float32's path), and the LayerNorm
 * backward gives each gradient the same bits whichever others are asked for. Each test body runs for both dtypes
 * ({@link Twin}: the twins' overloads called with the dtype's arrays).
 */
class AffineStripsTest {

    /** The dtypes, each calling the float[] or double[] overload of the loops under test. */
    enum Twin {
        FLOAT32(31, 7) {
            @Override
            Object values(SplittableRandom random, int n, double center) {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (center + random.nextDouble(-1, 1));
                }
                return v;
            }

            @Override
            void rowIntoPartials(Object x, Object g, int off, int length, double mean, double rstd, Object gamma,
                    AffinePartials p, double[] out) {
                VectorReductions.accumulateGradRow((float[]) x, (float[]) g, off, length, (float) mean, (float) rstd,
                        (float[]) gamma, p.floatG, p.floatGXhat, 0, out);
            }

            @Override
            void strips(Object x, Object g, int length, int first, int end, double[] mean, double[] rstd,
                    AffinePartials p, boolean inLanes) {
                if (inLanes) {
                    VectorReductions.accumulateAffineRowsInLanes((float[]) x, (float[]) g, length, first, end, mean,
                            rstd, p.sumG, p.sumGXhat);
                } else {
                    VectorReductions.accumulateAffineRows((float[]) x, (float[]) g, length, first, end, mean, rstd,
                            p.sumG, p.sumGXhat);
                }
            }

            @Override
            void gradInputRow(Object x, Object g, Object dx, int off, int length, double mean, double rstd,
                    Object gamma, int gammaOff, double b, double c) {
                VectorLoops.gradInputRow((float[]) x, (float[]) g, (float[]) dx, off, length, (float) mean,
                        (float) rstd, (float[]) gamma, gammaOff, (float) b, (float) c);
            }

            @Override
            void rowSums(Object x, Object g, int off, int length, double mean, double rstd, Object gamma, int gammaOff,
                    double[] out) {
                VectorReductions.accumulateGradRow((float[]) x, (float[]) g, off, length, (float) mean, (float) rstd,
                        (float[]) gamma, null, null, gammaOff, out);
            }

            @Override
            void gradInputRowThenSums(Object x, Object g, Object dx, int off, double mean, double rstd, double b,
                    double c, int nextOff, double nextMean, Object gamma, int gammaOff, int length, double[] out) {
                VectorReductions.gradInputRowThenSums((float[]) x, (float[]) g, (float[]) dx, off, (float) mean,
                        (float) rstd, (float) b, (float) c, nextOff, (float) nextMean, (float[]) gamma, gammaOff,
                        length, out);
            }

            @Override
            void gradInputRowThenSums(Object x, Object g, Object dx, int off, double mean, double rstd, double b,
                    double c, int nextOff, double nextMean, Object gamma, int gammaOff, int length, AffinePartials p,
                    double[] out) {
                VectorReductions.gradInputRowThenSums((float[]) x, (float[]) g, (float[]) dx, off, (float) mean,
                        (float) rstd, (float) b, (float) c, nextOff, (float) nextMean, (float[]) gamma, gammaOff,
                        length, p.floatG, p.floatGXhat, out);
            }

            @Override
            void assertSameBits(Object expected, Object actual, String what) {
                assertArrayEquals((float[]) expected, (float[]) actual, 0f, what);
            }
        },
        FLOAT64(17, 5) {
            @Override
            Object values(SplittableRandom random, int n, double center) {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = center + random.nextDouble(-1, 1);
                }
                return v;
            }

            @Override
            void rowIntoPartials(Object x, Object g, int off, int length, double mean, double rstd, Object gamma,
                    AffinePartials p, double[] out) {
                VectorReductions.accumulateGradRow((double[]) x, (double[]) g, off, length, mean, rstd,
                        (double[]) gamma, p.sumG, p.sumGXhat, 0, out);
            }

            @Override
            void strips(Object x, Object g, int length, int first, int end, double[] mean, double[] rstd,
                    AffinePartials p, boolean inLanes) {
                if (inLanes) {
                    VectorReductions.accumulateAffineRowsInLanes((double[]) x, (double[]) g, length, first, end, mean,
                            rstd, p.sumG, p.sumGXhat);
                } else {
                    VectorReductions.accumulateAffineRows((double[]) x, (double[]) g, length, first, end, mean, rstd,
                            p.sumG, p.sumGXhat);
                }
            }

            @Override
            void gradInputRow(Object x, Object g, Object dx, int off, int length, double mean, double rstd,
                    Object gamma, int gammaOff, double b, double c) {
                VectorLoops.gradInputRow((double[]) x, (double[]) g, (double[]) dx, off, length, mean, rstd,
                        (double[]) gamma, gammaOff, b, c);
            }

            @Override
            void rowSums(Object x, Object g, int off, int length, double mean, double rstd, Object gamma, int gammaOff,
                    double[] out) {
                VectorReductions.accumulateGradRow((double[]) x, (double[]) g, off, length, mean, rstd,
                        (double[]) gamma, null, null, gammaOff, out);
            }

            @Override
            void gradInputRowThenSums(Object x, Object g, Object dx, int off, double mean, double rstd, double b,
                    double c, int nextOff, double nextMean, Object gamma, int gammaOff, int length, double[] out) {
                VectorReductions.gradInputRowThenSums((double[]) x, (double[]) g, (double[]) dx, off, mean, rstd, b,
                        c, nextOff, nextMean, (double[]) gamma, gammaOff, length, out);
            }

            @Override
            void gradInputRowThenSums(Object x, Object g, Object dx, int off, double mean, double rstd, double b,
                    double c, int nextOff, double nextMean, Object gamma, int gammaOff, int length, AffinePartials p,
                    double[] out) {
                VectorReductions.gradInputRowThenSums((double[]) x, (double[]) g, (double[]) dx, off, mean, rstd, b,
                        c, nextOff, nextMean, (double[]) gamma, gammaOff, length, p.sumG, p.sumGXhat, out);
            }

            @Override
            void assertSameBits(Object expected, Object actual, String what) {
                assertArrayEquals((double[]) expected, (double[]) actual, 0.0, what);
            }
        };

        /** The seed's weights of the row length and the first row (each dtype's inputs as before the merge). */
        final long lengthSeed;
        final long firstSeed;

        Twin(long lengthSeed, long firstSeed) {
            this.lengthSeed = lengthSeed;
            this.firstSeed = firstSeed;
        }

        boolean single() {
            return this == FLOAT32;
        }

        /** {@code n} values of this dtype in [center − 1, center + 1). */
        abstract Object values(SplittableRandom random, int n, double center);

        /** The row sums' pass adding row {@code off / length} into {@code p}'s partials (this dtype's arrays). */
        abstract void rowIntoPartials(Object x, Object g, int off, int length, double mean, double rstd, Object gamma,
                AffinePartials p, double[] out);

        /** The partials of rows [first, end) down strips, or their lane-by-lane twin. */
        abstract void strips(Object x, Object g, int length, int first, int end, double[] mean, double[] rstd,
                AffinePartials p, boolean inLanes);

        abstract void gradInputRow(Object x, Object g, Object dx, int off, int length, double mean, double rstd,
                Object gamma, int gammaOff, double b, double c);

        abstract void rowSums(Object x, Object g, int off, int length, double mean, double rstd, Object gamma,
                int gammaOff, double[] out);

        abstract void gradInputRowThenSums(Object x, Object g, Object dx, int off, double mean, double rstd, double b,
                double c, int nextOff, double nextMean, Object gamma, int gammaOff, int length, double[] out);

        /** As the other overload, adding row {@code off / length}'s terms into {@code p}'s partials in the walk. */
        abstract void gradInputRowThenSums(Object x, Object g, Object dx, int off, double mean, double rstd, double b,
                double c, int nextOff, double nextMean, Object gamma, int gammaOff, int length, AffinePartials p,
                double[] out);

        abstract void assertSameBits(Object expected, Object actual, String what);

        Object zeros(int n) {
            return single() ? new float[n] : new double[n];
        }
    }

    static Stream<Arguments> shapes() {
        Stream.Builder<Arguments> b = Stream.builder();
        int[] lengths = {1, 7, 15, 16, 17, 63, 64, 65, 80, 85, 129, 768, 771};
        int[][] rowRanges = {{0, 1}, {0, 15}, {0, 16}, {0, 17}, {3, 45}, {5, 37}};
        for (Twin twin : Twin.values()) {
            for (int length : lengths) {
                for (int[] rows : rowRanges) {
                    b.add(Arguments.of(twin, length, rows[0], rows[1]));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0}, row length {1}, rows {2} to {3}")
    @MethodSource("shapes")
    void stripsGiveTheRowByRowPartialsBits(Twin twin, int length, int first, int end) {
        assertTrue(Elements.VECTOR_API, "surefire runs with the Vector API module");
        SplittableRandom random = new SplittableRandom(length * twin.lengthSeed + first * twin.firstSeed + end);
        Object x = twin.values(random, end * length, 3.0);
        Object g = twin.values(random, end * length, 0.1);
        Object gamma = twin.values(random, length, 1.0);
        double[] mean = doubles(random, end, 3.0);
        double[] rstd = doubles(random, end, 1.5);

        AffinePartials byRow = new AffinePartials(length, twin.single());
        double[] out = new double[2];
        for (int r = first; r < end; r++) {
            twin.rowIntoPartials(x, g, r * length, length, mean[r], rstd[r], gamma, byRow, out);
            byRow.rowDone();
        }
        byRow.flush();

        AffinePartials strips = new AffinePartials(length, twin.single());
        twin.strips(x, g, length, first, end, mean, rstd, strips, false);
        assertArrayEquals(byRow.sumG, strips.sumG, 0.0, "Σ g");
        assertArrayEquals(byRow.sumGXhat, strips.sumGXhat, 0.0, "Σ g·x̂");

        AffinePartials lanes = new AffinePartials(length, twin.single());
        twin.strips(x, g, length, first, end, mean, rstd, lanes, true);
        assertArrayEquals(strips.sumG, lanes.sumG, 0.0, "Σ g, lane by lane");
        assertArrayEquals(strips.sumGXhat, lanes.sumGXhat, 0.0, "Σ g·x̂, lane by lane");
    }

    static Stream<Arguments> rowLengths() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Twin twin : Twin.values()) {
            for (int length : new int[] {1, 7, 15, 16, 17, 255, 256, 257, 768, 771}) {
                b.add(Arguments.of(twin, length));
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0}, row length {1}")
    @MethodSource("rowLengths")
    void oneWalkOverTwoRowsGivesTheBitsOfThePassesOneAfterTheOther(Twin twin, int length) {
        SplittableRandom random = new SplittableRandom(length);
        Object x = twin.values(random, 3 * length, 3.0);
        Object g = twin.values(random, 3 * length, 0.1);
        Object gamma = twin.values(random, length + 2, 1.0);
        Object dxApart = twin.zeros(3 * length);
        Object dxTogether = twin.zeros(3 * length);
        double[] apart = new double[2];
        double[] together = new double[2];
        twin.gradInputRow(x, g, dxApart, length, length, 2.9, 1.3, gamma, 2, 0.02, -0.01);
        twin.rowSums(x, g, 2 * length, length, 3.1, 1.1, gamma, 2, apart);
        twin.gradInputRowThenSums(x, g, dxTogether, length, 2.9, 1.3, 0.02, -0.01, 2 * length, 3.1, gamma, 2, length,
                together);
        twin.assertSameBits(dxApart, dxTogether, twin + " dx");
        assertArrayEquals(apart, together, 0.0, twin + " row sums");
    }

    @ParameterizedTest(name = "{0}, row length {1}, rows {2} to {3}")
    @MethodSource("shapes")
    void partialsAddedInTheRowWalkGiveTheStripsBits(Twin twin, int length, int first, int end) {
        SplittableRandom random = new SplittableRandom(length * 7 + first * 3 + end);
        Object x = twin.values(random, (end + 1) * length, 3.0);
        Object g = twin.values(random, (end + 1) * length, 0.1);
        Object gamma = twin.values(random, length, 1.0);
        double[] mean = doubles(random, end + 1, 3.0);
        double[] rstd = doubles(random, end + 1, 1.5);

        AffinePartials strips = new AffinePartials(length, twin.single());
        twin.strips(x, g, length, first, end, mean, rstd, strips, false);

        // Rows [first, end) walked as the pipelined backward walks them, the last with the row sums' pass.
        AffinePartials walk = new AffinePartials(length, twin.single());
        Object dxWalk = twin.zeros((end + 1) * length);
        Object dxApart = twin.zeros((end + 1) * length);
        double[] together = new double[2];
        double[] apart = new double[2];
        for (int r = first; r < end; r++) {
            double b = 0.01 * (r % 5) - 0.02;
            double c = -0.003 * (r % 7);
            if (r + 1 < end) {
                twin.gradInputRowThenSums(x, g, dxWalk, r * length, mean[r], rstd[r], b, c, (r + 1) * length,
                        mean[r + 1], gamma, 0, length, walk, together);
                twin.rowSums(x, g, (r + 1) * length, length, mean[r + 1], rstd[r + 1], gamma, 0, apart);
                assertArrayEquals(apart, together, 0.0, twin + " row sums of row " + (r + 1));
            } else {
                twin.rowIntoPartials(x, g, r * length, length, mean[r], rstd[r], gamma, walk, together);
                twin.gradInputRow(x, g, dxWalk, r * length, length, mean[r], rstd[r], gamma, 0, b, c);
            }
            walk.rowDone();
            twin.gradInputRow(x, g, dxApart, r * length, length, mean[r], rstd[r], gamma, 0, b, c);
        }
        walk.flush();
        twin.assertSameBits(dxApart, dxWalk, twin + " dx");
        assertArrayEquals(strips.sumG, walk.sumG, 0.0, "Σ g");
        assertArrayEquals(strips.sumGXhat, walk.sumGXhat, 0.0, "Σ g·x̂");
    }

    static Stream<Arguments> layerNorms() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (DType dtype : DType.values()) {
            // One row; one block with a short last flush; three blocks of 42 rows (LayerNorm 768); 17 rows a block
            // (rows of 1,928, two vectors and a tail per 16 floats).
            int[][] shapes = {{1, 17}, {45, 85}, {100, 768}, {40, 1928}};
            for (int[] shape : shapes) {
                b.add(Arguments.of(dtype, shape[0], shape[1]));
            }
        }
        return b.build();
    }

    /**
     * The LayerNorm backward adds dγ, dβ in the row walk that forms dx (float32) or down strips (float64, and whenever
     * dx is not asked for): each gradient has the same bits whichever others are asked for.
     */
    @ParameterizedTest(name = "{0}, {1} rows of {2}")
    @MethodSource("layerNorms")
    void layerNormGradientsHaveTheSameBitsWhicheverOthersAreAskedFor(DType dtype, int rows, int length) {
        Layout layout = Layout.rows(rows, length);
        Shape shape = Shape.of(rows, length);
        Tensor x = Tensor.randn(dtype, shape, rows + length).mul(2.0);
        Tensor g = Tensor.randn(dtype, shape, 3L * rows + length);
        Tensor gamma = Tensor.randn(dtype, Shape.of(length), 11);
        Tensor beta = Tensor.randn(dtype, Shape.of(length), 13);
        FusedNorm.Saved saved = NormKernel.forward(layout, Centering.CENTERED, 1e-5, x, gamma, beta,
                Statistics.batch(), Tensor.zeros(dtype, shape));
        FusedNorm.Gradients all = NormKernel.backward(layout, Centering.CENTERED, g, x, saved, gamma,
                new GradMask(true, true, true));
        FusedNorm.Gradients params = NormKernel.backward(layout, Centering.CENTERED, g, x, saved, gamma,
                new GradMask(false, true, true));
        FusedNorm.Gradients input = NormKernel.backward(layout, Centering.CENTERED, g, x, saved, gamma,
                new GradMask(true, false, false));
        assertArrayEquals(params.weight().toDoubleArray(), all.weight().toDoubleArray(), 0.0, "dγ");
        assertArrayEquals(params.bias().toDoubleArray(), all.bias().toDoubleArray(), 0.0, "dβ");
        assertArrayEquals(input.input().toDoubleArray(), all.input().toDoubleArray(), 0.0, "dx");
    }

    private static double[] doubles(SplittableRandom random, int n, double center) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = center + random.nextDouble(-1, 1);
        }
        return v;
    }
}

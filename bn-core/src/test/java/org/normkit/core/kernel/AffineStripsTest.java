package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LayerNorm's partials of dγ and dβ summed down strips of columns after a block's rows
 * ({@link VectorReductions#accumulateAffineRows}) are bit for bit those the row sums' pass gave when it added each
 * row into {@link AffinePartials} ({@link VectorReductions#accumulateGradRow} with the partials, {@code rowDone}
 * between rows, {@code flush} at the end), for float32's float sums flushed every 16 rows and float64's double ones;
 * and the lane-by-lane twin that runs before the vector loop is compiled gives the same bits. Row lengths around the
 * strip (four vectors) and vector widths exercise every tail; blocks that start after row 0 and row counts around
 * the flush interval exercise the float32 grouping.
 */
class AffineStripsTest {

    static Stream<Arguments> shapes() {
        Stream.Builder<Arguments> b = Stream.builder();
        int[] lengths = {1, 7, 15, 16, 17, 63, 64, 65, 80, 85, 129, 768, 771};
        int[][] rowRanges = {{0, 1}, {0, 15}, {0, 16}, {0, 17}, {3, 45}, {5, 37}};
        for (int length : lengths) {
            for (int[] rows : rowRanges) {
                b.add(Arguments.of(length, rows[0], rows[1]));
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "row length {0}, rows {1} to {2}")
    @MethodSource("shapes")
    void float32StripsGiveTheRowByRowPartialsBits(int length, int first, int end) {
        assertTrue(Elements.VECTOR_API, "surefire runs with the Vector API module");
        SplittableRandom random = new SplittableRandom(length * 31L + first * 7L + end);
        float[] x = floats(random, end * length, 3.0);
        float[] g = floats(random, end * length, 0.1);
        float[] gamma = floats(random, length, 1.0);
        double[] mean = doubles(random, end, 3.0);
        double[] rstd = doubles(random, end, 1.5);

        AffinePartials byRow = new AffinePartials(length, true);
        double[] out = new double[2];
        for (int r = first; r < end; r++) {
            VectorReductions.accumulateGradRow(x, g, r * length, length, (float) mean[r], (float) rstd[r], gamma,
                    byRow.floatG, byRow.floatGXhat, 0, out);
            byRow.rowDone();
        }
        byRow.flush();

        AffinePartials strips = new AffinePartials(length, true);
        VectorReductions.accumulateAffineRows(x, g, length, first, end, mean, rstd, strips.sumG, strips.sumGXhat);
        assertArrayEquals(byRow.sumG, strips.sumG, 0.0, "Σ g");
        assertArrayEquals(byRow.sumGXhat, strips.sumGXhat, 0.0, "Σ g·x̂");

        AffinePartials lanes = new AffinePartials(length, true);
        VectorReductions.accumulateAffineRowsInLanes(x, g, length, first, end, mean, rstd, lanes.sumG,
                lanes.sumGXhat);
        assertArrayEquals(strips.sumG, lanes.sumG, 0.0, "Σ g, lane by lane");
        assertArrayEquals(strips.sumGXhat, lanes.sumGXhat, 0.0, "Σ g·x̂, lane by lane");
    }

    @ParameterizedTest(name = "row length {0}, rows {1} to {2}")
    @MethodSource("shapes")
    void float64StripsGiveTheRowByRowPartialsBits(int length, int first, int end) {
        SplittableRandom random = new SplittableRandom(length * 17L + first * 5L + end);
        double[] x = doubles(random, end * length, 3.0);
        double[] g = doubles(random, end * length, 0.1);
        double[] gamma = doubles(random, length, 1.0);
        double[] mean = doubles(random, end, 3.0);
        double[] rstd = doubles(random, end, 1.5);

        AffinePartials byRow = new AffinePartials(length, false);
        double[] out = new double[2];
        for (int r = first; r < end; r++) {
            VectorReductions.accumulateGradRow(x, g, r * length, length, mean[r], rstd[r], gamma, byRow.sumG,
                    byRow.sumGXhat, 0, out);
            byRow.rowDone();
        }
        byRow.flush();

        AffinePartials strips = new AffinePartials(length, false);
        VectorReductions.accumulateAffineRows(x, g, length, first, end, mean, rstd, strips.sumG, strips.sumGXhat);
        assertArrayEquals(byRow.sumG, strips.sumG, 0.0, "Σ g");
        assertArrayEquals(byRow.sumGXhat, strips.sumGXhat, 0.0, "Σ g·x̂");

        AffinePartials lanes = new AffinePartials(length, false);
        VectorReductions.accumulateAffineRowsInLanes(x, g, length, first, end, mean, rstd, lanes.sumG,
                lanes.sumGXhat);
        assertArrayEquals(strips.sumG, lanes.sumG, 0.0, "Σ g, lane by lane");
        assertArrayEquals(strips.sumGXhat, lanes.sumGXhat, 0.0, "Σ g·x̂, lane by lane");
    }

    @ParameterizedTest(name = "row length {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 7, 15, 16, 17, 255, 256, 257, 768, 771})
    void oneWalkOverTwoRowsGivesTheBitsOfThePassesOneAfterTheOther(int length) {
        SplittableRandom random = new SplittableRandom(length);
        float[] x = floats(random, 3 * length, 3.0);
        float[] g = floats(random, 3 * length, 0.1);
        float[] gamma = floats(random, length + 2, 1.0);
        float[] dxApart = new float[3 * length];
        float[] dxTogether = new float[3 * length];
        double[] apart = new double[2];
        double[] together = new double[2];
        VectorLoops.gradInputRow(x, g, dxApart, length, length, 2.9f, 1.3f, gamma, 2, 0.02f, -0.01f);
        VectorReductions.accumulateGradRow(x, g, 2 * length, length, 3.1f, 1.1f, gamma, null, null, 2, apart);
        VectorReductions.gradInputRowThenSums(x, g, dxTogether, length, 2.9f, 1.3f, 0.02f, -0.01f, 2 * length, 3.1f,
                gamma, 2, length, together);
        assertArrayEquals(dxApart, dxTogether, 0f, "float32 dx");
        assertArrayEquals(apart, together, 0.0, "float32 row sums");

        double[] xd = doubles(random, 3 * length, 3.0);
        double[] gd = doubles(random, 3 * length, 0.1);
        double[] gammad = doubles(random, length + 2, 1.0);
        double[] dxdApart = new double[3 * length];
        double[] dxdTogether = new double[3 * length];
        VectorLoops.gradInputRow(xd, gd, dxdApart, length, length, 2.9, 1.3, gammad, 2, 0.02, -0.01);
        VectorReductions.accumulateGradRow(xd, gd, 2 * length, length, 3.1, 1.1, gammad, null, null, 2, apart);
        VectorReductions.gradInputRowThenSums(xd, gd, dxdTogether, length, 2.9, 1.3, 0.02, -0.01, 2 * length, 3.1,
                gammad, 2, length, together);
        assertArrayEquals(dxdApart, dxdTogether, 0.0, "float64 dx");
        assertArrayEquals(apart, together, 0.0, "float64 row sums");
    }

    private static float[] floats(SplittableRandom random, int n, double center) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (center + random.nextDouble(-1, 1));
        }
        return v;
    }

    private static double[] doubles(SplittableRandom random, int n, double center) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = center + random.nextDouble(-1, 1);
        }
        return v;
    }
}

package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * The masked fused face against the unmasked {@link NormKernel} run on the valid positions alone: a masked norm
 * must be exactly the plain norm of the input with the padding cut out, and write zeros (never NaN) at the padding.
 */
class MaskedKernelTest {
    private static final double EPS = 1e-5;
    private static final double TOLERANCE = 1e-10;
    // Two samples of 5 positions; the second has 3 valid ones (padded at the end), 3 channels.
    private static final int N = 2;
    private static final int C = 3;
    private static final int L = 5;
    private static final int[] LENGTHS = {5, 3};
    private static final int VALID = 8;

    private static final Shape INPUT = Shape.of(N, C, L);
    private static final PositionMask MASK = PositionMask.ofLengths(LENGTHS, L);
    private static final FusedNorm.GradMask ALL = new FusedNorm.GradMask(true, true, true);

    private static Tensor x() {
        return Tensor.randn(DType.FLOAT64, INPUT, 7);
    }

    private static Tensor gradOutput() {
        return Tensor.randn(DType.FLOAT64, INPUT, 11);
    }

    private static Tensor gamma() {
        return Tensor.of(new double[] {0.5, 1.5, -2.0}, C);
    }

    private static Tensor beta() {
        return Tensor.of(new double[] {0.25, -1.0, 3.0}, C);
    }

    private static boolean valid(int n, int s) {
        return s < LENGTHS[n];
    }

    /** The valid positions of t (N, C, L) as rows of C values: the (VALID, C) input of an unmasked BatchNorm. */
    private static Tensor validRows(Tensor t) {
        double[] rows = new double[VALID * C];
        int r = 0;
        for (int n = 0; n < N; n++) {
            for (int s = 0; s < L; s++) {
                if (valid(n, s)) {
                    for (int c = 0; c < C; c++) {
                        rows[r * C + c] = t.at(n, c, s);
                    }
                    r++;
                }
            }
        }
        return Tensor.of(rows, VALID, C);
    }

    /** Every element of t (N, C, L) at a valid position equals the matching element of rows (VALID, C). */
    private static void assertValidEqual(Tensor rows, Tensor t) {
        int r = 0;
        for (int n = 0; n < N; n++) {
            for (int s = 0; s < L; s++) {
                if (valid(n, s)) {
                    for (int c = 0; c < C; c++) {
                        assertEquals(rows.at(r, c), t.at(n, c, s), TOLERANCE, "n=" + n + " c=" + c + " s=" + s);
                    }
                    r++;
                }
            }
        }
    }

    private static void assertPaddingZero(Tensor t) {
        for (int n = 0; n < N; n++) {
            for (int c = 0; c < C; c++) {
                for (int s = 0; s < L; s++) {
                    if (!valid(n, s)) {
                        assertEquals(0.0, t.at(n, c, s), 0.0, "padding n=" + n + " c=" + c + " s=" + s);
                    }
                }
            }
        }
    }

    @Nested
    class PerChannelSets {
        private final MaskedKernel masked = MaskedKernel.of(EPS, Layout.channels(N, C, L), INPUT, MASK);
        private final Layout plain = Layout.channels(VALID, C, 1);

        @Test
        void countsTheValidPositionsOfEveryChannel() {
            assertArrayEquals(new int[] {VALID, VALID, VALID}, masked.validCounts());
        }

        @Test
        void momentsAreThoseOfTheValidPositionsAlone() {
            Moments expected = NormKernel.moments(plain, Centering.CENTERED, validRows(x()));
            Moments actual = masked.moments(x());
            assertArrayEquals(expected.mean(), actual.mean(), TOLERANCE);
            assertArrayEquals(expected.variance(), actual.variance(), TOLERANCE);
        }

        @Test
        void forwardAndBackwardEqualThePlainKernelOnTheValidPositions() {
            Tensor x = x();
            Tensor g = gradOutput();
            Tensor out = Tensor.full(DType.FLOAT64, INPUT, Double.NaN);
            FusedNorm.Saved saved = masked.forward(x, gamma(), beta(), Statistics.batch(), out);
            FusedNorm.Gradients grads = masked.backward(g, x, saved, gamma(), ALL);

            Tensor xs = validRows(x);
            Tensor plainOut = Tensor.zeros(DType.FLOAT64, xs.shape());
            FusedNorm.Saved plainSaved = NormKernel.forward(plain, Centering.CENTERED, EPS, xs, gamma(), beta(),
                    Statistics.batch(), plainOut);
            FusedNorm.Gradients plainGrads = NormKernel.backward(plain, Centering.CENTERED, validRows(g), xs,
                    plainSaved, gamma(), ALL);

            assertValidEqual(plainOut, out);
            assertPaddingZero(out);
            assertValidEqual(plainGrads.input(), grads.input());
            assertPaddingZero(grads.input());
            assertArrayEquals(plainGrads.weight().toDoubleArray(), grads.weight().toDoubleArray(), TOLERANCE);
            assertArrayEquals(plainGrads.bias().toDoubleArray(), grads.bias().toDoubleArray(), TOLERANCE);
            assertArrayEquals(plainSaved.mean().toDoubleArray(), saved.mean().toDoubleArray(), TOLERANCE);
            assertArrayEquals(plainSaved.rstd().toDoubleArray(), saved.rstd().toDoubleArray(), TOLERANCE);
            assertTrue(saved.fromBatch());
        }

        @Test
        void runningStatisticsNormaliseEachValidElementByItsChannelsConstants() {
            Tensor x = x();
            Tensor mean = Tensor.of(new double[] {0.1, -0.2, 0.3}, C);
            Tensor variance = Tensor.of(new double[] {2.0, 0.5, 1.0}, C);
            Tensor out = Tensor.zeros(DType.FLOAT64, INPUT);
            FusedNorm.Saved saved = masked.forward(x, null, null, Statistics.running(mean, variance), out);
            Tensor g = gradOutput();
            FusedNorm.Gradients grads = masked.backward(g, x, saved, null, new FusedNorm.GradMask(true, false, true));
            for (int n = 0; n < N; n++) {
                for (int c = 0; c < C; c++) {
                    double rstd = 1 / Math.sqrt(variance.get(c) + EPS);
                    for (int s = 0; s < L; s++) {
                        double y = valid(n, s) ? (x.at(n, c, s) - mean.get(c)) * rstd : 0;
                        double dx = valid(n, s) ? g.at(n, c, s) * rstd : 0;
                        assertEquals(y, out.at(n, c, s), TOLERANCE);
                        assertEquals(dx, grads.input().at(n, c, s), TOLERANCE);
                    }
                }
            }
            assertNull(grads.weight());
            assertEquals(C, grads.bias().numel());
        }

        @Test
        void skipsTheGradientsTheMaskDoesNotAskFor() {
            Tensor x = x();
            Tensor out = Tensor.zeros(DType.FLOAT64, INPUT);
            FusedNorm.Saved saved = masked.forward(x, gamma(), beta(), Statistics.batch(), out);
            FusedNorm.Gradients grads = masked.backward(gradOutput(), x, saved, gamma(),
                    new FusedNorm.GradMask(false, false, false));
            assertNull(grads.input());
            assertNull(grads.weight());
            assertNull(grads.bias());
        }
    }

    @Nested
    class TokenRows {
        // The sequence nets' case: tokens flattened to rows (B·T, C), one position each; rows 1, 4 and 5 padding.
        private static final int ROWS = 7;
        private static final int CHANNELS = 5;
        private static final int[] VALID_ROWS = {0, 2, 3, 6};
        private final PositionMask mask = PositionMask.ofRows(ROWS, VALID_ROWS);

        private Tensor validOf(Tensor t) {
            Tensor rows = Tensor.zeros(t.dtype(), Shape.of(VALID_ROWS.length, CHANNELS));
            for (int r = 0; r < VALID_ROWS.length; r++) {
                for (int c = 0; c < CHANNELS; c++) {
                    rows.set(r * CHANNELS + c, t.get(VALID_ROWS[r] * CHANNELS + c));
                }
            }
            return rows;
        }

        private void assertRowsAndZeros(Tensor rows, Tensor t) {
            for (int i = 0, r = 0; i < ROWS; i++) {
                boolean isValid = r < VALID_ROWS.length && VALID_ROWS[r] == i;
                for (int c = 0; c < CHANNELS; c++) {
                    double expected = isValid ? rows.get(r * CHANNELS + c) : 0.0;
                    assertEquals(expected, t.get(i * CHANNELS + c), 0.0, "row " + i + " channel " + c);
                }
                r += isValid ? 1 : 0;
            }
        }

        @ParameterizedTest
        @EnumSource(DType.class)
        void areThePlainKernelOnTheValidRowsToTheBit(DType dtype) {
            Shape input = Shape.of(ROWS, CHANNELS);
            MaskedKernel masked = MaskedKernel.of(EPS, Layout.channels(ROWS, CHANNELS, 1), input, mask);
            Tensor x = Tensor.randn(DType.FLOAT64, input, 3).mul(Tensor.scalar(2, DType.FLOAT64)).to(dtype);
            Tensor g = Tensor.randn(DType.FLOAT64, input, 5).to(dtype);
            Tensor gamma = Tensor.uniform(DType.FLOAT64, Shape.of(CHANNELS), 0.5, 1.5, 9).to(dtype);
            Tensor beta = Tensor.uniform(DType.FLOAT64, Shape.of(CHANNELS), -1, 1, 13).to(dtype);
            Tensor out = Tensor.full(dtype, input, Double.NaN);
            FusedNorm.Saved saved = masked.forward(x, gamma, beta, Statistics.batch(), out);
            FusedNorm.Gradients grads = masked.backward(g, x, saved, gamma, ALL);

            Layout plain = Layout.channels(VALID_ROWS.length, CHANNELS, 1);
            Tensor xs = validOf(x);
            Tensor plainOut = Tensor.zeros(dtype, xs.shape());
            FusedNorm.Saved plainSaved = NormKernel.forward(plain, Centering.CENTERED, EPS, xs, gamma, beta,
                    Statistics.batch(), plainOut);
            FusedNorm.Gradients plainGrads = NormKernel.backward(plain, Centering.CENTERED, validOf(g), xs,
                    plainSaved, gamma, ALL);

            assertRowsAndZeros(plainOut, out);
            assertRowsAndZeros(plainGrads.input(), grads.input());
            assertArrayEquals(plainSaved.mean().toDoubleArray(), saved.mean().toDoubleArray(), 0.0);
            assertArrayEquals(plainSaved.rstd().toDoubleArray(), saved.rstd().toDoubleArray(), 0.0);
            assertArrayEquals(plainGrads.weight().toDoubleArray(), grads.weight().toDoubleArray(), 0.0);
            assertArrayEquals(plainGrads.bias().toDoubleArray(), grads.bias().toDoubleArray(), 0.0);
            assertEquals(dtype, grads.input().dtype());
            assertArrayEquals(new int[] {4, 4, 4, 4, 4}, masked.validCounts());
        }

        /**
         * Padded sequences as the text transformer's BatchNorm sees them (each sequence's valid tokens first), at a
         * size where the kernel's vector strips, scalar tails and moment pieces of {@link NormKernel#CHUNK} rows
         * matter: more than CHUNK valid rows, so a piece boundary falls inside a run, and 67 channels. The kernel
         * reads and writes the valid rows where they are, run by run; it must give the plain kernel's bits on the
         * gathered rows, and zeros in every other row of an output that held NaN.
         */
        @ParameterizedTest
        @EnumSource(DType.class)
        void paddedSequencesLongerThanAMomentPieceAreThePlainKernelOnTheValidRowsToTheBit(DType dtype) {
            int sequences = 30;
            int steps = 100;
            int channels = 67;
            java.util.SplittableRandom random = new java.util.SplittableRandom(17);
            int[] lengths = new int[sequences];
            for (int n = 0; n < sequences; n++) {
                lengths[n] = n == 3 ? 0 : n == 4 ? steps : 40 + random.nextInt(steps - 40);
            }
            PositionMask tokens = PositionMask.ofRows(sequences * steps, validRowsOf(lengths, steps));
            assertTokenRowsArePlainKernelsBits(tokens, sequences * steps, channels, dtype);
        }

        /** Scattered valid rows (runs of one and two rows), the case the runs serve worst, still to the bit. */
        @ParameterizedTest
        @EnumSource(DType.class)
        void scatteredValidRowsAreThePlainKernelOnTheValidRowsToTheBit(DType dtype) {
            int rows = 301;
            int[] valid = java.util.stream.IntStream.range(0, rows).filter(r -> r % 3 != 1).toArray();
            assertTokenRowsArePlainKernelsBits(PositionMask.ofRows(rows, valid), rows, 19, dtype);
        }

        private int[] validRowsOf(int[] lengths, int steps) {
            return java.util.stream.IntStream.range(0, lengths.length * steps)
                    .filter(r -> r % steps < lengths[r / steps]).toArray();
        }

        /** Moments, forward and backward (into a fresh tensor and into a given one) against the gathered rows. */
        private void assertTokenRowsArePlainKernelsBits(PositionMask tokens, int rows, int channels, DType dtype) {
            Shape input = Shape.of(rows, channels);
            MaskedKernel masked = MaskedKernel.of(EPS, Layout.channels(rows, channels, 1), input, tokens);
            Tensor x = Tensor.randn(DType.FLOAT64, input, 23).mul(Tensor.scalar(3, DType.FLOAT64))
                    .add(Tensor.scalar(5, DType.FLOAT64)).to(dtype);
            Tensor g = Tensor.randn(DType.FLOAT64, input, 29).to(dtype);
            Tensor gamma = Tensor.uniform(DType.FLOAT64, Shape.of(channels), 0.5, 1.5, 31).to(dtype);
            Tensor beta = Tensor.uniform(DType.FLOAT64, Shape.of(channels), -1, 1, 37).to(dtype);
            Tensor out = Tensor.full(dtype, input, Double.NaN);
            FusedNorm.Saved saved = masked.forward(x, gamma, beta, Statistics.batch(), out);
            FusedNorm.Gradients grads = masked.backward(g, x, saved, gamma, ALL);
            Tensor into = Tensor.full(dtype, input, Double.NaN);
            FusedNorm.Gradients gradsInto = masked.backward(g, x, saved, gamma, ALL, into);

            int[] valid = new int[tokens.validCount()];
            for (int p = 0, r = 0; p < rows; p++) {
                if (tokens.isValid(p)) {
                    valid[r++] = p;
                }
            }
            Layout plain = Layout.channels(valid.length, channels, 1);
            Tensor xs = gatherRows(x, valid, channels);
            Tensor plainOut = Tensor.zeros(dtype, xs.shape());
            FusedNorm.Saved plainSaved = NormKernel.forward(plain, Centering.CENTERED, EPS, xs, gamma, beta,
                    Statistics.batch(), plainOut);
            FusedNorm.Gradients plainGrads = NormKernel.backward(plain, Centering.CENTERED,
                    gatherRows(g, valid, channels), xs, plainSaved, gamma, ALL);

            Moments plainMoments = NormKernel.moments(plain, Centering.CENTERED, xs);
            Moments moments = masked.moments(x);
            assertArrayEquals(plainMoments.mean(), moments.mean(), 0.0);
            assertArrayEquals(plainMoments.variance(), moments.variance(), 0.0);
            assertRowsBitsAndZeros(plainOut, out, valid, channels);
            assertRowsBitsAndZeros(plainGrads.input(), grads.input(), valid, channels);
            assertRowsBitsAndZeros(plainGrads.input(), into, valid, channels);
            assertTrue(gradsInto.input() == into, "the input gradient is the tensor given to hold it");
            assertArrayEquals(plainSaved.mean().toDoubleArray(), saved.mean().toDoubleArray(), 0.0);
            assertArrayEquals(plainSaved.rstd().toDoubleArray(), saved.rstd().toDoubleArray(), 0.0);
            for (FusedNorm.Gradients got : new FusedNorm.Gradients[] {grads, gradsInto}) {
                assertArrayEquals(plainGrads.weight().toDoubleArray(), got.weight().toDoubleArray(), 0.0);
                assertArrayEquals(plainGrads.bias().toDoubleArray(), got.bias().toDoubleArray(), 0.0);
            }
        }

        private Tensor gatherRows(Tensor t, int[] rows, int channels) {
            Tensor out = Tensor.zeros(t.dtype(), Shape.of(rows.length, channels));
            for (int r = 0; r < rows.length; r++) {
                for (int c = 0; c < channels; c++) {
                    out.set(r * channels + c, t.get(rows[r] * channels + c));
                }
            }
            return out;
        }

        /** Row valid[r] of t holds row r of rows, bit for bit (NaN included); every other row of t is +0. */
        private void assertRowsBitsAndZeros(Tensor rows, Tensor t, int[] valid, int channels) {
            int rowCount = t.dim(0);
            for (int i = 0, r = 0; i < rowCount; i++) {
                boolean isValid = r < valid.length && valid[r] == i;
                for (int c = 0; c < channels; c++) {
                    double expected = isValid ? rows.get(r * channels + c) : 0.0;
                    double got = t.get(i * channels + c);
                    assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(got),
                            "row " + i + " channel " + c + ": expected " + expected + ", got " + got);
                }
                r += isValid ? 1 : 0;
            }
        }

        @Test
        void aBackwardIntoTheOutputGradientsOwnStorageIsRefused() {
            Shape input = Shape.of(ROWS, CHANNELS);
            MaskedKernel masked = MaskedKernel.of(EPS, Layout.channels(ROWS, CHANNELS, 1), input, mask);
            Tensor x = Tensor.randn(DType.FLOAT64, input, 3);
            Tensor g = Tensor.randn(DType.FLOAT64, input, 5);
            FusedNorm.Saved saved = masked.forward(x, null, null, Statistics.batch(), Tensor.zeros(DType.FLOAT64, input));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> masked.backward(g, x, saved, null, ALL, g));
            assertTrue(e.getMessage().contains("shares its storage"), e.getMessage());
        }

        @Test
        void withBatchStatisticsAndNoValidRowTheOutputAndTheMomentsAreZerosNotNaN() {
            Shape input = Shape.of(ROWS, CHANNELS);
            MaskedKernel masked = MaskedKernel.of(EPS, Layout.channels(ROWS, CHANNELS, 1), input,
                    PositionMask.ofRows(ROWS, new int[0]));
            Tensor x = Tensor.randn(DType.FLOAT32, input, 3);
            Tensor out = Tensor.full(DType.FLOAT32, input, Double.NaN);
            masked.forward(x, null, null, Statistics.batch(), out);
            for (int i = 0; i < out.numel(); i++) {
                assertEquals(0.0, out.get(i), 0.0, "element " + i);
            }
            assertArrayEquals(new double[CHANNELS], masked.moments(x).mean(), 0.0);
            assertArrayEquals(new double[CHANNELS], masked.moments(x).variance(), 0.0);
        }

        @Test
        void withRunningStatisticsAndNoValidRowTheOutputIsAllZeros() {
            Shape input = Shape.of(ROWS, CHANNELS);
            MaskedKernel masked = MaskedKernel.of(EPS, Layout.channels(ROWS, CHANNELS, 1), input,
                    PositionMask.ofRows(ROWS, new int[0]));
            Tensor out = Tensor.full(DType.FLOAT32, input, Double.NaN);
            masked.forward(Tensor.randn(DType.FLOAT32, input, 3), null, null,
                    Statistics.running(Tensor.zeros(DType.FLOAT32, CHANNELS), Tensor.ones(DType.FLOAT32, CHANNELS)),
                    out);
            for (int i = 0; i < out.numel(); i++) {
                assertEquals(0.0, out.get(i), 0.0, "element " + i);
            }
        }
    }

    @Nested
    class PerSampleSets {
        // InstanceNorm's sets: one per (sample, channel), over that sample's valid positions.
        private final MaskedKernel masked = MaskedKernel.of(EPS, Layout.rows(N * C, L, C, 1, L), INPUT, MASK);

        @Test
        void eachSetIsNormalisedOverItsSamplesValidPositions() {
            Tensor x = x();
            Tensor out = Tensor.zeros(DType.FLOAT64, INPUT);
            masked.forward(x, null, null, Statistics.batch(), out);
            assertArrayEquals(new int[] {5, 5, 5, 3, 3, 3}, masked.validCounts());
            for (int n = 0; n < N; n++) {
                for (int c = 0; c < C; c++) {
                    double sum = 0;
                    double squares = 0;
                    for (int s = 0; s < LENGTHS[n]; s++) {
                        sum += out.at(n, c, s);
                        squares += out.at(n, c, s) * out.at(n, c, s);
                    }
                    assertEquals(0, sum / LENGTHS[n], 1e-9, "mean of set n=" + n + " c=" + c);
                    double variance = squares / LENGTHS[n];
                    assertTrue(variance > 0.99 && variance < 1.0, "variance " + variance + " of set n=" + n);
                }
            }
            assertPaddingZero(out);
        }

        @Test
        void aSampleThatIsAllPaddingGivesZerosNotNaN() {
            PositionMask second = PositionMask.ofLengths(new int[] {5, 0}, L);
            MaskedKernel kernel = MaskedKernel.of(EPS, Layout.rows(N * C, L, C, 1, L), INPUT, second);
            Tensor x = x();
            Tensor out = Tensor.full(DType.FLOAT64, INPUT, Double.NaN);
            FusedNorm.Saved saved = kernel.forward(x, null, null, Statistics.batch(), out);
            FusedNorm.Gradients grads = kernel.backward(gradOutput(), x, saved, null,
                    new FusedNorm.GradMask(true, false, false));
            for (int c = 0; c < C; c++) {
                for (int s = 0; s < L; s++) {
                    assertEquals(0.0, out.at(1, c, s), 0.0);
                    assertEquals(0.0, grads.input().at(1, c, s), 0.0);
                }
            }
            assertEquals(0.0, kernel.moments(x).mean()[C], 0.0);
            assertEquals(0.0, kernel.moments(x).variance()[C], 0.0);
            for (int set = C; set < 2 * C; set++) {
                assertEquals(0.0, saved.mean().get(set), 0.0, "saved mean of the empty set " + set);
                assertEquals(1 / Math.sqrt(EPS), saved.rstd().get(set), 1e-9, "saved rstd of the empty set " + set);
            }
        }

        @Test
        void momentsAreEachSetsOverItsSamplesValidPositionsAlone() {
            Tensor x = x();
            Moments moments = masked.moments(x);
            for (int n = 0; n < N; n++) {
                for (int c = 0; c < C; c++) {
                    double sum = 0;
                    for (int s = 0; s < LENGTHS[n]; s++) {
                        sum += x.at(n, c, s);
                    }
                    double mean = sum / LENGTHS[n];
                    double squares = 0;
                    for (int s = 0; s < LENGTHS[n]; s++) {
                        squares += (x.at(n, c, s) - mean) * (x.at(n, c, s) - mean);
                    }
                    int set = n * C + c;
                    assertEquals(mean, moments.mean()[set], 1e-12, "mean of set n=" + n + " c=" + c);
                    assertEquals(squares / LENGTHS[n], moments.variance()[set], 1e-12,
                            "variance of set n=" + n + " c=" + c);
                }
            }
        }

        @Test
        void refusesAnOutputOfAnotherShape() {
            Tensor out = Tensor.zeros(DType.FLOAT64, Shape.of(N, C, L + 1));
            ShapeException e = assertThrows(ShapeException.class,
                    () -> masked.forward(x(), null, null, Statistics.batch(), out));
            assertTrue(e.getMessage().contains("output"), e.getMessage());
        }

        @Test
        void oneGroupOfAllChannelsIsNormalisedOverTheSamplesValidPositionsOfEveryChannel() {
            // GroupNorm with one group: sets per sample over C·(valid positions) elements, γ/β per channel.
            MaskedKernel group = MaskedKernel.of(EPS, Layout.rows(N, C * L, 1, C, L), INPUT, MASK);
            assertArrayEquals(new int[] {C * 5, C * 3}, group.validCounts());
            Tensor x = x();
            Tensor out = Tensor.zeros(DType.FLOAT64, INPUT);
            group.forward(x, gamma(), beta(), Statistics.batch(), out);
            for (int n = 0; n < N; n++) {
                double sum = 0;
                double squares = 0;
                for (int c = 0; c < C; c++) {
                    for (int s = 0; s < LENGTHS[n]; s++) {
                        double xhat = (out.at(n, c, s) - beta().get(c)) / gamma().get(c);
                        sum += xhat;
                        squares += xhat * xhat;
                    }
                }
                int m = C * LENGTHS[n];
                assertEquals(0, sum / m, 1e-9, "mean of sample " + n);
                assertTrue(squares / m > 0.99 && squares / m < 1.0, "variance " + squares / m + " of sample " + n);
            }
            assertPaddingZero(out);
        }

        @ParameterizedTest
        @EnumSource(DType.class)
        void groupsAreThePlainKernelOnEachSamplesValidElementsToTheBit(DType dtype) {
            // GroupNorm, 2 groups of 2 channels; sample 0 has gaps (two runs), sample 1 is all padding, sample 2 is
            // all valid.
            int n = 3;
            int c = 4;
            int l = 6;
            boolean[] flags = {
                true, true, false, true, true, false,
                false, false, false, false, false, false,
                true, true, true, true, true, true};
            Shape input = Shape.of(n, c, l);
            PositionMask gaps = PositionMask.of(Shape.of(n, l), flags);
            MaskedKernel masked = MaskedKernel.of(EPS, Layout.rows(n * 2, 2 * l, 2, 2, l), input, gaps);
            Tensor x = Tensor.randn(DType.FLOAT64, input, 3).mul(Tensor.scalar(3, DType.FLOAT64)).to(dtype);
            Tensor g = Tensor.randn(DType.FLOAT64, input, 5).to(dtype);
            Tensor gamma = Tensor.uniform(DType.FLOAT64, Shape.of(c), 0.5, 1.5, 9).to(dtype);
            Tensor beta = Tensor.uniform(DType.FLOAT64, Shape.of(c), -1, 1, 13).to(dtype);
            Tensor out = Tensor.full(dtype, input, Double.NaN);
            FusedNorm.Saved saved = masked.forward(x, gamma, beta, Statistics.batch(), out);
            FusedNorm.Gradients grads = masked.backward(g, x, saved, gamma, ALL);
            assertArrayEquals(new int[] {8, 8, 0, 0, 12, 12}, masked.validCounts());

            double[] dGamma = new double[c];
            double[] dBeta = new double[c];
            for (int sample = 0; sample < n; sample++) {
                int m = 0;
                for (int s = 0; s < l; s++) {
                    m += flags[sample * l + s] ? 1 : 0;
                }
                if (m == 0) {
                    for (int i = sample * c * l; i < (sample + 1) * c * l; i++) {
                        assertEquals(0.0, out.get(i), 0.0, "all-padding sample, element " + i);
                        assertEquals(0.0, grads.input().get(i), 0.0, "all-padding sample, element " + i);
                    }
                    continue;
                }
                Layout plain = Layout.rows(2, 2 * m, 2, 2, m);
                Tensor xs = validOfSample(x, flags, sample, c, l, m);
                Tensor plainOut = Tensor.zeros(dtype, xs.shape());
                FusedNorm.Saved plainSaved = NormKernel.forward(plain, Centering.CENTERED, EPS, xs, gamma, beta,
                        Statistics.batch(), plainOut);
                FusedNorm.Gradients plainGrads = NormKernel.backward(plain, Centering.CENTERED,
                        validOfSample(g, flags, sample, c, l, m), xs, plainSaved, gamma, ALL);
                assertSampleEqual(plainOut, out, flags, sample, c, l, m);
                assertSampleEqual(plainGrads.input(), grads.input(), flags, sample, c, l, m);
                for (int group = 0; group < 2; group++) {
                    assertEquals(plainSaved.mean().get(group), saved.mean().get(sample * 2 + group), 0.0);
                    assertEquals(plainSaved.rstd().get(group), saved.rstd().get(sample * 2 + group), 0.0);
                }
                for (int ch = 0; ch < c; ch++) {
                    dGamma[ch] += plainGrads.weight().get(ch);
                    dBeta[ch] += plainGrads.bias().get(ch);
                }
            }
            // dγ and dβ: the samples' own sums added in double, in sample order, then rounded to the dtype.
            assertArrayEquals(Tensor.of(dGamma, c).to(dtype).toDoubleArray(), grads.weight().toDoubleArray(), 0.0);
            assertArrayEquals(Tensor.of(dBeta, c).to(dtype).toDoubleArray(), grads.bias().toDoubleArray(), 0.0);
        }

        /** Sample n's values of t (N, C, L) at its valid positions, channel by channel: a (1, C, m) tensor. */
        private Tensor validOfSample(Tensor t, boolean[] flags, int n, int c, int l, int m) {
            Tensor rows = Tensor.zeros(t.dtype(), Shape.of(1, c, m));
            for (int ch = 0, r = 0; ch < c; ch++) {
                for (int s = 0; s < l; s++) {
                    if (flags[n * l + s]) {
                        rows.set(r++, t.get((n * c + ch) * l + s));
                    }
                }
            }
            return rows;
        }

        /** Sample n of t equals rows (1, C, m) at its valid positions, to the bit, and is 0 at its padding. */
        private void assertSampleEqual(Tensor rows, Tensor t, boolean[] flags, int n, int c, int l, int m) {
            for (int ch = 0, r = 0; ch < c; ch++) {
                for (int s = 0; s < l; s++) {
                    double expected = flags[n * l + s] ? rows.get(r++) : 0.0;
                    assertEquals(expected, t.get((n * c + ch) * l + s), 0.0, "n=" + n + " c=" + ch + " s=" + s);
                }
            }
        }

        @ParameterizedTest
        @EnumSource(DType.class)
        void runningStatisticsAreThePlainKernelOnTheWholeInputWithZerosAtThePadding(DType dtype) {
            // InstanceNorm tracking running statistics, in evaluation: nothing to gather.
            Tensor x = x().to(dtype);
            Tensor mean = Tensor.of(new double[] {0.1, -0.2, 0.3}, C).to(dtype);
            Tensor variance = Tensor.of(new double[] {2.0, 0.5, 1.0}, C).to(dtype);
            Layout layout = Layout.rows(N * C, L, C, 1, L);
            Tensor out = Tensor.full(dtype, INPUT, Double.NaN);
            Tensor plainOut = Tensor.zeros(dtype, INPUT);
            masked.forward(x, gamma().to(dtype), beta().to(dtype), Statistics.running(mean, variance), out);
            NormKernel.forward(layout, Centering.CENTERED, EPS, x, gamma().to(dtype), beta().to(dtype),
                    Statistics.running(mean, variance), plainOut);
            for (int n = 0; n < N; n++) {
                for (int c = 0; c < C; c++) {
                    for (int s = 0; s < L; s++) {
                        double expected = valid(n, s) ? plainOut.at(n, c, s) : 0.0;
                        assertEquals(expected, out.at(n, c, s), 0.0, "n=" + n + " c=" + c + " s=" + s);
                    }
                }
            }
        }

        @Test
        void refusesAnEpsThatIsNotAFinitePositiveNumber() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MaskedKernel.of(0, Layout.rows(N * C, L, C, 1, L), INPUT, MASK));
            assertTrue(e.getMessage().contains("eps"), e.getMessage());
        }

        @Test
        void refusesALayoutThatDoesNotCoverTheInput() {
            ShapeException e = assertThrows(ShapeException.class,
                    () -> MaskedKernel.of(EPS, Layout.rows(N * C, L + 1, C, 1, L + 1), INPUT, MASK));
            assertTrue(e.getMessage().contains("covers"), e.getMessage());
        }

        @Test
        void refusesAMaskOfOtherPositions() {
            PositionMask longer = PositionMask.ofLengths(LENGTHS, L + 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MaskedKernel.of(EPS, Layout.rows(N * C, L, C, 1, L), INPUT, longer));
            assertTrue(e.getMessage().contains("does not fit the input"), e.getMessage());
        }

        @Test
        void refusesARowsLayoutThatDoesNotViewTheInputAsSamplesGroupsAndPositions() {
            ShapeException e = assertThrows(ShapeException.class,
                    () -> MaskedKernel.of(EPS, Layout.rows(N * C, L), INPUT, MASK));
            assertTrue(e.getMessage().contains("does not view the input"), e.getMessage());
        }
    }
}

package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/** The valid positions of an (N, C, S) input gathered into (m, C) rows and scattered back, in both dtypes. */
class ValidPositionsTest {
    // Three samples of 4 positions, 2 channels; lengths 4, 1 and 0 (the last sample all padding).
    private static final int N = 3;
    private static final int C = 2;
    private static final int S = 4;
    private static final int[] LENGTHS = {4, 1, 0};
    private static final PositionMask MASK = PositionMask.ofLengths(LENGTHS, S);
    private static final Shape INPUT = Shape.of(N, C, S);

    /** x[n, c, s] = 100·n + 10·c + s + 1: every element tells where it came from, none is 0. */
    private static Tensor numbered(DType dtype) {
        Tensor x = Tensor.zeros(dtype, INPUT);
        for (int n = 0; n < N; n++) {
            for (int c = 0; c < C; c++) {
                for (int s = 0; s < S; s++) {
                    x.set((n * C + c) * S + s, 100 * n + 10 * c + s + 1);
                }
            }
        }
        return x;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void gatherTakesEachValidPositionsChannelsAsARowInPositionOrder(DType dtype) {
        ValidPositions valid = ValidPositions.of(MASK, C, S);
        Tensor rows = valid.gather(numbered(dtype));

        assertEquals(5, valid.count());
        assertEquals(Shape.of(5, C), rows.shape());
        assertEquals(dtype, rows.dtype());
        double[][] expected = {{1, 11}, {2, 12}, {3, 13}, {4, 14}, {101, 111}};
        for (int r = 0; r < expected.length; r++) {
            for (int c = 0; c < C; c++) {
                assertEquals(expected[r][c], rows.get(r * C + c), 0.0, "row " + r + " channel " + c);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void scatterPutsTheRowsBackAndZeroesEveryOtherElementOfTheOutput(DType dtype) {
        ValidPositions valid = ValidPositions.of(MASK, C, S);
        Tensor x = numbered(dtype);
        Tensor out = Tensor.full(dtype, INPUT, Double.NaN);
        valid.scatter(valid.gather(x), out);

        for (int n = 0; n < N; n++) {
            for (int c = 0; c < C; c++) {
                for (int s = 0; s < S; s++) {
                    int i = (n * C + c) * S + s;
                    double expected = s < LENGTHS[n] ? x.get(i) : 0.0;
                    assertEquals(expected, out.get(i), 0.0, "n=" + n + " c=" + c + " s=" + s);
                }
            }
        }
    }

    @Test
    void refusesAnInputOfOnePositionASampleWhoseRowsAreReadWhereTheyAre() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ValidPositions.of(PositionMask.ofRows(4, new int[] {0, 2}), C, 1));
        assertTrue(e.getMessage().contains("ValidRows"), e.getMessage());
    }
}

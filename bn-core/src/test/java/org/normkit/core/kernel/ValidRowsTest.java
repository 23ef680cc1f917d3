package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/** The runs of consecutive valid rows through which the masked BatchNorm kernel reads token rows where they are. */
class ValidRowsTest {
    // 12 rows: 0-2 valid, 3 padding, 4 valid, 5-6 padding, 7-10 valid, 11 padding.
    private static final int[] VALID = {0, 1, 2, 4, 7, 8, 9, 10};
    private final ValidRows rows = ValidRows.of(PositionMask.ofRows(12, VALID), 12);

    private List<String> runs(int from, int to) {
        List<String> seen = new ArrayList<>();
        rows.forRuns(from, to, (first, count) -> seen.add(first + "+" + count));
        return seen;
    }

    @Test
    void groupsConsecutiveValidRowsIntoRuns() {
        assertEquals(8, rows.count());
        assertEquals(3, rows.runs());
        assertEquals(List.of("0+3", "4+1", "7+4"), runs(0, 8));
    }

    @Test
    void mapsEveryLogicalRowToItsPhysicalRow() {
        for (int r = 0; r < VALID.length; r++) {
            assertEquals(VALID[r], rows.physical(r), "logical row " + r);
        }
    }

    @Test
    void aRangeOfLogicalRowsIsCutAtTheRunsItCrosses() {
        assertEquals(List.of("1+2", "4+1", "7+2"), runs(1, 6));
        assertEquals(List.of("9+2"), runs(6, 8));
        assertEquals(List.of("4+1"), runs(3, 4));
        assertEquals(List.of(), runs(5, 5));
    }

    @Test
    void zeroesEveryRowThatIsNotValidAndNoOther() {
        int channels = 3;
        Tensor out = Tensor.full(DType.FLOAT32, Shape.of(12, channels), 7);
        rows.zeroOthers(out, channels);
        for (int i = 0; i < 12; i++) {
            int row = i;
            boolean valid = java.util.Arrays.stream(VALID).anyMatch(v -> v == row);
            for (int c = 0; c < channels; c++) {
                assertEquals(valid ? 7.0 : 0.0, out.get(i * channels + c), 0.0, "row " + i + " channel " + c);
            }
        }
    }

    @Test
    void aMaskWhoseLastRowsArePaddingAndOneWithNoValidRow() {
        ValidRows leading = ValidRows.of(PositionMask.ofRows(5, new int[] {2, 3, 4}), 5);
        assertEquals(3, leading.count());
        assertEquals(2, leading.physical(0));
        ValidRows none = ValidRows.of(PositionMask.ofRows(4, new int[0]), 4);
        assertEquals(0, none.count());
        Tensor out = Tensor.full(DType.FLOAT64, Shape.of(4, 2), 1);
        none.zeroOthers(out, 2);
        for (int i = 0; i < out.numel(); i++) {
            assertEquals(0.0, out.get(i), 0.0);
        }
    }

    @Test
    void refusesAnInputOfOtherRowsOrChannels() {
        ShapeException rowsWrong = assertThrows(ShapeException.class,
                () -> rows.requireRowsOf(Tensor.zeros(DType.FLOAT32, Shape.of(11, 3)), 3, "masked kernel"));
        assertEquals(true, rowsWrong.getMessage().startsWith("masked kernel: the valid rows of 12 rows"));
        assertThrows(ShapeException.class,
                () -> rows.requireRowsOf(Tensor.zeros(DType.FLOAT32, Shape.of(12, 4)), 3, "masked kernel"));
        assertThrows(ShapeException.class, () -> ValidRows.of(PositionMask.ofRows(12, VALID), 13));
    }
}

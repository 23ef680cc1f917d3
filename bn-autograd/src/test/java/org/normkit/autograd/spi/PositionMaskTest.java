package org.normkit.autograd.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/** The mask of valid positions: how it is built, what it reports, and the inputs it fits. */
class PositionMaskTest {

    @Test
    void lengthsMarkTheFirstStepsOfEachSequenceValid() {
        PositionMask mask = PositionMask.ofLengths(new int[] {3, 0, 1}, 3);
        assertEquals(Shape.of(3, 3), mask.positions());
        boolean[] expected = {true, true, true, false, false, false, true, false, false};
        for (int p = 0; p < expected.length; p++) {
            assertEquals(expected[p], mask.isValid(p), "position " + p);
        }
        assertEquals(4, mask.validCount());
        assertFalse(mask.allValid());
        assertEquals("PositionMask(" + Shape.of(3, 3) + ", 4 valid)", mask.toString());
    }

    @Test
    void fullLengthsMakeEveryPositionValid() {
        PositionMask mask = PositionMask.ofLengths(new int[] {2, 2}, 2);
        assertTrue(mask.allValid());
        assertEquals(4, mask.validCount());
    }

    @Test
    void aLengthOutsideTheStepsIsRefusedNamingTheSequence() {
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> PositionMask.ofLengths(new int[] {1, 4}, 3));
        assertEquals("sequence 1 has length 4, outside 0..3 steps", tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PositionMask.ofLengths(new int[] {-1}, 3));
        assertTrue(PositionMask.ofLengths(new int[] {0, 3}, 3).isValid(3));
    }

    @Test
    void rowsListedAreValidAndTheOthersNot() {
        PositionMask mask = PositionMask.ofRows(4, new int[] {0, 2});
        assertEquals(Shape.of(4), mask.positions());
        assertTrue(mask.isValid(0));
        assertFalse(mask.isValid(1));
        assertTrue(mask.isValid(2));
        assertFalse(mask.isValid(3));
        assertEquals(2, mask.validCount());
        assertTrue(PositionMask.ofRows(2, new int[] {0, 1}).allValid());
    }

    @Test
    void aRowOutsideTheBatchIsRefused() {
        assertEquals("valid row 4 is outside 0..3", assertThrows(IllegalArgumentException.class,
                () -> PositionMask.ofRows(4, new int[] {4})).getMessage());
        assertThrows(IllegalArgumentException.class, () -> PositionMask.ofRows(4, new int[] {-1}));
        assertTrue(PositionMask.ofRows(4, new int[] {3}).isValid(3));
    }

    @Test
    void flagsMustMatchThePositionsCount() {
        assertEquals("a mask of positions " + Shape.of(2, 2) + " needs 4 flags, got 3",
                assertThrows(IllegalArgumentException.class,
                        () -> PositionMask.of(Shape.of(2, 2), true, false, true)).getMessage());
    }

    @Test
    void flagsAreCopiedSoTheCallersArrayCannotChangeTheMask() {
        boolean[] flags = {true, false};
        PositionMask mask = PositionMask.of(Shape.of(2), flags);
        flags[1] = true;
        assertFalse(mask.isValid(1));
        assertEquals(1, mask.validCount());
    }

    @Test
    void positionsOfAnInputAreItsShapeWithoutTheChannelAxis() {
        assertEquals(Shape.of(2, 5), PositionMask.positionsOf(Shape.of(2, 3, 5)));
        assertEquals(Shape.of(2, 5, 7), PositionMask.positionsOf(Shape.of(2, 3, 5, 7)));
        assertEquals(Shape.of(6), PositionMask.positionsOf(Shape.of(6, 4)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PositionMask.positionsOf(Shape.of(6)));
        assertTrue(e.getMessage().startsWith("a mask needs a channel-first input (N, C, …)"), e.getMessage());
    }

    @Test
    void aMaskFitsOnlyInputsWithItsPositions() {
        PositionMask mask = PositionMask.ofLengths(new int[] {2, 1}, 3);
        mask.requireFits(Shape.of(2, 8, 3), "layer");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> mask.requireFits(Shape.of(2, 8, 4), "batch_norm"));
        assertTrue(e.getMessage().startsWith("batch_norm: a mask of positions " + Shape.of(2, 3)
                + " does not fit the input " + Shape.of(2, 8, 4)), e.getMessage());
        assertTrue(e.getMessage().contains("shape " + Shape.of(2, 4)), e.getMessage());
    }

    @Test
    void expandingRepeatsEachPositionsFlagOverEveryChannel() {
        PositionMask mask = PositionMask.ofLengths(new int[] {2, 1}, 3);
        Tensor m = mask.expandTo(Shape.of(2, 2, 3), DType.FLOAT32);
        assertSame(DType.FLOAT32, m.dtype());
        assertEquals(Shape.of(2, 2, 3), m.shape());
        assertArrayEquals(new double[] {1, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0}, m.toDoubleArray());
    }

    @Test
    void expandingRowsGivesOneFlagPerRowOverItsChannels() {
        Tensor m = PositionMask.ofRows(3, new int[] {1}).expandTo(Shape.of(3, 2), DType.FLOAT64);
        assertArrayEquals(new double[] {0, 0, 1, 1, 0, 0}, m.toDoubleArray());
        assertThrows(IllegalArgumentException.class,
                () -> PositionMask.ofRows(3, new int[] {1}).expandTo(Shape.of(4, 2), DType.FLOAT64));
    }
}

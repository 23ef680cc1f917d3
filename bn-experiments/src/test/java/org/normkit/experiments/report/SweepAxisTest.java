package org.normkit.experiments.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SweepAxisTest {

    @Test
    void aGridOfPowersOfFourIsALogarithmicAxis() {
        SweepAxis axis = SweepAxis.of("batch size", List.of(new double[] {2, 8, 32, 128}));

        assertTrue(axis.geometric());
        assertEquals("batch size (logarithmic axis)", axis.title());
    }

    @Test
    void decimalPowersOfTenTypedByHandAreStillGeometric() {
        SweepAxis axis = SweepAxis.of("learning rate", List.of(new double[] {0.1, 0.01, 0.001, 0.0001}));

        assertTrue(axis.geometric());
        assertArrayEquals(new double[] {0.0001, 0.001, 0.01, 0.1}, axis.grid());
    }

    @Test
    void aOneThreeGridIsSpacedByRankAndTheTitleSaysItIsNotToScale() {
        SweepAxis axis = SweepAxis.of("learning rate", List.of(new double[] {0.0001, 0.0003, 0.001, 0.003, 0.01}));

        assertFalse(axis.geometric());
        assertEquals("learning rate (grid values evenly spaced, not to scale)", axis.title());
    }

    @Test
    void everyGridValueSitsAtItsRankWhateverSeriesItComesFrom() {
        SweepAxis axis = SweepAxis.of("learning rate",
                List.of(new double[] {0.01, 0.0003}, new double[] {0.0001, 0.01, Double.NaN}));

        assertArrayEquals(new double[] {0.0001, 0.0003, 0.01}, axis.grid());
        assertArrayEquals(new double[] {2, 1, 0, Double.NaN}, axis.positions(new double[] {0.01, 0.0003, 0.0001,
            Double.NaN}));
    }

    @Test
    void theTickAtARankIsLabelledWithItsGridValueAndTicksBetweenAreNot() {
        SweepAxis axis = SweepAxis.of("learning rate", List.of(new double[] {0.0001, 0.0003, 0.001}));

        assertEquals(Optional.of("0.0003"), axis.label(1.0));
        assertEquals(Optional.of("0.001"), axis.label(2.0 - 1e-12));
        assertEquals(Optional.empty(), axis.label(0.5));
        assertEquals(Optional.empty(), axis.label(-1));
        assertEquals(Optional.empty(), axis.label(3));
    }

    @Test
    void aValueOffTheGridIsRefusedNamingTheGrid() {
        SweepAxis axis = SweepAxis.of("batch size", List.of(new double[] {2, 4}));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> axis.position(3));
        assertTrue(e.getMessage().startsWith("3 is not a grid value of this sweep axis [2.0, 4.0]"), e.getMessage());
    }

    @Test
    void aGridWithZeroIsEvenlySpacedAndAnEmptyGridIsRefused() {
        SweepAxis withZero = SweepAxis.of("weight decay", List.of(new double[] {0, 0.001, 0.01}));
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> SweepAxis.of("learning rate", List.of(new double[] {Double.NaN})));

        assertFalse(withZero.geometric());
        assertEquals("weight decay (grid values evenly spaced, not to scale)", withZero.title());
        assertEquals(1, withZero.position(0.001));
        assertTrue(empty.getMessage().endsWith("needs at least one grid value"), empty.getMessage());
    }
}

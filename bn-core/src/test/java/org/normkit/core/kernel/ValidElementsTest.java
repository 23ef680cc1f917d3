package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.tensor.Shape;

/** The masked kernels' shared loop: which elements it visits, in which order, and the set and channel it names. */
class ValidElementsTest {
    /** Two samples of lengths 2 and 1 out of 3 positions, 4 channels: (N, C, T) = (2, 4, 3). */
    private static final Shape INPUT = Shape.of(2, 4, 3);
    private static final PositionMask LENGTHS_2_1 = PositionMask.ofLengths(new int[] {2, 1}, 3);

    private static List<String> visited(ValidElements elements) {
        List<String> seen = new ArrayList<>();
        elements.forEach((i, set, c) -> seen.add(i + ":" + set + ":" + c));
        return seen;
    }

    @Test
    void perChannelEveryValidElementInMemoryOrderWithItsChannelAsItsSet() {
        assertEquals(List.of("0:0:0", "1:0:0", "3:1:1", "4:1:1", "6:2:2", "7:2:2", "9:3:3", "10:3:3",
                "12:0:0", "15:1:1", "18:2:2", "21:3:3"), visited(ValidElements.perChannel(INPUT, LENGTHS_2_1)));
    }

    @Test
    void underARowsLayoutTheSetIsTheSamplesGroup() {
        Layout twoGroups = Layout.rows(2 * 2, 2 * 3, 2, 2, 3);

        assertEquals(List.of("0:0:0", "1:0:0", "3:0:1", "4:0:1", "6:1:2", "7:1:2", "9:1:3", "10:1:3",
                "12:2:0", "15:2:1", "18:3:2", "21:3:3"), visited(ValidElements.of(twoGroups, INPUT, LENGTHS_2_1)));
    }

    @Test
    void aMaskThatDoesNotFitTheInputIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ValidElements.perChannel(Shape.of(3, 4, 3), LENGTHS_2_1));

        assertTrue(e.getMessage().startsWith("masked kernel: a mask of positions (2, 3) does not fit the input "
                + "(3, 4, 3)"), e.getMessage());
    }
}

package org.normkit.variants;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.normkit.autograd.check.Comparison;
import org.normkit.autograd.check.Tolerance;
import org.normkit.autograd.tensor.Tensor;

/** Element-by-element closeness through the project's one {@link Comparison}, for bn-variants' tests. */
public final class Close {
    /** Both faces are exact to rounding in float64; identities between norms hold to this too. */
    public static final Tolerance FLOAT64 = Tolerance.FACES_FLOAT64;

    private Close() {}

    public static void assertClose(String what, Tensor actual, Tensor expected, Tolerance tolerance) {
        Comparison c = Comparison.of(what, actual, expected, tolerance);
        assertTrue(c.passed(), c.describe());
    }

    public static void assertClose(String what, Tensor actual, Tensor expected) {
        assertClose(what, actual, expected, FLOAT64);
    }
}

package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * A kept copy of γ or β ({@link AffineCopies.Copy}) always holds exactly what the parameter holds — whatever the
 * parameter's dtype, whether the kernel reads the float mirror, after in-place changes, after a change of size, and
 * when the parameter is absent — and is reused (the same arrays, not rebuilt) while nothing changes.
 * {@link KeptCoefficientsTest} holds the kernels' results to the stateless kernel; this test pins the copy itself,
 * including the mixed dtypes no norm layer passes today (a float32 parameter over float64 data and the reverse).
 */
class AffineCopiesTest {

    static Stream<Arguments> parameterKinds() {
        return Stream.of(
                Arguments.of(DType.FLOAT32, true),
                Arguments.of(DType.FLOAT32, false),
                Arguments.of(DType.FLOAT64, true),
                Arguments.of(DType.FLOAT64, false));
    }

    @ParameterizedTest(name = "{0} parameter, float mirror {1}")
    @MethodSource("parameterKinds")
    void theCopyHoldsTheParameterAfterEveryInPlaceChange(DType dtype, boolean mirror) {
        Tensor t = Tensor.of(dtype, new double[] {0.5, -1.25, 3.0, 1e-3}, Shape.of(4));
        AffineCopies.Copy copy = new AffineCopies.Copy();
        Coefficients first = copy.of(t, 4, 1.0, mirror);
        holds(t, first, mirror, "first call");

        t.set(2, -7.5);
        Coefficients afterOne = copy.of(t, 4, 1.0, mirror);
        holds(t, afterOne, mirror, "after one element changed");
        assertSame(first.d, afterOne.d, "a change of values is rebuilt in the kept arrays");

        t.set(0, 0.1);
        t.set(3, 2.0);
        holds(t, copy.of(t, 4, 1.0, mirror), mirror, "after two elements changed");
    }

    @ParameterizedTest(name = "{0} parameter, float mirror {1}")
    @MethodSource("parameterKinds")
    void anUnchangedParameterReusesTheKeptCopy(DType dtype, boolean mirror) {
        Tensor t = Tensor.of(dtype, new double[] {1.0, 2.0, 3.0}, Shape.of(3));
        AffineCopies.Copy copy = new AffineCopies.Copy();
        Coefficients first = copy.of(t, 3, 0.0, mirror);
        Coefficients second = copy.of(t, 3, 0.0, mirror);
        assertSame(first, second);
        holds(t, second, mirror, "second call");
    }

    @ParameterizedTest(name = "{0} parameter, float mirror {1}")
    @MethodSource("parameterKinds")
    void aParameterOfAnotherSizeIsCopiedAfresh(DType dtype, boolean mirror) {
        AffineCopies.Copy copy = new AffineCopies.Copy();
        copy.of(Tensor.of(dtype, new double[] {1.0, 2.0}, Shape.of(2)), 2, 1.0, mirror);
        Tensor longer = Tensor.of(dtype, new double[] {1.0, 2.0, 4.0, 8.0, 16.0}, Shape.of(5));
        holds(longer, copy.of(longer, 5, 1.0, mirror), mirror, "after the size grew");
        Tensor shorter = Tensor.of(dtype, new double[] {-3.0}, Shape.of(1));
        holds(shorter, copy.of(shorter, 1, 1.0, mirror), mirror, "after the size shrank");
    }

    @Test
    void switchingBetweenTheMirrorAndDoublesGivesWhatTheKernelReads() {
        Tensor t = Tensor.of(DType.FLOAT64, new double[] {0.1, 0.2, 0.3}, Shape.of(3));
        AffineCopies.Copy copy = new AffineCopies.Copy();
        assertNull(copy.of(t, 3, 1.0, false).f);
        holds(t, copy.of(t, 3, 1.0, true), true, "float64 data, then float32 data");
        holds(t, copy.of(t, 3, 1.0, false), false, "and back");
    }

    @Test
    void anAbsentParameterIsItsConstantAtEverySizeAndForm() {
        AffineCopies.Copy copy = new AffineCopies.Copy();
        constant(copy.of(null, 3, 1.0, true), 3, 1.0, true);
        constant(copy.of(null, 3, 1.0, true), 3, 1.0, true);
        constant(copy.of(null, 5, 1.0, true), 5, 1.0, true);
        constant(copy.of(null, 5, 0.0, true), 5, 0.0, true);
        constant(copy.of(null, 5, 0.0, false), 5, 0.0, false);
        constant(copy.of(null, 5, 0.0, true), 5, 0.0, true);
    }

    @Test
    void anAbsentConstantIsReusedWhileNothingChanges() {
        AffineCopies.Copy copy = new AffineCopies.Copy();
        Coefficients first = copy.of(null, 4, 1.0, true);
        assertSame(first, copy.of(null, 4, 1.0, true));
    }

    @Test
    void aParameterAfterAnAbsentOneAndTheReverseAreNeverMixedUp() {
        AffineCopies.Copy copy = new AffineCopies.Copy();
        Tensor ones = Tensor.of(DType.FLOAT32, new double[] {1.0, 1.0, 1.0}, Shape.of(3));
        constant(copy.of(null, 3, 1.0, true), 3, 1.0, true);
        // The parameter holds what the constant held: its copy must still be made from it, not taken as the constant.
        holds(ones, copy.of(ones, 3, 1.0, true), true, "a parameter after an absent one");
        ones.set(1, 2.0);
        holds(ones, copy.of(ones, 3, 1.0, true), true, "then changed in place");
        constant(copy.of(null, 3, 1.0, true), 3, 1.0, true);
    }

    @Test
    void aCopyGivenBackIsTheOneTakenNextAndATakenCopyIsNotShared() {
        AffineCopies copies = new AffineCopies();
        AffineCopies.Copy first = copies.take();
        AffineCopies.Copy whileTaken = copies.take();
        assertNotSame(first, whileTaken);
        copies.give(first);
        assertSame(first, copies.take());
        assertNotSame(first, copies.take());
    }

    private static void holds(Tensor t, Coefficients c, boolean mirror, String what) {
        int n = t.shape().numel();
        double[] expected = t.toDoubleArray();
        double[] d = new double[n];
        System.arraycopy(c.d, 0, d, 0, n);
        assertArrayEquals(expected, d, 0.0, what + ": doubles");
        if (mirror) {
            for (int i = 0; i < n; i++) {
                assertEquals((float) expected[i], c.f[i], 0.0f, what + ": float mirror at " + i);
            }
        } else {
            assertNull(c.f, what + ": no float mirror");
        }
    }

    private static void constant(Coefficients c, int size, double value, boolean mirror) {
        for (int i = 0; i < size; i++) {
            assertEquals(value, c.d[i], 0.0, "double " + i);
            if (mirror) {
                assertEquals((float) value, c.f[i], 0.0f, "float " + i);
            }
        }
        if (!mirror) {
            assertNull(c.f);
        }
    }
}

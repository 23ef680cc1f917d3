package org.normkit.autograd.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/** What the checks of this package report: the tolerance rule, the worst element of a comparison, gradcheck. */
class CheckReportsTest {

    @Nested
    class Tolerances {
        private final Tolerance tolerance = new Tolerance(0.1, 0.01);

        @Test
        void theAllowanceIsAbsolutePlusRelativeToTheExpectedValue() {
            assertTrue(tolerance.accepts(100 + 1.1, 100));
            assertFalse(tolerance.accepts(100 + 1.1001, 100));
            assertTrue(tolerance.accepts(100 - 1.1, 100));
            assertFalse(tolerance.accepts(-100 + 1.1001, -100), "relative to |expected|, also when negative");
            assertTrue(tolerance.accepts(-100 + 1.1, -100));
        }

        @Test
        void usageIsTheShareOfTheAllowanceAPairUses() {
            assertEquals(0.5, tolerance.usage(100.55, 100), 1e-9);
            assertEquals(2.0, tolerance.usage(-10.4, -10), 1e-9);
            assertEquals(0, tolerance.usage(3, 3));
        }

        @Test
        void nanAgainstANumberIsInfinitelyFarAndNanAgainstNanMatches() {
            assertEquals(Double.POSITIVE_INFINITY, tolerance.usage(Double.NaN, 1));
            assertEquals(Double.POSITIVE_INFINITY, tolerance.usage(1, Double.NaN));
            assertEquals(0, tolerance.usage(Double.NaN, Double.NaN));
        }

        @Test
        void anExactToleranceAcceptsOnlyEqualValues() {
            assertEquals(0, Tolerance.EXACT.usage(2, 2));
            assertEquals(Double.POSITIVE_INFINITY, Tolerance.EXACT.usage(2, 2 + 1e-15));
        }

        @Test
        void negativeOrNanBoundsAreRefusedNamingBoth() {
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> new Tolerance(-1, 0));
            assertThrows(IllegalArgumentException.class, () -> new Tolerance(0, -1e-9));
            assertThrows(IllegalArgumentException.class, () -> new Tolerance(Double.NaN, 0));
            assertThrows(IllegalArgumentException.class, () -> new Tolerance(0, Double.NaN));

            assertEquals("tolerance needs abs >= 0 and rel >= 0, got abs=-1.0, rel=0.0", negative.getMessage());
        }

        @Test
        void facesTakeTheTableEntryOfTheirDtype() {
            assertSame(Tolerance.FACES_FLOAT64, Tolerance.faces(DType.FLOAT64));
            assertSame(Tolerance.FACES_FLOAT32, Tolerance.faces(DType.FLOAT32));
            assertEquals("abs 1.0E-6, rel 1.0E-4", Tolerance.GRADCHECK.toString());
        }
    }

    @Nested
    class Comparisons {
        private final Tolerance tolerance = new Tolerance(1e-3, 0);

        @Test
        void theWorstElementIsNamedByItsIndexWithBothValues() {
            Tensor expected = Tensor.of(new double[] {0, 1, 2, 3, 4, 5}, 2, 3);
            Tensor actual = Tensor.of(new double[] {0, 1, 2.0005, 3, 4.002, 5.0001}, 2, 3);

            Comparison c = Comparison.of("y", actual, expected, tolerance);

            assertFalse(c.passed());
            assertEquals(4, c.flatIndex());
            assertEquals("[1, 1]", c.index());
            assertEquals(4.002, c.actual());
            assertEquals(4.0, c.expected());
            assertEquals(2.0, c.worstUsage(), 1e-6);
            assertEquals("y: worst at [1, 1]: actual 4.002, expected 4.0 (tolerance abs 0.001, rel 0.0, 2.00× the "
                    + "allowance)", c.describe());
        }

        @Test
        void theFirstOfEqualWorstElementsIsNamed() {
            Tensor expected = Tensor.of(new double[] {1, 1, 1}, 3);
            Tensor actual = Tensor.of(new double[] {1, 1.5, 1.5}, 3);

            assertEquals(1, Comparison.of("y", actual, expected, tolerance).flatIndex());
        }

        @Test
        void tensorsWithinTheToleranceEverywherePassAtTheBoundary() {
            Tensor expected = Tensor.of(new double[] {1, 2}, 2);
            Tensor actual = Tensor.of(new double[] {1, 2.0009999}, 2);

            Comparison c = Comparison.of("y", actual, expected, tolerance);

            assertTrue(c.passed(), c.describe());
            assertEquals(1, c.flatIndex());
        }

        @Test
        void aShapeMismatchFailsOnItsOwnNamingBothShapes() {
            Comparison c = Comparison.of("dx", Tensor.zeros(DType.FLOAT64, 2, 3), Tensor.zeros(DType.FLOAT64, 3, 2),
                    tolerance);

            assertFalse(c.passed());
            assertFalse(c.shapesMatch());
            assertEquals("[]", c.index());
            assertTrue(c.describe().startsWith("dx (actual shape " + Shape.of(2, 3) + "): shape differs, expected "
                    + Shape.of(3, 2)), c.describe());
        }

        @Test
        void emptyTensorsAgree() {
            Comparison c = Comparison.of("y", Tensor.zeros(DType.FLOAT64, 0), Tensor.zeros(DType.FLOAT64, 0),
                    tolerance);

            assertTrue(c.passed());
            assertEquals(-1, c.flatIndex());
            assertEquals("[]", c.index());
        }
    }

    @Nested
    class GradChecks {

        @Test
        void aCorrectGradientPassesForEveryInput() {
            Tensor a = Tensor.randn(DType.FLOAT32, Shape.of(2, 3), 1);
            Tensor b = Tensor.randn(DType.FLOAT64, Shape.of(2, 3), 2);

            GradCheck.Report report = GradCheck.check(in -> in.get(0).mul(in.get(1)).tanh(), List.of(a, b), 3);

            assertTrue(report.passed(), report.describe());
            assertEquals(2, report.perInput().size());
            assertTrue(report.describe().startsWith("ok   gradient of input 0 " + Shape.of(2, 3)), report.describe());
        }

        @Test
        void aGradientThatMissesAPathFailsNamingTheInput() {
            Tensor x = Tensor.of(new double[] {0.5, -1.5, 2}, 3);

            // x · detach(x): backprop sees one factor, finite differences both, so the gradient is half.
            GradCheck.Report report = GradCheck.check(in -> in.get(0).mul(in.get(0).detach()), List.of(x), 4);

            assertFalse(report.passed());
            assertTrue(report.describe().startsWith("FAIL gradient of input 0 " + Shape.of(3) + ": worst at"),
                    report.describe());
        }

        @Test
        void anInputTheOutputDoesNotDependOnHasAZeroGradientOnBothSides() {
            Tensor x = Tensor.of(new double[] {1, 2}, 2);
            Tensor unused = Tensor.of(new double[] {3, 4}, 2);

            GradCheck.Report report = GradCheck.check(in -> in.get(0).mul(in.get(0)), List.of(x, unused), 5);

            assertTrue(report.passed(), report.describe());
        }

        @Test
        void theCheckIsMadeOnFloat64CopiesAndLeavesTheInputsAlone() {
            Tensor x = Tensor.of(new float[] {1, 2}, 2);

            GradCheck.check(in -> {
                assertEquals(DType.FLOAT64, in.get(0).dtype());
                return in.get(0).mul(in.get(0));
            }, List.of(x), 6);

            assertNull(x.grad());
            assertEquals(1.0, x.get(0));
        }

        @Test
        void aCorrectSecondOrderGradientPassesForTheInputAndTheOutputGradient() {
            Tensor x = Tensor.of(new double[] {0.3, -0.7, 1.1}, 3);

            GradCheck.Report report = GradCheck.checkSecondOrder(in -> in.get(0).mul(in.get(0)).mul(in.get(0)),
                    List.of(x), 7);

            assertTrue(report.passed(), report.describe());
            assertEquals(2, report.perInput().size());
            assertTrue(report.describe().contains("second-order gradient of input 0"), report.describe());
            assertTrue(report.describe().contains("second-order gradient of the output gradient"),
                    report.describe());
        }
    }
}

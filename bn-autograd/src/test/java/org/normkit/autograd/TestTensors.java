package org.normkit.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import org.normkit.autograd.check.GradCheck;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/** Small helpers shared by the tests: seeded float64 tensors and assertions that print both sides. */
public final class TestTensors {
    private TestTensors() {}

    public static Tensor randn(long seed, int... dims) {
        return Tensor.randn(DType.FLOAT64, Shape.of(dims), seed);
    }

    /** Values in [low, high): for log, sqrt and non-integer powers. */
    public static Tensor uniform(long seed, double low, double high, int... dims) {
        return Tensor.uniform(DType.FLOAT64, Shape.of(dims), low, high, seed);
    }

    /**
     * Distinct values 0.1 apart in a scrambled order (i·7919 mod n): no ties for max and max pooling, and gaps far
     * above the finite-difference step, so no perturbation changes which element is the maximum.
     */
    public static Tensor distinct(int... dims) {
        int n = Shape.of(dims).numel();
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = ((long) i * 7919 % n) * 0.1 - n * 0.05;
        }
        return Tensor.of(v, dims);
    }

    /** Gradchecks {@code f} at {@code inputs} (float64 central differences against backprop); fails with the report. */
    public static void assertGradients(Function<List<Tensor>, Tensor> f, Tensor... inputs) {
        GradCheck.Report report = GradCheck.check(f, List.of(inputs), 42);
        assertTrue(report.passed(), () -> "gradient check failed:\n" + report.describe());
    }

    /** Second-order gradcheck of {@code f} at {@code inputs} (finite differences of first-order gradients). */
    public static void assertSecondOrderGradients(Function<List<Tensor>, Tensor> f, Tensor... inputs) {
        GradCheck.Report report = GradCheck.checkSecondOrder(f, List.of(inputs), 42);
        assertTrue(report.passed(), () -> "second-order gradient check failed:\n" + report.describe());
    }

    /** Element by element, |actual − expected| ≤ tolerance, naming the first index that differs. */
    public static void assertValues(double[] expected, Tensor actual, double tolerance) {
        assertEquals(expected.length, actual.numel(), () -> "element count of " + actual.shape());
        for (int i = 0; i < expected.length; i++) {
            double a = actual.get(i);
            int index = i;
            assertTrue(Math.abs(a - expected[i]) <= tolerance * Math.max(1, Math.abs(expected[i])),
                    () -> "element " + index + ": expected " + expected[index] + ", got " + a + " (all: "
                            + Arrays.toString(actual.toDoubleArray()) + ")");
        }
    }

    public static void assertValues(Tensor expected, Tensor actual, double tolerance) {
        assertEquals(expected.shape(), actual.shape(), "shape");
        assertValues(expected.toDoubleArray(), actual, tolerance);
    }
}

package org.normkit.variants;

import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/** The inputs of scripts/pytorch/golden_new_norms.py: 0.5·sin(0.37·i + offset) in row-major order, float64. */
public final class GoldenInputs {
    private GoldenInputs() {}

    public static Tensor sines(double offset, int... dims) {
        double[] v = new double[Shape.of(dims).numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = 0.5 * Math.sin(0.37 * i + offset);
        }
        return Tensor.of(v, dims);
    }

    /** Element by element within {@code tolerance}, naming the first index that differs. */
    public static void assertClose(double[] expected, Tensor actual, double tolerance, String what) {
        double[] a = actual.toDoubleArray();
        org.junit.jupiter.api.Assertions.assertEquals(expected.length, a.length, what + ": element count");
        for (int i = 0; i < a.length; i++) {
            int index = i;
            org.junit.jupiter.api.Assertions.assertEquals(expected[i], a[i], tolerance,
                    () -> what + ": element " + index);
        }
    }
}

package org.normkit.autograd.check;

import java.util.Arrays;

import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * The worst element of a comparison of two tensors under a tolerance: its n-d index, both values and how much of
 * the allowance it used. Every check reports failures through this, so they all read alike.
 */
public record Comparison(String what, Shape shape, int flatIndex, double actual, double expected, Tolerance tolerance,
                         double worstUsage, boolean shapesMatch) {

    /** Compares element by element; a shape mismatch is a failure of its own. */
    public static Comparison of(String what, Tensor actual, Tensor expected, Tolerance tolerance) {
        if (!actual.shape().equals(expected.shape())) {
            return new Comparison(what + " (actual shape " + actual.shape() + ")", expected.shape(), -1,
                    Double.NaN, Double.NaN, tolerance, Double.POSITIVE_INFINITY, false);
        }
        int worst = -1;
        double worstUsage = 0;
        for (int i = 0; i < actual.numel(); i++) {
            double u = tolerance.usage(actual.get(i), expected.get(i));
            if (worst < 0 || u > worstUsage) {
                worst = i;
                worstUsage = u;
            }
        }
        return new Comparison(what, expected.shape(), worst, worst < 0 ? 0 : actual.get(worst),
                worst < 0 ? 0 : expected.get(worst), tolerance, worstUsage, true);
    }

    public boolean passed() {
        return shapesMatch && worstUsage <= 1.0;
    }

    /** The n-d index of the worst element, e.g. {@code [1, 0, 2]}. */
    public String index() {
        if (flatIndex < 0) {
            return "[]";
        }
        int[] idx = new int[shape.rank()];
        int rest = flatIndex;
        for (int d = shape.rank() - 1; d >= 0; d--) {
            idx[d] = rest % shape.dim(d);
            rest /= shape.dim(d);
        }
        return Arrays.toString(idx);
    }

    /** One line: {@code gradInput: worst at [1, 0, 2]: actual 0.123, expected 0.124 (tolerance abs 1e-9, rel 1e-7)}. */
    public String describe() {
        if (!shapesMatch) {
            return what + ": shape differs, expected " + shape;
        }
        return what + ": worst at " + index() + ": actual " + actual + ", expected " + expected + " (tolerance "
                + tolerance + ", " + String.format("%.3g", worstUsage) + "× the allowance)";
    }
}

package org.normkit.core.inference;

import java.util.Map;
import java.util.SplittableRandom;

import org.normkit.autograd.nn.Module;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormLayer;

/** What the folding tests share: a norm whose statistics and affine parameters look trained, and an error measure. */
final class FoldingNets {
    private FoldingNets() {
    }

    /** Running statistics and γ, β far from their initial values, so a wrong formula cannot pass by luck. */
    static NormLayer trained(NormLayer norm, SplittableRandom random) {
        Map<String, Tensor> state = norm.stateDict();
        int c = norm.spec().numFeatures();
        fill(state.get("running_mean"), c, () -> random.nextDouble(-3, 3));
        fill(state.get("running_var"), c, () -> random.nextDouble(0.01, 5));
        if (state.containsKey("weight")) {
            fill(state.get("weight"), c, () -> random.nextDouble(-2, 2));
            fill(state.get("bias"), c, () -> random.nextDouble(-2, 2));
        }
        return norm;
    }

    private static void fill(Tensor t, int n, java.util.function.DoubleSupplier values) {
        for (int i = 0; i < n; i++) {
            t.set(i, values.getAsDouble());
        }
    }

    /** max |a − b| divided by max |b|: the error relative to the output's scale. */
    static double relativeError(Tensor a, Tensor b) {
        double[] x = a.toDoubleArray();
        double[] y = b.toDoubleArray();
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < y.length; i++) {
            worst = Math.max(worst, Math.abs(x[i] - y[i]));
            scale = Math.max(scale, Math.abs(y[i]));
        }
        return worst / Math.max(scale, Double.MIN_NORMAL);
    }

    /** Fails with the error and the tolerance when the folded output strays from the original's. */
    static void assertAgree(Tensor folded, Tensor original, double tolerance) {
        double error = relativeError(folded, original);
        org.junit.jupiter.api.Assertions.assertTrue(error <= tolerance,
                () -> "folded output differs by " + error + " of the output's scale (tolerance " + tolerance + ")");
    }

    static Tensor input(DType dtype, SplittableRandom random, int... shape) {
        return Tensor.randn(dtype, org.normkit.autograd.tensor.Shape.of(shape), random).mul(2.0).add(0.5);
    }

    static Map<String, Tensor> snapshot(Module model) {
        Map<String, Tensor> copy = new java.util.LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> copy.put(k, v.copy()));
        return copy;
    }
}

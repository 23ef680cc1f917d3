package org.normkit.autograd.check;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/**
 * Checks analytic gradients against central finite differences, in float64: for a function f of some inputs and a
 * fixed random projection w of its output, the loss L = Σ w·f(inputs) is differentiated by backprop and by
 * (L(x + h) − L(x − h)) / 2h for every input element. The report names the worst element with its index and both
 * values.
 */
public final class GradCheck {
    private static final double STEP = 1e-6;

    private GradCheck() {}

    /** The result for every input: one {@link Comparison} each (numeric gradient as the expected side). */
    public record Report(List<Comparison> perInput) {
        public boolean passed() {
            return perInput.stream().allMatch(Comparison::passed);
        }

        public String describe() {
            StringBuilder s = new StringBuilder();
            for (Comparison c : perInput) {
                s.append(c.passed() ? "ok   " : "FAIL ").append(c.describe()).append('\n');
            }
            return s.toString();
        }
    }

    /**
     * Checks {@code f} at {@code inputs} (converted to float64 copies) with {@link Tolerance#GRADCHECK}.
     *
     * @param f      the function; it must be deterministic (for norms, run it in a mode without state changes)
     * @param inputs the points; each gets a gradient check
     * @param seed   seed of the random output projection
     */
    public static Report check(Function<List<Tensor>, Tensor> f, List<Tensor> inputs, long seed) {
        return check(f, inputs, seed, Tolerance.GRADCHECK);
    }

    public static Report check(Function<List<Tensor>, Tensor> f, List<Tensor> inputs, long seed, Tolerance tolerance) {
        List<Tensor> points = new ArrayList<>();
        for (Tensor t : inputs) {
            points.add(t.detach().to(DType.FLOAT64).copy().requiresGrad(true));
        }
        Tensor out = f.apply(points);
        Tensor projection = Tensor.randn(DType.FLOAT64, out.shape(), seed);
        out.mul(projection).sum().backward();

        List<Comparison> comparisons = new ArrayList<>();
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            for (int k = 0; k < points.size(); k++) {
                Tensor x = points.get(k);
                Tensor analytic = x.grad() == null ? x.zerosLike() : x.grad();
                Tensor numeric = x.zerosLike();
                double[] v = x.doubleData();
                for (int i = 0; i < v.length; i++) {
                    double saved = v[i];
                    v[i] = saved + STEP;
                    double plus = f.apply(points).mul(projection).sum().item();
                    v[i] = saved - STEP;
                    double minus = f.apply(points).mul(projection).sum().item();
                    v[i] = saved;
                    numeric.set(i, (plus - minus) / (2 * STEP));
                }
                comparisons.add(Comparison.of("gradient of input " + k + " " + x.shape(), analytic, numeric, tolerance));
            }
        }
        return new Report(comparisons);
    }
}

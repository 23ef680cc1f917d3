package org.normkit.autograd.check;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import org.normkit.autograd.graph.Backprop;
import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/**
 * Checks analytic gradients against central finite differences, in float64: for a function f of some inputs and a
 * fixed random projection w of its output, the loss L = Σ w·f(inputs) is differentiated by backprop and by
 * (L(x + h) − L(x − h)) / 2h for every input element. The report names the worst element with its index and both
 * values.
 *
 * <p>{@link #checkSecondOrder} does the same one order up (PyTorch's {@code gradgradcheck}): with a second fixed
 * projection v of the first-order gradients, S = Σₖ vₖ·∂L/∂xₖ is differentiated by backprop through a backward pass
 * that built a graph ({@code createGraph}), and by central differences of S computed from first-order gradients. The
 * projection w counts as an input too, since the gradients depend on it: that checks each backward's own backward
 * with respect to the incoming gradient.
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

    /** Second-order check of {@code f} at {@code inputs} with {@link Tolerance#GRADCHECK}; see the class comment. */
    public static Report checkSecondOrder(Function<List<Tensor>, Tensor> f, List<Tensor> inputs, long seed) {
        List<Tensor> points = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Tensor t : inputs) {
            names.add("input " + points.size() + " " + t.shape());
            points.add(t.detach().to(DType.FLOAT64).copy().requiresGrad(true));
        }
        return secondOrder(() -> f.apply(points), names, points, seed);
    }

    /**
     * The second-order check of {@code output} (re-evaluated on every call) with respect to {@code points}, which it
     * reads and which are perturbed in place (float64 tensors that require a gradient), and to the output projection.
     */
    static Report secondOrder(Supplier<Tensor> output, List<String> names, List<Tensor> points, long seed) {
        Tensor projection = Tensor.randn(DType.FLOAT64, output.get().shape(), seed).requiresGrad(true);
        List<Tensor> gradientProjections = new ArrayList<>();
        for (int k = 0; k < points.size(); k++) {
            gradientProjections.add(Tensor.randn(DType.FLOAT64, points.get(k).shape(), seed + 1 + k));
        }
        Tensor[] wrt = points.toArray(Tensor[]::new);
        Function<Boolean, Tensor> projected = createGraph -> {
            Tensor loss = output.get().mul(projection).sum();
            Tensor[] grads = Backprop.grad(new Tensor[] {loss}, wrt, null, createGraph, createGraph, true);
            Tensor s = Tensor.scalar(0.0, DType.FLOAT64);
            for (int k = 0; k < grads.length; k++) {
                if (grads[k] != null) {
                    s = s.add(grads[k].mul(gradientProjections.get(k)).sum());
                }
            }
            return s;
        };
        List<Tensor> all = new ArrayList<>(points);
        all.add(projection);
        Tensor s = projected.apply(true);
        Tensor[] analytic = s.requiresGrad()
                ? Backprop.grad(new Tensor[] {s}, all.toArray(Tensor[]::new), null, false, false, true)
                : new Tensor[all.size()];

        List<Comparison> comparisons = new ArrayList<>();
        for (int k = 0; k < all.size(); k++) {
            Tensor x = all.get(k);
            Tensor numeric = x.zerosLike();
            double[] v = x.doubleData();
            for (int i = 0; i < v.length; i++) {
                double saved = v[i];
                v[i] = saved + STEP;
                double plus = projected.apply(false).item();
                v[i] = saved - STEP;
                double minus = projected.apply(false).item();
                v[i] = saved;
                numeric.set(i, (plus - minus) / (2 * STEP));
            }
            String what = "second-order gradient of " + (k < names.size() ? names.get(k)
                    : "the output gradient " + x.shape());
            comparisons.add(Comparison.of(what, analytic[k] == null ? x.zerosLike() : analytic[k], numeric,
                    Tolerance.GRADCHECK));
        }
        return new Report(comparisons);
    }
}

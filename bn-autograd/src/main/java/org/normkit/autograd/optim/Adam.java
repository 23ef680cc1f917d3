package org.normkit.autograd.optim;

import java.util.List;

import org.normkit.autograd.nn.Parameter;
import org.normkit.autograd.loops.LoopCost;
import org.normkit.autograd.parallel.KernelThreads;
import org.normkit.autograd.tensor.DType;

/**
 * Adam (Kingma &amp; Ba, 2015, "Adam: A Method for Stochastic Optimization"), exactly {@code torch.optim.Adam}
 * without amsgrad: PyTorch's defaults lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0. For each parameter p
 * with gradient g, at its step t = 1, 2, ...:
 * <pre>
 *   g ← g + weightDecay·p                       (L2 added to the gradient, not decoupled as in AdamW)
 *   m ← β₁·m + (1 − β₁)·g
 *   v ← β₂·v + (1 − β₂)·g²
 *   p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + eps)
 * </pre>
 * eps is added after the bias correction of √v, as PyTorch does (the paper's ε̂ placement). m and v start at 0.
 */
public final class Adam extends Optimizer {
    /**
     * Work per element in element-passes ({@link LoopCost#ELEMENT_PASS}), for {@link
     * KernelThreads#forEachRangeEstimated}: four arrays read and three written, plus a square root and a division.
     * Each element's update is its own, so sharing the range changes no bit.
     */
    private static final int PASSES = 8;

    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final float[][] moments32;
    private final double[][] moments64;
    private final int[] steps;

    /** PyTorch's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam(List<Parameter> parameters) {
        this(parameters, 1e-3);
    }

    public Adam(List<Parameter> parameters, double lr) {
        this(parameters, lr, 0.9, 0.999, 1e-8, 0);
    }

    public Adam(List<Parameter> parameters, double lr, double beta1, double beta2, double eps, double weightDecay) {
        super("Adam", parameters);
        this.lr = nonNegative("Adam", "lr", lr, "PyTorch's default is 1e-3");
        this.beta1 = beta("beta1", beta1, "0.9");
        this.beta2 = beta("beta2", beta2, "0.999");
        this.eps = nonNegative("Adam", "eps", eps, "PyTorch's default is 1e-8");
        this.weightDecay = nonNegative("Adam", "weight decay", weightDecay, "0 for none");
        this.moments32 = new float[2 * size()][];
        this.moments64 = new double[2 * size()][];
        this.steps = new int[size()];
    }

    private static double beta(String name, double value, String usual) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException("Adam: " + name + " = " + value + " is outside [0, 1); PyTorch's "
                    + "default is " + usual);
        }
        return value;
    }

    @Override
    protected void update(int index, float[] p, float[] grad) {
        if (moments32[2 * index] == null) {
            moments32[2 * index] = new float[p.length];
            moments32[2 * index + 1] = new float[p.length];
        }
        float[] m = moments32[2 * index];
        float[] v = moments32[2 * index + 1];
        int t = ++steps[index];
        float stepSize = (float) (lr / (1 - Math.pow(beta1, t)));
        float correction2 = (float) Math.sqrt(1 - Math.pow(beta2, t));
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        float oneMinusB1 = (float) (1 - beta1);
        float oneMinusB2 = (float) (1 - beta2);
        float decay = (float) weightDecay;
        float epsilon = (float) eps;
        KernelThreads.forEachRangeEstimated(p.length, LoopCost.ELEMENT_PASS.nanos(DType.FLOAT32, PASSES), (from, to) -> {
            for (int i = from; i < to; i++) {
                float g = grad[i] + decay * p[i];
                m[i] = b1 * m[i] + oneMinusB1 * g;
                v[i] = b2 * v[i] + oneMinusB2 * g * g;
                p[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) / correction2 + epsilon);
            }
        });
    }

    @Override
    protected void update(int index, double[] p, double[] grad) {
        if (moments64[2 * index] == null) {
            moments64[2 * index] = new double[p.length];
            moments64[2 * index + 1] = new double[p.length];
        }
        double[] m = moments64[2 * index];
        double[] v = moments64[2 * index + 1];
        int t = ++steps[index];
        double stepSize = lr / (1 - Math.pow(beta1, t));
        double correction2 = Math.sqrt(1 - Math.pow(beta2, t));
        KernelThreads.forEachRangeEstimated(p.length, LoopCost.ELEMENT_PASS.nanos(DType.FLOAT64, PASSES), (from, to) -> {
            for (int i = from; i < to; i++) {
                double g = grad[i] + weightDecay * p[i];
                m[i] = beta1 * m[i] + (1 - beta1) * g;
                v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                p[i] = p[i] - stepSize * m[i] / (Math.sqrt(v[i]) / correction2 + eps);
            }
        });
    }

    public double lr() {
        return lr;
    }
}

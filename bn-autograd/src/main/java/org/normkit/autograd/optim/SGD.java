package org.normkit.autograd.optim;

import java.util.List;

import org.normkit.autograd.nn.Parameter;

/**
 * Stochastic gradient descent with optional momentum, dampening, weight decay and Nesterov momentum, exactly
 * {@code torch.optim.SGD}'s rule. For each parameter p with gradient g:
 * <pre>
 *   g ← g + weightDecay·p                                 (L2 penalty, when weightDecay ≠ 0)
 *   if momentum ≠ 0:
 *       b ← g                                  at the first step,
 *       b ← momentum·b + (1 − dampening)·g     afterwards
 *       g ← g + momentum·b   if nesterov, else   g ← b
 *   p ← p − lr·g
 * </pre>
 * Note PyTorch's convention: the first momentum buffer is the gradient itself, not dampened, and lr multiplies the
 * buffer (some papers put it inside). Nesterov needs momentum &gt; 0 and dampening 0.
 */
public final class SGD extends Optimizer {
    private final double lr;
    private final double momentum;
    private final double dampening;
    private final double weightDecay;
    private final boolean nesterov;
    private final float[][] buffers32;
    private final double[][] buffers64;

    /** Plain gradient descent: p ← p − lr·g. */
    public SGD(List<Parameter> parameters, double lr) {
        this(parameters, lr, 0, 0, 0, false);
    }

    public SGD(List<Parameter> parameters, double lr, double momentum) {
        this(parameters, lr, momentum, 0, 0, false);
    }

    public SGD(List<Parameter> parameters, double lr, double momentum, double dampening, double weightDecay,
               boolean nesterov) {
        super("SGD", parameters);
        this.lr = nonNegative("SGD", "lr", lr, "e.g. 0.1");
        this.momentum = nonNegative("SGD", "momentum", momentum, "0 for none, e.g. 0.9");
        this.dampening = nonNegative("SGD", "dampening", dampening, "usually 0");
        this.weightDecay = nonNegative("SGD", "weight decay", weightDecay, "0 for none, e.g. 5e-4");
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("SGD: Nesterov momentum requires momentum > 0 and dampening = 0, got "
                    + "momentum = " + momentum + ", dampening = " + dampening);
        }
        this.nesterov = nesterov;
        this.buffers32 = new float[size()][];
        this.buffers64 = new double[size()][];
    }

    @Override
    protected void update(int index, float[] p, float[] grad) {
        float[] b = buffers32[index];
        boolean first = momentum != 0 && b == null;
        if (first) {
            b = new float[p.length];
            buffers32[index] = b;
        }
        float rate = (float) lr;
        float decay = (float) weightDecay;
        float mu = (float) momentum;
        float keep = (float) (1 - dampening);
        for (int i = 0; i < p.length; i++) {
            float g = grad[i] + decay * p[i];
            if (b != null) {
                b[i] = first ? g : mu * b[i] + keep * g;
                g = nesterov ? g + mu * b[i] : b[i];
            }
            p[i] -= rate * g;
        }
    }

    @Override
    protected void update(int index, double[] p, double[] grad) {
        double[] b = buffers64[index];
        boolean first = momentum != 0 && b == null;
        if (first) {
            b = new double[p.length];
            buffers64[index] = b;
        }
        for (int i = 0; i < p.length; i++) {
            double g = grad[i] + weightDecay * p[i];
            if (b != null) {
                double buf = first ? g : momentum * b[i] + (1 - dampening) * g;
                b[i] = buf;
                g = nesterov ? g + momentum * buf : buf;
            }
            p[i] = p[i] - lr * g;
        }
    }

    public double lr() {
        return lr;
    }
}

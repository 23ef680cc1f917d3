package org.normkit.autograd.optim;

import java.util.List;

import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.nn.Parameter;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/**
 * Updates a fixed list of parameters from their gradients, as {@code torch.optim.Optimizer} with one parameter
 * group. {@link #step()} runs under {@link GradMode#noGrad()} and writes each parameter's storage in place, so every
 * holder of the parameter sees the new values; a parameter without a gradient (unused in the last backward) is
 * skipped and its state does not advance, as in PyTorch. Updates are computed in the parameter's precision and its
 * state (momentum, moments) is kept in it, as PyTorch does: float32 parameters are updated in float arithmetic
 * (plain loops the JIT vectorises; the optimizer step is a large part of a small net's training step).
 *
 * <p>Thread safety: none; an optimizer and its parameters belong to one training loop.
 */
public abstract class Optimizer {
    private final List<Parameter> parameters;

    protected Optimizer(String name, List<Parameter> parameters) {
        if (parameters == null || parameters.isEmpty()) {
            throw new IllegalArgumentException(name + ": got an empty parameter list; pass module.parameters() of a "
                    + "module that has parameters");
        }
        this.parameters = List.copyOf(parameters);
    }

    /** Applies one update to every parameter that has a gradient. */
    public final void step() {
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            for (int k = 0; k < parameters.size(); k++) {
                Tensor value = parameters.get(k).value();
                Tensor grad = value.grad();
                if (grad == null) {
                    continue;
                }
                if (value.dtype() == DType.FLOAT32) {
                    update(k, value.floatData(), grad.dtype() == DType.FLOAT32 ? grad.floatData() : grad.toFloatArray());
                } else {
                    update(k, value.doubleData(), grad.dtype() == DType.FLOAT64 ? grad.doubleData() : grad.toDoubleArray());
                }
            }
        }
    }

    /** Drops every parameter's gradient (PyTorch's {@code zero_grad(set_to_none=True)}, its default since 2.0). */
    public final void zeroGrad() {
        for (Parameter p : parameters) {
            p.zeroGrad();
        }
    }

    public final List<Parameter> parameters() {
        return parameters;
    }

    /** Updates parameter {@code index}, stored as float32, in place from its gradient. */
    protected abstract void update(int index, float[] value, float[] grad);

    /** Updates parameter {@code index}, stored as float64, in place from its gradient. */
    protected abstract void update(int index, double[] value, double[] grad);

    /** The number of parameters, for sizing per-parameter state. */
    protected final int size() {
        return parameters.size();
    }

    /** Throws unless {@code value} is finite and ≥ 0, naming the optimizer, the hyper-parameter and a usual value. */
    static double nonNegative(String optimizer, String name, double value, String usual) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(optimizer + ": " + name + " = " + value + " is invalid; it must be a "
                    + "finite value >= 0 (" + usual + ")");
        }
        return value;
    }
}

package org.normkit.autograd.nn;

import org.normkit.autograd.tensor.Tensor;

/**
 * A learnable tensor of a module: a leaf that requires a gradient. Optimizers update {@link #value()} in place, so
 * every holder of the reference sees the new values.
 */
public final class Parameter {
    private final Tensor value;

    public Parameter(Tensor initial) {
        if (!initial.isLeaf()) {
            throw new IllegalArgumentException("a Parameter must be a leaf tensor, got the output of op '"
                    + initial.creator().op() + "'; pass initial.detach().copy()");
        }
        this.value = initial;
        value.requiresGrad(true);
    }

    public Tensor value() {
        return value;
    }

    public Tensor grad() {
        return value.grad();
    }

    public void zeroGrad() {
        value.setGrad(null);
    }
}

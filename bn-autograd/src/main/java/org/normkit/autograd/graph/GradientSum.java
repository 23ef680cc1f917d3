package org.normkit.autograd.graph;

import org.normkit.autograd.loops.Elementwise;
import org.normkit.autograd.tensor.Tensor;

/**
 * The sum of two gradients that reach the same tensor (fan-out, or a leaf's gradient from an earlier pass): the one
 * op the graph performs itself, so that it needs no op from {@code ops}. Both have the tensor's shape, so there is no
 * broadcast; it records a node "accumulate" (whose backward hands the gradient to both sides) only while grad mode
 * is on, that is, in a backward pass that builds a graph of its own.
 */
final class GradientSum {
    private GradientSum() {}

    static Tensor of(Tensor a, Tensor b) {
        Tensor right = b;
        if (b.dtype() != a.dtype()) {
            right = Tensor.zeros(a.dtype(), b.shape());
            right.copyFrom(b);
        }
        Tensor out = Elementwise.map(a, right, a.shape(), Elementwise.Op.ADD);
        return Node.record(out, "accumulate", (g, needs) -> new Tensor[] {g, g}, a, right);
    }

    /**
     * {@code sum += b} in place, element by element: the values {@link #of}{@code (sum, b)} computes, for a sum that
     * only the backward sweep holds and that records no graph (first order). Same dtype and shape.
     */
    static void addInto(Tensor sum, Tensor b) {
        Elementwise.addInPlace(sum, b);
    }
}

package org.normkit.autograd.graph;

import org.normkit.autograd.tensor.Tensor;

/**
 * An op's local chain rule: given ∂L/∂output, the gradient for each input. Entries whose
 * {@code needsInputGrad} flag is false may be null, and should be, so unneeded gradients are never computed.
 */
@FunctionalInterface
public interface BackwardFunction {
    Tensor[] apply(Tensor gradOutput, boolean[] needsInputGrad);
}

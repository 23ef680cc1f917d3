package org.normkit.autograd.graph;

import java.util.Arrays;

import org.normkit.autograd.tensor.Tensor;

/**
 * A fused op: a forward computed outside the graph by a fast kernel, entering the graph as one node with its analytic
 * backward (our {@code derivatives.yaml} entry, as ATen pairs {@code native_batch_norm} with
 * {@code native_batch_norm_backward}). It serves every fused norm, and any plugin's own kernel.
 *
 * <p><b>Optional inputs.</b> The caller passes its inputs in its own positions, null where one is absent (a norm
 * without γ or β); the node records only the present ones, and both backwards see the caller's positions: a
 * {@code needs} entry of an absent input is false, and its result entry is ignored. No caller computes positions by
 * hand.
 *
 * <p><b>Higher orders.</b> An analytic backward is a loop: its result has no graph. In a backward pass that builds a
 * graph ({@code createGraph}, when grad mode is on during the sweep) the node runs {@code differentiable} instead, a
 * backward written with recorded ops (for a norm: its reference face differentiated with {@code createGraph}); when
 * there is none, it refuses with a message naming the op rather than returning a gradient that silently stops the
 * second derivative.
 */
public final class FusedOp {
    private FusedOp() {}

    /**
     * Records {@code output} as produced by {@code op} from {@code inputs} (null entries allowed).
     *
     * @param analytic       the fast backward, used for first-order passes
     * @param differentiable a backward made of recorded ops for passes that build a graph, or null if there is none
     */
    public static Tensor record(String op, Tensor output, Tensor[] inputs, BackwardFunction analytic,
                                BackwardFunction differentiable) {
        int[] positions = new int[inputs.length];
        int present = 0;
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] != null) {
                positions[present++] = i;
            }
        }
        int[] at = Arrays.copyOf(positions, present);
        Tensor[] recorded = new Tensor[present];
        for (int k = 0; k < present; k++) {
            recorded[k] = inputs[at[k]];
        }
        int arity = inputs.length;
        return Node.record(output, op, (gradOutput, needs) -> {
            boolean[] callerNeeds = new boolean[arity];
            for (int k = 0; k < at.length; k++) {
                callerNeeds[at[k]] = needs[k];
            }
            BackwardFunction backward = analytic;
            if (GradMode.isEnabled()) {
                if (differentiable == null) {
                    throw new IllegalStateException("op '" + op + "' has no differentiable backward: its gradient "
                            + "cannot be differentiated again (createGraph); run it through a composition of "
                            + "primitives (a norm's reference face) for higher-order gradients");
                }
                backward = differentiable;
            }
            Tensor[] callerGrads = backward.apply(gradOutput, callerNeeds);
            Tensor[] grads = new Tensor[at.length];
            for (int k = 0; k < at.length; k++) {
                grads[k] = callerGrads == null || at[k] >= callerGrads.length ? null : callerGrads[at[k]];
            }
            return grads;
        }, recorded);
    }
}

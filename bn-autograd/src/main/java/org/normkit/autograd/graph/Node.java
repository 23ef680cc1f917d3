package org.normkit.autograd.graph;

import java.util.List;

import org.normkit.autograd.tensor.Tensor;

/**
 * One recorded op in the graph: its label (used in every error message), its inputs, and the closure that applies
 * its local chain rule. A node's closure holds the tensors its backward needs; {@link #free()} drops them after a
 * backward pass that did not ask to retain the graph.
 */
public final class Node {
    private final String op;
    private final Tensor[] inputs;
    private BackwardFunction backward;

    Node(String op, Tensor[] inputs, BackwardFunction backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    /**
     * Records {@code output} as produced by {@code op} from {@code inputs}, when grad mode is on and some input
     * requires a gradient; otherwise leaves {@code output} a plain leaf. Returns {@code output}.
     *
     * <p>The backward runs with grad mode on in a pass that builds a graph ({@code createGraph}): written with
     * recorded ops on {@code inputs} and {@code output} themselves (not detached copies), its result can be
     * differentiated again. A backward that is a hand-written loop belongs in {@link FusedOp}, which refuses higher
     * orders unless given a differentiable backward.
     */
    public static Tensor record(Tensor output, String op, BackwardFunction backward, Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return output;
        }
        for (Tensor in : inputs) {
            if (in.requiresGrad()) {
                output.attach(new Node(op, inputs, backward));
                return output;
            }
        }
        return output;
    }

    public String op() {
        return op;
    }

    public List<Tensor> inputs() {
        return List.of(inputs);
    }

    Tensor[] inputArray() {
        return inputs;
    }

    boolean isFreed() {
        return backward == null;
    }

    BackwardFunction backwardFunction() {
        return backward;
    }

    void free() {
        backward = null;
    }
}

package org.normkit.autograd.graph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * Reverse-mode differentiation: a topological sort of the graph below the roots, then one sweep in reverse order
 * that applies each node's chain rule and accumulates gradients (so fan-out needs no special case). The sort is
 * iterative so that a long graph cannot overflow the stack.
 *
 * <p>Two entry points, as in PyTorch: {@link #backward} accumulates into {@link Tensor#grad()} of every leaf that
 * requires a gradient ({@code tensor.backward()}); {@link #grad} returns the gradients of given tensors and leaves
 * every {@code grad()} untouched ({@code torch.autograd.grad}).
 *
 * <p><b>Higher orders.</b> With {@code createGraph} the sweep runs with grad mode on, so every op a chain rule
 * applies records itself: the gradients come out as ordinary graph outputs that can be differentiated again, to any
 * order (PyTorch's {@code create_graph=True}). The chain rules are written with the primitives on the op's own
 * (attached) inputs and outputs for this reason; a node whose backward is a hand-written loop either records that
 * loop as a node with a backward of its own or, when it has none, refuses with a message naming the op
 * ({@link FusedOp}). Without {@code createGraph} grad mode is off during the sweep and nothing is recorded: the
 * first-order path builds no graph. {@code retainGraph} defaults to {@code createGraph}, as in PyTorch.
 */
public final class Backprop {
    private Backprop() {}

    /** {@code root.backward(gradOutput, retainGraph)}: first order, gradients accumulated into the leaves. */
    public static void backward(Tensor root, Tensor gradOutput, boolean retainGraph) {
        backward(root, gradOutput, retainGraph, false);
    }

    /**
     * Accumulates ∂root/∂leaf (weighted by {@code gradOutput}, which may be null for a one-element root) into the
     * {@code grad()} of every leaf below the root that requires a gradient. With {@code createGraph} those gradients
     * carry a graph of their own.
     */
    public static void backward(Tensor root, Tensor gradOutput, boolean retainGraph, boolean createGraph) {
        Tensor[] roots = {root};
        Tensor[] seeds = seeds(roots, new Tensor[] {gradOutput}, "backward", createGraph);
        sweep(roots, seeds, null, retainGraph || createGraph, createGraph, "backward");
    }

    /** {@code torch.autograd.grad(output, inputs, create_graph=createGraph)} for a one-element output. */
    public static Tensor[] grad(Tensor output, Tensor[] inputs, boolean createGraph) {
        return grad(new Tensor[] {output}, inputs, null, createGraph, createGraph, false);
    }

    /**
     * The gradients of {@code outputs} (weighted by {@code gradOutputs}; null, or a null entry, for a one-element
     * output means 1) with respect to each of {@code inputs}, which may be leaves or intermediate results; no
     * {@code grad()} changes. With {@code createGraph} the results can be differentiated again. An input the
     * outputs do not depend on is an error unless {@code allowUnused}, when its entry is null, as in PyTorch.
     */
    public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, Tensor[] gradOutputs, boolean retainGraph,
                                boolean createGraph, boolean allowUnused) {
        if (outputs.length == 0 || inputs.length == 0) {
            throw new IllegalArgumentException("grad(): needs at least one output and one input, got "
                    + outputs.length + " outputs and " + inputs.length + " inputs");
        }
        if (gradOutputs != null && gradOutputs.length != outputs.length) {
            throw new IllegalArgumentException("grad(): " + gradOutputs.length + " gradients for " + outputs.length
                    + " outputs; pass one per output (null for a one-element output) or none");
        }
        for (int i = 0; i < inputs.length; i++) {
            if (!inputs[i].requiresGrad()) {
                throw new IllegalArgumentException("grad(): input " + i + " of shape " + inputs[i].shape()
                        + " does not require a gradient; call requiresGrad(true) on it before computing the outputs");
            }
        }
        Tensor[] seeds = seeds(outputs, gradOutputs == null ? new Tensor[outputs.length] : gradOutputs, "grad",
                createGraph);
        Map<Tensor, Tensor> captured = new IdentityHashMap<>();
        for (Tensor in : inputs) {
            captured.put(in, null);
        }
        sweep(outputs, seeds, captured, retainGraph || createGraph, createGraph, "grad");
        Tensor[] result = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            result[i] = captured.get(inputs[i]);
            if (result[i] == null && !allowUnused) {
                throw new IllegalArgumentException("grad(): input " + i + " of shape " + inputs[i].shape() + " is "
                        + "not used to compute the outputs; pass allowUnused to get null for it");
            }
        }
        return result;
    }

    /** The gradient each root starts with: the one given (checked), or 1 for a one-element root. */
    private static Tensor[] seeds(Tensor[] roots, Tensor[] given, String call, boolean createGraph) {
        Tensor[] seeds = new Tensor[roots.length];
        for (int r = 0; r < roots.length; r++) {
            Tensor root = roots[r];
            Tensor g = given[r];
            if (!root.requiresGrad()) {
                throw new IllegalStateException(call + "(): the tensor " + root.shape() + " does not require a "
                        + "gradient and has no graph; call requiresGrad(true) on the inputs before computing it, "
                        + "outside GradMode.noGrad()");
            }
            if (g == null) {
                if (root.numel() != 1) {
                    throw new IllegalArgumentException(call + "() without a gradient needs a one-element output, "
                            + "but the output of op '" + opOf(root) + "' has shape " + root.shape()
                            + ": reduce it to a loss (sum() or mean()) or pass the gradient, e.g. "
                            + "y.backward(y.onesLike())");
                }
                g = root.onesLike();
            } else {
                Shape.requireSame(root.shape(), g.shape(), call + " of op '" + opOf(root) + "'", "the gradient passed");
                if (g.dtype() != root.dtype()) {
                    g = createGraph ? g.to(root.dtype()) : g.detach().to(root.dtype());
                }
            }
            // A gradient output that itself has a graph stays attached when building a graph (PyTorch differentiates
            // through grad_outputs too); otherwise only its values matter.
            seeds[r] = createGraph ? g : g.detach();
        }
        return seeds;
    }

    /**
     * The reverse sweep from {@code roots}. When {@code captured} is null, leaves accumulate their gradient; otherwise
     * only the tensors in {@code captured} receive one (into the map) and only the nodes that lead to them run.
     */
    private static void sweep(Tensor[] roots, Tensor[] seeds, Map<Tensor, Tensor> captured, boolean retainGraph,
                              boolean createGraph, String call) {
        List<Tensor> order = topologicalOrder(roots);
        Set<Tensor> leadsToCaptured = captured == null ? null : leadingTo(order, captured.keySet());
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        // The sums this sweep made itself and nothing else holds (first order only): a further gradient reaching the
        // same tensor is added into them in place (PyTorch's InputBuffer does the same), not into a fresh sum each
        // time: an LSTM's weight gradient gets one term per time step. A tensor leaves this set when its entry
        // leaves the map (it is then handed to a backward function, which may return it as it is).
        Set<Tensor> ownSums = createGraph ? null : Collections.newSetFromMap(new IdentityHashMap<>());
        try (GradMode.Scope ignored = createGraph ? GradMode.enableGrad() : GradMode.noGrad()) {
            for (int r = 0; r < roots.length; r++) {
                accumulate(grads, ownSums, roots[r], seeds[r]);
            }
            for (int k = order.size() - 1; k >= 0; k--) {
                Tensor t = order.get(k);
                Tensor g = grads.remove(t);
                if (ownSums != null && g != null) {
                    ownSums.remove(g);
                }
                if (captured != null && captured.containsKey(t) && g != null) {
                    captured.put(t, g);
                }
                Node node = t.creator();
                if (node == null) {
                    if (captured == null) {
                        accumulateLeaf(t, g, createGraph);
                    }
                    continue;
                }
                if (g == null || (leadsToCaptured != null && !leadsToCaptured.contains(t))) {
                    continue;
                }
                if (node.isFreed()) {
                    throw new IllegalStateException(call + " through op '" + node.op() + "' a second time: its "
                            + "saved tensors were freed by the first backward; call backward(grad, true) the "
                            + "first time to keep the graph, or recompute the forward pass");
                }
                Tensor[] inputs = node.inputArray();
                boolean[] needs = new boolean[inputs.length];
                boolean any = false;
                for (int i = 0; i < inputs.length; i++) {
                    needs[i] = inputs[i].requiresGrad()
                            && (leadsToCaptured == null || leadsToCaptured.contains(inputs[i]));
                    any |= needs[i];
                }
                if (!any) {
                    // An input of grad() produced by an op whose own inputs lead to no other input of grad().
                    continue;
                }
                Tensor[] inputGrads = node.backwardFunction().apply(g, needs);
                if (!retainGraph) {
                    node.free();
                }
                for (int i = 0; i < inputs.length; i++) {
                    if (!needs[i]) {
                        continue;
                    }
                    Tensor gi = inputGrads == null || i >= inputGrads.length ? null : inputGrads[i];
                    if (gi == null) {
                        throw new IllegalStateException("op '" + node.op() + "' computed no gradient for its input "
                                + i + " of shape " + inputs[i].shape() + ", which requires one");
                    }
                    if (!gi.shape().equals(inputs[i].shape())) {
                        throw new IllegalStateException("op '" + node.op() + "' returned a gradient of shape "
                                + gi.shape() + " for its input " + i + " of shape " + inputs[i].shape());
                    }
                    if (gi.dtype() != inputs[i].dtype()) {
                        gi = gi.to(inputs[i].dtype());
                    }
                    accumulate(grads, ownSums, inputs[i], gi);
                }
            }
        }
    }

    /**
     * Adds {@code g} to the gradient {@code grads} holds for {@code t}: the first one is kept as it is; the second
     * makes a fresh sum ({@link GradientSum#of}), which, when {@code ownSums} is not null (first order: nothing is
     * recorded), joins that set, and every further one is added into it in place. The additions are the same, in the
     * same order, as a fresh sum each time, so the gradients are the same to the bit.
     */
    private static void accumulate(Map<Tensor, Tensor> grads, Set<Tensor> ownSums, Tensor t, Tensor g) {
        Tensor held = grads.get(t);
        if (held == null) {
            grads.put(t, g);
        } else if (ownSums != null && ownSums.contains(held) && held.dtype() == g.dtype()) {
            GradientSum.addInto(held, g);
        } else {
            Tensor sum = GradientSum.of(held, g);
            grads.put(t, sum);
            if (ownSums != null) {
                ownSums.add(sum);
            }
        }
    }

    /**
     * A leaf's gradient, added to what it holds. A first-order gradient is copied, so the leaf owns its storage; a
     * gradient with a graph is kept as it is, so that it can be differentiated (PyTorch's {@code create_graph}).
     */
    private static void accumulateLeaf(Tensor leaf, Tensor g, boolean createGraph) {
        if (g == null || !leaf.requiresGrad()) {
            return;
        }
        Tensor own = createGraph && g.requiresGrad() ? g : g.copy();
        leaf.setGrad(leaf.grad() == null ? own : GradientSum.of(leaf.grad(), g));
    }

    /** The tensors of {@code order} (inputs before users) from which some tensor in {@code targets} is reachable. */
    private static Set<Tensor> leadingTo(List<Tensor> order, Set<Tensor> targets) {
        Set<Tensor> leading = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor t : order) {
            if (targets.contains(t)) {
                leading.add(t);
                continue;
            }
            Node node = t.creator();
            if (node != null) {
                for (Tensor in : node.inputArray()) {
                    if (leading.contains(in)) {
                        leading.add(t);
                        break;
                    }
                }
            }
        }
        return leading;
    }

    /** Every tensor reachable from the roots that requires a gradient, inputs before the ops that use them. */
    private static List<Tensor> topologicalOrder(Tensor[] roots) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>();
        for (Tensor root : roots) {
            if (!visited.add(root)) {
                continue;
            }
            stack.push(new Object[] {root, 0});
            while (!stack.isEmpty()) {
                Object[] frame = stack.peek();
                Tensor t = (Tensor) frame[0];
                int next = (Integer) frame[1];
                Node node = t.creator();
                Tensor[] inputs = node == null ? new Tensor[0] : node.inputArray();
                if (next < inputs.length) {
                    frame[1] = next + 1;
                    Tensor in = inputs[next];
                    if (in.requiresGrad() && visited.add(in)) {
                        stack.push(new Object[] {in, 0});
                    }
                } else {
                    stack.pop();
                    order.add(t);
                }
            }
        }
        return order;
    }

    private static String opOf(Tensor t) {
        return t.creator() == null ? "leaf" : t.creator().op();
    }
}

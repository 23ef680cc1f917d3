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
 * Reverse-mode differentiation: a topological sort of the graph below the root, then one sweep in reverse order
 * that applies each node's chain rule and accumulates gradients (so fan-out needs no special case). The sort is
 * iterative so that a long graph cannot overflow the stack. Leaves that require a gradient accumulate it in
 * {@link Tensor#grad()}, as in PyTorch.
 */
public final class Backprop {
    private Backprop() {}

    public static void backward(Tensor root, Tensor gradOutput, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward(): the tensor " + root.shape() + " does not require a "
                    + "gradient and has no graph; call requiresGrad(true) on the inputs before computing it, "
                    + "outside GradMode.noGrad()");
        }
        if (gradOutput == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException("backward() without a gradient needs a one-element output, "
                        + "but the output of op '" + opOf(root) + "' has shape " + root.shape()
                        + ": reduce it to a loss (sum() or mean()) or pass the gradient, e.g. "
                        + "y.backward(y.onesLike())");
            }
            gradOutput = root.onesLike();
        } else {
            Shape.requireSame(root.shape(), gradOutput.shape(), "backward of op '" + opOf(root) + "'",
                    "the gradient passed");
            if (gradOutput.dtype() != root.dtype()) {
                gradOutput = gradOutput.detach().to(root.dtype());
            }
        }
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, gradOutput.detach());
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            for (int k = order.size() - 1; k >= 0; k--) {
                Tensor t = order.get(k);
                Tensor g = grads.remove(t);
                Node node = t.creator();
                if (node == null) {
                    accumulateLeaf(t, g);
                    continue;
                }
                if (g == null) {
                    continue;
                }
                if (node.isFreed()) {
                    throw new IllegalStateException("backward through op '" + node.op() + "' a second time: its "
                            + "saved tensors were freed by the first backward; call backward(grad, true) the "
                            + "first time to keep the graph, or recompute the forward pass");
                }
                Tensor[] inputs = node.inputArray();
                boolean[] needs = new boolean[inputs.length];
                for (int i = 0; i < inputs.length; i++) {
                    needs[i] = inputs[i].requiresGrad();
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
                    grads.merge(inputs[i], gi, GradientSum::of);
                }
            }
        }
    }

    private static void accumulateLeaf(Tensor leaf, Tensor g) {
        if (g == null || !leaf.requiresGrad()) {
            return;
        }
        leaf.setGrad(leaf.grad() == null ? g.copy() : GradientSum.of(leaf.grad(), g));
    }

    /** Every tensor reachable from the root that requires a gradient, inputs before the ops that use them. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.add(root);
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
        return order;
    }

    private static String opOf(Tensor t) {
        return t.creator() == null ? "leaf" : t.creator().op();
    }
}

package org.normkit.autograd.ops;

import java.util.Arrays;
import java.util.function.Function;

import org.normkit.autograd.graph.Backprop;
import org.normkit.autograd.tensor.Tensor;

/**
 * The differentiable backward of a fused op that has a composed reference ({@link LstmCell}, {@link Softmax}): in a
 * backward pass that builds a graph ({@code createGraph}), the reference is run again on the op's own inputs and
 * differentiated with {@code createGraph}, so the gradients are recorded ops that can be differentiated again (as a
 * fused norm differentiates its reference face). The op and its reference compute the same function (the tests hold
 * them together), so these are the op's gradients.
 */
final class ReferenceGradients {
    private ReferenceGradients() {}

    /** The gradients of {@code reference(inputs)} weighted by {@code gradOutput}; null where {@code needs} is false. */
    static Tensor[] of(Function<Tensor[], Tensor> reference, Tensor[] inputs, boolean[] needs, Tensor gradOutput) {
        // The reference runs on aliases (x + 0, recorded) of the inputs: a gradient with respect to the aliases
        // counts only the paths inside this op. With respect to the inputs themselves it would also count paths
        // from one input to another outside the op (an LSTM's cell state computed from the same gate activations
        // that the hidden state reads), which the sweep that called this backward counts again on its own.
        Tensor[] aliases = new Tensor[inputs.length];
        Tensor[] wanted = new Tensor[inputs.length];
        int count = 0;
        for (int i = 0; i < inputs.length; i++) {
            aliases[i] = needs[i] ? inputs[i].add(0.0) : inputs[i];
            if (needs[i]) {
                wanted[count++] = aliases[i];
            }
        }
        Tensor y = reference.apply(aliases);
        Tensor[] grads = Backprop.grad(new Tensor[] {y}, Arrays.copyOf(wanted, count), new Tensor[] {gradOutput},
                true, true, true);
        Tensor[] result = new Tensor[inputs.length];
        for (int i = 0, k = 0; i < inputs.length; i++) {
            if (needs[i]) {
                result[i] = grads[k] != null ? grads[k] : inputs[i].zerosLike();
                k++;
            }
        }
        return result;
    }
}

package org.normkit.experiments.train;

import java.util.List;
import java.util.SplittableRandom;

import org.normkit.autograd.nn.Conv2d;
import org.normkit.autograd.nn.Linear;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.tensor.Tensor;

/**
 * The {@code --init} schemes for the weights of every linear and convolution layer of a net, redrawn after the net
 * is built; biases, embeddings, attention projections and LSTM weights keep their own initialisation, as Dive into
 * Deep Learning's {@code init_cnn} does. With fan_in = in·k·k and fan_out = out·k·k (k = 1 for linear layers):
 * <ul>
 *   <li>{@code default}: PyTorch's {@code reset_parameters}, U(±1/√fan_in) (nothing is redrawn);</li>
 *   <li>{@code xavier}: {@code xavier_uniform_}, U(±√(6 / (fan_in + fan_out))) (Glorot &amp; Bengio 2010), what
 *       D2L's LeNet uses; with PyTorch's default init and lr 0.9, LeNet without a norm stays at 10 %;</li>
 *   <li>{@code kaiming}: {@code kaiming_uniform_(nonlinearity='relu')}, U(±√(6 / fan_in)) (He et al. 2015).</li>
 * </ul>
 */
public final class Initialisation {
    public static final String DEFAULT = "default";
    public static final List<String> NAMES = List.of(DEFAULT, "xavier", "kaiming");

    private Initialisation() {}

    public static void requireKnown(String scheme) {
        if (!NAMES.contains(scheme)) {
            throw new IllegalArgumentException("--init " + scheme + " is unknown: use one of " + NAMES);
        }
    }

    /** Redraws the weights of {@code net}'s linear and convolution layers, in registration order, from {@code random}. */
    public static void apply(Module net, String scheme, SplittableRandom random) {
        requireKnown(scheme);
        if (scheme.equals(DEFAULT)) {
            return;
        }
        visit(net, scheme, random);
    }

    private static void visit(Module m, String scheme, SplittableRandom random) {
        Tensor weight = m instanceof Linear ? ((Linear) m).weight().value()
                : m instanceof Conv2d ? ((Conv2d) m).weight().value() : null;
        if (weight != null) {
            int receptive = weight.numel() / (weight.dim(0) * weight.dim(1));
            int fanIn = weight.dim(1) * receptive;
            int fanOut = weight.dim(0) * receptive;
            double bound = scheme.equals("xavier") ? Math.sqrt(6.0 / (fanIn + fanOut)) : Math.sqrt(6.0 / fanIn);
            weight.copyFrom(Tensor.uniform(weight.dtype(), weight.shape(), -bound, bound, random));
        }
        for (Module child : m.children().values()) {
            visit(child, scheme, random);
        }
    }
}

package org.normkit.experiments.train;

import java.util.List;

import org.normkit.autograd.nn.Parameter;
import org.normkit.autograd.optim.Adam;
import org.normkit.autograd.optim.Optimizer;
import org.normkit.autograd.optim.SGD;

/**
 * The optimizers an experiment can name — {@code sgd} (no momentum, as in the seeds' LeNet) and {@code adam}
 * (PyTorch's defaults) — and the seeds' defaults per net, the one place experiments and the training-step benchmark
 * take them from.
 */
public final class Optimizers {
    private Optimizers() {}

    /** The seeds' optimizer for a net: SGD for {@code lenet}, Adam for the others ({@code mlp} and the sequence nets). */
    public static String defaultFor(String net) {
        return net.equals("lenet") ? "sgd" : "adam";
    }

    /** The seeds' learning rate: 1e-3 for Adam; for SGD 1.0 with a norm and 0.9 without (Dive into Deep Learning). */
    public static double defaultLr(String optimizer, String norm) {
        if (optimizer.equals("adam")) {
            return 1e-3;
        }
        return NormSlot.NONE.equals(norm) ? 0.9 : 1.0;
    }

    public static Optimizer create(String name, List<Parameter> parameters, double lr, double weightDecay) {
        switch (name) {
            case "sgd":
                return new SGD(parameters, lr, 0.0, 0.0, weightDecay, false);
            case "adam":
                return new Adam(parameters, lr, 0.9, 0.999, 1e-8, weightDecay);
            default:
                throw new IllegalArgumentException("unknown optimizer '" + name + "': expected sgd or adam");
        }
    }
}

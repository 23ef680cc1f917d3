package org.normkit.experiments.train;

import java.util.List;

import org.normkit.autograd.nn.Parameter;
import org.normkit.autograd.optim.Adam;
import org.normkit.autograd.optim.Optimizer;
import org.normkit.autograd.optim.SGD;

/** The optimizers an experiment can name: {@code sgd} (no momentum, as in the seeds' LeNet) and {@code adam} (PyTorch's defaults). */
final class Optimizers {
    private Optimizers() {}

    static Optimizer create(String name, List<Parameter> parameters, double lr, double weightDecay) {
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

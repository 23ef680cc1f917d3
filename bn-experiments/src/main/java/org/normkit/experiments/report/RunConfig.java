package org.normkit.experiments.report;

import java.io.Serializable;

/**
 * Everything that defines a training configuration except the seed: the unit over which seeds are repeated and
 * means are taken. Text fields must not contain commas, quotes or line breaks, because they go unquoted into
 * {@code results.csv}; registered norm names never do.
 *
 * @param net         the net's name, e.g. {@code mlp} or {@code lenet}
 * @param norm        the registered norm name, or {@code none} for the baseline without normalization
 * @param batchSize   rows per mini-batch, at least 1
 * @param lr          learning rate, positive
 * @param optimizer   e.g. {@code adam} or {@code sgd}
 * @param weightDecay L2 weight decay, at least 0
 * @param dropout     dropout probability in [0, 1)
 */
public record RunConfig(String net, String norm, int batchSize, double lr, String optimizer, double weightDecay,
                        double dropout) implements Serializable {

    public RunConfig {
        checkName("net", net);
        checkName("norm", norm);
        checkName("optimizer", optimizer);
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + lr);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be at least 0 and finite, got " + weightDecay);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
    }

    /** This configuration under another norm: how a norm finds its baseline. */
    public RunConfig withNorm(String otherNorm) {
        return new RunConfig(net, otherNorm, batchSize, lr, optimizer, weightDecay, dropout);
    }

    private static void checkName(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must be a non-empty name, got '" + value + "'");
        }
        if (value.chars().anyMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r')) {
            throw new IllegalArgumentException(field + " '" + value + "' contains a comma, quote or line break, "
                    + "which results.csv cannot hold unquoted; choose a name without them");
        }
    }
}

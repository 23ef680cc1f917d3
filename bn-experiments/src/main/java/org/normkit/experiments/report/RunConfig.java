package org.normkit.experiments.report;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything that defines a training configuration except the seed: the unit over which seeds are repeated and
 * means are taken. Text fields must not contain commas, quotes or line breaks, because they go unquoted into
 * {@code results.csv}; registered norm names never do.
 *
 * <p>The last four fields are the settings a sweep may vary besides the first seven (issue 13): they name a run as
 * much as its learning rate does, so two runs that differ only in them must not share a row of results.csv.
 *
 * @param net         the net's name, e.g. {@code mlp} or {@code lenet}
 * @param norm        the norm's label: a registered name with its options ({@code group_norm:groups=2}), or
 *                    {@code none} for the baseline without normalization
 * @param batchSize   rows per mini-batch, at least 1
 * @param lr          learning rate, positive (after any scaling with the batch size)
 * @param optimizer   e.g. {@code adam} or {@code sgd}
 * @param weightDecay L2 weight decay, at least 0
 * @param dropout     dropout probability in [0, 1)
 * @param init        the initialisation of linear and convolution weights: {@code default}, {@code xavier}, …
 * @param lrScaling   how the learning rate followed the batch size: {@code none} or {@code linear}
 * @param face        the face the norms trained with: {@code auto}, {@code fused} or {@code reference}
 * @param gradPenalty λ of the gradient penalty, at least 0 (0 for none)
 */
public record RunConfig(String net, String norm, int batchSize, double lr, String optimizer, double weightDecay,
                        double dropout, String init, String lrScaling, String face, double gradPenalty)
        implements Serializable {

    /** The initialisation, learning-rate scaling, face and penalty of a run that sets none of them. */
    public static final String DEFAULT_INIT = "default";
    public static final String NO_SCALING = "none";
    public static final String AUTO_FACE = "auto";
    /** The batch size at which linear learning-rate scaling leaves the learning rate as given (Goyal et al. 2017). */
    public static final int LR_REFERENCE_BATCH = 128;

    public RunConfig {
        checkName("net", net);
        checkName("norm", norm);
        checkName("optimizer", optimizer);
        checkName("init", init);
        checkName("lr scaling", lrScaling);
        checkName("face", face);
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
        if (!(gradPenalty >= 0) || Double.isInfinite(gradPenalty)) {
            throw new IllegalArgumentException("gradient penalty must be at least 0 and finite, got " + gradPenalty);
        }
    }

    /** A run with the default initialisation, no learning-rate scaling, the automatic face and no penalty. */
    public RunConfig(String net, String norm, int batchSize, double lr, String optimizer, double weightDecay,
                     double dropout) {
        this(net, norm, batchSize, lr, optimizer, weightDecay, dropout, DEFAULT_INIT, NO_SCALING, AUTO_FACE, 0);
    }

    /** This configuration under another norm: how a norm finds its baseline. */
    public RunConfig withNorm(String otherNorm) {
        return new RunConfig(net, otherNorm, batchSize, lr, optimizer, weightDecay, dropout, init, lrScaling, face,
                gradPenalty);
    }

    public RunConfig withNet(String value) {
        return new RunConfig(value, norm, batchSize, lr, optimizer, weightDecay, dropout, init, lrScaling, face,
                gradPenalty);
    }

    public RunConfig withBatchSize(int value) {
        return new RunConfig(net, norm, value, lr, optimizer, weightDecay, dropout, init, lrScaling, face, gradPenalty);
    }

    public RunConfig withLr(double value) {
        return new RunConfig(net, norm, batchSize, value, optimizer, weightDecay, dropout, init, lrScaling, face,
                gradPenalty);
    }

    public RunConfig withOptimizer(String value) {
        return new RunConfig(net, norm, batchSize, lr, value, weightDecay, dropout, init, lrScaling, face, gradPenalty);
    }

    public RunConfig withWeightDecay(double value) {
        return new RunConfig(net, norm, batchSize, lr, optimizer, value, dropout, init, lrScaling, face, gradPenalty);
    }

    public RunConfig withDropout(double value) {
        return new RunConfig(net, norm, batchSize, lr, optimizer, weightDecay, value, init, lrScaling, face,
                gradPenalty);
    }

    public RunConfig withInit(String value) {
        return new RunConfig(net, norm, batchSize, lr, optimizer, weightDecay, dropout, value, lrScaling, face,
                gradPenalty);
    }

    public RunConfig withLrScaling(String value) {
        return new RunConfig(net, norm, batchSize, lr, optimizer, weightDecay, dropout, init, value, face, gradPenalty);
    }

    public RunConfig withFace(String value) {
        return new RunConfig(net, norm, batchSize, lr, optimizer, weightDecay, dropout, init, lrScaling, value,
                gradPenalty);
    }

    public RunConfig withGradPenalty(double value) {
        return new RunConfig(net, norm, batchSize, lr, optimizer, weightDecay, dropout, init, lrScaling, face, value);
    }

    /**
     * The settings of the last four fields that differ from a plain run's, as {@code init=xavier}: what a label needs
     * beyond net, norm, batch size, learning rate and seed to tell two runs apart. Empty for a plain run.
     */
    public List<String> nonDefaultExtras() {
        List<String> extras = new ArrayList<>();
        if (!init.equals(DEFAULT_INIT)) {
            extras.add("init=" + init);
        }
        if (!lrScaling.equals(NO_SCALING)) {
            extras.add("lr_scaling=" + lrScaling);
        }
        if (!face.equals(AUTO_FACE)) {
            extras.add("face=" + face);
        }
        if (gradPenalty != 0) {
            extras.add("grad_penalty=" + Numbers.plain(gradPenalty));
        }
        return extras;
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

package org.normkit.autograd.spi;

import org.normkit.autograd.tensor.Tensor;

/**
 * Which mean and variance normalise the input: those of the batch at hand, or given constants (the running
 * statistics in evaluation). Deciding which is the caller's job (the layer's state); the math of a face only
 * receives the choice.
 */
public sealed interface Statistics {

    static Statistics batch() {
        return Batch.INSTANCE;
    }

    /** Constant per-set mean and (biased) variance, e.g. the running statistics, shape (C). */
    static Statistics running(Tensor mean, Tensor variance) {
        return new Running(mean, variance);
    }

    /**
     * The family's one rule for which statistics normalise: the batch's in training, and also in evaluation when
     * the layer keeps no running statistics ({@code runningMean} null); the running ones only in evaluation with
     * tracking. Layers decide with it, and checks re-derive a layer's choice with it.
     */
    static Statistics choose(boolean training, Tensor runningMean, Tensor runningVariance) {
        if (training || runningMean == null) {
            return batch();
        }
        if (runningVariance == null) {
            throw new IllegalArgumentException("running statistics need both a mean and a variance; the variance "
                    + "is missing");
        }
        return running(runningMean, runningVariance);
    }

    default boolean isBatch() {
        return this instanceof Batch;
    }

    /** The statistics of the input itself; the gradient flows through them. */
    enum Batch implements Statistics { INSTANCE }

    /** Constants: the gradient does not flow through them. */
    record Running(Tensor mean, Tensor variance) implements Statistics {}
}

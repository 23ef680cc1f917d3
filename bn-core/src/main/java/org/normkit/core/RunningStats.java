package org.normkit.core;

import java.util.OptionalDouble;

import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.kernel.Moments;

/**
 * A layer's running statistics: the estimates of the per-channel mean and variance that normalise in evaluation,
 * held in the buffers PyTorch names {@code running_mean}, {@code running_var} and {@code num_batches_tracked}.
 *
 * <h2>The update, once per training call</h2>
 * With f the weight of the new observation:
 * <pre>
 *   running_mean ← (1 − f)·running_mean + f·observed_mean
 *   running_var  ← (1 − f)·running_var  + f·observed_var        observed_var unbiased: σ²·m/(m − 1)
 * </pre>
 * f is the momentum in PyTorch's convention (default 0.1); Keras and TensorFlow call 1 − f their momentum (0.99 there
 * is 0.01 here). With {@link Policy#COUNTING} (BatchNorm) {@code num_batches_tracked} increases by one on every
 * update, and when the momentum is absent f = 1/num_batches_tracked after the increment: a cumulative moving
 * average, whose first update replaces the initial values by the observed ones. With {@link Policy#MOMENTUM}
 * (InstanceNorm) the momentum is required and the counter is kept but never changed, as in PyTorch.
 *
 * <p>The layer normalises with the biased variance σ² but accumulates the unbiased one (Bessel's correction), as
 * PyTorch does. The observed statistics are per statistics set; when a layout has more sets than running entries
 * (InstanceNorm: N·C sets, C entries) set s belongs to entry s mod C and each entry averages its sets.
 *
 * <p>Initial values (and after {@link #reset}): mean 0, variance 1, count 0. Not thread-safe: a layer is used by one
 * thread at a time.
 */
public final class RunningStats {

    /** How a norm keeps running statistics. */
    public enum Policy {
        /** None: the norm always normalises with the statistics of its input (LayerNorm, GroupNorm). */
        NONE,
        /** BatchNorm's: counts the updates; an absent momentum selects the cumulative moving average. */
        COUNTING,
        /** InstanceNorm's: a momentum is required; the counter is never incremented. */
        MOMENTUM
    }

    private final Tensor mean;
    private final Tensor variance;
    private final Tensor numBatchesTracked;
    private final OptionalDouble momentum;
    private final boolean counting;

    private RunningStats(int features, DType dtype, OptionalDouble momentum, boolean counting) {
        this.mean = Tensor.zeros(dtype, Shape.of(features));
        this.variance = Tensor.ones(dtype, Shape.of(features));
        this.numBatchesTracked = Tensor.scalar(0, DType.FLOAT64);
        this.momentum = momentum;
        this.counting = counting;
    }

    /**
     * The running statistics a layer of {@code spec} keeps under {@code policy}: null when the policy is
     * {@link Policy#NONE} or the spec does not track them.
     */
    public static RunningStats forSpec(NormSpec spec, Policy policy) {
        if (policy == Policy.NONE || !spec.trackRunningStats()) {
            return null;
        }
        if (policy == Policy.MOMENTUM && spec.momentum().isEmpty()) {
            throw new IllegalArgumentException("momentum = None is not allowed for this norm: its running statistics "
                    + "need a momentum in [0, 1] (PyTorch's default 0.1); only BatchNorm has the cumulative average");
        }
        return new RunningStats(spec.numFeatures(), spec.dtype(), spec.momentum(), policy == Policy.COUNTING);
    }

    /** The {@code running_mean} buffer, shape (C). */
    public Tensor mean() {
        return mean;
    }

    /** The {@code running_var} buffer (unbiased estimates), shape (C). */
    public Tensor variance() {
        return variance;
    }

    /** The {@code num_batches_tracked} buffer: a float64 scalar holding an integer. */
    public Tensor numBatchesTracked() {
        return numBatchesTracked;
    }

    public long batchesTracked() {
        return (long) numBatchesTracked.item();
    }

    /** The momentum; empty for the cumulative moving average. */
    public OptionalDouble momentum() {
        return momentum;
    }

    /** Folds one batch's observed per-set statistics (mean, biased variance) into the running estimates. */
    public void update(Moments observed) {
        update(observed, true);
    }

    /**
     * As {@link #update(Moments)}; {@code besselCorrection} false folds the observed second moment in as it is, for
     * norms whose second moment is a mean square about 0 (PowerNorm's quadratic mean), not a variance.
     */
    public void update(Moments observed, boolean besselCorrection) {
        int entries = mean.numel();
        int sets = observed.sets();
        if (sets % entries != 0) {
            throw new IllegalArgumentException("running statistics of " + entries + " entries cannot take " + sets
                    + " observed sets: the number of sets must be a multiple of the number of entries");
        }
        int m = observed.setSize();
        if (m < 2) {
            throw new IllegalArgumentException("the running variance needs at least 2 values per statistics set, got "
                    + m + " (the unbiased variance divides by m - 1)");
        }
        if (counting) {
            numBatchesTracked.set(0, numBatchesTracked.item() + 1);
        }
        double f = momentum.isPresent() ? momentum.getAsDouble() : 1.0 / numBatchesTracked.item();
        double bessel = besselCorrection ? (double) m / (m - 1) : 1.0;
        int perEntry = sets / entries;
        for (int c = 0; c < entries; c++) {
            double observedMean = 0;
            double observedVariance = 0;
            for (int s = c; s < sets; s += entries) {
                observedMean += observed.mean()[s];
                observedVariance += observed.variance()[s] * bessel;
            }
            observedMean /= perEntry;
            observedVariance /= perEntry;
            mean.set(c, (1 - f) * mean.get(c) + f * observedMean);
            variance.set(c, (1 - f) * variance.get(c) + f * observedVariance);
        }
    }

    /** Back to the initial values: mean 0, variance 1, count 0 ({@code reset_running_stats} in PyTorch). */
    public void reset() {
        for (int c = 0; c < mean.numel(); c++) {
            mean.set(c, 0.0);
            variance.set(c, 1.0);
        }
        numBatchesTracked.set(0, 0.0);
    }
}

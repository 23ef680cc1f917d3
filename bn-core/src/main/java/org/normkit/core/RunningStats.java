package org.normkit.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.kernel.Moments;

/**
 * A layer's running statistics under its {@link RunningStatsPolicy}: the buffers ({@code running_mean} and
 * {@code running_var}, or {@code running_mean_square}, and {@code num_batches_tracked}) and their update from one
 * batch's observed per-set moments. The policy's Javadoc gives the formulas.
 *
 * <p>When a layout has more statistics sets than running entries (InstanceNorm: N·C sets, C entries), set s belongs to
 * entry s mod C and each entry averages its sets before the update.
 *
 * <p>Initial values (and after {@link #reset}): mean 0, variance (or mean square) 1, count 0. Not thread-safe: a layer
 * is used by one thread at a time.
 */
public final class RunningStats {
    private final RunningStatsPolicy policy;
    private final NormSpec spec;
    private final Tensor mean;
    private final Tensor variance;
    private final Tensor numBatchesTracked;
    private RunningStatsPolicy.UpdateRule override;

    private RunningStats(RunningStatsPolicy policy, NormSpec spec) {
        this.policy = policy;
        this.spec = spec;
        this.mean = Tensor.zeros(spec.dtype(), Shape.of(spec.numFeatures()));
        this.variance = Tensor.ones(spec.dtype(), Shape.of(spec.numFeatures()));
        this.numBatchesTracked = Tensor.scalar(0, DType.FLOAT64);
    }

    /** The statistics a layer of {@code spec} keeps under {@code policy}; null when it keeps none. */
    static RunningStats forSpec(NormSpec spec, RunningStatsPolicy policy) {
        if (!policy.tracksAnything() || !spec.trackRunningStats()) {
            return null;
        }
        return new RunningStats(policy, spec);
    }

    /**
     * The running statistics of a module that is not a {@link NormLayer} but keeps a norm's statistics (cross-replica
     * BatchNorm), under {@code policy} as a layer of {@code spec} would resolve it ({@link RunningStatsPolicy#forSpec});
     * empty when {@code spec} does not track them or the policy tracks nothing. The module registers {@link #mean()},
     * {@link #variance()} and {@link #numBatchesTracked()} as its buffers.
     */
    public static Optional<RunningStats> of(NormSpec spec, RunningStatsPolicy policy) {
        return Optional.ofNullable(forSpec(spec, policy));
    }

    /** Registers the buffers under PyTorch's names (a mean of squares under {@code running_mean_square}). */
    void registerIn(BufferRegistrar layer) {
        if (policy.tracked() == RunningStatsPolicy.Tracked.MEAN_OF_SQUARES) {
            layer.register("running_mean_square", variance);
        } else {
            layer.register("running_mean", mean);
            layer.register("running_var", variance);
        }
        layer.register("num_batches_tracked", numBatchesTracked);
    }

    /** How a layer registers a buffer (its {@code registerBuffer}). */
    @FunctionalInterface
    interface BufferRegistrar {
        void register(String name, Tensor buffer);
    }

    public RunningStatsPolicy policy() {
        return policy;
    }

    /** The running mean, shape (C); zeros (and not a buffer) when the policy tracks a mean of squares. */
    public Tensor mean() {
        return mean;
    }

    /** The running variance (as the estimator made it), or the running mean square; shape (C). */
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

    /** The running statistics as the constants a face normalises with. */
    public Statistics asStatistics() {
        return Statistics.running(mean, variance);
    }

    /** Folds one batch's observed per-set statistics (mean, biased variance or mean square) into the estimates. */
    public void update(Moments observed) {
        int[] counts = new int[observed.sets()];
        java.util.Arrays.fill(counts, observed.setSize());
        update(observed, counts);
    }

    /**
     * Folds one batch's observed per-set statistics in, set s having been computed from {@code counts[s]} values (a
     * masked batch: only its valid positions count). Each running entry averages the sets that had a value; a set
     * without one (a sample that is all padding) is left out, and an entry none of whose sets had one keeps its
     * estimate. Bessel's correction uses each set's own count.
     */
    public void update(Moments observed, int[] counts) {
        int entries = mean.numel();
        int sets = observed.sets();
        if (sets % entries != 0) {
            throw new IllegalArgumentException("running statistics of " + entries + " entries cannot take " + sets
                    + " observed sets: the number of sets must be a multiple of the number of entries");
        }
        if (counts.length != sets) {
            throw new IllegalArgumentException("one count per observed set is needed: " + sets + " sets, "
                    + counts.length + " counts");
        }
        boolean bessel = policy.estimator() == RunningStatsPolicy.Estimator.UNBIASED;
        for (int s = 0; s < sets; s++) {
            if (bessel && counts[s] == 1) {
                throw new IllegalArgumentException("the running variance needs at least 2 values per statistics set, "
                        + "got 1" + (sets > 1 ? " in set " + s : "") + " (the unbiased variance divides by m - 1)");
            }
        }
        if (policy.counting()) {
            numBatchesTracked.set(0, numBatchesTracked.item() + 1);
        }
        RunningStatsPolicy.UpdateRule rule = override != null ? override : policy.updateRule();
        double f = rule.weight(spec, batchesTracked());
        if (!(f >= 0 && f <= 1)) {
            throw new IllegalStateException("the running statistics' update weight is " + f + " (batches tracked: "
                    + batchesTracked() + "): a rule without a momentum needs a policy that counts batches");
        }
        boolean meanOfSquares = policy.tracked() == RunningStatsPolicy.Tracked.MEAN_OF_SQUARES;
        for (int c = 0; c < entries; c++) {
            double observedMean = 0;
            double observedSecond = 0;
            int contributing = 0;
            for (int s = c; s < sets; s += entries) {
                if (counts[s] == 0) {
                    continue;
                }
                double mu = observed.mean()[s];
                double correction = bessel ? (double) counts[s] / (counts[s] - 1) : 1.0;
                observedMean += mu;
                observedSecond += meanOfSquares ? observed.variance()[s] + mu * mu : observed.variance()[s] * correction;
                contributing++;
            }
            if (contributing == 0) {
                continue;
            }
            observedMean /= contributing;
            observedSecond /= contributing;
            if (!meanOfSquares) {
                mean.set(c, rule.nextMean(mean.get(c), observedMean, f, spec));
                variance.set(c, rule.nextVariance(variance.get(c), observedSecond, f, spec));
            } else {
                variance.set(c, rule.nextMean(variance.get(c), observedSecond, f, spec));
            }
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

    /**
     * Precise statistics (Wu &amp; Johnson, "Rethinking 'Batch' in BatchNorm", 2021, §3; Radosavovic et al.'s "precise
     * BN"): after training, re-estimates the running statistics of every norm layer in {@code model} that keeps
     * them, from the first {@code batches} inputs of {@code inputs}, each batch counting equally (the cumulative
     * average, with each norm's own estimator), instead of the momentum average of weights that kept changing.
     *
     * <p>The model runs forward under no-grad with every such layer normalising with its batch's statistics and
     * updating; afterwards each layer's switches and the model's train/eval flag are as they were. Returns the
     * number of batches used; an empty {@code inputs} or {@code batches < 1} is an error (the statistics would be
     * reset to their initial values).
     */
    public static int recalibrate(Module model, Iterable<Tensor> inputs, int batches) {
        if (batches < 1) {
            throw new IllegalArgumentException("recalibrate needs at least 1 batch, got " + batches);
        }
        List<NormLayer> layers = new ArrayList<>();
        collect(model, layers);
        List<boolean[]> switches = new ArrayList<>();
        for (NormLayer layer : layers) {
            switches.add(new boolean[] {layer.updatesRunningStatistics(), layer.usesRunningStatistics()});
        }
        int used = 0;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            for (NormLayer layer : layers) {
                RunningStats stats = layer.runningStats().orElseThrow();
                stats.reset();
                // Its own count: a policy that does not count batches (InstanceNorm) still averages them equally.
                long[] seen = {0};
                stats.override = (spec, n) -> 1.0 / ++seen[0];
                layer.setUpdatesRunningStatistics(true);
                layer.setUsesRunningStatistics(false);
            }
            for (Tensor x : inputs) {
                if (used == batches) {
                    break;
                }
                model.forward(x);
                used++;
            }
        } finally {
            for (int i = 0; i < layers.size(); i++) {
                NormLayer layer = layers.get(i);
                layer.runningStats().orElseThrow().override = null;
                layer.setUpdatesRunningStatistics(switches.get(i)[0]);
                layer.setUsesRunningStatistics(switches.get(i)[1]);
            }
        }
        if (used == 0) {
            throw new IllegalArgumentException("recalibrate got no input batch: the running statistics were reset; "
                    + "pass the training inputs (a few hundred samples are enough)");
        }
        return used;
    }

    private static void collect(Module module, List<NormLayer> into) {
        if (module instanceof NormLayer layer && layer.runningStats().isPresent()) {
            into.add(layer);
        }
        module.children().values().forEach(child -> collect(child, into));
    }
}

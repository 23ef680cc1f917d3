package org.normkit.core;

import java.util.Locale;

import org.normkit.autograd.spi.NormSpec;

/**
 * How a norm keeps running statistics, the population estimates that normalise once the batch's statistics are no
 * longer used (evaluation, fine-tuning): <b>what</b> is tracked, with <b>which estimator</b>, by <b>which update
 * rule</b>. A norm supplies its policy ({@link Norm#runningStats()}); a layer may pick a preset with the option
 * {@code running_stats} ({@link #OPTION}: {@code pytorch}, {@code cumulative}, {@code keras}), and
 * {@link RunningStats#recalibrate} re-estimates the statistics after training.
 *
 * <h2>What is tracked ({@link Tracked})</h2>
 * <ul>
 *   <li>{@link Tracked#MEAN_AND_VARIANCE}: buffers {@code running_mean} and {@code running_var} (BatchNorm,
 *       InstanceNorm); evaluation normalises (x − running_mean)/sqrt(running_var + eps).</li>
 *   <li>{@link Tracked#MEAN_OF_SQUARES}: one buffer {@code running_mean_square} E[x²] for norms that scale by the
 *       root mean square without centring; evaluation normalises x/sqrt(running_mean_square + eps). There is no
 *       running mean to keep, so none is kept.</li>
 *   <li>{@link Tracked#NOTHING}: the norm always normalises with its input's statistics (LayerNorm, GroupNorm).</li>
 * </ul>
 * Every tracking policy also keeps {@code num_batches_tracked} (a float64 scalar), incremented per update unless
 * the policy says {@link #withoutCounting()} (PyTorch's InstanceNorm keeps it at 0).
 *
 * <h2>Estimator ({@link Estimator})</h2>
 * The batch's variance σ² = Σ(x − μ)²/m normalises; what is folded into {@code running_var} is σ² itself
 * ({@link Estimator#BIASED}, Keras) or σ²·m/(m − 1), Bessel's correction ({@link Estimator#UNBIASED}, PyTorch). A mean
 * of squares Σx²/m is already an unbiased estimate of E[x²]: it only takes {@link Estimator#BIASED}.
 *
 * <h2>Update rule ({@link UpdateRule})</h2>
 * With f the weight of the new batch and n the number of batches tracked including this one:
 * <pre>
 *   running ← (1 − f)·running + f·observed
 *   PyTorch momentum (the default):  f = momentum (PyTorch's direction, default 0.1); f = 1/n when momentum = None
 *   cumulative average:              f = 1/n        (every batch counts equally; the first replaces the initial value)
 * </pre>
 * Keras' momentum is the weight of the <em>old</em> value: its 0.99 is f = 0.01 here. {@link NormSpec}'s momentum is
 * always in PyTorch's direction; {@link #keras()} with {@code NormSpec.of(c).withMomentum(0.01).withEps(1e-3)} (what
 * {@link Norm#kerasSpec} builds) is Keras' {@code BatchNormalization()}: momentum 0.99 in Keras' direction, eps 1e-3,
 * biased variance. A norm may supply its own rule, e.g. one that averages standard deviations instead of variances
 * (Batch Renormalization).
 *
 * <p>Immutable and thread-safe.
 */
public final class RunningStatsPolicy {
    /** The option a layer's spec may carry to pick a preset: {@code running_stats=pytorch|cumulative|keras}. */
    public static final String OPTION = "running_stats";

    /** What the running statistics estimate. */
    public enum Tracked { MEAN_AND_VARIANCE, MEAN_OF_SQUARES, NOTHING }

    /** Which variance is folded into {@code running_var}: σ² (biased) or σ²·m/(m − 1) (Bessel's correction). */
    public enum Estimator { BIASED, UNBIASED }

    /**
     * How a batch's observation enters the running value: its weight f, and the blend (a weighted mean by default).
     * Implement it for a rule of your own.
     */
    public interface UpdateRule {
        /** PyTorch's: f = momentum, or 1/n when the spec has no momentum ({@code momentum=None}). */
        UpdateRule PYTORCH_MOMENTUM = (spec, n) -> spec.momentum().isPresent() ? spec.momentum().getAsDouble()
                : 1.0 / n;
        /** The cumulative moving average f = 1/n, whatever the momentum: each batch counts equally. */
        UpdateRule CUMULATIVE = (spec, n) -> 1.0 / n;

        /** f, the weight of the new batch; {@code batchesTracked} counts this batch (n ≥ 1 when counting). */
        double weight(NormSpec spec, long batchesTracked);

        /** The new running mean (or mean square). */
        default double nextMean(double running, double observed, double weight, NormSpec spec) {
            return (1 - weight) * running + weight * observed;
        }

        /** The new running variance; {@code observed} is already corrected by the policy's estimator. */
        default double nextVariance(double running, double observed, double weight, NormSpec spec) {
            return (1 - weight) * running + weight * observed;
        }
    }

    private final Tracked tracked;
    private final Estimator estimator;
    private final UpdateRule rule;
    private final boolean counting;

    private RunningStatsPolicy(Tracked tracked, Estimator estimator, UpdateRule rule, boolean counting) {
        if (tracked == Tracked.MEAN_OF_SQUARES && estimator == Estimator.UNBIASED) {
            throw new IllegalArgumentException("a running mean of squares takes the BIASED estimator: Σx²/m is "
                    + "already an unbiased estimate of E[x²], Bessel's correction m/(m - 1) belongs to variances");
        }
        this.tracked = tracked;
        this.estimator = estimator;
        this.rule = rule;
        this.counting = counting;
    }

    /** No running statistics: LayerNorm's, GroupNorm's, RMSNorm's. */
    public static RunningStatsPolicy none() {
        return new RunningStatsPolicy(Tracked.NOTHING, Estimator.BIASED, UpdateRule.PYTORCH_MOMENTUM, false);
    }

    /** PyTorch's BatchNorm: mean and unbiased variance, momentum (cumulative when absent), counting batches. */
    public static RunningStatsPolicy pytorch() {
        return new RunningStatsPolicy(Tracked.MEAN_AND_VARIANCE, Estimator.UNBIASED, UpdateRule.PYTORCH_MOMENTUM,
                true);
    }

    /** Mean and unbiased variance averaged over every batch alike (f = 1/n), e.g. to estimate after training. */
    public static RunningStatsPolicy cumulative() {
        return pytorch().withUpdateRule(UpdateRule.CUMULATIVE);
    }

    /**
     * Keras' {@code BatchNormalization}: mean and <em>biased</em> variance with the spec's momentum (build the spec
     * with {@link Norm#kerasSpec}: Keras' momentum 0.99 is 0.01 here, eps 1e-3).
     */
    public static RunningStatsPolicy keras() {
        return pytorch().withEstimator(Estimator.BIASED);
    }

    /** A running mean of squares E[x²] with the spec's momentum, for norms that scale without centring. */
    public static RunningStatsPolicy meanOfSquares() {
        return new RunningStatsPolicy(Tracked.MEAN_OF_SQUARES, Estimator.BIASED, UpdateRule.PYTORCH_MOMENTUM, true);
    }

    public RunningStatsPolicy withEstimator(Estimator e) {
        return new RunningStatsPolicy(tracked, e, rule, counting);
    }

    public RunningStatsPolicy withUpdateRule(UpdateRule r) {
        return new RunningStatsPolicy(tracked, estimator, r, counting);
    }

    /** Keeps {@code num_batches_tracked} at 0 (PyTorch's InstanceNorm); the rule then needs a momentum. */
    public RunningStatsPolicy withoutCounting() {
        return new RunningStatsPolicy(tracked, estimator, rule, false);
    }

    /**
     * The policy a layer of {@code spec} uses: this one, or the preset its {@value #OPTION} option names
     * ({@code pytorch}, {@code cumulative}, {@code keras}); what is tracked and the counting stay the norm's.
     */
    public RunningStatsPolicy forSpec(NormSpec spec, String normName) {
        if (tracked == Tracked.NOTHING || spec.option(OPTION).isEmpty()) {
            return this;
        }
        String preset = spec.option(OPTION).get().trim().toLowerCase(Locale.ROOT);
        // A mean of squares takes the biased estimator only (see the class Javadoc), so pytorch's Bessel's
        // correction applies to variances alone.
        Estimator pytorchEstimator = tracked == Tracked.MEAN_OF_SQUARES ? Estimator.BIASED : Estimator.UNBIASED;
        return switch (preset) {
            case "pytorch" -> withEstimator(pytorchEstimator).withUpdateRule(UpdateRule.PYTORCH_MOMENTUM);
            case "cumulative" -> withUpdateRule(UpdateRule.CUMULATIVE);
            case "keras" -> withEstimator(Estimator.BIASED).withUpdateRule(UpdateRule.PYTORCH_MOMENTUM);
            default -> throw new IllegalArgumentException(normName + ": option " + OPTION + "=" + spec.option(OPTION)
                    .get() + " is not a preset: expected pytorch, cumulative or keras");
        };
    }

    public Tracked tracked() {
        return tracked;
    }

    public Estimator estimator() {
        return estimator;
    }

    public UpdateRule updateRule() {
        return rule;
    }

    /** Whether {@code num_batches_tracked} counts the updates. */
    public boolean counting() {
        return counting;
    }

    public boolean tracksAnything() {
        return tracked != Tracked.NOTHING;
    }

    @Override
    public String toString() {
        return tracked.name().toLowerCase(Locale.ROOT) + ", " + estimator.name().toLowerCase(Locale.ROOT)
                + (counting ? "" : ", not counting");
    }
}

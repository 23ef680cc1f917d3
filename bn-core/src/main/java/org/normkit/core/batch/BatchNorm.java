package org.normkit.core.batch;

import java.util.Arrays;
import java.util.List;

import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormBase;
import org.normkit.core.RunningStats;
import org.normkit.core.kernel.Layout;

/**
 * Batch normalization (Ioffe &amp; Szegedy, "Batch Normalization: Accelerating Deep Network Training by Reducing
 * Internal Covariate Shift", ICML 2015), as {@code torch.nn.BatchNorm1d/2d/3d}. This one Javadoc serves
 * {@link BatchNorm1d}, {@link BatchNorm2d}, {@link BatchNorm3d} and the any-rank {@code batch_norm}: they differ only
 * in the ranks their input check accepts ({@link Dims}).
 *
 * <h2>Formula</h2>
 * <pre>
 *   y = (x − μ_c) / sqrt(σ²_c + eps) · γ_c + β_c
 * </pre>
 * per channel c (dimension 1). μ_c and σ²_c are the mean and the <em>biased</em> variance (divided by m) of the
 * m = N·L values of channel c over the batch and every spatial position (L = product of the spatial sizes, 1 for an
 * (N, C) input) in training, and also in evaluation when {@code trackRunningStats} is false; in evaluation with
 * tracking they are {@code running_mean[c]} and {@code running_var[c]}. Without {@code affine}, γ = 1 and β = 0.
 *
 * <h2>Running statistics</h2>
 * Updated once per training call (when tracked), with the <em>unbiased</em> variance σ²_c·m/(m − 1) (Bessel's
 * correction) and f = momentum:
 * <pre>
 *   running_mean ← (1 − f)·running_mean + f·μ_c        running_var ← (1 − f)·running_var + f·σ²_c·m/(m − 1)
 * </pre>
 * This is PyTorch's momentum (default 0.1); Keras' momentum is 1 − f (its 0.99 is our 0.01). Every update increments
 * {@code num_batches_tracked}; with the momentum absent (PyTorch's {@code momentum=None}), f = 1/num_batches_tracked
 * after the increment: a cumulative moving average. See {@link RunningStats}.
 *
 * <h2>Shapes</h2>
 * Input (N, C), (N, C, L), (N, C, H, W) or (N, C, D, H, W) as {@link Dims} allows, with C = numFeatures; output of
 * the same shape; γ, β, running_mean, running_var of shape (C). float32 and float64; the input must have the layer's
 * dtype.
 *
 * <h2>Edge cases</h2>
 * A channel whose values are all equal has σ² = 0, so x̂ = 0 and y = β (eps keeps the division finite). In training a
 * channel needs more than one value (N·L &gt; 1): PyTorch and this class reject one value per channel, since its
 * variance is 0 and its unbiased variance undefined. An empty input (a dimension of size 0), a wrong rank or a
 * channel count other than numFeatures are rejected with messages naming the shape. eps must be &gt; 0 and the
 * momentum in [0, 1] ({@link NormSpec} checks both).
 *
 * <h2>Example</h2>
 * <pre>{@code
 * BatchNorm2d bn = new BatchNorm2d(NormSpec.of(64));                  // γ = 1, β = 0, momentum 0.1
 * Tensor y = bn.forward(Tensor.randn(DType.FLOAT32, Shape.of(32, 64, 56, 56), 1));   // training: batch statistics
 * bn.eval();                                                           // now normalises with the running ones
 * }</pre>
 */
public class BatchNorm extends NormBase {

    /** The ranks a BatchNorm accepts: the only difference between the 1d, 2d, 3d and any-rank classes. */
    public enum Dims {
        /** {@code batch_norm}: any of the ranks below, for nets that put one norm after linear and conv layers. */
        ANY("batch_norm", "(N, C), (N, C, L), (N, C, H, W) or (N, C, D, H, W)", 2, 3, 4, 5),
        /** {@code batch_norm1d}: (N, C) or (N, C, L). */
        ONE_D("batch_norm1d", "(N, C) or (N, C, L)", 2, 3),
        /** {@code batch_norm2d}: (N, C, H, W). */
        TWO_D("batch_norm2d", "(N, C, H, W)", 4),
        /** {@code batch_norm3d}: (N, C, D, H, W). */
        THREE_D("batch_norm3d", "(N, C, D, H, W)", 5);

        private final String registeredName;
        private final String layouts;
        private final int[] ranks;

        Dims(String registeredName, String layouts, int... ranks) {
            this.registeredName = registeredName;
            this.layouts = layouts;
            this.ranks = ranks;
        }

        /** The name in the registry: {@code batch_norm2d}. */
        public String registeredName() {
            return registeredName;
        }

        /** The accepted layouts in words. */
        public String layouts() {
            return layouts;
        }

        public boolean acceptsRank(int rank) {
            return Arrays.stream(ranks).anyMatch(r -> r == rank);
        }

        int[] ranks() {
            return ranks.clone();
        }

        /** The shape-independent part of the input check (rank, no empty dimension). */
        void checkRank(Shape input) {
            input.requireRank(registeredName, layouts, ranks);
            input.requireNonEmpty(registeredName);
        }
    }

    private final Dims dims;

    /** A BatchNorm accepting inputs of rank 2 to 5 ({@code batch_norm}). */
    public BatchNorm(NormSpec spec) {
        this(spec, Dims.ANY);
    }

    protected BatchNorm(NormSpec spec, Dims dims) {
        super(spec, Shape.of(spec.numFeatures()), Affine.WEIGHT_AND_BIAS, RunningStats.Policy.COUNTING);
        this.dims = dims;
    }

    public final Dims dims() {
        return dims;
    }

    /** The one input check of the family: rank, no empty dimension, C = numFeatures, more than one value in training. */
    @Override
    protected final void checkInput(Shape input) {
        dims.checkRank(input);
        input.requireSize(1, spec().numFeatures(), dims.registeredName, "channels (numFeatures)");
        if (isTraining() && input.numel() / input.dim(1) == 1) {
            throw new UnsupportedInputException(dims.registeredName + ": expected more than 1 value per channel when "
                    + "training, got input of shape " + input + ": use a batch of at least 2 samples (or spatial "
                    + "size > 1), or call eval() to normalise with the running statistics");
        }
    }

    /** Channels (N, C, L) with L the product of the spatial sizes. */
    @Override
    protected final Layout layout(Shape input) {
        return Layout.channels(input.dim(0), input.dim(1), input.product(2, input.rank()));
    }

    /** Mean, biased variance and rsqrt over every axis but the channel, then the affine map: composed ops only. */
    @Override
    public final Tensor reference(Tensor x, Statistics use) {
        checkInput(x.shape());
        int[] axes = new int[x.rank() - 1];
        int[] perChannel = new int[x.rank()];
        Arrays.fill(perChannel, 1);
        perChannel[1] = x.dim(1);
        for (int i = 0, a = 0; i < x.rank(); i++) {
            if (i != 1) {
                axes[a++] = i;
            }
        }
        Tensor mean;
        Tensor variance;
        if (use instanceof Statistics.Running running) {
            mean = running.mean().reshape(perChannel);
            variance = running.variance().reshape(perChannel);
        } else {
            mean = x.mean(axes, true);
            variance = x.var(axes, false, true);
        }
        Tensor y = x.sub(mean).mul(variance.add(spec().eps()).rsqrt());
        if (weight().isPresent()) {
            y = y.mul(weight().get().reshape(perChannel));
        }
        if (bias().isPresent()) {
            y = y.add(bias().get().reshape(perChannel));
        }
        return y;
    }

    @Override
    protected String label() {
        return dims.registeredName;
    }

    /** The ranks this layer accepts, for messages and tools. */
    public final List<Integer> acceptedRanks() {
        return Arrays.stream(dims.ranks).boxed().toList();
    }
}

package org.normkit.core.batch;

import java.util.Arrays;
import java.util.List;

import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.ChannelFirstInputs;
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
        ANY(new ChannelFirstInputs("batch_norm", "(N, C), (N, C, L), (N, C, H, W) or (N, C, D, H, W)",
                new int[] {2, 3, 4, 5},
                List.of(Shape.of(5, 3), Shape.of(2, 3, 4), Shape.of(2, 3, 2, 3), Shape.of(2, 2, 1, 2, 3), Shape.of(1, 3)),
                List.of(Shape.of(256, 1024), Shape.of(32, 64, 56, 56), Shape.of(8, 256, 14, 14)))),
        /** {@code batch_norm1d}: (N, C) or (N, C, L). */
        ONE_D(new ChannelFirstInputs("batch_norm1d", "(N, C) or (N, C, L)", new int[] {2, 3},
                List.of(Shape.of(5, 3), Shape.of(4, 1), Shape.of(3, 2, 4), Shape.of(2, 3, 1), Shape.of(1, 2, 3),
                        Shape.of(1, 3)),
                List.of(Shape.of(256, 1024)))),
        /** {@code batch_norm2d}: (N, C, H, W). */
        TWO_D(new ChannelFirstInputs("batch_norm2d", "(N, C, H, W)", new int[] {4},
                List.of(Shape.of(2, 3, 3, 4), Shape.of(3, 1, 2, 2), Shape.of(4, 3, 1, 1), Shape.of(1, 2, 3, 3),
                        Shape.of(1, 2, 1, 1)),
                List.of(Shape.of(32, 64, 56, 56), Shape.of(8, 256, 14, 14)))),
        /** {@code batch_norm3d}: (N, C, D, H, W). */
        THREE_D(new ChannelFirstInputs("batch_norm3d", "(N, C, D, H, W)", new int[] {5},
                List.of(Shape.of(2, 3, 2, 2, 3), Shape.of(2, 1, 1, 2, 3), Shape.of(3, 2, 1, 1, 1), Shape.of(1, 2, 2, 1, 3)),
                List.of(Shape.of(4, 32, 16, 28, 28))));

        /*
         * Example shapes carry the odd sizes where kernels go wrong: C = 1, N = 1, one spatial position. A shape
         * with one value per channel (N = 1, S = 1) is valid in evaluation only; the generic checks run it there.
         */
        private final ChannelFirstInputs inputs;

        Dims(ChannelFirstInputs inputs) {
            this.inputs = inputs;
        }

        /** The accepted inputs, their rank check and contract. */
        public ChannelFirstInputs inputs() {
            return inputs;
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
        dims.inputs().checkRank(input);
        input.requireSize(1, spec().numFeatures(), dims.inputs().registeredName(), "channels (numFeatures)");
        if (isTraining() && input.numel() / input.dim(1) == 1) {
            throw new UnsupportedInputException(dims.inputs().registeredName() + ": expected more than 1 value per channel when "
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
        return dims.inputs().registeredName();
    }
}

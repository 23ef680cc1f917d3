package org.normkit.variants.instance;

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
 * Instance normalization (Ulyanov, Vedaldi &amp; Lempitsky, "Instance Normalization: The Missing Ingredient for Fast
 * Stylization", arXiv:1607.08022, 2016), as {@code torch.nn.InstanceNorm1d/2d/3d}. This one Javadoc serves
 * {@link InstanceNorm1d}, {@link InstanceNorm2d}, {@link InstanceNorm3d} and the any-rank {@code instance_norm}: they
 * differ only in the ranks their input check accepts ({@link Dims}).
 *
 * <h2>Formula</h2>
 * <pre>
 *   y = (x − μ_nc) / sqrt(σ²_nc + eps) · γ_c + β_c
 * </pre>
 * per sample n and channel c (dimension 1). μ_nc and σ²_nc are the mean and the <em>biased</em> variance (divided by
 * m) of the m = L values of that sample's channel over every spatial position (L = product of the spatial sizes). They
 * normalise in training, and also in evaluation when the layer keeps no running statistics (PyTorch's default); in
 * evaluation with tracking, {@code running_mean[c]} and {@code running_var[c]} normalise instead. Without
 * {@code affine}, γ = 1 and β = 0.
 *
 * <h2>Defaults</h2>
 * The layer does what its {@link NormSpec} says. PyTorch's InstanceNorm defaults are {@code affine=False,
 * track_running_stats=False}, unlike BatchNorm's, which {@link NormSpec#of} gives; {@link #defaultSpec(int)} returns
 * PyTorch's InstanceNorm defaults, and so does the contract's {@code specFor(shape, options)}. The contract's
 * {@code specFor(shape, base)} keeps the base's {@code affine} and {@code trackRunningStats}: the caller states them
 * (the conformance runner from a case's parameters, the benchmarks from the PyTorch peer's modules).
 *
 * <h2>Running statistics (with {@code trackRunningStats})</h2>
 * Updated once per training call, with the batch average of the per-instance statistics, each variance
 * <em>unbiased</em> over its own L values (Bessel's correction), and f = momentum:
 * <pre>
 *   running_mean ← (1 − f)·running_mean + f·(1/N)·Σ_n μ_nc
 *   running_var  ← (1 − f)·running_var  + f·(1/N)·Σ_n σ²_nc·L/(L − 1)
 * </pre>
 * This is PyTorch's momentum (default 0.1); Keras' momentum is 1 − f. The momentum is required: a spec without one
 * (PyTorch's {@code momentum=None}, BatchNorm's cumulative average) is rejected. {@code num_batches_tracked} is kept
 * but never incremented, as in PyTorch. Evaluation leaves the running statistics unchanged. See {@link RunningStats}.
 *
 * <h2>Shapes</h2>
 * Input (N, C, L), (N, C, H, W) or (N, C, D, H, W) as {@link Dims} allows, with C = numFeatures; output of the same
 * shape; γ, β, running_mean, running_var of shape (C). float32 and float64; the input must have the layer's dtype.
 *
 * <h2>Edge cases</h2>
 * A (sample, channel) whose values are all equal has σ² = 0, so x̂ = 0 and y = β (eps keeps the division finite).
 * One spatial element (L = 1) is rejected whenever the input's own statistics would normalise (training, or evaluation
 * without running statistics): each instance would be its own mean, as PyTorch's "Expected more than 1 spatial
 * element when training" says; evaluation with running statistics takes it. A wrong rank, an empty input and a
 * channel count other than numFeatures are rejected with messages naming the shape.
 *
 * <h2>Fused face</h2>
 * {@code Layout.rows(N·C, L, C, 1, L)}: one contiguous row of L elements per (sample, channel), γ and β of channel
 * (row mod C), constant over the row.
 *
 * <h2>Example</h2>
 * <pre>{@code
 * InstanceNorm2d in = new InstanceNorm2d(InstanceNorm.defaultSpec(64));   // nn.InstanceNorm2d(64): no γ, β, stats
 * Tensor y = in.forward(Tensor.randn(DType.FLOAT32, Shape.of(8, 64, 56, 56), 1));   // per image and channel
 * InstanceNorm2d tracked = new InstanceNorm2d(NormSpec.of(64));   // affine=True, track_running_stats=True
 * }</pre>
 */
public class InstanceNorm extends NormBase {

    /** The ranks an InstanceNorm accepts: the only difference between the 1d, 2d, 3d and any-rank classes. */
    public enum Dims {
        /** {@code instance_norm}: any of the ranks below. */
        ANY(new ChannelFirstInputs("instance_norm", "(N, C, L), (N, C, H, W) or (N, C, D, H, W)", new int[] {3, 4, 5},
                List.of(Shape.of(2, 3, 4), Shape.of(2, 3, 2, 3), Shape.of(1, 2, 2, 1, 3), Shape.of(2, 2, 1)),
                List.of(Shape.of(32, 64, 1024), Shape.of(32, 64, 56, 56)))),
        /** {@code instance_norm1d}: (N, C, L). */
        ONE_D(new ChannelFirstInputs("instance_norm1d", "(N, C, L)", new int[] {3},
                List.of(Shape.of(2, 3, 4), Shape.of(1, 2, 5), Shape.of(3, 1, 2), Shape.of(2, 3, 1)),
                List.of(Shape.of(32, 64, 1024)))),
        /** {@code instance_norm2d}: (N, C, H, W). */
        TWO_D(new ChannelFirstInputs("instance_norm2d", "(N, C, H, W)", new int[] {4},
                List.of(Shape.of(2, 3, 3, 4), Shape.of(1, 2, 2, 3), Shape.of(2, 1, 1, 2), Shape.of(2, 2, 1, 1)),
                List.of(Shape.of(32, 64, 56, 56)))),
        /** {@code instance_norm3d}: (N, C, D, H, W). */
        THREE_D(new ChannelFirstInputs("instance_norm3d", "(N, C, D, H, W)", new int[] {5},
                List.of(Shape.of(2, 2, 2, 2, 3), Shape.of(1, 3, 1, 2, 2), Shape.of(2, 2, 1, 1, 1)),
                List.of(Shape.of(4, 32, 16, 28, 28))));

        /*
         * Example shapes carry the odd sizes where kernels go wrong: C = 1, N = 1, and one spatial element, which is
         * valid only in evaluation with running statistics (the generic checks run it there).
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

    private static final int[] SPATIAL = {2};

    private final Dims dims;

    /** An InstanceNorm accepting inputs of rank 3 to 5 ({@code instance_norm}). */
    public InstanceNorm(NormSpec spec) {
        this(spec, Dims.ANY);
    }

    protected InstanceNorm(NormSpec spec, Dims dims) {
        super(requireMomentumWhenTracking(spec, dims), Shape.of(spec.numFeatures()), Affine.WEIGHT_AND_BIAS,
                RunningStats.Policy.MOMENTUM);
        this.dims = dims;
    }

    /**
     * PyTorch's {@code nn.InstanceNorm2d(numFeatures)}: eps 1e-5, momentum 0.1, {@code affine=False},
     * {@code track_running_stats=False}, float32.
     */
    public static NormSpec defaultSpec(int numFeatures) {
        return NormSpec.of(numFeatures).withAffine(false).withTrackRunningStats(false);
    }

    public final Dims dims() {
        return dims;
    }

    private static NormSpec requireMomentumWhenTracking(NormSpec spec, Dims dims) {
        if (spec.trackRunningStats() && spec.momentum().isEmpty()) {
            throw new IllegalArgumentException(dims.inputs().registeredName() + ": track_running_stats=true needs a momentum "
                    + "in [0, 1] (PyTorch's default 0.1), got momentum=None: only BatchNorm has the cumulative "
                    + "moving average; set one with NormSpec.withMomentum(0.1), or build the layer with "
                    + "withTrackRunningStats(false)");
        }
        return spec;
    }

    /**
     * The one input check of the family: rank, no empty dimension, C = numFeatures, and more than one spatial element
     * when the input's own statistics normalise.
     */
    @Override
    protected final void checkInput(Shape input) {
        dims.inputs().checkRank(input);
        input.requireSize(1, spec().numFeatures(), dims.inputs().registeredName(), "channels (numFeatures)");
        boolean inputStatistics = isTraining() || !spec().trackRunningStats();
        if (inputStatistics && input.product(2, input.rank()) == 1) {
            throw new UnsupportedInputException(dims.inputs().registeredName() + ": expected more than 1 spatial element when "
                    + (isTraining() ? "training" : "normalising with the input's own statistics (no running "
                    + "statistics are tracked)") + ", got input of shape " + input + ": each (sample, channel) "
                    + "would be its own mean; use a spatial size > 1, or track running statistics and call eval()");
        }
    }

    /** {@code rows(N·C, L, C, 1, L)}: a row per (sample, channel), γ and β of its channel. */
    @Override
    protected final Layout layout(Shape input) {
        int channels = input.dim(1);
        int spatial = input.product(2, input.rank());
        return Layout.rows(input.dim(0) * channels, spatial, channels, 1, spatial);
    }

    /**
     * View (N, C, L); mean and biased variance over L (or the running statistics per channel), rsqrt, per-channel
     * affine, back to the input's shape: composed ops only.
     */
    @Override
    public final Tensor reference(Tensor x, Statistics use) {
        checkInput(x.shape());
        int channels = x.dim(1);
        Tensor instances = x.reshape(x.dim(0), channels, -1);
        Tensor mean;
        Tensor variance;
        if (use instanceof Statistics.Running running) {
            mean = running.mean().reshape(1, channels, 1);
            variance = running.variance().reshape(1, channels, 1);
        } else {
            mean = instances.mean(SPATIAL, true);
            variance = instances.var(SPATIAL, false, true);
        }
        Tensor y = instances.sub(mean).mul(variance.add(spec().eps()).rsqrt());
        if (weight().isPresent()) {
            y = y.mul(weight().get().reshape(1, channels, 1));
        }
        if (bias().isPresent()) {
            y = y.add(bias().get().reshape(1, channels, 1));
        }
        return y.reshape(x.shape());
    }

    @Override
    protected String label() {
        return dims.inputs().registeredName();
    }
}

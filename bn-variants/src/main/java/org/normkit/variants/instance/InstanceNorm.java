package org.normkit.variants.instance;

import java.util.List;

import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.ContractPreset;
import org.normkit.core.Norm;
import org.normkit.core.NormLayer;
import org.normkit.core.RunningStatsPolicy;
import org.normkit.core.kernel.Layout;

/**
 * Instance normalization (Ulyanov, Vedaldi &amp; Lempitsky, "Instance Normalization: The Missing Ingredient for Fast
 * Stylization", arXiv:1607.08022, 2016), as {@code torch.nn.InstanceNorm1d/2d/3d}. One class registers the family
 * {@code instance_norm} (rank 3 to 5), {@code instance_norm1d}, {@code instance_norm2d} and {@code instance_norm3d}:
 * they differ only in the ranks their contract accepts.
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
 * track_running_stats=False}, unlike BatchNorm's, which {@link NormSpec#of} gives; {@link #pytorchSpec(int)} returns
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
 * but never incremented, as in PyTorch. Evaluation leaves the running statistics unchanged. This is {@link RunningStatsPolicy#pytorch()} without counting.
 *
 * <h2>Shapes</h2>
 * Input (N, C, L), (N, C, H, W) or (N, C, D, H, W) as the registered name allows, with C = numFeatures; output of the same
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
 * NormLayer in = new InstanceNorm().create("instance_norm2d", InstanceNorm.pytorchSpec(64));   // no γ, β, stats
 * Tensor y = in.forward(Tensor.randn(DType.FLOAT32, Shape.of(8, 64, 56, 56), 1));   // per image and channel
 * NormLayer tracked = new InstanceNorm().create("instance_norm2d", NormSpec.of(64));   // affine, tracking
 * }</pre>
 */
public final class InstanceNorm extends Norm {
    private static final int[] SPATIAL = {2};

    /*
     * Example shapes carry the odd sizes where kernels go wrong: C = 1, N = 1, and one spatial element, which is
     * valid only in evaluation with running statistics (the generic checks run it there).
     */
    public InstanceNorm() {
        super("Instance normalization: per-sample, per-channel statistics over the spatial positions, optional affine "
                + "and running averages (Ulyanov, Vedaldi & Lempitsky 2016)", List.of(
                new Member("instance_norm", ContractPreset.channelFirst(3, 4, 5)
                        .withBenchmarkShapes(Shape.of(32, 64, 1024), Shape.of(32, 64, 56, 56))),
                new Member("instance_norm1d", ContractPreset.channelFirst(3)),
                new Member("instance_norm2d", ContractPreset.channelFirst(4).withBenchmarkShapes(Shape.of(32, 64, 56, 56))),
                new Member("instance_norm3d", ContractPreset.channelFirst(5))));
    }

    /**
     * PyTorch's {@code nn.InstanceNorm2d(numFeatures)}: eps 1e-5, momentum 0.1, {@code affine=False},
     * {@code track_running_stats=False}, float32.
     */
    public static NormSpec pytorchSpec(int numFeatures) {
        return NormSpec.of(numFeatures).withAffine(false).withTrackRunningStats(false);
    }

    /** Generic tools building a spec from options alone get PyTorch's InstanceNorm defaults. */
    @Override
    protected NormSpec defaultSpec() {
        return pytorchSpec(1);
    }

    /** PyTorch's momentum rule on mean and unbiased variance; {@code num_batches_tracked} stays 0, as in PyTorch. */
    @Override
    public RunningStatsPolicy runningStats() {
        return RunningStatsPolicy.pytorch().withoutCounting();
    }

    @Override
    protected void validate(String name, NormSpec spec) {
        if (spec.trackRunningStats() && spec.momentum().isEmpty()) {
            throw new IllegalArgumentException(name + ": track_running_stats=true needs a momentum in [0, 1] "
                    + "(PyTorch's default 0.1), got momentum=None: only BatchNorm has the cumulative moving average; "
                    + "set one with NormSpec.withMomentum(0.1), or build the layer with withTrackRunningStats(false)");
        }
    }

    /** More than one spatial element when the input's own statistics normalise or update the running ones. */
    @Override
    protected void checkInput(NormLayer layer, Shape input) {
        boolean inputStatistics = !layer.usesRunningStatistics() || layer.updatesRunningStatistics();
        if (inputStatistics && input.product(2, input.rank()) == 1) {
            throw new UnsupportedInputException(layer.name() + ": expected more than 1 spatial element when "
                    + (layer.isTraining() ? "training" : "normalising with the input's own statistics (no running "
                    + (layer.runningStats().isPresent() ? "statistics are used)" : "statistics are tracked)")) + ", got input of shape " + input + ": each (sample, channel) "
                    + "would be its own mean; use a spatial size > 1, or track running statistics and call eval()");
        }
    }

    /** Padded positions can be left out of the statistics ({@link NormLayer#forward(Tensor, PositionMask)}). */
    @Override
    public boolean takesMask() {
        return true;
    }

    /** {@code rows(N·C, L, C, 1, L)}: a row per (sample, channel), γ and β of its channel. */
    @Override
    public Layout layout(NormLayer layer, Shape input) {
        int channels = input.dim(1);
        int spatial = input.product(2, input.rank());
        return Layout.rows(input.dim(0) * channels, spatial, channels, 1, spatial);
    }

    /**
     * View (N, C, L); mean and biased variance over L (or the running statistics per channel), rsqrt, per-channel
     * affine, back to the input's shape: composed ops only.
     */
    @Override
    public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
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
        Tensor y = instances.sub(mean).mul(variance.add(layer.spec().eps()).rsqrt());
        if (layer.weight().isPresent()) {
            y = y.mul(layer.weight().get().reshape(1, channels, 1));
        }
        if (layer.bias().isPresent()) {
            y = y.add(layer.bias().get().reshape(1, channels, 1));
        }
        return y.reshape(x.shape());
    }
}

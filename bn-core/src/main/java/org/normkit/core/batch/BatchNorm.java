package org.normkit.core.batch;

import java.util.Arrays;
import java.util.List;

import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.ContractPreset;
import org.normkit.core.Norm;
import org.normkit.core.NormLayer;
import org.normkit.core.RunningStats;
import org.normkit.core.RunningStatsPolicy;
import org.normkit.core.kernel.Layout;

/**
 * Batch normalization (Ioffe &amp; Szegedy, "Batch Normalization: Accelerating Deep Network Training by Reducing
 * Internal Covariate Shift", ICML 2015), as {@code torch.nn.BatchNorm1d/2d/3d}. One class registers the family
 * {@code batch_norm} (any rank from 2 to 5, for nets that put one norm after linear and conv layers),
 * {@code batch_norm1d}, {@code batch_norm2d} and {@code batch_norm3d}: they differ only in the ranks their contract
 * accepts.
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
 * after the increment: a cumulative moving average. This is {@link RunningStatsPolicy#pytorch()}; the option
 * {@code running_stats=cumulative|keras} picks another preset per layer (Keras: {@link Norm#kerasSpec}), and
 * {@link RunningStats#recalibrate} re-estimates them after training ("precise BN").
 *
 * <h2>Shapes</h2>
 * Input (N, C), (N, C, L), (N, C, H, W) or (N, C, D, H, W) as the registered name allows, with C = numFeatures; output of
 * the same shape; γ, β, running_mean, running_var of shape (C). float32 and float64; the input must have the layer's
 * dtype.
 *
 * <h2>Edge cases</h2>
 * A channel whose values are all equal has σ² = 0, so x̂ = 0 and y = β (eps keeps the division finite). When the batch's
 * statistics normalise or update the running ones, a channel needs more than one value (N·L &gt; 1): PyTorch and this class reject one value per channel, since its
 * variance is 0 and its unbiased variance undefined. An empty input (a dimension of size 0), a wrong rank or a
 * channel count other than numFeatures are rejected with messages naming the shape. eps must be &gt; 0 and the
 * momentum in [0, 1] ({@link NormSpec} checks both).
 *
 * <h2>Example</h2>
 * <pre>{@code
 * NormLayer bn = new BatchNorm().create("batch_norm2d", NormSpec.of(64));   // γ = 1, β = 0, momentum 0.1
 * Tensor y = bn.forward(Tensor.randn(DType.FLOAT32, Shape.of(32, 64, 56, 56), 1));   // training: batch statistics
 * bn.eval();                                                                  // now normalises with the running ones
 * }</pre>
 */
// Not final: tests wrap its fused face in a spy (an anonymous subclass overriding fused(NormLayer)).
public class BatchNorm extends Norm {

    public BatchNorm() {
        super("Batch normalization: per-channel statistics over the batch and spatial positions, running averages for "
                + "evaluation (Ioffe & Szegedy 2015)", List.of(
                new Member("batch_norm", ContractPreset.channelFirst(2, 3, 4, 5)
                        .withBenchmarkShapes(Shape.of(256, 1024), Shape.of(32, 64, 56, 56), Shape.of(8, 256, 14, 14))),
                new Member("batch_norm1d", ContractPreset.channelFirst(2, 3).withBenchmarkShapes(Shape.of(256, 1024))),
                new Member("batch_norm2d", ContractPreset.channelFirst(4)),
                new Member("batch_norm3d", ContractPreset.channelFirst(5))));
    }

    @Override
    public RunningStatsPolicy runningStats() {
        return RunningStatsPolicy.pytorch();
    }

    /** More than one value per channel whenever the batch's statistics normalise or update the running ones. */
    @Override
    protected void checkInput(NormLayer layer, Shape input) {
        requireMoreThanOneValuePerChannel(layer, input);
    }

    /** Padded positions can be left out of the statistics ({@link NormLayer#forward(Tensor, PositionMask)}). */
    @Override
    public boolean takesMask() {
        return true;
    }

    /** Channels (N, C, L) with L the product of the spatial sizes. */
    @Override
    public Layout layout(NormLayer layer, Shape input) {
        return Layout.channels(input.dim(0), input.dim(1), input.product(2, input.rank()));
    }

    /** Mean, biased variance and rsqrt over every axis but the channel, then the affine map: composed ops only. */
    @Override
    public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
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
        Tensor y = x.sub(mean).mul(variance.add(layer.spec().eps()).rsqrt());
        if (layer.weight().isPresent()) {
            y = y.mul(layer.weight().get().reshape(perChannel));
        }
        if (layer.bias().isPresent()) {
            y = y.add(layer.bias().get().reshape(perChannel));
        }
        return y;
    }
}

package org.normkit.variants.power;

import java.util.Arrays;

import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.ContractPreset;
import org.normkit.core.Norm;
import org.normkit.core.NormLayer;
import org.normkit.core.RunningStatsPolicy;
import org.normkit.core.kernel.Centering;
import org.normkit.core.kernel.Layout;

/**
 * Power normalization (Shen, Yao, Gholami, Mahoney &amp; Keutzer, "PowerNorm: Rethinking Batch Normalization in
 * Transformers", ICML 2020), in its two defining changes to BatchNorm: a relaxed zero-mean (no centring) and a
 * running quadratic mean instead of a running variance.
 *
 * <h2>Formula</h2>
 * <pre>
 *   ψ²_B = mean over the batch (and positions) of x²        per channel
 *   y    = x / sqrt(ψ² + eps) · γ + β
 *   ψ²   ← (1 − momentum)·ψ² + momentum·ψ²_B                (the running quadratic mean, no Bessel correction)
 * </pre>
 * In training ψ² is the batch's ψ²_B; in evaluation the running one. The running quadratic mean is
 * {@link RunningStatsPolicy#meanOfSquares()}: a biased mean of squares (no Bessel correction) with the spec's
 * momentum, in the buffer {@code running_mean_square} (starts at 1). Inputs and shapes as BatchNorm's: (N, C) or (N, C, L) with statistics over N·L per channel — the (B·T, d)
 * tokens of a Transformer, where the paper uses it.
 *
 * <h2>What is left out</h2>
 * The paper's full layer also normalises with the <em>running</em> ψ in training after a warm-up, with an
 * approximate backward that tracks a running gradient statistic, and prepends a group-scaling layer. Those need
 * state updated in the backward pass, which the norm contract (running statistics updated once, outside both faces)
 * does not have; this layer is the relaxed-zero-mean, running-quadratic-mean core the issue names.
 *
 * <h2>Edge cases</h2>
 * A channel of zeros gives x̂ = 0 and y = β. One value per channel is refused in training (BatchNorm's rule), allowed
 * in evaluation. float32 and float64.
 *
 * <h2>Fused face</h2>
 * The shared kernel over {@code Layout.channels(N, C, L)}, uncentred: its backward is BatchNorm's without the mean(ĝ)
 * term.
 *
 * <pre>{@code
 * NormLayer pn = new PowerNorm().create(NormSpec.of(64));
 * Tensor y = pn.forward(tokens.reshape(-1, 64));      // (B·T, 64)
 * }</pre>
 */
public final class PowerNorm extends Norm {
    /** The registry name, also the prefix of every message. */
    public static final String NAME = "power_norm";

    public PowerNorm() {
        super(NAME, "Power normalization over (N, C) or (N, C, L): per-channel quadratic mean over the batch without "
                + "centring, running quadratic mean for evaluation (Shen et al. 2020)",
                ContractPreset.channelFirst(2, 3).withBenchmarkShapes(Shape.of(4096, 64), Shape.of(256, 1024)));
    }

    /** The running quadratic mean: a biased mean of squares with the spec's momentum. */
    @Override
    public RunningStatsPolicy runningStats() {
        return RunningStatsPolicy.meanOfSquares();
    }

    /** The fused face divides by the root mean square and subtracts no mean. */
    @Override
    public Centering centering() {
        return Centering.UNCENTERED;
    }

    /** More than one value per channel whenever the batch's statistics normalise or update the running ones. */
    @Override
    protected void checkInput(NormLayer layer, Shape input) {
        requireMoreThanOneValuePerChannel(layer, input);
    }

    /** Channels (N, C, L): one statistics set per channel over N·L values. */
    @Override
    public Layout layout(NormLayer layer, Shape input) {
        return Layout.channels(input.dim(0), input.dim(1), input.product(2, input.rank()));
    }

    /** Quadratic mean over every axis but the channel (or the running one), rsqrt, affine: composed ops only. */
    @Override
    public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
        int[] perChannel = new int[x.rank()];
        Arrays.fill(perChannel, 1);
        perChannel[1] = x.dim(1);
        int[] axes = x.rank() == 2 ? new int[] {0} : new int[] {0, 2};
        Tensor quadraticMean = use instanceof Statistics.Running running ? running.variance().reshape(perChannel)
                : x.mul(x).mean(axes, true);
        Tensor y = x.mul(quadraticMean.add(layer.spec().eps()).rsqrt());
        if (layer.weight().isPresent()) {
            y = y.mul(layer.weight().get().reshape(perChannel));
        }
        if (layer.bias().isPresent()) {
            y = y.add(layer.bias().get().reshape(perChannel));
        }
        return y;
    }
}

package org.normkit.variants.power;

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
 * In training ψ² is the batch's ψ²_B; in evaluation the running one. The running quadratic mean is kept in the
 * {@code running_var} buffer (starts at 1) so every tool that reads running statistics reads it; {@code running_mean}
 * stays 0. Inputs and shapes as BatchNorm's: (N, C) or (N, C, L) with statistics over N·L per channel — the (B·T, d)
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
 * PowerNorm pn = new PowerNorm(NormSpec.of(64));
 * Tensor y = pn.forward(tokens.reshape(-1, 64));      // (B·T, 64)
 * }</pre>
 */
public final class PowerNorm extends NormBase {
    public static final String NAME = "power_norm";

    static final ChannelFirstInputs INPUTS = new ChannelFirstInputs(NAME, "(N, C) or (N, C, L)", new int[] {2, 3},
            List.of(Shape.of(5, 3), Shape.of(4, 1), Shape.of(3, 2, 4), Shape.of(2, 3, 1), Shape.of(1, 3)),
            List.of(Shape.of(4096, 64), Shape.of(256, 1024)));

    public PowerNorm(NormSpec spec) {
        super(spec, Shape.of(spec.numFeatures()), Affine.WEIGHT_AND_BIAS, RunningStats.Policy.COUNTING);
    }

    @Override
    protected Centering centering() {
        return Centering.UNCENTERED;
    }

    @Override
    protected void checkInput(Shape input) {
        INPUTS.checkRank(input);
        input.requireSize(1, spec().numFeatures(), NAME, "channels (numFeatures)");
        if (isTraining() && input.numel() / input.dim(1) == 1) {
            throw new UnsupportedInputException(NAME + ": expected more than 1 value per channel when training, got "
                    + "input of shape " + input + ": use a batch of at least 2 samples, or call eval() to normalise "
                    + "with the running quadratic mean");
        }
    }

    @Override
    protected Layout layout(Shape input) {
        return Layout.channels(input.dim(0), input.dim(1), input.product(2, input.rank()));
    }

    /** Quadratic mean over every axis but the channel (or the running one), rsqrt, affine: composed ops only. */
    @Override
    public Tensor reference(Tensor x, Statistics use) {
        checkInput(x.shape());
        int[] perChannel = new int[x.rank()];
        Arrays.fill(perChannel, 1);
        perChannel[1] = x.dim(1);
        int[] axes = x.rank() == 2 ? new int[] {0} : new int[] {0, 2};
        Tensor quadraticMean = use instanceof Statistics.Running running ? running.variance().reshape(perChannel)
                : x.mul(x).mean(axes, true);
        Tensor y = x.mul(quadraticMean.add(spec().eps()).rsqrt());
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
        return NAME;
    }
}

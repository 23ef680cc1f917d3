package org.normkit.variants.power;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.ContractPreset;
import org.normkit.core.Norm;
import org.normkit.core.NormLayer;
import org.normkit.core.RunningStatsPolicy;
import org.normkit.core.kernel.Centering;
import org.normkit.core.kernel.Layout;
import org.normkit.core.kernel.NormKernel;

/**
 * Power normalization (Shen, Yao, Gholami, Mahoney &amp; Keutzer, "PowerNorm: Rethinking Batch Normalization in
 * Transformers", ICML 2020, arXiv 2003.07845): BatchNorm with a relaxed zero-mean (no centring), a running quadratic
 * mean instead of a running variance, and, in the paper's full layer (Algorithm 1), that running quadratic mean used
 * in training too, with an approximate backward that tracks a running gradient statistic.
 *
 * <h2>The two algorithms (option {@code algorithm})</h2>
 * <pre>
 *   both        ψ²_B = mean over N·L of x²                          per channel
 *               y    = γ·x̂ + β,   x̂ = x / sqrt(ψ² + eps)
 *               ψ²   ← (1 − momentum)·ψ² + momentum·ψ²_B           running quadratic mean, every training step
 *
 *   full        training: ψ² = ψ²_B for the first warmup_steps steps, then the running ψ² (before this step's update)
 *   (default)   backward of a training step (held ψ, ν the running gradient statistic, ĝ = γ·∂L/∂y):
 *                 ∂L/∂x = (ĝ − ν·x̂) / sqrt(ψ² + eps)
 *                 ν     ← ν·(1 − (1 − α)·Γ) + (1 − α)·Λ,   Γ = mean(x̂²),  Λ = mean(ĝ·x̂)
 *
 *   vanilla     training: ψ² = ψ²_B, exact backward (the gradient flows through ψ²_B): the paper's PN-V ablation
 *   evaluation  ψ² = the running ψ², exact backward (ψ² is a constant), both algorithms
 * </pre>
 * The full algorithm is the default because it is the method the paper proposes and evaluates; PN-V is its
 * ablation ("vanilla", normkit's power_norm before 2026-12-02). {@code momentum} is the spec's (PyTorch's direction:
 * the paper's α for ψ is 1 − momentum, 0.9 with the default 0.1); the running preset option {@code running_stats}
 * applies as for any norm. A training step is a forward of a layer that updates its running statistics; its count is
 * {@code num_batches_tracked}, so the warm-up covers the steps while {@code num_batches_tracked < warmup_steps}.
 *
 * <h2>Options</h2>
 * <ul>
 *   <li>{@code algorithm}: {@code full} (default) or {@code vanilla}.</li>
 *   <li>{@code warmup_steps}: training steps normalised with the batch's ψ²_B before the running ψ² takes over,
 *       an integer ≥ 0 (default 1000, what the authors' Transformer used: {@code NormSelect}'s
 *       {@code warmup_updates}).</li>
 *   <li>{@code alpha}: α of the running gradient statistic ν, in [0, 1] (default 0.9, the authors' {@code alpha_bkw}).</li>
 * </ul>
 * {@code warmup_steps} and {@code alpha} belong to the full algorithm (an error with {@code vanilla}), which needs
 * running statistics ({@code trackRunningStats=true}).
 *
 * <h2>The reference face of an approximate backward</h2>
 * In a training step the full algorithm's backward is by definition not the derivative of its forward
 * ({@link #approximateBackward}). Its reference face states the rule with composed ops and one custom node: ψ² enters
 * detached (a stop-gradient, the paper's "ψ held constant"), and an identity node on x̂ subtracts ν·x̂ from ∂L/∂x̂ in
 * its backward and folds Γ and Λ into ν ({@code ApproximateBackward}); everything else is the autograd ops'
 * derivative. So the reference is the obviously right statement of Algorithm 1's backward, and the fused face (the
 * shared uncentred kernel with ψ held, plus the same correction in one pass) is held against it. The generic
 * gradcheck then checks the part of the backward that depends on ∂L/∂y against finite differences with ψ²_B held;
 * the ν term is pinned by {@code PowerNormTest} against the formula and against the PyTorch reference
 * ({@code scripts/pytorch/golden_new_norms.py}).
 *
 * <h2>Against the authors' code ({@code sIncerass/powernorm}, {@code mask_powernorm.py})</h2>
 * Where the code and Algorithm 1 differ, this layer follows Algorithm 1: the backward divides by the ψ that
 * normalised (the code divides by the batch's ψ_B even after the warm-up), and ψ² is the momentum average from the
 * first step (the code mixes a cumulative average into it during the warm-up). Like the code, the backward is
 * approximate during the warm-up too (so ν is estimated by the time the running ψ² takes over). The code's
 * GroupScaling1D, a per-token scaling over groups of channels that its Transformer puts before PowerNorm, is not
 * part of this layer.
 *
 * <h2>State and shapes</h2>
 * Buffers {@code running_mean_square} (ψ², starts at 1, {@link RunningStatsPolicy#meanOfSquares()}: no Bessel
 * correction), {@code num_batches_tracked}, and with the full algorithm {@code running_nu} (ν, starts at 0). Inputs
 * (N, C) or (N, C, L) with statistics over N·L per channel: the (B·T, d) tokens of a Transformer, where the paper
 * uses it. float32 and float64.
 *
 * <h2>Masks</h2>
 * {@code forward(x, mask)} leaves padded positions out of ψ²_B, of the running update and of ν's Γ and Λ, and
 * writes 0 there (their gradient is 0), as BatchNorm, InstanceNorm and GroupNorm do; both faces
 * ({@code MaskedPowerKernel} on the fused one).
 *
 * <h2>Edge cases</h2>
 * A channel of zeros gives x̂ = 0 and y = β. One value per channel is refused while the running statistics are
 * updated (BatchNorm's rule), allowed in evaluation.
 *
 * <pre>{@code
 * NormLayer pn = new PowerNorm().create(NormSpec.of(64).withOption("warmup_steps", "200"));
 * Tensor y = pn.forward(tokens.reshape(-1, 64));      // (B·T, 64)
 * }</pre>
 */
public final class PowerNorm extends Norm {
    /** The registry name, also the prefix of every message. */
    public static final String NAME = "power_norm";
    /** The option choosing the algorithm: {@value #FULL} or {@value #VANILLA}. */
    public static final String ALGORITHM = "algorithm";
    /** Algorithm 1 of the paper: running ψ² in training after a warm-up, approximate backward. */
    public static final String FULL = "full";
    /** The paper's PN-V: batch ψ² in training, exact backward. */
    public static final String VANILLA = "vanilla";
    /** The option with the number of warm-up steps. */
    public static final String WARMUP_STEPS = "warmup_steps";
    /** The option with α of the running gradient statistic. */
    public static final String ALPHA = "alpha";
    /** The buffer holding ν, the running gradient statistic of the full algorithm. */
    public static final String RUNNING_NU = "running_nu";

    static final int DEFAULT_WARMUP_STEPS = 1000;
    static final double DEFAULT_ALPHA = 0.9;

    /** The parsed options of one layer. */
    record Settings(boolean full, int warmupSteps, double alpha) {}

    public PowerNorm() {
        super(NAME, "Power normalization over (N, C) or (N, C, L): per-channel quadratic mean without centring, "
                + "running quadratic mean in training after a warm-up with an approximate backward "
                + "(Shen et al. 2020, Algorithm 1; algorithm=vanilla: batch statistics, exact backward)",
                ContractPreset.channelFirst(2, 3).withBenchmarkShapes(Shape.of(4096, 64), Shape.of(256, 1024)));
    }

    @Override
    public Map<String, String> options() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put(ALGORITHM, "full (the paper's Algorithm 1: running quadratic mean in training after a warm-up, "
                + "approximate backward; the default) or vanilla (batch statistics in training, exact backward: "
                + "the paper's PN-V)");
        options.put(WARMUP_STEPS, "training steps normalised with the batch's quadratic mean before the running one "
                + "takes over, an integer >= 0 (full only; default " + DEFAULT_WARMUP_STEPS + ")");
        options.put(ALPHA, "alpha of the running gradient statistic nu, in [0, 1] (full only; default "
                + DEFAULT_ALPHA + ")");
        return options;
    }

    /** The options parse, belong to the chosen algorithm, and the full algorithm has running statistics. */
    @Override
    protected void validate(String name, NormSpec spec) {
        Settings settings = settings(name, spec);
        if (settings.full() && !spec.trackRunningStats()) {
            throw new IllegalArgumentException(name + ": algorithm=full normalises with the running quadratic mean "
                    + "after its warm-up and needs trackRunningStats=true; use algorithm=vanilla for batch "
                    + "statistics only");
        }
    }

    /** The running quadratic mean: a biased mean of squares with the spec's momentum. */
    @Override
    public RunningStatsPolicy runningStats() {
        return RunningStatsPolicy.meanOfSquares();
    }

    /** ν, the running gradient statistic, for the full algorithm. */
    @Override
    public Map<String, Tensor> stateBuffers(NormSpec spec) {
        if (!settings(NAME, spec).full() || !spec.trackRunningStats()) {
            return Map.of();
        }
        return Map.of(RUNNING_NU, Tensor.zeros(spec.dtype(), Shape.of(spec.numFeatures())));
    }

    /** The full algorithm after its warm-up. */
    @Override
    public boolean trainsWithRunningStatistics(NormLayer layer) {
        Settings settings = settings(layer.name(), layer.spec());
        return settings.full() && layer.runningStats().map(r -> r.batchesTracked() >= settings.warmupSteps())
                .orElse(false);
    }

    @Override
    public Optional<String> approximateBackward(NormLayer layer) {
        return approximates(layer) ? Optional.of("Shen et al. 2020, Algorithm 1: dL/dx = (gamma*dL/dy - nu*xhat) / "
                + "sqrt(psi^2 + eps) with psi held constant; nu the running gradient statistic") : Optional.empty();
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

    /** The shared uncentred kernel; for the full algorithm with the approximate backward of a training step. */
    @Override
    public Optional<FusedNorm> fused(NormLayer layer) {
        Settings settings = settings(layer.name(), layer.spec());
        if (!settings.full()) {
            return super.fused(layer);
        }
        NormKernel exact = NormKernel.of(centering(), layer.spec().eps(), input -> layout(layer, input));
        return Optional.of(ApproximateBackward.kernel(layer, exact, settings.alpha()));
    }

    /** Padded positions are left out of ψ²_B, of the running update, and of ν's Γ and Λ. */
    @Override
    public boolean takesMask() {
        return true;
    }

    /**
     * {@link #reference} over the valid positions: ψ²_B = Σ x²·m / k (m the mask over every channel, k the valid
     * count), y·m; the approximate backward's node over the valid elements.
     */
    @Override
    public Tensor maskedReference(NormLayer layer, Layout layout, Tensor x, Statistics use, PositionMask mask) {
        Tensor valid = mask.expandTo(x.shape(), x.dtype());
        return faces(layer, x, use, valid).mul(valid);
    }

    /** {@link MaskedPowerKernel} bound to {@code mask}. */
    @Override
    public FusedNorm maskedFused(NormLayer layer, Layout layout, Shape input, PositionMask mask) {
        return new MaskedPowerKernel(layer, input, mask, settings(layer.name(), layer.spec()).alpha());
    }

    /**
     * Quadratic mean over every axis but the channel (or the running one), rsqrt, affine: composed ops only; in a
     * training step of the full algorithm the quadratic mean is detached and x̂ passes the approximate backward's
     * node.
     */
    @Override
    public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
        return faces(layer, x, use, null);
    }

    /** The reference face, over the elements where {@code valid} is 1 when it is given. */
    private Tensor faces(NormLayer layer, Tensor x, Statistics use, Tensor valid) {
        int[] perChannel = ApproximateBackward.perChannel(x);
        int[] axes = ApproximateBackward.axes(x);
        boolean approximate = approximates(layer);
        Tensor quadraticMean;
        if (use instanceof Statistics.Running running) {
            quadraticMean = running.variance().reshape(perChannel);
        } else if (valid == null) {
            quadraticMean = x.mul(x).mean(axes, true);
        } else {
            quadraticMean = x.mul(x).mul(valid).sum(axes, true).div(ApproximateBackward.atLeastOne(
                    valid.sum(axes, true)));
        }
        if (approximate) {
            quadraticMean = quadraticMean.detach();
        }
        Tensor y = x.mul(quadraticMean.add(layer.spec().eps()).rsqrt());
        if (approximate) {
            y = ApproximateBackward.node(layer, y, settings(layer.name(), layer.spec()).alpha(), valid);
        }
        if (layer.weight().isPresent()) {
            y = y.mul(layer.weight().get().reshape(perChannel));
        }
        if (layer.bias().isPresent()) {
            y = y.add(layer.bias().get().reshape(perChannel));
        }
        return y;
    }

    /** Whether {@code layer}'s backward is the approximate one: the full algorithm in a training step. */
    static boolean approximates(NormLayer layer) {
        return settings(layer.name(), layer.spec()).full() && layer.updatesRunningStatistics();
    }

    static Settings settings(String name, NormSpec spec) {
        String algorithm = spec.option(ALGORITHM).map(v -> v.trim().toLowerCase(Locale.ROOT)).orElse(FULL);
        if (!algorithm.equals(FULL) && !algorithm.equals(VANILLA)) {
            throw new IllegalArgumentException(name + ": option " + ALGORITHM + "=" + spec.option(ALGORITHM).get()
                    + " is not an algorithm: expected " + FULL + " (the paper's Algorithm 1) or " + VANILLA
                    + " (batch statistics, exact backward)");
        }
        boolean full = algorithm.equals(FULL);
        for (String option : new String[] {WARMUP_STEPS, ALPHA}) {
            if (!full && spec.option(option).isPresent()) {
                throw new IllegalArgumentException(name + ": option " + option + " belongs to algorithm=full, but "
                        + "algorithm=vanilla has no running statistics in training and an exact backward: drop "
                        + option + ", or use algorithm=full");
            }
        }
        int warmup = DEFAULT_WARMUP_STEPS;
        if (spec.option(WARMUP_STEPS).isPresent()) {
            String v = spec.option(WARMUP_STEPS).get();
            try {
                warmup = Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                warmup = -1;
            }
            if (warmup < 0) {
                throw new IllegalArgumentException(name + ": option " + WARMUP_STEPS + "=" + v + " must be an "
                        + "integer >= 0 (the training steps normalised with the batch's quadratic mean), e.g. "
                        + WARMUP_STEPS + "=" + DEFAULT_WARMUP_STEPS);
            }
        }
        double alpha = DEFAULT_ALPHA;
        if (spec.option(ALPHA).isPresent()) {
            String v = spec.option(ALPHA).get();
            try {
                alpha = Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                alpha = Double.NaN;
            }
            if (!(alpha >= 0 && alpha <= 1)) {
                throw new IllegalArgumentException(name + ": option " + ALPHA + "=" + v + " must be a number in "
                        + "[0, 1] (the weight of the old value in the running gradient statistic nu), e.g. "
                        + ALPHA + "=" + DEFAULT_ALPHA);
            }
        }
        return new Settings(full, warmup, alpha);
    }
}

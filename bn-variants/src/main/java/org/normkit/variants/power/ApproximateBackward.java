package org.normkit.variants.power;

import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.graph.Node;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormLayer;
import org.normkit.core.kernel.NormKernel;

/**
 * PowerNorm's approximate backward (Shen et al. 2020, Algorithm 1), in both faces, and the update of its running
 * gradient statistic ν, which both faces hand to {@link #update} so the rule is written once.
 *
 * <pre>
 *   ĝ     = γ·∂L/∂y                                   (γ = 1 without affine)
 *   ∂L/∂x = (ĝ − ν·x̂)·r        r = 1/sqrt(ψ² + eps), ψ² the quadratic mean that normalised, held constant
 *   Γ     = mean(x̂²)     Λ = mean(ĝ·x̂)                (per channel, over N·L)
 *   ν     ← ν·(1 − (1 − α)·Γ) + (1 − α)·Λ
 * </pre>
 * ν is read when the backward runs and updated right after it has been used, as the authors' code reads and updates
 * its {@code ema_gz} buffer in its backward ({@code sIncerass/powernorm}, {@code mask_powernorm.py}; their buffer is
 * ν/(1 − α)). Only a first-order pass updates ν: a pass that builds a graph (higher orders, a gradient penalty) is
 * not a training step's backward and leaves it alone.
 */
final class ApproximateBackward {
    private ApproximateBackward() {}

    /**
     * The reference face's node: the identity on the normalised input x̂ (before γ, β), whose backward subtracts ν·x̂
     * from ∂L/∂x̂ (the multiplication by the constant r that made x̂ then gives the paper's ∂L/∂x). γ is an input
     * only so that the node is recorded, and ν updated, when γ alone needs a gradient (the fused face's node is
     * recorded then too); it receives zeros from here (the engine wants a gradient for every input that needs one).
     */
    static Tensor node(NormLayer layer, Tensor normalized, double alpha) {
        return node(layer, normalized, alpha, null);
    }

    /**
     * As {@link #node(NormLayer, Tensor, double)} over the valid elements only ({@code valid}: 1 valid, 0 padding,
     * x's shape; null for all): the correction is 0 at padding, and Γ and Λ are means over the valid elements.
     */
    static Tensor node(NormLayer layer, Tensor normalized, double alpha, Tensor valid) {
        Tensor weight = layer.weight().orElse(null);
        Tensor[] inputs = weight == null ? new Tensor[] {normalized} : new Tensor[] {normalized, weight};
        int[] perChannel = perChannel(normalized);
        int[] axes = axes(normalized);
        Tensor counts = valid == null ? null : atLeastOne(valid.sum(axes, false));
        return Node.record(normalized.detach().copy(), layer.name() + " (approximate backward)", (grad, needs) -> {
            Tensor nu = layer.buffer(PowerNorm.RUNNING_NU);
            Tensor nuNow = nu.copy().reshape(perChannel);
            Tensor[] result = new Tensor[inputs.length];
            if (inputs.length > 1 && needs[1]) {
                result[1] = inputs[1].zerosLike();
            }
            if (GradMode.isEnabled()) {
                Tensor correction = normalized.mul(nuNow);
                result[0] = needs[0] ? grad.sub(valid == null ? correction : correction.mul(valid)) : null;
                return result;
            }
            Tensor xhat = valid == null ? normalized.detach() : normalized.detach().mul(valid);
            result[0] = needs[0] ? grad.sub(xhat.mul(nuNow)) : null;
            Tensor gradXhat = grad.mul(xhat);
            Tensor xhatSquared = xhat.square();
            update(nu, (valid == null ? gradXhat.mean(axes, false) : gradXhat.sum(axes, false).div(counts))
                    .toDoubleArray(), (valid == null ? xhatSquared.mean(axes, false)
                    : xhatSquared.sum(axes, false).div(counts)).toDoubleArray(), alpha);
            return result;
        }, inputs);
    }

    /** The counts with 0 raised to 1 (a channel without a valid element then has Γ = Λ = 0). */
    static Tensor atLeastOne(Tensor counts) {
        double[] c = counts.toDoubleArray();
        for (int i = 0; i < c.length; i++) {
            c[i] = Math.max(1, c[i]);
        }
        return Tensor.wrap(c, counts.shape()).to(counts.dtype());
    }

    /**
     * The fused face: the shared uncentred kernel's forward, and for a training step its backward with the
     * quadratic mean held constant (dx = r·ĝ, dγ = Σ g·x̂, dβ = Σ g), from which ν·x̂·r is subtracted in one pass
     * over x that also sums Γ and Λ; otherwise the kernel's exact backward.
     */
    static FusedNorm kernel(NormLayer layer, NormKernel exact, double alpha) {
        return new FusedNorm() {
            @Override
            public Saved forward(Tensor x, Tensor gamma, Tensor beta, org.normkit.autograd.spi.Statistics use,
                                 Tensor out) {
                return exact.forward(x, gamma, beta, use, out);
            }

            @Override
            public Gradients backward(Tensor gradOutput, Tensor x, Saved saved, Tensor gamma, GradMask mask) {
                if (!PowerNorm.approximates(layer)) {
                    return exact.backward(gradOutput, x, saved, gamma, mask);
                }
                Gradients held = exact.backward(gradOutput, x, new Saved(saved.mean(), saved.rstd(), false), gamma,
                        mask);
                correctAndUpdate(layer, gradOutput, x, saved.rstd().toDoubleArray(), gamma, held.input(), alpha);
                return held;
            }
        };
    }

    /**
     * Subtracts ν·x̂·r from {@code gradInput} (when given) and folds the batch's Γ and Λ into ν. Channel-first input
     * (N, C, L…): element i belongs to channel (i / L) mod C.
     */
    private static void correctAndUpdate(NormLayer layer, Tensor gradOutput, Tensor x, double[] rstd, Tensor gamma,
                                         Tensor gradInput, double alpha) {
        int channels = x.dim(1);
        int inner = x.numel() / (x.dim(0) * channels);
        double[] xs = x.toDoubleArray();
        double[] gs = gradOutput.toDoubleArray();
        double[] gammas = gamma == null ? null : gamma.toDoubleArray();
        Tensor nu = layer.buffer(PowerNorm.RUNNING_NU);
        double[] nus = nu.toDoubleArray();
        double[] sumGradXhat = new double[channels];
        double[] sumXhatSquared = new double[channels];
        float[] dxFloat = gradInput != null && gradInput.dtype() == DType.FLOAT32 ? gradInput.floatData() : null;
        double[] dxDouble = gradInput != null && gradInput.dtype() == DType.FLOAT64 ? gradInput.doubleData() : null;
        for (int i = 0; i < xs.length; i++) {
            int c = (i / inner) % channels;
            double r = rstd[c % rstd.length];
            double xhat = xs[i] * r;
            double ghat = gs[i] * (gammas == null ? 1.0 : gammas[c]);
            sumGradXhat[c] += ghat * xhat;
            sumXhatSquared[c] += xhat * xhat;
            double correction = nus[c] * xhat * r;
            if (dxDouble != null) {
                dxDouble[i] -= correction;
            } else if (dxFloat != null) {
                dxFloat[i] = (float) (dxFloat[i] - correction);
            }
        }
        double m = (double) xs.length / channels;
        for (int c = 0; c < channels; c++) {
            sumGradXhat[c] /= m;
            sumXhatSquared[c] /= m;
        }
        update(nu, sumGradXhat, sumXhatSquared, alpha);
    }

    /** ν ← ν·(1 − (1 − α)·Γ) + (1 − α)·Λ, per channel, in place. */
    static void update(Tensor nu, double[] lambda, double[] gamma, double alpha) {
        for (int c = 0; c < nu.numel(); c++) {
            nu.set(c, nu.get(c) * (1 - (1 - alpha) * gamma[c]) + (1 - alpha) * lambda[c]);
        }
    }

    static int[] perChannel(Tensor x) {
        int[] shape = new int[x.rank()];
        java.util.Arrays.fill(shape, 1);
        shape[1] = x.dim(1);
        return shape;
    }

    static int[] axes(Tensor x) {
        return x.rank() == 2 ? new int[] {0} : new int[] {0, 2};
    }
}

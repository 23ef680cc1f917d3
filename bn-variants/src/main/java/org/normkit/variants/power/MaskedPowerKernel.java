package org.normkit.variants.power;

import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormLayer;
import org.normkit.core.kernel.ValidElements;

/**
 * PowerNorm's fused face over the valid positions of a channel-first input (N, C, L) only, bound to one mask. With
 * k the number of valid positions (the same for every channel) and r = 1/sqrt(ψ² + eps):
 * <pre>
 *   forward    ψ²_B = Σ_valid x² / k  (or the running ψ²)     y = γ·x·r + β  (valid),  0  (padding)
 *   backward   ĝ = γ·g;  at padding dx = 0, and over the valid elements
 *              dx = r·(ĝ − x̂·mean_valid(ĝ·x̂))       the batch's ψ², exact (vanilla, or a layer not updating)
 *              dx = r·ĝ                              the running ψ², exact
 *              dx = r·(ĝ − ν·x̂)                      a training step of the full algorithm (ψ held), then ν is
 *                                                    updated with Γ, Λ over the valid elements
 *              dγ = Σ_valid g·x̂      dβ = Σ_valid g
 * </pre>
 * Moments in double, one thread (masked batches are the sequence nets' small activations). Immutable but for ν.
 */
final class MaskedPowerKernel implements FusedNorm {
    private final NormLayer layer;
    private final double eps;
    private final double alpha;
    private final ValidElements valid;
    private final int channels;
    private final int count;

    MaskedPowerKernel(NormLayer layer, Shape input, PositionMask mask, double alpha) {
        mask.requireFits(input, layer.name());
        this.layer = layer;
        this.eps = layer.spec().eps();
        this.alpha = alpha;
        this.channels = input.dim(1);
        this.valid = ValidElements.perChannel(input, mask);
        this.count = mask.validCount();
    }

    @Override
    public Saved forward(Tensor x, Tensor gamma, Tensor beta, Statistics use, Tensor out) {
        double[] xs = x.toDoubleArray();
        double[] rstd = new double[channels];
        if (use instanceof Statistics.Running running) {
            for (int c = 0; c < channels; c++) {
                rstd[c] = 1 / Math.sqrt(running.variance().get(c) + eps);
            }
        } else {
            double[] sumSquares = new double[channels];
            valid.forEach((i, set, c) -> sumSquares[c] += xs[i] * xs[i]);
            for (int c = 0; c < channels; c++) {
                rstd[c] = 1 / Math.sqrt(sumSquares[c] / Math.max(1, count) + eps);
            }
        }
        double[] gammas = gamma == null ? null : gamma.toDoubleArray();
        double[] betas = beta == null ? null : beta.toDoubleArray();
        double[] y = new double[xs.length];
        valid.forEach((i, set, c) ->
                y[i] = xs[i] * rstd[c] * (gammas == null ? 1 : gammas[c]) + (betas == null ? 0 : betas[c]));
        out.copyFrom(Tensor.wrap(y, x.shape()).to(x.dtype()));
        return new Saved(Tensor.zeros(DType.FLOAT64, Shape.of(channels)), Tensor.wrap(rstd, Shape.of(channels)),
                use.isBatch());
    }

    @Override
    public Gradients backward(Tensor gradOutput, Tensor x, Saved saved, Tensor gamma, GradMask mask) {
        double[] xs = x.toDoubleArray();
        double[] gs = gradOutput.toDoubleArray();
        double[] rstd = saved.rstd().toDoubleArray();
        double[] gammas = gamma == null ? null : gamma.toDoubleArray();
        double[] sumGradXhat = new double[channels];
        double[] sumXhatSquared = new double[channels];
        double[] dGamma = new double[channels];
        double[] dBeta = new double[channels];
        valid.forEach((i, set, c) -> {
            double xhat = xs[i] * rstd[c];
            sumGradXhat[c] += gs[i] * (gammas == null ? 1 : gammas[c]) * xhat;
            sumXhatSquared[c] += xhat * xhat;
            dGamma[c] += gs[i] * xhat;
            dBeta[c] += gs[i];
        });
        int k = Math.max(1, count);
        boolean approximate = PowerNorm.approximates(layer);
        double[] nu = approximate ? layer.buffer(PowerNorm.RUNNING_NU).toDoubleArray() : null;
        Tensor dx = null;
        if (mask.input()) {
            double[] d = new double[xs.length];
            valid.forEach((i, set, c) -> {
                double xhat = xs[i] * rstd[c];
                double ghat = gs[i] * (gammas == null ? 1 : gammas[c]);
                if (approximate) {
                    d[i] = rstd[c] * (ghat - nu[c] * xhat);
                } else if (saved.fromBatch()) {
                    d[i] = rstd[c] * (ghat - xhat * sumGradXhat[c] / k);
                } else {
                    d[i] = rstd[c] * ghat;
                }
            });
            dx = Tensor.wrap(d, x.shape()).to(x.dtype());
        }
        if (approximate) {
            for (int c = 0; c < channels; c++) {
                sumGradXhat[c] /= k;
                sumXhatSquared[c] /= k;
            }
            ApproximateBackward.update(layer.buffer(PowerNorm.RUNNING_NU), sumGradXhat, sumXhatSquared, alpha);
        }
        DType parameters = gamma != null ? gamma.dtype() : x.dtype();
        return new Gradients(dx,
                mask.weight() ? Tensor.wrap(dGamma, Shape.of(channels)).to(parameters) : null,
                mask.bias() ? Tensor.wrap(dBeta, Shape.of(channels)).to(parameters) : null);
    }
}

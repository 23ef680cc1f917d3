package org.normkit.core;

import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.kernel.Layout;

/**
 * The reference face of a masked norm ({@link Norm#takesMask()}), in composed autograd ops: the moments of each set
 * of the norm's {@link Layout} over its valid elements only, then the per-channel affine map, then 0 at the invalid
 * positions. With the mask m (1 valid, 0 invalid, over every channel) and the valid count k = max(Σ_S m, 1) of a set
 * S: μ = Σ_S x·m / k, σ² = Σ_S ((x − μ)·m)² / k, y = (γ·(x − μ)·rstd + β)·m. The max keeps a set without a valid
 * element (a sample that is all padding) finite: its elements are all invalid, so it writes zeros. With constant
 * (running) statistics the mask only zeroes the invalid positions. The gradient flows through these ops, so the
 * gradient check of this face checks the masked math itself; {@code scripts/pytorch/golden.py} computes the same
 * with masked sums in PyTorch.
 */
final class MaskedReference {
    private MaskedReference() {}

    /** y for {@code x} (N, C, S…) with {@code layer}'s γ, β and eps, normalised with {@code use}. */
    static Tensor apply(NormLayer layer, Layout layout, Tensor x, Statistics use, PositionMask mask) {
        Shape shape = x.shape();
        int batch = shape.dim(0);
        int channels = shape.dim(1);
        int spatial = shape.numel() / (batch * channels);
        Tensor valid = mask.expandTo(shape, x.dtype());
        double eps = layer.spec().eps();
        Tensor xhat;
        if (use instanceof Statistics.Running running) {
            Tensor mean = running.mean().reshape(1, channels, 1);
            Tensor rstd = running.variance().add(eps).rsqrt().reshape(1, channels, 1);
            xhat = x.reshape(batch, channels, spatial).sub(mean).mul(rstd);
        } else {
            Tensor[] moments = moments(layout, x, valid);
            Tensor centered = x.reshape(layout.view()).sub(moments[0]).mul(valid.reshape(layout.view()));
            xhat = centered.mul(moments[1].add(eps).rsqrt()).reshape(batch, channels, spatial);
        }
        Tensor y = xhat;
        if (layer.weight().isPresent()) {
            y = y.mul(layer.weight().get().reshape(1, channels, 1));
        }
        if (layer.bias().isPresent()) {
            y = y.add(layer.bias().get().reshape(1, channels, 1));
        }
        return y.mul(valid.reshape(batch, channels, spatial)).reshape(shape);
    }

    /**
     * Per-set mean and biased variance over the valid elements, kept in the layout's reduced shape: {@code (1, C, 1)}
     * for channels, {@code (rows, 1)} for rows. {@code valid} is the mask over every element ({@link
     * PositionMask#expandTo}).
     */
    static Tensor[] moments(Layout layout, Tensor x, Tensor valid) {
        Tensor view = x.reshape(layout.view());
        Tensor validView = valid.reshape(layout.view());
        int[] axes = layout.reducedAxes();
        Tensor counts = validView.sum(axes, true);
        double[] atLeastOne = counts.toDoubleArray();
        for (int s = 0; s < atLeastOne.length; s++) {
            atLeastOne[s] = Math.max(1, atLeastOne[s]);
        }
        Tensor count = Tensor.wrap(atLeastOne, counts.shape()).to(x.dtype());
        Tensor mean = view.mul(validView).sum(axes, true).div(count);
        Tensor centered = view.sub(mean).mul(validView);
        Tensor variance = centered.square().sum(axes, true).div(count);
        return new Tensor[] {mean, variance};
    }
}

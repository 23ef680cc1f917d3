package org.normkit.core.kernel;

import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * The fused face of a norm over the valid positions of a channel-first input (N, C, S…) only: {@link NormKernel}'s
 * math with each set's elements restricted to those at valid positions of a {@link PositionMask}, bound to that
 * mask. For a set S with m valid elements (m may differ between sets: InstanceNorm's and GroupNorm's sets are per
 * sample, and samples have different lengths):
 * <pre>
 *   forward    μ = Σ_valid x / m     σ² = Σ_valid (x − μ)² / m     x̂ = (x − μ)·rstd     y = γ·x̂ + β   (valid)
 *              y = 0                                                                        (invalid)
 *   backward   dx = rstd·(ĝ − mean_valid(ĝ) − x̂·mean_valid(ĝ·x̂))   (batch statistics),  rstd·ĝ  (constants)
 *              dx = 0 at invalid positions;  dγ = Σ_valid g·x̂,  dβ = Σ_valid g
 * </pre>
 * A set without a valid element (a sample that is all padding, under InstanceNorm or GroupNorm) has μ = 0, σ² = 0
 * and only invalid elements, so it writes zeros and no NaN.
 *
 * <p>The sets come from the norm's {@link Layout}: a channels layout has one set per channel, a rows layout over
 * (N·G) rows one set per (sample, group of C/G channels), which covers InstanceNorm (G = C) and GroupNorm. Only
 * centred norms; moments by the two-pass formula in double (padding makes sets short, so no blocking is needed).
 * Single-threaded: masked batches are the sequence nets' small activations. Immutable.
 */
public final class MaskedKernel implements FusedNorm {
    private final double eps;
    private final Layout layout;
    private final PositionMask mask;
    private final int batch;
    private final int channels;
    private final int spatial;
    /** The valid positions, for the gather path of a channels layout; null on the rows path or with none valid. */
    private final ValidPositions valid;
    private final ValidElements elements;

    private MaskedKernel(double eps, Layout layout, Shape input, PositionMask mask) {
        NormKernel.requireEps(eps);
        layout.requireCovers(input, "masked kernel");
        mask.requireFits(input, "masked kernel");
        this.eps = eps;
        this.layout = layout;
        this.mask = mask;
        this.batch = input.dim(0);
        this.channels = input.dim(1);
        this.spatial = input.numel() / (batch * channels);
        if (layout instanceof Layout.Rows rows && (rows.spatial() != spatial
                || rows.groupsPerSample() * rows.channelsPerGroup() != channels)) {
            throw new ShapeException("masked kernel: the rows layout " + layout + " does not view the input " + input
                    + " as (sample·group, channels of the group · positions)");
        }
        this.valid = layout instanceof Layout.Channels && mask.validCount() > 0
                ? ValidPositions.of(mask, channels, spatial) : null;
        this.elements = ValidElements.of(layout, input, mask);
    }

    /** The plain layout of the gathered valid positions: one channel set over m rows of C values. */
    private Layout gatheredLayout() {
        return Layout.channels(valid.count(), channels, 1);
    }

    /** The fused face for inputs of shape {@code input} with {@code mask}, over {@code layout}. */
    public static MaskedKernel of(double eps, Layout layout, Shape input, PositionMask mask) {
        return new MaskedKernel(eps, layout, input, mask);
    }

    /** The number of valid elements of every set. */
    public int[] validCounts() {
        int[] counts = new int[layout.sets()];
        if (layout instanceof Layout.Channels) {
            java.util.Arrays.fill(counts, mask.validCount());
            return counts;
        }
        for (int n = 0; n < batch; n++) {
            int valid = 0;
            for (int s = 0; s < spatial; s++) {
                valid += mask.isValid(n * spatial + s) ? 1 : 0;
            }
            for (int c = 0; c < channels; c++) {
                counts[elements.setOf(n, c)] += valid;
            }
        }
        return counts;
    }

    /** Per-set mean and biased variance over the valid elements of {@code x} (0 and 0 for an empty set). */
    public Moments moments(Tensor x) {
        if (valid != null) {
            Moments rows = NormKernel.moments(gatheredLayout(), Centering.CENTERED, valid.gather(x));
            return new Moments(rows.mean(), rows.variance(), layout.setSize());
        }
        double[] data = x.toDoubleArray();
        int[] counts = validCounts();
        double[] mean = new double[layout.sets()];
        double[] variance = new double[layout.sets()];
        elements.forEach((i, set, c) -> mean[set] += data[i]);
        for (int set = 0; set < mean.length; set++) {
            mean[set] = counts[set] == 0 ? 0 : mean[set] / counts[set];
        }
        elements.forEach((i, set, c) -> {
            double d = data[i] - mean[set];
            variance[set] += d * d;
        });
        for (int set = 0; set < variance.length; set++) {
            variance[set] = counts[set] == 0 ? 0 : variance[set] / counts[set];
        }
        return new Moments(mean, variance, layout.setSize());
    }

    @Override
    public Saved forward(Tensor x, Tensor gamma, Tensor beta, Statistics use, Tensor out) {
        if (valid != null) {
            Shape.requireSame(x.shape(), out.shape(), "masked kernel", "the output tensor");
            Tensor rows = valid.gather(x);
            Tensor normalized = Tensor.zeros(x.dtype(), rows.shape());
            Saved saved = NormKernel.forward(gatheredLayout(), Centering.CENTERED, eps, rows, gamma, beta, use,
                    normalized);
            valid.scatter(normalized, out);
            return saved;
        }
        double[] data = x.toDoubleArray();
        double[] mean;
        double[] rstd = new double[layout.sets()];
        if (use instanceof Statistics.Running running) {
            double[] m = running.mean().toDoubleArray();
            double[] v = running.variance().toDoubleArray();
            mean = new double[layout.sets()];
            for (int set = 0; set < rstd.length; set++) {
                mean[set] = m[set % m.length];
                rstd[set] = 1.0 / Math.sqrt(v[set % v.length] + eps);
            }
        } else {
            Moments moments = moments(x);
            mean = moments.mean();
            for (int set = 0; set < rstd.length; set++) {
                rstd[set] = 1.0 / Math.sqrt(moments.variance()[set] + eps);
            }
        }
        double[] g = gamma == null ? null : gamma.toDoubleArray();
        double[] b = beta == null ? null : beta.toDoubleArray();
        double[] y = new double[data.length];
        elements.forEach((i, set, c) -> y[i] = (data[i] - mean[set]) * rstd[set] * (g == null ? 1 : g[c])
                + (b == null ? 0 : b[c]));
        write(y, out);
        return new Saved(Tensor.wrap(mean, Shape.of(mean.length)), Tensor.wrap(rstd, Shape.of(rstd.length)),
                use.isBatch());
    }

    @Override
    public Gradients backward(Tensor gradOutput, Tensor x, Saved saved, Tensor gamma, GradMask gradMask) {
        if (valid != null) {
            Tensor g = gradOutput.dtype() == x.dtype() ? gradOutput : gradOutput.detach().to(x.dtype());
            Gradients rows = NormKernel.backward(gatheredLayout(), Centering.CENTERED, valid.gather(g),
                    valid.gather(x), saved, gamma, gradMask);
            Tensor dx = null;
            if (rows.input() != null) {
                dx = Tensor.zeros(x.dtype(), x.shape());
                valid.scatter(rows.input(), dx);
            }
            return new Gradients(dx, rows.weight(), rows.bias());
        }
        double[] g = gradOutput.toDoubleArray();
        double[] data = x.toDoubleArray();
        double[] mean = saved.mean().toDoubleArray();
        double[] rstd = saved.rstd().toDoubleArray();
        double[] scale = gamma == null ? null : gamma.toDoubleArray();
        int[] counts = validCounts();
        double[] sumG = new double[layout.sets()];
        double[] sumGXhat = new double[layout.sets()];
        double[] dGamma = new double[channels];
        double[] dBeta = new double[channels];
        elements.forEach((i, set, c) -> {
            double xhat = (data[i] - mean[set]) * rstd[set];
            double ghat = g[i] * (scale == null ? 1 : scale[c]);
            sumG[set] += ghat;
            sumGXhat[set] += ghat * xhat;
            dGamma[c] += g[i] * xhat;
            dBeta[c] += g[i];
        });
        Tensor dx = null;
        if (gradMask.input()) {
            double[] gradInput = new double[data.length];
            elements.forEach((i, set, c) -> {
                double ghat = g[i] * (scale == null ? 1 : scale[c]);
                if (saved.fromBatch()) {
                    double xhat = (data[i] - mean[set]) * rstd[set];
                    gradInput[i] = rstd[set] * (ghat - sumG[set] / counts[set] - xhat * sumGXhat[set] / counts[set]);
                } else {
                    gradInput[i] = rstd[set] * ghat;
                }
            });
            dx = Tensor.zeros(x.dtype(), x.shape());
            write(gradInput, dx);
        }
        Tensor dw = gradMask.weight() && gamma != null ? Tensor.wrap(dGamma, Shape.of(channels)).to(gamma.dtype()) : null;
        Tensor db = gradMask.bias() ? Tensor.wrap(dBeta, Shape.of(channels)).to(x.dtype()) : null;
        return new Gradients(dx, dw, db);
    }

    private static void write(double[] values, Tensor out) {
        for (int i = 0; i < values.length; i++) {
            out.set(i, values[i]);
        }
    }
}

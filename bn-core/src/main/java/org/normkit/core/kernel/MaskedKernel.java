package org.normkit.core.kernel;

import java.util.Arrays;

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
 * centred norms. Every path runs the unmasked {@link NormKernel} (its moments, vector loops and threads) on the valid
 * elements copied out, so the numbers are that kernel's on them, bit for bit:
 * <ul>
 *   <li>batch statistics, channels layout with one position a sample (BatchNorm over the sequence nets' token rows
 *       (B·T, C)): the kernel reads and writes the valid rows where they are, run by run of consecutive valid rows
 *       ({@link ValidRows}), and 0 is written into the other rows: no copy of the rows. Before, the valid rows were
 *       gathered into an (m, C) copy and the result scattered back, which made a masked training forward over
 *       (256, 1024) with a quarter of the rows padding take twice the time of the unmasked one;</li>
 *   <li>batch statistics, channels layout with more positions: the valid positions gathered into one (m, C) matrix
 *       ({@link ValidPositions});</li>
 *   <li>batch statistics, rows layout: each sample's valid elements gathered into a (1, C, m) tensor, its G sets
 *       normalised by one kernel call ({@link SamplePositions}). Before, an element-by-element loop over {@code double[]}
 *       copies with a lambda per element and one {@code Tensor.set} per output element took 75 times the time of a
 *       copy of the input for GroupNorm 32x64x56x56;</li>
 *   <li>constant (running) statistics, either layout: the whole input, every element normalised on its own, then 0
 *       written at the padding: no statistics, so nothing to gather.</li>
 * </ul>
 * Immutable.
 */
public final class MaskedKernel implements FusedNorm {
    private final double eps;
    private final Layout layout;
    private final PositionMask mask;
    private final int batch;
    private final int channels;
    private final int spatial;
    /** The valid positions, for a channels layout of more than one position with some valid; null otherwise. */
    private final ValidPositions valid;
    /** The valid rows, for a channels layout of one position with some valid; null otherwise. */
    private final ValidRows validRows;
    /** The valid positions of every sample, as runs: the rows path, and the zeros of the constant path. */
    private final SamplePositions samples;

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
        boolean channelSets = layout instanceof Layout.Channels && mask.validCount() > 0;
        this.valid = channelSets && spatial > 1 ? ValidPositions.of(mask, channels, spatial) : null;
        this.validRows = channelSets && spatial == 1 ? ValidRows.of(mask, batch) : null;
        this.samples = SamplePositions.of(mask, batch, channels, spatial);
    }

    /** The fused face for inputs of shape {@code input} with {@code mask}, over {@code layout}. */
    public static MaskedKernel of(double eps, Layout layout, Shape input, PositionMask mask) {
        return new MaskedKernel(eps, layout, input, mask);
    }

    /** The plain layout of the gathered valid positions: one channel set over m rows of C values. */
    private Layout gatheredLayout() {
        return Layout.channels(valid.count(), channels, 1);
    }

    /** The groups of a sample (1 under a channels layout, which has no per-sample sets). */
    private int groups() {
        return ((Layout.Rows) layout).groupsPerSample();
    }

    /** The layout of sample n's m valid elements gathered to (1, C, m): its G sets of (C/G)·m elements. */
    private Layout sampleLayout(int n) {
        int m = samples.count(n);
        int perGroup = channels / groups();
        return Layout.rows(groups(), perGroup * m, groups(), perGroup, m);
    }

    /** The number of valid elements of every set. */
    public int[] validCounts() {
        int[] counts = new int[layout.sets()];
        if (layout instanceof Layout.Channels) {
            Arrays.fill(counts, mask.validCount());
            return counts;
        }
        int perGroup = channels / groups();
        for (int n = 0; n < batch; n++) {
            Arrays.fill(counts, n * groups(), (n + 1) * groups(), perGroup * samples.count(n));
        }
        return counts;
    }

    /** Per-set mean and biased variance over the valid elements of {@code x} (0 and 0 for an empty set). */
    public Moments moments(Tensor x) {
        if (layout instanceof Layout.Channels) {
            if (valid == null && validRows == null) {
                return new Moments(new double[channels], new double[channels], layout.setSize());
            }
            Moments sets = validRows != null ? NormKernel.moments(validRows, Centering.CENTERED, x)
                    : NormKernel.moments(gatheredLayout(), Centering.CENTERED, valid.gather(x));
            return new Moments(sets.mean(), sets.variance(), layout.setSize());
        }
        double[] mean = new double[layout.sets()];
        double[] variance = new double[layout.sets()];
        for (int n = 0; n < batch; n++) {
            if (samples.count(n) > 0) {
                Moments sample = NormKernel.moments(sampleLayout(n), Centering.CENTERED, samples.gather(x, n));
                System.arraycopy(sample.mean(), 0, mean, n * groups(), groups());
                System.arraycopy(sample.variance(), 0, variance, n * groups(), groups());
            }
        }
        return new Moments(mean, variance, layout.setSize());
    }

    @Override
    public Saved forward(Tensor x, Tensor gamma, Tensor beta, Statistics use, Tensor out) {
        Shape.requireSame(x.shape(), out.shape(), "masked kernel", "the output tensor");
        if (use instanceof Statistics.Running) {
            Saved saved = NormKernel.forward(layout, Centering.CENTERED, eps, x, gamma, beta, use, out);
            samples.zeroInvalid(out);
            return saved;
        }
        if (validRows != null) {
            Saved saved = NormKernel.forward(validRows, Centering.CENTERED, eps, x, gamma, beta, use, out);
            validRows.zeroOthers(out, channels);
            return saved;
        }
        if (valid != null) {
            Tensor rows = valid.gather(x);
            Tensor normalized = Tensor.zeros(x.dtype(), rows.shape());
            Saved saved = NormKernel.forward(gatheredLayout(), Centering.CENTERED, eps, rows, gamma, beta, use,
                    normalized);
            valid.scatter(normalized, out);
            return saved;
        }
        double[] mean = new double[layout.sets()];
        double[] rstd = new double[layout.sets()];
        Arrays.fill(rstd, 1.0 / Math.sqrt(eps));
        if (layout instanceof Layout.Rows) {
            // Samples of one length (the usual padded batch) share the two buffers: each call overwrites them whole.
            Tensor sample = null;
            Tensor normalized = null;
            for (int n = 0; n < batch; n++) {
                if (samples.count(n) == 0) {
                    samples.scatter(null, n, out);
                    continue;
                }
                if (sample == null || sample.dim(2) != samples.count(n)) {
                    sample = samples.gather(x, n);
                    normalized = Tensor.zeros(x.dtype(), sample.shape());
                } else {
                    samples.gather(x, n, sample);
                }
                Saved saved = NormKernel.forward(sampleLayout(n), Centering.CENTERED, eps, sample, gamma, beta, use,
                        normalized);
                samples.scatter(normalized, n, out);
                System.arraycopy(saved.mean().toDoubleArray(), 0, mean, n * groups(), groups());
                System.arraycopy(saved.rstd().toDoubleArray(), 0, rstd, n * groups(), groups());
            }
        } else {
            // A channels layout without a valid position: zeros.
            samples.zeroInvalid(out);
        }
        return new Saved(Tensor.wrap(mean, Shape.of(mean.length)), Tensor.wrap(rstd, Shape.of(rstd.length)), true);
    }

    @Override
    public Gradients backward(Tensor gradOutput, Tensor x, Saved saved, Tensor gamma, GradMask gradMask) {
        if (validRows != null) {
            return NormKernel.backward(validRows, Centering.CENTERED, gradOutput, x, saved, gamma, gradMask,
                    gradMask.input() ? Tensor.zeros(x.dtype(), x.shape()) : null);
        }
        Tensor g = gradOutput.dtype() == x.dtype() ? gradOutput : gradOutput.detach().to(x.dtype());
        if (valid != null) {
            Gradients rows = NormKernel.backward(gatheredLayout(), Centering.CENTERED, valid.gather(g),
                    valid.gather(x), saved, gamma, gradMask);
            Tensor dx = null;
            if (rows.input() != null) {
                dx = Tensor.zeros(x.dtype(), x.shape());
                valid.scatter(rows.input(), dx);
            }
            return new Gradients(dx, rows.weight(), rows.bias());
        }
        Tensor dx = gradMask.input() ? Tensor.zeros(x.dtype(), x.shape()) : null;
        GradMask asked = new GradMask(gradMask.input(), gradMask.weight() && gamma != null, gradMask.bias());
        double[] dGamma = new double[channels];
        double[] dBeta = new double[channels];
        if (layout instanceof Layout.Rows) {
            double[] mean = saved.mean().toDoubleArray();
            double[] rstd = saved.rstd().toDoubleArray();
            Tensor gradSample = null;
            Tensor xSample = null;
            Tensor dxSample = null;
            for (int n = 0; n < batch; n++) {
                if (samples.count(n) == 0) {
                    continue;
                }
                if (xSample == null || xSample.dim(2) != samples.count(n)) {
                    gradSample = samples.gather(g, n);
                    xSample = samples.gather(x, n);
                    dxSample = dx == null ? null : Tensor.zeros(x.dtype(), xSample.shape());
                } else {
                    samples.gather(g, n, gradSample);
                    samples.gather(x, n, xSample);
                }
                int from = n * groups();
                int to = from + groups();
                Saved statistics = new Saved(Tensor.wrap(Arrays.copyOfRange(mean, from, to), Shape.of(groups())),
                        Tensor.wrap(Arrays.copyOfRange(rstd, from, to), Shape.of(groups())), saved.fromBatch());
                Gradients grads = NormKernel.backward(sampleLayout(n), Centering.CENTERED, gradSample, xSample,
                        statistics, gamma, asked, dxSample);
                if (dx != null) {
                    samples.scatter(grads.input(), n, dx);
                }
                add(grads.weight(), dGamma);
                add(grads.bias(), dBeta);
            }
        }
        Tensor dw = gradMask.weight() && gamma != null ? Tensor.wrap(dGamma, Shape.of(channels)).to(gamma.dtype()) : null;
        Tensor db = gradMask.bias() ? Tensor.wrap(dBeta, Shape.of(channels)).to(x.dtype()) : null;
        return new Gradients(dx, dw, db);
    }

    /**
     * With one position a sample, dx is written into {@code gradInput} directly (the valid rows by the kernel, 0 into
     * the others); otherwise as {@link FusedNorm}'s default, computed fresh and copied.
     */
    @Override
    public Gradients backward(Tensor gradOutput, Tensor x, Saved saved, Tensor gamma, GradMask gradMask,
                              Tensor gradInput) {
        if (validRows == null || !gradMask.input()) {
            return FusedNorm.super.backward(gradOutput, x, saved, gamma, gradMask, gradInput);
        }
        FusedNorm.requireGradInput("masked kernel backward", x, gradOutput, gradInput);
        Gradients grads = NormKernel.backward(validRows, Centering.CENTERED, gradOutput, x, saved, gamma, gradMask,
                gradInput);
        validRows.zeroOthers(gradInput, channels);
        return grads;
    }

    /** {@code sums += t} element by element, in double; a null t adds nothing. */
    private static void add(Tensor t, double[] sums) {
        if (t == null) {
            return;
        }
        double[] values = t.toDoubleArray();
        for (int i = 0; i < sums.length; i++) {
            sums[i] += values[i];
        }
    }
}

package org.normkit.core.kernel;

import java.util.Arrays;
import java.util.function.Function;

import org.normkit.autograd.parallel.KernelThreads;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * The one kernel family of the normalization family: moments over a {@link Layout}, normalise and apply the affine
 * map, and the analytic backward. A norm's fused face is this class given the norm's layout:
 *
 * <pre>{@code
 * FusedNorm fused = NormKernel.of(Centering.CENTERED, eps, shape -> Layout.rows(shape.numel() / k, k));
 * }</pre>
 *
 * <h2>What it computes</h2>
 * For every set S of the layout (m elements), with the batch statistics μ = mean_S(x), σ² = mean_S((x − μ)²)
 * (biased), or given constants (the running statistics), and rstd = 1/sqrt(σ² + eps):
 * <pre>
 *   forward    x̂ = (x − μ)·rstd        y = γ·x̂ + β        (γ, β at the element's affine index)
 *   backward   ĝ = γ·g
 *              dx = rstd·(ĝ − mean_S(ĝ) − x̂·mean_S(ĝ·x̂))   when the batch statistics normalised
 *              dx = rstd·ĝ                              when constant statistics normalised
 *              dγ = Σ g·x̂        dβ = Σ g               (over the elements with that affine index)
 * </pre>
 * {@link Centering#UNCENTERED} fixes μ = 0, so σ² is the mean square and dx = rstd·(ĝ − x̂·mean_S(ĝ·x̂)).
 * Without γ (null) the scale is 1, without β the shift 0. Only the gradients the {@link GradMask} asks for are
 * computed. Constant statistics may be given per set, or with fewer entries L when the number of sets is a multiple
 * of L: set s then uses entry s mod L (InstanceNorm's per-channel running statistics over N·C sets).
 *
 * <h2>Algorithm and accuracy</h2>
 * Moments accumulate in double for float32 and float64 tensors alike. Each set is cut into pieces of at most
 * {@value #CHUNK} elements; a piece is summed twice while it sits in the L1 cache, with the corrected two-pass
 * formula Σ(x − x̄)² − (Σ(x − x̄))²/n (Chan, Golub &amp; LeVeque, "Algorithms for computing the sample variance:
 * analysis and recommendations", The American Statistician 37, 1983), and the pieces are merged with the pairwise
 * update of Chan, Golub &amp; LeVeque ("Updating formulae and a pairwise algorithm for computing sample variances",
 * 1979), the blocked generalisation of Welford's (1962) running update. So memory is read once for the moments and
 * the variance keeps its digits when the mean is large against the spread (mean 1e6, standard deviation 1e-2 in
 * float64 normalises to within 1e-6 of the exact result); the one-pass E[x²] − E[x]² would lose them all.
 * Per element: x̂ is computed as (x − μ)·rstd, not x·a + b, for the same reason. One exception to the double
 * accumulation: the float32 backward sums of a rows layout with per-element γ (LayerNorm) run in float lanes over at
 * most 16 vectors or 16 rows before moving into double ({@code AffinePartials}), within float32's rounding of the
 * result.
 *
 * <h2>Memory traffic</h2>
 * Forward with batch statistics: x is read twice (moments, normalise; the second read of a block is often served by
 * the cache, except where a BatchNorm channel is larger than a block: there both reads stream x in memory order) and
 * y written once. Backward: two passes (the sums Σĝ, Σĝ·x̂, dγ, dβ; then dx), one when only dx is
 * asked for under constant statistics. Outputs are written into preallocated tensors; loops run over the flat
 * arrays.
 *
 * <h2>Per-call work of one entry per set</h2>
 * A call over a small tensor with many sets (BatchNorm over (256, 1024): 1,024 channels, 256 elements each) spends a
 * good part of its time on per-set arrays. So the working arrays that do not leave the call (variances, scales, the
 * moment pieces' sums, the backward's coefficients, their float mirrors, and a rows layout's per-block partial sums
 * of dγ and dβ) are the calling thread's, reused from call to call ({@link KernelScratch}); only the saved mean and
 * rstd and the parameter gradients are allocated. A kernel
 * made by {@link #of} keeps γ and β converted to its form between calls ({@link AffineCopies}) and compares them
 * with the tensors on every call, so a parameter changed in place is read as it is now. The per-set loops are plain
 * loops over arrays, which the JIT vectorises.
 *
 * <h2>Threads</h2>
 * Work is split over {@link KernelThreads} in blocks of whole channels (channels layout) or whole rows (rows layout)
 * whose boundaries depend only on the shape; the results are bit-identical for any thread count. A call stays on the
 * caller unless its estimated one-thread time ({@link KernelPass}: a rate per pass, layout and dtype) is worth the
 * hand-off to a second thread ({@link KernelThreads#sharingPays}: about 30 us to a helper still polling after its
 * last call, 150 us to one that has parked). Instances are thread-safe:
 * their only state is the kept γ and β, which a call takes and gives back.
 */
public final class NormKernel implements FusedNorm {
    /** Target size of one block of work, in elements. */
    static final int BLOCK_ELEMENTS = 1 << 15;
    /** Largest piece summed twice in the cache by the moment computation, in elements. */
    static final int CHUNK = 2048;

    private final Centering centering;
    private final double eps;
    private final Function<Shape, Layout> layoutOf;
    /** γ and β in the kernels' form, kept from call to call (a fused face serves one layer). */
    private final AffineCopies gammaCopies = new AffineCopies();
    private final AffineCopies betaCopies = new AffineCopies();

    private NormKernel(Centering centering, double eps, Function<Shape, Layout> layoutOf) {
        requireEps(eps);
        this.centering = centering;
        this.eps = eps;
        this.layoutOf = layoutOf;
    }

    /**
     * A fused face: {@code layoutOf} maps an input shape to its layout (called on every forward and backward; it
     * should also reject shapes the norm does not take).
     */
    public static NormKernel of(Centering centering, double eps, Function<Shape, Layout> layoutOf) {
        return new NormKernel(centering, eps, layoutOf);
    }

    public Centering centering() {
        return centering;
    }

    public double eps() {
        return eps;
    }

    @Override
    public Saved forward(Tensor x, Tensor gamma, Tensor beta, Statistics use, Tensor out) {
        AffineCopies.Copy g = gammaCopies.take();
        AffineCopies.Copy b = betaCopies.take();
        try {
            return forward(layoutOf.apply(x.shape()), null, centering, eps, x, gamma, beta, use, out, g, b);
        } finally {
            gammaCopies.give(g);
            betaCopies.give(b);
        }
    }

    @Override
    public Gradients backward(Tensor gradOutput, Tensor x, Saved saved, Tensor gamma, GradMask mask) {
        return backward(gradOutput, x, saved, gamma, mask,
                mask.input() ? Tensor.zeros(x.dtype(), x.shape()) : null);
    }

    @Override
    public Gradients backward(Tensor gradOutput, Tensor x, Saved saved, Tensor gamma, GradMask mask,
                              Tensor gradInput) {
        AffineCopies.Copy g = gammaCopies.take();
        try {
            return backward(layoutOf.apply(x.shape()), null, centering, gradOutput, x, saved, gamma, mask, gradInput,
                    g);
        } finally {
            gammaCopies.give(g);
        }
    }

    // ***** the kernels with an explicit layout *****

    /**
     * Normalises {@code x} over {@code layout} with {@code use} and writes {@code y = γ·x̂ + β} into {@code out} (same
     * shape and dtype as x). {@code gamma}, {@code beta} hold {@code layout.affineSize()} values each, or are null.
     * Returns the per-set mean and rstd (float64, shape (sets)).
     */
    public static Saved forward(Layout layout, Centering centering, double eps, Tensor x, Tensor gamma, Tensor beta,
                                Statistics use, Tensor out) {
        return forward(layout, null, centering, eps, x, gamma, beta, use, out, new AffineCopies.Copy(),
                new AffineCopies.Copy());
    }

    /**
     * {@link #forward(Layout, Centering, double, Tensor, Tensor, Tensor, Statistics, Tensor)} over the valid rows of
     * an (N, C) input where they are: the channels layout (m, C, 1) of the m rows of {@code rows}, read from
     * {@code x} and written into the same rows of {@code out}; the other rows of out are not touched. The same bits
     * as the kernel on the valid rows gathered into an (m, C) tensor.
     */
    static Saved forward(ValidRows rows, Centering centering, double eps, Tensor x, Tensor gamma, Tensor beta,
                         Statistics use, Tensor out) {
        Layout layout = Layout.channels(rows.count(), x.numel() / x.dim(0), 1);
        return forward(layout, rows, centering, eps, x, gamma, beta, use, out, new AffineCopies.Copy(),
                new AffineCopies.Copy());
    }

    /** {@code rows} null: {@code layout} covers x; else x's valid rows, in a channels layout of one position. */
    private static Saved forward(Layout layout, ValidRows rows, Centering centering, double eps, Tensor x,
                                 Tensor gamma, Tensor beta, Statistics use, Tensor out, AffineCopies.Copy gammaCopy,
                                 AffineCopies.Copy betaCopy) {
        requireEps(eps);
        requireCovers(layout, rows, x, "normalize");
        Shape.requireSame(x.shape(), out.shape(), "normalize", "the output tensor");
        requireSameDtype(x, out, "the output tensor");
        boolean mirror = x.dtype() == DType.FLOAT32;
        Coefficients g = gammaCopy.of(requireAffine(gamma, layout, "gamma"), layout.affineSize(), 1.0, mirror);
        Coefficients b = betaCopy.of(requireAffine(beta, layout, "beta"), layout.affineSize(), 0.0, mirror);
        boolean centered = centering == Centering.CENTERED;
        int sets = layout.sets();
        KernelScratch scratch = KernelScratch.ofThread();
        // The saved mean and rstd are returned: fresh arrays. Everything else per set is scratch.
        double[] meanD = new double[sets];
        double[] rstd = new double[sets];
        double[] runningMean = null;
        double[] runningVar = null;
        int entries = 0;
        if (use instanceof Statistics.Running running) {
            requireTiling(running.mean().numel(), running.variance().numel(), sets);
            entries = running.mean().numel();
            runningMean = doubles(running.mean(), scratch, KernelScratch.RUNNING_MEAN);
            runningVar = doubles(running.variance(), scratch, KernelScratch.RUNNING_VARIANCE);
        }
        final int tiles = entries;
        Elements ex = Elements.of(x);
        Elements ey = Elements.of(out);
        final double[] rm = runningMean;
        final double[] rv = runningVar;
        if (layout instanceof Layout.Channels channels) {
            ChannelsKernel k = new ChannelsKernel(channels, rows);
            Coefficients mean = Coefficients.over(meanD, mirror ? scratch.floats(KernelScratch.MEAN, sets) : null);
            Coefficients scale = scratch.coefficients(KernelScratch.SCALE, sets, mirror);
            if (rm != null) {
                constantCoefficients(centered, eps, rm, rv, tiles, sets, meanD, rstd);
                scaleCoefficients(0, sets, rstd, g.d, mean, scale);
                KernelThreads.forEachBlockEstimated(k.sampleBlocks(), KernelPass.NORMALIZE.nanos(layout, x.dtype(), layout.numel()),
                        block -> k.normalizeSamples(ex, ey, block, mean, scale, b));
                return new Saved(Tensor.wrap(meanD, Shape.of(sets)), Tensor.wrap(rstd, Shape.of(sets)), false);
            }
            double[] variance = scratch.doubles(KernelScratch.VARIANCE, sets);
            if (k.streams()) {
                // A channel larger than a block: the moments' pieces, then the normalisation, each in memory order.
                ChannelsKernel.Pieces pieces = ChannelsKernel.Pieces.ofPlanes(scratch, k.planePieceCount());
                KernelThreads.forEachBlockEstimated(k.planeBlocks(), KernelPass.MOMENTS.nanos(layout, x),
                        block -> k.planePieces(ex, centered, block, pieces));
                k.mergePlanePieces(centered, 0, sets, pieces, meanD, variance);
                for (int c = 0; c < sets; c++) {
                    rstd[c] = 1.0 / Math.sqrt(variance[c] + eps);
                }
                scaleCoefficients(0, sets, rstd, g.d, mean, scale);
                KernelThreads.forEachBlockEstimated(k.planeBlocks(), KernelPass.NORMALIZE.nanos(layout, x),
                        block -> k.normalizePlanes(ex, ey, block, mean, scale, b));
                return new Saved(Tensor.wrap(meanD, Shape.of(sets)), Tensor.wrap(rstd, Shape.of(sets)), true);
            }
            // Batch statistics: each block of channels gets its moments and is normalised while it is in cache.
            ChannelsKernel.Pieces pieces = ChannelsKernel.Pieces.of(scratch, sets);
            KernelThreads.forEachBlockEstimated(k.blocks(), KernelPass.FORWARD.nanos(layout, x.dtype(),
                    layout.numel()), block -> {
                int first = k.first(block);
                int end = k.end(block);
                k.moments(ex, centered, block, meanD, variance, pieces);
                for (int c = first; c < end; c++) {
                    rstd[c] = 1.0 / Math.sqrt(variance[c] + eps);
                }
                scaleCoefficients(first, end, rstd, g.d, mean, scale);
                k.normalize(ex, ey, block, mean, scale, b);
            });
        } else {
            RowsKernel k = new RowsKernel((Layout.Rows) layout);
            KernelPass pass = rm == null ? KernelPass.FORWARD : KernelPass.NORMALIZE;
            // LayerNorm's training forward: a block's rows in one walk (one compilation, the same in every JVM).
            boolean oneWalk = rm == null && centered && k.forwardInOneWalk();
            // GroupNorm's and InstanceNorm's training forward: likewise, with γ, β per run of planes (same bits).
            boolean runWalk = rm == null && centered && k.forwardInRuns();
            KernelThreads.forEachBlockEstimated(k.blocks(), pass.nanos(layout, x), block -> {
                if (oneWalk && k.forwardBlock(ex, ey, block, eps, g, b, meanD, rstd)) {
                    return;
                }
                if (runWalk && k.forwardRunsBlock(ex, ey, block, eps, g, b, meanD, rstd)) {
                    return;
                }
                double[] pair = new double[2];
                double[] meanVariance = new double[2];
                for (int r = k.first(block); r < k.end(block); r++) {
                    if (rm == null) {
                        k.rowMoments(ex, centered, r, pair, meanVariance);
                        meanD[r] = meanVariance[0];
                        rstd[r] = 1.0 / Math.sqrt(meanVariance[1] + eps);
                    } else {
                        meanD[r] = centered ? rm[r % tiles] : 0.0;
                        rstd[r] = 1.0 / Math.sqrt(rv[r % tiles] + eps);
                    }
                    k.normalizeRow(ex, ey, r, meanD[r], rstd[r], g, b);
                }
            });
        }
        Shape perSet = Shape.of(sets);
        return new Saved(Tensor.wrap(meanD, perSet), Tensor.wrap(rstd, perSet), rm == null);
    }

    /**
     * The mean and rstd of every set from constant statistics of {@code entries} values each, set s taking entry
     * s mod entries (no division per set when there is one entry per set).
     */
    private static void constantCoefficients(boolean centered, double eps, double[] runningMean, double[] runningVar,
                                             int entries, int sets, double[] mean, double[] rstd) {
        if (entries == sets) {
            for (int c = 0; c < sets; c++) {
                mean[c] = centered ? runningMean[c] : 0.0;
                rstd[c] = 1.0 / Math.sqrt(runningVar[c] + eps);
            }
            return;
        }
        for (int c = 0; c < sets; c++) {
            mean[c] = centered ? runningMean[c % entries] : 0.0;
            rstd[c] = 1.0 / Math.sqrt(runningVar[c % entries] + eps);
        }
    }

    /**
     * {@code scale = rstd·γ} over the sets {@code [from, end)}, and the float mirrors of the mean and the scale for
     * float32 data: plain loops over arrays, which the JIT vectorises.
     */
    private static void scaleCoefficients(int from, int end, double[] rstd, double[] gamma, Coefficients mean,
                                          Coefficients scale) {
        double[] s = scale.d;
        for (int c = from; c < end; c++) {
            s[c] = rstd[c] * gamma[c];
        }
        if (scale.f != null) {
            float[] sf = scale.f;
            float[] mf = mean.f;
            double[] md = mean.d;
            for (int c = from; c < end; c++) {
                sf[c] = (float) s[c];
                mf[c] = (float) md[c];
            }
        }
    }

    /** Pass 2 of a rows layout for row {@code r}, from its pass-1 sums {@code sums} = (Σγg, Σγg·(x − μ)). */
    private static void rowGradInput(RowsKernel k, Elements x, Elements g, Elements dx, int r, double mean,
                                     double rstd, Coefficients gamma, double[] sums, boolean fromBatch,
                                     boolean centered, double m) {
        double b = fromBatch ? -rstd * rstd * rstd * sums[1] / m : 0.0;
        double c = fromBatch && centered ? -rstd * sums[0] / m : 0.0;
        k.rowGradInput(x, g, dx, r, mean, rstd, gamma, b, c);
    }

    /**
     * The input gradient's coefficients over the sets {@code [from, end)}: {@code a = rstd·γ}, and with batch
     * statistics {@code b = −rstd³·γ·Σg(x − μ)/m}, {@code c = −rstd·γ·Σg/m} (0 uncentered), else b = c = 0; with the
     * float mirrors for float32 data. Plain loops over arrays, which the JIT vectorises.
     */
    private static void gradCoefficients(int from, int end, boolean centered, boolean fromBatch, double m,
                                         double[] rstd, double[] gamma, double[] sumG, double[] sumGX,
                                         Coefficients mean, Coefficients a, Coefficients b, Coefficients c) {
        double[] ad = a.d;
        double[] bd = b.d;
        double[] cd = c.d;
        for (int ch = from; ch < end; ch++) {
            ad[ch] = rstd[ch] * gamma[ch];
        }
        if (fromBatch) {
            for (int ch = from; ch < end; ch++) {
                double r = rstd[ch];
                bd[ch] = -r * r * r * gamma[ch] * sumGX[ch] / m;
            }
            if (centered) {
                for (int ch = from; ch < end; ch++) {
                    cd[ch] = -rstd[ch] * gamma[ch] * sumG[ch] / m;
                }
            } else {
                Arrays.fill(cd, from, end, 0.0);
            }
        } else {
            Arrays.fill(bd, from, end, 0.0);
            Arrays.fill(cd, from, end, 0.0);
        }
        if (a.f != null) {
            float[] af = a.f;
            float[] bf = b.f;
            float[] cf = c.f;
            float[] mf = mean.f;
            double[] md = mean.d;
            for (int ch = from; ch < end; ch++) {
                af[ch] = (float) ad[ch];
                bf[ch] = (float) bd[ch];
                cf[ch] = (float) cd[ch];
                mf[ch] = (float) md[ch];
            }
        }
    }

    /** The values of {@code t} in double: a float64 tensor's own array (read only), else converted into scratch. */
    private static double[] doubles(Tensor t, KernelScratch scratch, int slot) {
        if (t.dtype() == DType.FLOAT64) {
            return t.doubleData();
        }
        int n = t.numel();
        double[] d = scratch.doubles(slot, n);
        float[] f = t.floatData();
        for (int i = 0; i < n; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /**
     * The gradients the mask asks for, given the forward's {@code saved} statistics; the others are null. dγ and dβ
     * have γ's shape and dtype (dβ has shape (affineSize) when γ is null), dx has x's.
     */
    public static Gradients backward(Layout layout, Centering centering, Tensor gradOutput, Tensor x, Saved saved,
                                     Tensor gamma, GradMask mask) {
        return backward(layout, centering, gradOutput, x, saved, gamma, mask,
                mask.input() ? Tensor.zeros(x.dtype(), x.shape()) : null);
    }

    /**
     * As {@link #backward(Layout, Centering, Tensor, Tensor, Saved, Tensor, GradMask)}, writing dx into
     * {@code gradInput} (x's shape and dtype, storage of its own; ignored, and may be null, when the mask does not
     * ask for dx). Every element of it is written, so its previous values do not matter.
     */
    public static Gradients backward(Layout layout, Centering centering, Tensor gradOutput, Tensor x, Saved saved,
                                     Tensor gamma, GradMask mask, Tensor gradInput) {
        return backward(layout, null, centering, gradOutput, x, saved, gamma, mask, gradInput,
                new AffineCopies.Copy());
    }

    /**
     * {@link #backward(Layout, Centering, Tensor, Tensor, Saved, Tensor, GradMask, Tensor)} over the valid rows of an
     * (N, C) input where they are (see {@link #forward(ValidRows, Centering, double, Tensor, Tensor, Tensor,
     * Statistics, Tensor)}): x and the output gradient read at those rows, dx written there; its other rows are not
     * touched. The same bits as the kernel on the valid rows gathered.
     */
    static Gradients backward(ValidRows rows, Centering centering, Tensor gradOutput, Tensor x, Saved saved,
                              Tensor gamma, GradMask mask, Tensor gradInput) {
        Layout layout = Layout.channels(rows.count(), x.numel() / x.dim(0), 1);
        return backward(layout, rows, centering, gradOutput, x, saved, gamma, mask, gradInput,
                new AffineCopies.Copy());
    }

    private static Gradients backward(Layout layout, ValidRows rows, Centering centering, Tensor gradOutput,
                                      Tensor x, Saved saved, Tensor gamma, GradMask mask, Tensor gradInput,
                                      AffineCopies.Copy gammaCopy) {
        requireCovers(layout, rows, x, "normalize backward");
        Shape.requireSame(x.shape(), gradOutput.shape(), "normalize backward", "the output gradient");
        if (gradOutput.dtype() != x.dtype()) {
            gradOutput = gradOutput.detach().to(x.dtype());
        }
        if (mask.weight() && gamma == null) {
            throw new IllegalArgumentException("normalize backward: a weight gradient was asked for, but there is no "
                    + "gamma: the layer is not affine");
        }
        int sets = layout.sets();
        boolean mirror = x.dtype() == DType.FLOAT32;
        double[] rstd = perSet(saved.rstd(), sets, "saved rstd");
        Coefficients g = gammaCopy.of(requireAffine(gamma, layout, "gamma"), layout.affineSize(), 1.0, mirror);
        boolean centered = centering == Centering.CENTERED;
        boolean fromBatch = saved.fromBatch();
        double m = layout.setSize();
        Tensor dx = null;
        if (mask.input()) {
            if (gradInput == null) {
                throw new IllegalArgumentException("normalize backward: the mask asks for the input gradient but no "
                        + "tensor was given to hold it: pass one of x's shape and dtype");
            }
            FusedNorm.requireGradInput("normalize backward", x, gradOutput, gradInput);
            dx = gradInput;
        }
        double[] dGamma = mask.weight() ? new double[layout.affineSize()] : null;
        double[] dBeta = mask.bias() ? new double[layout.affineSize()] : null;
        Elements ex = Elements.of(x);
        Elements eg = Elements.of(gradOutput);
        Elements edx = dx == null ? null : Elements.of(dx);

        if (layout instanceof Layout.Channels channels) {
            ChannelsKernel k = new ChannelsKernel(channels, rows);
            KernelScratch scratch = KernelScratch.ofThread();
            double[] meanD = perSet(saved.mean(), sets, "saved mean");
            Coefficients mean = Coefficients.over(meanD, mirror ? scratch.floats(KernelScratch.MEAN, sets) : null);
            boolean needSums = dGamma != null || dBeta != null || (dx != null && fromBatch);
            double[] sumG = scratch.doubles(KernelScratch.SUM_G, sets);
            double[] sumGX = scratch.doubles(KernelScratch.SUM_GX, sets);
            Coefficients a = scratch.coefficients(KernelScratch.GRAD_A, sets, mirror);
            Coefficients b = scratch.coefficients(KernelScratch.GRAD_B, sets, mirror);
            Coefficients c = scratch.coefficients(KernelScratch.GRAD_C, sets, mirror);
            if (k.streams()) {
                // A channel larger than a block: the sums, then dx, each in memory order (see ChannelsKernel).
                double half = KernelPass.BACKWARD.nanos(layout, x) / 2;
                if (needSums) {
                    int planes = layout.numel() / channels.spatial();
                    double[] planeG = scratch.doubles(KernelScratch.SQUARES, planes);
                    double[] planeGX = scratch.doubles(KernelScratch.CORRECTION, planes);
                    KernelThreads.forEachBlockEstimated(k.planeBlocks(), half,
                            block -> k.planeGradSums(ex, eg, block, meanD, planeG, planeGX));
                    k.sumPlaneGrads(planeG, planeGX, sumG, sumGX);
                }
                if (dBeta != null) {
                    System.arraycopy(sumG, 0, dBeta, 0, sets);
                }
                if (dGamma != null) {
                    for (int ch = 0; ch < sets; ch++) {
                        dGamma[ch] = sumGX[ch] * rstd[ch];
                    }
                }
                if (edx != null) {
                    gradCoefficients(0, sets, centered, fromBatch, m, rstd, g.d, sumG, sumGX, mean, a, b, c);
                    KernelThreads.forEachBlockEstimated(k.planeBlocks(), half,
                            block -> k.gradInputPlanes(ex, eg, edx, block, mean, a, b, c));
                }
                Shape affineShape = gamma != null ? gamma.shape() : Shape.of(layout.affineSize());
                DType affineType = gamma != null ? gamma.dtype() : x.dtype();
                return new Gradients(dx, toTensor(dGamma, affineType, affineShape),
                        toTensor(dBeta, affineType, affineShape));
            }
            KernelThreads.forEachBlockEstimated(k.blocks(), KernelPass.BACKWARD.nanos(layout, x.dtype(),
                    layout.numel()), block -> {
                int first = k.first(block);
                int end = k.end(block);
                if (needSums) {
                    k.gradSums(ex, eg, block, meanD, sumG, sumGX);
                }
                if (dBeta != null) {
                    System.arraycopy(sumG, first, dBeta, first, end - first);
                }
                if (dGamma != null) {
                    for (int ch = first; ch < end; ch++) {
                        dGamma[ch] = sumGX[ch] * rstd[ch];
                    }
                }
                if (edx != null) {
                    gradCoefficients(first, end, centered, fromBatch, m, rstd, g.d, sumG, sumGX, mean, a, b, c);
                    k.gradInput(ex, eg, edx, block, mean, a, b, c);
                }
            });
        } else {
            RowsKernel k = new RowsKernel((Layout.Rows) layout);
            double[] mean = perSet(saved.mean(), sets, "saved mean");
            boolean partials = dGamma != null || dBeta != null;
            int affineSize = layout.affineSize();
            AffinePartials[] blockPartials = partials
                    ? KernelScratch.ofThread().partials(k.blocks(), affineSize, mirror) : null;
            boolean needSums = partials || (edx != null && fromBatch);
            boolean strips = partials && k.affineByStrips();
            boolean pipelined = k.affineByStrips() && needSums && edx != null;
            boolean runWalk = needSums && k.forwardInRuns();
            KernelThreads.forEachBlockEstimated(k.blocks(), KernelPass.BACKWARD.nanos(layout, x), block -> {
                double[] pair = new double[2];
                double[] sums = new double[2];
                AffinePartials p = partials ? blockPartials[block] : null;
                if (p != null) {
                    p.reset();
                }
                int first = k.first(block);
                int end = k.end(block);
                // LayerNorm: the partials of dγ, dβ after the block's rows, down strips of columns, not row by row
                // in pass 1 (same bits).
                AffinePartials perRow = strips ? null : p;
                if (runWalk && k.backwardRunsBlock(ex, eg, edx, block, mean, rstd, g, p, fromBatch, centered, m)) {
                    // GroupNorm, InstanceNorm: the block's rows in one method (same bits as the loop below).
                    if (partials) {
                        p.flush();
                    }
                    return;
                }
                if (pipelined) {
                    // Pass 2 of each row walks with pass 1 of the next (same bits as one after the other).
                    double[] next = new double[2];
                    k.rowGradSums(ex, eg, first, mean[first], rstd[first], g, null, pair, sums);
                    for (int r = first; r < end; r++) {
                        double rs = rstd[r];
                        double b = fromBatch ? -rs * rs * rs * sums[1] / m : 0.0;
                        double c = fromBatch && centered ? -rs * sums[0] / m : 0.0;
                        if (r + 1 < end) {
                            k.rowGradInputThenSums(ex, eg, edx, r, mean[r], rs, g, b, c, mean[r + 1], next);
                            double[] t = sums;
                            sums = next;
                            next = t;
                        } else {
                            k.rowGradInput(ex, eg, edx, r, mean[r], rs, g, b, c);
                        }
                    }
                } else {
                    for (int r = first; r < end; r++) {
                        if (needSums) {
                            k.rowGradSums(ex, eg, r, mean[r], rstd[r], g, perRow, pair, sums);
                        }
                        if (edx != null) {
                            rowGradInput(k, ex, eg, edx, r, mean[r], rstd[r], g, sums, fromBatch, centered, m);
                        }
                    }
                }
                if (strips) {
                    k.affineRows(ex, eg, first, end, mean, rstd, p);
                } else if (partials) {
                    p.flush();
                }
            });
            if (partials) {
                // Block order, not completion order: the sums are the same for any thread count.
                for (int block = 0; block < k.blocks(); block++) {
                    for (int a = 0; a < affineSize; a++) {
                        if (dBeta != null) {
                            dBeta[a] += blockPartials[block].sumG[a];
                        }
                        if (dGamma != null) {
                            dGamma[a] += blockPartials[block].sumGXhat[a];
                        }
                    }
                }
            }
        }
        Shape affineShape = gamma != null ? gamma.shape() : Shape.of(layout.affineSize());
        DType affineType = gamma != null ? gamma.dtype() : x.dtype();
        return new Gradients(dx, toTensor(dGamma, affineType, affineShape), toTensor(dBeta, affineType, affineShape));
    }

    /**
     * The mean and biased variance of every set of {@code x} over {@code layout} (mean 0 and the mean square when
     * uncentered), by the same algorithm as {@link #forward}.
     */
    public static Moments moments(Layout layout, Centering centering, Tensor x) {
        return moments(layout, null, centering, x);
    }

    /**
     * {@link #moments(Layout, Centering, Tensor)} over the valid rows of an (N, C) input where they are: the channels
     * layout (m, C, 1) of the m rows of {@code rows}. The same bits as the moments of those rows gathered into an
     * (m, C) tensor.
     */
    static Moments moments(ValidRows rows, Centering centering, Tensor x) {
        return moments(Layout.channels(rows.count(), x.numel() / x.dim(0), 1), rows, centering, x);
    }

    /** {@code rows} null: {@code layout} covers x; else x's valid rows, in a channels layout of one position. */
    private static Moments moments(Layout layout, ValidRows rows, Centering centering, Tensor x) {
        requireCovers(layout, rows, x, "moments");
        boolean centered = centering == Centering.CENTERED;
        int sets = layout.sets();
        double[] mean = new double[sets];
        double[] variance = new double[sets];
        Elements ex = Elements.of(x);
        if (layout instanceof Layout.Channels channels) {
            ChannelsKernel k = new ChannelsKernel(channels, rows);
            if (k.streams()) {
                ChannelsKernel.Pieces pieces = ChannelsKernel.Pieces.ofPlanes(KernelScratch.ofThread(),
                        k.planePieceCount());
                KernelThreads.forEachBlockEstimated(k.planeBlocks(), KernelPass.MOMENTS.nanos(layout, x),
                        block -> k.planePieces(ex, centered, block, pieces));
                k.mergePlanePieces(centered, 0, sets, pieces, mean, variance);
                return new Moments(mean, variance, layout.setSize());
            }
            ChannelsKernel.Pieces pieces = ChannelsKernel.Pieces.of(KernelScratch.ofThread(), sets);
            KernelThreads.forEachBlockEstimated(k.blocks(), KernelPass.MOMENTS.nanos(layout, x.dtype(),
                    layout.numel()), block -> k.moments(ex, centered, block, mean, variance, pieces));
        } else {
            RowsKernel k = new RowsKernel((Layout.Rows) layout);
            KernelThreads.forEachBlockEstimated(k.blocks(), KernelPass.MOMENTS.nanos(layout, x), block -> {
                double[] pair = new double[2];
                double[] meanVariance = new double[2];
                for (int r = k.first(block); r < k.end(block); r++) {
                    k.rowMoments(ex, centered, r, pair, meanVariance);
                    mean[r] = meanVariance[0];
                    variance[r] = meanVariance[1];
                }
            });
        }
        return new Moments(mean, variance, layout.setSize());
    }

    // ***** argument checks *****

    /** {@code layout} covers x, or, with valid rows, is their channels layout and x has their rows. */
    private static void requireCovers(Layout layout, ValidRows rows, Tensor x, String op) {
        if (rows == null) {
            layout.requireCovers(x.shape(), op);
        } else {
            rows.requireRowsOf(x, layout.sets(), op);
        }
    }

    static void requireEps(double eps) {
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("eps = " + eps + " is not allowed: eps must be a finite number > 0");
        }
    }

    private static void requireSameDtype(Tensor x, Tensor other, String what) {
        if (x.dtype() != other.dtype()) {
            throw new IllegalArgumentException("normalize: " + what + " is " + other.dtype() + " but the input is "
                    + x.dtype() + ": allocate it with the input's dtype");
        }
    }

    private static void requireTiling(int means, int variances, int sets) {
        if (means != variances || means == 0 || sets % means != 0) {
            throw new ShapeException("normalize: constant statistics need the same number of means and variances "
                    + "(got " + means + " and " + variances + "), one per set or a divisor of the " + sets + " sets");
        }
    }

    /** {@code t} (or null), checked to hold one value per affine position of the layout. */
    private static Tensor requireAffine(Tensor t, Layout layout, String what) {
        if (t != null && t.numel() != layout.affineSize()) {
            throw new ShapeException("normalize: " + what + " has shape " + t.shape() + " (" + t.numel()
                    + " values) but the layout " + layout + " has " + layout.affineSize() + " affine positions");
        }
        return t;
    }

    private static double[] perSet(Tensor t, int sets, String what) {
        if (t.numel() != sets) {
            throw new ShapeException("normalize backward: the " + what + " has " + t.numel() + " values for "
                    + sets + " sets");
        }
        return t.dtype() == DType.FLOAT64 ? t.doubleData() : t.toDoubleArray();
    }

    private static Tensor toTensor(double[] values, DType dtype, Shape shape) {
        if (values == null) {
            return null;
        }
        return dtype == DType.FLOAT64 ? Tensor.wrap(values, shape) : Tensor.of(dtype, values, shape);
    }
}

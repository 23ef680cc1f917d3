package org.normkit.variants.group;

import java.util.OptionalInt;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormBase;
import org.normkit.core.RunningStats;
import org.normkit.core.kernel.Layout;

/**
 * Group normalization (Wu &amp; He, "Group Normalization", ECCV 2018), as {@code torch.nn.GroupNorm}: the channels
 * of every sample are cut into G contiguous groups, and each group is normalised over its channels and all spatial
 * positions, with the statistics of the input at hand, in training and evaluation alike.
 *
 * <h2>Formula</h2>
 * <pre>
 *   y = (x − μ_ng) / sqrt(σ²_ng + eps) · γ_c + β_c          g = ⌊c / (C/G)⌋
 * </pre>
 * μ_ng and σ²_ng are the mean and the <em>biased</em> variance (divided by m) of the m = (C/G)·L values of sample n in
 * the channels of group g, over every spatial position (L = product of the spatial sizes, 1 for an (N, C) input). γ
 * and β are per channel; without {@code affine}, γ = 1 and β = 0. G = 1 gives LayerNorm's statistics over (C, …),
 * G = C InstanceNorm's (the affine maps still differ: per channel here).
 *
 * <h2>No running statistics</h2>
 * The statistics never mix samples, so there is nothing to average for evaluation: {@code eval()} computes exactly
 * what training computes, and {@code spec.trackRunningStats()} and {@code spec.momentum()} are ignored.
 *
 * <h2>Shapes and the {@code groups} option</h2>
 * The option {@code groups=G} is required (PyTorch's {@code num_groups}); G must divide numFeatures = C. Input (N, C,
 * …) of any rank ≥ 2, (N, C) included; output of the same shape; γ, β of shape (C). float32 and float64; the input
 * must have the layer's dtype. {@link GroupNormProvider}'s contract picks G when the option is absent: 32 (Wu &amp;
 * He's default) if it divides C, else the largest divisor of C that is at most 32.
 *
 * <h2>Edge cases</h2>
 * A group whose values are all equal has σ² = 0, so x̂ = 0 and y = β (eps keeps the division finite); so does a group
 * of one element (C/G = 1 and L = 1). G not dividing C is rejected at construction and for an input, with PyTorch's
 * "Expected number of channels in input to be divisible by num_groups" naming both numbers; so are a missing or
 * unparsable {@code groups}, a wrong rank, an empty input and a channel count other than numFeatures.
 *
 * <h2>Fused face</h2>
 * {@code Layout.rows(N·G, (C/G)·L, G, C/G, L)}: one contiguous row per (sample, group), γ and β constant over runs of
 * L elements.
 *
 * <h2>Example</h2>
 * <pre>{@code
 * GroupNorm gn = new GroupNorm(NormSpec.of(64).withOption("groups", "32"));   // nn.GroupNorm(32, 64)
 * Tensor y = gn.forward(Tensor.randn(DType.FLOAT32, Shape.of(2, 64, 56, 56), 1));   // 32 groups of 2 channels
 * gn.eval();                                                                    // changes nothing
 * }</pre>
 */
public final class GroupNorm extends NormBase {
    /** The registry name, also the prefix of every message. */
    public static final String NAME = "group_norm";
    /** The option with the number of groups. */
    public static final String GROUPS = "groups";

    private static final int[] ALONG_GROUP = {2};

    private final int groups;

    public GroupNorm(NormSpec spec) {
        this(spec, groupsOf(spec));
    }

    private GroupNorm(NormSpec spec, int groups) {
        super(spec, Shape.of(spec.numFeatures()), Affine.WEIGHT_AND_BIAS, RunningStats.Policy.NONE);
        this.groups = groups;
    }

    /** G, the number of channel groups. */
    public int groups() {
        return groups;
    }

    /** The required {@code groups} option, checked to be ≥ 1 and to divide numFeatures. */
    static int groupsOf(NormSpec spec) {
        int g = groupsOption(spec).orElseThrow(() -> new IllegalArgumentException(NAME + ": option '" + GROUPS
                + "' is required (PyTorch's num_groups): set it like " + GROUPS + "=32; it must divide the "
                + spec.numFeatures() + " channels (numFeatures)"));
        requireDivides(g, spec.numFeatures(), "numFeatures = " + spec.numFeatures());
        return g;
    }

    /** The {@code groups} option when given; an error names the option, the value and the expected form. */
    static OptionalInt groupsOption(NormSpec spec) {
        if (spec.option(GROUPS).isEmpty()) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(spec.requiredIntOption(GROUPS, GROUPS + "=32"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(NAME + ": " + e.getMessage(), e);
        }
    }

    /**
     * The family's one divisibility check: G ≥ 1 and G divides C. {@code what} names where C comes from (the
     * spec's numFeatures, or an input shape); the message names both numbers and the divisors that would do.
     */
    static void requireDivides(int groups, int channels, String what) {
        if (groups < 1) {
            throw new IllegalArgumentException(NAME + ": " + GROUPS + "=" + groups + " is not a number of groups: "
                    + "expected an integer >= 1 that divides the channel count, e.g. " + GROUPS + "=32");
        }
        if (channels % groups != 0) {
            throw new ShapeException(NAME + ": expected the number of channels to be divisible by " + GROUPS + "="
                    + groups + ", but got " + channels + " channels (" + what + "): the channels are cut into "
                    + groups + " contiguous groups of equal size; use a divisor of " + channels + " ("
                    + IntStream.rangeClosed(1, channels).filter(d -> channels % d == 0).mapToObj(Integer::toString)
                    .collect(Collectors.joining(", ")) + ")");
        }
    }

    /** The family's one input check: rank ≥ 2, no empty dimension, G divides the channels, C = numFeatures. */
    @Override
    protected void checkInput(Shape input) {
        if (input.rank() < 2) {
            input.requireRank(NAME, "(N, C, ...) or one of higher rank", 2);
        }
        input.requireNonEmpty(NAME);
        requireDivides(groups, input.dim(1), "input of shape " + input);
        input.requireSize(1, spec().numFeatures(), NAME, "channels (numFeatures)");
    }

    /** {@code rows(N·G, (C/G)·L, G, C/G, L)}: a row per (sample, group), γ and β of the element's channel. */
    @Override
    protected Layout layout(Shape input) {
        int channelsPerGroup = input.dim(1) / groups;
        int spatial = input.product(2, input.rank());
        return Layout.rows(input.dim(0) * groups, channelsPerGroup * spatial, groups, channelsPerGroup, spatial);
    }

    /**
     * View (N, G, (C/G)·L); mean and biased variance along each group, rsqrt, back to (N, C, L) for the per-channel
     * affine, then to the input's shape: composed ops only.
     */
    @Override
    public Tensor reference(Tensor x, Statistics use) {
        checkInput(x.shape());
        if (!use.isBatch()) {
            throw new IllegalArgumentException(NAME + " keeps no running statistics: it always normalises with the "
                    + "statistics of its input, Statistics.batch()");
        }
        int batch = x.dim(0);
        int channels = x.dim(1);
        Tensor grouped = x.reshape(batch, groups, -1);
        Tensor mean = grouped.mean(ALONG_GROUP, true);
        Tensor variance = grouped.var(ALONG_GROUP, false, true);
        Tensor y = grouped.sub(mean).mul(variance.add(spec().eps()).rsqrt()).reshape(batch, channels, -1);
        if (weight().isPresent()) {
            y = y.mul(weight().get().reshape(1, channels, 1));
        }
        if (bias().isPresent()) {
            y = y.add(bias().get().reshape(1, channels, 1));
        }
        return y.reshape(x.shape());
    }

    @Override
    protected String label() {
        return NAME;
    }
}

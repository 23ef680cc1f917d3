package org.normkit.variants.group;

import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.ContractPreset;
import org.normkit.core.Norm;
import org.normkit.core.NormLayer;
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
 * must have the layer's dtype. The contract's {@code specFor} picks G when the option is absent: 32 (Wu &amp;
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
 * NormLayer gn = new GroupNorm().create(NormSpec.of(64).withOption("groups", "32"));   // nn.GroupNorm(32, 64)
 * Tensor y = gn.forward(Tensor.randn(DType.FLOAT32, Shape.of(2, 64, 56, 56), 1));   // 32 groups of 2 channels
 * gn.eval();                                                                    // changes nothing
 * }</pre>
 */
public final class GroupNorm extends Norm {
    /** The registry name, also the prefix of every message. */
    public static final String NAME = "group_norm";
    /** The option with the number of groups. */
    public static final String GROUPS = "groups";
    /** Wu &amp; He's default number of groups. */
    static final int DEFAULT_GROUPS = 32;

    private static final int[] ALONG_GROUP = {2};

    /**
     * Example shapes whose default G covers the cases: G = C (C ≤ 32), G = 32 with 2 and 3 channels per group, G = 20
     * and G = 7 (the largest divisor ≤ 32 of 40 and 35), C = 1, N = 1, (N, C) and rank 5; benchmark: a ResNet
     * stage's activations with Wu &amp; He's 32 groups (2 channels each).
     */
    public GroupNorm() {
        super(NAME, "Group normalization: per-sample statistics over G contiguous channel groups and all spatial "
                + "positions, per-channel affine, no running statistics (Wu & He 2018)",
                ContractPreset.anyRank().withExampleShapes(Shape.of(2, 6, 4), Shape.of(2, 64, 3), Shape.of(3, 96),
                        Shape.of(1, 40, 2, 2), Shape.of(2, 35, 1, 1), Shape.of(2, 1, 3), Shape.of(2, 3, 1, 2, 2)));
    }

    @Override
    public Map<String, String> options() {
        return Map.of(GROUPS, "the number of channel groups G, required; it must divide the channels (PyTorch's "
                + "num_groups; from an input shape: 32 if it divides C, else the largest divisor of C below 32)");
    }

    /** The required {@code groups} option, checked to be ≥ 1 and to divide numFeatures. */
    @Override
    protected void validate(String name, NormSpec spec) {
        groupsOf(spec);
    }

    /**
     * The {@code groups} option when given (it must divide C), else 32 when 32 divides C, else the largest divisor of
     * C that is at most 32 (Wu &amp; He use 32 groups; C = 48 gets 24, C ≤ 32 gets C).
     */
    @Override
    protected NormSpec completeSpec(Shape input, NormSpec spec) {
        int channels = input.dim(1);
        int groups = groupsOption(spec).orElseGet(() -> defaultGroups(channels));
        try {
            requireDivides(groups, channels, "input of shape " + input);
        } catch (IllegalArgumentException e) {
            throw new UnsupportedInputException(e.getMessage());
        }
        return spec.withOption(GROUPS, Integer.toString(groups));
    }

    /** G when no {@code groups} option is given: 32 if it divides C, else the largest divisor of C below 32. */
    static int defaultGroups(int channels) {
        for (int g = Math.min(DEFAULT_GROUPS, channels); g > 1; g--) {
            if (channels % g == 0) {
                return g;
            }
        }
        return 1;
    }

    /** G of a layer's spec. */
    public static int groupsOf(NormSpec spec) {
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

    /** G divides the input's channels (the contract has checked the rank and C = numFeatures). */
    @Override
    protected void checkInput(NormLayer layer, Shape input) {
        requireDivides(groupsOf(layer.spec()), input.dim(1), "input of shape " + input);
    }

    /** Padded positions can be left out of the statistics ({@link NormLayer#forward(Tensor, PositionMask)}). */
    @Override
    public boolean takesMask() {
        return true;
    }

    /** {@code rows(N·G, (C/G)·L, G, C/G, L)}: a row per (sample, group), γ and β of the element's channel. */
    @Override
    public Layout layout(NormLayer layer, Shape input) {
        int groups = groupsOf(layer.spec());
        int channelsPerGroup = input.dim(1) / groups;
        int spatial = input.product(2, input.rank());
        return Layout.rows(input.dim(0) * groups, channelsPerGroup * spatial, groups, channelsPerGroup, spatial);
    }

    /**
     * View (N, G, (C/G)·L); mean and biased variance along each group, rsqrt, back to (N, C, L) for the per-channel
     * affine, then to the input's shape: composed ops only.
     */
    @Override
    public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
        if (!use.isBatch()) {
            throw new IllegalArgumentException(NAME + " keeps no running statistics: it always normalises with the "
                    + "statistics of its input, Statistics.batch()");
        }
        int groups = groupsOf(layer.spec());
        int batch = x.dim(0);
        int channels = x.dim(1);
        Tensor grouped = x.reshape(batch, groups, -1);
        Tensor mean = grouped.mean(ALONG_GROUP, true);
        Tensor variance = grouped.var(ALONG_GROUP, false, true);
        Tensor y = grouped.sub(mean).mul(variance.add(layer.spec().eps()).rsqrt()).reshape(batch, channels, -1);
        if (layer.weight().isPresent()) {
            y = y.mul(layer.weight().get().reshape(1, channels, 1));
        }
        if (layer.bias().isPresent()) {
            y = y.add(layer.bias().get().reshape(1, channels, 1));
        }
        return y.reshape(x.shape());
    }
}

package org.normkit.variants.group;

import java.util.Arrays;
import java.util.List;

import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.Shape;

/** {@code group_norm}: {@link GroupNorm}, registered in {@code META-INF/services} exactly as a plugin registers. */
public final class GroupNormProvider implements NormalizationProvider {
    /** Wu &amp; He's default number of groups. */
    static final int DEFAULT_GROUPS = 32;

    private final Contract contract = new Contract();

    @Override
    public String name() {
        return GroupNorm.NAME;
    }

    @Override
    public String summary() {
        return "Group normalization: per-sample statistics over G contiguous channel groups and all spatial "
                + "positions, per-channel affine, no running statistics (Wu & He 2018)";
    }

    @Override
    public InputContract contract() {
        return contract;
    }

    @Override
    public Normalization create(NormSpec spec) {
        return new GroupNorm(spec);
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

    /** Any rank ≥ 2; numFeatures from dimension 1, groups from the option or {@link #defaultGroups}. */
    static final class Contract implements InputContract {

        @Override
        public java.util.Set<String> optionNames() {
            return java.util.Set.of(GroupNorm.GROUPS);
        }

        @Override
        public String layout() {
            return "(N, C, ...) of rank >= 2";
        }

        @Override
        public boolean accepts(Shape input) {
            return input.rank() >= 2 && Arrays.stream(input.dims()).allMatch(d -> d >= 1);
        }

        /**
         * Small shapes whose default G covers the cases: G = C (C ≤ 32), G = 32 with 2 and 3 channels per group,
         * G = 20 and G = 7 (the largest divisor ≤ 32 of 40 and 35), C = 1, N = 1, (N, C) and rank 5.
         */
        @Override
        public List<Shape> exampleShapes() {
            return List.of(Shape.of(2, 6, 4), Shape.of(2, 64, 3), Shape.of(3, 96), Shape.of(1, 40, 2, 2),
                    Shape.of(2, 35, 1, 1), Shape.of(2, 1, 3), Shape.of(2, 3, 1, 2, 2));
        }

        /** A ResNet stage's activations with Wu &amp; He's 32 groups (2 channels each). */
        @Override
        public List<Shape> benchmarkShapes() {
            return List.of(Shape.of(32, 64, 56, 56));
        }

        /**
         * {@code base} with numFeatures = C (dimension 1), the {@code groups} option and no running statistics. An
         * explicit {@code groups} option wins (it must divide C); otherwise G = 32 when 32 divides C, else the
         * largest divisor of C that is at most 32 (Wu &amp; He use 32 groups; C = 48 gets 24, C ≤ 32 gets C).
         */
        @Override
        public NormSpec specFor(Shape input, NormSpec base) {
            if (!accepts(input)) {
                throw new UnsupportedInputException(GroupNorm.NAME + " cannot take an input of shape " + input
                        + ": it accepts (N, C, ...) of rank >= 2 with every size >= 1");
            }
            int channels = input.dim(1);
            int groups = GroupNorm.groupsOption(base).orElseGet(() -> defaultGroups(channels));
            try {
                GroupNorm.requireDivides(groups, channels, "input of shape " + input);
            } catch (IllegalArgumentException e) {
                throw new UnsupportedInputException(e.getMessage());
            }
            return base.withNumFeatures(channels).withOption(GroupNorm.GROUPS, Integer.toString(groups))
                    .withTrackRunningStats(false);
        }
    }
}

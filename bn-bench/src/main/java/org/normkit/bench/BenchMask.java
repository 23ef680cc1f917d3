package org.normkit.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.tensor.Shape;

/**
 * The mask axis of the kernel benchmark: whether a norm's call gets a {@link PositionMask} of valid positions, as
 * the sequence nets hand one over for padded batches.
 *
 * <ul>
 *   <li>{@code none}: the plain call, no mask;</li>
 *   <li>{@code padded}: the masked call ({@code Normalization.forward(x, mask)}'s faces) with the last
 *       {@value #PADDED_PERCENT} % of every sample's positions (row-major over the input's shape without its channel
 *       axis) marked padding. Only norms that take a mask ({@code takesMask()}: BatchNorm, InstanceNorm, GroupNorm)
 *       have these rows; for the others the plan lists them as not applicable.</li>
 * </ul>
 * Timed beside the unmasked call of the same norm, shape, dtype, face, pass and thread count, in the same JMH run.
 */
public enum BenchMask {
    NONE("none"),
    PADDED("padded");

    /** The share of each sample's positions the {@code padded} mask marks invalid, in percent. */
    public static final int PADDED_PERCENT = 25;

    private final String id;

    BenchMask(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static BenchMask parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (BenchMask m : values()) {
            if (m.id.equals(t)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mask '" + text + "': expected one of "
                + Arrays.stream(values()).map(BenchMask::id).collect(Collectors.joining(", ")));
    }

    /**
     * The {@code padded} mask for an input of {@code shape} (N, C, S…): in every sample the first
     * {@code ceil(positions × (100 − PADDED_PERCENT) / 100)} positions valid, the rest padding; at least one position
     * of each sample stays valid. For (N, C) inputs, whose samples have one position, whole samples are padding
     * instead: the last {@value #PADDED_PERCENT} % of the batch (at least one sample stays valid).
     */
    public static PositionMask padded(Shape shape) {
        Shape positions = PositionMask.positionsOf(shape);
        int samples = shape.dim(0);
        int perSample = positions.numel() / samples;
        boolean[] valid = new boolean[positions.numel()];
        if (perSample == 1) {
            int kept = Math.max(1, validCount(samples));
            for (int n = 0; n < kept; n++) {
                valid[n] = true;
            }
        } else {
            int kept = Math.max(1, validCount(perSample));
            for (int n = 0; n < samples; n++) {
                for (int p = 0; p < kept; p++) {
                    valid[n * perSample + p] = true;
                }
            }
        }
        return PositionMask.of(positions, valid);
    }

    private static int validCount(int positions) {
        return (int) Math.ceil(positions * (100 - PADDED_PERCENT) / 100.0);
    }

    @Override
    public String toString() {
        return id;
    }
}

package org.normkit.core.kernel;

import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.tensor.Shape;

/**
 * The loop of the masked kernels: every element of a channel-first input (N, C, S…) at a position a
 * {@link PositionMask} marks valid, in memory order, with its flat index, the set of statistics it belongs to under a
 * {@link Layout} and its channel. Elements at invalid positions are not visited, so a kernel neither reads them nor
 * writes them. The masked kernels of other modules (PowerNorm's) use it, so that which elements count and the order
 * in which their sums are taken are stated once; bn-core's {@link MaskedKernel} copies the valid elements out and runs
 * the unmasked kernel on them instead. Immutable.
 */
public final class ValidElements {
    /** What a loop over the valid elements does with one: its flat index, its set and its channel. */
    @FunctionalInterface
    public interface Body {
        void accept(int index, int set, int channel);
    }

    private final Layout layout;
    private final PositionMask mask;
    private final int batch;
    private final int channels;
    private final int spatial;

    private ValidElements(Layout layout, Shape input, PositionMask mask) {
        mask.requireFits(input, "masked kernel");
        this.layout = layout;
        this.mask = mask;
        this.batch = input.dim(0);
        this.channels = input.dim(1);
        this.spatial = input.numel() / (batch * channels);
    }

    /** The valid elements of inputs of shape {@code input}, each in its set of {@code layout}. */
    public static ValidElements of(Layout layout, Shape input, PositionMask mask) {
        return new ValidElements(layout, input, mask);
    }

    /** The valid elements of inputs of shape {@code input}, with one set per channel (the set is the channel). */
    public static ValidElements perChannel(Shape input, PositionMask mask) {
        int channels = input.dim(1);
        return new ValidElements(Layout.channels(input.dim(0), channels, input.numel() / (input.dim(0) * channels)),
                input, mask);
    }

    /** The set of the elements of sample n, channel c: the channel, or under a rows layout the sample's group. */
    int setOf(int n, int c) {
        if (layout instanceof Layout.Rows rows) {
            return n * rows.groupsPerSample() + c / rows.channelsPerGroup();
        }
        return c;
    }

    /** Runs {@code body} on every valid element, in memory order. */
    public void forEach(Body body) {
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                int set = setOf(n, c);
                int base = (n * channels + c) * spatial;
                for (int s = 0; s < spatial; s++) {
                    if (mask.isValid(n * spatial + s)) {
                        body.accept(base + s, set, c);
                    }
                }
            }
        }
    }
}

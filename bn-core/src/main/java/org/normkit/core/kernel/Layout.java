package org.normkit.core.kernel;

import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;

/**
 * How the elements of a row-major tensor fall into statistics sets (the elements that share one mean and one
 * variance) and onto the affine parameters γ, β. Every norm of the family is "moments over a layout, then an affine
 * map"; the layout is all a norm tells {@link NormKernel}.
 *
 * <table>
 *   <caption>The layouts of the family</caption>
 *   <tr><th>norm</th><th>layout</th><th>sets</th><th>affine index</th></tr>
 *   <tr><td>batch</td><td>{@code channels(N, C, S)}</td><td>one per channel, over N·S (strided)</td><td>channel</td></tr>
 *   <tr><td>instance</td><td>{@code rows(N·C, S, C, 1, S)}</td><td>one per (sample, channel)</td><td>channel</td></tr>
 *   <tr><td>group</td><td>{@code rows(N·G, (C/G)·S, G, C/G, S)}</td><td>one per (sample, group)</td><td>channel</td></tr>
 *   <tr><td>layer</td><td>{@code rows(M, K)}</td><td>one per row</td><td>position in the row</td></tr>
 * </table>
 *
 * <p>S is the product of the spatial sizes (1 for an (N, C) input). In a rows layout the affine index of element k
 * of row r is {@code (r mod groupsPerSample)·channelsPerGroup + k / spatial}: layer (1, K, 1), instance (C, 1, S) and
 * group (G, C/G, S) are the three settings of that one map.
 */
public sealed interface Layout permits Layout.Channels, Layout.Rows {

    /** BatchNorm's layout: element (n, c, s) at {@code (n·C + c)·S + s}; one set per channel c, of N·S elements. */
    static Layout channels(int batch, int channels, int spatial) {
        return new Channels(batch, channels, spatial);
    }

    /** One set per contiguous row of {@code rowLength} elements, γ and β per position in the row (LayerNorm). */
    static Layout rows(int rows, int rowLength) {
        return new Rows(rows, rowLength, 1, rowLength, 1);
    }

    /**
     * One set per contiguous row; element k of row r uses γ, β at {@code (r mod groupsPerSample)·channelsPerGroup +
     * k / spatial}. InstanceNorm: {@code rows(N·C, S, C, 1, S)}; GroupNorm: {@code rows(N·G, (C/G)·S, G, C/G, S)}.
     */
    static Layout rows(int rows, int rowLength, int groupsPerSample, int channelsPerGroup, int spatial) {
        return new Rows(rows, rowLength, groupsPerSample, channelsPerGroup, spatial);
    }

    /** Number of elements covered. */
    int numel();

    /** Number of statistics sets. */
    int sets();

    /** Elements per set (m in the formulas); the same for every set. */
    int setSize();

    /** Number of γ (and β) values the layout indexes. */
    int affineSize();

    /** The set element {@code flatIndex} belongs to. For checks and tests: kernels never call it per element. */
    int setOf(int flatIndex);

    /** The γ/β index of element {@code flatIndex}. For checks and tests: kernels never call it per element. */
    int affineIndexOf(int flatIndex);

    /**
     * The view in which the sets are reductions over {@link #reducedAxes()}: {@code (N, C, S)} over {0, 2} for
     * channels, {@code (M, K)} over {1} for rows. Reference code (composed ops) reshapes to it.
     */
    Shape view();

    /** The axes of {@link #view()} reduced to get one value per set. */
    int[] reducedAxes();

    /** Throws unless this layout covers exactly the elements of {@code shape}. */
    default void requireCovers(Shape shape, String op) {
        if (shape.numel() != numel()) {
            throw new ShapeException(op + ": layout " + this + " covers " + numel() + " elements but the tensor of "
                    + "shape " + shape + " has " + shape.numel());
        }
    }

    /** BatchNorm's strided layout: {@code (batch, channels, spatial)}, one set per channel. */
    record Channels(int batch, int channels, int spatial) implements Layout {
        public Channels {
            requirePositive("channels layout", "batch", batch, "channels", channels, "spatial", spatial);
            Shape.of(batch, channels, spatial);
        }

        @Override
        public int numel() {
            return batch * channels * spatial;
        }

        @Override
        public int sets() {
            return channels;
        }

        @Override
        public int setSize() {
            return batch * spatial;
        }

        @Override
        public int affineSize() {
            return channels;
        }

        @Override
        public int setOf(int flatIndex) {
            return (flatIndex / spatial) % channels;
        }

        @Override
        public int affineIndexOf(int flatIndex) {
            return setOf(flatIndex);
        }

        @Override
        public Shape view() {
            return Shape.of(batch, channels, spatial);
        }

        @Override
        public int[] reducedAxes() {
            return new int[] {0, 2};
        }
    }

    /**
     * Contiguous rows, one set each; the affine index of element k of row r is
     * {@code (r mod groupsPerSample)·channelsPerGroup + k / spatial}, with {@code rowLength = channelsPerGroup·spatial}.
     */
    record Rows(int rows, int rowLength, int groupsPerSample, int channelsPerGroup, int spatial) implements Layout {
        public Rows {
            requirePositive("rows layout", "rows", rows, "rowLength", rowLength, "groupsPerSample", groupsPerSample);
            requirePositive("rows layout", "channelsPerGroup", channelsPerGroup, "spatial", spatial, "rows", rows);
            if ((long) channelsPerGroup * spatial != rowLength) {
                throw new ShapeException("rows layout: rowLength " + rowLength + " must equal channelsPerGroup · "
                        + "spatial = " + channelsPerGroup + " · " + spatial);
            }
            if (rows % groupsPerSample != 0) {
                throw new ShapeException("rows layout: " + rows + " rows are not a whole number of samples of "
                        + groupsPerSample + " groups each");
            }
            Shape.of(rows, rowLength);
        }

        @Override
        public int numel() {
            return rows * rowLength;
        }

        @Override
        public int sets() {
            return rows;
        }

        @Override
        public int setSize() {
            return rowLength;
        }

        @Override
        public int affineSize() {
            return groupsPerSample * channelsPerGroup;
        }

        @Override
        public int setOf(int flatIndex) {
            return flatIndex / rowLength;
        }

        @Override
        public int affineIndexOf(int flatIndex) {
            int r = flatIndex / rowLength;
            int k = flatIndex % rowLength;
            return (r % groupsPerSample) * channelsPerGroup + k / spatial;
        }

        @Override
        public Shape view() {
            return Shape.of(rows, rowLength);
        }

        @Override
        public int[] reducedAxes() {
            return new int[] {1};
        }
    }

    private static void requirePositive(String what, String n1, int v1, String n2, int v2, String n3, int v3) {
        if (v1 < 1 || v2 < 1 || v3 < 1) {
            throw new ShapeException(what + ": every size must be >= 1, got " + n1 + "=" + v1 + ", " + n2 + "=" + v2
                    + ", " + n3 + "=" + v3);
        }
    }
}

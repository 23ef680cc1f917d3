package org.normkit.autograd.ops;

import org.normkit.autograd.graph.Node;
import org.normkit.autograd.loops.RowCopy;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * Indexing primitives over the first axis, a pair that are each other's backward: {@link #gatherRows} picks rows by
 * index (an embedding lookup, {@code torch.nn.functional.embedding}; the rows of the valid tokens of a padded batch)
 * and {@link #scatterRows} adds rows into place ({@code index_add_}). Gathering a row twice sends two gradients to it,
 * so the backward of a gather is a scatter-<em>add</em>, and the backward of a scatter-add is a gather.
 */
public final class Indexing {
    private Indexing() {}

    /**
     * {@code out[i] = table[rows[i]]}: table (V, ...) gives (rows.length, ...). Backward: the gradient rows are added
     * into a zero (V, ...) tensor at {@code rows}, repeated indices accumulating.
     */
    public static Tensor gatherRows(Tensor table, int[] rows) {
        requireMatrixLike(table, "gatherRows");
        int count = table.dim(0);
        requireIndices(rows, count, "gatherRows", table.shape());
        int width = table.numel() / Math.max(1, count);
        Tensor out = Tensor.zeros(table.dtype(), withFirst(table.shape(), rows.length));
        RowCopy.gather(table, rows, out, width);
        Tensor[] inputs = {table};
        return Node.record(out, "gatherRows", (g, needs) -> new Tensor[] {scatterRows(g, rows, count)}, inputs);
    }

    /**
     * {@code out[rows[i]] += source[i]} into a zero tensor of {@code count} rows: source (n, ...) with n =
     * rows.length gives (count, ...). Backward: the gradient's rows gathered at {@code rows}.
     */
    public static Tensor scatterRows(Tensor source, int[] rows, int count) {
        requireMatrixLike(source, "scatterRows");
        if (source.dim(0) != rows.length) {
            throw new ShapeException("scatterRows: " + rows.length + " row indices for a source of shape "
                    + source.shape() + "; give one index per row of the source");
        }
        requireIndices(rows, count, "scatterRows", withFirst(source.shape(), count));
        int width = source.numel() / Math.max(1, rows.length);
        Tensor out = Tensor.zeros(source.dtype(), withFirst(source.shape(), count));
        RowCopy.scatterAdd(source, rows, out, width);
        return Node.record(out, "scatterRows", (g, needs) -> new Tensor[] {gatherRows(g, rows)}, source);
    }

    private static void requireMatrixLike(Tensor t, String op) {
        if (t.rank() < 1) {
            throw new ShapeException(op + ": needs a tensor with at least one axis (its rows), got a scalar");
        }
    }

    private static void requireIndices(int[] rows, int count, String op, Shape of) {
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= count) {
                throw new IndexOutOfBoundsException(op + ": index " + rows[i] + " at position " + i + " is not a row "
                        + "of " + of + "; indices must lie in [0, " + count + ") (an embedding's vocabulary size)");
            }
        }
    }

    private static Shape withFirst(Shape shape, int first) {
        int[] dims = shape.dims();
        dims[0] = first;
        return Shape.of(dims);
    }
}

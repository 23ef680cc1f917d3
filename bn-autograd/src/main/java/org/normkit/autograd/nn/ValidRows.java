package org.normkit.autograd.nn;

import org.normkit.autograd.ops.Indexing;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * Applies a layer to the valid rows of a padded batch only: a norm that takes a {@link PositionMask} (BatchNorm,
 * InstanceNorm, GroupNorm) gets the rows with the mask of the valid ones; any other layer gets the valid rows
 * gathered, and its output is scattered back. Either way the other (padded) rows pass through unchanged. For a norm over rows (BatchNorm over
 * tokens, one row per (sequence, position)) this keeps padding out of the batch statistics and out of the
 * running-statistics update, which no framework's BatchNorm offers (PyTorch issues 70529, 81985); for per-row norms
 * (LayerNorm) it changes nothing on the valid rows. The gradient flows through the gather and scatter primitives.
 */
public final class ValidRows {
    private ValidRows() {}

    /**
     * @param rows  (N, ...) inputs, one row per position
     * @param valid indices of the rows inside their sequence, ascending; null or all N rows applies the layer to all
     */
    public static Tensor apply(Module layer, Tensor rows, int[] valid) {
        int n = rows.dim(0);
        if (valid == null || valid.length == n) {
            return layer.forward(rows);
        }
        // A norm that takes a mask leaves the padded rows out itself (0 there); any other layer sees the valid rows.
        Tensor normalized = layer instanceof Normalization norm && norm.takesMask()
                ? norm.forward(rows, PositionMask.ofRows(n, valid))
                : Indexing.scatterRows(layer.forward(Indexing.gatherRows(rows, valid)), valid, n);
        return normalized.add(rows.mul(paddedColumn(rows, valid)));
    }

    /** 1 on the padded rows, 0 on the valid ones, shaped (N, 1, ...) to broadcast over a row. */
    private static Tensor paddedColumn(Tensor rows, int[] valid) {
        int[] dims = new int[rows.rank()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = rows.dim(0);
        Tensor padded = Tensor.ones(rows.dtype(), Shape.of(dims));
        for (int v : valid) {
            padded.set(v, 0.0);
        }
        return padded;
    }
}

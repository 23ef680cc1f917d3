package org.normkit.autograd.spi;

import java.util.Arrays;

import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * Which positions of a channel-first input {@code (N, C, S…)} are valid: one flag per position, a position being an
 * index over every dimension but the channel axis, {@code (N, S…)} in row-major order. A padded batch of sequences
 * {@code (N, C, T)} marks the steps past each sequence's length invalid; a batch of tokens flattened to rows
 * {@code (B·T, C)} marks its padded rows.
 *
 * <p>A norm given a mask ({@link Normalization#forward(Tensor, PositionMask)}) computes its statistics over the valid
 * positions only, updates its running statistics from them alone, and writes 0 at the invalid positions, so nothing
 * of the padding, neither its values nor its count, reaches the output or the gradient. PyTorch has no such
 * argument (issues 70529 and 81985 ask for it); {@code scripts/pytorch/golden.py} computes the same statistics with
 * masked sums.
 *
 * <p>Immutable.
 */
public final class PositionMask {
    private final Shape positions;
    private final boolean[] valid;
    private final int validCount;

    private PositionMask(Shape positions, boolean[] valid) {
        if (positions.numel() != valid.length) {
            throw new IllegalArgumentException("a mask of positions " + positions + " needs " + positions.numel()
                    + " flags, got " + valid.length);
        }
        this.positions = positions;
        this.valid = valid.clone();
        int count = 0;
        for (boolean v : valid) {
            count += v ? 1 : 0;
        }
        this.validCount = count;
    }

    /** A mask over {@code positions} ({@code (N, S…)}, the input's shape without its channel axis), row-major. */
    public static PositionMask of(Shape positions, boolean... valid) {
        return new PositionMask(positions, valid);
    }

    /**
     * The mask of a padded batch of {@code lengths.length} sequences of {@code steps} steps, laid out
     * {@code (N, C, steps)}: step t of sequence n is valid when t &lt; lengths[n].
     */
    public static PositionMask ofLengths(int[] lengths, int steps) {
        boolean[] valid = new boolean[lengths.length * steps];
        for (int n = 0; n < lengths.length; n++) {
            if (lengths[n] < 0 || lengths[n] > steps) {
                throw new IllegalArgumentException("sequence " + n + " has length " + lengths[n] + ", outside 0.."
                        + steps + " steps");
            }
            Arrays.fill(valid, n * steps, n * steps + lengths[n], true);
        }
        return new PositionMask(Shape.of(lengths.length, steps), valid);
    }

    /** The mask of {@code rows} rows {@code (rows, C)} of which those listed in {@code validRows} are valid. */
    public static PositionMask ofRows(int rows, int[] validRows) {
        boolean[] valid = new boolean[rows];
        for (int r : validRows) {
            if (r < 0 || r >= rows) {
                throw new IllegalArgumentException("valid row " + r + " is outside 0.." + (rows - 1));
            }
            valid[r] = true;
        }
        return new PositionMask(Shape.of(rows), valid);
    }

    /** The positions' shape, {@code (N, S…)}. */
    public Shape positions() {
        return positions;
    }

    /** Whether position {@code p} (row-major over {@link #positions()}) is valid. */
    public boolean isValid(int p) {
        return valid[p];
    }

    public int validCount() {
        return validCount;
    }

    /** Whether every position is valid (then a masked forward is the unmasked one). */
    public boolean allValid() {
        return validCount == valid.length;
    }

    /**
     * Throws, naming both shapes and the expected one, unless this mask has one flag per position of
     * {@code input}: the input's shape without dimension 1.
     */
    public void requireFits(Shape input, String layer) {
        if (!positions.equals(positionsOf(input))) {
            throw new IllegalArgumentException(layer + ": a mask of positions " + positions + " does not fit the input "
                    + input + ": expected one flag per position, shape " + positionsOf(input) + " (the input "
                    + "without its channel dimension 1)");
        }
    }

    /** 1 at the valid elements of {@code input} and 0 at the others, in {@code dtype}: the mask over every channel. */
    public Tensor expandTo(Shape input, DType dtype) {
        requireFits(input, "mask");
        int batch = input.dim(0);
        int channels = input.dim(1);
        int spatial = input.numel() / Math.max(1, batch * channels);
        double[] m = new double[input.numel()];
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                int base = (n * channels + c) * spatial;
                for (int s = 0; s < spatial; s++) {
                    m[base + s] = valid[n * spatial + s] ? 1.0 : 0.0;
                }
            }
        }
        return Tensor.wrap(m, input).to(dtype);
    }

    /** The shape of the positions of {@code input}: every dimension but 1. */
    public static Shape positionsOf(Shape input) {
        if (input.rank() < 2) {
            throw new IllegalArgumentException("a mask needs a channel-first input (N, C, …), got " + input);
        }
        int[] dims = new int[input.rank() - 1];
        dims[0] = input.dim(0);
        for (int i = 2; i < input.rank(); i++) {
            dims[i - 1] = input.dim(i);
        }
        return Shape.of(dims);
    }

    @Override
    public String toString() {
        return "PositionMask(" + positions + ", " + validCount + " valid)";
    }
}

package org.normkit.core.kernel;

import java.util.Arrays;

import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * The valid rows of an (N, C) input (the sequence nets' token rows (B·T, C), one position each) as runs of
 * consecutive rows: what lets {@link ChannelsKernel} read and write a masked BatchNorm's valid rows where they are,
 * instead of gathering them into an (m, C) copy and scattering the result back. The kernel sees m logical rows, the
 * valid ones in order; logical row r is physical row {@code first[k] + (r − start[k])} of the run k that holds it.
 * A padded batch has one run per sequence (its valid tokens come first), so the kernel's loops down the rows run
 * over a few long runs; a mask with scattered rows still works, one short run at a time. Immutable.
 */
final class ValidRows {
    /** A run of consecutive physical rows: its first row and its number of rows. */
    @FunctionalInterface
    interface Run {
        void accept(int firstRow, int rows);
    }

    /** The first physical row of every run. */
    private final int[] first;
    /** The first logical row of every run, and m after the last: start[k + 1] − start[k] rows in run k. */
    private final int[] start;
    /** N, the physical rows of the input. */
    private final int total;

    private ValidRows(int[] first, int[] start, int total) {
        this.first = first;
        this.start = start;
        this.total = total;
    }

    /** The valid rows of {@code mask} over an input of {@code rows} rows, one position each. */
    static ValidRows of(PositionMask mask, int rows) {
        if (mask.positions().numel() != rows) {
            throw new ShapeException("valid rows: the mask has " + mask.positions().numel() + " positions for "
                    + rows + " rows of one position each");
        }
        int[] first = new int[rows];
        int[] start = new int[rows + 1];
        int runs = 0;
        int m = 0;
        for (int p = 0; p < rows; p++) {
            if (mask.isValid(p)) {
                if (runs == 0 || first[runs - 1] + (m - start[runs - 1]) != p) {
                    first[runs] = p;
                    start[runs] = m;
                    runs++;
                }
                m++;
            }
        }
        start[runs] = m;
        return new ValidRows(Arrays.copyOf(first, runs), Arrays.copyOf(start, runs + 1), rows);
    }

    /** m, the number of valid rows: the kernel's logical rows. */
    int count() {
        return start[start.length - 1];
    }

    /** The number of runs of consecutive valid rows. */
    int runs() {
        return first.length;
    }

    /** The physical row of logical row {@code r} (0 ≤ r &lt; m). */
    int physical(int r) {
        int k = runOf(r);
        return first[k] + (r - start[k]);
    }

    /**
     * Calls {@code run} for the logical rows {@code [from, to)}, in order, one call per run of consecutive physical
     * rows among them.
     */
    void forRuns(int from, int to, Run run) {
        for (int k = runOf(from), r = from; r < to; k++) {
            int end = Math.min(to, start[k + 1]);
            run.accept(first[k] + (r - start[k]), end - r);
            r = end;
        }
    }

    /** The run that holds logical row r. */
    private int runOf(int r) {
        int k = Arrays.binarySearch(start, 0, first.length, r);
        return k >= 0 ? k : -k - 2;
    }

    /** Requires {@code x} to be an (N, channels) tensor (or (N, channels, 1)) of this mask's N rows. */
    void requireRowsOf(Tensor x, int channels, String what) {
        if (x.dim(0) != total || x.numel() != (long) total * channels) {
            throw new ShapeException(what + ": the valid rows of " + total + " rows of " + channels
                    + " channels do not index an input of shape " + x.shape() + ": pass the (rows, channels) input "
                    + "the mask was made for");
        }
    }

    /** Writes 0 into every element of the rows of {@code out} (N, C) that are not valid. */
    void zeroOthers(Tensor out, int channels) {
        int next = 0;
        for (int k = 0; k < first.length; k++) {
            zeroRows(out, next * channels, first[k] * channels);
            next = first[k] + (start[k + 1] - start[k]);
        }
        zeroRows(out, next * channels, total * channels);
    }

    private static void zeroRows(Tensor out, int from, int to) {
        if (from >= to) {
            return;
        }
        if (out.dtype() == DType.FLOAT32) {
            Arrays.fill(out.floatData(), from, to, 0f);
        } else {
            Arrays.fill(out.doubleData(), from, to, 0.0);
        }
    }
}

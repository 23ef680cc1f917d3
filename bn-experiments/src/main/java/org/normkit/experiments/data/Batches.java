package org.normkit.experiments.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The order in which one training run visits its rows: a fresh shuffle each epoch, cut into mini-batches.
 *
 * <p>Epoch {@code e} under seed {@code s} is a Fisher–Yates shuffle driven by a {@link Random} seeded with a value
 * derived from {@code (s, e)}, so it depends on nothing else: a resumed or repeated run sees the same batches, and
 * skipping epochs does not change the later ones. The last batch keeps the rows left over
 * ({@code rows mod batchSize} of them) rather than dropping them, so every row is seen once per epoch; a training
 * loop whose norm cannot take a batch of one (BatchNorm in training mode) must check
 * {@link #lastBatchSize()}.
 *
 * <p>Thread safety: immutable.
 */
public final class Batches {

    private final int rows;
    private final int batchSize;
    private final long seed;

    private Batches(int rows, int batchSize, long seed) {
        this.rows = rows;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /** Batches of {@code batchSize} over rows {@code 0..rows-1}, shuffled under {@code seed}. */
    public static Batches of(int rows, int batchSize, long seed) {
        if (rows < 1) {
            throw new IllegalArgumentException("batches need at least 1 row, got " + rows);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        return new Batches(rows, batchSize, seed);
    }

    public int rows() {
        return rows;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Mini-batches per epoch, counting the partial last one. */
    public int batchesPerEpoch() {
        return (rows + batchSize - 1) / batchSize;
    }

    /** Rows in the last batch of every epoch: {@code batchSize} when it divides {@code rows}. */
    public int lastBatchSize() {
        int rest = rows % batchSize;
        return rest == 0 ? batchSize : rest;
    }

    /** Every row index once, in the order of epoch {@code epoch}. */
    public int[] order(int epoch) {
        int[] order = new int[rows];
        Arrays.setAll(order, i -> i);
        Random random = new Random(Seeds.derive(seed, epoch));
        for (int i = rows - 1; i > 0; i--) {
            int other = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[other];
            order[other] = swap;
        }
        return order;
    }

    /** The row indices of each mini-batch of epoch {@code epoch}, in order. */
    public List<int[]> epoch(int epoch) {
        int[] order = order(epoch);
        List<int[]> batches = new ArrayList<>(batchesPerEpoch());
        for (int start = 0; start < rows; start += batchSize) {
            batches.add(Arrays.copyOfRange(order, start, Math.min(rows, start + batchSize)));
        }
        return batches;
    }
}

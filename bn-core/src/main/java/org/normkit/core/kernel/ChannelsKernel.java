package org.normkit.core.kernel;

/**
 * The kernels over BatchNorm's strided {@link Layout.Channels} layout. Work is split into blocks of whole channels;
 * each block computes its channels' moments and then normalises them, so the second read of x often hits the cache.
 * With one spatial position (an (N, C) input) the contiguous direction is the channel, so the loops run across
 * channels with per-channel accumulators instead of along runs.
 *
 * <p>With {@link ValidRows} (an (N, C) input whose valid rows alone are normalised: masked BatchNorm over token rows)
 * the kernel's m rows are the valid rows where they are: each loop down the rows runs once per run of consecutive
 * valid rows, reading and writing the input's own rows, and leaves the other rows alone. Each column's sums take the
 * same operations in the same order whether its rows come in one call or in several (the strip sums keep no state
 * between calls but the sums in their arrays), so the results are those of the kernel on the valid rows gathered
 * into an (m, C) copy, bit for bit.
 */
final class ChannelsKernel {
    private final int batch;
    private final int channels;
    private final int spatial;
    private final int perBlock;
    private final int blocks;
    /** The input's rows that are the kernel's rows (null: all of them, in order). */
    private final ValidRows rows;

    ChannelsKernel(Layout.Channels layout) {
        this(layout, null);
    }

    /**
     * Over {@code layout}'s batch of rows, which are the valid rows of {@code rows} of the input (null: the input's
     * rows themselves); only with one spatial position.
     */
    ChannelsKernel(Layout.Channels layout, ValidRows rows) {
        if (rows != null && (layout.spatial() != 1 || rows.count() != layout.batch())) {
            throw new IllegalArgumentException("channels kernel: valid rows need one spatial position and the "
                    + "layout's batch (" + layout + ") equal to their count, " + rows.count());
        }
        this.rows = rows;
        this.batch = layout.batch();
        this.channels = layout.channels();
        this.spatial = layout.spatial();
        long perChannel = (long) batch * spatial;
        this.perBlock = (int) Math.max(1, Math.min(channels, NormKernel.BLOCK_ELEMENTS / perChannel));
        this.blocks = (channels + perBlock - 1) / perBlock;
    }

    int blocks() {
        return blocks;
    }

    /**
     * Mean and biased variance of the channels of block {@code block}: pieces of at most {@link NormKernel#CHUNK}
     * elements per channel are summed once around a shift taken from the piece (Σd, Σd² with d = x − shift), and the
     * pieces are merged with Chan et al.'s pairwise update. {@code pieces} holds the working sums of every channel
     * (the block uses its own channels' entries).
     */
    void moments(Elements x, boolean centered, int block, double[] mean, double[] variance, Pieces pieces) {
        int c0 = block * perBlock;
        int cb = Math.min(channels, c0 + perBlock) - c0;
        Block p = new Block(pieces);
        java.util.Arrays.fill(mean, c0, c0 + cb, 0.0);
        java.util.Arrays.fill(pieces.m2, c0, c0 + cb, 0.0);
        if (spatial <= NormKernel.CHUNK) {
            // With one spatial position the sums of a strip of channels stay in registers down the rows, so a piece
            // need not fit the L1 cache: pieces of CHUNK rows, not CHUNK elements, spare the merges (four divisions
            // per channel, which at 16 rows a piece took as long as the sums for a (256, 1024) input).
            int rowsPerPiece = spatial == 1 ? NormKernel.CHUNK : Math.max(1, NormKernel.CHUNK / (cb * spatial));
            for (int n0 = 0; n0 < batch; n0 += rowsPerPiece) {
                mergePiece(x, centered, c0, cb, n0, Math.min(batch, n0 + rowsPerPiece), 0, spatial, p, mean);
            }
        } else {
            for (int n = 0; n < batch; n++) {
                for (int s0 = 0; s0 < spatial; s0 += NormKernel.CHUNK) {
                    mergePiece(x, centered, c0, cb, n, n + 1, s0, Math.min(spatial, s0 + NormKernel.CHUNK), p, mean);
                }
            }
        }
        double m = (double) batch * spatial;
        double[] m2 = pieces.m2;
        for (int c = c0; c < c0 + cb; c++) {
            variance[c] = Math.max(0, m2[c] / m);
        }
    }

    /**
     * The working sums of the moment computation, one entry per channel, indexed by channel: each block writes its
     * own channels' entries only, so the blocks of one call share the arrays (per-thread scratch of the caller).
     */
    static final class Pieces {
        final double[] m2;
        final double[] center;
        final double[] squares;
        final double[] correction;

        private Pieces(double[] m2, double[] center, double[] squares, double[] correction) {
            this.m2 = m2;
            this.center = center;
            this.squares = squares;
            this.correction = correction;
        }

        /** Over the calling thread's scratch, for {@code channels} channels. */
        static Pieces of(KernelScratch scratch, int channels) {
            return new Pieces(scratch.doubles(KernelScratch.M2, channels),
                    scratch.doubles(KernelScratch.CENTER, channels), scratch.doubles(KernelScratch.SQUARES, channels),
                    scratch.doubles(KernelScratch.CORRECTION, channels));
        }
    }

    /** One block's state of the merge: the count so far and a pair for the run sums. */
    private static final class Block {
        final Pieces sums;
        final double[] pair = new double[2];
        double count;

        Block(Pieces sums) {
            this.sums = sums;
        }
    }

    private void mergePiece(Elements x, boolean centered, int c0, int cb, int n0, int n1, int s0, int s1, Block b,
                            double[] mean) {
        int len = s1 - s0;
        double pieceCount = (double) (n1 - n0) * len;
        Pieces p = b.sums;
        int c1 = c0 + cb;
        java.util.Arrays.fill(p.squares, c0, c1, 0.0);
        java.util.Arrays.fill(p.correction, c0, c1, 0.0);
        if (centered) {
            // One read per piece: the sums run around a shift taken from the piece itself (see RowsKernel).
            int first = rows == null ? n0 : rows.physical(n0);
            for (int c = c0; c < c1; c++) {
                p.center[c] = x.get((first * channels + c) * spatial + s0);
            }
        } else {
            java.util.Arrays.fill(p.center, c0, c1, 0.0);
        }
        if (spatial == 1) {
            forRuns(n0, n1, (row, count) -> x.accumulateDeviations(p.squares, p.correction, p.center, c0,
                    row * channels + c0, channels, count, cb));
        } else {
            for (int n = n0; n < n1; n++) {
                for (int c = c0; c < c1; c++) {
                    x.deviations((n * channels + c) * spatial + s0, len, p.center[c], b.pair);
                    p.squares[c] += b.pair[0];
                    p.correction[c] += b.pair[1];
                }
            }
        }
        double total = b.count + pieceCount;
        double weight = pieceCount / total;
        double spread = b.count * pieceCount / total;
        double[] m2 = p.m2;
        double[] squares = p.squares;
        double[] correction = p.correction;
        double[] center = p.center;
        if (centered) {
            for (int c = c0; c < c1; c++) {
                double pieceM2 = squares[c] - correction[c] * correction[c] / pieceCount;
                double pieceMean = center[c] + correction[c] / pieceCount;
                double delta = pieceMean - mean[c];
                mean[c] += delta * weight;
                m2[c] += pieceM2 + delta * delta * spread;
            }
        } else {
            for (int c = c0; c < c1; c++) {
                m2[c] += squares[c];
            }
        }
        b.count = total;
    }

    /** Normalises the channels of a block with the per-channel mean, scale = rstd·γ and shift = β. */
    void normalize(Elements x, Elements y, int block, Coefficients mean, Coefficients scale, Coefficients shift) {
        int c0 = block * perBlock;
        int cb = Math.min(channels, c0 + perBlock) - c0;
        if (spatial == 1) {
            // The block's channels in all the rows: one call (per run of valid rows), not one per row.
            forRuns(0, batch, (row, count) -> x.normalizeAcross(y, row * channels + c0, channels, count, cb, mean,
                    scale, shift, c0));
            return;
        }
        for (int n = 0; n < batch; n++) {
            for (int c = c0; c < c0 + cb; c++) {
                x.normalizeRun(y, (n * channels + c) * spatial, spatial, mean.d[c], scale.d[c], shift.d[c]);
            }
        }
    }

    /** Pass 1 of the backward: {@code sumG[c] = Σ g}, {@code sumGX[c] = Σ g·(x − mean[c])} over the block. */
    void gradSums(Elements x, Elements g, int block, double[] mean, double[] sumG, double[] sumGX) {
        int c0 = block * perBlock;
        int cb = Math.min(channels, c0 + perBlock) - c0;
        double[] pair = new double[2];
        for (int c = c0; c < c0 + cb; c++) {
            sumG[c] = 0;
            sumGX[c] = 0;
        }
        if (spatial == 1) {
            forRuns(0, batch, (row, count) -> x.accumulateGradAcross(g, row * channels + c0, channels, count, cb,
                    mean, sumG, sumGX, c0));
            return;
        }
        for (int n = 0; n < batch; n++) {
            for (int c = c0; c < c0 + cb; c++) {
                x.gradSums(g, (n * channels + c) * spatial, spatial, mean[c], pair);
                sumG[c] += pair[0];
                sumGX[c] += pair[1];
            }
        }
    }

    /** Pass 2 of the backward: {@code dx = a[c]·g + b[c]·(x − mean[c]) + k[c]} over the block. */
    void gradInput(Elements x, Elements g, Elements dx, int block, Coefficients mean, Coefficients a, Coefficients b,
                   Coefficients k) {
        int c0 = block * perBlock;
        int cb = Math.min(channels, c0 + perBlock) - c0;
        if (spatial == 1) {
            forRuns(0, batch, (row, count) -> x.gradInputAcross(g, dx, row * channels + c0, channels, count, cb,
                    mean, a, b, k, c0));
            return;
        }
        for (int n = 0; n < batch; n++) {
            for (int c = c0; c < c0 + cb; c++) {
                x.gradInputRun(g, dx, (n * channels + c) * spatial, spatial, mean.d[c], a.d[c], b.d[c], k.d[c]);
            }
        }
    }

    /** The channels of block {@code block}: {@code [first, end)}. */
    /** Blocks of whole samples, for normalising with constant statistics: no moments to keep in cache. */
    int sampleBlocks() {
        return (batch + samplesPerBlock() - 1) / samplesPerBlock();
    }

    /**
     * Normalises the samples of sample block {@code block} in memory order. With constant (running) statistics
     * nothing is read twice, so walking channel by channel — which strides across the batch — buys nothing and
     * costs the prefetcher its sequential stream.
     */
    void normalizeSamples(Elements x, Elements y, int block, Coefficients mean, Coefficients scale,
                          Coefficients shift) {
        int n0 = block * samplesPerBlock();
        int n1 = Math.min(batch, n0 + samplesPerBlock());
        if (spatial == 1) {
            forRuns(n0, n1, (row, count) -> x.normalizeAcross(y, row * channels, channels, count, channels, mean,
                    scale, shift, 0));
            return;
        }
        for (int n = n0; n < n1; n++) {
            for (int c = 0; c < channels; c++) {
                x.normalizeRun(y, (n * channels + c) * spatial, spatial, mean.d[c], scale.d[c], shift.d[c]);
            }
        }
    }

    private int samplesPerBlock() {
        return (int) Math.max(1, NormKernel.BLOCK_ELEMENTS / ((long) channels * spatial));
    }

    /**
     * Calls {@code run} with the physical first row and the number of rows of each run of consecutive input rows
     * that holds the kernel's rows {@code [n0, n1)}: one call {@code (n0, n1 − n0)} without valid rows.
     */
    private void forRuns(int n0, int n1, ValidRows.Run run) {
        if (rows == null) {
            run.accept(n0, n1 - n0);
        } else {
            rows.forRuns(n0, n1, run);
        }
    }

    int first(int block) {
        return block * perBlock;
    }

    int end(int block) {
        return Math.min(channels, block * perBlock + perBlock);
    }
}

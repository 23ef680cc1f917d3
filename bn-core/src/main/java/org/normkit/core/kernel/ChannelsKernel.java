package org.normkit.core.kernel;

/**
 * The kernels over BatchNorm's strided {@link Layout.Channels} layout. Work is split into blocks of whole channels;
 * each block computes its channels' moments and then normalises them, so the second read of x often hits the cache.
 * A channel larger than a block (BatchNorm2d over an image batch) is walked plane by plane in memory order instead
 * ({@link #streams}): the moments' pieces, then the normalisation, each a pass of its own over x.
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

        /**
         * Over the calling thread's scratch, for the {@link #planePieceCount} pieces of the streaming passes (the
         * center, squares and correction arrays only).
         */
        static Pieces ofPlanes(KernelScratch scratch, int pieces) {
            return new Pieces(null, scratch.doubles(KernelScratch.CENTER, pieces),
                    scratch.doubles(KernelScratch.SQUARES, pieces), scratch.doubles(KernelScratch.CORRECTION, pieces));
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

    // ***** the streaming passes: planes in memory order *****

    /**
     * Whether the training passes walk x plane by plane in memory order ({@link #planeBlocks}) rather than channel by
     * channel: when a channel's N·S elements do not fit one block (BatchNorm2d over (32, 64, 56, 56): 100,352 per
     * channel, a block of one channel whose 32 planes lie 0.8 MB apart). Walking a channel's planes one after the
     * other restarts the memory stream every plane, and at 12.5 KB planes that read x at about a third of the speed of
     * a sequential read (docs/performance.md, "Two threads (eleventh session)"); so the moments, the normalisation and
     * the backward's two passes each stream x in memory order, at the cost of reading x from memory in the second
     * pass too (the floor's 3 passes) rather than from the cache.
     */
    boolean streams() {
        return rows == null && spatial > 1 && (long) batch * spatial > NormKernel.BLOCK_ELEMENTS;
    }

    /** Planes (one sample's one channel: S contiguous elements) per streaming block. */
    private int planesPerBlock() {
        return Math.max(1, NormKernel.BLOCK_ELEMENTS / spatial);
    }

    /** Blocks of consecutive planes, in memory order, for the streaming passes. */
    int planeBlocks() {
        int planes = batch * channels;
        return (planes + planesPerBlock() - 1) / planesPerBlock();
    }

    /** Moment pieces per plane: pieces of at most {@link NormKernel#CHUNK} elements. */
    private int piecesPerPlane() {
        return (spatial + NormKernel.CHUNK - 1) / NormKernel.CHUNK;
    }

    /** Moment pieces of the whole input: {@code piecesPerPlane} per plane, indexed {@code plane·piecesPerPlane + k}. */
    int planePieceCount() {
        return batch * channels * piecesPerPlane();
    }

    /**
     * The sums of every piece of the planes of streaming block {@code block}: for piece k of plane p, around a shift
     * taken from the piece (its first element; 0 uncentered), Σd² into {@code sums.squares} and Σd into
     * {@code sums.correction}, the shift into {@code sums.center}. The pieces are those of {@link #moments} (pieces
     * of CHUNK elements of one plane when S exceeds CHUNK), so {@link #mergePlanePieces} gives its bits.
     */
    void planePieces(Elements x, boolean centered, int block, Pieces sums) {
        int per = planesPerBlock();
        int p0 = block * per;
        int p1 = Math.min(batch * channels, p0 + per);
        if (Elements.VECTOR_API && planePiecesInOneWalk(x, centered, p0, p1, sums)) {
            return;
        }
        int pp = piecesPerPlane();
        double[] pair = new double[2];
        for (int p = p0; p < p1; p++) {
            int base = p * spatial;
            for (int k = 0, s0 = 0; s0 < spatial; k++, s0 += NormKernel.CHUNK) {
                int len = Math.min(NormKernel.CHUNK, spatial - s0);
                double center = centered ? x.get(base + s0) : 0.0;
                x.deviations(base + s0, len, center, pair);
                int at = p * pp + k;
                sums.squares[at] = pair[0];
                sums.correction[at] = pair[1];
                sums.center[at] = center;
            }
        }
    }

    /**
     * {@link #planePieces} over planes {@code [p0, p1)} in one method ({@link RunRows#planePieces}: the same bits);
     * false, having done nothing, while its gate is closed.
     */
    private boolean planePiecesInOneWalk(Elements x, boolean centered, int p0, int p1, Pieces sums) {
        if (x instanceof Elements.OfFloat xf) {
            if (!RunRows.PLANE_PIECES_FLOAT32.vectorReady()) {
                return false;
            }
            RunRows.planePieces(xf.data, centered, p0, p1, spatial, sums.squares, sums.correction, sums.center);
            return true;
        }
        if (!RunRows.PLANE_PIECES_FLOAT64.vectorReady()) {
            return false;
        }
        RunRows.planePieces(((Elements.OfDouble) x).data, centered, p0, p1, spatial, sums.squares, sums.correction,
                sums.center);
        return true;
    }

    /**
     * Mean and biased variance of channels {@code [c0, c1)} from {@link #planePieces}' sums: each channel's pieces
     * merged in sample order with Chan et al.'s pairwise update, as {@link #moments} merges them.
     */
    void mergePlanePieces(boolean centered, int c0, int c1, Pieces sums, double[] mean, double[] variance) {
        int pp = piecesPerPlane();
        double m = (double) batch * spatial;
        for (int c = c0; c < c1; c++) {
            double mu = 0;
            double m2 = 0;
            double count = 0;
            for (int n = 0; n < batch; n++) {
                int at = (n * channels + c) * pp;
                for (int k = 0, s0 = 0; s0 < spatial; k++, s0 += NormKernel.CHUNK) {
                    double pieceCount = Math.min(NormKernel.CHUNK, spatial - s0);
                    double total = count + pieceCount;
                    if (centered) {
                        double sq = sums.squares[at + k];
                        double corr = sums.correction[at + k];
                        double pieceM2 = sq - corr * corr / pieceCount;
                        double pieceMean = sums.center[at + k] + corr / pieceCount;
                        double delta = pieceMean - mu;
                        mu += delta * (pieceCount / total);
                        m2 += pieceM2 + delta * delta * (count * pieceCount / total);
                    } else {
                        m2 += sums.squares[at + k];
                    }
                    count = total;
                }
            }
            mean[c] = mu;
            variance[c] = Math.max(0, m2 / m);
        }
    }

    /** Normalises the planes of streaming block {@code block} with the per-channel mean, scale and shift. */
    void normalizePlanes(Elements x, Elements y, int block, Coefficients mean, Coefficients scale,
                         Coefficients shift) {
        int per = planesPerBlock();
        int p0 = block * per;
        int p1 = Math.min(batch * channels, p0 + per);
        for (int p = p0; p < p1; p++) {
            int c = p % channels;
            x.normalizeRun(y, p * spatial, spatial, mean.d[c], scale.d[c], shift.d[c]);
        }
    }

    /**
     * Pass 1 of the backward over the planes of streaming block {@code block}: Σ g and Σ g·(x − mean[c]) of plane p
     * into {@code planeG[p]}, {@code planeGX[p]}.
     */
    void planeGradSums(Elements x, Elements g, int block, double[] mean, double[] planeG, double[] planeGX) {
        int per = planesPerBlock();
        int p0 = block * per;
        int p1 = Math.min(batch * channels, p0 + per);
        double[] pair = new double[2];
        for (int p = p0; p < p1; p++) {
            x.gradSums(g, p * spatial, spatial, mean[p % channels], pair);
            planeG[p] = pair[0];
            planeGX[p] = pair[1];
        }
    }

    /** The channels' sums of {@link #planeGradSums}, added in sample order as {@link #gradSums} adds them. */
    void sumPlaneGrads(double[] planeG, double[] planeGX, double[] sumG, double[] sumGX) {
        for (int c = 0; c < channels; c++) {
            double sg = 0;
            double sgx = 0;
            for (int n = 0, p = c; n < batch; n++, p += channels) {
                sg += planeG[p];
                sgx += planeGX[p];
            }
            sumG[c] = sg;
            sumGX[c] = sgx;
        }
    }

    /** Pass 2 of the backward over the planes of streaming block {@code block}. */
    void gradInputPlanes(Elements x, Elements g, Elements dx, int block, Coefficients mean, Coefficients a,
                         Coefficients b, Coefficients k) {
        int per = planesPerBlock();
        int p0 = block * per;
        int p1 = Math.min(batch * channels, p0 + per);
        for (int p = p0; p < p1; p++) {
            int c = p % channels;
            x.gradInputRun(g, dx, p * spatial, spatial, mean.d[c], a.d[c], b.d[c], k.d[c]);
        }
    }

    int first(int block) {
        return block * perBlock;
    }

    int end(int block) {
        return Math.min(channels, block * perBlock + perBlock);
    }
}

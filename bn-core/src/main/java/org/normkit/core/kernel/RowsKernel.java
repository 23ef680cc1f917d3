package org.normkit.core.kernel;

/**
 * The kernels over the contiguous {@link Layout.Rows} layout (LayerNorm, InstanceNorm, GroupNorm, and plugins' row norms). Work is
 * split into blocks of whole rows; each row's moments are computed and the row normalised right away, while it is
 * in the cache. γ, β are constant over runs of {@code spatial} elements, or change per element when
 * {@code spatial == 1}.
 */
final class RowsKernel {
    private final int rows;
    private final int rowLength;
    private final int groupsPerSample;
    private final int channelsPerGroup;
    private final int spatial;
    private final int perBlock;
    private final int blocks;

    RowsKernel(Layout.Rows layout) {
        this.rows = layout.rows();
        this.rowLength = layout.rowLength();
        this.groupsPerSample = layout.groupsPerSample();
        this.channelsPerGroup = layout.channelsPerGroup();
        this.spatial = layout.spatial();
        this.perBlock = Math.max(1, Math.min(rows, NormKernel.BLOCK_ELEMENTS / rowLength));
        this.blocks = (rows + perBlock - 1) / perBlock;
    }

    int blocks() {
        return blocks;
    }

    int first(int block) {
        return block * perBlock;
    }

    int end(int block) {
        return Math.min(rows, block * perBlock + perBlock);
    }

    /**
     * Mean and biased variance of row {@code r} into {@code meanVariance[0..1]}: pieces of at most
     * {@link NormKernel#CHUNK} elements, each summed once around a shift taken from the piece (Σd, Σd² with
     * d = x − shift), merged with Chan et al.'s pairwise update.
     */
    void rowMoments(Elements x, boolean centered, int r, double[] pair, double[] meanVariance) {
        int off = r * rowLength;
        double count = 0;
        double mean = 0;
        double m2 = 0;
        for (int p0 = 0; p0 < rowLength; p0 += NormKernel.CHUNK) {
            int len = Math.min(NormKernel.CHUNK, rowLength - p0);
            if (centered) {
                // Shifted by one of the piece's own values, the sums need one read: |shift − mean| is at most the
                // piece's range, so the correction pair[1]²/len cannot swamp the squares (see NormKernel).
                double shift = x.get(off + p0);
                x.deviations(off + p0, len, shift, pair);
                double center = shift + pair[1] / len;
                double pieceM2 = pair[0] - pair[1] * pair[1] / len;
                double total = count + len;
                double delta = center - mean;
                mean += delta * (len / total);
                m2 += pieceM2 + delta * delta * (count * len / total);
                count = total;
            } else {
                x.deviations(off + p0, len, 0, pair);
                m2 += pair[0];
            }
        }
        meanVariance[0] = mean;
        meanVariance[1] = Math.max(0, m2 / rowLength);
    }

    /**
     * Whether the training forward of this layout can walk a block's rows in one call
     * ({@link Elements#forwardRows}): γ, β per element of the row and the same for every row (LayerNorm), rows of
     * one moment piece ({@link NormKernel#CHUNK} elements at most).
     */
    boolean forwardInOneWalk() {
        return spatial == 1 && groupsPerSample == 1 && rowLength <= NormKernel.CHUNK;
    }

    /**
     * The training forward of block {@code block} (centered batch statistics) in one walk: each row's mean and rstd
     * into {@code mean}, {@code rstd} and the row normalised into {@code y}, with the bits of {@link #rowMoments},
     * {@code rstd = 1/sqrt(variance + eps)} and {@link #normalizeRow} row by row. Only when {@link #forwardInOneWalk()};
     * returns false, having done nothing, when the walk is not available yet ({@link Elements#forwardRows}).
     */
    boolean forwardBlock(Elements x, Elements y, int block, double eps, Coefficients gamma, Coefficients beta,
                         double[] mean, double[] rstd) {
        return x.forwardRows(y, rowLength, first(block), end(block), eps, gamma, beta, mean, rstd);
    }

    /**
     * Whether the training forward of this layout can walk a block's rows in one call ({@link RunRows#forward}):
     * γ, β constant over runs of {@code spatial > 1} elements (GroupNorm, InstanceNorm over images), the Vector API
     * present.
     */
    boolean forwardInRuns() {
        return spatial > 1 && Elements.VECTOR_API;
    }

    /**
     * The training forward of block {@code block} (centered batch statistics) in one walk ({@link RunRows#forward}):
     * the bits of {@link #rowMoments}, {@code rstd = 1/sqrt(variance + eps)} and {@link #normalizeRow} row by row.
     * Only when {@link #forwardInRuns()}; returns false, having done nothing, while the walk's gate is closed.
     */
    boolean forwardRunsBlock(Elements x, Elements y, int block, double eps, Coefficients gamma, Coefficients beta,
                             double[] mean, double[] rstd) {
        if (x instanceof Elements.OfFloat xf) {
            if (!RunRows.FORWARD_FLOAT32.vectorReady()) {
                return false;
            }
            RunRows.forward(xf.data, ((Elements.OfFloat) y).data, rowLength, first(block), end(block), eps,
                    groupsPerSample, channelsPerGroup, spatial, gamma.d, beta.d, mean, rstd);
            return true;
        }
        if (!RunRows.FORWARD_FLOAT64.vectorReady()) {
            return false;
        }
        RunRows.forward(((Elements.OfDouble) x).data, ((Elements.OfDouble) y).data, rowLength, first(block),
                end(block), eps, groupsPerSample, channelsPerGroup, spatial, gamma.d, beta.d, mean, rstd);
        return true;
    }

    /**
     * The backward of block {@code block} in one walk ({@link RunRows#backward}), for the layouts of
     * {@link #forwardInRuns()} when the row sums are needed: the bits of {@link #rowGradSums} (into
     * {@code partials}' double sums unless null) and, unless {@code dx} is null, {@link #rowGradInput} row by row.
     * Returns false, having done nothing, while the walk's gate is closed.
     */
    boolean backwardRunsBlock(Elements x, Elements g, Elements dx, int block, double[] mean, double[] rstd,
                              Coefficients gamma, AffinePartials partials, boolean fromBatch, boolean centered,
                              double m) {
        double[] sumG = partials == null ? null : partials.sumG;
        double[] sumGXhat = partials == null ? null : partials.sumGXhat;
        if (x instanceof Elements.OfFloat xf) {
            if (!RunRows.BACKWARD_FLOAT32.vectorReady()) {
                return false;
            }
            RunRows.backward(xf.data, ((Elements.OfFloat) g).data, dx == null ? null : ((Elements.OfFloat) dx).data,
                    rowLength, first(block), end(block), groupsPerSample, channelsPerGroup, spatial, mean, rstd,
                    gamma.d, sumG, sumGXhat, fromBatch, centered, m);
            return true;
        }
        if (!RunRows.BACKWARD_FLOAT64.vectorReady()) {
            return false;
        }
        RunRows.backward(((Elements.OfDouble) x).data, ((Elements.OfDouble) g).data,
                dx == null ? null : ((Elements.OfDouble) dx).data, rowLength, first(block), end(block),
                groupsPerSample, channelsPerGroup, spatial, mean, rstd, gamma.d, sumG, sumGXhat, fromBatch, centered,
                m);
        return true;
    }

    /** Normalises row {@code r} with its mean and rstd and applies γ, β. */
    void normalizeRow(Elements x, Elements y, int r, double mean, double rstd, Coefficients gamma,
                      Coefficients beta) {
        int off = r * rowLength;
        int base = (r % groupsPerSample) * channelsPerGroup;
        if (spatial == 1) {
            x.normalizeRow(y, off, rowLength, mean, rstd, gamma, beta, base);
        } else {
            for (int j = 0; j < channelsPerGroup; j++) {
                int a = base + j;
                x.normalizeRun(y, off + j * spatial, spatial, mean, rstd * gamma.d[a], beta.d[a]);
            }
        }
    }

    /**
     * Pass 1 for row {@code r}: {@code out[0] = Σ γ·g}, {@code out[1] = Σ γ·g·(x − mean)}, and, unless
     * {@code partials} is null, the row's contributions to Σ g and Σ g·x̂ per affine index.
     */
    void rowGradSums(Elements x, Elements g, int r, double mean, double rstd, Coefficients gamma,
                     AffinePartials partials, double[] pair, double[] out) {
        int off = r * rowLength;
        int base = (r % groupsPerSample) * channelsPerGroup;
        if (spatial == 1) {
            x.accumulateGradRow(g, off, rowLength, mean, rstd, gamma, partials, base, out);
            if (partials != null) {
                partials.rowDone();
            }
            return;
        }
        double sg = 0;
        double sgx = 0;
        for (int j = 0; j < channelsPerGroup; j++) {
            int a = base + j;
            x.gradSums(g, off + j * spatial, spatial, mean, pair);
            if (partials != null) {
                partials.sumG[a] += pair[0];
                partials.sumGXhat[a] += pair[1] * rstd;
            }
            sg += gamma.d[a] * pair[0];
            sgx += gamma.d[a] * pair[1];
        }
        out[0] = sg;
        out[1] = sgx;
    }

    /**
     * Whether this layout's per-position partials of dγ and dβ are summed by {@link #affineRows} after a block's
     * rows instead of row by row in pass 1: γ per element of the row, the same γ for every row (LayerNorm), and
     * strips available ({@link Elements#affineByStrips()}).
     */
    boolean affineByStrips() {
        return spatial == 1 && groupsPerSample == 1 && Elements.affineByStrips();
    }

    /** The partials of rows {@code [first, end)} into {@code partials} (only when {@link #affineByStrips()}). */
    void affineRows(Elements x, Elements g, int first, int end, double[] mean, double[] rstd,
                    AffinePartials partials) {
        x.accumulateAffineRows(g, rowLength, first, end, mean, rstd, partials);
    }

    /**
     * {@link #rowGradInput} for row {@code r}, then the row sums of row {@code r + 1} (no partials) into {@code out},
     * in one walk (only when {@link #affineByStrips()}: γ the same for every row).
     */
    void rowGradInputThenSums(Elements x, Elements g, Elements dx, int r, double mean, double rstd,
                              Coefficients gamma, double b, double k, double nextMean, double[] out) {
        int off = r * rowLength;
        x.gradInputRowThenSums(g, dx, off, rowLength, mean, rstd, gamma, 0, b, k, off + rowLength, nextMean, out);
    }

    /** Pass 2 for row {@code r}: {@code dx = rstd·γ·g + b·(x − mean) + k}. */
    void rowGradInput(Elements x, Elements g, Elements dx, int r, double mean, double rstd, Coefficients gamma,
                      double b, double k) {
        int off = r * rowLength;
        int base = (r % groupsPerSample) * channelsPerGroup;
        if (spatial == 1) {
            x.gradInputRow(g, dx, off, rowLength, mean, rstd, gamma, base, b, k);
        } else {
            for (int j = 0; j < channelsPerGroup; j++) {
                int a = base + j;
                x.gradInputRun(g, dx, off + j * spatial, spatial, mean, rstd * gamma.d[a], b, k);
            }
        }
    }
}

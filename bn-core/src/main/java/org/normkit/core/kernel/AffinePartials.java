package org.normkit.core.kernel;

/**
 * One block's partial sums of the affine gradients of a rows layout, dβ = Σ g and dγ = Σ g·x̂ per affine index,
 * kept in double. For float32 data the per-row additions go first into float accumulators, which the vector loops
 * update sixteen lanes at a time (the double ones take a widening and twice the operations per element), and are
 * moved into the double sums every {@value #ROWS_PER_FLUSH} rows: each float partial then sums at most that many
 * terms, a relative error of about {@value #ROWS_PER_FLUSH}·2⁻²⁴ of the partial's magnitude in the worst case,
 * below float32's own rounding of the result.
 */
final class AffinePartials {
    static final int ROWS_PER_FLUSH = 16;

    final double[] sumG;
    final double[] sumGXhat;
    /** Float accumulators of the rows since the last flush; null for float64 data. */
    final float[] floatG;
    final float[] floatGXhat;
    private int pending;

    AffinePartials(int affineSize, boolean floatData) {
        sumG = new double[affineSize];
        sumGXhat = new double[affineSize];
        floatG = floatData ? new float[affineSize] : null;
        floatGXhat = floatData ? new float[affineSize] : null;
    }

    /** The affine positions these sums cover. */
    int size() {
        return sumG.length;
    }

    /** Sets every sum to zero, for another block ({@link KernelScratch#partials} hands out the same objects again). */
    void reset() {
        java.util.Arrays.fill(sumG, 0.0);
        java.util.Arrays.fill(sumGXhat, 0.0);
        if (floatG != null) {
            java.util.Arrays.fill(floatG, 0f);
            java.util.Arrays.fill(floatGXhat, 0f);
        }
        pending = 0;
    }

    /** Called after each row: moves the float sums into the double ones every {@value #ROWS_PER_FLUSH} rows. */
    void rowDone() {
        if (floatG != null && ++pending == ROWS_PER_FLUSH) {
            flush();
        }
    }

    /** Moves the float sums into the double ones; call before reading {@link #sumG} and {@link #sumGXhat}. */
    void flush() {
        if (floatG == null) {
            return;
        }
        for (int i = 0; i < floatG.length; i++) {
            sumG[i] += floatG[i];
            sumGXhat[i] += floatGXhat[i];
            floatG[i] = 0;
            floatGXhat[i] = 0;
        }
        pending = 0;
    }
}

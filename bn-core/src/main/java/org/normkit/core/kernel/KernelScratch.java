package org.normkit.core.kernel;

/**
 * The per-set working arrays of one kernel call (variances, scales, the moment pieces' sums, the backward's
 * coefficients), kept per thread and reused from call to call. A call over a small tensor with many sets —
 * BatchNorm over (256, 1024), one set per channel — otherwise allocates about a dozen arrays of one entry per set,
 * which the JVM zeroes, for a few hundred thousand elements of work.
 *
 * <p>Contents are left from the previous call: every user writes an entry before it reads it. Only arrays that stay
 * inside one call come from here; what a call returns (the saved mean and rstd, dγ, dβ) is allocated afresh. The
 * arrays belong to the thread that called the kernel and are handed to the blocks it runs, on whatever thread, each
 * block writing only its own sets. A kernel call does not call another kernel on the same thread, so one set of
 * arrays per thread is enough.
 */
final class KernelScratch {
    /** The named arrays: {@link #doubles}{@code (slot, n)} and {@link #floats}{@code (slot, n)}. */
    static final int VARIANCE = 0;
    static final int SCALE = 1;
    static final int MEAN = 2;
    static final int RUNNING_MEAN = 3;
    static final int RUNNING_VARIANCE = 4;
    static final int M2 = 5;
    static final int CENTER = 6;
    static final int SQUARES = 7;
    static final int CORRECTION = 8;
    static final int SUM_G = 9;
    static final int SUM_GX = 10;
    static final int GRAD_A = 11;
    static final int GRAD_B = 12;
    static final int GRAD_C = 13;
    private static final int SLOTS = 14;

    private static final ThreadLocal<KernelScratch> OF_THREAD = ThreadLocal.withInitial(KernelScratch::new);

    /**
     * Most affine positions × blocks whose {@link AffinePartials} a thread keeps between calls (24 bytes each with
     * float accumulators: 3 MB). A larger backward allocates its partials afresh.
     */
    static final int KEPT_PARTIALS = 1 << 17;

    private final double[][] doubles = new double[SLOTS][];
    private final float[][] floats = new float[SLOTS][];
    private AffinePartials[] partials = new AffinePartials[0];

    private KernelScratch() {
        for (int i = 0; i < SLOTS; i++) {
            doubles[i] = new double[0];
            floats[i] = new float[0];
        }
    }

    /** The calling thread's arrays. */
    static KernelScratch ofThread() {
        return OF_THREAD.get();
    }

    /** The double array of {@code slot}, at least {@code n} long; its contents are whatever the last user left. */
    double[] doubles(int slot, int n) {
        if (doubles[slot].length < n) {
            doubles[slot] = new double[n];
        }
        return doubles[slot];
    }

    /** The float array of {@code slot}, at least {@code n} long; its contents are whatever the last user left. */
    float[] floats(int slot, int n) {
        if (floats[slot].length < n) {
            floats[slot] = new float[n];
        }
        return floats[slot];
    }

    /**
     * One {@link AffinePartials} per block of a rows layout's backward, each block's own (blocks run on any thread,
     * each writing only its own); their contents are whatever the last user left, so a block calls
     * {@link AffinePartials#reset} first. LayerNorm over (32, 128, 768) has 98 blocks of 768 positions: 1.8 MB that a
     * call would otherwise allocate, and the JVM zero, every time.
     */
    AffinePartials[] partials(int blocks, int affineSize, boolean floatData) {
        boolean keep = (long) blocks * affineSize <= KEPT_PARTIALS;
        AffinePartials[] kept = keep && partials.length >= blocks ? partials : new AffinePartials[blocks];
        for (int b = 0; b < blocks; b++) {
            AffinePartials p = kept[b];
            if (p == null || p.size() != affineSize || (p.floatG != null) != floatData) {
                kept[b] = new AffinePartials(affineSize, floatData);
            }
        }
        if (keep) {
            partials = kept;
        }
        return kept;
    }

    /** {@link Coefficients} over the arrays of {@code slot} (the float one only when {@code mirror}). */
    Coefficients coefficients(int slot, int n, boolean mirror) {
        return Coefficients.over(doubles(slot, n), mirror ? floats(slot, n) : null);
    }
}

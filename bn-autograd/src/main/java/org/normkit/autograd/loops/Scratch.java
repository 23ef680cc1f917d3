package org.normkit.autograd.loops;

/**
 * Per-thread work arrays that kernels reuse from call to call instead of allocating (and zeroing) megabytes per
 * step: a convolution's im2col matrix, for one image at a time, is the main user. A caller owns a slot only until it
 * returns; nothing may keep a scratch array past that, and a kernel that uses two at once takes two slots.
 *
 * <p>Memory: each thread keeps the largest array it has asked for in each slot until the thread ends (for LeNet on
 * 28×28 images, well under a megabyte; a 3×3 convolution over 256 channels of 56×56 keeps about 29 MB per slot).
 */
final class Scratch {
    static final int COLUMNS = 0;
    static final int GRADIENT_COLUMNS = 1;
    static final int PADDED = 2;
    /** A product over the wide positions of {@link ShiftedConvolution}, or the output gradient laid out on them. */
    static final int WIDE_OUTPUT = 3;
    /** A block of a transposed operand of {@link Gemm}'s row-block products, copied out contiguously. */
    static final int PRODUCT_ROWS = 4;
    /** The first and the second operand of a strided {@link Gemm} product whose slice netlib would refuse in place. */
    static final int PACKED_A = 5;
    static final int PACKED_B = 6;
    private static final int SLOTS = 7;
    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    private final float[][] floats = new float[SLOTS][0];
    private final double[][] doubles = new double[SLOTS][0];

    private Scratch() {}

    /** A float array of at least {@code length} elements, contents undefined. */
    static float[] floats(int slot, int length) {
        Scratch s = LOCAL.get();
        if (s.floats[slot].length < length) {
            s.floats[slot] = new float[length];
        }
        return s.floats[slot];
    }

    /** A double array of at least {@code length} elements, contents undefined. */
    static double[] doubles(int slot, int length) {
        Scratch s = LOCAL.get();
        if (s.doubles[slot].length < length) {
            s.doubles[slot] = new double[length];
        }
        return s.doubles[slot];
    }
}

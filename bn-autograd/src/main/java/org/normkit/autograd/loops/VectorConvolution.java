package org.normkit.autograd.loops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API loop of {@link DirectConvolution}: one image's output, the {@value DirectConvolution#OUT_CHANNELS}
 * output channels of a position in one vector of 16 float lanes, eight positions of an output row at a time (eight
 * accumulators, so that the fused multiply-adds of a tap do not wait for each other), then the row's last positions one
 * at a time. Lane c of a position's accumulator starts at the bias of channel c and takes one fused multiply-add per
 * tap, in the taps' order (input channel, kernel row, kernel column), exactly as {@link DirectConvolution}'s scalar
 * loop does with {@link Math#fma}; so both give the same bits.
 *
 * <p>The taps are one flat loop over a table of their offsets in the image: with the channel, kernel-row and
 * kernel-column loops nested, Java 17's C2 kept the accumulators in registers only when the inner two had constant
 * trip counts, and boxed them otherwise (6.5 ms an image batch instead of 0.33 ms; twelfth session).
 *
 * <p>Only {@link DirectConvolution} (once its gate is open, on a JVM whose preferred float vector has 16 lanes) and the
 * gate's warm-up call this class; without the Vector API module it is never loaded.
 */
final class VectorConvolution {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_512;

    private VectorConvolution() {}

    /** Whether this JVM's preferred float vector is the 16 lanes this loop uses. */
    static boolean fitsThisMachine() {
        return FloatVector.SPECIES_PREFERRED.length() == DirectConvolution.OUT_CHANNELS;
    }

    /**
     * out[outAt + c·outH·outW + oh·outW + ow] = bias[c] + Σ taps, for one image starting at x[xAt] with rows inW long;
     * {@code offsets[t]} is tap t's offset from a position's top-left input, {@code wT} holds the weights tap-major
     * (t · 16 + c), {@code bias} 16 values (zeros for none), {@code staged} at least 8 · 16 floats of work space.
     */
    static void image(float[] x, int xAt, int inW, int[] offsets, float[] wT, float[] bias, float[] out, int outAt,
                      int outH, int outW, float[] staged) {
        final int lanes = DirectConvolution.OUT_CHANNELS;
        final int taps = offsets.length;
        final int outPlane = outH * outW;
        FloatVector b = FloatVector.fromArray(SPECIES, bias, 0);
        for (int oh = 0; oh < outH; oh++) {
            int ow = 0;
            for (; ow + 8 <= outW; ow += 8) {
                FloatVector a0 = b, a1 = b, a2 = b, a3 = b, a4 = b, a5 = b, a6 = b, a7 = b;
                int corner = xAt + oh * inW + ow;
                for (int t = 0; t < taps; t++) {
                    FloatVector w = FloatVector.fromArray(SPECIES, wT, t * lanes);
                    int at = corner + offsets[t];
                    a0 = w.fma(FloatVector.broadcast(SPECIES, x[at]), a0);
                    a1 = w.fma(FloatVector.broadcast(SPECIES, x[at + 1]), a1);
                    a2 = w.fma(FloatVector.broadcast(SPECIES, x[at + 2]), a2);
                    a3 = w.fma(FloatVector.broadcast(SPECIES, x[at + 3]), a3);
                    a4 = w.fma(FloatVector.broadcast(SPECIES, x[at + 4]), a4);
                    a5 = w.fma(FloatVector.broadcast(SPECIES, x[at + 5]), a5);
                    a6 = w.fma(FloatVector.broadcast(SPECIES, x[at + 6]), a6);
                    a7 = w.fma(FloatVector.broadcast(SPECIES, x[at + 7]), a7);
                }
                a0.intoArray(staged, 0);
                a1.intoArray(staged, lanes);
                a2.intoArray(staged, 2 * lanes);
                a3.intoArray(staged, 3 * lanes);
                a4.intoArray(staged, 4 * lanes);
                a5.intoArray(staged, 5 * lanes);
                a6.intoArray(staged, 6 * lanes);
                a7.intoArray(staged, 7 * lanes);
                int to = outAt + oh * outW + ow;
                for (int c = 0; c < lanes; c++) {
                    int o = to + c * outPlane;
                    for (int j = 0; j < 8; j++) {
                        out[o + j] = staged[j * lanes + c];
                    }
                }
            }
            for (; ow < outW; ow++) {
                position(x, xAt + oh * inW + ow, offsets, wT, bias, out, outAt + oh * outW + ow, outPlane, staged);
            }
        }
    }

    /** One position of a row's tail, its 16 channels to out[outAt + c·outPlane]. */
    private static void position(float[] x, int corner, int[] offsets, float[] wT, float[] bias, float[] out,
                                 int outAt, int outPlane, float[] staged) {
        final int lanes = DirectConvolution.OUT_CHANNELS;
        FloatVector a = FloatVector.fromArray(SPECIES, bias, 0);
        for (int t = 0; t < offsets.length; t++) {
            a = FloatVector.fromArray(SPECIES, wT, t * lanes).fma(FloatVector.broadcast(SPECIES, x[corner + offsets[t]]),
                    a);
        }
        a.intoArray(staged, 0);
        for (int c = 0; c < lanes; c++) {
            out[outAt + c * outPlane] = staged[c];
        }
    }
}

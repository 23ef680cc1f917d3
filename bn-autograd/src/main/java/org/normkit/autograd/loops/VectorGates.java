package org.normkit.autograd.loops;

import java.util.List;
import java.util.SplittableRandom;

import org.normkit.autograd.loops.BroadcastLayout.Kind;
import org.normkit.autograd.loops.VectorWarmUp.Gate;

/**
 * autograd's vector loops, each behind its {@link Gate}, with the warm-up work that compiles it: the loop on small
 * arrays, vector and scalar, over every branch the kernels take (a tensor or a single value on either side, a scalar
 * tail after the vectors), so that C2's code from this profile serves the real calls.
 *
 * <p>The arrays: {@value #LENGTH} elements, more than a few vectors of any width and not a multiple of one, so both the
 * vector body and the scalar tail run; the values half positive in no order (a ReLU's input), spread over
 * exp's range and past both ends of it, with a NaN.
 */
final class VectorGates {
    static final int LENGTH = 259;

    private static final float[] X = values(1);
    private static final float[] Y = values(2);
    private static final float[] OUT = new float[LENGTH];
    private static final float[] MASK = new float[LENGTH];
    private static final float[] ZERO = {0f};

    static final Gate GREATER = VectorWarmUp.gate("greater",
            () -> {
                VectorLoops.greater(X, 0, 1, Y, 0, 1, OUT, 0, LENGTH);
                VectorLoops.greater(X, 0, 1, Y, 5, 0, OUT, 0, LENGTH);
                VectorLoops.greater(X, 5, 0, Y, 0, 1, OUT, 0, LENGTH);
            },
            () -> {
                Elementwise.block(Elementwise.Op.GREATER, Kind.VV, X, 0, Y, 0, OUT, 0, LENGTH);
                Elementwise.block(Elementwise.Op.GREATER, Kind.VS, X, 0, Y, 5, OUT, 0, LENGTH);
                Elementwise.block(Elementwise.Op.GREATER, Kind.SV, X, 5, Y, 0, OUT, 0, LENGTH);
            });

    static final Gate SELECT = VectorWarmUp.gate("where",
            () -> {
                VectorLoops.select(X, Y, 1, ZERO, 0, OUT, MASK, LENGTH);
                VectorLoops.select(X, Y, 1, Y, 1, OUT, MASK, LENGTH);
                VectorLoops.select(X, Y, 0, Y, 1, OUT, MASK, LENGTH);
                VectorLoops.select(X, Y, 0, Y, 0, OUT, MASK, LENGTH);
            },
            () -> {
                Elementwise.selectLoop(X, 1, Y, 1, ZERO, 0, OUT, MASK, LENGTH);
                Elementwise.selectLoop(X, 1, Y, 1, Y, 1, OUT, MASK, LENGTH);
                Elementwise.selectLoop(X, 1, Y, 0, Y, 1, OUT, MASK, LENGTH);
                Elementwise.selectLoop(X, 1, Y, 0, Y, 0, OUT, MASK, LENGTH);
            });

    static final Gate ADD_INTO = VectorWarmUp.gate("addInto",
            () -> VectorLoops.addInto(X, 3, OUT, 1, LENGTH - 3),
            () -> Elementwise.scalarAddInto(X, 3, OUT, 1, LENGTH - 3));

    static final Gate EXP = VectorWarmUp.gate("exp",
            () -> VectorExp.exp(X, OUT, 1, LENGTH),
            () -> FloatExp.exp(X, OUT, 1, LENGTH));

    static final Gate SIGMOID = VectorWarmUp.gate("sigmoid",
            () -> VectorExp.sigmoid(X, OUT, 1, LENGTH),
            () -> FloatExp.sigmoid(X, OUT, 1, LENGTH));

    // LeNet's second convolution's loop on two channels of 6 x 13 and a 3 x 3 kernel: a row of eight positions and
    // a tail of three. Its weights are tap-major (tap · 16 + channel), as DirectConvolution lays them out.
    private static final int CONV_CHANNELS = 2;
    private static final int CONV_H = 6;
    private static final int CONV_W = 13;
    private static final int CONV_KERNEL = 3;
    private static final float[] CONV_WEIGHTS = values(3, CONV_CHANNELS * CONV_KERNEL * CONV_KERNEL
            * DirectConvolution.OUT_CHANNELS);
    private static final float[] CONV_BIAS = values(4, DirectConvolution.OUT_CHANNELS);
    private static final float[] CONV_OUT = new float[DirectConvolution.OUT_CHANNELS * (CONV_H - CONV_KERNEL + 1)
            * (CONV_W - CONV_KERNEL + 1)];
    private static final float[] CONV_STAGED = new float[8 * DirectConvolution.OUT_CHANNELS];
    private static final int[] CONV_OFFSETS = DirectConvolution.offsets(CONV_CHANNELS, CONV_H * CONV_W, CONV_W,
            CONV_KERNEL);

    static final Gate DIRECT_CONVOLUTION = VectorWarmUp.gate("directConvolution",
            () -> VectorConvolution.image(X, 0, CONV_W, CONV_OFFSETS, CONV_WEIGHTS, CONV_BIAS, CONV_OUT, 0,
                    CONV_H - CONV_KERNEL + 1, CONV_W - CONV_KERNEL + 1, CONV_STAGED),
            () -> DirectConvolution.image(X, 0, CONV_W, CONV_OFFSETS, CONV_WEIGHTS, CONV_BIAS, CONV_OUT, 0,
                    CONV_H - CONV_KERNEL + 1, CONV_W - CONV_KERNEL + 1));

    /** Every gate this JVM can use: the direct convolution's only where its 16-lane loop fits the machine. */
    static final List<Gate> ALL = Elementwise.VECTOR_API && VectorConvolution.fitsThisMachine()
            ? List.of(GREATER, SELECT, ADD_INTO, EXP, SIGMOID, DIRECT_CONVOLUTION)
            : List.of(GREATER, SELECT, ADD_INTO, EXP, SIGMOID);

    private VectorGates() {}

    private static float[] values(long seed) {
        return values(seed, LENGTH);
    }

    private static float[] values(long seed, int length) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = (float) random.nextDouble(-100, 100);
        }
        v[7] = Float.NaN;
        return v;
    }
}

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

    static final List<Gate> ALL = List.of(GREATER, SELECT, ADD_INTO, EXP, SIGMOID);

    private VectorGates() {}

    private static float[] values(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            v[i] = (float) random.nextDouble(-100, 100);
        }
        v[7] = Float.NaN;
        return v;
    }
}

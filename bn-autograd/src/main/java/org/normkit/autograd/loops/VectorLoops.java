package org.normkit.autograd.loops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 loops that the JIT does not vectorise by itself, written with the Vector API; each gives the bits of its
 * scalar loop.
 * <ul>
 *   <li>{@code greater} and {@code where}: a compare and a blend per lane, no branch. The scalar loops branch on
 *       every element, and on a ReLU's input, half positive in no order, the branch predictor guesses wrong half the
 *       time: 2.7 ns per element for {@code where} over a 128×256 activation, against well under one here.</li>
 *   <li>{@code addInto}: {@code dst[to + i] += src[from + i]} between two arrays at unrelated offsets, which the JIT
 *       leaves scalar since it cannot rule out that they overlap (col2im, {@link ShiftedConvolution}).</li>
 * </ul>
 *
 * <p>Only {@link Elementwise} (once each loop's {@link VectorGates gate} is open) and the gates' warm-up call this
 * class, and only when the JVM has the Vector API module ({@code Elementwise.VECTOR_API}); otherwise it is never
 * loaded and the scalar loops run.
 */
final class VectorLoops {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private VectorLoops() {}

    /**
     * {@code o[oi + i] = x > y ? 1 : 0} for i below n, where x is {@code x[xi + i]}, or the one value {@code x[xi]}
     * when {@code xStride} is 0, and likewise y.
     */
    static void greater(float[] x, int xi, int xStride, float[] y, int yi, int yStride, float[] o, int oi, int n) {
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector xs = FloatVector.broadcast(SPECIES, x[xi]);
        FloatVector ys = FloatVector.broadcast(SPECIES, y[yi]);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += SPECIES.length()) {
            FloatVector a = xStride == 0 ? xs : FloatVector.fromArray(SPECIES, x, xi + i);
            FloatVector b = yStride == 0 ? ys : FloatVector.fromArray(SPECIES, y, yi + i);
            zero.blend(one, a.compare(VectorOperators.GT, b)).intoArray(o, oi + i);
        }
        for (; i < n; i++) {
            o[oi + i] = x[xi + i * xStride] > y[yi + i * yStride] ? 1 : 0;
        }
    }

    /** {@code dst[to + i] += src[from + i]} for i below n; the two ranges must not overlap. */
    static void addInto(float[] src, int from, float[] dst, int to, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, dst, to + i).add(FloatVector.fromArray(SPECIES, src, from + i))
                    .intoArray(dst, to + i);
        }
        for (; i < n; i++) {
            dst[to + i] += src[from + i];
        }
    }

    /**
     * {@code o[i] = c != 0 ? x : y} and {@code m[i] = c != 0 ? 1 : 0} for i below n, c being {@code c[i]} and x
     * {@code x[i]}, or the one value {@code x[0]} when {@code xStride} is 0, and likewise y.
     */
    static void select(float[] c, float[] x, int xStride, float[] y, int yStride, float[] o, float[] m, int n) {
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector xs = FloatVector.broadcast(SPECIES, x[0]);
        FloatVector ys = FloatVector.broadcast(SPECIES, y[0]);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += SPECIES.length()) {
            VectorMask<Float> take = FloatVector.fromArray(SPECIES, c, i).compare(VectorOperators.NE, 0f);
            FloatVector a = xStride == 0 ? xs : FloatVector.fromArray(SPECIES, x, i);
            FloatVector b = yStride == 0 ? ys : FloatVector.fromArray(SPECIES, y, i);
            b.blend(a, take).intoArray(o, i);
            zero.blend(one, take).intoArray(m, i);
        }
        for (; i < n; i++) {
            boolean t = c[i] != 0;
            o[i] = t ? x[i * xStride] : y[i * yStride];
            m[i] = t ? 1 : 0;
        }
    }
}

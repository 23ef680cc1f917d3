package org.normkit.autograd.loops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 e^x and the logistic function over arrays with the Vector API: the sigmoid LeNet spends most of its
 * elementwise time here, and the vector loop is tens of times faster than a loop of {@code Math.exp}.
 *
 * <p>Why not {@code lanewise(EXP)}: its result depends on whether the JIT has compiled the loop yet (a vectorised
 * math stub when compiled, {@code Math.exp} per lane before), so the same seed gave different losses in two runs. This
 * class computes {@link FloatExp}'s polynomial with lanewise multiply and add only, which IEEE 754 defines exactly,
 * so every path — interpreted, compiled, vector body, scalar tail, and the scalar loops used without the vector
 * module — gives the same bits.
 *
 * <p>Only {@link Elementwise} (once the loop's {@link VectorGates gate} is open) and the gates' warm-up call this
 * class, and only when the JVM was started with {@code --add-modules=jdk.incubator.vector}
 * ({@code Elementwise.VECTOR_API}); otherwise it is never loaded.
 */
final class VectorExp {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private VectorExp() {}

    // Why the polynomial is written out in both loops instead of a helper exp(FloatVector): Java 17's C2 turns
    // vectors into registers only when every method that takes or returns one is inlined into the loop. C2 also
    // compiles a hot helper on its own, and once that compiled code is large it no longer inlines it into callers
    // compiled later ("already compiled into a big method"): the loop then passes boxed vectors to a real call,
    // and its intoArray falls back to Java code (no constant vector class). Which of the two happened depended on
    // the order the compiler thread got to them, so a JVM ran LeNet's first sigmoid (128x6x24x24) in either 0.35 or
    // 0.9-1.0 ms a call, for its whole life (docs/training-throughput.md, eleventh session). Each loop is also
    // longer than C2 inlines into a caller (325 bytes of bytecode), so it is compiled as its own unit.

    /** {@code o[i] = e^a[i]} for i in [from, to). */
    static void exp(float[] a, float[] o, int from, int to) {
        int i = from;
        for (int bound = from + SPECIES.loopBound(to - from); i < bound; i += SPECIES.length()) {
            // FloatExp.exp lane by lane.
            FloatVector x = FloatVector.fromArray(SPECIES, a, i);
            FloatVector clamped = x.max(FloatExp.LOW).min(FloatExp.HIGH);
            FloatVector shifted = clamped.mul(FloatExp.LOG2E).add(FloatExp.ROUNDER);
            FloatVector k = shifted.sub(FloatExp.ROUNDER);
            FloatVector r = clamped.sub(k.mul(FloatExp.LN2_HI)).sub(k.mul(FloatExp.LN2_LO));
            FloatVector p = r.mul(FloatExp.P0).add(FloatExp.P1);
            p = p.mul(r).add(FloatExp.P2);
            p = p.mul(r).add(FloatExp.P3);
            p = p.mul(r).add(FloatExp.P4);
            p = p.mul(r).add(FloatExp.P5);
            p = p.mul(r.mul(r)).add(r).add(1f);
            IntVector exponent = shifted.reinterpretAsInts().sub(FloatExp.ROUNDER_BITS).add(126)
                    .lanewise(VectorOperators.LSHL, 23);
            FloatVector result = p.add(p).mul(exponent.reinterpretAsFloats());
            VectorMask<Float> over = x.compare(VectorOperators.GT, FloatExp.HIGH);
            VectorMask<Float> under = x.compare(VectorOperators.LT, FloatExp.LOW);
            VectorMask<Float> nan = x.compare(VectorOperators.NE, x);
            result.blend(Float.POSITIVE_INFINITY, over).blend(0f, under).blend(x, nan).intoArray(o, i);
        }
        for (; i < to; i++) {
            o[i] = FloatExp.exp(a[i]);
        }
    }

    /** 1 / (1 + e^(−x)) for i in [from, to); saturates to exactly 0 and 1 like the scalar loop. */
    static void sigmoid(float[] a, float[] o, int from, int to) {
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        int i = from;
        for (int bound = from + SPECIES.loopBound(to - from); i < bound; i += SPECIES.length()) {
            // e^(−x) as in exp above, then 1 / (1 + e^(−x)).
            FloatVector x = FloatVector.fromArray(SPECIES, a, i).neg();
            FloatVector clamped = x.max(FloatExp.LOW).min(FloatExp.HIGH);
            FloatVector shifted = clamped.mul(FloatExp.LOG2E).add(FloatExp.ROUNDER);
            FloatVector k = shifted.sub(FloatExp.ROUNDER);
            FloatVector r = clamped.sub(k.mul(FloatExp.LN2_HI)).sub(k.mul(FloatExp.LN2_LO));
            FloatVector p = r.mul(FloatExp.P0).add(FloatExp.P1);
            p = p.mul(r).add(FloatExp.P2);
            p = p.mul(r).add(FloatExp.P3);
            p = p.mul(r).add(FloatExp.P4);
            p = p.mul(r).add(FloatExp.P5);
            p = p.mul(r.mul(r)).add(r).add(1f);
            IntVector exponent = shifted.reinterpretAsInts().sub(FloatExp.ROUNDER_BITS).add(126)
                    .lanewise(VectorOperators.LSHL, 23);
            FloatVector e = p.add(p).mul(exponent.reinterpretAsFloats());
            VectorMask<Float> over = x.compare(VectorOperators.GT, FloatExp.HIGH);
            VectorMask<Float> under = x.compare(VectorOperators.LT, FloatExp.LOW);
            VectorMask<Float> nan = x.compare(VectorOperators.NE, x);
            e = e.blend(Float.POSITIVE_INFINITY, over).blend(0f, under).blend(x, nan);
            one.div(e.add(1f)).intoArray(o, i);
        }
        for (; i < to; i++) {
            o[i] = FloatExp.sigmoid(a[i]);
        }
    }
}

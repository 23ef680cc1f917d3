package org.normkit.autograd.loops;

/**
 * e^x for float32 in a way that gives the same bits on every path: range reduction x = k·ln2 + r with |r| ≤ ln2/2
 * (k rounded by the 1.5·2^23 trick, ln2 split in two so k·ln2 is exact), the degree-7 polynomial of Cephes'
 * {@code expf} (Moshier) for e^r, and 2^k put together from its bits. Only multiply, add and subtract are used, which
 * IEEE 754 defines exactly, so {@link VectorExp}'s lanes, this scalar version, the interpreter and the JIT agree to
 * the bit. Accuracy: within 2 ulp of the correctly rounded float (tested against {@code Math.exp}). Inputs below −86
 * give 0 (an absolute error under 5e-38: e^−86 is near the bottom of the normal floats), above 88.72283 infinity;
 * NaN stays NaN.
 */
final class FloatExp {
    static final float LOW = -86f;
    static final float HIGH = 88.72283f;
    static final float LOG2E = 1.44269504088896341f;
    static final float ROUNDER = 12582912f;
    static final int ROUNDER_BITS = 0x4B400000;
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    static final float P0 = 1.9875691500e-4f;
    static final float P1 = 1.3981999507e-3f;
    static final float P2 = 8.3334519073e-3f;
    static final float P3 = 4.1665795894e-2f;
    static final float P4 = 1.6666665459e-1f;
    static final float P5 = 5.0000001201e-1f;

    private FloatExp() {}

    static float exp(float x) {
        if (x != x) {
            return x;
        }
        if (x > HIGH) {
            return Float.POSITIVE_INFINITY;
        }
        if (x < LOW) {
            return 0f;
        }
        float shifted = x * LOG2E + ROUNDER;
        float k = shifted - ROUNDER;
        float r = x - k * LN2_HI - k * LN2_LO;
        float p = r * P0 + P1;
        p = p * r + P2;
        p = p * r + P3;
        p = p * r + P4;
        p = p * r + P5;
        p = p * (r * r) + r + 1f;
        // 2^(k−1) then doubling p: k reaches 128 at the top of the range, where 2^k itself is not a float.
        float twoToKMinusOne = Float.intBitsToFloat((Float.floatToRawIntBits(shifted) - ROUNDER_BITS + 126) << 23);
        return (p + p) * twoToKMinusOne;
    }

    static float sigmoid(float x) {
        return 1f / (1f + exp(-x));
    }

    /** {@code o[i] = e^a[i]} for i in [from, to): the scalar twin of {@code VectorExp.exp} over an array. */
    static void exp(float[] a, float[] o, int from, int to) {
        for (int i = from; i < to; i++) {
            o[i] = exp(a[i]);
        }
    }

    /** The logistic function over [from, to): the scalar twin of {@link VectorExp#sigmoid}. */
    static void sigmoid(float[] a, float[] o, int from, int to) {
        for (int i = from; i < to; i++) {
            o[i] = sigmoid(a[i]);
        }
    }
}

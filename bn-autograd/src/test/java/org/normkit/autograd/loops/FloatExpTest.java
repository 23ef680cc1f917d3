package org.normkit.autograd.loops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class FloatExpTest {

    @Test
    void expIsWithinTwoUlpOfTheCorrectlyRoundedFloat() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            float x = (float) (random.nextDouble() * 174.7 - 86.0);
            float exact = (float) Math.exp(x);
            float ours = FloatExp.exp(x);
            assertTrue(Math.abs(ours - exact) <= 2 * Math.ulp(exact), "exp(" + x + "): " + ours + " vs " + exact);
        }
    }

    @Test
    void expSaturatesAndKeepsNaN() {
        assertEquals(Float.POSITIVE_INFINITY, FloatExp.exp(89f));
        assertEquals(0f, FloatExp.exp(-200f));
        assertTrue(Float.isNaN(FloatExp.exp(Float.NaN)));
        assertEquals(1f, FloatExp.exp(0f));
        assertEquals(0f, FloatExp.sigmoid(-1000f));
        assertEquals(1f, FloatExp.sigmoid(1000f));
    }

    /** The vector loop computes the same polynomial, so it agrees with the scalar one to the bit, tail included. */
    @Test
    void vectorLoopGivesTheScalarBits() {
        SplittableRandom random = new SplittableRandom(3);
        int n = 1031;
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (random.nextDouble() * 200 - 100);
        }
        a[5] = Float.NaN;
        a[6] = 88.72283f;
        float[] vector = new float[n];
        float[] sigmoid = new float[n];
        for (int repeat = 0; repeat < 2000; repeat++) { // long enough for the JIT to compile the loop
            VectorExp.exp(a, vector, 0, n);
            VectorExp.sigmoid(a, sigmoid, 0, n);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToIntBits(FloatExp.exp(a[i])), Float.floatToIntBits(vector[i]), "exp at " + a[i]);
            assertEquals(Float.floatToIntBits(FloatExp.sigmoid(a[i])), Float.floatToIntBits(sigmoid[i]),
                    "sigmoid at " + a[i]);
        }
    }
}

package org.normkit.autograd.loops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.ops.Masks;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * The attention's per-head float32 products ({@link HeadProducts}): every element is the fused multiply-add chain
 * over k in order, in the scalar loop and in the vector loop alike (so when the gate opens changes no bit), strides,
 * offsets and a transposed A are read as {@link Gemm}'s strided call reads them, and nothing outside C's block is
 * written.
 */
class HeadProductsTest {
    /** The definition, element by element: acc = fma(a(i, p), b(p, j), acc) for p = 0..k−1 from 0, then alpha·acc. */
    private static float element(boolean transA, int i, int j, int k, float alpha, float[] a, int aOffset, int lda,
                                 float[] b, int bOffset, int ldb) {
        float acc = 0;
        for (int p = 0; p < k; p++) {
            float av = transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
            acc = Math.fma(av, b[bOffset + p * ldb + j], acc);
        }
        return alpha == 1 ? acc : alpha * acc;
    }

    private static float[] values(SplittableRandom random, int length) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    /** One case: shapes, strides one to three wider than the matrices, offsets; C filled with a sentinel. */
    private record Case(boolean transA, int m, int n, int k, float alpha, int aOffset, int lda, int bOffset, int ldb,
                        int cOffset, int ldc, float[] a, float[] b) {
        static Case random(SplittableRandom random, float[] specials) {
            boolean transA = random.nextBoolean();
            int m = 1 + random.nextInt(10);
            int n = 1 + random.nextInt(40);
            int k = 1 + random.nextInt(30);
            float alpha = new float[] {1f, 0.25f, 0.3f}[random.nextInt(3)];
            int lda = (transA ? m : k) + random.nextInt(3);
            int ldb = n + random.nextInt(3);
            int ldc = n + random.nextInt(3);
            int aOffset = random.nextInt(5);
            int bOffset = random.nextInt(5);
            int cOffset = random.nextInt(5);
            float[] a = values(random, aOffset + (transA ? k : m) * lda);
            float[] b = values(random, bOffset + k * ldb);
            for (float special : specials) {
                a[random.nextInt(a.length)] = special;
                b[random.nextInt(b.length)] = special;
            }
            return new Case(transA, m, n, k, alpha, aOffset, lda, bOffset, ldb, cOffset, ldc, a, b);
        }

        float[] run(boolean vector) {
            float[] c = new float[cOffset + m * ldc + 3];
            java.util.Arrays.fill(c, -7.5f);
            HeadProducts.product(vector, transA, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
            return c;
        }

        void assertIsTheDefinition(float[] c, String path) {
            for (int at = 0; at < c.length; at++) {
                int i = (at - cOffset) / ldc;
                int j = (at - cOffset) % ldc;
                boolean inside = at >= cOffset && i < m && j < n;
                float expected = inside
                        ? element(transA, i, j, k, alpha, a, aOffset, lda, b, bOffset, ldb) : -7.5f;
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(c[at]),
                        path + ": " + this + " at " + at + (inside ? " (C[" + i + ", " + j + "])" : " (outside C)"));
            }
        }

        @Override
        public String toString() {
            return "transA " + transA + ", m " + m + ", n " + n + ", k " + k + ", alpha " + alpha + ", lda " + lda
                    + ", ldb " + ldb + ", ldc " + ldc;
        }
    }

    @Nested
    class EveryElementIsTheFusedChain {
        @Test
        void inTheScalarLoopWithStridesOffsetsAndATransposedA() {
            SplittableRandom random = new SplittableRandom(11);
            for (int trial = 0; trial < 300; trial++) {
                Case c = Case.random(random, new float[0]);
                c.assertIsTheDefinition(c.run(false), "scalar");
            }
        }

        @Test
        void inTheVectorLoopAndItsScalarTail() {
            assumeTrue(Elementwise.VECTOR_API, "the Vector API module is not in this JVM");
            SplittableRandom random = new SplittableRandom(12);
            for (int trial = 0; trial < 300; trial++) {
                Case c = Case.random(random, new float[0]);
                c.assertIsTheDefinition(c.run(true), "vector");
            }
        }

        @Test
        void withNaNInfinitiesSignedZerosAndSubnormalsOnBothPaths() {
            float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f,
                Float.MIN_VALUE, -Float.MIN_NORMAL / 3, Float.MAX_VALUE};
            SplittableRandom random = new SplittableRandom(13);
            for (int trial = 0; trial < 200; trial++) {
                Case c = Case.random(random, specials);
                c.assertIsTheDefinition(c.run(false), "scalar");
                if (Elementwise.VECTOR_API) {
                    c.assertIsTheDefinition(c.run(true), "vector");
                }
            }
        }
    }

    @Test
    void theChainIsTheProductToFloatPrecision() {
        // The definition itself against the product in double: what the attention's products must compute.
        SplittableRandom random = new SplittableRandom(14);
        for (int trial = 0; trial < 100; trial++) {
            Case c = Case.random(random, new float[0]);
            float[] out = c.run(HeadProducts.vectorReady());
            for (int i = 0; i < c.m(); i++) {
                for (int j = 0; j < c.n(); j++) {
                    double exact = 0;
                    double magnitude = 0;
                    for (int p = 0; p < c.k(); p++) {
                        double av = c.transA()
                                ? c.a()[c.aOffset() + p * c.lda() + i] : c.a()[c.aOffset() + i * c.lda() + p];
                        double term = av * c.b()[c.bOffset() + p * c.ldb() + j];
                        exact += term;
                        magnitude += Math.abs(term);
                    }
                    exact *= c.alpha();
                    double bound = (c.k() + 1) * Math.ulp(1f) * magnitude * Math.abs(c.alpha()) + Float.MIN_NORMAL;
                    float got = out[c.cOffset() + i * c.ldc() + j];
                    assertTrue(Math.abs(got - exact) <= bound, c + ": C[" + i + ", " + j + "] = " + got
                            + ", the product in double " + exact);
                }
            }
        }
    }

    @Test
    void aTransposedOperandIsPaddedWithZeroColumns() {
        float[] source = {1, 2, 3, 99, 4, 5, 6, 99}; // 2 × 3 at stride 4
        float[] into = new float[3 * 5];
        java.util.Arrays.fill(into, Float.NaN);
        HeadProducts.transpose(source, 0, 4, 2, 3, into, 5);
        assertArrayEquals(new float[] {1, 4, 0, 0, 0, 2, 5, 0, 0, 0, 3, 6, 0, 0, 0}, into);
    }

    /**
     * The fused attention's float32 forward and backward with the products' vector gate held closed and held open:
     * the same bits, so a training run does not depend on when the JIT compiled the vector loop.
     */
    @Test
    void theAttentionGivesTheSameBitsWhetherTheGateIsOpenOrNot() {
        assumeTrue(Elementwise.VECTOR_API, "the Vector API module is not in this JVM");
        SplittableRandom random = new SplittableRandom(15);
        int batch = 3;
        int steps = 29;
        int width = 64;
        Tensor qkv = Tensor.of(values(random, batch * steps * 3 * width), batch, steps, 3 * width);
        Tensor grad = Tensor.of(values(random, batch * steps * width), batch, steps, width);
        Tensor keep = Masks.attention(Masks.padding(new int[] {29, 17, 1}, steps, DType.FLOAT32), true);
        AttentionLoops.Keep flags = AttentionLoops.Keep.of(keep, Shape.of(batch, 4, steps, steps));
        float[][] results = new float[2][];
        try {
            for (int open = 0; open < 2; open++) {
                HeadProducts.GATE.force(open == 1);
                Tensor p = AttentionLoops.probabilities(qkv, 4, 0.25, flags, Masks.MASKED_SCORE);
                Tensor context = AttentionLoops.context(p, qkv, 4);
                Tensor dx = AttentionLoops.backward(grad, p, qkv, 4, 0.25, flags);
                float[] pc = p.toFloatArray();
                float[] cc = context.toFloatArray();
                float[] dc = dx.toFloatArray();
                float[] all = new float[pc.length + cc.length + dc.length];
                System.arraycopy(pc, 0, all, 0, pc.length);
                System.arraycopy(cc, 0, all, pc.length, cc.length);
                System.arraycopy(dc, 0, all, pc.length + cc.length, dc.length);
                results[open] = all;
            }
        } finally {
            HeadProducts.GATE.release(false);
        }
        assertArrayEquals(results[0], results[1]);
    }
}

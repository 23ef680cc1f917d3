package org.normkit.autograd.loops;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link HeadProducts}' vector loop: the columns of C in whole vectors, four rows at a time, each row's accumulator
 * in a register through the k fused multiply-adds (four independent chains hide the FMA's latency, and each row of B
 * is loaded once for the four). Loaded only when the JVM has the Vector API module ({@code Elementwise.VECTOR_API}).
 */
final class VectorHeadProducts {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private VectorHeadProducts() {}

    static int lanes() {
        return SPECIES.length();
    }

    /** Columns [0, {@code columns}) of {@link HeadProducts#product}; {@code columns}: a multiple of {@link #lanes}. */
    static void product(boolean transA, int m, int columns, int k, float alpha, float[] a, int aOffset, int lda,
                        float[] b, int bOffset, int ldb, float[] c, int cOffset, int ldc) {
        int lanes = SPECIES.length();
        int rowStep = transA ? 1 : lda;
        int depthStep = transA ? lda : 1;
        for (int j = 0; j < columns; j += lanes) {
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                FloatVector c0 = FloatVector.zero(SPECIES);
                FloatVector c1 = c0;
                FloatVector c2 = c0;
                FloatVector c3 = c0;
                int a0 = aOffset + i * rowStep;
                for (int p = 0; p < k; p++) {
                    FloatVector bv = FloatVector.fromArray(SPECIES, b, bOffset + p * ldb + j);
                    int ap = a0 + p * depthStep;
                    c0 = FloatVector.broadcast(SPECIES, a[ap]).fma(bv, c0);
                    c1 = FloatVector.broadcast(SPECIES, a[ap + rowStep]).fma(bv, c1);
                    c2 = FloatVector.broadcast(SPECIES, a[ap + 2 * rowStep]).fma(bv, c2);
                    c3 = FloatVector.broadcast(SPECIES, a[ap + 3 * rowStep]).fma(bv, c3);
                }
                int ci = cOffset + i * ldc + j;
                store(c0, alpha, c, ci);
                store(c1, alpha, c, ci + ldc);
                store(c2, alpha, c, ci + 2 * ldc);
                store(c3, alpha, c, ci + 3 * ldc);
            }
            for (; i < m; i++) {
                FloatVector acc = FloatVector.zero(SPECIES);
                int ai = aOffset + i * rowStep;
                for (int p = 0; p < k; p++) {
                    FloatVector bv = FloatVector.fromArray(SPECIES, b, bOffset + p * ldb + j);
                    acc = FloatVector.broadcast(SPECIES, a[ai + p * depthStep]).fma(bv, acc);
                }
                store(acc, alpha, c, cOffset + i * ldc + j);
            }
        }
    }

    private static void store(FloatVector acc, float alpha, float[] c, int at) {
        (alpha == 1 ? acc : acc.mul(alpha)).intoArray(c, at);
    }
}

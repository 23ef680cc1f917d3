package org.normkit.autograd.loops;

/**
 * The attention's per-head float32 products in Java: {@code C = alpha·op(A)·B} for the small matrices of one
 * (sequence, head), read and written in place with row strides, as {@link Gemm}'s strided call takes them.
 *
 * <p>Why not BLAS: the image transformer's heads are 28 × 16 and 28 × 28 matrices, and each of its attention layers
 * made 768 BLAS calls a training step (two products per (sequence, head) forward, four backward, 32 sequences ×
 * 4 heads) of about 12,500 multiply-adds each; through netlib's JNI and OpenBLAS's interface a call cost about
 * 0.8 µs, several times the arithmetic (a profile of the step put 23 % of its Java samples in those calls).
 *
 * <p>The arithmetic, one definition on every path: each element of C is the chain {@code acc = fma(a(i, p), b(p, j),
 * acc)} over p = 0, 1, …, k − 1 from {@code acc = 0}, then {@code alpha·acc} (skipped when alpha is 1). The vector
 * loop ({@link VectorHeadProducts}, behind its {@link VectorWarmUp} gate) runs that chain in each lane, the scalar loop
 * with {@link Math#fma}; both round each fused multiply-add once, so both give the same bits, and when the gate opens
 * changes the speed only. The bits are not BLAS's (whose order of the k terms is its own), so the fused attention's
 * float32 results now agree with its composition ({@code Attention.composed}, BLAS's batched products) to float
 * precision, no longer to the bit. float64 keeps BLAS: the exact reference of the parity runs stays as it was.
 */
final class HeadProducts {
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);
    /** The scratch slots: a transposed operand, and a product laid out on padded rows. */
    static final int TRANSPOSED = 0;
    static final int PRODUCT = 1;

    private static final float[] WARM_A = values(1, 6 * 40);
    private static final float[] WARM_B = values(2, 40 * 37);
    private static final float[] WARM_C = new float[6 * 40];

    /**
     * The gate of the vector loop; its warm-up work covers both layouts of A, a row block of four and the rows after
     * it, alpha 1 and not, on 37 columns (vectors and a scalar tail at any width up to 32 lanes).
     */
    static final VectorWarmUp.Gate GATE = VectorWarmUp.gate("headProducts",
            () -> {
                product(true, false, 6, 37, 5, 1, WARM_A, 0, 40, WARM_B, 0, 37, WARM_C, 0, 40);
                product(true, true, 5, 37, 6, 0.25f, WARM_A, 0, 40, WARM_B, 0, 37, WARM_C, 0, 40);
            },
            () -> {
                product(false, false, 6, 37, 5, 1, WARM_A, 0, 40, WARM_B, 0, 37, WARM_C, 0, 40);
                product(false, true, 5, 37, 6, 0.25f, WARM_A, 0, 40, WARM_B, 0, 37, WARM_C, 0, 40);
            });

    private HeadProducts() {}

    /**
     * {@code C[m×n] = alpha·op(A)·B}: op(A) is m×k, stored m×k with row stride {@code lda} or, when {@code transA},
     * k×m with row stride {@code lda}; B is k×n with row stride {@code ldb}; C is written (not accumulated) with row
     * stride {@code ldc}. Each at its offset.
     */
    static void product(boolean transA, int m, int n, int k, float alpha, float[] a, int aOffset, int lda,
                        float[] b, int bOffset, int ldb, float[] c, int cOffset, int ldc) {
        product(vectorReady(), transA, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
    }

    /** Whether the vector loop may run now (the Vector API module is there and the gate is open): asked once a call. */
    static boolean vectorReady() {
        return Elementwise.VECTOR_API && GATE.vectorReady();
    }

    /**
     * {@link #product} through the vector loop (the columns in whole vectors, the rest scalar) or the scalar loop;
     * {@code vector} is {@link #vectorReady()}, asked once for many products.
     */
    static void product(boolean vector, boolean transA, int m, int n, int k, float alpha, float[] a, int aOffset,
                        int lda, float[] b, int bOffset, int ldb, float[] c, int cOffset, int ldc) {
        int vectorColumns = 0;
        if (vector) {
            vectorColumns = n - n % VectorHeadProducts.lanes();
            VectorHeadProducts.product(transA, m, vectorColumns, k, alpha, a, aOffset, lda, b, bOffset, ldb,
                    c, cOffset, ldc);
        }
        if (vectorColumns < n) {
            scalarProduct(transA, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, vectorColumns);
        }
    }

    /**
     * Columns [{@code from}, n) of {@link #product} in scalar code, the loop the products run while the vector gate is
     * still closed: eight columns of a row at a time, each column's chain in a local of its own (eight independent
     * chains keep the FMA unit busy), then the columns left one by one.
     */
    static void scalarProduct(boolean transA, int m, int n, int k, float alpha, float[] a, int aOffset, int lda,
                              float[] b, int bOffset, int ldb, float[] c, int cOffset, int ldc, int from) {
        int rowStep = transA ? 1 : lda;
        int depthStep = transA ? lda : 1;
        for (int i = 0; i < m; i++) {
            int ai = aOffset + i * rowStep;
            int ci = cOffset + i * ldc;
            int j = from;
            for (; j + 8 <= n; j += 8) {
                float c0 = 0;
                float c1 = 0;
                float c2 = 0;
                float c3 = 0;
                float c4 = 0;
                float c5 = 0;
                float c6 = 0;
                float c7 = 0;
                for (int p = 0; p < k; p++) {
                    float av = a[ai + p * depthStep];
                    int bp = bOffset + p * ldb + j;
                    c0 = Math.fma(av, b[bp], c0);
                    c1 = Math.fma(av, b[bp + 1], c1);
                    c2 = Math.fma(av, b[bp + 2], c2);
                    c3 = Math.fma(av, b[bp + 3], c3);
                    c4 = Math.fma(av, b[bp + 4], c4);
                    c5 = Math.fma(av, b[bp + 5], c5);
                    c6 = Math.fma(av, b[bp + 6], c6);
                    c7 = Math.fma(av, b[bp + 7], c7);
                }
                c[ci + j] = scaled(alpha, c0);
                c[ci + j + 1] = scaled(alpha, c1);
                c[ci + j + 2] = scaled(alpha, c2);
                c[ci + j + 3] = scaled(alpha, c3);
                c[ci + j + 4] = scaled(alpha, c4);
                c[ci + j + 5] = scaled(alpha, c5);
                c[ci + j + 6] = scaled(alpha, c6);
                c[ci + j + 7] = scaled(alpha, c7);
            }
            for (; j < n; j++) {
                float acc = 0;
                for (int p = 0; p < k; p++) {
                    acc = Math.fma(a[ai + p * depthStep], b[bOffset + p * ldb + j], acc);
                }
                c[ci + j] = scaled(alpha, acc);
            }
        }
    }

    private static float scaled(float alpha, float acc) {
        return alpha == 1 ? acc : alpha * acc;
    }

    /**
     * The rows × columns matrix at {@code offset} (row stride {@code stride}) transposed into {@code into}: columns ×
     * {@code width} with row stride {@code width} ≥ rows, zeros in its columns from {@code rows} on.
     */
    static void transpose(float[] source, int offset, int stride, int rows, int columns, float[] into, int width) {
        for (int q = 0; q < columns; q++) {
            int to = q * width;
            for (int r = 0; r < rows; r++) {
                into[to + r] = source[offset + r * stride + q];
            }
            for (int r = rows; r < width; r++) {
                into[to + r] = 0;
            }
        }
    }

    /**
     * The row stride the attention gives a T-column product it lays out in scratch: T rounded up to whole vectors,
     * so that the vector loop covers every column (the padding columns are products with zero columns, never read).
     */
    static int paddedWidth(int columns) {
        if (!Elementwise.VECTOR_API) {
            return columns;
        }
        int lanes = VectorHeadProducts.lanes();
        return (columns + lanes - 1) / lanes * lanes;
    }

    /** A float array of this thread's scratch slot, at least {@code length} long, contents undefined. */
    static float[] scratch(int slot, int length) {
        float[][] slots = SCRATCH.get();
        if (slots[slot].length < length) {
            slots[slot] = new float[length];
        }
        return slots[slot];
    }

    private static float[] values(long seed, int length) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = (float) random.nextDouble(-2, 2);
        }
        return v;
    }
}

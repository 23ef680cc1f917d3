package org.normkit.autograd.ops;

import dev.ludovic.netlib.blas.BLAS;

/**
 * Row-major matrix products through netlib's BLAS (the Java/Vector-API implementation, or the system's native BLAS
 * when it loads), the library Spark MLlib uses. BLAS is column-major: a row-major M×K matrix is its K×M transpose
 * in column-major order, so {@code C = op(A)·op(B)} is computed as {@code Cᵀ = op(B)ᵀ·op(A)ᵀ} with no copies.
 */
public final class Gemm {
    private static final BLAS BLAS_INSTANCE = BLAS.getInstance();

    private Gemm() {}

    /** The BLAS implementation in use, for reports. */
    public static String implementation() {
        return BLAS_INSTANCE.getClass().getSimpleName();
    }

    /**
     * {@code C[M×N] = op(A)·op(B) + beta·C}, all row-major, each at its offset. op(A) is M×K: A is stored M×K, or
     * K×M when {@code transA}. op(B) is K×N: B is stored K×N, or N×K when {@code transB}.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                             float[] a, int aOffset, float[] b, int bOffset, float beta, float[] c, int cOffset) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            scale(c, cOffset, m * n, beta);
            return;
        }
        BLAS_INSTANCE.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, 1.0f,
                b, bOffset, transB ? k : n, a, aOffset, transA ? m : k, beta, c, cOffset, n);
    }

    /** The float64 twin of {@link #sgemm}. */
    public static void dgemm(boolean transA, boolean transB, int m, int n, int k,
                             double[] a, int aOffset, double[] b, int bOffset, double beta, double[] c, int cOffset) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            for (int i = 0; i < m * n; i++) {
                c[cOffset + i] *= beta;
            }
            return;
        }
        BLAS_INSTANCE.dgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, 1.0,
                b, bOffset, transB ? k : n, a, aOffset, transA ? m : k, beta, c, cOffset, n);
    }

    private static void scale(float[] c, int offset, int length, float beta) {
        for (int i = 0; i < length; i++) {
            c[offset + i] *= beta;
        }
    }
}

package org.normkit.autograd.loops;

import dev.ludovic.netlib.blas.BLAS;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/**
 * Row-major matrix products through netlib's BLAS ({@code dev.ludovic.netlib:blas}, the library Spark MLlib uses).
 * BLAS is column-major: a row-major M×K matrix is its K×M transpose in column-major order, so
 * {@code C = op(A)·op(B)} is computed as {@code Cᵀ = op(B)ᵀ·op(A)ᵀ} with no copies.
 *
 * <h2>Which implementation runs</h2>
 * {@code BLAS.getInstance()} decides once per JVM, in this order (netlib 3.0.3's {@code InstanceBuilder}):
 * <ol>
 *   <li><b>JNIBLAS</b>, the system's native BLAS. Its JNI shim ({@code libnetlibblasjni.so}, shipped inside the jar
 *       for Linux x86-64 and aarch64, copied to a temporary file and loaded) {@code dlopen}s {@code libblas.so.3}
 *       (override the name with {@code -Ddev.ludovic.netlib.blas.nativeLib=...} or the full path with
 *       {@code -Ddev.ludovic.netlib.blas.nativeLibPath=...}). On Debian that name is an alternative pointing to
 *       OpenBLAS when {@code libopenblas0-pthread} is installed (as on our machines), else to the reference BLAS of
 *       {@code libblas3}. Loading also needs {@code net.sourceforge.f2j:arpack_combined_all} on the class path
 *       (a transitive dependency of netlib: the shim looks up its {@code org.netlib.util} classes); a shaded jar
 *       that drops it silently falls back to Java. OpenBLAS's pthread build uses every core unless
 *       {@code OPENBLAS_NUM_THREADS} says otherwise.</li>
 *   <li>Otherwise <b>VectorBLAS</b> (Java 16+, the Vector API) when the JVM runs with
 *       {@code --add-modules=jdk.incubator.vector} (surefire's argLine and {@code ./normkit} pass it); measured 7–9×
 *       slower than single-threaded OpenBLAS on LeNet's conv shapes (6×784×25: 22 µs against 2.5 µs).</li>
 *   <li>Otherwise <b>Java11BLAS</b>, plain Java loops (Java8BLAS before Java 11).</li>
 * </ol>
 * Each fallback logs one {@code java.util.logging} warning, "Failed to load implementation from: ...".
 * {@link #implementation()} names the one in use, for reports. All of them compute the same products up to
 * summation order; the tests run the row-major mapping through each Java implementation against a naive loop.
 */
public final class Gemm {
    private static final BLAS BLAS_INSTANCE = BLAS.getInstance();

    private Gemm() {}

    /** The BLAS implementation in use ({@code JNIBLAS}, {@code VectorBLAS}, {@code Java11BLAS}), for reports. */
    public static String implementation() {
        return BLAS_INSTANCE.getClass().getSimpleName();
    }

    /**
     * {@code C[M×N] = op(A)·op(B) + beta·C}, all row-major, each at its offset. op(A) is M×K: A is stored M×K, or
     * K×M when {@code transA}. op(B) is K×N: B is stored K×N, or N×K when {@code transB}.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                             float[] a, int aOffset, float[] b, int bOffset, float beta, float[] c, int cOffset) {
        sgemm(BLAS_INSTANCE, transA, transB, m, n, k, a, aOffset, b, bOffset, beta, c, cOffset);
    }

    /** The float64 twin of {@link #sgemm}. */
    public static void dgemm(boolean transA, boolean transB, int m, int n, int k,
                             double[] a, int aOffset, double[] b, int bOffset, double beta, double[] c, int cOffset) {
        dgemm(BLAS_INSTANCE, transA, transB, m, n, k, a, aOffset, b, bOffset, beta, c, cOffset);
    }

    /**
     * {@code out[b] (+)= op(a[b])·op(c[b])} for each batch entry; an operand or output without batch dimensions is
     * shared by every entry, and a shared output accumulates.
     */
    public static void batched(boolean transA, boolean transB, Tensor a, Tensor b, Tensor out,
                                int m, int n, int k, int batches) {
        int aStride = a.rank() == 2 ? 0 : m * k;
        int bStride = b.rank() == 2 ? 0 : k * n;
        int oStride = out.rank() == 2 ? 0 : m * n;
        for (int i = 0; i < batches; i++) {
            boolean accumulate = oStride == 0 && i > 0;
            if (out.dtype() == DType.FLOAT32) {
                sgemm(transA, transB, m, n, k, a.floatData(), i * aStride, b.floatData(), i * bStride,
                        accumulate ? 1f : 0f, out.floatData(), i * oStride);
            } else {
                dgemm(transA, transB, m, n, k, a.doubleData(), i * aStride, b.doubleData(), i * bStride,
                        accumulate ? 1.0 : 0.0, out.doubleData(), i * oStride);
            }
        }
    }

    /** {@link #sgemm} through a given implementation (the tests run every one). */
    static void sgemm(BLAS blas, boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOffset, float[] b, int bOffset, float beta, float[] c, int cOffset) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            // BLAS would still scale C; do it here, since some implementations reject a zero leading dimension.
            for (int i = 0; i < m * n; i++) {
                c[cOffset + i] = beta == 0 ? 0 : beta * c[cOffset + i];
            }
            return;
        }
        blas.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, 1.0f,
                b, bOffset, transB ? k : n, a, aOffset, transA ? m : k, beta, c, cOffset, n);
    }

    static void dgemm(BLAS blas, boolean transA, boolean transB, int m, int n, int k,
                      double[] a, int aOffset, double[] b, int bOffset, double beta, double[] c, int cOffset) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            for (int i = 0; i < m * n; i++) {
                c[cOffset + i] = beta == 0 ? 0 : beta * c[cOffset + i];
            }
            return;
        }
        blas.dgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, 1.0,
                b, bOffset, transB ? k : n, a, aOffset, transA ? m : k, beta, c, cOffset, n);
    }
}

package org.normkit.core.kernel;

import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/**
 * The innermost loops of the kernel family, over a tensor's flat storage: a few segment operations (sums,
 * squared deviations, normalise, gradient sums, gradient of the input), each written once for {@code double[]} and
 * once for {@code float[]} (the two classes below are the same text with the element type changed: edit both).
 * Every sum accumulates in double. Elementwise loops (normalise, input gradient) compute in the tensor's own type,
 * with coefficients prepared in double and rounded once ({@link Coefficients}): the JIT vectorises float loops but
 * not float-to-double conversions, and a float32 result is rounded to float anyway.
 *
 * <p>"Run" methods work on {@code len} contiguous elements that share their statistics and affine values;
 * "Across" methods on contiguous elements with one parameter each (BatchNorm with one spatial position, where the
 * contiguous direction is the channel); "Row" methods on a row whose γ, β change per element (LayerNorm). Reductions
 * keep four partial sums, which breaks the dependency chain of the additions; the order is fixed, so results are
 * reproducible. With the Vector API module, the sums over contiguous elements (both dtypes; C2 keeps a floating-point
 * reduction scalar, since vectorising it reorders the additions) and the float32 per-channel accumulations of the
 * "Across" methods run a vector at a time ({@link VectorReductions}).
 */
abstract class Elements {
    /**
     * Whether the JVM has the Vector API module, decided here and not in {@link VectorReductions}, which cannot even
     * be loaded without it. With it, the float32 sums run there.
     *
     * <p>Not final, only so that {@code ScalarLoopsTest} can run the scalar loops in a JVM that has the module: a
     * child JVM without it ({@code WithoutVectorModuleTest}) runs them too, but mutation testing sees only this JVM.
     * Nothing else writes it. The read costs one field load per loop call, not per element.
     */
    static boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    static Elements of(Tensor t) {
        return t.dtype() == DType.FLOAT32 ? new F32(t.floatData()) : new F64(t.doubleData());
    }

    // ***** moments *****

    /** The element at {@code i}, in double: the shift of a one-pass moment computation. */
    abstract double get(int i);

    /** Σ x over {@code [off, off + len)}. */
    abstract double sum(int off, int len);

    /** {@code out[0] = Σ (x − center)²}, {@code out[1] = Σ (x − center)} over {@code [off, off + len)}. */
    abstract void deviations(int off, int len, double center, double[] out);

    /**
     * Down {@code rows} rows {@code stride} apart, for {@code i < len}: {@code m2[a + i] += (x[at] − center[a + i])²},
     * {@code corr[a + i] += x[at] − center[a + i]} with {@code at = off + n·stride + i}.
     */
    abstract void accumulateDeviations(double[] m2, double[] corr, double[] center, int a, int off, int stride,
                                       int rows, int len);

    // ***** forward *****

    /** {@code y = (x − mean)·scale + shift} over a run. */
    abstract void normalizeRun(Elements out, int off, int len, double mean, double scale, double shift);

    /** {@code y[off + i] = (x[off + i] − mean[a + i])·scale[a + i] + shift[a + i]}. */
    abstract void normalizeAcross(Elements out, int off, int len, Coefficients mean, Coefficients scale,
                                  Coefficients shift, int a);

    /** {@code y[off + i] = (x[off + i] − mean)·rstd·gamma[a + i] + beta[a + i]}. */
    abstract void normalizeRow(Elements out, int off, int len, double mean, double rstd, Coefficients gamma,
                               Coefficients beta, int a);

    // ***** backward, pass 1: sums over the sets *****

    /** {@code out[0] = Σ g}, {@code out[1] = Σ g·(x − mean)} over a run. */
    abstract void gradSums(Elements grad, int off, int len, double mean, double[] out);

    /**
     * Down {@code rows} rows {@code stride} apart, for {@code i < len}: {@code sumG[a + i] += g[at]},
     * {@code sumGX[a + i] += g[at]·(x[at] − mean[a + i])} with {@code at = off + n·stride + i}.
     */
    abstract void accumulateGradAcross(Elements grad, int off, int stride, int rows, int len, double[] mean,
                                       double[] sumG, double[] sumGX, int a);

    /**
     * Over a row with per-element γ: {@code out[0] = Σ γ·g}, {@code out[1] = Σ γ·g·(x − mean)}, and, unless
     * {@code partials} is null, adds g and g·(x − mean)·rstd into its sums at {@code a + i}.
     */
    abstract void accumulateGradRow(Elements grad, int off, int len, double mean, double rstd, Coefficients gamma,
                                    AffinePartials partials, int a, double[] out);

    // ***** backward, pass 2: the input gradient *****

    /** {@code dx = a·g + b·(x − mean) + c} over a run. */
    abstract void gradInputRun(Elements grad, Elements gradInput, int off, int len, double mean, double a, double b,
                               double c);

    /** {@code dx = a[p + i]·g + b[p + i]·(x − mean[p + i]) + c[p + i]}. */
    abstract void gradInputAcross(Elements grad, Elements gradInput, int off, int len, Coefficients mean,
                                  Coefficients a, Coefficients b, Coefficients c, int p);

    /** {@code dx = rstd·gamma[p + i]·g + b·(x − mean) + c}. */
    abstract void gradInputRow(Elements grad, Elements gradInput, int off, int len, double mean, double rstd,
                               Coefficients gamma, int p, double b, double c);

    /** The inner loops over {@code double[]} storage. */
    static final class F64 extends Elements {
        final double[] data;

        F64(double[] data) {
            this.data = data;
        }

        @Override
        double get(int i) {
            return data[i];
        }

        @Override
        double sum(int off, int len) {
            if (VECTOR_API) {
                return VectorReductions.sum(data, off, len);
            }
            final double[] x = data;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int i = off;
            final int end = off + len;
            for (final int end4 = off + (len & ~3); i < end4; i += 4) {
                s0 += x[i];
                s1 += x[i + 1];
                s2 += x[i + 2];
                s3 += x[i + 3];
            }
            for (; i < end; i++) {
                s0 += x[i];
            }
            return (s0 + s1) + (s2 + s3);
        }

        @Override
        void deviations(int off, int len, double center, double[] out) {
            if (VECTOR_API) {
                VectorReductions.deviations(data, off, len, center, out);
                return;
            }
            final double[] x = data;
            double q0 = 0, q1 = 0, q2 = 0, q3 = 0, d0 = 0, d1 = 0, d2 = 0, d3 = 0;
            int i = off;
            final int end = off + len;
            for (final int end4 = off + (len & ~3); i < end4; i += 4) {
                double v0 = x[i] - center, v1 = x[i + 1] - center, v2 = x[i + 2] - center, v3 = x[i + 3] - center;
                q0 += v0 * v0;
                q1 += v1 * v1;
                q2 += v2 * v2;
                q3 += v3 * v3;
                d0 += v0;
                d1 += v1;
                d2 += v2;
                d3 += v3;
            }
            for (; i < end; i++) {
                double v = x[i] - center;
                q0 += v * v;
                d0 += v;
            }
            out[0] = (q0 + q1) + (q2 + q3);
            out[1] = (d0 + d1) + (d2 + d3);
        }

        @Override
        void accumulateDeviations(double[] m2, double[] corr, double[] center, int a, int off, int stride,
                                  int rows, int len) {
            if (VECTOR_API) {
                VectorReductions.accumulateDeviations(data, m2, corr, center, a, off, stride, rows, len);
                return;
            }
            final double[] x = data;
            for (int n = 0; n < rows; n++) {
                for (int i = 0, at = off + n * stride; i < len; i++) {
                    double v = x[at + i] - center[a + i];
                    m2[a + i] += v * v;
                    corr[a + i] += v;
                }
            }
        }

        @Override
        void normalizeRun(Elements out, int off, int len, double mean, double scale, double shift) {
            final double[] x = data;
            final double[] y = ((F64) out).data;
            final double m = mean, sc = scale, sh = shift;
            for (int i = off, end = off + len; i < end; i++) {
                y[i] = (x[i] - m) * sc + sh;
            }
        }

        @Override
        void normalizeAcross(Elements out, int off, int len, Coefficients mean, Coefficients scale,
                             Coefficients shift, int a) {
            if (VECTOR_API && VectorLoopGates.NORMALIZE_ACROSS_F64.vectorReady()) {
                VectorLoops.normalizeAcross(data, ((F64) out).data, off, len, mean.d, scale.d, shift.d, a);
                return;
            }
            final double[] x = data;
            final double[] y = ((F64) out).data;
            final double[] m = mean.d, sc = scale.d, sh = shift.d;
            for (int i = 0; i < len; i++) {
                y[off + i] = (x[off + i] - m[a + i]) * sc[a + i] + sh[a + i];
            }
        }

        @Override
        void normalizeRow(Elements out, int off, int len, double mean, double rstd, Coefficients gamma,
                          Coefficients beta, int a) {
            if (VECTOR_API && VectorLoopGates.NORMALIZE_ROW_F64.vectorReady()) {
                VectorLoops.normalizeRow(data, ((F64) out).data, off, len, mean, rstd, gamma.d, beta.d, a);
                return;
            }
            final double[] x = data;
            final double[] y = ((F64) out).data;
            final double[] ga = gamma.d, be = beta.d;
            final double m = mean, r = rstd;
            for (int i = 0; i < len; i++) {
                y[off + i] = (x[off + i] - m) * r * ga[a + i] + be[a + i];
            }
        }

        @Override
        void gradSums(Elements grad, int off, int len, double mean, double[] out) {
            if (VECTOR_API) {
                VectorReductions.gradSums(data, ((F64) grad).data, off, len, mean, out);
                return;
            }
            final double[] x = data;
            final double[] g = ((F64) grad).data;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0, p0 = 0, p1 = 0, p2 = 0, p3 = 0;
            int i = off;
            final int end = off + len;
            for (final int end4 = off + (len & ~3); i < end4; i += 4) {
                double g0 = g[i], g1 = g[i + 1], g2 = g[i + 2], g3 = g[i + 3];
                s0 += g0;
                s1 += g1;
                s2 += g2;
                s3 += g3;
                p0 += g0 * (x[i] - mean);
                p1 += g1 * (x[i + 1] - mean);
                p2 += g2 * (x[i + 2] - mean);
                p3 += g3 * (x[i + 3] - mean);
            }
            for (; i < end; i++) {
                s0 += g[i];
                p0 += g[i] * (x[i] - mean);
            }
            out[0] = (s0 + s1) + (s2 + s3);
            out[1] = (p0 + p1) + (p2 + p3);
        }

        @Override
        void accumulateGradAcross(Elements grad, int off, int stride, int rows, int len, double[] mean,
                                  double[] sumG, double[] sumGX, int a) {
            if (VECTOR_API) {
                VectorReductions.accumulateGradAcross(data, ((F64) grad).data, off, stride, rows, len, mean, sumG,
                        sumGX, a);
                return;
            }
            final double[] x = data;
            final double[] g = ((F64) grad).data;
            for (int n = 0; n < rows; n++) {
                for (int i = 0, at = off + n * stride; i < len; i++) {
                    double gi = g[at + i];
                    sumG[a + i] += gi;
                    sumGX[a + i] += gi * (x[at + i] - mean[a + i]);
                }
            }
        }

        @Override
        void accumulateGradRow(Elements grad, int off, int len, double mean, double rstd, Coefficients gammas,
                               AffinePartials partials, int a, double[] out) {
            final double[] gamma = gammas.d;
            final double[] sumG = partials == null ? null : partials.sumG;
            final double[] sumGXhat = partials == null ? null : partials.sumGXhat;
            if (VECTOR_API) {
                VectorReductions.accumulateGradRow(data, ((F64) grad).data, off, len, mean, rstd, gamma, sumG,
                        sumGXhat, a, out);
                return;
            }
            final double[] x = data;
            final double[] g = ((F64) grad).data;
            double sg = 0, sgx = 0;
            if (sumG == null) {
                for (int i = 0; i < len; i++) {
                    double gi = g[off + i] * gamma[a + i];
                    sg += gi;
                    sgx += gi * (x[off + i] - mean);
                }
            } else {
                for (int i = 0; i < len; i++) {
                    double gi = g[off + i];
                    double centered = x[off + i] - mean;
                    sumG[a + i] += gi;
                    sumGXhat[a + i] += gi * centered * rstd;
                    double scaled = gi * gamma[a + i];
                    sg += scaled;
                    sgx += scaled * centered;
                }
            }
            out[0] = sg;
            out[1] = sgx;
        }

        @Override
        void gradInputRun(Elements grad, Elements gradInput, int off, int len, double mean, double a, double b,
                          double c) {
            final double[] x = data;
            final double[] g = ((F64) grad).data;
            final double[] dx = ((F64) gradInput).data;
            final double m = mean, ka = a, kb = b, kc = c;
            for (int i = off, end = off + len; i < end; i++) {
                dx[i] = ka * g[i] + kb * (x[i] - m) + kc;
            }
        }

        @Override
        void gradInputAcross(Elements grad, Elements gradInput, int off, int len, Coefficients mean, Coefficients a,
                             Coefficients b, Coefficients c, int p) {
            if (VECTOR_API && VectorLoopGates.GRAD_INPUT_ACROSS_F64.vectorReady()) {
                VectorLoops.gradInputAcross(data, ((F64) grad).data, ((F64) gradInput).data, off,
                        len, mean.d, a.d, b.d, c.d, p);
                return;
            }
            final double[] x = data;
            final double[] g = ((F64) grad).data;
            final double[] dx = ((F64) gradInput).data;
            final double[] m = mean.d, ka = a.d, kb = b.d, kc = c.d;
            for (int i = 0; i < len; i++) {
                dx[off + i] = ka[p + i] * g[off + i] + kb[p + i] * (x[off + i] - m[p + i]) + kc[p + i];
            }
        }

        @Override
        void gradInputRow(Elements grad, Elements gradInput, int off, int len, double mean, double rstd,
                          Coefficients gamma, int p, double b, double c) {
            if (VECTOR_API && VectorLoopGates.GRAD_INPUT_ROW_F64.vectorReady()) {
                VectorLoops.gradInputRow(data, ((F64) grad).data, ((F64) gradInput).data, off,
                        len, mean, rstd, gamma.d, p, b, c);
                return;
            }
            final double[] x = data;
            final double[] g = ((F64) grad).data;
            final double[] dx = ((F64) gradInput).data;
            final double[] ga = gamma.d;
            final double m = mean, r = rstd, kb = b, kc = c;
            for (int i = 0; i < len; i++) {
                dx[off + i] = r * ga[p + i] * g[off + i] + kb * (x[off + i] - m) + kc;
            }
        }
    }

    /** The inner loops over {@code float[]} storage. */
    static final class F32 extends Elements {
        final float[] data;

        F32(float[] data) {
            this.data = data;
        }

        @Override
        double get(int i) {
            return data[i];
        }

        @Override
        double sum(int off, int len) {
            if (VECTOR_API) {
                return VectorReductions.sum(data, off, len);
            }
            final float[] x = data;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int i = off;
            final int end = off + len;
            for (final int end4 = off + (len & ~3); i < end4; i += 4) {
                s0 += x[i];
                s1 += x[i + 1];
                s2 += x[i + 2];
                s3 += x[i + 3];
            }
            for (; i < end; i++) {
                s0 += x[i];
            }
            return (s0 + s1) + (s2 + s3);
        }

        @Override
        void deviations(int off, int len, double center, double[] out) {
            if (VECTOR_API) {
                VectorReductions.deviations(data, off, len, center, out);
                return;
            }
            final float[] x = data;
            double q0 = 0, q1 = 0, q2 = 0, q3 = 0, d0 = 0, d1 = 0, d2 = 0, d3 = 0;
            int i = off;
            final int end = off + len;
            for (final int end4 = off + (len & ~3); i < end4; i += 4) {
                double v0 = x[i] - center, v1 = x[i + 1] - center, v2 = x[i + 2] - center, v3 = x[i + 3] - center;
                q0 += v0 * v0;
                q1 += v1 * v1;
                q2 += v2 * v2;
                q3 += v3 * v3;
                d0 += v0;
                d1 += v1;
                d2 += v2;
                d3 += v3;
            }
            for (; i < end; i++) {
                double v = x[i] - center;
                q0 += v * v;
                d0 += v;
            }
            out[0] = (q0 + q1) + (q2 + q3);
            out[1] = (d0 + d1) + (d2 + d3);
        }

        @Override
        void accumulateDeviations(double[] m2, double[] corr, double[] center, int a, int off, int stride,
                                  int rows, int len) {
            if (VECTOR_API) {
                VectorReductions.accumulateDeviations(data, m2, corr, center, a, off, stride, rows, len);
                return;
            }
            final float[] x = data;
            for (int n = 0; n < rows; n++) {
                for (int i = 0, at = off + n * stride; i < len; i++) {
                    double v = x[at + i] - center[a + i];
                    m2[a + i] += v * v;
                    corr[a + i] += v;
                }
            }
        }

        @Override
        void normalizeRun(Elements out, int off, int len, double mean, double scale, double shift) {
            final float[] x = data;
            final float[] y = ((F32) out).data;
            final float m = (float) mean, sc = (float) scale, sh = (float) shift;
            for (int i = off, end = off + len; i < end; i++) {
                y[i] = (x[i] - m) * sc + sh;
            }
        }

        @Override
        void normalizeAcross(Elements out, int off, int len, Coefficients mean, Coefficients scale,
                             Coefficients shift, int a) {
            if (VECTOR_API && VectorLoopGates.NORMALIZE_ACROSS_F32.vectorReady()) {
                VectorLoops.normalizeAcross(data, ((F32) out).data, off, len, mean.f, scale.f, shift.f, a);
                return;
            }
            final float[] x = data;
            final float[] y = ((F32) out).data;
            final float[] m = mean.f, sc = scale.f, sh = shift.f;
            for (int i = 0; i < len; i++) {
                y[off + i] = (x[off + i] - m[a + i]) * sc[a + i] + sh[a + i];
            }
        }

        @Override
        void normalizeRow(Elements out, int off, int len, double mean, double rstd, Coefficients gamma,
                          Coefficients beta, int a) {
            if (VECTOR_API && VectorLoopGates.NORMALIZE_ROW_F32.vectorReady()) {
                VectorLoops.normalizeRow(data, ((F32) out).data, off, len,
                        (float) mean, (float) rstd, gamma.f, beta.f, a);
                return;
            }
            final float[] x = data;
            final float[] y = ((F32) out).data;
            final float[] ga = gamma.f, be = beta.f;
            final float m = (float) mean, r = (float) rstd;
            for (int i = 0; i < len; i++) {
                y[off + i] = (x[off + i] - m) * r * ga[a + i] + be[a + i];
            }
        }

        @Override
        void gradSums(Elements grad, int off, int len, double mean, double[] out) {
            if (VECTOR_API) {
                VectorReductions.gradSums(data, ((F32) grad).data, off, len, mean, out);
                return;
            }
            final float[] x = data;
            final float[] g = ((F32) grad).data;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0, p0 = 0, p1 = 0, p2 = 0, p3 = 0;
            int i = off;
            final int end = off + len;
            for (final int end4 = off + (len & ~3); i < end4; i += 4) {
                double g0 = g[i], g1 = g[i + 1], g2 = g[i + 2], g3 = g[i + 3];
                s0 += g0;
                s1 += g1;
                s2 += g2;
                s3 += g3;
                p0 += g0 * (x[i] - mean);
                p1 += g1 * (x[i + 1] - mean);
                p2 += g2 * (x[i + 2] - mean);
                p3 += g3 * (x[i + 3] - mean);
            }
            for (; i < end; i++) {
                s0 += g[i];
                p0 += g[i] * (x[i] - mean);
            }
            out[0] = (s0 + s1) + (s2 + s3);
            out[1] = (p0 + p1) + (p2 + p3);
        }

        @Override
        void accumulateGradAcross(Elements grad, int off, int stride, int rows, int len, double[] mean,
                                  double[] sumG, double[] sumGX, int a) {
            if (VECTOR_API) {
                VectorReductions.accumulateGradAcross(data, ((F32) grad).data, off, stride, rows, len, mean, sumG,
                        sumGX, a);
                return;
            }
            final float[] x = data;
            final float[] g = ((F32) grad).data;
            for (int n = 0; n < rows; n++) {
                for (int i = 0, at = off + n * stride; i < len; i++) {
                    double gi = g[at + i];
                    sumG[a + i] += gi;
                    sumGX[a + i] += gi * (x[at + i] - mean[a + i]);
                }
            }
        }

        @Override
        void accumulateGradRow(Elements grad, int off, int len, double mean, double rstd, Coefficients gammas,
                               AffinePartials partials, int a, double[] out) {
            if (VECTOR_API) {
                VectorReductions.accumulateGradRow(data, ((F32) grad).data, off, len, (float) mean, (float) rstd,
                        gammas.f, partials == null ? null : partials.floatG,
                        partials == null ? null : partials.floatGXhat, a, out);
                return;
            }
            final double[] gamma = gammas.d;
            final double[] sumG = partials == null ? null : partials.sumG;
            final double[] sumGXhat = partials == null ? null : partials.sumGXhat;
            final float[] x = data;
            final float[] g = ((F32) grad).data;
            double sg = 0, sgx = 0;
            if (sumG == null) {
                for (int i = 0; i < len; i++) {
                    double gi = g[off + i] * gamma[a + i];
                    sg += gi;
                    sgx += gi * (x[off + i] - mean);
                }
            } else {
                for (int i = 0; i < len; i++) {
                    double gi = g[off + i];
                    double centered = x[off + i] - mean;
                    sumG[a + i] += gi;
                    sumGXhat[a + i] += gi * centered * rstd;
                    double scaled = gi * gamma[a + i];
                    sg += scaled;
                    sgx += scaled * centered;
                }
            }
            out[0] = sg;
            out[1] = sgx;
        }

        @Override
        void gradInputRun(Elements grad, Elements gradInput, int off, int len, double mean, double a, double b,
                          double c) {
            final float[] x = data;
            final float[] g = ((F32) grad).data;
            final float[] dx = ((F32) gradInput).data;
            final float m = (float) mean, ka = (float) a, kb = (float) b, kc = (float) c;
            for (int i = off, end = off + len; i < end; i++) {
                dx[i] = ka * g[i] + kb * (x[i] - m) + kc;
            }
        }

        @Override
        void gradInputAcross(Elements grad, Elements gradInput, int off, int len, Coefficients mean, Coefficients a,
                             Coefficients b, Coefficients c, int p) {
            if (VECTOR_API && VectorLoopGates.GRAD_INPUT_ACROSS_F32.vectorReady()) {
                VectorLoops.gradInputAcross(data, ((F32) grad).data, ((F32) gradInput).data, off,
                        len, mean.f, a.f, b.f, c.f, p);
                return;
            }
            final float[] x = data;
            final float[] g = ((F32) grad).data;
            final float[] dx = ((F32) gradInput).data;
            final float[] m = mean.f, ka = a.f, kb = b.f, kc = c.f;
            for (int i = 0; i < len; i++) {
                dx[off + i] = ka[p + i] * g[off + i] + kb[p + i] * (x[off + i] - m[p + i]) + kc[p + i];
            }
        }

        @Override
        void gradInputRow(Elements grad, Elements gradInput, int off, int len, double mean, double rstd,
                          Coefficients gamma, int p, double b, double c) {
            if (VECTOR_API && VectorLoopGates.GRAD_INPUT_ROW_F32.vectorReady()) {
                VectorLoops.gradInputRow(data, ((F32) grad).data, ((F32) gradInput).data, off,
                        len, (float) mean, (float) rstd, gamma.f, p, (float) b, (float) c);
                return;
            }
            final float[] x = data;
            final float[] g = ((F32) grad).data;
            final float[] dx = ((F32) gradInput).data;
            final float[] ga = gamma.f;
            final float m = (float) mean, r = (float) rstd, kb = (float) b, kc = (float) c;
            for (int i = 0; i < len; i++) {
                dx[off + i] = r * ga[p + i] * g[off + i] + kb * (x[off + i] - m) + kc;
            }
        }
    }
}

package org.normkit.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sums of the moments and of the backward's first pass through the Vector API, for float32 (each lane widens
 * its floats to doubles and keeps its own partial sums) and float64 data. The JIT vectorises neither the widening
 * nor a floating-point reduction by itself (that would reorder the additions), so the scalar loops of
 * {@link Elements} run one element at a time; these run a vector's worth, with two accumulators where one chain of
 * additions would wait on the adder's latency (about 5× faster for LeNet's first BatchNorm: Σg and Σg·(x − μ) over
 * 128·576 elements per channel in 0.08 ms instead of 0.43 ms; LayerNorm's float64 moments about 1.6×).
 *
 * <p>Accuracy: the same double accumulation as the scalar loops in a different order (per-lane partial sums, then
 * the lanes added), so results agree with them to double rounding, not bit for bit; they are still the same for
 * every run and every thread count. The one exception is the float32 row sums of the rows layout's backward
 * ({@link #accumulateGradRow(float[], float[], int, int, float, float, float[], float[], float[], int, double[])}),
 * which run in float lanes over short runs (see there). Only {@link Elements} calls this class, and only when the
 * JVM has the Vector API module ({@link Elements#VECTOR_API}); otherwise it is never loaded and the scalar loops run.
 */
final class VectorReductions {
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
    /** As many floats as DOUBLES has lanes, so one float vector widens into one double vector. */
    private static final VectorSpecies<Float> FLOATS =
            FloatVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(DOUBLES.vectorBitSize() / 2));

    /** The widest float vectors (the preferred shape, as DOUBLES'), for the sums that run in float lanes. */
    private static final VectorSpecies<Float> WIDE_FLOATS = FloatVector.SPECIES_PREFERRED;
    /** Vectors a float lane sums before its partial moves into double. */
    static final int FLOAT_RUN = 16;

    private VectorReductions() {}

    private static DoubleVector widen(float[] x, int i) {
        return (DoubleVector) FloatVector.fromArray(FLOATS, x, i).convertShape(VectorOperators.F2D, DOUBLES, 0);
    }

    /** Σ x over {@code [off, off + len)}. */
    static double sum(float[] x, int off, int len) {
        DoubleVector s0 = DoubleVector.zero(DOUBLES);
        DoubleVector s1 = DoubleVector.zero(DOUBLES);
        int step = FLOATS.length();
        int i = 0;
        // Two accumulators: one add waits for the previous only every other vector, which halves the chain.
        for (int bound = len - 2 * step; i <= bound; i += 2 * step) {
            s0 = s0.add(widen(x, off + i));
            s1 = s1.add(widen(x, off + i + step));
        }
        for (int bound = FLOATS.loopBound(len); i < bound; i += step) {
            s0 = s0.add(widen(x, off + i));
        }
        double total = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            total += x[off + i];
        }
        return total;
    }

    /** The float64 twin of {@link #sum(float[], int, int)}. */
    static double sum(double[] x, int off, int len) {
        DoubleVector s0 = DoubleVector.zero(DOUBLES);
        DoubleVector s1 = DoubleVector.zero(DOUBLES);
        int step = DOUBLES.length();
        int i = 0;
        for (int bound = len - 2 * step; i <= bound; i += 2 * step) {
            s0 = s0.add(DoubleVector.fromArray(DOUBLES, x, off + i));
            s1 = s1.add(DoubleVector.fromArray(DOUBLES, x, off + i + step));
        }
        for (int bound = DOUBLES.loopBound(len); i < bound; i += step) {
            s0 = s0.add(DoubleVector.fromArray(DOUBLES, x, off + i));
        }
        double total = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            total += x[off + i];
        }
        return total;
    }

    /** {@code out[0] = Σ (x − center)²}, {@code out[1] = Σ (x − center)}. */
    static void deviations(float[] x, int off, int len, double center, double[] out) {
        DoubleVector c = DoubleVector.broadcast(DOUBLES, center);
        DoubleVector q0 = DoubleVector.zero(DOUBLES);
        DoubleVector q1 = DoubleVector.zero(DOUBLES);
        DoubleVector d0 = DoubleVector.zero(DOUBLES);
        DoubleVector d1 = DoubleVector.zero(DOUBLES);
        int step = FLOATS.length();
        int i = 0;
        for (int bound = len - 2 * step; i <= bound; i += 2 * step) {
            DoubleVector v0 = widen(x, off + i).sub(c);
            DoubleVector v1 = widen(x, off + i + step).sub(c);
            q0 = v0.fma(v0, q0);
            q1 = v1.fma(v1, q1);
            d0 = d0.add(v0);
            d1 = d1.add(v1);
        }
        for (int bound = FLOATS.loopBound(len); i < bound; i += step) {
            DoubleVector v = widen(x, off + i).sub(c);
            q0 = v.fma(v, q0);
            d0 = d0.add(v);
        }
        double squares = q0.add(q1).reduceLanes(VectorOperators.ADD);
        double deviations = d0.add(d1).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            double v = x[off + i] - center;
            squares += v * v;
            deviations += v;
        }
        out[0] = squares;
        out[1] = deviations;
    }

    /** The float64 twin of {@link #deviations(float[], int, int, double, double[])}. */
    static void deviations(double[] x, int off, int len, double center, double[] out) {
        DoubleVector c = DoubleVector.broadcast(DOUBLES, center);
        DoubleVector q0 = DoubleVector.zero(DOUBLES);
        DoubleVector q1 = DoubleVector.zero(DOUBLES);
        DoubleVector d0 = DoubleVector.zero(DOUBLES);
        DoubleVector d1 = DoubleVector.zero(DOUBLES);
        int step = DOUBLES.length();
        int i = 0;
        for (int bound = len - 2 * step; i <= bound; i += 2 * step) {
            DoubleVector v0 = DoubleVector.fromArray(DOUBLES, x, off + i).sub(c);
            DoubleVector v1 = DoubleVector.fromArray(DOUBLES, x, off + i + step).sub(c);
            q0 = v0.fma(v0, q0);
            q1 = v1.fma(v1, q1);
            d0 = d0.add(v0);
            d1 = d1.add(v1);
        }
        for (int bound = DOUBLES.loopBound(len); i < bound; i += step) {
            DoubleVector v = DoubleVector.fromArray(DOUBLES, x, off + i).sub(c);
            q0 = v.fma(v, q0);
            d0 = d0.add(v);
        }
        double squares = q0.add(q1).reduceLanes(VectorOperators.ADD);
        double deviations = d0.add(d1).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            double v = x[off + i] - center;
            squares += v * v;
            deviations += v;
        }
        out[0] = squares;
        out[1] = deviations;
    }

    /** {@code out[0] = Σ g}, {@code out[1] = Σ g·(x − mean)}. */
    static void gradSums(float[] x, float[] g, int off, int len, double mean, double[] out) {
        DoubleVector m = DoubleVector.broadcast(DOUBLES, mean);
        DoubleVector s0 = DoubleVector.zero(DOUBLES);
        DoubleVector s1 = DoubleVector.zero(DOUBLES);
        DoubleVector p0 = DoubleVector.zero(DOUBLES);
        DoubleVector p1 = DoubleVector.zero(DOUBLES);
        int step = FLOATS.length();
        int i = 0;
        for (int bound = len - 2 * step; i <= bound; i += 2 * step) {
            DoubleVector g0 = widen(g, off + i);
            DoubleVector g1 = widen(g, off + i + step);
            s0 = s0.add(g0);
            s1 = s1.add(g1);
            p0 = g0.fma(widen(x, off + i).sub(m), p0);
            p1 = g1.fma(widen(x, off + i + step).sub(m), p1);
        }
        for (int bound = FLOATS.loopBound(len); i < bound; i += step) {
            DoubleVector gd = widen(g, off + i);
            s0 = s0.add(gd);
            p0 = gd.fma(widen(x, off + i).sub(m), p0);
        }
        double sumG = s0.add(s1).reduceLanes(VectorOperators.ADD);
        double sumGX = p0.add(p1).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            sumG += g[off + i];
            sumGX += g[off + i] * (x[off + i] - mean);
        }
        out[0] = sumG;
        out[1] = sumGX;
    }

    /** The float64 twin of {@link #gradSums(float[], float[], int, int, double, double[])}. */
    static void gradSums(double[] x, double[] g, int off, int len, double mean, double[] out) {
        DoubleVector m = DoubleVector.broadcast(DOUBLES, mean);
        DoubleVector s0 = DoubleVector.zero(DOUBLES);
        DoubleVector s1 = DoubleVector.zero(DOUBLES);
        DoubleVector p0 = DoubleVector.zero(DOUBLES);
        DoubleVector p1 = DoubleVector.zero(DOUBLES);
        int step = DOUBLES.length();
        int i = 0;
        for (int bound = len - 2 * step; i <= bound; i += 2 * step) {
            DoubleVector g0 = DoubleVector.fromArray(DOUBLES, g, off + i);
            DoubleVector g1 = DoubleVector.fromArray(DOUBLES, g, off + i + step);
            s0 = s0.add(g0);
            s1 = s1.add(g1);
            p0 = g0.fma(DoubleVector.fromArray(DOUBLES, x, off + i).sub(m), p0);
            p1 = g1.fma(DoubleVector.fromArray(DOUBLES, x, off + i + step).sub(m), p1);
        }
        for (int bound = DOUBLES.loopBound(len); i < bound; i += step) {
            DoubleVector gd = DoubleVector.fromArray(DOUBLES, g, off + i);
            s0 = s0.add(gd);
            p0 = gd.fma(DoubleVector.fromArray(DOUBLES, x, off + i).sub(m), p0);
        }
        double sumG = s0.add(s1).reduceLanes(VectorOperators.ADD);
        double sumGX = p0.add(p1).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            sumG += g[off + i];
            sumGX += g[off + i] * (x[off + i] - mean);
        }
        out[0] = sumG;
        out[1] = sumGX;
    }

    /**
     * Down {@code rows} rows {@code stride} apart: {@code m2[a + i] += Σ_n (x[off + n·stride + i] − center[a + i])²},
     * {@code corr[a + i] += Σ_n (x[off + n·stride + i] − center[a + i])}. A strip of sixteen columns keeps its sums
     * in registers down all the rows, so the accumulators are read and written once per call, not once per row
     * (BatchNorm over (N, C), where the channel is the contiguous direction).
     */
    static void accumulateDeviations(float[] x, double[] m2, double[] corr, double[] center, int a, int off,
                                     int stride, int rows, int len) {
        int step = WIDE_FLOATS.length();
        int half = DOUBLES.length();
        int i = 0;
        for (int bound = WIDE_FLOATS.loopBound(len); i < bound; i += step) {
            DoubleVector c0 = DoubleVector.fromArray(DOUBLES, center, a + i);
            DoubleVector c1 = DoubleVector.fromArray(DOUBLES, center, a + i + half);
            DoubleVector q0 = DoubleVector.fromArray(DOUBLES, m2, a + i);
            DoubleVector q1 = DoubleVector.fromArray(DOUBLES, m2, a + i + half);
            DoubleVector d0 = DoubleVector.fromArray(DOUBLES, corr, a + i);
            DoubleVector d1 = DoubleVector.fromArray(DOUBLES, corr, a + i + half);
            for (int n = 0, at = off + i; n < rows; n++, at += stride) {
                FloatVector v = FloatVector.fromArray(WIDE_FLOATS, x, at);
                DoubleVector v0 = widenHalf(v, 0).sub(c0);
                DoubleVector v1 = widenHalf(v, 1).sub(c1);
                q0 = q0.add(v0.mul(v0));
                q1 = q1.add(v1.mul(v1));
                d0 = d0.add(v0);
                d1 = d1.add(v1);
            }
            q0.intoArray(m2, a + i);
            q1.intoArray(m2, a + i + half);
            d0.intoArray(corr, a + i);
            d1.intoArray(corr, a + i + half);
        }
        for (; i < len; i++) {
            for (int n = 0; n < rows; n++) {
                double v = x[off + n * stride + i] - center[a + i];
                m2[a + i] += v * v;
                corr[a + i] += v;
            }
        }
    }

    /** The float64 twin of {@link #accumulateDeviations(float[], double[], double[], double[], int, int, int, int, int)}. */
    static void accumulateDeviations(double[] x, double[] m2, double[] corr, double[] center, int a, int off,
                                     int stride, int rows, int len) {
        int step = DOUBLES.length();
        int i = 0;
        for (int bound = DOUBLES.loopBound(len); i < bound; i += step) {
            DoubleVector c = DoubleVector.fromArray(DOUBLES, center, a + i);
            DoubleVector q = DoubleVector.fromArray(DOUBLES, m2, a + i);
            DoubleVector d = DoubleVector.fromArray(DOUBLES, corr, a + i);
            for (int n = 0, at = off + i; n < rows; n++, at += stride) {
                DoubleVector v = DoubleVector.fromArray(DOUBLES, x, at).sub(c);
                q = q.add(v.mul(v));
                d = d.add(v);
            }
            q.intoArray(m2, a + i);
            d.intoArray(corr, a + i);
        }
        for (; i < len; i++) {
            for (int n = 0; n < rows; n++) {
                double v = x[off + n * stride + i] - center[a + i];
                m2[a + i] += v * v;
                corr[a + i] += v;
            }
        }
    }

    /**
     * Down {@code rows} rows {@code stride} apart: {@code sumG[a + i] += Σ_n g}, {@code sumGX[a + i] += Σ_n
     * g·(x − mean[a + i])}, with the sums of a strip in registers down the rows (see {@code accumulateDeviations}).
     */
    static void accumulateGradAcross(float[] x, float[] g, int off, int stride, int rows, int len, double[] mean,
                                     double[] sumG, double[] sumGX, int a) {
        int step = WIDE_FLOATS.length();
        int half = DOUBLES.length();
        int i = 0;
        for (int bound = WIDE_FLOATS.loopBound(len); i < bound; i += step) {
            DoubleVector m0 = DoubleVector.fromArray(DOUBLES, mean, a + i);
            DoubleVector m1 = DoubleVector.fromArray(DOUBLES, mean, a + i + half);
            DoubleVector s0 = DoubleVector.fromArray(DOUBLES, sumG, a + i);
            DoubleVector s1 = DoubleVector.fromArray(DOUBLES, sumG, a + i + half);
            DoubleVector p0 = DoubleVector.fromArray(DOUBLES, sumGX, a + i);
            DoubleVector p1 = DoubleVector.fromArray(DOUBLES, sumGX, a + i + half);
            for (int n = 0, at = off + i; n < rows; n++, at += stride) {
                FloatVector gv = FloatVector.fromArray(WIDE_FLOATS, g, at);
                FloatVector xv = FloatVector.fromArray(WIDE_FLOATS, x, at);
                DoubleVector g0 = widenHalf(gv, 0);
                DoubleVector g1 = widenHalf(gv, 1);
                s0 = s0.add(g0);
                s1 = s1.add(g1);
                p0 = p0.add(g0.mul(widenHalf(xv, 0).sub(m0)));
                p1 = p1.add(g1.mul(widenHalf(xv, 1).sub(m1)));
            }
            s0.intoArray(sumG, a + i);
            s1.intoArray(sumG, a + i + half);
            p0.intoArray(sumGX, a + i);
            p1.intoArray(sumGX, a + i + half);
        }
        for (; i < len; i++) {
            for (int n = 0; n < rows; n++) {
                double gi = g[off + n * stride + i];
                sumG[a + i] += gi;
                sumGX[a + i] += gi * (x[off + n * stride + i] - mean[a + i]);
            }
        }
    }

    /** The float64 twin of {@code accumulateGradAcross} over floats. */
    static void accumulateGradAcross(double[] x, double[] g, int off, int stride, int rows, int len, double[] mean,
                                     double[] sumG, double[] sumGX, int a) {
        int step = DOUBLES.length();
        int i = 0;
        for (int bound = DOUBLES.loopBound(len); i < bound; i += step) {
            DoubleVector m = DoubleVector.fromArray(DOUBLES, mean, a + i);
            DoubleVector s = DoubleVector.fromArray(DOUBLES, sumG, a + i);
            DoubleVector p = DoubleVector.fromArray(DOUBLES, sumGX, a + i);
            for (int n = 0, at = off + i; n < rows; n++, at += stride) {
                DoubleVector gv = DoubleVector.fromArray(DOUBLES, g, at);
                s = s.add(gv);
                p = p.add(gv.mul(DoubleVector.fromArray(DOUBLES, x, at).sub(m)));
            }
            s.intoArray(sumG, a + i);
            p.intoArray(sumGX, a + i);
        }
        for (; i < len; i++) {
            for (int n = 0; n < rows; n++) {
                double gi = g[off + n * stride + i];
                sumG[a + i] += gi;
                sumGX[a + i] += gi * (x[off + n * stride + i] - mean[a + i]);
            }
        }
    }

    /**
     * Over a row with per-element γ: {@code out[0] = Σ γ·g}, {@code out[1] = Σ γ·g·(x − mean)}, and, unless
     * {@code sumG} is null, {@code sumG[a + i] += g}, {@code sumGXhat[a + i] += g·(x − mean)·rstd}.
     *
     * <p>Unlike the other float32 sums this one runs in float lanes, sixteen elements an operation instead of eight
     * widened ones (LayerNorm's backward spent most of its time here): each lane sums at most
     * {@value #FLOAT_RUN} terms before its partial is added into a double accumulator, so the row sums keep close to
     * double accuracy (a lane's relative error is at most about {@value #FLOAT_RUN}·2⁻²⁴ of its partial), and the
     * per-index sums go into {@link AffinePartials}' float accumulators, flushed into double every few rows.
     */
    static void accumulateGradRow(float[] x, float[] g, int off, int len, float mean, float rstd, float[] gamma,
                                  float[] sumG, float[] sumGXhat, int a, double[] out) {
        FloatVector m = FloatVector.broadcast(WIDE_FLOATS, mean);
        FloatVector r = FloatVector.broadcast(WIDE_FLOATS, rstd);
        DoubleVector totalScaled = DoubleVector.zero(DOUBLES);
        DoubleVector totalScaledX = DoubleVector.zero(DOUBLES);
        int step = WIDE_FLOATS.length();
        int bound = WIDE_FLOATS.loopBound(len);
        int i = 0;
        while (i < bound) {
            int stop = Math.min(bound, i + FLOAT_RUN * step);
            FloatVector sg = FloatVector.zero(WIDE_FLOATS);
            FloatVector sgx = FloatVector.zero(WIDE_FLOATS);
            if (sumG == null) {
                for (; i < stop; i += step) {
                    FloatVector scaled = FloatVector.fromArray(WIDE_FLOATS, g, off + i)
                            .mul(FloatVector.fromArray(WIDE_FLOATS, gamma, a + i));
                    sg = sg.add(scaled);
                    sgx = scaled.fma(FloatVector.fromArray(WIDE_FLOATS, x, off + i).sub(m), sgx);
                }
            } else {
                for (; i < stop; i += step) {
                    FloatVector gv = FloatVector.fromArray(WIDE_FLOATS, g, off + i);
                    FloatVector centered = FloatVector.fromArray(WIDE_FLOATS, x, off + i).sub(m);
                    FloatVector.fromArray(WIDE_FLOATS, sumG, a + i).add(gv).intoArray(sumG, a + i);
                    gv.mul(centered).fma(r, FloatVector.fromArray(WIDE_FLOATS, sumGXhat, a + i))
                            .intoArray(sumGXhat, a + i);
                    FloatVector scaled = gv.mul(FloatVector.fromArray(WIDE_FLOATS, gamma, a + i));
                    sg = sg.add(scaled);
                    sgx = scaled.fma(centered, sgx);
                }
            }
            totalScaled = totalScaled.add(widenHalf(sg, 0)).add(widenHalf(sg, 1));
            totalScaledX = totalScaledX.add(widenHalf(sgx, 0)).add(widenHalf(sgx, 1));
        }
        double sumScaled = totalScaled.reduceLanes(VectorOperators.ADD);
        double sumScaledX = totalScaledX.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            float gi = g[off + i];
            float centered = x[off + i] - mean;
            if (sumG != null) {
                sumG[a + i] += gi;
                sumGXhat[a + i] += gi * centered * rstd;
            }
            double scaled = (double) gi * gamma[a + i];
            sumScaled += scaled;
            sumScaledX += scaled * centered;
        }
        out[0] = sumScaled;
        out[1] = sumScaledX;
    }

    /** Half {@code part} (0 or 1) of a float vector, widened to a double vector. */
    private static DoubleVector widenHalf(FloatVector v, int part) {
        return (DoubleVector) v.convertShape(VectorOperators.F2D, DOUBLES, part);
    }

    /** The float64 twin of {@code accumulateGradRow} over floats. */
    static void accumulateGradRow(double[] x, double[] g, int off, int len, double mean, double rstd, double[] gamma,
                                  double[] sumG, double[] sumGXhat, int a, double[] out) {
        DoubleVector m = DoubleVector.broadcast(DOUBLES, mean);
        DoubleVector r = DoubleVector.broadcast(DOUBLES, rstd);
        DoubleVector sg = DoubleVector.zero(DOUBLES);
        DoubleVector sgx = DoubleVector.zero(DOUBLES);
        int i = 0;
        int bound = DOUBLES.loopBound(len);
        if (sumG == null) {
            for (; i < bound; i += DOUBLES.length()) {
                DoubleVector scaled = DoubleVector.fromArray(DOUBLES, g, off + i)
                        .mul(DoubleVector.fromArray(DOUBLES, gamma, a + i));
                sg = sg.add(scaled);
                sgx = scaled.fma(DoubleVector.fromArray(DOUBLES, x, off + i).sub(m), sgx);
            }
        } else {
            for (; i < bound; i += DOUBLES.length()) {
                DoubleVector gd = DoubleVector.fromArray(DOUBLES, g, off + i);
                DoubleVector centered = DoubleVector.fromArray(DOUBLES, x, off + i).sub(m);
                DoubleVector.fromArray(DOUBLES, sumG, a + i).add(gd).intoArray(sumG, a + i);
                gd.mul(centered).fma(r, DoubleVector.fromArray(DOUBLES, sumGXhat, a + i)).intoArray(sumGXhat, a + i);
                DoubleVector scaled = gd.mul(DoubleVector.fromArray(DOUBLES, gamma, a + i));
                sg = sg.add(scaled);
                sgx = scaled.fma(centered, sgx);
            }
        }
        double sumScaled = sg.reduceLanes(VectorOperators.ADD);
        double sumScaledX = sgx.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            double gi = g[off + i];
            double centered = x[off + i] - mean;
            if (sumG != null) {
                sumG[a + i] += gi;
                sumGXhat[a + i] += gi * centered * rstd;
            }
            double scaled = gi * gamma[a + i];
            sumScaled += scaled;
            sumScaledX += scaled * centered;
        }
        out[0] = sumScaled;
        out[1] = sumScaledX;
    }
}

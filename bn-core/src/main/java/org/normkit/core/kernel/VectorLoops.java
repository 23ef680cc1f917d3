package org.normkit.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The elementwise loops whose coefficients are arrays indexed apart from the data ({@code y[off + i]} from
 * {@code γ[a + i]}), written with the Vector API. C2's auto-vectoriser leaves such loops scalar: it cannot prove that
 * the store to {@code y[off + i]} and the loads from another {@code float[]} at {@code a + i} never overlap, so
 * BatchNorm over an (N, C) input ran at about 1.3 ns an element, twenty copies' worth (LayerNorm's normalise and
 * both input gradients likewise). The operations and their order are those of the scalar loops in {@link Elements}
 * (no fused multiply-add), so the results are the same bit for bit.
 *
 * <p>Only {@link Elements} calls this class, and only when the JVM has the Vector API module
 * ({@link Elements#VECTOR_API}); otherwise it is never loaded and the scalar loops run.
 */
final class VectorLoops {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;

    private VectorLoops() {}

    /** {@code y[off + i] = (x[off + i] − m[a + i])·sc[a + i] + sh[a + i]}. */
    static void normalizeAcross(float[] x, float[] y, int off, int len, float[] m, float[] sc, float[] sh, int a) {
        int i = 0;
        for (int bound = FLOATS.loopBound(len); i < bound; i += FLOATS.length()) {
            FloatVector.fromArray(FLOATS, x, off + i).sub(FloatVector.fromArray(FLOATS, m, a + i))
                    .mul(FloatVector.fromArray(FLOATS, sc, a + i)).add(FloatVector.fromArray(FLOATS, sh, a + i))
                    .intoArray(y, off + i);
        }
        for (; i < len; i++) {
            y[off + i] = (x[off + i] - m[a + i]) * sc[a + i] + sh[a + i];
        }
    }

    /** {@code y[off + i] = (x[off + i] − mean)·rstd·γ[a + i] + β[a + i]}. */
    static void normalizeRow(float[] x, float[] y, int off, int len, float mean, float rstd, float[] gamma,
                             float[] beta, int a) {
        int i = 0;
        for (int bound = FLOATS.loopBound(len); i < bound; i += FLOATS.length()) {
            FloatVector.fromArray(FLOATS, x, off + i).sub(mean).mul(rstd)
                    .mul(FloatVector.fromArray(FLOATS, gamma, a + i)).add(FloatVector.fromArray(FLOATS, beta, a + i))
                    .intoArray(y, off + i);
        }
        for (; i < len; i++) {
            y[off + i] = (x[off + i] - mean) * rstd * gamma[a + i] + beta[a + i];
        }
    }

    /** {@code dx[off + i] = ka[p + i]·g[off + i] + kb[p + i]·(x[off + i] − m[p + i]) + kc[p + i]}. */
    static void gradInputAcross(float[] x, float[] g, float[] dx, int off, int len, float[] m, float[] ka, float[] kb,
                                float[] kc, int p) {
        int i = 0;
        for (int bound = FLOATS.loopBound(len); i < bound; i += FLOATS.length()) {
            FloatVector first = FloatVector.fromArray(FLOATS, ka, p + i).mul(FloatVector.fromArray(FLOATS, g, off + i));
            FloatVector centered = FloatVector.fromArray(FLOATS, x, off + i)
                    .sub(FloatVector.fromArray(FLOATS, m, p + i));
            first.add(FloatVector.fromArray(FLOATS, kb, p + i).mul(centered))
                    .add(FloatVector.fromArray(FLOATS, kc, p + i)).intoArray(dx, off + i);
        }
        for (; i < len; i++) {
            dx[off + i] = ka[p + i] * g[off + i] + kb[p + i] * (x[off + i] - m[p + i]) + kc[p + i];
        }
    }

    /** {@code dx[off + i] = rstd·γ[p + i]·g[off + i] + kb·(x[off + i] − mean) + kc}. */
    static void gradInputRow(float[] x, float[] g, float[] dx, int off, int len, float mean, float rstd, float[] gamma,
                             int p, float kb, float kc) {
        int i = 0;
        for (int bound = FLOATS.loopBound(len); i < bound; i += FLOATS.length()) {
            FloatVector first = FloatVector.fromArray(FLOATS, gamma, p + i).mul(rstd)
                    .mul(FloatVector.fromArray(FLOATS, g, off + i));
            FloatVector centered = FloatVector.fromArray(FLOATS, x, off + i).sub(mean);
            first.add(centered.mul(kb)).add(kc).intoArray(dx, off + i);
        }
        for (; i < len; i++) {
            dx[off + i] = rstd * gamma[p + i] * g[off + i] + kb * (x[off + i] - mean) + kc;
        }
    }

    /** The float64 twin of {@link #normalizeAcross(float[], float[], int, int, float[], float[], float[], int)}. */
    static void normalizeAcross(double[] x, double[] y, int off, int len, double[] m, double[] sc, double[] sh, int a) {
        int i = 0;
        for (int bound = DOUBLES.loopBound(len); i < bound; i += DOUBLES.length()) {
            DoubleVector.fromArray(DOUBLES, x, off + i).sub(DoubleVector.fromArray(DOUBLES, m, a + i))
                    .mul(DoubleVector.fromArray(DOUBLES, sc, a + i)).add(DoubleVector.fromArray(DOUBLES, sh, a + i))
                    .intoArray(y, off + i);
        }
        for (; i < len; i++) {
            y[off + i] = (x[off + i] - m[a + i]) * sc[a + i] + sh[a + i];
        }
    }

    /** The float64 twin of {@link #normalizeRow(float[], float[], int, int, float, float, float[], float[], int)}. */
    static void normalizeRow(double[] x, double[] y, int off, int len, double mean, double rstd, double[] gamma,
                             double[] beta, int a) {
        int i = 0;
        for (int bound = DOUBLES.loopBound(len); i < bound; i += DOUBLES.length()) {
            DoubleVector.fromArray(DOUBLES, x, off + i).sub(mean).mul(rstd)
                    .mul(DoubleVector.fromArray(DOUBLES, gamma, a + i))
                    .add(DoubleVector.fromArray(DOUBLES, beta, a + i)).intoArray(y, off + i);
        }
        for (; i < len; i++) {
            y[off + i] = (x[off + i] - mean) * rstd * gamma[a + i] + beta[a + i];
        }
    }

    /** The float64 twin of {@code gradInputAcross} over floats. */
    static void gradInputAcross(double[] x, double[] g, double[] dx, int off, int len, double[] m, double[] ka,
                                double[] kb, double[] kc, int p) {
        int i = 0;
        for (int bound = DOUBLES.loopBound(len); i < bound; i += DOUBLES.length()) {
            DoubleVector first = DoubleVector.fromArray(DOUBLES, ka, p + i)
                    .mul(DoubleVector.fromArray(DOUBLES, g, off + i));
            DoubleVector centered = DoubleVector.fromArray(DOUBLES, x, off + i)
                    .sub(DoubleVector.fromArray(DOUBLES, m, p + i));
            first.add(DoubleVector.fromArray(DOUBLES, kb, p + i).mul(centered))
                    .add(DoubleVector.fromArray(DOUBLES, kc, p + i)).intoArray(dx, off + i);
        }
        for (; i < len; i++) {
            dx[off + i] = ka[p + i] * g[off + i] + kb[p + i] * (x[off + i] - m[p + i]) + kc[p + i];
        }
    }

    /** The float64 twin of {@code gradInputRow} over floats. */
    static void gradInputRow(double[] x, double[] g, double[] dx, int off, int len, double mean, double rstd,
                             double[] gamma, int p, double kb, double kc) {
        int i = 0;
        for (int bound = DOUBLES.loopBound(len); i < bound; i += DOUBLES.length()) {
            DoubleVector first = DoubleVector.fromArray(DOUBLES, gamma, p + i).mul(rstd)
                    .mul(DoubleVector.fromArray(DOUBLES, g, off + i));
            DoubleVector centered = DoubleVector.fromArray(DOUBLES, x, off + i).sub(mean);
            first.add(centered.mul(kb)).add(kc).intoArray(dx, off + i);
        }
        for (; i < len; i++) {
            dx[off + i] = rstd * gamma[p + i] * g[off + i] + kb * (x[off + i] - mean) + kc;
        }
    }
}

package org.normkit.core.kernel;

/**
 * A vector of per-channel or per-position coefficients (means, scales, shifts, γ, β) in double and, for float32
 * kernels, mirrored in float: the elementwise loops of a float32 tensor then run in float arithmetic, which the JIT
 * vectorises, while every sum still accumulates in double.
 */
final class Coefficients {
    final double[] d;
    final float[] f;

    private Coefficients(double[] d, boolean mirror) {
        this.d = d;
        this.f = mirror ? new float[d.length] : null;
        if (mirror) {
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
        }
    }

    /** Zeros, mirrored in float when {@code mirror}. */
    static Coefficients zeros(int n, boolean mirror) {
        return new Coefficients(new double[n], mirror);
    }

    /** These values (the array is adopted, not copied), mirrored in float when {@code mirror}. */
    static Coefficients of(double[] values, boolean mirror) {
        return new Coefficients(values, mirror);
    }

    /** The float mirror (null unless mirrored): {@code f}, named for the element type the generated loops use. */
    float[] floats() {
        return f;
    }

    /** The double values: {@code d}, named for the element type the generated loops use. */
    double[] doubles() {
        return d;
    }

    void set(int i, double value) {
        d[i] = value;
        if (f != null) {
            f[i] = (float) value;
        }
    }
}

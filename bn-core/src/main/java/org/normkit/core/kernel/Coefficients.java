package org.normkit.core.kernel;

/**
 * A vector of per-channel or per-position coefficients (means, scales, shifts, γ, β) in double and, for float32
 * kernels, mirrored in float: the elementwise loops of a float32 tensor then run in float arithmetic, which the JIT
 * vectorises, while every sum still accumulates in double. The arrays may be longer than the entries a call uses
 * (per-thread scratch, {@link KernelScratch}): loops index them by set or position, never by their length.
 */
final class Coefficients {
    final double[] d;
    final float[] f;

    private Coefficients(double[] d, float[] f) {
        this.d = d;
        this.f = f;
    }

    /** These values (the array is adopted, not copied), mirrored in float when {@code mirror}. */
    static Coefficients of(double[] values, boolean mirror) {
        float[] f = null;
        if (mirror) {
            f = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                f[i] = (float) values[i];
            }
        }
        return new Coefficients(values, f);
    }

    /**
     * Over these arrays as they are (adopted, nothing converted): {@code f} null, or the float mirror the caller
     * keeps in step with {@code d}.
     */
    static Coefficients over(double[] d, float[] f) {
        return new Coefficients(d, f);
    }

    /** The float mirror (null unless mirrored): {@code f}, named for the element type the generated loops use. */
    float[] floats() {
        return f;
    }

    /** The double values: {@code d}, named for the element type the generated loops use. */
    double[] doubles() {
        return d;
    }
}

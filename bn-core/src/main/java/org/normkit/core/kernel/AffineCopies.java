package org.normkit.core.kernel;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/**
 * γ or β as the kernels read them — in double, and mirrored in float for float32 data ({@link Coefficients}) —
 * kept by one fused face from call to call, so a layer's calls do not convert and allocate them anew every time.
 *
 * <p>A parameter changes in place (an optimizer step writes into its array) and tensors carry no version, so the
 * copy is checked against the tensor on every call: the tensor's elements are compared with the kept copy of
 * them, in its own type and bit for bit ({@link Arrays#equals(float[], int, int, float[], int, int)}, a vectorised
 * comparison: about as costly as reading the parameter once), and the copy is rebuilt, in the same arrays, when
 * anything differs. So what the kernels read is always exactly what the tensor holds, as with a fresh conversion.
 * An absent parameter (null) is the constant {@code absent} (1 for γ, 0 for β), built once.
 *
 * <p>Thread-safe: a call takes the copy ({@link #take}) and gives it back when done ({@link #give}); a call that
 * finds it taken by another thread builds its own for that call.
 */
final class AffineCopies {
    private final AtomicReference<Copy> kept = new AtomicReference<>();

    /** One parameter's values in the kernels' form, and what they were made from. */
    static final class Copy {
        private Coefficients values;
        /** The element type the values were made for (float32 data reads the float mirror). */
        private boolean mirror;
        /** The constant of an absent parameter, or NaN when the values came from a tensor. */
        private double constant = Double.NaN;
        private int size = -1;

        /**
         * The coefficients of {@code t} ({@code size} values), or {@code absent} everywhere when {@code t} is null;
         * reused when nothing changed since the last call, else rebuilt in place.
         */
        Coefficients of(Tensor t, int size, double absent, boolean mirror) {
            if (t == null) {
                if (values == null || this.size != size || this.mirror != mirror
                        || Double.doubleToLongBits(constant) != Double.doubleToLongBits(absent)) {
                    double[] filled = new double[size];
                    Arrays.fill(filled, absent);
                    values = Coefficients.of(filled, mirror);
                    this.size = size;
                    this.mirror = mirror;
                    constant = absent;
                }
                return values;
            }
            boolean sameShape = values != null && this.size == size && this.mirror == mirror
                    && Double.isNaN(constant);
            if (t.dtype() == DType.FLOAT32 && mirror) {
                // The float mirror of a float32 parameter is its values exactly: compare with it.
                float[] data = t.floatData();
                if (sameShape && Arrays.equals(data, 0, size, values.f, 0, size)) {
                    return values;
                }
                if (!sameShape) {
                    values = Coefficients.over(new double[size], new float[size]);
                }
                System.arraycopy(data, 0, values.f, 0, size);
                for (int i = 0; i < size; i++) {
                    values.d[i] = data[i];
                }
            } else if (t.dtype() == DType.FLOAT64) {
                double[] data = t.doubleData();
                if (sameShape && Arrays.equals(data, 0, size, values.d, 0, size)) {
                    return values;
                }
                if (!sameShape) {
                    values = Coefficients.over(new double[size], mirror ? new float[size] : null);
                }
                System.arraycopy(data, 0, values.d, 0, size);
                if (mirror) {
                    for (int i = 0; i < size; i++) {
                        values.f[i] = (float) data[i];
                    }
                }
            } else {
                // A float32 parameter of float64 data: its double values are the reference to compare with.
                float[] data = t.floatData();
                if (sameShape && sameValues(data, values.d, size)) {
                    return values;
                }
                if (!sameShape) {
                    values = Coefficients.over(new double[size], null);
                }
                for (int i = 0; i < size; i++) {
                    values.d[i] = data[i];
                }
            }
            this.size = size;
            this.mirror = mirror;
            constant = Double.NaN;
            return values;
        }

        private static boolean sameValues(float[] data, double[] widened, int size) {
            for (int i = 0; i < size; i++) {
                if (Double.doubleToLongBits(data[i]) != Double.doubleToLongBits(widened[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The kept copy, or a new one when another call holds it; hand it back with {@link #give}. */
    Copy take() {
        Copy c = kept.getAndSet(null);
        return c != null ? c : new Copy();
    }

    /** Keeps {@code copy} for the next call. */
    void give(Copy copy) {
        kept.set(copy);
    }
}

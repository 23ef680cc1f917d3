package org.normkit.autograd.tensor;

/**
 * A tensor's values: one flat array of its element type, owned by one class per dtype ({@link FloatStorage},
 * {@link DoubleStorage}), so that {@link Tensor} holds a single storage field and delegates to it instead of testing
 * which of two arrays is present.
 *
 * <p>The element operations here ({@link #get}, {@link #set}, {@link #fill}, copies and conversions) are for
 * convenience code: their call sites see at most these two classes, which the JIT inlines behind a type check.
 * Typed loops do not call them per element; they take the array once, through {@link #floats()} or
 * {@link #doubles()} (reached as {@code Tensor.floatData()}/{@code Tensor.doubleData()}), and loop over it. Both are
 * final methods on a sealed type, so the access costs a class comparison and a field load, and a wrong-dtype access
 * fails with a message naming both dtypes.
 *
 * <p>Storage may be shared by several tensors (a reshape or a detached view), so its values are mutated only where
 * {@link Tensor} says so. Not thread-safe.
 */
abstract sealed class Storage permits FloatStorage, DoubleStorage {
    /** Kept here rather than behind a virtual call: every op reads it to choose its loop. */
    private final DType dtype;

    Storage(DType dtype) {
        this.dtype = dtype;
    }

    /** Zero-filled storage of {@code length} elements of {@code dtype}. */
    static Storage zeros(DType dtype, int length) {
        return dtype == DType.FLOAT32 ? new FloatStorage(new float[length]) : new DoubleStorage(new double[length]);
    }

    final DType dtype() {
        return dtype;
    }

    /** The float32 array itself (not a copy); {@code caller} names the public method in the error. */
    final float[] floats(String caller) {
        if (this instanceof FloatStorage f) {
            return f.values;
        }
        throw wrongDtype(caller, DType.FLOAT32);
    }

    /** The float64 array itself (not a copy); {@code caller} names the public method in the error. */
    final double[] doubles(String caller) {
        if (this instanceof DoubleStorage d) {
            return d.values;
        }
        throw wrongDtype(caller, DType.FLOAT64);
    }

    private IllegalStateException wrongDtype(String caller, DType wanted) {
        return new IllegalStateException(caller + ": this tensor is " + dtype + ", not " + wanted + "; call to(DType."
                + wanted.name() + ") first");
    }

    abstract int length();

    /** Element {@code i} widened to double. */
    abstract double get(int i);

    /** Writes element {@code i}, rounded to the element type. */
    abstract void set(int i, double value);

    /** Every element set to {@code value}, rounded to the element type. */
    abstract void fill(double value);

    /** A fresh storage with a copy of the values. */
    abstract Storage copy();

    /** Copies {@code source}'s values into this storage (same length), converting the element type if it differs. */
    abstract void copyFrom(Storage source);

    /** A copy of the values widened to double. */
    abstract double[] toDoubleArray();

    /** A copy of the values rounded to float. */
    abstract float[] toFloatArray();
}

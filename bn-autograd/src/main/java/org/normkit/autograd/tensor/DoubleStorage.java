package org.normkit.autograd.tensor;

import java.util.Arrays;

/** float64 values in a {@code double[]}; see {@link Storage}. */
final class DoubleStorage extends Storage {
    final double[] values;

    /** Wraps (does not copy) the array. */
    DoubleStorage(double[] values) {
        super(DType.FLOAT64);
        this.values = values;
    }

    @Override
    int length() {
        return values.length;
    }

    @Override
    double get(int i) {
        return values[i];
    }

    @Override
    void set(int i, double value) {
        values[i] = value;
    }

    @Override
    void fill(double value) {
        Arrays.fill(values, value);
    }

    @Override
    DoubleStorage copy() {
        return new DoubleStorage(values.clone());
    }

    @Override
    void copyFrom(Storage source) {
        if (source instanceof DoubleStorage same) {
            System.arraycopy(same.values, 0, values, 0, values.length);
        } else {
            float[] from = source.floats("copyFrom");
            for (int i = 0; i < values.length; i++) {
                values[i] = from[i];
            }
        }
    }

    @Override
    double[] toDoubleArray() {
        return values.clone();
    }

    @Override
    float[] toFloatArray() {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}

package org.normkit.autograd.tensor;

import java.util.Arrays;

/** float32 values in a {@code float[]}; see {@link Storage}. */
final class FloatStorage extends Storage {
    final float[] values;

    /** Wraps (does not copy) the array. */
    FloatStorage(float[] values) {
        super(DType.FLOAT32);
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
        values[i] = (float) value;
    }

    @Override
    void fill(double value) {
        Arrays.fill(values, (float) value);
    }

    @Override
    FloatStorage copy() {
        return new FloatStorage(values.clone());
    }

    @Override
    void copyFrom(Storage source) {
        if (source instanceof FloatStorage same) {
            System.arraycopy(same.values, 0, values, 0, values.length);
        } else {
            double[] from = source.doubles("copyFrom");
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) from[i];
            }
        }
    }

    @Override
    double[] toDoubleArray() {
        double[] out = new double[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    @Override
    float[] toFloatArray() {
        return values.clone();
    }
}

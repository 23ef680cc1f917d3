package org.normkit.autograd.loops;

import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/** The loops of the indexing primitives: whole rows of {@code width} elements, gathered or scatter-added. */
public final class RowCopy {
    private RowCopy() {}

    /** out[i] = in[rows[i]], row by row. */
    public static void gather(Tensor in, int[] rows, Tensor out, int width) {
        if (in.dtype() == DType.FLOAT32) {
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(in.floatData(), rows[i] * width, out.floatData(), i * width, width);
            }
        } else {
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(in.doubleData(), rows[i] * width, out.doubleData(), i * width, width);
            }
        }
    }

    /** out[rows[i]] += in[i], row by row; repeated indices accumulate. */
    public static void scatterAdd(Tensor in, int[] rows, Tensor out, int width) {
        if (in.dtype() == DType.FLOAT32) {
            float[] a = in.floatData();
            float[] b = out.floatData();
            for (int i = 0; i < rows.length; i++) {
                for (int j = 0, to = rows[i] * width, from = i * width; j < width; j++) {
                    b[to + j] += a[from + j];
                }
            }
        } else {
            double[] a = in.doubleData();
            double[] b = out.doubleData();
            for (int i = 0; i < rows.length; i++) {
                for (int j = 0, to = rows[i] * width, from = i * width; j < width; j++) {
                    b[to + j] += a[from + j];
                }
            }
        }
    }
}

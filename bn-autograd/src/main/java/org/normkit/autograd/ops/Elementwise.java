package org.normkit.autograd.ops;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * The loops behind every elementwise primitive: one map over one tensor, one map over two tensors broadcast
 * together. Values are computed in double and stored in the result's dtype. Equal shapes and scalar operands take
 * a flat loop; other broadcasts go through {@link Shape#broadcastOffsets}.
 */
final class Elementwise {
    private Elementwise() {}

    static Tensor map(Tensor x, DoubleUnaryOperator f) {
        Tensor out = Tensor.zeros(x.dtype(), x.shape());
        int n = x.numel();
        if (x.dtype() == DType.FLOAT32) {
            float[] a = x.floatData();
            float[] o = out.floatData();
            for (int i = 0; i < n; i++) {
                o[i] = (float) f.applyAsDouble(a[i]);
            }
        } else {
            double[] a = x.doubleData();
            double[] o = out.doubleData();
            for (int i = 0; i < n; i++) {
                o[i] = f.applyAsDouble(a[i]);
            }
        }
        return out;
    }

    /** {@code f(a, b)} over the broadcast of both shapes; both must already have {@code dtype}. */
    static Tensor map(Tensor a, Tensor b, Shape outShape, DoubleBinaryOperator f) {
        DType dtype = a.dtype();
        Tensor out = Tensor.zeros(dtype, outShape);
        int n = outShape.numel();
        int[] ia = a.shape().equals(outShape) || a.numel() == 1 ? null : a.shape().broadcastOffsets(outShape);
        int[] ib = b.shape().equals(outShape) || b.numel() == 1 ? null : b.shape().broadcastOffsets(outShape);
        boolean aScalar = a.numel() == 1 && ia == null && !a.shape().equals(outShape);
        boolean bScalar = b.numel() == 1 && ib == null && !b.shape().equals(outShape);
        if (dtype == DType.FLOAT32) {
            float[] x = a.floatData();
            float[] y = b.floatData();
            float[] o = out.floatData();
            for (int i = 0; i < n; i++) {
                float va = aScalar ? x[0] : ia == null ? x[i] : x[ia[i]];
                float vb = bScalar ? y[0] : ib == null ? y[i] : y[ib[i]];
                o[i] = (float) f.applyAsDouble(va, vb);
            }
        } else {
            double[] x = a.doubleData();
            double[] y = b.doubleData();
            double[] o = out.doubleData();
            for (int i = 0; i < n; i++) {
                double va = aScalar ? x[0] : ia == null ? x[i] : x[ia[i]];
                double vb = bScalar ? y[0] : ib == null ? y[i] : y[ib[i]];
                o[i] = f.applyAsDouble(va, vb);
            }
        }
        return out;
    }

    /** Copies the elements at {@code offsets} (plus {@code base}) of {@code x} into a fresh tensor of {@code shape}. */
    static Tensor gather(Tensor x, Shape shape, int[] offsets, int base) {
        Tensor out = Tensor.zeros(x.dtype(), shape);
        if (x.dtype() == DType.FLOAT32) {
            float[] src = x.floatData();
            float[] dst = out.floatData();
            for (int i = 0; i < dst.length; i++) {
                dst[i] = src[base + offsets[i]];
            }
        } else {
            double[] src = x.doubleData();
            double[] dst = out.doubleData();
            for (int i = 0; i < dst.length; i++) {
                dst[i] = src[base + offsets[i]];
            }
        }
        return out;
    }

    /** Adds every element of {@code source} into {@code target} at {@code base + offsets[i]}. */
    static void scatterAdd(Tensor source, Tensor target, int[] offsets, int base) {
        int n = source.numel();
        if (target.dtype() == DType.FLOAT32 && source.dtype() == DType.FLOAT32) {
            float[] src = source.floatData();
            float[] dst = target.floatData();
            for (int i = 0; i < n; i++) {
                dst[base + offsets[i]] += src[i];
            }
        } else {
            for (int i = 0; i < n; i++) {
                int j = base + offsets[i];
                target.set(j, target.get(j) + source.get(i));
            }
        }
    }

    /** Brings both operands to the promoted dtype (a recorded cast, so gradients flow back in each one's dtype). */
    static Tensor[] promote(Tensor a, Tensor b) {
        if (a.dtype() == b.dtype()) {
            return new Tensor[] {a, b};
        }
        DType t = DType.promote(a.dtype(), b.dtype());
        return new Tensor[] {a.to(t), b.to(t)};
    }
}

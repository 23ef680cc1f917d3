package org.normkit.autograd.ops;

import java.util.Arrays;

import org.normkit.autograd.graph.Node;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * Axis reductions. Sums accumulate in double whatever the dtype. The backward of a reduction broadcasts the
 * gradient back over the reduced axes.
 *
 * <p>The loops walk the input once, in storage order, in blocks ({@link Blocks}): adjacent axes that are both
 * reduced or both kept are merged, and the innermost merged run is either summed into one value per block (e.g. the
 * rows of a softmax) or added elementwise into a row of the output (e.g. a bias gradient, the sum over axis 0).
 */
public final class Reduce {
    private Reduce() {}

    /** Sum over {@code axes} (an empty list means every axis). */
    public static Tensor sum(Tensor x, int[] axes, boolean keepDim) {
        int[] all = axes.length == 0 ? allAxes(x.rank()) : axes;
        Shape kept = x.shape().reduce(all, true);
        Blocks blocks = Blocks.of(x.shape(), x.shape().reducedMask(all, "sum"));
        double[] acc = new double[kept.numel()];
        int len = blocks.innerLength;
        if (x.dtype() == DType.FLOAT32) {
            float[] v = x.floatData();
            for (int k = 0; k < blocks.outOffsets.length; k++) {
                int in = k * len;
                int out = blocks.outOffsets[k];
                if (blocks.innerReduced) {
                    acc[out] += contiguousSum(v, in, len);
                } else {
                    for (int j = 0; j < len; j++) {
                        acc[out + j] += v[in + j];
                    }
                }
            }
        } else {
            double[] v = x.doubleData();
            for (int k = 0; k < blocks.outOffsets.length; k++) {
                int in = k * len;
                int out = blocks.outOffsets[k];
                if (blocks.innerReduced) {
                    acc[out] += contiguousSum(v, in, len);
                } else {
                    for (int j = 0; j < len; j++) {
                        acc[out + j] += v[in + j];
                    }
                }
            }
        }
        Tensor out = Tensor.of(x.dtype(), acc, keepDim ? kept : x.shape().reduce(all, false));
        Shape inputShape = x.shape();
        return Node.record(out, "sum", (g, needs) -> new Tensor[] {broadcastBack(g, kept, inputShape)}, x);
    }

    /** Maximum over {@code axes}; tied maxima share the gradient evenly (PyTorch's amax rule); NaN wins. */
    public static Tensor max(Tensor x, int[] axes, boolean keepDim) {
        int[] all = axes.length == 0 ? allAxes(x.rank()) : axes;
        if (x.numel() == 0) {
            throw new IllegalArgumentException("max: cannot reduce an empty tensor of shape " + x.shape());
        }
        Shape kept = x.shape().reduce(all, true);
        Blocks blocks = Blocks.of(x.shape(), x.shape().reducedMask(all, "max"));
        double[] best = new double[kept.numel()];
        Arrays.fill(best, Double.NEGATIVE_INFINITY);
        int len = blocks.innerLength;
        float[] f32 = x.dtype() == DType.FLOAT32 ? x.floatData() : null;
        double[] f64 = f32 == null ? x.doubleData() : null;
        for (int k = 0; k < blocks.outOffsets.length; k++) {
            int in = k * len;
            int out = blocks.outOffsets[k];
            for (int j = 0; j < len; j++) {
                double v = f32 != null ? f32[in + j] : f64[in + j];
                int o = blocks.innerReduced ? out : out + j;
                if (v > best[o] || Double.isNaN(v)) {
                    best[o] = v;
                }
            }
        }
        Tensor keptOut = Tensor.of(x.dtype(), best, kept);
        Tensor out = keepDim ? keptOut : keptOut.viewAs(x.shape().reduce(all, false));
        Shape inputShape = x.shape();
        return Node.record(out, "max", (g, needs) -> {
            Tensor isMax = Binary.equal(x.detach(), keptOut);
            Tensor count = sum(isMax, all, true);
            Tensor share = Binary.div(isMax, count);
            return new Tensor[] {Binary.mul(broadcastBack(g, kept, inputShape), share)};
        }, x);
    }

    /**
     * Σ v[from, from + length) in double, in four interleaved partial sums: one running sum waits on the latency
     * of every addition; four keep the adder busy. (A different order than left to right, equally accurate.)
     */
    private static double contiguousSum(float[] v, int from, int length) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = 0;
        for (; j + 3 < length; j += 4) {
            s0 += v[from + j];
            s1 += v[from + j + 1];
            s2 += v[from + j + 2];
            s3 += v[from + j + 3];
        }
        for (; j < length; j++) {
            s0 += v[from + j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static double contiguousSum(double[] v, int from, int length) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = 0;
        for (; j + 3 < length; j += 4) {
            s0 += v[from + j];
            s1 += v[from + j + 1];
            s2 += v[from + j + 2];
            s3 += v[from + j + 3];
        }
        for (; j < length; j++) {
            s0 += v[from + j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * Sums a broadcast result back to {@code shape}: over the leading dimensions {@code shape} lacks and over the
     * dimensions where it has size 1. This is the backward of every broadcast.
     */
    public static Tensor sumTo(Tensor g, Shape shape) {
        if (g.shape().equals(shape)) {
            return g;
        }
        int extra = g.rank() - shape.rank();
        int count = 0;
        int[] axes = new int[g.rank()];
        for (int i = 0; i < g.rank(); i++) {
            if (i < extra || (shape.dim(i - extra) == 1 && g.shape().dim(i) != 1)) {
                axes[count++] = i;
            }
        }
        Tensor summed = count == 0 ? g : sum(g, Arrays.copyOf(axes, count), true);
        return summed.viewAs(shape);
    }

    private static Tensor broadcastBack(Tensor g, Shape kept, Shape inputShape) {
        return Movement.expand(g.viewAs(kept), inputShape);
    }

    static int[] allAxes(int rank) {
        int[] a = new int[rank];
        for (int i = 0; i < rank; i++) {
            a[i] = i;
        }
        return a;
    }

    /**
     * A reduction as blocks of the input in storage order: block k covers input elements
     * {@code [k·innerLength, (k+1)·innerLength)} and lands at output offset {@code outOffsets[k]}, either as one value
     * ({@code innerReduced}) or as a row of {@code innerLength} values.
     */
    private static final class Blocks {
        final int innerLength;
        final boolean innerReduced;
        final int[] outOffsets;

        private Blocks(int innerLength, boolean innerReduced, int[] outOffsets) {
            this.innerLength = innerLength;
            this.innerReduced = innerReduced;
            this.outOffsets = outOffsets;
        }

        static Blocks of(Shape shape, boolean[] reduced) {
            if (shape.numel() == 0) {
                return new Blocks(0, true, new int[0]);
            }
            // Merge neighbouring axes with the same role; size-1 axes take no part.
            int[] runLength = new int[shape.rank()];
            boolean[] runReduced = new boolean[shape.rank()];
            int runs = 0;
            for (int d = 0; d < shape.rank(); d++) {
                int size = shape.dim(d);
                if (size == 1) {
                    continue;
                }
                if (runs > 0 && runReduced[runs - 1] == reduced[d]) {
                    runLength[runs - 1] *= size;
                } else {
                    runLength[runs] = size;
                    runReduced[runs] = reduced[d];
                    runs++;
                }
            }
            if (runs == 0) {
                return new Blocks(1, true, new int[] {0});
            }
            int inner = runLength[runs - 1];
            boolean innerReduced = runReduced[runs - 1];
            int[] outerDims = Arrays.copyOf(runLength, runs - 1);
            int[] outerStrides = new int[runs - 1];
            int outStride = innerReduced ? 1 : inner;
            for (int r = runs - 2; r >= 0; r--) {
                outerStrides[r] = runReduced[r] ? 0 : outStride;
                if (!runReduced[r]) {
                    outStride *= runLength[r];
                }
            }
            return new Blocks(inner, innerReduced, Shape.stridedOffsets(Shape.of(outerDims), outerStrides));
        }
    }
}

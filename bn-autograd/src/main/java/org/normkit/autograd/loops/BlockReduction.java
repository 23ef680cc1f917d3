package org.normkit.autograd.loops;

import java.util.Arrays;

import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * The loops of the axis reductions. They walk the input once, in storage order, in blocks: adjacent axes that are
 * both reduced or both kept are merged, and the innermost merged run is either summed into one value per block (e.g.
 * the rows of a softmax) or added elementwise into a row of the output (e.g. a bias gradient, the sum over axis 0).
 *
 * <p>Block k covers input elements
 * {@code [k·innerLength, (k+1)·innerLength)} and lands at output offset {@code outOffsets[k]}, either as one value
 * ({@code innerReduced}) or as a row of {@code innerLength} values.
 */
public final class BlockReduction {
    private final int innerLength;
    private final boolean innerReduced;
    private final int[] outOffsets;

    private BlockReduction(int innerLength, boolean innerReduced, int[] outOffsets) {
        this.innerLength = innerLength;
        this.innerReduced = innerReduced;
        this.outOffsets = outOffsets;
    }

    /** The blocks of a reduction of {@code shape} over the axes marked in {@code reduced}. */
    public static BlockReduction of(Shape shape, boolean[] reduced) {
        if (shape.numel() == 0) {
            return new BlockReduction(0, true, new int[0]);
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
            return new BlockReduction(1, true, new int[] {0});
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
        return new BlockReduction(inner, innerReduced, Shape.stridedOffsets(Shape.of(outerDims), outerStrides));
    }

    /** Sums per output element, in double whatever the dtype; {@code outputSize} is the kept shape's size. */
    public double[] sum(Tensor x, int outputSize) {
        double[] acc = new double[outputSize];
        int len = innerLength;
        if (x.dtype() == DType.FLOAT32) {
            float[] v = x.floatData();
            for (int k = 0; k < outOffsets.length; k++) {
                int in = k * len;
                int out = outOffsets[k];
                if (innerReduced) {
                    acc[out] += contiguousSum(v, in, len);
                } else {
                    for (int j = 0; j < len; j++) {
                        acc[out + j] += v[in + j];
                    }
                }
            }
        } else {
            double[] v = x.doubleData();
            for (int k = 0; k < outOffsets.length; k++) {
                int in = k * len;
                int out = outOffsets[k];
                if (innerReduced) {
                    acc[out] += contiguousSum(v, in, len);
                } else {
                    for (int j = 0; j < len; j++) {
                        acc[out + j] += v[in + j];
                    }
                }
            }
        }
        return acc;
    }

    /** Maxima per output element (−∞ for none); a NaN wins. */
    public double[] max(Tensor x, int outputSize) {
        double[] best = new double[outputSize];
        Arrays.fill(best, Double.NEGATIVE_INFINITY);
        int len = innerLength;
        float[] f32 = x.dtype() == DType.FLOAT32 ? x.floatData() : null;
        double[] f64 = f32 == null ? x.doubleData() : null;
        for (int k = 0; k < outOffsets.length; k++) {
            int in = k * len;
            int out = outOffsets[k];
            for (int j = 0; j < len; j++) {
                double v = f32 != null ? f32[in + j] : f64[in + j];
                int o = innerReduced ? out : out + j;
                if (v > best[o] || Double.isNaN(v)) {
                    best[o] = v;
                }
            }
        }
        return best;
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
}

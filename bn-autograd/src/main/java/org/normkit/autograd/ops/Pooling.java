package org.normkit.autograd.ops;

import org.normkit.autograd.graph.Node;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * 2-d max and average pooling over (N, C, H, W), square windows, PyTorch semantics ({@code F.max_pool2d},
 * {@code F.avg_pool2d}; dilation 1, ceil_mode off). Padding may be at most half the kernel, so every window holds an
 * input element.
 *
 * <p>Max pooling remembers, for every output, the flat input index of its window's maximum (the first one in
 * row-major order on ties; a NaN wins, as in PyTorch), and its backward routes each gradient entirely to that
 * element. Average pooling divides each window's sum by kernel² when the padding counts (PyTorch's default
 * {@code count_include_pad=True}), or by the number of input elements in the window otherwise; its backward spreads
 * each gradient evenly over the same elements with the same divisor.
 */
public final class Pooling {
    private Pooling() {}

    /** Max over each {@code kernel}×{@code kernel} window, moved by {@code stride}, on an input padded with −∞. */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        x.shape().requireRank("maxPool2d", "(N, C, H, W)", 4);
        Window2d g = Window2d.forPooling("maxPool2d", x.shape(), kernel, stride, padding);
        Ranges r = Ranges.of(g);
        int planes = x.dim(0) * x.dim(1);
        Shape outShape = Shape.of(x.dim(0), x.dim(1), g.outH(), g.outW());
        int[] argmax = new int[outShape.numel()];
        int w = g.inW();
        float[] xs32 = x.dtype() == DType.FLOAT32 ? x.floatData() : null;
        double[] xs64 = xs32 == null ? x.doubleData() : null;
        for (int p = 0, o = 0; p < planes; p++) {
            int base = p * g.inPlane();
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++, o++) {
                    int best = base + r.rowStart[oh] * w + r.colStart[ow];
                    double bestValue = Double.NEGATIVE_INFINITY;
                    for (int ih = r.rowStart[oh]; ih < r.rowEnd[oh]; ih++) {
                        for (int iw = r.colStart[ow]; iw < r.colEnd[ow]; iw++) {
                            int i = base + ih * w + iw;
                            double v = xs32 != null ? xs32[i] : xs64[i];
                            if (v > bestValue || Double.isNaN(v)) {
                                bestValue = v;
                                best = i;
                            }
                        }
                    }
                    argmax[o] = best;
                }
            }
        }
        // An all −∞ window keeps its first element, whose value is −∞ too: gathering at argmax is the output.
        Tensor out = Elementwise.gather(x, outShape, argmax, 0);
        Shape inShape = x.shape();
        return Node.record(out, "maxPool2d", (grad, needs) -> {
            Tensor gx = Tensor.zeros(grad.dtype(), inShape);
            Elementwise.scatterAdd(grad, gx, argmax, 0);
            return new Tensor[] {gx};
        }, x);
    }

    /** Mean over each window with PyTorch's default {@code count_include_pad=True}: padding counts as zeros. */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        return avgPool2d(x, kernel, stride, padding, true);
    }

    /**
     * Mean over each {@code kernel}×{@code kernel} window; {@code countIncludePad} chooses the divisor: kernel²
     * (padding counts as zeros) or the number of input elements the window covers.
     */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding, boolean countIncludePad) {
        x.shape().requireRank("avgPool2d", "(N, C, H, W)", 4);
        Window2d g = Window2d.forPooling("avgPool2d", x.shape(), kernel, stride, padding);
        Ranges r = Ranges.of(g);
        double[] divisor = new double[g.outPlane()];
        for (int oh = 0, o = 0; oh < g.outH(); oh++) {
            for (int ow = 0; ow < g.outW(); ow++, o++) {
                divisor[o] = countIncludePad ? kernel * kernel
                        : (r.rowEnd[oh] - r.rowStart[oh]) * (r.colEnd[ow] - r.colStart[ow]);
            }
        }
        int planes = x.dim(0) * x.dim(1);
        Tensor out = Tensor.zeros(x.dtype(), Shape.of(x.dim(0), x.dim(1), g.outH(), g.outW()));
        boolean tiles = kernel == 2 && g.stride() == 2 && g.padding() == 0 && x.dtype() == DType.FLOAT32;
        if (tiles) {
            averageTiles2x2(x.floatData(), out.floatData(), planes, g);
        } else {
            averageWindows(x, out, planes, g, r, divisor);
        }
        Shape inShape = x.shape();
        return Node.record(out, "avgPool2d", (grad, needs) -> {
            Tensor gx = Tensor.zeros(grad.dtype(), inShape);
            if (tiles) {
                spreadTiles2x2(grad.floatData(), gx.floatData(), planes, g);
            } else {
                spreadWindows(grad, gx, planes, g, r, divisor);
            }
            return new Tensor[] {gx};
        }, x);
    }

    /**
     * 2×2 windows that tile a float32 input (stride 2, no padding: LeNet's pooling): each output sums its four
     * inputs directly, in double and in {@link #averageWindows}'s order (each column's two rows, then the two
     * columns), so the two give the same bits; without that method's per-row buffer and loops of two, which cost
     * more than the sums at this size (about 2.5× for LeNet's first pooling). Rows and columns past the last whole
     * window are not read.
     */
    private static void averageTiles2x2(float[] xs, float[] os, int planes, Window2d g) {
        int w = g.inW();
        for (int p = 0, o = 0; p < planes; p++) {
            int base = p * g.inPlane();
            for (int oh = 0; oh < g.outH(); oh++) {
                int top = base + 2 * oh * w;
                for (int ow = 0; ow < g.outW(); ow++, o++) {
                    int i = top + 2 * ow;
                    double s = ((double) xs[i] + xs[i + w]) + ((double) xs[i + 1] + xs[i + 1 + w]);
                    os[o] = (float) (s / 4);
                }
            }
        }
    }

    /** The adjoint of {@link #averageTiles2x2}: each output's quarter added to the four inputs of its window. */
    private static void spreadTiles2x2(float[] gs, float[] gx, int planes, Window2d g) {
        int w = g.inW();
        for (int p = 0, o = 0; p < planes; p++) {
            int base = p * g.inPlane();
            for (int oh = 0; oh < g.outH(); oh++) {
                int top = base + 2 * oh * w;
                for (int ow = 0; ow < g.outW(); ow++, o++) {
                    int i = top + 2 * ow;
                    float share = (float) ((double) gs[o] / 4);
                    gx[i] += share;
                    gx[i + 1] += share;
                    gx[i + w] += share;
                    gx[i + w + 1] += share;
                }
            }
        }
    }

    /**
     * Window sums in two passes per output row: the window's input rows are added into one row of column sums
     * (contiguous, vectorisable), then each output adds its few columns of that row. Sums are kept in double.
     */
    private static void averageWindows(Tensor x, Tensor out, int planes, Window2d g, Ranges r, double[] divisor) {
        int w = g.inW();
        double[] columnSums = new double[w];
        int o = 0;
        float[] xs32 = x.dtype() == DType.FLOAT32 ? x.floatData() : null;
        double[] xs64 = xs32 == null ? x.doubleData() : null;
        float[] os32 = xs32 != null ? out.floatData() : null;
        double[] os64 = xs32 == null ? out.doubleData() : null;
        for (int p = 0; p < planes; p++) {
            int base = p * g.inPlane();
            for (int q = 0, oh = 0; oh < g.outH(); oh++) {
                java.util.Arrays.fill(columnSums, 0.0);
                for (int ih = r.rowStart[oh]; ih < r.rowEnd[oh]; ih++) {
                    int row = base + ih * w;
                    if (xs32 != null) {
                        for (int iw = 0; iw < w; iw++) {
                            columnSums[iw] += xs32[row + iw];
                        }
                    } else {
                        for (int iw = 0; iw < w; iw++) {
                            columnSums[iw] += xs64[row + iw];
                        }
                    }
                }
                for (int ow = 0; ow < g.outW(); ow++, o++, q++) {
                    double s = 0;
                    for (int iw = r.colStart[ow]; iw < r.colEnd[ow]; iw++) {
                        s += columnSums[iw];
                    }
                    if (os32 != null) {
                        os32[o] = (float) (s / divisor[q]);
                    } else {
                        os64[o] = s / divisor[q];
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #averageWindows}: each output's share added to a row, the row added to the window's rows. */
    private static void spreadWindows(Tensor grad, Tensor gx, int planes, Window2d g, Ranges r, double[] divisor) {
        int w = g.inW();
        double[] rowShares = new double[w];
        int o = 0;
        float[] gx32 = gx.dtype() == DType.FLOAT32 ? gx.floatData() : null;
        double[] gx64 = gx32 == null ? gx.doubleData() : null;
        float[] gs32 = gx32 != null ? grad.floatData() : null;
        double[] gs64 = gx32 == null ? grad.doubleData() : null;
        for (int p = 0; p < planes; p++) {
            int base = p * g.inPlane();
            for (int q = 0, oh = 0; oh < g.outH(); oh++) {
                java.util.Arrays.fill(rowShares, 0.0);
                for (int ow = 0; ow < g.outW(); ow++, o++, q++) {
                    double share = (gs32 != null ? gs32[o] : gs64[o]) / divisor[q];
                    for (int iw = r.colStart[ow]; iw < r.colEnd[ow]; iw++) {
                        rowShares[iw] += share;
                    }
                }
                for (int ih = r.rowStart[oh]; ih < r.rowEnd[oh]; ih++) {
                    int row = base + ih * w;
                    if (gx32 != null) {
                        for (int iw = 0; iw < w; iw++) {
                            gx32[row + iw] += (float) rowShares[iw];
                        }
                    } else {
                        for (int iw = 0; iw < w; iw++) {
                            gx64[row + iw] += rowShares[iw];
                        }
                    }
                }
            }
        }
    }

    /** The input rows and columns each window covers once clipped to the input: separable, so two short tables. */
    private record Ranges(int[] rowStart, int[] rowEnd, int[] colStart, int[] colEnd) {
        static Ranges of(Window2d g) {
            int[] rs = new int[g.outH()];
            int[] re = new int[g.outH()];
            int[] cs = new int[g.outW()];
            int[] ce = new int[g.outW()];
            for (int oh = 0; oh < g.outH(); oh++) {
                int start = oh * g.stride() - g.padding();
                rs[oh] = Math.max(start, 0);
                re[oh] = Math.min(start + g.kernelH(), g.inH());
            }
            for (int ow = 0; ow < g.outW(); ow++) {
                int start = ow * g.stride() - g.padding();
                cs[ow] = Math.max(start, 0);
                ce[ow] = Math.min(start + g.kernelW(), g.inW());
            }
            return new Ranges(rs, re, cs, ce);
        }
    }
}

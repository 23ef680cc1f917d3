package org.normkit.autograd.loops;

import org.normkit.autograd.parallel.KernelThreads;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/**
 * The loops of 2-d max and average pooling over (N, C, H, W) with square windows (PyTorch's {@code F.max_pool2d},
 * {@code F.avg_pool2d}). Each window is clipped to the input: the rows and columns it covers are separable, so two
 * short tables (row and column ranges) describe them all.
 */
public final class PoolingLoops {
    private final Window2d window;
    private final int[] rowStart;
    private final int[] rowEnd;
    private final int[] colStart;
    private final int[] colEnd;

    public PoolingLoops(Window2d g) {
        this.window = g;
        rowStart = new int[g.outH()];
        rowEnd = new int[g.outH()];
        colStart = new int[g.outW()];
        colEnd = new int[g.outW()];
        for (int oh = 0; oh < g.outH(); oh++) {
            int start = oh * g.stride() - g.padding();
            rowStart[oh] = Math.max(start, 0);
            rowEnd[oh] = Math.min(start + g.kernelH(), g.inH());
        }
        for (int ow = 0; ow < g.outW(); ow++) {
            int start = ow * g.stride() - g.padding();
            colStart[ow] = Math.max(start, 0);
            colEnd[ow] = Math.min(start + g.kernelW(), g.inW());
        }
    }

    public Window2d window() {
        return window;
    }

    /**
     * For every output, the flat input index of its window's maximum: the first one in row-major order on ties; a
     * NaN wins, as in PyTorch; an all −∞ window keeps its first element.
     */
    public int[] argmax(Tensor x) {
        Window2d g = window;
        int planes = x.dim(0) * x.dim(1);
        int[] argmax = new int[planes * g.outPlane()];
        int w = g.inW();
        float[] xs32 = x.dtype() == DType.FLOAT32 ? x.floatData() : null;
        double[] xs64 = xs32 == null ? x.doubleData() : null;
        for (int p = 0, o = 0; p < planes; p++) {
            int base = p * g.inPlane();
            for (int oh = 0; oh < g.outH(); oh++) {
                for (int ow = 0; ow < g.outW(); ow++, o++) {
                    int best = base + rowStart[oh] * w + colStart[ow];
                    double bestValue = Double.NEGATIVE_INFINITY;
                    for (int ih = rowStart[oh]; ih < rowEnd[oh]; ih++) {
                        for (int iw = colStart[ow]; iw < colEnd[ow]; iw++) {
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
        return argmax;
    }

    /**
     * Window means into {@code out}: the divisor is kernel² when {@code countIncludePad} (padding counts as zeros),
     * else the number of input elements the window covers.
     */
    public void average(Tensor x, Tensor out, boolean countIncludePad) {
        int planes = x.dim(0) * x.dim(1);
        if (tiles(x.dtype())) {
            averageTiles2x2(x.floatData(), out.floatData(), planes, window);
        } else {
            averageWindows(x, out, planes, window, divisors(countIncludePad));
        }
    }

    /** The adjoint of {@link #average}: each gradient spread evenly over its window, added into {@code gx}. */
    public void spreadAverage(Tensor grad, Tensor gx, boolean countIncludePad) {
        int planes = gx.dim(0) * gx.dim(1);
        if (tiles(gx.dtype())) {
            spreadTiles2x2(grad.floatData(), gx.floatData(), planes, window);
        } else {
            spreadWindows(grad, gx, planes, window, divisors(countIncludePad));
        }
    }

    private boolean tiles(DType dtype) {
        return window.kernelH() == 2 && window.stride() == 2 && window.padding() == 0 && dtype == DType.FLOAT32;
    }

    private double[] divisors(boolean countIncludePad) {
        Window2d g = window;
        double[] divisor = new double[g.outPlane()];
        for (int oh = 0, o = 0; oh < g.outH(); oh++) {
            for (int ow = 0; ow < g.outW(); ow++, o++) {
                divisor[o] = countIncludePad ? g.kernelH() * g.kernelW()
                        : (rowEnd[oh] - rowStart[oh]) * (colEnd[ow] - colStart[ow]);
            }
        }
        return divisor;
    }

    /**
     * 2×2 windows that tile a float32 input (stride 2, no padding: LeNet's pooling): each output sums its four
     * inputs directly, in double and in {@link #averageWindows}'s order (each column's two rows, then the two
     * columns), so the two give the same bits; without that method's per-row buffer and loops of two, which cost
     * more than the sums at this size (about 2.5× for LeNet's first pooling). Rows and columns past the last whole
     * window are not read.
     */
    private static void averageTiles2x2(float[] xs, float[] os, int planes, Window2d g) {
        forEachPlanes(planes, g, (first, last) -> averageTiles2x2(xs, os, first, last, g));
    }

    private static void averageTiles2x2(float[] xs, float[] os, int firstPlane, int endPlane, Window2d g) {
        int w = g.inW();
        for (int p = firstPlane, o = firstPlane * g.outPlane(); p < endPlane; p++) {
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
        forEachPlanes(planes, g, (first, last) -> spreadTiles2x2(gs, gx, first, last, g));
    }

    private static void spreadTiles2x2(float[] gs, float[] gx, int firstPlane, int endPlane, Window2d g) {
        int w = g.inW();
        for (int p = firstPlane, o = firstPlane * g.outPlane(); p < endPlane; p++) {
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
     * Runs {@code body} over runs of whole planes ({@link KernelThreads#forEachRange}'s blocks of elements, rounded to
     * planes), on the pool when the input is large enough: each plane's windows are its own, so the results do not
     * depend on how the planes are shared.
     */
    private static void forEachPlanes(int planes, Window2d g, KernelThreads.RangeBody body) {
        int perBlock = Math.max(1, KernelThreads.RANGE_BLOCK / Math.max(1, g.inPlane()));
        int blocks = (planes + perBlock - 1) / perBlock;
        // An input element is read (or its gradient written) once, an output a quarter as often: two passes.
        KernelThreads.forEachBlock(blocks, 2L * planes * g.inPlane(),
                block -> body.run(block * perBlock, Math.min(planes, (block + 1) * perBlock)));
    }

    /**
     * Window sums in two passes per output row: the window's input rows are added into one row of column sums
     * (contiguous, vectorisable), then each output adds its few columns of that row. Sums are kept in double.
     */
    private void averageWindows(Tensor x, Tensor out, int planes, Window2d g, double[] divisor) {
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
                for (int ih = rowStart[oh]; ih < rowEnd[oh]; ih++) {
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
                    for (int iw = colStart[ow]; iw < colEnd[ow]; iw++) {
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
    private void spreadWindows(Tensor grad, Tensor gx, int planes, Window2d g, double[] divisor) {
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
                    for (int iw = colStart[ow]; iw < colEnd[ow]; iw++) {
                        rowShares[iw] += share;
                    }
                }
                for (int ih = rowStart[oh]; ih < rowEnd[oh]; ih++) {
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
}

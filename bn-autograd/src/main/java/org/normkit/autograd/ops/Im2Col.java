package org.normkit.autograd.ops;

import java.util.Arrays;

/**
 * The im2col rearrangement that turns a convolution into one matrix product, and its adjoint col2im.
 *
 * <p>For one image of C channels, the column matrix has one row per kernel tap (c, ki, kj), in the weight's
 * row-major order, and one column per output position (oh, ow): {@code cols[(c·kh + ki)·kw + kj][oh·outW + ow] =
 * x[c][oh·stride − padding + ki][ow·stride − padding + kj]}, 0 in the padding. Then output = W(O × C·kh·kw) · cols.
 * col2im adds a column matrix back into an image: the gradient of im2col. Each row is written as runs: zeros for the
 * padding, and for stride 1 a single {@code arraycopy} of the inside.
 */
final class Im2Col {
    private Im2Col() {}

    static void im2col(float[] x, int xOffset, int channels, Window2d g, float[] cols) {
        int plane = g.inPlane();
        int outW = g.outW();
        int dst = 0;
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < g.kernelH(); ki++) {
                for (int kj = 0; kj < g.kernelW(); kj++) {
                    int lo = g.firstInside(kj);
                    int hi = Math.max(lo, g.endInside(kj));
                    int shift = kj - g.padding();
                    for (int oh = 0; oh < g.outH(); oh++, dst += outW) {
                        int ih = oh * g.stride() - g.padding() + ki;
                        if (ih < 0 || ih >= g.inH()) {
                            Arrays.fill(cols, dst, dst + outW, 0f);
                            continue;
                        }
                        int src = xOffset + c * plane + ih * g.inW() + shift;
                        Arrays.fill(cols, dst, dst + lo, 0f);
                        if (g.stride() == 1) {
                            System.arraycopy(x, src + lo, cols, dst + lo, hi - lo);
                        } else {
                            for (int ow = lo; ow < hi; ow++) {
                                cols[dst + ow] = x[src + ow * g.stride()];
                            }
                        }
                        Arrays.fill(cols, dst + hi, dst + outW, 0f);
                    }
                }
            }
        }
    }

    static void im2col(double[] x, int xOffset, int channels, Window2d g, double[] cols) {
        int plane = g.inPlane();
        int outW = g.outW();
        int dst = 0;
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < g.kernelH(); ki++) {
                for (int kj = 0; kj < g.kernelW(); kj++) {
                    int lo = g.firstInside(kj);
                    int hi = Math.max(lo, g.endInside(kj));
                    int shift = kj - g.padding();
                    for (int oh = 0; oh < g.outH(); oh++, dst += outW) {
                        int ih = oh * g.stride() - g.padding() + ki;
                        if (ih < 0 || ih >= g.inH()) {
                            Arrays.fill(cols, dst, dst + outW, 0.0);
                            continue;
                        }
                        int src = xOffset + c * plane + ih * g.inW() + shift;
                        Arrays.fill(cols, dst, dst + lo, 0.0);
                        if (g.stride() == 1) {
                            System.arraycopy(x, src + lo, cols, dst + lo, hi - lo);
                        } else {
                            for (int ow = lo; ow < hi; ow++) {
                                cols[dst + ow] = x[src + ow * g.stride()];
                            }
                        }
                        Arrays.fill(cols, dst + hi, dst + outW, 0.0);
                    }
                }
            }
        }
    }

    /** Adds each column entry into the input position it was copied from; padding entries are dropped. */
    static void col2im(float[] cols, int channels, Window2d g, float[] x, int xOffset) {
        int plane = g.inPlane();
        int outW = g.outW();
        int s = g.stride();
        int src = 0;
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < g.kernelH(); ki++) {
                for (int kj = 0; kj < g.kernelW(); kj++) {
                    int lo = g.firstInside(kj);
                    int hi = Math.max(lo, g.endInside(kj));
                    int shift = kj - g.padding();
                    for (int oh = 0; oh < g.outH(); oh++, src += outW) {
                        int ih = oh * s - g.padding() + ki;
                        if (ih < 0 || ih >= g.inH()) {
                            continue;
                        }
                        int dst = xOffset + c * plane + ih * g.inW() + shift;
                        for (int ow = lo; ow < hi; ow++) {
                            x[dst + ow * s] += cols[src + ow];
                        }
                    }
                }
            }
        }
    }

    static void col2im(double[] cols, int channels, Window2d g, double[] x, int xOffset) {
        int plane = g.inPlane();
        int outW = g.outW();
        int s = g.stride();
        int src = 0;
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < g.kernelH(); ki++) {
                for (int kj = 0; kj < g.kernelW(); kj++) {
                    int lo = g.firstInside(kj);
                    int hi = Math.max(lo, g.endInside(kj));
                    int shift = kj - g.padding();
                    for (int oh = 0; oh < g.outH(); oh++, src += outW) {
                        int ih = oh * s - g.padding() + ki;
                        if (ih < 0 || ih >= g.inH()) {
                            continue;
                        }
                        int dst = xOffset + c * plane + ih * g.inW() + shift;
                        for (int ow = lo; ow < hi; ow++) {
                            x[dst + ow * s] += cols[src + ow];
                        }
                    }
                }
            }
        }
    }
}

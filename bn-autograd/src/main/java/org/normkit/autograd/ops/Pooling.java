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
        int o = 0;
        if (x.dtype() == DType.FLOAT32) {
            float[] xs = x.floatData();
            for (int p = 0; p < planes; p++) {
                int base = p * g.inPlane();
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++, o++) {
                        int best = base + r.rowStart[oh] * w + r.colStart[ow];
                        float bestValue = Float.NEGATIVE_INFINITY;
                        for (int ih = r.rowStart[oh]; ih < r.rowEnd[oh]; ih++) {
                            for (int iw = r.colStart[ow]; iw < r.colEnd[ow]; iw++) {
                                int i = base + ih * w + iw;
                                if (xs[i] > bestValue || Float.isNaN(xs[i])) {
                                    bestValue = xs[i];
                                    best = i;
                                }
                            }
                        }
                        argmax[o] = best;
                    }
                }
            }
        } else {
            double[] xs = x.doubleData();
            for (int p = 0; p < planes; p++) {
                int base = p * g.inPlane();
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++, o++) {
                        int best = base + r.rowStart[oh] * w + r.colStart[ow];
                        double bestValue = Double.NEGATIVE_INFINITY;
                        for (int ih = r.rowStart[oh]; ih < r.rowEnd[oh]; ih++) {
                            for (int iw = r.colStart[ow]; iw < r.colEnd[ow]; iw++) {
                                int i = base + ih * w + iw;
                                if (xs[i] > bestValue || Double.isNaN(xs[i])) {
                                    bestValue = xs[i];
                                    best = i;
                                }
                            }
                        }
                        argmax[o] = best;
                    }
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
        averageWindows(x, out, planes, g, r, divisor);
        Shape inShape = x.shape();
        return Node.record(out, "avgPool2d", (grad, needs) -> {
            Tensor gx = Tensor.zeros(grad.dtype(), inShape);
            spreadWindows(grad, gx, planes, g, r, divisor);
            return new Tensor[] {gx};
        }, x);
    }

    private static void averageWindows(Tensor x, Tensor out, int planes, Window2d g, Ranges r, double[] divisor) {
        int w = g.inW();
        int o = 0;
        if (x.dtype() == DType.FLOAT32) {
            float[] xs = x.floatData();
            float[] os = out.floatData();
            for (int p = 0; p < planes; p++) {
                int base = p * g.inPlane();
                for (int q = 0, oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++, o++, q++) {
                        double s = 0;
                        for (int ih = r.rowStart[oh]; ih < r.rowEnd[oh]; ih++) {
                            for (int iw = r.colStart[ow]; iw < r.colEnd[ow]; iw++) {
                                s += xs[base + ih * w + iw];
                            }
                        }
                        os[o] = (float) (s / divisor[q]);
                    }
                }
            }
        } else {
            double[] xs = x.doubleData();
            double[] os = out.doubleData();
            for (int p = 0; p < planes; p++) {
                int base = p * g.inPlane();
                for (int q = 0, oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++, o++, q++) {
                        double s = 0;
                        for (int ih = r.rowStart[oh]; ih < r.rowEnd[oh]; ih++) {
                            for (int iw = r.colStart[ow]; iw < r.colEnd[ow]; iw++) {
                                s += xs[base + ih * w + iw];
                            }
                        }
                        os[o] = s / divisor[q];
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #averageWindows}: each output gradient, divided, added to its window's elements. */
    private static void spreadWindows(Tensor grad, Tensor gx, int planes, Window2d g, Ranges r, double[] divisor) {
        int w = g.inW();
        int o = 0;
        if (grad.dtype() == DType.FLOAT32) {
            float[] gs = grad.floatData();
            float[] xs = gx.floatData();
            for (int p = 0; p < planes; p++) {
                int base = p * g.inPlane();
                for (int q = 0, oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++, o++, q++) {
                        float share = (float) (gs[o] / divisor[q]);
                        for (int ih = r.rowStart[oh]; ih < r.rowEnd[oh]; ih++) {
                            for (int iw = r.colStart[ow]; iw < r.colEnd[ow]; iw++) {
                                xs[base + ih * w + iw] += share;
                            }
                        }
                    }
                }
            }
        } else {
            double[] gs = grad.doubleData();
            double[] xs = gx.doubleData();
            for (int p = 0; p < planes; p++) {
                int base = p * g.inPlane();
                for (int q = 0, oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++, o++, q++) {
                        double share = gs[o] / divisor[q];
                        for (int ih = r.rowStart[oh]; ih < r.rowEnd[oh]; ih++) {
                            for (int iw = r.colStart[ow]; iw < r.colEnd[ow]; iw++) {
                                xs[base + ih * w + iw] += share;
                            }
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

package org.normkit.autograd.loops;

import java.util.Arrays;

/**
 * The im2col rearrangement that turns a convolution into one matrix product, and its adjoint col2im.
 *
 * <p>For one image of C channels, the column matrix has one row per kernel tap (c, ki, kj), in the weight's
 * row-major order, and one column per output position (oh, ow): {@code cols[(c·kh + ki)·kw + kj][oh·outW + ow] =
 * x[c][oh·stride − padding + ki][ow·stride − padding + kj]}, 0 in the padding. Then output = W(O × C·kh·kw) · cols.
 * col2im adds a column matrix back into an image: the gradient of im2col.
 *
 * <p>Both work on a zero-bordered copy of the image ({@link #pad}, {@link #unpadAdd}) when there is padding, so that
 * every row of the column matrix is a run of plain copies with no bounds tests ({@code arraycopy} for stride 1,
 * whose intrinsic beats a short copy loop), and a 5×5 kernel with padding 2 costs no more than one without.
 */
final class Im2Col {
    private Im2Col() {}

    /** Elements in one zero-bordered image. */
    static int paddedSize(int channels, Window2d g) {
        return channels * (g.inH() + 2 * g.padding()) * (g.inW() + 2 * g.padding());
    }

    /** Copies image {@code x[offset...]} into {@code padded} with a border of {@code padding} zeros. */
    static void pad(float[] x, int offset, int channels, Window2d g, float[] padded) {
        int p = g.padding();
        int wp = g.inW() + 2 * p;
        int hp = g.inH() + 2 * p;
        Arrays.fill(padded, 0, channels * hp * wp, 0f);
        for (int c = 0; c < channels; c++) {
            for (int ih = 0; ih < g.inH(); ih++) {
                System.arraycopy(x, offset + (c * g.inH() + ih) * g.inW(), padded, (c * hp + ih + p) * wp + p, g.inW());
            }
        }
    }

    static void pad(double[] x, int offset, int channels, Window2d g, double[] padded) {
        int p = g.padding();
        int wp = g.inW() + 2 * p;
        int hp = g.inH() + 2 * p;
        Arrays.fill(padded, 0, channels * hp * wp, 0.0);
        for (int c = 0; c < channels; c++) {
            for (int ih = 0; ih < g.inH(); ih++) {
                System.arraycopy(x, offset + (c * g.inH() + ih) * g.inW(), padded, (c * hp + ih + p) * wp + p, g.inW());
            }
        }
    }

    /** Adds the interior of the zero-bordered gradient {@code padded} into image {@code x[offset...]}. */
    static void unpadAdd(float[] padded, int channels, Window2d g, float[] x, int offset) {
        int p = g.padding();
        int wp = g.inW() + 2 * p;
        int hp = g.inH() + 2 * p;
        for (int c = 0; c < channels; c++) {
            for (int ih = 0; ih < g.inH(); ih++) {
                int src = (c * hp + ih + p) * wp + p;
                int dst = offset + (c * g.inH() + ih) * g.inW();
                for (int iw = 0; iw < g.inW(); iw++) {
                    x[dst + iw] += padded[src + iw];
                }
            }
        }
    }

    static void unpadAdd(double[] padded, int channels, Window2d g, double[] x, int offset) {
        int p = g.padding();
        int wp = g.inW() + 2 * p;
        int hp = g.inH() + 2 * p;
        for (int c = 0; c < channels; c++) {
            for (int ih = 0; ih < g.inH(); ih++) {
                int src = (c * hp + ih + p) * wp + p;
                int dst = offset + (c * g.inH() + ih) * g.inW();
                for (int iw = 0; iw < g.inW(); iw++) {
                    x[dst + iw] += padded[src + iw];
                }
            }
        }
    }

    /**
     * Fills {@code cols} (taps × positions) from an image whose padding, if any, is already in the array:
     * {@code hp × wp} planes starting at {@code offset}.
     */
    static void im2col(float[] x, int offset, int hp, int wp, int channels, Window2d g, float[] cols) {
        int s = g.stride();
        int outW = g.outW();
        int dst = 0;
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < g.kernelH(); ki++) {
                for (int kj = 0; kj < g.kernelW(); kj++) {
                    for (int oh = 0; oh < g.outH(); oh++, dst += outW) {
                        int src = offset + (c * hp + oh * s + ki) * wp + kj;
                        if (s == 1) {
                            System.arraycopy(x, src, cols, dst, outW);
                        } else {
                            for (int ow = 0; ow < outW; ow++) {
                                cols[dst + ow] = x[src + ow * s];
                            }
                        }
                    }
                }
            }
        }
    }

    static void im2col(double[] x, int offset, int hp, int wp, int channels, Window2d g, double[] cols) {
        int s = g.stride();
        int outW = g.outW();
        int dst = 0;
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < g.kernelH(); ki++) {
                for (int kj = 0; kj < g.kernelW(); kj++) {
                    for (int oh = 0; oh < g.outH(); oh++, dst += outW) {
                        int src = offset + (c * hp + oh * s + ki) * wp + kj;
                        if (s == 1) {
                            System.arraycopy(x, src, cols, dst, outW);
                        } else {
                            for (int ow = 0; ow < outW; ow++) {
                                cols[dst + ow] = x[src + ow * s];
                            }
                        }
                    }
                }
            }
        }
    }

    /** Adds each column entry into the (padded) image position it was copied from: the adjoint of im2col. */
    static void col2im(float[] cols, int hp, int wp, int channels, Window2d g, float[] x, int offset) {
        int s = g.stride();
        int outW = g.outW();
        int src = 0;
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < g.kernelH(); ki++) {
                for (int kj = 0; kj < g.kernelW(); kj++) {
                    for (int oh = 0; oh < g.outH(); oh++, src += outW) {
                        int dst = offset + (c * hp + oh * s + ki) * wp + kj;
                        if (s == 1) {
                            for (int ow = 0; ow < outW; ow++) {
                                x[dst + ow] += cols[src + ow];
                            }
                        } else {
                            for (int ow = 0; ow < outW; ow++) {
                                x[dst + ow * s] += cols[src + ow];
                            }
                        }
                    }
                }
            }
        }
    }

    static void col2im(double[] cols, int hp, int wp, int channels, Window2d g, double[] x, int offset) {
        int s = g.stride();
        int outW = g.outW();
        int src = 0;
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < g.kernelH(); ki++) {
                for (int kj = 0; kj < g.kernelW(); kj++) {
                    for (int oh = 0; oh < g.outH(); oh++, src += outW) {
                        int dst = offset + (c * hp + oh * s + ki) * wp + kj;
                        if (s == 1) {
                            for (int ow = 0; ow < outW; ow++) {
                                x[dst + ow] += cols[src + ow];
                            }
                        } else {
                            for (int ow = 0; ow < outW; ow++) {
                                x[dst + ow * s] += cols[src + ow];
                            }
                        }
                    }
                }
            }
        }
    }
}

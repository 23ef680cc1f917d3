package org.normkit.autograd.loops;

import org.normkit.autograd.tensor.DType;

/**
 * The forward of a stride-1, unpadded float32 convolution into {@value #OUT_CHANNELS} output channels, computed
 * directly, without column matrices: LeNet's second convolution (6 → 16 channels, 5×5, on 12×12 planes), where the
 * product over shifted planes ({@link ShiftedConvolution}) took 0.97–1.07 ms at batch 128 and this loop 0.25–0.32 ms
 * (thread CPU, three fresh JVMs, twelfth session; PyTorch 1.13's oneDNN kernel 0.27 ms). Its product is small (16 ×
 * 150 weights) and its planes narrow (8 positions a row), so BLAS spends its time packing and on the wide rows'
 * dropped positions, where one 16-lane vector holds the 16 output channels of a position and every tap is one fused
 * multiply-add per position.
 *
 * <p>Every output is {@code bias[c]} followed by one {@link Math#fma} per tap in the taps' order (input channel,
 * kernel row, kernel column). The vector loop ({@link VectorConvolution}) runs it for 16 channels a lane each, behind
 * its warm-up gate ({@link VectorGates#DIRECT_CONVOLUTION}); while the gate is closed the scalar loop here runs the same
 * operations in the same order, so the bits do not depend on when the JIT compiled the vector loop. The results agree
 * with the im2col loops and the shifted planes to float32 rounding, not bit for bit (their sums run in BLAS's order).
 * Used only where the JVM's preferred float vector has 16 lanes (AVX-512); elsewhere, and without the Vector API
 * module, the shifted planes run, whose products the scalar loop would be several times slower than.
 *
 * <p>The images are shared out over the kernel threads in {@link ImageChunks}, each image's outputs computed whole on
 * one thread, so the results do not depend on the thread count. The gradients stay on the shifted planes.
 */
final class DirectConvolution {
    static final int OUT_CHANNELS = 16;
    /** Work space of the vector loop: eight positions' 16 channels. */
    private static final int STAGED = 8 * OUT_CHANNELS;

    private final int batch;
    private final int channels;
    private final Window2d g;

    DirectConvolution(int batch, int channels, Window2d g) {
        this.batch = batch;
        this.channels = channels;
        this.g = g;
    }

    /**
     * Whether a convolution into {@code outChannels} over {@code g} runs here: 16 output channels, stride 1, no
     * padding, a square kernel, on a JVM with the Vector API whose preferred float vector has 16 lanes.
     */
    static boolean fits(int outChannels, Window2d g) {
        return outChannels == OUT_CHANNELS && g.stride() == 1 && g.padding() == 0 && g.kernelH() == g.kernelW()
                && Elementwise.VECTOR_API && VectorConvolution.fitsThisMachine();
    }

    /** out (N, 16, outH, outW) = conv(x, w) + b; {@code b} may be null. */
    void forward(float[] x, float[] w, float[] b, float[] out) {
        int kernel = g.kernelH();
        int taps = channels * kernel * kernel;
        float[] wT = new float[taps * OUT_CHANNELS];
        for (int c = 0; c < OUT_CHANNELS; c++) {
            for (int t = 0; t < taps; t++) {
                wT[t * OUT_CHANNELS + c] = w[c * taps + t];
            }
        }
        float[] bias = b == null ? new float[OUT_CHANNELS] : b;
        int[] offsets = offsets(channels, g.inPlane(), g.inW(), kernel);
        int imageSize = channels * g.inPlane();
        int outSize = OUT_CHANNELS * g.outPlane();
        ImageChunks chunks = new ImageChunks(batch);
        chunks.forEach(LoopCost.MULTIPLY_ADD.nanos(DType.FLOAT32, (long) batch * outSize * taps), chunk -> {
            boolean vector = VectorGates.DIRECT_CONVOLUTION.vectorReady();
            float[] staged = vector ? new float[STAGED] : null;
            for (int n = chunks.from(chunk); n < chunks.to(chunk); n++) {
                if (vector) {
                    VectorConvolution.image(x, n * imageSize, g.inW(), offsets, wT, bias, out, n * outSize, g.outH(),
                            g.outW(), staged);
                } else {
                    image(x, n * imageSize, g.inW(), offsets, wT, bias, out, n * outSize, g.outH(), g.outW());
                }
            }
        });
    }

    /**
     * Each tap's offset from a position's top-left input in an image of {@code channels} planes of {@code plane}
     * values, rows {@code inW} long, in the taps' order (input channel, kernel row, kernel column).
     */
    static int[] offsets(int channels, int plane, int inW, int kernel) {
        int[] offsets = new int[channels * kernel * kernel];
        for (int c = 0; c < channels; c++) {
            for (int kh = 0; kh < kernel; kh++) {
                for (int kw = 0; kw < kernel; kw++) {
                    offsets[(c * kernel + kh) * kernel + kw] = c * plane + kh * inW + kw;
                }
            }
        }
        return offsets;
    }

    /**
     * The scalar loop, the same operations as {@link VectorConvolution#image} in the same order: for each position and
     * channel, {@code bias[c]}, then {@code Math.fma} per tap. Eight accumulators of one channel at a time over a run of
     * positions, so that the fused multiply-adds do not wait for each other.
     */
    static void image(float[] x, int xAt, int inW, int[] offsets, float[] wT, float[] bias, float[] out, int outAt,
                      int outH, int outW) {
        final int lanes = OUT_CHANNELS;
        final int taps = offsets.length;
        final int outPlane = outH * outW;
        for (int c = 0; c < lanes; c++) {
            for (int oh = 0; oh < outH; oh++) {
                int ow = 0;
                for (; ow + 8 <= outW; ow += 8) {
                    float a0 = bias[c], a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
                    int corner = xAt + oh * inW + ow;
                    for (int t = 0; t < taps; t++) {
                        float w = wT[t * lanes + c];
                        int at = corner + offsets[t];
                        a0 = Math.fma(w, x[at], a0);
                        a1 = Math.fma(w, x[at + 1], a1);
                        a2 = Math.fma(w, x[at + 2], a2);
                        a3 = Math.fma(w, x[at + 3], a3);
                        a4 = Math.fma(w, x[at + 4], a4);
                        a5 = Math.fma(w, x[at + 5], a5);
                        a6 = Math.fma(w, x[at + 6], a6);
                        a7 = Math.fma(w, x[at + 7], a7);
                    }
                    int to = outAt + c * outPlane + oh * outW + ow;
                    out[to] = a0;
                    out[to + 1] = a1;
                    out[to + 2] = a2;
                    out[to + 3] = a3;
                    out[to + 4] = a4;
                    out[to + 5] = a5;
                    out[to + 6] = a6;
                    out[to + 7] = a7;
                }
                for (; ow < outW; ow++) {
                    float a = bias[c];
                    int corner = xAt + oh * inW + ow;
                    for (int t = 0; t < taps; t++) {
                        a = Math.fma(wT[t * lanes + c], x[corner + offsets[t]], a);
                    }
                    out[outAt + c * outPlane + oh * outW + ow] = a;
                }
            }
        }
    }
}

package org.normkit.autograd.loops;

import org.normkit.autograd.tensor.DType;

/**
 * Stride-1 float32 convolution over shifted planes, the training path of {@link Convolution}: the same products as
 * im2col, with column matrices that are cheap to build and a few images per matrix product.
 *
 * <h2>Shifted planes</h2>
 * With stride 1, the input that kernel tap (c, ki, kj) meets at output (oh, ow) is {@code plane_c[(oh + ki)·wp + ow
 * + kj]} (wp the padded width): for a fixed tap, position p = oh·wp + ow of a "wide" output of rows wp long reads
 * {@code plane_c[p + ki·wp + kj]}. So the tap's row of the column matrix is one contiguous run of the plane, copied
 * with one {@code arraycopy}, where im2col copies it row by row ({@link Im2Col}: for LeNet's second convolution,
 * 1,200 copies of 8 floats per image, whose call overhead was most of the convolution's time). The product then
 * computes {@code Lw = (outH − 1)·wp + outW} positions per image instead of outH·outW; the ones with ow ≥ outW wrap
 * around a row and are dropped (on the way to the output, where the bias is added in the same pass). In the
 * backward, the output gradient is laid out on the same wide positions with zeros on the dropped ones, so they add
 * nothing to dW, and the column gradient is added back to the plane run by run (col2im, contiguous). PyTorch's
 * {@code slow_conv2d} unfolds row by row, as {@link Im2Col} does.
 *
 * <h2>Blocks of images</h2>
 * The column matrices of {@link #imagesPerBlock} images sit side by side (K × B·Lw), so one matrix product serves
 * them all: LeNet's convolutions have 6 and 16 output channels, and a product per image is too small for BLAS to
 * run near its speed. The block is sized to stay in the cache (about {@value #BLOCK_FLOATS} floats of columns).
 *
 * <p>Sums run in BLAS's order, as on the im2col path; the results agree with it to float32 rounding, not bit for bit.
 * The blocks are shared out over {@link org.normkit.autograd.parallel.KernelThreads} in {@link ImageChunks}, so the
 * results do not depend on the thread count. Work arrays are {@link Scratch} slots, reused from call to call. Measured on LeNet's shapes at batch 128 against
 * the im2col loops (one thread, same session): first convolution forward 0.73 → 0.57 ms and forward+backward
 * 1.43 → 1.29 ms, second 1.03 → 0.82 ms and 3.64 → 3.15 ms. Larger blocks (1 MB of columns and up) were slower.
 */
final class ShiftedConvolution {
    /** Column-matrix floats per block of images: 256 KB, so columns and outputs stay in the L2 cache. */
    static final int BLOCK_FLOATS = 1 << 16;

    private final int batch;
    private final int channels;
    private final int outChannels;
    private final Window2d g;
    private final int kernel;
    private final int hp;
    private final int wp;
    private final int plane;
    private final int taps;
    private final int wide;
    private final int outPlane;

    ShiftedConvolution(int batch, int channels, int outChannels, Window2d g) {
        if (g.stride() != 1 || g.kernelH() != g.kernelW()) {
            throw new IllegalArgumentException("shifted planes need stride 1 and a square kernel, got " + g);
        }
        this.batch = batch;
        this.channels = channels;
        this.outChannels = outChannels;
        this.g = g;
        this.kernel = g.kernelH();
        this.hp = g.inH() + 2 * g.padding();
        this.wp = g.inW() + 2 * g.padding();
        this.plane = hp * wp;
        this.taps = channels * kernel * kernel;
        this.wide = (g.outH() - 1) * wp + g.outW();
        this.outPlane = g.outPlane();
    }

    /** Whether {@code g} can run here: stride 1 and a square kernel. */
    static boolean fits(Window2d g) {
        return g.stride() == 1 && g.kernelH() == g.kernelW();
    }

    /** Images per block: as many as keep the block's columns near {@link #BLOCK_FLOATS}, at least one. */
    int imagesPerBlock() {
        return Math.max(1, Math.min(batch, BLOCK_FLOATS / Math.max(1, taps * wide)));
    }

    /** out (N, O, outH, outW) = conv(x, w) + b; {@code b} may be null. */
    void forward(float[] x, float[] w, float[] b, float[] out) {
        int perBlock = imagesPerBlock();
        ImageChunks chunks = new ImageChunks(blocks(perBlock));
        chunks.forEach(LoopCost.MULTIPLY_ADD.nanos(DType.FLOAT32, multiplyAdds()), chunk -> {
            // Scratch is per thread: each chunk takes its work arrays on the thread that runs it.
            float[] cols = Scratch.floats(Scratch.COLUMNS, taps * perBlock * wide);
            float[] result = Scratch.floats(Scratch.WIDE_OUTPUT, outChannels * perBlock * wide);
            for (int block = chunks.from(chunk); block < chunks.to(chunk); block++) {
                forwardBlock(x, w, b, out, block * perBlock, Math.min(perBlock, batch - block * perBlock), cols,
                        result);
            }
        });
    }

    private void forwardBlock(float[] x, float[] w, float[] b, float[] out, int first, int images, float[] cols,
                              float[] result) {
        int ld = images * wide;
        columns(x, first, images, cols);
        Gemm.sgemm(false, false, outChannels, ld, taps, w, 0, cols, 0, 0f, result, 0);
        for (int i = 0; i < images; i++) {
            for (int o = 0; o < outChannels; o++) {
                float bias = b == null ? 0f : b[o];
                int dst = ((first + i) * outChannels + o) * outPlane;
                int src = o * ld + i * wide;
                for (int oh = 0; oh < g.outH(); oh++) {
                    System.arraycopy(result, src + oh * wp, out, dst + oh * g.outW(), g.outW());
                }
                if (b != null) {
                    for (int j = dst; j < dst + outPlane; j++) {
                        out[j] += bias;
                    }
                }
            }
        }
    }

    /**
     * dW = Σ g·colsᵀ into {@code gw} and dx = col2im(Wᵀ·g) added into {@code gx}; either may be null. The images are
     * shared out in {@link ImageChunks}: dW is summed per chunk, then the chunks' sums in chunk order.
     */
    void gradients(float[] x, float[] w, float[] grad, float[] gx, float[] gw) {
        int perBlock = imagesPerBlock();
        ImageChunks chunks = new ImageChunks(blocks(perBlock));
        int weights = outChannels * taps;
        float[][] partials = new float[chunks.count()][];
        if (gw != null) {
            partials[0] = gw;
            for (int c = 1; c < partials.length; c++) {
                partials[c] = new float[weights];
            }
        }
        chunks.forEach(LoopCost.MULTIPLY_ADD.nanos(DType.FLOAT32,
                multiplyAdds() * ((gw == null ? 0 : 1) + (gx == null ? 0 : 1))), chunk -> {
            float[] cols = Scratch.floats(Scratch.COLUMNS, taps * perBlock * wide);
            float[] wideGrad = Scratch.floats(Scratch.WIDE_OUTPUT, outChannels * perBlock * wide);
            float[] colGrad = gx == null ? null : Scratch.floats(Scratch.GRADIENT_COLUMNS, taps * perBlock * wide);
            for (int block = chunks.from(chunk); block < chunks.to(chunk); block++) {
                int first = block * perBlock;
                int images = Math.min(perBlock, batch - first);
                int ld = images * wide;
                spreadGradient(grad, first, images, wideGrad);
                if (gw != null) {
                    columns(x, first, images, cols);
                    Gemm.sgemm(false, true, outChannels, taps, ld, wideGrad, 0, cols, 0,
                            block == chunks.from(chunk) ? 0f : 1f, partials[chunk], 0);
                }
                if (gx != null) {
                    Gemm.sgemm(true, false, taps, ld, outChannels, w, 0, wideGrad, 0, 0f, colGrad, 0);
                    addColumns(colGrad, first, images, gx);
                }
            }
        });
        if (gw != null) {
            ImageChunks.sum(gw, partials, weights);
        }
    }

    /** Blocks of {@code perBlock} images that cover the batch (the last may be short). */
    private int blocks(int perBlock) {
        return (batch + perBlock - 1) / perBlock;
    }

    /** The multiply-adds of one product over the batch: what decides whether the pool is worth waking. */
    private long multiplyAdds() {
        return (long) batch * outChannels * taps * wide;
    }

    /** The shifted-plane columns of images [first, first + images), side by side: row r, image i at r·ld + i·wide. */
    private void columns(float[] x, int first, int images, float[] cols) {
        int ld = images * wide;
        int p = g.padding();
        for (int i = 0; i < images; i++) {
            int image = (first + i) * channels * g.inPlane();
            float[] src = x;
            int base = image;
            if (p > 0) {
                src = Scratch.floats(Scratch.PADDED, channels * plane);
                Im2Col.pad(x, image, channels, g, src);
                base = 0;
            }
            int row = 0;
            for (int c = 0; c < channels; c++) {
                for (int ki = 0; ki < kernel; ki++) {
                    for (int kj = 0; kj < kernel; kj++, row++) {
                        System.arraycopy(src, base + c * plane + ki * wp + kj, cols, row * ld + i * wide, wide);
                    }
                }
            }
        }
    }

    /** The output gradient of images [first, first + images) on the wide positions, 0 on the dropped ones. */
    private void spreadGradient(float[] grad, int first, int images, float[] wideGrad) {
        int ld = images * wide;
        int gap = wp - g.outW();
        for (int i = 0; i < images; i++) {
            for (int o = 0; o < outChannels; o++) {
                int src = ((first + i) * outChannels + o) * outPlane;
                int dst = o * ld + i * wide;
                for (int oh = 0; oh < g.outH(); oh++, src += g.outW(), dst += wp) {
                    System.arraycopy(grad, src, wideGrad, dst, g.outW());
                    if (oh + 1 < g.outH()) {
                        java.util.Arrays.fill(wideGrad, dst + g.outW(), dst + g.outW() + gap, 0f);
                    }
                }
            }
        }
    }

    /** Adds each image's column gradient back onto its planes (col2im), through a padded buffer when padded. */
    private void addColumns(float[] colGrad, int first, int images, float[] gx) {
        int ld = images * wide;
        int p = g.padding();
        for (int i = 0; i < images; i++) {
            int image = (first + i) * channels * g.inPlane();
            float[] dst = gx;
            int base = image;
            if (p > 0) {
                dst = Scratch.floats(Scratch.PADDED, channels * plane);
                java.util.Arrays.fill(dst, 0, channels * plane, 0f);
                base = 0;
            }
            int row = 0;
            for (int c = 0; c < channels; c++) {
                for (int ki = 0; ki < kernel; ki++) {
                    for (int kj = 0; kj < kernel; kj++, row++) {
                        Elementwise.addInto(colGrad, row * ld + i * wide, dst, base + c * plane + ki * wp + kj, wide);
                    }
                }
            }
            if (p > 0) {
                Im2Col.unpadAdd(dst, channels, g, gx, image);
            }
        }
    }
}

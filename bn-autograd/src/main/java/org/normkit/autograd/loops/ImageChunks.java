package org.normkit.autograd.loops;

import java.util.function.IntConsumer;

import org.normkit.autograd.parallel.KernelThreads;

/**
 * How a convolution shares a batch out over {@link KernelThreads}: {@code units} (images, or a cache-sized group of
 * images) cut into at most {@value #MAX_CHUNKS} runs of consecutive units, one run per pool block.
 *
 * <p>The runs depend on the number of units only, never on the thread count, so a convolution gives the same bits on
 * any number of threads: each run writes its own images of the output and of ∂L/∂x, and the weight gradient, a sum
 * over every image, is summed per run into a partial of its own and the partials are then added in run order
 * ({@link #sum}). Eight runs keep two to four threads busy to the end while the partials stay few (each is the size of
 * the weight).
 */
final class ImageChunks {
    static final int MAX_CHUNKS = 8;

    /**
     * Whether the chunks go to the pool at all: not when the BLAS runs threads of its own ({@link
     * Gemm#runsItsOwnThreads}), since each chunk's products would then wake that pool too, from every kernel thread
     * at once. The BLAS's threads then share each product instead, as before the pool took convolutions.
     */
    private static volatile boolean pooled = !Gemm.runsItsOwnThreads();

    private final int units;
    private final int chunks;

    ImageChunks(int units) {
        this.units = units;
        this.chunks = Math.max(1, Math.min(units, MAX_CHUNKS));
    }

    int count() {
        return chunks;
    }

    /** The first unit of {@code chunk}. */
    int from(int chunk) {
        return (int) ((long) chunk * units / chunks);
    }

    /** One past the last unit of {@code chunk}. */
    int to(int chunk) {
        return from(chunk + 1);
    }

    /**
     * Runs {@code body} for every chunk over the pool, or on the caller alone when sharing does not pay for
     * {@code serialNanos}, the estimate of the convolution's one-thread time ({@link LoopCost#MULTIPLY_ADD} times its
     * products' multiply-adds, batch · outChannels · taps · positions), or when the BLAS runs threads of its own.
     */
    void forEach(double serialNanos, IntConsumer body) {
        if (pooled) {
            KernelThreads.forEachBlockEstimated(chunks, serialNanos, body);
        } else {
            for (int chunk = 0; chunk < chunks; chunk++) {
                body.accept(chunk);
            }
        }
    }

    /** Tests: share chunks over the pool whatever the BLAS's threads (the results are the same either way). */
    static void poolEvenWithAThreadedBlas(boolean value) {
        pooled = value || !Gemm.runsItsOwnThreads();
    }

    /** {@code target[0, length) += partials[c][0, length)} for c = 1, 2, …, in that order (chunk 0 wrote target). */
    static void sum(float[] target, float[][] partials, int length) {
        for (int c = 1; c < partials.length; c++) {
            Elementwise.addInto(partials[c], 0, target, 0, length);
        }
    }

    /** As {@link #sum(float[], float[][], int)} for float64. */
    static void sum(double[] target, double[][] partials, int length) {
        for (int c = 1; c < partials.length; c++) {
            double[] partial = partials[c];
            for (int i = 0; i < length; i++) {
                target[i] += partial[i];
            }
        }
    }
}

package org.normkit.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code System.arraycopy} of {@code length} elements split into {@code threads} contiguous chunks: the calling
 * thread copies the first, a small pool of {@code threads − 1} daemon threads the others.
 */
final class ParallelCopy implements AutoCloseable {
    private final Object source;
    private final Object target;
    private final int length;
    private final int threads;
    private final ExecutorService pool;

    ParallelCopy(Object source, Object target, int length, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads = " + threads + ": the copy needs at least one thread");
        }
        this.source = source;
        this.target = target;
        this.length = length;
        this.threads = threads;
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "normkit-bench-copy");
            t.setDaemon(true);
            return t;
        });
    }

    /** Copies and returns the target array. */
    Object run() {
        if (pool == null) {
            System.arraycopy(source, 0, target, 0, length);
            return target;
        }
        int chunk = (length + threads - 1) / threads;
        CompletableFuture<?>[] others = new CompletableFuture<?>[threads - 1];
        for (int t = 1; t < threads; t++) {
            int from = Math.min(length, t * chunk);
            int count = Math.min(length, from + chunk) - from;
            others[t - 1] = CompletableFuture.runAsync(() -> System.arraycopy(source, from, target, from, count), pool);
        }
        System.arraycopy(source, 0, target, 0, Math.min(chunk, length));
        CompletableFuture.allOf(others).join();
        return target;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}

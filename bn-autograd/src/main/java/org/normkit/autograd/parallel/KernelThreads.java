package org.normkit.autograd.parallel;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * The small fixed thread pool the kernels split their work over, like {@code torch.set_num_threads}.
 *
 * <p>The thread count defaults to the number of available processors, or to the system property
 * {@value #PROPERTY} when it is set; {@link #set} changes it at any time (the pool is rebuilt on the next kernel
 * call). The calling thread always takes part, so {@code set(1)} runs everything on the caller with no hand-off.
 *
 * <p><b>Results do not depend on the thread count.</b> Kernels cut their work into blocks whose boundaries depend only
 * on the problem size, never on the number of threads; threads merely pick blocks, and reductions across blocks are
 * combined in block order afterwards. The same inputs therefore give bit-identical results with 1 or 16 threads.
 *
 * <p>Thread safety: kernels may be called from several threads at once; they then share the pool. A kernel called
 * from a pool thread runs its blocks inline.
 */
public final class KernelThreads {
    /** System property with the initial thread count. */
    public static final String PROPERTY = "normkit.threads";

    private static volatile int threads = initialThreads();
    private static final AtomicReference<Pool> POOL = new AtomicReference<>();
    private static final ThreadLocal<Boolean> IN_POOL = ThreadLocal.withInitial(() -> Boolean.FALSE);

    private KernelThreads() {}

    /** The number of threads kernels use (including the calling thread). */
    public static int get() {
        return threads;
    }

    /** Sets the number of threads kernels use; {@code n ≥ 1}. */
    public static void set(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("KernelThreads.set(" + n + "): the thread count must be >= 1");
        }
        threads = n;
    }

    private static int initialThreads() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            try {
                int n = Integer.parseInt(configured.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // Fall through to the default: a bad property must not stop the kernels.
            }
            System.err.println("normkit: ignoring -D" + PROPERTY + "=" + configured + ": expected an integer >= 1");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Work, in element-passes (elements × the passes a kernel makes over them), below which a call runs on the
     * caller alone. Waking a pool thread and sharing the blocks costs some tens of microseconds here, about what one
     * thread needs for this much work, so a second thread made small calls slower: BatchNorm's evaluation forward of
     * an 8x256x14x14 tensor (0.4 M elements, one pass) took 0.050 ms on two threads against 0.046 ms on one.
     */
    public static final long SERIAL_WORK = 1L << 20;
    /** {@link #SERIAL_WORK}, lowered by tests so that small inputs still exercise the pool. */
    private static volatile long serialWork = SERIAL_WORK;

    /**
     * Sets the work below which calls stay on the caller. For tests only (0 sends every call to the pool, so small
     * inputs exercise it); restore {@link #SERIAL_WORK} afterwards.
     */
    public static void setSerialWork(long work) {
        serialWork = work;
    }

    /**
     * As {@link #forEachBlock(int, IntConsumer)}, but on the caller alone when {@code work} (element-passes: the
     * elements touched times the passes over them) is below {@link #SERIAL_WORK}. Results do not change: the blocks
     * are the same either way.
     */
    public static void forEachBlock(int blocks, long work, IntConsumer body) {
        if (work < serialWork) {
            for (int b = 0; b < blocks; b++) {
                body.accept(b);
            }
            return;
        }
        forEachBlock(blocks, body);
    }

    /** The body of {@link #forEachRange}: one run {@code [from, to)} of the elements. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Elements per block of {@link #forEachRange}: 128 KB of float32, so a block's operands stay in the L2 cache and
     * a 4 MB tensor still makes 32 blocks to share.
     */
    public static final int RANGE_BLOCK = 1 << 15;

    /**
     * Runs {@code body} over {@code [0, length)} cut into blocks of {@link #RANGE_BLOCK} elements (the last one
     * shorter), spread over the pool when {@code length × passes} reaches {@link #SERIAL_WORK}, else on the caller
     * in one run. For elementwise loops, whose every element is computed alone: the results are the same however
     * the range is cut. {@code passes} is the work per element in element-passes (1 for a pass that reads or writes
     * each element once; more for a loop that computes more per element, such as an exponential).
     */
    public static void forEachRange(int length, int passes, RangeBody body) {
        if ((long) length * passes < serialWork || threads <= 1 || IN_POOL.get()) {
            body.run(0, length);
            return;
        }
        int blocks = (length + RANGE_BLOCK - 1) / RANGE_BLOCK;
        forEachBlock(blocks, block -> body.run(block * RANGE_BLOCK,
                (int) Math.min(length, (long) (block + 1) * RANGE_BLOCK)));
    }

    /**
     * Runs {@code body.accept(block)} for every block in {@code [0, blocks)}, spread over the pool; returns when all
     * are done. An exception in a block is rethrown on the caller.
     */
    public static void forEachBlock(int blocks, IntConsumer body) {
        int n = Math.min(threads, blocks);
        if (n <= 1 || IN_POOL.get()) {
            for (int b = 0; b < blocks; b++) {
                body.accept(b);
            }
            return;
        }
        Pool pool = pool();
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int b = next.getAndIncrement(); b < blocks; b = next.getAndIncrement()) {
                body.accept(b);
            }
        };
        Future<?>[] helpers = new Future<?>[n - 1];
        // Per helper: 0 not started, 1 started, 2 withdrawn by the caller before it started.
        AtomicIntegerArray state = new AtomicIntegerArray(helpers.length);
        for (int i = 0; i < helpers.length; i++) {
            final int helper = i;
            try {
                helpers[i] = pool.executor.submit(() -> {
                    if (state.compareAndSet(helper, 0, 1)) {
                        worker.run();
                    }
                });
            } catch (RejectedExecutionException e) {
                // The pool was replaced by a concurrent set(); the workers that did start share the blocks.
                break;
            }
        }
        Throwable failure = null;
        try {
            worker.run();
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (int i = 0; i < helpers.length; i++) {
            Future<?> f = helpers[i];
            // A helper that has not started by now would only find the blocks taken: withdraw it rather than wait
            // for a busy machine to schedule it (which made two threads slower than one on small tensors).
            if (f == null || state.compareAndSet(i, 0, 2)) {
                continue;
            }
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure == null ? e : failure;
            } catch (java.util.concurrent.ExecutionException e) {
                failure = failure == null ? e.getCause() : failure;
            }
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure instanceof Error) {
            throw (Error) failure;
        }
        if (failure != null) {
            throw new IllegalStateException("a kernel block was interrupted", failure);
        }
    }

    /** The pool for the current thread count; rebuilt (the old one shut down) after {@link #set}. */
    private static Pool pool() {
        int wanted = threads - 1;
        while (true) {
            Pool current = POOL.get();
            if (current != null && current.size == wanted) {
                return current;
            }
            Pool fresh = new Pool(wanted);
            if (POOL.compareAndSet(current, fresh)) {
                if (current != null) {
                    current.executor.shutdown();
                }
                return fresh;
            }
            fresh.executor.shutdown();
        }
    }

    /** Daemon workers, so an idle pool never keeps the JVM alive. */
    private static final class Pool {
        final int size;
        final ExecutorService executor;

        Pool(int size) {
            this.size = size;
            AtomicInteger counter = new AtomicInteger();
            this.executor = Executors.newFixedThreadPool(Math.max(1, size), r -> {
                Thread t = new Thread(() -> {
                    IN_POOL.set(Boolean.TRUE);
                    r.run();
                }, "normkit-kernel-" + counter.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
    }
}

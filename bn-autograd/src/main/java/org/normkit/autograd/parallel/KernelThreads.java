package org.normkit.autograd.parallel;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
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

    /** Tests: every call of more than one block goes to the pool, whatever its estimate. */
    private static volatile boolean shareEveryCall;

    /**
     * For tests only: {@code true} sends every call of more than one block to the pool, whatever its estimate, so
     * that small inputs exercise it; restore {@code false} afterwards.
     */
    public static void shareEveryCall(boolean value) {
        shareEveryCall = value;
    }

    /**
     * Wall time, in nanoseconds, that sharing a call with the pool adds to it: handing blocks to a helper, which then
     * starts on them late, joining it, and the blocks' data moving to the other core. Measured on this 2-core VM
     * (docs/performance.md, "Two threads (eighth session)"): BatchNorm 8x256x14x14 and 256x1024, every pass, both
     * dtypes, with cut-offs of 75, 50, 30, 15 and 0 us alternating in one JVM, the helper getting a core when woken
     * (the probe under {@code chrt}): every pass that a cut-off shared ran faster on two threads than on one, down to
     * calls of 26 us (1.14–1.91 ×). 30 us shares the training forwards (60–150 us on one thread) and the backwards;
     * it keeps on the caller the evaluation forwards of a megabyte or two (25–60 us), which gain only while a
     * helper is still polling ({@link #IDLE_SPIN_NANOS}) and lose a parked helper's wake-up otherwise. The seventh
     * session's 75 us was measured before the pool threads polled. This is the hand-off to a helper that is still
     * polling after its last call; one that has parked costs {@link #PARKED_HANDOFF_NANOS}.
     */
    public static final long HANDOFF_NANOS = 30_000;

    /**
     * Whether {@code blocks} blocks that take one thread {@code serialNanos} in all finish sooner on {@code threads}
     * threads with helpers that are polling for work: the busiest thread runs ⌈blocks / n⌉ of them and the call
     * pays {@link #HANDOFF_NANOS} once. So a call
     * of many blocks is shared from 2 × 30 us of serial work on, one of 3 blocks from 90 us, one block never.
     */
    public static boolean sharingPays(double serialNanos, int blocks, int threads) {
        return sharingPays(serialNanos, blocks, threads, HANDOFF_NANOS);
    }

    /**
     * {@link #sharingPays(double, int, int)} with a hand-off of {@code handoffNanos}: {@link #HANDOFF_NANOS} when the
     * helpers are polling for work, {@link #PARKED_HANDOFF_NANOS} when they have to be woken.
     */
    public static boolean sharingPays(double serialNanos, int blocks, int threads, long handoffNanos) {
        int n = Math.min(threads, blocks);
        if (n <= 1) {
            return false;
        }
        double busiest = serialNanos * ((blocks + n - 1) / n) / blocks;
        return busiest + handoffNanos <= serialNanos;
    }

    /**
     * Wall time, in nanoseconds, that sharing a call adds when the helper it needs has stopped polling and parked
     * ({@link #IDLE_SPIN_NANOS} after its last block): the caller's wake-up of it, which on this VM takes the caller
     * itself about 100 us and more (the woken helper often runs first on the caller's own core), and a helper that
     * then starts on blocks whose data sit in the other core's cache. Measured (docs/performance.md, "Two threads
     * (tenth session)"): calls with 1 ms of other work between them, as the head-to-head benchmark's samples of one
     * call each make them, took BatchNorm1d 256x1024 float32's training forward 188–201 us on two threads against
     * 89–119 us on one, BatchNorm2d 8x256x14x14 float64's evaluation forward 195 us against 112 (about 140 us over
     * half the one-thread time), while back to back, the helper polling, they took 72–87 against 70–81 us and 78
     * against 76 us; the ninth session's closing window showed the same on a quiet machine (110–150 us per shared
     * call over half the one-thread time). So a call is handed to a parked helper only from about 2 × 150 us of
     * work on: a tensor of a megabyte or two stays on the caller, one of 4 MB and more (milliseconds) is shared.
     */
    public static final long PARKED_HANDOFF_NANOS = 150_000;

    /**
     * The hand-off {@link #forEachBlockEstimated} and {@link #forEachRangeEstimated} weigh a call against:
     * {@link #HANDOFF_NANOS} while the pool's helpers are still polling after their last call (they finished one less
     * than {@link #IDLE_SPIN_NANOS} ago), else {@link #PARKED_HANDOFF_NANOS}. With more than one helper, the helpers of
     * one call finish it together, so the last one's end stands for all.
     */
    static long handoffNanos() {
        Boolean assumed = assumeHelpersPolling;
        boolean polling = assumed != null ? assumed : helpersPolling(System.nanoTime());
        return polling ? HANDOFF_NANOS : PARKED_HANDOFF_NANOS;
    }

    /** Whether, at {@code now} ({@link System#nanoTime}), a helper finished a call less than its polling time ago. */
    static boolean helpersPolling(long now) {
        return now - lastHelperEnd < IDLE_SPIN_NANOS;
    }

    /** {@link System#nanoTime} when a helper last finished its part of a call (long ago until the first). */
    private static volatile long lastHelperEnd = System.nanoTime() - 3_600_000_000_000L;

    /** Tests: null, or whether to treat the helpers as polling (true) or parked (false) whatever they are doing. */
    private static volatile Boolean assumeHelpersPolling;

    /**
     * For tests only: {@code true} or {@code false} makes the estimated loops weigh their calls as if the helpers
     * were polling ({@link #HANDOFF_NANOS}) or parked ({@link #PARKED_HANDOFF_NANOS}), so that a decision does not
     * depend on what the pool happens to be doing; {@code null} (restore it afterwards) reads the pool again.
     */
    public static void assumeHelpersPolling(Boolean polling) {
        assumeHelpersPolling = polling;
    }

    /**
     * As {@link #forEachBlock(int, IntConsumer)} when {@link #sharingPays} for the kernel's estimate
     * {@code serialNanos} of its one-thread time, with the hand-off of the helpers' state now ({@link #handoffNanos}:
     * polling, or parked), else on the caller alone. Results do not change: the blocks are the
     * same either way. {@link #shareEveryCall}, the tests' switch, sends these calls to the pool too. Every parallel
     * loop of normkit decides here or in {@link #forEachRangeEstimated}, by one cost model: the norm kernels of bn-core
     * with their passes' rates ({@code KernelPass}), bn-autograd's loops (products, convolutions, pooling, elementwise
     * ops, Adam) with theirs ({@code loops.LoopCost}), all read from {@link PassRates}.
     */
    public static void forEachBlockEstimated(int blocks, double serialNanos, IntConsumer body) {
        if (!shareEveryCall && !sharingPays(serialNanos, blocks, threads, handoffNanos())) {
            for (int b = 0; b < blocks; b++) {
                body.accept(b);
            }
            return;
        }
        forEachBlock(blocks, body);
    }

    /** The body of {@link #forEachRangeEstimated}: one run {@code [from, to)} of the elements. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Elements per block of {@link #forEachRangeEstimated}: 128 KB of float32, so a block's operands stay in the L2
     * cache and a 4 MB tensor still makes 32 blocks to share.
     */
    public static final int RANGE_BLOCK = 1 << 15;

    /**
     * {@link #sharingPays} for {@link #forEachRangeEstimated}'s blocks, whose last one is short: the busiest thread's
     * part is the larger home range ({@link HomeRanges}) counted in elements, not in blocks. Counting blocks made
     * Adam's update of the MLP's 784×256 weight (6.1 blocks of 32,768 parameters, estimated 69 us) look as if one
     * thread ran 4 of 7 equal blocks, and kept it on one thread, where sharing it took 29 us against 46 us (two
     * threads ÷ one 1.58 ×, docs/performance.md "Two threads (ninth session)").
     */
    public static boolean rangeSharingPays(int length, double nanosPerElement, int threads) {
        return rangeSharingPays(length, nanosPerElement, threads, HANDOFF_NANOS);
    }

    /** {@link #rangeSharingPays(int, double, int)} with a hand-off of {@code handoffNanos} ({@link #handoffNanos}). */
    public static boolean rangeSharingPays(int length, double nanosPerElement, int threads, long handoffNanos) {
        int blocks = (length + RANGE_BLOCK - 1) / RANGE_BLOCK;
        int n = Math.min(threads, blocks);
        if (n <= 1) {
            return false;
        }
        long busiest = 0;
        for (int w = 0; w < n; w++) {
            long from = (long) HomeRanges.homeStart(w, n, blocks) * RANGE_BLOCK;
            long to = Math.min(length, (long) HomeRanges.homeStart(w + 1, n, blocks) * RANGE_BLOCK);
            busiest = Math.max(busiest, to - from);
        }
        return (busiest + 0.0) * nanosPerElement + handoffNanos <= (double) length * nanosPerElement;
    }

    /**
     * Runs {@code body} over {@code [0, length)} cut into blocks of {@link #RANGE_BLOCK} elements (the last one
     * shorter), spread over the pool when sharing pays ({@link #rangeSharingPays}) for the estimate {@code length ×
     * nanosPerElement} of the loop's one-thread time, else on the caller in one run. For elementwise loops, whose every element is
     * computed alone: the results are the same however the range is cut. {@code nanosPerElement}: one thread's time
     * per element, e.g. {@code loops.LoopCost.ELEMENT_PASS} times the passes a loop makes over each element.
     */
    public static void forEachRangeEstimated(int length, double nanosPerElement, RangeBody body) {
        int blocks = (length + RANGE_BLOCK - 1) / RANGE_BLOCK;
        int t = threads;
        if (blocks <= 1 || t <= 1 || IN_POOL.get() || !shareEveryCall
                && !rangeSharingPays(length, nanosPerElement, t, handoffNanos())) {
            body.run(0, length);
            return;
        }
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
        HomeRanges ranges = new HomeRanges(blocks, n);
        Future<?>[] helpers = new Future<?>[n - 1];
        // Per helper: 0 not started, 1 running, 2 withdrawn by the caller before it started, 3 finished.
        AtomicIntegerArray state = new AtomicIntegerArray(helpers.length);
        AtomicReference<Throwable> helperFailure = new AtomicReference<>();
        for (int i = 0; i < helpers.length; i++) {
            final int helper = i;
            try {
                helpers[i] = pool.executor.submit(() -> {
                    try {
                        if (state.compareAndSet(helper, 0, 1)) {
                            try {
                                ranges.work(helper + 1, body);
                            } catch (RuntimeException | Error e) {
                                helperFailure.compareAndSet(null, e);
                            } finally {
                                // Before the caller can see this part finished, so that its next call finds the
                                // helper polling (SpinningQueue.take, which it enters next).
                                lastHelperEnd = System.nanoTime();
                                state.set(helper, 3);
                            }
                        }
                    } finally {
                        lastHelperEnd = System.nanoTime();
                    }
                });
            } catch (RejectedExecutionException e) {
                // The pool was replaced by a concurrent set(); the workers that did start share the blocks.
                break;
            }
        }
        Throwable failure = null;
        try {
            ranges.work(0, body);
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
            // A running helper is inside its last block, which ends within about a block's time: spin for it.
            // Parking here (Future.get) cost a second wake-up of the caller, some tens of microseconds on this VM,
            // which made calls of up to about 1 MB slower on two threads than on one (docs/performance.md, "Two
            // threads (seventh session)"). Past JOIN_SPIN_NANOS (a helper descheduled on a busy machine) it parks.
            long spinUntil = System.nanoTime() + JOIN_SPIN_NANOS;
            while (state.get(i) == 1 && System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            }
            if (state.get(i) == 3) {
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
        if (failure == null) {
            failure = helperFailure.get();
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

    /**
     * Which blocks each worker runs: worker w owns the contiguous home range {@code [w·blocks/n, (w+1)·blocks/n)} and
     * runs it front to back; a worker whose range is done takes the other ranges' blocks from their backs. So when
     * the threads keep pace, every call gives each thread the same contiguous part of the tensor (as ATen's static
     * split does), and the part a thread read or wrote in the last call is still in its own core's cache; a thread
     * that starts late (a busy machine) or never starts only leaves its blocks to the others. A single shared
     * counter, which this replaced, dealt the blocks out anew on every call, so about half of a tensor that fits in
     * the caches came from the other core's cache each time.
     */
    static final class HomeRanges {
        /** Per range: the next block from the front (low 32 bits) and the end, exclusive (high 32 bits). */
        private final AtomicLongArray ranges;
        private final int workers;

        HomeRanges(int blocks, int workers) {
            this.workers = workers;
            this.ranges = new AtomicLongArray(workers);
            for (int w = 0; w < workers; w++) {
                ranges.set(w, pack(homeStart(w, workers, blocks), homeStart(w + 1, workers, blocks)));
            }
        }

        /** The first block of worker {@code w}'s home range among {@code workers} (w = workers: the end). */
        static int homeStart(int w, int workers, int blocks) {
            return (int) ((long) w * blocks / workers);
        }

        /** Runs worker {@code w}'s home range front to back, then takes the other ranges' blocks from their backs. */
        void work(int w, IntConsumer body) {
            for (int b = takeFront(w); b >= 0; b = takeFront(w)) {
                body.accept(b);
            }
            for (int i = 1; i < workers; i++) {
                int victim = (w + i) % workers;
                for (int b = takeBack(victim); b >= 0; b = takeBack(victim)) {
                    body.accept(b);
                }
            }
        }

        private int takeFront(int r) {
            while (true) {
                long v = ranges.get(r);
                int front = (int) v;
                int end = (int) (v >>> 32);
                if (front >= end) {
                    return -1;
                }
                if (ranges.compareAndSet(r, v, pack(front + 1, end))) {
                    return front;
                }
            }
        }

        private int takeBack(int r) {
            while (true) {
                long v = ranges.get(r);
                int front = (int) v;
                int end = (int) (v >>> 32);
                if (front >= end) {
                    return -1;
                }
                if (ranges.compareAndSet(r, v, pack(front, end - 1))) {
                    return end - 1;
                }
            }
        }

        private static long pack(int front, int end) {
            return ((long) end << 32) | (front & 0xFFFFFFFFL);
        }
    }

    /**
     * How long the caller spins for a running helper to finish before it parks: a few blocks' time (a block is about
     * 10–50 us of work).
     */
    static final long JOIN_SPIN_NANOS = 200_000;

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

    /**
     * How long an idle pool thread polls for the next call before it parks. A parked thread takes tens of
     * microseconds to wake on this VM (more after a long idle), which kept calls of up to about 150 us from gaining;
     * one still polling starts at once. Measured with every call forced onto the pool (docs/performance.md, "Two
     * threads (seventh session)"): BatchNorm 8x256x14x14 and 256x1024, every pass, went from 0.49–1.37 × to
     * 1.18–2.09 × over one thread. The cost is at most this much CPU time of the helper's core after a call that is
     * not soon followed by another, as OpenMP's spin-wait (which PyTorch's threads use) costs.
     */
    static final long IDLE_SPIN_NANOS = 100_000;

    /** The pool's work queue: {@link #take} polls for {@link #IDLE_SPIN_NANOS} before it blocks. */
    private static final class SpinningQueue extends LinkedBlockingQueue<Runnable> {
        private static final long serialVersionUID = 1L;

        @Override
        public Runnable take() throws InterruptedException {
            long until = System.nanoTime() + IDLE_SPIN_NANOS;
            do {
                Runnable task = poll();
                if (task != null) {
                    return task;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                Thread.onSpinWait();
            } while (System.nanoTime() < until);
            return super.take();
        }
    }

    /** Daemon workers, so an idle pool never keeps the JVM alive. */
    private static final class Pool {
        final int size;
        final ExecutorService executor;

        Pool(int size) {
            this.size = size;
            AtomicInteger counter = new AtomicInteger();
            this.executor = new ThreadPoolExecutor(Math.max(1, size), Math.max(1, size), 0L, TimeUnit.MILLISECONDS,
                    new SpinningQueue(), r -> {
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

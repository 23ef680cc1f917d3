package org.normkit.autograd.loops;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Holds each Vector API loop back until the JIT has compiled it, and compiles it sooner by running it on small
 * arrays on a background thread.
 *
 * <p>Why: until C2 has compiled a vector loop, the interpreter and C1 run it with an object allocated per vector
 * operation, tens of times slower than the scalar loop it replaces, and C2 needs seconds of compiler time for these
 * loops' deep inlining. That was most of the first epoch's excess in {@code normkit experiment}
 * (docs/training-throughput.md). A kernel whose vector loop gives the same bits as its scalar loop asks its
 * {@link Gate} before each call ({@code if (VECTOR_API && EXP.vectorReady())}) and runs the scalar loop while the
 * gate is closed; since the bits are the same, when the gate opens changes the speed only, never a result.
 *
 * <p>How "compiled" is known: the JVM has no API that says whether a method has been compiled, and the signal that
 * matters is speed anyway (a C2 compile that failed to intrinsify the vector operations would be compiled and still
 * slow). So the warm-up thread times the gate's two pieces of work on the same small arrays, scalar and vector in
 * turn, {@value #CALLS_PER_ROUND} calls each, and opens the gate once the vector work has had at least
 * {@value #MIN_CALLS} calls (past C2's invocation thresholds) and taken at most {@value #RATIO} × the scalar work's
 * time in {@value #PASSES_IN_A_ROW} rounds in a row. Interpreted or C1-compiled vector code is more than five times
 * slower than the compiled scalar loop and compiled vector code faster than it, so the test separates the two with room
 * to spare for a busy machine's noise. A loop that never passes within {@value #GIVE_UP_SECONDS} s stays scalar: then
 * it is no faster than the scalar loop on this machine.
 *
 * <p>All gates are warmed on one daemon thread, round-robin, so their compilations are queued together; once a gate
 * has had its {@value #MIN_CALLS} calls, the thread sleeps {@value #NAP_MILLIS} ms after each pass so that it takes a
 * core from neither the work nor the compiler while it waits for C2. A gate starts warming at its first
 * {@link Gate#vectorReady} call or at {@link #start}.
 *
 * <p>System property {@code normkit.vectorWarmUp}: {@code off} opens every gate at once (the vector loops from the
 * first call, as before this class: for A/B comparisons), {@code log} prints a line to stderr as each gate opens.
 */
public final class VectorWarmUp {
    static final int CALLS_PER_ROUND = 16;
    static final int MIN_CALLS = 500;
    static final double RATIO = 2.0;
    static final int PASSES_IN_A_ROW = 3;
    static final int GIVE_UP_SECONDS = 600;
    static final int NAP_MILLIS = 2;

    private static final String MODE = System.getProperty("normkit.vectorWarmUp", "on").toLowerCase(Locale.ROOT);
    private static final boolean OFF = MODE.equals("off");
    private static final boolean LOG = MODE.equals("log");
    private static final long STARTED = System.nanoTime();

    private static final LinkedBlockingQueue<Gate> REQUESTED = new LinkedBlockingQueue<>();
    // How many withoutWarmUp calls this thread is inside (an array: one lookup, no boxing).
    private static final ThreadLocal<int[]> HELD = ThreadLocal.withInitial(() -> new int[1]);
    private static final AtomicBoolean THREAD_STARTED = new AtomicBoolean();
    /** Gates requested and not yet settled (opened, given up or failed). */
    private static final AtomicInteger UNSETTLED = new AtomicInteger();

    private VectorWarmUp() {}

    /**
     * A gate for one vector loop: {@code vector} and {@code scalar} each run the loop once on small arrays (the same
     * work, the same arrays), covering every branch the kernel takes (strides, tails), so that the code C2 compiles
     * from this profile is not thrown away at the kernel's first real call.
     */
    public static Gate gate(String name, Runnable vector, Runnable scalar) {
        return new Gate(name, vector, scalar, System::nanoTime);
    }

    /**
     * For tests: a gate whose rounds read {@code clock} (nanoseconds) instead of {@link System#nanoTime}, so that the
     * decision can be pinned with work whose duration the test sets, not measured.
     */
    static Gate gate(String name, Runnable vector, Runnable scalar, LongSupplier clock) {
        return new Gate(name, vector, scalar, clock);
    }

    /**
     * Starts warming {@code gates} now, before their kernels' first call: at the start of a command, while its data
     * loads. Idempotent; without the Vector API module it does nothing (the gates' work would not even load).
     */
    public static void start(Gate... gates) {
        if (!Elementwise.VECTOR_API) {
            return;
        }
        for (Gate gate : gates) {
            gate.request();
        }
    }

    /**
     * Whether every gate requested so far has settled: opened, or given up for good. A benchmark waits for this before
     * it times anything, so that it times the loops a long run uses, not the scalar fall-backs of its first seconds.
     */
    public static boolean settled() {
        return UNSETTLED.get() == 0;
    }

    /**
     * Runs {@code work} on this thread without starting the warm-up of any gate it reaches: for calls that will not
     * be repeated, such as the check of a norm's faces on a small float64 input before float32 training, whose
     * loops would otherwise be warmed and compiled for nothing while the compiler threads are needed for the
     * training's own code. Gates already open stay open and closed ones run their scalar loops (the same bits), so
     * only speed can change, never a result. Gates that {@code work} reaches on other threads start as usual.
     */
    public static <T> T withoutWarmUp(Supplier<T> work) {
        int[] depth = HELD.get();
        depth[0]++;
        try {
            return work.get();
        } finally {
            depth[0]--;
        }
    }

    /** autograd's gates ({@link VectorGates}): ReLU's greater and where, exp, sigmoid, the convolution's addInto. */
    public static void startAutograd() {
        start(VectorGates.ALL.toArray(Gate[]::new));
    }

    /** Whether a vector loop may run now. */
    public static final class Gate {
        private final String name;
        private final Runnable vector;
        private final Runnable scalar;
        private final LongSupplier clock;
        private final AtomicBoolean requested = new AtomicBoolean();
        private volatile boolean open = OFF;
        private volatile boolean forced;

        private long vectorCalls;
        private int passes;
        private boolean roundsStarted;
        private long firstRound;

        private Gate(String name, Runnable vector, Runnable scalar, LongSupplier clock) {
            this.name = name;
            this.vector = vector;
            this.scalar = scalar;
            this.clock = clock;
        }

        /**
         * True once the vector loop runs compiled; until then false, and the first call starts its warm-up (unless
         * the call is inside {@link #withoutWarmUp}). The caller runs its scalar loop while this is false. One
         * volatile read once open.
         */
        public boolean vectorReady() {
            if (open) {
                return true;
            }
            if (HELD.get()[0] == 0) {
                request();
            }
            return false;
        }

        public String name() {
            return name;
        }

        void request() {
            // A plain read first: a closed gate is asked on every kernel call, and a failing CAS still locks the line.
            if (!open && !requested.get() && requested.compareAndSet(false, true)) {
                UNSETTLED.incrementAndGet();
                REQUESTED.add(this);
                if (THREAD_STARTED.compareAndSet(false, true)) {
                    Thread thread = new Thread(VectorWarmUp::warmForever, "normkit-vector-warm-up");
                    thread.setDaemon(true);
                    thread.start();
                }
            }
        }

        /** For tests: whether the gate has been queued for warm-up. */
        boolean requested() {
            return requested.get();
        }

        /** For tests: holds the gate open or closed; its warm-up pauses until {@link #release}. */
        void force(boolean isOpen) {
            forced = true;
            open = isOpen;
        }

        /** For tests: sets the gate back to {@code isOpen} and lets its warm-up go on. */
        void release(boolean isOpen) {
            open = isOpen;
            forced = false;
        }

        /**
         * One timed round; returns true when the gate is settled (opened, or given up). Run by the warm-up thread
         * only (tests call it directly on a gate that was never requested).
         */
        boolean round() {
            if (!roundsStarted) {
                // A flag, not firstRound == 0: a clock may read 0.
                roundsStarted = true;
                firstRound = clock.getAsLong();
            }
            if (forced) {
                return false;
            }
            if (open) {
                return true;
            }
            long scalarNanos = time(scalar);
            long vectorNanos = time(vector);
            vectorCalls += CALLS_PER_ROUND;
            passes = vectorCalls >= MIN_CALLS && vectorNanos <= RATIO * scalarNanos ? passes + 1 : 0;
            if (passes >= PASSES_IN_A_ROW) {
                open = true;
                log("open");
                return true;
            }
            if (clock.getAsLong() - firstRound > TimeUnit.SECONDS.toNanos(GIVE_UP_SECONDS)) {
                log("stays scalar (the vector loop never ran within " + RATIO + " x the scalar loop's time)");
                return true;
            }
            return false;
        }

        boolean primed() {
            return forced || vectorCalls >= MIN_CALLS;
        }

        private long time(Runnable work) {
            long start = clock.getAsLong();
            for (int i = 0; i < CALLS_PER_ROUND; i++) {
                work.run();
            }
            return clock.getAsLong() - start;
        }

        void log(String outcome) {
            if (LOG) {
                System.err.printf(Locale.ROOT, "vector warm-up: %s %s at %.0f ms (%.0f ms after its first round, "
                                + "%d calls)%n", name, outcome, (System.nanoTime() - STARTED) / 1e6,
                        (clock.getAsLong() - firstRound) / 1e6, vectorCalls);
            }
        }

        boolean isOpen() {
            return open;
        }
    }

    /** The warm-up thread: a round of every pending gate per pass, new gates joining as they are requested. */
    private static void warmForever() {
        List<Gate> pending = new ArrayList<>();
        while (true) {
            try {
                if (pending.isEmpty()) {
                    pending.add(REQUESTED.take());
                }
            } catch (InterruptedException e) {
                return;
            }
            REQUESTED.drainTo(pending);
            boolean allPrimed = true;
            for (Iterator<Gate> it = pending.iterator(); it.hasNext(); ) {
                Gate gate = it.next();
                boolean settled;
                try {
                    settled = gate.round();
                } catch (RuntimeException | LinkageError e) {
                    // A warm-up that fails leaves its gate closed: the scalar loop keeps running, correct and slower.
                    gate.log("stays scalar (its warm-up failed: " + e + ")");
                    settled = true;
                }
                if (settled) {
                    it.remove();
                    UNSETTLED.decrementAndGet();
                } else {
                    allPrimed &= gate.primed();
                }
            }
            if (allPrimed && !pending.isEmpty()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(NAP_MILLIS));
            }
        }
    }
}

package org.normkit.core.replica;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;

/**
 * The in-JVM {@link StatsReducer}: K replicas on K threads meet at a barrier. Each call deposits the caller's array,
 * waits for the others, copies the K references, and waits once more so no replica overwrites its slot before every
 * replica has read it. The arrays themselves are not copied: callers pass a fresh array each time.
 *
 * <p>Thread safety: made for exactly K threads calling concurrently, one per replica index.
 */
public final class ThreadStatsReducer implements StatsReducer {
    private final int replicas;
    private final double[][] slots;
    private final CyclicBarrier barrier;
    private volatile Throwable failure;

    public ThreadStatsReducer(int replicas) {
        if (replicas < 1) {
            throw new IllegalArgumentException("--replicas " + replicas + " must be >= 1");
        }
        this.replicas = replicas;
        this.slots = new double[replicas][];
        this.barrier = new CyclicBarrier(replicas);
    }

    @Override
    public int replicas() {
        return replicas;
    }

    @Override
    public double[][] allGather(int replica, double[] local) {
        if (replica < 0 || replica >= replicas) {
            throw new IllegalArgumentException("replica " + replica + " is not in [0, " + replicas + ")");
        }
        slots[replica] = local;
        await();
        double[][] all = slots.clone();
        await();
        return all;
    }

    @Override
    public void abort(Throwable cause) {
        failure = cause;
        barrier.reset();
    }

    private void await() {
        try {
            barrier.await();
        } catch (BrokenBarrierException e) {
            throw new ReplicaFailedException("another replica failed: " + failure, failure);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort(e);
            throw new ReplicaFailedException("interrupted while waiting for the other replicas", e);
        }
    }
}

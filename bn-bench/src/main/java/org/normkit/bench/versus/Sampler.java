package org.normkit.bench.versus;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Times in-process calls the way {@link Contender} asks: the number of calls per sample is fixed on the first
 * sample of each key (so later samples of a case time the same work), and the results of the calls are folded into
 * a field the JIT cannot prove dead.
 *
 * <p>The number is fixed from the fastest of {@link #CALIBRATION_CALLS} single calls, not from the first: the first
 * call of a kind can be far slower than the rest (the first two-thread call of a fresh JVM starts the pool's thread:
 * 8.2 ms against 0.1 ms for BatchNorm1d), and a sample sized from it was one call long instead of the stated minimum,
 * so the two-thread rows timed single calls while the one-thread rows timed means over tens of calls.
 */
public final class Sampler {
    /** The single calls whose fastest sizes a key's samples. */
    static final int CALIBRATION_CALLS = 3;

    private final Map<String, Integer> callsPerSample = new HashMap<>();
    private int sink;

    /** The mean milliseconds of one {@code call} over a sample of at least {@code minMs}. */
    public double sample(String key, Supplier<?> call, double minMs) {
        Integer k = callsPerSample.get(key);
        if (k == null) {
            k = callsFor(call, minMs);
            callsPerSample.put(key, k);
        }
        return time(call, k);
    }

    /** The calls a sample of at least {@code minMs} needs, from the fastest of a few single calls. */
    private int callsFor(Supplier<?> call, double minMs) {
        double fastest = Double.POSITIVE_INFINITY;
        for (int i = 0; i < CALIBRATION_CALLS; i++) {
            fastest = Math.min(fastest, time(call, 1));
        }
        return fastest >= minMs ? 1 : (int) Math.min(1_000_000, Math.ceil(minMs / Math.max(fastest, 1e-4)));
    }

    /** The calls per sample fixed for {@code key}, or 0 before its first sample. */
    int callsPerSample(String key) {
        return callsPerSample.getOrDefault(key, 0);
    }

    private double time(Supplier<?> call, int k) {
        long start = System.nanoTime();
        for (int i = 0; i < k; i++) {
            Object result = call.get();
            sink += System.identityHashCode(result);
        }
        return (System.nanoTime() - start) / 1e6 / k;
    }

    /** Keeps {@link #sink} observable. */
    @Override
    public String toString() {
        return "Sampler(" + callsPerSample.size() + " keys, " + sink + ")";
    }
}

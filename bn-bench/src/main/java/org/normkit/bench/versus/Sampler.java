package org.normkit.bench.versus;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Times in-process calls the way {@link Contender} asks: the number of calls per sample is fixed on the first
 * sample of each key (so later samples of a case time the same work), and the results of the calls are folded into
 * a field the JIT cannot prove dead.
 */
public final class Sampler {
    private final Map<String, Integer> callsPerSample = new HashMap<>();
    private int sink;

    /** The mean milliseconds of one {@code call} over a sample of at least {@code minMs}. */
    public double sample(String key, Supplier<?> call, double minMs) {
        Integer k = callsPerSample.get(key);
        if (k == null) {
            double once = time(call, 1);
            k = once >= minMs ? 1 : (int) Math.min(1_000_000, Math.ceil(minMs / Math.max(once, 1e-4)));
            callsPerSample.put(key, k);
        }
        return time(call, k);
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

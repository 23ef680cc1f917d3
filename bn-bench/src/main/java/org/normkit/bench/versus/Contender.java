package org.normkit.bench.versus;

/**
 * One side of a head-to-head comparison, prepared for one {@link Case}: the call it times and a copy of a tensor of
 * the same size and dtype, each sampled on demand so that the runner can interleave the sides sample by sample.
 *
 * <p>A sample repeats the call k times back to back and returns the mean time of one call; k is fixed on the first
 * sample of each (call or copy, thread count) of a case, so that a sample lasts at least {@code minMs}. The thread
 * count is set before every sample: in-process peers share no pool with normkit, and each side must run with the
 * count asked for no matter what ran just before.
 */
public interface Contender extends AutoCloseable {

    /** Milliseconds of one call, averaged over a sample of at least {@code minMs}. */
    double callMs(int threads, double minMs);

    /** Milliseconds of one copy of the case's tensor into a preallocated one, averaged the same way. */
    double copyMs(int threads, double minMs);

    /** Frees what {@code prepare} allocated (native tensors, a worker process's case). */
    @Override
    default void close() {}
}

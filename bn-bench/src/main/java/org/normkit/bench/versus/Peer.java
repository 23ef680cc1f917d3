package org.normkit.bench.versus;

/**
 * Another library that times the same calls as normkit on the same machine, in the same session: the other side of
 * a {@link HeadToHead} comparison. Implementations are found by {@link java.util.ServiceLoader} (the optional
 * {@code bn-pytorch} module adds PyTorch 2.10 through its C++ library) or built here ({@link PythonPeer}, Debian's
 * PyTorch through {@code scripts/pytorch/bench_peer.py}).
 */
public interface Peer extends AutoCloseable {

    /** Stable id, used on the command line and as a report column: {@code pytorch-2.10}. */
    String name();

    /** One line for the report: the exact version, build and settings that were measured. */
    String describe();

    /**
     * Whether the peer has a masked call (statistics over the valid positions only, as normkit's
     * {@code forward(x, mask)}). PyTorch's norms have none: {@link HeadToHead} times a masked case on normkit's side
     * alone and says so, unless a peer says yes here.
     */
    default boolean takesMasks() {
        return false;
    }

    /**
     * The peer's call and copy for {@code c}, on inputs of its own with the same shape and dtype.
     *
     * @throws UnsupportedOperationException naming the reason when the peer does not time this case
     */
    Contender prepare(Case c);

    @Override
    default void close() {}
}

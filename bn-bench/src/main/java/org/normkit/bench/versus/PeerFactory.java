package org.normkit.bench.versus;

/**
 * What {@link java.util.ServiceLoader} finds: a factory, so that a peer whose native library fails to load can be
 * listed by name and report why, instead of breaking the service lookup.
 */
public interface PeerFactory {

    /** The {@link Peer#name()} of the peer this factory makes. */
    String name();

    /** Starts the peer (loads its library, starts its process). */
    Peer start();
}

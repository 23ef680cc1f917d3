package org.normkit.pytorch;

import org.normkit.bench.versus.Peer;
import org.normkit.bench.versus.PeerFactory;

/** Registers {@link LibtorchPeer} with the benchmark's {@link java.util.ServiceLoader} lookup. */
public final class LibtorchPeerFactory implements PeerFactory {

    @Override
    public String name() {
        return LibtorchPeer.NAME;
    }

    @Override
    public Peer start() {
        return new LibtorchPeer();
    }
}

package org.normkit.core.replica;

/** Thrown in a replica waiting for the others when one of them failed, so no replica waits forever. */
public final class ReplicaFailedException extends IllegalStateException {
    public ReplicaFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}

package org.normkit.experiments.train;

/** A norm that cannot sit in a slot of a net (wrong layout); reported as a result, not a crash. */
public class ImpossiblePairingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ImpossiblePairingException(String message) {
        super(message);
    }
}

package org.normkit.core.conformance;

/**
 * A conformance file that does not follow {@code bn-conformance/1}: the message names the file, the case and the
 * member (for example {@code case 'bn2d-train-basic': member 'input.data' has 5 values but shape [2, 3] needs 6}).
 */
public class ConformanceFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ConformanceFormatException(String message) {
        super(message);
    }

    public ConformanceFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

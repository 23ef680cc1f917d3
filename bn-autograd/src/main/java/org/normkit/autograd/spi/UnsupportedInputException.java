package org.normkit.autograd.spi;

/** An input a norm cannot normalise (wrong rank, wrong layout); the message names the shape and what fits. */
public class UnsupportedInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UnsupportedInputException(String message) {
        super(message);
    }
}

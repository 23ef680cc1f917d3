package org.normkit.autograd.tensor;

/** A tensor of the wrong shape or rank; the message names the op, the shapes and a way out. */
public class ShapeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ShapeException(String message) {
        super(message);
    }
}

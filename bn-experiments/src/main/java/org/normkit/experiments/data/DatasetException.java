package org.normkit.experiments.data;

/**
 * A data file or folder that cannot be used as it is. The message always names the file (or folder), says what is
 * wrong with it, and ends with how to fix it, because the person reading it is usually at a terminal with a training
 * run that did not start.
 */
public final class DatasetException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}

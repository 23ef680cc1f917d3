package org.normkit.experiments.report;

/**
 * A results file that cannot be read as one: the message names the file, the line and the fix. A torn last line
 * is not this error; {@link ResultsCsv} drops it with a warning.
 */
public final class ResultsFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ResultsFileException(String message) {
        super(message);
    }

    public ResultsFileException(String message, Throwable cause) {
        super(message, cause);
    }
}

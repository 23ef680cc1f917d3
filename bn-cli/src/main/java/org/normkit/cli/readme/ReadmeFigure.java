package org.normkit.cli.readme;

import java.nio.file.Path;

/**
 * One figure of the README: the text between {@code <!-- results:KEY -->} and {@code <!-- /results:KEY -->},
 * rendered from result files committed under {@code docs/results/}. A figure never holds a number of its own: every
 * number it prints is read from those files, so re-measuring means replacing the files and running
 * {@code ./normkit readme --write}.
 *
 * <p>To add one: implement this interface, list it in {@link ReadmeFigures#ALL}, and put an empty block with its key
 * into README.md.
 */
public interface ReadmeFigure {

    /** The KEY of the README block, e.g. {@code experiment}. */
    String key();

    /**
     * The block's content, lines each ending in a line break, rendered from the files under {@code repositoryRoot}.
     * Throws {@link IllegalStateException} naming the file when a result file is missing or unreadable.
     */
    String render(Path repositoryRoot);
}

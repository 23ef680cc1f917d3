package org.normkit.experiments.report;

import java.nio.file.Path;
import java.util.List;

/**
 * Writes a finished experiment's or sweep's report into its results folder. The runner calls it once per command,
 * after the last run; {@link ReportFiles} (the default) writes the Markdown file, its PNG plots and the
 * self-contained HTML file. An application binds another writer in Guice to publish reports elsewhere or in other
 * formats; {@code results.csv} is the runner's and stays as it is whatever the writer.
 */
public interface ReportWriter {

    /** Writes the report of an experiment into {@code folder}; returns the files written, the main one first (none when published elsewhere). */
    List<Path> write(ExperimentReport report, Path folder);

    /** Writes the report of a sweep into {@code folder}; returns the files written, the main one first. */
    List<Path> write(SweepReport report, Path folder);
}
